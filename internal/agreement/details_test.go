package agreement

import (
	"testing"

	"liaison/internal/fault/faulttest"
)

// TestConsentDetailFormatsAreTheCode holds ConsentDetailFormats to the
// details Consent.AuditDetail makes.
func TestConsentDetailFormatsAreTheCode(t *testing.T) {
	d := faulttest.DetailsInCode(t, ".", faulttest.DetailOptions{Returns: []string{"AuditDetail"}})
	if len(d.Whole) < 4 {
		t.Fatalf("found %d detail shapes in the code: the search no longer sees them", len(d.Whole))
	}
	faulttest.HoldList(t, "ConsentDetailFormats", ConsentDetailFormats(), d.Whole)
}
