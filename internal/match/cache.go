package match

import (
	"hash/maphash"
	"sync"

	"liaison/internal/match/norm"
)

// nameCache keeps the renderings of recently normalised names: the same
// consignees, shippers and persons recur across many records, and
// normalising a name (folding, transliteration, legal forms) costs more
// than looking it up. Each name has one slot, chosen by its hash, and
// takes it from the name that had it: the cache holds at most about max
// names, keeps the most recent of those that compete for a slot and never
// grows or empties at once. The slots are split among shards, each with
// its own lock, so that the goroutines that prepare records at the same
// time seldom wait for one another. It is safe for concurrent use; the
// renderings it returns are shared and must not be changed.
type nameCache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
	mask   uint64 // of a slot's index within its shard
}

// cacheShards is how many shards the slots are split among.
const cacheShards = 64

type cacheShard struct {
	mu    sync.Mutex
	slots []cacheSlot
	// Shards are apart in memory, so that locking one does not take the
	// cache line of the next from another core.
	_ [40]byte
}

type cacheSlot struct {
	h    uint64 // of name and kind: most misses are told without reading name
	name string
	kind norm.Kind
	full bool
	rs   []norm.Rendering
	d    *nameDerived
}

// nameDerived is what prepare works out from a name's renderings for an
// entity of one type: its tokens' vocabulary ids (every one known) and its
// keys. It depends on nothing else, and a token's id never changes, so a
// name that recurs is given them again without hashing its skeletons or
// looking its tokens up.
type nameDerived struct {
	typ  uint8
	toks []uint32
	keys []key
}

func newNameCache(max int) *nameCache {
	per := 1
	for per*cacheShards < max {
		per *= 2
	}
	c := &nameCache{seed: maphash.MakeSeed(), mask: uint64(per - 1)}
	for i := range c.shards {
		c.shards[i].slots = make([]cacheSlot, per)
	}
	return c
}

// name returns nm.Name(s, kind), from the cache when it is there.
func (c *nameCache) name(nm *norm.Normalizer, s string, kind norm.Kind) []norm.Rendering {
	rs, _, _ := c.derived(nm, s, kind)
	return rs
}

// derived is name, with what keep last left with the renderings (nil
// when nothing was) and whether the renderings came from the cache.
func (c *nameCache) derived(nm *norm.Normalizer, s string, kind norm.Kind) ([]norm.Rendering, *nameDerived, bool) {
	h, sh, slot := c.slot(s, kind)
	sh.mu.Lock()
	if slot.full && slot.h == h && slot.kind == kind && slot.name == s {
		rs, d := slot.rs, slot.d
		sh.mu.Unlock()
		return rs, d, true
	}
	sh.mu.Unlock()
	rs := nm.Name(s, kind)
	sh.mu.Lock()
	*slot = cacheSlot{h: h, name: s, kind: kind, full: true, rs: rs}
	sh.mu.Unlock()
	return rs, nil, false
}

// keep leaves d with the renderings rs of name s, if the cache still holds
// them.
func (c *nameCache) keep(s string, kind norm.Kind, rs []norm.Rendering, d *nameDerived) {
	_, sh, slot := c.slot(s, kind)
	sh.mu.Lock()
	if slot.full && len(slot.rs) > 0 && len(rs) > 0 && &slot.rs[0] == &rs[0] {
		slot.d = d
	}
	sh.mu.Unlock()
}

func (c *nameCache) slot(s string, kind norm.Kind) (uint64, *cacheShard, *cacheSlot) {
	h := maphash.String(c.seed, s) + uint64(kind)*0x9E3779B97F4A7C15
	sh := &c.shards[h%cacheShards]
	return h, sh, &sh.slots[(h/cacheShards)&c.mask]
}
