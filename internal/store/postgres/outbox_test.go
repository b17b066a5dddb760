package postgres

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// TestDeliveriesListedInCommitOrder pages the outbox while a transaction
// that queued a delivery is still open and another one queues a delivery
// after it, through Share (an explicit row) and through an update of a
// shared record (a row the outbox_follow trigger writes). The later row
// must not be committed, and listed, before the earlier one: a client
// passing it with its cursor would never be shown the earlier one.
func TestDeliveriesListedInCommitOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		later func(t *testing.T, db *DB, r *intel.Record) func() error
	}{
		{"Share", func(t *testing.T, db *DB, r *intel.Record) func() error {
			d := storetest.NewDelivery("FR", r.ID)
			return func() error {
				_, err := db.Share(context.Background(), []store.Delivery{d}, nil)
				return err
			}
		}},
		{"UpdateOfASharedRecord", func(t *testing.T, db *DB, r *intel.Record) func() error {
			v2 := storetest.NextVersion(t, r, storetest.Narrative("Updated."))
			return func() error {
				return db.UpdateRecord(context.Background(), v2,
					audit.Event{Actor: "alice", Action: audit.ActionRecordUpdate, Target: r.ID, Detail: "version 2"})
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := MustOpenDB(t)
			ctx := context.Background()
			shared, other := storetest.NewRecord(t), storetest.NewRecord(t)
			storetest.MustCreate(t, db, shared, other)
			first := storetest.MustShare(t, db, storetest.NewDelivery("JP", shared.ID))
			start := first[0].ID

			// The earlier delivery: queued, its transaction still open.
			tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			early, err := db.insertDeliveries(ctx, tx, []store.Delivery{storetest.NewDelivery("JP", other.ID)})
			if err != nil {
				t.Fatal(err)
			}
			// The later transaction waits for this one: blocked by its
			// server process.
			var holder int32
			if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&holder); err != nil {
				t.Fatal(err)
			}
			later := tc.later(t, db, shared)
			done := make(chan error, 1)
			go func() { done <- later() }()
			laterDone := false
			for waiting := false; !waiting && !laterDone; {
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
					laterDone = true
				case <-time.After(10 * time.Millisecond):
					if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
						WHERE $1::int = ANY (pg_blocking_pids(pid)))`, holder).Scan(&waiting); err != nil {
						t.Fatal(err)
					}
				}
			}
			// A client lists the outbox now, then goes on from its cursor
			// once both transactions have ended.
			page, err := db.ListDeliveries(ctx, store.DeliveryQuery{After: start, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			seen := rowIDs(page.Deliveries)
			cursor := start
			if len(seen) > 0 {
				cursor = seen[len(seen)-1]
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if !laterDone {
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			}
			page, err = db.ListDeliveries(ctx, store.DeliveryQuery{After: cursor, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, rowIDs(page.Deliveries)...)
			all, err := db.ListDeliveries(ctx, store.DeliveryQuery{After: start, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			want := rowIDs(all.Deliveries)
			if len(want) != 2 || want[0] != early[0].ID {
				t.Fatalf("the outbox after the first delivery holds %v, want the open transaction's %d and one more", want, early[0].ID)
			}
			if !slices.Equal(seen, want) {
				t.Errorf("paging while a delivery was being queued showed %v, want %v: a row committed after a later id was listed is never shown", seen, want)
			}
		})
	}
}

// rowIDs returns the ids of ds.
func rowIDs(ds []store.Delivery) []int64 {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}
