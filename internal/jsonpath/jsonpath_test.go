package jsonpath

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

type item struct {
	N int `json:"n"`
}

type Base struct {
	Shared string
}

type doc struct {
	Base
	Name  string                    `json:"name"`
	Items []item                    `json:"items"`
	Ptr   *item                     `json:"ptr,omitempty"`
	Tags  map[string]map[string]int `json:"tags"`
	Any   any                       `json:"any"`
	When  time.Time                 `json:"when"` // decodes itself
	Skip  string                    `json:"-"`
	quiet string
}

var docType = reflect.TypeFor[doc]()

func TestUnknownMember(t *testing.T) {
	tests := []struct {
		name, data, want string
		found            bool
	}{
		{"none", `{"name":"a","items":[{"n":1}],"tags":{"x":{"y":1}},"any":{"z":1}}`, "", false},
		{"top level", `{"name":"a","colour":1}`, "colour", true},
		{"in an array", `{"items":[{"n":1},{"n":2,"m":3}]}`, "items[1].m", true},
		{"behind a pointer", `{"ptr":{"n":1,"m":2}}`, "ptr.m", true},
		{"after a map and anything", `{"tags":{"x":{"colour":1}},"any":{"colour":1},"items":[{"colour":1}]}`, "items[0].colour", true},
		{"embedded field and another case", `{"shared":"s","NAME":"a","Skip":"x"}`, "Skip", true},
		{"unexported", `{"quiet":"q"}`, "quiet", true},
		{"inside a value that decodes itself", `{"when":{"colour":1}}`, "", false},
		{"malformed", `{"items":[{"n":1},`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := UnknownMember([]byte(tt.data), docType)
			if got != tt.want || found != tt.found {
				t.Errorf("UnknownMember = %q, %v; want %q, %v", got, found, tt.want, tt.found)
			}
		})
	}
}

func TestEnding(t *testing.T) {
	data := []byte(`{"name":"a","items":[{"n":1},{"n":22}]}`)
	for _, tt := range []struct {
		at   int64
		want string
	}{
		{int64(bytes.Index(data, []byte(`"a"`)) + 3), "name"},
		{int64(bytes.Index(data, []byte(`22`)) + 2), "items[1].n"},
		{int64(bytes.Index(data, []byte(`22}`)) + 3), "items[1]"},
	} {
		if got, ok := Ending(data, tt.at); !ok || got != tt.want {
			t.Errorf("Ending(%d) = %q, %v; want %q", tt.at, got, ok, tt.want)
		}
	}
	if got, ok := Ending(data, 3); ok {
		t.Errorf("Ending(3) = %q, want none: no value ends there", got)
	}
}

func TestExpected(t *testing.T) {
	for k, want := range map[reflect.Kind]string{reflect.Float64: "a number", reflect.Uint8: "an integer",
		reflect.Slice: "an array", reflect.Map: "an object", reflect.Bool: "true or false", reflect.Chan: "a chan"} {
		if got := Expected(k); got != want {
			t.Errorf("Expected(%s) = %q, want %q", k, got, want)
		}
	}
}

func TestWithoutIndexes(t *testing.T) {
	if got := WithoutIndexes("seizure.goods[0].parties[12].name"); got != "seizure.goods.parties.name" {
		t.Errorf("got %q", got)
	}
}

// TestOf places encoding/json's own errors.
func TestOf(t *testing.T) {
	tests := []struct {
		name, data, named, want string
	}{
		{"wrong type in the third item", `{"items":[{"n":1},{"n":2},{"n":"x"}]}`, "items.n", "items[2].n"},
		{"wrong type at the top", `{"name":5}`, "name", "name"},
		{"unknown in the second item", `{"items":[{"n":1},{"m":2}]}`, "m", "items[1].m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := json.NewDecoder(bytes.NewReader([]byte(tt.data)))
			dec.DisallowUnknownFields()
			var d doc
			err := dec.Decode(&d)
			if err == nil {
				t.Fatal("decoded without error")
			}
			if got := Of([]byte(tt.data), docType, err, tt.named); got != tt.want {
				t.Errorf("Of = %q, want %q (err %v)", got, tt.want, err)
			}
		})
	}
}

func TestUnknownField(t *testing.T) {
	tests := []struct {
		msg, want string
		ok        bool
	}{
		{`json: unknown field "colour"`, "colour", true},
		{`json: unknown field "a\"b"`, `a"b`, true},
		{`json: something else`, "", false},
	}
	for _, tt := range tests {
		got, ok := UnknownField(errors.New(tt.msg))
		if got != tt.want || ok != tt.ok {
			t.Errorf("UnknownField(%q) = %q, %v; want %q, %v", tt.msg, got, ok, tt.want, tt.ok)
		}
	}
}
