package envelope

import (
	"encoding/json"
	"strings"
	"testing"
)

var validCases = []string{
	`{}`, `[]`, ` {"a":1} `, `{"a":[1,2,{"b":"<&>"}]}`, `"x"`, `0`, `-0`, `-0.5e+10`, `1E5`, `1.`, `.5`, `01`, `-`,
	`1e`, `1e+`, `true`, `tru`, `nul`, `null `, `false,`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`,
	`{"a":1 "b":2}`, `[1 2]`, `"\u00e9\n\"\\\/\b\f\r\t"`, `"\u00g0"`, `"\x"`, "\"tab\there\"", "\"\xff\xfe\"",
	`"unterminated`, `{"a":1}}`, `[[[]]]`, `[[[]]`, `{"a":{"b":{"c":[]}}}`, ``, ` `, "\t\r\n[ 1 , 2 ]\n",
	`{"a" : 1 , "b" : [ true , false , null ] }`, `[1]x`, `"\u12`, `"\`, `{"\u0041":1}`, `{1:2}`,
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	strings.Repeat("[", maxDepth) + "{}" + strings.Repeat("]", maxDepth),
	strings.Repeat(`{"a":`, maxDepth) + "1" + strings.Repeat("}", maxDepth),
}

func TestValidJSONAsEncodingJSON(t *testing.T) {
	for _, in := range validCases {
		if got, want := validJSON([]byte(in)), json.Valid([]byte(in)); got != want {
			t.Errorf("validJSON(%.60q) = %v, json.Valid = %v", in, got, want)
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, in := range validCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("validJSON(%q) = %v, json.Valid = %v", b, got, want)
		}
	})
}
