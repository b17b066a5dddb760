// Package bufpool keeps byte buffers for reuse, so that code handling
// kilobytes to megabytes per request does not leave them all to the
// garbage collector.
package bufpool

import "sync"

// Pool keeps byte slices of up to Max bytes of room. Up to Keep of them
// are held for good; the others in a sync.Pool, which every garbage
// collection may empty. A buffer of megabytes made anew costs more than
// its collection: the runtime zeroes it and the system maps fresh pages
// for it, one fault at a time, so a pool of request bodies keeps a few
// (the requests that can be in flight at once). The zero Pool keeps none;
// it is safe for concurrent use.
type Pool struct {
	p    sync.Pool
	Max  int
	Keep int

	mu   sync.Mutex
	kept [][]byte
}

// Get returns an empty slice with room for at least n bytes: a kept one
// when one is large enough, else a new one.
func (bp *Pool) Get(n int) []byte {
	if bp.Keep > 0 {
		bp.mu.Lock()
		for i := len(bp.kept) - 1; i >= 0; i-- {
			if b := bp.kept[i]; cap(b) >= n {
				last := len(bp.kept) - 1
				bp.kept[i] = bp.kept[last]
				bp.kept[last] = nil
				bp.kept = bp.kept[:last]
				bp.mu.Unlock()
				return b[:0]
			}
		}
		bp.mu.Unlock()
	}
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
	if bp.Keep > 0 {
		bp.mu.Lock()
		if len(bp.kept) < bp.Keep {
			bp.kept = append(bp.kept, b)
			bp.mu.Unlock()
			return
		}
		bp.mu.Unlock()
	}
	bp.p.Put(&b)
}
