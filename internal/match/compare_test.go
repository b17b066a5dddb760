package match

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// TestSimTable checks the similarity table against a map: what is put is
// found until reset, growing keeps every entry, and nothing survives a
// reset, the generation's wrapping included.
func TestSimTable(t *testing.T) {
	var tb simTable
	want := map[simKey]float64{}
	check := func(when string) {
		t.Helper()
		for k, v := range want {
			if got, ok := tb.get(k); !ok || got != v {
				t.Fatalf("%s: get(%#x) = %v, %v, want %v, true", when, k, got, ok, v)
			}
		}
	}
	if _, ok := tb.get(simKey{}); ok {
		t.Fatal("empty table finds key 0")
	}
	// Keys alike in their low bits, as keys of one query's unit are.
	for i := range uint64(5000) {
		k := simKey{a: i<<32 | 7}
		switch i % 3 {
		case 0:
			k = simKey{a: i}
		case 1:
			// a span's key: the same a as a single token's, another b.
			k = simKey{a: (i-1)<<32 | 7, b: 1 << 31}
		}
		if _, ok := tb.get(k); ok {
			t.Fatalf("key %#x found before it was put", k)
		}
		v := float64(i) / 5000
		tb.put(k, v)
		want[k] = v
		if i%997 == 0 {
			check("while growing")
		}
	}
	check("after growing")
	if len(tb.slots) < 2*len(want) {
		t.Fatalf("%d slots for %d entries: more than half full", len(tb.slots), len(want))
	}
	tb.reset()
	for k := range want {
		if _, ok := tb.get(k); ok {
			t.Fatalf("key %#x found after reset", k)
		}
	}
	tb.put(simKey{a: 1}, 0.5)
	if v, ok := tb.get(simKey{a: 1}); !ok || v != 0.5 {
		t.Fatalf("after reset, get(1) = %v, %v", v, ok)
	}
	// The generation wraps: slots of the first generation must not come
	// back.
	tb.gen = math.MaxUint32
	tb.put(simKey{a: 2}, 0.25)
	tb.reset()
	if _, ok := tb.get(simKey{a: 2}); ok {
		t.Fatal("key 2 found after the generation wrapped")
	}
	if _, ok := tb.get(simKey{a: 1}); ok {
		t.Fatal("key 1 found after the generation wrapped")
	}
}

// TestSimTableShrinks checks that a table grown large is made small again
// once shrinkAfter queries in a row used little of it, not before, and
// forgets its entries all the same.
func TestSimTableShrinks(t *testing.T) {
	var tb simTable
	for i := range uint64(20000) {
		tb.put(simKey{a: i}, 1)
	}
	big := len(tb.slots)
	tb.reset()
	// One query of few entries, or a few, keep the table: another large
	// one may follow.
	for range shrinkAfter - 1 {
		tb.put(simKey{a: 1}, 0.5)
		tb.reset()
	}
	if len(tb.slots) != big {
		t.Fatalf("%d slots after %d resets of a table of %d with one entry", len(tb.slots), shrinkAfter-1, big)
	}
	tb.put(simKey{a: 1}, 0.5)
	tb.reset()
	if len(tb.slots) != minSimSlots {
		t.Fatalf("%d slots after %d resets of a table of %d with one entry, want %d", len(tb.slots), shrinkAfter, big, minSimSlots)
	}
	for i := range uint64(20000) {
		if _, ok := tb.get(simKey{a: i}); ok {
			t.Fatalf("key %d found after reset", i)
		}
	}
}

// TestSharedComparatorAsFresh checks that a comparator kept for the
// candidates of one query, as fuzzy keeps it, scores each candidate as a
// comparator of its own that caches nothing does: the same score, to the
// last bit, from the same renderings. Candidates found by one pair of
// tokens share that pair written together, whose similarities the shared
// comparator reuses.
func TestSharedComparatorAsFresh(t *testing.T) {
	s := newRecordStream(t, 2000)
	ix := MustIndex(t)
	ix.AddRecords(s.next(6000))
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	shared := newComparator()
	compared, matched, sharedSpans := 0, 0, 0
	for _, r := range s.next(300) {
		for _, e := range Extract(r) {
			if e.Type != Person && e.Type != Organisation {
				continue
			}
			typ := typeCodes[e.Type]
			qr := rends(ix.names.name(ix.nm, e.Name, entityKind(&e)))
			for i := range qr {
				qr[i].ids = make([]uint32, len(qr[i].toks))
				for j, tk := range qr[i].toks {
					qr[i].ids[j] = ix.vocabOf(tk)
				}
			}
			// The query without vocabulary ids: nothing it is compared
			// with is looked up by id.
			plainQ := slices.Clone(qr)
			for i := range plainQ {
				plainQ[i].ids = nil
			}
			// The candidates: entities sharing a blocking key with it.
			var cands []uint32
			for _, k := range ix.nameKeys(nil, typ, qr) {
				for _, id := range ix.post.get(k.h) {
					if len(cands) < 40 && !slices.Contains(cands, id) {
						cands = append(cands, id)
					}
				}
			}
			shared.reset()
			shared.org = e.Type == Organisation
			spans := map[[3]uint32]bool{}
			for _, id := range cands {
				rs, _ := ix.rendsOf(id, nil, nil)
				ns, ia, ib := shared.nameScore(qr, rs)
				plain := slices.Clone(rs)
				for i := range plain {
					plain[i].ids = nil
				}
				fresh := newComparator()
				fresh.org = shared.org
				wantNS, wantA, wantB := fresh.nameScore(plainQ, plain)
				if ns != wantNS || ia != wantA || ib != wantB {
					t.Fatalf("%q against entity %d: shared comparator %v (%d, %d), fresh %v (%d, %d)", e.Name, id, ns, ia, ib, wantNS, wantA, wantB)
				}
				compared++
				if ns >= Threshold {
					matched++
				}
				seen := false
				for _, r := range rs {
					for k := 0; k+1 < len(r.ids); k++ {
						span := [3]uint32{r.ids[k], r.ids[k+1]}
						seen = seen || spans[span]
						spans[span] = true
					}
				}
				if seen {
					sharedSpans++
				}
			}
		}
	}
	if compared < 2000 || matched < 200 || sharedSpans < 200 {
		t.Fatalf("%d comparisons, %d at the threshold, %d sharing a span with an earlier candidate: too few to tell", compared, matched, sharedSpans)
	}
	t.Logf("%d comparisons, %d at the threshold, %d sharing a span with an earlier candidate", compared, matched, sharedSpans)
}

// TestIngestLinksAsCompare checks every link of persons and organisations
// that ingest finds against Compare, the general path, which normalises
// both names again and compares them with nothing cached: the same score
// and the same reasons.
func TestIngestLinksAsCompare(t *testing.T) {
	s := newRecordStream(t, 2000)
	ix := MustIndex(t)
	ix.AddRecords(s.next(6000))
	rs := s.next(1500)
	checked := 0
	for len(rs) > 0 {
		n := min(256, len(rs))
		for _, ls := range ix.IngestBatch(rs[:n], 10) {
			for _, l := range ls {
				if l.Entity.Type != Person && l.Entity.Type != Organisation {
					continue
				}
				score, reasons := Compare(ix.Normalizer(), *l.Entity, *l.Matched)
				if round2(score) != l.Score || !slices.Equal(reasons, l.Reasons) {
					t.Fatalf("link of %q to %q: ingest %v %q, Compare %v %q", l.Entity.Name, l.Matched.Name, l.Score, l.Reasons, round2(score), reasons)
				}
				checked++
			}
		}
		rs = rs[n:]
	}
	if checked < 1000 {
		t.Fatalf("%d links checked: too few to tell", checked)
	}
	t.Logf("%d links checked", checked)
}

// TestBoundsAsGeneralPath checks that the bounds on the evidence, which
// pass over candidates that cannot reach the minimum and read a
// candidate's fields only when they can, find what scoring every
// candidate in full finds, result for result and reason for reason: for
// ingest's matching of records just indexed, and for searches of names
// at a lower minimum, whose candidates are many more.
func TestBoundsAsGeneralPath(t *testing.T) {
	s := newRecordStream(t, 2000)
	ix := MustIndex(t)
	ix.AddRecords(s.next(6000))
	links, found := 0, 0
	for _, r := range s.next(600) {
		p, ids, ef := addAsIngested(ix, r)
		from := int32(0)
		for i := range p.es {
			e := &p.es[i]
			ef.id, ef.keys = ids[i], p.keys[from:p.kend[i]]
			from = p.kend[i]
			ef.plain = false
			got := ix.matchWith(e, 10, Threshold, nil, r.ID, ef)
			ef.plain = true
			want := ix.matchWith(e, 10, Threshold, nil, r.ID, ef)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("record %s entity %s: with bounds %v, in full %v", r.ID, e.Path, got, want)
			}
			links += len(got)
			if !e.Type.named() || e.Name == "" {
				continue
			}
			th := ix.thorough()
			got = ix.matchWith(e, 20, 0.5, nil, "", th)
			th.plain = true
			want = ix.matchWith(e, 20, 0.5, nil, "", th)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("search for %q: with bounds %v, in full %v", e.Name, got, want)
			}
			found += len(got)
		}
	}
	if links < 1000 || found < 2000 {
		t.Fatalf("%d links, %d found by searches: too few to tell", links, found)
	}
	t.Logf("%d links, %d found by searches", links, found)
}

// TestIngestFoundAsLinks checks that IngestBatchFound, which gives the
// links as a node stores them, finds what IngestBatch finds, link for
// link and in the same order: the same record, score, reasons and paths of
// both entities. Two indexes of the same records ingest the same batches,
// one through each.
func TestIngestFoundAsLinks(t *testing.T) {
	s := newRecordStream(t, 2000)
	a, b := MustIndex(t), MustIndex(t)
	base := s.next(4000)
	a.AddRecords(base)
	b.AddRecords(base)
	rs := s.next(1000)
	compared := 0
	for len(rs) > 0 {
		n := min(256, len(rs))
		links := a.IngestBatch(rs[:n], 10)
		found := b.IngestBatchFound(rs[:n], 10)
		if len(links) != len(found) {
			t.Fatalf("%d lists of links, %d of found", len(links), len(found))
		}
		for i := range links {
			if len(links[i]) != len(found[i]) {
				t.Fatalf("record %s: %d links, %d found", rs[i].ID, len(links[i]), len(found[i]))
			}
			for j, l := range links[i] {
				f := found[i][j]
				want := Found{Record: l.Record, Score: l.Score, EntityPath: l.Entity.Path, MatchedPath: l.Matched.Path, Reasons: l.Reasons}
				if f.Record != want.Record || f.Score != want.Score || f.EntityPath != want.EntityPath ||
					f.MatchedPath != want.MatchedPath || !slices.Equal(f.Reasons, want.Reasons) {
					t.Fatalf("record %s, link %d: found %+v, want %+v", rs[i].ID, j, f, want)
				}
				compared++
			}
		}
		rs = rs[n:]
	}
	if compared < 1000 {
		t.Fatalf("%d links compared: too few to tell", compared)
	}
	t.Logf("%d links compared", compared)
}
