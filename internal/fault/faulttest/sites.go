package faulttest

import (
	"go/ast"
	"go/token"
	"slices"
	"strconv"
	"testing"
)

// Message is a place in the code where a message is made, with the
// shapes it may have there: one of them is what the message reads.
type Message struct {
	At     string // file:line
	Shapes []string
}

// MessageSites is MessagesInCode site by site, for the functions of dir
// that in holds by FuncKey (every function when in is nil): for each call or return
// statement where pick finds expressions, a Message whose shapes are
// theirs, each a way the one message made there may read. A site whose
// expressions have no shape with literal text is left out.
func MessageSites(tb testing.TB, dir string, opt DetailOptions, in map[string]bool, pick func(Site) []ast.Expr) []Message {
	tb.Helper()
	fs, r, decls := readFuncsAt(tb, dir, opt)
	var out []Message
	for _, fn := range decls {
		if in != nil && !in[FuncKey(fn)] {
			continue
		}
		var walk func(body ast.Node, typ *ast.FuncType)
		walk = func(body ast.Node, typ *ast.FuncType) {
			ast.Inspect(body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					walk(n.Body, n.Type)
					return false
				case *ast.CallExpr, *ast.ReturnStmt:
					var m Message
					for _, e := range pick(Site{Func: fn, Type: typ, Node: n}) {
						for _, s := range r.shapes(fn, e) {
							if hasText(s) && !slices.Contains(m.Shapes, s) {
								m.Shapes = append(m.Shapes, s)
							}
						}
					}
					if len(m.Shapes) > 0 {
						p := fs.Position(n.Pos())
						m.At = p.Filename + ":" + strconv.Itoa(p.Line)
						out = append(out, m)
					}
				}
				return true
			})
		}
		walk(fn.Body, fn.Type)
	}
	return out
}

// HoldSites checks that listed, the list called name, holds one shape of
// every message made and only shapes of messages made, once each.
func HoldSites(tb testing.TB, name string, listed []string, made []Message) {
	tb.Helper()
	seen := listedOnce(tb, name, listed)
	shapes := map[string]bool{}
	for _, m := range made {
		found := false
		for _, s := range m.Shapes {
			shapes[s] = true
			found = found || seen[s]
		}
		if !found {
			tb.Errorf("%s: the code says %q, which %s lacks", m.At, m.Shapes[0], name)
		}
	}
	for _, f := range listed {
		if !shapes[f] {
			tb.Errorf("%s lists %q, which the code no longer says", name, f)
		}
	}
}

// FaultReason returns, for a call at s that makes a *fault.Error
// (fault.E, fault.Field, fault.Wrap), the ways its message reads as a
// reason given to a peer: the field and a colon before the message where
// there is a field, and, for a wrapped error, the cause after a colon or
// not (a cause that is itself a fault is left out). It returns nil
// anywhere else.
func FaultReason(s Site) []ast.Expr {
	name, args := faultCall(s)
	switch {
	case name == "E" && len(args) >= 2:
		return []ast.Expr{Sprintf(args[1])}
	case name == "Field" && len(args) >= 2:
		return []ast.Expr{Join(args[0], Literal(": "), Sprintf(args[1]))}
	case name == "Wrap" && len(args) >= 3:
		return []ast.Expr{Sprintf(args[2]), Join(Sprintf(args[2]), Literal(": "), Value())}
	}
	return nil
}

// faultCall returns the name of the function of package fault that the
// call at s makes and its arguments, or "" when s is no such call.
func faultCall(s Site) (string, []ast.Expr) {
	call, ok := s.Node.(*ast.CallExpr)
	if !ok {
		return "", nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "fault") {
		return "", nil
	}
	return sel.Sel.Name, call.Args
}

// FaultMessage returns, for a call at s that makes a *fault.Error
// (fault.E, fault.Field, fault.Wrap), its message as an error document
// of the REST layer gives it: without the field, which the document names
// apart, and without the cause, which only goes to the log. It returns nil
// anywhere else.
func FaultMessage(s Site) []ast.Expr {
	name, args := faultCall(s)
	switch {
	case (name == "E" || name == "Field") && len(args) >= 2:
		return []ast.Expr{Sprintf(args[1])}
	case name == "Wrap" && len(args) >= 3:
		return []ast.Expr{Sprintf(args[2])}
	}
	return nil
}

// Sprintf is an expression whose shape is format, a format string.
func Sprintf(format ast.Expr) ast.Expr {
	return &ast.CallExpr{Fun: &ast.SelectorExpr{X: ast.NewIdent("fmt"), Sel: ast.NewIdent("Sprintf")}, Args: []ast.Expr{format}}
}

// Literal is an expression whose shape is the text s.
func Literal(s string) ast.Expr {
	return &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(s)}
}

// Value is an expression whose shape is a value alone (%s).
func Value() ast.Expr {
	return &ast.BasicLit{Kind: token.INT, Value: "0"}
}

// Join is an expression whose shapes are those of es one after another.
func Join(es ...ast.Expr) ast.Expr {
	out := es[0]
	for _, e := range es[1:] {
		out = &ast.BinaryExpr{X: out, Op: token.ADD, Y: e}
	}
	return out
}

// Reachable returns the functions and methods of the package in dir,
// tests aside, that those named roots are and call, directly or through
// one another, by FuncKey. A call of a name alone is followed to the
// function of that name, a call of a selector (x.name) to every method of
// that name whatever its receiver: it may take in more than is called, but
// never less. Calls to the functions or methods named stop are not
// followed.
func Reachable(tb testing.TB, dir string, roots []string, stop ...string) map[string]bool {
	tb.Helper()
	_, decls := funcsIn(tb, dir)
	funcs, methods := map[string][]*ast.FuncDecl{}, map[string][]*ast.FuncDecl{}
	for _, fn := range decls {
		if fn.Recv == nil {
			funcs[fn.Name.Name] = append(funcs[fn.Name.Name], fn)
		} else {
			methods[fn.Name.Name] = append(methods[fn.Name.Name], fn)
		}
	}
	out := map[string]bool{}
	var visit func(fns []*ast.FuncDecl)
	visit = func(fns []*ast.FuncDecl) {
		for _, fn := range fns {
			k := FuncKey(fn)
			if out[k] || slices.Contains(stop, fn.Name.Name) {
				continue
			}
			out[k] = true
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch f := call.Fun.(type) {
				case *ast.Ident:
					visit(funcs[f.Name])
				case *ast.SelectorExpr:
					visit(methods[f.Sel.Name])
				}
				return true
			})
		}
	}
	for _, r := range roots {
		if len(funcs[r])+len(methods[r]) == 0 {
			tb.Errorf("%s: no function %s", dir, r)
		}
		visit(append(slices.Clone(funcs[r]), methods[r]...))
	}
	return out
}

// FuncKey names a function declaration: its name, after its receiver's
// type and a dot for a method ("Result.check").
func FuncKey(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	return typeName(t) + "." + fn.Name.Name
}
