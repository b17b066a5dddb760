package sharing

import (
	"testing"

	"liaison/internal/fault/faulttest"
)

// TestAuditDetailFormatsAreTheCode holds AuditDetailFormats to the details
// the package writes in the audit log: a detail changed or added in the
// code without the list would be left in English on a French or Chinese
// audit page.
func TestAuditDetailFormatsAreTheCode(t *testing.T) {
	d := faulttest.DetailsInCode(t, ".", faulttest.DetailOptions{})
	if len(d.Whole) < 5 {
		t.Fatalf("found %d detail shapes in the code: the search no longer sees them", len(d.Whole))
	}
	faulttest.HoldList(t, "AuditDetailFormats", AuditDetailFormats(), d.Whole)
	faulttest.HoldList(t, "appended details", nil, d.Appended)
}
