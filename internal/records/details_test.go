package records

import (
	"slices"
	"testing"

	"liaison/internal/fault/faulttest"
	"liaison/internal/store"
)

// TestAuditDetailFormatsAreTheCode holds AuditDetailFormats to the details
// the package writes in the audit log, and AuditFilterNames to the names
// filterNames gives: a detail changed or added in the code without the
// list would be left in English on a French or Chinese audit page.
func TestAuditDetailFormatsAreTheCode(t *testing.T) {
	faulttest.HoldDetails(t, "AuditDetailFormats", AuditDetailFormats(), 6)

	all := filterNames(store.RecordQuery{Kind: "x", Category: "x", Text: "x", From: "x", To: "x", Originator: "x",
		Status: "x", Cursor: "x"})
	names := append(all, filterNames(store.RecordQuery{})...)
	if !slices.Equal(names, AuditFilterNames()) {
		t.Errorf("filterNames gives %q, AuditFilterNames lists %q", names, AuditFilterNames())
	}
}
