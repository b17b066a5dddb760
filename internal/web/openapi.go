package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"liaison/internal/agreement"
	"liaison/internal/jsonpath"
)

// openAPIDocument builds the OpenAPI 3.1 document for the route table.
// Schemas are derived by reflection from the same Go types the handlers
// encode and decode, so field names cannot drift from the wire format.
func openAPIDocument(routes []route, version string) ([]byte, error) {
	sg := &schemaGen{components: map[string]any{}, names: map[string]reflect.Type{}}
	sg.components["Error"] = sg.object(reflect.TypeOf(errorBody{}))
	paths := map[string]map[string]any{}
	seen := map[string]bool{}
	for _, rt := range routes {
		if seen[rt.key()] {
			return nil, fmt.Errorf("route %s declared twice", rt.key())
		}
		seen[rt.key()] = true
		if paths[rt.pattern] == nil {
			paths[rt.pattern] = map[string]any{}
		}
		paths[rt.pattern][strings.ToLower(rt.method)] = sg.operation(rt)
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Liaison node API",
			"version":     version,
			"description": "REST API of a Liaison node: directory, agreements and the sharing decision, intelligence records, users and the audit log. Errors are {\"error\":{\"code\",\"message\",\"field\"}}.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": sg.components,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer",
					"description": "A token issued by `liaison init` or POST /api/v1/users"},
			},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// pathParams returns the wildcard names of a ServeMux pattern in order.
func pathParams(pattern string) []string {
	var names []string
	for _, m := range pathParam.FindAllStringSubmatch(pattern, -1) {
		names = append(names, strings.TrimSuffix(m[1], "..."))
	}
	return names
}

func (sg *schemaGen) operation(rt route) map[string]any {
	op := map[string]any{
		"operationId": rt.id,
		"summary":     rt.summary,
		"tags":        []string{rt.tag},
	}
	var params []any
	for _, name := range pathParams(rt.pattern) {
		typ := "string"
		if name == "n" {
			typ = "integer"
		}
		params = append(params, map[string]any{"name": name, "in": "path", "required": true,
			"schema": map[string]any{"type": typ}})
	}
	for _, p := range rt.query {
		params = append(params, map[string]any{"name": p.name, "in": "query", "required": false,
			"description": p.desc, "schema": map[string]any{"type": p.typ}})
	}
	if rt.keyed {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
			"description": "1 to 200 printable ASCII characters chosen by the client for this creation: sent again by the same user within 24 hours with the same body, the request returns what the first created (with Idempotent-Replay: true) instead of creating it again; with another body it is 409",
			"schema":      map[string]any{"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[ -~]+$"}})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if rt.request != nil {
		op["requestBody"] = map[string]any{
			"required": !rt.optional,
			"content":  map[string]any{"application/json": map[string]any{"schema": sg.schema(reflect.TypeOf(rt.request))}},
		}
	}
	success := map[string]any{"description": http.StatusText(rt.status)}
	switch {
	case rt.response != nil:
		success["content"] = map[string]any{"application/json": map[string]any{"schema": sg.schema(reflect.TypeOf(rt.response))}}
	case rt.content != "":
		success["content"] = map[string]any{rt.content: map[string]any{}}
	}
	if rt.keyed {
		success["headers"] = map[string]any{"Idempotent-Replay": map[string]any{
			"description": "true when the answer is that of an earlier request sent under the same Idempotency-Key",
			"schema":      map[string]any{"type": "string", "enum": []string{"true"}}}}
	}
	responses := map[string]any{strconv.Itoa(rt.status): success}
	errResp := func(status int) {
		responses[strconv.Itoa(status)] = map[string]any{
			"description": http.StatusText(status),
			"content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"$ref": "#/components/schemas/Error"}}},
		}
	}
	if rt.request != nil || len(rt.query) > 0 || len(pathParams(rt.pattern)) > 0 {
		errResp(http.StatusBadRequest)
	}
	if rt.perm != "" {
		op["security"] = []any{map[string]any{"bearer": []string{}}}
		op["x-permission"] = string(rt.perm)
		errResp(http.StatusUnauthorized)
		errResp(http.StatusForbidden)
	} else {
		op["security"] = []any{}
	}
	if len(pathParams(rt.pattern)) > 0 {
		errResp(http.StatusNotFound)
	}
	if rt.request != nil {
		errResp(http.StatusRequestEntityTooLarge)
	}
	for _, st := range rt.extra {
		errResp(st)
	}
	errResp(http.StatusInternalServerError)
	op["responses"] = responses
	return op
}

// schemaGen derives JSON Schemas from Go types, following encoding/json's
// rules for field names, omitempty and embedded structs. Named structs
// become components referenced by $ref.
type schemaGen struct {
	components map[string]any
	names      map[string]reflect.Type
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(agreement.Date{})
)

func (sg *schemaGen) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == dateType:
		return map[string]any{"type": []string{"string", "null"}, "pattern": `^\d{4}(-\d{2}(-\d{2})?)?$`,
			"description": "a date known to the year, month or day (YYYY, YYYY-MM or YYYY-MM-DD); null when unknown"}
	case t.Kind() == reflect.Struct:
		if t.Name() == "" {
			return sg.object(t)
		}
		name := sg.componentName(t)
		if _, done := sg.components[name]; !done {
			sg.components[name] = map[string]any{} // placeholder against recursion
			sg.components[name] = sg.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return map[string]any{"type": "array", "items": sg.schema(t.Elem())}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": sg.schema(t.Elem())}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{}
}

// componentName names a struct's schema: its Go name with a capital first
// letter, qualified by its package when two packages use the same name.
func (sg *schemaGen) componentName(t reflect.Type) string {
	r := []rune(t.Name())
	r[0] = unicode.ToUpper(r[0])
	name := string(r)
	if prev, ok := sg.names[name]; ok && prev != t {
		pkg := t.PkgPath()
		if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
			pkg = pkg[i+1:]
		}
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	sg.names[name] = t
	return name
}

func (sg *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	sg.fields(t, props, &required)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// fields adds the JSON properties of struct t to props, descending into
// untagged embedded structs as encoding/json does.
func (sg *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	jsonpath.EachField(t, func(name, opts string, f reflect.StructField) bool {
		props[name] = sg.schema(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
		return true
	})
}
