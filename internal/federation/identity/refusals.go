package identity

import "slices"

// RefusalFormats returns the shape of every reason a receiver refuses a
// key rotation with when VerifyRotation fails: the message of the
// *fault.Error, after its field and a colon where it names one, and
// followed by a colon and the decoder's finding where it wraps one. A
// user interface words a reason in its user's language by matching it
// against them. A test holds the list to the code.
func RefusalFormats() []string { return slices.Clone(refusalFormats) }

var refusalFormats = []string{
	"rotation statement too large: %d bytes (limit %d)",
	"rotation statement: algorithm %q is not accepted; only EdDSA is",
	"rotation statement is not a JWS in JSON serialisation: %s",
	"rotation statement carries %d signatures; it must be signed by the old key and by the new key",
	"rotation statement: signature %d has an unprotected header",
	"rotation statement: signature %d: algorithm %q is not accepted; only EdDSA is",
	"rotation statement: signature %d: typ is %q, want %q",
	"rotation statement: signature %d has no kid",
	"rotation statement: payload is not a rotation: %s",
	"node: must be a node code such as HK or RILO-AP, not %q",
	"rotation statement: old key",
	"rotation statement: new key",
	"rotation statement: the new key is the old key",
	"at: is required",
	"rotation for %s replaces key %s, which is not the key pinned for %s (%s)",
	"rotation for %s is not signed by its old key %s",
	"rotation for %s is not signed by its new key %s",
	"rotation for %s: a signature's kid does not name the key that made it",
}
