package matching

import (
	"context"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/match"
	"liaison/internal/synth"
)

// BenchmarkMatchAndStore measures what the service does for each stored
// record: index it, match it against the records before it and store its
// links and watermark on SQLite, in batches as the queue delivers them.
func BenchmarkMatchAndStore(b *testing.B) {
	const n, batch = 4000, 500
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	recs := synth.New(7, "HK").Records(n, now)
	for i, r := range recs {
		r.ID = ulid.MustNew(ulid.Timestamp(now.Add(time.Duration(i)*time.Millisecond)), ulid.DefaultEntropy()).String()
		r.Originator, r.Version, r.Status = "HK", 1, "active"
	}
	var links int
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
		for i := 0; i < n; i += batch {
			items := make([]item, 0, batch)
			for _, r := range recs[i:min(i+batch, n)] {
				items = append(items, item{rec: r})
			}
			if err := svc.process(context.Background(), items); err != nil {
				b.Fatal(err)
			}
		}
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
}
