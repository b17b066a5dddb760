package norm

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalizer turns names into comparable tokens. It holds the Han reading
// table and is safe for concurrent use once made.
type Normalizer struct {
	han map[rune]*hanReading
}

// New parses the embedded tables. It fails only if they are corrupt, which
// the package's tests rule out.
func New() (*Normalizer, error) {
	han, err := parseHan(hanTable)
	if err != nil {
		return nil, fmt.Errorf("load han readings: %w", err)
	}
	return &Normalizer{han: han}, nil
}

// Token is one word of a normalised name as its alternative spellings, the
// usual one first. Most tokens have one spelling; a Chinese character read
// in Hong Kong romanisation has several ("lei", "lee").
type Token []string

// Rendering is a name written in Latin letters by one scheme. A name in
// Latin script has one rendering; a name in Han characters has three
// (Hanyu Pinyin, Wade-Giles, Hong Kong Cantonese), each character a token.
type Rendering struct {
	// Scheme names the transliteration, "" for a name already in Latin
	// script: "pinyin", "wade-giles", "hk" (Hong Kong Government
	// Cantonese romanisation), "icao" (Cyrillic, ICAO 9303), "elot"
	// (Greek, ELOT 743), "arabic", "rr" (Korean Revised Romanisation),
	// "hepburn" (kana), "hindi" (Devanagari), "rtgs" (Thai, Royal Thai
	// General System).
	Scheme string
	Tokens []Token
	// Consonantal is true when the source script does not write short
	// vowels (Arabic), so tokens should be compared by consonants.
	Consonantal bool
}

// Kind says what a name belongs to, which decides what is stripped.
type Kind uint8

// Name kinds.
const (
	Person Kind = iota
	Organisation
	Other // vessels and other named things: folded and transliterated only

	// Japanese is added to a kind for the name of a Japanese person or
	// company: a name in kanji is then also read in Japanese. Names with
	// kana or a Japanese legal form are read so without it.
	Japanese Kind = 1 << 4
	// MaybeJapanese is added for a person whose nationality is not
	// known: a name of four kanji or more, the usual length of a
	// Japanese name and a rare one for a Chinese name, is then also
	// read in Japanese. Reading every such name both ways would cost
	// each query against names in Han characters a comparison more.
	MaybeJapanese Kind = 1 << 5
)

// word is a token under construction: either Latin text or a Han
// character.
type word struct {
	text string
	han  *hanReading
	alts []string // further spellings of text, e.g. Korean surnames
}

// Name normalises a name: it folds case and accents, transliterates other
// scripts, splits it into tokens, and for organisations strips legal forms
// ("Co., Ltd.", "GmbH", "有限公司", "ООО") and expands common abbreviations
// of business words. Token order is kept; comparison decides how much it
// matters. A name with nothing left (only a legal form, or no letters)
// gives no renderings.
func (n *Normalizer) Name(s string, kind Kind) []Rendering {
	if isASCII(s) {
		// Most names. Folding only lowers their letters; they hold no
		// kana, Han character or native legal form, so nothing is read
		// in Japanese and stripNativeForms only blanks quotation marks,
		// which separate words as the space it puts for them does.
		return asciiName(strings.ToLower(s), kind&^(Japanese|MaybeJapanese))
	}
	return n.name(s, kind)
}

// name is Name for any text.
func (n *Normalizer) name(s string, kind Kind) []Rendering {
	ja := japaneseName(s, kind)
	kind &^= Japanese | MaybeJapanese
	if kind == Organisation {
		s = stripNativeForms(s)
	}
	f := Fold(s)
	if plainASCII(f) {
		// Latin letters that folding took the accents off: no Han
		// character, so no Japanese reading either.
		return asciiName(f, kind)
	}
	return n.renderings(f, kind, ja)
}

// renderings is name for folded text f, with kind stripped of Japanese and
// MaybeJapanese and ja telling whether to read Han characters in Japanese.
func (n *Normalizer) renderings(f string, kind Kind, ja bool) []Rendering {
	words, scheme, consonantal := n.words(f)
	if len(words) == 0 {
		return nil
	}
	hasHan := slices.ContainsFunc(words, func(w word) bool { return w.han != nil })
	if !hasHan {
		// The tokens' spellings share one array, allocated once.
		n := 0
		for _, w := range words {
			n += 1 + len(w.alts)
		}
		spellings := make([]string, 0, n)
		r := Rendering{Scheme: scheme, Consonantal: consonantal, Tokens: clean(words, kind, func(w word) Token {
			start := len(spellings)
			spellings = append(spellings, w.text)
			spellings = append(spellings, w.alts...)
			return Token(spellings[start:len(spellings):len(spellings)])
		})}
		if len(r.Tokens) == 0 {
			return nil
		}
		return []Rendering{r}
	}
	var out []Rendering
	for _, sc := range [...]string{"hk", "pinyin", "wade-giles"} {
		r := Rendering{Scheme: sc, Tokens: clean(words, kind, func(w word) Token {
			if w.han == nil {
				return Token{w.text}
			}
			switch sc {
			case "hk":
				return Token(w.han.hk)
			case "pinyin":
				return Token(w.han.pinyin)
			}
			return Token(w.han.wadeGiles)
		})}
		if len(r.Tokens) > 0 {
			out = append(out, r)
		}
	}
	if ja {
		out = append(out, japaneseRenderings(words, kind)...)
	}
	return out
}

// asciiName is name for folded text that plainASCII accepts: its words
// are its runs of letters and digits, each a part of s, made tokens of
// one spelling, and nothing is transliterated. The rendering, its tokens
// and their spellings share one allocation.
func asciiName(s string, kind Kind) []Rendering {
	n := 0
	for i := 0; i < len(s); i++ {
		if isLowerAlnum(s[i]) && (i == 0 || !isLowerAlnum(s[i-1])) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out, toks, spellings := renderingArrays(n)
	toks, spellings = toks[:0], spellings[:n]
	for i, w := 0, 0; i < len(s); {
		if !isLowerAlnum(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isLowerAlnum(s[j]) {
			j++
		}
		spellings[w] = s[i:j]
		toks = append(toks, Token(spellings[w:w+1:w+1]))
		w++
		i = j
	}
	toks = cleanTokens(toks, kind)
	if len(toks) == 0 {
		return nil
	}
	out[0] = Rendering{Tokens: toks}
	return out[:1:1]
}

// renderingArrays returns one rendering, and room for the n tokens of one
// spelling each that it has, in one allocation for names of up to eight
// words: each allocation costs more than the few bytes it saves, and a
// name's rendering is kept as long as its tokens.
func renderingArrays(n int) ([]Rendering, []Token, []string) {
	switch {
	case n <= 2:
		b := new(struct {
			r [1]Rendering
			t [2]Token
			s [2]string
		})
		return b.r[:], b.t[:n], b.s[:n]
	case n <= 4:
		b := new(struct {
			r [1]Rendering
			t [4]Token
			s [4]string
		})
		return b.r[:], b.t[:n], b.s[:n]
	case n <= 8:
		b := new(struct {
			r [1]Rendering
			t [8]Token
			s [8]string
		})
		return b.r[:], b.t[:n], b.s[:n]
	}
	return make([]Rendering, 1), make([]Token, n), make([]string, n)
}

// words splits folded text into words, transliterating as it goes, and
// reports the scheme of the script it transliterated (the last one seen).
func (n *Normalizer) words(s string) (out []word, scheme string, consonantal bool) {
	if plainASCII(s) {
		return asciiWords(s), "", false
	}
	return n.scriptWords(s)
}

// asciiWords is words for text that plainASCII accepts, the usual case:
// the words are its runs of letters and digits, each a part of s, and
// nothing is transliterated.
func asciiWords(s string) []word {
	// Counted first: a word is as large as three strings, and most
	// names have two to four.
	n := 0
	for i := 0; i < len(s); i++ {
		if isLowerAlnum(s[i]) && (i == 0 || !isLowerAlnum(s[i-1])) {
			n++
		}
	}
	out := make([]word, 0, n)
	for i := 0; i < len(s); {
		if !isLowerAlnum(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isLowerAlnum(s[j]) {
			j++
		}
		out = append(out, word{text: s[i:j]})
		i = j
	}
	return out
}

// scriptWords is words for any text.
func (n *Normalizer) scriptWords(s string) (out []word, scheme string, consonantal bool) {
	rs := []rune(s)
	out = make([]word, 0, 8)
	// In a name all in ASCII, rune i is byte i: a word is then a part of
	// s rather than a string of its own.
	ascii := len(rs) == len(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			j := i
			for j < len(rs) && rs[j] < utf8.RuneSelf && (rs[j] >= 'a' && rs[j] <= 'z' || rs[j] >= '0' && rs[j] <= '9') {
				j++
			}
			if ascii {
				out = append(out, word{text: s[i:j]})
			} else {
				out = append(out, word{text: string(rs[i:j])})
			}
			i = j
		case n.han[r] != nil && unicode.Is(unicode.Han, r):
			out = append(out, word{han: n.han[r]})
			i++
		case r >= 0xAC00 && r <= 0xD7A3:
			// Hangul: one token per syllable. A name of two to four
			// syllables starts with the family name.
			j := i
			for j < len(rs) && rs[j] >= 0xAC00 && rs[j] <= 0xD7A3 {
				j++
			}
			for k := i; k < j; k++ {
				w := word{text: HangulSyllable(rs[k])}
				if k == i && j-i >= 2 && j-i <= 4 {
					if alts := KoreanSurname(rs[k]); alts != nil {
						w.alts = slices.DeleteFunc(slices.Clone(alts), func(a string) bool { return a == w.text })
					}
				}
				out = append(out, w)
			}
			scheme = "rr"
			i = j
		case r >= 0x0E01 && r <= 0x0E4F:
			// Thai: its readings as spellings of one token.
			j := i
			for j < len(rs) && rs[j] >= 0x0E01 && rs[j] <= 0x0E4F {
				j++
			}
			if rd := Thai(string(rs[i:j])); len(rd) > 0 {
				out = append(out, word{text: rd[0], alts: rd[1:]})
				scheme, consonantal = "rtgs", false
			}
			i = j
		default:
			tr, sch, cons := scriptOf(r)
			if tr == nil {
				i++
				continue
			}
			j := i
			for j < len(rs) {
				if t, _, _ := scriptOf(rs[j]); t == nil && !unicode.Is(unicode.Mn, rs[j]) && !unicode.Is(unicode.Mc, rs[j]) {
					break
				}
				j++
			}
			if t := tr(string(rs[i:j])); t != "" {
				out = append(out, word{text: t})
				scheme, consonantal = sch, cons
			}
			i = j
		}
	}
	// Korean names written as syllables: "김민준" → kim, min, jun.
	return out, scheme, consonantal
}

// plainASCII reports whether s is all ASCII without upper-case letters,
// as folded names mostly are: the only words words finds in it are its
// runs of lower-case letters and digits.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// scriptOf returns the transliteration for a letter of a script that has
// one, its scheme, and whether the scheme is consonantal.
func scriptOf(r rune) (func(string) string, string, bool) {
	switch {
	case r >= 0x0400 && r <= 0x04FF:
		return Cyrillic, "icao", false
	case r >= 0x0370 && r <= 0x03FF:
		return Greek, "elot", false
	case r >= 0x0600 && r <= 0x06FF:
		return Arabic, "arabic", true
	case r >= 0x3041 && r <= 0x30FF && r != 0x30FB:
		return Kana, "hepburn", false
	case r >= 0x0900 && r <= 0x097F:
		return Devanagari, "hindi", false
	case unicode.IsLetter(r):
		// A script without a transliteration here keeps its letters, so
		// that the same spelling still matches exactly.
		return keep, "", false
	}
	return nil, "", false
}

func keep(s string) string { return s }

// clean turns words into tokens and, for persons and organisations,
// removes what does not identify: legal forms, the Arabic article,
// honorifics, conjunctions; and expands abbreviations.
func clean(words []word, kind Kind, tok func(word) Token) []Token {
	toks := make([]Token, 0, len(words))
	for _, w := range words {
		// A character without a reading in a scheme is left out of it.
		if t := tok(w); len(t) > 0 && t[0] != "" {
			toks = append(toks, t)
		}
	}
	return cleanTokens(toks, kind)
}

// cleanTokens is clean for tokens already made.
func cleanTokens(toks []Token, kind Kind) []Token {
	switch kind &^ (Japanese | MaybeJapanese) {
	case Person:
		toks = deleteTokens(toks, func(f *wordFacts) bool { return f.personNoise })
		for i, t := range toks {
			// "Alhassan", "Elhassan": also without the article.
			if len(t) == 1 && len(t[0]) >= 6 && (strings.HasPrefix(t[0], "al") || strings.HasPrefix(t[0], "el")) && !isVowel(t[0][2]) {
				toks[i] = Token{t[0], t[0][2:]}
			}
		}
	case Organisation:
		for i, t := range toks {
			if f := factsOf(t[0]); f != nil && f.abbrev != nil && len(t) == 1 {
				toks[i] = f.abbrev
			}
		}
		toks = translatePhrases(toks)
		toks = stripLegalForms(toks)
		toks = deleteTokens(toks, func(f *wordFacts) bool { return f.orgNoise })
	}
	return toks
}

// deleteTokens removes the tokens whose usual spelling has facts that del
// accepts, as slices.DeleteFunc does.
func deleteTokens(toks []Token, del func(*wordFacts) bool) []Token {
	k := 0
	for _, t := range toks {
		if f := factsOf(t[0]); f == nil || !del(f) {
			toks[k] = t
			k++
		}
	}
	clear(toks[k:])
	return toks[:k]
}

// wordFacts is what cleanTokens needs to know of a word: whether it is
// noise in the name of a person or of a company, the abbreviation it
// expands to, the phrases of orgPhrases it starts and the legal forms it
// ends and starts, each list in the order of its table. Words without
// facts have none.
type wordFacts struct {
	personNoise, orgNoise bool
	abbrev                Token // the expansion of orgAbbrev, a token of one spelling
	phrases               []int
	formsByLast           []int
	formsByFirst          []int
}

// wordTable holds the facts of every word that has some, by wordHash, the
// next free slot taken when one is taken already. One look-up there, a
// few comparisons of bytes, gives what took a look-up in each of several
// maps.
var wordTable = func() []wordSlot {
	facts := map[string]*wordFacts{}
	of := func(w string) *wordFacts {
		f := facts[w]
		if f == nil {
			f = &wordFacts{}
			facts[w] = f
		}
		return f
	}
	for w := range personNoise {
		of(w).personNoise = true
	}
	for w := range orgNoise {
		of(w).orgNoise = true
	}
	for w, v := range orgAbbrev {
		of(w).abbrev = Token{v}
	}
	for i, ph := range orgPhrases {
		f := of(ph[0][0])
		f.phrases = append(f.phrases, i)
	}
	for i, f := range legalForms {
		last, first := of(f[len(f)-1]), of(f[0])
		last.formsByLast = append(last.formsByLast, i)
		first.formsByFirst = append(first.formsByFirst, i)
	}
	size := 1
	for size < 4*len(facts) {
		size *= 2
	}
	t := make([]wordSlot, size)
	for w, f := range facts {
		i := wordHash(w) & uint32(size-1)
		for t[i].facts != nil {
			i = (i + 1) & uint32(size-1)
		}
		t[i] = wordSlot{w, f}
	}
	return t
}()

type wordSlot struct {
	word  string
	facts *wordFacts
}

// wordHash mixes a word's length, its first two bytes and its last.
func wordHash(w string) uint32 {
	if len(w) == 0 {
		return 0
	}
	h := uint32(len(w)) | uint32(w[0])<<8 | uint32(w[len(w)-1])<<16 | uint32(w[len(w)/2])<<24
	return (h * 0x9E3779B1) >> 7
}

// factsOf returns the facts of w, nil when it has none.
func factsOf(w string) *wordFacts {
	mask := uint32(len(wordTable) - 1)
	for i := wordHash(w) & mask; ; i = (i + 1) & mask {
		s := &wordTable[i]
		if s.facts == nil || s.word == w {
			return s.facts
		}
	}
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// personNoise are tokens that do not identify a person: titles, the Arabic
// article and the "son of" particles of Arabic and Malay names, and the
// Burmese honorifics.
var personNoise = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "al": true, "el": true,
	"bin": true, "binti": true, "bint": true, "ibn": true, "b": true, "bt": true, "daw": true, "u": true,
}

// orgNoise are tokens that do not identify a company.
var orgNoise = map[string]bool{"and": true, "the": true, "of": true, "al": true, "el": true, "e": true, "y": true, "et": true, "und": true}

// orgAbbrev expands abbreviations of business words so that "Trdg" meets
// "Trading" and "Int'l" "International".
var orgAbbrev = map[string]string{
	"trdg": "trading", "intl": "international", "int": "international", "imp": "import", "exp": "export",
	"gen": "general", "ent": "enterprise", "enterprises": "enterprise", "mfg": "manufacturing", "mgmt": "management",
	"svcs": "services", "svc": "services", "dist": "distribution", "tech": "technology",
	"logistik": "logistics", "logistiek": "logistics", "logistique": "logistics", "logistica": "logistics",
	"logistyka": "logistics", "lojistik": "logistics", "foods": "food", "chemicals": "chemical",
	"pharma": "pharmaceutical", "pharmaceuticals": "pharmaceutical", "electronic": "electronics", "industries": "industrial",
}

// orgPhrases translate the business words of company names written in
// Latin script without English (Vietnamese after folding, Japanese) to the English
// the same companies use abroad, as businessWords does for other scripts:
// "Cong ty TNHH Dich vu Logistics Viet Hung" meets "Viet Hung Logistics
// Services". Longer phrases come first.
var orgPhrases = [][2][]string{
	{{"xuat", "nhap", "khau"}, {"import", "export"}},
	{{"dich", "vu"}, {"services"}}, {{"thuong", "mai"}, {"trading"}}, {{"van", "tai"}, {"transport"}},
	{{"dau", "tu"}, {"investment"}}, {{"cong", "nghe"}, {"technology"}}, {{"thuc", "pham"}, {"food"}},
	{{"san", "xuat"}, {"manufacturing"}}, {{"xnk"}, {"import", "export"}},
	// Japanese, in Hepburn with or without long vowels: 貿易 boeki and
	// 商事 shoji (both trading), 物産 bussan (products), 物流 butsuryu,
	// 産業 sangyo, 工業 kogyo, 運輸 unyu, 海運 kaiun, 食品 shokuhin, 電機
	// denki, 化学 kagaku, 製薬 seiyaku.
	{{"boeki"}, {"trading"}}, {{"shoji"}, {"trading"}}, {{"shouji"}, {"trading"}}, {{"bussan"}, {"products"}},
	{{"butsuryu"}, {"logistics"}}, {{"butsuryuu"}, {"logistics"}}, {{"sangyo"}, {"industrial"}}, {{"sangyou"}, {"industrial"}},
	{{"kogyo"}, {"industrial"}}, {{"kougyou"}, {"industrial"}}, {{"unyu"}, {"transport"}}, {{"kaiun"}, {"shipping"}},
	{{"shokuhin"}, {"food"}}, {{"denki"}, {"electric"}}, {{"kagaku"}, {"chemical"}}, {{"seiyaku"}, {"pharmaceutical"}},
}

// phraseTokens are the tokens each phrase of orgPhrases is replaced by.
// A word for a word keeps the word as written as the usual spelling, so
// that a company named with it ranks before one named with another word
// of the same meaning (Shoji and Boeki are both trading).
var phraseTokens = func() [][]Token {
	out := make([][]Token, len(orgPhrases))
	for i, ph := range orgPhrases {
		if len(ph[0]) == 1 && len(ph[1]) == 1 {
			out[i] = []Token{{ph[0][0], ph[1][0]}}
			continue
		}
		for _, w := range ph[1] {
			out[i] = append(out[i], Token{w})
		}
	}
	return out
}()

// translatePhrases replaces the phrases of orgPhrases in toks.
func translatePhrases(toks []Token) []Token {
	var out []Token
	for i := 0; i < len(toks); {
		matched := false
		var phrases []int
		if f := factsOf(toks[i][0]); f != nil {
			phrases = f.phrases
		}
		for _, pi := range phrases {
			ph := &orgPhrases[pi]
			if i+len(ph[0]) <= len(toks) && hasForm(toks[i:i+len(ph[0])], ph[0]) {
				if out == nil {
					out = append(make([]Token, 0, len(toks)), toks[:i]...)
				}
				out = append(out, phraseTokens[pi]...)
				i += len(ph[0])
				matched = true
				break
			}
		}
		if !matched {
			if out != nil {
				out = append(out, toks[i])
			}
			i++
		}
	}
	if out == nil {
		return toks
	}
	return out
}

// nativeForms are legal forms written in scripts where they are not
// separated by spaces, or with quotation marks around the name; they are
// removed before transliteration. Longer forms come first.
var nativeForms = []string{
	"股份有限公司", "有限責任公司", "有限责任公司", "有限公司", "株式会社", "有限会社", "合同会社", "(주)", "㈜", "주식회사", "유한회사",
	"бүлэг", "«", "»", "„", "“", "”", "\"",
	"شركة", "ذ.م.م", "م.م.ح", "ش.م.ح", "ش.م.م", "ش.م.ع", "ذ م م",
	"บริษัท", "จำกัด", "(มหาชน)",
}

func stripNativeForms(s string) string {
	if !isASCII(s) {
		return stripNativeFormsOf(s)
	}
	// Most names: only the forms in ASCII can be there, and the
	// translations they would be replaced by are English.
	for _, f := range asciiNativeForms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, " ")
		}
	}
	for _, w := range asciiBusinessWords {
		if strings.Contains(s, w[0]) {
			s = strings.ReplaceAll(s, w[0], " "+w[1]+" ")
		}
	}
	return s
}

// stripNativeFormsOf is stripNativeForms for text not in ASCII: a form or
// word is looked for only when its first letter is among those of the
// text (or of what replaced a form), which leaves out most of them.
func stripNativeFormsOf(s string) string {
	var set runeSet
	for _, r := range s {
		set.add(r)
	}
	for i, f := range nativeForms {
		if set.has(nativeFirst[i]) && strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, " ")
			set.add(' ')
		}
	}
	for i, w := range businessWords {
		if set.has(businessFirst[i]) && strings.Contains(s, w[0]) {
			with := " " + w[1] + " "
			s = strings.ReplaceAll(s, w[0], with)
			for _, r := range with {
				set.add(r)
			}
		}
	}
	return s
}

// nativeFirst and businessFirst are the first letters of nativeForms and
// of businessWords.
var nativeFirst, businessFirst = func() (native, business []rune) {
	for _, f := range nativeForms {
		r, _ := utf8.DecodeRuneInString(f)
		native = append(native, r)
	}
	for _, w := range businessWords {
		r, _ := utf8.DecodeRuneInString(w[0])
		business = append(business, r)
	}
	return native, business
}()

// runeSet is a set of runes kept as one of 256 bits for each, by a hash:
// a rune whose bit is not set was never added, one whose bit is set may
// have been.
type runeSet [4]uint64

func (rs *runeSet) add(r rune) {
	h := uint32(r) * 0x9E3779B1 >> 24
	rs[h>>6] |= 1 << (h & 63)
}

func (rs *runeSet) has(r rune) bool {
	h := uint32(r) * 0x9E3779B1 >> 24
	return rs[h>>6]&(1<<(h&63)) != 0
}

// asciiNativeForms and asciiBusinessWords are the entries of nativeForms
// and businessWords written in ASCII, in their order.
var (
	asciiNativeForms   = slices.DeleteFunc(slices.Clone(nativeForms), func(f string) bool { return !isASCII(f) })
	asciiBusinessWords = slices.DeleteFunc(slices.Clone(businessWords), func(w [2]string) bool { return !isASCII(w[0]) })
)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// businessWords translates the common business words of company names in
// Chinese, Japanese, Korean, Thai and Arabic to the English that the same
// companies use in Latin script, so that 金桥医药有限公司 meets "Jinqiao
// Pharmaceutical Co., Ltd." on both words. The distinctive part of a name is never
// translated, only transliterated. The city suffix 市 is dropped. Longer
// words come first.
var businessWords = [][2]string{
	{"国际货运代理", "international freight forwarding"}, {"國際貨運代理", "international freight forwarding"},
	{"供应链管理", "supply chain management"}, {"供應鏈管理", "supply chain management"},
	{"电子商务", "ecommerce"}, {"電子商務", "ecommerce"}, {"進出口", "import export"}, {"进出口", "import export"},
	{"貿易", "trading"}, {"贸易", "trading"}, {"物流", "logistics"}, {"國際", "international"}, {"国际", "international"},
	{"船務", "shipping"}, {"船务", "shipping"}, {"航運", "shipping"}, {"航运", "shipping"}, {"電子", "electronics"}, {"电子", "electronics"},
	{"食品", "food"}, {"實業", "industrial"}, {"实业", "industrial"}, {"工業", "industrial"}, {"工业", "industrial"},
	{"貨運", "freight"}, {"货运", "freight"}, {"科技", "technology"}, {"化工", "chemical"}, {"醫藥", "pharmaceutical"},
	{"医药", "pharmaceutical"}, {"製藥", "pharmaceutical"}, {"制药", "pharmaceutical"}, {"投資", "investment"}, {"投资", "investment"},
	{"集團", "group"}, {"集团", "group"}, {"控股", "holdings"}, {"企業", "enterprise"}, {"企业", "enterprise"},
	{"商事", "trading"}, {"物産", "products"}, {"産業", "industries"}, {"運輸", "transport"}, {"运输", "transport"},
	{"海運", "shipping"}, {"電機", "electric"}, {"化学", "chemical"}, {"製薬", "pharmaceutical"},
	{"อิมพอร์ต", "import"}, {"เอ็กซ์พอร์ต", "export"}, {"อินเตอร์เนชั่นแนล", "international"}, {"เทรดดิ้ง", "trading"},
	{"โลจิสติกส์", "logistics"}, {"กรุ๊ป", "group"}, {"โฮลดิ้งส์", "holdings"},
	{"무역", "trading"}, {"물류", "logistics"}, {"해운", "shipping"},
	{"للتجارة العامة", "general trading"}, {"للتجارة", "trading"}, {"للشحن", "shipping"}, {"للنقل", "transport"},
	{"市", ""},
}

// legalForms are the legal forms of companies in many countries, as token
// sequences after folding and transliteration. They are removed from the
// start and the end of an organisation's name.
var legalForms = func() [][]string {
	forms := []string{
		"co ltd", "company limited", "company ltd", "co limited", "limited", "ltd", "llc", "l l c", "llp", "plc",
		"inc", "incorporated", "corp", "corporation", "co", "company", "gmbh", "g m b h", "gmbh co kg", "gmbh co", "kg", "ag", "ug",
		"ug haftungsbeschrankt", "haftungsbeschrankt", "ug haftungsbeschraenkt", "haftungsbeschraenkt", "e k", "ohg", "sarl", "s a r l", "sas", "s a s", "sa", "s a", "sasu", "eurl",
		"sa de cv", "s a de c v", "s de rl de cv", "s de r l de c v", "de cv", "sl", "s l", "slu", "srl", "s r l", "spa", "s p a",
		"sp z oo", "sp z o o", "spzoo", "sp zoo", "ltda", "lda", "cia ltda", "cia", "eireli", "me", "sac", "s a c", "saa",
		"bv", "b v", "nv", "n v", "vof", "v o f", "cv", "c v", "bvba", "sprl", "ab", "as", "a s", "oy", "aps", "asa",
		"pte ltd", "pte", "private limited", "pvt ltd", "pvt", "private ltd", "pty ltd", "pty", "proprietary limited", "proprietary",
		"sdn bhd", "sdn", "bhd", "berhad", "pt", "p t", "tbk", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "oao", "zao", "pao", "ao", "ip",
		"tov", "pp", "pat", "prat", "fze", "f z e", "fzco", "fz co", "fzc", "fz llc", "est", "kk", "k k", "kabushiki kaisha", "yk", "gk",
		"ltee", "inc ltee", "sti", "ltd sti", "a s", "as", "cong ty tnhh", "cong ty co phan", "cong ty", "tnhh", "co phan",
		"joint stock company", "nig ltd",
	}
	out := make([][]string, 0, len(forms))
	for _, f := range forms {
		out = append(out, strings.Fields(f))
	}
	// Longest first, so "co ltd" goes before "ltd".
	slices.SortStableFunc(out, func(a, b []string) int { return len(b) - len(a) })
	return out
}()

// stripLegalForms removes legal forms at the end and the start of a name,
// repeatedly ("Nordhafen GmbH & Co. KG"), but never the whole name. The
// first form of legalForms that ends or starts the name goes first.
func stripLegalForms(toks []Token) []Token {
	for changed := true; changed && len(toks) > 1; {
		changed = false
		// The forms that end the name or start it are among these two
		// lists; they are walked together in the order of legalForms.
		var byLast, byFirst []int
		if f := factsOf(toks[len(toks)-1][0]); f != nil {
			byLast = f.formsByLast
		}
		if f := factsOf(toks[0][0]); f != nil {
			byFirst = f.formsByFirst
		}
		for len(byLast) > 0 || len(byFirst) > 0 {
			var fi int
			switch {
			case len(byFirst) == 0 || len(byLast) > 0 && byLast[0] <= byFirst[0]:
				fi = byLast[0]
				if len(byFirst) > 0 && byFirst[0] == fi {
					byFirst = byFirst[1:]
				}
				byLast = byLast[1:]
			default:
				fi = byFirst[0]
				byFirst = byFirst[1:]
			}
			f := legalForms[fi]
			if len(toks) > len(f) && hasForm(toks[len(toks)-len(f):], f) {
				toks = toks[:len(toks)-len(f)]
				changed = true
				break
			}
			if len(toks) > len(f) && hasForm(toks[:len(f)], f) {
				toks = toks[len(f):]
				changed = true
				break
			}
		}
	}
	return toks
}

func hasForm(toks []Token, form []string) bool {
	for i, f := range form {
		if toks[i][0] != f {
			return false
		}
	}
	return true
}
