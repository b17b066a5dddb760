package web

import (
	"testing"

	"liaison/internal/fault/faulttest"
	"liaison/internal/federation"
)

// TestBatchErrorFormatsAreTheCode holds federation.BatchErrorFormats to
// the messages the inbox answers a request it does not take with, as its
// error document gives them (the message alone): those of the faults its
// handler, needFed in front of it and what they call make here, those
// Receive makes itself, and those of envelope.DecodeBatch, which Receive
// refuses a batch with before anything else. A message changed or added
// in the code without the list would be left in English on the sender's
// French or Chinese page.
func TestBatchErrorFormatsAreTheCode(t *testing.T) {
	var made []faulttest.Message
	for _, at := range []struct {
		dir string
		in  map[string]bool
	}{
		{".", faulttest.Reachable(t, ".", []string{"inbox", "needFed"})},
		{"../federation", map[string]bool{"Service.Receive": true}},
		{"../federation/envelope", faulttest.Reachable(t, "../federation/envelope", []string{"DecodeBatch"})},
	} {
		made = append(made, faulttest.MessageSites(t, at.dir, faulttest.DetailOptions{}, at.in, faulttest.FaultMessage)...)
	}
	if len(made) < 6 {
		t.Fatalf("found %d messages of the inbox in the code: the search no longer sees them", len(made))
	}
	faulttest.HoldSites(t, "BatchErrorFormats", federation.BatchErrorFormats(), made)
}
