package envelope_test

import (
	"encoding/json"
	"errors"
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

// TestAppendBatchAsEncode checks that AppendBatch appends to what dst
// holds exactly what EncodeBatch returns, for plain envelopes and for
// items that need escaping, and leaves dst as it was on error.
func TestAppendBatchAsEncode(t *testing.T) {
	plain := [][]byte{MustSign(t, keyHK, recordEnvelope(t, "JP")), MustSign(t, keyHK, recordEnvelope(t, "JP"))}
	escaped := [][]byte{plain[0], []byte("not \"a\" JWS <&>")}
	for _, items := range [][][]byte{plain, escaped} {
		want, err := envelope.EncodeBatch(items)
		if err != nil {
			t.Fatal(err)
		}
		for _, dst := range [][]byte{nil, []byte("head"), make([]byte, 2, 64<<10)} {
			head := string(dst)
			got, err := envelope.AppendBatch(dst, items)
			if err != nil {
				t.Fatal(err)
			}
			if string(got[:len(head)]) != head || string(got[len(head):]) != string(want) {
				t.Errorf("AppendBatch(%q) = %.60q…, want %q + %.60q…", head, got, head, want)
			}
		}
	}
	if got, err := envelope.AppendBatch([]byte("kept"), nil); err == nil || string(got) != "kept" {
		t.Errorf("AppendBatch of no envelopes = %q, %v: want dst as it was and an error", got, err)
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
		// The decoder's finding is in the message the sender is answered.
		{"cause given", `["a",`, 0, fault.Invalid, "not a JSON array of compact JWS strings: unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := envelope.DecodeBatch([]byte(tt.in), tt.max)
			// The message is what the sender is answered.
			var fe *fault.Error
			if !fault.Is(err, tt.kind) || !errors.As(err, &fe) || !strings.Contains(fe.Message, tt.want) {
				t.Fatalf("DecodeBatch = %v, want a %s error whose message mentions %q", err, tt.kind, tt.want)
			}
		})
	}
}

// MustResponse signs results as Japan's answer to HK's request body.
func MustResponse(tb testing.TB, body []byte, results ...envelope.Result) envelope.Response {
	tb.Helper()
	r, err := envelope.SignResponse(keyJP, "JP", []string{"HK"}, body, results, t0)
	if err != nil {
		tb.Fatalf("sign response: %v", err)
	}
	return r
}

func TestResponseSignedAndVerified(t *testing.T) {
	body := []byte(`["a.b.c","d.e.f","g.h.i","j.k.l"]`)
	id := MustID(t)
	results := []envelope.Result{
		{ID: id, Status: envelope.Accepted},
		{ID: MustID(t), Status: envelope.Duplicate},
		{ID: MustID(t), Status: envelope.Refused, Reason: "No agreement in force links Hong Kong and Brazil."},
		{Status: envelope.Refused, Reason: "envelope is not a compact JWS"},
	}
	r := MustResponse(t, body, results...)
	e, err := envelope.VerifyResponse(r, body, keyJP.Public)
	if err != nil {
		t.Fatalf("verify response: %v", err)
	}
	if e.Type != envelope.TypeResults || e.From != "JP" || len(e.To) != 1 || e.To[0] != "HK" {
		t.Fatalf("signed answer = %+v, want a results envelope from JP to HK", e)
	}
	var p envelope.ResultsPayload
	if err := e.Decode(&p); err != nil || p.Batch != envelope.BatchDigest(body) || len(p.Results) != len(results) {
		t.Fatalf("signed payload = %+v, %v; want the batch digest and %d results", p, err, len(results))
	}
	if _, err := envelope.VerifyResponse(r, body, keyHK.Public); !fault.Is(err, fault.Unauthorized) {
		t.Fatalf("answer verifies with another node's key: %v", err)
	}
}

func TestResponseForUnknownSender(t *testing.T) {
	body := []byte("not a batch")
	r, err := envelope.SignResponse(keyJP, "JP", nil, body, []envelope.Result{{Status: envelope.Refused, Reason: "batch is empty"}}, t0)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	e, err := envelope.VerifyResponse(r, body, keyJP.Public)
	if err != nil || len(e.To) != 0 {
		t.Fatalf("VerifyResponse = %+v, %v; want an answer to no one in particular", e, err)
	}
}

func TestVerifyResponseRefusesMismatch(t *testing.T) {
	body := []byte(`["a.b.c","d.e.f"]`)
	id, other := MustID(t), MustID(t)
	good := MustResponse(t, body,
		envelope.Result{ID: id, Status: envelope.Refused, Reason: "signature does not verify"},
		envelope.Result{ID: other, Status: envelope.Accepted})
	with := func(rs ...envelope.Result) envelope.Response {
		return envelope.Response{Results: rs, Signed: good.Signed}
	}
	tests := []struct {
		name string
		r    envelope.Response
		body []byte
		want string
	}{
		{"refusal presented as accepted", with(envelope.Result{ID: id, Status: envelope.Accepted}, good.Results[1]), body, "result 0 is signed as refused"},
		{"accepted presented as duplicate", with(good.Results[0], envelope.Result{ID: other, Status: envelope.Duplicate}), body, "result 1 is signed as accepted"},
		{"reason changed", with(envelope.Result{ID: id, Status: envelope.Refused, Reason: "duplicate"}, good.Results[1]), body, "result 0"},
		{"results swapped", with(good.Results[1], good.Results[0]), body, "result 0"},
		{"result dropped", with(good.Results[0]), body, "2 results signed, 1 given"},
		{"another batch", good, []byte(`["a.b.c"]`), "it answers batch sha256:"},
		{"not signed", envelope.Response{Results: good.Results}, body, "not signed"},
		{"signed by another node", envelope.Response{Results: good.Results,
			Signed: func() string {
				r, err := envelope.SignResponse(keyHK, "HK", nil, body, good.Results, t0)
				if err != nil {
					t.Fatal(err)
				}
				return r.Signed
			}()}, body, "not the key pinned"},
		{"a record envelope as the answer", envelope.Response{Results: good.Results, Signed: string(MustSign(t, keyJP, envelope.Envelope{
			ID: MustID(t), Type: envelope.TypeAck, From: "JP", Created: t0, Payload: []byte("{}")}))}, body, "signed as ack"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := envelope.VerifyResponse(tt.r, tt.body, keyJP.Public)
			if !fault.Is(err, fault.Unauthorized) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("VerifyResponse = %v, want an unauthorized error mentioning %q", err, tt.want)
			}
		})
	}
}

// TestVerifyResponseRefusesIndefiniteResults checks that an answer the
// receiver signed is still refused when a result says nothing definite,
// which SignResponse would not have signed.
func TestVerifyResponseRefusesIndefiniteResults(t *testing.T) {
	body := []byte(`["a.b.c"]`)
	tests := []struct {
		name   string
		result envelope.Result
		want   string
	}{
		{"unknown status", envelope.Result{ID: MustID(t), Status: "maybe"}, `results[0].status: "maybe" is not accepted, duplicate or refused`},
		{"refusal without reason", envelope.Result{ID: MustID(t), Status: envelope.Refused}, "results[0].reason"},
		{"accepted without id", envelope.Result{Status: envelope.Accepted}, "results[0].id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signed := MustSign(t, keyJP, envelope.Envelope{ID: MustID(t), Type: envelope.TypeResults, From: "JP", Created: t0,
				Payload: MustPayload(t, envelope.ResultsPayload{Batch: envelope.BatchDigest(body), Results: []envelope.Result{tt.result}})})
			r := envelope.Response{Results: []envelope.Result{tt.result}, Signed: string(signed)}
			_, err := envelope.VerifyResponse(r, body, keyJP.Public)
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("VerifyResponse = %v, want an invalid error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestSignResponseRefuses(t *testing.T) {
	tests := []struct {
		name string
		rs   []envelope.Result
		want string
	}{
		{"no results", nil, "at least one result"},
		{"refusal without reason", []envelope.Result{{ID: MustID(t), Status: envelope.Refused}}, "results[0].reason"},
		{"ack without id", []envelope.Result{{ID: MustID(t), Status: envelope.Accepted}, {Status: envelope.Accepted}}, "results[1].id"},
		{"unknown status", []envelope.Result{{ID: MustID(t), Status: "maybe"}}, `"maybe" is not accepted, duplicate or refused`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := envelope.SignResponse(keyJP, "JP", []string{"HK"}, []byte("[]"), tt.rs, t0)
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SignResponse = %v, want an invalid error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestResponseJSON(t *testing.T) {
	body := []byte(`["a.b.c"]`)
	r := MustResponse(t, body, envelope.Result{ID: MustID(t), Status: envelope.Refused, Reason: "No agreement."})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var wire struct {
		Results []map[string]any `json:"results"`
		Signed  string           `json:"signed"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	got := wire.Results[0]
	if len(got) != 3 || got["id"] != r.Results[0].ID || got["status"] != "refused" || got["reason"] != "No agreement." || wire.Signed != r.Signed {
		t.Fatalf("answer on the wire = %s, want results of id, status and reason and signed as a compact JWS string", b)
	}
	var back envelope.Response
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("read back: %v", err)
	}
	if _, err := envelope.VerifyResponse(back, body, keyJP.Public); err != nil {
		t.Fatalf("answer read back does not verify: %v", err)
	}
}
