package store

import (
	"fmt"
	"runtime"
	"sync"

	"liaison/internal/intel"
)

// WalkDecoded calls fn with the record each body decodes to, one call at a
// time, in the order next reads the bodies, exactly as a loop reading,
// decoding and calling fn in turn would, and stops at the first error of
// next, decode or fn (the records before it reach fn, none after).
// Decoding JSON is most of the cost of walking a store's records, and a
// rebuild of the match index waits for it: here the bodies are decoded a
// few hundred at a time on every core while next reads on. next reports
// false at the end; a body it returns must not change afterwards (it is
// decoded later, on another goroutine). At most a few thousand records are
// read ahead of fn.
func WalkDecoded(next func() ([]byte, bool, error), decode func([]byte) (*intel.Record, error), fn func(*intel.Record) error) error {
	const size = 256
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *walkChunk, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				c.decode(decode)
			}
		}()
	}
	// Chunks still in the queue when fn stops the walk are decoded and
	// dropped: a few at most.
	defer func() {
		close(work)
		wg.Wait()
	}()
	var ahead []*walkChunk // sent to be decoded, not yet given to fn, in order
	c := newWalkChunk(size)
	for {
		b, ok, err := next()
		if err != nil {
			// The records read before the failure reach fn first, as
			// they would in a plain loop.
			c.decode(decode)
			if derr := deliver(append(ahead, c), fn); derr != nil {
				return derr
			}
			return err
		}
		if !ok {
			break
		}
		c.bodies = append(c.bodies, b)
		if len(c.bodies) < size {
			continue
		}
		work <- c
		ahead = append(ahead, c)
		c = newWalkChunk(size)
		if len(ahead) > workers+1 {
			if err := deliver(ahead[:1], fn); err != nil {
				return err
			}
			ahead = ahead[1:]
		}
	}
	if len(c.bodies) > 0 {
		work <- c
		ahead = append(ahead, c)
	}
	return deliver(ahead, fn)
}

// walkChunk is bodies read together and, once done is closed, the records
// they decode to up to the first that fails, and its error.
type walkChunk struct {
	bodies [][]byte
	recs   []*intel.Record
	err    error
	done   chan struct{}
}

func newWalkChunk(size int) *walkChunk {
	return &walkChunk{bodies: make([][]byte, 0, size), done: make(chan struct{})}
}

func (c *walkChunk) decode(decode func([]byte) (*intel.Record, error)) {
	defer close(c.done)
	c.recs = make([]*intel.Record, 0, len(c.bodies))
	for _, b := range c.bodies {
		r, err := decode(b)
		if err != nil {
			c.err = err
			break
		}
		c.recs = append(c.recs, r)
	}
	c.bodies = nil
}

// deliver gives fn the records of cs in order and returns the first error
// of a chunk's decoding or of fn.
func deliver(cs []*walkChunk, fn func(*intel.Record) error) error {
	for _, c := range cs {
		<-c.done
		for _, r := range c.recs {
			if err := fn(r); err != nil {
				return err
			}
		}
		if c.err != nil {
			return c.err
		}
	}
	return nil
}

// DecodeForMatching reads a stored body for WalkRecords: what
// cross-matching reads of the record (intel.DecodeMatchJSON), which is a
// fraction of what decoding it whole costs.
func DecodeForMatching(body []byte) (*intel.Record, error) {
	var r intel.Record
	if err := intel.DecodeMatchJSON(body, &r); err != nil {
		return nil, fmt.Errorf("walk records: decode stored record: %w", err)
	}
	return &r, nil
}
