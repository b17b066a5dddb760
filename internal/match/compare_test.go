package match

import (
	"math"
	"testing"
)

// TestSimTable checks the similarity table against a map: what is put is
// found until reset, growing keeps every entry, and nothing survives a
// reset, the generation's wrapping included.
func TestSimTable(t *testing.T) {
	var tb simTable
	want := map[uint64]float64{}
	check := func(when string) {
		t.Helper()
		for k, v := range want {
			if got, ok := tb.get(k); !ok || got != v {
				t.Fatalf("%s: get(%#x) = %v, %v, want %v, true", when, k, got, ok, v)
			}
		}
	}
	if _, ok := tb.get(0); ok {
		t.Fatal("empty table finds key 0")
	}
	// Keys alike in their low bits, as keys of one query's unit are.
	for i := range uint64(5000) {
		k := i<<32 | 7
		if i%3 == 0 {
			k = i
		}
		if _, ok := tb.get(k); ok {
			t.Fatalf("key %#x found before it was put", k)
		}
		v := float64(i) / 5000
		tb.put(k, v)
		want[k] = v
		if i%997 == 0 {
			check("while growing")
		}
	}
	check("after growing")
	if len(tb.slots) < 2*len(want) {
		t.Fatalf("%d slots for %d entries: more than half full", len(tb.slots), len(want))
	}
	tb.reset()
	for k := range want {
		if _, ok := tb.get(k); ok {
			t.Fatalf("key %#x found after reset", k)
		}
	}
	tb.put(1, 0.5)
	if v, ok := tb.get(1); !ok || v != 0.5 {
		t.Fatalf("after reset, get(1) = %v, %v", v, ok)
	}
	// The generation wraps: slots of the first generation must not come
	// back.
	tb.gen = math.MaxUint32
	tb.put(2, 0.25)
	tb.reset()
	if _, ok := tb.get(2); ok {
		t.Fatal("key 2 found after the generation wrapped")
	}
	if _, ok := tb.get(1); ok {
		t.Fatal("key 1 found after the generation wrapped")
	}
}
