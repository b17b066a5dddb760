package envelope_test

import (
	"go/ast"
	"slices"
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

// TestAnswerFormatsAreTheCode holds AnswerFormats to the errors
// VerifyResponse fails with, and those of every function it calls, that
// are not of RefusalFormats: each reason a sender does not take an answer
// with must read as one of the two lists, or it would be left in English
// on a French or Chinese page.
func TestAnswerFormatsAreTheCode(t *testing.T) {
	in := faulttest.Reachable(t, ".", []string{"VerifyResponse"})
	made := faulttest.MessageSites(t, ".", faulttest.DetailOptions{}, in, faulttest.FaultReason)
	refusals := map[string]bool{}
	for _, f := range envelope.RefusalFormats() {
		refusals[f] = true
	}
	var own []faulttest.Message
	shared := 0
	for _, m := range made {
		if slices.ContainsFunc(m.Shapes, func(s string) bool { return refusals[s] }) {
			shared++
			continue
		}
		own = append(own, m)
	}
	// Parsing and verifying the signed answer, and decoding its payload,
	// fail as an envelope does.
	if shared < 20 || len(own) < 8 {
		t.Fatalf("found %d reasons of RefusalFormats and %d others in the code: the search no longer sees them", shared, len(own))
	}
	faulttest.HoldSites(t, "AnswerFormats", envelope.AnswerFormats(), own)
}
