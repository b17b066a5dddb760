package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"liaison/internal/store"
	"liaison/internal/store/sqlite"
	"liaison/internal/web"
)

// TestAuditVerifyAPIFindsTampering changes a SQLite node's database behind
// its back and checks that GET /api/v1/audit/verify names what was done: a
// letter changed in a stored record body (problem "body", the record and
// version), a retracted record's row rolled back to an active version
// (problem "body" too), then the last audit entries deleted, then the
// anchor itself (problem "anchor").
func TestAuditVerifyAPIFindsTampering(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.OpenWith(context.Background(), dir, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	n := mustNodeOn(t, db, web.Config{})
	id := n.MustPost(t, canonical(t)).ID
	raw, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	type verdict struct {
		OK        bool   `json:"ok"`
		Entries   *int64 `json:"entries"`
		Head      string `json:"head"`
		Versions  *int64 `json:"versions"`
		Uncovered *int64 `json:"versions_not_covered"`
		Problem   string `json:"problem"`
		BrokenAt  int64  `json:"broken_at"`
		Record    string `json:"record"`
		Version   int    `json:"version"`
		Reason    string `json:"reason"`
	}
	verify := func() verdict {
		t.Helper()
		r := n.do(t, store.RoleAuditor, "GET", "/api/v1/audit/verify", nil)
		want(t, r, http.StatusOK)
		var v verdict
		r.json(t, &v)
		return v
	}
	if v := verify(); !v.OK || v.Entries == nil || *v.Entries < 2 || v.Versions == nil || *v.Versions != 1 || *v.Uncovered != 0 || v.Head == "" {
		t.Fatalf("an untouched node: %+v, want ok with one version checked", v)
	}

	var body string
	if err := raw.QueryRow(`SELECT body FROM record_versions WHERE id = ? AND version = 1`, id).Scan(&body); err != nil {
		t.Fatal(err)
	}
	altered := strings.Replace(body, `"version":1`, `"version":1 `, 1)
	if altered == body {
		t.Fatalf("no version field to alter in %s", body)
	}
	if _, err := raw.Exec(`UPDATE record_versions SET body = ? WHERE id = ? AND version = 1`, altered, id); err != nil {
		t.Fatal(err)
	}
	if v := verify(); v.OK || v.Problem != "body" || v.Record != id || v.Version != 1 || v.BrokenAt == 0 || !strings.Contains(v.Reason, id) {
		t.Errorf("an altered body: %+v, want problem body naming record %s version 1 and the entry vouching for it", v, id)
	}
	if _, err := raw.Exec(`UPDATE record_versions SET body = ? WHERE id = ? AND version = 1`, body, id); err != nil {
		t.Fatal(err)
	}

	// The record retracted, then its row in the table of records rolled
	// back to the first version, active, no body touched: listings would
	// show it as active again.
	want(t, n.do(t, store.RoleAdmin, "POST", "/api/v1/records/"+id+"/retract", []byte(`{"reason":"sent in error"}`)), http.StatusOK)
	if _, err := raw.Exec(`UPDATE records SET version = 1, status = 'active' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if v := verify(); v.OK || v.Problem != "body" || v.Record != id || v.Version != 2 || v.BrokenAt != 0 ||
		!strings.Contains(v.Reason, "says version 1, active seizure") {
		t.Errorf("the record's row rolled back: %+v, want problem body naming record %s version 2", v, id)
	}
	if _, err := raw.Exec(`UPDATE records SET version = 2, status = 'retracted' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if v := verify(); !v.OK {
		t.Fatalf("the row put back: %+v", v)
	}

	var last int64
	if err := raw.QueryRow(`SELECT max(seq) FROM audit`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM audit WHERE seq = ?`, last); err != nil {
		t.Fatal(err)
	}
	// The verification's own read is audited after its walk: the entry it
	// appends does not hide the deletion.
	if v := verify(); v.OK || v.Problem != "anchor" || v.BrokenAt != last-1 || !strings.Contains(v.Reason, "deleted") {
		t.Errorf("the last audit entry deleted: %+v, want problem anchor at entry %d", v, last-1)
	}

	// The anchor itself deleted, as someone cutting the log would to hide
	// the cut: still a problem of the anchor, not a 404 for the anchor.
	if _, err := raw.Exec(`DELETE FROM audit_head`); err != nil {
		t.Fatal(err)
	}
	if v := verify(); v.OK || v.Problem != "anchor" || v.BrokenAt == 0 || !strings.Contains(v.Reason, "audit_head") {
		t.Errorf("the anchor deleted: %+v, want problem anchor naming audit_head", v)
	}
}

// TestAuditVerifyOutlastsTheWriteTimeout serves a node with a write timeout
// already past when any handler answers: another route's answer is lost
// (the connection is closed), while GET /api/v1/audit/verify, which on a
// large node takes longer than other routes may, still answers.
func TestAuditVerifyOutlastsTheWriteTimeout(t *testing.T) {
	n := MustNode(t)
	srv := httptest.NewUnstartedServer(n.server)
	srv.Config.WriteTimeout = time.Nanosecond
	srv.Start()
	t.Cleanup(srv.Close)
	get := func(path string) (*http.Response, error) {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+n.tokens[store.RoleAuditor])
		return srv.Client().Do(req)
	}
	if resp, err := get("/api/v1/audit?limit=1"); err == nil {
		resp.Body.Close()
		t.Fatalf("another route answered %d past the write timeout: the test cannot tell", resp.StatusCode)
	}
	resp, err := get("/api/v1/audit/verify")
	if err != nil {
		t.Fatalf("verify past the write timeout: %v", err)
	}
	defer resp.Body.Close()
	var v struct{ OK bool }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK || !v.OK {
		t.Errorf("verify past the write timeout: %d %+v %v", resp.StatusCode, v, err)
	}
}
