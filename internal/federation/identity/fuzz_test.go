package identity_test

import (
	"errors"
	"testing"

	"liaison/internal/fault"
	"liaison/internal/federation/identity"
)

// FuzzParseFingerprint checks that whatever an operator types either is
// refused with a field error or reads as a canonical fingerprint that reads
// back as itself.
func FuzzParseFingerprint(f *testing.F) {
	fp := fixedKey(7).Fingerprint()
	for _, s := range []string{fp, "sha256:" + fp[7:], "3b6a 27bc ceb6", "", "SHA256:", "MD5:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := identity.ParseFingerprint(s)
		if err != nil {
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Field != "fingerprint" {
				t.Fatalf("error %v does not name the fingerprint field", err)
			}
			return
		}
		again, err := identity.ParseFingerprint(got)
		if err != nil || again != got {
			t.Fatalf("canonical %q reads back as %q, %v", got, again, err)
		}
		if len(got) != len(fp) {
			t.Fatalf("canonical %q has %d characters, want %d", got, len(got), len(fp))
		}
	})
}

// FuzzVerifyRotation feeds VerifyRotation arbitrary statements: it must not
// panic, and without the private keys nothing but the genuine statement
// verifies against the pinned key.
func FuzzVerifyRotation(f *testing.F) {
	old, new := fixedKey(1), fixedKey(2)
	genuine := MustRotation(f, old, new, "HK")
	f.Add(genuine)
	f.Add([]byte(`{"payload":"e30","signatures":[]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := identity.VerifyRotation(b, old.Public)
		if err != nil {
			var fe *fault.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *fault.Error", err, err)
			}
			return
		}
		if r.Node != "HK" || !r.NewKey.Equal(new.Public) || !r.At.Equal(rotationAt) {
			t.Fatalf("forged rotation verifies: %+v", r)
		}
	})
}
