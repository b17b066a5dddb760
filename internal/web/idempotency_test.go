package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/records"
	"liaison/internal/store"
	"liaison/internal/store/pgtest"
	"liaison/internal/store/postgres"
	"liaison/internal/store/sqlite"
	"liaison/internal/store/storetest"
	"liaison/internal/web"
)

// backend opens a new, empty store of one kind for a test; url is the
// database the store is in, for a second server on the same database, ""
// when there cannot be one.
type backend struct {
	name string
	open func(tb testing.TB) (db store.Store, url string)
}

// backends are SQLite, and PostgreSQL when LIAISON_TEST_POSTGRES is set.
func backends() []backend {
	bs := []backend{{"sqlite", func(tb testing.TB) (store.Store, string) {
		db, err := sqlite.OpenWith(context.Background(), tb.TempDir(), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			tb.Fatalf("open store: %v", err)
		}
		return db, ""
	}}}
	if pgtest.Available() {
		bs = append(bs, backend{"postgres", func(tb testing.TB) (store.Store, string) {
			url := pgtest.MustSchema(tb)
			return mustPostgres(tb, url), url
		}})
	}
	return bs
}

// mustPostgres opens the PostgreSQL database at url; the caller closes it.
func mustPostgres(tb testing.TB, url string) store.Store {
	tb.Helper()
	db, err := postgres.OpenWith(context.Background(), url, postgres.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	return db
}

// mustReplica serves n's node a second time, from a store of its own on
// the database at url, as a second `liaison serve` on one PostgreSQL does.
func mustReplica(tb testing.TB, n *node, url string) *node {
	tb.Helper()
	db := mustPostgres(tb, url)
	dir := MustDirectory(tb)
	r := &node{store: db, tokens: n.tokens, logs: &syncBuffer{}}
	r.records = records.New(records.Config{Node: "HK", Store: db, Codes: dir})
	r.server = web.New(web.Config{Node: "HK", Store: db, Records: r.records, Directory: dir,
		Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(r.server)
	tb.Cleanup(func() {
		srv.Close()
		db.Close()
	})
	r.url = srv.URL
	return r
}

// postKeyed posts body to path as the user of role, with the
// Idempotency-Key headers keys (none when empty).
func (n *node) postKeyed(tb testing.TB, role, path string, body []byte, keys ...string) response {
	tb.Helper()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+n.tokens[role])
	if len(keys) > 0 {
		h["Idempotency-Key"] = keys
	}
	return n.doHeader(tb, h, "POST", path, body)
}

func recordID(tb testing.TB, r response) string {
	tb.Helper()
	var rec struct{ ID string }
	r.json(tb, &rec)
	if rec.ID == "" {
		tb.Fatalf("no record id in %s", r.body)
	}
	return rec.ID
}

// reformat respaces b's JSON: the same record as other bytes.
func reformat(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "\t"); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// TestCreateRecordIdempotencyKey sends record creations under
// Idempotency-Key headers: sent again, the same request answers with the
// record it created and stores nothing; another body under the key is a
// conflict; another user's key is another key.
func TestCreateRecordIdempotencyKey(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			db, _ := b.open(t)
			n := mustFederatedNodeOn(t, db)
			// An IMO number whose check digit fails: a warning the replay
			// must carry as the first answer did.
			body := canonicalWith(t, func(m map[string]any) {
				seizureOf(m)["conveyance"] = map[string]any{"vessel_imo": "9074728"}
			})
			first := n.postKeyed(t, "analyst", "/api/v1/records", body, "order 2026/10/14-1")
			want(t, first, http.StatusCreated)
			if first.header.Get("Idempotent-Replay") != "" {
				t.Error("the first creation is marked as a replay")
			}
			if !strings.Contains(string(first.body), `"warnings"`) {
				t.Fatalf("the test record raised no warning: %s", first.body)
			}
			id := recordID(t, first)

			again := n.postKeyed(t, "analyst", "/api/v1/records", reformat(t, body), "order 2026/10/14-1")
			want(t, again, http.StatusCreated)
			if again.header.Get("Idempotent-Replay") != "true" {
				t.Errorf("the creation sent again has Idempotent-Replay %q, want true", again.header.Get("Idempotent-Replay"))
			}
			if !bytes.Equal(again.body, first.body) {
				t.Errorf("replay answered\n%s\nthe first request\n%s", again.body, first.body)
			}
			if again.header.Get("Location") != first.header.Get("Location") {
				t.Errorf("replay Location %q, want %q", again.header.Get("Location"), first.header.Get("Location"))
			}
			if c := n.count(t); c != 1 {
				t.Fatalf("%d records after sending one twice, want 1", c)
			}
			if e := lastEntry(t, n.store); e.Action != audit.ActionRecordRead || e.Target != id || e.Actor != "analyst-user" {
				t.Errorf("replay audited as %+v, want a read of %s", e, id)
			}

			// The key with another record is refused, naming the key.
			other := canonicalWith(t, func(m map[string]any) { seizureOf(m)["narrative"] = "Another seizure." })
			r := n.postKeyed(t, "analyst", "/api/v1/records", other, "order 2026/10/14-1")
			want(t, r, http.StatusConflict)
			if e := r.apiError(t).Error; e.Field != "Idempotency-Key" || !strings.Contains(e.Message, "differs") ||
				!strings.Contains(e.Message, "order 2026/10/14-1") || !strings.Contains(e.Message, id) {
				t.Errorf("conflict = %+v, want it to name the key, the record and say the body differs", e)
			}

			// Another user's same key is another key.
			theirs := n.postKeyed(t, "liaison", "/api/v1/records", body, "order 2026/10/14-1")
			want(t, theirs, http.StatusCreated)
			if theirs.header.Get("Idempotent-Replay") != "" || recordID(t, theirs) == id {
				t.Error("another user's creation under the same key was answered with the first user's record")
			}
			// Without a key, a request sent twice creates twice.
			n.MustPost(t, body)
			n.MustPost(t, body)
			if c := n.count(t); c != 4 {
				t.Errorf("%d records, want 4", c)
			}

			// A refused creation stores no key: corrected, it is created.
			bad := canonicalWith(t, func(m map[string]any) { seizureOf(m)["containers"] = []string{"CSQU3054384"} })
			want(t, n.postKeyed(t, "analyst", "/api/v1/records", bad, "order-2"), http.StatusBadRequest)
			fixed := n.postKeyed(t, "analyst", "/api/v1/records", other, "order-2")
			want(t, fixed, http.StatusCreated)
			if fixed.header.Get("Idempotent-Replay") != "" {
				t.Error("the corrected record after a refused one is marked as a replay")
			}
		})
	}
}

// TestIdempotencyKeyRefused sends malformed keys, and keys to routes that
// would not honour them: each is 400 naming the header, and nothing is
// stored.
func TestIdempotencyKeyRefused(t *testing.T) {
	n := MustFederatedNode(t)
	rec := n.MustPost(t, canonical(t))
	for name, keys := range map[string][]string{
		"empty":       {""},
		"too long":    {strings.Repeat("k", 201)},
		"not ASCII":   {"clé-1"},
		"a tab":       {"a\tb"},
		"given twice": {"a", "b"},
	} {
		r := n.postKeyed(t, "analyst", "/api/v1/records", canonical(t), keys...)
		if r.status != http.StatusBadRequest || r.apiError(t).Error.Field != "Idempotency-Key" {
			t.Errorf("%s key: %d %s, want 400 naming Idempotency-Key", name, r.status, r.body)
		}
	}
	if r := n.postKeyed(t, "analyst", "/api/v1/records", canonical(t), strings.Repeat("~", 200)); r.status != http.StatusCreated {
		t.Errorf("a key of 200 characters: %d %s", r.status, r.body)
	}
	r := n.postKeyed(t, "analyst", "/api/v1/records/"+rec.ID+"/retract", nil, "retract-1")
	if r.status != http.StatusBadRequest || r.apiError(t).Error.Field != "Idempotency-Key" {
		t.Errorf("a key on retract: %d %s, want 400 naming Idempotency-Key", r.status, r.body)
	}
	if got, err := n.store.GetRecord(context.Background(), rec.ID); err != nil || got.Version != 1 {
		t.Errorf("the record after a refused retraction: %+v, %v", got, err)
	}
	if c := n.count(t); c != 2 {
		t.Errorf("%d records, want 2", c)
	}
}

// TestIdempotencyKeyConcurrent sends one creation many times at once under
// one key, to two servers sharing the database on PostgreSQL: one record
// is stored, and every answer is that record.
func TestIdempotencyKeyConcurrent(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			db, url := b.open(t)
			n := mustFederatedNodeOn(t, db)
			servers := []*node{n}
			if url != "" {
				servers = append(servers, mustReplica(t, n, url))
			}
			body := canonical(t)
			const sends = 12
			rs := make([]response, sends)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range sends {
				s := servers[i%len(servers)]
				wg.Go(func() {
					<-start
					rs[i] = s.postKeyed(t, "analyst", "/api/v1/records", body, "burst")
				})
			}
			close(start)
			wg.Wait()
			ids := map[string]bool{}
			created := 0
			for _, r := range rs {
				want(t, r, http.StatusCreated)
				ids[recordID(t, r)] = true
				if r.header.Get("Idempotent-Replay") == "" {
					created++
				}
			}
			if len(ids) != 1 || created != 1 {
				t.Errorf("%d sends at once: records %v, %d answered as created; want one record, created once", sends, ids, created)
			}
			if c := n.count(t); c != 1 {
				t.Errorf("%d records stored, want 1", c)
			}
		})
	}
}

// TestCreateRequestIdempotencyKey sends a request for assistance twice
// under one key: one request is stored and sent once, and the second answer
// repeats the first.
func TestCreateRequestIdempotencyKey(t *testing.T) {
	n := MustFederatedNode(t)
	ctx := context.Background()
	a := storetest.NewAgreement("JP", func(a *agreement.Agreement) { a.Modes.Spontaneous = true })
	if err := n.store.PutAgreement(ctx, a, storetest.AgreementEvent(a)); err != nil {
		t.Fatal(err)
	}
	storetest.MustPeer(t, n.store, storetest.NewPeer("JP"))
	body, err := json.Marshal(map[string]any{
		"kind": "request", "grading": map[string]string{"source": "B", "information": "2"}, "handling": map[string]string{"code": "H0"},
		"request": map[string]any{"requested": "JP", "agreement": a.ID, "subject": "Consignee of a tobacco shipment",
			"questions": []string{"Is the company registered in Japan?"}, "deadline": "2099-12-31"}})
	if err != nil {
		t.Fatal(err)
	}
	first := n.postKeyed(t, "liaison", "/api/v1/requests", body, "rfa-1")
	want(t, first, http.StatusCreated)
	var got struct {
		Record struct{ ID string }
		Result struct {
			Allowed  bool
			Delivery *string
		}
	}
	first.json(t, &got)
	if !got.Result.Allowed || got.Result.Delivery == nil {
		t.Fatalf("the request was not sent: %s", first.body)
	}
	again := n.postKeyed(t, "liaison", "/api/v1/requests", body, "rfa-1")
	want(t, again, http.StatusCreated)
	if again.header.Get("Idempotent-Replay") != "true" || !bytes.Equal(again.body, first.body) {
		t.Errorf("request sent again: %s %s\nwant the first answer\n%s", again.header.Get("Idempotent-Replay"), again.body, first.body)
	}
	ds, err := n.store.Deliveries(ctx, got.Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 {
		t.Errorf("the request was queued %d times, want once", len(ds))
	}
	if c := n.count(t); c != 1 {
		t.Errorf("%d records, want 1", c)
	}
	// Sent many times at once under another key: one record, its request
	// queued once, however the sends interleave between storing the
	// record and queuing its envelope.
	const sends = 8
	ids := make(chan string, sends)
	var wg sync.WaitGroup
	for range sends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := n.postKeyed(t, "liaison", "/api/v1/requests", body, "rfa-2")
			var g struct{ Record struct{ ID string } }
			if r.status == http.StatusCreated {
				r.json(t, &g)
			}
			ids <- g.Record.ID
		}()
	}
	wg.Wait()
	close(ids)
	id := ""
	for got := range ids {
		if got == "" || (id != "" && got != id) {
			t.Fatalf("concurrent sends under one key answered records %q and %q", id, got)
		}
		id = got
	}
	if ds, err := n.store.Deliveries(ctx, id); err != nil || len(ds) != 1 {
		t.Errorf("the request sent %d times at once was queued %d times (%v), want once", sends, len(ds), err)
	}
}
