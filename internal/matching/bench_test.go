package matching

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/match"
	"liaison/internal/procstat"
	"liaison/internal/store/storetest"
	"liaison/internal/synth"
)

// BenchmarkMatchAndStore measures what the service does for each stored
// record: index it, match it against the records before it and store its
// links and watermark on SQLite, in batches of LIAISON_BENCH_MATCH_BATCH
// records (default 2,000, drainMax, as a burst is gathered).
// LIAISON_BENCH_MATCH_RECORDS records (default 4,000) are matched.
func BenchmarkMatchAndStore(b *testing.B) {
	n := benchSize("LIAISON_BENCH_MATCH_RECORDS", 4000)
	batch := benchSize("LIAISON_BENCH_MATCH_BATCH", drainMax)
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	recs := synth.New(7, "HK").Records(n, now)
	for i, r := range recs {
		r.ID = ulid.MustNew(ulid.Timestamp(now.Add(time.Duration(i)*time.Millisecond)), ulid.DefaultEntropy()).String()
		r.Originator, r.Version, r.Status = "HK", 1, "active"
	}
	var links int
	var cpu time.Duration
	var wrote int64
	for b.Loop() {
		b.StopTimer()
		st, _ := MustStore(b)
		svc, err := New(Config{Store: st, Index: match.Options{}, CatchUp: -1})
		if err != nil {
			b.Fatal(err)
		}
		if err := svc.Rebuild(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		cpu0, w0 := procstat.CPUTime(), written(b)
		for i := 0; i < n; i += batch {
			items := make([]item, 0, batch)
			for _, r := range recs[i:min(i+batch, n)] {
				items = append(items, item{rec: r})
			}
			if err := svc.process(context.Background(), items); err != nil {
				b.Fatal(err)
			}
		}
		cpu += procstat.CPUTime() - cpu0
		wrote += written(b) - w0
		b.StopTimer()
		ls, err := st.Matches(context.Background(), recs[n-1].ID)
		if err != nil {
			b.Fatal(err)
		}
		links = len(ls)
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(links), "links-of-last")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/record")
	// What the process handed to the kernel to write (both databases'
	// WAL and checkpoints), which the host's speed does not move.
	b.ReportMetric(float64(wrote)/1024/float64(n*b.N), "written-KiB/record")
}

// written is what the process has handed the kernel to write so far.
func written(tb testing.TB) int64 {
	n, err := procstat.Written()
	if err != nil {
		tb.Skip(err)
	}
	return n
}

func benchSize(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkRebuildFromStore measures what a node does as it starts (while
// it serves): the index rebuilt from a SQLite store of
// LIAISON_BENCH_STORE_RECORDS synthetic records (default 100,000), each
// read and decoded from the store, extracted, normalised and indexed, then
// compacted. Filling the store is not timed.
//
//	go test ./internal/matching -run '^$' -bench RebuildFromStore -benchtime 3x
func BenchmarkRebuildFromStore(b *testing.B) {
	n := 100_000
	if s := os.Getenv("LIAISON_BENCH_STORE_RECORDS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("LIAISON_BENCH_STORE_RECORDS: %v", err)
		}
		n = v
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	st, _ := MustStore(b)
	g := synth.New(7, "HK")
	for done := 0; done < n; {
		recs := g.Records(min(5000, n-done), now)
		for i, r := range recs {
			r.ID = ulid.MustNew(ulid.Timestamp(now.Add(time.Duration(done+i)*time.Millisecond)), ulid.DefaultEntropy()).String()
			r.Originator, r.Version, r.Status = "HK", 1, "active"
		}
		storetest.MustCreate(b, st, recs...)
		done += len(recs)
	}
	svc, err := New(Config{Store: st, Logger: slog.New(slog.DiscardHandler), Index: match.Options{}, CatchUp: -1})
	if err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	var entities int
	for b.Loop() {
		cpu0 := procstat.CPUTime()
		ix, _, _, got, err := svc.build(context.Background())
		cpu += procstat.CPUTime() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("rebuilt from %d records, want %d", got, n)
		}
		entities = ix.Len()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "records/cpu-s")
	b.ReportMetric(float64(entities), "entities")
}
