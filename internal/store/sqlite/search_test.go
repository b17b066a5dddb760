package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// mustOpenAt opens the database in dir, to be closed by the caller.
func mustOpenAt(tb testing.TB, dir string) *DB {
	tb.Helper()
	db, err := OpenWith(context.Background(), dir, Options{
		Now:    storetest.NewClock(storetest.Base()).Now,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func mustClose(tb testing.TB, db *DB) {
	tb.Helper()
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
}

// copySearch copies the search index of a closed database, its log
// included, from one directory to another, replacing what is there.
func copySearch(tb testing.TB, from, to string) {
	tb.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		dst := filepath.Join(to, SearchFileName+suffix)
		if err := os.Remove(dst); err != nil && !os.IsNotExist(err) {
			tb.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(from, SearchFileName+suffix))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
}

// searchIDs returns the ids of the records a text search lists.
func searchIDs(tb testing.TB, s store.Store, text string) []string {
	tb.Helper()
	page, err := s.ListRecords(context.Background(), store.RecordQuery{Text: text})
	if err != nil {
		tb.Fatal(err)
	}
	ids := []string{}
	for _, r := range page.Records {
		ids = append(ids, r.ID)
	}
	return ids
}

func wantIDs(tb testing.TB, what string, got []string, want ...string) {
	tb.Helper()
	if want == nil {
		want = []string{}
	}
	if len(got) != len(want) {
		tb.Errorf("%s: got %v, want %v", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			tb.Errorf("%s: got %v, want %v", what, got, want)
			return
		}
	}
}

// indexState returns, once the index jobs started have ended, the change
// count the index reflects, the number of records it holds and the number
// of changes to records.
func indexState(tb testing.TB, db *DB) (indexed, docs, changes int64) {
	tb.Helper()
	db.smu.Lock()
	err := db.indexIdle(context.Background())
	db.smu.Unlock()
	if err != nil {
		tb.Fatal(err)
	}
	err = db.read.QueryRow(`SELECT (SELECT seq FROM search.state), (SELECT count(*) FROM search.docs),
		(SELECT seq FROM record_changes)`).Scan(&indexed, &docs, &changes)
	if err != nil {
		tb.Fatal(err)
	}
	return indexed, docs, changes
}

func TestSearchIndexIsRepairedAtOpen(t *testing.T) {
	dir, snapshot := t.TempDir(), t.TempDir()
	ctx := context.Background()
	kept := storetest.NewRecord(t, storetest.Narrative("Pangolin scales under frozen fish."))
	changed := storetest.NewRecord(t, storetest.Narrative("Ivory carvings in a piano."))
	db := mustOpenAt(t, dir)
	storetest.MustCreate(t, db, kept, changed)
	mustClose(t, db)
	// The index as it was before the next changes; putting it back below
	// is what a crash after the records' commit and before the index's
	// leaves behind.
	copySearch(t, dir, snapshot)

	db = mustOpenAt(t, dir)
	added := storetest.NewRecord(t, storetest.Narrative("Cocaine in banana boxes."))
	storetest.MustCreate(t, db, added)
	v2 := storetest.NextVersion(t, changed, storetest.Narrative("Rhino horn in a piano."))
	if err := db.UpdateRecord(ctx, v2, storetest.CreateEvent(v2)); err != nil {
		t.Fatal(err)
	}
	mustClose(t, db)
	copySearch(t, snapshot, dir)

	db = mustOpenAt(t, dir)
	defer mustClose(t, db)
	if indexed, docs, changes := indexState(t, db); indexed != changes || docs != 3 {
		t.Errorf("after open the index reflects %d of %d changes and holds %d records, want all and 3", indexed, changes, docs)
	}
	wantIDs(t, "record whose index entry was lost", searchIDs(t, db, "banana"), added.ID)
	wantIDs(t, "new text of an update whose index entry was lost", searchIDs(t, db, "rhino"), changed.ID)
	wantIDs(t, "old text of that update", searchIDs(t, db, "ivory"))
	wantIDs(t, "record indexed before", searchIDs(t, db, "pangolin"), kept.ID)
	wantIDs(t, "word of several records", searchIDs(t, db, "piano"), changed.ID)
}

func TestSearchIndexDropsEntriesOfUnknownRecords(t *testing.T) {
	dir, later := t.TempDir(), t.TempDir()
	db := mustOpenAt(t, dir)
	kept := storetest.NewRecord(t, storetest.Narrative("Pangolin scales under frozen fish."))
	storetest.MustCreate(t, db, kept)
	mustClose(t, db)
	// An index ahead of its records (say, the records restored from an
	// older backup) holds entries for rowids no record has.
	mainDB, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	db = mustOpenAt(t, dir)
	lost := storetest.NewRecord(t, storetest.Narrative("Cocaine in banana boxes."))
	storetest.MustCreate(t, db, lost)
	mustClose(t, db)
	copySearch(t, dir, later)
	if err := os.WriteFile(filepath.Join(dir, FileName), mainDB, 0o600); err != nil {
		t.Fatal(err)
	}

	db = mustOpenAt(t, dir)
	defer mustClose(t, db)
	if indexed, docs, changes := indexState(t, db); indexed != changes || docs != 1 {
		t.Errorf("after open the index reflects %d of %d changes and holds %d records, want all and 1", indexed, changes, docs)
	}
	wantIDs(t, "text of a record that is gone", searchIDs(t, db, "banana"))
	// The rowid is free again and a new record takes it.
	next := storetest.NewRecord(t, storetest.Narrative("Tortoise shells behind frozen fish."))
	storetest.MustCreate(t, db, next)
	wantIDs(t, "text of the record now at that rowid", searchIDs(t, db, "tortoise"), next.ID)
	wantIDs(t, "text of the record gone from it", searchIDs(t, db, "banana"))
}

func TestSearchCatchesUpWithChangesMadeWithoutIndexing(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := storetest.NewRecord(t, storetest.Narrative("Cocaine in banana boxes."))
	storetest.MustCreate(t, db, r)
	// Change the record as a path that leaves indexing to the next search
	// does: a new version and a bumped change count, no index entry.
	v2 := storetest.NextVersion(t, r, storetest.Narrative("Heroin in mango boxes."))
	body, err := encode(v2)
	if err != nil {
		t.Fatal(err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE records SET version = 2 WHERE id = ?`, []any{r.ID}},
			{`INSERT INTO record_versions (id, version, body) VALUES (?, 2, ?)`, []any{r.ID, body.body}},
			{`UPDATE record_changes SET seq = seq + 1`, nil},
		} {
			if _, err := tx.Exec(q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "new text", searchIDs(t, db, "mango"), r.ID)
	wantIDs(t, "old text", searchIDs(t, db, "banana"))
	if indexed, _, changes := indexState(t, db); indexed != changes {
		t.Errorf("the index reflects %d of %d changes after a search", indexed, changes)
	}
}

func TestSearchFindsRecordsStoredWithoutIndexing(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenAt(t, dir)
	ctx := context.Background()
	first := storetest.NewRecord(t, storetest.Narrative("Cocaine in banana boxes."))
	storetest.MustCreate(t, db, first)
	// Store a record as a path that leaves indexing to the next search
	// does (records received from a peer): its rows and a bumped change
	// count, no index entry.
	r := storetest.NewRecord(t, storetest.Narrative("Heroin in mango boxes."))
	w, err := encode(r)
	if err != nil {
		t.Fatal(err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO records (id, kind, originator, version, status, event_date) VALUES (?, ?, ?, 1, ?, ?)`,
				[]any{r.ID, string(r.Kind), r.Originator, string(r.Status), w.args[5]}},
			{`INSERT INTO record_versions (id, version, body) VALUES (?, 1, ?)`, []any{r.ID, w.body}},
			{`UPDATE record_changes SET seq = seq + 1`, nil},
		} {
			if _, err := tx.Exec(q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "record stored without indexing", searchIDs(t, db, "mango"), r.ID)
	wantIDs(t, "word of both", searchIDs(t, db, "boxes"), r.ID, first.ID)
	if indexed, docs, changes := indexState(t, db); indexed != changes || docs != 2 {
		t.Errorf("the index reflects %d of %d changes and holds %d records, want all and 2", indexed, changes, docs)
	}
	mustClose(t, db)
}

func TestUpdateLogIsPrunedAtOpen(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenAt(t, dir)
	ctx := context.Background()
	r := storetest.NewRecord(t, storetest.Narrative("Cocaine in banana boxes."))
	storetest.MustCreate(t, db, r)
	for _, n := range []string{"Heroin in mango boxes.", "Ivory in piano crates."} {
		r = storetest.NextVersion(t, r, storetest.Narrative(n))
		if err := db.UpdateRecord(ctx, r, storetest.CreateEvent(r)); err != nil {
			t.Fatal(err)
		}
	}
	count := func(db *DB) (n int) {
		if err := db.read.QueryRow(`SELECT count(*) FROM record_updates`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(db); n != 2 {
		t.Errorf("record_updates has %d entries after two updates, want 2", n)
	}
	mustClose(t, db)
	db = mustOpenAt(t, dir)
	defer mustClose(t, db)
	if n := count(db); n != 0 {
		t.Errorf("record_updates has %d entries after a restart, want 0", n)
	}
	wantIDs(t, "latest text", searchIDs(t, db, "piano"), r.ID)
	wantIDs(t, "earlier text", searchIDs(t, db, "mango"))
}

func TestFailedWritesLeaveTheIndexUnchanged(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	a := storetest.NewRecord(t, storetest.Narrative("Cocaine in banana boxes."))
	storetest.MustCreate(t, db, a)
	indexed, docs, changes := indexState(t, db)

	big := make([]*intel.Record, 200)
	evs := make([]audit.Event, len(big))
	for i := range big {
		big[i] = storetest.NewRecord(t, storetest.Narrative("Zebra skins in a diplomatic bag."))
		evs[i] = storetest.CreateEvent(big[i])
	}
	big[len(big)-1].ID = a.ID
	storetest.WantKind(t, db.CreateRecords(ctx, big, evs), fault.Conflict)
	stale := storetest.NextVersion(t, a, storetest.Narrative("Zebra skins in banana boxes."))
	stale.Version = 3
	storetest.WantKind(t, db.UpdateRecord(ctx, stale, storetest.CreateEvent(stale)), fault.Conflict)

	i2, d2, c2 := indexState(t, db)
	if i2 != indexed || d2 != docs || c2 != changes {
		t.Errorf("after failed writes: index at %d with %d records for %d changes, want %d, %d, %d",
			i2, d2, c2, indexed, docs, changes)
	}
	wantIDs(t, "text of the failed writes", searchIDs(t, db, "zebra"))
	wantIDs(t, "text stored before", searchIDs(t, db, "banana"), a.ID)
}

func TestSearchIndexIsRebuiltWhenMissingOrOfAnotherLayout(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenAt(t, dir)
	rs := []*intel.Record{
		storetest.NewRecord(t, storetest.Narrative("Cocaine in banana boxes.")),
		storetest.NewRecord(t, storetest.Narrative("Heroin in banana crates.")),
	}
	storetest.MustCreate(t, db, rs...)
	mustClose(t, db)

	tests := []struct {
		name  string
		alter func(t *testing.T)
	}{
		{"missing", func(t *testing.T) {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(filepath.Join(dir, SearchFileName+suffix)); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
		}},
		{"another layout", func(t *testing.T) {
			db := mustOpenAt(t, dir)
			if _, err := db.searchW.Exec(`PRAGMA user_version = 99`); err != nil {
				t.Fatal(err)
			}
			mustClose(t, db)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.alter(t)
			db := mustOpenAt(t, dir)
			defer mustClose(t, db)
			wantIDs(t, "search", searchIDs(t, db, "banana"), rs[1].ID, rs[0].ID)
			var v int
			if err := db.searchW.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v != searchVersion {
				t.Errorf("index layout %d, want %d", v, searchVersion)
			}
		})
	}
}

// cancelAfter is a context that ends after its Err has been asked n times,
// to cancel a write between two of its statements.
type cancelAfter struct {
	context.Context
	mu   sync.Mutex
	n    int
	done chan struct{}
}

func newCancelAfter(n int) *cancelAfter {
	return &cancelAfter{Context: context.Background(), n: n, done: make(chan struct{})}
}

func (c *cancelAfter) Done() <-chan struct{} { return c.done }

func (c *cancelAfter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n > 0 {
		if c.n--; c.n == 0 {
			close(c.done)
		}
	}
	if c.n == 0 {
		return context.Canceled
	}
	return nil
}

func TestCancelledBatchStoresNothing(t *testing.T) {
	for _, after := range []int{1, 3, 10, 30} {
		t.Run(fmt.Sprint(after), func(t *testing.T) {
			db := MustOpenDB(t)
			rs := make([]*intel.Record, 300)
			evs := make([]audit.Event, len(rs))
			for i := range rs {
				rs[i] = storetest.NewRecord(t, storetest.Narrative("Zebra skins in a diplomatic bag."))
				evs[i] = storetest.CreateEvent(rs[i])
			}
			if err := db.CreateRecords(newCancelAfter(after), rs, evs); err == nil {
				t.Fatal("a batch whose context ended midway was stored")
			}
			if n, err := db.CountRecords(context.Background()); err != nil || n != 0 {
				t.Errorf("count = %d (%v) after a cancelled batch, want 0", n, err)
			}
			if es, err := db.AuditEntries(context.Background(), store.AuditQuery{}); err != nil || len(es) != 0 {
				t.Errorf("audit has %d entries (%v) after a cancelled batch, want 0", len(es), err)
			}
			wantIDs(t, "text of the cancelled batch", searchIDs(t, db, "zebra"))
			if indexed, docs, changes := indexState(t, db); indexed != 0 || docs != 0 || changes != 0 {
				t.Errorf("index at %d with %d records for %d changes after a cancelled batch, want 0, 0, 0", indexed, docs, changes)
			}
			storetest.MustCreate(t, db, rs...)
			wantIDs(t, "text of the batch stored after", searchIDs(t, db, "diplomatic")[:1], rs[len(rs)-1].ID)
		})
	}
}
