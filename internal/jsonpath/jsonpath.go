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
	w := pathWalker{dec: json.NewDecoder(bytes.NewReader(data))}
	path, found := w.unknown(t, "")
	return path, found && w.err == nil
}

// Ending returns the path of the value of data that ends after offset
// bytes (where encoding/json stopped on a value of the wrong type:
// json.UnmarshalTypeError.Offset), and whether there is one.
func Ending(data []byte, offset int64) (string, bool) {
	w := pathWalker{dec: json.NewDecoder(bytes.NewReader(data)), at: offset}
	path, found := w.ending("")
	return path, found && w.err == nil
}

type pathWalker struct {
	dec *json.Decoder
	at  int64 // for ending: the offset sought
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

// unknown reads one value, of Go type t (nil when unknown or decoded by
// its own method), and returns the path of its first member that names
// no field.
func (w *pathWalker) unknown(t reflect.Type, path string) (string, bool) {
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
			var mt reflect.Type
			switch {
			case t == nil:
			case t.Kind() == reflect.Map:
				mt = t.Elem()
			case t.Kind() == reflect.Struct:
				f, known := fieldType(t, key)
				if !known {
					return member, true
				}
				mt = f
			}
			if p, found := w.unknown(mt, member); found || w.err != nil {
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
			if p, found := w.unknown(et, path+"["+strconv.Itoa(i)+"]"); found || w.err != nil {
				return p, found
			}
		}
		w.token() // the closing bracket
	}
	return "", false
}

// ending reads one value and returns the path of the first value in it,
// itself included, whose end is at offset w.at.
func (w *pathWalker) ending(path string) (string, bool) {
	tok, ok := w.token()
	if !ok {
		return "", false
	}
	switch tok {
	case json.Delim('{'):
		for w.dec.More() {
			k, ok := w.token()
			if !ok {
				return "", false
			}
			key, _ := k.(string)
			if p, found := w.ending(memberPath(path, key)); found || w.err != nil {
				return p, found
			}
		}
		w.token()
	case json.Delim('['):
		for i := 0; w.dec.More(); i++ {
			if p, found := w.ending(path + "[" + strconv.Itoa(i) + "]"); found || w.err != nil {
				return p, found
			}
		}
		w.token()
	}
	return path, path != "" && w.dec.InputOffset() == w.at
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
// differing in case; fields of embedded structs included), and whether
// there is one.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" && f.Anonymous {
			if et := f.Type; et.Kind() == reflect.Struct || et.Kind() == reflect.Pointer && et.Elem().Kind() == reflect.Struct {
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if ft, ok := fieldType(et, key); ok {
					return ft, true
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
		if strings.EqualFold(name, key) {
			return f.Type, true
		}
	}
	return nil, false
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
