package federation

import (
	"bytes"
	"encoding/json"
	"testing"

	"liaison/internal/agreement"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/store/storetest"
)

// TestRecordPayloadFromStoredBody checks that the payload spliced from a
// stored body is byte for byte the one encoding the decoded record gives,
// for texts with the characters the two encoders treat differently.
func TestRecordPayloadFromStoredBody(t *testing.T) {
	dec := agreement.Decision{Allowed: true, Basis: &agreement.Basis{Kind: agreement.BasisAgreement, Agreement: "hk-jp", Title: "A & B <2019>"}}
	for _, text := range []string{
		"plain",
		"<b>bold</b> & more",
		`quote " backslash \ and \u003c written out`,
		"line\nbreak\ttab \u2028 separator \x01",
		`\\u003c`,
	} {
		t.Run(text, func(t *testing.T) {
			r := storetest.NewRecord(t, func(r *intel.Record) { r.Seizure.Narrative = text })
			stored, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			// What the store gives back, decoded, as the worker encoded it.
			var back intel.Record
			if err := json.Unmarshal(stored, &back); err != nil {
				t.Fatal(err)
			}
			want, err := envelope.NewPayload(envelope.RecordPayload{Record: back, Decision: dec})
			if err != nil {
				t.Fatal(err)
			}
			encDec, err := envelope.NewPayload(dec)
			if err != nil {
				t.Fatal(err)
			}
			if got := recordPayload(stored, encDec); !bytes.Equal(got, want) {
				t.Errorf("spliced payload\n%s\nwant\n%s", got, want)
			}
		})
	}
}
