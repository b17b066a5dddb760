package app

import (
	"testing"

	"liaison/internal/fault/faulttest"
)

// TestAuditDetailFormatsAreTheCode holds AuditDetailFormats to the details
// the package writes in the audit log: a detail changed or added in the
// code without the list would be left in English on a French or Chinese
// audit page.
func TestAuditDetailFormatsAreTheCode(t *testing.T) {
	faulttest.HoldDetails(t, "AuditDetailFormats", AuditDetailFormats(), 5)
}
