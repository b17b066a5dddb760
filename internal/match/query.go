package match

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"liaison/internal/intel"
	"liaison/internal/match/norm"
)

// Result is an indexed entity found for a query: the record it is in, the
// score (0 to 1), the entity and why it matched. Results are returned best
// first; ties keep the order of indexing.
type Result struct {
	Record  string   `json:"record"`
	Score   float64  `json:"score"`
	Entity  Entity   `json:"entity"`
	Reasons []string `json:"reasons"`
}

// Link is a match between an entity of one record (Entity) and an entity
// of another record (Matched), shaped as GET /api/v1/records/{id}/matches
// returns it.
//
// The entities are held by pointer: a record's links are many, and each
// would otherwise copy both entities whole.
type Link struct {
	Record  string   `json:"record"`
	Score   float64  `json:"score"`
	Entity  *Entity  `json:"entity"`
	Matched *Entity  `json:"matched"`
	Reasons []string `json:"reasons"`
}

// Query is an ad-hoc search (GET /api/v1/entities/search).
type Query struct {
	Name string
	// Type is person, organisation or vessel for a name search, any
	// identifier type for an exact lookup of Name as a value, or empty for
	// persons and organisations together.
	Type        Type
	Country     string // the organisation's country or the person's nationality
	BirthDate   string
	Limit       int     // default 10
	MinScore    float64 // default Threshold
	Nationality string
}

// Visible reports whether the caller may be told about a record. A nil
// Visible allows every record.
type Visible func(recordID string) bool

// scratch is per-query working memory, pooled.
type scratch struct {
	acc     []uint16
	touched []uint32
	cands   []cand
	cmp     *comparator
	rends   []rend
	toks    [][]string
	keys    []key
	qkeys   []qkey
	top     []uint64
	hist    [4096]int32
	slips   []key
	tacc    []uint16
	qrends  []rend
	qtoks   [][]string
	ents    []Entity // the candidates' fields (cand.m)
	// slot is the table of weights of a query reading at most
	// smallBudget entries (see fuzzy).
	slot [1 << slotBits]uint32
}

// A query whose budget is at most smallBudget posting entries adds up
// its candidates' weights in a table of 1<<slotBits slots, at most half
// full.
const (
	slotBits    = 12
	smallBudget = 1 << (slotBits - 1)
)

// qkey is a blocking key of a query with its posting list.
type qkey struct {
	kind uint8
	list []uint32
}

type cand struct {
	id     uint32
	acc    uint16
	score  float64 // with evidence
	ns     float64 // of the names alone
	ri     int     // query rendering that matched
	scheme string  // of the candidate's rendering that matched
	// m is the place of the candidate in the scratch space's ents once
	// its fields are read (they are large, and the candidates are
	// sorted).
	m int32
}

func (ix *Index) getScratch() *scratch {
	select {
	case s := <-ix.scratch:
		return s
	default:
		return &scratch{cmp: newComparator()}
	}
}

func (ix *Index) putScratch(s *scratch) {
	select {
	case ix.scratch <- s:
	default:
	}
}

// Match returns the indexed entities that match e, best first, at most
// limit (default 10) and only those scoring at least Threshold, in records
// that visible allows.
func (ix *Index) Match(e Entity, limit int, visible Visible) []Result {
	return ix.match(&e, limit, Threshold, visible, "")
}

// Search runs an ad-hoc query.
func (ix *Index) Search(q Query, visible Visible) []Result {
	min := q.MinScore
	if min <= 0 {
		min = Threshold
	}
	e := Entity{Type: q.Type, Name: q.Name, BirthDate: q.BirthDate, Nationality: q.Nationality}
	switch q.Type {
	case "", Person, Organisation, Vessel:
		if q.Type == Person && e.Nationality == "" {
			e.Nationality = q.Country
		} else {
			e.Country = q.Country
		}
	default:
		v, err := Canonical(q.Type, q.Name)
		if err != nil {
			return nil
		}
		e.Value, e.Name = v, ""
	}
	if q.Type != "" {
		return ix.match(&e, q.Limit, min, visible, "")
	}
	e.Type = Person
	e.Nationality = q.Country
	out := ix.match(&e, q.Limit, min, visible, "")
	o := Entity{Type: Organisation, Name: q.Name, Country: q.Country}
	out = append(out, ix.match(&o, q.Limit, min, visible, "")...)
	slices.SortStableFunc(out, func(a, b Result) int { return cmp.Compare(b.Score, a.Score) })
	if lim := limitOr(q.Limit); len(out) > lim {
		out = out[:lim]
	}
	return out
}

// HasNameToCompare reports whether a name searched for as type t (a
// person or an organisation when t is empty) keeps anything to compare
// once normalised: "Co., Ltd.", "Mr" or "…" do not, and would find
// nothing.
func (ix *Index) HasNameToCompare(t Type, name string) bool {
	kinds := []Type{t}
	if t == "" {
		kinds = []Type{Person, Organisation}
	}
	for _, k := range kinds {
		if len(ix.nm.Name(name, nameKind(k))) > 0 {
			return true
		}
	}
	return false
}

func limitOr(n int) int {
	if n <= 0 {
		return 10
	}
	return n
}

// MatchRecord matches every entity of a record against the entities of
// all other records, and returns the links at or above Threshold in
// records visible allows, best first, at most perEntity for each of the
// record's entities (default 10). The record need not be indexed.
func (ix *Index) MatchRecord(r *intel.Record, perEntity int, visible Visible) []Link {
	var out []Link
	es := Extract(r)
	for i := range es {
		rs := ix.match(&es[i], perEntity, Threshold, visible, r.ID)
		for j := range rs {
			res := &rs[j]
			out = append(out, Link{Record: res.Record, Score: res.Score, Entity: &es[i], Matched: &res.Entity, Reasons: res.Reasons})
		}
	}
	slices.SortStableFunc(out, func(a, b Link) int { return cmp.Compare(b.Score, a.Score) })
	return out
}

// effort bounds the work of one fuzzy query.
type effort struct {
	candidates int  // scored in full
	budget     int  // posting entries read
	tokens     bool // read single-token keys when few candidates were found
	// stored says the query is the indexed entity id of record self,
	// whose renderings are read from the index rather than normalised.
	stored bool
	id     uint32
	// keys are the stored entity's keys as prepare worked them out, so
	// that its name's blocking keys are not worked out again.
	keys []key
	// plain scores every candidate kept in full, its fields read before
	// its name is compared, without the bounds that pass over those that
	// cannot reach the minimum: the general path, which finds the same.
	plain bool
	// paths says the results' entities are given by their type and path
	// alone (Found): their fields are not copied out of the index.
	paths bool
}

func (ix *Index) thorough() effort {
	return effort{candidates: ix.opt.Candidates, budget: ix.opt.Budget, tokens: true}
}

// Ingest indexes a new or updated record and returns its links to other
// records, as MatchRecord does but with the lighter effort of
// Options.IngestCandidates: it is meant to run on every record stored or
// received, where only confident links matter. Visibility is not applied:
// links are stored and filtered when shown.
func (ix *Index) Ingest(r *intel.Record, perEntity int) []Link {
	p := ix.prepare(Extract(r))
	ix.mu.Lock()
	ids := ix.add(r.ID, &p, nil)
	ix.mu.Unlock()
	return ix.ingestLinks(r.ID, &p, ids, perEntity)
}

// IngestBatch is Ingest for many records: extraction and normalisation
// run on every core, the records are indexed together, then each
// record's entities are matched on every core. Each record is linked to
// the other records of the index, the batch's included (Ingest of one
// record after another links a record only to those before it). The
// links of rs[i] are out[i]. A record id given twice keeps its last
// version, and only that version is linked (the others' lists are nil).
func (ix *Index) IngestBatch(rs []*intel.Record, perEntity int) [][]Link {
	return ingestBatch(ix, rs, func(i int, p *prepared) []Link {
		return ix.ingestLinks(rs[i].ID, p, p.ids, perEntity)
	})
}

// Found is a link as a node stores it: the other record, the score, the
// paths of the two entities in their records and the reasons.
type Found struct {
	Record      string
	Score       float64
	EntityPath  string
	MatchedPath string
	Reasons     []string
}

// IngestBatchFound is IngestBatch giving each link as a node stores it
// (Found): the other record's entity is not copied out of the index,
// which IngestBatch does for every link, only to have it dropped by a
// node that keeps its path. The links are the same, in the same order.
func (ix *Index) IngestBatchFound(rs []*intel.Record, perEntity int) [][]Found {
	return ingestBatch(ix, rs, func(i int, p *prepared) []Found {
		return ix.ingestFound(rs[i].ID, p, perEntity)
	})
}

// ingestBatch prepares and indexes rs, then calls link for the latest
// version of each record, on every core, and returns what it gives.
func ingestBatch[T any](ix *Index, rs []*intel.Record, link func(i int, p *prepared) []T) [][]T {
	ps := ix.prepareAll(rs)
	ix.mu.Lock()
	ix.addAll(rs, ps)
	ix.mu.Unlock()
	last := make(map[string]int, len(rs))
	for i, r := range rs {
		last[r.ID] = i
	}
	out := make([][]T, len(rs))
	parallel(len(rs), func(i int) {
		if last[rs[i].ID] == i {
			out[i] = link(i, &ps[i])
		}
	})
	return out
}

// parallel calls f(0) … f(n-1) on GOMAXPROCS goroutines.
func parallel(n int, f func(int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// ingestLinks matches the entities of a record just indexed as ids.
func (ix *Index) ingestLinks(recordID string, p *prepared, ids []uint32, perEntity int) []Link {
	rb := ix.ingestResults(recordID, p, ids, perEntity, false)
	defer ix.putResults(rb)
	if len(rb.order) == 0 {
		return nil
	}
	// The entities matched are copied out of the working memory, into
	// one slice for the record's links; its own entities are es.
	out := make([]Link, len(rb.order))
	matched := make([]Entity, len(rb.order))
	for k, o := range rb.order {
		r := &rb.res[o.res]
		matched[k] = r.Entity
		out[k] = Link{Record: r.Record, Score: r.Score, Entity: &p.es[o.ent], Matched: &matched[k], Reasons: r.Reasons}
	}
	return out
}

// ingestFound is ingestLinks giving each link as Found.
func (ix *Index) ingestFound(recordID string, p *prepared, perEntity int) []Found {
	rb := ix.ingestResults(recordID, p, p.ids, perEntity, true)
	defer ix.putResults(rb)
	if len(rb.order) == 0 {
		return nil
	}
	out := make([]Found, len(rb.order))
	for k, o := range rb.order {
		r := &rb.res[o.res]
		out[k] = Found{Record: r.Record, Score: r.Score, EntityPath: p.es[o.ent].Path, MatchedPath: r.Entity.Path, Reasons: r.Reasons}
	}
	return out
}

// putResults lets go of what rb's results refer to and gives rb back.
func (ix *Index) putResults(rb *resultBuf) {
	clear(rb.res) // let go of the strings
	rb.res, rb.order = rb.res[:0], rb.order[:0]
	ix.results.Put(rb)
}

// ingestResults matches the entities of a record just indexed as ids and
// returns its results in working memory taken from ix.results, their
// order best first in order (see putResults); with paths, each result's
// entity is given by its type and path alone.
func (ix *Index) ingestResults(recordID string, p *prepared, ids []uint32, perEntity int, paths bool) *resultBuf {
	ef := effort{candidates: ix.opt.IngestCandidates, budget: ix.opt.IngestCandidates * 250, stored: true, paths: paths}
	es := p.es
	// The results of every entity are gathered first, so that the links
	// are made once, in a slice of the right size, in the order of a
	// stable sort by score (best first, ties in the order found); a
	// link is large, and growing and sorting a slice of them moved
	// each several times. The results of all entities go into one
	// slice, kept from one record to the next.
	rb, _ := ix.results.Get().(*resultBuf)
	if rb == nil {
		rb = &resultBuf{}
	}
	res := rb.res[:0]
	order := rb.order[:0]
	from := int32(0)
	for i := range es {
		ef.id = ids[i]
		ef.keys = p.keys[from:p.kend[i]]
		from = p.kend[i]
		n := len(res)
		res = ix.matchInto(&es[i], perEntity, Threshold, nil, recordID, ef, res)
		for j := n; j < len(res); j++ {
			order = append(order, linkRef{score: res[j].Score, ent: int32(i), res: int32(j)})
		}
	}
	// The results are in the order found: comparing their places after
	// the score sorts as a stable sort by score would.
	slices.SortFunc(order, func(a, b linkRef) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.res, b.res)
	})
	rb.res, rb.order = res, order
	return rb
}

// resultBuf is the working memory of ingestResults.
type resultBuf struct {
	res   []Result
	order []linkRef
}

// linkRef places a link among those of a record: its score, the entity
// of the record and the result's place among the record's results.
type linkRef struct {
	score float64
	ent   int32
	res   int32
}

func (ix *Index) match(e *Entity, limit int, min float64, visible Visible, self string) []Result {
	return ix.matchWith(e, limit, min, visible, self, ix.thorough())
}

func (ix *Index) matchWith(e *Entity, limit int, min float64, visible Visible, self string, ef effort) []Result {
	return ix.matchInto(e, limit, min, visible, self, ef, nil)
}

// matchInto is matchWith appending the results to out, which may hold
// others: at most limit are appended.
func (ix *Index) matchInto(e *Entity, limit int, min float64, visible Visible, self string, ef effort, out []Result) []Result {
	limit = limitOr(limit)
	if _, ok := typeCodes[e.Type]; !ok {
		return out
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	base := len(out)
	typ := typeCodes[e.Type]
	if (!e.Type.named() || e.Type == Vessel) && e.Value != "" {
		out = ix.exact(e, typ, limit, visible, self, out, ef.paths)
	}
	if e.Type.named() && e.Name != "" {
		out = ix.fuzzy(e, typ, limit, min, visible, self, out, base, ef)
	}
	return out
}

// exact looks an identifier up and appends what it finds to out, each
// result's entity by its type and path alone when paths is set.
func (ix *Index) exact(e *Entity, typ uint8, limit int, visible Visible, self string, out []Result, paths bool) []Result {
	h := ix.hash(typ, keyValue, e.Value)
	list := ix.vals.get(h)
	// Every result gives the same reason: it is made once, and each
	// result's list of reasons is a slice of one backing array, of
	// capacity one so that appending to one list copies it.
	var reasons []string
	for _, id := range list {
		en := &ix.ents[id]
		rec := ix.strs.str(en.recID)
		if rec == self || visible != nil && !visible(rec) {
			continue
		}
		if reasons == nil {
			n := min(len(list), limit)
			out = slices.Grow(out, n)
			reasons = make([]string, n)
			reason := "same " + string(e.Type) + " " + e.Value
			for i := range reasons {
				reasons[i] = reason
			}
		}
		var m Entity
		if paths {
			m = Entity{Type: Types[en.typ], Path: ix.paths[en.path]}
		} else {
			m = ix.entity(id)
		}
		out = append(out, Result{Record: rec, Score: 1, Entity: m, Reasons: reasons[:1:1]})
		reasons = reasons[1:]
		if len(reasons) == 0 {
			break
		}
	}
	return out
}

// fuzzy finds named entities: it gathers candidates from the posting lists
// of the query's blocking keys, rarest first and within the budget, keeps
// those sharing the most weight with the query, scores them in full and
// appends the best to out, whose results from base on count towards limit.
func (ix *Index) fuzzy(e *Entity, typ uint8, limit int, min float64, visible Visible, self string, out []Result, base int, ef effort) []Result {
	var qr []rend
	var s *scratch
	if ix.isStored(ef, self) {
		// The stored entity's renderings are decoded into the scratch
		// space's own buffers, apart from the candidates'.
		s = ix.getScratch()
		defer ix.putScratch(s)
		s.qrends, s.qtoks = ix.rendsOf(ef.id, s.qrends, s.qtoks[:0])
		qr = s.qrends
	} else {
		qr = rends(ix.names.name(ix.nm, e.Name, entityKind(e)))
		for i := range qr {
			qr[i].ids = make([]uint32, len(qr[i].toks))
			for j, t := range qr[i].toks {
				qr[i].ids[j] = ix.vocabOf(t)
			}
		}
	}
	if len(qr) == 0 {
		return out
	}
	if s == nil {
		s = ix.getScratch()
		defer ix.putScratch(s)
	}
	s.cmp.reset()
	if ef.budget > smallBudget && len(s.acc) < len(ix.ents) {
		s.acc = make([]uint16, len(ix.ents)+len(ix.ents)/4)
	}
	if ix.isStored(ef, self) && ef.keys != nil {
		// The keys prepare gave the entity are its identifier value's,
		// if any, then its name's: nameKeys of the renderings stored.
		s.keys = s.keys[:0]
		for _, k := range ef.keys {
			if k.kind != keyValue {
				s.keys = append(s.keys, k)
			}
		}
	} else {
		s.keys = ix.nameKeys(s.keys[:0], typ, qr)
	}
	keys := s.keys
	// A name shared by too many records, or excluded, links nothing.
	for _, k := range keys {
		if k.kind != keyName {
			continue
		}
		if _, ok := ix.shared[k.h]; ok {
			return out
		}
		if _, ok := ix.excluded[k.h]; ok {
			return out
		}
	}
	// Whole names and token pairs first, rarest first; single tokens only
	// when those found few candidates (a typing slip in a two-token name).
	// Each key's list is looked up once.
	qkeys := s.qkeys[:0]
	for _, k := range keys {
		if list := ix.post.get(k.h); len(list) > 0 {
			qkeys = append(qkeys, qkey{kind: k.kind, list: list})
		}
	}
	if ef.tokens && !ix.isStored(ef, self) {
		s.slips = ix.slipKeys(s.slips[:0], typ, qr, keys)
		for _, k := range s.slips {
			if list := ix.post.get(k.h); len(list) > 0 {
				qkeys = append(qkeys, qkey{kind: k.kind, list: list})
			}
		}
	}
	s.qkeys = qkeys
	slices.SortFunc(qkeys, func(a, b qkey) int {
		ta, tb := a.kind == keyToken, b.kind == keyToken
		switch {
		case ta && !tb:
			return 1
		case tb && !ta:
			return -1
		}
		return cmp.Compare(len(a.list), len(b.list))
	})
	budget := ef.budget
	// A query reading few entries (as ingest's do) adds up the weights in
	// a small table, which stays in the processor's nearest cache, rather
	// than in the weights array as long as the index, each entry of which
	// is a read far from the last. Both give the same weights, found in
	// the same order.
	small := budget <= smallBudget
	if small {
		clear(s.slot[:])
	}
	s.touched = s.touched[:0]
	tacc := s.tacc[:0]
	for _, k := range qkeys {
		list := k.list
		if k.kind == keyToken && (!ef.tokens || len(s.touched) >= ef.candidates/2) {
			break
		}
		if len(list) > budget {
			if len(s.touched) > 0 {
				continue
			}
			list = list[len(list)-budget:] // the most recent, when nothing rarer matched
		}
		budget -= len(list)
		w := uint16(min16(kindWeight(k.kind) * idf(len(list), ix.live)))
		if small {
			for _, id := range list {
				h := (id * 0x9e3779b1) >> (32 - slotBits)
				for {
					t := s.slot[h]
					if t == 0 {
						// Slots hold the place in touched plus one.
						s.slot[h] = uint32(len(s.touched)) + 1
						s.touched = append(s.touched, id)
						tacc = append(tacc, w)
						break
					}
					if s.touched[t-1] == id {
						tacc[t-1] = satAdd(tacc[t-1], w)
						break
					}
					h = (h + 1) & (1<<slotBits - 1)
				}
			}
			continue
		}
		for _, id := range list {
			if s.acc[id] == 0 {
				s.touched = append(s.touched, id)
			}
			s.acc[id] = satAdd(s.acc[id], w)
		}
	}
	// Otherwise the weights are read once, in the order the candidates
	// were found, into tacc, and the weights array is cleared for the
	// next query: the passes below read tacc in order rather than the
	// weights array at random.
	if !small {
		for _, id := range s.touched {
			tacc = append(tacc, s.acc[id])
			s.acc[id] = 0
		}
	}
	// A name in Han characters has three renderings (Hong Kong, pinyin,
	// Wade-Giles), and two such names share keys in each: their shared
	// weight is divided by the renderings both have, so that a Latin
	// spelling, which shares keys with one rendering of the query, is
	// not crowded out by names in the query's own script.
	var best uint16
	nq := len(qr)
	for i, id := range s.touched {
		a := tacc[i]
		if nq > 1 {
			d := int(ix.nrend[id])
			if nq < d {
				d = nq
			}
			if d > 1 {
				a = max(a/uint16(d), 1)
			}
		}
		tacc[i] = a
		best = max(best, a)
	}
	s.tacc = tacc
	// Keep about four times Options.Candidates, those sharing the most
	// weight: a histogram of the weights gives the cut without sorting.
	// Its bins are narrow (16, where one key weighs 3 to 700), so that
	// few more than that many pass the cut and have their evidence read
	// below, each a read of an entity far from the last.
	//
	// kth is at most the weight of the Options.Candidates-th candidate,
	// from the same histogram (see below).
	cut, kth := uint16(0), uint16(0)
	if want := 4 * ef.candidates; len(tacc) > want {
		// No weight is above best: the bins above its own are neither
		// cleared nor read.
		hist := s.hist[:best>>4+1]
		clear(hist)
		for _, a := range tacc {
			hist[a>>4]++
		}
		n := 0
		for b := len(hist) - 1; b >= 0; b-- {
			n += int(hist[b])
			if kth == 0 && n >= ef.candidates {
				kth = uint16(b) << 4
			}
			if n >= want {
				cut = uint16(b) << 4
				break
			}
		}
	}
	cands := s.cands[:0]
	if len(tacc) <= ef.candidates {
		for i, id := range s.touched {
			cands = append(cands, cand{id: id, acc: tacc[i]})
		}
	} else {
		// Too many: keep those sharing the most weight, ranked also by
		// what else agrees (birth date, nationality, country), which is
		// cheap to check and tells namesakes apart. A bounded heap keeps
		// the best without sorting all of them (a common pair of tokens
		// can bring thousands of candidates of equal weight); among equal
		// ones the first found is kept.
		birth, nat, ctry := packDate(e.BirthDate), code2(e.Nationality), code2(e.Country)
		// The most the evidence below can add: a candidate that cannot
		// beat the heap's least even with all of it is passed over
		// without reading its entity, which changes nothing kept.
		most := uint16(0)
		if birth != 0 {
			most += best / 2
		}
		if nat != [2]byte{} || ctry != [2]byte{} {
			most += best / 8
		}
		// Nor can one whose weight with all of it stays below the weight
		// of as many others as the heap holds.
		if kth > most {
			cut = max(cut, kth-most)
		}
		top := s.top[:0]
		for i, a := range tacc {
			if a < cut {
				continue
			}
			if len(top) == ef.candidates && uint64(satAdd(a, most))<<32|uint64(^uint32(i)) <= top[0] {
				continue
			}
			en := &ix.ents[s.touched[i]]
			bonus := uint16(0)
			if birth != 0 && en.birth == birth {
				bonus += best / 2
			}
			if nat != [2]byte{} && en.nat == nat || ctry != [2]byte{} && en.ctry == ctry {
				bonus += best / 8
			}
			k := uint64(satAdd(a, bonus))<<32 | uint64(^uint32(i))
			switch {
			case len(top) < ef.candidates:
				top = append(top, k)
				heapUp(top, len(top)-1)
			case k > top[0]:
				top[0] = k
				heapDown(top)
			}
		}
		slices.Sort(top)
		for j := len(top) - 1; j >= 0; j-- {
			i := ^uint32(top[j])
			cands = append(cands, cand{id: s.touched[i], acc: uint16(top[j] >> 32)})
		}
		s.top = top
	}
	// The query's own record is told by its number when the query is one
	// of its stored entities, rather than by comparing ids.
	selfRec, byNumber := uint32(0), ix.isStored(ef, self)
	if byNumber {
		selfRec = ix.ents[ef.id].rec
	}
	ents := s.ents[:0]
	for i := range cands {
		c := &cands[i]
		c.score = 0
		en := &ix.ents[c.id]
		if byNumber && (en.rec == selfRec || en.dead) {
			continue
		}
		if !byNumber || visible != nil {
			if rec := ix.strs.str(en.recID); rec == self || visible != nil && !visible(rec) {
				continue
			}
		}
		// The evidence moves a score up or down alike whatever the name
		// scores: a candidate that would stay below min even with names
		// scoring 1 (a different birth date, say) is not compared. What
		// the evidence can do is bounded first from the birth date,
		// nationality and country the index keeps beside the candidate;
		// its fields, a read far from the last, are read only once its
		// name scores enough, and then weighed in full, unless only an
		// identifier in common could lift it to min: then they are read
		// first, which spares comparing names of the many that share
		// none.
		read := ef.plain
		if !read {
			bound, without := evidenceBound(e, en, 1)
			if clamp(bound) < min {
				continue
			}
			read = clamp(without) < min
		}
		if read {
			c.m = int32(len(ents))
			ents = append(ents, ix.entityView(c.id))
			if clamp(evidenceScore(e, &ents[c.m], 1)) < min {
				continue
			}
		}
		s.rends, s.toks = ix.rendsOf(c.id, s.rends, s.toks[:0])
		s.cmp.org = e.Type == Organisation
		ns, ri, ci := s.cmp.nameScore(qr, s.rends)
		if ri < 0 || ns == 0 || ns < min-0.35 {
			continue
		}
		if !read {
			// The same bound with the name's score: a candidate whose
			// evidence cannot lift it to min is not returned, and its
			// fields are not read.
			if bound, _ := evidenceBound(e, en, ns); clamp(bound) < min {
				continue
			}
			c.m = int32(len(ents))
			ents = append(ents, ix.entityView(c.id))
			if clamp(evidenceScore(e, &ents[c.m], 1)) < min {
				continue
			}
		}
		c.ns, c.ri, c.scheme = ns, ri, s.rends[ci].scheme
		c.score = evidenceScore(e, &ents[c.m], ns)
	}
	// Ranked by the score before it is kept within 0 to 1, so that among
	// names scoring 1 those with more evidence come first.
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(b.score, a.score) })
	for _, c := range cands {
		if sc := clamp(c.score); sc < min || sc == 0 || len(out)-base >= limit {
			break
		}
		// The result outlives the lock: its entity is copied out of the
		// index's memory (ents[c.m] shares it), or given by its type and
		// path alone. The reasons are strings of their own either way.
		var m Entity
		if ef.paths {
			m = ix.entityView(c.id)
		} else {
			m = ix.entity(c.id)
		}
		reasons := []string{nameReason(e.Name, m.Name, c.ns, qr[c.ri].scheme, c.scheme)}
		score, reasons := evidence(e, &m, c.ns, reasons)
		if ef.paths {
			m = Entity{Type: m.Type, Path: m.Path}
		}
		out = append(out, Result{Record: ix.strs.str(ix.ents[c.id].recID), Score: round2(score), Entity: m, Reasons: reasons})
	}
	// The entities are let go, not kept alive by the scratch space.
	clear(ents)
	s.ents = ents[:0]
	s.cands = cands
	return out
}

// slipKeys appends the pair keys that a query's token would have without
// a typing slip: for a token the index has never seen, or seen in a
// couple of names at most ("Xiaen", "Logisica"), whose skeleton has three
// consonants or more, each skeleton one
// consonant away (one deleted, replaced or added) paired with the
// skeleton of each other token of the name. Among many names that share
// the other tokens ("… Hengsheng E-commerce"), they single out the one
// whose first word the query misspelt. Keys the query already has are
// left out.
func (ix *Index) slipKeys(out []key, typ uint8, qr []rend, have []key) []key {
	const classes = "PTKFSCJHLRMN" // the consonant classes of norm.Skeleton
	const most = 512
	var vars []string
	for ri := range qr {
		r := &qr[ri]
		if r.scheme == "ja" || r.ids == nil {
			continue
		}
		n := min(len(r.toks), 6)
		for i := 0; i < n; i++ {
			sk := norm.Skeleton(r.toks[i][0])
			if len(sk) < 3 {
				continue
			}
			// A spelling seen before may be another slip: the index
			// holds typing slips too. It counts as known when its
			// skeleton is held by more than a couple of names.
			if r.ids[i] != noID && len(ix.post.get(ix.hash(typ, keyToken, sk))) > 2 {
				continue
			}
			vars = vars[:0]
			add := func(v string) {
				for k := 1; k < len(v); k++ {
					if v[k] == v[k-1] {
						return // not a skeleton: repeats are collapsed
					}
				}
				vars = append(vars, v)
			}
			for k := 0; k < len(sk); k++ {
				add(sk[:k] + sk[k+1:])
				for _, c := range []byte(classes) {
					if c != sk[k] {
						add(sk[:k] + string(c) + sk[k+1:])
					}
				}
			}
			for k := 0; k <= len(sk); k++ {
				for _, c := range []byte(classes) {
					add(sk[:k] + string(c) + sk[k:])
				}
			}
			slices.Sort(vars)
			vars = slices.Compact(vars)
			for j := 0; j < n; j++ {
				if j == i {
					continue
				}
				partner := norm.Skeleton(r.toks[j][0])
				if partner == "" {
					continue
				}
				for _, v := range vars {
					if len(out) < most {
						out = append(out, key{h: ix.pairHash(typ, v, partner), kind: keyPair})
					}
				}
			}
		}
	}
	// The keys stay in the order they were made (by token, variant and
	// partner, all from the name), not the order of their hashes: the
	// hashes are seeded per index, and the query reads its lists within a
	// budget in an order that follows this one among lists of one length.
	seen := make(map[uint64]struct{}, len(out)+len(have))
	for _, o := range have {
		seen[o.h] = struct{}{}
	}
	return slices.DeleteFunc(out, func(k key) bool {
		if _, dup := seen[k.h]; dup {
			return true
		}
		seen[k.h] = struct{}{}
		return false
	})
}

// heapUp and heapDown keep h a min-heap.
func heapUp(h []uint64, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p] <= h[i] {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func heapDown(h []uint64) {
	i := 0
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r] < h[l] {
			m = r
		}
		if h[i] <= h[m] {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// isStored reports whether the query of ef is an indexed entity of record
// self with a name (it may have been replaced since it was indexed).
func (ix *Index) isStored(ef effort, self string) bool {
	if !ef.stored || int(ef.id) >= len(ix.ents) {
		return false
	}
	en := &ix.ents[ef.id]
	return !en.dead && en.code != 0 && ix.strs.str(en.recID) == self
}

func kindWeight(k uint8) float64 {
	switch k {
	case keyName:
		return 48
	case keyWhole:
		return 40
	case keyPair:
		return 8
	}
	return 3
}

func min16(v float64) float64 {
	if v > 60000 {
		return 60000
	}
	if v < 1 {
		return 1
	}
	return v
}

func satAdd(a, b uint16) uint16 {
	if s := uint32(a) + uint32(b); s < 65535 {
		return uint16(s)
	}
	return 65535
}

func round2(f float64) float64 {
	return float64(int(f*100+0.5)) / 100
}

// Compare scores two entities of the same type as the index would, with
// reasons. Identifiers compare equal or not at all.
func Compare(nm *norm.Normalizer, a, b Entity) (float64, []string) {
	if a.Type != b.Type {
		return 0, nil
	}
	if !a.Type.named() {
		if a.Value != "" && a.Value == b.Value {
			return 1, []string{fmt.Sprintf("same %s %s", a.Type, a.Value)}
		}
		return 0, nil
	}
	ra := rends(nm.Name(a.Name, entityKind(&a)))
	rb := rends(nm.Name(b.Name, entityKind(&b)))
	c := newComparator()
	c.org = a.Type == Organisation
	ns, ia, ib := c.nameScore(ra, rb)
	if ia < 0 {
		if a.Type == Vessel && a.Value != "" && a.Value == b.Value {
			return 1, []string{"same IMO number " + a.Value}
		}
		return 0, nil
	}
	reasons := []string{nameReason(a.Name, b.Name, ns, ra[ia].scheme, rb[ib].scheme)}
	return evidence(&a, &b, ns, reasons)
}

// Normalizer returns the index's name normaliser, for Compare.
func (ix *Index) Normalizer() *norm.Normalizer { return ix.nm }

// Lookup appends to buf the ids of the records, visible ones only, that
// hold the identifier value of type t, which must be in canonical form
// (as Entity.Value holds it; Search normalises for you). It is the fast
// path for exact identifiers: it does not allocate when buf has room, and
// a value held by one record costs one hash, one map read and one string.
func (ix *Index) Lookup(t Type, value string, visible Visible, buf []string) []string {
	code, ok := typeCode(t)
	if !ok {
		return buf
	}
	h := ix.hash1(code, keyValue, value)
	ix.mu.RLock()
	ref, many, ok := ix.vals.one(h)
	if !ok {
		ix.mu.RUnlock()
		return buf
	}
	if !many {
		rec := ix.strs.str(ref)
		if visible == nil || visible(rec) {
			buf = append(buf, rec)
		}
		ix.mu.RUnlock()
		return buf
	}
	for _, id := range ix.vals.get(h) {
		rec := ix.strs.str(ix.ents[id].recID)
		if visible == nil || visible(rec) {
			buf = append(buf, rec)
		}
	}
	ix.mu.RUnlock()
	return buf
}
