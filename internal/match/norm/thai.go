package norm

import "strings"

// Thai romanisation, after the Royal Thai General System (RTGS), the
// system of Thai passports and road signs. Thai writes vowels before,
// above, below and after consonants, leaves some vowels unwritten and
// does not mark where syllables end, so a word can be read in more than
// one way without a dictionary. Thai returns the readings that matter for
// names: one that closes a syllable with a following consonant whenever
// the script allows it (สมชาย "somchai"), and one that opens a new
// syllable with an unwritten "a" when the next consonant carries a vowel
// (สุรชัย "surachai") and leaves a consonant before the last one to start
// the last syllable (ธนากร "thanakon").

// thaiConsonant is the sound of a Thai consonant at the start of a
// syllable and at its end ("" when it does not end syllables).
type thaiConsonant struct{ initial, final string }

var thaiConsonants = map[rune]thaiConsonant{
	'ก': {"k", "k"}, 'ข': {"kh", "k"}, 'ฃ': {"kh", "k"}, 'ค': {"kh", "k"}, 'ฅ': {"kh", "k"}, 'ฆ': {"kh", "k"},
	'ง': {"ng", "ng"}, 'จ': {"ch", "t"}, 'ฉ': {"ch", "t"}, 'ช': {"ch", "t"}, 'ซ': {"s", "t"}, 'ฌ': {"ch", "t"},
	'ญ': {"y", "n"}, 'ฎ': {"d", "t"}, 'ฏ': {"t", "t"}, 'ฐ': {"th", "t"}, 'ฑ': {"th", "t"}, 'ฒ': {"th", "t"},
	'ณ': {"n", "n"}, 'ด': {"d", "t"}, 'ต': {"t", "t"}, 'ถ': {"th", "t"}, 'ท': {"th", "t"}, 'ธ': {"th", "t"},
	'น': {"n", "n"}, 'บ': {"b", "p"}, 'ป': {"p", "p"}, 'ผ': {"ph", "p"}, 'ฝ': {"f", "p"}, 'พ': {"ph", "p"},
	'ฟ': {"f", "p"}, 'ภ': {"ph", "p"}, 'ม': {"m", "m"}, 'ย': {"y", "i"}, 'ร': {"r", "n"}, 'ล': {"l", "n"},
	'ว': {"w", "o"}, 'ศ': {"s", "t"}, 'ษ': {"s", "t"}, 'ส': {"s", "t"}, 'ห': {"h", ""}, 'ฬ': {"l", "n"},
	'อ': {"", ""}, 'ฮ': {"h", ""},
}

func isThaiConsonant(r rune) bool { return r >= 'ก' && r <= 'ฮ' && r != 'ฤ' && r != 'ฦ' }

// isThaiLead reports a vowel written before its consonant: เ แ โ ใ ไ.
func isThaiLead(r rune) bool { return r >= 'เ' && r <= 'ไ' }

// isThaiFollow reports a vowel sign written after or above or below its
// consonant.
func isThaiFollow(r rune) bool {
	return r >= 'ะ' && r <= 'ู' || r == '็'
}

// Thai transliterates a Thai word to lower-case Latin letters and returns
// its readings, the syllable-closing one first, without duplicates: "วงศ์ไทย"
// gives "wongthai", "สุรชัย" gives "sunchai" and "surachai". Tone marks are
// dropped and letters silenced by the thanthakhat (์) are left out.
func Thai(word string) []string {
	rs := thaiLetters(word)
	a := romanizeThai(rs, false)
	b := romanizeThai(rs, true)
	switch {
	case a == "":
		return nil
	case b == a || b == "":
		return []string{a}
	}
	return []string{a, b}
}

// thaiLetters keeps the letters that are pronounced: tone marks and other
// signs without sound are dropped, and a consonant carrying the
// thanthakhat is removed with the vowel sign i or u between them.
func thaiLetters(word string) []rune {
	rs := make([]rune, 0, len(word)/3)
	for _, r := range word {
		switch {
		case r >= '่' && r <= '๋', r == 'ํ', r == 'ฺ', r == 'ๅ', r == 'ๆ', r == '๎':
		case r == '์':
			j := len(rs) - 1
			if j >= 0 && (rs[j] == 'ิ' || rs[j] == 'ุ') {
				j--
			}
			if j >= 0 && isThaiConsonant(rs[j]) {
				rs = rs[:j]
			}
		case r >= 0x0E01 && r <= 0x0E4F:
			rs = append(rs, r)
		}
	}
	return rs
}

// romanizeThai reads rs syllable by syllable. With linking set, a
// consonant that could end a syllable but is followed by a consonant
// carrying a vowel starts a syllable of its own instead.
func romanizeThai(rs []rune, linking bool) string {
	var b strings.Builder
	n := len(rs)
	at := func(i int) rune {
		if i >= 0 && i < n {
			return rs[i]
		}
		return 0
	}
	// voweled reports whether the consonant at i carries a written vowel.
	voweled := func(i int) bool { return isThaiFollow(at(i + 1)) }
	for i := 0; i < n; {
		var lead rune
		if isThaiLead(rs[i]) {
			lead = rs[i]
			i++
		}
		switch r := at(i); {
		case r == 'ฤ':
			b.WriteString("rue")
			i++
			continue
		case r == 'ฦ':
			b.WriteString("lue")
			i++
			continue
		case !isThaiConsonant(r):
			if lead != 0 {
				b.WriteString(thaiLeadAlone(lead))
			}
			i++
			continue
		}
		c1 := rs[i]
		i++
		initial := thaiConsonants[c1].initial
		// Clusters and silent first letters.
		if c2 := at(i); isThaiConsonant(c2) {
			next := at(i + 1)
			switch {
			case c1 == 'ห' && strings.ContainsRune("งญนมยรลว", c2) && (isThaiFollow(next) || lead != 0):
				initial = thaiConsonants[c2].initial
				i++
			case c1 == 'อ' && c2 == 'ย' && (isThaiFollow(next) || lead != 0):
				initial = "y"
				i++
			case c1 == 'ท' && c2 == 'ร' && (isThaiFollow(next) || lead != 0 || isThaiConsonant(next)):
				initial = "s" // ทร is read s: ทรัพย์ "sap"
				i++
			case c2 == 'ร' && strings.ContainsRune("สศซจ", c1) && isThaiFollow(next) && (c1 != 'จ' || lead == 0):
				i++ // ร is silent after these: ศรี "si"
			case strings.ContainsRune("กขคตปพผท", c1) && (c2 == 'ร' || c2 == 'ล' || c2 == 'ว' && lead == 0) &&
				(isThaiFollow(next) || lead != 0 && c2 != 'ว' && next != 0):
				initial += thaiConsonants[c2].initial
				i++
			case lead != 0 && isThaiFollow(next):
				// The leading vowel belongs to the second consonant; the
				// first has an unwritten a: เจริญ "charoen".
				b.WriteString(initial + "a")
				initial = thaiConsonants[c2].initial
				i++
			}
		}
		b.WriteString(initial)
		// The vowel.
		var vowel string
		open := false // the vowel takes no final consonant
		marks := ""
		for isThaiFollow(at(i)) {
			marks += string(rs[i])
			i++
		}
		switch lead {
		case 'เ':
			switch {
			case strings.Contains(marks, "า") && strings.Contains(marks, "ะ"):
				vowel, open = "o", true
			case strings.Contains(marks, "า"):
				vowel, open = "ao", true
			case strings.Contains(marks, "ี") && at(i) == 'ย':
				vowel = "ia"
				i++
			case strings.Contains(marks, "ื") && at(i) == 'อ':
				vowel = "uea"
				i++
			case marks == "" && at(i) == 'อ' && !voweled(i):
				vowel = "oe"
				i++
			case strings.Contains(marks, "ิ"):
				vowel = "oe"
			case strings.Contains(marks, "ะ"):
				vowel, open = "e", true
			default:
				vowel = "e"
			}
		case 'แ':
			vowel = "ae"
			open = strings.Contains(marks, "ะ")
		case 'โ':
			vowel = "o"
			open = strings.Contains(marks, "ะ")
		case 'ใ', 'ไ':
			vowel = "ai"
		default:
			switch {
			case marks == "":
				switch {
				case at(i) == 'ร' && at(i+1) == 'ร':
					vowel = "a"
					i += 2
					if !isThaiConsonant(at(i)) || voweled(i) {
						vowel = "an"
					}
				case at(i) == 'อ' && !voweled(i):
					vowel = "o"
					i++
				case at(i) == 'ว' && isThaiConsonant(at(i+1)) && !voweled(i+1) && !voweled(i):
					vowel = "ua"
					i++
				}
			case strings.HasPrefix(marks, "ั") && at(i) == 'ว' && !voweled(i):
				vowel = "ua"
				i++
			case strings.HasPrefix(marks, "ั"), strings.HasPrefix(marks, "า"):
				vowel = "a"
			case strings.HasPrefix(marks, "ะ"):
				vowel, open = "a", true
			case strings.HasPrefix(marks, "ำ"):
				vowel, open = "am", true
			case strings.HasPrefix(marks, "ิ"), strings.HasPrefix(marks, "ี"):
				vowel = "i"
			case strings.HasPrefix(marks, "ึ"):
				vowel = "ue"
			case strings.HasPrefix(marks, "ื"):
				vowel = "ue"
				if at(i) == 'อ' && !voweled(i) {
					i++
				}
			case strings.HasPrefix(marks, "ุ"), strings.HasPrefix(marks, "ู"):
				vowel = "u"
			case strings.HasPrefix(marks, "็"):
				vowel = "o"
			}
		}
		// The final consonant: one that does not start the next syllable.
		final := ""
		if f := at(i); !open && isThaiConsonant(f) && !voweled(i) {
			closes := true
			if linking && isThaiConsonant(at(i+1)) && (voweled(i+1) || i+2 == n) {
				// The next consonant carries a vowel, or ends the word
				// and so ends a syllable that f starts: ธนากร "thanakon".
				closes = false
			}
			if closes {
				final = thaiConsonants[f].final
				i++
			}
		}
		if vowel == "" {
			vowel = "a"
			if final != "" {
				vowel = "o"
			}
		}
		switch {
		case final == "i" && strings.HasSuffix(vowel, "i"):
			final = ""
		case final == "o" && vowel == "o":
			final = ""
		}
		b.WriteString(vowel)
		b.WriteString(final)
	}
	return b.String()
}

// thaiLeadAlone is the sound of a leading vowel with no consonant after it.
func thaiLeadAlone(r rune) string {
	switch r {
	case 'แ':
		return "ae"
	case 'โ':
		return "o"
	case 'ใ', 'ไ':
		return "ai"
	}
	return "e"
}
