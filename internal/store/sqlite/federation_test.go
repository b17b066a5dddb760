package sqlite

import (
	"context"
	"testing"
	"time"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

func TestFederationConformance(t *testing.T) {
	storetest.RunFederation(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}

// BenchmarkClaimBacklog claims store.MaxClaim rows, with their record
// bodies, of a backlog of 20,000 queued for one peer.
func BenchmarkClaimBacklog(b *testing.B) {
	const n = 20000
	ctx := context.Background()
	db := MustOpenDB(b)
	storetest.MustPeer(b, db, storetest.NewPeer("JP"))
	for i := 0; i < n; i += 1000 {
		rs := make([]*intel.Record, 1000)
		evs := make([]audit.Event, 1000)
		ds := make([]store.Delivery, 1000)
		for j := range rs {
			rs[j] = storetest.NewRecord(b)
			evs[j] = storetest.CreateEvent(rs[j])
			ds[j] = storetest.NewDelivery("JP", rs[j].ID)
		}
		if err := db.CreateRecords(ctx, rs, evs); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Share(ctx, ds, nil); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now().Add(time.Minute)
	b.ResetTimer()
	for b.Loop() {
		peer, ds, err := db.ClaimDeliveries(ctx, "bench", now, time.Minute, store.MaxClaim)
		if err != nil || peer != "JP" || len(ds) != store.MaxClaim || ds[0].Body == nil {
			b.Fatalf("claimed %q, %d rows, %v", peer, len(ds), err)
		}
	}
}

// Rows shared under one decision name one row of decisions; a row written
// before decisions existed keeps its decision in its own column, and both
// read back the same.
func TestOutboxRowsShareTheirDecision(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	storetest.MustPeer(t, db, storetest.NewPeer("JP"))
	storetest.MustPeer(t, db, storetest.NewPeer("FR"))
	var ds []store.Delivery
	for i := range 4 {
		r := storetest.NewRecord(t)
		storetest.MustCreate(t, db, r)
		d := storetest.NewDelivery("JP", r.ID)
		if i == 3 {
			d.Peer = "FR"
			d.Decision = []byte(`{"allowed":true,"reasons":[{"rule":"agreement","met":true,"text":"Another arrangement."}]}`)
		}
		ds = append(ds, d)
	}
	if _, err := db.Share(ctx, ds, nil); err != nil {
		t.Fatal(err)
	}
	// A later call finds the decision already stored.
	again := storetest.NewRecord(t)
	storetest.MustCreate(t, db, again)
	d := storetest.NewDelivery("JP", again.ID)
	if _, err := db.Share(ctx, []store.Delivery{d}, nil); err != nil {
		t.Fatal(err)
	}
	ds = append(ds, d)
	var decisions, inRows int
	if err := db.write.QueryRow(`SELECT count(*) FROM decisions`).Scan(&decisions); err != nil {
		t.Fatal(err)
	}
	if err := db.write.QueryRow(`SELECT count(*) FROM outbox WHERE decision <> '' OR decision_id IS NULL`).Scan(&inRows); err != nil {
		t.Fatal(err)
	}
	if decisions != 2 || inRows != 0 {
		t.Errorf("%d decisions stored and %d rows holding their own, want 2 and 0", decisions, inRows)
	}
	// A row as a store before this layout wrote it.
	old := storetest.NewRecord(t)
	storetest.MustCreate(t, db, old)
	oldDecision := `{"allowed":true,"reasons":[{"rule":"record","met":true,"text":"Written before."}]}`
	if _, err := db.write.Exec(`INSERT INTO outbox (envelope_id, peer, type, record_id, version, decision, state, next_attempt, created)
		VALUES ('01JOLDROW0000000000000000', 'JP', 'record.create', ?, 1, ?, 'queued', '2026-11-01T00:00:00.000000Z', '2026-11-01T00:00:00.000000Z')`,
		old.ID, oldDecision); err != nil {
		t.Fatal(err)
	}
	for _, want := range append(ds, store.Delivery{RecordID: old.ID, Decision: []byte(oldDecision)}) {
		got, err := db.Deliveries(ctx, want.RecordID)
		if err != nil || len(got) != 1 {
			t.Fatalf("deliveries of %s: %+v (%v)", want.RecordID, got, err)
		}
		if string(got[0].Decision) != string(want.Decision) {
			t.Errorf("decision of %s reads %s, want %s", want.RecordID, got[0].Decision, want.Decision)
		}
	}
	_, claimed, err := db.ClaimDeliveries(ctx, "w1", time.Now().Add(time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range claimed {
		if c.RecordID == old.ID && string(c.Decision) != oldDecision || c.RecordID != old.ID && len(c.Decision) == 0 {
			t.Errorf("claimed %s with decision %s", c.RecordID, c.Decision)
		}
	}
	if len(claimed) == 0 {
		t.Error("nothing claimed")
	}
}
