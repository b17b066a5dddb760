package match

import (
	"hash/maphash"
	"unsafe"

	"liaison/internal/match/norm"
)

// vocabulary numbers the tokens of indexed names (a token being the
// spellings a word may take, such as a Han character's readings), so that
// an entity's renderings are stored as token ids and comparisons of two
// tokens are cached by their ids. At ten million entities it holds
// millions of tokens; it is kept in a few large blocks rather than a map
// of strings and a slice of string slices, so that the garbage collector
// has a few objects to mark where it had several per token.
//
// Locking: intern (adding a token) and every reader of toks and alts run
// under the index's mu; the lookup table is read by prepare under
// vocabMu's read lock and changed only by publish, which holds both. The
// spellings' text is written in chunks that are allocated whole and never
// moved or resized, so that prepare compares the spellings of published
// tokens while intern writes those of new ones after them.
type vocabulary struct {
	text  [1 << 10][]byte // chunks; a strRef's pos is chunk<<22 | offset
	nText int             // chunks allocated
	fill  int             // bytes used in the last chunk

	toks []vtok        // by id
	alts arena[string] // every token's spellings, pointing into text

	slots   []tokSlot // open addressing, length a power of two; mapped by heap when large
	heap    *offheap
	used    int      // slots taken
	pending []uint32 // ids added by intern and not yet published
	// fresh finds the pending tokens by their joined spellings, whose
	// text lives in the chunks.
	fresh map[string]uint32
}

// vtok is a token: its spellings joined by '|' and where its spellings
// are in alts.
type vtok struct {
	key  strRef
	alts uint32
	n    uint32
}

// tokSlot is a published token in the lookup table: id+1 (0 for an empty
// slot), the top half of the hash of its joined spellings, and where they
// are, so that a lookup reads neither toks nor the map.
type tokSlot struct {
	id  uint32
	tag uint32
	key strRef
}

const (
	textChunkMin = 1 << 16
	textChunkMax = 1 << 22 // the offset's 22 bits
)

// textOf returns the text at r.
func (v *vocabulary) textOf(r strRef) string {
	if r.n == 0 {
		return ""
	}
	c := v.text[r.pos>>22]
	return unsafe.String(&c[r.pos&(1<<22-1)], int(r.n))
}

// putText copies b into the chunks.
func (v *vocabulary) putText(b []byte) strRef {
	if v.nText == 0 || v.fill+len(b) > len(v.text[v.nText-1]) {
		if v.nText == len(v.text) {
			panic("match: vocabulary text full")
		}
		size := textChunkMin
		if v.nText > 0 {
			size = min(2*len(v.text[v.nText-1]), textChunkMax)
		}
		v.text[v.nText] = makeHuge[byte](max(size, len(b)), max(size, len(b)))
		v.nText++
		v.fill = 0
	}
	off := v.fill
	copy(v.text[v.nText-1][off:], b)
	v.fill += len(b)
	return strRef{pos: uint32(v.nText-1)<<22 | uint32(off), n: uint32(len(b))}
}

// joinToken writes t's spellings joined by '|' after b.
func joinToken(b []byte, t norm.Token) []byte {
	for i, a := range t {
		if i > 0 {
			b = append(b, '|')
		}
		b = append(b, a...)
	}
	return b
}

// find returns the id of the published token whose joined spellings are
// k, noID when there is none.
func (v *vocabulary) find(seed maphash.Seed, k []byte) uint32 {
	if len(v.slots) == 0 {
		return noID
	}
	h := maphash.Bytes(seed, k)
	tag := uint32(h >> 32)
	mask := uint64(len(v.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &v.slots[i]
		if s.id == 0 {
			return noID
		}
		if s.tag == tag && int(s.key.n) == len(k) && v.textOf(s.key) == unsafe.String(unsafe.SliceData(k), len(k)) {
			return s.id - 1
		}
	}
}

// lookup returns the id of token t, published or pending, noID when it is
// not in the vocabulary. The caller holds the index's mu.
func (v *vocabulary) lookup(seed maphash.Seed, t norm.Token) uint32 {
	var stack [128]byte
	k := joinToken(stack[:0], t)
	if id := v.find(seed, k); id != noID {
		return id
	}
	if id, ok := v.fresh[unsafe.String(unsafe.SliceData(k), len(k))]; ok {
		return id
	}
	return noID
}

// add adds token t, which must not be in the vocabulary, and returns its
// id; it is found by lookup at once, and by find once published. The
// caller holds the index's mu.
func (v *vocabulary) add(t norm.Token) uint32 {
	var stack [128]byte
	key := v.putText(joinToken(stack[:0], t))
	pos, alts := v.alts.alloc(len(t))
	off := 0
	for i, a := range t {
		alts[i] = v.textOf(strRef{pos: key.pos + uint32(off), n: uint32(len(a))})
		off += len(a) + 1
	}
	id := uint32(len(v.toks))
	v.toks = append(v.toks, vtok{key: key, alts: pos, n: uint32(len(t))})
	v.pending = append(v.pending, id)
	if v.fresh == nil {
		v.fresh = map[string]uint32{}
	}
	v.fresh[v.textOf(key)] = id
	return id
}

// spellings returns the spellings of token id. The caller holds the
// index's mu.
func (v *vocabulary) spellings(id uint32) []string {
	t := &v.toks[id]
	return v.alts.slice(t.alts, int(t.n))
}

// publish puts the pending tokens in the lookup table. The caller holds
// the index's mu and vocabMu.
func (v *vocabulary) publish(seed maphash.Seed) {
	if need := v.used + len(v.pending); need > len(v.slots)/4*3 {
		size := max(1<<10, len(v.slots))
		for need > size/4*3 {
			size *= 2
		}
		old := v.slots
		v.slots = offAlloc[tokSlot](v.heap, size, size)
		for _, s := range old {
			if s.id != 0 {
				v.place(seed, s)
			}
		}
		offFree(v.heap, old)
	}
	for _, id := range v.pending {
		v.place(seed, tokSlot{id: id + 1, key: v.toks[id].key})
		v.used++
	}
	v.pending = v.pending[:0]
	clear(v.fresh)
}

// place puts s in the first free slot of its probe sequence.
func (v *vocabulary) place(seed maphash.Seed, s tokSlot) {
	h := maphash.String(seed, v.textOf(s.key))
	s.tag = uint32(h >> 32)
	mask := uint64(len(v.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if v.slots[i].id == 0 {
			v.slots[i] = s
			return
		}
	}
}

// len returns the number of tokens.
func (v *vocabulary) len() int { return len(v.toks) }
