package sqlite

import (
	"context"
	"slices"
	"testing"

	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// mergeRefsEvery has match_refs_new merged into match_refs whenever it
// holds n pairs, for the rest of the test.
func mergeRefsEvery(t *testing.T, n int64) {
	min, per := refsMergeMin, refsPerTransaction
	refsMergeMin, refsPerTransaction = n, 0
	t.Cleanup(func() { refsMergeMin, refsPerTransaction = min, per })
}

// The links a store returns do not depend on where their pairs are: every
// transaction merged, or every few.
func TestMatchingConformanceWithRefsMerged(t *testing.T) {
	for _, every := range []int64{1, 3} {
		t.Run(map[int64]string{1: "every transaction", 3: "every three pairs"}[every], func(t *testing.T) {
			mergeRefsEvery(t, every)
			storetest.RunMatching(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
		})
	}
}

func refCounts(t *testing.T, db *DB) (main, fresh int64, stateNew, stateMain int64) {
	t.Helper()
	for q, dst := range map[string]*int64{`SELECT count(*) FROM match_refs`: &main, `SELECT count(*) FROM match_refs_new`: &fresh} {
		if err := db.linksW.QueryRow(q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	var seq int64
	if err := db.linksW.QueryRow(sqlLinksSeq).Scan(&seq, &stateNew, &stateMain); err != nil {
		t.Fatal(err)
	}
	return main, fresh, stateNew, stateMain
}

func TestNewPairsAreMergedOnceEnoughHaveGathered(t *testing.T) {
	mergeRefsEvery(t, 3)
	ctx := context.Background()
	db := MustOpenDB(t)
	named := storetest.NewRecord(t)
	storetest.MustCreate(t, db, named)
	link := func() string {
		t.Helper()
		r := storetest.NewRecord(t)
		storetest.MustCreate(t, db, r)
		l := store.MatchLink{Record: r.ID, Other: named.ID, Score: 1, Reasons: []string{"same IMO number 9321483"}}
		if err := db.PutMatches(ctx, []store.MatchSet{{Record: r.ID, Version: 1, Links: []store.MatchLink{l}}}); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	var ids []string
	for i, want := range [][4]int64{{0, 1, 1, 0}, {0, 2, 2, 0}, {3, 0, 0, 3}, {3, 1, 1, 3}} {
		ids = append(ids, link())
		main, fresh, stateNew, stateMain := refCounts(t, db)
		if got := [4]int64{main, fresh, stateNew, stateMain}; got != want {
			t.Fatalf("after %d links: match_refs %d, match_refs_new %d, state %d new and %d merged; want %v",
				i+1, main, fresh, stateNew, stateMain, want)
		}
		ls, err := db.Matches(ctx, named.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != len(ids) {
			t.Fatalf("after %d links the named record has %d: %+v", i+1, len(ls), ls)
		}
	}
	// Matching the first again drops its pair from match_refs, where the
	// merge put it, and its new set names nothing.
	if err := db.PutMatches(ctx, []store.MatchSet{{Record: ids[0], Version: 1}}); err != nil {
		t.Fatal(err)
	}
	if main, fresh, _, _ := refCounts(t, db); main != 2 || fresh != 1 {
		t.Errorf("after matching a record again: match_refs %d, match_refs_new %d; want 2 and 1", main, fresh)
	}
	if ls, err := db.Matches(ctx, named.ID); err != nil || len(ls) != 3 {
		t.Errorf("links of the named record: %+v (%v), want 3", ls, err)
	}
}

// A links.db of layout 1 had no match_refs_new: opening it keeps its links
// and matches nothing again.
func TestLinksOfLayoutOneAreKept(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenAt(t, dir)
	a, b := linkedPair(t, db)
	before := unmatched(t, db) // b: only a was matched
	for _, q := range []string{
		sqlMergeRefs, `DROP TABLE match_refs_new`,
		`CREATE TABLE state1 (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL)`,
		`INSERT INTO state1 SELECT id, seq FROM state`, `DROP TABLE state`, `ALTER TABLE state1 RENAME TO state`,
		`PRAGMA user_version = 1`,
	} {
		if _, err := db.linksW.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustClose(t, db)

	db = mustOpenAt(t, dir)
	defer mustClose(t, db)
	var v int
	if err := db.linksW.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != linksVersion {
		t.Errorf("links layout %d (%v), want %d", v, err, linksVersion)
	}
	if got := unmatched(t, db); !slices.Equal(got, before) {
		t.Errorf("unmatched after the upgrade: %v, want %v as before", got, before)
	}
	if main, fresh, stateNew, stateMain := refCounts(t, db); main != 1 || fresh != 0 || stateNew != 0 || stateMain != 1 {
		t.Errorf("after the upgrade: match_refs %d, match_refs_new %d, state %d new and %d merged; want 1, 0, 0, 1",
			main, fresh, stateNew, stateMain)
	}
	if ls, err := db.Matches(context.Background(), b.ID); err != nil || len(ls) != 1 || ls[0].Other != a.ID {
		t.Errorf("links naming b after the upgrade: %+v (%v)", ls, err)
	}
}

// Purging a record deletes the links to it from the sets of the records
// naming it, wherever their pairs are, and keeps their other links.
func TestPurgedRecordLeavesNoLinksNamingIt(t *testing.T) {
	for _, every := range []int64{1, 1 << 16} {
		t.Run(map[int64]string{1: "pairs merged", 1 << 16: "pairs new"}[every], func(t *testing.T) {
			mergeRefsEvery(t, every)
			ctx := context.Background()
			db := MustOpenDB(t)
			a, b, c := storetest.NewRecord(t), storetest.NewRecord(t), storetest.NewRecord(t)
			storetest.MustCreate(t, db, a, b, c)
			link := func(other string) store.MatchLink {
				return store.MatchLink{Record: a.ID, Other: other, Score: 0.9, Reasons: []string{"names agree: Chan Tai Man ~ 陳大文"},
					EntityPath: "seizure.parties[0]", MatchedPath: "seizure.parties[1]"}
			}
			sets := []store.MatchSet{{Record: b.ID, Version: 1}, {Record: c.ID, Version: 1},
				{Record: a.ID, Version: 1, Links: []store.MatchLink{link(b.ID), link(c.ID)}}}
			if err := db.PutMatches(ctx, sets); err != nil {
				t.Fatal(err)
			}
			if err := db.PutMatches(ctx, []store.MatchSet{{Record: b.ID, Version: 2, Purged: true}}); err != nil {
				t.Fatal(err)
			}
			var bn int64
			if err := db.linksW.QueryRow(`SELECT n FROM match_records WHERE id = ?`, b.ID).Scan(&bn); err != nil {
				t.Fatal(err)
			}
			var pairs int
			if err := db.linksW.QueryRow(`SELECT (SELECT count(*) FROM match_refs WHERE b = ?1) + (SELECT count(*) FROM match_refs_new WHERE b = ?1)`, bn).Scan(&pairs); err != nil {
				t.Fatal(err)
			}
			if pairs != 0 {
				t.Errorf("%d pairs still name the purged record", pairs)
			}
			rows, err := db.linksW.Query(`SELECT links FROM match_sets`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			others := 0
			for rows.Next() {
				var set []byte
				if err := rows.Scan(&set); err != nil {
					t.Fatal(err)
				}
				err := decodeLinks(set, func(int64) bool { return true }, func(l storedLink) {
					others++
					if l.other == bn {
						t.Errorf("a stored set still links to the purged record: %+v", l)
					}
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if others != 1 {
				t.Errorf("%d links stored, want a's one link to c", others)
			}
			if ls, err := db.Matches(ctx, a.ID); err != nil || len(ls) != 1 || ls[0].Other != c.ID {
				t.Errorf("links of a: %+v (%v), want the one to c", ls, err)
			}
		})
	}
}
