package match

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"testing"
)

// TestRecTableAsMap checks recTable against a map through adds, removals,
// re-adds and the growth and cleaning they cause, with hashes that share
// their top bits (so that probes run long and compare ids) as well as
// spread ones.
func TestRecTableAsMap(t *testing.T) {
	for _, clustered := range []bool{false, true} {
		seed := maphash.MakeSeed()
		hash := func(id string) uint64 {
			h := maphash.String(seed, id)
			if clustered {
				return h&0xffff | 0xabcd<<48 // every id in one run of slots, tags equal
			}
			return h
		}
		var tab recTable
		ids := []string{}            // record index → id ("" when free)
		model := map[string]uint32{} // id → record index
		var free []uint32
		same := func(id string) func(uint32) bool {
			return func(ri uint32) bool { return ids[ri] == id }
		}
		rng := rand.New(rand.NewPCG(1, 2))
		n := 20000
		if clustered {
			n = 1500
		}
		for step := range 6 * n {
			id := fmt.Sprintf("R%d", rng.IntN(n))
			h := hash(id)
			slot, ri, ok := tab.find(h, same(id))
			want, wok := model[id]
			if ok != wok || ok && ri != want {
				t.Fatalf("clustered=%v step %d: find(%s) = %d, %v; want %d, %v", clustered, step, id, ri, ok, want, wok)
			}
			if ok && rng.IntN(2) == 0 {
				tab.remove(slot)
				ids[ri] = ""
				free = append(free, ri)
				delete(model, id)
				continue
			}
			if ok {
				continue
			}
			if k := len(free); k > 0 {
				ri = free[k-1]
				free = free[:k-1]
				ids[ri] = id
			} else {
				ri = uint32(len(ids))
				ids = append(ids, id)
			}
			tab.set(slot, h, ri)
			model[id] = ri
		}
		for id, want := range model {
			if _, ri, ok := tab.find(hash(id), same(id)); !ok || ri != want {
				t.Fatalf("clustered=%v: %s at %d, %v; want %d", clustered, id, ri, ok, want)
			}
		}
		if tab.used*4 >= len(tab.slots)*3 {
			t.Fatalf("clustered=%v: %d of %d slots used", clustered, tab.used, len(tab.slots))
		}
	}
}
