package norm

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// generalName is Name without its shortcuts: folding by foldAny, native
// forms stripped and the Japanese reading decided for every name, and the
// words found by words, as for text in any script.
func generalName(n *Normalizer, s string, kind Kind) []Rendering {
	ja := japaneseName(s, kind)
	kind &^= Japanese | MaybeJapanese
	if kind == Organisation {
		s = stripNativeForms(s)
	}
	return n.renderings(foldAny(s), kind, ja)
}

// nameWords are words that Name treats apart (titles, articles, legal
// forms, abbreviations and phrases of business words), so that generated
// names go through every step of cleanTokens.
var nameWords = strings.Fields(`mr Dr al EL bin b u alhassan elbaradei alamin and the of e y et und
	trdg Intl int imp exp tech foods co Co. Ltd ltd limited gmbh g m b h kg & S.A. de C.V. sp z o o llc pte
	pvt sdn bhd pt tbk jsc ooo Cong ty TNHH dich vu xuat nhap khau xnk thuong mai boeki shoji kabushiki kaisha
	k.k. lee chan tai man golden harvest nordhafen 12 007 o'brien d'arcy`)

// latinLetters are letters that foldLatin folds by table, some of them
// with a special spelling (ß, æ, ø, ł, đ, þ, ı) and a few that only
// lower (×, µ).
var latinLetters = []rune("àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝßæÆœŒøØłŁđĐðþıİĳŉſǅǈǌǱ×µªºĀāĂăŻżƒơưƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹẞ")

// otherRunes are letters and marks that take a name off the fast paths.
var otherRunes = []rune("\u0301\u0308陳大文株式会社サトウケンЮрийΠαπαδόπουλοςمحمد김민준ราชАＡﬁ’`´\u200b\ufffd")

// randomName makes a name of the words above, random letters of the sets
// given, and separators.
func randomName(rng *rand.Rand, runeSets ...[]rune) string {
	var b strings.Builder
	const seps = " .,-'&()/\\_\t@#\""
	for range 1 + rng.IntN(7) {
		switch rng.IntN(4) {
		case 0, 1:
			w := nameWords[rng.IntN(len(nameWords))]
			if rng.IntN(3) == 0 {
				w = strings.ToUpper(w)
			}
			b.WriteString(w)
		case 2:
			for range 1 + rng.IntN(8) {
				c := byte('a' + rng.IntN(26))
				if rng.IntN(4) == 0 {
					c -= 'a' - 'A'
				}
				b.WriteByte(c)
			}
		default:
			for range 1 + rng.IntN(4) {
				if len(runeSets) == 0 {
					b.WriteByte(byte('a' + rng.IntN(26)))
					continue
				}
				set := runeSets[rng.IntN(len(runeSets))]
				b.WriteRune(set[rng.IntN(len(set))])
			}
		}
		b.WriteByte(seps[rng.IntN(len(seps))])
	}
	return b.String()
}

var nameKinds = []Kind{Person, Organisation, Other, Person | Japanese, Organisation | Japanese, Person | MaybeJapanese, Other | Japanese}

// TestNameFastPaths checks that Name, which takes names in ASCII and names
// whose folding is plain ASCII by shortcuts, gives what the general path
// gives, on generated names in ASCII, in Latin letters with accents and in
// a mix with other scripts.
func TestNameFastPaths(t *testing.T) {
	n := MustNew(t)
	rng := rand.New(rand.NewPCG(5, 8))
	for i := range 60000 {
		var s string
		switch i % 3 {
		case 0:
			s = randomName(rng)
		case 1:
			s = randomName(rng, latinLetters)
		default:
			s = randomName(rng, latinLetters, otherRunes)
		}
		for _, k := range nameKinds {
			got, want := n.Name(s, k), generalName(n, s, k)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Name(%q, %d) = %#v, the general path gives %#v", s, k, got, want)
			}
		}
	}
}

// TestASCIINameAsGeneral checks asciiName against the general path on
// folded text directly.
func TestASCIINameAsGeneral(t *testing.T) {
	n := MustNew(t)
	rng := rand.New(rand.NewPCG(6, 9))
	for range 30000 {
		f := strings.ToLower(randomName(rng))
		if !plainASCII(f) {
			t.Fatalf("plainASCII(%q) = false", f)
		}
		for _, k := range []Kind{Person, Organisation, Other} {
			if got, want := asciiName(f, k), n.renderings(f, k, false); !reflect.DeepEqual(got, want) {
				t.Fatalf("asciiName(%q, %d) = %#v, the general path gives %#v", f, k, got, want)
			}
		}
	}
}

// latinTable lists the runes that latinFolds covers.
func latinTable() []rune {
	var rs []rune
	for r := rune(0x80); r < latinEnd; r++ {
		rs = append(rs, r)
	}
	for r := rune(extraStart); r < extraEnd; r++ {
		rs = append(rs, r)
	}
	return rs
}

// TestFoldLatin checks what foldLatin relies on: that NFC leaves every
// pair of the letters it folds by table as it is (so it leaves any text of
// them as it is), and that their folding by table equals Fold's general
// path on generated text.
func TestFoldLatin(t *testing.T) {
	rs := latinTable()
	var in []rune
	for _, r := range rs {
		if latinFold(r) != "" {
			in = append(in, r)
		} else if norm.NFC.IsNormalString(string(r)) {
			t.Errorf("%U is in composed form but not in the table", r)
		}
	}
	if len(in) < 600 {
		t.Fatalf("only %d letters folded by table", len(in))
	}
	pairs := append([]rune(nil), in...)
	pairs = append(pairs, 'a', 'E', 'i', 'n', 'o', 'u', ' ')
	buf := make([]byte, 0, 8)
	for _, a := range pairs {
		for _, b := range pairs {
			buf = utf8.AppendRune(utf8.AppendRune(buf[:0], a), b)
			if !norm.NFC.IsNormal(buf) {
				t.Fatalf("NFC changes %q", buf)
			}
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 50000 {
		s := randomName(rng, in)
		f, ok := foldLatin(s)
		if !ok {
			t.Fatalf("foldLatin(%q) declined", s)
		}
		if want := foldAny(s); f != want || Fold(s) != want {
			t.Fatalf("foldLatin(%q) = %q, Fold %q, the general path %q", s, f, Fold(s), want)
		}
	}
	for _, s := range []string{"Müller\u0301", "陳", "Straße ＡＢＣ", "\xff"} {
		if _, ok := foldLatin(s); ok {
			t.Errorf("foldLatin(%q) folded text it does not cover", s)
		}
		if Fold(s) != foldAny(s) {
			t.Errorf("Fold(%q) = %q, want %q", s, Fold(s), foldAny(s))
		}
	}
}

// FuzzNameFastPaths checks Name and Fold against their general paths on
// any text.
func FuzzNameFastPaths(f *testing.F) {
	for _, s := range []string{"Golden Harvest Trading Co., Ltd.", "Jean-Pierre Lefèvre", "Mr Ahmad bin Ismail", "陳大文", "Công ty TNHH Dịch vụ", "Straße", ""} {
		f.Add(s, uint8(Organisation))
	}
	n := MustNew(f)
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		kind := nameKinds[int(k)%len(nameKinds)]
		if got, want := n.Name(s, kind), generalName(n, s, kind); !reflect.DeepEqual(got, want) {
			t.Fatalf("Name(%q, %d) = %#v, the general path gives %#v", s, kind, got, want)
		}
		if got, want := Fold(s), foldAny(s); utf8.ValidString(s) && got != want {
			t.Fatalf("Fold(%q) = %q, the general path gives %q", s, got, want)
		}
	})
}

// TestWordFacts checks that factsOf knows every word of the tables it is
// made of, as they say, and nothing of other words.
func TestWordFacts(t *testing.T) {
	words := map[string]bool{}
	for w := range personNoise {
		words[w] = true
	}
	for w := range orgNoise {
		words[w] = true
	}
	for w := range orgAbbrev {
		words[w] = true
	}
	for _, ph := range orgPhrases {
		for _, w := range ph[0] {
			words[w] = true
		}
	}
	for _, f := range legalForms {
		for _, w := range f {
			words[w] = true
		}
	}
	rng := rand.New(rand.NewPCG(2, 2))
	for range 20000 {
		words[strings.ToLower(randomName(rng))] = true
	}
	for _, w := range nameWords {
		words[strings.ToLower(w)] = true
	}
	words[""] = true
	known := 0
	for w := range words {
		var phrases, byLast, byFirst []int
		for i, ph := range orgPhrases {
			if ph[0][0] == w {
				phrases = append(phrases, i)
			}
		}
		for i, f := range legalForms {
			if f[len(f)-1] == w {
				byLast = append(byLast, i)
			}
			if f[0] == w {
				byFirst = append(byFirst, i)
			}
		}
		v, abbrev := orgAbbrev[w]
		want := wordFacts{personNoise: personNoise[w], orgNoise: orgNoise[w], phrases: phrases, formsByLast: byLast, formsByFirst: byFirst}
		if abbrev {
			want.abbrev = Token{v}
		}
		f := factsOf(w)
		if f == nil {
			if !reflect.DeepEqual(want, wordFacts{}) {
				t.Errorf("factsOf(%q) = nil, want %+v", w, want)
			}
			continue
		}
		known++
		if !reflect.DeepEqual(*f, want) {
			t.Errorf("factsOf(%q) = %+v, want %+v", w, *f, want)
		}
	}
	if known < 150 {
		t.Errorf("only %d words known", known)
	}
}

// TestIdentifierFastPath checks Identifier on text in ASCII against the
// general path, which folds and then maps every letter.
func TestIdentifierFastPath(t *testing.T) {
	general := func(s string) string { return identifierOfFolded(foldAny(s)) }
	rng := rand.New(rand.NewPCG(4, 4))
	const chars = "abcXYZ0189 -./\t_:#+"
	for n := range 20000 {
		b := make([]byte, rng.IntN(4+n%80))
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		s := string(b)
		if got, want := Identifier(s), general(s); got != want {
			t.Fatalf("Identifier(%q) = %q, the general path %q", s, got, want)
		}
	}
	for _, s := range []string{"", "AB123", "hk 12-34.56/7", "Ünïcode-1"} {
		if got, want := Identifier(s), general(s); got != want {
			t.Errorf("Identifier(%q) = %q, the general path %q", s, got, want)
		}
	}
}

// TestHanStart checks that no Han character comes before hanStart.
func TestHanStart(t *testing.T) {
	for r := rune(0); r < hanStart; r++ {
		if unicode.Is(unicode.Han, r) {
			t.Fatalf("%U is Han, below hanStart", r)
		}
	}
	if !unicode.Is(unicode.Han, hanStart) {
		t.Errorf("%U is not Han", rune(hanStart))
	}
}
