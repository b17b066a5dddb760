package store

import "testing"

func TestDetached(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"eyJhbGciOiJFZERTQSJ9.eyJpZCI6IjEifQ.c2lnbmF0dXJl", "eyJhbGciOiJFZERTQSJ9..c2lnbmF0dXJl"},
		{"eyJh..c2ln", "eyJh..c2ln"}, // detached already
		{"", ""},
		{"not a jws", "not a jws"},
		{"a.b", "a.b"},
		{"a.b.c.d", "a.b.c.d"},
	} {
		if got := string(Detached([]byte(tc.in))); got != tc.want {
			t.Errorf("Detached(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{`{"envelope":"eyJh.cGF5.c2ln"}`, `{"envelope":"eyJh..c2ln"}`},
		{`{"envelope":"eyJh..c2ln"}`, `{"envelope":"eyJh..c2ln"}`},
		{`{"record":"R1","version":2}`, `{"record":"R1","version":2}`},
		{`not json`, `not json`},
		{``, ``},
	} {
		if got := string(DetachedRelay([]byte(tc.in))); got != tc.want {
			t.Errorf("DetachedRelay(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
