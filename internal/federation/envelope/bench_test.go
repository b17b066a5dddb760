package envelope_test

import (
	"encoding/json"
	"testing"

	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
)

// The benchmarks use the seizure of DESIGN §4 with its sharing decision, an
// envelope of about 2.5 kB, the typical size of a shared record.

func BenchmarkSign(b *testing.B) {
	e := recordEnvelope(b, "JP")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := envelope.Sign(keyHK, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	signed := MustSign(b, keyHK, recordEnvelope(b, "JP"))
	b.SetBytes(int64(len(signed)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := envelope.Verify(signed, keyHK.Public); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen is the receiving side of a direct delivery: parse, pinned
// key, signature, window and addressee.
func BenchmarkOpen(b *testing.B) {
	signed := MustSign(b, keyHK, recordEnvelope(b, "JP"))
	p := policy("JP")
	b.SetBytes(int64(len(signed)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := envelope.Open(signed, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenPrepared is BenchmarkOpen with the sender's key prepared
// once, as the inbox does for a batch.
func BenchmarkOpenPrepared(b *testing.B) {
	signed := MustSign(b, keyHK, recordEnvelope(b, "JP"))
	p := policy("JP")
	v := identity.NewVerifier(keyHK.Public)
	p.Verifier = func(string) (identity.Verifier, bool) { return v, true }
	b.SetBytes(int64(len(signed)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := envelope.Open(signed, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenRelayed verifies the relay's signature and the originator's.
func BenchmarkOpenRelayed(b *testing.B) {
	relayed := MustRelay(b, MustSign(b, keyHK, recordEnvelope(b, "region:AP")), "JP")
	p := policy("JP")
	b.SetBytes(int64(len(relayed)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := envelope.Open(relayed, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignResponse is the receiver's signed answer to a batch of
// envelope.MaxBatch envelopes: one signature over every result.
func BenchmarkSignResponse(b *testing.B) {
	results := make([]envelope.Result, envelope.MaxBatch)
	for i := range results {
		results[i] = envelope.Result{ID: MustID(b), Status: envelope.Accepted}
	}
	body := []byte("[]")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := envelope.SignResponse(keyJP, "JP", []string{"HK"}, body, results, t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyResponse is the sender's check of that answer.
func BenchmarkVerifyResponse(b *testing.B) {
	results := make([]envelope.Result, envelope.MaxBatch)
	for i := range results {
		results[i] = envelope.Result{ID: MustID(b), Status: envelope.Accepted}
	}
	body := []byte("[]")
	r, err := envelope.SignResponse(keyJP, "JP", []string{"HK"}, body, results, t0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := envelope.VerifyResponse(r, body, keyJP.Public); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidJSON is the check that a received payload is one JSON
// value; BenchmarkJSONValid is encoding/json's, for comparison.
func BenchmarkValidJSON(b *testing.B) {
	p := recordEnvelope(b, "JP").Payload
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if !envelope.ValidJSON(p) {
			b.Fatal("payload not valid")
		}
	}
}

func BenchmarkJSONValid(b *testing.B) {
	p := recordEnvelope(b, "JP").Payload
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if !json.Valid(p) {
			b.Fatal("payload not valid")
		}
	}
}
