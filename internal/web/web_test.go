package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"liaison/internal/access"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/intel"
	"liaison/internal/records"
	"liaison/internal/sharing"
	"liaison/internal/store"
	"liaison/internal/store/sqlite"
	"liaison/internal/web"
)

// node is a Liaison node served over loopback HTTP for a test, with one
// user (and token) per role.
type node struct {
	url     string
	store   store.Store
	records *records.Service
	sharing *sharing.Service
	server  *web.Server
	tokens  map[string]string // role -> token
	logs    *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// MustDirectory loads the embedded reference data.
func MustDirectory(tb testing.TB) *directory.Directory {
	tb.Helper()
	d, err := directory.Load()
	if err != nil {
		tb.Fatalf("load directory: %v", err)
	}
	return d
}

// MustNode starts node HK over a new SQLite database.
func MustNode(tb testing.TB) *node {
	tb.Helper()
	return MustNodeWith(tb, web.Config{})
}

// MustNodeWith starts node HK with cfg; Node, Store, Records, Directory,
// Sharing and Logger are filled in. The agreement registry starts empty.
func MustNodeWith(tb testing.TB, cfg web.Config) *node {
	tb.Helper()
	return mustNodeOn(tb, MustStore(tb), cfg)
}

// MustStore opens a new SQLite store, closed when the test ends.
func MustStore(tb testing.TB) store.Store {
	tb.Helper()
	db, err := sqlite.OpenWith(context.Background(), tb.TempDir(), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// mustNodeOn is MustNodeWith on the store db.
func mustNodeOn(tb testing.TB, db store.Store, cfg web.Config) *node {
	tb.Helper()
	ctx := context.Background()
	dir := MustDirectory(tb)
	if err := db.InitNode(ctx, store.Node{Code: "HK"}, audit.Event{Actor: "system", Action: audit.ActionNodeInit, Target: "HK"}); err != nil {
		tb.Fatalf("init node: %v", err)
	}
	n := &node{store: db, tokens: map[string]string{}, logs: &syncBuffer{}}
	n.records = records.New(records.Config{Node: "HK", Store: db, Codes: dir})
	cfg.Node, cfg.Store, cfg.Records, cfg.Directory = "HK", db, n.records, dir
	if cfg.Sharing == nil {
		cfg.Sharing = &sharing.Service{Store: db, Directory: dir, Node: "HK"}
	}
	n.sharing = cfg.Sharing
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(n.logs, nil))
	}
	n.server = web.New(cfg)
	srv := httptest.NewServer(n.server)
	tb.Cleanup(srv.Close)
	n.url = srv.URL
	for _, role := range access.Roles() {
		n.tokens[role] = MustUser(tb, db, role+"-user", role)
	}
	return n
}

// MustUser creates a user directly in the store and returns its token.
func MustUser(tb testing.TB, s store.Store, name, role string) string {
	tb.Helper()
	tok, err := access.GenerateToken()
	if err != nil {
		tb.Fatal(err)
	}
	u := store.User{Name: name, Role: role, TokenHash: access.HashToken(tok)}
	if err := s.CreateUser(context.Background(), u, audit.Event{Actor: "system", Action: audit.ActionUserCreate, Target: name}); err != nil {
		tb.Fatalf("create user %s: %v", name, err)
	}
	return tok
}

// response is a decoded HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.body, err)
	}
}

// apiError is the error body every failed request gets.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		Details []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
}

func (r response) apiError(tb testing.TB) apiError {
	tb.Helper()
	var e apiError
	r.json(tb, &e)
	if e.Error.Code == "" {
		tb.Fatalf("response %d %s is not an error body", r.status, r.body)
	}
	return e
}

// do sends a request as the user of role ("" sends no token) and reads the
// whole response.
func (n *node) do(tb testing.TB, role, method, path string, body []byte) response {
	tb.Helper()
	h := http.Header{}
	if role != "" {
		h.Set("Authorization", "Bearer "+n.tokens[role])
	}
	return n.doHeader(tb, h, method, path, body)
}

func (n *node) doHeader(tb testing.TB, h http.Header, method, path string, body []byte) response {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, n.url+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header = h
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read %s %s: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// want fails unless r has the status.
func want(tb testing.TB, r response, status int) {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
}

// canonical returns the canonical seizure example as written in DESIGN §4.
func canonical(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/canonical-seizure.json")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// canonicalWith returns the canonical example after edit changed its
// decoded form.
func canonicalWith(tb testing.TB, edit func(m map[string]any)) []byte {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(canonical(tb), &m); err != nil {
		tb.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func seizureOf(m map[string]any) map[string]any { return m["seizure"].(map[string]any) }

// MustPost creates a record from body as an analyst.
func (n *node) MustPost(tb testing.TB, body []byte) intel.Record {
	tb.Helper()
	r := n.do(tb, store.RoleAnalyst, "POST", "/api/v1/records", body)
	want(tb, r, http.StatusCreated)
	var rec intel.Record
	r.json(tb, &rec)
	return rec
}

func (n *node) count(tb testing.TB) int64 {
	tb.Helper()
	c, err := n.store.CountRecords(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestHealth(t *testing.T) {
	n := MustNode(t)
	n.MustPost(t, canonical(t))
	r := n.do(t, "", "GET", "/api/v1/health", nil)
	want(t, r, http.StatusOK)
	var h struct {
		Status, Node, Version string
		Records               int64
	}
	r.json(t, &h)
	if h.Status != "ok" || h.Node != "HK" || h.Version == "" || h.Records != 1 {
		t.Errorf("health = %+v, want ok, HK, a version, 1 record", h)
	}
}

func TestCanonicalSeizureLifecycle(t *testing.T) {
	n := MustNode(t)

	// Posted exactly as written in the design.
	r := n.do(t, store.RoleAnalyst, "POST", "/api/v1/records", canonical(t))
	want(t, r, http.StatusCreated)
	var created map[string]any
	r.json(t, &created)
	if _, has := created["warnings"]; has {
		t.Errorf("warnings present for a clean record: %s", r.body)
	}
	var rec intel.Record
	r.json(t, &rec)
	if rec.ID == "" || rec.Originator != "HK" || rec.Version != 1 || rec.Status != intel.StatusActive ||
		rec.Created == nil || rec.Updated == nil {
		t.Fatalf("created record lacks server fields: %s", r.body)
	}
	if loc := r.header.Get("Location"); loc != "/api/v1/records/"+rec.ID {
		t.Errorf("Location = %q, want /api/v1/records/%s", loc, rec.ID)
	}
	if rec.Seizure == nil || len(rec.Seizure.Parties) != 2 || rec.Seizure.Goods[0].HS != "240220" {
		t.Errorf("stored record lost content: %s", r.body)
	}

	// Read back.
	g := n.do(t, store.RoleAuditor, "GET", "/api/v1/records/"+rec.ID, nil)
	want(t, g, http.StatusOK)
	var got intel.Record
	g.json(t, &got)
	if got.ID != rec.ID || got.Seizure.Narrative != rec.Seizure.Narrative || got.Seizure.Parties[0].Name != "Chan Tai Man" {
		t.Errorf("read back %s", g.body)
	}

	// Found by a word of its narrative.
	l := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records?q=frozen", nil)
	want(t, l, http.StatusOK)
	var page struct {
		Records []intel.Record `json:"records"`
		Next    *string        `json:"next"`
	}
	l.json(t, &page)
	if len(page.Records) != 1 || page.Records[0].ID != rec.ID {
		t.Errorf("q=frozen found %d records: %s", len(page.Records), l.body)
	}
	if page.Next == nil {
		t.Errorf("listing lacks next: %s", l.body)
	}
	miss := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records?q=heroin", nil)
	want(t, miss, http.StatusOK)
	if !bytes.Contains(miss.body, []byte(`"records":[]`)) {
		t.Errorf("q=heroin: %s, want no records", miss.body)
	}

	// PUT creates version 2; version 1 stays readable.
	update := canonicalWith(t, func(m map[string]any) {
		seizureOf(m)["narrative"] = "Declared as frozen fish; 8 million cigarettes found."
		m["version"] = 1
	})
	p := n.do(t, store.RoleLiaison, "PUT", "/api/v1/records/"+rec.ID, update)
	want(t, p, http.StatusOK)
	var v2 intel.Record
	p.json(t, &v2)
	if v2.Version != 2 || v2.ID != rec.ID || !v2.Created.Equal(*rec.Created) {
		t.Errorf("after PUT: %s", p.body)
	}
	v1 := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID+"/versions/1", nil)
	want(t, v1, http.StatusOK)
	var old intel.Record
	v1.json(t, &old)
	if old.Version != 1 || old.Seizure.Narrative != rec.Seizure.Narrative {
		t.Errorf("version 1: %s", v1.body)
	}
	vs := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID+"/versions", nil)
	want(t, vs, http.StatusOK)
	var hist struct {
		Versions []intel.Record `json:"versions"`
	}
	vs.json(t, &hist)
	if len(hist.Versions) != 2 || hist.Versions[0].Version != 1 || hist.Versions[1].Version != 2 {
		t.Errorf("versions: %s", vs.body)
	}
	cur := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID, nil)
	var latest intel.Record
	cur.json(t, &latest)
	if latest.Version != 2 {
		t.Errorf("latest version %d, want 2", latest.Version)
	}

	// A stale version is a conflict naming the current version.
	stale := n.do(t, store.RoleAnalyst, "PUT", "/api/v1/records/"+rec.ID, update)
	want(t, stale, http.StatusConflict)
	if e := stale.apiError(t); e.Error.Code != "conflict" || !strings.Contains(e.Error.Message, "version 2") {
		t.Errorf("stale PUT error = %+v", e.Error)
	}

	missing := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/01JAB3NDEKTSV4RRFFQ69G5FAV", nil)
	want(t, missing, http.StatusNotFound)
	if e := missing.apiError(t); e.Error.Code != "not_found" {
		t.Errorf("missing record error = %+v", e.Error)
	}
}

func TestCreateRecordInvalid(t *testing.T) {
	tests := []struct {
		name    string
		body    func(t *testing.T) []byte
		field   string
		message string // a part of the message
	}{
		{"container check digit", func(t *testing.T) []byte {
			return canonicalWith(t, func(m map[string]any) { seizureOf(m)["containers"] = []string{"CSQU3054384"} })
		}, "seizure.containers[0]", ""},
		{"reserved hs chapter", func(t *testing.T) []byte {
			return canonicalWith(t, func(m map[string]any) {
				seizureOf(m)["goods"].([]any)[0].(map[string]any)["hs"] = "770100"
			})
		}, "seizure.goods[0].hs", "770100"},
		{"unknown country", func(t *testing.T) []byte {
			return canonicalWith(t, func(m map[string]any) {
				seizureOf(m)["place"] = map[string]any{"country": "XX"}
			})
		}, "seizure.place.country", "XX"},
		{"unknown field", func(t *testing.T) []byte {
			return canonicalWith(t, func(m map[string]any) { m["colour"] = "red" })
		}, "colour", "unknown field"},
		{"unknown nested field", func(t *testing.T) []byte {
			return canonicalWith(t, func(m map[string]any) { seizureOf(m)["weather"] = "fine" })
		}, "seizure.weather", "unknown field"},
		{"unknown field in a list", func(t *testing.T) []byte {
			return canonicalWith(t, func(m map[string]any) {
				seizureOf(m)["goods"].([]any)[0].(map[string]any)["colour"] = "red"
			})
		}, "seizure.goods[0].colour", "unknown field"},
		{"wrong type", func(t *testing.T) []byte {
			return canonicalWith(t, func(m map[string]any) {
				seizureOf(m)["goods"].([]any)[0].(map[string]any)["quantity"] = "lots"
			})
		}, "seizure.goods[0].quantity", "number"},
		{"syntax error", func(t *testing.T) []byte { return []byte(`{"kind": "seizure",, }`) }, "", "offset"},
		{"truncated", func(t *testing.T) []byte { return canonical(t)[:100] }, "", "malformed"},
		{"trailing data", func(t *testing.T) []byte { return append(canonical(t), []byte(`{"kind":"alert"}`)...) }, "", "after the JSON object"},
		{"empty body", func(t *testing.T) []byte { return []byte{} }, "", "empty"},
		{"not an object", func(t *testing.T) []byte { return []byte(`[1,2]`) }, "", "object"},
		// Invalid UTF-8 in a string would be stored as U+FFFD.
		{"not UTF-8", func(t *testing.T) []byte {
			b := canonical(t)
			i := bytes.Index(b, []byte(`"narrative":"`)) + len(`"narrative":"`)
			return append(append(b[:i:i], 0xff, 0xfe), b[i:]...)
		}, "", "not valid UTF-8: invalid byte at offset"},
	}
	n := MustNode(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := n.do(t, store.RoleAnalyst, "POST", "/api/v1/records", tt.body(t))
			want(t, r, http.StatusBadRequest)
			e := r.apiError(t)
			if e.Error.Code != "invalid" {
				t.Errorf("code = %q, want invalid", e.Error.Code)
			}
			if e.Error.Field != tt.field {
				t.Errorf("field = %q, want %q (message %q)", e.Error.Field, tt.field, e.Error.Message)
			}
			if !strings.Contains(e.Error.Message, tt.message) {
				t.Errorf("message %q lacks %q", e.Error.Message, tt.message)
			}
		})
	}
	if c := n.count(t); c != 0 {
		t.Errorf("%d records stored from invalid requests, want 0", c)
	}
}

func TestCreateRecordListsEveryProblem(t *testing.T) {
	n := MustNode(t)
	body := canonicalWith(t, func(m map[string]any) {
		seizureOf(m)["containers"] = []string{"CSQU3054384"}
		seizureOf(m)["goods"].([]any)[0].(map[string]any)["hs"] = "770100"
	})
	r := n.do(t, store.RoleAnalyst, "POST", "/api/v1/records", body)
	want(t, r, http.StatusBadRequest)
	e := r.apiError(t)
	var fields []string
	for _, d := range e.Error.Details {
		fields = append(fields, d.Field)
	}
	if len(fields) != 2 || e.Error.Field != fields[0] {
		t.Errorf("field %q, details %v; want the first of two details", e.Error.Field, fields)
	}
	for _, f := range []string{"seizure.containers[0]", "seizure.goods[0].hs"} {
		if !strings.Contains(strings.Join(fields, " "), f) {
			t.Errorf("details %v lack %s", fields, f)
		}
	}
}

func TestCreateRecordWarnings(t *testing.T) {
	n := MustNode(t)
	body := canonicalWith(t, func(m map[string]any) {
		seizureOf(m)["conveyance"] = map[string]any{"vessel_imo": "9074728"} // check digit should be 9
	})
	r := n.do(t, store.RoleAnalyst, "POST", "/api/v1/records", body)
	want(t, r, http.StatusCreated)
	var resp struct {
		ID       string `json:"id"`
		Warnings []struct {
			Field, Message string
		} `json:"warnings"`
	}
	r.json(t, &resp)
	if len(resp.Warnings) != 1 || resp.Warnings[0].Field != "seizure.conveyance.vessel_imo" || resp.Warnings[0].Message == "" {
		t.Errorf("warnings = %+v, want one on seizure.conveyance.vessel_imo", resp.Warnings)
	}
	if resp.ID == "" || n.count(t) != 1 {
		t.Error("record with a warning was not stored")
	}
}

func TestBodyTooLarge(t *testing.T) {
	n := MustNode(t)
	body := canonicalWith(t, func(m map[string]any) {
		seizureOf(m)["narrative"] = strings.Repeat("x", web.DefaultMaxBody+64<<10)
	})
	r := n.do(t, store.RoleAnalyst, "POST", "/api/v1/records", body)
	want(t, r, http.StatusRequestEntityTooLarge)
	if e := r.apiError(t); e.Error.Code != "too_large" {
		t.Errorf("code = %q, want too_large", e.Error.Code)
	}
	if n.count(t) != 0 {
		t.Error("oversized record was stored")
	}

	small := MustNodeWith(t, web.Config{MaxBody: 512})
	r = small.do(t, store.RoleAnalyst, "POST", "/api/v1/records", canonical(t))
	want(t, r, http.StatusRequestEntityTooLarge)
}

func TestAuthentication(t *testing.T) {
	n := MustNode(t)
	wrong, err := access.GenerateToken()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		header string
	}{
		{"no token", ""},
		{"wrong token", "Bearer " + wrong},
		{"not bearer", "Basic YWRtaW46YWRtaW4="},
		{"empty bearer", "Bearer "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Authorization", tt.header)
			}
			r := n.doHeader(t, h, "GET", "/api/v1/records", nil)
			want(t, r, http.StatusUnauthorized)
			if e := r.apiError(t); e.Error.Code != "unauthorized" {
				t.Errorf("code = %q, want unauthorized", e.Error.Code)
			}
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}

	entries, err := n.store.AuditEntries(context.Background(), store.AuditQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var failed int
	for _, e := range entries {
		if e.Action != audit.ActionAuthFailed {
			continue
		}
		failed++
		if !strings.Contains(e.Detail, "127.0.0.1") {
			t.Errorf("auth.failed detail %q lacks the remote address", e.Detail)
		}
		if strings.Contains(e.Detail, wrong) || strings.Contains(e.Detail, access.HashToken(wrong)) {
			t.Errorf("auth.failed detail %q holds the token", e.Detail)
		}
	}
	if failed != len(tests) {
		t.Errorf("%d auth.failed entries, want %d", failed, len(tests))
	}

	for _, path := range []string{"/api/v1/health", "/api/openapi.json", "/metrics"} {
		r := n.do(t, "", "GET", path, nil)
		want(t, r, http.StatusOK)
	}
}

func TestPermissions(t *testing.T) {
	n := MustNode(t)
	rec := n.MustPost(t, canonical(t))
	users := []byte(`{"name":"carol","role":"analyst"}`)
	tests := []struct {
		role, method, path string
		body               []byte
		status             int
	}{
		{store.RoleAnalyst, "POST", "/api/v1/users", users, http.StatusForbidden},
		{store.RoleAnalyst, "GET", "/api/v1/users", nil, http.StatusForbidden},
		{store.RoleAnalyst, "GET", "/api/v1/audit", nil, http.StatusForbidden},
		{store.RoleLiaison, "GET", "/api/v1/audit/verify", nil, http.StatusForbidden},
		{store.RoleLiaison, "POST", "/api/v1/users", users, http.StatusForbidden},
		{store.RoleAuditor, "POST", "/api/v1/records", canonical(t), http.StatusForbidden},
		{store.RoleAuditor, "PUT", "/api/v1/records/" + rec.ID, canonical(t), http.StatusForbidden},
		{store.RoleAuditor, "POST", "/api/v1/records/" + rec.ID + "/retract", nil, http.StatusForbidden},
		{store.RoleAuditor, "POST", "/api/v1/users", users, http.StatusForbidden},
		{store.RoleAuditor, "GET", "/api/v1/audit", nil, http.StatusOK},
		{store.RoleAuditor, "GET", "/api/v1/audit/verify", nil, http.StatusOK},
		{store.RoleAuditor, "GET", "/api/v1/records/" + rec.ID, nil, http.StatusOK},
		{store.RoleAuditor, "GET", "/api/v1/directory/regions", nil, http.StatusOK},
		{store.RoleLiaison, "GET", "/api/v1/records", nil, http.StatusOK},
		{store.RoleAdmin, "GET", "/api/v1/users", nil, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.role+" "+tt.method+" "+tt.path, func(t *testing.T) {
			r := n.do(t, tt.role, tt.method, tt.path, tt.body)
			want(t, r, tt.status)
			if tt.status == http.StatusForbidden {
				e := r.apiError(t)
				if e.Error.Code != "forbidden" || !strings.Contains(e.Error.Message, tt.role) {
					t.Errorf("error = %+v, want forbidden naming role %s", e.Error, tt.role)
				}
			}
		})
	}
	if c := n.count(t); c != 1 {
		t.Errorf("%d records after forbidden writes, want 1", c)
	}
	cur := n.do(t, store.RoleAdmin, "GET", "/api/v1/records/"+rec.ID, nil)
	var r intel.Record
	cur.json(t, &r)
	if r.Version != 1 || r.Status != intel.StatusActive {
		t.Errorf("record changed by forbidden requests: version %d, status %s", r.Version, r.Status)
	}
}

func TestUsers(t *testing.T) {
	n := MustNode(t)
	r := n.do(t, store.RoleAdmin, "POST", "/api/v1/users", []byte(`{"name":"carol","role":"analyst"}`))
	want(t, r, http.StatusCreated)
	var u struct{ Name, Role, Token string }
	r.json(t, &u)
	if u.Name != "carol" || u.Role != "analyst" || !access.LooksLikeToken(u.Token) {
		t.Fatalf("created user = %s", r.body)
	}

	// The new token works and carries the analyst's rights.
	h := http.Header{"Authorization": {"Bearer " + u.Token}}
	want(t, n.doHeader(t, h, "GET", "/api/v1/records", nil), http.StatusOK)
	want(t, n.doHeader(t, h, "GET", "/api/v1/users", nil), http.StatusForbidden)

	dup := n.do(t, store.RoleAdmin, "POST", "/api/v1/users", []byte(`{"name":"carol","role":"auditor"}`))
	want(t, dup, http.StatusConflict)

	for _, tt := range []struct{ body, field string }{
		{`{"name":"dave","role":"root"}`, "role"},
		{`{"name":"","role":"admin"}`, "name"},
		{`{"name":"a b","role":"admin"}`, "name"},
		{`{"name":"dave","role":"admin","token":"mine"}`, "token"},
	} {
		r := n.do(t, store.RoleAdmin, "POST", "/api/v1/users", []byte(tt.body))
		want(t, r, http.StatusBadRequest)
		if e := r.apiError(t); e.Error.Field != tt.field {
			t.Errorf("%s: field %q, want %q", tt.body, e.Error.Field, tt.field)
		}
	}

	l := n.do(t, store.RoleAdmin, "GET", "/api/v1/users", nil)
	want(t, l, http.StatusOK)
	if !bytes.Contains(l.body, []byte(`"carol"`)) || bytes.Contains(l.body, []byte(u.Token)) ||
		bytes.Contains(l.body, []byte(access.HashToken(u.Token))) {
		t.Errorf("user list %s: want carol without token or hash", l.body)
	}
}

func TestRetract(t *testing.T) {
	n := MustNode(t)
	rec := n.MustPost(t, canonical(t))
	r := n.do(t, store.RoleLiaison, "POST", "/api/v1/records/"+rec.ID+"/retract", []byte(`{"reason":"entered twice"}`))
	want(t, r, http.StatusOK)
	var got intel.Record
	r.json(t, &got)
	if got.Status != intel.StatusRetracted || got.Version != 2 || got.Retraction == nil || got.Retraction.Reason != "entered twice" {
		t.Errorf("retracted record %s", r.body)
	}
	again := n.do(t, store.RoleLiaison, "POST", "/api/v1/records/"+rec.ID+"/retract", nil)
	want(t, again, http.StatusConflict)
	if e := again.apiError(t); e.Error.Code != "conflict" {
		t.Errorf("second retract code %q", e.Error.Code)
	}
	put := n.do(t, store.RoleAnalyst, "PUT", "/api/v1/records/"+rec.ID, canonical(t))
	want(t, put, http.StatusConflict)

	// Without a body.
	other := n.MustPost(t, canonical(t))
	want(t, n.do(t, store.RoleAnalyst, "POST", "/api/v1/records/"+other.ID+"/retract", nil), http.StatusOK)

	// Retracted records are listed by status.
	l := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records?status=retracted", nil)
	want(t, l, http.StatusOK)
	var page struct{ Records []intel.Record }
	l.json(t, &page)
	if len(page.Records) != 2 {
		t.Errorf("%d retracted records listed, want 2", len(page.Records))
	}
}

func TestCursorPagination(t *testing.T) {
	n := MustNode(t)
	var rs []*intel.Record
	for i := range 23 {
		var rec intel.Record
		if err := json.Unmarshal(canonicalWith(t, func(m map[string]any) {
			seizureOf(m)["narrative"] = fmt.Sprintf("Shipment number %d.", i)
		}), &rec); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, &rec)
	}
	stored, err := n.records.CreateBatch(context.Background(), "import", rs)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	path := "/api/v1/records?kind=seizure&limit=5"
	var pages int
	for {
		pages++
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		r := n.do(t, store.RoleAnalyst, "GET", path, nil)
		want(t, r, http.StatusOK)
		var page struct {
			Records []intel.Record
			Next    string
		}
		r.json(t, &page)
		if len(page.Records) > 5 {
			t.Fatalf("page of %d records, limit 5", len(page.Records))
		}
		for _, rec := range page.Records {
			if seen[rec.ID] {
				t.Errorf("record %s on two pages", rec.ID)
			}
			seen[rec.ID] = true
		}
		if page.Next == "" {
			break
		}
		path = "/api/v1/records?kind=seizure&limit=5&cursor=" + page.Next
	}
	if pages != 5 {
		t.Errorf("%d pages, want 5", pages)
	}
	for _, rec := range stored {
		if !seen[rec.ID] {
			t.Errorf("record %s never listed", rec.ID)
		}
	}
	if len(seen) != len(stored) {
		t.Errorf("listed %d records, want %d", len(seen), len(stored))
	}
}

func TestListRecordsInvalidQuery(t *testing.T) {
	n := MustNode(t)
	tests := []struct{ query, field string }{
		{"limit=0", "limit"},
		{"limit=5000", "limit"},
		{"limit=ten", "limit"},
		{"from=2026-02-30", "from"},
		{"to=soon", "to"},
		{"kind=rumour", "kind"},
		{"category=narcotics", "category"},
		{"cursor=abc", "cursor"},
		{"status=gone", "status"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records?"+tt.query, nil)
			want(t, r, http.StatusBadRequest)
			if e := r.apiError(t); e.Error.Field != tt.field {
				t.Errorf("field %q, want %q", e.Error.Field, tt.field)
			}
		})
	}
	for _, q := range []string{"category=drugs", "category=revenue/cigarettes", "from=2026-01-01&to=2026-12-31"} {
		want(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records?"+q, nil), http.StatusOK)
	}
}

func TestAuditAPI(t *testing.T) {
	n := MustNode(t)
	rec := n.MustPost(t, canonical(t))
	want(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID, nil), http.StatusOK)

	r := n.do(t, store.RoleAuditor, "GET", "/api/v1/audit?limit=1000", nil)
	want(t, r, http.StatusOK)
	var list struct{ Entries []audit.Entry }
	r.json(t, &list)
	var create, read bool
	for _, e := range list.Entries {
		create = create || (e.Action == audit.ActionRecordCreate && e.Target == rec.ID && e.Actor == "analyst-user")
		read = read || (e.Action == audit.ActionRecordRead && e.Target == rec.ID)
	}
	if !create || !read {
		t.Errorf("audit lacks record.create (%v) or record.read (%v): %s", create, read, r.body)
	}

	after := n.do(t, store.RoleAuditor, "GET", fmt.Sprintf("/api/v1/audit?after=%d", list.Entries[0].Seq), nil)
	var rest struct{ Entries []audit.Entry }
	after.json(t, &rest)
	if len(rest.Entries) != len(list.Entries)-1 {
		t.Errorf("after=%d gave %d entries, want %d", list.Entries[0].Seq, len(rest.Entries), len(list.Entries)-1)
	}
	one := n.do(t, store.RoleAuditor, "GET", "/api/v1/audit?limit=1", nil)
	var first struct{ Entries []audit.Entry }
	one.json(t, &first)
	if len(first.Entries) != 1 {
		t.Errorf("limit=1 gave %d entries", len(first.Entries))
	}
	future := n.do(t, store.RoleAuditor, "GET", "/api/v1/audit?from=2999-01-01", nil)
	want(t, future, http.StatusOK)
	if !bytes.Contains(future.body, []byte(`"entries":[]`)) {
		t.Errorf("from=2999-01-01: %s, want no entries", future.body)
	}
	for _, q := range []string{"limit=0", "from=yesterday", "after=-1", "to=2020-01-01&from=2021-01-01"} {
		want(t, n.do(t, store.RoleAuditor, "GET", "/api/v1/audit?"+q, nil), http.StatusBadRequest)
	}

	v := n.do(t, store.RoleAuditor, "GET", "/api/v1/audit/verify", nil)
	want(t, v, http.StatusOK)
	var ver map[string]any
	v.json(t, &ver)
	if ver["ok"] != true || ver["entries"].(float64) < float64(len(list.Entries)) {
		t.Errorf("verify = %s", v.body)
	}
}

func TestDirectoryAPI(t *testing.T) {
	n := MustNode(t)
	r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/regions", nil)
	want(t, r, http.StatusOK)
	var regions struct{ Regions []directory.Region }
	r.json(t, &regions)
	if len(regions.Regions) != 6 {
		t.Errorf("%d regions, want 6", len(regions.Regions))
	}

	r = n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/administrations?region=AP", nil)
	want(t, r, http.StatusOK)
	var admins struct{ Administrations []directory.Administration }
	r.json(t, &admins)
	var hk bool
	for _, a := range admins.Administrations {
		if a.Region != "AP" {
			t.Errorf("administration %s of region %s listed for AP", a.Code, a.Region)
		}
		hk = hk || a.Code == "HK"
	}
	if !hk {
		t.Error("HK missing from region AP")
	}
	all := n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/administrations", nil)
	var every struct{ Administrations []directory.Administration }
	all.json(t, &every)
	if len(every.Administrations) <= len(admins.Administrations) {
		t.Errorf("all administrations (%d) not more than AP's (%d)", len(every.Administrations), len(admins.Administrations))
	}
	bad := n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/administrations?region=MARS", nil)
	want(t, bad, http.StatusBadRequest)

	r = n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/administrations/HK", nil)
	want(t, r, http.StatusOK)
	var a struct {
		Code, Region string
		Profile      []directory.Role
		RILOs        []directory.RILO `json:"rilos"`
	}
	r.json(t, &a)
	if a.Code != "HK" || a.Region != "AP" || len(a.Profile) == 0 || len(a.RILOs) == 0 {
		t.Errorf("HK = %s", r.body)
	}
	want(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/administrations/ZZ", nil), http.StatusNotFound)

	for _, list := range []string{"countries", "hs-chapters", "categories", "units", "currencies", "transport", "detection", "concealment"} {
		t.Run(list, func(t *testing.T) {
			r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/codes/"+list, nil)
			want(t, r, http.StatusOK)
			var cl struct {
				List  string
				Codes []json.RawMessage
			}
			r.json(t, &cl)
			if cl.List != list || len(cl.Codes) == 0 {
				t.Errorf("list %q with %d codes", cl.List, len(cl.Codes))
			}
		})
	}
	want(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/codes/planets", nil), http.StatusNotFound)
}

func TestUnmatchedRoutes(t *testing.T) {
	n := MustNode(t)
	r := n.do(t, store.RoleAdmin, "GET", "/api/v1/nothing", nil)
	want(t, r, http.StatusNotFound)
	if e := r.apiError(t); e.Error.Code != "not_found" {
		t.Errorf("code %q", e.Error.Code)
	}
	r = n.do(t, store.RoleAdmin, "DELETE", "/api/v1/records", nil)
	want(t, r, http.StatusMethodNotAllowed)
	if e := r.apiError(t); e.Error.Code != "method_not_allowed" {
		t.Errorf("code %q", e.Error.Code)
	}
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow = %q", allow)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestMetrics(t *testing.T) {
	n := MustNode(t)
	rec := n.MustPost(t, canonical(t))
	want(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID, nil), http.StatusOK)
	want(t, n.do(t, "", "GET", "/api/v1/records/"+rec.ID, nil), http.StatusUnauthorized)
	r := n.do(t, "", "GET", "/metrics", nil)
	want(t, r, http.StatusOK)
	body := string(r.body)
	for _, s := range []string{
		`liaison_http_requests_total{route="GET /api/v1/records/{id}",status="200"} 1`,
		`liaison_http_requests_total{route="GET /api/v1/records/{id}",status="401"} 1`,
		`liaison_http_requests_total{route="POST /api/v1/records",status="201"} 1`,
		`liaison_http_request_duration_seconds_bucket{route="GET /api/v1/records/{id}",status="200",le="+Inf"} 1`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("metrics lack %s", s)
		}
	}
	if strings.Contains(body, rec.ID) {
		t.Error("metrics hold a record id")
	}

	// Each server has its own registry.
	other := MustNode(t)
	o := other.do(t, "", "GET", "/metrics", nil)
	if strings.Contains(string(o.body), `route="POST /api/v1/records"`) {
		t.Error("a second server shares the first one's metrics")
	}
}

func TestLogsCarryNoPersonalData(t *testing.T) {
	n := MustNode(t)
	rec := n.MustPost(t, canonical(t))
	want(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records?q=frozen", nil), http.StatusOK)
	want(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID, nil), http.StatusOK)
	logs := n.logs.String()
	if !strings.Contains(logs, "route=\"GET /api/v1/records/{id}\"") || !strings.Contains(logs, "role=analyst") ||
		!strings.Contains(logs, "status=201") {
		t.Errorf("request log lines missing: %s", logs)
	}
	for _, secret := range []string{"Chan Tai Man", "frozen", "K01234567", n.tokens[store.RoleAnalyst], "analyst-user", rec.ID} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs hold %q", secret)
		}
	}
}
