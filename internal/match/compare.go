package match

import (
	"slices"
	"strings"
	"unsafe"

	"liaison/internal/match/norm"
)

// Name comparison. A name is one or more renderings (norm.Rendering): the
// Latin spelling of a Latin name, or the pinyin, Wade-Giles and Hong Kong
// renderings of a Han name, and so on. Two names score the best of their
// comparable renderings; two renderings are compared token by token:
//
//   - each token of one side is paired with at most one token of the other,
//     best pairs first (token order does not matter);
//   - a token may also pair with two or three adjacent tokens of the other
//     side written together, so "Dawen" meets "Da Wen" and "Chendawen"
//     meets "Chen Da Wen";
//   - pairs score the Jaro-Winkler similarity of their best spellings
//     (lowered further below weakPair); for
//     renderings of a script that does not write short vowels (Arabic),
//     their consonant skeletons are compared too; a single letter pairs
//     with a token it begins (an initial) at 0.8;
//   - renderings of the same Han characters compare syllables exactly, since
//     two different characters with close readings are different names;
//   - the score is the pairs' similarity weighted by the length of the
//     tokens they cover, over the length of all tokens. Tokens left unpaired
//     on one side only weigh missingWeight of their length for persons (a
//     missing middle name lowers the score a little) and fully for
//     organisations; when both sides have unpaired tokens they conflict (a
//     different given name) and weigh fully.
const (
	maxTokens     = 8
	maxSpan       = 3
	missingWeight = 0.3
	minPairSim    = 0.6
	// weakPair is the similarity below which a pair of tokens counts for
	// less than its similarity: sim - (weakPair - sim). Two spellings of
	// one name are close (0.9 and more); different names of the same
	// shape often score 0.7 to 0.85 and, added up over every token, made
	// names of different companies or people look alike.
	weakPair = 0.9
)

// rend is a rendering prepared for comparison: tokens as their spellings.
type rend struct {
	scheme string
	cons   bool
	toks   [][]string
	// ids are the tokens' vocabulary ids when known (noID otherwise); they
	// let comparisons of the same two tokens be looked up, not recomputed.
	ids []uint32
}

const noID = ^uint32(0)

// comparator holds scratch space so that comparisons do not allocate. It
// is not safe for concurrent use.
type comparator struct {
	org bool // comparing organisations: unpaired tokens weigh fully
	// sims holds similarities of token pairs by vocabulary ids while one
	// query is compared with many candidates; reset empties it.
	sims  simTable
	buf   []byte
	units [2][]unit
	pairs []pair
	// qc holds the units of the query's renderings (a name in kanji read
	// in Japanese has up to five).
	qc    [6]queryUnits
	qnext int
	// builds counts the query units built since reset, to give each unit
	// that has no vocabulary id one of its own for the cache.
	builds uint32
	// cu holds the units of the candidate's renderings while nameScore
	// compares them with each rendering of the query.
	cu  [8]candUnits
	ncu int
}

type candUnits struct {
	b     *rend
	cons  bool
	units []unit
}

// candUnits returns the units of a rendering of the candidate, built once
// per nameScore.
func (c *comparator) candUnits(b *rend, cons bool) []unit {
	for i := range c.ncu {
		if cu := &c.cu[i]; cu.b == b && cu.cons == cons {
			return cu.units
		}
	}
	c.buildUnits(1, b, cons)
	if c.ncu == len(c.cu) {
		return c.units[1]
	}
	cu := &c.cu[c.ncu]
	c.ncu++
	cu.b, cu.cons = b, cons
	// The slot takes the scratch slice and leaves its old one as scratch.
	cu.units, c.units[1] = c.units[1], cu.units[:0]
	return cu.units
}

type queryUnits struct {
	a     *rend
	cons  bool
	units []unit
	buf   []byte
}

type unit struct {
	start, n int
	strs     [2]string // the primary spelling and, for a multi-token unit, the concatenation of second spellings
	nstr     int
	length   int // characters of the primary spelling
	single   []string
	id       uint32 // vocabulary id of a single token, or noID
	skels    [2]string
}

type pair struct {
	a, b int // unit indexes
	sim  float64
	w    int
}

// reset forgets cached similarities (the vocabulary may have changed) and
// the units of the last query rendering.
func (c *comparator) reset() {
	c.sims.reset()
	for i := range c.qc {
		c.qc[i].a = nil
	}
	c.builds = 0
}

// queryUnits returns the units of a, built once for as long as a stays
// among the last few renderings seen.
func (c *comparator) queryUnits(a *rend, cons bool) []unit {
	for i := range c.qc {
		if q := &c.qc[i]; q.a == a && q.cons == cons {
			return q.units
		}
	}
	q := &c.qc[c.qnext%len(c.qc)]
	c.qnext++
	if q.buf == nil {
		q.buf = make([]byte, 0, 1024)
	}
	// Build into the slot's own buffer, which str never grows, so the
	// units' strings stay valid until the slot is reused.
	saved := c.buf
	c.buf = q.buf[:0]
	c.buildUnits(0, a, cons)
	q.buf, c.buf = c.buf, saved
	q.units = append(q.units[:0], c.units[0]...)
	q.a, q.cons = a, cons
	// A unit of the query without a vocabulary id (a spelling the index
	// has not seen, or tokens written together) gets an id of its own,
	// from 1<<29 up, where vocabulary ids never reach (half a billion
	// distinct tokens would take far more memory than an index has), so
	// that its similarity to each candidate token is computed once per
	// query.
	for k := range q.units {
		if q.units[k].id == noID {
			q.units[k].id = 1<<29 + c.builds*maxUnits + uint32(k)
		}
	}
	c.builds++
	return q.units
}

// spellingStep is what each place down a token's list of spellings takes
// from a similarity (see unitSim): the usual spelling first, then the
// alternatives (a Hong Kong surname's other spellings, a business word's
// translation, the less likely Japanese readings of a word in kanji).
const spellingStep = 0.001

// maxUnits bounds the units of a rendering: maxTokens single tokens and
// the spans of two and three.
const maxUnits = 3*maxTokens - 3

func newComparator() *comparator {
	return &comparator{buf: make([]byte, 0, 4096)}
}

// str copies b into the scratch buffer and returns a string over it; the
// string is valid until the next reset.
func (c *comparator) str(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if len(c.buf)+n > cap(c.buf) {
		// Out of scratch: allocate rather than overwrite strings in use.
		s := make([]byte, 0, n)
		for _, p := range parts {
			s = append(s, p...)
		}
		return string(s)
	}
	start := len(c.buf)
	for _, p := range parts {
		c.buf = append(c.buf, p...)
	}
	b := c.buf[start:]
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// nameScore compares two names and returns the score, the indexes of the
// renderings that gave it.
func (c *comparator) nameScore(a, b []rend) (best float64, ia, ib int) {
	ia, ib = -1, -1
	c.buf = c.buf[:0]
	c.ncu = 0
	for i := range a {
		for j := range b {
			if !comparable(a[i].scheme, b[j].scheme) {
				continue
			}
			if s := c.rendScore(&a[i], &b[j]); s > best {
				best, ia, ib = s, i, j
				// No rendering scores above 1: the pairs left cannot
				// beat it.
				if best >= 1 {
					return best, ia, ib
				}
			}
		}
	}
	return best, ia, ib
}

// comparable reports whether renderings of two schemes can be compared:
// Latin spellings with any, others with the same scheme, and kana with
// the Japanese readings of kanji. Two names in kanji are not compared by
// their Japanese readings: their Chinese renderings compare the
// characters themselves, and the many combined readings of two different
// names would often come close by chance.
func comparable(a, b string) bool {
	switch {
	case a == "ja" && b == "ja":
		return false
	case a == "" || b == "" || a == b:
		return true
	case a == "hepburn" && b == "ja", a == "ja" && b == "hepburn":
		return true
	}
	return false
}

// jaSkeletons bounds the skeletons of a token of Japanese readings that
// give blocking keys: such a token has many spellings (the combinations
// of its characters' readings), and the right one is often not among the
// first three.
const jaSkeletons = 8

// jaWholeSpellings is how many spellings of each word of a two-word name
// read in Japanese make its whole-name keys (both orders of every pair):
// the likeliest few, since the keys multiply (eight a word would be 128
// keys a name, a large share of the index's memory for Japanese names).
const jaWholeSpellings = 4

// japaneseWholeKeys adds the whole-name keys of a name of two words read
// in Japanese: for each pair of the words' first jaWholeSpellings
// spellings of distinct skeletons, the name written together in both orders, since
// kanji put the family name first and Latin letters often last (佐藤太郎,
// "Taro Sato"). The keys of the usual spellings alone would seldom hold
// the name's reading.
func (ix *Index) japaneseWholeKeys(typ uint8, r *rend, add func(key)) {
	if len(r.toks) != 2 {
		return
	}
	var sp [2][jaWholeSpellings]string
	var np [2]int
	for i, t := range r.toks {
		var seen [jaWholeSpellings]string
		for _, a := range t {
			if np[i] == jaWholeSpellings {
				break
			}
			sk := norm.Skeleton(a)
			if sk == "" || slices.Contains(seen[:np[i]], sk) {
				continue
			}
			seen[np[i]], sp[i][np[i]] = sk, a
			np[i]++
		}
	}
	var buf [128]byte
	for _, a := range sp[0][:np[0]] {
		for _, b := range sp[1][:np[1]] {
			add(key{ix.hash(typ, keyWhole, norm.Skeleton(string(append(append(buf[:0], a...), b...)))), keyWhole})
			add(key{ix.hash(typ, keyWhole, norm.Skeleton(string(append(append(buf[:0], b...), a...)))), keyWhole})
		}
	}
}

// entityKind is the kind of normalisation of an entity's name: Japanese
// persons' and companies' names in kanji are also read in Japanese, and
// so are long ones of persons whose nationality is not stated.
func entityKind(e *Entity) norm.Kind {
	k := nameKind(e.Type)
	switch {
	case e.Type == Person && strings.EqualFold(e.Nationality, "JP") || e.Type != Person && strings.EqualFold(e.Country, "JP"):
		k |= norm.Japanese
	case e.Type == Person && e.Nationality == "":
		k |= norm.MaybeJapanese
	}
	return k
}

func (c *comparator) buildUnits(side int, r *rend, cons bool) {
	us := c.units[side][:0]
	toks := r.toks
	if len(toks) > maxTokens {
		toks = toks[:maxTokens]
	}
	for n := 1; n <= maxSpan; n++ {
		for s := 0; s+n <= len(toks); s++ {
			u := unit{start: s, n: n, id: noID}
			if n == 1 {
				u.single = toks[s]
				if r.ids != nil {
					u.id = r.ids[s]
				}
				u.length = len(toks[s][0])
			} else {
				var p1, p2 [maxSpan]string
				alt := false
				for k := 0; k < n; k++ {
					t := toks[s+k]
					p1[k] = t[0]
					p2[k] = t[0]
					if len(t) > 1 {
						p2[k] = t[1]
						alt = true
					}
					u.length += len(t[0])
				}
				u.strs[0] = c.str(p1[:n]...)
				u.nstr = 1
				if alt {
					u.strs[1] = c.str(p2[:n]...)
					u.nstr = 2
				}
			}
			if cons {
				if n == 1 {
					u.skels[0] = norm.Skeleton(toks[s][0])
				} else {
					u.skels[0] = norm.Skeleton(u.strs[0])
				}
			}
			us = append(us, u)
		}
	}
	c.units[side] = us
}

// spellings calls f with each spelling of u until f returns false.
func (u *unit) spellings() []string {
	if u.single != nil {
		return u.single
	}
	return u.strs[:u.nstr]
}

// unitSim is the similarity of two units: the best of their spellings'.
// A spelling further down a unit's list counts step less for each place,
// so that of two names matching a token, the one matching its usual
// spelling (or a word's likelier reading) ranks first.
//
// Only similarities of at least floor matter to the caller: spellings
// whose Jaro-Winkler similarity cannot reach it, or cannot beat the best
// found, are not compared (jwBound), which changes no result.
func unitSim(a, b *unit, cons, exact bool, step, floor float64) float64 {
	if exact {
		if a.n != b.n {
			return 0
		}
		for _, x := range a.spellings() {
			for _, y := range b.spellings() {
				if x == y {
					return 1
				}
			}
		}
		return 0
	}
	best := 0.0
	for ix, x := range a.spellings() {
		for iy, y := range b.spellings() {
			var s float64
			disc := 0.0
			if ix+iy > 0 && step > 0 {
				disc = step * float64(ix+iy)
			}
			switch {
			case len(x) == 1 && len(y) > 1 && y[0] == x[0], len(y) == 1 && len(x) > 1 && x[0] == y[0]:
				s = 0.8
			default:
				if b := jwBound(x, y) - disc; b < floor || b <= best {
					continue
				}
				s = norm.JaroWinkler(x, y)
			}
			s -= disc
			if s > best {
				best = s
				if best == 1 {
					return 1
				}
			}
		}
	}
	if cons && len(a.skels[0]) >= 2 && len(b.skels[0]) >= 2 && 0.95*jwBound(a.skels[0], b.skels[0]) > best {
		if s := 0.95 * norm.JaroWinkler(a.skels[0], b.skels[0]); s > best {
			best = s
		}
	}
	return best
}

// jwBound is an upper bound of norm.JaroWinkler(x, y) from the lengths
// and the common prefix alone: every letter of the shorter string matched,
// none transposed.
func jwBound(x, y string) float64 {
	lx, ly := len(x), len(y)
	if lx > ly {
		lx, ly = ly, lx
	}
	if lx == 0 {
		return 0
	}
	jaro := (1 + float64(lx)/float64(ly) + 1) / 3
	p := 0
	for p < 4 && p < lx && x[p] == y[p] {
		p++
	}
	return jaro + float64(p)*0.1*(1-jaro) + 1e-9
}

func (c *comparator) rendScore(a, b *rend) float64 {
	cons := a.cons || b.cons
	exact := a.scheme == b.scheme && (a.scheme == "hk" || a.scheme == "pinyin" || a.scheme == "wade-giles")
	// The units of a are kept while a is the same rendering (a query
	// compared with many candidates).
	ua := c.queryUnits(a, cons)
	ub := c.candUnits(b, cons)
	// The Japanese readings of a word are many combinations, one of which
	// is the name's reading; the others are not names, and only a close
	// spelling (a long vowel written or not) pairs with them.
	// Their lengths are those of the first combination, so the rule on
	// lengths below does not apply to them.
	minSim := minPairSim
	ja := a.scheme == "ja" || b.scheme == "ja"
	if ja {
		minSim = weakPair
	}
	step := spellingStep
	pairs := c.pairs[:0]
	for i := range ua {
		for j := range ub {
			if ua[i].n > 1 && ub[j].n > 1 {
				continue
			}
			// Tokens more than twice as long as each other are different
			// names unless one begins the other (Chris, Christopher); an
			// initial is handled by unitSim.
			if la, lb := ua[i].length, ub[j].length; !ja && la > 1 && lb > 1 && (la*2 < lb || lb*2 < la) && !prefixed(&ua[i], &ub[j]) {
				continue
			}
			var s float64
			// The query's units and the candidate's single tokens have ids
			// (see queryUnits), so that their similarities are cached.
			u, v := &ua[i], &ub[j]
			if u.id != noID && v.id != noID {
				if u.id == v.id {
					s = 1
				} else {
					// Ids stay below 1<<30 (see queryUnits), which leaves
					// the top bits of each half for the comparison's kind.
					k := uint64(u.id)<<32 | uint64(v.id)
					if exact {
						k |= 1 << 63
					}
					if ja {
						k |= 1 << 62
					}
					if cons {
						k |= 1 << 31
					}
					var ok bool
					if s, ok = c.sims.get(simKey{a: k}); !ok {
						s = unitSim(u, v, cons, exact, step, minSim)
						c.sims.put(simKey{a: k}, s)
					}
				}
			} else if k, ok := spanKey(u, v, b.ids, exact, ja, cons); ok {
				// A candidate's tokens written together have no id of
				// their own, but their tokens' ids tell them apart:
				// candidates found by the same pair of tokens often
				// share the span, and its similarity is cached too.
				var hit bool
				if s, hit = c.sims.get(k); !hit {
					s = unitSim(u, v, cons, exact, step, minSim)
					c.sims.put(k, s)
				}
			} else {
				s = unitSim(u, v, cons, exact, step, minSim)
			}
			if s >= minSim {
				pairs = append(pairs, pair{a: i, b: j, sim: s, w: ua[i].length + ub[j].length})
			}
		}
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		switch {
		case x.sim > y.sim:
			return -1
		case x.sim < y.sim:
			return 1
		}
		return y.w - x.w
	})
	c.pairs = pairs
	var usedA, usedB uint16
	matched, total := 0.0, 0.0
	for _, p := range pairs {
		u, v := &ua[p.a], &ub[p.b]
		ma := spanMask(u.start, u.n)
		mb := spanMask(v.start, v.n)
		if usedA&ma != 0 || usedB&mb != 0 {
			continue
		}
		usedA |= ma
		usedB |= mb
		sim := p.sim
		if sim < weakPair {
			sim -= weakPair - sim
		}
		matched += sim * float64(p.w)
		total += float64(p.w)
	}
	if matched == 0 {
		return 0
	}
	var lenA, lenB int
	for i := range ua {
		if ua[i].n == 1 && usedA&spanMask(ua[i].start, 1) == 0 {
			lenA += ua[i].length
		}
	}
	for i := range ub {
		if ub[i].n == 1 && usedB&spanMask(ub[i].start, 1) == 0 {
			lenB += ub[i].length
		}
	}
	w := missingWeight
	if c.org || lenA > 0 && lenB > 0 {
		w = 1
	}
	return matched / (total + w*float64(lenA+lenB))
}

// prefixed reports whether the usual spelling of one unit begins the
// other's.
func prefixed(a, b *unit) bool {
	x, y := a.spellings()[0], b.spellings()[0]
	if len(x) > len(y) {
		x, y = y, x
	}
	return len(y) >= len(x) && y[:len(x)] == x
}

func spanMask(start, n int) uint16 { return uint16((1<<n)-1) << start }

// rends converts normalised renderings to comparable ones.
func rends(rs []norm.Rendering) []rend {
	out := make([]rend, len(rs))
	for i, r := range rs {
		toks := make([][]string, len(r.Tokens))
		for j, t := range r.Tokens {
			toks[j] = t
		}
		out[i] = rend{scheme: r.Scheme, cons: r.Consonantal, toks: toks}
	}
	return out
}

// spanKey is the key of the similarity of a unit u of the query, which
// has an id, with a unit v of two or three tokens of a candidate's
// rendering whose tokens have the vocabulary ids ids: u's id and v's
// tokens' ids, with the kind of comparison, as rendScore's key of two
// single tokens lays them out (every id below 1<<30) in a and with v's
// second and third ids in b, which is never 0. ok is false when an id is
// missing.
func spanKey(u, v *unit, ids []uint32, exact, ja, cons bool) (k simKey, ok bool) {
	if u.id == noID || v.n < 2 || ids == nil {
		return k, false
	}
	t := ids[v.start : v.start+v.n]
	for _, id := range t {
		if id >= 1<<30 {
			return k, false
		}
	}
	k.a = uint64(u.id)<<32 | uint64(t[0])
	if exact {
		k.a |= 1 << 63
	}
	if ja {
		k.a |= 1 << 62
	}
	if cons {
		k.a |= 1 << 31
	}
	if v.n == 2 {
		k.b = uint64(t[1])<<32 | 1<<31
	} else {
		k.b = uint64(t[1])<<32 | uint64(t[2]) | 1<<30
	}
	return k, true
}

// simKey is the key of a similarity in a simTable: a, and b, which is 0
// for two single tokens.
type simKey struct{ a, b uint64 }

// simTable maps the key of a comparison of two units (see rendScore) to
// its similarity. It is a hash table of open addressing whose slots carry
// the generation they were written in, so that emptying it between
// queries is one increment rather than a pass over every slot (a map's
// clear walks all of its buckets, however few entries a query wrote).
type simTable struct {
	slots []simSlot
	gen   uint32
	n     int // entries of the current generation
	small int // resets in a row of a generation that used little
}

type simSlot struct {
	k   simKey
	v   float64
	gen uint32
}

// minSimSlots is the table's first size; it doubles when half full.
// A table grown by a query with many candidates is made small again,
// to minSimSlots, once shrinkAfter queries in a row used a small part of
// it: the few entries of a common query are then read from a table that
// stays in the processor's nearest cache, and a table that grew and
// shrank by turns is not allocated at every query.
const (
	minSimSlots = 512
	shrinkAfter = 64
)

// reset forgets every entry.
func (t *simTable) reset() {
	if len(t.slots) > minSimSlots && 16*t.n < len(t.slots) {
		t.small++
	} else {
		t.small = 0
	}
	if t.small >= shrinkAfter {
		t.slots = make([]simSlot, minSimSlots)
		t.gen, t.n, t.small = 1, 0, 0
		return
	}
	t.gen++
	t.n = 0
	if t.gen == 0 {
		// The generation wrapped: slots written 1<<32 generations ago
		// would pass for current ones.
		clear(t.slots)
		t.gen = 1
	}
}

func simHash(k simKey) uint64 {
	h := k.a ^ k.b*0x9e3779b97f4a7c15
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	return h
}

func (t *simTable) get(k simKey) (float64, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	mask := uint64(len(t.slots) - 1)
	for h := simHash(k) & mask; ; h = (h + 1) & mask {
		sl := &t.slots[h]
		if sl.gen != t.gen {
			return 0, false
		}
		if sl.k == k {
			return sl.v, true
		}
	}
}

// put records the similarity of k, which get has not found.
func (t *simTable) put(k simKey, v float64) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	h := simHash(k) & mask
	for t.slots[h].gen == t.gen {
		h = (h + 1) & mask
	}
	t.slots[h] = simSlot{k: k, v: v, gen: t.gen}
	t.n++
}

// grow doubles the table and moves the current generation's entries.
func (t *simTable) grow() {
	old := t.slots
	t.slots = make([]simSlot, max(2*len(old), minSimSlots))
	if t.gen == 0 {
		t.gen = 1
	}
	t.n = 0
	mask := uint64(len(t.slots) - 1)
	for i := range old {
		if sl := &old[i]; sl.gen == t.gen {
			h := simHash(sl.k) & mask
			for t.slots[h].gen == t.gen {
				h = (h + 1) & mask
			}
			t.slots[h] = *sl
			t.n++
		}
	}
}
