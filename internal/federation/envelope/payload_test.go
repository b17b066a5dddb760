package envelope_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
)

func TestPayloadsRoundTrip(t *testing.T) {
	rotation, err := identity.SignRotation(keyHK, keyEvil, "HK", t0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		typ  envelope.Type
		in   any
		out  func() any
	}{
		{"retract", envelope.TypeRecordRetract, envelope.RetractPayload{RecordID: "01JDQ3Y9W8XK5V2T7R4M6N0PQS", Version: 3, Reason: "Entered in error."},
			func() any { return &envelope.RetractPayload{} }},
		{"consent", envelope.TypeConsent, envelope.ConsentPayload{RecordID: "01JDQ3Y9W8XK5V2T7R4M6N0PQS", Recipient: "FR", Given: t0, Reference: "HK/2026/118"},
			func() any { return &envelope.ConsentPayload{} }},
		{"ack", envelope.TypeAck, envelope.AckPayload{Envelope: "01JDQ3Y9W8XK5V2T7R4M6N0PQS", Status: envelope.Duplicate},
			func() any { return &envelope.AckPayload{} }},
		{"refusal", envelope.TypeRefusal, envelope.RefusalPayload{Envelope: "01JDQ3Y9W8XK5V2T7R4M6N0PQS", Reason: "Not addressed to us."},
			func() any { return &envelope.RefusalPayload{} }},
		{"key rotation", envelope.TypeKeyRotate, envelope.RotatePayload{Statement: rotation},
			func() any { return &envelope.RotatePayload{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := envelope.Envelope{ID: MustID(t), Type: tt.typ, From: "HK", To: []string{"JP"}, Created: t0, Payload: MustPayload(t, tt.in)}
			got, err := envelope.Verify(MustSign(t, keyHK, e), keyHK.Public)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			out := tt.out()
			if err := got.Decode(out); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if v := reflect.ValueOf(out).Elem().Interface(); !equalJSON(t, v, tt.in) {
				t.Fatalf("payload after the round trip = %+v, want %+v", v, tt.in)
			}
		})
	}
}

func TestRotationTravelsInAnEnvelope(t *testing.T) {
	statement, err := identity.SignRotation(keyHK, keyEvil, "HK", t0)
	if err != nil {
		t.Fatal(err)
	}
	e := envelope.Envelope{ID: MustID(t), Type: envelope.TypeKeyRotate, From: "HK", To: []string{"JP"}, Created: t0,
		Payload: MustPayload(t, envelope.RotatePayload{Statement: statement})}
	got, err := envelope.Verify(MustSign(t, keyHK, e), keyHK.Public)
	if err != nil {
		t.Fatal(err)
	}
	var p envelope.RotatePayload
	if err := got.Decode(&p); err != nil {
		t.Fatal(err)
	}
	r, err := identity.VerifyRotation(p.Statement, keyHK.Public)
	if err != nil {
		t.Fatalf("rotation statement carried in an envelope does not verify: %v", err)
	}
	if !r.NewKey.Equal(keyEvil.Public) {
		t.Fatal("rotation names another new key")
	}
}

// equalJSON compares two values by their JSON encoding.
func equalJSON(tb testing.TB, a, b any) bool {
	tb.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		tb.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		tb.Fatal(err)
	}
	return string(ja) == string(jb)
}

func TestDecodeIsStrict(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"duplicate member", `{"record":"A","record":"B","version":1}`, "duplicate key 'record'"},
		{"duplicate nested member", `{"record":{"kind":"seizure","kind":"alert"}}`, "duplicate key 'kind'"},
		{"not JSON", `{"record":`, "does not read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := envelope.Envelope{ID: MustID(t), Type: envelope.TypeRecordRetract, Payload: json.RawMessage(tt.payload)}
			var v any = &envelope.RetractPayload{}
			if strings.Contains(tt.name, "nested") {
				v = &envelope.RecordPayload{}
			}
			err := e.Decode(v)
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode = %v, want an invalid error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestDecodeMatchesNamesExactly(t *testing.T) {
	e := envelope.Envelope{Payload: json.RawMessage(`{"Record":"spoofed","record":"01JDQ3Y9W8XK5V2T7R4M6N0PQS","VERSION":9,"version":2}`)}
	var p envelope.RetractPayload
	if err := e.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.RecordID != "01JDQ3Y9W8XK5V2T7R4M6N0PQS" || p.Version != 2 {
		t.Fatalf("Decode = %+v, want only the exactly named members", p)
	}
}

func TestNewPayloadKeepsHTMLCharacters(t *testing.T) {
	p := MustPayload(t, map[string]string{"narrative": "<b> & </b>"})
	if string(p) != `{"narrative":"<b> & </b>"}` {
		t.Fatalf("NewPayload = %s", p)
	}
}

// TestClaimedKeepsTheVerdictsAlone checks the decision a record envelope
// carries: allowed, the basis and each rule's verdict in order, no
// sentences, and the decision it was made from unchanged.
func TestClaimedKeepsTheVerdictsAlone(t *testing.T) {
	d := agreement.Decision{Allowed: true,
		Basis: &agreement.Basis{Kind: agreement.BasisAgreement, Agreement: "hk-jp", Title: "HK-JP arrangement"},
		Reasons: []agreement.Reason{
			{Rule: agreement.RuleRecord, Met: true, Text: "The record is active.", Format: "The record is active."},
			{Rule: agreement.RuleHandling, Met: true, Text: "Handling code H2.", Format: "Handling code %s.", Args: []any{"H2"}},
		}}
	c := envelope.Claimed(d)
	p, err := envelope.NewPayload(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"allowed":true,"basis":{"kind":"agreement","agreement":"hk-jp","title":"HK-JP arrangement"},` +
		`"reasons":[{"rule":"record","met":true},{"rule":"handling","met":true}]}`
	if string(p) != want {
		t.Errorf("claimed decision\n%s\nwant\n%s", p, want)
	}
	if d.Reasons[1].Text != "Handling code H2." || d.Reasons[1].Format == "" {
		t.Errorf("Claimed changed the decision it was given: %+v", d.Reasons[1])
	}
	// A receiver reads it back as a decision, texts or none.
	var back agreement.Decision
	if err := json.Unmarshal(p, &back); err != nil || !back.Allowed || back.Basis.Agreement != "hk-jp" ||
		len(back.Reasons) != 2 || back.Reasons[1].Rule != agreement.RuleHandling || back.Reasons[1].Text != "" {
		t.Errorf("read back: %+v (%v)", back, err)
	}
	if c := envelope.Claimed(agreement.Decision{}); c.Reasons != nil || c.Basis != nil || c.Allowed {
		t.Errorf("Claimed of an empty decision: %+v", c)
	}
}
