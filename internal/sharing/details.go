package sharing

import "slices"

// AuditDetailFormats returns the shape of every detail the service writes
// in the audit log (audit.Event.Detail) — agreements seeded and added,
// sharing decisions — as a format with its verbs where the counts, kinds
// of agreement, node codes, agreement ids and rules go. The detail of a
// consent recorded is agreement.Consent.AuditDetail's. A detail is stored
// in English inside the hash chain and never changes; a user interface
// words it in its user's language by matching it against these. A test
// holds the list to the details the code writes.
func AuditDetailFormats() []string { return slices.Clone(auditDetailFormats) }

var auditDetailFormats = []string{
	"%d agreements from the seed text",
	"%s between %s",
	"allowed to %s under %s",
	"allowed to %s under %s through %s",
	"allowed to %s through membership of WCO region %s",
	"refused to %s: %s not met",
}
