package records_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/records"
	"liaison/internal/store"
	"liaison/internal/store/sqlite"
)

// codes is a small fixed code list, enough for the records these tests
// build; the full lists live in the directory package.
type codes struct{}

func (codes) Country(c string) bool { return in(c, "HK", "JP", "VN", "FR", "CN") }
func (codes) HSChapter(c string) (known, reserved bool) {
	switch c {
	case "77", "98", "99":
		return true, true
	case "24", "03", "93":
		return true, false
	}
	return false, false
}
func (codes) HSFull() bool              { return false }
func (codes) HSCode(string) bool        { return false }
func (codes) Unit(c string) bool        { return in(c, "piece", "kg") }
func (codes) Currency(c string) bool    { return in(c, "HKD", "USD") }
func (codes) Category(c string) bool    { return in(c, "revenue/cigarettes", "drugs/cocaine") }
func (codes) Transport(c string) bool   { return in(c, "sea", "air") }
func (codes) Detection(c string) bool   { return in(c, "x-ray") }
func (codes) Concealment(c string) bool { return in(c, "mixed-with-legitimate-cargo") }

func in(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

var _ intel.Codes = codes{}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	svc   *records.Service
	store store.Store
	clock *clock
}

// MustService returns a Service for node HK over a new SQLite store.
func MustService(tb testing.TB) fixture {
	tb.Helper()
	return MustServiceFor(tb, "HK")
}

// MustServiceFor returns a Service for node over a new SQLite store.
func MustServiceFor(tb testing.TB, node string) fixture {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	c := &clock{t: time.Date(2026, 10, 20, 8, 30, 0, 123456789, time.UTC)}
	svc := records.New(records.Config{Node: node, Store: db, Codes: codes{}, Now: c.Now})
	return fixture{svc: svc, store: db, clock: c}
}

// seizure returns a valid seizure record.
func seizure() *intel.Record {
	return &intel.Record{
		Kind:         intel.KindSeizure,
		Grading:      intel.Grading{Source: "B", Information: "2"},
		Handling:     intel.Handling{Code: "H0"},
		Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}},
		Seizure: &intel.Seizure{
			Date:      "2026-10-14",
			Place:     intel.Place{Country: "HK", Locode: "HKHKG"},
			Direction: "import",
			Detection: "x-ray",
			Transport: "sea",
			Goods: []intel.Goods{{Category: "revenue/cigarettes", Description: "cigarettes", HS: "240220",
				Quantity: 8000000, Unit: "piece", Value: &intel.Money{Amount: 2400000, Currency: "HKD"}}},
			Narrative: "Declared as frozen fish; cigarettes found behind the first row of cartons.",
		},
	}
}

// MustCreate stores a valid seizure.
func MustCreate(tb testing.TB, f fixture) *intel.Record {
	tb.Helper()
	r, _, err := f.svc.Create(context.Background(), "alice", seizure())
	if err != nil {
		tb.Fatalf("create: %v", err)
	}
	return r
}

// MustAudit returns every audit entry.
func MustAudit(tb testing.TB, s store.Store) []audit.Entry {
	tb.Helper()
	var es []audit.Entry
	if err := s.WalkAudit(context.Background(), func(e audit.Entry) error {
		es = append(es, e)
		return nil
	}); err != nil {
		tb.Fatalf("walk audit: %v", err)
	}
	return es
}

func lastAudit(tb testing.TB, s store.Store) audit.Entry {
	tb.Helper()
	es := MustAudit(tb, s)
	if len(es) == 0 {
		tb.Fatal("audit log is empty")
	}
	return es[len(es)-1]
}

func count(tb testing.TB, s store.Store) int64 {
	tb.Helper()
	n, err := s.CountRecords(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// fields returns the field names of a validation error.
func fields(err error) []string {
	var l fault.List
	if errors.As(err, &l) {
		out := make([]string, len(l))
		for i, e := range l {
			out[i] = e.Field
		}
		return out
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return []string{fe.Field}
	}
	return nil
}

func TestCreateAssignsServerFields(t *testing.T) {
	f := MustService(t)
	in := seizure()
	past := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	in.ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
	in.Originator = "JP"
	in.Version = 7
	in.Created, in.Updated = &past, &past
	in.Status = intel.StatusRetracted
	in.Retraction = &intel.Retraction{At: past, Reason: "x"}

	got, warnings, err := f.svc.Create(context.Background(), "alice", in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings = %v, want none", warnings)
	}
	now := f.clock.Now().UTC().Truncate(time.Millisecond)
	if got.ID == in.ID || len(got.ID) != 26 {
		t.Errorf("id = %q, want a new ULID", got.ID)
	}
	if got.Originator != "HK" || got.Version != 1 || got.Status != intel.StatusActive || got.Retraction != nil {
		t.Errorf("originator, version, status, retraction = %q, %d, %q, %v; want HK, 1, active, nil",
			got.Originator, got.Version, got.Status, got.Retraction)
	}
	if got.Created == nil || !got.Created.Equal(now) || got.Updated == nil || !got.Updated.Equal(now) {
		t.Errorf("created, updated = %v, %v; want both %v", got.Created, got.Updated, now)
	}
	if in.ID != "01ARZ3NDEKTSV4RRFFQ69G5FAV" || in.Version != 7 {
		t.Error("Create modified its argument")
	}
	stored, err := f.store.GetRecord(context.Background(), got.ID)
	if err != nil {
		t.Fatalf("get stored: %v", err)
	}
	if stored.Originator != "HK" || stored.Seizure.Narrative != in.Seizure.Narrative {
		t.Errorf("stored record differs: %+v", stored)
	}
	e := lastAudit(t, f.store)
	if e.Action != audit.ActionRecordCreate || e.Actor != "alice" || e.Target != got.ID {
		t.Errorf("audit entry = %+v, want record.create by alice on %s", e, got.ID)
	}
}

func TestCreateReturnsWarnings(t *testing.T) {
	f := MustService(t)
	r := seizure()
	r.Seizure.Conveyance = &intel.Conveyance{VesselIMO: "9074728"} // check digit should be 9
	got, warnings, err := f.svc.Create(context.Background(), "alice", r)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(warnings) != 1 || warnings[0].Field != "seizure.conveyance.vessel_imo" {
		t.Fatalf("warnings = %+v, want one on seizure.conveyance.vessel_imo", warnings)
	}
	if got.ID == "" {
		t.Error("record with a warning was not stored")
	}
}

func TestCreateInvalidStoresNothing(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*intel.Record)
		field string
	}{
		{"reserved hs chapter", func(r *intel.Record) { r.Seizure.Goods[0].HS = "770100" }, "seizure.goods[0].hs"},
		{"unknown country", func(r *intel.Record) { r.Seizure.Place = intel.Place{Country: "XX"} }, "seizure.place.country"},
		{"bad container", func(r *intel.Record) { r.Seizure.Containers = []string{"CSQU3054384"} }, "seizure.containers[0]"},
		{"missing kind section", func(r *intel.Record) { r.Seizure = nil }, "seizure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := MustService(t)
			r := seizure()
			tt.edit(r)
			_, _, err := f.svc.Create(context.Background(), "alice", r)
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
			if fs := fields(err); len(fs) == 0 || fs[0] != tt.field {
				t.Errorf("fields = %v, want first %q", fs, tt.field)
			}
			if n := count(t, f.store); n != 0 {
				t.Errorf("%d records stored, want 0", n)
			}
		})
	}
}

func TestCreateIDsIncreaseWithinOneMillisecond(t *testing.T) {
	f := MustService(t) // the clock does not move
	prev := ""
	for range 50 {
		r := MustCreate(t, f)
		if r.ID <= prev {
			t.Fatalf("id %s does not follow %s", r.ID, prev)
		}
		prev = r.ID
	}
}

func TestCreateBatch(t *testing.T) {
	f := MustService(t)
	ctx := context.Background()
	imported := seizure()
	imported.ID = "01JAB3NDEKTSV4RRFFQ69G5FAV"
	imported.Originator = "JP"
	imported.Version = 3
	fresh := seizure()
	// An id or an originator that is given but invalid is refused, naming
	// it, and nothing of the batch is stored: replacing them would make
	// the record this node's own.
	for _, bad := range []struct {
		id, originator, field string
	}{{"not-a-ulid", "JP", "id"}, {"01JAB3NDEKTSV4RRFFQ69G5FAW", "", "originator"}, {"01JAB3NDEKTSV4RRFFQ69G5FAW", "ZZ", "originator"}} {
		r := seizure()
		r.ID, r.Originator = bad.id, bad.originator
		_, err := f.svc.CreateBatch(ctx, "import", []*intel.Record{imported, r, fresh})
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Field != bad.field {
			t.Errorf("batch with id %q, originator %q: %v, want an error naming %s", bad.id, bad.originator, err, bad.field)
		}
		if n := count(t, f.store); n != 0 {
			t.Fatalf("a refused batch stored %d records", n)
		}
	}

	got, err := f.svc.CreateBatch(ctx, "import", []*intel.Record{imported, fresh})
	if err != nil {
		t.Fatalf("batch: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d records, want 2", len(got))
	}
	if got[0].ID != imported.ID || got[0].Originator != "JP" || got[0].Version != 3 {
		t.Errorf("imported record = %s/%s v%d, want its own id, JP, v3", got[0].ID, got[0].Originator, got[0].Version)
	}
	if r := got[1]; r.ID == "" || r.Originator != "HK" || r.Version != 1 {
		t.Errorf("new record = %s/%s v%d, want a new id, HK, v1", r.ID, r.Originator, r.Version)
	}
	if n := count(t, f.store); n != 2 {
		t.Errorf("stored %d records, want 2", n)
	}
	stored, err := f.store.GetRecord(ctx, imported.ID)
	if err != nil || stored.Originator != "JP" {
		t.Errorf("imported record not stored under its id: %v", err)
	}
	var creates int
	for _, e := range MustAudit(t, f.store) {
		if e.Action == audit.ActionRecordCreate && e.Actor == "import" {
			creates++
		}
	}
	if creates != 2 {
		t.Errorf("%d record.create audit entries, want 2", creates)
	}
}

func TestCreateBatchInvalidStoresNothing(t *testing.T) {
	f := MustService(t)
	rs := make([]*intel.Record, 15)
	for i := range rs {
		rs[i] = seizure()
	}
	rs[12].Seizure.Goods[0].HS = "770100"
	_, err := f.svc.CreateBatch(context.Background(), "import", rs)
	if !fault.Is(err, fault.Invalid) {
		t.Fatalf("err = %v, want invalid", err)
	}
	if fs := fields(err); len(fs) != 1 || fs[0] != "records[12].seizure.goods[0].hs" {
		t.Errorf("fields = %v, want [records[12].seizure.goods[0].hs]", fs)
	}
	if n := count(t, f.store); n != 0 {
		t.Errorf("%d records stored, want 0", n)
	}
}

func TestCreateBatchDuplicateIDs(t *testing.T) {
	f := MustService(t)
	a, b := seizure(), seizure()
	a.ID, a.Originator = "01JAB3NDEKTSV4RRFFQ69G5FAV", "JP"
	b.ID, b.Originator = a.ID, "JP"
	_, err := f.svc.CreateBatch(context.Background(), "import", []*intel.Record{a, b})
	if fs := fields(err); len(fs) != 1 || fs[0] != "records[1].id" {
		t.Errorf("err = %v, want a fault on records[1].id", err)
	}
	if n := count(t, f.store); n != 0 {
		t.Errorf("%d records stored, want 0", n)
	}
}

func TestCreateBatchExistingIDConflicts(t *testing.T) {
	f := MustService(t)
	r := MustCreate(t, f)
	again := seizure()
	again.ID, again.Originator = r.ID, r.Originator
	_, err := f.svc.CreateBatch(context.Background(), "import", []*intel.Record{seizure(), again})
	if !fault.Is(err, fault.Conflict) {
		t.Fatalf("err = %v, want conflict", err)
	}
	if n := count(t, f.store); n != 1 {
		t.Errorf("%d records stored, want 1", n)
	}
}

func TestGetAudits(t *testing.T) {
	f := MustService(t)
	r := MustCreate(t, f)
	got, err := f.svc.Get(context.Background(), "bob", r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != r.ID {
		t.Errorf("got %s, want %s", got.ID, r.ID)
	}
	e := lastAudit(t, f.store)
	if e.Action != audit.ActionRecordRead || e.Actor != "bob" || e.Target != r.ID {
		t.Errorf("audit = %+v, want record.read by bob on %s", e, r.ID)
	}
	for _, id := range []string{"01JAB3NDEKTSV4RRFFQ69G5FAV", "nope", ""} {
		if _, err := f.svc.Get(context.Background(), "bob", id); !fault.Is(err, fault.NotFound) {
			t.Errorf("Get(%q) err = %v, want not found", id, err)
		}
	}
}

func TestUpdate(t *testing.T) {
	f := MustService(t)
	ctx := context.Background()
	r := MustCreate(t, f)
	f.clock.Add(time.Minute)

	edit := seizure()
	edit.Seizure.Narrative = "Corrected narrative."
	edit.Version = 1
	v2, _, err := f.svc.Update(ctx, "alice", r.ID, edit)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if v2.Version != 2 || v2.ID != r.ID || v2.Originator != "HK" || !v2.Created.Equal(*r.Created) {
		t.Errorf("v2 = %s/%s v%d created %v; want same id, HK, v2, created %v", v2.ID, v2.Originator, v2.Version, v2.Created, r.Created)
	}
	if !v2.Updated.After(*r.Updated) {
		t.Errorf("updated %v not after %v", v2.Updated, r.Updated)
	}
	e := lastAudit(t, f.store)
	if e.Action != audit.ActionRecordUpdate || e.Detail != "version 2" {
		t.Errorf("audit = %+v, want record.update with detail \"version 2\"", e)
	}
	v1, err := f.svc.Version(ctx, "alice", r.ID, 1)
	if err != nil || v1.Seizure.Narrative != r.Seizure.Narrative {
		t.Errorf("version 1 = %v, %v; want the original", v1, err)
	}
	hist, err := f.svc.History(ctx, "alice", r.ID)
	if err != nil || len(hist) != 2 || hist[0].Version != 1 || hist[1].Version != 2 {
		t.Errorf("history = %d versions, %v; want v1, v2", len(hist), err)
	}

	t.Run("stale version", func(t *testing.T) {
		stale := seizure()
		stale.Version = 1
		_, _, err := f.svc.Update(ctx, "alice", r.ID, stale)
		if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "version 2") {
			t.Errorf("err = %v, want a conflict naming version 2", err)
		}
	})
	t.Run("any version when zero", func(t *testing.T) {
		v3, _, err := f.svc.Update(ctx, "alice", r.ID, seizure())
		if err != nil || v3.Version != 3 {
			t.Errorf("update without version = %v, %v; want version 3", v3, err)
		}
	})
	t.Run("kind cannot change", func(t *testing.T) {
		alert := &intel.Record{Kind: intel.KindAlert, Grading: edit.Grading, Handling: edit.Handling,
			Distribution: edit.Distribution, Alert: &intel.Alert{Subject: "s", Summary: "s"}}
		_, _, err := f.svc.Update(ctx, "alice", r.ID, alert)
		if fs := fields(err); len(fs) == 0 || fs[0] != "kind" {
			t.Errorf("err = %v, want invalid kind", err)
		}
	})
	t.Run("invalid stores nothing", func(t *testing.T) {
		bad := seizure()
		bad.Seizure.Goods[0].HS = "770100"
		if _, _, err := f.svc.Update(ctx, "alice", r.ID, bad); !fault.Is(err, fault.Invalid) {
			t.Errorf("err = %v, want invalid", err)
		}
		cur, _ := f.store.GetRecord(ctx, r.ID)
		if cur.Version != 3 {
			t.Errorf("version %d after a refused update, want 3", cur.Version)
		}
	})
}

func TestUpdateOnlyOwnRecords(t *testing.T) {
	f := MustService(t)
	ctx := context.Background()
	foreign := seizure()
	foreign.ID, foreign.Originator = "01JAB3NDEKTSV4RRFFQ69G5FAV", "JP"
	if _, err := f.svc.CreateBatch(ctx, "import", []*intel.Record{foreign}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Update(ctx, "alice", foreign.ID, seizure()); !fault.Is(err, fault.Forbidden) {
		t.Errorf("update foreign record err = %v, want forbidden", err)
	}
	if _, err := f.svc.Retract(ctx, "alice", foreign.ID, ""); !fault.Is(err, fault.Forbidden) {
		t.Errorf("retract foreign record err = %v, want forbidden", err)
	}
}

func TestRetract(t *testing.T) {
	f := MustService(t)
	ctx := context.Background()
	r := MustCreate(t, f)
	got, err := f.svc.Retract(ctx, "alice", r.ID, "duplicate of an earlier report")
	if err != nil {
		t.Fatalf("retract: %v", err)
	}
	if got.Status != intel.StatusRetracted || got.Version != 2 || got.Retraction == nil ||
		got.Retraction.Reason != "duplicate of an earlier report" {
		t.Errorf("retracted = %+v", got)
	}
	e := lastAudit(t, f.store)
	if e.Action != audit.ActionRecordRetract || e.Target != r.ID {
		t.Errorf("audit = %+v, want record.retract", e)
	}
	if _, err := f.svc.Retract(ctx, "alice", r.ID, ""); !fault.Is(err, fault.Conflict) {
		t.Errorf("second retract err = %v, want conflict", err)
	}
	if _, _, err := f.svc.Update(ctx, "alice", r.ID, seizure()); !fault.Is(err, fault.Conflict) {
		t.Errorf("update of retracted err = %v, want conflict", err)
	}
	stored, _ := f.store.GetRecord(ctx, r.ID)
	if stored.Status != intel.StatusRetracted {
		t.Errorf("stored status %q, want retracted", stored.Status)
	}
}

func TestListValidatesQuery(t *testing.T) {
	f := MustService(t)
	tests := []struct {
		name  string
		q     store.RecordQuery
		field string
	}{
		{"kind", store.RecordQuery{Kind: "rumour"}, "kind"},
		{"from", store.RecordQuery{From: "2026-13-01"}, "from"},
		{"to", store.RecordQuery{To: "yesterday"}, "to"},
		{"to before from", store.RecordQuery{From: "2026-10-02", To: "2026-10-01"}, "to"},
		{"status", store.RecordQuery{Status: "lost"}, "status"},
		{"limit high", store.RecordQuery{Limit: 1001}, "limit"},
		{"limit negative", store.RecordQuery{Limit: -1}, "limit"},
		{"cursor", store.RecordQuery{Cursor: "x"}, "cursor"},
		{"originator", store.RecordQuery{Originator: "hk"}, "originator"},
		{"text", store.RecordQuery{Text: strings.Repeat("a", records.MaxQueryText+1)}, "q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.List(context.Background(), "bob", tt.q)
			if fs := fields(err); len(fs) == 0 || fs[0] != tt.field {
				t.Errorf("err = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func TestListAuditsWithoutQueryText(t *testing.T) {
	f := MustService(t)
	for range 3 {
		MustCreate(t, f)
	}
	page, err := f.svc.List(context.Background(), "bob", store.RecordQuery{Text: "frozen", Kind: intel.KindSeizure})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(page.Records) != 3 {
		t.Errorf("found %d records, want 3", len(page.Records))
	}
	e := lastAudit(t, f.store)
	if e.Action != audit.ActionRecordSearch || e.Actor != "bob" {
		t.Fatalf("audit = %+v, want record.search by bob", e)
	}
	if strings.Contains(e.Detail, "frozen") {
		t.Errorf("audit detail %q holds the query text", e.Detail)
	}
	for _, want := range []string{"kind", "q", "3 results"} {
		if !strings.Contains(e.Detail, want) {
			t.Errorf("audit detail %q lacks %q", e.Detail, want)
		}
	}
}

func TestListPages(t *testing.T) {
	f := MustService(t)
	want := map[string]bool{}
	for range 7 {
		want[MustCreate(t, f).ID] = true
	}
	seen := map[string]bool{}
	q := store.RecordQuery{Limit: 3}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		page, err := f.svc.List(context.Background(), "bob", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			if seen[r.ID] {
				t.Errorf("record %s listed twice", r.ID)
			}
			seen[r.ID] = true
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if len(seen) != len(want) {
		t.Errorf("walked %d records, want %d", len(seen), len(want))
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("record %s never listed", id)
		}
	}
}

func TestConcurrentUpdatesOneWins(t *testing.T) {
	f := MustService(t)
	r := MustCreate(t, f)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			edit := seizure()
			edit.Version = 1
			_, _, errs[i] = f.svc.Update(context.Background(), "alice", r.ID, edit)
		}()
	}
	wg.Wait()
	var ok int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !fault.Is(err, fault.Conflict):
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent updates of version 1 succeeded, want 1", ok)
	}
}
