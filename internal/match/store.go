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
	size   int // values per chunk
}

func (a *arena[T]) alloc(n int) (pos uint32, s []T) {
	if a.size == 0 {
		a.size = 1 << 20
	}
	if len(a.chunks) == 0 || len(a.chunks[len(a.chunks)-1])+n > cap(a.chunks[len(a.chunks)-1]) {
		a.chunks = append(a.chunks, make([]T, 0, max(a.size, n)))
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

// postings maps keys to lists of entity ids. Lists live in an arena in
// blocks of doubling capacity; a list that outgrows its block moves to a
// new one and the old block is left behind (at most as much again as is
// in use). A list stops growing at maxPosting entries: a blocking key that
// common cannot select candidates anyway.
type postings struct {
	m     map[uint64]uint32 // key → index in lists
	lists []plist
	free  []uint32
	data  arena[uint32]
}

type plist struct {
	pos, n, cap uint32
}

const maxPosting = 1 << 20

func newPostings() *postings {
	return &postings{m: map[uint64]uint32{}, data: arena[uint32]{size: 1 << 22}}
}

// get returns the list of key h, nil if there is none. The slice is valid
// until the list changes.
func (p *postings) get(h uint64) []uint32 {
	i, ok := p.m[h]
	if !ok {
		return nil
	}
	l := &p.lists[i]
	return p.data.slice(l.pos, int(l.n))
}

// size returns the length of the list of key h.
func (p *postings) size(h uint64) int {
	i, ok := p.m[h]
	if !ok {
		return 0
	}
	return int(p.lists[i].n)
}

// add appends id to the list of key h.
func (p *postings) add(h uint64, id uint32) {
	i, ok := p.m[h]
	if !ok {
		if n := len(p.free); n > 0 {
			i = p.free[n-1]
			p.free = p.free[:n-1]
		} else {
			i = uint32(len(p.lists))
			p.lists = append(p.lists, plist{})
		}
		pos, s := p.data.alloc(1)
		s[0] = id
		p.lists[i] = plist{pos: pos, n: 1, cap: 1}
		p.m[h] = i
		return
	}
	l := &p.lists[i]
	if l.n >= maxPosting {
		return
	}
	if l.n == l.cap {
		old := p.data.slice(l.pos, int(l.n))
		pos, s := p.data.alloc(int(l.cap) * 2)
		copy(s, old)
		l.pos, l.cap = pos, l.cap*2
	}
	s := p.data.slice(l.pos, int(l.n)+1)
	s[l.n] = id
	l.n++
}

// remove deletes id from the list of key h.
func (p *postings) remove(h uint64, id uint32) {
	i, ok := p.m[h]
	if !ok {
		return
	}
	l := &p.lists[i]
	s := p.data.slice(l.pos, int(l.n))
	for j, v := range s {
		if v == id {
			copy(s[j:], s[j+1:])
			l.n--
			break
		}
	}
	if l.n == 0 {
		delete(p.m, h)
		p.free = append(p.free, i)
	}
}

// drop deletes the list of key h.
func (p *postings) drop(h uint64) {
	if i, ok := p.m[h]; ok {
		p.lists[i].n = 0
		delete(p.m, h)
		p.free = append(p.free, i)
	}
}
