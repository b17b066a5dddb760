package match

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestMakeHugeAdvises checks that a large table is advised to the kernel
// for huge pages (the "hg" flag of its mapping in /proc/self/smaps) and a
// small one is left alone.
func TestMakeHugeAdvises(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	big := makeHuge[uint32](0, 4<<20) // 16 MiB
	small := makeHuge[uint32](0, 1<<10)
	mid := uintptr(unsafe.Pointer(unsafe.SliceData(big))) + 8<<20
	if !advisedHuge(t, mid) {
		t.Errorf("the middle of a 16 MiB table is not advised for huge pages")
	}
	if advisedHuge(t, uintptr(unsafe.Pointer(unsafe.SliceData(small)))) {
		t.Errorf("a 4 KiB table is advised for huge pages")
	}
}

// advisedHuge reports whether the mapping holding addr has the "hg" flag.
func advisedHuge(t *testing.T, addr uintptr) bool {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		// A mapping starts with its range ("7f00…-7f00… rw-p …"); its
		// attributes follow, one "Name: value" a line.
		if !strings.HasSuffix(fields[0], ":") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(addr) >= a && uint64(addr) < b
			continue
		}
		if in && fields[0] == "VmFlags:" {
			return slices.Contains(fields[1:], "hg")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return false
}

// TestOffAllocAdvises checks that a table mapped outside the Go heap is
// advised for huge pages as makeHuge's are, and that giving it back
// removes the mapping.
func TestOffAllocAdvises(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	h := newOffheap()
	defer h.release()
	big := offAlloc[uint32](h, 0, 4<<20) // 16 MiB
	start := uintptr(unsafe.Pointer(unsafe.SliceData(big)))
	if start%hugePage != 0 {
		t.Errorf("a 16 MiB mapped table starts at %#x, not on a huge page", start)
	}
	for _, at := range []uintptr{start, start + 8<<20, start + 16<<20 - 1} {
		if !advisedHuge(t, at) {
			t.Errorf("byte %d of a 16 MiB mapped table is not advised for huge pages", at-start)
		}
	}
	offFree(h, big)
	if h.bytes() != 0 {
		t.Errorf("%d bytes held after the only table was given back", h.bytes())
	}
}
