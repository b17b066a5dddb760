package identity_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"liaison/internal/fault"
	"liaison/internal/federation/identity"
)

var rotationAt = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// MustRotation signs a rotation statement or stops the test.
func MustRotation(tb testing.TB, old, new identity.Key, node string) []byte {
	tb.Helper()
	b, err := identity.SignRotation(old, new, node, rotationAt)
	if err != nil {
		tb.Fatalf("sign rotation: %v", err)
	}
	return b
}

// forge signs payload with the given keys (kid = each key's fingerprint),
// the way an attacker holding those keys could.
func forge(tb testing.TB, payload map[string]any, keys ...identity.Key) []byte {
	tb.Helper()
	p, err := json.Marshal(payload)
	if err != nil {
		tb.Fatal(err)
	}
	var sks []jose.SigningKey
	for _, k := range keys {
		sks = append(sks, jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: k.Private, KeyID: k.Fingerprint()}})
	}
	s, err := jose.NewMultiSigner(sks, (&jose.SignerOptions{}).WithType(identity.TypRotation))
	if err != nil {
		tb.Fatal(err)
	}
	obj, err := s.Sign(p)
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(obj.FullSerialize())
}

func statement(node string, old, new identity.Key) map[string]any {
	return map[string]any{"node": node, "old": identity.EncodePublic(old.Public),
		"new": identity.EncodePublic(new.Public), "at": rotationAt.Format(time.RFC3339)}
}

func TestRotationSignedByOldAndNewVerifies(t *testing.T) {
	old, new := MustKey(t), MustKey(t)
	r, err := identity.VerifyRotation(MustRotation(t, old, new, "HK"), old.Public)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if r.Node != "HK" || !r.OldKey.Equal(old.Public) || !r.NewKey.Equal(new.Public) || !r.At.Equal(rotationAt) {
		t.Fatalf("rotation = %+v, want HK from the old key to the new key at %v", r, rotationAt)
	}
}

func TestRotationStatementShape(t *testing.T) {
	old, new := MustKey(t), MustKey(t)
	var jws struct {
		Payload    string `json:"payload"`
		Signatures []struct {
			Protected string          `json:"protected"`
			Header    json.RawMessage `json:"header"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(MustRotation(t, old, new, "HK"), &jws); err != nil {
		t.Fatalf("statement is not JSON: %v", err)
	}
	if len(jws.Signatures) != 2 {
		t.Fatalf("statement has %d signatures, want 2", len(jws.Signatures))
	}
	for i, want := range []string{old.Fingerprint(), new.Fingerprint()} {
		raw, err := base64.RawURLEncoding.DecodeString(jws.Signatures[i].Protected)
		if err != nil {
			t.Fatal(err)
		}
		var h map[string]string
		if err := json.Unmarshal(raw, &h); err != nil {
			t.Fatal(err)
		}
		if h["alg"] != "EdDSA" || h["kid"] != want || h["typ"] != identity.TypRotation {
			t.Errorf("signature %d protected header = %v, want alg EdDSA, kid %s, typ %s", i, h, want, identity.TypRotation)
		}
		if len(jws.Signatures[i].Header) != 0 {
			t.Errorf("signature %d has an unprotected header %s", i, jws.Signatures[i].Header)
		}
	}
	payload, err := base64.RawURLEncoding.DecodeString(jws.Payload)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if err := json.Unmarshal(payload, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"node": "HK", "old": identity.EncodePublic(old.Public),
		"new": identity.EncodePublic(new.Public), "at": "2026-11-26T10:00:00Z"}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("payload %s = %q, want %q", k, body[k], v)
		}
	}
}

func TestRotationRefused(t *testing.T) {
	old, new, other := MustKey(t), MustKey(t), MustKey(t)
	good := MustRotation(t, old, new, "HK")
	tests := []struct {
		name   string
		in     []byte
		pinned identity.Key
		kind   fault.Kind
		want   string
	}{
		{"signed by another key than the pinned one", MustRotation(t, other, new, "HK"), old,
			fault.Unauthorized, "not the key pinned for HK"},
		{"verified against another pinned key", good, other,
			fault.Unauthorized, "not the key pinned for HK"},
		{"claims the pinned key but signed by another", forge(t, statement("HK", old, new), other, new), old,
			fault.Unauthorized, "not signed by its old key"},
		{"new key's signature missing", forge(t, statement("HK", old, new), old), old,
			fault.Unauthorized, "carries 1 signatures"},
		{"new key's signature made by another key", forge(t, statement("HK", old, new), old, other), old,
			fault.Unauthorized, "not signed by its new key"},
		{"tampered payload", tamperRotationPayload(t, good), old,
			fault.Unauthorized, "not signed by its old key"},
		{"same key twice", forge(t, statement("HK", old, old), old, old), old,
			fault.Invalid, "the new key is the old key"},
		{"alg none", algRotation(t, good, "none"), old,
			fault.Unauthorized, `algorithm "none" is not accepted`},
		{"alg HS256", algRotation(t, good, "HS256"), old,
			fault.Unauthorized, `algorithm "HS256" is not accepted`},
		{"compact JWS", []byte("a.b.c"), old, fault.Invalid, "not a JWS in JSON serialisation"},
		{"too large", []byte(strings.Repeat(" ", identity.MaxRotationSize+1)), old, fault.TooLarge, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identity.VerifyRotation(tt.in, tt.pinned.Public)
			if !fault.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("VerifyRotation = %v, want %s error mentioning %q", err, tt.kind, tt.want)
			}
		})
	}
}

func TestRotationRefusesUnprotectedHeader(t *testing.T) {
	old, new := MustKey(t), MustKey(t)
	var jws map[string]any
	if err := json.Unmarshal(MustRotation(t, old, new, "HK"), &jws); err != nil {
		t.Fatal(err)
	}
	sigs := jws["signatures"].([]any)
	sigs[0].(map[string]any)["header"] = map[string]any{"kid": "whatever"}
	b, err := json.Marshal(jws)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity.VerifyRotation(b, old.Public); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "unprotected header") {
		t.Fatalf("VerifyRotation = %v, want an invalid error about the unprotected header", err)
	}
}

func TestSignRotationRejects(t *testing.T) {
	old, new := MustKey(t), MustKey(t)
	tests := []struct {
		name     string
		old, new identity.Key
		node     string
		at       time.Time
	}{
		{"same key", old, old, "HK", rotationAt},
		{"bad node", old, new, "hk", rotationAt},
		{"no time", old, new, "HK", time.Time{}},
		{"broken old key", identity.Key{Private: old.Private, Public: new.Public}, new, "HK", rotationAt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := identity.SignRotation(tt.old, tt.new, tt.node, tt.at); !fault.Is(err, fault.Invalid) {
				t.Fatalf("SignRotation = %v, want an invalid error", err)
			}
		})
	}
}

// tamperRotationPayload moves the rotation date by a year, keeping the
// signatures.
func tamperRotationPayload(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var jws map[string]any
	if err := json.Unmarshal(b, &jws); err != nil {
		tb.Fatal(err)
	}
	p, err := base64.RawURLEncoding.DecodeString(jws["payload"].(string))
	if err != nil {
		tb.Fatal(err)
	}
	p = []byte(strings.Replace(string(p), "2026-", "2027-", 1))
	jws["payload"] = base64.RawURLEncoding.EncodeToString(p)
	out, err := json.Marshal(jws)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// algRotation rewrites the alg of every protected header, keeping the
// signatures.
func algRotation(tb testing.TB, b []byte, alg string) []byte {
	tb.Helper()
	var jws map[string]any
	if err := json.Unmarshal(b, &jws); err != nil {
		tb.Fatal(err)
	}
	for _, s := range jws["signatures"].([]any) {
		sig := s.(map[string]any)
		h := map[string]string{"alg": alg, "typ": identity.TypRotation}
		raw, err := json.Marshal(h)
		if err != nil {
			tb.Fatal(err)
		}
		sig["protected"] = base64.RawURLEncoding.EncodeToString(raw)
	}
	out, err := json.Marshal(jws)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
