package norm

import (
	"strings"
	"unicode"
)

// This file transliterates single words of non-Latin scripts to Latin
// letters. Each function takes a lower-cased word of its script (as Fold
// leaves it) and returns lower-case ASCII.

// cyrillicICAO is the Cyrillic table of ICAO Doc 9303 (machine readable
// travel documents, part 3), covering Russian, Ukrainian, Belarusian and
// the other letters that passports transliterate.
var cyrillicICAO = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'ђ': "d", 'ѓ': "g", 'е': "e", 'ё': "e",
	'є': "ie", 'ж': "zh", 'з': "z", 'ѕ': "dz", 'и': "i", 'і': "i", 'ї': "i", 'й': "i", 'ј': "j", 'к': "k",
	'л': "l", 'љ': "lj", 'м': "m", 'н': "n", 'њ': "nj", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'ћ': "c", 'ќ': "k", 'у': "u", 'ў': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'џ': "dz", 'ш': "sh",
	'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
}

// Cyrillic transliterates a Cyrillic word by ICAO Doc 9303: "Северный"
// gives "severnyi", "Юрий" "iurii", "Жуков" "zhukov". Other spellings of
// the same names (Severny, Yuri, Schukow) are close to these and are
// caught by scoring and phonetic keys.
func Cyrillic(word string) string {
	var b strings.Builder
	for _, r := range word {
		if v, ok := cyrillicICAO[unicode.ToLower(r)]; ok {
			b.WriteString(v)
		} else if r < 0x80 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var greekLetters = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i", 'κ': "k",
	'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t",
	'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
}

// Greek transliterates a Greek word (without accents, as Fold leaves it)
// by ELOT 743, the system of Greek passports: "Παπαδόπουλος" gives
// "papadopoulos", "Γεώργιος" "georgios". Digraphs are handled: ου is ou,
// αυ and ευ are av and ev, μπ and ντ at the start of a word are b and d,
// γγ and γκ are ng and gk.
func Greek(word string) string {
	rs := []rune(word)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		var next rune
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case r == 'ο' && next == 'υ':
			b.WriteString("ou")
			i++
			continue
		case (r == 'α' || r == 'ε') && next == 'υ':
			b.WriteString(greekLetters[r] + "v")
			i++
			continue
		case i == 0 && r == 'μ' && next == 'π':
			b.WriteString("b")
			i++
			continue
		case i == 0 && r == 'ν' && next == 'τ':
			b.WriteString("d")
			i++
			continue
		case r == 'γ' && next == 'γ':
			b.WriteString("ng")
			i++
			continue
		}
		if v, ok := greekLetters[r]; ok {
			b.WriteString(v)
		}
	}
	return b.String()
}

var arabicConsonants = map[rune]string{
	'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z",
	'س': "s", 'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z", 'غ': "gh", 'ف': "f", 'ق': "q", 'ك': "k",
	'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g", 'ک': "k", 'ی': "y",
}

// Arabic transliterates an Arabic-script word to Latin consonants with the
// long vowels the script writes: alif is a, waw is w at the start of a word
// and u after a consonant, ya is y at the start and i after a consonant,
// ta marbuta and alif maqsura are a, hamza is dropped and ayn is dropped
// except at the start of a word, where it is written a (Ali, Omar). The
// definite article al- is dropped, as are short vowel marks, so "محمد"
// gives "mhmd", "الحسن" "hsn" and "نور" "nur". Arabic script does not write
// short vowels, so the result is compared by its consonant skeleton rather
// than letter by letter (see Rendering.Consonantal).
func Arabic(word string) string {
	rs := []rune(word)
	// Drop the article, including after the prepositions li- and bi-.
	switch {
	case len(rs) > 3 && rs[0] == 'ل' && rs[1] == 'ل':
		rs = rs[2:]
	case len(rs) > 3 && rs[0] == 'ا' && rs[1] == 'ل':
		rs = rs[2:]
	}
	var b strings.Builder
	prevConsonant := false
	for i, r := range rs {
		switch r {
		case 'ا', 'آ', 'أ', 'ى':
			b.WriteByte('a')
			prevConsonant = false
		case 'إ':
			b.WriteByte('i')
			prevConsonant = false
		case 'ة':
			b.WriteByte('a')
			prevConsonant = false
		case 'ع':
			if i == 0 {
				b.WriteByte('a')
			}
			prevConsonant = false
		case 'ء', 'ئ', 'ؤ':
			prevConsonant = false
		case 'و':
			if i == 0 || !prevConsonant {
				b.WriteByte('w')
				prevConsonant = true
			} else {
				b.WriteByte('u')
				prevConsonant = false
			}
		case 'ي':
			if i == 0 || !prevConsonant {
				b.WriteByte('y')
				prevConsonant = true
			} else {
				b.WriteByte('i')
				prevConsonant = false
			}
		default:
			if v, ok := arabicConsonants[r]; ok {
				b.WriteString(v)
				prevConsonant = true
			}
		}
	}
	return b.String()
}

// Revised Romanisation of Korean: initial consonants, vowels and final
// consonants (as pronounced at the end of a syllable) of a Hangul syllable.
var (
	hangulInitials = [...]string{"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"}
	hangulVowels   = [...]string{"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"}
	hangulFinals   = [...]string{"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"}
)

// koreanSurnames gives the spellings Korean passports customarily use for
// common family names where they differ from Revised Romanisation (김 is
// Kim, not Gim; 이 Lee, not I; 박 Park, not Bak).
var koreanSurnames = map[rune][]string{
	'김': {"kim"}, '이': {"lee", "yi", "rhee"}, '박': {"park", "pak"}, '최': {"choi", "choe"}, '정': {"jung", "chung", "jeong"},
	'강': {"kang"}, '조': {"cho", "jo"}, '윤': {"yoon", "yun"}, '장': {"jang", "chang"}, '임': {"lim", "im"},
	'한': {"han"}, '오': {"oh"}, '서': {"seo", "suh"}, '신': {"shin"}, '권': {"kwon"}, '황': {"hwang"},
	'안': {"ahn", "an"}, '송': {"song"}, '류': {"ryu", "yoo", "yu"}, '유': {"yoo", "yu"}, '홍': {"hong"},
	'전': {"jeon", "chun"}, '고': {"ko", "go"}, '문': {"moon", "mun"}, '손': {"son", "sohn"}, '양': {"yang"},
	'배': {"bae"}, '백': {"baek", "paek"}, '허': {"heo", "huh"}, '노': {"noh", "roh"}, '남': {"nam"},
	'심': {"shim", "sim"}, '구': {"koo", "ku"}, '곽': {"kwak"}, '성': {"sung", "seong"}, '차': {"cha"},
	'주': {"joo", "ju", "chu"}, '우': {"woo", "u"}, '민': {"min"}, '진': {"jin", "chin"}, '지': {"ji", "chi"},
}

// HangulSyllable returns the Revised Romanisation of a precomposed Hangul
// syllable, or "" if r is not one: '민' gives "min", '준' "jun".
func HangulSyllable(r rune) string {
	if r < 0xAC00 || r > 0xD7A3 {
		return ""
	}
	n := int(r - 0xAC00)
	l, v, t := n/(21*28), n/28%21, n%28
	return hangulInitials[l] + hangulVowels[v] + hangulFinals[t]
}

// KoreanSurname returns the customary spellings of a Korean family name
// written in Hangul, or nil when it is not in the table.
func KoreanSurname(r rune) []string { return koreanSurnames[r] }

// hiragana → Hepburn. Katakana is shifted to hiragana before lookup.
var kanaHepburn = map[rune]string{
	'あ': "a", 'い': "i", 'う': "u", 'え': "e", 'お': "o",
	'か': "ka", 'き': "ki", 'く': "ku", 'け': "ke", 'こ': "ko", 'が': "ga", 'ぎ': "gi", 'ぐ': "gu", 'げ': "ge", 'ご': "go",
	'さ': "sa", 'し': "shi", 'す': "su", 'せ': "se", 'そ': "so", 'ざ': "za", 'じ': "ji", 'ず': "zu", 'ぜ': "ze", 'ぞ': "zo",
	'た': "ta", 'ち': "chi", 'つ': "tsu", 'て': "te", 'と': "to", 'だ': "da", 'ぢ': "ji", 'づ': "zu", 'で': "de", 'ど': "do",
	'な': "na", 'に': "ni", 'ぬ': "nu", 'ね': "ne", 'の': "no",
	'は': "ha", 'ひ': "hi", 'ふ': "fu", 'へ': "he", 'ほ': "ho", 'ば': "ba", 'び': "bi", 'ぶ': "bu", 'べ': "be", 'ぼ': "bo",
	'ぱ': "pa", 'ぴ': "pi", 'ぷ': "pu", 'ぺ': "pe", 'ぽ': "po",
	'ま': "ma", 'み': "mi", 'む': "mu", 'め': "me", 'も': "mo",
	'や': "ya", 'ゆ': "yu", 'よ': "yo",
	'ら': "ra", 'り': "ri", 'る': "ru", 'れ': "re", 'ろ': "ro",
	'わ': "wa", 'ゐ': "i", 'ゑ': "e", 'を': "o", 'ん': "n", 'ゔ': "vu",
	'ぁ': "a", 'ぃ': "i", 'ぅ': "u", 'ぇ': "e", 'ぉ': "o",
}

// Kana transliterates a word in hiragana or katakana by Hepburn: "サトウ"
// gives "satou", "キョウコ" "kyouko", "ハットリ" "hattori". Long vowel
// marks are dropped; the small tsu doubles the next consonant; a small ya,
// yu or yo merges with the syllable before it (kyo, sha, cho).
func Kana(word string) string {
	rs := []rune(word)
	for i, r := range rs {
		if r >= 0x30A1 && r <= 0x30F6 {
			rs[i] = r - 0x60
		}
	}
	var b strings.Builder
	double := false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case 'ー':
			continue
		case 'っ':
			double = true
			continue
		}
		s, ok := kanaHepburn[r]
		if !ok {
			continue
		}
		if i+1 < len(rs) {
			if y := smallY(rs[i+1]); y != "" && strings.HasSuffix(s, "i") && len(s) > 1 {
				base := strings.TrimSuffix(s, "i")
				switch base {
				case "sh", "ch", "j":
					s = base + y[1:]
				default:
					s = base + y
				}
				i++
			}
		}
		if double && s != "" {
			if strings.HasPrefix(s, "ch") {
				b.WriteByte('t')
			} else {
				b.WriteByte(s[0])
			}
		}
		double = false
		b.WriteString(s)
	}
	return b.String()
}

func smallY(r rune) string {
	switch r {
	case 'ゃ', 'ャ':
		return "ya"
	case 'ゅ', 'ュ':
		return "yu"
	case 'ょ', 'ョ':
		return "yo"
	}
	return ""
}

var devanagariConsonants = map[rune]string{
	'क': "k", 'ख': "kh", 'ग': "g", 'घ': "gh", 'ङ': "n", 'च': "ch", 'छ': "chh", 'ज': "j", 'झ': "jh", 'ञ': "n",
	'ट': "t", 'ठ': "th", 'ड': "d", 'ढ': "dh", 'ण': "n", 'त': "t", 'थ': "th", 'द': "d", 'ध': "dh", 'न': "n",
	'प': "p", 'फ': "ph", 'ब': "b", 'भ': "bh", 'म': "m", 'य': "y", 'र': "r", 'ल': "l", 'ळ': "l", 'व': "v",
	'श': "sh", 'ष': "sh", 'स': "s", 'ह': "h",
}

var devanagariVowels = map[rune]string{
	'अ': "a", 'आ': "a", 'इ': "i", 'ई': "i", 'उ': "u", 'ऊ': "u", 'ऋ': "ri", 'ए': "e", 'ऐ': "ai", 'ओ': "o", 'औ': "au",
}

var devanagariSigns = map[rune]string{
	'ा': "a", 'ि': "i", 'ी': "i", 'ु': "u", 'ू': "u", 'ृ': "ri", 'े': "e", 'ै': "ai", 'ो': "o", 'ौ': "au",
}

// Devanagari transliterates a Devanagari word the way Indian names are
// usually spelled in Latin letters (a simplified Hunterian system without
// diacritics): each consonant carries the inherent a unless a vowel sign or
// virama follows, and the inherent a of the last consonant is not
// pronounced, so "राजेश" gives "rajesh", "शर्मा" "sharma" and "प्रिया"
// "priya". The anusvara is n.
func Devanagari(word string) string {
	rs := []rune(word)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if c, ok := devanagariConsonants[r]; ok {
			b.WriteString(c)
			j := i + 1
			if j < len(rs) && rs[j] == '़' { // nukta
				j++
			}
			switch {
			case j < len(rs) && rs[j] == '्':
				i = j
			case j < len(rs) && devanagariSigns[rs[j]] != "":
				b.WriteString(devanagariSigns[rs[j]])
				i = j
			case j >= len(rs):
				i = j - 1
			default:
				// The inherent vowel, before another consonant or a nasal.
				if _, isCons := devanagariConsonants[rs[j]]; isCons || rs[j] == 'ं' || rs[j] == 'ँ' || rs[j] == 'ः' {
					b.WriteByte('a')
				}
				i = j - 1
			}
			continue
		}
		if v, ok := devanagariVowels[r]; ok {
			b.WriteString(v)
			continue
		}
		switch r {
		case 'ं', 'ँ':
			b.WriteByte('n')
		case 'ः':
			b.WriteByte('h')
		}
	}
	return b.String()
}
