package matching

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"testing"

	"liaison/internal/fault/faulttest"
)

// TestAuditDetailFormatsAreTheCode holds AuditDetailFormats to the details
// the package writes in the audit log, and AuditFilterNames to the names
// Search gives its filters: a detail changed or added in the code without
// the list would be left in English on a French or Chinese audit page.
func TestAuditDetailFormatsAreTheCode(t *testing.T) {
	faulttest.HoldDetails(t, "AuditDetailFormats", AuditDetailFormats(), 3)

	// The filter names are the words Search spells in lower case.
	f, err := parser.ParseFile(token.NewFileSet(), "matching.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	word := regexp.MustCompile(`^[a-z_]+$`)
	names := map[string]bool{}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "Search" || fn.Recv == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && word.MatchString(s) {
					names[s] = true
				}
			}
			return true
		})
	}
	faulttest.HoldList(t, "AuditFilterNames", AuditFilterNames(), names)
}
