package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// RunRequests runs the conformance suite of the requests index against an
// implementation, as Run does.
func RunRequests(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"States", testRequestStates},
		{"Filters", testRequestFilters},
		{"Pages", testRequestPages},
		{"FollowsChanges", testRequestChanges},
		{"Refused", testRequestRefused},
		{"FeedbackOn", testFeedbackOn},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// requestsToday is the day the suite lists requests on.
const requestsToday = "2026-11-20"

// NewRequest returns a request for assistance from originator to requested.
func NewRequest(tb testing.TB, originator, requested, deadline string, mods ...func(*intel.Record)) *intel.Record {
	tb.Helper()
	r := NewRecord(tb, func(r *intel.Record) {
		r.Kind, r.Seizure, r.Originator = intel.KindRequest, nil, originator
		r.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{requested}}
		r.Request = &intel.Request{Requesting: originator, Requested: requested, Agreement: "hk-jp-arrangement",
			Subject: "Directors of Golden Harvest Trading", Questions: []string{"Who are the directors?"}, Deadline: deadline,
			State: store.RequestSent}
	})
	for _, m := range mods {
		m(r)
	}
	return r
}

// NewResponse returns a response to request req by its requested node.
func NewResponse(tb testing.TB, req *intel.Record, outcome string) *intel.Record {
	tb.Helper()
	return NewRecord(tb, func(r *intel.Record) {
		r.Kind, r.Seizure, r.Originator = intel.KindResponse, nil, req.Request.Requested
		r.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{req.Originator}}
		r.Response = &intel.Response{Request: req.ID, Outcome: outcome, Answers: []string{"Two directors."}}
		if outcome == "declined" {
			r.Response.Answers, r.Response.Reason = nil, "Outside the arrangement's purpose."
		}
	})
}

func mustRequests(tb testing.TB, s store.Store, q store.RequestQuery) []store.RequestRow {
	tb.Helper()
	if q.Self == "" {
		q.Self = "HK"
	}
	if q.Today == "" {
		q.Today = requestsToday
	}
	rs, err := s.ListRequests(context.Background(), q)
	if err != nil {
		tb.Fatalf("list requests %+v: %v", q, err)
	}
	return rs
}

func requestIDs(rs []store.RequestRow) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func mustUpdate(tb testing.TB, s store.Store, r *intel.Record) {
	tb.Helper()
	if err := s.UpdateRecord(context.Background(), r, ev("record.update", r.ID)); err != nil {
		tb.Fatalf("update %s: %v", r.ID, err)
	}
}

// testRequestStates checks each state as the listing computes it, on the
// requesting side and on the requested side, with the responses held.
func testRequestStates(t *testing.T, s store.Store) {
	sent := NewRequest(t, "HK", "JP", "2026-12-31")
	acked := NewRequest(t, "HK", "JP", "2026-12-31", func(r *intel.Record) { r.Request.State = store.RequestAcknowledged })
	late := NewRequest(t, "HK", "JP", "2026-11-19")
	dueToday := NewRequest(t, "HK", "JP", requestsToday)
	answered := NewRequest(t, "HK", "JP", "2026-11-01")
	declined := NewRequest(t, "HK", "JP", "")
	MustCreate(t, s, sent, acked, late, dueToday, answered, declined)
	// Requests received are acknowledged as soon as they are held.
	received := NewRequest(t, "JP", "HK", "2026-12-31")
	receivedLate := NewRequest(t, "JP", "HK", "2026-10-01")
	for _, r := range []*intel.Record{received, receivedLate} {
		mustReceive(t, s, NewReceived(r))
	}
	partial := NewResponse(t, answered, "partial")
	refusal := NewResponse(t, declined, "declined")
	for _, r := range []*intel.Record{partial, refusal} {
		mustReceive(t, s, NewReceived(r))
	}
	// A declined answer before a full one: answered wins.
	first := NewResponse(t, answered, "declined")
	mustReceive(t, s, NewReceived(first))

	want := map[string]struct {
		state     string
		responses []string
	}{
		sent.ID: {"sent", nil}, acked.ID: {"acknowledged", nil}, late.ID: {"overdue", nil},
		dueToday.ID: {"sent", nil}, answered.ID: {"answered", []string{partial.ID, first.ID}},
		declined.ID: {"declined", []string{refusal.ID}}, received.ID: {"acknowledged", nil},
		receivedLate.ID: {"overdue", nil},
	}
	rs := mustRequests(t, s, store.RequestQuery{})
	if len(rs) != len(want) {
		t.Fatalf("listed %d requests, want %d: %v", len(rs), len(want), requestIDs(rs))
	}
	for i, r := range rs {
		if i > 0 && rs[i-1].ID <= r.ID {
			t.Errorf("requests not newest first: %v", requestIDs(rs))
		}
		w := want[r.ID]
		if r.State != w.state {
			t.Errorf("request %s is %s, want %s", r.ID, r.State, w.state)
		}
		if !slices.Equal(r.Responses, append([]string{}, w.responses...)) {
			t.Errorf("request %s lists responses %v, want %v (oldest first)", r.ID, r.Responses, w.responses)
		}
	}
	row := rs[slices.IndexFunc(rs, func(r store.RequestRow) bool { return r.ID == received.ID })]
	if row.Originator != "JP" || row.Requesting != "JP" || row.Requested != "HK" || row.Agreement != "hk-jp-arrangement" ||
		row.Subject != "Directors of Golden Harvest Trading" || row.Deadline != "2026-12-31" || row.Operation != "" {
		t.Errorf("row of the request received = %+v", row)
	}
	// The same requests seen from the requested node: the one HK sent is
	// acknowledged there, whatever its own state field says.
	if rs := mustRequests(t, s, store.RequestQuery{Self: "JP", ID: sent.ID}); len(rs) != 1 || rs[0].State != "acknowledged" {
		t.Errorf("request sent by HK seen from JP: %+v, want acknowledged", rs)
	}
	// The day decides what is overdue.
	if rs := mustRequests(t, s, store.RequestQuery{ID: dueToday.ID, Today: "2026-11-21"}); len(rs) != 1 || rs[0].State != "overdue" {
		t.Errorf("request due on %s listed the day after: %+v, want overdue", requestsToday, rs)
	}
}

func testRequestFilters(t *testing.T, s store.Store) {
	mine := NewRequest(t, "HK", "JP", "2026-12-31")
	late := NewRequest(t, "HK", "FR", "2026-01-31")
	MustCreate(t, s, mine, late)
	theirs := NewRequest(t, "JP", "HK", "2026-01-31")
	secret := NewRequest(t, "JP", "HK", "", func(r *intel.Record) {
		r.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-JADE"}
	})
	other := NewRequest(t, "JP", "HK", "", func(r *intel.Record) {
		r.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-TIGER"}
	})
	for _, r := range []*intel.Record{theirs, secret, other} {
		mustReceive(t, s, NewReceived(r))
	}
	tests := []struct {
		name string
		q    store.RequestQuery
		want []string
	}{
		{"all", store.RequestQuery{}, []string{other.ID, secret.ID, theirs.ID, late.ID, mine.ID}},
		{"sent", store.RequestQuery{Direction: store.RequestOutgoing}, []string{late.ID, mine.ID}},
		{"received", store.RequestQuery{Direction: store.RequestIncoming}, []string{other.ID, secret.ID, theirs.ID}},
		{"overdue", store.RequestQuery{State: "overdue"}, []string{theirs.ID, late.ID}},
		{"overdue sent", store.RequestQuery{State: "overdue", Direction: store.RequestOutgoing}, []string{late.ID}},
		{"sent state", store.RequestQuery{State: "sent"}, []string{mine.ID}},
		{"answered", store.RequestQuery{State: "answered"}, []string{}},
		{"one", store.RequestQuery{ID: theirs.ID}, []string{theirs.ID}},
		{"unknown id", store.RequestQuery{ID: "01JZZZZZZZZZZZZZZZZZZZZZZZ"}, []string{}},
		{"outside every operation", store.RequestQuery{Restricted: true}, []string{theirs.ID, late.ID, mine.ID}},
		{"member of one operation", store.RequestQuery{Restricted: true, Operations: []string{"OP-JADE"}},
			[]string{secret.ID, theirs.ID, late.ID, mine.ID}},
		{"hidden one asked by id", store.RequestQuery{Restricted: true, ID: other.ID}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := requestIDs(mustRequests(t, s, tt.q)); !slices.Equal(got, tt.want) {
				t.Errorf("listed %v, want %v", got, tt.want)
			}
		})
	}
}

func testRequestPages(t *testing.T, s store.Store) {
	var all []*intel.Record
	for i := range 7 {
		deadline := "2026-12-31"
		if i%2 == 0 {
			deadline = "2026-01-01"
		}
		all = append(all, NewRequest(t, "HK", "JP", deadline))
	}
	MustCreate(t, s, all...)
	var want []string
	for i := len(all) - 1; i >= 0; i-- {
		if i%2 == 0 {
			want = append(want, all[i].ID)
		}
	}
	// Pages of two overdue requests: a page is filled with rows of the
	// state asked for, and the cursor carries on after the last one.
	var got []string
	q := store.RequestQuery{State: "overdue", Limit: 2}
	for range 5 {
		rs := mustRequests(t, s, q)
		if len(rs) > 2 {
			t.Fatalf("a page of limit 2 has %d rows", len(rs))
		}
		got = append(got, requestIDs(rs)...)
		if len(rs) < 2 {
			break
		}
		q.Cursor = rs[len(rs)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged through %v, want %v", got, want)
	}
}

// testRequestChanges checks that the index follows every way a request or
// response changes: a new version, a retraction, a version received.
func testRequestChanges(t *testing.T, s store.Store) {
	req := NewRequest(t, "HK", "JP", "2026-12-31")
	MustCreate(t, s, req)
	if rs := mustRequests(t, s, store.RequestQuery{}); len(rs) != 1 || rs[0].State != "sent" {
		t.Fatalf("listed %+v, want the request sent", rs)
	}
	// The acknowledgement stores a new version in state acknowledged.
	v2 := NextVersion(t, req, func(r *intel.Record) {
		r.Request.State = store.RequestAcknowledged
		r.Request.Subject = "Directors and shareholders of Golden Harvest Trading"
	})
	mustUpdate(t, s, v2)
	if rs := mustRequests(t, s, store.RequestQuery{}); len(rs) != 1 || rs[0].State != "acknowledged" ||
		rs[0].Subject != "Directors and shareholders of Golden Harvest Trading" {
		t.Fatalf("after the acknowledgement: %+v", rs)
	}
	// An answer is received, then retracted by its originator: the request
	// is open again.
	resp := NewResponse(t, req, "answered")
	mustReceive(t, s, NewReceived(resp))
	if rs := mustRequests(t, s, store.RequestQuery{}); rs[0].State != "answered" || !slices.Equal(rs[0].Responses, []string{resp.ID}) {
		t.Fatalf("after the answer: %+v", rs)
	}
	gone := NextVersion(t, resp, func(r *intel.Record) {
		r.Status = intel.StatusRetracted
		r.Retraction = &intel.Retraction{At: Base().Add(time.Hour), Reason: "sent in error"}
	})
	rc := NewReceived(gone)
	rc.Type = "record.retract"
	mustReceive(t, s, rc)
	if rs := mustRequests(t, s, store.RequestQuery{}); rs[0].State != "acknowledged" || len(rs[0].Responses) != 0 {
		t.Fatalf("after the answer was retracted: %+v", rs)
	}
	// A retracted request is no longer listed.
	v3 := NextVersion(t, v2, func(r *intel.Record) {
		r.Status = intel.StatusRetracted
		r.Retraction = &intel.Retraction{At: Base().Add(2 * time.Hour), Reason: "withdrawn"}
	})
	mustUpdate(t, s, v3)
	if rs := mustRequests(t, s, store.RequestQuery{}); len(rs) != 0 {
		t.Fatalf("a retracted request is listed: %+v", rs)
	}
	// Records of other kinds never show.
	MustCreate(t, s, NewRecord(t))
	if rs := mustRequests(t, s, store.RequestQuery{}); len(rs) != 0 {
		t.Fatalf("a seizure is listed as a request: %+v", rs)
	}
}

func testRequestRefused(t *testing.T, s store.Store) {
	ctx := context.Background()
	tests := []struct {
		q     store.RequestQuery
		field string
	}{
		{store.RequestQuery{Today: requestsToday}, "self"},
		{store.RequestQuery{Self: "HK", Today: "20 Nov 2026"}, "today"},
		{store.RequestQuery{Self: "HK", Today: requestsToday, State: "lost"}, "state"},
		{store.RequestQuery{Self: "HK", Today: requestsToday, Direction: "both"}, "direction"},
		{store.RequestQuery{Self: "HK", Today: requestsToday, Limit: store.MaxLimit + 1}, "limit"},
	}
	for _, tt := range tests {
		_, err := s.ListRequests(ctx, tt.q)
		WantField(t, err, tt.field)
	}
	_, err := s.ListRequests(ctx, store.RequestQuery{Self: "HK", Today: requestsToday, Limit: -1})
	WantKind(t, err, fault.Invalid)
}

// NewFeedback returns feedback from JP on warning w.
func NewFeedback(tb testing.TB, w *intel.Record, result string) *intel.Record {
	tb.Helper()
	return NewRecord(tb, func(r *intel.Record) {
		r.Kind, r.Seizure, r.Originator = intel.KindFeedback, nil, "JP"
		r.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{w.Originator}}
		r.Feedback = &intel.Feedback{Warning: w.ID, Controlled: true, Result: result, Date: "2026-11-19"}
	})
}

// testFeedbackOn lists the feedback answering each warning from the index:
// created, received, updated and retracted feedback, oldest first, and
// only that warning's.
func testFeedbackOn(t *testing.T, s store.Store) {
	ctx := context.Background()
	warning := func() *intel.Record {
		return NewRecord(t, func(r *intel.Record) {
			r.Kind, r.Seizure = intel.KindWarning, nil
			r.Warning = &intel.Warning{Subject: "Courier of methamphetamine"}
		})
	}
	w1, w2 := warning(), warning()
	MustCreate(t, s, w1, w2)
	on := func(w *intel.Record) []string {
		t.Helper()
		ids, err := s.FeedbackOn(ctx, w.ID)
		if err != nil {
			t.Fatalf("feedback on %s: %v", w.ID, err)
		}
		return ids
	}
	if ids := on(w1); ids == nil || len(ids) != 0 {
		t.Fatalf("feedback on a warning without any: %#v, want an empty list", ids)
	}
	f1 := NewFeedback(t, w1, "nothing-found")
	MustCreate(t, s, f1, NewFeedback(t, w2, "not-encountered"))
	f3 := NewFeedback(t, w1, "seizure")
	mustReceive(t, s, NewReceived(f3))
	MustCreate(t, s, NewRecord(t))
	if ids := on(w1); !slices.Equal(ids, []string{f1.ID, f3.ID}) {
		t.Fatalf("feedback on the first warning: %v, want %v", ids, []string{f1.ID, f3.ID})
	}
	if ids := on(w2); len(ids) != 1 || ids[0] == f1.ID || ids[0] == f3.ID {
		t.Fatalf("feedback on the second warning: %v, want its one feedback", ids)
	}
	// A new version is listed once; a retracted feedback stays listed (its
	// page says it was retracted).
	mustUpdate(t, s, NextVersion(t, f1, func(r *intel.Record) { r.Feedback.Narrative = "Searched twice." }))
	gone := NextVersion(t, f3, func(r *intel.Record) {
		r.Status = intel.StatusRetracted
		r.Retraction = &intel.Retraction{At: Base().Add(time.Hour), Reason: "sent in error"}
	})
	rc := NewReceived(gone)
	rc.Type = "record.retract"
	mustReceive(t, s, rc)
	if ids := on(w1); !slices.Equal(ids, []string{f1.ID, f3.ID}) {
		t.Fatalf("after an update and a retraction: %v, want %v", ids, []string{f1.ID, f3.ID})
	}
	if ids := on(NewRecord(t)); len(ids) != 0 {
		t.Fatalf("feedback on a record not held: %v", ids)
	}
}
