package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// RunMatching runs the conformance suite of store.Matching. open must
// return a fresh, empty store for every call and close it when the test
// that asked for it ends.
func RunMatching(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"WalkRecordsStreamsLatestVersions", testWalkRecords},
		{"PutMatchesAndReadBothSides", testPutMatches},
		{"PutMatchesReplacesAndSkipsStale", testPutMatchesReplaces},
		{"UnmatchedAndMarks", testUnmatched},
		{"LinkReasonsReadBackExactly", testLinkReasons},
		{"RecordNamedByLinksIsNotMatched", testNamedNotMatched},
		{"PutMatchesRefusesIncompleteSets", testPutMatchesRefuses},
		{"Exclusions", testExclusions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func testWalkRecords(t *testing.T, s store.Store) {
	ctx := context.Background()
	rs := []*intel.Record{NewRecord(t), NewRecord(t), NewRecord(t)}
	MustCreate(t, s, rs...)
	v2 := NextVersion(t, rs[1], func(r *intel.Record) { r.Seizure.Containers = []string{"MSKU9070323"} })
	if err := s.UpdateRecord(ctx, v2, CreateEvent(v2)); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	if err := s.WalkRecords(ctx, func(r *intel.Record) error {
		if _, dup := got[r.ID]; dup {
			t.Errorf("record %s walked twice", r.ID)
		}
		got[r.ID] = r.Version
		if r.ID == v2.ID && (len(r.Seizure.Containers) != 1 || r.Seizure.Containers[0] != "MSKU9070323") {
			t.Errorf("walked version 2 of %s has containers %q", r.ID, r.Seizure.Containers)
		}
		if r.Seizure == nil || len(r.Seizure.Parties) == 0 || r.Seizure.Parties[0].Name == "" || r.Distribution.Scope == "" {
			t.Errorf("walked %s without what matching reads: %+v", r.ID, r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{rs[0].ID: 1, rs[1].ID: 2, rs[2].ID: 1}
	if len(got) != len(want) {
		t.Fatalf("walked %v, want %v", got, want)
	}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("walked %s at version %d, want %d", id, got[id], v)
		}
	}
	stop := errors.New("stop")
	n := 0
	err := s.WalkRecords(ctx, func(*intel.Record) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("walk stopped by fn: err %v after %d records, want stop after 1", err, n)
	}
}

func link(a, b string, score float64, aPath, bPath string) store.MatchLink {
	return store.MatchLink{Record: a, Other: b, RecordAudience: "aud-" + a[len(a)-4:], OtherAudience: "aud-" + b[len(b)-4:],
		Score: score, EntityPath: aPath, MatchedPath: bPath,
		Reasons: []string{"name 陳大文 ~ Chan Tai Man", "same birth date"}}
}

func testPutMatches(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b, c := NewRecord(t), NewRecord(t), NewRecord(t)
	MustCreate(t, s, a, b, c)
	ab := link(a.ID, b.ID, 0.91, "seizure.parties[0]", "seizure.parties[1]")
	ac := link(a.ID, c.ID, 0.97, "seizure.parties[0]", "seizure.parties[0]")
	dup := ab
	if err := s.PutMatches(ctx, []store.MatchSet{{Record: a.ID, Version: 1, Links: []store.MatchLink{ab, ac, dup}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Matches(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Other != c.ID || got[1].Other != b.ID {
		t.Fatalf("matches of a: %+v, want c then b (best first, the repeated link once)", got)
	}
	g := got[1]
	if g.Record != a.ID || g.Score != 0.91 || g.EntityPath != ab.EntityPath || g.MatchedPath != ab.MatchedPath ||
		!slices.Equal(g.Reasons, ab.Reasons) || g.RecordAudience != ab.RecordAudience || g.OtherAudience != ab.OtherAudience {
		t.Errorf("link a→b read back as %+v, want %+v", g, ab)
	}
	if g.Created.IsZero() {
		t.Error("link has no creation time")
	}
	// Seen from b, the same link is turned round.
	got, err = s.Matches(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("matches of b: %+v, want one", got)
	}
	g = got[0]
	if g.Record != b.ID || g.Other != a.ID || g.EntityPath != ab.MatchedPath || g.MatchedPath != ab.EntityPath ||
		g.RecordAudience != ab.OtherAudience || g.OtherAudience != ab.RecordAudience {
		t.Errorf("link seen from b: %+v, want a→b reversed", g)
	}
	none, err := s.Matches(ctx, NewRecord(t).ID)
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("matches of a record without links: %v %v, want an empty list", none, err)
	}
}

func testPutMatchesReplaces(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b, c := NewRecord(t), NewRecord(t), NewRecord(t)
	MustCreate(t, s, a, b, c)
	put := func(sets ...store.MatchSet) {
		t.Helper()
		if err := s.PutMatches(ctx, sets); err != nil {
			t.Fatal(err)
		}
	}
	others := func(id string) []string {
		t.Helper()
		ls, err := s.Matches(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range ls {
			out = append(out, l.Other)
		}
		return out
	}
	put(store.MatchSet{Record: a.ID, Version: 1, Links: []store.MatchLink{link(a.ID, b.ID, 0.9, "p0", "p0")}},
		store.MatchSet{Record: c.ID, Version: 1, Links: []store.MatchLink{link(c.ID, b.ID, 0.8, "p0", "p1")}})
	if got := others(b.ID); !slices.Equal(got, []string{a.ID, c.ID}) {
		t.Fatalf("b links to %v, want a and c", got)
	}
	// Matching b again replaces every link involving b, on either side.
	put(store.MatchSet{Record: b.ID, Version: 1, Links: []store.MatchLink{link(b.ID, c.ID, 0.85, "p1", "p0")}})
	if got := others(b.ID); !slices.Equal(got, []string{c.ID}) {
		t.Errorf("after re-matching b, b links to %v, want only c", got)
	}
	if got := others(a.ID); len(got) != 0 {
		t.Errorf("after re-matching b, a links to %v, want nothing", got)
	}
	// A set older than the version already matched is skipped.
	put(store.MatchSet{Record: a.ID, Version: 3, Links: nil})
	put(store.MatchSet{Record: a.ID, Version: 2, Links: []store.MatchLink{link(a.ID, c.ID, 0.99, "p0", "p0")}})
	if got := others(a.ID); len(got) != 0 {
		t.Errorf("a stale set was stored: a links to %v", got)
	}
	// A retraction is a set without links.
	put(store.MatchSet{Record: c.ID, Version: 2})
	if got := others(b.ID); len(got) != 0 {
		t.Errorf("after c's links were removed, b links to %v", got)
	}
	err := s.PutMatches(ctx, []store.MatchSet{{Version: 1}})
	WantField(t, err, "record")
}

func testUnmatched(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b, c := NewRecord(t), NewRecord(t), NewRecord(t)
	MustCreate(t, s, a, b, c)
	unmatched := func(limit int) []string {
		t.Helper()
		ids, err := s.Unmatched(ctx, "", limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSorted(ids) {
			t.Errorf("unmatched %v: not in id order", ids)
		}
		return ids
	}
	all := sorted(a.ID, b.ID, c.ID)
	if got := unmatched(10); !slices.Equal(got, all) {
		t.Fatalf("unmatched %v, want all three", got)
	}
	// Paged on from the last id given, each record once.
	for _, page := range []struct {
		after string
		want  []string
	}{{"", all[:2]}, {all[1], all[2:]}, {all[2], nil}} {
		after, want := page.after, page.want
		got, err := s.Unmatched(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("unmatched after %q, 2 at most: %v, want %v", after, got, want)
		}
	}
	matchedVersion := func(id string) int {
		t.Helper()
		v, err := s.MatchedVersion(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := matchedVersion(a.ID); v != 0 {
		t.Errorf("matched version of a record never matched: %d, want 0", v)
	}
	if v := matchedVersion("01NOSUCHRECORD0000000000000"); v != 0 {
		t.Errorf("matched version of an unknown record: %d, want 0", v)
	}
	if got := unmatched(2); len(got) != 2 {
		t.Errorf("unmatched with limit 2 gave %d", len(got))
	}
	if err := s.PutMatches(ctx, []store.MatchSet{{Record: a.ID, Version: 1}, {Record: b.ID, Version: 1}}); err != nil {
		t.Fatal(err)
	}
	if got := unmatched(10); !slices.Equal(got, []string{c.ID}) {
		t.Errorf("unmatched %v, want c", got)
	}
	v2 := NextVersion(t, a)
	if err := s.UpdateRecord(ctx, v2, CreateEvent(v2)); err != nil {
		t.Fatal(err)
	}
	if got, want := unmatched(10), sorted(a.ID, c.ID); !slices.Equal(got, want) {
		t.Errorf("after a's update unmatched %v, want a and c", got)
	}
	marks, err := s.MatchMarks(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(marks) != 2 || marks[0].ID != a.ID || marks[1].ID != b.ID || marks[0].Seq >= marks[1].Seq || marks[0].Version != 1 {
		t.Fatalf("marks %+v, want a then b with increasing seq", marks)
	}
	if v := matchedVersion(a.ID); v != 1 {
		t.Errorf("matched version of a once matched at 1 and updated: %d, want 1", v)
	}
	if err := s.PutMatches(ctx, []store.MatchSet{{Record: a.ID, Version: 2}}); err != nil {
		t.Fatal(err)
	}
	if v := matchedVersion(a.ID); v != 2 {
		t.Errorf("matched version of a after matching version 2: %d, want 2", v)
	}
	later, err := s.MatchMarks(ctx, marks[1].Seq, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(later) != 1 || later[0].ID != a.ID || later[0].Version != 2 || later[0].Seq <= marks[1].Seq {
		t.Errorf("marks after %d: %+v, want a at version 2 with a higher seq", marks[1].Seq, later)
	}
}

func testExclusions(t *testing.T, s store.Store) {
	ctx := context.Background()
	before := auditCount(t, s)
	xev := audit.Event{Actor: "admin", Action: "match.exclude", Target: "phone"}
	x, err := s.AddMatchExclusion(ctx, store.MatchExclusion{Type: "phone", Value: "+85291234567", Reason: "hotline", Actor: "admin"}, xev)
	if err != nil {
		t.Fatal(err)
	}
	if x.ID == 0 || x.Created.IsZero() {
		t.Errorf("added exclusion %+v has no id or time", x)
	}
	y, err := s.AddMatchExclusion(ctx, store.MatchExclusion{Type: "person", Value: "UNKNOWN", Actor: "admin"}, xev)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.AddMatchExclusion(ctx, store.MatchExclusion{Type: "phone", Value: "+85291234567", Actor: "admin"}, xev)
	WantKind(t, err, fault.Conflict)
	_, err = s.AddMatchExclusion(ctx, store.MatchExclusion{Type: "phone", Actor: "admin"}, xev)
	WantField(t, err, "value")
	xs, err := s.MatchExclusions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 2 || xs[0] != x || xs[1] != y {
		t.Fatalf("exclusions %+v, want %+v and %+v", xs, x, y)
	}
	if err := s.DeleteMatchExclusion(ctx, x.ID, audit.Event{Actor: "admin", Action: "match.include", Target: "phone"}); err != nil {
		t.Fatal(err)
	}
	err = s.DeleteMatchExclusion(ctx, x.ID, audit.Event{Actor: "admin", Action: "match.include", Target: "phone"})
	WantKind(t, err, fault.NotFound)
	xs, err = s.MatchExclusions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 1 || xs[0].ID != y.ID {
		t.Errorf("exclusions after delete %+v, want only %d", xs, y.ID)
	}
	if got := auditCount(t, s) - before; got != 3 {
		t.Errorf("%d audit entries written, want 3 (two exclusions, one removal; refusals write none)", got)
	}
}

func testLinkReasons(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := NewRecord(t)
	MustCreate(t, s, a)
	cases := [][]string{
		nil,
		{},
		{""},
		{"", "same birth date"},
		{"same birth date", ""},
		{"[bracketed] name", "same nationality HK"},
		{"name with \x1f separator", "same country JP"},
		{"name 陳大文 ~ Chan Tai Man", "same passport number K1234567"},
		{`quoted "name" \ backslash`},
	}
	var others []string
	var links []store.MatchLink
	for i, rs := range cases {
		o := NewRecord(t)
		MustCreate(t, s, o)
		others = append(others, o.ID)
		l := link(a.ID, o.ID, 0.5+float64(i)/100, "p0", "p0")
		l.Reasons = rs
		links = append(links, l)
	}
	if err := s.PutMatches(ctx, []store.MatchSet{{Record: a.ID, Version: 1, Links: links}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Matches(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cases) {
		t.Fatalf("%d links read back, want %d", len(got), len(cases))
	}
	for _, g := range got {
		i := slices.Index(others, g.Other)
		if i < 0 {
			t.Fatalf("link to unknown record %s", g.Other)
		}
		want := cases[i]
		if g.Reasons == nil || !slices.Equal(g.Reasons, want) {
			t.Errorf("reasons %q read back as %q (nil %v), want an equal, non-nil list", want, g.Reasons, g.Reasons == nil)
		}
	}
}

func testNamedNotMatched(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := NewRecord(t), NewRecord(t)
	MustCreate(t, s, a, b)
	if err := s.PutMatches(ctx, []store.MatchSet{{Record: a.ID, Version: 1, Links: []store.MatchLink{link(a.ID, b.ID, 0.9, "p0", "p0")}}}); err != nil {
		t.Fatal(err)
	}
	// b is linked to, but was not matched itself.
	ids, err := s.Unmatched(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{b.ID}) {
		t.Errorf("unmatched %v, want only b", ids)
	}
	marks, err := s.MatchMarks(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(marks) != 1 || marks[0].ID != a.ID {
		t.Errorf("marks %+v, want only a's", marks)
	}
	// Matching b later replaces the link from a, as for any record.
	if err := s.PutMatches(ctx, []store.MatchSet{{Record: b.ID, Version: 1}}); err != nil {
		t.Fatal(err)
	}
	if ls, err := s.Matches(ctx, a.ID); err != nil || len(ls) != 0 {
		t.Errorf("after b was matched without links, a has %+v (%v), want none", ls, err)
	}
}

func testPutMatchesRefuses(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := NewRecord(t), NewRecord(t)
	MustCreate(t, s, a, b)
	bad := link(a.ID, b.ID, 0.9, "p0", "p1")
	bad.Other = ""
	err := s.PutMatches(ctx, []store.MatchSet{
		{Record: b.ID, Version: 1, Links: []store.MatchLink{link(b.ID, a.ID, 0.8, "p1", "p0")}},
		{Record: a.ID, Version: 1, Links: []store.MatchLink{link(a.ID, b.ID, 0.9, "p0", "p0"), bad}},
	})
	WantField(t, err, "sets[1].links[1].other")
	// Nothing of the call was stored: neither set's links nor marks.
	for _, id := range []string{a.ID, b.ID} {
		if ls, err := s.Matches(ctx, id); err != nil || len(ls) != 0 {
			t.Errorf("links of %s after a refused call: %+v (%v), want none", id, ls, err)
		}
	}
	if marks, err := s.MatchMarks(ctx, 0, 10); err != nil || len(marks) != 0 {
		t.Errorf("marks after a refused call: %+v (%v), want none", marks, err)
	}
}

// sorted returns ids in order.
func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}
