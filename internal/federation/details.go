package federation

import "slices"

// AuditDetailFormats returns the shape of every detail the federation
// writes in the audit log (audit.Event.Detail) — deliveries decided,
// envelopes received, refused and relayed, keys rotated and peers
// re-pinned — as a format with its verbs where the envelope types, ids,
// node codes, versions, recipients and agreement ids go. A received
// envelope's detail may be followed by clauses of AuditDetailClauses. A
// detail is stored in English inside the hash chain and never changes; a
// user interface words it in its user's language by matching it against
// these. A test holds the list to the details the code writes.
func AuditDetailFormats() []string { return slices.Clone(auditDetailFormats) }

// AuditDetailClauses returns the shapes of the clauses appended, in this
// order, to the detail of an envelope received and accepted: the key that
// signed it, the RILO it came through, the members a RILO relayed it to.
func AuditDetailClauses() []string { return slices.Clone(auditDetailClauses) }

var auditDetailFormats = []string{
	// A delivery decided (Share, and a request or response sent).
	"allowed to %s under %s",
	"allowed to %s through membership of WCO region %s",
	"refused to %s: %s not met",
	"%s: allowed to %s under %s",
	"%s: allowed to %s through membership of WCO region %s",
	"%s: refused to %s: %s not met",
	// An envelope received.
	"%s %s version %d from %s (%s)",
	"%s %s from %s: retracted at version %d, %s",
	"%s %s from %s: request acknowledged (envelope %s)",
	"from %s: %s",
	// An envelope relayed by a RILO.
	"%s %s from %s relayed to %s",
	"%s %s from %s relayed to %s; not pinned here: %s",
	// Keys and peers.
	"replaces %s",
	"re-pinned to %s",
}

var auditDetailClauses = []string{
	"; signed by %s key %s",
	"; via %s",
	"; relayed to %s",
}

// AuditNoteFormats returns the shapes of the notes a detail of
// AuditDetailFormats ends with (its last %s): what a retraction received
// did to the record.
func AuditNoteFormats() []string {
	return []string{"personal data purged by %s on %s on retraction by %s"}
}
