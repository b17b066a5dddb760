package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"liaison/internal/matching"
	"liaison/internal/store"
	"liaison/internal/web"
)

// TestMatchIndexBuilding checks what the API says while the match index is
// being built from the store: health reports the build and how far it has
// got, entity search and the over-correlation list answer 503 with a
// Retry-After and a message naming the build, and once built health says
// "ready" and search answers.
func TestMatchIndexBuilding(t *testing.T) {
	ctx := context.Background()
	db := MustStore(t)
	svc, err := matching.New(matching.Config{Store: db, Logger: slog.New(slog.DiscardHandler), CatchUp: -1})
	if err != nil {
		t.Fatal(err)
	}
	n := mustNodeOn(t, db, web.Config{Matching: svc})
	// A record stored before the index is built: its matches are served
	// from the stored links, and say they are pending.
	rec := n.MustPost(t, canonical(t))
	var ms struct {
		Matches []any `json:"matches"`
		Pending bool  `json:"pending"`
	}
	r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID+"/matches", nil)
	want(t, r, http.StatusOK)
	r.json(t, &ms)
	if !ms.Pending || ms.Matches == nil || len(ms.Matches) != 0 {
		t.Errorf("matches of a record not matched yet: %s, want none and pending", r.body)
	}

	type health struct {
		MatchIndex *struct {
			State       string `json:"state"`
			RecordsRead *int64 `json:"records_read"`
		} `json:"match_index"`
	}
	var h health
	r = n.do(t, "", "GET", "/api/v1/health", nil)
	want(t, r, http.StatusOK)
	r.json(t, &h)
	if h.MatchIndex == nil || h.MatchIndex.State != "building" || h.MatchIndex.RecordsRead == nil || *h.MatchIndex.RecordsRead != 0 {
		t.Errorf("health before the index is built: %s", r.body)
	}
	for _, path := range []string{"/api/v1/entities/search?name=Chan+Tai+Man", "/api/v1/matching/overcorrelated"} {
		r := n.do(t, store.RoleAdmin, "GET", path, nil)
		want(t, r, http.StatusServiceUnavailable)
		if e := r.apiError(t); e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, "match index is being built") {
			t.Errorf("GET %s while building: %s", path, r.body)
		}
		if r.header.Get("Retry-After") == "" {
			t.Errorf("GET %s while building: no Retry-After", path)
		}
	}
	r = n.do(t, "", "GET", "/metrics", nil)
	want(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), "liaison_match_index_ready 0") || !strings.Contains(string(r.body), "liaison_match_index_build_records_read 0") {
		t.Errorf("metrics while building lack the index state")
	}
	// A malformed search is still named as such.
	r = n.do(t, store.RoleAdmin, "GET", "/api/v1/entities/search?limit=5", nil)
	want(t, r, http.StatusBadRequest)

	if err := svc.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	h = health{}
	r = n.do(t, "", "GET", "/api/v1/health", nil)
	r.json(t, &h)
	if h.MatchIndex == nil || h.MatchIndex.State != "ready" || h.MatchIndex.RecordsRead != nil {
		t.Errorf("health once built: %s", r.body)
	}
	if r := n.do(t, "", "GET", "/metrics", nil); !strings.Contains(string(r.body), "liaison_match_index_ready 1") {
		t.Errorf("metrics once built do not say the index is ready")
	} else if !regexp.MustCompile(`(?m)^liaison_match_index_offheap_bytes \d`).Match(r.body) {
		t.Errorf("metrics once built do not give the index's memory outside the Go heap")
	}
	r = n.do(t, store.RoleAdmin, "GET", "/api/v1/entities/search?name=Chan+Tai+Man", nil)
	want(t, r, http.StatusOK)
	if r.header.Get("Retry-After") != "" {
		t.Errorf("Retry-After on an answered search")
	}
	// Built, the index matched the record stored meanwhile.
	r = n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID+"/matches", nil)
	want(t, r, http.StatusOK)
	if strings.Contains(string(r.body), "pending") {
		t.Errorf("matches of a record matched once the index was built: %s", r.body)
	}
}
