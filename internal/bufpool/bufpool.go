// Package bufpool keeps byte buffers for reuse, so that code handling
// kilobytes to megabytes per request does not leave them all to the
// garbage collector.
package bufpool

import "sync"

// Pool keeps byte slices of up to Max bytes of room. The zero Pool keeps
// none; it is safe for concurrent use.
type Pool struct {
	p   sync.Pool
	Max int
}

// Get returns an empty slice with room for at least n bytes: a kept one
// when one is large enough, else a new one.
func (bp *Pool) Get(n int) []byte {
	if b, ok := bp.p.Get().(*[]byte); ok {
		if cap(*b) >= n {
			return (*b)[:0]
		}
		bp.p.Put(b)
	}
	return make([]byte, 0, n)
}

// Put keeps b for a later Get unless its room is over Max. Nothing may
// use b afterwards.
func (bp *Pool) Put(b []byte) {
	if cap(b) == 0 || cap(b) > bp.Max {
		return
	}
	b = b[:0]
	bp.p.Put(&b)
}
