package federation

import (
	"io"
	"testing"
)

// TestRequestBodyFreedLast checks that a request body is given back only
// once the sender and every reader made of it are done, whatever the
// order, and once only however often a reader is closed.
func TestRequestBodyFreedLast(t *testing.T) {
	for _, senderFirst := range []bool{true, false} {
		freed := 0
		rb := newRequestBody([]byte("[\"a.b.c\"]"))
		rb.free = func(b []byte) {
			freed++
			if string(b) != "[\"a.b.c\"]" {
				t.Errorf("freed %q, not the body", b)
			}
		}
		first, second := rb.reader(), rb.reader() // a retry reads it again
		if got, err := io.ReadAll(first); err != nil || string(got) != "[\"a.b.c\"]" {
			t.Fatalf("reader read %q, %v", got, err)
		}
		if senderFirst {
			rb.release()
		}
		first.Close()
		first.Close()
		if freed != 0 {
			t.Fatalf("sender first %v: freed while a reader and the sender or another reader hold it", senderFirst)
		}
		second.Close()
		if !senderFirst {
			if freed != 0 {
				t.Fatal("freed while the sender holds it")
			}
			rb.release()
		}
		if freed != 1 {
			t.Errorf("sender first %v: freed %d times, want once", senderFirst, freed)
		}
	}
}

// TestBufPool checks that a pool gives out empty slices with the room
// asked for and keeps nothing larger than its bound.
func TestBufPool(t *testing.T) {
	bp := bufPool{max: 1 << 10}
	for _, n := range []int{0, 10, 1 << 10, 4 << 10} {
		b := bp.get(n)
		if len(b) != 0 || cap(b) < n {
			t.Errorf("get(%d): len %d cap %d", n, len(b), cap(b))
		}
		bp.put(append(b, "used"...))
	}
	bp.put(make([]byte, 0, 2<<10))
	for range 100 {
		if b := bp.get(0); cap(b) > 1<<10 {
			t.Fatalf("pool gave out %d bytes of room, over its bound", cap(b))
		}
	}
}
