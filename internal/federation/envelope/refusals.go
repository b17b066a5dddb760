package envelope

import "slices"

// RefusalFormats returns the shape of every reason a receiver refuses an
// envelope with when Open, Decode or DecodeRecordVersion fails: the
// message of the *fault.Error, after its field and a colon where it names
// one, and followed by a colon and the decoder's finding where it wraps
// one (written as a receiver gives it: "created: envelope created … is
// outside the accepted window …"). A reason about the envelope a relay
// carried is one of these after the relay's sentence. A peer that runs
// Liaison answers in these; a user interface words a reason in its user's
// language by matching it against them. A test holds the list to the code.
func RefusalFormats() []string { return slices.Clone(refusalFormats) }

// AnswerFormats returns the shape of every reason a sender does not take
// a receiver's answer to a batch with when VerifyResponse fails, besides
// those of RefusalFormats (a signed answer that does not parse or verify
// fails as an envelope does): written as RefusalFormats are, the field and
// a colon before the message where it names one. A user interface words
// a reason in its user's language by matching it against them and
// RefusalFormats. A test holds the list to the code.
func AnswerFormats() []string { return slices.Clone(answerFormats) }

var answerFormats = []string{
	"answer is not signed",
	"signed answer does not match the answer given: it is signed as %s",
	"signed answer does not match the answer given: it answers batch %s, not %s",
	"signed answer does not match the answer given: %d results signed, %d given",
	"signed answer does not match the answer given: result %d is signed as %s %q for %q",
	"results[%d].id: an %s result names the envelope",
	"results[%d].reason: a refusal gives its reason",
	"results[%d].status: %q is not accepted, duplicate or refused",
}

var refusalFormats = []string{
	// Parse: the JWS and its header.
	"envelope is not a compact JWS (header.payload.signature)",
	"JWS header is not base64url: %s",
	"JWS header is not a JSON object",
	"JWS header is not a JSON object: %s",
	"JWS header field %q is not accepted; only alg, kid and typ are",
	"JWS header field %q is not a string",
	"algorithm %q is not accepted; envelopes are signed with EdDSA",
	"JWS typ %q is not %q or %q",
	"JWS kid %q is not a key fingerprint",
	"envelope too large: %s bytes (limit %s)",
	"relayed envelope too large: %s bytes (limit %s)",
	"envelope is not in canonical base64url",
	"envelope is not a compact JWS: payload is not base64url: %s",
	"envelope is not a compact JWS: the signature is not %d bytes of base64url",
	"JWS payload is not an envelope: %s",
	// Parse: the envelope's fields.
	"id: envelope id is missing",
	"id: envelope id %q is not a ULID",
	"type: envelope type is missing",
	"type: unknown envelope type %q",
	"from: sender %q is not a node code such as HK or RILO-AP",
	"created: creation time is missing",
	"created: creation time %s is not plausible",
	"to: envelope has no recipient",
	"to: envelope has %d recipients (limit %d)",
	"to[%d]: region %q is not a WCO region code such as AP",
	"to[%d]: recipient %q is neither a node code such as JP nor a region such as region:AP",
	"to[%d]: recipient %s is listed twice",
	"payload: payload must be a JSON object",
	"type: envelope type %q does not match JWS typ %q",
	// Verify, the window and the addressee.
	"envelope from %s: %s is not a pinned peer",
	"envelope from %s signed with key %s which is not the key pinned for %s (%s)",
	"signature does not verify",
	"created: envelope created %s is outside the accepted window of ±%s around %s",
	"envelope %s from %s is addressed to %s, not to %s",
	// A relay and the envelope it carries.
	"%s may not relay envelopes to %s",
	"envelope relayed by %s: %s",
	"envelope relayed by %s was already relayed by %s; an envelope passes through one relay at most",
	"envelope relayed by %s (envelope %s, which says it is from %s): %s",
	"%s relayed envelope %s from %s, which %s addressed to %s, not to %s",
	// Decode.
	"payload of %s envelope %s does not read: %s",
}
