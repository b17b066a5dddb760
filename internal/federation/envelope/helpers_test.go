package envelope_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"liaison/internal/agreement"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/intel"
)

// t0 is the clock of every test: envelopes are created at t0 and received
// at t0 unless a test says otherwise.
var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// fixedKey returns a key derived from a seed byte.
func fixedKey(seed byte) identity.Key {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return identity.Key{Private: priv, Public: priv.Public().(ed25519.PublicKey)}
}

// The nodes of the tests and their keys.
var (
	keyHK   = fixedKey(1)
	keyJP   = fixedKey(2)
	keyCN   = fixedKey(3)
	keyRILO = fixedKey(4)
	keyEvil = fixedKey(5)
)

// pinned is what every test receiver has pinned.
func pinned(node string) (ed25519.PublicKey, bool) {
	switch node {
	case "HK":
		return keyHK.Public, true
	case "JP":
		return keyJP.Public, true
	case "CN":
		return keyCN.Public, true
	case "RILO-AP":
		return keyRILO.Public, true
	}
	return nil, false
}

// policy is the receiving policy of node self in region AP, trusting
// RILO-AP as a relay.
func policy(self string) envelope.Policy {
	return envelope.Policy{Self: self, Region: "AP", Now: t0, Window: 5 * time.Minute, Key: pinned,
		Relay: func(node string) bool { return node == "RILO-AP" }}
}

// MustID returns a new envelope id.
func MustID(tb testing.TB) string {
	tb.Helper()
	id, err := envelope.NewID(t0)
	if err != nil {
		tb.Fatalf("new id: %v", err)
	}
	return id
}

// MustPayload encodes v as a payload.
func MustPayload(tb testing.TB, v any) json.RawMessage {
	tb.Helper()
	p, err := envelope.NewPayload(v)
	if err != nil {
		tb.Fatalf("payload: %v", err)
	}
	return p
}

// MustSign signs e with key.
func MustSign(tb testing.TB, key identity.Key, e envelope.Envelope) []byte {
	tb.Helper()
	b, err := envelope.Sign(key, e)
	if err != nil {
		tb.Fatalf("sign: %v", err)
	}
	return b
}

// MustRelay wraps signed for delivery by RILO-AP to the given recipients.
func MustRelay(tb testing.TB, signed []byte, to ...string) []byte {
	tb.Helper()
	b, err := envelope.Relay(keyRILO, envelope.Envelope{ID: MustID(tb), From: "RILO-AP", To: to, Created: t0}, signed)
	if err != nil {
		tb.Fatalf("relay: %v", err)
	}
	return b
}

// seizure is the canonical example record of DESIGN §4.
func seizure() intel.Record {
	created := t0.Add(-time.Hour)
	return intel.Record{
		ID: "01JDQ3Y9W8XK5V2T7R4M6N0PQS", Kind: intel.KindSeizure, Originator: "HK", Version: 1,
		Created: &created, Updated: &created, Status: intel.StatusActive, Language: "en",
		Grading:      intel.Grading{Source: "B", Information: "2"},
		Handling:     intel.Handling{Code: "H0"},
		Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}},
		Seizure: &intel.Seizure{
			Date: "2026-10-14", Place: intel.Place{Country: "HK", Locode: "HKHKG"},
			Direction: "import", Detection: "x-ray", Transport: "sea",
			Conveyance: &intel.Conveyance{VesselIMO: "9074729"}, Containers: []string{"CSQU3054383"},
			Route: []intel.RouteLeg{{Role: "departure", Country: "VN", Locode: "VNSGN"},
				{Role: "destination", Country: "HK", Locode: "HKHKG"}},
			Goods: []intel.Goods{{Category: "revenue/cigarettes", Description: "cigarettes, assorted brands & <mixed> brands",
				HS: "240220", Quantity: 8000000, Unit: "piece", Value: &intel.Money{Amount: 2400000, Currency: "HKD"}}},
			Concealment: "mixed-with-legitimate-cargo",
			Parties: []intel.Party{
				{Type: "person", Role: "consignee", Name: "Chan Tai Man", BirthDate: "1975-03-02", Nationality: "HK",
					Document: &intel.Document{Type: "passport", Number: "K01234567", Country: "HK"}},
				{Type: "organisation", Role: "consignor", Name: "Golden Harvest Trading Co., Ltd.", Country: "VN",
					Registration: "0312345678"}},
			Narrative: "Declared as frozen fish; cigarettes found behind the first row of cartons.",
		},
	}
}

// decision is the sharing decision sent with the seizure.
func decision() agreement.Decision {
	return agreement.Decision{Allowed: true,
		Basis:   &agreement.Basis{Kind: agreement.BasisAgreement, Agreement: "HK-JP-2014", Title: "Hong Kong – Japan customs cooperation arrangement"},
		Reasons: []agreement.Reason{{Rule: agreement.RuleAgreement, Met: true, Text: "An arrangement in force links Hong Kong and Japan."}}}
}

// recordEnvelope is HK's record.create envelope of the seizure to the given
// recipients.
func recordEnvelope(tb testing.TB, to ...string) envelope.Envelope {
	tb.Helper()
	return envelope.Envelope{ID: MustID(tb), Type: envelope.TypeRecordCreate, From: "HK", To: to, Created: t0,
		Payload: MustPayload(tb, envelope.RecordPayload{Record: seizure(), Decision: decision()})}
}

// parts splits a compact JWS into its decoded header, payload and signature.
func parts(tb testing.TB, b []byte) (header map[string]any, payload, sig []byte) {
	tb.Helper()
	p := strings.Split(string(b), ".")
	if len(p) != 3 {
		tb.Fatalf("compact JWS has %d parts", len(p))
	}
	h, err := base64.RawURLEncoding.DecodeString(p[0])
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(h, &header); err != nil {
		tb.Fatal(err)
	}
	if payload, err = base64.RawURLEncoding.DecodeString(p[1]); err != nil {
		tb.Fatal(err)
	}
	if sig, err = base64.RawURLEncoding.DecodeString(p[2]); err != nil {
		tb.Fatal(err)
	}
	return header, payload, sig
}

// join encodes header, payload and signature as a compact JWS.
func join(tb testing.TB, header any, payload, sig []byte) []byte {
	tb.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		tb.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return []byte(enc.EncodeToString(h) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString(sig))
}

// signRaw signs arbitrary payload bytes with key under a header of alg
// EdDSA, the key's fingerprint as kid and typ, as a node that does not use
// this package could, so that tests can produce validly signed envelopes
// with wrong contents.
func signRaw(tb testing.TB, key identity.Key, typ string, payload []byte) []byte {
	tb.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: key.Private, KeyID: key.Fingerprint()}},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		tb.Fatal(err)
	}
	obj, err := s.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := obj.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(c)
}
