package ui_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"liaison/internal/access"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/federation"
	"liaison/internal/federation/identity"
	"liaison/internal/intel"
	"liaison/internal/match"
	"liaison/internal/matching"
	"liaison/internal/records"
	"liaison/internal/sharing"
	"liaison/internal/store"
	"liaison/internal/store/sqlite"
	"liaison/internal/web/ui"
)

// node is a node's UI served over loopback for a test, with one user per
// role.
type node struct {
	url     string
	store   store.Store
	records *records.Service
	tokens  map[string]string // role -> token
	users   map[string]store.User
}

// MustNode serves the UI of node HK over a new SQLite database with the
// seed agreements, France and Japan pinned as peers and the given matcher and
// screener (either may be nil).
func MustNode(tb testing.TB, m ui.Matcher, s ui.Screener) *node {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.OpenWith(ctx, tb.TempDir(), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	dir, err := directory.Load()
	if err != nil {
		tb.Fatalf("load directory: %v", err)
	}
	if err := db.InitNode(ctx, store.Node{Code: "HK"}, audit.Event{Actor: "system", Action: audit.ActionNodeInit, Target: "HK"}); err != nil {
		tb.Fatalf("init node: %v", err)
	}
	sh := &sharing.Service{Store: db, Directory: dir, Node: "HK"}
	if _, err := sh.Seed(ctx, "system"); err != nil {
		tb.Fatalf("seed agreements: %v", err)
	}
	key, err := identity.Generate()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := federation.CreateIdentity(ctx, db, "system", time.Now()); err != nil {
		tb.Fatalf("create identity: %v", err)
	}
	for _, code := range []string{"FR", "JP"} {
		peer := store.Peer{Code: code, URL: "http://127.0.0.1:1", PublicKey: identity.EncodePublic(key.Public),
			Fingerprint: identity.Fingerprint(key.Public), State: store.PeerActive, Added: time.Now()}
		if err := db.PutPeer(ctx, peer, audit.Event{Actor: "system", Action: "peer.pin", Target: code}); err != nil {
			tb.Fatalf("pin peer: %v", err)
		}
	}
	n := &node{store: db, tokens: map[string]string{}, users: map[string]store.User{}}
	n.records = records.New(records.Config{Node: "HK", Store: db, Codes: dir})
	fed := federation.New(federation.Config{Node: "HK", Store: db, Directory: dir, Logger: slog.New(slog.DiscardHandler)})
	h, err := ui.New(ui.Config{Node: "HK", Store: db, Records: n.records, Sharing: sh, Federation: fed, Directory: dir,
		Matcher: m, Screener: s, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("new ui: %v", err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	n.url = srv.URL
	for _, role := range access.Roles() {
		tok, err := access.GenerateToken()
		if err != nil {
			tb.Fatal(err)
		}
		u := store.User{Name: role + "-user", Role: role, TokenHash: access.HashToken(tok), Created: time.Now()}
		if err := db.CreateUser(ctx, u, audit.Event{Actor: "system", Action: audit.ActionUserCreate, Target: u.Name}); err != nil {
			tb.Fatalf("create user: %v", err)
		}
		n.tokens[role], n.users[role] = tok, u
	}
	return n
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so that tests see them.
type browser struct {
	tb     testing.TB
	c      *http.Client
	base   string
	header http.Header
}

func newBrowser(tb testing.TB, base string) *browser {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &browser{tb: tb, base: base, header: http.Header{},
		c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(method, path string, form url.Values) page {
	b.tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.tb.Fatal(err)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.tb.Fatal(err)
	}
	return page{status: resp.StatusCode, body: string(data), header: resp.Header}
}

func (b *browser) get(path string) page { b.tb.Helper(); return b.do("GET", path, nil) }

func (b *browser) post(path string, form url.Values) page {
	b.tb.Helper()
	return b.do("POST", path, form)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the CSRF token of the first form of a page.
func csrfOf(tb testing.TB, p page) string {
	tb.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		tb.Fatalf("no csrf field in page:\n%s", p.body)
	}
	return m[1]
}

// MustLogin signs a new browser in as the user of role.
func MustLogin(tb testing.TB, n *node, role string) *browser {
	tb.Helper()
	b := newBrowser(tb, n.url)
	form := b.get("/ui/login")
	p := b.post("/ui/login", url.Values{"csrf": {csrfOf(tb, form)}, "token": {n.tokens[role]}, "next": {"/ui/"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/" {
		tb.Fatalf("login as %s: %d %v\n%s", role, p.status, p.header, p.body)
	}
	return b
}

// MustCreate stores a record through the records service.
func MustCreate(tb testing.TB, n *node, r *intel.Record) *intel.Record {
	tb.Helper()
	stored, _, err := n.records.Create(context.Background(), "system", r)
	if err != nil {
		tb.Fatalf("create %s record: %v", r.Kind, err)
	}
	return stored
}

func common(kind intel.Kind) intel.Record {
	return intel.Record{Kind: kind, Grading: intel.Grading{Source: "B", Information: "2"},
		Handling:     intel.Handling{Code: "H0"},
		Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}}}
}

func seizure() *intel.Record {
	r := common(intel.KindSeizure)
	r.Seizure = &intel.Seizure{Date: "2026-10-14", Place: intel.Place{Country: "HK", Locode: "HKHKG"},
		Direction: "import", Detection: "x-ray", Transport: "sea",
		Conveyance: &intel.Conveyance{VesselIMO: "9074729"}, Containers: []string{"CSQU3054383"},
		Route: []intel.RouteLeg{{Role: "departure", Country: "VN", Locode: "VNSGN"}, {Role: "destination", Country: "HK", Locode: "HKHKG"}},
		Goods: []intel.Goods{{Category: "revenue/cigarettes", Description: "cigarettes, assorted brands", HS: "240220",
			Quantity: 8000000, Unit: "piece", Value: &intel.Money{Amount: 2400000, Currency: "HKD"}}},
		Concealment: "mixed-with-legitimate-cargo",
		Parties: []intel.Party{
			{Type: "person", Role: "consignee", Name: "Chan Tai Man", BirthDate: "1975-03-02", Nationality: "HK",
				Document: &intel.Document{Type: "passport", Number: "K01234567", Country: "HK"}},
			{Type: "organisation", Role: "consignor", Name: "Golden Harvest Trading Co., Ltd.", Country: "VN", Registration: "0312345678"}},
		Narrative: "Declared as frozen fish; cigarettes found behind the first row of cartons."}
	return &r
}

// everyKind stores one record of each kind and returns them by kind with
// a value each page must show.
func everyKind(tb testing.TB, n *node) map[intel.Kind]struct {
	id   string
	want []string
} {
	tb.Helper()
	s := MustCreate(tb, n, seizure())
	w := common(intel.KindWarning)
	w.Warning = &intel.Warning{Subject: "Courier expected from Bangkok with methamphetamine", SuggestedAction: "discreet-surveillance",
		ExpectedFrom: "2026-12-01", ExpectedTo: "2026-12-05", Category: "drugs/methamphetamine", Transport: "air",
		Conveyance: &intel.Conveyance{Flight: "TG600"}, Indicators: []string{"one-way ticket bought in cash"},
		Targets: []intel.Party{{Type: "person", Role: "courier", Name: "Somchai Jaidee", Nationality: "TH"}}}
	wr := MustCreate(tb, n, &w)
	f := common(intel.KindFeedback)
	f.Feedback = &intel.Feedback{Warning: wr.ID, Controlled: true, Result: "seizure", Seizure: s.ID, Date: "2026-10-14",
		Narrative: "Courier stopped at the airport."}
	fr := MustCreate(tb, n, &f)
	q := common(intel.KindRequest)
	q.Request = &intel.Request{Requesting: "HK", Requested: "JP", Subject: "Ownership of Golden Harvest Trading",
		Questions: []string{"Who are the directors of the company?"}, Urgency: "urgent", Deadline: "2026-12-31", State: "sent",
		Facts: "The company consigned cigarettes declared as fish."}
	qr := MustCreate(tb, n, &q)
	p := common(intel.KindResponse)
	p.Response = &intel.Response{Request: qr.ID, Outcome: "partial", Answers: []string{"Two directors are on record."},
		Reason: "Bank records need a court order."}
	pr := MustCreate(tb, n, &p)
	a := common(intel.KindAlert)
	a.Alert = &intel.Alert{Subject: "Cigarettes hidden in frozen fish", Category: "revenue/cigarettes",
		Summary: "Reefer containers from Viet Nam declared as fish", ModusOp: "Cartons behind the first row",
		Indicators: []string{"new consignee"}, ValidUntil: "2027-06-30"}
	ar := MustCreate(tb, n, &a)
	type entry = struct {
		id   string
		want []string
	}
	return map[intel.Kind]entry{
		intel.KindSeizure:  {s.ID, []string{"Chan Tai Man", "CSQU3054383", "Golden Harvest Trading Co., Ltd.", "HKHKG", "frozen fish"}},
		intel.KindWarning:  {wr.ID, []string{"Courier expected from Bangkok", "TG600", "Somchai Jaidee", "one-way ticket bought in cash"}},
		intel.KindFeedback: {fr.ID, []string{wr.ID, s.ID, "Courier stopped at the airport."}},
		intel.KindRequest:  {qr.ID, []string{"Ownership of Golden Harvest Trading", "Who are the directors of the company?", "declared as fish"}},
		intel.KindResponse: {pr.ID, []string{qr.ID, "Two directors are on record.", "Bank records need a court order."}},
		intel.KindAlert:    {ar.ID, []string{"Cigarettes hidden in frozen fish", "Cartons behind the first row", "new consignee"}},
	}
}

// noMissing fails when a page shows a message key the catalogue lacks.
func noMissing(tb testing.TB, what string, p page) {
	tb.Helper()
	if i := strings.Index(p.body, "⟦"); i >= 0 {
		tb.Errorf("%s shows a missing message: %s", what, p.body[i:min(len(p.body), i+60)])
	}
}

func TestRootRedirectsAndLoginRequired(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := newBrowser(t, n.url)
	tests := []struct {
		path, location string
	}{
		{"/", "/ui/"},
		{"/ui/", "/ui/login?next=%2Fui%2F"},
		{"/ui/records?q=fish", "/ui/login?next=%2Fui%2Frecords%3Fq%3Dfish"},
		{"/ui/audit", "/ui/login?next=%2Fui%2Faudit"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := b.get(tt.path)
			if p.status != http.StatusSeeOther || p.header.Get("Location") != tt.location {
				t.Fatalf("GET %s: %d to %q, want 303 to %q", tt.path, p.status, p.header.Get("Location"), tt.location)
			}
		})
	}
}

func TestLoginSessionLogout(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := newBrowser(t, n.url)
	form := b.get("/ui/login")
	if form.status != 200 || !strings.Contains(form.body, `name="token"`) {
		t.Fatalf("login form: %d\n%s", form.status, form.body)
	}
	p := b.post("/ui/login", url.Values{"csrf": {csrfOf(t, form)}, "token": {n.tokens[store.RoleAnalyst]},
		"next": {"/ui/records?kind=alert"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/records?kind=alert" {
		t.Fatalf("login: %d to %q", p.status, p.header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "liaison_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP", session)
	}
	if strings.Contains(session.Value, n.tokens[store.RoleAnalyst]) || strings.Contains(session.Value, n.users[store.RoleAnalyst].TokenHash) {
		t.Fatal("session cookie carries the token or its hash")
	}
	dash := b.get("/ui/")
	if dash.status != 200 || !strings.Contains(dash.body, "analyst-user") {
		t.Fatalf("dashboard after login: %d", dash.status)
	}
	out := b.post("/ui/logout", url.Values{"csrf": {csrfOf(t, dash)}})
	if out.status != http.StatusSeeOther || !strings.HasPrefix(out.header.Get("Location"), "/ui/login") {
		t.Fatalf("logout: %d to %q", out.status, out.header.Get("Location"))
	}
	// The session is gone on the server: replaying the old cookie fails.
	replay := newBrowser(t, n.url)
	replay.header.Set("Cookie", "liaison_session="+session.Value)
	if p := replay.get("/ui/"); p.status != http.StatusSeeOther {
		t.Fatalf("old session after logout: %d, want a redirect to the login page", p.status)
	}
}

func TestFailedLoginIsAudited(t *testing.T) {
	n := MustNode(t, nil, nil)
	tests := []struct {
		name, token, reason string
	}{
		{"unknown", "lia_notatokenatall", "unknown token"},
		{"empty", "", "missing token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, n.url)
			p := b.post("/ui/login", url.Values{"csrf": {csrfOf(t, b.get("/ui/login"))}, "token": {tt.token}})
			if p.status != http.StatusUnauthorized || !strings.Contains(p.body, `id="login-error"`) {
				t.Fatalf("bad login: %d, want 401 with the error shown", p.status)
			}
			es, err := n.store.AuditEntries(context.Background(), store.AuditQuery{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			last := es[len(es)-1]
			if last.Action != audit.ActionAuthFailed || last.Actor != "anonymous" || !strings.HasSuffix(last.Detail, "ui login: "+tt.reason) {
				t.Fatalf("last audit entry %+v, want auth.failed for %q", last, tt.reason)
			}
			if tt.token != "" && strings.Contains(last.Detail, tt.token) {
				t.Fatal("the audit entry carries the token")
			}
		})
	}
}

func TestCSRFRefused(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	admin := MustLogin(t, n, store.RoleAdmin)
	real := csrfOf(t, admin.get("/ui/"))
	tests := []struct {
		name, path string
		form       url.Values
	}{
		{"logout without token", "/ui/logout", url.Values{}},
		{"logout with another token", "/ui/logout", url.Values{"csrf": {real + "x"}}},
		{"retract without token", "/ui/records/" + rec.ID + "/retract", url.Values{"reason": {"test"}}},
		{"share with a wrong token", "/ui/records/" + rec.ID + "/share", url.Values{"csrf": {"wrong"}, "recipient": {"JP"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := admin.post(tt.path, tt.form)
			if p.status != http.StatusForbidden {
				t.Fatalf("POST %s: %d, want 403", tt.path, p.status)
			}
		})
	}
	got, err := n.store.GetRecord(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != intel.StatusActive {
		t.Fatal("a POST without a valid CSRF token retracted the record")
	}
	if ds, _ := n.store.Deliveries(context.Background(), rec.ID); len(ds) != 0 {
		t.Fatal("a POST without a valid CSRF token queued a delivery")
	}
	if p := admin.get("/ui/"); p.status != 200 {
		t.Fatalf("session ended by a refused logout: %d", p.status)
	}
	// The login form needs its own token too.
	anon := newBrowser(t, n.url)
	if p := anon.post("/ui/login", url.Values{"token": {n.tokens[store.RoleAdmin]}}); p.status != http.StatusForbidden {
		t.Fatalf("login without csrf: %d, want 403", p.status)
	}
}

func TestPermissions(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	tests := []struct {
		role, method, path string
		want               int
	}{
		{store.RoleAdmin, "GET", "/ui/audit", 200},
		{store.RoleAuditor, "GET", "/ui/audit", 200},
		{store.RoleAnalyst, "GET", "/ui/audit", 403},
		{store.RoleLiaison, "GET", "/ui/audit", 403},
		{store.RoleAuditor, "GET", "/ui/records/" + rec.ID, 200},
		{store.RoleAnalyst, "GET", "/ui/agreements", 200},
		{store.RoleAuditor, "GET", "/ui/directory/HK", 200},
		{store.RoleAnalyst, "POST", "/ui/records/" + rec.ID + "/share", 403},
		{store.RoleAuditor, "POST", "/ui/records/" + rec.ID + "/retract", 403},
		{store.RoleLiaison, "POST", "/ui/records/" + rec.ID + "/share", 200},
	}
	for _, tt := range tests {
		t.Run(tt.role+" "+tt.method+" "+tt.path, func(t *testing.T) {
			b := MustLogin(t, n, tt.role)
			var p page
			if tt.method == "POST" {
				p = b.post(tt.path, url.Values{"csrf": {csrfOf(t, b.get("/ui/"))}, "recipient": {"JP"}, "reason": {"test"}})
			} else {
				p = b.get(tt.path)
			}
			if p.status != tt.want {
				t.Fatalf("%s as %s: %d, want %d\n%s", tt.path, tt.role, p.status, tt.want, p.body)
			}
			dash := b.get("/ui/")
			hasAudit := strings.Contains(dash.body, `href="/ui/audit"`)
			if hasAudit != access.Allowed(tt.role, access.PermAuditRead) {
				t.Fatalf("nav bar of %s links the audit log: %v", tt.role, hasAudit)
			}
		})
	}
}

func TestShareShowsDecisionAndQueues(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	b := MustLogin(t, n, store.RoleLiaison)
	page := b.get("/ui/records/" + rec.ID)
	if !strings.Contains(page.body, `name="recipient" value="JP"`) {
		t.Fatalf("record page offers no share to JP:\n%s", page.body)
	}
	// The record is distributed to Japan only: France is refused, with the
	// rule that fails shown, and not offered.
	fr := regexp.MustCompile(`(?s)<tr>\s*<td>[^<]*<span class="mono">FR</span></td>.*?</tr>`).FindString(page.body)
	if !strings.Contains(fr, "badge bad") || !strings.Contains(fr, `<li class="failed">`) {
		t.Fatalf("France's decision row does not show the refusal and its reason:\n%s", fr)
	}
	if strings.Contains(page.body, `name="recipient" value="FR"`) {
		t.Fatal("record page offers to send to France, which the decision refuses")
	}
	p := b.post("/ui/records/"+rec.ID+"/share", url.Values{"csrf": {csrfOf(t, page)}, "recipient": {"JP"}})
	if p.status != 200 || !strings.Contains(p.body, "allowed") {
		t.Fatalf("share: %d\n%s", p.status, p.body)
	}
	ds, err := n.store.Deliveries(context.Background(), rec.ID)
	if err != nil || len(ds) != 1 || ds[0].Peer != "JP" {
		t.Fatalf("deliveries after share: %v %v", ds, err)
	}
	again := b.get("/ui/records/" + rec.ID)
	if !strings.Contains(again.body, `class="state queued"`) {
		t.Fatal("record page does not show the queued delivery")
	}
}

func TestLanguageSelection(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	tests := []struct {
		name, accept, query, cookie string
		want                        []string
	}{
		{"default english", "", "", "", []string{`lang="en"`, "Date of seizure", "14 Oct 2026", "8,000,000", "B2 — usually reliable / probably true"}},
		{"accept french", "fr-CH, fr;q=0.9, en;q=0.5", "", "", []string{`lang="fr"`, "Date de la saisie", "14 oct. 2026", "B2 — généralement fiable / probablement exacte", "Recettes / Cigarettes"}},
		{"accept taiwan chinese", "zh-TW,zh;q=0.9", "", "", []string{`lang="zh-Hant"`, "檢獲日期", "2026年10月14日", "8,000,000", "B2 — 通常可靠 / 很可能屬實", "稅收 / 香煙"}},
		{"unsupported falls back to english", "de-DE", "", "", []string{`lang="en"`, "Date of seizure"}},
		{"query beats accept-language", "fr", "?lang=zh-Hant", "", []string{`lang="zh-Hant"`, "處理代碼"}},
		{"cookie beats accept-language", "zh-TW", "", "fr", []string{`lang="fr"`, "Code de traitement"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := MustLogin(t, n, store.RoleAnalyst)
			if tt.accept != "" {
				b.header.Set("Accept-Language", tt.accept)
			}
			if tt.cookie != "" {
				u, _ := url.Parse(n.url)
				b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "liaison_lang", Value: tt.cookie, Path: "/"}})
			}
			p := b.get("/ui/records/" + rec.ID + tt.query)
			if p.status != 200 {
				t.Fatalf("record page: %d", p.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(p.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			noMissing(t, tt.name, p)
		})
	}
	t.Run("french digit grouping", func(t *testing.T) {
		b := MustLogin(t, n, store.RoleAnalyst)
		p := b.get("/ui/records/" + rec.ID + "?lang=fr")
		if !regexp.MustCompile(`8[\x{00a0}\x{202f} ]000[\x{00a0}\x{202f} ]000`).MatchString(p.body) {
			t.Fatal("French page does not group 8000000 as 8 000 000")
		}
	})
	t.Run("query is remembered", func(t *testing.T) {
		b := MustLogin(t, n, store.RoleAnalyst)
		b.get("/ui/?lang=fr")
		if p := b.get("/ui/records"); !strings.Contains(p.body, `lang="fr"`) {
			t.Fatal("the language chosen with ?lang= is not kept")
		}
	})
}

func TestEveryKindRenders(t *testing.T) {
	n := MustNode(t, nil, nil)
	recs := everyKind(t, n)
	b := MustLogin(t, n, store.RoleAnalyst)
	for _, kind := range intel.Kinds {
		for _, lang := range []string{"en", "fr", "zh-Hant"} {
			t.Run(string(kind)+"/"+lang, func(t *testing.T) {
				r := recs[kind]
				p := b.get("/ui/records/" + r.id + "?lang=" + lang)
				if p.status != 200 {
					t.Fatalf("record page: %d\n%s", p.status, p.body)
				}
				if !strings.Contains(p.body, `id="`+string(kind)+`"`) {
					t.Errorf("no %s section", kind)
				}
				for _, w := range append(r.want, "B2", "H0") {
					if !strings.Contains(p.body, w) {
						t.Errorf("page lacks %q", w)
					}
				}
				noMissing(t, string(kind), p)
			})
		}
	}
	// The record read is audited as an API read is.
	es, err := n.store.AuditEntries(context.Background(), store.AuditQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, e := range es {
		if e.Action == audit.ActionRecordRead && e.Actor == "analyst-user" && e.Target == recs[intel.KindAlert].id {
			reads++
		}
	}
	if reads == 0 {
		t.Fatal("reading a record in the UI is not audited")
	}
}

func TestPagesRender(t *testing.T) {
	n := MustNode(t, nil, nil)
	recs := everyKind(t, n)
	b := MustLogin(t, n, store.RoleAdmin)
	tests := []struct {
		path string
		want []string
	}{
		{"/ui/", []string{"<svg", "Seizures per month by category", recs[intel.KindAlert].id, `href="/ui/deliveries?state=dead"`}},
		{"/ui/records?q=cigarettes", []string{recs[intel.KindSeizure].id, recs[intel.KindAlert].id}},
		{"/ui/records?kind=warning", []string{recs[intel.KindWarning].id}},
		{"/ui/records?category=drugs", []string{recs[intel.KindWarning].id}},
		{"/ui/deliveries", []string{"No deliveries."}},
		{"/ui/directory", []string{`href="/ui/directory/JP"`}},
		{"/ui/directory/HK", []string{"Agreements of this node", "hk-jp-arrangement"}},
		{"/ui/directory/JP", []string{"Agreements with HK", "hk-jp-arrangement"}},
		{"/ui/directory/RILO-AP", []string{"Hosts"}},
		{"/ui/agreements", []string{"hk-jp-arrangement"}},
		{"/ui/agreements/hk-jp-arrangement", []string{"Onward transmission"}},
		{"/ui/audit", []string{`id="chain"`, "Audit chain verified", "record.create"}},
		{"/ui/screen", []string{`id="screening-off"`}},
	}
	for _, tt := range tests {
		for _, lang := range []string{"en", "fr", "zh-Hant"} {
			t.Run(tt.path+"/"+lang, func(t *testing.T) {
				sep := "?"
				if strings.Contains(tt.path, "?") {
					sep = "&"
				}
				p := b.get(tt.path + sep + "lang=" + lang)
				if p.status != 200 {
					t.Fatalf("%s: %d\n%s", tt.path, p.status, p.body)
				}
				noMissing(t, tt.path, p)
				if lang != "en" {
					return
				}
				for _, w := range tt.want {
					if !strings.Contains(p.body, w) {
						t.Errorf("%s lacks %q", tt.path, w)
					}
				}
			})
		}
	}
	t.Run("records are paged", func(t *testing.T) {
		for range 60 {
			MustCreate(t, n, seizure())
		}
		p := b.get("/ui/records?kind=seizure")
		m := regexp.MustCompile(`href="(/ui/records\?[^"]*cursor=[^"]+)" id="next"`).FindStringSubmatch(p.body)
		if m == nil {
			t.Fatal("first page of 61 seizures has no next-page link")
		}
		next := b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
		if next.status != 200 || strings.Count(next.body, `<tr>`) < 2 {
			t.Fatalf("second page: %d", next.status)
		}
		if strings.Contains(next.body, `id="next"`) {
			t.Fatal("second page of 61 seizures links a third")
		}
	})
	t.Run("audit log pages", func(t *testing.T) {
		evs := make([]audit.Event, 150)
		for i := range evs {
			evs[i] = audit.Event{Actor: "system", Action: "test.event", Target: "t"}
		}
		written, err := n.store.Audit(context.Background(), evs...)
		if err != nil {
			t.Fatal(err)
		}
		first := b.get("/ui/audit")
		m := regexp.MustCompile(`href="(/ui/audit\?after=\d+)" id="latest"`).FindStringSubmatch(first.body)
		if m == nil {
			t.Fatal("audit log of more than a page links no latest page")
		}
		latest := b.get(m[1])
		last := written[len(written)-1].Seq
		if !strings.Contains(latest.body, fmt.Sprintf(`<td class="num">%d</td>`, last)) || strings.Contains(latest.body, `id="latest"`) ||
			strings.Contains(latest.body, `id="next"`) {
			t.Fatalf("latest audit page does not end with entry %d", last)
		}
		if strings.Contains(first.body, fmt.Sprintf(`<td class="num">%d</td>`, last)) {
			t.Fatalf("first audit page shows entry %d", last)
		}
	})
	t.Run("unknown record", func(t *testing.T) {
		if p := b.get("/ui/records/01ARZ3NDEKTSV4RRFFQ69G5FAV"); p.status != 404 {
			t.Fatalf("unknown record: %d, want 404", p.status)
		}
	})
	t.Run("invalid filter names the field", func(t *testing.T) {
		p := b.get("/ui/records?from=yesterday")
		if p.status != 400 || !strings.Contains(p.body, "from") {
			t.Fatalf("bad date filter: %d", p.status)
		}
	})
}

func TestOperationRecordHidden(t *testing.T) {
	n := MustNode(t, nil, nil)
	r := seizure()
	r.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "op-tiger"}
	rec := MustCreate(t, n, r)
	analyst := MustLogin(t, n, store.RoleAnalyst)
	if p := analyst.get("/ui/records/" + rec.ID); p.status != 404 {
		t.Fatalf("analyst outside the operation opens its record: %d", p.status)
	}
	if p := analyst.get("/ui/records"); strings.Contains(p.body, rec.ID) {
		t.Fatal("analyst outside the operation sees its record listed")
	}
	if p := MustLogin(t, n, store.RoleAuditor).get("/ui/records/" + rec.ID); p.status != 200 {
		t.Fatalf("auditor: %d", p.status)
	}
}

// fakeMatcher answers fixed links and results and remembers who asked.
type fakeMatcher struct {
	links   []match.Link
	results []match.Result
	asked   []string
}

func (f *fakeMatcher) RecordMatches(_ context.Context, u store.User, id string) ([]match.Link, error) {
	f.asked = append(f.asked, u.Name+" "+id)
	return f.links, nil
}

func (f *fakeMatcher) Search(_ context.Context, u store.User, q match.Query) ([]match.Result, error) {
	f.asked = append(f.asked, u.Name+" "+q.Name)
	return f.results, nil
}

// lateMatcher hands the record page's questions to a matching service
// made once the node's store exists.
type lateMatcher struct{ svc *matching.Service }

func (m *lateMatcher) RecordMatches(ctx context.Context, u store.User, id string) ([]match.Link, error) {
	return m.svc.RecordMatches(ctx, u, id)
}

func (m *lateMatcher) RecordMatchesPending(ctx context.Context, u store.User, id string) ([]match.Link, bool, error) {
	return m.svc.RecordMatchesPending(ctx, u, id)
}

// TestMatchesPending checks that the record page says a record's matches
// are still being worked out, rather than that it has none, until its
// latest version is matched.
func TestMatchesPending(t *testing.T) {
	lm := &lateMatcher{}
	n := MustNode(t, lm, nil)
	svc, err := matching.New(matching.Config{Store: n.store, Logger: slog.New(slog.DiscardHandler), CatchUp: -1})
	if err != nil {
		t.Fatal(err)
	}
	lm.svc = svc
	rec := MustCreate(t, n, seizure())
	b := MustLogin(t, n, store.RoleAnalyst)
	p := b.get("/ui/records/" + rec.ID + "?lang=en")
	if p.status != 200 || !strings.Contains(p.body, `id="matches-pending"`) || strings.Contains(p.body, "No other record shares") {
		t.Fatalf("record page of a record not matched yet: %d, want the pending notice and no \"no match\"", p.status)
	}
	if err := svc.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	p = b.get("/ui/records/" + rec.ID + "?lang=en")
	if strings.Contains(p.body, `id="matches-pending"`) || !strings.Contains(p.body, "No other record shares") {
		t.Fatalf("record page once matched: still pending, or without \"no match\"")
	}
}

func TestMatches(t *testing.T) {
	t.Run("without a matcher", func(t *testing.T) {
		n := MustNode(t, nil, nil)
		rec := MustCreate(t, n, seizure())
		p := MustLogin(t, n, store.RoleAnalyst).get("/ui/records/" + rec.ID)
		if p.status != 200 || !strings.Contains(p.body, `id="matching-off"`) {
			t.Fatalf("record page without matcher: %d, want matching shown as unavailable", p.status)
		}
	})
	t.Run("links to matched records", func(t *testing.T) {
		f := &fakeMatcher{}
		n := MustNode(t, f, f)
		rec := MustCreate(t, n, seizure())
		other := MustCreate(t, n, seizure())
		f.links = []match.Link{{Record: other.ID, Score: 0.93,
			Entity:  &match.Entity{Type: match.Person, Name: "Chan Tai Man"},
			Matched: &match.Entity{Type: match.Person, Name: "陳大文"}, Reasons: []string{"same birth date 1975-03-02"}}}
		f.results = []match.Result{{Record: other.ID, Score: 0.88, Entity: match.Entity{Type: match.Person, Name: "陳大文"},
			Reasons: []string{"name transliterated from Han characters"}}}
		b := MustLogin(t, n, store.RoleAnalyst)
		p := b.get("/ui/records/" + rec.ID)
		for _, w := range []string{`href="/ui/records/` + other.ID + `"`, "93%", "陳大文", "same birth date 1975-03-02"} {
			if !strings.Contains(p.body, w) {
				t.Errorf("record page lacks %q", w)
			}
		}
		s := b.get("/ui/screen?name=Chan+Tai+Man&type=person")
		for _, w := range []string{`href="/ui/records/` + other.ID + `"`, "88%", "name transliterated from Han characters"} {
			if !strings.Contains(s.body, w) {
				t.Errorf("screening page lacks %q", w)
			}
		}
		if len(f.asked) != 2 || f.asked[0] != "analyst-user "+rec.ID || f.asked[1] != "analyst-user Chan Tai Man" {
			t.Fatalf("matcher asked %v, want the signed-in user's questions", f.asked)
		}
		f.results = nil
		if e := b.get("/ui/screen?name=Nobody"); !strings.Contains(e.body, `id="no-match"`) {
			t.Fatal("screening without results does not say there is no match")
		}
	})
}

// TestScreenWhileIndexBuilding checks the screening page of a node whose
// match index is still being built: it answers 503 with a Retry-After,
// keeps the form and says, in the user's language, that screening is
// possible once the index is built; once built, it screens.
func TestScreenWhileIndexBuilding(t *testing.T) {
	svc := mustMatching(t)
	n := MustNode(t, nil, svc)
	b := MustLogin(t, n, store.RoleAnalyst)
	for lang, w := range map[string]string{"en": "still being built", "fr": "en cours de construction", "zh-Hant": "建立配對索引"} {
		p := b.get("/ui/screen?name=Chan+Tai+Man&lang=" + lang)
		if p.status != http.StatusServiceUnavailable || p.header.Get("Retry-After") == "" {
			t.Errorf("%s: screening while building: %d, Retry-After %q", lang, p.status, p.header.Get("Retry-After"))
		}
		if !strings.Contains(p.body, `id="index-building"`) || !strings.Contains(p.body, w) || !strings.Contains(p.body, `id="screen"`) {
			t.Errorf("%s: screening page while building lacks the notice %q or the form", lang, w)
		}
	}
	if err := svc.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := b.get("/ui/screen?name=Chan+Tai+Man&lang=en")
	if p.status != http.StatusOK || strings.Contains(p.body, `id="index-building"`) || !strings.Contains(p.body, `id="no-match"`) {
		t.Errorf("screening once built: %d", p.status)
	}
}

func TestStaticAndHeaders(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := newBrowser(t, n.url)
	css := b.get("/ui/static/liaison.css")
	if css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %s", css.status, css.header.Get("Content-Type"))
	}
	login := b.get("/ui/login")
	if csp := login.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Fatalf("login CSP %q: want no script allowed", csp)
	}
	if login.header.Get("X-Frame-Options") != "DENY" {
		t.Fatal("pages may be framed")
	}
}

// BenchmarkRecordPage measures rendering the record page of a seizure (a
// read through the records service, its history, deliveries and one
// sharing decision per pinned peer) over loopback HTTP.
func BenchmarkRecordPage(b *testing.B) {
	n := MustNode(b, nil, nil)
	rec := MustCreate(b, n, seizure())
	br := MustLogin(b, n, store.RoleAnalyst)
	for b.Loop() {
		if p := br.get("/ui/records/" + rec.ID); p.status != 200 {
			b.Fatalf("record page: %d", p.status)
		}
	}
}

// BenchmarkDashboard measures the dashboard over 1,000 records.
func BenchmarkDashboard(b *testing.B) {
	n := MustNode(b, nil, nil)
	for range 1000 {
		MustCreate(b, n, seizure())
	}
	br := MustLogin(b, n, store.RoleAnalyst)
	for b.Loop() {
		if p := br.get("/ui/"); p.status != 200 {
			b.Fatalf("dashboard: %d", p.status)
		}
	}
}

// TestScreenRefusesWhatCannotMatch checks that screening a value the
// index cannot read (a container number with a wrong check digit, a name
// of punctuation only) says what is wrong with it rather than "no match".
func TestScreenRefusesWhatCannotMatch(t *testing.T) {
	n := MustNode(t, nil, mustBuiltMatching(t))
	b := MustLogin(t, n, store.RoleAnalyst)
	for q, w := range map[string]string{
		"name=CSQU3054384&type=container": "check digit",
		"name=%21%21%21":                  "no letters or digits",
		"name=%FF%FE":                     "UTF-8",
		"name=Chan+Tai+Man&country=ZZ":    "ISO 3166",
	} {
		p := b.get("/ui/screen?lang=en&" + q)
		if p.status != http.StatusBadRequest || strings.Contains(p.body, `id="no-match"`) || !strings.Contains(p.body, w) {
			t.Errorf("screening %s: %d, want 400 saying %q", q, p.status, w)
		}
	}
}

// TestSearchFormsShowProblemsNextToInputs checks that a search the records
// or screening page cannot run comes back as the page with its filters
// kept and the problem next to the input, in the page's language, rather
// than as an error page.
func TestSearchFormsShowProblemsNextToInputs(t *testing.T) {
	n := MustNode(t, nil, mustBuiltMatching(t))
	b := MustLogin(t, n, store.RoleAnalyst)
	tests := []struct {
		path, lang, input, message, kept string
	}{
		{"/ui/records?kind=bogus&q=squid", "fr", "kind", `"bogus" n'est pas un type de fiche`, `value="squid"`},
		{"/ui/records?category=nope", "zh-Hant", "category", `"nope" 不是貨物類別`, `aria-describedby="category-error"`},
		{"/ui/records?from=2026-02-31", "en", "from", `"2026-02-31" is not a date`, `value="2026-02-31"`},
		{"/ui/records?from=2026-03-01&to=2026-02-01", "fr", "to", "la date de fin précède la date de début", `value="2026-03-01"`},
		{"/ui/records?q=%FF%FE", "en", "q", "not valid UTF-8", `id="q"`},
		{"/ui/records?q=squid&cursor=garbage", "zh-Hant", "", "此頁面連結無效", `value="squid"`},
		{"/ui/screen?name=Chan&type=alien", "fr", "type", `"alien" n'est pas un type d'entité`, `value="Chan"`},
		{"/ui/screen?name=Chan&birth_date=1990-02-31", "zh-Hant", "birth_date", `"1990-02-31" 不是日期`, `value="Chan"`},
		{"/ui/screen?name=Chan&country=ZZZ", "fr", "country", `"ZZZ" n'est pas un code pays ISO 3166`, `value="Chan"`},
		{"/ui/screen?name=%FF%FE", "zh-Hant", "name", "不是有效的 UTF-8", `id="name"`},
		{"/ui/screen?name=%21%21%21&country=HK", "en", "name", "no letters or digits", `value="HK"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := b.get(tt.path + "&lang=" + tt.lang)
			if p.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400\n%s", p.status, p.body)
			}
			if strings.Contains(p.body, "error-page") || !strings.Contains(p.body, `id="form-errors"`) {
				t.Fatalf("an error page instead of the form with the problem:\n%s", p.body)
			}
			got := html.UnescapeString(p.body)
			if tt.input != "" {
				got = fieldError(p, tt.input)
			}
			if !strings.Contains(got, tt.message) {
				t.Errorf("error next to %q is %q, want it to contain %q", tt.input, got, tt.message)
			}
			if !strings.Contains(p.body, tt.kept) {
				t.Errorf("the form shown again lost %s", tt.kept)
			}
			noMissing(t, tt.path, p)
		})
	}
}

// mustMatching returns a matching service over a new empty store, its
// index not built.
func mustMatching(t *testing.T) *matching.Service {
	t.Helper()
	db, err := sqlite.OpenWith(context.Background(), t.TempDir(), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := matching.New(matching.Config{Store: db, Logger: slog.New(slog.DiscardHandler), CatchUp: -1})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// mustBuiltMatching is mustMatching with the index built.
func mustBuiltMatching(t *testing.T) *matching.Service {
	t.Helper()
	svc := mustMatching(t)
	if err := svc.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestShareRefusedBesideTheBoxes checks that a share form the service
// refuses (no recipient, a code that is no administration) comes back as
// the record's page with the problem beside the recipients, in the page's
// language, and queues nothing.
func TestShareRefusedBesideTheBoxes(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	b := MustLogin(t, n, store.RoleLiaison)
	for _, tc := range []struct {
		lang       string
		recipients []string
		want       string
	}{
		{"en", nil, "name at least one recipient"},
		{"fr", nil, "nommez au moins un destinataire"},
		{"zh-Hant", []string{"ZZ"}, `"ZZ" 不是名錄中的海關或區域情報聯絡中心`},
	} {
		page := b.get("/ui/records/" + rec.ID + "?lang=" + tc.lang)
		p := b.post("/ui/records/"+rec.ID+"/share", url.Values{"csrf": {csrfOf(t, page)}, "recipient": tc.recipients})
		m := regexp.MustCompile(`id="share-recipients-error"[^>]*>([^<]*)<`).FindStringSubmatch(p.body)
		if p.status != http.StatusBadRequest || m == nil || !strings.Contains(html.UnescapeString(m[1]), tc.want) {
			t.Errorf("%s, recipients %v: %d, beside the boxes %v; want 400 and %q", tc.lang, tc.recipients, p.status, m, tc.want)
		}
		if !strings.Contains(p.body, `name="recipient" value="JP"`) {
			t.Errorf("%s: the page sent back has no share form", tc.lang)
		}
	}
	if ds, err := n.store.Deliveries(context.Background(), rec.ID); err != nil || len(ds) != 0 {
		t.Errorf("deliveries after refused shares: %v %v", ds, err)
	}
}
