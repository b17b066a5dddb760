package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/pgtest"
	"liaison/internal/store/storetest"
)

// mustOpenAt opens the database at url with a deterministic clock, closed
// when the test ends.
func mustOpenAt(tb testing.TB, url string) *DB {
	tb.Helper()
	db, err := OpenWith(context.Background(), url, Options{
		Now:    storetest.NewClock(storetest.Base()).Now,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustOpenDB opens a fresh, empty database in a schema of its own.
func MustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	return mustOpenAt(tb, pgtest.MustSchema(tb))
}

func TestConformance(t *testing.T) {
	pgtest.MustSchema(t) // skip early, once, without the variable
	storetest.Run(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}

func TestTamperedAuditIsDetected(t *testing.T) {
	db := MustOpenDB(t)
	storetest.CheckTamperDetected(t, db, func(seq int64) error {
		_, err := db.pool.Exec(context.Background(), `UPDATE audit SET detail = 'nothing to see' WHERE seq = $1`, seq)
		return err
	})
}

func TestReplicasMigrateOnce(t *testing.T) {
	url := pgtest.MustSchema(t)
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	const replicas = 4
	dbs := make([]*DB, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range dbs {
		wg.Go(func() {
			dbs[i], errs[i] = OpenWith(context.Background(), url, Options{Logger: slog.New(slog.DiscardHandler)})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	var n, top int
	if err := dbs[0].pool.QueryRow(context.Background(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &top); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || top != len(ms) {
		t.Errorf("schema_migrations has %d rows up to version %d, want %d", n, top, len(ms))
	}
}

func TestReplicasShareOneAuditChain(t *testing.T) {
	url := pgtest.MustSchema(t)
	a, b := mustOpenAt(t, url), mustOpenAt(t, url)
	ctx := context.Background()
	const rounds = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*rounds)
	for i, s := range []*DB{a, b} {
		wg.Go(func() {
			for j := range rounds {
				r := storetest.NewRecord(t)
				if err := s.CreateRecords(ctx, []*intel.Record{r}, []audit.Event{storetest.CreateEvent(r)}); err != nil {
					errs <- err
					return
				}
				if _, err := s.Audit(ctx, audit.Event{Actor: fmt.Sprintf("replica%d", i), Action: audit.ActionRecordRead,
					Target: fmt.Sprint(j)}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if es := storetest.MustVerifyAudit(t, a); len(es) != 4*rounds {
		t.Errorf("chain has %d entries, want %d", len(es), 4*rounds)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	url := pgtest.MustSchema(t)
	db := mustOpenAt(t, url)
	if _, err := db.pool.Exec(context.Background(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, now())`); err != nil {
		t.Fatal(err)
	}
	_, err := OpenWith(context.Background(), url, Options{Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open of a newer schema: %v, want a refusal", err)
	}
}

func TestSearchWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Declared as frozen-fish; x-ray.", "Declared as frozen fish x ray"},
		{"Café au lait, crème brûlée", "Cafe au lait creme brulee"},
		{"cafe\u0301", "cafe"},
		{`NEAR("a" OR b) & c | !d`, "NEAR a OR b c d"},
		{"香港 ΑΘΗΝΑ 2.5kg", "香港 ΑΘΗΝΑ 2 5kg"},
		{"!!! ---", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := searchWords(tc.in); got != tc.want {
				t.Errorf("searchWords(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func BenchmarkCreateRecordsBatch(b *testing.B) {
	storetest.BenchCreateRecords(b, func(b *testing.B) store.Store { return MustOpenDB(b) })
}

func BenchmarkVerifyAudit(b *testing.B) {
	storetest.BenchVerifyAudit(b, func(b *testing.B) store.Store { return MustOpenDB(b) })
}

func BenchmarkGetRecord(b *testing.B) {
	storetest.BenchGetRecord(b, func(b *testing.B) store.Store { return MustOpenDB(b) })
}

func BenchmarkListRecordsText(b *testing.B) {
	storetest.BenchListText(b, func(b *testing.B) store.Store { return MustOpenDB(b) })
}
