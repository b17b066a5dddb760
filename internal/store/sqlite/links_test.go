package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// linkedPair stores two records and a's links to b, matched at version 1,
// and returns them.
func linkedPair(t *testing.T, db *DB) (a, b *intel.Record) {
	t.Helper()
	a, b = storetest.NewRecord(t), storetest.NewRecord(t)
	storetest.MustCreate(t, db, a, b)
	l := store.MatchLink{Record: a.ID, Other: b.ID, Score: 0.9, Reasons: []string{"same passport number K1234567"}}
	l.EntityPath, l.MatchedPath = "seizure.parties[0]", "seizure.parties[1]"
	if err := db.PutMatches(context.Background(), []store.MatchSet{{Record: a.ID, Version: 1, Links: []store.MatchLink{l}}}); err != nil {
		t.Fatal(err)
	}
	return a, b
}

func unmatched(t *testing.T, db *DB) []string {
	t.Helper()
	ids, err := db.Unmatched(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

func TestLinksSurviveReopening(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenAt(t, dir)
	a, b := linkedPair(t, db)
	mustClose(t, db)

	db = mustOpenAt(t, dir)
	defer mustClose(t, db)
	ls, err := db.Matches(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].Other != a.ID || ls[0].MatchedPath != "seizure.parties[0]" ||
		!slices.Equal(ls[0].Reasons, []string{"same passport number K1234567"}) {
		t.Errorf("links of b after reopening: %+v, want the link from a", ls)
	}
	if got := unmatched(t, db); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("unmatched after reopening %v, want only b", got)
	}
}

// TestLinksFileIsReplacedWhenMissingUnreadableOrOfAnotherLayout checks that
// a links.db that cannot be used starts empty, with every record unmatched
// (so that matching stores their links again), and takes links at once.
func TestLinksFileIsReplacedWhenMissingUnreadableOrOfAnotherLayout(t *testing.T) {
	removeLinks := func(t *testing.T, dir string) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(filepath.Join(dir, LinksFileName+suffix)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name  string
		alter func(t *testing.T, dir string)
	}{
		{"missing", removeLinks},
		{"not a database", func(t *testing.T, dir string) {
			removeLinks(t, dir)
			junk := make([]byte, 3*linksPageSize)
			for i := range junk {
				junk[i] = byte(i * 7)
			}
			if err := os.WriteFile(filepath.Join(dir, LinksFileName), junk, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"damaged schema", func(t *testing.T, dir string) {
			// The file header is intact; the schema after it, on the
			// first page, and the pages after it are not.
			f, err := os.OpenFile(filepath.Join(dir, LinksFileName), os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			junk := make([]byte, linksPageSize)
			for i := range junk {
				junk[i] = 0xA5
			}
			if _, err := f.WriteAt(junk[:linksPageSize-100], 100); err != nil {
				t.Fatal(err)
			}
			for p := int64(1); p < 6; p++ {
				if _, err := f.WriteAt(junk, p*linksPageSize); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"another layout", func(t *testing.T, dir string) {
			db := mustOpenAt(t, dir)
			if _, err := db.linksW.Exec(`PRAGMA user_version = 99`); err != nil {
				t.Fatal(err)
			}
			mustClose(t, db)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := mustOpenAt(t, dir)
			a, b := linkedPair(t, db)
			mustClose(t, db) // checkpoints links.db into its file

			tc.alter(t, dir)
			db = mustOpenAt(t, dir)
			defer mustClose(t, db)
			want := []string{a.ID, b.ID}
			slices.Sort(want)
			if got := unmatched(t, db); !slices.Equal(got, want) {
				t.Errorf("unmatched %v, want every record", got)
			}
			if ls, err := db.Matches(context.Background(), a.ID); err != nil || len(ls) != 0 {
				t.Errorf("links of a in the new file: %+v (%v), want none", ls, err)
			}
			if marks, err := db.MatchMarks(context.Background(), 0, 10); err != nil || len(marks) != 0 {
				t.Errorf("marks in the new file: %+v (%v), want none", marks, err)
			}
			var v int
			if err := db.linksW.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != linksVersion {
				t.Errorf("links layout %d (%v), want %d", v, err, linksVersion)
			}
			// Matched again, the links are back.
			linked := storetest.NewRecord(t)
			storetest.MustCreate(t, db, linked)
			l := store.MatchLink{Record: linked.ID, Other: a.ID, Score: 1, Reasons: []string{"same IMO number 9321483"}}
			if err := db.PutMatches(context.Background(), []store.MatchSet{{Record: linked.ID, Version: 1, Links: []store.MatchLink{l}}}); err != nil {
				t.Fatal(err)
			}
			if ls, err := db.Matches(context.Background(), a.ID); err != nil || len(ls) != 1 || ls[0].Other != linked.ID {
				t.Errorf("links of a after matching again: %+v (%v)", ls, err)
			}
		})
	}
}

// TestStoringLinksLeavesTheRecordsWriterFree holds links.db's write lock,
// as a long PutMatches would, and writes records meanwhile: the two files
// have writers of their own, so the records do not wait.
func TestStoringLinksLeavesTheRecordsWriterFree(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	tx, err := db.linksW.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE state SET seq = seq`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	r := storetest.NewRecord(t)
	go func() { done <- db.CreateRecords(ctx, []*intel.Record{r}, []audit.Event{storetest.CreateEvent(r)}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writing a record waited for the links' write lock")
	}
	// Reads of links see the last committed state meanwhile.
	if got := unmatched(t, db); !slices.Equal(got, []string{r.ID}) {
		t.Errorf("unmatched while links are being written: %v, want the new record", got)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
}

// benchSets returns n sets of per links each, to records before and after
// them, as a popular corpus links them.
func benchSets(tb testing.TB, n, per int) []store.MatchSet {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = storetest.NewRecord(tb).ID
	}
	sets := make([]store.MatchSet, n)
	for i := range sets {
		s := store.MatchSet{Record: ids[i], Version: 1}
		for j := range per {
			o := ids[(i*7919+j*104729)%n]
			l := store.MatchLink{Record: ids[i], Other: o, Score: 0.8, Reasons: []string{"name Chan Tai Man ~ Chan Tai-man (0.93)", "same birth date 1975-03-02"}}
			l.EntityPath, l.MatchedPath = "seizure.parties[0]", "seizure.parties[1]"
			s.Links = append(s.Links, l)
		}
		sets[i] = s
	}
	return sets
}

// BenchmarkMatches reads the links of records of which 2,000 records
// with 20 links each were stored.
func BenchmarkMatches(b *testing.B) {
	const n, per = 2000, 20
	sets := benchSets(b, n, per)
	db := MustOpenDB(b)
	ctx := context.Background()
	for lo := 0; lo < n; lo += 500 {
		if err := db.PutMatches(ctx, sets[lo:lo+500]); err != nil {
			b.Fatal(err)
		}
	}
	i, links := 0, 0
	for b.Loop() {
		ls, err := db.Matches(ctx, sets[i%n].Record)
		if err != nil {
			b.Fatal(err)
		}
		links += len(ls)
		i++
	}
	b.ReportMetric(float64(links)/float64(b.N), "links/op")
}

// BenchmarkPutMatches stores the links of 2,000 records, 20 links each to
// records before them, in transactions of 500 records, as matching does
// for a backlog of received records.
func BenchmarkPutMatches(b *testing.B) {
	const n, per, batch = 2000, 20, 500
	sets := benchSets(b, n, per)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := MustOpenDB(b)
		b.StartTimer()
		for lo := 0; lo < n; lo += batch {
			if err := db.PutMatches(ctx, sets[lo:lo+batch]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n*b.N), "µs/record")
}

func TestStoredSetsDecodeExactlyAndRefuseDamage(t *testing.T) {
	in := []storedLink{
		{other: 1, path: "seizure.parties[0]", matched: "seizure.parties[2]", audience: "", otherAud: `{"operation":"OP-JADE"}`,
			score: 0.93, reasons: []string{"name 陳大文 ~ Chan Tai Man", "same birth date 1975-03-02"}, created: 1764201600123456},
		{other: 1 << 40, path: "seizure.parties[0]", matched: "seizure.conveyance", score: 1, reasons: []string{}, created: -5},
		{other: 7, path: "seizure.parties[1]", matched: "seizure.parties[1]", score: 0.5, reasons: []string{"", "same birth date 1975-03-02"}},
	}
	b := appendLinks(nil, in)
	var out []storedLink
	if err := decodeLinks(b, func(int64) bool { return true }, func(l storedLink) { out = append(out, l) }); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d links decoded, want %d", len(out), len(in))
	}
	for i := range in {
		w, g := in[i], out[i]
		if g.other != w.other || g.path != w.path || g.matched != w.matched || g.audience != w.audience || g.otherAud != w.otherAud ||
			g.score != w.score || g.created != w.created || !slices.Equal(g.reasons, w.reasons) || g.reasons == nil {
			t.Errorf("link %d decoded as %+v, want %+v", i, g, w)
		}
	}
	// Only the links kept are handed over.
	var kept []int64
	if err := decodeLinks(b, func(o int64) bool { return o == 7 }, func(l storedLink) { kept = append(kept, l.other) }); err != nil || !slices.Equal(kept, []int64{7}) {
		t.Errorf("kept %v (%v), want only 7", kept, err)
	}
	for n := range len(b) {
		if err := decodeLinks(b[:n], func(int64) bool { return true }, func(storedLink) {}); err == nil {
			t.Errorf("a set cut to %d of %d bytes decoded", n, len(b))
		}
	}
	if err := decodeLinks(append(slices.Clone(b), 0), func(int64) bool { return true }, func(storedLink) {}); err == nil {
		t.Error("a set with a byte too many decoded")
	}
}
