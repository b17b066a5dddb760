package match

import "unsafe"

// Compact storage. Everything the index holds per entity and per key lives
// in pointer-free structures (offsets into chunked arenas, maps from
// integers to integers), so that the garbage collector has almost nothing
// to scan however large the index grows, and growing never copies what is
// stored.

// arena stores runs of values in fixed chunks. A position is the chunk
// index in the high 10 bits and the offset in the low 22, so a chunk holds
// at most 4M values.
type arena[T any] struct {
	chunks [][]T
	size   int      // values per chunk
	heap   *offheap // where large chunks are mapped; nil for the Go heap
}

func (a *arena[T]) alloc(n int) (pos uint32, s []T) {
	if a.size == 0 {
		a.size = 1 << 20
	}
	if k := len(a.chunks); k == 0 || len(a.chunks[k-1])+n > cap(a.chunks[k-1]) {
		// Chunks start at size values and double up to chunkBytes, so
		// that a small arena stays small and a large one is in chunks
		// that huge pages can back.
		size := a.size
		if k > 0 {
			var z T
			size = max(size, min(2*cap(a.chunks[k-1]), chunkBytes/int(max(unsafe.Sizeof(z), 1)), 1<<22))
		}
		a.chunks = append(a.chunks, offAlloc[T](a.heap, 0, max(size, n)))
	}
	i := len(a.chunks) - 1
	c := a.chunks[i]
	off := len(c)
	a.chunks[i] = c[:off+n]
	return uint32(i)<<22 | uint32(off), a.chunks[i][off : off+n : off+n]
}

// put stores vs and returns their position.
func (a *arena[T]) put(vs []T) uint32 {
	pos, s := a.alloc(len(vs))
	copy(s, vs)
	return pos
}

// release gives back the arena's chunks: nothing may read what it held.
func (a *arena[T]) release() {
	for _, c := range a.chunks {
		offFree(a.heap, c)
	}
	a.chunks = nil
}

// slice returns n values stored at pos.
func (a *arena[T]) slice(pos uint32, n int) []T {
	c := a.chunks[pos>>22]
	off := int(pos & (1<<22 - 1))
	return c[off : off+n : off+n]
}

// at returns the values from pos to the end of its chunk.
func (a *arena[T]) at(pos uint32) []T {
	c := a.chunks[pos>>22]
	return c[pos&(1<<22-1):]
}

// chunkBytes bounds the size an arena's chunks grow to.
const chunkBytes = 4 << 20

// strRef locates a string in a byte arena.
type strRef struct {
	pos, n uint32
}

type byteArena struct {
	a arena[byte]
}

func (b *byteArena) put(parts ...string) strRef {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return strRef{}
	}
	pos, s := b.a.alloc(n)
	s = s[:0]
	for _, p := range parts {
		s = append(s, p...)
	}
	return strRef{pos: pos, n: uint32(n)}
}

// str returns the string at r; it shares the arena's memory, which is
// never overwritten.
func (b *byteArena) str(r strRef) string {
	if r.n == 0 {
		return ""
	}
	s := b.a.slice(r.pos, int(r.n))
	return unsafe.String(unsafe.SliceData(s), len(s))
}

// postings maps the hashes of blocking keys to lists of entity ids. It is
// split into postShards shards by the top bits of the hash, each an
// open-addressing table of its own with its own arena, so that a batch of
// new postings is added on every core, one shard per goroutine, and a table
// that grows copies one shard, not all. Lists live in the shard's arena in
// blocks of doubling capacity; a list that outgrows its block moves to a
// new one and the old block is left behind (at most as much again as is in
// use, until compact). A list stops growing at maxPosting entries: a
// blocking key that common cannot select candidates anyway.
type postings struct {
	shards [postShards]pshard
}

const (
	postShardBits = 6
	postShards    = 1 << postShardBits
)

// pshard is one shard of postings: slots[i] holds a key's hash and where
// its list is.
type pshard struct {
	slots []pslot // length a power of two; h == 0 marks an empty slot
	n     int     // used slots
	data  arena[uint32]
	heap  *offheap
}

// pslot is a key of a shard and its list: 16 bytes, so that a table of
// tens of millions of keys stays small. The low 24 bits of n are the
// list's length; the high 8 bits its block's capacity, as a power of two,
// or exactCap when the block holds the list exactly (after compact).
type pslot struct {
	h   uint64
	pos uint32
	n   uint32
}

const (
	lenBits  = 24
	lenMask  = 1<<lenBits - 1
	exactCap = 0xff
)

const maxPosting = 1 << 20

func (s *pslot) len() int { return int(s.n & lenMask) }

// capacity is the room of the list's block.
func (s *pslot) capacity() int {
	c := s.n >> lenBits
	if c == exactCap {
		return s.len()
	}
	return 1 << c
}

// posting is one to add: an entity id under a key's hash.
type posting struct {
	h  uint64
	id uint32
}

func newPostings(heap *offheap) *postings {
	p := &postings{}
	for i := range p.shards {
		p.shards[i] = pshard{slots: make([]pslot, 64), data: arena[uint32]{size: 1 << 16, heap: heap}, heap: heap}
	}
	return p
}

// shardOf returns the shard number of key h.
func shardOf(h uint64) int { return int(h >> (64 - postShardBits)) }

func (p *postings) shard(h uint64) *pshard { return &p.shards[shardOf(h)] }

// get returns the list of key h, nil if there is none. The slice is valid
// until the list changes.
func (p *postings) get(h uint64) []uint32 {
	s := p.shard(h)
	i, ok := s.find(h)
	if !ok {
		return nil
	}
	sl := &s.slots[i]
	return s.data.slice(sl.pos, sl.len())
}

// size returns the length of the list of key h.
func (p *postings) size(h uint64) int {
	s := p.shard(h)
	i, ok := s.find(h)
	if !ok {
		return 0
	}
	return s.slots[i].len()
}

// add appends id to the list of key h.
func (p *postings) add(h uint64, id uint32) { p.shard(h).add(h, id) }

// remove deletes id from the list of key h.
func (p *postings) remove(h uint64, id uint32) { p.shard(h).remove(h, id) }

// drop deletes the list of key h.
func (p *postings) drop(h uint64) {
	s := p.shard(h)
	if i, ok := s.find(h); ok {
		s.del(i)
	}
}

// addPending adds the postings of pending, which holds those of each shard
// in the order they are to be appended, on every core.
func (p *postings) addPending(pending *[postShards][]posting) {
	parallel(postShards, func(i int) {
		s := &p.shards[i]
		ps := pending[i]
		if len(ps) >= slotOrderMin {
			ps = s.inSlotOrder(ps)
		}
		for _, x := range ps {
			s.add(x.h, x.id)
		}
	})
}

// slotOrderMin is how many postings a shard is given at once before
// inSlotOrder pays; a variable for tests.
var slotOrderMin = 4096

// inSlotOrder grows the shard's table to hold every key of ps as a new
// one, then returns ps ordered by the region of the table their keys
// probe (the postings of one key keep their order): added in that order,
// the table is read from one end to the other rather than at random. The
// regions are counted out in one pass (a counting sort on the high bits
// of the slot); the order within a region does not matter.
func (s *pshard) inSlotOrder(ps []posting) []posting {
	for 4*(s.n+len(ps)) > 3*len(s.slots) {
		s.grow()
	}
	bits := bitsLen(len(s.slots)) - 1
	rb := min(bits, max(1, bitsLen(len(ps))-2)) // about four postings a region
	shift := bits - rb
	mask := uint64(len(s.slots) - 1)
	count := make([]int32, 1<<rb+1)
	for _, x := range ps {
		count[(slotHash(x.h)&mask)>>shift+1]++
	}
	for r := 1; r < len(count); r++ {
		count[r] += count[r-1]
	}
	out := make([]posting, len(ps))
	for _, x := range ps {
		r := (slotHash(x.h) & mask) >> shift
		out[count[r]] = x
		count[r]++
	}
	return out
}

// compact copies every list into new arenas without spare room, leaving
// behind the blocks that lists outgrew as they doubled, one shard per core
// at a time. While it runs it needs memory for a shard's new arena besides
// the old.
func (p *postings) compact() {
	parallel(postShards, func(i int) { p.shards[i].compact() })
}

// keep 0 free for empty slots: the hash 0 is stored as 1.
func slotHash(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// find returns the slot of key h and whether it is there; when it is not,
// the slot is where it would go.
func (s *pshard) find(h uint64) (int, bool) {
	h = slotHash(h)
	mask := len(s.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		switch s.slots[i].h {
		case h:
			return i, true
		case 0:
			return i, false
		}
	}
}

func (s *pshard) add(h uint64, id uint32) {
	i, ok := s.find(h)
	if !ok {
		if 4*(s.n+1) > 3*len(s.slots) {
			s.grow()
			i, _ = s.find(h)
		}
		pos, d := s.data.alloc(1)
		d[0] = id
		s.slots[i] = pslot{h: slotHash(h), pos: pos, n: 1}
		s.n++
		return
	}
	sl := &s.slots[i]
	n := sl.len()
	if n >= maxPosting {
		return
	}
	if c := sl.capacity(); n == c {
		old := s.data.slice(sl.pos, n)
		nc := 1
		for nc <= n {
			nc <<= 1
		}
		pos, d := s.data.alloc(nc)
		copy(d, old)
		sl.pos = pos
		sl.n = uint32(n) | uint32(bitsLen(nc)-1)<<lenBits
	}
	d := s.data.slice(sl.pos, n+1)
	d[n] = id
	sl.n++
}

// bitsLen is the number of bits needed to write v.
func bitsLen(v int) int {
	n := 0
	for v > 0 {
		v >>= 1
		n++
	}
	return n
}

func (s *pshard) grow() {
	old := s.slots
	s.slots = offAlloc[pslot](s.heap, 2*len(old), 2*len(old))
	mask := len(s.slots) - 1
	for _, sl := range old {
		if sl.h == 0 {
			continue
		}
		i := int(sl.h) & mask
		for s.slots[i].h != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = sl
	}
	offFree(s.heap, old)
}

func (s *pshard) remove(h uint64, id uint32) {
	i, ok := s.find(h)
	if !ok {
		return
	}
	sl := &s.slots[i]
	d := s.data.slice(sl.pos, sl.len())
	for j, v := range d {
		if v == id {
			copy(d[j:], d[j+1:])
			sl.n--
			break
		}
	}
	if sl.len() == 0 {
		s.del(i)
	}
}

// del empties slot i and moves back the slots after it that probing would
// no longer reach (backward-shift deletion: no tombstones).
func (s *pshard) del(i int) {
	mask := len(s.slots) - 1
	s.n--
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		sl := s.slots[j]
		if sl.h == 0 {
			break
		}
		home := int(sl.h) & mask
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			s.slots[i] = sl
			i = j
		}
	}
	s.slots[i] = pslot{}
}

func (s *pshard) compact() {
	total := 0
	for i := range s.slots {
		if s.slots[i].h != 0 {
			total += s.slots[i].len()
		}
	}
	data := compactArena(s.heap, total)
	for i := range s.slots {
		sl := &s.slots[i]
		if sl.h == 0 {
			continue
		}
		n := sl.len()
		pos, d := data.alloc(n)
		copy(d, s.data.slice(sl.pos, n))
		sl.pos, sl.n = pos, uint32(n)|exactCap<<lenBits
	}
	s.data.release()
	s.data = data
}

// compactArena returns an arena to copy total values into: in one chunk of
// their size when they fit one, so that nothing is left over at its end.
func compactArena(heap *offheap, total int) arena[uint32] {
	return arena[uint32]{size: max(1, min(total, 1<<22)), heap: heap}
}

// values maps identifier keys to the entities that hold them, like
// postings, in an open-addressing table of its own: each slot holds the
// key's hash and the record id of the key's first entity, and a parallel
// array holds the list of entities. A value held by one record, the usual
// case, is looked up by reading one slot, without going through a map's
// control words, the list or the entity.
type values struct {
	slots []vslot // length a power of two; h == 0 marks an empty slot
	lists []plist // the list of slot i's key
	n     int     // used slots
	data  arena[uint32]
	heap  *offheap
}

// plist locates a list in an arena: its position, length and capacity.
type plist struct {
	pos, n, cap uint32
}

type vslot struct {
	h   uint64
	rec strRef // record id of the first entity; rec.n has vmany set when the list has more than one
}

const vmany = 1 << 31

func newValues(heap *offheap) *values {
	return &values{slots: make([]vslot, 1024), lists: make([]plist, 1024), data: arena[uint32]{size: 1 << 20, heap: heap}, heap: heap}
}

// vhash keeps 0 free for empty slots.
func vhash(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// find returns the slot of key h and whether it is there; when it is not,
// the slot is where it would go.
func (v *values) find(h uint64) (int, bool) {
	h = vhash(h)
	mask := len(v.slots) - 1
	for i := int(h>>32) & mask; ; i = (i + 1) & mask {
		switch v.slots[i].h {
		case h:
			return i, true
		case 0:
			return i, false
		}
	}
}

// one returns the record id of the first entity of key h, whether there
// is more than one entity, and whether the key is there at all.
func (v *values) one(h uint64) (rec strRef, many, ok bool) {
	i, ok := v.find(h)
	if !ok {
		return strRef{}, false, false
	}
	r := v.slots[i].rec
	many = r.n&vmany != 0
	r.n &^= vmany
	return r, many, true
}

// get returns the list of key h, nil if there is none. The slice is valid
// until the list changes.
func (v *values) get(h uint64) []uint32 {
	i, ok := v.find(h)
	if !ok {
		return nil
	}
	l := &v.lists[i]
	return v.data.slice(l.pos, int(l.n))
}

// size returns the length of the list of key h.
func (v *values) size(h uint64) int {
	i, ok := v.find(h)
	if !ok {
		return 0
	}
	return int(v.lists[i].n)
}

// add appends id, an entity of record rec, to the list of key h.
func (v *values) add(h uint64, id uint32, rec strRef) {
	i, ok := v.find(h)
	if !ok {
		if 4*(v.n+1) > 3*len(v.slots) {
			v.grow()
			i, _ = v.find(h)
		}
		pos, s := v.data.alloc(1)
		s[0] = id
		v.slots[i] = vslot{h: vhash(h), rec: rec}
		v.lists[i] = plist{pos: pos, n: 1, cap: 1}
		v.n++
		return
	}
	l := &v.lists[i]
	if l.n >= maxPosting {
		return
	}
	if l.n == l.cap {
		old := v.data.slice(l.pos, int(l.n))
		pos, s := v.data.alloc(int(l.cap) * 2)
		copy(s, old)
		l.pos, l.cap = pos, l.cap*2
	}
	s := v.data.slice(l.pos, int(l.n)+1)
	s[l.n] = id
	l.n++
	v.slots[i].rec.n |= vmany
}

func (v *values) grow() {
	old, oldLists := v.slots, v.lists
	v.slots = offAlloc[vslot](v.heap, 2*len(old), 2*len(old))
	v.lists = offAlloc[plist](v.heap, 2*len(old), 2*len(old))
	defer offFree(v.heap, old)
	defer offFree(v.heap, oldLists)
	mask := len(v.slots) - 1
	for j, s := range old {
		if s.h == 0 {
			continue
		}
		i := int(s.h>>32) & mask
		for v.slots[i].h != 0 {
			i = (i + 1) & mask
		}
		v.slots[i], v.lists[i] = s, oldLists[j]
	}
}

// remove deletes id from the list of key h; recOf gives the record id of
// the entity that becomes first.
func (v *values) remove(h uint64, id uint32, recOf func(uint32) strRef) {
	i, ok := v.find(h)
	if !ok {
		return
	}
	l := &v.lists[i]
	s := v.data.slice(l.pos, int(l.n))
	for j, x := range s {
		if x == id {
			copy(s[j:], s[j+1:])
			l.n--
			break
		}
	}
	if l.n == 0 {
		v.del(i)
		return
	}
	v.slots[i].rec = recOf(s[0])
	if l.n > 1 {
		v.slots[i].rec.n |= vmany
	}
}

// drop deletes the list of key h.
func (v *values) drop(h uint64) {
	if i, ok := v.find(h); ok {
		v.del(i)
	}
}

// del empties slot i and moves back the slots after it that probing would
// no longer reach (backward-shift deletion: no tombstones).
func (v *values) del(i int) {
	mask := len(v.slots) - 1
	v.n--
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		s := v.slots[j]
		if s.h == 0 {
			break
		}
		home := int(s.h>>32) & mask
		// Move s into the hole at i when its home is not in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			v.slots[i], v.lists[i] = s, v.lists[j]
			i = j
		}
	}
	v.slots[i], v.lists[i] = vslot{}, plist{}
}

// compact is postings.compact for identifier values.
func (v *values) compact() {
	total := 0
	for i := range v.lists {
		if v.slots[i].h != 0 {
			total += int(v.lists[i].n)
		}
	}
	data := compactArena(v.heap, total)
	for i := range v.lists {
		l := &v.lists[i]
		if v.slots[i].h == 0 || l.n == 0 {
			*l = plist{}
			continue
		}
		pos, s := data.alloc(int(l.n))
		copy(s, v.data.slice(l.pos, int(l.n)))
		l.pos, l.cap = pos, l.n
	}
	v.data.release()
	v.data = data
}

// recTable finds a record's index by the hash of its id: an
// open-addressing table of 8-byte slots, probed linearly from the slot the
// hash's top bits name. A slot holds the hash's top 32 bits, so that a
// probe compares record ids only when those agree and the table grows
// without reading an id, and the record's index plus one (0 for an empty
// slot, recGone for a removed record, which probing steps over). Looking a
// record up ends where it would be put, so that adding one probes once.
type recTable struct {
	slots []recSlot // length a power of two
	bits  uint
	used  int // slots not empty, removed ones included
	heap  *offheap
}

type recSlot struct {
	tag uint32
	ri  uint32 // record index + 1; 0 empty; recGone removed
}

const recGone = ^uint32(0)

// find returns the index of the record whose id is id and hashes to h
// (ok), or the slot where such a record is to be put (the first removed
// slot on the way, else the empty one that ended the probe).
func (t *recTable) find(h uint64, id func(ri uint32) bool) (slot int, ri uint32, ok bool) {
	if t.slots == nil {
		t.grow()
	}
	tag := uint32(h >> 32)
	mask := len(t.slots) - 1
	free := -1
	for i := int(h >> (64 - t.bits)); ; i = (i + 1) & mask {
		s := t.slots[i]
		switch {
		case s.ri == 0:
			if free < 0 {
				free = i
			}
			return free, 0, false
		case s.ri == recGone:
			if free < 0 {
				free = i
			}
		case s.tag == tag && id(s.ri-1):
			return i, s.ri - 1, true
		}
	}
}

// set puts record ri with hash h in slot (from find). It may grow the
// table, which moves slots: a slot from find is good until the next set.
func (t *recTable) set(slot int, h uint64, ri uint32) {
	if t.slots[slot].ri == 0 {
		t.used++
	}
	t.slots[slot] = recSlot{tag: uint32(h >> 32), ri: ri + 1}
	if t.used*4 >= len(t.slots)*3 {
		t.grow()
	}
}

// remove marks slot (from find) as a removed record.
func (t *recTable) remove(slot int) { t.slots[slot].ri = recGone }

// grow doubles the table, or rebuilds it at its size when removed
// records take much of it, leaving removed slots behind.
func (t *recTable) grow() {
	live := 0
	for _, s := range t.slots {
		if s.ri != 0 && s.ri != recGone {
			live++
		}
	}
	bits := max(t.bits, 10)
	for live*2 >= 1<<bits {
		bits++
	}
	old := t.slots
	t.slots, t.bits, t.used = offAlloc[recSlot](t.heap, 1<<bits, 1<<bits), bits, live
	defer offFree(t.heap, old)
	mask := len(t.slots) - 1
	for _, s := range old {
		if s.ri == 0 || s.ri == recGone {
			continue
		}
		i := int(s.tag >> (32 - bits))
		for t.slots[i].ri != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}
