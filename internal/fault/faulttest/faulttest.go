// Package faulttest holds test helpers for code that lists the formats of
// its messages, so that a message translated by format can be checked
// against the messages the code really makes.
package faulttest

import (
	"go/ast"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// FormatRE matches what format makes, whatever its arguments: %d a
// number, %q a quoted string, %% a percent sign, any other verb any text.
func FormatRE(format string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for rest := format; rest != ""; {
		i := strings.IndexByte(rest, '%')
		if i < 0 || i == len(rest)-1 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:i]))
		switch rest[i+1] {
		case 'd':
			b.WriteString(`-?[0-9]+`)
		case 'q':
			b.WriteString(`".*"`)
		case '%':
			b.WriteString("%")
		default:
			b.WriteString(`.+`)
		}
		rest = rest[i+2:]
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// CheckMade fails tb unless every message made is of one of formats and
// every format listed is that of a message made, and when a format is
// listed twice. list names the list in the failures.
func CheckMade(tb testing.TB, list string, formats, made []string) {
	tb.Helper()
	res := map[string]*regexp.Regexp{}
	for _, f := range formats {
		if _, ok := res[f]; ok {
			tb.Errorf("%s lists %q twice", list, f)
		}
		res[f] = FormatRE(f)
	}
	used := map[string]bool{}
	for _, s := range made {
		ok := false
		for f, re := range res {
			if re.MatchString(s) {
				ok, used[f] = true, true
			}
		}
		if !ok {
			tb.Errorf("the code makes %q, which is of none of %s", s, list)
		}
	}
	for f := range res {
		if !used[f] {
			tb.Errorf("%s lists %q, which the code does not make", list, f)
		}
	}
}

// FormatsInCode returns the format strings the Go files of dir, tests
// aside, hand to calls: argAt says, for a call inside function fn, which of
// its arguments is a format (ok false for a call that takes none). A format
// that is not a string literal fails tb unless passOn says that fn hands
// on a format of its own (arg being that argument).
func FormatsInCode(tb testing.TB, dir string, argAt func(fn *ast.FuncDecl, call *ast.CallExpr) (int, bool),
	passOn func(fn *ast.FuncDecl, arg ast.Expr) bool) map[string]bool {
	tb.Helper()
	used := map[string]bool{}
	fs, decls := funcsIn(tb, dir)
	for _, fn := range decls {
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			i, ok := argAt(fn, call)
			if !ok || len(call.Args) <= i {
				return true
			}
			arg := call.Args[i]
			lit, isLit := arg.(*ast.BasicLit)
			if !isLit || lit.Kind != token.STRING {
				if passOn == nil || !passOn(fn, arg) {
					tb.Errorf("%s: a format that is not a literal", fs.Position(call.Pos()))
				}
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				tb.Fatal(err)
			}
			used[s] = true
			return true
		})
	}
	return used
}

// HoldList checks that listed, the list called name, holds exactly the
// formats used, once each.
func HoldList(tb testing.TB, name string, listed []string, used map[string]bool) {
	tb.Helper()
	seen := listedOnce(tb, name, listed)
	for _, f := range listed {
		if !used[f] {
			tb.Errorf("%s lists %q, which the code no longer says", name, f)
		}
	}
	for f := range used {
		if !seen[f] {
			tb.Errorf("the code says %q, which %s lacks", f, name)
		}
	}
}

// listedOnce returns the entries of listed, the list called name, failing
// tb for each listed twice.
func listedOnce(tb testing.TB, name string, listed []string) map[string]bool {
	tb.Helper()
	seen := map[string]bool{}
	for _, f := range listed {
		if seen[f] {
			tb.Errorf("%s lists %q twice", name, f)
		}
		seen[f] = true
	}
	return seen
}
