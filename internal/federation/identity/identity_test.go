package identity_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"liaison/internal/fault"
	"liaison/internal/federation/identity"
)

// MustKey returns a fresh key pair or stops the test.
func MustKey(tb testing.TB) identity.Key {
	tb.Helper()
	k, err := identity.Generate()
	if err != nil {
		tb.Fatalf("generate: %v", err)
	}
	return k
}

// fixedKey returns a key derived from a seed byte, so that fingerprints in
// tests are stable.
func fixedKey(seed byte) identity.Key {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return identity.Key{Private: priv, Public: priv.Public().(ed25519.PublicKey)}
}

func TestGenerateGivesDistinctValidKeys(t *testing.T) {
	a, b := MustKey(t), MustKey(t)
	for _, k := range []identity.Key{a, b} {
		if err := k.Check(); err != nil {
			t.Fatalf("generated key fails its check: %v", err)
		}
	}
	if a.Public.Equal(b.Public) {
		t.Fatal("two generated keys are equal")
	}
}

func TestCheckRejectsMismatchedHalves(t *testing.T) {
	a, b := MustKey(t), MustKey(t)
	tests := []struct {
		name string
		key  identity.Key
	}{
		{"public of another key", identity.Key{Private: a.Private, Public: b.Public}},
		{"short private", identity.Key{Private: a.Private[:10], Public: a.Public}},
		{"short public", identity.Key{Private: a.Private, Public: a.Public[:31]}},
		{"empty", identity.Key{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.key.Check(); !fault.Is(err, fault.Invalid) {
				t.Fatalf("Check = %v, want an invalid error", err)
			}
		})
	}
}

func TestPrivateKeyRoundTrip(t *testing.T) {
	k := MustKey(t)
	b, err := identity.MarshalPrivate(k)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Fatalf("not a PKCS #8 PEM block:\n%s", b)
	}
	got, err := identity.ParsePrivate(b)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if !got.Private.Equal(k.Private) || !got.Public.Equal(k.Public) {
		t.Fatal("parsed key differs from the marshalled one")
	}
}

func TestParsePrivateRejects(t *testing.T) {
	k := MustKey(t)
	good, err := identity.MarshalPrivate(k)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(good)
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "no PEM block"},
		{"not PEM", []byte("hello"), "no PEM block"},
		{"wrong block type", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: block.Bytes}), `"PUBLIC KEY"`},
		{"trailing data", append(append([]byte{}, good...), "junk"...), "unexpected data"},
		{"garbage DER", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), "not PKCS #8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identity.ParsePrivate(tt.in)
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParsePrivate = %v, want an invalid error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestPublicKeyRoundTrip(t *testing.T) {
	k := MustKey(t)
	s := identity.EncodePublic(k.Public)
	if len(s) != 43 || strings.ContainsAny(s, "+/=") {
		t.Fatalf("EncodePublic = %q, want 43 characters of unpadded base64url", s)
	}
	got, err := identity.ParsePublic(s)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if !got.Equal(k.Public) {
		t.Fatal("parsed public key differs")
	}
	for _, bad := range []string{"", s[:42], s + "A", s[:42] + "=", "not base64!"} {
		if _, err := identity.ParsePublic(bad); !fault.Is(err, fault.Invalid) {
			t.Errorf("ParsePublic(%q) = %v, want an invalid error", bad, err)
		}
	}
}

func TestFingerprintFormat(t *testing.T) {
	k := fixedKey(7)
	sum := sha256.Sum256(k.Public)
	h := hex.EncodeToString(sum[:])
	want := "SHA256:" + h[0:8] + ":" + h[8:16] + ":" + h[16:24] + ":" + h[24:32] + ":" +
		h[32:40] + ":" + h[40:48] + ":" + h[48:56] + ":" + h[56:64]
	if got := identity.Fingerprint(k.Public); got != want {
		t.Fatalf("Fingerprint = %q, want %q", got, want)
	}
	if k.Fingerprint() != want {
		t.Fatalf("Key.Fingerprint = %q, want %q", k.Fingerprint(), want)
	}
	if identity.Fingerprint(fixedKey(8).Public) == want {
		t.Fatal("two keys share a fingerprint")
	}
}

func TestParseFingerprintIsTolerant(t *testing.T) {
	canonical := identity.Fingerprint(fixedKey(7).Public)
	digits := strings.ReplaceAll(strings.TrimPrefix(canonical, "SHA256:"), ":", "")
	var spaced strings.Builder
	for i := 0; i < len(digits); i += 4 {
		spaced.WriteString(digits[i:i+4] + " ")
	}
	tests := []struct {
		name, in string
	}{
		{"canonical", canonical},
		{"upper case", strings.ToUpper(canonical)},
		{"lower-case prefix", "sha256:" + strings.TrimPrefix(canonical, "SHA256:")},
		{"no prefix", digits},
		{"no prefix upper", strings.ToUpper(digits)},
		{"groups of four with spaces", spaced.String()},
		{"surrounding blanks", "  \t" + canonical + "\n"},
		{"hyphens", "SHA256: " + strings.ReplaceAll(strings.TrimPrefix(canonical, "SHA256:"), ":", "-")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identity.ParseFingerprint(tt.in)
			if err != nil {
				t.Fatalf("ParseFingerprint(%q): %v", tt.in, err)
			}
			if got != canonical {
				t.Fatalf("ParseFingerprint(%q) = %q, want %q", tt.in, got, canonical)
			}
		})
	}
}

func TestParseFingerprintRejects(t *testing.T) {
	canonical := identity.Fingerprint(fixedKey(7).Public)
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "has 0 hexadecimal digits"},
		{"short", canonical[:len(canonical)-1], "has 63 hexadecimal digits"},
		{"long", canonical + "0", "more than 64"},
		{"not hex", strings.Replace(canonical, canonical[7:8], "g", 1), `"g" is not a hexadecimal digit`},
		{"base64 form", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", "is not a hexadecimal digit"},
		{"other hash", "MD5:" + canonical[7:], `"M" is not a hexadecimal digit`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identity.ParseFingerprint(tt.in)
			var fe *fault.Error
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseFingerprint(%q) = %v, want an invalid error mentioning %q", tt.in, err, tt.want)
			}
			if !errors.As(err, &fe) || fe.Field != "fingerprint" {
				t.Fatalf("error names field %q, want fingerprint", fe.Field)
			}
		})
	}
}
