package synth

import (
	"strings"
	"unicode"
)

// Transliteration schemes for Cyrillic names. Real documents of one person
// often use several: a passport in one system, a visa or an airline booking
// in another, a European registry in its own language's conventions.
const (
	schemeICAO      = "icao"      // ICAO Doc 9303, machine-readable travel documents
	schemeCommon    = "common"    // English-language practice (BGN/PCGN without apostrophes)
	schemeGerman    = "german"    // German (Duden) practice
	schemeFrench    = "french"    // French practice
	schemeUkrainian = "ukrainian" // Ukrainian national system (2010)
)

// transliterator holds, for each scheme, the Latin rendering of each
// lower-case Cyrillic letter and the renderings that differ at the start of
// a word.
type transliterator struct {
	letters map[string]map[rune]string
	initial map[string]map[rune]string
	final   map[string]map[string]string // word-final pairs of letters
}

func newTransliterator() *transliterator {
	return &transliterator{letters: map[string]map[rune]string{
		schemeICAO: {
			'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "e", 'є': "ie", 'ж': "zh",
			'з': "z", 'и': "i", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
			'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
			'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia", '\'': "", '’': "",
		},
		schemeCommon: {
			'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "yo", 'є': "ye", 'ж': "zh",
			'з': "z", 'и': "i", 'і': "i", 'ї': "yi", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
			'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
			'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya", '\'': "", '’': "",
		},
		schemeGerman: {
			'а': "a", 'б': "b", 'в': "w", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "jo", 'є': "je", 'ж': "sch",
			'з': "s", 'и': "i", 'і': "i", 'ї': "ji", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
			'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "ch", 'ц': "z", 'ч': "tsch", 'ш': "sch",
			'щ': "schtsch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "ju", 'я': "ja", '\'': "", '’': "",
		},
		schemeFrench: {
			'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "io", 'є': "ie", 'ж': "j",
			'з': "z", 'и': "i", 'і': "i", 'ї': "ï", 'й': "ï", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
			'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "ou", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "tch", 'ш': "ch",
			'щ': "chtch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iou", 'я': "ia", '\'': "", '’': "",
		},
		schemeUkrainian: {
			'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "io", 'є': "ie", 'ж': "zh",
			'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
			'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
			'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia", '\'': "", '’': "",
		},
	}, initial: map[string]map[rune]string{
		schemeCommon:    {'е': "ye"},
		schemeGerman:    {'е': "je"},
		schemeUkrainian: {'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"},
	}, final: map[string]map[string]string{
		// "Юрий", "Евгений": Juri and Jewgeni in German, Iouri and Evgueni
		// in French.
		schemeGerman: {"ий": "i", "ый": "y", "ей": "ej"},
		schemeFrench: {"ий": "i", "ый": "y"},
	}}
}

// translit renders Cyrillic text in Latin letters with the given scheme,
// keeping the capitalisation of each word. Characters that are not
// Cyrillic letters are copied.
func (tr *transliterator) translit(s, scheme string) string {
	table := tr.letters[scheme]
	initial := tr.initial[scheme]
	final := tr.final[scheme]
	var b strings.Builder
	prevLetter := false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		lower := unicode.ToLower(r)
		if i+1 < len(rs) && (i+2 == len(rs) || !unicode.IsLetter(rs[i+2])) {
			if v, ok := final[string([]rune{lower, unicode.ToLower(rs[i+1])})]; ok && prevLetter {
				b.WriteString(v)
				i++
				continue
			}
		}
		out, ok := table[lower]
		if !ok {
			b.WriteRune(r)
			prevLetter = unicode.IsLetter(r)
			continue
		}
		if !prevLetter {
			if v, ok := initial[lower]; ok {
				out = v
			}
		}
		if r != lower && out != "" {
			// Capitalise only the first letter: "Ж" becomes "Zh", not "ZH".
			rs := []rune(out)
			rs[0] = unicode.ToUpper(rs[0])
			out = string(rs)
		}
		b.WriteString(out)
		prevLetter = unicode.IsLetter(r) || out != ""
	}
	return b.String()
}
