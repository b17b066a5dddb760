package envelope_test

import (
	"go/ast"
	"testing"

	"liaison/internal/fault/faulttest"
	"liaison/internal/federation/envelope"
)

// TestRefusalFormatsAreTheCode holds RefusalFormats to the errors Open,
// Decode and DecodeRecordVersion fail with, and those of every function
// they call: each error a receiver refuses an envelope with must read as
// one listed format, or its reason would be left in English on a French or
// Chinese page. The error about the envelope a relay carried is the
// relay's sentence, given to within, before the error of the carried
// envelope.
func TestRefusalFormatsAreTheCode(t *testing.T) {
	in := faulttest.Reachable(t, ".", []string{"Open", "Decode", "DecodeRecordVersion"})
	made := faulttest.MessageSites(t, ".", faulttest.DetailOptions{}, in, func(s faulttest.Site) []ast.Expr {
		if call, ok := s.Node.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "within" && len(call.Args) >= 2 {
				return []ast.Expr{faulttest.Join(faulttest.Sprintf(call.Args[1]), faulttest.Literal(": "), faulttest.Value())}
			}
		}
		return faulttest.FaultReason(s)
	})
	if len(made) < 30 {
		t.Fatalf("found %d refusal reasons in the code: the search no longer sees them", len(made))
	}
	faulttest.HoldSites(t, "RefusalFormats", envelope.RefusalFormats(), made)
}
