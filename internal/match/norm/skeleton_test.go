package norm

import (
	"math/rand/v2"
	"testing"
)

// skeletonEach is Skeleton as it was before it looked up groups of
// letters by their first letter: every group tried at every letter.
func skeletonEach(s string) string {
	var out [32]byte
	n := 0
	put := func(c byte) {
		if n > 0 && out[n-1] == c || n == len(out) {
			return
		}
		out[n] = c
		n++
	}
	i := 0
	if len(s) > 1 && (s[0] == 'y' || s[0] == 'j' || s[0] == 'i') && isVowelOrY(s[1]) {
		put('Y')
		i = 1
		for i < len(s) && isVowelOrY(s[i]) {
			i++
		}
	} else if len(s) > 0 && isVowel(s[0]) {
		put('A')
		for i < len(s) && isVowelOrY(s[i]) {
			i++
		}
	}
	for i < len(s) {
		c := s[i]
		rest := s[i:]
		switch {
		case isVowelOrY(c):
			i++
			continue
		case hasPrefix(rest, "tsch"):
			put('C')
			i += 4
		case hasPrefix(rest, "shch"):
			put('S')
			i += 4
		case hasPrefix(rest, "sch"):
			put('S')
			i += 3
		case hasPrefix(rest, "dzh"):
			put('J')
			i += 3
		case hasPrefix(rest, "tch"):
			put('C')
			i += 3
		case hasPrefix(rest, "ch"), hasPrefix(rest, "ts"), hasPrefix(rest, "tz"):
			put('C')
			i += 2
		case hasPrefix(rest, "sh"):
			put('S')
			i += 2
		case hasPrefix(rest, "zh"), hasPrefix(rest, "dj"):
			put('J')
			i += 2
		case hasPrefix(rest, "kh"), hasPrefix(rest, "gh"), hasPrefix(rest, "ck"):
			put('K')
			i += 2
		case hasPrefix(rest, "ph"):
			put('F')
			i += 2
		case hasPrefix(rest, "th"):
			put('T')
			i += 2
		case hasPrefix(rest, "ng"):
			put('N')
			i += 2
		default:
			switch c {
			case 'b', 'p':
				put('P')
			case 'd', 't':
				put('T')
			case 'g', 'k', 'q':
				put('K')
			case 'c':
				if i+1 < len(s) && (s[i+1] == 'e' || s[i+1] == 'i' || s[i+1] == 'y') {
					put('S')
				} else {
					put('K')
				}
			case 'f', 'v', 'w':
				put('F')
			case 's', 'z':
				put('S')
			case 'j':
				put('J')
			case 'h':
				if i == 0 || !isVowelOrY(s[i-1]) || i+1 < len(s) && isVowelOrY(s[i+1]) {
					put('H')
				}
			case 'l':
				put('L')
			case 'r':
				put('R')
			case 'm':
				put('M')
			case 'n':
				put('N')
			case 'x':
				put('K')
				put('S')
			default:
				if c >= '0' && c <= '9' {
					put(c)
				}
			}
			i++
		}
	}
	return string(out[:n])
}

// TestSkeletonByFirstLetter checks that Skeleton and AppendSkeleton give
// what trying every group of letters at every letter gives, on 300,000
// strings of letters weighted to make the groups (tsch, shch, dzh, ng …)
// often, of every length to past the 32 letters a skeleton keeps, and
// that AppendSkeleton leaves what dst holds alone.
func TestSkeletonByFirstLetter(t *testing.T) {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789-' tsschhzdgknpcj"
	rng := rand.New(rand.NewPCG(9, 9))
	for k := range 300000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		s := string(b)
		want := skeletonEach(s)
		if got := Skeleton(s); got != want {
			t.Fatalf("Skeleton(%q) = %q, want %q", s, got, want)
		}
		prefix := []byte{"xT"[k%2]}
		if got := AppendSkeleton(prefix, s); string(got) != string(prefix)+want {
			t.Fatalf("AppendSkeleton(%q, %q) = %q, want %q", prefix, s, got, string(prefix)+want)
		}
	}
	for _, s := range []string{"", "a", "tschaikowsky", "shchukin", "dzhabrailov", "chang", "zhang", "satoh", "john", "mhmd", "xie"} {
		if got, want := Skeleton(s), skeletonEach(s); got != want {
			t.Errorf("Skeleton(%q) = %q, want %q", s, got, want)
		}
	}
}
