package envelope_test

import (
	"encoding/json"
	"strings"
	"testing"

	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
)

func TestBatchRoundTrip(t *testing.T) {
	items := [][]byte{
		MustSign(t, keyHK, recordEnvelope(t, "JP")),
		MustSign(t, keyHK, recordEnvelope(t, "JP")),
		MustRelay(t, MustSign(t, keyHK, recordEnvelope(t, "region:AP")), "JP"),
	}
	body, err := envelope.EncodeBatch(items)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	var raw []string
	if err := json.Unmarshal(body, &raw); err != nil || len(raw) != 3 {
		t.Fatalf("batch body is not a JSON array of 3 strings: %v %s", err, body[:40])
	}
	got, err := envelope.DecodeBatch(body, 0)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(got) != len(items) {
		t.Fatalf("decoded %d envelopes, want %d", len(got), len(items))
	}
	for i := range items {
		if string(got[i]) != string(items[i]) {
			t.Errorf("envelope %d changed in the batch", i)
		}
	}
}

func TestDecodeBatchOfOneBareEnvelope(t *testing.T) {
	signed := MustSign(t, keyHK, recordEnvelope(t, "JP"))
	got, err := envelope.DecodeBatch(append(append([]byte{}, signed...), '\n'), 0)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(got) != 1 || string(got[0]) != string(signed) {
		t.Fatalf("decoded %d envelopes, want the one sent", len(got))
	}
}

func TestDecodeBatchRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		kind fault.Kind
		want string
	}{
		{"empty body", "  ", 0, fault.Invalid, "batch is empty"},
		{"empty array", "[]", 0, fault.Invalid, "batch is empty"},
		{"too many", `["a","b","c"]`, 2, fault.TooLarge, "batch too large: 3 envelopes (limit 2)"},
		{"not strings", `[1,2]`, 0, fault.Invalid, "not a JSON array of compact JWS strings"},
		{"broken array", `["a"`, 0, fault.Invalid, "not a JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := envelope.DecodeBatch([]byte(tt.in), tt.max)
			if !fault.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodeBatch = %v, want a %s error mentioning %q", err, tt.kind, tt.want)
			}
		})
	}
}

// MustResult signs r as Japan's answer to HK.
func MustResult(tb testing.TB, r envelope.Result) envelope.Result {
	tb.Helper()
	out, err := envelope.SignResult(keyJP, "JP", "HK", r, t0)
	if err != nil {
		tb.Fatalf("sign result: %v", err)
	}
	return out
}

func TestResultsSignedAndVerified(t *testing.T) {
	id := MustID(t)
	tests := []struct {
		name string
		in   envelope.Result
		typ  envelope.Type
	}{
		{"accepted", envelope.Result{ID: id, Status: envelope.Accepted}, envelope.TypeAck},
		{"duplicate", envelope.Result{ID: id, Status: envelope.Duplicate}, envelope.TypeAck},
		{"refused", envelope.Result{ID: id, Status: envelope.Refused, Reason: "No agreement in force links Hong Kong and Brazil."}, envelope.TypeRefusal},
		{"refused unreadable", envelope.Result{Status: envelope.Refused, Reason: "envelope is not a compact JWS"}, envelope.TypeRefusal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MustResult(t, tt.in)
			e, err := envelope.VerifyResult(r, keyJP.Public)
			if err != nil {
				t.Fatalf("verify result: %v", err)
			}
			if e.Type != tt.typ || e.From != "JP" || len(e.To) != 1 || e.To[0] != "HK" {
				t.Fatalf("signed result envelope = %+v, want a %s from JP to HK", e, tt.typ)
			}
			if _, err := envelope.VerifyResult(r, keyHK.Public); !fault.Is(err, fault.Unauthorized) {
				t.Fatalf("result verifies with another node's key: %v", err)
			}
		})
	}
}

func TestResultForUnknownSender(t *testing.T) {
	r, err := envelope.SignResult(keyJP, "JP", "", envelope.Result{Status: envelope.Refused, Reason: "batch is empty"}, t0)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	e, err := envelope.VerifyResult(r, keyJP.Public)
	if err != nil || len(e.To) != 0 {
		t.Fatalf("VerifyResult = %+v, %v; want a refusal to no one in particular", e, err)
	}
}

func TestVerifyResultRefusesMismatch(t *testing.T) {
	id, other := MustID(t), MustID(t)
	refusal := MustResult(t, envelope.Result{ID: id, Status: envelope.Refused, Reason: "signature does not verify"})
	ack := MustResult(t, envelope.Result{ID: id, Status: envelope.Accepted})
	tests := []struct {
		name string
		r    envelope.Result
		want string
	}{
		{"refusal presented as accepted", envelope.Result{ID: id, Status: envelope.Accepted, Signed: refusal.Signed}, "accepted is signed as refusal"},
		{"ack presented as refused", envelope.Result{ID: id, Status: envelope.Refused, Reason: "x", Signed: ack.Signed}, "refused is signed as ack"},
		{"ack for another envelope", envelope.Result{ID: other, Status: envelope.Accepted, Signed: ack.Signed}, "signed accepted for " + id},
		{"accepted presented as duplicate", envelope.Result{ID: id, Status: envelope.Duplicate, Signed: ack.Signed}, "signed accepted for"},
		{"reason changed", envelope.Result{ID: id, Status: envelope.Refused, Reason: "duplicate", Signed: refusal.Signed}, "signed refusal"},
		{"not signed", envelope.Result{ID: id, Status: envelope.Accepted}, "is not signed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := envelope.VerifyResult(tt.r, keyJP.Public)
			if !fault.Is(err, fault.Unauthorized) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("VerifyResult = %v, want an unauthorized error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestSignResultRefuses(t *testing.T) {
	tests := []struct {
		name string
		r    envelope.Result
		want string
	}{
		{"refusal without reason", envelope.Result{ID: MustID(t), Status: envelope.Refused}, "reason"},
		{"ack without id", envelope.Result{Status: envelope.Accepted}, "names the envelope"},
		{"unknown status", envelope.Result{ID: MustID(t), Status: "maybe"}, `"maybe" is not accepted, duplicate or refused`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := envelope.SignResult(keyJP, "JP", "HK", tt.r, t0); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SignResult = %v, want an invalid error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestResponseJSON(t *testing.T) {
	r := MustResult(t, envelope.Result{ID: MustID(t), Status: envelope.Refused, Reason: "No agreement."})
	b, err := json.Marshal(envelope.Response{Results: []envelope.Result{r}})
	if err != nil {
		t.Fatal(err)
	}
	var wire struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	got := wire.Results[0]
	if got["id"] != r.ID || got["status"] != "refused" || got["reason"] != "No agreement." || got["signed"] != string(r.Signed) {
		t.Fatalf("result on the wire = %v, want id, status, reason and signed as a compact JWS string", got)
	}
	var back envelope.Response
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("read back: %v", err)
	}
	if _, err := envelope.VerifyResult(back.Results[0], keyJP.Public); err != nil {
		t.Fatalf("result read back does not verify: %v", err)
	}
}
