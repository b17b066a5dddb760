package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"liaison/internal/matching"
	"liaison/internal/store"
	"liaison/internal/web"
)

// MustMatchingNode starts node HK with a cross-matching service, stores
// the records given and builds the index.
func MustMatchingNode(tb testing.TB, recs ...[]byte) *node {
	tb.Helper()
	db := MustStore(tb)
	svc, err := matching.New(matching.Config{Store: db, Logger: slog.New(slog.DiscardHandler), CatchUp: -1})
	if err != nil {
		tb.Fatal(err)
	}
	n := mustNodeOn(tb, db, web.Config{Matching: svc})
	for _, r := range recs {
		n.MustPost(tb, r)
	}
	if err := svc.Rebuild(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestEntitySearchInvalidQuery checks that a search whose parameters
// cannot mean what they seem to is refused naming the parameter: a score
// that is not a number, a filter misspelt, a parameter given twice, a
// value the index cannot read.
func TestEntitySearchInvalidQuery(t *testing.T) {
	n := MustMatchingNode(t, canonical(t))
	for _, tc := range []struct{ query, field string }{
		{"name=Chan+Tai+Man&min_score=NaN", "min_score"},
		{"name=Chan+Tai+Man&min_score=nan", "min_score"},
		{"name=Chan+Tai+Man&min_score=0", "min_score"},
		{"name=Chan+Tai+Man&name=Wong", "name"},
		{"name=Chan+Tai+Man&type=person&type=organisation", "type"},
		{"name=Chan+Tai+Man&nationality=HK", "nationality"},
		{"name=Chan+Tai+Man&dob=1975-03-02", "dob"},
		{"name=CSQU3054384&type=container", "name"},
		{"name=Mr&type=person", "name"},
		{"name=%21%21%21", "name"},
		{"name=%FF%FE", "name"},
		{"name=Chan+Tai+Man&country=ZZ", "country"},
		{"name=Chan+Tai+Man&country=hk", "country"},
	} {
		r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/entities/search?"+tc.query, nil)
		if r.status != http.StatusBadRequest || r.apiError(t).Error.Field != tc.field {
			t.Errorf("search %s: %d %s, want 400 naming %s", tc.query, r.status, r.body, tc.field)
		}
	}
	r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/entities/search?name=%zz", nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.apiError(t).Error.Message, "query string") {
		t.Errorf("search with a malformed query string: %d %s, want 400 saying so", r.status, r.body)
	}
	// The same search well formed is answered.
	for _, q := range []string{"name=Chan+Tai+Man&type=person&min_score=0.5&country=HK", "name=CSQU3054383&type=container"} {
		r = n.do(t, store.RoleAnalyst, "GET", "/api/v1/entities/search?"+q, nil)
		want(t, r, http.StatusOK)
		var body struct {
			Results []struct{ Record string } `json:"results"`
		}
		r.json(t, &body)
		if len(body.Results) == 0 {
			t.Errorf("search %s found nothing", q)
		}
	}
}

// TestRecordMatchesTakeNoParameters checks that a parameter the matches
// of a record do not take (a limit, say) is refused rather than ignored.
func TestRecordMatchesTakeNoParameters(t *testing.T) {
	n := MustMatchingNode(t)
	rec := n.MustPost(t, canonical(t))
	wantError(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID+"/matches?limit=1", nil), http.StatusBadRequest, "limit")
	want(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID+"/matches", nil), http.StatusOK)
}

// TestDeleteExclusionMalformedID checks that an exclusion id that is not a
// number is refused naming id, as a delivery id is, and that a number no
// exclusion has is not found.
func TestDeleteExclusionMalformedID(t *testing.T) {
	n := MustMatchingNode(t)
	for _, id := range []string{"abc", "1.5", "99999999999999999999"} {
		wantError(t, n.do(t, store.RoleAdmin, "DELETE", "/api/v1/matching/exclusions/"+id, nil), http.StatusBadRequest, "id")
	}
	for _, id := range []string{"0", "-1", "999"} {
		wantError(t, n.do(t, store.RoleAdmin, "DELETE", "/api/v1/matching/exclusions/"+id, nil), http.StatusNotFound, "")
	}
	r := n.do(t, store.RoleAdmin, "POST", "/api/v1/matching/exclusions", []byte(`{"type":"phone","value":"+852 2345 6789"}`))
	want(t, r, http.StatusCreated)
	r = n.do(t, store.RoleAdmin, "POST", "/api/v1/matching/exclusions", []byte(`{"type":"phone","value":"+85223456789"}`))
	wantError(t, r, http.StatusConflict, "value")
}

// TestUnknownQueryParametersRefused checks that every authenticated route
// refuses a query parameter it does not take, and one given twice, naming
// it: a misspelt filter on the record list would otherwise list every
// record as if it had been applied.
func TestUnknownQueryParametersRefused(t *testing.T) {
	n := MustNode(t)
	n.MustPost(t, canonical(t))
	for _, tc := range []struct{ path, field string }{
		{"/api/v1/records?catgory=drugs", "catgory"},
		{"/api/v1/records?kind=seizure&kind=warning", "kind"},
		{"/api/v1/directory/administrations?regoin=AP", "regoin"},
		{"/api/v1/agreements?partner=JP", "partner"},
		{"/api/v1/audit?limit=5&limit=6", "limit"},
		{"/api/v1/deliveries?recrod=X", "recrod"},
	} {
		r := n.do(t, store.RoleAdmin, "GET", tc.path, nil)
		if r.status != http.StatusBadRequest || r.apiError(t).Error.Field != tc.field {
			t.Errorf("GET %s: %d %s, want 400 naming %s", tc.path, r.status, r.body, tc.field)
		}
	}
	// The parameters a route takes are accepted.
	for _, path := range []string{"/api/v1/records?category=drugs&limit=5", "/api/v1/directory/administrations?region=AP",
		"/api/v1/agreements?party=JP", "/api/v1/audit?limit=5"} {
		if r := n.do(t, store.RoleAdmin, "GET", path, nil); r.status != http.StatusOK {
			t.Errorf("GET %s: %d %s, want 200", path, r.status, r.body)
		}
	}
}

// TestUserOperationsRefuseControlCharacters checks that an operation id
// holding a control character is refused, naming it, and no user is made.
func TestUserOperationsRefuseControlCharacters(t *testing.T) {
	n := MustNode(t)
	for _, op := range []string{"OP\x01JADE", "OP\nJADE", "OP,JADE", " "} {
		q, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(`{"name":"ana","role":"analyst","operations":["OP-A",` + string(q) + `]}`)
		r := n.do(t, store.RoleAdmin, "POST", "/api/v1/users", body)
		if r.status != http.StatusBadRequest || r.apiError(t).Error.Field != "operations[1]" {
			t.Errorf("operation %q: %d %s, want 400 naming operations[1]", op, r.status, r.body)
		}
	}
	if r := n.do(t, store.RoleAdmin, "GET", "/api/v1/users", nil); strings.Contains(string(r.body), `"ana"`) {
		t.Errorf("a refused user was made: %s", r.body)
	}
}
