package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"liaison/internal/store"
)

// openAPIDoc is the part of the OpenAPI document the tests read.
type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		OperationID string           `json:"operationId"`
		Security    []map[string]any `json:"security"`
		Responses   map[string]any   `json:"responses"`
	} `json:"paths"`
}

// MustOpenAPI fetches and decodes the served OpenAPI document.
func MustOpenAPI(tb testing.TB, n *node) openAPIDoc {
	tb.Helper()
	r := n.do(tb, "", "GET", "/api/openapi.json", nil)
	want(tb, r, http.StatusOK)
	var doc openAPIDoc
	if err := json.Unmarshal(r.body, &doc); err != nil {
		tb.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

// samplePath fills a documented path's parameters with plausible values.
func samplePath(p string) string {
	return regexp.MustCompile(`\{([^}]+)\}`).ReplaceAllStringFunc(p, func(m string) string {
		switch m {
		case "{id}":
			return "01JAB3NDEKTSV4RRFFQ69G5FAV"
		case "{n}":
			return "1"
		case "{code}":
			return "HK"
		case "{list}":
			return "countries"
		}
		return "x"
	})
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	n := MustNode(t)
	doc := MustOpenAPI(t, n)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi version %q, want 3.1.x", doc.OpenAPI)
	}

	// Every served route is documented.
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	served := n.server.Routes()
	for _, rt := range served {
		if !slices.Contains(documented, rt) {
			t.Errorf("route %s is served but not documented", rt)
		}
	}

	// Every documented operation is served: calling it reaches a handler,
	// not the multiplexer's 404 or 405.
	ids := map[string]bool{}
	for _, op := range documented {
		if !slices.Contains(served, op) {
			t.Errorf("operation %s is documented but not in the route table", op)
		}
		method, path, _ := strings.Cut(op, " ")
		o := doc.Paths[path][strings.ToLower(method)]
		if o.OperationID == "" || ids[o.OperationID] {
			t.Errorf("%s: operationId %q missing or repeated", op, o.OperationID)
		}
		ids[o.OperationID] = true
		if len(o.Responses) == 0 {
			t.Errorf("%s documents no responses", op)
		}
		t.Run(op, func(t *testing.T) {
			r := n.do(t, store.RoleAdmin, method, samplePath(path), nil)
			switch {
			case r.status == http.StatusMethodNotAllowed:
				t.Errorf("%s %s: 405 from the multiplexer", method, path)
			case r.status == http.StatusNotFound && strings.Contains(r.apiError(t).Error.Message, "no route"):
				t.Errorf("%s %s: no route", method, path)
			}
			public := len(o.Security) == 0
			anon := n.do(t, "", method, samplePath(path), nil)
			if public == (anon.status == http.StatusUnauthorized) {
				t.Errorf("%s %s documented public=%v but answers %d without a token", method, path, public, anon.status)
			}
		})
	}
	if len(documented) != len(served) {
		t.Errorf("%d operations documented, %d routes served", len(documented), len(served))
	}
}

func TestOpenAPIDescribesRecordSchema(t *testing.T) {
	n := MustNode(t)
	r := n.do(t, "", "GET", "/api/openapi.json", nil)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	r.json(t, &doc)
	rec, ok := doc.Components.Schemas["Record"]
	if !ok {
		t.Fatal("no Record schema")
	}
	for _, p := range []string{"id", "kind", "originator", "version", "grading", "handling", "distribution", "seizure", "status"} {
		if _, ok := rec.Properties[p]; !ok {
			t.Errorf("Record schema lacks %s", p)
		}
	}
	if !slices.Contains(rec.Required, "kind") || slices.Contains(rec.Required, "id") {
		t.Errorf("Record required = %v, want kind but not id", rec.Required)
	}
	seizure, ok := doc.Components.Schemas["Seizure"]
	if !ok {
		t.Fatal("no Seizure schema")
	}
	for _, p := range []string{"date", "place", "containers", "goods", "parties", "narrative"} {
		if _, ok := seizure.Properties[p]; !ok {
			t.Errorf("Seizure schema lacks %s", p)
		}
	}
	if _, ok := doc.Components.Schemas["Error"]; !ok {
		t.Error("no Error schema")
	}
}
