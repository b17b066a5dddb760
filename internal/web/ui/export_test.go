package ui

import "testing"

// HoldDetailCatalogue holds the catalogue's wordings of audit details to
// the formats the packages write — extra being those of packages the UI
// cannot import, handed in Config.AuditDetailFormats — and its words of
// details to detailWords, as holdFormats does. It is here for package
// ui_test, which may import those packages. It returns how many formats it
// held.
func HoldDetailCatalogue(t *testing.T, extra []string) int {
	t.Helper()
	c := MustCatalogue(t)
	b, err := newDetailBook(extra)
	if err != nil {
		t.Fatal(err)
	}
	holdFormats(t, c, detailKey, b.formats)
	holdFormats(t, c, detailWordKey, detailWords())
	return len(b.formats)
}
