package match

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"liaison/internal/intel"
	"liaison/internal/match/norm"
	"liaison/internal/procstat"
	"liaison/internal/synth"
)

// recordStream feeds synthetic records as the store would when the index
// is rebuilt at start: a pool of generated records is replayed under new
// ids, each party's name made distinct by diversify (so that ten million
// records are not the pool's names ten times over) and each container
// number by its record number. Generating ten million records with the
// synthetic generator itself would take hours.
type recordStream struct {
	pool []*intel.Record
	rng  *rand.Rand
	n    int
}

func newRecordStream(tb testing.TB, poolSize int) *recordStream {
	tb.Helper()
	origins := []string{"HK", "CN", "FR", "RU", "AE", "JP", "NG", "US", "DE", "VN", "TH", "IN"}
	pool := make([]*intel.Record, poolSize)
	gens := len(origins)
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	parallel(gens, func(gi int) {
		g := synth.New(int64(500+gi), origins[gi])
		for i := gi; i < poolSize; i += gens {
			pool[i] = g.Record(now)
		}
	})
	return &recordStream{pool: pool, rng: rand.New(rand.NewPCG(11, 11))}
}

// next returns the next n records.
func (s *recordStream) next(n int) []*intel.Record {
	out := make([]*intel.Record, n)
	for i := range out {
		src := s.pool[s.n%len(s.pool)]
		r := *src
		r.ID = fmt.Sprintf("S%09d", s.n)
		if src.Seizure != nil {
			sz := *src.Seizure
			sz.Parties = s.parties(sz.Parties)
			sz.Containers = nil
			for j := range src.Seizure.Containers {
				sz.Containers = append(sz.Containers, containerNumber(s.n*4+j))
			}
			r.Seizure = &sz
		}
		if src.Warning != nil {
			w := *src.Warning
			w.Targets = s.parties(w.Targets)
			r.Warning = &w
		}
		out[i] = &r
		s.n++
	}
	return out
}

func (s *recordStream) parties(ps []intel.Party) []intel.Party {
	out := make([]intel.Party, len(ps))
	for i, p := range ps {
		p.Name = diversify(p.Name, p.Type == "organisation", s.rng)
		p.Aliases = nil
		out[i] = p
	}
	return out
}

// BenchmarkRebuild measures rebuilding the index from a stream of
// LIAISON_BENCH_REBUILD_RECORDS records (default 1,000,000) fed to a
// Loader as the matching service feeds the records it reads, then the resident memory after garbage
// collection, before and after Compact (index-rss-MiB leaves out the record pool and the test
// binary), and the latency of fuzzy queries (names of the pool's
// records under other random variations) on the rebuilt index.
//
//	LIAISON_BENCH_REBUILD_RECORDS=10000000 go test ./internal/match -run '^$' -bench Rebuild -benchtime 1x -timeout 120m
func BenchmarkRebuild(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("LIAISON_BENCH_REBUILD_RECORDS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for range b.N {
		s := newRecordStream(b, 100_000)
		runtime.GC()
		debug.FreeOSMemory()
		rss0 := rssMiB()
		ix := MustIndex(b)
		b.ResetTimer()
		start := time.Now()
		cpu0 := procstat.CPUTime()
		l := ix.NewLoader()
		for done := 0; done < n; {
			k := min(4096, n-done)
			for _, r := range s.next(k) {
				l.Add(r)
			}
			done += k
		}
		l.Close()
		rebuild := time.Since(start)
		cpu := procstat.CPUTime() - cpu0
		b.StopTimer()
		runtime.GC()
		debug.FreeOSMemory()
		rssBefore := rssMiB()
		t0 := time.Now()
		ix.Compact()
		compact := time.Since(t0)
		runtime.GC()
		debug.FreeOSMemory()
		rss := rssMiB()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		named := 0
		for _, r := range s.pool {
			for _, e := range Extract(r) {
				if e.Type == Person || e.Type == Organisation {
					named++
				}
			}
		}
		// Queries: names of the pool under new variations.
		qs := s.next(2000)
		durs := make([]time.Duration, 0, 4000)
		for _, r := range qs {
			for _, e := range Extract(r) {
				if e.Type != Person && e.Type != Organisation || len(durs) == cap(durs) {
					continue
				}
				t0 := time.Now()
				ix.Match(e, 5, nil)
				durs = append(durs, time.Since(t0))
			}
		}
		b.ReportMetric(rebuild.Seconds(), "rebuild-s")
		b.ReportMetric(cpu.Seconds(), "rebuild-cpu-s")
		b.ReportMetric(float64(n)/rebuild.Seconds(), "records/s")
		b.ReportMetric(float64(ix.Len()), "entities")
		b.ReportMetric(float64(ix.voc.len()), "tokens")
		b.ReportMetric(float64(n)*float64(named)/float64(len(s.pool)), "named-entities")
		b.ReportMetric(rss, "rss-MiB")
		b.ReportMetric(rss-rss0, "index-rss-MiB")
		b.ReportMetric(rssBefore-rss0, "uncompacted-index-rss-MiB")
		b.ReportMetric(compact.Seconds(), "compact-s")
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
		// The tables the index holds outside the Go heap (see offheap).
		b.ReportMetric(float64(OffHeapBytes())/(1<<20), "offheap-MiB")
		b.ReportMetric(percentile(durs, 0.5), "p50-ms")
		b.ReportMetric(percentile(durs, 0.99), "p99-ms")
	}
}

// TestAddRecordsPostsAsAddRecord checks that AddRecords and a Loader,
// which set the postings of blocking keys aside and add them shard by
// shard, leave every posting list exactly as AddRecord of one record
// after another does: the same entity ids in the same order, for every key of every
// entity, with records replaced within a batch and across batches and
// records removed between batches. It also checks that the keys worked
// out before storing are those found again from the stored entity, which
// removing a record relies on.
func TestAddRecordsPostsAsAddRecord(t *testing.T) {
	t.Run("as configured", testAddRecordsPostsAsAddRecord)
	// Postings added in slot order from the first, and a Loader that
	// lets the lock go every few parts (so that records given again come
	// both within and across its holds).
	t.Run("in slot order, short holds", func(t *testing.T) {
		defer func(m, f int) { slotOrderMin, loadFlush = m, f }(slotOrderMin, loadFlush)
		slotOrderMin, loadFlush = 1, addPart+addPart/2
		testAddRecordsPostsAsAddRecord(t)
	})
}

func testAddRecordsPostsAsAddRecord(t *testing.T) {
	s := newRecordStream(t, 600)
	var batches [][]*intel.Record
	for range 4 {
		batches = append(batches, s.next(2*addPart+100))
	}
	// A record given twice in one batch, and records of an earlier batch
	// given again with other names.
	batches[1] = append(batches[1], batches[1][3], batches[0][7], batches[1][addPart+5])
	again := s.next(2)
	again[0].ID, again[1].ID = batches[2][10].ID, batches[0][20].ID
	batches[3] = append(batches[3], again...)
	removed := []string{batches[0][30].ID, batches[2][40].ID}

	one, batch, loaded := MustIndex(t), MustIndex(t), MustIndex(t)
	l := loaded.NewLoader()
	for bi, rs := range batches {
		for _, r := range rs {
			one.AddRecord(r)
			l.Add(r)
		}
		batch.AddRecords(rs)
		if bi == 2 {
			l.Close()
			l.Close() // a second Close does nothing
			for _, id := range removed {
				one.Remove(id)
				batch.Remove(id)
				loaded.Remove(id)
			}
			l = loaded.NewLoader()
		}
	}
	l.Close()
	samePostings(t, one, batch, "AddRecords")
	samePostings(t, one, loaded, "a Loader")
}

// samePostings fails t unless other holds the entities and posting lists
// of one, as the same records added with AddRecord leave them.
func samePostings(t *testing.T, one, other *Index, how string) {
	t.Helper()
	batch := other
	if one.Len() != batch.Len() || len(one.ents) != len(batch.ents) {
		t.Fatalf("entities: AddRecord %d (%d ids), %s %d (%d ids)", one.Len(), len(one.ents), how, batch.Len(), len(batch.ents))
	}
	lists := 0
	for id := range one.ents {
		if one.ents[id].dead != batch.ents[id].dead {
			t.Fatalf("entity %d: dead %v with AddRecord, %v with %s", id, one.ents[id].dead, batch.ents[id].dead, how)
		}
		if one.ents[id].dead {
			continue
		}
		if a, b := one.entity(uint32(id)), batch.entity(uint32(id)); a != b {
			t.Fatalf("entity %d: %+v with AddRecord, %+v with %s", id, a, b, how)
		}
		ka, kb := one.entKeys(nil, uint32(id)), batch.entKeys(nil, uint32(id))
		if len(ka) != len(kb) || len(ka) == 0 {
			t.Fatalf("entity %d: %d keys with AddRecord, %d with %s", id, len(ka), len(kb), how)
		}
		// The keys prepare works out for the entity as given are those
		// of the entity as stored.
		e := one.entity(uint32(id))
		if p := one.prepare([]Entity{e}); !slices.Equal(p.keys, ka) {
			t.Fatalf("entity %d (%s): prepared keys %v, stored keys %v", id, e.Type, p.keys, ka)
		}
		for i, k := range ka {
			// Hashes are seeded per index: compare the lists by position.
			la, lb := one.list(k), batch.list(kb[i])
			if !slices.Equal(la, lb) {
				t.Fatalf("entity %d key %d (kind %d): list %v with AddRecord, %v with %s", id, i, k.kind, la, lb, how)
			}
			lists++
		}
	}
	if lists < 10000 {
		t.Fatalf("compared %d lists, too few to tell", lists)
	}
	var na, nb int
	for i := range one.post.shards {
		na += one.post.shards[i].n
		nb += batch.post.shards[i].n
	}
	if na != nb {
		t.Fatalf("keys: %d with AddRecord, %d with %s", na, nb, how)
	}
}

// TestExtractPaths checks where Extract says each entity is in the
// record's JSON.
func TestExtractPaths(t *testing.T) {
	r := seizure(
		intel.Party{Type: "organisation", Name: "Kam Fung Trading Limited", Country: "HK"},
		intel.Party{Type: "person", Name: "Chan Tai Man", Nationality: "HK", Aliases: []string{"陳大文", "Chan Dai Man"},
			Document: &intel.Document{Country: "HK", Number: "K0123456"}, Phones: []string{"+852 2345 6789", "+852 9876 5432"},
			Emails: []string{"tm.chan@example.com"}, Address: "12/F, 88 Queen's Road Central"},
	)
	r.Seizure.Containers = []string{"CSQU3054383", "MSKU1234565"}
	var got []string
	for _, e := range Extract(r) {
		got = append(got, string(e.Type)+" "+e.Path)
	}
	want := []string{
		"organisation seizure.parties[0]",
		"person seizure.parties[1]",
		"person seizure.parties[1].aliases[0]",
		"person seizure.parties[1].aliases[1]",
		"document seizure.parties[1].document",
		"phone seizure.parties[1].phones[0]",
		"phone seizure.parties[1].phones[1]",
		"email seizure.parties[1].emails[0]",
		"address seizure.parties[1].address",
		"container seizure.containers[0]",
		"container seizure.containers[1]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Extract:\n got  %q\n want %q", got, want)
	}
}

// TestExtractCapBound checks that extractCap is never below what Extract
// finds, on the generator's records of every kind, so that Extract
// allocates once.
func TestExtractCapBound(t *testing.T) {
	s := newRecordStream(t, 3000)
	kinds := map[string]int{}
	for _, r := range s.pool {
		es := Extract(r)
		if c := extractCap(r); len(es) > c || cap(es) != c {
			t.Fatalf("record %s: %d entities, extractCap %d, capacity %d", r.ID, len(es), c, cap(es))
		}
		switch {
		case r.Seizure != nil:
			kinds["seizure"]++
		case r.Warning != nil:
			kinds["warning"]++
		case r.Request != nil:
			kinds["request"]++
		case r.Response != nil:
			kinds["response"]++
		}
	}
	if len(kinds) < 2 {
		t.Fatalf("records of kinds %v only", kinds)
	}
	t.Logf("records by kind: %v", kinds)
}

// TestKeyHashesWithoutStrings checks that the keys hashed from bytes on
// the stack are the keys of the strings they stand for: the skeleton of
// a whole name and a name as normalised.
func TestKeyHashesWithoutStrings(t *testing.T) {
	ix := MustIndex(t)
	for _, s := range []string{"", "chantaiman", "tschaikowskyshchukindzhabrailovchangzhangsatohjohnmhmdxie", "ab"} {
		if got, want := ix.skeletonHash(3, keyWhole, s), ix.hash(3, keyWhole, norm.Skeleton(s)); got != want {
			t.Errorf("skeletonHash(%q) = %x, want %x", s, got, want)
		}
	}
	for _, toks := range [][][]string{{{"chan"}, {"tai", "dai"}, {"man"}}, {{"x"}}, {{"kam"}, {"fung"}, {"trading"}, {"international"}, {"holdings"}, {"enterprise"}}} {
		var words []string
		for _, tk := range toks {
			words = append(words, tk[0])
		}
		r := rend{toks: toks}
		if got, want := ix.nameHash(1, &r), ix.hash(1, keyName, strings.Join(words, " ")); got != want {
			t.Errorf("nameHash(%q) = %x, want %x", words, got, want)
		}
	}
}

// TestIngestReusesPreparedKeys checks that matching a record's entities
// with the keys prepare worked out for them finds exactly what matching
// them with keys worked out again from the index finds, result for
// result and reason for reason.
func TestIngestReusesPreparedKeys(t *testing.T) {
	s := newRecordStream(t, 2000)
	ix := MustIndex(t)
	ix.AddRecords(s.next(6000))
	// Records of the pool again, under new ids: their names are in the
	// index, so they have candidates and links.
	again := s.next(300)
	links, named := 0, 0
	for _, r := range again {
		p, ids, ef := addAsIngested(ix, r)
		from := int32(0)
		for i := range p.es {
			e := &p.es[i]
			if e.Type.named() {
				named++
			}
			ef.id = ids[i]
			ef.keys = nil
			want := ix.matchWith(e, 10, Threshold, nil, r.ID, ef)
			ef.keys = p.keys[from:p.kend[i]]
			from = p.kend[i]
			got := ix.matchWith(e, 10, Threshold, nil, r.ID, ef)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("record %s entity %d (%s): with prepared keys %v, with keys worked out again %v", r.ID, i, e.Path, got, want)
			}
			links += len(got)
		}
	}
	if named < 300 || links < 300 {
		t.Fatalf("%d named entities, %d links: too few to tell", named, links)
	}
	t.Logf("%d named entities, %d links", named, links)
}

// TestLoaderWhileQueried checks that a Loader can fill an index that is
// queried meanwhile: queries answer with records already given, and once
// Close returns every record's name finds its record. Run with -race, it
// also checks the locking between the goroutines preparing, the one
// storing and the queries.
func TestLoaderWhileQueried(t *testing.T) {
	s := newRecordStream(t, 300)
	rs := s.next(3 * addPart)
	given := map[string]bool{}
	for _, r := range rs {
		given[r.ID] = true
	}
	ix := MustIndex(t)
	stop, done := make(chan struct{}), make(chan string)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- ""
				return
			default:
			}
			for _, e := range Extract(rs[i%len(rs)]) {
				if e.Type != Person && e.Type != Organisation {
					continue
				}
				for _, res := range ix.Match(e, 5, nil) {
					if !given[res.Record] {
						<-stop
						done <- fmt.Sprintf("Match(%q) found %s, which was never given", e.Name, res.Record)
						return
					}
				}
			}
		}
	}()
	l := ix.NewLoader()
	for _, r := range rs {
		l.Add(r)
	}
	l.Close()
	close(stop)
	if msg := <-done; msg != "" {
		t.Fatal(msg)
	}
	for _, r := range rs {
		for _, e := range Extract(r) {
			if e.Type != Person && e.Type != Organisation {
				continue
			}
			found := false
			for _, res := range ix.Match(e, 50, nil) {
				found = found || res.Record == r.ID
			}
			if !found {
				t.Fatalf("after Close, Match(%q) does not find record %s", e.Name, r.ID)
			}
		}
	}
}

// addAsIngested prepares r and adds it to ix as ingest does, and returns
// its preparation, the ids its entities were given and the effort of an
// ingest query for a stored entity (set id and keys per entity).
func addAsIngested(ix *Index, r *intel.Record) (prepared, []uint32, effort) {
	p := ix.prepare(Extract(r))
	ix.mu.Lock()
	ids := ix.add(r.ID, &p, nil)
	ix.mu.Unlock()
	return p, ids, effort{candidates: ix.opt.IngestCandidates, budget: ix.opt.IngestCandidates * 250, stored: true}
}
