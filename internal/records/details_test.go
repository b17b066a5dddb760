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
	d := faulttest.DetailsInCode(t, ".", faulttest.DetailOptions{})
	if len(d.Whole) < 6 {
		t.Fatalf("found %d detail shapes in the code: the search no longer sees them", len(d.Whole))
	}
	faulttest.HoldList(t, "AuditDetailFormats", AuditDetailFormats(), d.Whole)
	faulttest.HoldList(t, "appended details", nil, d.Appended)

	all := filterNames(store.RecordQuery{Kind: "x", Category: "x", Text: "x", From: "x", To: "x", Originator: "x",
		Status: "x", Cursor: "x"})
	names := append(all, filterNames(store.RecordQuery{})...)
	if !slices.Equal(names, AuditFilterNames()) {
		t.Errorf("filterNames gives %q, AuditFilterNames lists %q", names, AuditFilterNames())
	}
}
