package matching

import "slices"

// AuditDetailFormats returns the shape of every detail the service writes
// in the audit log (audit.Event.Detail) — a record's matches read, an
// entity search, an exclusion — as a format with its verbs where the
// counts, filter names and the officer's reason go. A detail is stored in
// English inside the hash chain and never changes; a user interface words
// it in its user's language by matching it against these. A test holds
// the list to the details the code writes.
func AuditDetailFormats() []string { return slices.Clone(auditDetailFormats) }

// AuditFilterNames returns the names an entity search's detail gives its
// filters ("filters name,country; 2 results"): a closed set a user
// interface words in its user's language.
func AuditFilterNames() []string { return slices.Clone(auditFilterNames) }

var auditDetailFormats = []string{
	"matches; %d results",
	"entity search; filters %s; %d results",
	"reason: %s",
}

var auditFilterNames = []string{"name", "type", "country", "birth_date", "min_score"}
