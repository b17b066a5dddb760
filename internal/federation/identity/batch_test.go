package identity

import (
	"crypto/ed25519"
	"crypto/sha512"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// TestBatchVerificationAcceptsMore is why envelopes are verified one by
// one. Batch verification of Ed25519 (curve25519-voi's BatchVerifier) can
// only check the cofactored equation [8][S]B = [8]R + [8][k]A, so a batch
// that passes does not mean that every signature in it passes the
// standard library's cofactorless check [S]B = R + [k]A: a key's holder
// can add a point of small order to R and make a signature that a batch
// accepts and crypto/ed25519 refuses. Falling back to single verification
// only when a batch fails would therefore accept such a signature, and
// batch verification with the standard library's rules is single
// verification (the BatchVerifier verifies one by one when asked for
// cofactorless checks). The test builds such a signature and holds both
// verdicts; were they ever to agree, the question could be asked again.
func TestBatchVerificationAcceptsMore(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	msg := []byte("an envelope's signing input")

	// The secret scalar a of the key, as RFC 8032 derives it.
	h := sha512.Sum512(priv.Seed())
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	a, err := scalar.NewFromBits(h[:32])
	if err != nil {
		t.Fatal(err)
	}
	// R = [r]B + T with T a point of order 8.
	r := scalar.NewFromUint64(123456789)
	var R curve.EdwardsPoint
	R.MulBasepoint(curve.ED25519_BASEPOINT_TABLE, r)
	R.Add(&R, curve.EIGHT_TORSION[1])
	var Rc curve.CompressedEdwardsY
	Rc.SetEdwardsPoint(&R)
	// S = r + H(R, A, M)·a.
	kh := sha512.New()
	kh.Write(Rc[:])
	kh.Write(pub)
	kh.Write(msg)
	k, err := scalar.NewFromBytesModOrderWide(kh.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	var S scalar.Scalar
	S.Mul(k, a)
	S.Add(&S, r)
	sig := make([]byte, 0, ed25519.SignatureSize)
	sig = append(sig, Rc[:]...)
	var sb [32]byte
	if err := S.ToBytes(sb[:]); err != nil {
		t.Fatal(err)
	}
	sig = append(sig, sb[:]...)

	if ed25519.Verify(pub, msg, sig) || Verify(pub, msg, sig) {
		t.Fatal("the standard library accepts a signature whose R has a small-order part")
	}
	// With a genuine signature beside it, the batch takes its batch path.
	genuine := ed25519.Sign(priv, msg)
	bv := voi.NewBatchVerifier()
	bv.Add(voi.PublicKey(pub), msg, sig)
	bv.Add(voi.PublicKey(pub), msg, genuine)
	if !bv.VerifyBatchOnly(nil) {
		t.Fatal("the batch verifier refuses the signature crypto/ed25519 refuses: batch verification may be worth revisiting")
	}
	// It is not that the batch takes anything: a signed message changed
	// after signing is refused.
	bv = voi.NewBatchVerifier()
	bv.Add(voi.PublicKey(pub), []byte("an envelope's signing input, changed"), sig)
	bv.Add(voi.PublicKey(pub), msg, genuine)
	if bv.VerifyBatchOnly(nil) {
		t.Fatal("the batch verifier accepts a signature of another message")
	}
}
