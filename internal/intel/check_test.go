package intel

import (
	"strings"
	"testing"

	"liaison/internal/fault"
)

// iso6346Letters returns the letter table printed in ISO 6346, written out
// here rather than computed so that the computation is checked against it.
func iso6346Letters() map[byte]int {
	return map[byte]int{
		'A': 10, 'B': 12, 'C': 13, 'D': 14, 'E': 15, 'F': 16, 'G': 17, 'H': 18, 'I': 19,
		'J': 20, 'K': 21, 'L': 23, 'M': 24, 'N': 25, 'O': 26, 'P': 27, 'Q': 28, 'R': 29,
		'S': 30, 'T': 31, 'U': 32, 'V': 34, 'W': 35, 'X': 36, 'Y': 37, 'Z': 38,
	}
}

// iso6346Sum is the weighted sum of the first ten characters, computed from
// the printed table.
func iso6346Sum(tb testing.TB, s string) int {
	tb.Helper()
	letters := iso6346Letters()
	sum := 0
	for i := range 10 {
		c := s[i]
		v, ok := letters[c]
		if !ok {
			v = int(c - '0')
		}
		sum += v * (1 << i)
	}
	return sum
}

func TestContainerLetterValues(t *testing.T) {
	for c, want := range iso6346Letters() {
		if got := containerLetterValue(c); got != want {
			t.Errorf("value of %c = %d, want %d", c, got, want)
		}
	}
}

func TestContainerValid(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantMsg string // "" means valid
	}{
		{"canonical example", "CSQU3054383", ""},
		{"BIC example", "BICU1234565", ""},
		{"detachable equipment", "CSQJ3054386", ""},
		{"spaces and hyphens", "CSQU 305438-3", ""},
		{"lower case", "csqu3054383", ""},
		{"remainder ten written as zero", "CSQU0000070", ""},
		{"wrong check digit", "CSQU3054384", `container "CSQU3054384" has check digit 4, expected 3 (ISO 6346)`},
		{"remainder ten with check digit one", "CSQU0000071", `has check digit 1, expected 0`},
		{"remainder ten written as 10", "CSQU00000710", `must be 4 letters`},
		{"bad category", "CSQX3054383", `equipment category "X"`},
		{"too short", "CSQ3054383", `must be 4 letters`},
		{"letter in serial", "CSQU305438A", `must be 4 letters`},
		{"digit in owner code", "C5QU3054383", `must be 4 letters`},
		{"non-ASCII letter", "ÇSQU3054383", `must be 4 letters`},
		{"empty", "", `must be 4 letters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ContainerValid(tt.in)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("ContainerValid(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ContainerValid(%q) = nil, want error containing %q", tt.in, tt.wantMsg)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ContainerValid(%q) = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("ContainerValid(%q) kind = %s, want %s", tt.in, fault.KindOf(err), fault.Invalid)
			}
		})
	}
}

// TestContainerRemainderTen checks the rule that a weighted sum leaving 10
// modulo 11 gives check digit 0, on a number whose sum is computed here from
// the printed letter table.
func TestContainerRemainderTen(t *testing.T) {
	const prefix = "CSQU000007"
	if r := iso6346Sum(t, prefix) % 11; r != 10 {
		t.Fatalf("test premise: sum of %s mod 11 = %d, want 10", prefix, r)
	}
	if err := ContainerValid(prefix + "0"); err != nil {
		t.Errorf("check digit 0 for remainder 10 refused: %v", err)
	}
	for _, bad := range []string{prefix + "10", prefix + "1", prefix + "9"} {
		if err := ContainerValid(bad); err == nil {
			t.Errorf("ContainerValid(%q) = nil, want error", bad)
		}
	}
}

func TestNormalizeContainer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CSQU3054383", "CSQU3054383"},
		{"csqu 305438 3", "CSQU3054383"},
		{"CSQU-305438-3", "CSQU3054383"},
		{" CSQU\t3054383 ", "CSQU3054383"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeContainer(tt.in); got != tt.want {
			t.Errorf("NormalizeContainer(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIMOValid(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string
	}{
		{"9074729", ""},
		{"IMO 9074729", ""},
		{"imo9074729", ""},
		{" IMO 907-4729 ", ""},
		{"9074728", `IMO number "9074728" has check digit 8, expected 9`},
		{"907472", `must be 7 digits`},
		{"90747290", `must be 7 digits`},
		{"IMO 90747A9", `must be 7 digits`},
		{"", `must be 7 digits`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := IMOValid(tt.in)
			switch {
			case tt.wantMsg == "" && err != nil:
				t.Fatalf("IMOValid(%q) = %v, want nil", tt.in, err)
			case tt.wantMsg != "" && err == nil:
				t.Fatalf("IMOValid(%q) = nil, want error containing %q", tt.in, tt.wantMsg)
			case tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg):
				t.Errorf("IMOValid(%q) = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

func TestNormalizeIMO(t *testing.T) {
	tests := []struct{ in, want string }{
		{"IMO 9074729", "9074729"},
		{"imo9074729", "9074729"},
		{"9074729", "9074729"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeIMO(tt.in); got != tt.want {
			t.Errorf("NormalizeIMO(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestULIDValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"01JD2Q4XKZ8M3N5P7R9T1V3W5Y", true},
		{"7ZZZZZZZZZZZZZZZZZZZZZZZZZ", true},
		{"8ZZZZZZZZZZZZZZZZZZZZZZZZZ", false}, // overflows 128 bits
		{"01jd2q4xkz8m3n5p7r9t1v3w5y", false}, // not canonical
		{"01JD2Q4XKZ8M3N5P7R9T1V3W5", false},
		{"01JD2Q4XKZ8M3N5P7R9T1V3WIL", false}, // I and L are not Crockford digits
		{"01JD2Q4XKZ8M3N5P7R9T1V3WU0", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ULIDValid(tt.in); got != tt.want {
			t.Errorf("ULIDValid(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLocodeShape(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string
	}{
		{"HKHKG", ""},
		{"DEHAM", ""},
		{"USNY2", ""},
		{"HKHK", "must be 5 characters"},
		{"HKHKGX", "must be 5 characters"},
		{"hkhkg", "two-letter country code"},
		{"HKHK1", `location part "HK1"`},
		{"HKHK0", `location part "HK0"`},
		{"HKhkg", `location part "hkg"`},
	}
	for _, tt := range tests {
		got := locodeProblem(tt.in).String()
		if tt.wantMsg == "" && got != "" || !strings.Contains(got, tt.wantMsg) {
			t.Errorf("locodeProblem(%q) = %q, want %q", tt.in, got, tt.wantMsg)
		}
	}
}

func FuzzContainerValid(f *testing.F) {
	for _, s := range []string{"CSQU3054383", "CSQU0000070", "csqu 305438-3", "CSQU00000710", "", "ÇSQU3054383"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ContainerValid(s)
		if err == nil {
			n := NormalizeContainer(s)
			if len(n) != 11 {
				t.Fatalf("ContainerValid(%q) accepted %q of length %d", s, n, len(n))
			}
			if r := iso6346Sum(t, n) % 11 % 10; int(n[10]-'0') != r {
				t.Fatalf("ContainerValid(%q) accepted check digit %c, table gives %d", s, n[10], r)
			}
			// Any other check digit must be refused.
			for d := byte('0'); d <= '9'; d++ {
				if d != n[10] && ContainerValid(n[:10]+string(d)) == nil {
					t.Fatalf("ContainerValid accepted both %q and check digit %c", n, d)
				}
			}
			return
		}
		if !fault.Is(err, fault.Invalid) {
			t.Fatalf("ContainerValid(%q) returned %v of kind %s", s, err, fault.KindOf(err))
		}
	})
}
