package match

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"liaison/internal/intel"
	"liaison/internal/procstat"
)

// BenchmarkExtract measures Extract on the records of the rebuild's
// stream, a record an operation.
func BenchmarkExtract(b *testing.B) {
	s := newRecordStream(b, 20000)
	rs := s.next(20000)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := procstat.CPUTime()
	for i := range b.N {
		Extract(rs[i%len(rs)])
	}
	b.ReportMetric(float64((procstat.CPUTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// TestAddressValueFastPath checks addressValue on addresses in ASCII,
// which it lowers as it copies, against the general path, which folds
// first.
func TestAddressValueFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const chars = "abcXYZ0189 .,-'/#\t()&"
	for n := range 30000 {
		b := make([]byte, rng.IntN(3+n%200))
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		s := string(b)
		if got, want := addressValue(s), foldedAddressValue(s); got != want {
			t.Fatalf("addressValue(%q) = %q, the general path %q", s, got, want)
		}
	}
	for _, tc := range [][2]string{
		{"12/F, 88 Queen's Road", "12 f 88 queens road"},
		{"12/f 88 queens road", "12 f 88 queens road"},
		{"Rue de l'Église 5", "rue de leglise 5"},
		{"A.B.", ""},
		{"", ""},
	} {
		if got := addressValue(tc[0]); got != tc[1] {
			t.Errorf("addressValue(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
}

// TestExtractPathsBeyondTables checks the paths of parties, aliases,
// phones, e-mail addresses and containers past those made in advance.
func TestExtractPathsBeyondTables(t *testing.T) {
	var ps []intel.Party
	for i := range pathParties + 3 {
		ps = append(ps, intel.Party{Type: "person", Name: fmt.Sprintf("Person %d", i)})
	}
	last := &ps[len(ps)-1]
	for j := range pathItems + 2 {
		last.Aliases = append(last.Aliases, fmt.Sprintf("Alias %d", j))
		last.Phones = append(last.Phones, fmt.Sprintf("+8529123456%d", j))
		last.Emails = append(last.Emails, fmt.Sprintf("a%d@example.com", j))
	}
	last.Document = &intel.Document{Country: "HK", Number: "K0123456"}
	last.Address = "12/F, 88 Queen's Road Central"
	ps[3].Aliases = ps[len(ps)-1].Aliases
	r := seizure(ps...)
	for range 70 {
		r.Seizure.Containers = append(r.Seizure.Containers, "CSQU3054383")
	}
	want := map[string]int{}
	for i, p := range ps {
		party := fmt.Sprintf("seizure.parties[%d]", i)
		want[party]++
		for j := range p.Aliases {
			want[fmt.Sprintf("%s.aliases[%d]", party, j)]++
		}
		for j := range p.Phones {
			want[fmt.Sprintf("%s.phones[%d]", party, j)]++
		}
		for j := range p.Emails {
			want[fmt.Sprintf("%s.emails[%d]", party, j)]++
		}
		if p.Document != nil {
			want[party+".document"]++
		}
		if p.Address != "" {
			want[party+".address"]++
		}
	}
	for i := range r.Seizure.Containers {
		want[fmt.Sprintf("seizure.containers[%d]", i)]++
	}
	got := map[string]int{}
	for _, e := range Extract(r) {
		got[e.Path]++
	}
	if !reflect.DeepEqual(got, want) {
		for p := range want {
			if got[p] != 1 {
				t.Errorf("path %s: %d entities, want 1", p, got[p])
			}
		}
		for p := range got {
			if want[p] != 1 {
				t.Errorf("unexpected path %s", p)
			}
		}
	}
}

// BenchmarkPrepare measures what preparing a record for the index costs
// (extracting its entities, normalising their names through the cache and
// working out their keys), a record an operation, on the records of the
// rebuild's stream, each seen once while b.N is at most 200,000.
func BenchmarkPrepare(b *testing.B) {
	s := newRecordStream(b, 20000)
	rs := s.next(200000)
	ix := MustIndex(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := procstat.CPUTime()
	for i := range b.N {
		ix.prepare(Extract(rs[i%len(rs)]))
	}
	b.ReportMetric(float64((procstat.CPUTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
