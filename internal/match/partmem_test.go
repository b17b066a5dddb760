package match

import "testing"

// A part's arena hands out disjoint, zeroed slices, spills into blocks of
// its own when the part needs more than the block kept, and is grown to
// what the part took at reset.
func TestPartArena(t *testing.T) {
	var a partArena[*int]
	one := 1
	var got [][]*int
	for _, n := range []int{3, 0, 1000, 200} {
		s := a.take(n)
		if len(s) != n || cap(s) != n {
			t.Fatalf("take(%d) gave length %d, capacity %d", n, len(s), cap(s))
		}
		for i := range s {
			if s[i] != nil {
				t.Fatalf("take(%d)[%d] not zero", n, i)
			}
			s[i] = &one
		}
		got = append(got, s)
	}
	for i, s := range got {
		for j := range s {
			if s[j] != &one {
				t.Fatalf("slice %d element %d overwritten by a later take", i, j)
			}
		}
	}
	a.reset()
	if cap(a.block) < 1203 {
		t.Fatalf("block of %d after a part that took 1,203", cap(a.block))
	}
	s := a.take(1203)
	for i := range s {
		if s[i] != nil {
			t.Fatalf("after reset, element %d still holds what the last part put there", i)
		}
		s[i] = &one
	}
	a.reset()
	for i, p := range a.take(1203) {
		if p != nil {
			t.Fatalf("reset left element %d of the kept block set", i)
		}
	}
}
