package jsonread

import (
	"encoding/json"
	"testing"
)

// TestStrAsEncodingJSON checks string values, escapes and surrogates
// included, against encoding/json: the same value where both read it, and
// a Reader that gives up where encoding/json refuses.
func TestStrAsEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`"plain"`, `""`, `"caf\u00e9"`, `"\"\\\/\b\f\n\r\t"`, `"\u003ctag\u003e \u0026"`,
		`"\ud83d\ude00"`, `"\ud800"`, `"\ud800x"`, `"\udc00\ud800"`, `"\ud800\ud800\udc00"`, `"\ud800\u0041"`,
		`"\u2028\u2029"`, `"\u0000"`, `"陳大文"`, `"\uD83D\uDE00"`,
		`"\'"`, `"\x41"`, `"\u12"`, `"\u12g4"`, "\"tab\there\"", "\"\xff\"", `"unterminated`, `"a\`,
	} {
		r := New([]byte(in))
		got := r.Str()
		var want string
		err := json.Unmarshal([]byte(in), &want)
		switch {
		case r.Done() && err != nil:
			t.Errorf("%s: read %q, which encoding/json refuses (%v)", in, got, err)
		case r.Done() && got != want:
			t.Errorf("%s: read %q, encoding/json %q", in, got, want)
		case !r.Done() && err == nil && in != "\"\xff\"":
			// Invalid UTF-8 is the one input encoding/json takes (as
			// U+FFFD) that a Reader leaves to it.
			t.Errorf("%s: gave up on what encoding/json reads as %q", in, want)
		}
	}
}

// TestObject checks member reading: known names in any order, a repeated
// or unknown name or an escaped name ends the reading.
func TestObject(t *testing.T) {
	read := func(in string) (a, b string, ok bool) {
		r := New([]byte(in))
		r.Object(func(name []byte) bool {
			switch string(name) {
			case "a":
				a = r.Str()
			case "b":
				b = r.Str()
			default:
				return false
			}
			return true
		})
		return a, b, r.Done()
	}
	if a, b, ok := read(`{"b":"2","a":"1"}`); !ok || a != "1" || b != "2" {
		t.Errorf("read %q %q %v", a, b, ok)
	}
	for _, in := range []string{`{"a":"1","a":"2"}`, `{"c":"1"}`, `{"\u0061":"1"}`, `{"a":"1",}`, `{"a" :"1"}`, `{"a":null}`} {
		if _, _, ok := read(in); ok {
			t.Errorf("%s was read", in)
		}
	}
}

// TestSkip checks that Skip reads exactly one value of the plain form,
// ending where the value ends, and gives up on what is not one.
func TestSkip(t *testing.T) {
	nested := ""
	for range maxSkipDepth + 2 {
		nested = "[" + nested
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`"text \"quoted\" \u00e9"`, true}, {`0`, true}, {`-12.5e+3`, true}, {`true`, true}, {`false`, true},
		{`{}`, true}, {`[]`, true}, {`{"a":[1,{"b":"c"},[]],"d":{"e":false}}`, true}, {`[1,"2",[3]]`, true},
		{`null`, false}, {`nul`, false}, {`01`, false}, {`1.`, false}, {`{"a":1,}`, false}, {`[1,]`, false},
		{`{"a" 1}`, false}, {`{a:1}`, false}, {`"open`, false}, {`[1,2`, false}, {``, false}, {`tru`, false},
		{nested, false},
	} {
		r := New([]byte(tc.in + `,"next"`))
		r.Skip()
		r.Expect(',')
		next := r.Str()
		if ok := r.Done() && next == "next"; ok != tc.ok {
			t.Errorf("Skip %q: read to the next value %v, want %v", tc.in, ok, tc.ok)
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`{"name":"陳大文"}`, -1},
		{"", -1},
		{"ab\xffcd", 2},
		{"陳\xe5\xa4", 3}, // a character cut short
		{"\xc0\xaf", 0},  // an overlong encoding
	} {
		if got := InvalidUTF8([]byte(tc.in)); got != tc.want {
			t.Errorf("InvalidUTF8(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
