package faulttest

import (
	"go/ast"
	"testing"
)

// Site is a place in the code where a message may be made: a call or a
// return statement (Node), inside the function Func, in the innermost
// function (Func's own or a function literal's) whose type is Type.
type Site struct {
	Func *ast.FuncDecl
	Type *ast.FuncType
	Node ast.Node
}

// MessagesInCode returns the shapes of the messages the Go files of dir,
// tests aside, make where pick says: pick is shown every call and every
// return statement, and returns the expressions there that are messages
// (an argument, a result). Shapes are those DetailsInCode gives; a shape
// with no literal text (a value alone) is left out.
func MessagesInCode(tb testing.TB, dir string, opt DetailOptions, pick func(Site) []ast.Expr) map[string]bool {
	tb.Helper()
	out := map[string]bool{}
	for _, m := range MessageSites(tb, dir, opt, nil, pick) {
		for _, s := range m.Shapes {
			out[s] = true
		}
	}
	return out
}

// Results returns the types of the results of a function type, one per
// result (a list "a, b string" counts twice), as Go source: "string",
// "audit.Event".
func Results(t *ast.FuncType) []string {
	if t == nil || t.Results == nil {
		return nil
	}
	var out []string
	for _, f := range t.Results.List {
		name := typeName(f.Type)
		n := max(len(f.Names), 1)
		for range n {
			out = append(out, name)
		}
	}
	return out
}

func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return typeName(e.X) + "." + e.Sel.Name
	case *ast.StarExpr:
		return "*" + typeName(e.X)
	case *ast.ArrayType:
		return "[]" + typeName(e.Elt)
	}
	return "?"
}
