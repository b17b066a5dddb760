// Package norm normalises what records say about people, companies and
// things so that the same entity written differently compares equal or
// close: names are folded (case, accents, compatibility forms),
// transliterated from other scripts to Latin, split into tokens and
// stripped of legal forms; identifiers (containers, IMO numbers, phones,
// e-mail addresses, travel documents, plates, flights) are brought to one
// canonical form after validation. It does no I/O: the Han reading table is
// embedded.
package norm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s in lower case with the accents and other combining marks
// of Latin and Greek letters removed and compatibility forms (full-width
// letters, ligatures) replaced by their plain equivalents: "Lefèvre"
// becomes "lefevre", "ＡＢＣ" "abc", "Müller" "muller" and "Straße"
// "strasse". Latin letters that do not decompose but have a conventional
// spelling (ß, æ, œ, ø, ł, đ, ı, þ, ð) are spelled out. Letters of other
// scripts keep their marks, which carry sounds there (the breve of Cyrillic
// й, the voicing marks of kana, the vowel signs of Devanagari), and are
// only lower-cased.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	if f, ok := foldLatin(s); ok {
		return f
	}
	return foldAny(s)
}

// foldAny is Fold for any text.
func foldAny(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	var buf [16]byte
	latin := false // the previous base letter was Latin or Greek
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(unicode.ToLower(r))
			latin = r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
			continue
		case unicode.Is(unicode.Mn, r):
			if !latin {
				b.WriteRune(r)
			}
			continue
		}
		if sp, ok := foldSpecial(r); ok {
			b.WriteString(sp)
			latin = true
			continue
		}
		if unicode.In(r, unicode.Latin, unicode.Greek) || r >= 0xFF00 && r <= 0xFFEF || r >= 0xFB00 && r <= 0xFB06 || r >= 0x2000 && r <= 0x206F {
			n := utf8.EncodeRune(buf[:], r)
			for _, d := range norm.NFKD.String(string(buf[:n])) {
				if unicode.Is(unicode.Mn, d) {
					continue
				}
				if sp, ok := foldSpecial(d); ok {
					b.WriteString(sp)
					continue
				}
				b.WriteRune(unicode.ToLower(d))
			}
			latin = true
			continue
		}
		latin = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// foldSpecial spells out Latin letters that have no decomposition and
// unifies apostrophes.
func foldSpecial(r rune) (string, bool) {
	switch r {
	case 'ß', 'ẞ':
		return "ss", true
	case 'æ', 'Æ':
		return "ae", true
	case 'œ', 'Œ':
		return "oe", true
	case 'ø', 'Ø':
		return "o", true
	case 'ł', 'Ł':
		return "l", true
	case 'đ', 'Đ', 'ð', 'Ð':
		return "d", true
	case 'ı':
		return "i", true
	case 'þ', 'Þ':
		return "th", true
	case 'ħ', 'Ħ':
		return "h", true
	case '’', 'ʼ', '‘', '`', '´', 'ʻ':
		return "'", true
	}
	return "", false
}

// Latin letters with accents, as names in Western European and
// Vietnamese spelling have them, are folded by table. Each letter of
// Latin-1, Latin Extended-A and -B and Latin Extended Additional is in
// composed form already and composes with none of the others, so text made
// of them and ASCII is left as it is by NFC, and Fold takes it a letter at
// a time (the state Fold keeps between letters decides only what becomes
// of combining marks, which are not among them): the folded text is each
// letter's folding in turn. TestFoldLatin checks both.
const (
	latinEnd   = 0x250  // Latin-1 Supplement, Latin Extended-A and -B
	extraStart = 0x1E00 // Latin Extended Additional
	extraEnd   = 0x1F00
)

// latinFolds holds the folding of each letter from 0x80 to latinEnd and
// from extraStart to extraEnd, "" for one that NFC would change, which
// foldLatin then leaves to foldAny.
var latinFolds = func() []string {
	t := make([]string, latinEnd-0x80+extraEnd-extraStart)
	for i := range t {
		r := rune(0x80 + i)
		if i >= latinEnd-0x80 {
			r = rune(extraStart + i - (latinEnd - 0x80))
		}
		s := string(r)
		if !norm.NFC.IsNormalString(s) || unicode.Is(unicode.Mn, r) {
			continue
		}
		t[i] = foldAny(s)
		if t[i] == "" {
			// Never the case: a letter folds to something. Kept out of
			// the table so that "" means only "not here".
			panic("fold: empty folding of " + s)
		}
	}
	return t
}()

// latinFold returns the folding of r from latinFolds, "" when r is not
// there.
func latinFold(r rune) string {
	switch {
	case r >= 0x80 && r < latinEnd:
		return latinFolds[r-0x80]
	case r >= extraStart && r < extraEnd:
		return latinFolds[r-extraStart+latinEnd-0x80]
	}
	return ""
}

// foldLatin is Fold for text of ASCII and the letters of latinFolds,
// false for any other.
func foldLatin(s string) (string, bool) {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		f := latinFold(r)
		if f == "" {
			return "", false
		}
		n += len(f)
		i += size
	}
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(latinFold(r))
		i += size
	}
	return b.String(), true
}
