package match

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"
)

// offheap holds the memory of an index's large tables (posting lists and
// their slots, entities, renderings' codes, the lookup tables of values,
// records and tokens) outside the Go heap, where the operating system
// maps it for the index alone, on the platforms that allow it (see
// offheap_linux.go; elsewhere the tables are ordinary Go memory).
//
// The tables hold no pointers, so the garbage collector has nothing to
// find in them; held in its heap, they only raised the heap size it paces
// itself by. While an index is rebuilt the tables grow by gigabytes, and
// the collector, waiting for a heap twice their size, let as much garbage
// pile up in memory new to the process between collections: every page of
// it faulted in and cleared. Outside the heap, the garbage of preparing
// records is collected while it is small and its memory reused, the tables
// are not cleared twice (the kernel gives mapped memory zeroed), and a
// table replaced by a larger one, or by a compacted one, is given back at
// once.
//
// Every read of these tables is made under one of the index's locks,
// whose release refers to the index: the index stays referred to, and its
// tables mapped, while they are read.
//
// Only memory that nothing outside the index refers to may be held here:
// strings handed out (record ids, entity fields, token spellings) stay in
// Go memory, which lives as long as they are referred to. A table is
// freed under the lock that guards it (the index's mu, or vocabMu for the
// tokens' lookup table), when no reader holds it, and every table still
// held is freed when the index itself is no longer referred to.
type offheap struct {
	mu       sync.Mutex
	maps     map[uintptr]mapping // by the table's start, every mapping held
	released bool
}

// offMin is the size from which a table is mapped outside the Go heap:
// smaller ones are many and would cost a mapping each.
const offMin = 1 << 20

// offheapBytes is the memory every index holds outside the Go heap, for
// tests and metrics.
var offheapBytes atomic.Int64

// OffHeapBytes returns the memory the indexes of the process have mapped
// outside the Go heap: resident once written, it counts towards the
// process's resident memory, not towards the heap that runtime/metrics
// and GOMEMLIMIT see.
func OffHeapBytes() int64 { return offheapBytes.Load() }

// mapping is a table's mapping: the memory mapped, and how much of it
// the table may use.
type mapping struct {
	b    []byte
	size int64
}

func newOffheap() *offheap { return &offheap{maps: map[uintptr]mapping{}} }

// offAlloc is makeHuge[T](n, c), in memory mapped by h when h is not nil,
// the table is at least offMin bytes and the platform maps memory; T must
// hold no pointers. The memory is zeroed. It is freed by offFree, or when
// h is released.
func offAlloc[T any](h *offheap, n, c int) []T {
	var z T
	size := uintptr(c) * unsafe.Sizeof(z)
	if h == nil || size < offMin || !canMap {
		return makeHuge[T](n, c)
	}
	if !pointerFree(reflect.TypeFor[T]()) {
		panic(fmt.Sprintf("match: %s holds pointers and cannot be kept outside the Go heap", reflect.TypeFor[T]()))
	}
	// A table of huge pages starts on one and fills them whole: mapped
	// where the kernel chooses, a 4 MiB chunk would have one huge page
	// and two halves of 4 KiB pages, read at random as often. The space
	// mapped around the table is never touched and takes no memory.
	span := size
	if size >= hugePage {
		size = (size + hugePage - 1) &^ (hugePage - 1)
		span = size + hugePage
	}
	b, err := mapAnon(int(span))
	if err != nil {
		// The mapping was refused (a limit on mappings or address
		// space): the Go heap serves, as it would anywhere else.
		return makeHuge[T](n, c)
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if span != size {
		p = unsafe.Add(p, (hugePage-uintptr(p)%hugePage)%hugePage)
		adviseHuge(p, size)
	}
	h.mu.Lock()
	if h.released {
		h.mu.Unlock()
		panic("match: table allocated for an index already released")
	}
	h.maps[uintptr(p)] = mapping{b: b, size: int64(size)}
	h.mu.Unlock()
	offheapBytes.Add(int64(size))
	return unsafe.Slice((*T)(p), c)[:n]
}

// offFree gives back the memory of s, a table offAlloc returned (s
// starting where it starts), once nothing reads it any more. A table of
// the Go heap is left to the garbage collector.
//
// The memory is unmapped, and OffHeapBytes lowered, under h.mu, as
// release does: once h no longer lists a table, its memory is given back
// and no longer counted.
func offFree[T any](h *offheap, s []T) {
	if h == nil || cap(s) == 0 {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	h.mu.Lock()
	defer h.mu.Unlock()
	if m, ok := h.maps[p]; ok {
		delete(h.maps, p)
		unmapAnon(m)
	}
}

// release frees every table h still holds: the index is gone.
func (h *offheap) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.maps {
		unmapAnon(m)
	}
	h.maps, h.released = nil, true
}

func unmapAnon(m mapping) {
	if err := munmapAnon(m.b); err != nil {
		// Only a wrong address fails, which would be a bug here.
		panic(fmt.Sprintf("match: give back a table of %d bytes: %v", m.size, err))
	}
	offheapBytes.Add(-m.size)
}

// pointerFree reports whether values of t hold no pointers, so that
// memory the garbage collector does not see may hold them.
func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Array:
		return t.Len() == 0 || pointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}
