package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/access"
	"liaison/internal/audit"
	"liaison/internal/federation"
	"liaison/internal/intel"
	"liaison/internal/records"
	"liaison/internal/sharing"
	"liaison/internal/store"
	"liaison/internal/store/sqlite"
	"liaison/internal/store/storetest"
	"liaison/internal/web"
)

// MustFederatedNode starts node HK, as MustNodeWith does, with a
// federation service over its store.
func MustFederatedNode(tb testing.TB) *node {
	tb.Helper()
	db, err := sqlite.OpenWith(context.Background(), tb.TempDir(), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	return mustFederatedNodeOn(tb, db)
}

// mustFederatedNodeOn is MustFederatedNode on the store db, which it closes
// when the test ends.
func mustFederatedNodeOn(tb testing.TB, db store.Store) *node {
	tb.Helper()
	ctx := context.Background()
	dir := MustDirectory(tb)
	if err := db.InitNode(ctx, store.Node{Code: "HK"}, audit.Event{Actor: "system", Action: audit.ActionNodeInit, Target: "HK"}); err != nil {
		tb.Fatalf("init node: %v", err)
	}
	n := &node{store: db, tokens: map[string]string{}, logs: &syncBuffer{}}
	n.records = records.New(records.Config{Node: "HK", Store: db, Codes: dir})
	n.sharing = &sharing.Service{Store: db, Directory: dir, Node: "HK"}
	fed := federation.New(federation.Config{Node: "HK", Store: db, Directory: dir, Logger: slog.New(slog.DiscardHandler)})
	n.server = web.New(web.Config{Node: "HK", Store: db, Records: n.records, Directory: dir, Sharing: n.sharing,
		Federation: fed, Logger: slog.New(slog.NewTextHandler(n.logs, nil))})
	srv := httptest.NewServer(n.server)
	tb.Cleanup(func() {
		srv.Close()
		db.Close()
	})
	n.url = srv.URL
	for _, role := range access.Roles() {
		n.tokens[role] = MustUser(tb, db, role+"-user", role)
	}
	return n
}

func lastEntry(tb testing.TB, s store.Store) audit.Entry {
	tb.Helper()
	var last audit.Entry
	if err := s.WalkAudit(context.Background(), func(e audit.Entry) error { last = e; return nil }); err != nil {
		tb.Fatal(err)
	}
	return last
}

func TestRetryDeliveryAPI(t *testing.T) {
	n := MustFederatedNode(t)
	ctx := context.Background()
	rec := n.MustPost(t, canonical(t))
	var ds []store.Delivery
	for range 3 {
		ds = append(ds, store.Delivery{EnvelopeID: ulid.Make().String(), Peer: "JP", Type: "record.create", RecordID: rec.ID, Version: 1})
	}
	ds, err := n.store.Share(ctx, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, _, err := n.store.ClaimDeliveries(ctx, "test", now, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	if err := n.store.FinishDeliveries(ctx, "test", "JP", now, []store.DeliveryOutcome{
		{ID: ds[0].ID, State: store.DeliveryRefused, RefusalReason: "No agreement in force links Hong Kong, China and Japan."},
		{ID: ds[1].ID, State: store.DeliveryDelivered}}, "", nil); err != nil {
		t.Fatal(err)
	}
	path := func(id int64) string { return "/api/v1/deliveries/" + strconv.FormatInt(id, 10) + "/retry" }

	want(t, n.do(t, "liaison", "POST", path(ds[0].ID), nil), http.StatusForbidden)
	before := lastEntry(t, n.store).Seq
	r := n.do(t, "admin", "POST", path(ds[0].ID), nil)
	want(t, r, http.StatusOK)
	var got map[string]any
	r.json(t, &got)
	if got["state"] != "queued" || got["refusal_reason"] != "" || got["attempts"] != float64(0) {
		t.Errorf("retried delivery = %v, want it queued afresh", got)
	}
	if e := lastEntry(t, n.store); e.Seq != before+1 || e.Action != federation.ActionRetry || e.Target != strconv.FormatInt(ds[0].ID, 10) ||
		e.Actor != "admin-user" {
		t.Errorf("audit entry of the retry = %+v", e)
	}
	// Queued (the row just retried, and the one never sent) and delivered
	// rows cannot be retried; nothing is written.
	before = lastEntry(t, n.store).Seq
	for _, d := range []store.Delivery{ds[0], ds[2], ds[1]} {
		if r := n.do(t, "admin", "POST", path(d.ID), nil); r.status != http.StatusConflict {
			t.Errorf("retry of delivery %d: %d, want 409", d.ID, r.status)
		}
	}
	want(t, n.do(t, "admin", "POST", path(999999), nil), http.StatusNotFound)
	if e := n.do(t, "admin", "POST", "/api/v1/deliveries/abc/retry", nil); e.status != http.StatusBadRequest || e.apiError(t).Error.Field != "id" {
		t.Errorf("retry of id abc: %d, want 400 naming id", e.status)
	}
	if lastEntry(t, n.store).Seq != before {
		t.Error("refused retries wrote audit entries")
	}
}

// TestRequestsAPIVisibility checks that GET /api/v1/requests leaves out
// the requests of an operation for those outside it, as record listings do.
func TestRequestsAPIVisibility(t *testing.T) {
	n := MustFederatedNode(t)
	ctx := context.Background()
	open := storetest.NewRequest(t, "JP", "HK", "2026-12-31")
	secret := storetest.NewRequest(t, "JP", "HK", "2026-12-31", func(r *intel.Record) {
		r.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-JADE"}
	})
	for _, r := range []*intel.Record{open, secret} {
		if _, err := n.store.Receive(ctx, storetest.NewReceived(r), audit.Event{Actor: "JP", Action: "federation.receive", Target: r.ID}); err != nil {
			t.Fatal(err)
		}
	}
	list := func(role string) []string {
		r := n.do(t, role, "GET", "/api/v1/requests", nil)
		want(t, r, http.StatusOK)
		var body struct {
			Requests []struct {
				ID, Direction, State string
				Responses            []string
			} `json:"requests"`
		}
		r.json(t, &body)
		var ids []string
		for _, q := range body.Requests {
			if q.Direction != "received" || q.State != "acknowledged" || q.Responses == nil {
				t.Errorf("%s: request %s listed as %+v", role, q.ID, q)
			}
			ids = append(ids, q.ID)
		}
		return ids
	}
	if got := list("analyst"); len(got) != 1 || got[0] != open.ID {
		t.Errorf("the analyst outside the operation is listed %v, want only %s", got, open.ID)
	}
	for _, role := range []string{"admin", "auditor"} {
		if got := list(role); len(got) != 2 || got[0] != secret.ID {
			t.Errorf("%s is listed %v, want both requests, newest first", role, got)
		}
	}
	if r := n.do(t, "analyst", "GET", "/api/v1/requests?state=lost", nil); r.status != http.StatusBadRequest || r.apiError(t).Error.Field != "state" {
		t.Errorf("?state=lost: %d, want 400 naming state", r.status)
	}
}

// TestDeliveriesAPIVisibility checks that GET /api/v1/deliveries leaves
// out the deliveries of records the user may not see, and refuses a
// record parameter that is not a record id, or given twice, and a
// parameter it does not take.
func TestDeliveriesAPIVisibility(t *testing.T) {
	n := MustFederatedNode(t)
	ctx := context.Background()
	open := storetest.NewRecord(t)
	secret := storetest.NewRecord(t, func(r *intel.Record) {
		r.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-JADE"}
	})
	storetest.MustCreate(t, n.store, open, secret)
	var ds []store.Delivery
	for _, r := range []*intel.Record{open, secret} {
		ds = append(ds, store.Delivery{EnvelopeID: ulid.Make().String(), Peer: "JP", Type: "record.create", RecordID: r.ID, Version: 1})
	}
	if _, err := n.store.Share(ctx, ds, nil); err != nil {
		t.Fatal(err)
	}
	list := func(role, query string) []string {
		t.Helper()
		r := n.do(t, role, "GET", "/api/v1/deliveries"+query, nil)
		want(t, r, http.StatusOK)
		var body struct {
			Deliveries []struct{ Record string } `json:"deliveries"`
		}
		r.json(t, &body)
		var ids []string
		for _, d := range body.Deliveries {
			ids = append(ids, d.Record)
		}
		return ids
	}
	if got := list("analyst", ""); len(got) != 1 || got[0] != open.ID {
		t.Errorf("the analyst outside the operation is listed deliveries of %v, want only %s", got, open.ID)
	}
	for _, role := range []string{"admin", "auditor"} {
		if got := list(role, ""); len(got) != 2 {
			t.Errorf("%s is listed deliveries of %v, want both records", role, got)
		}
	}
	if got := list("analyst", "?record="+open.ID); len(got) != 1 || got[0] != open.ID {
		t.Errorf("deliveries of the open record: %v", got)
	}
	want(t, n.do(t, "analyst", "GET", "/api/v1/deliveries?record="+secret.ID, nil), http.StatusNotFound)
	want(t, n.do(t, "analyst", "GET", "/api/v1/deliveries?record="+ulid.Make().String(), nil), http.StatusNotFound)
	for _, q := range []string{"record=abc", "record=" + strings.ToLower(open.ID), "record=" + open.ID + "&record=" + secret.ID, "state=dead"} {
		r := n.do(t, "analyst", "GET", "/api/v1/deliveries?"+q, nil)
		field, _, _ := strings.Cut(q, "=")
		if r.status != http.StatusBadRequest || r.apiError(t).Error.Field != field {
			t.Errorf("deliveries?%s: %d %s, want 400 naming %s", q, r.status, r.body, field)
		}
	}
}

// TestDeliveriesAPIPages walks GET /api/v1/deliveries page by page as an
// analyst outside an operation whose records hold most of the outbox: the
// pages are full while more follow, and every delivery of a visible record
// comes once, in id order; the others never. The limit and the cursor are
// checked like those of the record listing.
func TestDeliveriesAPIPages(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			db, _ := b.open(t)
			n := mustFederatedNodeOn(t, db)
			ctx := context.Background()
			secret := storetest.NewRecord(t, func(r *intel.Record) {
				r.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-JADE"}
			})
			open := []*intel.Record{storetest.NewRecord(t), storetest.NewRecord(t)}
			storetest.MustCreate(t, n.store, secret, open[0], open[1])
			var ds []store.Delivery
			for i := range 70 {
				// Runs of hidden rows longer than a page between visible ones.
				r := secret
				if i%7 == 6 {
					r = open[i%2]
				}
				ds = append(ds, store.Delivery{EnvelopeID: ulid.Make().String(), Peer: "JP", Type: "record.create", RecordID: r.ID, Version: 1})
			}
			ds, err := n.store.Share(ctx, ds, nil)
			if err != nil {
				t.Fatal(err)
			}
			var visible, all []string
			for _, d := range ds {
				id := strconv.FormatInt(d.ID, 10)
				all = append(all, id)
				if d.RecordID != secret.ID {
					visible = append(visible, id)
				}
			}
			type page struct {
				Deliveries []struct{ Delivery, Record string } `json:"deliveries"`
				Next       *string                             `json:"next"`
			}
			get := func(role, query string) page {
				t.Helper()
				r := n.do(t, role, "GET", "/api/v1/deliveries"+query, nil)
				want(t, r, http.StatusOK)
				var p page
				r.json(t, &p)
				if p.Next == nil {
					t.Fatalf("%s: no next in %s", query, r.body)
				}
				return p
			}
			walk := func(role, limit string) []string {
				t.Helper()
				var ids []string
				cursor := ""
				for pages := 0; pages <= len(all); pages++ {
					q := "?limit=" + limit
					if cursor != "" {
						q += "&cursor=" + url.QueryEscape(cursor)
					}
					p := get(role, q)
					for _, d := range p.Deliveries {
						ids = append(ids, d.Delivery)
					}
					if *p.Next == "" {
						return ids
					}
					if l, _ := strconv.Atoi(limit); len(p.Deliveries) != l {
						t.Fatalf("%s: %d deliveries on a page that has a next", q, len(p.Deliveries))
					}
					cursor = *p.Next
				}
				t.Fatal("paging does not end")
				return nil
			}
			if got := walk("analyst", "3"); !slices.Equal(got, visible) {
				t.Errorf("the analyst walked %v, want %v", got, visible)
			}
			if got := walk("analyst", "1000"); !slices.Equal(got, visible) {
				t.Errorf("the analyst's one page %v, want %v", got, visible)
			}
			if got := walk("admin", "7"); !slices.Equal(got, all) {
				t.Errorf("the administrator walked %d deliveries, want all %d", len(got), len(all))
			}
			// Without paging parameters: the first 50, in id order.
			if p := get("admin", ""); len(p.Deliveries) != 50 || p.Deliveries[0].Delivery != all[0] || *p.Next != all[49] {
				t.Errorf("the first page by default has %d deliveries and next %q, want 50 and %s", len(p.Deliveries), *p.Next, all[49])
			}
			if p := get("analyst", ""); len(p.Deliveries) != len(visible) || *p.Next != "" {
				t.Errorf("the analyst's first page by default: %d deliveries, next %q; want all %d, no next", len(p.Deliveries), *p.Next, len(visible))
			}
			if p := get("analyst", "?record="+open[1].ID+"&limit=2"); len(p.Deliveries) != 2 || p.Deliveries[0].Record != open[1].ID || *p.Next == "" {
				t.Errorf("a record's first page: %+v", p)
			}
			// One record's deliveries without a limit: all of them, more
			// than a default page, in one answer.
			secretRows := len(all) - len(visible)
			for _, q := range []string{"?record=" + secret.ID, "?record=" + secret.ID + "&limit=", "?limit=&record=" + secret.ID + "&cursor="} {
				if p := get("admin", q); len(p.Deliveries) != secretRows || *p.Next != "" || secretRows <= 50 {
					t.Errorf("%s: %d deliveries, next %q; want all %d (more than 50), no next", q, len(p.Deliveries), *p.Next, secretRows)
				}
			}
			for _, q := range []string{"limit=0", "limit=1001", "limit=x", "limit=-1", "limit=2&limit=3",
				"cursor=abc", "cursor=0", "cursor=-5", "cursor=007", "cursor=1.5", "cursor=" + open[0].ID} {
				r := n.do(t, "analyst", "GET", "/api/v1/deliveries?"+q, nil)
				field, _, _ := strings.Cut(q, "=")
				if r.status != http.StatusBadRequest || r.apiError(t).Error.Field != field {
					t.Errorf("deliveries?%s: %d %s, want 400 naming %s", q, r.status, r.body, field)
				}
			}
		})
	}
}
