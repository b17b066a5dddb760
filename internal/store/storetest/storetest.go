package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// Run runs the conformance suite against an implementation. open must
// return a fresh, empty store for every call and close it when the test that
// asked for it ends (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Node", testNode},
		{"CreateAndGet", testCreateAndGet},
		{"CreateRefusesBadInput", testCreateRefusesBadInput},
		{"FailedBatchStoresNothing", testFailedBatchStoresNothing},
		{"UpdateKeepsHistory", testUpdateKeepsHistory},
		{"RecordHeads", testRecordHeads},
		{"UpdateConflict", testUpdateConflict},
		{"UpdateReindexes", testUpdateReindexes},
		{"NotFound", testNotFound},
		{"ListFilters", testListFilters},
		{"ListTextIsSafe", testListTextIsSafe},
		{"ListPagination", testListPagination},
		{"ListLimits", testListLimits},
		{"Users", testUsers},
		{"AuditChain", testAuditChain},
		{"AuditEntries", testAuditEntries},
		{"WalkAuditStreamsAndStops", testWalkAudit},
		{"ConcurrentWritersKeepOneChain", testConcurrentWriters},
		{"Refdata", testRefdata},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func ev(action, target string) audit.Event {
	return audit.Event{Actor: "admin", Action: action, Target: target}
}

func auditCount(t *testing.T, s store.Store) int {
	t.Helper()
	return len(MustVerifyAudit(t, s))
}

func testNode(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.Node(ctx)
	WantKind(t, err, fault.NotFound)

	created := time.Date(2026, 1, 2, 3, 4, 5, 678000, time.UTC)
	if err := s.InitNode(ctx, store.Node{Code: "HK", Created: created}, ev(audit.ActionNodeInit, "HK")); err != nil {
		t.Fatal(err)
	}
	n, err := s.Node(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n.Code != "HK" || !n.Created.Equal(created) {
		t.Errorf("node = %+v, want HK created %v", n, created)
	}
	err = s.InitNode(ctx, store.Node{Code: "JP", Created: created}, ev(audit.ActionNodeInit, "JP"))
	WantKind(t, err, fault.Conflict)
	if n, _ := s.Node(ctx); n.Code != "HK" {
		t.Errorf("node after second init = %q, want HK", n.Code)
	}
	if got := auditCount(t, s); got != 1 {
		t.Errorf("audit has %d entries, want 1 (the refused init writes none)", got)
	}
}

func testCreateAndGet(t *testing.T, s store.Store) {
	ctx := context.Background()
	rs := []*intel.Record{NewRecord(t), NewRecord(t, Narrative("Heroin in the spare tyre.")), NewRecord(t, func(r *intel.Record) {
		r.Kind, r.Seizure = intel.KindAlert, nil
		r.Alert = &intel.Alert{Subject: "Cigarettes declared as fish", Category: "revenue/cigarettes",
			Summary: "Shipments from Saigon hide cigarettes in reefer containers."}
	})}
	MustCreate(t, s, rs...)
	for _, want := range rs {
		got, err := s.GetRecord(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameRecord(t, got, want)
		got, err = s.GetRecordVersion(ctx, want.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		sameRecord(t, got, want)
		h, err := s.RecordHistory(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 1 {
			t.Fatalf("history of a new record has %d versions, want 1", len(h))
		}
		sameRecord(t, h[0], want)
	}
	n, err := s.CountRecords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("count = %d, want 3", n)
	}
	es := MustVerifyAudit(t, s)
	if len(es) != 3 {
		t.Fatalf("audit has %d entries, want 3", len(es))
	}
	for i, e := range es {
		if e.Action != audit.ActionRecordCreate || e.Target != rs[i].ID {
			t.Errorf("entry %d = %s %s, want %s %s", e.Seq, e.Action, e.Target, audit.ActionRecordCreate, rs[i].ID)
		}
	}
	if err := s.CreateRecords(ctx, nil, nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

func testCreateRefusesBadInput(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := NewRecord(t)
	WantKind(t, s.CreateRecords(ctx, []*intel.Record{r}, nil), fault.Invalid)
	noID := NewRecord(t, func(r *intel.Record) { r.ID = "" })
	WantField(t, s.CreateRecords(ctx, []*intel.Record{noID}, []audit.Event{CreateEvent(noID)}), "id")
	v0 := NewRecord(t, func(r *intel.Record) { r.Version = 0 })
	WantField(t, s.CreateRecords(ctx, []*intel.Record{v0}, []audit.Event{CreateEvent(v0)}), "version")
	if n, _ := s.CountRecords(ctx); n != 0 {
		t.Errorf("count = %d after refused input, want 0", n)
	}
	if got := auditCount(t, s); got != 0 {
		t.Errorf("audit has %d entries after refused input, want 0", got)
	}
}

func testFailedBatchStoresNothing(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := NewRecord(t), NewRecord(t)
	dup := NewRecord(t, func(r *intel.Record) { r.ID = a.ID })
	rs := []*intel.Record{a, b, dup}
	evs := []audit.Event{CreateEvent(a), CreateEvent(b), CreateEvent(dup)}
	err := s.CreateRecords(ctx, rs, evs)
	WantKind(t, err, fault.Conflict)
	if !strings.Contains(err.Error(), a.ID) {
		t.Errorf("conflict %q does not name the repeated record %s", err, a.ID)
	}
	if n, _ := s.CountRecords(ctx); n != 0 {
		t.Fatalf("count = %d after a failed batch, want 0", n)
	}
	_, err = s.GetRecord(ctx, b.ID)
	WantKind(t, err, fault.NotFound)
	if got := auditCount(t, s); got != 0 {
		t.Fatalf("audit has %d entries after a failed batch, want 0", got)
	}

	// A batch repeating an id already stored fails whole too.
	MustCreate(t, s, a)
	c := NewRecord(t)
	again := NewRecord(t, func(r *intel.Record) { r.ID = a.ID })
	err = s.CreateRecords(ctx, []*intel.Record{c, again}, []audit.Event{CreateEvent(c), CreateEvent(again)})
	WantKind(t, err, fault.Conflict)
	if !strings.Contains(err.Error(), a.ID) {
		t.Errorf("conflict %q does not name the stored record %s", err, a.ID)
	}
	if n, _ := s.CountRecords(ctx); n != 1 {
		t.Errorf("count = %d, want 1", n)
	}
	_, err = s.GetRecord(ctx, c.ID)
	WantKind(t, err, fault.NotFound)
	if got := auditCount(t, s); got != 1 {
		t.Errorf("audit has %d entries, want 1", got)
	}
	page, err := s.ListRecords(ctx, store.RecordQuery{Text: "frozen"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 {
		t.Errorf("text search finds %d records after failed batches, want 1", len(page.Records))
	}

	// A large batch failing at its last record leaves nothing of the rows
	// written before it, in any table or index.
	big := make([]*intel.Record, 100)
	bigEvs := make([]audit.Event, len(big))
	for i := range big {
		big[i] = NewRecord(t, Narrative("Zebra skins in a diplomatic bag."), Category("environment/cites-fauna"))
		bigEvs[i] = CreateEvent(big[i])
	}
	big[len(big)-1].ID = a.ID
	WantKind(t, s.CreateRecords(ctx, big, bigEvs), fault.Conflict)
	for _, tc := range []struct {
		q    store.RecordQuery
		want int
	}{
		{store.RecordQuery{Text: "zebra"}, 0},
		{store.RecordQuery{Category: "environment"}, 0},
		{store.RecordQuery{}, 1},
	} {
		page, err := s.ListRecords(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Records) != tc.want {
			t.Errorf("%+v finds %d records after a failed large batch, want %d", tc.q, len(page.Records), tc.want)
		}
	}
	if _, err := s.RecordHistory(ctx, big[0].ID); !fault.Is(err, fault.NotFound) {
		t.Errorf("history of a record of the failed batch: %v, want not found", err)
	}
	if got := auditCount(t, s); got != 1 {
		t.Errorf("audit has %d entries after a failed large batch, want 1", got)
	}
}

func testUpdateKeepsHistory(t *testing.T, s store.Store) {
	ctx := context.Background()
	v1 := NewRecord(t)
	MustCreate(t, s, v1)
	v2 := NextVersion(t, v1, Narrative("Second version: 40 cartons more found."))
	v3 := NextVersion(t, v2, func(r *intel.Record) {
		r.Status = intel.StatusRetracted
		r.Retraction = &intel.Retraction{At: Base().Add(48 * time.Hour), Reason: "duplicate report"}
	})
	for _, r := range []*intel.Record{v2, v3} {
		if err := s.UpdateRecord(ctx, r, ev(audit.ActionRecordUpdate, r.ID)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetRecord(ctx, v1.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, got, v3)
	head, err := s.RecordHead(ctx, v1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.RecordHead{Originator: v3.Originator, Status: intel.StatusRetracted, Version: 3}); head != want {
		t.Errorf("RecordHead = %+v, want %+v", head, want)
	}
	h, err := s.RecordHistory(ctx, v1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 {
		t.Fatalf("history has %d versions, want 3", len(h))
	}
	for i, want := range []*intel.Record{v1, v2, v3} {
		sameRecord(t, h[i], want)
		got, err := s.GetRecordVersion(ctx, v1.ID, i+1)
		if err != nil {
			t.Fatal(err)
		}
		sameRecord(t, got, want)
	}
	if n, _ := s.CountRecords(ctx); n != 1 {
		t.Errorf("count = %d, want 1 (versions are not records)", n)
	}
	page, err := s.ListRecords(ctx, store.RecordQuery{Status: intel.StatusRetracted})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 || page.Records[0].Version != 3 {
		t.Errorf("listing retracted records = %v, want the record at version 3", ids(page.Records))
	}
}

// testRecordHeads checks that RecordHeads reads the head of every record
// held among the ids asked for, as RecordHead does, and nothing of the
// others.
func testRecordHeads(t *testing.T, s store.Store) {
	ctx := context.Background()
	v1, other := NewRecord(t), NewRecord(t)
	if err := s.CreateRecords(ctx, []*intel.Record{v1, other}, []audit.Event{CreateEvent(v1), CreateEvent(other)}); err != nil {
		t.Fatal(err)
	}
	v2 := NextVersion(t, v1, func(r *intel.Record) { r.Status = intel.StatusRetracted })
	if err := s.UpdateRecord(ctx, v2, ev(audit.ActionRecordUpdate, v2.ID)); err != nil {
		t.Fatal(err)
	}
	head, err := s.RecordHead(ctx, v1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.RecordHead{Originator: v2.Originator, Status: intel.StatusRetracted, Version: 2}); head != want {
		t.Fatalf("RecordHead = %+v, want %+v", head, want)
	}
	heads, err := s.RecordHeads(ctx, []string{v1.ID, NewRecord(t).ID, other.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantHeads := map[string]store.RecordHead{v1.ID: head,
		other.ID: {Originator: other.Originator, Status: intel.StatusActive, Version: 1}}
	if !reflect.DeepEqual(heads, wantHeads) {
		t.Errorf("RecordHeads = %+v, want %+v (the record not held absent)", heads, wantHeads)
	}
	if heads, err := s.RecordHeads(ctx, nil); err != nil || len(heads) != 0 {
		t.Errorf("RecordHeads of no ids = %v, %v; want none", heads, err)
	}
}

func testUpdateConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	v1 := NewRecord(t)
	MustCreate(t, s, v1)
	v2 := NextVersion(t, v1, Narrative("updated once"))
	if err := s.UpdateRecord(ctx, v2, ev(audit.ActionRecordUpdate, v1.ID)); err != nil {
		t.Fatal(err)
	}
	before := auditCount(t, s)
	tests := []struct {
		name    string
		version int
	}{
		{"already stored", 2},
		{"older", 1},
		{"skipping one", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NextVersion(t, v1, Narrative("should never be stored"))
			r.Version = tc.version
			WantKind(t, s.UpdateRecord(ctx, r, ev(audit.ActionRecordUpdate, r.ID)), fault.Conflict)
		})
	}
	got, err := s.GetRecord(ctx, v1.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, got, v2)
	if h, _ := s.RecordHistory(ctx, v1.ID); len(h) != 2 {
		t.Errorf("history has %d versions after refused updates, want 2", len(h))
	}
	if after := auditCount(t, s); after != before {
		t.Errorf("audit grew from %d to %d entries on refused updates", before, after)
	}
	page, err := s.ListRecords(ctx, store.RecordQuery{Text: "never"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 0 {
		t.Errorf("text of a refused update is searchable")
	}
}

func testUpdateReindexes(t *testing.T, s store.Store) {
	ctx := context.Background()
	v1 := NewRecord(t, Narrative("Tortoises hidden in socks."), Category("environment/cites-fauna"), Date("2026-03-01"))
	MustCreate(t, s, v1)
	v2 := NextVersion(t, v1, Narrative("Cocaine inside banana boxes."), Category("drugs/cocaine"), Date("2026-03-05"))
	if err := s.UpdateRecord(ctx, v2, ev(audit.ActionRecordUpdate, v1.ID)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    store.RecordQuery
		want int
	}{
		{store.RecordQuery{Text: "tortoises"}, 0},
		{store.RecordQuery{Text: "banana"}, 1},
		{store.RecordQuery{Category: "environment"}, 0},
		{store.RecordQuery{Category: "drugs"}, 1},
		{store.RecordQuery{From: "2026-03-01", To: "2026-03-01"}, 0},
		{store.RecordQuery{From: "2026-03-05", To: "2026-03-05"}, 1},
	}
	for _, tc := range tests {
		page, err := s.ListRecords(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Records) != tc.want {
			t.Errorf("%+v after update: %d records, want %d", tc.q, len(page.Records), tc.want)
		}
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := NewRecord(t)
	MustCreate(t, s, r)
	missing := NewRecord(t)
	tests := []struct {
		name string
		call func() error
	}{
		{"GetRecord", func() error { got, err := s.GetRecord(ctx, missing.ID); return nilOr(got == nil, err) }},
		{"GetRecordVersion of unknown record", func() error {
			got, err := s.GetRecordVersion(ctx, missing.ID, 1)
			return nilOr(got == nil, err)
		}},
		{"GetRecordVersion of unknown version", func() error {
			got, err := s.GetRecordVersion(ctx, r.ID, 2)
			return nilOr(got == nil, err)
		}},
		{"RecordHistory", func() error { got, err := s.RecordHistory(ctx, missing.ID); return nilOr(got == nil, err) }},
		{"RecordHead", func() error {
			got, err := s.RecordHead(ctx, missing.ID)
			return nilOr(got == store.RecordHead{}, err)
		}},
		{"UpdateRecord", func() error {
			return s.UpdateRecord(ctx, NextVersion(t, missing), ev(audit.ActionRecordUpdate, missing.ID))
		}},
		{"UserByTokenHash", func() error { _, err := s.UserByTokenHash(ctx, "nope"); return err }},
		{"Refdata", func() error { got, err := s.Refdata(ctx, "hs"); return nilOr(got == nil, err) }},
		{"Node", func() error { _, err := s.Node(ctx); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			WantKind(t, tc.call(), fault.NotFound)
		})
	}
}

// nilOr checks that a not-found answer carries no value with its error.
func nilOr(isNil bool, err error) error {
	if err != nil && !isNil {
		return fmt.Errorf("returned a value along with error %w", err)
	}
	return err
}

func ids(rs []*intel.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testListFilters(t *testing.T, s store.Store) {
	ctx := context.Background()
	cig := NewRecord(t, Date("2026-01-10"))
	coke := NewRecord(t, Date("2026-02-20"), Category("drugs/cocaine"), Narrative("Cocaine in a shipment of bananas."))
	meth := NewRecord(t, Date("2026-03-05"), Category("drugs/methamphetamine"),
		Narrative("Crystal methamphetamine found by the detector dog at the café counter."),
		func(r *intel.Record) { r.Originator = "JP" })
	ivory := NewRecord(t, Date("2026-03-31"), Category("environment/cites-fauna"), Narrative("Ivory carvings in furniture."),
		func(r *intel.Record) { r.Status = intel.StatusRetracted })
	alert := NewRecord(t, func(r *intel.Record) {
		r.Kind, r.Seizure = intel.KindAlert, nil
		r.Alert = &intel.Alert{Subject: "Drug couriers on flights from Addis Ababa", Category: "drugs/cocaine",
			Summary: "Swallowers travelling alone; one-way tickets bought in cash."}
	})
	warning := NewRecord(t, func(r *intel.Record) {
		r.Kind, r.Seizure = intel.KindWarning, nil
		r.Warning = &intel.Warning{Subject: "Reefer container with cigarettes", Category: "revenue/cigarettes",
			ExpectedFrom: "2026-04-02", SuggestedAction: "check", Narrative: "Expected at Kwai Chung."}
	})
	MustCreate(t, s, cig, coke, meth, ivory, alert, warning)

	all := []*intel.Record{cig, coke, meth, ivory, alert, warning}
	tests := []struct {
		name string
		q    store.RecordQuery
		want []*intel.Record
	}{
		{"everything", store.RecordQuery{}, all},
		{"kind", store.RecordQuery{Kind: intel.KindSeizure}, []*intel.Record{cig, coke, meth, ivory}},
		{"kind alert", store.RecordQuery{Kind: intel.KindAlert}, []*intel.Record{alert}},
		{"exact category", store.RecordQuery{Category: "drugs/cocaine"}, []*intel.Record{coke, alert}},
		{"section", store.RecordQuery{Category: "drugs"}, []*intel.Record{coke, meth, alert}},
		{"section of a warning", store.RecordQuery{Category: "revenue"}, []*intel.Record{cig, warning}},
		{"partial section name matches nothing", store.RecordQuery{Category: "drug"}, nil},
		{"one narrative word", store.RecordQuery{Text: "bananas"}, []*intel.Record{coke}},
		{"word in any case", store.RecordQuery{Text: "IVORY"}, []*intel.Record{ivory}},
		{"word without its accent", store.RecordQuery{Text: "cafe"}, []*intel.Record{meth}},
		{"word with its accent", store.RecordQuery{Text: "café"}, []*intel.Record{meth}},
		{"goods description", store.RecordQuery{Text: "assorted"}, []*intel.Record{cig, coke, meth, ivory}},
		{"alert summary", store.RecordQuery{Text: "swallowers"}, []*intel.Record{alert}},
		{"all words must match", store.RecordQuery{Text: "cocaine bananas"}, []*intel.Record{coke}},
		{"a missing word excludes", store.RecordQuery{Text: "cocaine zebra"}, nil},
		{"party names are not text", store.RecordQuery{Text: "Chan"}, nil},
		{"from", store.RecordQuery{From: "2026-03-05", Kind: intel.KindSeizure}, []*intel.Record{meth, ivory}},
		{"to", store.RecordQuery{To: "2026-02-20"}, []*intel.Record{cig, coke}},
		{"from and to inclusive", store.RecordQuery{From: "2026-02-20", To: "2026-03-31"}, []*intel.Record{coke, meth, ivory}},
		{"warning's expected date", store.RecordQuery{From: "2026-04-01", To: "2026-04-30"}, []*intel.Record{warning}},
		{"originator", store.RecordQuery{Originator: "JP"}, []*intel.Record{meth}},
		{"status", store.RecordQuery{Status: intel.StatusRetracted}, []*intel.Record{ivory}},
		{"status active", store.RecordQuery{Status: intel.StatusActive, Kind: intel.KindSeizure}, []*intel.Record{cig, coke, meth}},
		{"combined", store.RecordQuery{Kind: intel.KindSeizure, Category: "drugs", From: "2026-03-01", Text: "detector"},
			[]*intel.Record{meth}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.ListRecords(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			want := ids(tc.want)
			sort.Sort(sort.Reverse(sort.StringSlice(want)))
			if got := ids(page.Records); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if page.Next != "" {
				t.Errorf("next = %q on the only page", page.Next)
			}
		})
	}
}

func testListTextIsSafe(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := NewRecord(t, Narrative(`Cartons marked "AND" and "NEAR" were opened; frozen-fish labels (fake) found.`))
	MustCreate(t, s, r)
	tests := []struct {
		text  string
		found bool
	}{
		{`frozen`, true},
		{`frozen"`, true},
		{`"frozen`, true},
		{`"frozen fish"`, true},
		{`frozen-fish`, true},
		{`(fake)`, true},
		{`AND`, true},
		{`near`, true},
		{`fish*`, true},
		{`text:frozen`, false},
		{`"`, false},
		{`""`, false},
		{`*`, false},
		{`-`, false},
		{`NOT frozen`, false},
		{`frozen OR zebra`, false},
		{`NEAR(frozen fish)`, true},
		{`frozen NEAR/2 fish`, false},
		{`^frozen`, true},
		{`'; DROP TABLE records; --`, false},
		{`a"b`, false},
		{`\`, false},
		{`!!!`, false},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			page, err := s.ListRecords(ctx, store.RecordQuery{Text: tc.text})
			if err != nil {
				t.Fatalf("query %q: %v", tc.text, err)
			}
			if found := len(page.Records) == 1; found != tc.found {
				t.Errorf("query %q found %d records, want found=%v", tc.text, len(page.Records), tc.found)
			}
		})
	}
	if n, _ := s.CountRecords(ctx); n != 1 {
		t.Errorf("count = %d after hostile queries, want 1", n)
	}
}

func testListPagination(t *testing.T, s store.Store) {
	ctx := context.Background()
	rs := make([]*intel.Record, 60)
	for i := range rs {
		rs[i] = NewRecord(t, func(r *intel.Record) {
			if i%3 == 0 {
				r.Seizure.Goods[0].Category = "drugs/cannabis"
			}
		})
	}
	MustCreate(t, s, rs...)
	all := ids(rs)
	sort.Sort(sort.Reverse(sort.StringSlice(all)))
	var drugs []string
	for _, r := range rs {
		if r.Seizure.Goods[0].Category == "drugs/cannabis" {
			drugs = append(drugs, r.ID)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(drugs)))

	tests := []struct {
		name  string
		q     store.RecordQuery
		want  []string
		pages int
	}{
		{"limit 1", store.RecordQuery{Limit: 1}, all, 60},
		{"limit 7", store.RecordQuery{Limit: 7}, all, 9},
		{"exact multiple", store.RecordQuery{Limit: 20}, all, 3},
		{"one page exactly", store.RecordQuery{Limit: 60}, all, 1},
		{"default limit", store.RecordQuery{}, all, 2},
		{"filtered", store.RecordQuery{Category: "drugs", Limit: 6}, drugs, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			q := tc.q
			limit := q.Limit
			if limit == 0 {
				limit = store.DefaultLimit
			}
			pages := 0
			for {
				page, err := s.ListRecords(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(page.Records) == 0 || len(page.Records) > limit {
					t.Fatalf("page %d has %d records, want 1..%d", pages, len(page.Records), limit)
				}
				got = append(got, ids(page.Records)...)
				if page.Next == "" {
					break
				}
				if page.Next != page.Records[len(page.Records)-1].ID {
					t.Fatalf("next = %q, want the last id of the page", page.Next)
				}
				if pages > len(tc.want) {
					t.Fatal("pagination does not end")
				}
				q.Cursor = page.Next
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages joined = %d ids, want %d in id order without duplicates or gaps:\n got %v\nwant %v",
					len(got), len(tc.want), got, tc.want)
			}
			if pages != tc.pages {
				t.Errorf("%d pages, want %d", pages, tc.pages)
			}
		})
	}
}

func testListLimits(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustCreate(t, s, NewRecord(t))
	tests := []struct {
		name  string
		q     store.RecordQuery
		field string
	}{
		{"limit too large", store.RecordQuery{Limit: store.MaxLimit + 1}, "limit"},
		{"negative limit", store.RecordQuery{Limit: -1}, "limit"},
		{"bad from", store.RecordQuery{From: "14/10/2026"}, "from"},
		{"bad to", store.RecordQuery{To: "2026-13-01"}, "to"},
		{"to before from", store.RecordQuery{From: "2026-02-01", To: "2026-01-01"}, "to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.ListRecords(ctx, tc.q)
			WantField(t, err, tc.field)
		})
	}
	page, err := s.ListRecords(ctx, store.RecordQuery{Limit: store.MaxLimit})
	if err != nil {
		t.Fatalf("limit %d: %v", store.MaxLimit, err)
	}
	if len(page.Records) != 1 {
		t.Errorf("limit %d: %d records, want 1", store.MaxLimit, len(page.Records))
	}
}

func testUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	created := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	users := []store.User{
		{Name: "zoe", Role: store.RoleAuditor, TokenHash: "h-zoe", Created: created},
		{Name: "admin", Role: store.RoleAdmin, TokenHash: "h-admin", Created: created},
		{Name: "op", Role: store.RoleAnalyst, TokenHash: "h-op", Created: created, Operations: []string{"OP-JADE", "OP-2026-07"}},
		{Name: "gone", Role: store.RoleAnalyst, TokenHash: "h-gone", Created: created, Disabled: true},
	}
	for _, u := range users {
		if err := s.CreateUser(ctx, u, ev(audit.ActionUserCreate, u.Name)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.UserByTokenHash(ctx, "h-admin")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "admin" || got.Role != store.RoleAdmin || got.TokenHash != "h-admin" || !got.Created.Equal(created) || got.Disabled {
		t.Errorf("user by token = %+v", got)
	}
	if got.Operations != nil {
		t.Errorf("user admin operations = %q, want none", got.Operations)
	}
	op, err := s.UserByTokenHash(ctx, "h-op")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"OP-JADE", "OP-2026-07"}; !slices.Equal(op.Operations, want) {
		t.Errorf("user op operations = %q, want %q", op.Operations, want)
	}
	_, err = s.UserByTokenHash(ctx, "h-gone")
	WantKind(t, err, fault.NotFound)

	list, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range list {
		names = append(names, u.Name)
	}
	if want := []string{"admin", "gone", "op", "zoe"}; !slices.Equal(names, want) {
		t.Errorf("users = %v, want %v", names, want)
	}
	if !slices.Equal(list[2].Operations, []string{"OP-JADE", "OP-2026-07"}) {
		t.Errorf("listed user op operations = %q", list[2].Operations)
	}
	if !list[1].Disabled {
		t.Errorf("user gone is not listed as disabled")
	}

	before := auditCount(t, s)
	bad := []struct {
		name string
		u    store.User
		kind fault.Kind
	}{
		{"same name", store.User{Name: "admin", Role: store.RoleAnalyst, TokenHash: "h-other"}, fault.Conflict},
		{"same token", store.User{Name: "other", Role: store.RoleAnalyst, TokenHash: "h-zoe"}, fault.Conflict},
		{"no name", store.User{Role: store.RoleAnalyst, TokenHash: "h-x"}, fault.Invalid},
		{"unknown role", store.User{Name: "x", Role: "root", TokenHash: "h-x"}, fault.Invalid},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			WantKind(t, s.CreateUser(ctx, tc.u, ev(audit.ActionUserCreate, tc.u.Name)), tc.kind)
		})
	}
	if after := auditCount(t, s); after != before {
		t.Errorf("audit grew from %d to %d entries on refused users", before, after)
	}
}

func testAuditChain(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.InitNode(ctx, store.Node{Code: "HK"}, ev(audit.ActionNodeInit, "HK")); err != nil {
		t.Fatal(err)
	}
	a, b := NewRecord(t), NewRecord(t)
	MustCreate(t, s, a, b)
	if err := s.UpdateRecord(ctx, NextVersion(t, a), ev(audit.ActionRecordUpdate, a.ID)); err != nil {
		t.Fatal(err)
	}
	written, err := s.Audit(ctx, ev(audit.ActionRecordRead, a.ID), audit.Event{Actor: "anonymous", Action: audit.ActionAuthFailed, Detail: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, store.User{Name: "ana", Role: store.RoleAnalyst, TokenHash: "h-ana"}, ev(audit.ActionUserCreate, "ana")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRefdata(ctx, "hs", []byte(`{"0101":"Horses"}`), ev(audit.ActionRefdataLoad, "hs")); err != nil {
		t.Fatal(err)
	}
	es := MustVerifyAudit(t, s)
	want := []struct{ action, target string }{
		{audit.ActionNodeInit, "HK"},
		{audit.ActionRecordCreate, a.ID},
		{audit.ActionRecordCreate, b.ID},
		{audit.ActionRecordUpdate, a.ID},
		{audit.ActionRecordRead, a.ID},
		{audit.ActionAuthFailed, ""},
		{audit.ActionUserCreate, "ana"},
		{audit.ActionRefdataLoad, "hs"},
	}
	if len(es) != len(want) {
		t.Fatalf("audit has %d entries, want %d", len(es), len(want))
	}
	for i, w := range want {
		if es[i].Action != w.action || es[i].Target != w.target {
			t.Errorf("entry %d = %s %q, want %s %q", es[i].Seq, es[i].Action, es[i].Target, w.action, w.target)
		}
	}
	if len(written) != 2 {
		t.Fatalf("Audit returned %d entries, want 2", len(written))
	}
	for i, e := range written {
		sameEntry(t, e, es[4+i])
	}
	if es[5].Actor != "anonymous" || es[5].Detail != "127.0.0.1" {
		t.Errorf("entry 6 = %+v, actor and detail not kept", es[5])
	}
	for i := 1; i < len(es); i++ {
		if es[i].Time.Before(es[i-1].Time) {
			t.Errorf("entry %d is dated before entry %d", es[i].Seq, es[i-1].Seq)
		}
	}
}

func sameEntry(tb testing.TB, got, want audit.Entry) {
	tb.Helper()
	if got.Seq != want.Seq || !got.Time.Equal(want.Time) || got.Actor != want.Actor || got.Action != want.Action ||
		got.Target != want.Target || got.Detail != want.Detail || got.Prev != want.Prev || got.Hash != want.Hash {
		tb.Errorf("entry = %+v, want %+v", got, want)
	}
}

func testAuditEntries(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range 10 {
		if _, err := s.Audit(ctx, ev(audit.ActionRecordRead, fmt.Sprintf("R%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	all := MustVerifyAudit(t, s)
	pivot := all[4].Time
	filter := func(keep func(audit.Entry) bool) []audit.Entry {
		var out []audit.Entry
		for _, e := range all {
			if keep(e) {
				out = append(out, e)
			}
		}
		return out
	}
	tests := []struct {
		name string
		q    store.AuditQuery
		want []audit.Entry
	}{
		{"all", store.AuditQuery{}, all},
		{"limit", store.AuditQuery{Limit: 3}, all[:3]},
		{"after", store.AuditQuery{AfterSeq: 7}, all[7:]},
		{"after and limit", store.AuditQuery{AfterSeq: 2, Limit: 2}, all[2:4]},
		{"from inclusive", store.AuditQuery{From: pivot}, filter(func(e audit.Entry) bool { return !e.Time.Before(pivot) })},
		{"to exclusive", store.AuditQuery{To: pivot}, filter(func(e audit.Entry) bool { return e.Time.Before(pivot) })},
		{"from and to", store.AuditQuery{From: all[2].Time, To: all[6].Time}, filter(func(e audit.Entry) bool {
			return !e.Time.Before(all[2].Time) && e.Time.Before(all[6].Time)
		})},
		{"from after everything", store.AuditQuery{From: all[9].Time.Add(time.Nanosecond)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AuditEntries(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d entries, want %d", len(got), len(tc.want))
			}
			for i := range got {
				sameEntry(t, got[i], tc.want[i])
			}
		})
	}
	_, err := s.AuditEntries(ctx, store.AuditQuery{Limit: store.MaxLimit + 1})
	WantField(t, err, "limit")
}

func testWalkAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 2345 // more than one page of any sensible page size
	evs := make([]audit.Event, n)
	for i := range evs {
		evs[i] = ev(audit.ActionRecordRead, fmt.Sprintf("R%d", i))
	}
	if _, err := s.Audit(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	es := MustVerifyAudit(t, s)
	if len(es) != n {
		t.Fatalf("walked %d entries, want %d", len(es), n)
	}
	for i, e := range es {
		if e.Target != evs[i].Target {
			t.Fatalf("entry %d has target %s, want %s", e.Seq, e.Target, evs[i].Target)
		}
	}

	stop := errors.New("stop here")
	calls := 0
	err := s.WalkAudit(ctx, func(audit.Entry) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("walk returned %v, want the error fn returned", err)
	}
	if calls != 2 {
		t.Errorf("fn called %d times, want 2 (stop at its first error)", calls)
	}
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	ctx := context.Background()
	const writers, rounds, batch = 4, 8, 3
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				rs := make([]*intel.Record, batch)
				evs := make([]audit.Event, batch)
				for i := range rs {
					rs[i] = NewRecord(t)
					evs[i] = CreateEvent(rs[i])
				}
				if err := s.CreateRecords(ctx, rs, evs); err != nil {
					errs <- err
					return
				}
				if _, err := s.Audit(ctx, ev(audit.ActionRecordRead, rs[0].ID)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, _ := s.CountRecords(ctx); n != writers*rounds*batch {
		t.Errorf("count = %d, want %d", n, writers*rounds*batch)
	}
	if got, want := auditCount(t, s), writers*rounds*(batch+1); got != want {
		t.Errorf("audit has %d entries, want %d", got, want)
	}
}

func testRefdata(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.Refdata(ctx, "countries")
	WantKind(t, err, fault.NotFound)
	v1 := []byte("code,name\nHK,Hong Kong\n")
	v2 := []byte("code,name\nHK,Hong Kong\nMO,Macao\n")
	for _, data := range [][]byte{v1, v2} {
		if err := s.PutRefdata(ctx, "countries", data, ev(audit.ActionRefdataLoad, "countries")); err != nil {
			t.Fatal(err)
		}
		got, err := s.Refdata(ctx, "countries")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(data) {
			t.Errorf("refdata = %q, want %q", got, data)
		}
	}
	if _, err := s.Refdata(ctx, "hs"); !fault.Is(err, fault.NotFound) {
		t.Errorf("other set: %v, want not found", err)
	}
	WantField(t, s.PutRefdata(ctx, "", v1, ev(audit.ActionRefdataLoad, "")), "set")
	if got := auditCount(t, s); got != 2 {
		t.Errorf("audit has %d entries, want 2", got)
	}
}
