package norm

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Japanese readings of names written in kanji.
//
// A kanji has several readings: on readings, borrowed from Chinese (藤
// tou), and kun readings, native words (藤 fuji). A name's characters are
// read together as words, usually two characters to a family name and one
// or two to a given name (佐藤 satou, 太郎 tarou), and which reading each
// character takes is a matter of usage that the character data does not
// record. The Japanese rendering of a name therefore gives each word the
// combinations of its characters' readings, the likeliest first, as the
// spellings of one token; comparison picks the one closest to the other
// name.
//
// The readings come from Unihan (kJapaneseOn, kJapaneseKun), which writes
// kun readings of verbs and adjectives with their inflection (takai, wataru,
// saku) without marking where the stem ends. Names use the stem or the
// noun form of such words (高橋 taka-hashi, 渡辺 wata-nabe, 美咲 mi-saki),
// so japaneseReadings adds them by the regular rules of the language:
//
//   - an adjective in -ai, -ii, -oi, -ui loses its final i (takai → taka,
//     hiroi → hiro);
//   - a verb in -eru or -iru loses ru (sakaeru → sakae, akeru → ake);
//   - another verb in -u of three syllables or more gives its stem and its
//     noun form, u read as i (megumu → megu, megumi; wataru → wata,
//     watari; naosu → nao, naoshi).
//
// A character that is not the first of its word may also be voiced
// (rendaku: 山田 yama-da, 小林 ko-bayashi, 山崎 yama-zaki): k becomes g, s
// z, sh j, t d, ch j, ts z, h and f b.
const (
	// jaReadings bounds the readings of a character that are combined.
	jaReadings = 8
	// jaSpellings bounds the spellings of a word.
	jaSpellings = 24
)

// japaneseReadings returns the readings of a character that names use,
// shortest first (names favour short readings: a character is one or two
// syllables in most names), on readings before kun readings of the same
// length.
func japaneseReadings(on, kun []string) []string {
	var out []string
	for _, r := range on {
		out = appendNew(out, r)
	}
	for _, r := range kun {
		out = appendNew(out, r)
		for _, s := range kunStems(r) {
			out = appendNew(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(len(a), len(b)) })
	if len(out) > 2*jaReadings {
		out = out[:2*jaReadings]
	}
	return out
}

// kunStems returns the stems and noun forms of an inflected kun reading
// by the rules above, none for a reading that does not inflect.
func kunStems(r string) []string {
	n := len(r)
	if n < 3 {
		return nil
	}
	switch {
	case r[n-1] == 'i' && isVowel(r[n-2]):
		return []string{r[:n-1]}
	case strings.HasSuffix(r, "eru") || strings.HasSuffix(r, "iru"):
		if n > 3 {
			return []string{r[:n-2]}
		}
		return nil
	case r[n-1] != 'u' || syllables(r) < 3:
		// Two-syllable words in -u are mostly nouns (matsu, suzu,
		// mizu); the verbs among them give their noun form as a
		// reading of its own (saku, saki).
		return nil
	}
	for _, e := range [...][2]string{{"tsu", "chi"}, {"su", "shi"}, {"ru", "ri"}, {"ku", "ki"}, {"mu", "mi"}, {"bu", "bi"}, {"gu", "gi"}, {"nu", "ni"}, {"u", "i"}} {
		if stem, ok := strings.CutSuffix(r, e[0]); ok && len(stem) >= 1 {
			if e[0] == "u" && !isVowel(stem[len(stem)-1]) {
				return nil // a noun in -u after a consonant not listed (mizu, suzu)
			}
			if len(stem) < 2 {
				return []string{stem + e[1]}
			}
			return []string{stem, stem + e[1]}
		}
	}
	return nil
}

// rendaku returns the voiced form of a reading, or "" when its first sound
// does not voice.
func rendaku(r string) string {
	for _, v := range [...][2]string{{"sh", "j"}, {"ch", "j"}, {"ts", "z"}, {"k", "g"}, {"s", "z"}, {"t", "d"}, {"h", "b"}, {"f", "b"}} {
		if rest, ok := strings.CutPrefix(r, v[0]); ok && rest != "" {
			return v[1] + rest
		}
	}
	return ""
}

// japaneseWord returns the spellings of a word of kanji: combinations of
// their readings, those made of each character's likeliest readings first.
// It returns nil when a character has no Japanese reading.
func japaneseWord(chars []*hanReading) Token {
	type spelling struct {
		s    string
		rank int
	}
	cur := []spelling{{"", 0}}
	for i, h := range chars {
		rs := h.ja
		if len(rs) == 0 {
			return nil
		}
		if len(rs) > jaReadings {
			rs = rs[:jaReadings]
		}
		var next []spelling
		for _, c := range cur {
			for k, r := range rs {
				next = append(next, spelling{c.s + r, c.rank + k})
				if i > 0 {
					if v := rendaku(r); v != "" {
						next = append(next, spelling{c.s + v, c.rank + k + 1})
					}
				}
			}
		}
		slices.SortStableFunc(next, func(a, b spelling) int { return cmp.Compare(a.rank, b.rank) })
		// Keep room for the combinations that later characters make of
		// the likeliest ones.
		if len(next) > 4*jaSpellings {
			next = next[:4*jaSpellings]
		}
		cur = next
	}
	var out Token
	for _, c := range cur {
		if !slices.Contains(out, c.s) {
			out = append(out, c.s)
			if len(out) == jaSpellings {
				break
			}
		}
	}
	return out
}

// japaneseSplits returns the ways a run of n kanji is read as words, as
// the lengths of the words: a person's name is a family name, most often
// of two characters, and a given name of one or two (佐藤太郎 2+2, 山田修
// 2+1; a family name of one character, 林直子, is the exception and not
// read so: each way adds a rendering, and with it chance likenesses); an
// organisation's name is one word, or words of two characters when long.
func japaneseSplits(n int, kind Kind) [][]int {
	if kind == Organisation || kind == Other {
		if n <= 4 {
			return [][]int{{n}}
		}
		var w []int
		for n > 0 {
			k := min(n, 2)
			w = append(w, k)
			n -= k
		}
		return [][]int{w}
	}
	switch n {
	case 1:
		return [][]int{{1}}
	case 2:
		return [][]int{{1, 1}}
	case 3:
		return [][]int{{2, 1}}
	case 4:
		return [][]int{{2, 2}}
	case 5:
		return [][]int{{2, 3}, {3, 2}}
	}
	var w []int
	for n > 0 {
		k := min(n, 2)
		w = append(w, k)
		n -= k
	}
	return [][]int{w}
}

// japaneseRenderings returns the Japanese renderings of a name written in
// kanji (scheme "ja"), one for each way its runs of kanji divide into
// words (see japaneseSplits; a name with several runs is divided the
// first way only). Latin words and kana keep their spelling.
func japaneseRenderings(words []word, kind Kind) []Rendering {
	// Runs of kanji, as [start, end) in words.
	type run struct{ start, end int }
	var runs []run
	for i := 0; i < len(words); {
		if words[i].han == nil {
			i++
			continue
		}
		j := i
		for j < len(words) && words[j].han != nil {
			j++
		}
		runs = append(runs, run{i, j})
		i = j
	}
	if len(runs) == 0 {
		return nil
	}
	splits := [][]int{nil}
	if len(runs) == 1 {
		splits = japaneseSplits(runs[0].end-runs[0].start, kind)
	}
	var out []Rendering
	for _, split := range splits {
		var toks []Token
		ri := 0
		for i := 0; i < len(words); {
			if words[i].han == nil {
				if words[i].text != "" {
					toks = append(toks, append(Token{words[i].text}, words[i].alts...))
				}
				i++
				continue
			}
			r := runs[ri]
			ri++
			lens := split
			if lens == nil {
				lens = japaneseSplits(r.end-r.start, kind)[0]
			}
			p := r.start
			for _, n := range lens {
				chars := make([]*hanReading, 0, n)
				for _, w := range words[p : p+n] {
					chars = append(chars, w.han)
				}
				if t := japaneseWord(chars); len(t) > 0 {
					toks = append(toks, t)
				}
				p += n
			}
			i = r.end
		}
		toks = cleanTokens(toks, kind)
		if len(toks) > 0 {
			out = append(out, Rendering{Scheme: "ja", Tokens: toks})
		}
	}
	return out
}

// japaneseName reports whether a name is to be read in Japanese as well:
// its owner is Japanese (kind carries Japanese), or it is written with
// kana or a Japanese legal form beside its kanji, or it has four kanji or
// more and kind carries MaybeJapanese.
func japaneseName(s string, kind Kind) bool {
	if kind&Japanese != 0 {
		return true
	}
	if kind&MaybeJapanese != 0 {
		n := 0
		for _, r := range s {
			if unicode.Is(unicode.Han, r) {
				n++
			}
		}
		if n >= 4 {
			return true
		}
	}
	for _, f := range [...]string{"株式会社", "有限会社", "合同会社"} {
		if strings.Contains(s, f) {
			return true
		}
	}
	for _, r := range s {
		if r >= 0x3041 && r <= 0x30FF && r != 0x30FB {
			return true
		}
	}
	return false
}

// syllables counts the syllables (morae with a vowel) of a romanised
// Japanese word: na-o-su has three.
func syllables(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isVowel(s[i]) {
			n++
		}
	}
	return n
}
