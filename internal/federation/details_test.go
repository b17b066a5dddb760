package federation

import (
	"go/ast"
	"testing"

	"liaison/internal/fault/faulttest"
)

// TestAuditDetailFormatsAreTheCode holds AuditDetailFormats and
// AuditDetailClauses to the details the package writes in the audit log
// and the clauses it appends to them: a detail changed or added in the
// code without the list would be left in English on a French or Chinese
// audit page.
func TestAuditDetailFormatsAreTheCode(t *testing.T) {
	d := faulttest.DetailsInCode(t, ".", faulttest.DetailOptions{Through: map[string]int{"clip": 0}})
	if len(d.Whole) < 10 || len(d.Appended) < 3 {
		t.Fatalf("found %d detail shapes and %d clauses in the code: the search no longer sees them", len(d.Whole), len(d.Appended))
	}
	faulttest.HoldList(t, "AuditDetailFormats", AuditDetailFormats(), d.Whole)
	faulttest.HoldList(t, "AuditDetailClauses", AuditDetailClauses(), d.Appended)
}

// TestAuditNoteFormatsAreTheCode checks that receiveRetract still makes
// each note of AuditNoteFormats (it makes refusal reasons too, which are
// no notes).
func TestAuditNoteFormatsAreTheCode(t *testing.T) {
	used := faulttest.FormatsInCode(t, ".", func(fn *ast.FuncDecl, call *ast.CallExpr) (int, bool) {
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || fn.Name.Name != "receiveRetract" {
			return 0, false
		}
		x, ok := sel.X.(*ast.Ident)
		return 0, ok && x.Name == "fmt" && sel.Sel.Name == "Sprintf"
	}, nil)
	for _, f := range AuditNoteFormats() {
		if !used[f] {
			t.Errorf("AuditNoteFormats lists %q, which receiveRetract no longer makes", f)
		}
	}
}
