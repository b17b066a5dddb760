package procstat

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

func TestUsageGrowsWithWork(t *testing.T) {
	before := Now()
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	runtime.KeepAlive(x)
	if after := Now(); after.CPU <= before.CPU || after.System < before.System || after.Faults < before.Faults {
		t.Errorf("usage went from %+v to %+v, want more processor time and nothing less", before, after)
	}
}

func TestWrittenCountsWrites(t *testing.T) {
	w0, err := Written()
	if err != nil {
		t.Skip(err) // not on Linux
	}
	if err := os.WriteFile(filepath.Join(t.TempDir(), "f"), make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	w1, err := Written()
	if err != nil {
		t.Fatal(err)
	}
	if w1-w0 < 1<<20 {
		t.Errorf("writing 1 MiB counted %d bytes", w1-w0)
	}
}

// BenchmarkPageFault measures what the host charges for a page of memory
// new to the process: a page of an anonymous mapping written for the first
// time (ns/op is per page). It is a reference for the benchmarks' faults
// per envelope or per record, as raw signing is for their rates: on the
// virtual machine of docs/BENCHMARKS.md a fault costs about 11 µs, where
// a physical machine takes well under one.
func BenchmarkPageFault(b *testing.B) {
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, b.N*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		b.Fatalf("map %d pages: %v", b.N, err)
	}
	defer func() {
		if err := syscall.Munmap(mem); err != nil {
			b.Fatal(err)
		}
	}()
	f0 := Now().Faults
	b.ResetTimer()
	for i := range b.N {
		mem[i*page] = 1
	}
	b.StopTimer()
	b.ReportMetric(float64(Now().Faults-f0)/float64(b.N), "faults/op")
}

// BenchmarkRandomRead measures the latency of a read from memory far from
// the last (ns/op is per read): it follows a random cycle through 256 MiB,
// each read's address given by the one before, so that none is served
// from a cache or overlapped with another. Cross-matching is mostly such
// reads; on a shared host their latency moves with other tenants' use of
// memory, while signing (the other host reference) hardly moves.
func BenchmarkRandomRead(b *testing.B) {
	const n = 64 << 20 // uint32s: 256 MiB
	next := make([]uint32, n)
	for i := range next {
		next[i] = uint32(i)
	}
	// Sattolo's algorithm: one cycle through every element.
	rng := uint64(42)
	for i := n - 1; i > 0; i-- {
		rng = rng*6364136223846793005 + 1442695040888963407
		j := int((rng >> 33) % uint64(i))
		next[i], next[j] = next[j], next[i]
	}
	b.ResetTimer()
	p := uint32(0)
	for range b.N {
		p = next[p]
	}
	b.StopTimer()
	if p == n { // never: keeps the chase from being optimised away
		b.Fatal(p)
	}
}
