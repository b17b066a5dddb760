package procstat

import (
	"os"
	"path/filepath"
	"runtime"
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
