package match

import (
	"sync"

	"liaison/internal/match/norm"
)

// nameCache keeps the renderings of recently normalised names: the same
// consignees, shippers and persons recur across many records, and
// normalising a name (folding, transliteration, legal forms) costs more
// than looking it up. It holds at most max names and forgets them all
// when full, which keeps it simple and bounded. It is safe for concurrent
// use; the renderings it returns are shared and must not be changed.
type nameCache struct {
	mu  sync.Mutex
	m   map[nameKey][]norm.Rendering
	max int
}

type nameKey struct {
	name string
	kind norm.Kind
}

func newNameCache(max int) *nameCache {
	return &nameCache{m: make(map[nameKey][]norm.Rendering), max: max}
}

// name returns nm.Name(s, kind), from the cache when it is there.
func (c *nameCache) name(nm *norm.Normalizer, s string, kind norm.Kind) []norm.Rendering {
	k := nameKey{s, kind}
	c.mu.Lock()
	rs, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return rs
	}
	rs = nm.Name(s, kind)
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = rs
	c.mu.Unlock()
	return rs
}
