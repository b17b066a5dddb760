package federation

import (
	"bytes"
	"sync/atomic"

	"liaison/internal/bufpool"
)

// A sender writes a few kilobytes an envelope twice, signing it and then
// copying it into the request body; both are garbage once the peer has
// answered. The buffers are kept for the next request instead, which
// spares the garbage collector most of what delivering allocates.

var (
	// signedPool keeps the buffers envelopes are signed into.
	signedPool = bufpool.Pool{Max: 256 << 10}
	// bodyPool keeps request bodies: a batch's envelopes, encoded. Two
	// are kept for good, as many as requests in flight to one peer.
	bodyPool = bufpool.Pool{Max: 16 << 20, Keep: 2}
)

// requestBody is a request body from bodyPool, given back once both the
// sender and the HTTP transport are done with it: the transport may still
// be writing it (or close it) after the answer has come back, and it may
// read it again, through GetBody, to retry on a new connection.
type requestBody struct {
	buf  []byte
	refs atomic.Int32
	free func([]byte) // bodyPool.put, but for tests
}

// newRequestBody holds buf for the sender, who calls release when done.
func newRequestBody(buf []byte) *requestBody {
	rb := &requestBody{buf: buf, free: bodyPool.Put}
	rb.refs.Store(1)
	return rb
}

// reader returns a reader of the body that holds it until closed.
func (rb *requestBody) reader() *bodyReader {
	rb.refs.Add(1)
	return &bodyReader{Reader: bytes.NewReader(rb.buf), rb: rb}
}

// release gives up one hold; the last gives the buffer back to bodyPool.
func (rb *requestBody) release() {
	if rb.refs.Add(-1) == 0 {
		rb.free(rb.buf)
	}
}

// bodyReader reads a requestBody and lets go of it when closed.
type bodyReader struct {
	*bytes.Reader
	rb     *requestBody
	closed atomic.Bool
}

// Close lets go of the body; later calls do nothing.
func (r *bodyReader) Close() error {
	if r.closed.CompareAndSwap(false, true) {
		r.rb.release()
	}
	return nil
}
