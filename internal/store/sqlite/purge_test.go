package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// TestPurgeLeavesNoTraceInTheFiles receives a record naming a person,
// indexes it, links another record to it and then receives its
// retraction: once the node is closed, no file of its data directory holds
// the person's name any more, in the stored versions, the kept envelopes,
// the full-text index or the links, nor in space SQLite freed.
func TestPurgeLeavesNoTraceInTheFiles(t *testing.T) {
	const name = "Zbigniew Wojciechowski"
	ctx := context.Background()
	dir := t.TempDir()
	db := mustOpenAt(t, dir)
	named := func(r *intel.Record) {
		r.Seizure.Parties[0].Name = name
		r.Seizure.Narrative = "The consignee " + name + " was questioned at the terminal."
	}
	r := storetest.NewRecord(t, named)
	received := func(rec *intel.Record) store.Received {
		rc := storetest.NewReceived(rec)
		rc.Signed = []byte("eyJ." + name + " as the payload carries it.c2ln")
		return rc
	}
	mustReceiveIn(t, db, received(r))
	v2 := storetest.NextVersion(t, r, storetest.Narrative(name+" again, at the second hearing."))
	mustReceiveIn(t, db, received(v2))
	search := func() int {
		t.Helper()
		page, err := db.ListRecords(ctx, store.RecordQuery{Text: "Wojciechowski", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Records)
	}
	if n := search(); n != 1 {
		t.Fatalf("search finds %d records naming the person before the retraction, want 1", n)
	}
	other := storetest.NewRecord(t)
	storetest.MustCreate(t, db, other)
	l := store.MatchLink{Record: other.ID, Other: r.ID, Score: 0.91, Reasons: []string{"names agree: " + name},
		EntityPath: "seizure.parties[0]", MatchedPath: "seizure.parties[0]"}
	if err := db.PutMatches(ctx, []store.MatchSet{{Record: r.ID, Version: 2},
		{Record: other.ID, Version: 1, Links: []store.MatchLink{l}}}); err != nil {
		t.Fatal(err)
	}

	hist, err := db.RecordHistory(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		h.Seizure.Parties, h.Seizure.Narrative = nil, ""
	}
	ret := storetest.NextVersion(t, v2, func(x *intel.Record) {
		x.Status = intel.StatusRetracted
		x.Seizure.Parties, x.Seizure.Narrative = nil, ""
		x.Retraction = &intel.Retraction{At: storetest.Base(), Reason: "entered in error"}
	})
	rc := storetest.NewReceived(ret)
	rc.Type, rc.Rewrite = "record.retract", hist
	mustReceiveIn(t, db, rc)
	if err := db.PutMatches(ctx, []store.MatchSet{{Record: r.ID, Version: 3, Purged: true}}); err != nil {
		t.Fatal(err)
	}
	if n := search(); n != 0 {
		t.Fatalf("search finds %d records naming the person after the retraction, want none", n)
	}
	mustClose(t, db)

	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"Zbigniew", "zbigniew", "Wojciechowski", "wojciechowski"} {
			if i := bytes.Index(data, []byte(s)); i >= 0 {
				t.Errorf("%s still holds %q at byte %d: …%q…", f.Name(), s, i, data[max(0, i-40):min(len(data), i+60)])
			}
		}
	}
}

func mustReceiveIn(t *testing.T, db *DB, rc store.Received) {
	t.Helper()
	if _, err := db.Receive(context.Background(), rc, audit.Event{Actor: rc.From, Action: "envelope.receive", Target: rc.EnvelopeID}); err != nil {
		t.Fatal(err)
	}
}
