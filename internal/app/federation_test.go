package app

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// TestFederationVersionOrder sends three versions of each of 300 records
// from HK to JP, in requests of which two may be in flight at once, and
// checks that JP stored every version of every record: a version
// overtaken by a newer one would be answered but not stored, so a missing
// version means the versions of a record did not arrive in order. The 900
// rows go in one claim, then in claims of 128 rows, each claimed while the
// rows before it are in flight, so that a record's later versions are
// claimed while its earlier ones are still unanswered.
func TestFederationVersionOrder(t *testing.T) {
	t.Run("one claim", func(t *testing.T) { testVersionOrder(t, 0) })
	t.Run("claims continued in flight", func(t *testing.T) { testVersionOrder(t, 128) })
}

func testVersionOrder(t *testing.T, claim int) {
	const records, versions = 300, 3
	ctx := context.Background()
	hk := benchNodeWith(t, t.TempDir(), "HK", "127.0.0.1:0", func(c *Config) { c.DeliveryClaim = claim })
	defer closeNode(t, hk)
	jp := benchNode(t, t.TempDir(), "JP", "127.0.0.1:0")
	defer closeNode(t, jp)
	pinEachOther(t, hk, jp)

	rs := make([]*intel.Record, records)
	evs := make([]audit.Event, records)
	for i := range rs {
		rs[i] = storetest.NewRecord(t)
		evs[i] = storetest.CreateEvent(rs[i])
	}
	if err := hk.Store.CreateRecords(ctx, rs, evs); err != nil {
		t.Fatal(err)
	}
	as, err := hk.Store.Agreements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := agreement.Decide(agreement.Input{Record: rs[0], Sender: "HK", Recipient: "JP", On: time.Now(),
		Agreements: as, Directory: hk.Directory})
	if !d.Allowed {
		t.Fatalf("HK may not share the test record with JP: %+v", d.Reasons)
	}
	dj, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	// Every record's versions are stored before anything is queued, so
	// that the whole outbox is claimed at once: version 1 of every record,
	// then version 2 of every record, then version 3.
	var ds []store.Delivery
	cur := rs
	for v := 1; v <= versions; v++ {
		for i, r := range cur {
			if v > 1 {
				n := storetest.NextVersion(t, r, storetest.Narrative(fmt.Sprintf("version %d", v)))
				if err := hk.Store.UpdateRecord(ctx, n, audit.Event{Actor: "analyst1", Action: audit.ActionRecordUpdate,
					Target: n.ID, Detail: "next version"}); err != nil {
					t.Fatal(err)
				}
				cur[i] = n
			}
			typ := envelope.TypeRecordCreate
			if v > 1 {
				typ = envelope.TypeRecordUpdate
			}
			ds = append(ds, store.Delivery{Peer: "JP", Type: string(typ), RecordID: r.ID, Version: v, Decision: dj})
		}
	}
	for i := range ds {
		id, err := envelope.NewID(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ds[i].EnvelopeID = id
	}
	if _, err := hk.Federation.Enqueue(ctx, ds, nil); err != nil {
		t.Fatal(err)
	}
	waitDelivered(t, hk, jp, records, 0, 5*time.Minute)
	for _, r := range rs {
		hist, err := jp.Store.RecordHistory(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != versions {
			t.Fatalf("JP holds %d versions of record %s, want %d in order", len(hist), r.ID, versions)
		}
		for i, h := range hist {
			if h.Version != i+1 {
				t.Fatalf("JP's history of %s has version %d at %d", r.ID, h.Version, i)
			}
		}
	}
	got, err := hk.Federation.Deliveries(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range got {
		if d.State != store.DeliveryDelivered || d.Attempts != 1 {
			t.Fatalf("delivery %d (%s version %d) is %s after %d attempts, want delivered at the first",
				d.ID, d.RecordID, d.Version, d.State, d.Attempts)
		}
	}
}
