package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"liaison/internal/fault/faulttest"
)

// TestAuditDetailFormatsAreTheCode holds AuditDetailFormats to the details
// the package writes in the audit log, and AuthFailureReasons to the
// reasons authFailed is given (by authenticate, and by bearerToken through
// it): a detail changed or added in the code without the list would be
// left in English on a French or Chinese audit page.
func TestAuditDetailFormatsAreTheCode(t *testing.T) {
	faulttest.HoldDetails(t, "AuditDetailFormats", AuditDetailFormats(), 3)

	f, err := parser.ParseFile(token.NewFileSet(), "auth.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	lit := func(e ast.Expr) {
		if l, ok := e.(*ast.BasicLit); ok && l.Kind == token.STRING {
			if s, err := strconv.Unquote(l.Value); err == nil && s != "" {
				reasons[s] = true
			}
		}
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "authFailed" && len(n.Args) == 2 {
					lit(n.Args[1])
				}
			case *ast.ReturnStmt:
				if fn.Name.Name == "bearerToken" && len(n.Results) == 2 {
					lit(n.Results[1])
				}
			}
			return true
		})
	}
	faulttest.HoldList(t, "AuthFailureReasons", AuthFailureReasons(), reasons)
}
