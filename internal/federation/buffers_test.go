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
