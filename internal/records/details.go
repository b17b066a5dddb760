package records

import "slices"

// AuditDetailFormats returns the shape of every detail the service writes
// in the audit log (audit.Event.Detail), as a format with its verbs where
// the version numbers, counts and filter names go. A detail is stored in
// English inside the hash chain and never changes; a user interface words
// it in its user's language by matching it against these. A test holds
// the list to the details the code writes.
func AuditDetailFormats() []string { return slices.Clone(auditDetailFormats) }

// AuditFilterNames returns the names a record.search detail gives the
// filters of a search ("filters kind,status; 3 results"), "none" when it
// had none: a closed set a user interface words in its user's language.
func AuditFilterNames() []string { return slices.Clone(auditFilterNames) }

var auditDetailFormats = []string{
	"version 1",
	"version %d",
	"import version %d",
	"latest version",
	"signed envelopes",
	"history, %d versions",
	"version 1; creation sent again under its idempotency key",
	"filters %s; %d results",
}

var auditFilterNames = []string{"kind", "category", "q", "from", "to", "originator", "status", "cursor", "none"}
