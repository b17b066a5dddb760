package directory

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"liaison/internal/fault"
)

// MustParseHSFile parses the shared HS 2022 file.
func MustParseHSFile(tb testing.TB) HSList {
	tb.Helper()
	f, err := os.Open(sharedData + "harmonized-system.csv")
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	defer f.Close()
	l, err := ParseHS(f)
	if err != nil {
		tb.Fatalf("ParseHS: %v", err)
	}
	return l
}

func TestParseHSRealFile(t *testing.T) {
	l := MustParseHSFile(t)
	ch, hd, sub := l.Counts()
	// The file has 97 level-2, 1,229 level-4 and 5,613 level-6 rows; one of
	// each is a 99/9999/999999 catch-all, which is not part of the HS.
	if ch != 96 || hd != 1228 || sub != 5612 {
		t.Errorf("counts %d/%d/%d, want 96 chapters (01-97 without the reserved 77), 1228 headings, 5612 subheadings", ch, hd, sub)
	}
	if err := l.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	// Every kept code is one the file has at level 2, 4 or 6.
	inFile := map[string]bool{}
	for _, r := range MustReadCSV(t, "harmonized-system.csv") {
		inFile[r["hscode"]] = true
	}
	for _, e := range l.Entries {
		if !inFile[e.Code] || hsCatchAll(e.Code) {
			t.Errorf("kept %s", e.Code)
		}
	}
}

func TestHSCodeAfterLoad(t *testing.T) {
	base := MustLoad(t)
	d := base.WithHS(MustParseHSFile(t))
	if base.HSFull() {
		t.Error("embedded directory claims a full nomenclature")
	}
	if !d.HSFull() {
		t.Fatal("HSFull false after WithHS")
	}
	rows := MustReadCSV(t, "harmonized-system.csv")
	inFile := map[string]bool{}
	for _, r := range rows {
		inFile[r["hscode"]] = true
	}
	tests := []struct {
		code string
		want bool
	}{
		{"240220", true},
		{"240299", false},
		{"2402", true},
		{"0101", true},
		{"010121", true},
		{"9706", true},
		{"9999", false},
		{"999999", false},
		{"7701", false},
		{"24", false}, // chapters are checked with HSChapter
		{"24022", false},
		{"24022a", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := d.HSCode(tt.code); got != tt.want {
				t.Errorf("HSCode = %v, want %v", got, tt.want)
			}
			if (len(tt.code) == 4 || len(tt.code) == 6) && !hsCatchAll(tt.code) && inFile[tt.code] != tt.want {
				t.Errorf("table disagrees with the file for %s", tt.code)
			}
		})
	}
	if desc, ok := d.HSDescription("240220"); !ok || desc != "Cigarettes; containing tobacco" {
		t.Errorf("HSDescription(240220) = %q, %v", desc, ok)
	}
	if _, ok := d.HSDescription("240299"); ok {
		t.Error("HSDescription(240299) found")
	}
}

func TestHSCodeWithoutFullList(t *testing.T) {
	d := MustLoad(t)
	tests := []struct {
		code string
		want bool
	}{
		{"2402", true},      // chapter 24 exists
		{"240299", true},    // cannot be told apart without the full list
		{"7701", false},     // chapter 77 is reserved
		{"9801", false},     // national use
		{"0001", false},     // no chapter 00
		{"24x2", false},     // not digits
		{"240", false},      // wrong length
		{"24022011", false}, // national subdivision
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := d.HSCode(tt.code); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if title, ok := d.HSDescription("77"); !ok || !strings.Contains(title, "Reserved") {
		t.Errorf("HSDescription(77) = %q, %v", title, ok)
	}
}

func TestWithHSLeavesReceiverUnchanged(t *testing.T) {
	base := MustLoad(t)
	l := HSList{Entries: []HSEntry{{Code: "24", Description: "Tobacco"}, {Code: "2402", Description: "Cigarettes"}}}
	d := base.WithHS(l)
	if base.HSFull() || base.HSCode("2403") != true {
		t.Error("receiver changed by WithHS")
	}
	if !d.HSFull() || d.HSCode("2403") {
		t.Error("new directory does not use the loaded list")
	}
	if d.WithHS(HSList{}).HSFull() {
		t.Error("an empty list counts as full")
	}
}

func TestHSListJSONRoundTrip(t *testing.T) {
	l := MustParseHSFile(t)
	l.Source = "harmonized-system.csv"
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var back HSList
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l, back) {
		t.Error("HS list changed through JSON")
	}
}

func TestHSListValidate(t *testing.T) {
	ok := HSEntry{Code: "2402", Description: "Cigarettes"}
	tests := []struct {
		name string
		l    HSList
		want string
	}{
		{"bad code", HSList{Entries: []HSEntry{ok, {Code: "24A", Description: "x"}}}, "entries[1]"},
		{"no description", HSList{Entries: []HSEntry{ok, {Code: "2403"}}}, "no description"},
		{"duplicate", HSList{Entries: []HSEntry{ok, ok}}, "twice"},
		{"no headings", HSList{Entries: []HSEntry{{Code: "24", Description: "Tobacco"}}}, "no headings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestParseHSErrors(t *testing.T) {
	const head = "section,hscode,description,parent,level\n"
	tests := []struct {
		name       string
		in         string
		line       int
		column     string
		msgContain string
	}{
		{"empty", "", 1, "", "empty file"},
		{"missing column", "section,code,description\n", 1, `"hscode"`, "missing column"},
		{"bare quote", head + "I,01,Animals; live,TOTAL,2\nI,0101,Horses \"live,01,4\n", 3, "15", "bare"},
		{"field count", head + "I,01,Animals; live,TOTAL,2\nI,0101,Horses,01\n", 3, "", "wrong number of fields"},
		{"letters in code", head + "I,01,Animals,TOTAL,2\nI,01A1,Horses,01,4\n", 3, `"hscode"`, "not digits"},
		{"odd length", head + "I,01,Animals,TOTAL,2\nI,010,Horses,01,3\n", 3, `"hscode"`, "not 2, 4 or 6"},
		{"empty code", head + "I,01,Animals,TOTAL,2\nI,,Horses,01,4\n", 3, `"hscode"`, "empty code"},
		{"no description", head + "I,01,Animals,TOTAL,2\nI,0101,,01,4\n", 3, `"description"`, "no description"},
		{"invalid UTF-8", head + "I,01,Animals,TOTAL,2\nI,0101,Hors\x94es,01,4\n", 3, `"description"`, "not valid UTF-8"},
		{"level mismatch", head + "I,01,Animals,TOTAL,2\nI,0101,Horses,01,6\n", 3, `"level"`, "does not match"},
		{"duplicate", head + "I,01,Animals,TOTAL,2\nI,0101,Horses,01,4\nI,0101,Horses again,01,4\n", 4, `"hscode"`, "already appears on line 3"},
		{"no headings", head + "I,01,Animals,TOTAL,2\n", 2, "", "no 4-digit headings"},
		// A file cut short or edited by hand would replace the whole
		// nomenclature.
		{"no chapters", head + "I,0101,Horses,01,4\n", 2, "", "no 2-digit chapters"},
		{"heading without its chapter", head + "I,01,Animals,TOTAL,2\nI,0101,Horses,01,4\nI,0201,Meat,02,4\n", 4, `"hscode"`, "no 2-digit parent 02"},
		{"subheading without its heading", head + "I,01,Animals,TOTAL,2\nI,0101,Horses,01,4\nI,010221,Cattle,0102,6\n", 4, `"hscode"`, "no 4-digit parent 0102"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHS(strings.NewReader(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || pe.Column != tt.column || !strings.Contains(pe.Msg, tt.msgContain) {
				t.Errorf("got line %d column %s msg %q, want line %d column %s msg containing %q",
					pe.Line, pe.Column, pe.Msg, tt.line, tt.column, tt.msgContain)
			}
			if !strings.Contains(err.Error(), "line ") {
				t.Errorf("message %q does not name the line", err)
			}
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("kind %s, want invalid", fault.KindOf(err))
			}
		})
	}
}

func TestParseHSSkipsWhatIsNotHS(t *testing.T) {
	in := "\uFEFFhscode,description\n01,Animals\n0101,Horses\n01012110,Horses national line\nTOTAL,Total\n99,Other\n9999,Other\n999999,Other\n"
	l, err := ParseHS(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, e := range l.Entries {
		codes = append(codes, e.Code)
	}
	if strings.Join(codes, ",") != "01,0101" {
		t.Errorf("kept %v, want [01 0101]", codes)
	}
}

func FuzzParseHS(f *testing.F) {
	f.Add("section,hscode,description,parent,level\nI,01,Animals; live,TOTAL,2\nI,0101,\"Horses, asses\",01,4\nI,010121,Pure-bred,0101,6\n")
	f.Add("hscode,description\n24,Tobacco\n2402,Cigars\nTOTAL,x\n")
	f.Add("\uFEFFhscode,description,level\n2402,Cigars,4\n240220,Cigarettes,6\n")
	f.Add("hscode,description\n\"24\n")
	f.Fuzz(func(t *testing.T, in string) {
		l, err := ParseHS(strings.NewReader(in))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Line < 1 {
				t.Fatalf("error %v has no line", err)
			}
			return
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("parsed list does not validate: %v", err)
		}
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		var back HSList
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(l, back) {
			t.Fatal("list changed through JSON")
		}
	})
}

func BenchmarkParseHS(b *testing.B) {
	data, err := os.ReadFile(sharedData + "harmonized-system.csv")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseHS(strings.NewReader(string(data))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHSCode(b *testing.B) {
	d := MustLoad(b).WithHS(MustParseHSFile(b))
	for b.Loop() {
		d.HSCode("240220")
	}
}
