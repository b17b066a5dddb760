package norm

import (
	"sync"
	"testing"
	"time"

	"liaison/internal/intel"
	"liaison/internal/synth"
)

// benchNames are the names of the parties (and their aliases) of records
// generated for a dozen countries of origin, with the kind each is
// normalised as.
func benchNames(tb testing.TB, n int) ([]string, []Kind) {
	tb.Helper()
	var names []string
	var kinds []Kind
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	add := func(ps []intel.Party) {
		for _, p := range ps {
			k := Person
			if p.Type == "organisation" {
				k = Organisation
			}
			for _, s := range append([]string{p.Name}, p.Aliases...) {
				names, kinds = append(names, s), append(kinds, k)
			}
		}
	}
	for len(names) < n {
		for _, origin := range []string{"HK", "CN", "FR", "RU", "AE", "JP", "NG", "US", "DE", "VN", "TH", "IN"} {
			g := synth.New(int64(len(names)), origin)
			for range 50 {
				r := g.Record(now)
				switch {
				case r.Seizure != nil:
					add(r.Seizure.Parties)
				case r.Warning != nil:
					add(r.Warning.Targets)
				case r.Request != nil:
					add(r.Request.Parties)
				case r.Response != nil:
					add(r.Response.Parties)
				}
			}
		}
	}
	return names[:n], kinds[:n]
}

var (
	benchOnce     sync.Once
	benchNameList []string
	benchKindList []Kind
)

// BenchmarkName measures Name on the names of generated records, a name
// an operation.
func BenchmarkName(b *testing.B) {
	n := MustNew(b)
	benchOnce.Do(func() { benchNameList, benchKindList = benchNames(b, 20000) })
	names, kinds := benchNameList, benchKindList
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		n.Name(names[i%len(names)], kinds[i%len(names)])
	}
}
