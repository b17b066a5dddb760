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
