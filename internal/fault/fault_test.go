package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOfFollowsTheChain(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"plain error", errors.New("disk full"), Internal},
		{"field error", Field("seizure.goods[0].hs", "chapter 77 is reserved"), Invalid},
		{"wrapped", fmt.Errorf("create record: %w", E(NotFound, "record %s not found", "X")), NotFound},
		{"list", List{Field("kind", "unknown")}, Invalid},
		{"wrapped list", fmt.Errorf("import: %w", List{Field("kind", "unknown")}), Invalid},
		{"empty kind", &Error{Message: "x"}, Internal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := KindOf(tc.err); got != tc.want {
				t.Fatalf("KindOf = %q, want %q", got, tc.want)
			}
			if !Is(tc.err, tc.want) {
				t.Fatalf("Is(%q) = false", tc.want)
			}
		})
	}
	if Is(nil, Internal) {
		t.Fatal("a nil error has no kind")
	}
}

func TestErrorTextNamesFieldAndKeepsCause(t *testing.T) {
	cause := errors.New("connection reset")
	e := Wrap(Unavailable, cause, "peer %s unreachable", "JP")
	if e.Error() != "peer JP unreachable: connection reset" || !errors.Is(e, cause) {
		t.Fatalf("got %q", e.Error())
	}
	f := Field("grading.source", "must be A, B, C or X")
	if f.Error() != "grading.source: must be A, B, C or X" {
		t.Fatalf("got %q", f.Error())
	}
	var l List
	if l.Err() != nil {
		t.Fatal("an empty list must be a nil error")
	}
	l = append(l, f, Field("kind", "unknown"))
	if l.Err() == nil || l.Error() != "grading.source: must be A, B, C or X; kind: unknown" {
		t.Fatalf("got %v", l.Err())
	}
}

func TestClipCutsOnACharacterBoundary(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 3, "abc…"},
		{"陳大文", 4, "陳…"}, // 3 bytes a character: the second is not cut in half
		{"陳大文", 9, "陳大文"},
	} {
		if got := Clip(tc.in, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
