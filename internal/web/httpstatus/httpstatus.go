// Package httpstatus holds what the REST API and the web UI share about HTTP
// statuses: the status of each kind of fault, and a response writer that
// remembers the status written (for logs and metrics).
package httpstatus

import (
	"net/http"

	"liaison/internal/fault"
)

// Of maps a fault kind to its HTTP status; an unknown kind is 500.
func Of(k fault.Kind) int {
	switch k {
	case fault.Invalid:
		return http.StatusBadRequest
	case fault.Unauthorized:
		return http.StatusUnauthorized
	case fault.Forbidden:
		return http.StatusForbidden
	case fault.NotFound:
		return http.StatusNotFound
	case fault.Conflict:
		return http.StatusConflict
	case fault.TooLarge:
		return http.StatusRequestEntityTooLarge
	case fault.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Writer remembers the status a handler wrote: Status is 0 until the
// handler writes a header or a body, then the status sent.
type Writer struct {
	http.ResponseWriter
	Status int
}

// WriteHeader records the first status written and passes it on.
func (w *Writer) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records 200 when no status was written before.
func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
