package envelope_test

import (
	"testing"

	"liaison/internal/federation/envelope"
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

// BenchmarkSignResult is the receiver's signed answer for one envelope.
func BenchmarkSignResult(b *testing.B) {
	r := envelope.Result{ID: MustID(b), Status: envelope.Accepted}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := envelope.SignResult(keyJP, "JP", "HK", r, t0); err != nil {
			b.Fatal(err)
		}
	}
}
