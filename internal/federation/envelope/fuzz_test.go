package envelope_test

import (
	"errors"
	"testing"

	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
)

// FuzzParse feeds Parse, Verify and Open arbitrary bytes. None may panic,
// every refusal is a *fault.Error, and since the fuzzer holds no private key,
// the only inputs that verify are ones this package signed, byte for byte:
// one envelope has one encoding. The corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	report := recordEnvelope(f, "region:AP")
	signed := MustSign(f, keyHK, report)
	f.Add(signed)
	f.Add(MustRelay(f, signed, "JP"))
	f.Add(MustSign(f, keyHK, envelope.Envelope{ID: MustID(f), Type: envelope.TypeAck, From: "HK", Created: t0,
		Payload: MustPayload(f, envelope.AckPayload{Envelope: report.ID, Status: envelope.Accepted})}))
	f.Add([]byte("eyJhbGciOiJub25lIn0.e30."))
	f.Add([]byte("a.b.c"))
	f.Add([]byte{})

	keys := map[string]identity.Key{keyHK.Fingerprint(): keyHK, keyRILO.Fingerprint(): keyRILO}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := envelope.Open(b, policy("JP")); err != nil {
			mustFault(t, err)
		}
		u, err := envelope.Parse(b, 0)
		if err != nil {
			mustFault(t, err)
			if _, verr := u.Verify(keyHK.Public); verr == nil {
				t.Fatal("Verify succeeds after Parse failed")
			}
			return
		}
		if fp, err := identity.ParseFingerprint(u.Envelope.Key); err != nil || fp != u.Envelope.Key {
			t.Fatalf("parsed kid %q is not a canonical fingerprint", u.Envelope.Key)
		}
		key, ok := keys[u.Envelope.Key]
		if !ok {
			return
		}
		e, err := u.Verify(key.Public)
		if err != nil {
			mustFault(t, err)
			return
		}
		var again []byte
		if u.Typ == envelope.TypRelay {
			var rp envelope.RelayPayload
			if err := e.Decode(&rp); err != nil {
				t.Fatalf("verified relay envelope has an unreadable payload: %v", err)
			}
			e.Type, e.Payload, e.Key = "", nil, ""
			again, err = envelope.Relay(key, e, []byte(rp.Envelope))
		} else {
			again, err = envelope.Sign(key, e)
		}
		if err != nil {
			t.Fatalf("a verified envelope cannot be signed again: %v", err)
		}
		if string(again) != string(b) {
			t.Fatalf("verified input differs from what the signer writes:\n in  %q\n out %q", b, again)
		}
	})
}

func mustFault(tb testing.TB, err error) {
	tb.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) {
		tb.Fatalf("error %v (%T) is not a *fault.Error", err, err)
	}
}
