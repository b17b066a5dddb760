// Package identity is a node's Ed25519 identity: generating the key, storing
// it as text, the fingerprint people compare and pin, and the signed statement
// by which a node rotates to a new key. It does no I/O besides reading
// crypto/rand when a key is generated.
package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"liaison/internal/fault"
)

// Key is a node's Ed25519 key pair. A Key returned by this package always has
// a Public that matches Private.
type Key struct {
	Private ed25519.PrivateKey
	Public  ed25519.PublicKey
}

// Generate returns a new key pair drawn from crypto/rand.
func Generate() (Key, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("generate ed25519 key: %w", err)
	}
	return Key{Private: priv, Public: pub}, nil
}

// Fingerprint returns the fingerprint of k's public key, as Fingerprint does.
func (k Key) Fingerprint() string { return Fingerprint(k.Public) }

// Check reports whether k is a usable key pair: both halves of the right
// size, the public half derived from the private one.
func (k Key) Check() error {
	if len(k.Private) != ed25519.PrivateKeySize {
		return fault.E(fault.Invalid, "private key has %d bytes, want %d", len(k.Private), ed25519.PrivateKeySize)
	}
	if len(k.Public) != ed25519.PublicKeySize {
		return fault.E(fault.Invalid, "public key has %d bytes, want %d", len(k.Public), ed25519.PublicKeySize)
	}
	derived, _ := k.Private.Public().(ed25519.PublicKey)
	if !derived.Equal(k.Public) {
		return fault.E(fault.Invalid, "public key does not belong to the private key")
	}
	return nil
}

// pemType is the PEM block type of a PKCS #8 private key (RFC 5958, RFC 7468).
const pemType = "PRIVATE KEY"

// MarshalPrivate encodes k's private key as a PKCS #8 PEM block, the form a
// node keeps in its data directory. OpenSSL reads the same form
// (`openssl pkey -in key.pem -pubout`).
func MarshalPrivate(k Key) ([]byte, error) {
	if err := k.Check(); err != nil {
		return nil, fmt.Errorf("marshal private key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, fmt.Errorf("marshal private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der}), nil
}

// ParsePrivate decodes a key pair from the PKCS #8 PEM block MarshalPrivate
// writes. It refuses anything that is not exactly one Ed25519 private key.
func ParsePrivate(b []byte) (Key, error) {
	block, rest := pem.Decode(b)
	if block == nil {
		return Key{}, fault.E(fault.Invalid, "private key: no PEM block found")
	}
	if block.Type != pemType {
		return Key{}, fault.E(fault.Invalid, "private key: PEM block is %q, want %q", block.Type, pemType)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return Key{}, fault.E(fault.Invalid, "private key: unexpected data after the PEM block")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, fault.Wrap(fault.Invalid, err, "private key: not PKCS #8")
	}
	priv, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return Key{}, fault.E(fault.Invalid, "private key: %T is not an Ed25519 key", parsed)
	}
	pub, _ := priv.Public().(ed25519.PublicKey)
	return Key{Private: priv, Public: pub}, nil
}

// EncodePublic returns the text form of a public key: the 32 raw bytes in
// unpadded base64url (RFC 4648 §5), 43 characters. It is the form published
// at GET /federation/v1/node and the "x" member of the key's JWK (RFC 8037).
func EncodePublic(pub ed25519.PublicKey) string {
	return base64.RawURLEncoding.EncodeToString(pub)
}

// ParsePublic decodes the text form EncodePublic writes.
func ParsePublic(s string) (ed25519.PublicKey, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fault.Wrap(fault.Invalid, err, "public key is not unpadded base64url")
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fault.E(fault.Invalid, "public key has %d bytes, want %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// FingerprintPrefix starts every fingerprint and names its hash.
const FingerprintPrefix = "SHA256:"

// Fingerprint returns the fingerprint peers pin a node by: "SHA256:"
// followed by the SHA-256 digest of the 32 raw public key bytes in lowercase
// hexadecimal, in eight colon-separated groups of eight digits, e.g.
//
//	SHA256:3b6a27bc:ceb6a42d:62a3a8d0:2a6f0d73:65321577:1de243a6:3ac048a1:8b59da29
//
// It is one shell word, case-insensitive when read back (ParseFingerprint),
// and easy to compare group by group over the telephone. It is not the value
// ssh-keygen prints for the same key, which hashes the SSH wire encoding.
// For a key of the wrong size it returns the fingerprint of whatever bytes
// it was given, which no valid key matches.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return formatDigest(sum[:])
}

func formatDigest(sum []byte) string {
	h := hex.EncodeToString(sum)
	var b strings.Builder
	b.Grow(len(FingerprintPrefix) + len(h) + len(h)/8)
	b.WriteString(FingerprintPrefix)
	for i := 0; i < len(h); i += 8 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+8])
	}
	return b.String()
}

// ParseFingerprint reads a fingerprint as an operator may type or paste it
// and returns it in the canonical form Fingerprint writes. The "SHA256:"
// prefix is optional and case-insensitive; the 64 hexadecimal digits may be
// in either case and grouped by any mix of spaces, tabs, colons or hyphens.
func ParseFingerprint(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) >= len(FingerprintPrefix) && strings.EqualFold(t[:len(FingerprintPrefix)], FingerprintPrefix) {
		t = t[len(FingerprintPrefix):]
	}
	digits := make([]byte, 0, sha256.Size*2)
	for _, c := range t {
		switch {
		case c == ' ' || c == '\t' || c == ':' || c == '-':
			continue
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
			digits = append(digits, byte(c))
		case 'A' <= c && c <= 'F':
			digits = append(digits, byte(c-'A'+'a'))
		default:
			return "", fault.Field("fingerprint", "%q is not a hexadecimal digit; a fingerprint is %s followed by 64 hexadecimal digits", string(c), FingerprintPrefix)
		}
		if len(digits) > sha256.Size*2 {
			return "", fault.Field("fingerprint", "has more than %d hexadecimal digits", sha256.Size*2)
		}
	}
	if len(digits) != sha256.Size*2 {
		return "", fault.Field("fingerprint", "has %d hexadecimal digits, want %d", len(digits), sha256.Size*2)
	}
	sum := make([]byte, sha256.Size)
	if _, err := hex.Decode(sum, digits); err != nil {
		return "", fault.Wrap(fault.Invalid, err, "fingerprint is not hexadecimal")
	}
	return formatDigest(sum), nil
}
