package app

import "slices"

// AuditDetailFormats returns the shape of every detail the node's
// administration writes in the audit log (audit.Event.Detail) — backups,
// restores, users created, reference data loaded — as a format with its
// verbs where the backup format, file names, counts and roles go. A detail
// is stored in English inside the hash chain and never changes; the web UI,
// which this package wires and so cannot import, is given these to word a
// detail in its user's language. A test holds the list to the details the
// code writes.
func AuditDetailFormats() []string { return slices.Clone(auditDetailFormats) }

var auditDetailFormats = []string{
	"%s backup %s: %d records, %d audit entries",
	"restored from %s backup %s: %d records, %d audit entries",
	"role %s",
	"role %s; %d operations",
	"%d chapters, %d headings, %d subheadings",
	"%d countries",
}
