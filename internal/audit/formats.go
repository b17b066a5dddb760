package audit

import "slices"

// ReasonFormats returns every format the Reason of a Break or of an
// AnchorMismatch can be made of (their Format), with its verbs where the
// entry numbers, hashes, record ids and errors go. A user interface words
// a reason in its user's language by looking its format up, and recovers
// the format and arguments of a reason it has as text alone by matching
// the text against these. A test holds the list to the formats the code
// uses.
func ReasonFormats() []string { return slices.Clone(reasonFormats) }

// DigestFormats returns the formats of the errors of ParseDigests, which a
// reason gives as its argument when an entry's digests do not parse
// ("body digests of record %s do not parse: %v"). A test holds the list to
// the code.
func DigestFormats() []string { return slices.Clone(digestFormats) }

var reasonFormats = []string{
	// A Break (Verifier, BodyCheck).
	"expected entry %d, found %d (an entry is missing or out of order)",
	"link to the previous entry does not match its hash",
	"entry content does not match its hash (altered)",
	"entry carries body digests but names no record",
	"body digests of record %s do not parse: %v",
	// An AnchorMismatch (AnchorCheck).
	"the audit log ends at entry %d but the node records %d entries; entries after %d were deleted",
	"the node records no audit entries but a head hash %s",
	"audit entry %d is not the one the node recorded as the head of the chain (hash %s, recorded %s); the entries up to it were rewritten",
	"the audit log ends at entry %d but the node records %d entries; entries after %d were added without the node recording them",
}

var digestFormats = []string{
	"no digests",
	"digest %q is not VERSION:SHA256",
	"digest %q: version %q is not a positive number",
	"digest %q: %q is not a SHA-256 in lower-case hex",
	"version %d has two digests",
}
