package bufpool

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// TestPool checks that Get gives an empty slice with the room asked for,
// reusing what Put kept, and that Put keeps nothing over Max.
func TestPool(t *testing.T) {
	// A collection may empty a sync.Pool at any time.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	p := Pool{Max: 1024}
	b := p.Get(100)
	if len(b) != 0 || cap(b) < 100 {
		t.Fatalf("Get(100): len %d cap %d", len(b), cap(b))
	}
	b = append(b, "kept"...)
	back := false
	for i := 0; i < 100 && !back; i++ {
		p.Put(b)
		c := p.Get(10)
		if len(c) != 0 || cap(c) < 10 {
			t.Fatalf("Get(10): len %d cap %d", len(c), cap(c))
		}
		back = &c[:1][0] == &b[:1][0]
	}
	if !back {
		t.Fatal("the buffer Put kept never came back from Get")
	}
	if c := p.Get(5000); cap(c) < 5000 {
		t.Fatalf("Get(5000) room %d", cap(c))
	}
	big := make([]byte, 0, 4096)
	for range 10 {
		p.Put(big)
		if c := p.Get(0); cap(c) == 4096 {
			t.Fatal("a buffer over Max was kept")
		}
	}
	var zero Pool
	zero.Put(make([]byte, 10))
	if c := zero.Get(3); cap(c) < 3 {
		t.Fatal("the zero Pool gave too little room")
	}
}

// Buffers a pool keeps for good come back after garbage collections, which
// empty its sync.Pool.
func TestKeptSurviveCollections(t *testing.T) {
	p := Pool{Max: 1 << 20, Keep: 2}
	a, b, c := p.Get(1000), p.Get(1000), p.Get(1000)
	for _, x := range [][]byte{a, b, c} {
		p.Put(x)
	}
	runtime.GC()
	runtime.GC()
	got := map[*byte]bool{}
	for range 2 {
		x := p.Get(1000)
		got[&x[:1][0]] = true
	}
	if !got[&a[:1][0]] || !got[&b[:1][0]] {
		t.Error("the two buffers kept for good did not come back after two collections")
	}
	// A kept buffer too small for a Get stays kept.
	small := Pool{Max: 1 << 20, Keep: 1}
	s := small.Get(10)
	small.Put(s)
	if big := small.Get(5000); cap(big) < 5000 {
		t.Fatalf("Get(5000) room %d", cap(big))
	}
	if again := small.Get(10); &again[:1][0] != &s[:1][0] {
		t.Error("the small kept buffer was dropped by a larger Get")
	}
}
