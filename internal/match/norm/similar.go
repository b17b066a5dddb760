package norm

import "math/bits"

// JaroWinkler returns the Jaro-Winkler similarity of a and b, from 0 (no
// letters in common) to 1 (equal), with the usual prefix scale of 0.1 over
// at most four letters. It compares bytes, which for the lower-case ASCII
// tokens of a Rendering are letters. It does not allocate for strings of
// up to 64 bytes.
func JaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb > 64 {
		return jaroWinklerLong(a, b)
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	// Each letter of a is matched with the first unmatched equal letter of
	// b within the window: with b's positions of each byte as a bit set,
	// that is the lowest bit of (positions & unmatched & window). The sets
	// are kept by the byte's low five bits, which tell lower-case letters
	// apart; other bytes may share a set, so a position found is checked.
	var pos [32]uint64
	for j := 0; j < lb; j++ {
		pos[b[j]&31] |= 1 << j
	}
	var matchedA, matchedB uint64
	unmatched := ^uint64(0) >> (64 - lb)
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		win := (^uint64(0) >> (64 - (hi - lo))) << lo
		for c := pos[a[i]&31] & unmatched & win; c != 0; c &= c - 1 {
			if j := bits.TrailingZeros64(c); b[j] == a[i] {
				unmatched &^= 1 << j
				matchedB |= 1 << j
				matchedA |= 1 << i
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	// Transpositions: the matched letters of a and of b, in order, that
	// differ.
	t := 0
	for ma, mb := matchedA, matchedB; ma != 0; {
		i, j := bits.TrailingZeros64(ma), bits.TrailingZeros64(mb)
		if a[i] != b[j] {
			t++
		}
		ma &= ma - 1
		mb &= mb - 1
	}
	return winkler(a, b, la, lb, m, t)
}

// winkler finishes JaroWinkler from the matches and transpositions.
func winkler(a, b string, la, lb, m, t int) float64 {
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t/2))/fm) / 3
	prefix := 0
	for prefix < 4 && prefix < la && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// jaroWinklerLong is JaroWinkler for strings longer than 64 bytes, with
// matched flags in slices; a is the shorter.
func jaroWinklerLong(a, b string) float64 {
	la, lb := len(a), len(b)
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	ma, mb := make([]bool, la), make([]bool, lb)
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		for j := lo; j < hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	return winkler(a, b, la, lb, m, t)
}

// Skeleton returns a phonetic key of a lower-case ASCII token: its
// consonants in classes that romanisations of one sound share, vowels
// dropped, repeats collapsed. Two spellings of one name in different
// romanisations usually share a skeleton: Chan, Chen and Tsang's relatives;
// Mohammed, Muhammad and Mohamed (MHMT); Sergei and Sergey; Zhukov and
// Joukov; Sato, Satou and Satoh. The classes are:
//
//	P b p · T d t th · K g k q hard c, ck · F f v w ph · S s z sh sch ß soft c ·
//	C ch tch tsch ts tz · J j zh dj dzh · H h unless silent ·
//	L l · R r · M m · N n ng · KS x
//
// A token that starts with a vowel starts its skeleton with A; one that
// starts with y, j or i before a vowel starts it with Y (Yuri, Juri, Iouri
// and Iurii share YR). An h after a vowel and before a consonant or at
// the end is silent (John, Satoh). It is a key for
// finding candidates, not a measure: different names can share one.
func Skeleton(s string) string {
	var out [skeletonMax]byte
	return string(AppendSkeleton(out[:0], s))
}

// skeletonMax is the longest skeleton: the rest of a longer token is
// left out.
const skeletonMax = 32

// AppendSkeleton appends the skeleton of s to dst, as Skeleton returns
// it, without allocating when dst has room.
func AppendSkeleton(dst []byte, s string) []byte {
	base := len(dst)
	put := func(c byte) {
		if n := len(dst) - base; n > 0 && dst[len(dst)-1] == c || n == skeletonMax {
			return
		}
		dst = append(dst, c)
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
		if isVowelOrY(c) {
			i++
			continue
		}
		if k, n := cluster(s[i:]); n > 0 {
			put(k)
			i += n
			continue
		}
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
			// Silent after a vowel before a consonant or at the end
			// (John, Satoh); sounded elsewhere (Hassan, Mohammed, and
			// after a consonant in consonantal renderings: mhmd).
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
	return dst
}

// cluster returns the class of the group of letters that starts rest and
// its length, 0 when rest starts with no group: tsch, tch, ch, ts, tz C;
// shch, sch, sh S; dzh, zh, dj J; kh, gh, ck K; ph F; th T; ng N. Longer
// groups are tried first.
func cluster(rest string) (byte, int) {
	switch rest[0] {
	case 't':
		switch {
		case hasPrefix(rest, "tsch"):
			return 'C', 4
		case hasPrefix(rest, "tch"):
			return 'C', 3
		case hasPrefix(rest, "ts"), hasPrefix(rest, "tz"):
			return 'C', 2
		case hasPrefix(rest, "th"):
			return 'T', 2
		}
	case 's':
		switch {
		case hasPrefix(rest, "shch"):
			return 'S', 4
		case hasPrefix(rest, "sch"):
			return 'S', 3
		case hasPrefix(rest, "sh"):
			return 'S', 2
		}
	case 'd':
		switch {
		case hasPrefix(rest, "dzh"):
			return 'J', 3
		case hasPrefix(rest, "dj"):
			return 'J', 2
		}
	case 'c':
		switch {
		case hasPrefix(rest, "ch"):
			return 'C', 2
		case hasPrefix(rest, "ck"):
			return 'K', 2
		}
	case 'z':
		if hasPrefix(rest, "zh") {
			return 'J', 2
		}
	case 'k':
		if hasPrefix(rest, "kh") {
			return 'K', 2
		}
	case 'g':
		if hasPrefix(rest, "gh") {
			return 'K', 2
		}
	case 'p':
		if hasPrefix(rest, "ph") {
			return 'F', 2
		}
	case 'n':
		if hasPrefix(rest, "ng") {
			return 'N', 2
		}
	}
	return 0, 0
}

func isVowelOrY(c byte) bool { return isVowel(c) || c == 'y' }

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
