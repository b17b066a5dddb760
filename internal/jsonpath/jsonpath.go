// Package jsonpath places decoding errors in a JSON document: the path of
// a member, written as validation errors write it (seizure.goods[0].hs),
// for the errors encoding/json reports without one: a member naming no
// field, which it names alone, and a value of the wrong type, whose path
// it gives without the places in arrays.
package jsonpath

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// UnknownMember returns the path of the first member of the JSON
// document data that names no field of the struct it stands in, given
// the Go type data decodes into, and whether there is one.
func UnknownMember(data []byte, t reflect.Type) (string, bool) {
	w := pathWalker{dec: json.NewDecoder(bytes.NewReader(data)), at: -1}
	path, found := w.find(t, "")
	return path, found && w.err == nil
}

// Ending returns the path of the value of data that ends after offset
// bytes (where encoding/json stopped on a value of the wrong type:
// json.UnmarshalTypeError.Offset), and whether there is one.
func Ending(data []byte, offset int64) (string, bool) {
	w := pathWalker{dec: json.NewDecoder(bytes.NewReader(data)), at: offset}
	path, found := w.find(nil, "")
	return path, found && w.err == nil
}

type pathWalker struct {
	dec *json.Decoder
	at  int64 // the end offset of the value sought, or -1 for the first unknown member
	err error
}

func (w *pathWalker) token() (json.Token, bool) {
	if w.err != nil {
		return nil, false
	}
	tok, err := w.dec.Token()
	if err != nil {
		w.err = err
		return nil, false
	}
	return tok, true
}

// find reads one value, of Go type t (nil when not known, or decoded by
// its own method), and returns the path of the first member in it that
// names no field, when w.at is negative, or else of the first value in
// it, itself included, that ends at offset w.at.
func (w *pathWalker) find(t reflect.Type, path string) (string, bool) {
	tok, ok := w.token()
	if !ok {
		return "", false
	}
	t = plainType(t)
	switch tok {
	case json.Delim('{'):
		for w.dec.More() {
			k, ok := w.token()
			if !ok {
				return "", false
			}
			key, _ := k.(string)
			member := memberPath(path, key)
			mt, known := memberType(t, key)
			if !known && w.at < 0 {
				return member, true
			}
			if p, found := w.find(mt, member); found || w.err != nil {
				return p, found
			}
		}
		w.token() // the closing brace
	case json.Delim('['):
		var et reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			et = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if p, found := w.find(et, path+"["+strconv.Itoa(i)+"]"); found || w.err != nil {
				return p, found
			}
		}
		w.token() // the closing bracket
	}
	return path, w.at >= 0 && path != "" && w.dec.InputOffset() == w.at
}

// memberType returns the type of the member key of a value of type t
// (nil when not known), and false when t is a struct without such a
// field.
func memberType(t reflect.Type, key string) (reflect.Type, bool) {
	switch {
	case t == nil:
		return nil, true
	case t.Kind() == reflect.Map:
		return t.Elem(), true
	case t.Kind() == reflect.Struct:
		return fieldType(t, key)
	}
	return nil, true
}

func memberPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// plainType is t without pointers, or nil when values of t decode
// themselves (their members are theirs to check).
func plainType(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface {
		return nil
	}
	p := reflect.PointerTo(t)
	if p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler) {
		return nil
	}
	return t
}

// fieldType returns the type of the field of struct t that a member named
// key decodes into, as encoding/json finds it (the exact name or one
// differing in case), and whether there is one.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	var ft reflect.Type
	EachField(t, func(name, _ string, f reflect.StructField) bool {
		if strings.EqualFold(name, key) {
			ft = f.Type
			return false
		}
		return true
	})
	return ft, ft != nil
}

// EachField calls fn with the JSON name, the options of its tag
// (omitempty, …) and the field of each member of struct t as
// encoding/json sees them: exported fields not tagged "-", and the fields
// of untagged embedded structs in their place. It stops when fn returns
// false, and reports whether it went through them all.
func EachField(t reflect.Type, fn func(name, opts string, f reflect.StructField) bool) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" && f.Anonymous {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				if !EachField(et, fn) {
					return false
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if !fn(name, opts, f) {
			return false
		}
	}
	return true
}

// WithoutIndexes is a path without its places in arrays, as
// encoding/json names a member: seizure.goods[0].quantity →
// seizure.goods.quantity.
func WithoutIndexes(path string) string {
	var b strings.Builder
	skip := false
	for _, c := range path {
		switch {
		case c == '[':
			skip = true
		case c == ']':
			skip = false
		case !skip:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// Of returns the path of the member or value at fault in err, an error
// of encoding/json decoding data into a value of type t: name, the
// member encoding/json named (the field of an UnmarshalTypeError, or the
// name of an unknown field), placed in data when it can be.
func Of(data []byte, t reflect.Type, err error, name string) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if p, ok := Ending(data, te.Offset); ok && WithoutIndexes(p) == name {
			return p
		}
		return name
	}
	if p, ok := UnknownMember(data, t); ok && (p == name || strings.HasSuffix(p, "."+name)) {
		return p
	}
	return name
}

// Expected names the JSON that decodes into a Go value of kind k, for
// messages such as "expected a number, found string".
func Expected(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + k.String()
}

// UnknownField returns the member named in the error encoding/json
// returns for a member that names no field (`json: unknown field
// "colour"`), and whether err is one.
func UnknownField(err error) (string, bool) {
	msg := err.Error()
	i := strings.Index(msg, "unknown field ")
	if i < 0 {
		return "", false
	}
	rest := msg[i+len("unknown field "):]
	if len(rest) >= 2 && rest[0] == '"' {
		if j := strings.LastIndexByte(rest, '"'); j > 0 {
			var name string
			if err := json.Unmarshal([]byte(rest[:j+1]), &name); err == nil {
				return name, true
			}
			return rest[1:j], true
		}
	}
	return rest, rest != ""
}
