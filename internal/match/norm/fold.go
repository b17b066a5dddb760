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
