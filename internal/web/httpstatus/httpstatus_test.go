package httpstatus

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"liaison/internal/fault"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		kind fault.Kind
		want int
	}{
		{fault.Invalid, 400}, {fault.Unauthorized, 401}, {fault.Forbidden, 403}, {fault.NotFound, 404},
		{fault.Conflict, 409}, {fault.TooLarge, 413}, {fault.Unavailable, 503}, {fault.Kind("other"), 500},
	} {
		if got := Of(tc.kind); got != tc.want {
			t.Errorf("Of(%s) = %d, want %d", tc.kind, got, tc.want)
		}
	}
}

func TestWriterRemembersTheFirstStatus(t *testing.T) {
	w := &Writer{ResponseWriter: httptest.NewRecorder()}
	if w.Status != 0 {
		t.Fatalf("status before writing = %d", w.Status)
	}
	w.Write([]byte("x"))
	w.WriteHeader(http.StatusTeapot)
	if w.Status != http.StatusOK {
		t.Errorf("status after a body = %d, want 200", w.Status)
	}
	h := &Writer{ResponseWriter: httptest.NewRecorder()}
	h.WriteHeader(http.StatusNotFound)
	if h.Status != http.StatusNotFound {
		t.Errorf("status = %d, want 404", h.Status)
	}
}
