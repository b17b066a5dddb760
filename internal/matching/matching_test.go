package matching

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/match"
	"liaison/internal/store"
	"liaison/internal/store/sqlite"
	"liaison/internal/store/storetest"
)

// MustStore opens a SQLite store in a temporary directory, closed when the
// test ends.
func MustStore(tb testing.TB) (store.Store, string) {
	tb.Helper()
	dir := tb.TempDir()
	return mustStoreIn(tb, dir), dir
}

func mustStoreIn(tb testing.TB, dir string) store.Store {
	tb.Helper()
	db, err := sqlite.OpenWith(context.Background(), dir, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustService returns a rebuilt service over st, running until the test
// ends.
func MustService(tb testing.TB, st store.Store, opt match.Options) *Service {
	tb.Helper()
	svc, err := New(Config{Store: st, Logger: slog.New(slog.DiscardHandler), Index: opt, CatchUp: -1})
	if err != nil {
		tb.Fatal(err)
	}
	if err := svc.Rebuild(context.Background()); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx) }()
	tb.Cleanup(func() { cancel(); <-done })
	return svc
}

func mustIdle(tb testing.TB, svc *Service) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := svc.Idle(ctx); err != nil {
		tb.Fatal(err)
	}
}

// person makes a seizure naming one person and nothing else to match on.
func person(tb testing.TB, name, birth, nationality string, mods ...func(*intel.Record)) *intel.Record {
	tb.Helper()
	r := storetest.NewRecord(tb, func(r *intel.Record) {
		r.Seizure.Conveyance = nil
		r.Seizure.Containers = nil
		r.Seizure.Parties = []intel.Party{{Type: "person", Role: "consignee", Name: name, BirthDate: birth, Nationality: nationality}}
	})
	for _, m := range mods {
		m(r)
	}
	return r
}

func operation(op string) func(*intel.Record) {
	return func(r *intel.Record) {
		r.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: op}
	}
}

func others(ls []match.Link) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Record)
	}
	slices.Sort(out)
	return out
}

var (
	admin   = store.User{Name: "root", Role: store.RoleAdmin}
	member  = store.User{Name: "mei", Role: store.RoleAnalyst, Operations: []string{"OP-JADE"}}
	outside = store.User{Name: "olaf", Role: store.RoleAnalyst}
)

func TestIngestLinksRespectVisibilityAndRetraction(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	svc := MustService(t, st, match.Options{})
	obs := Observe(st, svc)
	cn := person(t, "陳大文", "1975-03-02", "HK", func(r *intel.Record) { r.Originator = "CN" })
	hk := person(t, "Chan Tai Man", "1975-03-02", "HK")
	hidden := person(t, "CHAN Tai-man", "1975-03-02", "HK", operation("OP-JADE"))
	stranger := person(t, "Pierre Dupont", "1960-01-01", "FR")
	storetest.MustCreate(t, obs, cn, hk, hidden, stranger)
	mustIdle(t, svc)

	for _, tc := range []struct {
		name string
		u    store.User
		want []string
	}{
		{"admin", admin, []string{hk.ID, hidden.ID}},
		{"member", member, []string{hk.ID, hidden.ID}},
		{"outsider", outside, []string{hk.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls, err := svc.RecordMatches(ctx, tc.u, cn.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := others(ls); !slices.Equal(got, want) {
				t.Fatalf("matches of the Han-character record: %v, want %v", got, want)
			}
			for _, l := range ls {
				if l.Score < match.Threshold || len(l.Reasons) == 0 || l.Entity.Name != "陳大文" {
					t.Errorf("link %+v: want a score at or above the threshold, reasons, and the record's own entity", l)
				}
			}
			res, err := svc.Search(ctx, tc.u, match.Query{Name: "Chan Tai Man", Type: match.Person})
			if err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, r := range res {
				found = append(found, r.Record)
			}
			if slices.Contains(found, hidden.ID) != slices.Contains(tc.want, hidden.ID) {
				t.Errorf("search shows the operation record: %v, want %v", found, slices.Contains(tc.want, hidden.ID))
			}
			if slices.Contains(found, stranger.ID) {
				t.Errorf("search found the unrelated record %s", stranger.ID)
			}
		})
	}
	// The operation record itself does not exist for an outsider.
	_, err := svc.RecordMatches(ctx, outside, hidden.ID)
	storetest.WantKind(t, err, fault.NotFound)

	// A retraction removes the record from the index and its links.
	v2 := storetest.NextVersion(t, hk, func(r *intel.Record) { r.Status = intel.StatusRetracted })
	if err := obs.UpdateRecord(ctx, v2, audit.Event{Actor: "t", Action: audit.ActionRecordRetract, Target: hk.ID}); err != nil {
		t.Fatal(err)
	}
	mustIdle(t, svc)
	ls, err := svc.RecordMatches(ctx, admin, cn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := others(ls); slices.Contains(got, hk.ID) {
		t.Errorf("after retraction the record still links to it: %v", got)
	}
	res, err := svc.Search(ctx, admin, match.Query{Name: "Chan Tai Man", Type: match.Person})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Record == hk.ID {
			t.Errorf("retracted record still found by search")
		}
	}
}

func TestRebuildMatchesWhatWasStoredWithoutIt(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	a := person(t, "Ivanov Sergei Petrovich", "1980-05-05", "RU")
	b := person(t, "Иванов Сергей Петрович", "1980-05-05", "RU")
	storetest.MustCreate(t, st, a, b) // not observed: nothing matched yet
	MustService(t, st, match.Options{})
	ls, err := st.Matches(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].Other != b.ID {
		t.Fatalf("links of a after rebuild: %+v, want one to b", ls)
	}
	left, err := st.Unmatched(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("records left unmatched after rebuild: %v", left)
	}
}

func TestExclusionsAndOvercorrelation(t *testing.T) {
	ctx := context.Background()
	st, dir := MustStore(t)
	svc := MustService(t, st, match.Options{MaxShared: 2})
	obs := Observe(st, svc)
	var rs []*intel.Record
	for range 4 {
		rs = append(rs, person(t, "UNKNOWN", "", ""))
	}
	storetest.MustCreate(t, obs, rs...)
	mustIdle(t, svc)
	over, err := svc.Overcorrelated()
	if err != nil {
		t.Fatal(err)
	}
	if len(over) == 0 || over[0].Type != match.Person || over[0].Records < 3 {
		t.Fatalf("overcorrelated %+v, want the name shared by every record", over)
	}

	_, err = svc.Exclude(ctx, "root", "planet", "x", "")
	storetest.WantField(t, err, "type")
	x, err := svc.Exclude(ctx, "root", match.Person, "Chan Tai Man", "a placeholder in old reports")
	if err != nil {
		t.Fatal(err)
	}
	if x.ID == 0 || x.Actor != "root" {
		t.Errorf("exclusion %+v", x)
	}
	_, err = svc.Exclude(ctx, "root", match.Person, "Chan Tai Man", "again")
	storetest.WantKind(t, err, fault.Conflict)
	res, err := svc.Search(ctx, admin, match.Query{Name: "Chan Tai Man", Type: match.Person})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 0 {
		t.Errorf("an excluded name still finds %v", res)
	}
	a := person(t, "Chan Tai Man", "1975-03-02", "HK")
	b := person(t, "Chan Tai Man", "1975-03-02", "HK")
	storetest.MustCreate(t, obs, a, b)
	mustIdle(t, svc)
	if ls, _ := svc.RecordMatches(ctx, admin, b.ID); len(ls) != 0 {
		t.Errorf("an excluded name still links records: %+v", ls)
	}

	// A new process over the same database applies the exclusion.
	again := MustService(t, mustStoreIn(t, dir), match.Options{})
	ex := again.Index().Excluded()
	if len(ex) != 1 || ex[0].Type != match.Person {
		t.Errorf("excluded after restart: %+v, want the person name", ex)
	}
}

// TestMatchedVersionNotMatchedAgain queues a record version twice: the
// second time it is not matched and stored again (no new watermark).
func TestMatchedVersionNotMatchedAgain(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	svc := MustService(t, st, match.Options{})
	r := storetest.NewRecord(t)
	storetest.MustCreate(t, st, r)
	svc.notify([]item{{rec: r}})
	mustIdle(t, svc)
	first, err := st.MatchMarks(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || first[0].ID != r.ID || first[0].Version != 1 {
		t.Fatalf("marks after matching the record once: %+v", first)
	}
	svc.notify([]item{{rec: r}})
	mustIdle(t, svc)
	again, err := st.MatchMarks(ctx, first[0].Seq, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("the version matched already was matched again: %+v", again)
	}
	next := storetest.NextVersion(t, r, storetest.Narrative("second"))
	if err := st.UpdateRecord(ctx, next, audit.Event{Actor: "analyst1", Action: audit.ActionRecordUpdate, Target: r.ID}); err != nil {
		t.Fatal(err)
	}
	svc.notify([]item{{rec: next}})
	mustIdle(t, svc)
	if later, err := st.MatchMarks(ctx, first[0].Seq, 10); err != nil || len(later) != 1 || later[0].Version != 2 {
		t.Errorf("marks after a new version: %+v, %v; want version 2 matched", later, err)
	}
}

// TestLongCatchUpSaysHowFarItHasGot checks that building the index and
// matching the records left unmatched log their progress (counts only, no
// names) while they go on.
func TestLongCatchUpSaysHowFarItHasGot(t *testing.T) {
	st, _ := MustStore(t)
	a := person(t, "Ivanov Sergei Petrovich", "1980-05-05", "RU")
	b := person(t, "Иванов Сергей Петрович", "1980-05-05", "RU")
	storetest.MustCreate(t, st, a, b)
	// Enough records for the build to say how far it has got.
	more := make([]*intel.Record, 1100)
	for i := range more {
		more[i] = person(t, "Ivanov Sergei Petrovich", "1980-05-05", "RU")
	}
	storetest.MustCreate(t, st, more...)
	old := progressEvery
	progressEvery = 0
	defer func() { progressEvery = old }()
	var out strings.Builder
	s, err := New(Config{Store: st, Logger: slog.New(slog.NewTextHandler(&out, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := out.String()
	if !strings.Contains(log, `msg="matching records not matched yet" records_done=0`) {
		t.Errorf("no progress line of the catch-up in the log:\n%s", log)
	}
	if !strings.Contains(log, `msg="building match index" records_read=1024`) {
		t.Errorf("no progress line of the build in the log:\n%s", log)
	}
	if strings.Contains(log, "Ivanov") || strings.Contains(log, "Иванов") {
		t.Errorf("the log names a person:\n%s", log)
	}
}

// pausedWalk is a store whose walk of the records stops after the first
// record until release is closed, so that a test sees the service while
// its index is being built.
type pausedWalk struct {
	store.Store
	first   chan struct{}
	release chan struct{}
}

func (p *pausedWalk) WalkRecords(ctx context.Context, fn func(*intel.Record) error) error {
	n := 0
	return p.Store.WalkRecords(ctx, func(r *intel.Record) error {
		if n++; n == 2 {
			close(p.first)
			<-p.release
		}
		return fn(r)
	})
}

// TestServesWhileBuilding checks what a service says while Run builds its
// index from the store: searches and the over-correlation list answer
// "unavailable" naming the build and how far it has got, the state says
// so, an exclusion made meanwhile is kept by the index once built, and
// once built searches find the stored records.
func TestServesWhileBuilding(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	chan1 := person(t, "Chan Tai Man", "1970-01-02", "HK")
	storetest.MustCreate(t, st, chan1, person(t, "Ivanov Sergei", "", "RU"), person(t, "Placeholder Name", "", ""))
	p := &pausedWalk{Store: st, first: make(chan struct{}), release: make(chan struct{})}
	svc, err := New(Config{Store: p, Logger: slog.New(slog.DiscardHandler), CatchUp: -1})
	if err != nil {
		t.Fatal(err)
	}
	if st := svc.State(); st.Ready {
		t.Fatalf("state %+v before the index was built", st)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-p.first

	if st := svc.State(); st.Ready || st.RecordsRead != 1 {
		t.Errorf("state while building %+v, want not ready and 1 record read", st)
	}
	u := store.User{Name: "root", Role: store.RoleAdmin}
	_, err = svc.Search(ctx, u, match.Query{Name: "Chan Tai Man"})
	if !fault.Is(err, fault.Unavailable) || !strings.Contains(err.Error(), "being built") || !strings.Contains(err.Error(), "1 records read") {
		t.Errorf("search while building: %v, want unavailable naming the build", err)
	}
	if _, err := svc.Overcorrelated(); !fault.Is(err, fault.Unavailable) {
		t.Errorf("over-correlated while building: %v, want unavailable", err)
	}
	if _, err := svc.Search(ctx, u, match.Query{}); !fault.Is(err, fault.Invalid) {
		t.Errorf("a bad query while building: %v, want it named invalid first", err)
	}
	if _, err := svc.Exclude(ctx, "root", match.Person, "Placeholder Name", "a placeholder"); err != nil {
		t.Fatal(err)
	}
	if pending, err := svc.Pending(ctx, chan1.ID); err != nil || !pending {
		t.Errorf("a record never matched: pending %v, %v; want pending", pending, err)
	}

	close(p.release)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := svc.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	if st := svc.State(); !st.Ready {
		t.Errorf("state %+v after the build", st)
	}
	res, err := svc.Search(ctx, u, match.Query{Name: "Chan Tai Man"})
	if err != nil || len(res) == 0 || res[0].Entity.Name != "Chan Tai Man" {
		t.Errorf("search once built: %+v, %v", res, err)
	}
	if res, err := svc.Search(ctx, u, match.Query{Name: "Placeholder Name"}); err != nil || len(res) != 0 {
		t.Errorf("the name excluded while building still finds %+v (%v)", res, err)
	}
	found := false
	for _, x := range svc.Index().Excluded() {
		found = found || x.Type == match.Person && x.Value == "Placeholder Name"
	}
	if !found {
		t.Errorf("the built index lists exclusions %+v, without the one made while building", svc.Index().Excluded())
	}
	mustIdle(t, svc)
	if pending, err := svc.Pending(ctx, chan1.ID); err != nil || pending {
		t.Errorf("a record matched by the catch-up after the build: pending %v, %v; want not", pending, err)
	}
	if _, err := svc.Pending(ctx, "01NOSUCHRECORD0000000000000"); !fault.Is(err, fault.NotFound) {
		t.Errorf("pending of an unknown record: %v, want not found", err)
	}
}

// matchedBetween runs then, once, as soon as the first read of a record's
// links or of its matched version has returned: what a service's own
// matching does when it stores a record's links between the two reads.
type matchedBetween struct {
	store.Store
	once sync.Once
	then func()
}

func (m *matchedBetween) Matches(ctx context.Context, id string) ([]store.MatchLink, error) {
	ls, err := m.Store.Matches(ctx, id)
	m.once.Do(m.then)
	return ls, err
}

func (m *matchedBetween) MatchedVersion(ctx context.Context, id string) (int, error) {
	v, err := m.Store.MatchedVersion(ctx, id)
	m.once.Do(m.then)
	return v, err
}

// TestMatchesNeverSayNonePending checks that a record whose links are
// stored while they are being read is either still said to be pending or
// shown with its links: never shown with none and not pending, which reads
// as "no other record shares an entity with it".
func TestMatchesNeverSayNonePending(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	a := person(t, "Ivanov Sergei Petrovich", "1980-05-05", "RU")
	b := person(t, "Иванов Сергей Петрович", "1980-05-05", "RU")
	storetest.MustCreate(t, st, a, b) // not matched yet, as on a node just restored
	mb := &matchedBetween{Store: st}
	svc, err := New(Config{Store: mb, Logger: slog.New(slog.DiscardHandler), CatchUp: -1})
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	mb.then = func() {
		ran = true
		// The build matches the records stored without it.
		if err := svc.Rebuild(ctx); err != nil {
			t.Error(err)
		}
	}
	ls, pending, err := svc.RecordMatchesPending(ctx, admin, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !ran {
		t.Fatal("the records were not matched between the reads")
	}
	if !pending && len(ls) == 0 {
		t.Fatal("matches of a record matched while they were read: none, and not pending")
	}
	// Once matched, the next look shows the link and nothing pending.
	ls, pending, err = svc.RecordMatchesPending(ctx, admin, a.ID)
	if err != nil || pending || !slices.Equal(others(ls), []string{b.ID}) {
		t.Fatalf("matches once matched: %v, pending %v, %v; want b's and not pending", others(ls), pending, err)
	}
	if _, _, err := svc.RecordMatchesPending(ctx, outside, operationRecord(t, st).ID); !fault.Is(err, fault.NotFound) {
		t.Errorf("matches of a record the user may not see: %v, want not found", err)
	}
}

// operationRecord stores a record of operation OP-JADE.
func operationRecord(tb testing.TB, st store.Store) *intel.Record {
	tb.Helper()
	r := person(tb, "Wong Siu Ming", "", "HK", operation("OP-JADE"))
	storetest.MustCreate(tb, st, r)
	return r
}

// puts counts the sets of each PutMatches call.
type puts struct {
	store.Store
	mu    sync.Mutex
	calls []int
}

func (p *puts) PutMatches(ctx context.Context, sets []store.MatchSet) error {
	p.mu.Lock()
	p.calls = append(p.calls, len(sets))
	p.mu.Unlock()
	return p.Store.PutMatches(ctx, sets)
}

// A burst arriving in parts (a peer's batches of envelopes) is matched in
// one batch of drainMax records, stored in one transaction, rather than a
// batch for each part.
func TestBurstGathered(t *testing.T) {
	defer func(w time.Duration) { gatherWait = w }(gatherWait)
	gatherWait = time.Minute // the test ends when drainMax records are gathered
	st, _ := MustStore(t)
	p := &puts{Store: st}
	svc := MustService(t, p, match.Options{})
	part := func() []item {
		items := make([]item, drainMax/2)
		for i := range items {
			items[i] = item{rec: storetest.NewRecord(t)}
		}
		return items
	}
	first, second := part(), part()
	// Records notified before Run has started are left to its catch-up,
	// which finds those stored: these are not.
	for !svc.running.Load() {
		time.Sleep(time.Millisecond)
	}
	svc.notify(first)
	// Taken from the queue, the first part waits for more; without that
	// wait it would be matched alone in the meantime.
	time.Sleep(100 * time.Millisecond)
	svc.notify(second)
	mustIdle(t, svc)
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Equal(p.calls, []int{drainMax}) {
		t.Errorf("a burst of two parts of %d records stored in transactions of %v sets, want one of %d", drainMax/2, p.calls, drainMax)
	}
	for _, it := range append(first, second...) {
		if v, err := st.MatchedVersion(context.Background(), it.rec.ID); err != nil || v != 1 {
			t.Fatalf("record %s matched at version %d (%v), want 1", it.rec.ID, v, err)
		}
	}
}

// fieldOf is the field an Invalid error names first, "" for any other
// error.
func fieldOf(err error) string {
	if !fault.Is(err, fault.Invalid) {
		return ""
	}
	var l fault.List
	if errors.As(err, &l) && len(l) > 0 {
		return l[0].Field
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

// TestSearchRefusesWhatCannotMatch checks that a search the index could
// find nothing for, whatever the records, is refused naming the field
// rather than answered with an empty list, which means "no match".
func TestSearchRefusesWhatCannotMatch(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	svc := MustService(t, st, match.Options{})
	r := person(t, "Chan Tai Man", "1975-03-02", "HK", func(r *intel.Record) {
		r.Seizure.Containers = []string{"CSQU3054383"}
	})
	storetest.MustCreate(t, Observe(st, svc), r)
	mustIdle(t, svc)

	for _, tc := range []struct {
		name  string
		q     match.Query
		field string
	}{
		{"min_score NaN", match.Query{Name: "Chan Tai Man", MinScore: math.NaN()}, "min_score"},
		{"container check digit", match.Query{Name: "CSQU3054384", Type: match.Container}, "name"},
		{"container shape", match.Query{Name: "garbage", Type: match.Container}, "name"},
		{"phone", match.Query{Name: "abc", Type: match.Phone}, "name"},
		{"e-mail", match.Query{Name: "not-an-address", Type: match.Email}, "name"},
		{"document placeholder", match.Query{Name: "HK:000000", Type: match.Document}, "name"},
		{"flight", match.Query{Name: "zz", Type: match.Flight}, "name"},
		{"address", match.Query{Name: "1 A", Type: match.Address}, "name"},
		{"vehicle", match.Query{Name: "--", Type: match.Vehicle}, "name"},
		{"legal form only", match.Query{Name: "有限公司", Type: match.Organisation}, "name"},
		{"title only", match.Query{Name: "Mr", Type: match.Person}, "name"},
		{"punctuation", match.Query{Name: "...!!"}, "name"},
		{"blank", match.Query{Name: "   "}, "name"},
		{"emoji", match.Query{Name: "😀", Type: match.Vessel}, "name"},
		{"invalid UTF-8", match.Query{Name: "\xff\xfe"}, "name"},
		{"too long", match.Query{Name: strings.Repeat("Chan Tai Man ", 30)}, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Search(ctx, admin, tc.q)
			if got := fieldOf(err); got != tc.field {
				t.Errorf("search %+v: %v, want an invalid error naming %s", tc.q, err, tc.field)
			}
		})
	}
	// What the index can read is searched as before, in any spelling.
	for _, q := range []match.Query{
		{Name: "陳大文"},
		{Name: "csqu 305438-3", Type: match.Container},
		{Name: "Chan Tai Man", Type: match.Person, MinScore: 0.5},
	} {
		res, err := svc.Search(ctx, admin, q)
		if err != nil {
			t.Fatalf("search %+v: %v", q, err)
		}
		if len(res) == 0 || res[0].Record != r.ID {
			t.Errorf("search %+v found %+v, want %s", q, res, r.ID)
		}
	}
}

// TestSearchRefusedBeforeIndexBuilt checks that a search the index could
// not read is refused as such while the index is being built, not told
// to come back later.
func TestSearchRefusedBeforeIndexBuilt(t *testing.T) {
	st, _ := MustStore(t)
	svc, err := New(Config{Store: st, Logger: slog.New(slog.DiscardHandler), CatchUp: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Search(context.Background(), admin, match.Query{Name: "有限公司", Type: match.Organisation})
	if fieldOf(err) != "name" {
		t.Errorf("search of a legal form alone before the index is built: %v, want invalid naming name", err)
	}
	_, err = svc.Search(context.Background(), admin, match.Query{Name: "Chan Tai Man"})
	storetest.WantKind(t, err, fault.Unavailable)
}

// TestExcludeSameValueInAnotherSpelling checks that a value already
// excluded in another spelling is a conflict naming the exclusion, so that
// removing that exclusion lets the value link records again.
func TestExcludeSameValueInAnotherSpelling(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	svc := MustService(t, st, match.Options{})
	first := map[match.Type]string{
		match.Phone:        "+852 2345 6789",
		match.Organisation: "Golden Harvest Trading Co., Ltd.",
		match.Person:       "Chan Tai Man",
		match.Container:    "CSQU3054383",
	}
	ids := map[match.Type]int64{}
	for typ, v := range first {
		x, err := svc.Exclude(ctx, "root", typ, v, "")
		if err != nil {
			t.Fatalf("exclude %s %q: %v", typ, v, err)
		}
		ids[typ] = x.ID
	}
	for _, tc := range []struct {
		typ   match.Type
		value string
	}{
		{match.Phone, "+852 2345 6789"},
		{match.Phone, "+85223456789"},
		{match.Phone, "00852 2345 6789"},
		{match.Organisation, "golden harvest trading"},
		{match.Organisation, "GOLDEN HARVEST TRADING LIMITED"},
		{match.Person, "CHAN, Tai-Man"},
		{match.Container, "csqu 305438-3"},
	} {
		_, err := svc.Exclude(ctx, "root", tc.typ, tc.value, "")
		storetest.WantKind(t, err, fault.Conflict)
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Field != "value" || !strings.Contains(fe.Message, fmt.Sprintf("exclusion %d ", ids[tc.typ])) {
			t.Errorf("exclude %s %q again: %v, want a conflict naming value and exclusion %d", tc.typ, tc.value, err, ids[tc.typ])
		}
	}
	// Another value, or the same words as another type, is excluded.
	for _, tc := range []struct {
		typ   match.Type
		value string
	}{
		{match.Phone, "+852 2345 6780"},
		{match.Person, "Chan Tai Ming"},
		{match.Organisation, "Chan Tai Man"},
	} {
		if _, err := svc.Exclude(ctx, "root", tc.typ, tc.value, ""); err != nil {
			t.Errorf("exclude %s %q: %v", tc.typ, tc.value, err)
		}
	}
	xs, err := svc.Exclusions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != len(first)+3 {
		t.Errorf("%d exclusions stored, want %d: %+v", len(xs), len(first)+3, xs)
	}
}

// TestExcludeReasonCountsCharacters checks that the limit of a reason is
// in characters, as its message says, not in bytes.
func TestExcludeReasonCountsCharacters(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	svc := MustService(t, st, match.Options{})
	if _, err := svc.Exclude(ctx, "root", match.Phone, "+852 2345 6789", strings.Repeat("é", 300)); err != nil {
		t.Errorf("a reason of 300 accented letters: %v", err)
	}
	_, err := svc.Exclude(ctx, "root", match.Phone, "+852 2345 6780", strings.Repeat("é", 501))
	if fieldOf(err) != "reason" {
		t.Errorf("a reason of 501 characters: %v, want invalid naming reason", err)
	}
	_, err = svc.Exclude(ctx, "root", match.Address, strings.Repeat("12 Queen's Road ", 100), "")
	if fieldOf(err) != "value" {
		t.Errorf("an address longer than any record holds: %v, want invalid naming value", err)
	}
}

// failingExclusions is a store whose exclusions cannot be stored.
type failingExclusions struct{ store.Store }

func (failingExclusions) AddMatchExclusion(context.Context, store.MatchExclusion, audit.Event) (store.MatchExclusion, error) {
	return store.MatchExclusion{}, errors.New("disk full")
}

// TestExcludeNotStoredIsForgotten checks that an exclusion the store
// failed to keep does not stay in the index: the index is rebuilt from the
// store, and the value links records again.
func TestExcludeNotStoredIsForgotten(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	a := person(t, "Chan Tai Man", "1975-03-02", "HK")
	storetest.MustCreate(t, st, a)
	svc := MustService(t, failingExclusions{st}, match.Options{})
	if _, err := svc.Exclude(ctx, "root", match.Person, "Chan Tai Man", ""); err == nil || fault.Is(err, fault.Invalid) {
		t.Fatalf("exclude with a failing store: %v, want the store's error", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mustIdle(t, svc)
		res, err := svc.Search(ctx, admin, match.Query{Name: "Chan Tai Man", Type: match.Person})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) == 1 && res[0].Record == a.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the exclusion the store did not keep still holds: search finds %+v", res)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRecordMatchesLeaveOutRetracted checks that a record retracted before
// its retraction was matched is not shown as a match, and that a retracted
// record shows no matches.
func TestRecordMatchesLeaveOutRetracted(t *testing.T) {
	ctx := context.Background()
	st, _ := MustStore(t)
	svc := MustService(t, st, match.Options{})
	a := person(t, "Chan Tai Man", "1975-03-02", "HK")
	b := person(t, "陳大文", "1975-03-02", "HK")
	storetest.MustCreate(t, Observe(st, svc), a, b)
	mustIdle(t, svc)
	if ls, err := svc.RecordMatches(ctx, admin, a.ID); err != nil || len(ls) != 1 {
		t.Fatalf("matches of a: %+v, %v; want one to b", ls, err)
	}
	// Retracted in the store, not yet matched.
	v2 := storetest.NextVersion(t, b, func(r *intel.Record) { r.Status = intel.StatusRetracted })
	if err := st.UpdateRecord(ctx, v2, audit.Event{Actor: "t", Action: audit.ActionRecordRetract, Target: b.ID}); err != nil {
		t.Fatal(err)
	}
	if ls, err := svc.RecordMatches(ctx, admin, a.ID); err != nil || len(ls) != 0 {
		t.Errorf("matches of a after b was retracted: %+v, %v; want none", ls, err)
	}
	if ls, err := svc.RecordMatches(ctx, admin, b.ID); err != nil || ls == nil || len(ls) != 0 {
		t.Errorf("matches of the retracted b: %+v, %v; want an empty list", ls, err)
	}
}

// slowPuts counts the sets stored for each record and takes its time over
// each call, as a node's links store does under a sustained load.
type slowPuts struct {
	store.Store
	delay time.Duration
	mu    sync.Mutex
	sets  map[string]int
}

func (p *slowPuts) PutMatches(ctx context.Context, sets []store.MatchSet) error {
	time.Sleep(p.delay)
	p.mu.Lock()
	for _, s := range sets {
		p.sets[s.Record]++
	}
	p.mu.Unlock()
	return p.Store.PutMatches(ctx, sets)
}

// TestOverflowMatchesEachRecordOnce checks that records arriving faster
// than they are matched, so that the queue overflows and the catch-up
// finds what it could not hold, are each matched once: a catch-up while
// batches wait in the queue, or one that forgot what it matched before
// those batches came out of the queue, matched them twice (replacing the
// stored set the second time), which made a node under a sustained load
// fall further behind. The catch-up matches the records it noted as
// missed, or, when more were missed than it notes, reads them all.
func TestOverflowMatchesEachRecordOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  int
	}{{"noted", maxMissed}, {"read all", 3}} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(m int) { maxMissed = m }(maxMissed)
			maxMissed = tc.max
			said := testOverflowMatchesEachRecordOnce(t)
			// Which way the catch-ups found the records.
			if all := strings.Contains(said, "every_record=true"); all != (tc.max < 200) {
				t.Errorf("a catch-up read every record: %v, want %v\n%s", all, tc.max < 200, said)
			}
		})
	}
}

func testOverflowMatchesEachRecordOnce(t *testing.T) (said string) {
	ctx := context.Background()
	st, _ := MustStore(t)
	p := &slowPuts{Store: st, delay: 50 * time.Millisecond, sets: map[string]int{}}
	var logs bytes.Buffer
	var logMu sync.Mutex
	svc, err := New(Config{Store: p, Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, nil)),
		Queue: 2, CatchUp: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	for !svc.running.Load() {
		time.Sleep(time.Millisecond)
	}
	// Batches stored and handed over as a node receives them: stored,
	// then queued if the queue has room.
	var ids []string
	for range 40 {
		batch := make([]*intel.Record, 5)
		items := make([]item, len(batch))
		for i := range batch {
			batch[i] = storetest.NewRecord(t)
			items[i] = item{id: batch[i].ID}
			ids = append(ids, batch[i].ID)
		}
		storetest.MustCreate(t, st, batch...)
		svc.notify(items)
		time.Sleep(2 * time.Millisecond)
	}
	mustIdle(t, svc)
	logMu.Lock()
	said = logs.String()
	logMu.Unlock()
	if !strings.Contains(said, "match catch-up") {
		t.Fatalf("the queue never overflowed (no catch-up logged): the test did not test it\n%s", said)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		if n := p.sets[id]; n != 1 {
			t.Errorf("record %s matched %d times, want once", id, n)
		}
		if v, err := st.MatchedVersion(ctx, id); err != nil || v != 1 {
			t.Errorf("record %s matched at version %d (%v), want 1", id, v, err)
		}
	}
	return said
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
