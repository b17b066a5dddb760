package federation

import (
	"go/ast"
	"slices"
	"testing"

	"liaison/internal/fault/faulttest"
)

// TestRefusalFormatsAreTheCode holds RefusalFormats to the reasons the
// package gives for refusing an envelope: the reason a handler returns
// (store.Received, audit.Event, reason, error), the one a record's check
// returns (reason, error), those recordIDReason and invalidRecord make,
// the one refusal is given, and the literal one of reasonOf (the others
// it passes on are the verifier's). A reason held in a variable was made
// at one of these places, which the variable's other values (a retraction's
// own reason) are not. A reason changed or added in the code without the
// list would be left in English on a French or Chinese page.
func TestRefusalFormatsAreTheCode(t *testing.T) {
	handler := []string{"store.Received", "audit.Event", "string", "error"}
	check := []string{"string", "error"}
	used := faulttest.MessagesInCode(t, ".", faulttest.DetailOptions{Through: map[string]int{"clip": 0, "reasonOf": 0}},
		func(s faulttest.Site) []ast.Expr {
			// A copy: the expressions are the syntax tree's.
			return slices.DeleteFunc(slices.Clone(reasonsAt(s, handler, check)), func(e ast.Expr) bool {
				_, variable := e.(*ast.Ident)
				return variable
			})
		})
	if len(used) < 20 {
		t.Fatalf("found %d refusal reasons in the code: the search no longer sees them", len(used))
	}
	faulttest.HoldList(t, "RefusalFormats", RefusalFormats(), used)
}

// reasonsAt returns the expressions at s that are reasons of a refusal.
func reasonsAt(s faulttest.Site, handler, check []string) []ast.Expr {
	switch n := s.Node.(type) {
	case *ast.CallExpr:
		if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "refusal" && len(n.Args) == 3 {
			return n.Args[2:]
		}
	case *ast.ReturnStmt:
		results := faulttest.Results(s.Type)
		own := s.Type == s.Func.Type
		switch {
		case len(n.Results) != len(results):
		case slices.Equal(results, handler):
			return n.Results[2:3]
		case slices.Equal(results, check):
			return n.Results[:1]
		case own && (s.Func.Name.Name == "recordIDReason" || s.Func.Name.Name == "invalidRecord"):
			return n.Results[:1]
		case own && s.Func.Name.Name == "reasonOf":
			if _, ok := n.Results[0].(*ast.BasicLit); ok {
				return n.Results[:1]
			}
		}
	}
	return nil
}

// TestDeliveryErrorFormatsAreTheCode holds DeliveryErrorFormats to the
// errors a delivery attempt fails with: the message handed to fail,
// s.fail and s.failAll. An error's own text (err.Error()) is no format
// of this package's, and is shown as it is.
func TestDeliveryErrorFormatsAreTheCode(t *testing.T) {
	used := faulttest.MessagesInCode(t, ".", faulttest.DetailOptions{Through: map[string]int{"clip": 0, "reasonOf": 0}},
		func(s faulttest.Site) []ast.Expr {
			call, ok := s.Node.(*ast.CallExpr)
			if !ok {
				return nil
			}
			var name string
			switch f := call.Fun.(type) {
			case *ast.Ident:
				name = f.Name
			case *ast.SelectorExpr:
				name = "." + f.Sel.Name
			}
			at := map[string]int{"fail": 0, ".fail": 1, ".failAll": 1}
			if i, ok := at[name]; ok && i < len(call.Args) {
				return call.Args[i : i+1]
			}
			return nil
		})
	if len(used) < 5 {
		t.Fatalf("found %d delivery errors in the code: the search no longer sees them", len(used))
	}
	faulttest.HoldList(t, "DeliveryErrorFormats", DeliveryErrorFormats(), used)
}
