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
	name string
	kind norm.Kind
	full bool
	rs   []norm.Rendering
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
	h := maphash.String(c.seed, s) + uint64(kind)*0x9E3779B97F4A7C15
	sh := &c.shards[h%cacheShards]
	slot := &sh.slots[(h/cacheShards)&c.mask]
	sh.mu.Lock()
	if slot.full && slot.kind == kind && slot.name == s {
		rs := slot.rs
		sh.mu.Unlock()
		return rs
	}
	sh.mu.Unlock()
	rs := nm.Name(s, kind)
	sh.mu.Lock()
	*slot = cacheSlot{name: s, kind: kind, full: true, rs: rs}
	sh.mu.Unlock()
	return rs
}
