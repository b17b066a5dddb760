package identity

import (
	"crypto/ed25519"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// Every envelope is signed by its sender and verified by its receiver, so
// Ed25519 is the largest single cost of federation. Sign and Verify use
// curve25519-voi, whose arithmetic is about a third faster at signing and
// twice as fast at verifying as crypto/ed25519 on amd64, with the standard
// library's rules: Sign gives the same deterministic signature (RFC 8032),
// and Verify accepts exactly the signatures crypto/ed25519.Verify accepts
// (canonical S, cofactorless equation); TestSignVerifyAsStdlib holds both.
//
// Envelopes are verified one by one, not in batches: a batch can only check
// the cofactored equation, which also accepts signatures crypto/ed25519
// refuses (TestBatchVerificationAcceptsMore), so a batch that passes would
// not give the standard library's verdict on each signature in it.

// verifyOptions makes voi verify as crypto/ed25519 does.
var verifyOptions = &voi.Options{Verify: voi.VerifyOptionsStdLib}

// Sign signs message with priv, as crypto/ed25519.Sign does.
func Sign(priv ed25519.PrivateKey, message []byte) []byte {
	return voi.Sign(voi.PrivateKey(priv), message)
}

// Verify reports whether sig is a valid signature of message by pub, with
// crypto/ed25519.Verify's rules. A key or signature of the wrong length is
// not valid.
func Verify(pub ed25519.PublicKey, message, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return voi.VerifyWithOptions(voi.PublicKey(pub), message, sig, verifyOptions)
}

// Verifier is a public key prepared for verifying many signatures: the
// multiples of the key that verification needs are worked out once (about
// a tenth of a verification faster each, after the cost of about one
// fifth of one to prepare), and its fingerprint too. Its verdicts are
// Verify's. The zero Verifier verifies nothing.
type Verifier struct {
	pub         ed25519.PublicKey
	fingerprint string
	expanded    *voi.ExpandedPublicKey // nil when pub does not decode
}

// NewVerifier prepares pub.
func NewVerifier(pub ed25519.PublicKey) Verifier {
	v := Verifier{pub: pub}
	if len(pub) != ed25519.PublicKeySize {
		return v
	}
	v.fingerprint = Fingerprint(pub)
	if x, err := voi.NewExpandedPublicKey(voi.PublicKey(pub)); err == nil {
		v.expanded = x
	}
	return v
}

// Public returns the key.
func (v Verifier) Public() ed25519.PublicKey { return v.pub }

// Fingerprint returns Fingerprint of the key ("" for a key of the wrong
// length).
func (v Verifier) Fingerprint() string { return v.fingerprint }

// Verify reports whether sig is a valid signature of message by the key,
// exactly as Verify does.
func (v Verifier) Verify(message, sig []byte) bool {
	if v.expanded == nil || len(sig) != ed25519.SignatureSize {
		return Verify(v.pub, message, sig)
	}
	return voi.VerifyExpandedWithOptions(v.expanded, message, sig, verifyOptions)
}
