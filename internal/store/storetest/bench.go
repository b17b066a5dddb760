package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// BatchSize is the number of records per CreateRecords call in benchmarks.
const BatchSize = 1000

// Gen makes varied, realistic seizure records from a fixed seed, so that
// benchmarks index and store something like real traffic rather than one
// record repeated.
type Gen struct {
	rnd *rand.Rand
	t   time.Time
	tab genTables
}

// NewGen returns a generator seeded with seed.
func NewGen(seed uint64) *Gen {
	return &Gen{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: Base(), tab: newGenTables()}
}

// genTables are the values Gen picks from.
type genTables struct {
	goods                                       []struct{ category, description, hs, unit string }
	places                                      []struct{ country, locode string }
	words, concealments, detections, transports []string
}

func newGenTables() genTables {
	return genTables{
		goods: []struct{ category, description, hs, unit string }{
			{"revenue/cigarettes", "cigarettes, assorted brands", "240220", "piece"},
			{"drugs/cocaine", "cocaine hydrochloride in bricks", "293999", "kg"},
			{"drugs/methamphetamine", "crystal methamphetamine in tea packets", "293990", "kg"},
			{"drugs/cannabis", "cannabis buds vacuum packed", "121190", "kg"},
			{"environment/cites-fauna", "pangolin scales in sacks", "050790", "kg"},
			{"environment/cites-flora", "rosewood logs", "440349", "m3"},
			{"ipr-health-safety/counterfeits", "counterfeit handbags and watches", "420221", "piece"},
			{"security/weapons", "pistol parts hidden in machinery", "930590", "piece"},
			{"money-laundering/cash", "undeclared banknotes", "490700", "piece"},
		},
		places: []struct{ country, locode string }{
			{"HK", "HKHKG"}, {"VN", "VNSGN"}, {"JP", "JPTYO"}, {"FR", "FRLEH"}, {"CN", "CNSHA"}, {"TH", "THBKK"},
			{"NL", "NLRTM"}, {"BR", "BRSSZ"}, {"ZA", "ZADUR"}, {"AE", "AEJEA"},
		},
		words: strings.Fields(`declared as frozen fish found behind first row of cartons x-ray image showed
			anomalies in the container false bottom under pallets of ceramic tiles consignee could not be traced
			profiling selected the shipment because of the route and the new importer detector dog reacted at
			the terminal goods mixed with legitimate cargo invoice undervalued seals replaced after loading
			courier swallowed pellets passenger travelling alone paid ticket in cash`),
		concealments: []string{"mixed-with-legitimate-cargo", "false-bottom", "body-concealment", "inside-machinery"},
		detections:   []string{"x-ray", "dog", "profiling", "intelligence", "random-check"},
		transports:   []string{"sea", "air", "road", "rail", "postal"},
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// Record returns the next record.
func (g *Gen) Record() *intel.Record {
	r := g.rnd
	g.t = g.t.Add(time.Duration(1+r.IntN(600)) * time.Second)
	created := g.t
	goods := pick(r, g.tab.goods)
	from, to := pick(r, g.tab.places), pick(r, g.tab.places)
	words := make([]string, 12+r.IntN(30))
	for i := range words {
		words[i] = pick(r, g.tab.words)
	}
	qty := float64(1 + r.IntN(100000))
	return &intel.Record{
		ID:           ulid.Make().String(),
		Kind:         intel.KindSeizure,
		Originator:   pick(r, g.tab.places).country,
		Version:      1,
		Created:      &created,
		Updated:      &created,
		Status:       intel.StatusActive,
		Language:     "en",
		Grading:      intel.Grading{Source: pick(r, []string{"A", "B", "C", "X"}), Information: pick(r, []string{"1", "2", "3", "4"})},
		Handling:     intel.Handling{Code: pick(r, []string{"H0", "H1", "H2"})},
		Distribution: intel.Distribution{Scope: intel.ScopeRegion, Region: "asia-pacific"},
		Seizure: &intel.Seizure{
			Date:       created.AddDate(0, 0, -r.IntN(30)).Format(time.DateOnly),
			Place:      intel.Place{Country: to.country, Locode: to.locode},
			Direction:  "import",
			Detection:  pick(r, g.tab.detections),
			Transport:  pick(r, g.tab.transports),
			Conveyance: &intel.Conveyance{VesselIMO: fmt.Sprintf("9%06d", r.IntN(1000000))},
			Containers: []string{fmt.Sprintf("MSCU%07d", r.IntN(10000000))},
			Route: []intel.RouteLeg{
				{Role: "departure", Country: from.country, Locode: from.locode},
				{Role: "destination", Country: to.country, Locode: to.locode},
			},
			Goods: []intel.Goods{{Category: goods.category, Description: goods.description, HS: goods.hs,
				Quantity: qty, Unit: goods.unit, Value: &intel.Money{Amount: qty * 3, Currency: "USD"}}},
			Concealment: pick(r, g.tab.concealments),
			Parties: []intel.Party{
				{Type: "person", Role: "consignee", Name: fmt.Sprintf("Person %d", r.IntN(100000)),
					BirthDate: "1980-01-01", Nationality: from.country,
					Document: &intel.Document{Type: "passport", Number: fmt.Sprintf("P%08d", r.IntN(100000000))}},
				{Type: "organisation", Role: "consignor", Name: fmt.Sprintf("Trading Company %d Ltd.", r.IntN(10000)),
					Country: from.country},
			},
			Narrative: strings.Join(words, " ") + ".",
		},
	}
}

// Batch returns n records with their create events.
func (g *Gen) Batch(n int) ([]*intel.Record, []audit.Event) {
	rs := make([]*intel.Record, n)
	evs := make([]audit.Event, n)
	for i := range rs {
		rs[i] = g.Record()
		evs[i] = CreateEvent(rs[i])
	}
	return rs, evs
}

// BenchCreateRecords measures CreateRecords with batches of BatchSize
// records and reports records/s. Generating the records is not timed.
func BenchCreateRecords(b *testing.B, open func(*testing.B) store.Store) {
	s := open(b)
	g := NewGen(1)
	ctx := context.Background()
	n := 0
	for b.Loop() {
		b.StopTimer()
		rs, evs := g.Batch(BatchSize)
		b.StartTimer()
		if err := s.CreateRecords(ctx, rs, evs); err != nil {
			b.Fatal(err)
		}
		n += len(rs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// preload stores n generated records and returns their ids.
func preload(b *testing.B, s store.Store, n int) []string {
	b.Helper()
	g := NewGen(2)
	ids := make([]string, 0, n)
	for len(ids) < n {
		rs, evs := g.Batch(min(BatchSize, n-len(ids)))
		if err := s.CreateRecords(context.Background(), rs, evs); err != nil {
			b.Fatal(err)
		}
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// BenchGetRecord measures GetRecord by id among 20,000 stored records.
func BenchGetRecord(b *testing.B, open func(*testing.B) store.Store) {
	s := open(b)
	ids := preload(b, s, 20000)
	r := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.GetRecord(ctx, ids[r.IntN(len(ids))]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchListText measures a one-word full-text listing (first page) among
// 20,000 stored records.
func BenchListText(b *testing.B, open func(*testing.B) store.Store) {
	s := open(b)
	preload(b, s, 20000)
	ctx := context.Background()
	for b.Loop() {
		page, err := s.ListRecords(ctx, store.RecordQuery{Text: "pallets", Limit: 50})
		if err != nil {
			b.Fatal(err)
		}
		if len(page.Records) == 0 {
			b.Fatal("no record found")
		}
	}
}

// BenchVerifyAudit measures store.VerifyAudit over a node holding
// LIAISON_BENCH_VERIFY_RECORDS generated records (20,000 unless set), each
// stored with its audit entry: the chain, its anchor, and every version's
// body hashed and compared with its digest. It reports the versions
// checked a second, what an operator divides a node's versions by to know
// how long `liaison audit verify` takes.
func BenchVerifyAudit(b *testing.B, open func(*testing.B) store.Store) {
	n := 20000
	if v := os.Getenv("LIAISON_BENCH_VERIFY_RECORDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("LIAISON_BENCH_VERIFY_RECORDS=%q: want a positive number", v)
		}
	}
	s := open(b)
	preload(b, s, n)
	ctx := context.Background()
	var versions int64
	for b.Loop() {
		rep, err := store.VerifyAudit(ctx, s, true)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Covered != int64(n) {
			b.Fatalf("verified %d versions against their digests, want %d", rep.Covered, n)
		}
		versions += rep.Versions
	}
	b.ReportMetric(float64(versions)/b.Elapsed().Seconds(), "versions/s")
}
