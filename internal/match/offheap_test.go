package match

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"liaison/internal/intel"
)

// offheapIndex returns an index of n records, each with a person and a
// container, large enough that its tables are mapped outside the Go heap.
func offheapIndex(t *testing.T, n int) *Index {
	t.Helper()
	ix := MustIndex(t)
	rs := make([]*intel.Record, n)
	for i := range rs {
		r := seizure(intel.Party{Type: "person", Name: fmt.Sprintf("Chan Tai Man %d", i%997), BirthDate: "1975-03-02"})
		r.ID = fmt.Sprintf("R%06d", i)
		r.Seizure.Containers = []string{containerNumber(i)}
		rs[i] = r
	}
	ix.AddRecords(rs)
	return ix
}

// TestOffHeapTablesGoWithTheIndex checks that an index's large tables are
// held outside the Go heap, and given back once the index is no longer
// referred to.
func TestOffHeapTablesGoWithTheIndex(t *testing.T) {
	if !canMap {
		t.Skip("tables are Go memory on this platform")
	}
	ix := offheapIndex(t, 40000)
	h := ix.heap
	held := h.bytes()
	if held < 4*offMin {
		t.Fatalf("an index of 40,000 records holds %d bytes outside the Go heap, want its large tables there", held)
	}
	if got := ix.Lookup(Container, containerNumber(123), nil, nil); len(got) != 1 || got[0] != "R000123" {
		t.Fatalf("lookup in the mapped tables: %v", got)
	}
	res := ix.Search(Query{Name: "Chan Tai Man 123", Type: Person, Limit: 1}, nil)
	if len(res) != 1 {
		t.Fatalf("search in the mapped tables: %v", res)
	}
	before := OffHeapBytes()
	runtime.KeepAlive(ix)
	ix = nil
	deadline := time.Now().Add(10 * time.Second)
	for h.bytes() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes still held outside the Go heap 10 s after the index was dropped", h.bytes())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if now := OffHeapBytes(); now > before-held {
		t.Errorf("the process holds %d bytes outside the Go heap after the index of %d was dropped, %d before", now, held, before)
	}
	// A result outlives its index: its strings are its own.
	if res[0].Entity.Name != "Chan Tai Man 123" || res[0].Record != "R000123" {
		t.Errorf("a result of the dropped index reads %q in %q", res[0].Entity.Name, res[0].Record)
	}
}

// TestOffHeapTablesGivenBackWhenReplaced checks that a table replaced by a
// larger one (as tables grow) or by a compacted one is given back at once:
// every mapping the index holds is a table in use, before and after
// Compact, and Compact gives back the room that lists outgrew.
func TestOffHeapTablesGivenBackWhenReplaced(t *testing.T) {
	if !canMap {
		t.Skip("tables are Go memory on this platform")
	}
	ix := offheapIndex(t, 60000)
	grown := ix.heap.bytes()
	checkMappingsInUse(t, ix)
	ix.Compact()
	checkMappingsInUse(t, ix)
	if after := ix.heap.bytes(); after >= grown {
		t.Errorf("Compact left %d bytes mapped, %d before it", after, grown)
	}
	if got := ix.Lookup(Container, containerNumber(59999), nil, nil); len(got) != 1 {
		t.Errorf("lookup after Compact: %v", got)
	}
	if res := ix.Search(Query{Name: "Chan Tai Man 5", Type: Person, Limit: 5}, nil); len(res) == 0 {
		t.Errorf("no name found after Compact")
	}
	runtime.KeepAlive(ix)
}

// checkMappingsInUse fails unless every table ix holds outside the Go heap
// is one of its tables in use, and the entity table is among them.
func checkMappingsInUse(t *testing.T, ix *Index) {
	t.Helper()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	inUse := map[uintptr]string{}
	add := func(name string, p unsafe.Pointer) { inUse[uintptr(p)] = name }
	add("ents", unsafePointerOf(ix.ents))
	add("nrend", unsafePointerOf(ix.nrend))
	add("records", unsafePointerOf(ix.recByID.slots))
	add("tokens", unsafePointerOf(ix.voc.slots))
	add("values", unsafePointerOf(ix.vals.slots))
	add("value lists", unsafePointerOf(ix.vals.lists))
	chunks := func(name string, a *arena[uint32]) {
		for _, c := range a.chunks {
			add(name, unsafePointerOf(c))
		}
	}
	for _, c := range ix.fields.a.chunks {
		add("fields", unsafePointerOf(c))
	}
	chunks("codes", &ix.codes)
	chunks("lists", &ix.lists)
	chunks("value data", &ix.vals.data)
	for i := range ix.post.shards {
		s := &ix.post.shards[i]
		add("posting slots", unsafePointerOf(s.slots))
		chunks("posting data", &s.data)
	}
	ix.heap.mu.Lock()
	defer ix.heap.mu.Unlock()
	for p, m := range ix.heap.maps {
		if _, ok := inUse[p]; !ok {
			t.Errorf("a mapping of %d bytes is held that no table uses", m.size)
		}
	}
	if _, ok := ix.heap.maps[uintptr(unsafePointerOf(ix.ents))]; !ok {
		t.Errorf("the entity table (%d entities) is not held outside the Go heap", len(ix.ents))
	}
}

// TestOffHeapRefusesPointers checks that a table whose values hold
// pointers, which the garbage collector would not see there, is never
// mapped outside the Go heap.
func TestOffHeapRefusesPointers(t *testing.T) {
	if !canMap {
		t.Skip("tables are Go memory on this platform")
	}
	h := newOffheap()
	defer h.release()
	defer func() {
		if recover() == nil {
			t.Errorf("a table of strings was mapped outside the Go heap")
		}
	}()
	offAlloc[string](h, 0, offMin)
}

// TestPointerFree checks the types the index maps outside the Go heap,
// and some it must not.
func TestPointerFree(t *testing.T) {
	for _, c := range []struct {
		typ  any
		want bool
	}{
		{ent{}, true}, {pslot{}, true}, {vslot{}, true}, {plist{}, true}, {recSlot{}, true}, {tokSlot{}, true},
		{uint32(0), true}, {uint8(0), true},
		{"", false}, {[]uint32(nil), false}, {struct{ p *int }{}, false}, {[2]string{}, false},
	} {
		if got := pointerFree(reflectTypeOf(c.typ)); got != c.want {
			t.Errorf("pointerFree(%T) = %v, want %v", c.typ, got, c.want)
		}
	}
}

// bytes is what h holds.
func (h *offheap) bytes() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var n int64
	for _, m := range h.maps {
		n += m.size
	}
	return n
}

func unsafePointerOf[T any](s []T) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(s)) }

func reflectTypeOf(v any) reflect.Type { return reflect.TypeOf(v) }
