package match

import (
	"syscall"
	"unsafe"
)

// adviseHuge asks the kernel to back the whole huge pages within size bytes
// from p with huge pages. The index's tables and arenas are read at random
// over gigabytes: with pages of 4 KiB nearly every read misses the
// processor's address cache as well as its data cache, and the page walk
// costs as much as the read. It is advice: where the kernel has transparent
// huge pages disabled, or none to give, nothing changes.
func adviseHuge(p unsafe.Pointer, size uintptr) {
	if size < hugePage {
		return
	}
	start := (uintptr(p) + hugePage - 1) &^ (hugePage - 1)
	end := (uintptr(p) + size) &^ (hugePage - 1)
	if end <= start {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start)
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
