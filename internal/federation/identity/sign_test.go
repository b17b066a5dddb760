package identity

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// TestSignVerifyAsStdlib holds Sign, Verify and a Verifier to
// crypto/ed25519: the same signatures, and the same verdict on genuine,
// tampered and malformed signatures and on the edge cases that verifiers
// disagree on (a scalar S not reduced below the group order, small-order
// keys and R, non-canonical point encodings).
func TestSignVerifyAsStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		seed := make([]byte, ed25519.SeedSize)
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		msg := make([]byte, rng.IntN(4000))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		sig := Sign(priv, msg)
		if want := ed25519.Sign(priv, msg); !bytes.Equal(sig, want) {
			t.Fatalf("key %d: signature differs from crypto/ed25519's", i)
		}
		agree(t, pub, msg, sig, true)
		// One flipped bit anywhere in the message, signature or key.
		bad := bytes.Clone(sig)
		bad[rng.IntN(len(bad))] ^= 1 << rng.IntN(8)
		agree(t, pub, msg, bad, false)
		if len(msg) > 0 {
			m := bytes.Clone(msg)
			m[rng.IntN(len(m))] ^= 1 << rng.IntN(8)
			agree(t, pub, m, sig, false)
		}
		k := bytes.Clone(pub)
		k[rng.IntN(len(k))] ^= 1 << rng.IntN(8)
		agree(t, k, msg, sig, false)
		// S + L: the same point equation, but S is not reduced.
		agree(t, pub, msg, addOrder(sig), false)
	}
	// Wrong lengths.
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	sig := Sign(priv, []byte("m"))
	for _, c := range []struct {
		pub ed25519.PublicKey
		sig []byte
	}{{pub[:31], sig}, {pub, sig[:63]}, {nil, sig}, {pub, nil}, {append(bytes.Clone(pub), 0), sig}} {
		if Verify(c.pub, []byte("m"), c.sig) || NewVerifier(c.pub).Verify([]byte("m"), c.sig) {
			t.Fatalf("a %d-byte key and %d-byte signature verified", len(c.pub), len(c.sig))
		}
	}
	// Small-order and non-canonical encodings as keys and as R.
	for _, h := range []string{
		"0100000000000000000000000000000000000000000000000000000000000000", // identity
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // -1, order 2
		"0000000000000000000000000000000000000000000000000000000000000000", // order 4
		"0000000000000000000000000000000000000000000000000000000000000080", // order 4, sign bit set
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p, non-canonical 0
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p+1, non-canonical 1
	} {
		enc, _ := hex.DecodeString(h)
		for _, msg := range [][]byte{nil, []byte("m"), []byte("liaison")} {
			zeroS := append(bytes.Clone(enc), make([]byte, 32)...)
			agree(t, ed25519.PublicKey(enc), msg, zeroS, ed25519.Verify(ed25519.PublicKey(enc), msg, zeroS))
			withR := append(bytes.Clone(enc), sig[32:]...)
			agree(t, pub, msg, withR, ed25519.Verify(pub, msg, withR))
		}
	}
}

func agree(t *testing.T, pub ed25519.PublicKey, msg, sig []byte, want bool) {
	t.Helper()
	std := ed25519.Verify(pub, msg, sig)
	if std != want {
		t.Fatalf("crypto/ed25519 says %v, the test expected %v", std, want)
	}
	if got := Verify(pub, msg, sig); got != std {
		t.Fatalf("Verify says %v where crypto/ed25519 says %v (key %x, signature %x)", got, std, pub, sig)
	}
	if got := NewVerifier(pub).Verify(msg, sig); got != std {
		t.Fatalf("a Verifier says %v where crypto/ed25519 says %v (key %x, signature %x)", got, std, pub, sig)
	}
}

// addOrder returns sig with L, the order of the group, added to its S.
func addOrder(sig []byte) []byte {
	l := [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	out := bytes.Clone(sig)
	carry := 0
	for i := range 32 {
		v := int(out[32+i]) + int(l[i]) + carry
		out[32+i] = byte(v)
		carry = v >> 8
	}
	return out
}
