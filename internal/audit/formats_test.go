package audit

import (
	"errors"
	"fmt"
	"go/ast"
	"slices"
	"testing"

	"liaison/internal/fault/faulttest"
)

// formatsInCode returns the formats the package's code hands to the
// functions of formatArg (at the argument each gives) and, inside function
// errorfIn, to fmt.Errorf.
func formatsInCode(t *testing.T, formatArg map[string]int, errorfIn string) map[string]bool {
	t.Helper()
	return faulttest.FormatsInCode(t, ".", func(fn *ast.FuncDecl, call *ast.CallExpr) (int, bool) {
		switch fun := call.Fun.(type) {
		case *ast.Ident:
			i, ok := formatArg[fun.Name]
			return i, ok
		case *ast.SelectorExpr:
			if x, isIdent := fun.X.(*ast.Ident); isIdent && x.Name == "fmt" && fun.Sel.Name == "Errorf" && fn.Name.Name == errorfIn {
				return 0, true
			}
		}
		return 0, false
	}, nil)
}

// TestFormatsAreTheCode holds ReasonFormats to the formats the package
// gives the reasons of its Breaks and AnchorMismatches, and DigestFormats
// to those of ParseDigests' errors: a sentence changed or added in the code
// without the list would leave a user interface unable to word it in
// another language.
func TestFormatsAreTheCode(t *testing.T) {
	reasons := formatsInCode(t, map[string]int{"broken": 1, "mismatch": 2}, "")
	if len(reasons) < 8 {
		t.Fatalf("found %d reason formats in the code: the search no longer sees them", len(reasons))
	}
	faulttest.HoldList(t, "ReasonFormats", ReasonFormats(), reasons)
	digests := formatsInCode(t, nil, "ParseDigests")
	if len(digests) < 4 {
		t.Fatalf("found %d formats of ParseDigests' errors: the search no longer sees them", len(digests))
	}
	faulttest.HoldList(t, "DigestFormats", DigestFormats(), digests)
}

// TestReasonsKeepFormatAndArgs breaks chains and anchors in every way the
// package tells and checks that each reason keeps the format (one of
// ReasonFormats) and arguments it was made of, and that an error inside
// one is of DigestFormats.
func TestReasonsKeepFormatAndArgs(t *testing.T) {
	es := chain(5)
	noRecord := es[1]
	noRecord.Digests = FormatDigests([]Digest{DigestOf(1, []byte("{}"))})
	noRecord.Hash = Hash(noRecord)
	badDigests := es[1]
	badDigests.Record, badDigests.Digests = "01J0000000000000000000000B", "1:xyz"
	badDigests.Hash = Hash(badDigests)
	relinked := es[1]
	relinked.Prev = Genesis
	relinked.Hash = Hash(relinked)
	altered := slices.Clone(es)
	altered[2].Actor = "mallory"
	breaks := map[string][]Entry{
		"missing":         {es[0], es[2]},
		"relinked":        {es[0], relinked},
		"altered":         altered,
		"digests, record": {es[0], noRecord},
		"bad digests":     {es[0], badDigests},
	}
	anchorAt := func(n int) Anchor { return Anchor{Entries: es[n-1].Seq, Head: es[n-1].Hash} }
	anchors := []struct {
		walked int
		anchor Anchor
		exact  bool
	}{
		{3, anchorAt(5), false},
		{0, Anchor{Head: es[0].Hash}, false},
		{5, Anchor{Entries: 5, Head: es[3].Hash}, false},
		{5, anchorAt(3), true},
	}
	formats := map[string]bool{}
	for _, f := range ReasonFormats() {
		formats[f] = true
	}
	seen := map[string]bool{}
	check := func(what, reason, format string, args []any) {
		t.Helper()
		if !formats[format] {
			t.Errorf("%s: reason %q has format %q, which ReasonFormats lacks", what, reason, format)
		}
		if got := fmt.Sprintf(format, args...); got != reason {
			t.Errorf("%s: %q with %v makes %q, not the reason %q", what, format, args, got, reason)
		}
		seen[format] = true
	}
	for what, chain := range breaks {
		var br *Break
		if err := verify(chain); !errors.As(err, &br) {
			t.Fatalf("%s: %v, want a break", what, err)
		}
		check(what, br.Reason, br.Format, br.Args)
		if what == "bad digests" {
			const format = "digest %q: %q is not a SHA-256 in lower-case hex"
			err, ok := br.Args[len(br.Args)-1].(error)
			if !ok || !slices.Contains(DigestFormats(), format) || err.Error() != fmt.Sprintf(format, "1:xyz", "xyz") {
				t.Errorf("bad digests: the argument %v is not the error of DigestFormats %q", br.Args, format)
			}
		}
	}
	for i, tc := range anchors {
		c := AnchorCheck{Anchor: tc.anchor}
		for _, e := range es[:tc.walked] {
			c.Add(e)
		}
		var am *AnchorMismatch
		if err := c.Check(tc.exact); !errors.As(err, &am) {
			t.Fatalf("anchor %d: %v, want a mismatch", i, err)
		}
		check(fmt.Sprint("anchor ", i), am.Reason, am.Format, am.Args)
	}
	for f := range formats {
		if !seen[f] {
			t.Errorf("no chain broken here gives the reason %q", f)
		}
	}
}
