package records_test

import (
	"context"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"liaison/internal/directory"
	"liaison/internal/intel"
	"liaison/internal/records"
	"liaison/internal/store"
	"liaison/internal/store/pgtest"
	"liaison/internal/store/postgres"
	"liaison/internal/store/sqlite"
	"liaison/internal/synth"
)

// BenchmarkCreateBatchValidated measures validated record inserts through the
// store: realistic synthetic records (generated before the timer starts) are
// validated against the real directory and stored in batches of 1,000 with
// their audit entries, on SQLite and, in the same run, on PostgreSQL when
// LIAISON_TEST_POSTGRES is set. It reports records/s and the processor time
// of the whole process per record (cpu-µs/record: every goroutine of the
// store, the full-text index's included), which a busy machine changes far
// less than the rate.
func BenchmarkCreateBatchValidated(b *testing.B) {
	dir, err := directory.Load()
	if err != nil {
		b.Fatal(err)
	}
	backends := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"sqlite", func(b *testing.B) store.Store {
			s, err := sqlite.OpenWith(context.Background(), b.TempDir(), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"postgres", func(b *testing.B) store.Store {
			s, err := postgres.OpenWith(context.Background(), pgtest.MustSchema(b), postgres.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	}
	const batch = 1000
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	gen := synth.New(42, "HK")
	pool := gen.Records(20*batch, now)
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			st := be.open(b)
			defer st.Close()
			svc := records.New(records.Config{Node: "HK", Store: st, Codes: dir, Now: func() time.Time { return now }})
			ctx := context.Background()
			n := 0
			cpu0 := processCPU(b)
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				start := (i * batch) % len(pool)
				rs := make([]*intel.Record, batch)
				for j := range rs {
					c := *pool[start+j] // the service sets ids and server fields on its own copy
					rs[j] = &c
				}
				b.StartTimer()
				if _, err := svc.CreateBatch(ctx, "bench", rs); err != nil {
					b.Fatal(err)
				}
				n += batch
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(n), "cpu-µs/record")
		})
	}
}

// processCPU is the processor time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
