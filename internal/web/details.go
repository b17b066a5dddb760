package web

import "slices"

// AuditDetailFormats returns the shape of every detail the REST API writes
// in the audit log (audit.Event.Detail) — a failed authentication, a user
// created — as a format with its verbs where the remote address, the
// reason and the role go. A detail is stored in English inside the hash
// chain and never changes; a user interface words it in its user's
// language by matching it against these. A test holds the list to the
// details the code writes.
func AuditDetailFormats() []string { return slices.Clone(auditDetailFormats) }

// AuthFailureReasons returns the reasons a failed authentication's detail
// gives ("remote 192.0.2.1: unknown token"): a closed set a user interface
// words in its user's language.
func AuthFailureReasons() []string { return slices.Clone(authFailureReasons) }

var auditDetailFormats = []string{
	"remote %s: %s",
	"role %s",
	"role %s; %d operations",
}

var authFailureReasons = []string{"missing token", "not a bearer token", "malformed token", "unknown token", "user disabled"}
