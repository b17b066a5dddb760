package faulttest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Details are the shapes of the audit details a package writes, each a
// format whose verbs stand where the values go: %d for a number written
// with strconv, the format's own verbs for fmt.Sprintf, %s for any other
// value.
type Details struct {
	// Whole are the shapes of the details written whole: the Detail of an
	// audit.Event literal, a detail assigned to an event's Detail, or what
	// a function named in DetailOptions.Returns returns.
	Whole map[string]bool
	// Appended are the shapes of clauses appended to a detail made
	// elsewhere (ev.Detail += ...).
	Appended map[string]bool
}

// DetailOptions says how DetailsInCode reads a package.
type DetailOptions struct {
	// Through names the functions of the package that give back one of
	// their arguments, perhaps shortened (a clip to a length), by the
	// index of that argument: the shape is the argument's.
	Through map[string]int
	// Returns names functions or methods of the package whose results are
	// details that events of other packages take.
	Returns []string
}

// DetailsInCode reads the Go files of dir, tests aside, for the audit
// details they write and returns their shapes. A detail made piecewise
// ("version " + strconv.Itoa(n)) has the shape "version %d", which makes
// the same text; a local variable has the shape of each value assigned
// to it (an empty string aside, when it is given others), and each clause
// appended to it (+=) may or may not be there; a
// call to a function of the package has the shapes of what it returns.
// A shape with no literal text ("%s", a value alone) is left out: a
// user interface shows such a detail as it is.
func DetailsInCode(tb testing.TB, dir string, opt DetailOptions) Details {
	tb.Helper()
	r, decls := readFuncs(tb, dir, opt)
	out := Details{Whole: map[string]bool{}, Appended: map[string]bool{}}
	add := func(to map[string]bool, shapes []string) {
		for _, s := range shapes {
			if hasText(s) {
				to[s] = true
			}
		}
	}
	for _, fn := range decls {
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if !isEvent(n.Type) {
					return true
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Detail") {
						add(out.Whole, r.shapes(fn, kv.Value))
					}
				}
			case *ast.AssignStmt:
				if len(n.Lhs) != 1 || len(n.Rhs) != 1 {
					return true
				}
				sel, ok := n.Lhs[0].(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Detail" {
					return true
				}
				switch n.Tok {
				case token.ASSIGN:
					add(out.Whole, r.shapes(fn, n.Rhs[0]))
				case token.ADD_ASSIGN:
					add(out.Appended, r.shapes(fn, n.Rhs[0]))
				}
			}
			return true
		})
	}
	for _, name := range opt.Returns {
		if len(r.funcs[name]) == 0 {
			tb.Errorf("%s: no function %s", dir, name)
		}
		for _, fn := range r.funcs[name] {
			add(out.Whole, r.returns(fn))
		}
	}
	return out
}

// readFuncs parses the Go files of dir, tests aside, and returns a reader
// of their shapes and the functions with a body they declare.
func readFuncs(tb testing.TB, dir string, opt DetailOptions) (*detailReader, []*ast.FuncDecl) {
	tb.Helper()
	_, r, decls := readFuncsAt(tb, dir, opt)
	return r, decls
}

// readFuncsAt is readFuncs with the file set that places the functions.
func readFuncsAt(tb testing.TB, dir string, opt DetailOptions) (*token.FileSet, *detailReader, []*ast.FuncDecl) {
	tb.Helper()
	r := &detailReader{tb: tb, opt: opt, funcs: map[string][]*ast.FuncDecl{}, busy: map[*ast.FuncDecl]bool{}}
	fs, decls := funcsIn(tb, dir)
	for _, fn := range decls {
		r.funcs[fn.Name.Name] = append(r.funcs[fn.Name.Name], fn)
	}
	return fs, r, decls
}

// funcsIn parses the Go files of dir, tests aside, and returns the
// functions with a body they declare, in the order of the files, with the
// file set that places them.
func funcsIn(tb testing.TB, dir string) (*token.FileSet, []*ast.FuncDecl) {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		tb.Fatal(err)
	}
	fs := token.NewFileSet()
	var decls []*ast.FuncDecl
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fs, name, nil, 0)
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Body != nil {
				decls = append(decls, fn)
			}
		}
	}
	return fs, decls
}

type detailReader struct {
	tb    testing.TB
	opt   DetailOptions
	funcs map[string][]*ast.FuncDecl
	busy  map[*ast.FuncDecl]bool
}

// shapes returns the shapes of e, an expression inside fn.
func (r *detailReader) shapes(fn *ast.FuncDecl, e ast.Expr) []string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return []string{"%s"}
		}
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			r.tb.Fatal(err)
		}
		return []string{strings.ReplaceAll(s, "%", "%%")}
	case *ast.ParenExpr:
		return r.shapes(fn, e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return []string{"%s"}
		}
		var out []string
		for _, x := range r.shapes(fn, e.X) {
			for _, y := range r.shapes(fn, e.Y) {
				out = append(out, x+y)
			}
		}
		return out
	case *ast.CallExpr:
		return r.call(fn, e)
	case *ast.Ident:
		if s := r.local(fn, e.Name); s != nil {
			return s
		}
	}
	return []string{"%s"}
}

// call returns the shapes of what a call makes.
func (r *detailReader) call(fn *ast.FuncDecl, c *ast.CallExpr) []string {
	switch f := c.Fun.(type) {
	case *ast.SelectorExpr:
		pkg, ok := f.X.(*ast.Ident)
		if !ok {
			break
		}
		switch pkg.Name + "." + f.Sel.Name {
		case "fmt.Sprintf":
			if lit, ok := c.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					r.tb.Fatal(err)
				}
				return []string{s}
			}
			r.tb.Errorf("%s: a detail made of a format that is not a literal", fn.Name.Name)
		case "strconv.Itoa", "strconv.FormatInt", "strconv.FormatUint":
			return []string{"%d"}
		}
	case *ast.Ident:
		if i, ok := r.opt.Through[f.Name]; ok && i < len(c.Args) {
			return r.shapes(fn, c.Args[i])
		}
		var out []string
		for _, g := range r.funcs[f.Name] {
			if g.Recv == nil {
				out = append(out, r.returns(g)...)
			}
		}
		if out != nil {
			return out
		}
	}
	return []string{"%s"}
}

// returns returns the shapes of the first result of each return of fn.
func (r *detailReader) returns(fn *ast.FuncDecl) []string {
	if r.busy[fn] {
		return []string{"%s"}
	}
	r.busy[fn] = true
	defer delete(r.busy, fn)
	var out []string
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) > 0 {
				out = append(out, r.shapes(fn, n.Results[0])...)
			}
		}
		return true
	})
	if out == nil {
		// A function with named results, or whose result is a local
		// variable assigned along the way.
		return []string{"%s"}
	}
	return dedupe(out)
}

// local returns the shapes of the local variable name of fn, nil when fn
// assigns no such variable: the shapes of each value assigned to it, each
// with and without every clause appended to it after.
func (r *detailReader) local(fn *ast.FuncDecl, name string) []string {
	var out []string
	found := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				if !isIdent(l, name) {
					continue
				}
				found = true
				switch n.Tok {
				case token.DEFINE, token.ASSIGN:
					out = append(out, r.shapes(fn, n.Rhs[i])...)
				case token.ADD_ASSIGN:
					for _, s := range slices.Clone(out) {
						for _, t := range r.shapes(fn, n.Rhs[i]) {
							out = append(out, s+t)
						}
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if id.Name == name && i < len(n.Values) {
					found = true
					out = append(out, r.shapes(fn, n.Values[i])...)
				}
			}
		}
		return true
	})
	if !found {
		return nil
	}
	if len(out) > 1 {
		// An empty string first assigned declares the variable, which
		// is given its value after.
		out = slices.DeleteFunc(out, func(s string) bool { return s == "" })
	}
	return dedupe(out)
}

// isEvent reports whether a composite literal's type is audit.Event (or
// Event, inside package audit).
func isEvent(t ast.Expr) bool {
	switch t := t.(type) {
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && x.Name == "audit" && t.Sel.Name == "Event"
	case *ast.Ident:
		return t.Name == "Event"
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// hasText reports whether a shape holds literal text beside its verbs.
func hasText(shape string) bool {
	for i := 0; i < len(shape); i++ {
		if shape[i] != '%' {
			return true
		}
		if i+1 < len(shape) && shape[i+1] == '%' {
			return true
		}
		i++
	}
	return false
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// HoldDetails is what most packages check of their audit details: that
// the details the package in the working directory writes whole are found
// (at least least shapes, or the search no longer sees them), that the list
// named name is exactly their formats, and that no detail is appended to.
func HoldDetails(tb testing.TB, name string, listed []string, least int) {
	tb.Helper()
	d := DetailsInCode(tb, ".", DetailOptions{})
	if len(d.Whole) < least {
		tb.Fatalf("found %d detail shapes in the code: the search no longer sees them", len(d.Whole))
	}
	HoldList(tb, name, listed, d.Whole)
	HoldList(tb, "appended details", nil, d.Appended)
}
