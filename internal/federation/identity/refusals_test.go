package identity_test

import (
	"testing"

	"liaison/internal/fault/faulttest"
	"liaison/internal/federation/identity"
)

// TestRefusalFormatsAreTheCode holds RefusalFormats to the errors
// VerifyRotation fails with, and those of every function it calls but
// ParsePublic, whose errors are only the cause of a message of the
// statement's own ("rotation statement: old key"), which a reason gives
// without them (a cause that is a fault is left out).
func TestRefusalFormatsAreTheCode(t *testing.T) {
	in := faulttest.Reachable(t, ".", []string{"VerifyRotation"}, "ParsePublic")
	made := faulttest.MessageSites(t, ".", faulttest.DetailOptions{}, in, faulttest.FaultReason)
	if len(made) < 15 {
		t.Fatalf("found %d refusal reasons in the code: the search no longer sees them", len(made))
	}
	faulttest.HoldSites(t, "RefusalFormats", identity.RefusalFormats(), made)
}
