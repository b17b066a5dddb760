package match

import (
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/match/norm"
)

// Options tune an Index. The zero value gives the defaults.
type Options struct {
	// MaxShared is the number of records above which an identifier value
	// (a phone, a document number, an address) or a whole name is deemed
	// over-correlated: it is not expanded into candidates any more and is
	// listed by Overcorrelated. Default 200.
	MaxShared int
	// Candidates is how many candidates a fuzzy query scores in full,
	// chosen by the weight of the blocking keys they share with the query
	// and, among many, by agreeing birth date, nationality or country.
	// Default 64.
	Candidates int
	// IngestCandidates is how many candidates Ingest scores for each
	// named entity of a new record, reading at most 250 posting entries
	// per candidate and no single-token keys. Default 8.
	IngestCandidates int
	// Budget bounds the posting-list entries a fuzzy query reads, so that
	// names made only of very common tokens stay fast. Default 30,000.
	Budget int
}

func (o Options) withDefaults() Options {
	if o.MaxShared <= 0 {
		o.MaxShared = 200
	}
	if o.Candidates <= 0 {
		o.Candidates = 64
	}
	if o.IngestCandidates <= 0 {
		o.IngestCandidates = 8
	}
	if o.Budget <= 0 {
		o.Budget = 30000
	}
	return o
}

// Index is an in-memory index of the entities of many records. It is safe
// for concurrent use: queries run in parallel, changes are serialised.
//
// Entities are stored compactly: names as interned token ids in chunked
// arenas, display fields as one string in a chunked byte arena, posting
// lists as int32 entity ids keyed by 64-bit hashes of blocking keys
// (consonant skeletons of tokens, of token pairs and of the whole name) and
// of identifier values.
type Index struct {
	mu   sync.RWMutex
	opt  Options
	nm   *norm.Normalizer
	seed maphash.Seed

	recs    []recEntry
	recByID recTable // hash of the id → record
	freeRec []uint32

	ents    []ent
	nrend   []uint8 // number of renderings of each entity's name, apart from ents to be read fast
	freeEnt []uint32
	live    int

	paths  []string
	pathID map[string]uint32

	voc vocabulary
	// vocabMu guards voc's lookup table for prepare, which reads it
	// without mu so that a part is prepared while the one before it is
	// stored. Writers hold mu as well, and read it without vocabMu.
	vocabMu sync.RWMutex

	strs byteArena // record ids, which results hand out
	// fields holds each entity's display fields, outside the Go heap:
	// entity copies them out for results.
	fields byteArena
	codes  arena[uint32]
	lists  arena[uint32] // entity ids of each record

	post     *postings           // blocking keys of names
	vals     *values             // identifier values, apart so that exact lookups touch a small map
	shared   map[uint64]*KeyStat // over-correlated keys
	excluded map[uint64]KeyStat

	names *nameCache

	// pending holds the postings of blocking keys that addAll sets aside,
	// by shard; codeBuf is store's working buffer. Both are used under the
	// write lock.
	pending [postShards][]posting
	codeBuf []uint32

	// prep holds prepare's working memory (*prepScratch) for reuse.
	prep sync.Pool
	// results holds ingestLinks' working memory (*resultBuf) for reuse.
	results sync.Pool

	// heap holds the large tables outside the Go heap (see offheap).
	heap *offheap

	// scratch holds per-query working memory for reuse. Not a sync.Pool:
	// the weights array is as long as the index and must survive garbage
	// collections rather than be allocated again after each.
	scratch chan *scratch
}

// recEntry is an indexed record: its id and its entities, all in arenas.
type recEntry struct {
	id   strRef
	ents uint32 // position in the lists arena
	n    uint32
	used bool
}

// ent is an indexed entity. data holds the display fields joined by
// fieldSep; code locates the name's renderings in the code arena; birth,
// nat and ctry repeat what ranking candidates compares.
type ent struct {
	data  strRef
	recID strRef // the record's id, repeated to save a lookup
	rec   uint32
	code  uint32 // 1-based position in the code arena, 0 for none
	path  uint32
	birth uint32 // YYYYMMDD, 0 when unknown
	nat   [2]byte
	ctry  [2]byte
	typ   uint8
	dead  bool
}

// KeyStat describes a value shared by too many records, or excluded by an
// administrator.
type KeyStat struct {
	Type    Type   `json:"type"`
	Value   string `json:"value"`
	Records int    `json:"records"`
}

const fieldSep = "\x1f"

// typeCodes numbers the entity types for compact storage.
var typeCodes = func() map[Type]uint8 {
	m := make(map[Type]uint8, len(Types))
	for i, t := range Types {
		m[t] = uint8(i)
	}
	return m
}()

var schemes = []string{"", "hk", "pinyin", "wade-giles", "icao", "elot", "arabic", "rr", "hepburn", "hindi", "rtgs", "ja"}

func schemeCode(s string) uint32 {
	if i := slices.Index(schemes, s); i >= 0 {
		return uint32(i)
	}
	return 0
}

// New returns an empty index.
func New(opt Options) (*Index, error) {
	nm, err := norm.New()
	if err != nil {
		return nil, err
	}
	heap := newOffheap()
	ix := &Index{
		opt:      opt.withDefaults(),
		nm:       nm,
		seed:     maphash.MakeSeed(),
		recByID:  recTable{heap: heap},
		pathID:   map[string]uint32{},
		fields:   byteArena{a: arena[byte]{heap: heap}},
		codes:    arena[uint32]{heap: heap},
		lists:    arena[uint32]{heap: heap},
		post:     newPostings(heap),
		vals:     newValues(heap),
		shared:   map[uint64]*KeyStat{},
		excluded: map[uint64]KeyStat{},
		scratch:  make(chan *scratch, 2*runtime.GOMAXPROCS(0)),
		names:    newNameCache(1 << 16),
		voc:      vocabulary{alts: arena[string]{size: 1 << 16}, heap: heap},
		heap:     heap,
	}
	// The tables outside the Go heap go when the index does: whoever
	// reads them holds the index.
	runtime.AddCleanup(ix, (*offheap).release, heap)
	return ix, nil
}

// Len returns the number of entities indexed.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// AddRecord indexes the entities of a record, replacing those of an
// earlier version.
func (ix *Index) AddRecord(r *intel.Record) {
	ix.Add(r.ID, Extract(r))
}

// AddRecords indexes many records, as AddRecord does for each, through a
// Loader: extraction, normalisation and the working out of keys run on
// every core while the records before them are stored under the write
// lock, so queries wait for a part rather than for each record.
func (ix *Index) AddRecords(rs []*intel.Record) {
	if len(rs) == 0 {
		return
	}
	// A small batch is cut in parts small enough that every core has
	// some: a part is prepared by one goroutine.
	size := min(addPart, max(16, (len(rs)+2*loadWorkers()-1)/(2*loadWorkers())))
	l := ix.newLoader(size)
	for _, r := range rs {
		l.Add(r)
	}
	l.Close()
}

// addPart is how many records a Loader prepares and stores at a time.
const addPart = 512

// loadFlush is how many records a Loader stores under one hold of the
// write lock, adding their blocking keys' postings at the end; a variable
// for tests.
var loadFlush = 1 << 15

// loadWorkers is how many goroutines a Loader prepares records on.
func loadWorkers() int { return runtime.GOMAXPROCS(0) }

// Loader indexes a stream of records, as AddRecord does for each in the
// order given: it is the way to rebuild the index from the store at
// start. The records are taken in parts; each part is extracted,
// normalised and given its keys by one of a goroutine per core, while one
// more goroutine stores the parts already prepared, in order, each under
// the write lock, and the postings of a part are added shard by shard on
// every core. Reading the records, preparing them and storing them thus
// overlap, and every core is busy for as long as the records come. A few
// parts are in flight at most, so the stream is never held whole. The
// goroutine that stores holds the write lock for loadFlush records at a
// time: queries and other changes meanwhile wait that long.
//
// Records given to Add must not be changed until Close returns, and Add
// must not be called after Close. A Loader is used by one goroutine;
// queries and other changes of the index may run meanwhile.
type Loader struct {
	ix      *Index
	size    int
	part    []*intel.Record
	todo    chan *loadPart // to the goroutines that prepare
	inOrder chan *loadPart // to the goroutine that stores, in the order given
	workers sync.WaitGroup
	stored  chan struct{} // closed when the last part is stored
	closed  bool
}

// loadPart is a part of a Loader's stream: its records and, once ready
// is closed, their prepared entities and keys.
type loadPart struct {
	rs    []*intel.Record
	ps    []prepared
	mem   *partMem // what ps are carved from, given back once they are stored
	ready chan struct{}
}

// partMem is the memory a Loader prepares a part's records in: each
// record's entities, renderings, keys and token ids are carved from
// blocks kept from one part to the next, rather than allocated record by
// record (about a kilobyte a record, most of what a rebuild allocated
// besides the records themselves, and what set the collector's pace).
type partMem struct {
	es    partArena[Entity]
	names partArena[[]norm.Rendering]
	keys  partArena[key]
	kend  partArena[int32]
	toks  partArena[uint32]
}

var partMems = sync.Pool{New: func() any { return new(partMem) }}

func takePartMem() *partMem { return partMems.Get().(*partMem) }

// putPartMem keeps m for another part once nothing carved from it is
// used any more.
func putPartMem(m *partMem) {
	m.es.reset()
	m.names.reset()
	m.keys.reset()
	m.kend.reset()
	m.toks.reset()
	partMems.Put(m)
}

// partArena hands out slices carved one after another from a block; a
// part that needs more than the block gets blocks of its own meanwhile,
// and the block is made large enough for it at reset.
type partArena[T any] struct {
	block []T // the block kept, of which used elements were handed out
	free  []T // what is left of the block being carved, length 0
	used  int
}

// take returns n elements, zero or as reset left them, that nothing else
// is handed.
func (a *partArena[T]) take(n int) []T {
	if a.free == nil {
		a.free = a.block[:0]
	}
	if cap(a.free) < n {
		a.free = make([]T, 0, max(n, 1024))
	}
	s := a.free[:n:n]
	a.free = a.free[n:n]
	a.used += n
	return s
}

// reset makes the whole block available again, zeroed where it was
// handed out (so that it holds on to no strings of records gone), and
// grows it to what the last part took when that was more.
func (a *partArena[T]) reset() {
	if a.used > cap(a.block) {
		a.block = make([]T, 0, a.used+a.used/4)
	} else {
		clear(a.block[:a.used])
	}
	a.free, a.used = a.block[:0], 0
}

// NewLoader starts a Loader. Close must be called to index the last
// records and stop its goroutines.
func (ix *Index) NewLoader() *Loader { return ix.newLoader(addPart) }

func (ix *Index) newLoader(size int) *Loader {
	w := loadWorkers()
	l := &Loader{
		ix:      ix,
		size:    size,
		part:    make([]*intel.Record, 0, size),
		todo:    make(chan *loadPart, 2*w),
		inOrder: make(chan *loadPart, 2*w),
		stored:  make(chan struct{}),
	}
	for range w {
		l.workers.Add(1)
		go func() {
			defer l.workers.Done()
			var ebuf []Entity // a record's entities, extracted
			for p := range l.todo {
				p.ps = make([]prepared, len(p.rs))
				p.mem = takePartMem()
				for i, r := range p.rs {
					ebuf = appendEntities(ebuf[:0], r)
					es := p.mem.es.take(len(ebuf))
					copy(es, ebuf)
					p.ps[i] = ix.prepareIn(es, p.mem)
				}
				clear(ebuf)
				close(p.ready)
			}
		}()
	}
	go func() {
		defer close(l.stored)
		// Parts are stored under one hold of the write lock until
		// loadFlush records are, and their blocking keys' postings added
		// then: added in large batches, they are added in the order of
		// their slots, not at random.
		seen := map[string]struct{}{}
		held := 0
		for p := range l.inOrder {
			<-p.ready
			if held == 0 {
				ix.mu.Lock()
			}
			ix.storeAll(p.rs, p.ps, seen)
			p.ps = nil
			putPartMem(p.mem)
			if held += len(p.rs); held >= loadFlush {
				ix.flush()
				clear(seen)
				ix.mu.Unlock()
				held = 0
			}
		}
		if held > 0 {
			ix.flush()
			ix.mu.Unlock()
		}
	}()
	return l
}

// Add indexes a record, after those given before it. The record may not
// be in the index before Close returns.
func (l *Loader) Add(r *intel.Record) {
	l.part = append(l.part, r)
	if len(l.part) == l.size {
		l.send()
	}
}

// send hands the records gathered to the goroutines. It blocks while as
// many parts as the queues hold wait to be stored.
func (l *Loader) send() {
	if len(l.part) == 0 {
		return
	}
	p := &loadPart{rs: l.part, ready: make(chan struct{})}
	l.part = make([]*intel.Record, 0, l.size)
	// The part is queued to be stored before it is queued to be
	// prepared: the workers wait for nothing but parts, so the second
	// send waits at most for one of them to finish a part, and the
	// goroutine storing waits only for parts already queued to them.
	l.inOrder <- p
	l.todo <- p
}

// Close indexes the records still held, waits until every record given
// to Add is in the index and stops the Loader's goroutines. Calling it
// again does nothing.
func (l *Loader) Close() {
	if l.closed {
		return
	}
	l.closed = true
	l.send()
	close(l.todo)
	close(l.inOrder)
	l.workers.Wait()
	<-l.stored
}

// prepared is a record ready to be indexed: its entities, their names'
// renderings and every entity's keys, all worked out without the lock.
type prepared struct {
	es    []Entity
	names [][]norm.Rendering
	keys  []key   // of all entities, one after the other
	kend  []int32 // the keys of entity i end at kend[i]
	// toks are the vocabulary ids of the names' tokens, in the order
	// store reads them, noID for tokens not yet in the vocabulary.
	toks []uint32
	ids  []uint32
}

// prepare normalises the names of es, looks their tokens up in the
// vocabulary and works out the keys of each entity, as entKeys will find
// them once stored. It does not take mu.
func (ix *Index) prepare(es []Entity) prepared { return ix.prepareIn(es, nil) }

// prepareIn is prepare with what it returns carved from m, or allocated
// when m is nil.
func (ix *Index) prepareIn(es []Entity, m *partMem) prepared {
	p := prepared{es: es}
	if m != nil {
		p.names, p.kend = m.names.take(len(es)), m.kend.take(len(es))
	} else {
		p.names, p.kend = make([][]norm.Rendering, len(es)), make([]int32, len(es))
	}
	// The keys are worked out in a buffer kept from one record to the
	// next and copied once they are all known: a record has from a few
	// to a few hundred, and growing a slice to fit them cost as much
	// garbage as the rest of the record.
	sc, _ := ix.prep.Get().(*prepScratch)
	if sc == nil {
		sc = &prepScratch{keys: make([]key, 0, 256), rends: make([]rend, 0, 8), toks: make([][]string, 0, 8*maxTokens)}
	}
	keys := sc.keys[:0]
	p.toks = sc.ids[:0]
	for i := range es {
		e := &es[i]
		typ := typeCodes[e.Type]
		if (!e.Type.named() || e.Type == Vessel) && e.Value != "" {
			keys = append(keys, key{ix.hash(typ, keyValue, e.Value), keyValue})
		}
		if e.Type.named() && e.Name != "" {
			keys = ix.prepareName(&p, i, typ, keys, sc)
		}
		p.kend[i] = int32(len(keys))
	}
	toks := p.toks
	if m != nil {
		p.keys = m.keys.take(len(keys))
		p.toks = m.toks.take(len(toks))
		copy(p.keys, keys)
		copy(p.toks, toks)
	} else {
		p.keys, p.toks = slices.Clone(keys), slices.Clone(toks)
	}
	sc.keys, sc.ids = keys[:0], toks[:0]
	ix.prep.Put(sc)
	return p
}

// prepareName normalises the name of entity i of p, through the index's
// cache of recent names, appends its tokens' vocabulary ids to p.toks and
// its keys to keys. Most tokens are in the vocabulary already: looking them
// up here, on every core, leaves store only the new ones to intern. A name
// that recurs, for an entity of the same type, has its ids and keys from
// the cache.
func (ix *Index) prepareName(p *prepared, i int, typ uint8, keys []key, sc *prepScratch) []key {
	e := &p.es[i]
	kind := entityKind(e)
	rs, d, cached := ix.names.derived(ix.nm, e.Name, kind)
	p.names[i] = rs
	if len(rs) == 0 {
		return keys
	}
	if d != nil && d.typ == typ {
		p.toks = append(p.toks, d.toks...)
		return append(keys, d.keys...)
	}
	from := len(p.toks)
	known := true
	ix.vocabMu.RLock()
	for _, r := range rs {
		for _, t := range r.Tokens[:min(len(r.Tokens), maxTokens)] {
			id := ix.vocabOf(t)
			known = known && id != noID
			p.toks = append(p.toks, id)
		}
	}
	ix.vocabMu.RUnlock()
	r, toks := sc.rends[:0], sc.toks[:0]
	for _, x := range rs {
		n := min(len(x.Tokens), maxTokens)
		start := len(toks)
		for _, t := range x.Tokens[:n] {
			toks = append(toks, t)
		}
		r = append(r, rend{scheme: x.Scheme, cons: x.Consonantal, toks: toks[start:len(toks):len(toks)]})
	}
	start := len(keys)
	keys = ix.nameKeys(keys, typ, r)
	clear(r)
	clear(toks)
	sc.rends, sc.toks = r[:0], toks[:0]
	// The ids and keys are kept for the next time the name comes, once
	// every token has an id for good and the name has come before: most
	// names come once, and keeping theirs would only make garbage.
	if known && cached {
		ix.names.keep(e.Name, kind, rs, &nameDerived{typ: typ, toks: slices.Clone(p.toks[from:]), keys: slices.Clone(keys[start:])})
	}
	return keys
}

// prepScratch is the working memory of prepare.
type prepScratch struct {
	keys  []key
	ids   []uint32 // the tokens' vocabulary ids
	rends []rend
	toks  [][]string
}

// prepareAll extracts the entities of rs and prepares them, on every core.
func (ix *Index) prepareAll(rs []*intel.Record) []prepared {
	ps := make([]prepared, len(rs))
	parallel(len(rs), func(i int) { ps[i] = ix.prepare(Extract(rs[i])) })
	return ps
}

// addAll indexes prepared records: each is stored in turn, with the
// postings that the over-correlation guard decides on (identifier values
// and whole names); the blocking keys' postings, most of them, are set
// aside by shard and added at the end on every core, in the order a
// record after another would have added them. A record given twice has
// what is set aside added first, so that replacing its first version
// finds that version's postings. The ids of the entities of ps[i] are
// left in ps[i].ids. The caller holds the write lock.
func (ix *Index) addAll(rs []*intel.Record, ps []prepared) {
	ix.storeAll(rs, ps, make(map[string]struct{}, len(rs)))
	ix.flush()
}

// storeAll is addAll without adding the postings set aside, which
// ix.flush adds. seen holds the ids of the records stored since the last
// flush: a record given again has them added first.
func (ix *Index) storeAll(rs []*intel.Record, ps []prepared, seen map[string]struct{}) {
	pend := &ix.pending
	// The entity tables are grown once for the whole part and by half
	// again at least: grown an entity at a time, as append does, a table
	// of millions is copied five times over to its final size, each time
	// into memory new to the process, on the one goroutine that stores.
	// Compact gives back what is left unused.
	n := 0
	for i := range ps {
		n += len(ps[i].es)
	}
	ix.growEnts(n)
	for i, r := range rs {
		if _, again := seen[r.ID]; again {
			ix.flush()
			clear(seen)
		}
		seen[r.ID] = struct{}{}
		ps[i].ids = ix.add(r.ID, &ps[i], pend)
	}
	ix.publishVocab()
}

// growEnts makes room in the entity tables for n more entities, growing
// them by half again at least. The caller holds the write lock.
func (ix *Index) growEnts(n int) {
	need := len(ix.ents) + n
	if need <= cap(ix.ents) {
		return
	}
	ix.resizeEnts(max(need, cap(ix.ents)+cap(ix.ents)/2, 64))
}

// resizeEnts moves the entity tables to tables of capacity c, giving back
// the old ones. The caller holds the write lock.
func (ix *Index) resizeEnts(c int) {
	ents := offAlloc[ent](ix.heap, len(ix.ents), c)
	nrend := offAlloc[uint8](ix.heap, len(ix.nrend), c)
	copy(ents, ix.ents)
	copy(nrend, ix.nrend)
	offFree(ix.heap, ix.ents)
	offFree(ix.heap, ix.nrend)
	ix.ents, ix.nrend = ents, nrend
}

// flush adds the postings set aside in ix.pending. The caller holds the
// write lock.
func (ix *Index) flush() {
	ix.post.addPending(&ix.pending)
	for i := range ix.pending {
		ix.pending[i] = ix.pending[i][:0]
	}
}

// Compact gives up the room that posting lists left behind as they grew
// (each list doubles its block when full and leaves the old one), and the
// room the entity tables were given to grow into: call it
// once the index has been rebuilt from the store. It holds the write lock
// while it copies the lists (a few seconds at millions of entities) and
// needs their size in memory again meanwhile; the garbage collector then
// frees the old blocks.
func (ix *Index) Compact() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.post.compact()
	ix.vals.compact()
	if spare := cap(ix.ents) - len(ix.ents); spare > len(ix.ents)/16 {
		ix.resizeEnts(len(ix.ents))
	}
}

// Add indexes entities under a record id, replacing what the record had.
func (ix *Index) Add(recordID string, es []Entity) {
	// Normalise and work out keys outside the lock: it is the costly part.
	p := ix.prepare(es)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.add(recordID, &p, nil)
}

// add indexes a prepared record under its id and returns the entities'
// ids. With pend nil every posting is added at once; otherwise those of
// blocking keys are appended to pend by shard, for the caller to add. The
// caller holds the write lock.
func (ix *Index) add(recordID string, p *prepared, pend *[postShards][]posting) []uint32 {
	h, slot := ix.remove(recordID)
	var ri uint32
	re := recEntry{id: ix.strs.put(recordID), used: true}
	if n := len(ix.freeRec); n > 0 {
		ri = ix.freeRec[n-1]
		ix.freeRec = ix.freeRec[:n-1]
		ix.recs[ri] = re
	} else {
		ri = uint32(len(ix.recs))
		ix.recs = append(ix.recs, re)
	}
	ix.recByID.set(slot, h, ri)
	ids := make([]uint32, 0, len(p.es))
	from := int32(0)
	toks := p.toks
	for i := range p.es {
		var id uint32
		id, toks = ix.store(ri, &p.es[i], p.names[i], toks)
		ids = append(ids, id)
		for _, k := range p.keys[from:p.kend[i]] {
			if pend != nil && k.kind != keyValue && k.kind != keyName {
				s := shardOf(k.h)
				pend[s] = append(pend[s], posting{h: k.h, id: id})
				continue
			}
			ix.post1(k, id, ids)
		}
		from = p.kend[i]
	}
	ix.recs[ri].ents, ix.recs[ri].n = ix.lists.put(ids), uint32(len(ids))
	ix.live += len(ids)
	if pend == nil {
		ix.publishVocab()
	}
	return ids
}

// Remove drops the entities of a record. Removing an unknown record does
// nothing.
func (ix *Index) Remove(recordID string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(recordID)
}

// remove drops the entities of a record and returns the hash of its id
// and the slot of recByID where the record is to be put if it is added
// again: the one it had, or the one where looking it up stopped.
func (ix *Index) remove(recordID string) (uint64, int) {
	h := ix.recHash(recordID)
	slot, ri, ok := ix.recByID.find(h, func(ri uint32) bool { return ix.strs.str(ix.recs[ri].id) == recordID })
	if !ok {
		return h, slot
	}
	var keys []key
	ids := ix.lists.slice(ix.recs[ri].ents, int(ix.recs[ri].n))
	for _, id := range ids {
		keys = ix.entKeys(keys[:0], id)
		for _, k := range keys {
			if k.kind == keyValue {
				ix.vals.remove(k.h, id, ix.recOf)
			} else {
				ix.post.remove(k.h, id)
			}
		}
		ix.ents[id] = ent{dead: true}
		ix.nrend[id] = 0
		ix.freeEnt = append(ix.freeEnt, id)
	}
	ix.live -= len(ids)
	ix.recs[ri] = recEntry{}
	ix.freeRec = append(ix.freeRec, ri)
	ix.recByID.remove(slot)
	return h, slot
}

func (ix *Index) recHash(id string) uint64 { return maphash.String(ix.seed, id) }

// recID returns the id of record ri.
func (ix *Index) recID(ri uint32) string { return ix.strs.str(ix.recs[ri].id) }

func nameKind(t Type) norm.Kind {
	switch t {
	case Person:
		return norm.Person
	case Organisation:
		return norm.Organisation
	}
	return norm.Other
}

// store saves an entity and returns its id. toks are the vocabulary ids
// of the renderings' tokens as prepare looked them up; store returns
// those it did not use.
func (ix *Index) store(ri uint32, e *Entity, rs []norm.Rendering, toks []uint32) (uint32, []uint32) {
	pid, ok := ix.pathID[e.Path]
	if !ok {
		pid = uint32(len(ix.paths))
		ix.paths = append(ix.paths, strings.Clone(e.Path))
		ix.pathID[e.Path] = pid
	}
	data := ix.fields.put(e.Name, fieldSep, e.Value, fieldSep, e.BirthDate, fieldSep, e.Nationality, fieldSep,
		e.Country, fieldSep, e.Document, fieldSep, e.Registration)
	en := ent{data: data, recID: ix.recs[ri].id, rec: ri, path: pid, typ: typeCodes[e.Type], birth: packDate(e.BirthDate), nat: code2(e.Nationality), ctry: code2(e.Country)}
	if len(rs) > 0 {
		code := append(ix.codeBuf[:0], uint32(len(rs)))
		for _, r := range rs {
			n := min(len(r.Tokens), maxTokens)
			h := schemeCode(r.Scheme) | uint32(n)<<8
			if r.Consonantal {
				h |= 1 << 7
			}
			code = append(code, h)
			for _, t := range r.Tokens[:n] {
				id := toks[0]
				if id == noID {
					id = ix.intern(t)
				}
				toks = toks[1:]
				code = append(code, id)
			}
		}
		en.code = ix.codes.put(code) + 1
		ix.codeBuf = code
	}
	if n := len(ix.freeEnt); n > 0 {
		id := ix.freeEnt[n-1]
		ix.freeEnt = ix.freeEnt[:n-1]
		ix.ents[id] = en
		ix.nrend[id] = uint8(min(len(rs), 255))
		return id, toks
	}
	ix.growEnts(1)
	ix.ents = append(ix.ents, en)
	ix.nrend = append(ix.nrend, uint8(min(len(rs), 255)))
	return uint32(len(ix.ents) - 1), toks
}

// intern returns the vocabulary id of a token, adding the token if it is
// new. The caller holds the write lock, which makes it the only writer of
// the vocabulary: it reads the lookup table without vocabMu. A new token
// is numbered at once and put in the lookup table by publishVocab, so that
// storing a part of a Loader's stream takes vocabMu once rather than once
// a new token, each time waiting for the goroutines that prepare to let go
// of it.
func (ix *Index) intern(t norm.Token) uint32 {
	if id := ix.voc.lookup(ix.seed, t); id != noID {
		return id
	}
	return ix.voc.add(t)
}

// publishVocab makes the tokens intern added since it was last called
// known to prepare. The caller holds the write lock.
func (ix *Index) publishVocab() {
	if len(ix.voc.pending) == 0 {
		return
	}
	ix.vocabMu.Lock()
	ix.voc.publish(ix.seed)
	ix.vocabMu.Unlock()
}

// entity rebuilds the public view of a stored entity, in Go memory of
// its own, as results hand it out.
func (ix *Index) entity(id uint32) Entity {
	return ix.entityOf(id, strings.Clone(ix.fields.str(ix.ents[id].data)))
}

// entityView is entity sharing the index's memory: it is valid while the
// caller holds the lock, and must not be handed out.
func (ix *Index) entityView(id uint32) Entity {
	return ix.entityOf(id, ix.fields.str(ix.ents[id].data))
}

func (ix *Index) entityOf(id uint32, data string) Entity {
	en := &ix.ents[id]
	var f [7]string
	splitFields(data, &f)
	return Entity{
		Type: Types[en.typ], Path: ix.paths[en.path], Name: f[0], Value: f[1], BirthDate: f[2],
		Nationality: f[3], Country: f[4], Document: f[5], Registration: f[6],
	}
}

func splitFields(s string, f *[7]string) {
	for i := range 6 {
		j := strings.IndexByte(s, fieldSep[0])
		if j < 0 {
			f[i] = s
			return
		}
		f[i], s = s[:j], s[j+1:]
	}
	f[6] = s
}

// rendsOf decodes the stored renderings of an entity into buf.
func (ix *Index) rendsOf(id uint32, buf []rend, toks [][]string) ([]rend, [][]string) {
	en := &ix.ents[id]
	if en.code == 0 {
		return buf[:0], toks
	}
	c := ix.codes.at(en.code - 1)
	n := int(c[0])
	buf = buf[:0]
	p := 1
	for range n {
		h := c[p]
		p++
		nt := int(h >> 8)
		start := len(toks)
		for k := 0; k < nt; k++ {
			toks = append(toks, ix.voc.spellings(c[p+k]))
		}
		buf = append(buf, rend{scheme: schemes[h&0x7f], cons: h&(1<<7) != 0, toks: toks[start:len(toks):len(toks)], ids: c[p : p+nt : p+nt]})
		p += nt
	}
	return buf, toks
}

// key is a hashed blocking key or identifier key with its kind.
type key struct {
	h    uint64
	kind uint8 // keyValue, keyWhole, keyPair, keyToken
}

const (
	keyValue uint8 = iota // an identifier value: exact
	keyName               // a whole name as normalised: exact, for the over-correlation guard
	keyWhole              // the skeleton of a whole name
	keyPair               // the skeletons of two tokens
	keyToken              // the skeleton of one token
)

func (ix *Index) hash(typ uint8, kind uint8, parts ...string) uint64 {
	var stack [96]byte
	b := append(stack[:0], typ, kind)
	for _, p := range parts {
		b = append(b, p...)
		b = append(b, 0)
	}
	return maphash.Bytes(ix.seed, b)
}

// hash1 is hash with one part, without the variadic slice.
func (ix *Index) hash1(typ uint8, kind uint8, part string) uint64 {
	var stack [96]byte
	b := append(stack[:0], typ, kind)
	b = append(b, part...)
	b = append(b, 0)
	return maphash.Bytes(ix.seed, b)
}

// typeCode is typeCodes[t] without hashing t.
func typeCode(t Type) (uint8, bool) {
	for i, x := range Types {
		if x == t {
			return uint8(i), true
		}
	}
	return 0, false
}

// entKeys appends the keys of a stored entity.
func (ix *Index) entKeys(keys []key, id uint32) []key {
	en := &ix.ents[id]
	if en.dead {
		return keys
	}
	t := Types[en.typ]
	if !t.named() || t == Vessel {
		var f [7]string
		splitFields(ix.fields.str(en.data), &f)
		if f[1] != "" {
			keys = append(keys, key{ix.hash(en.typ, keyValue, f[1]), keyValue})
		}
	}
	if en.code != 0 {
		var rb [4]rend
		rs, _ := ix.rendsOf(id, rb[:0], make([][]string, 0, 16))
		keys = ix.nameKeys(keys, en.typ, rs)
	}
	return keys
}

// nameKeys appends the blocking keys of a name: the skeleton of each
// spelling of each token, of each pair of tokens (every combination of
// their distinct skeletons), of a token with two adjacent tokens written
// together, and of the whole name written together (with each token's
// second spelling in turn, so that 厦门 read sha men or xia men both give
// a key).
func (ix *Index) nameKeys(keys []key, typ uint8, rs []rend) []key {
	start := len(keys)
	add := func(k key) {
		for _, o := range keys[start:] {
			if o.h == k.h {
				return
			}
		}
		keys = append(keys, k)
	}
	if len(rs) > 0 {
		add(key{ix.nameHash(typ, &rs[0]), keyName})
	}
	var skels [maxTokens][]string
	var skh [maxTokens][]uint64 // the token keys of skels, which pairs are made of
	var buf [maxTokens * jaSkeletons]string
	var hbuf [maxTokens * jaSkeletons]uint64
	for _, r := range rs {
		n := min(len(r.toks), maxTokens)
		if n == 0 {
			continue
		}
		used := 0
		limit := 3
		if r.scheme == "ja" {
			limit = jaSkeletons
		}
		for i := 0; i < n; i++ {
			skels[i] = buf[used:used]
			for _, a := range r.toks[i] {
				sk := norm.Skeleton(a)
				if sk != "" && !slices.Contains(skels[i], sk) && len(skels[i]) < limit {
					skels[i] = append(skels[i], sk)
				}
			}
			skh[i] = hbuf[used:used]
			used += len(skels[i])
			for _, sk := range skels[i] {
				h := ix.hash1(typ, keyToken, sk)
				skh[i] = append(skh[i], h)
				add(key{h, keyToken})
			}
		}
		if r.scheme == "ja" {
			ix.japaneseWholeKeys(typ, &r, add)
		}
		for v := -1; v < n; v++ {
			if v >= 0 && len(r.toks[v]) < 2 {
				continue
			}
			var wb [128]byte
			whole := wb[:0]
			for i := 0; i < n; i++ {
				if i == v {
					whole = append(whole, r.toks[i][1]...)
				} else {
					whole = append(whole, r.toks[i][0]...)
				}
			}
			add(key{ix.skeletonHash(typ, keyWhole, unsafe.String(unsafe.SliceData(whole), len(whole))), keyWhole})
		}
		for i := 0; i < n && i < 6; i++ {
			for j := i + 1; j < n && j < 6; j++ {
				for _, a := range skh[i] {
					for _, b := range skh[j] {
						add(key{pairOf(a, b), keyPair})
					}
				}
			}
		}
		// A token written together with its neighbour, paired with the
		// other tokens: "Chen Da Wen" gives (CN, TFN) for "Dawen Chen".
		if n >= 3 {
			for i := 0; i+1 < n && i < 5; i++ {
				var cb, mb [64]byte
				c := append(append(cb[:0], r.toks[i][0]...), r.toks[i+1][0]...)
				sk := norm.AppendSkeleton(mb[:0], unsafe.String(unsafe.SliceData(c), len(c)))
				// m lives in mb, which hash1 only reads.
				m := ix.hash1(typ, keyToken, unsafe.String(unsafe.SliceData(sk), len(sk)))
				for k := 0; k < n && k < 6; k++ {
					if k != i && k != i+1 && len(skh[k]) > 0 {
						add(key{pairOf(m, skh[k][0]), keyPair})
					}
				}
			}
		}
	}
	return keys
}

// recOf returns the record id of entity id.
func (ix *Index) recOf(id uint32) strRef { return ix.ents[id].recID }

// list returns the posting list of a key.
func (ix *Index) list(k key) []uint32 {
	if k.kind == keyValue {
		return ix.vals.get(k.h)
	}
	return ix.post.get(k.h)
}

// nameHash is the key of a whole name as normalised: its tokens' usual
// spellings in order.
func (ix *Index) nameHash(typ uint8, r *rend) uint64 {
	var stack [128]byte
	b := append(stack[:0], typ, keyName)
	for i, t := range r.toks {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, t[0]...)
	}
	b = append(b, 0)
	return maphash.Bytes(ix.seed, b)
}

// skeletonHash is ix.hash(typ, kind, norm.Skeleton(s)) without making
// the skeleton a string.
func (ix *Index) skeletonHash(typ, kind uint8, s string) uint64 {
	var stack [96]byte
	b := append(stack[:0], typ, kind)
	b = norm.AppendSkeleton(b, s)
	b = append(b, 0)
	return maphash.Bytes(ix.seed, b)
}

// pairHash is the key of two token skeletons, in either order: their
// token keys mixed (pairOf), so that the pairs of a name cost no hashing
// beyond that of its tokens.
func (ix *Index) pairHash(typ uint8, a, b string) uint64 {
	return pairOf(ix.hash1(typ, keyToken, a), ix.hash1(typ, keyToken, b))
}

// pairOf mixes the keys of two tokens into the key of the pair, the same
// in either order. The keys are seeded hashes, so that nobody outside can
// choose them to collide.
func pairOf(x, y uint64) uint64 {
	if x > y {
		x, y = y, x
	}
	h := x ^ (y*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019)
	// The finaliser of MurmurHash3, a bijection that spreads every bit.
	h ^= h >> 33
	h *= 0xFF51AFD7ED558CCD
	h ^= h >> 33
	h *= 0xC4CEB93FE1A85A1D
	h ^= h >> 33
	return h
}

// post1 adds an entity to a posting list, applying the over-correlation
// guard to values and whole names. mine are the ids of the entities of its
// record stored so far, id among them.
func (ix *Index) post1(k key, id uint32, mine []uint32) {
	if k.kind != keyValue && k.kind != keyName {
		// Blocking keys are neither excluded nor capped here: one map
		// access.
		ix.post.add(k.h, id)
		return
	}
	if _, ok := ix.excluded[k.h]; ok {
		return
	}
	if st := ix.shared[k.h]; st != nil {
		st.Records++
		return
	}
	list := ix.list(k)
	if k.kind == keyValue || k.kind == keyName {
		// One posting per record is enough for values and whole names.
		// The record's entities are added together, after its earlier
		// version's were removed: the list's last entry is one of them
		// if it is among those stored so far, which is known without
		// reading that entry's entity, a read far from the last.
		if n := len(list); n > 0 && slices.Contains(mine, list[n-1]) {
			return
		}
	}
	if (k.kind == keyValue || k.kind == keyName) && len(list) >= ix.opt.MaxShared {
		en := &ix.ents[id]
		var f [7]string
		splitFields(ix.fields.str(en.data), &f)
		v := f[1]
		if k.kind == keyName {
			v = f[0]
		}
		ix.shared[k.h] = &KeyStat{Type: Types[en.typ], Value: strings.Clone(v), Records: len(list) + 1}
		return
	}
	if k.kind == keyValue {
		ix.vals.add(k.h, id, ix.ents[id].recID)
		return
	}
	ix.post.add(k.h, id)
}

// packDate packs "YYYY-MM-DD" as YYYYMMDD, or 0.
func packDate(s string) uint32 {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0
	}
	v := uint32(0)
	for i := 0; i < 10; i++ {
		if i == 4 || i == 7 {
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		v = v*10 + uint32(s[i]-'0')
	}
	return v
}

// code2 is an upper-case two-letter code, or zero.
func code2(s string) [2]byte {
	if len(s) != 2 {
		return [2]byte{}
	}
	return [2]byte{s[0] &^ 0x20, s[1] &^ 0x20}
}

// Overcorrelated lists the values and names shared by more records than
// Options.MaxShared, most shared first. They are no longer used to find
// candidates: a placeholder passport number, a shipping line's head office
// or "UNKNOWN" would otherwise link everything to everything.
func (ix *Index) Overcorrelated() []KeyStat {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]KeyStat, 0, len(ix.shared))
	for _, st := range ix.shared {
		out = append(out, *st)
	}
	slices.SortFunc(out, func(a, b KeyStat) int {
		if a.Records != b.Records {
			return b.Records - a.Records
		}
		return strings.Compare(string(a.Type)+a.Value, string(b.Type)+b.Value)
	})
	return out
}

// Exclude stops a value from linking records: an identifier of type t in
// any spelling its normalisation accepts, or a whole name for persons,
// organisations and vessels. Entities already indexed keep the value but
// it is no longer used to find candidates. It returns an invalid error for
// a value that does not normalise.
func (ix *Index) Exclude(t Type, value string) error {
	keys, canon, err := ix.exclusionKeys(t, value)
	if err != nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, k := range keys {
		if k.kind == keyValue {
			ix.excluded[k.h] = KeyStat{Type: t, Value: canon, Records: ix.vals.size(k.h)}
			ix.vals.drop(k.h)
		} else {
			ix.excluded[k.h] = KeyStat{Type: t, Value: canon, Records: ix.post.size(k.h)}
			ix.post.drop(k.h)
		}
	}
	return nil
}

// ExclusionKeys identifies what an exclusion of value as type t stops from
// linking: one number for the whole name (persons, organisations and
// vessels, as normalised) and one for the canonical identifier (the other
// types, and vessels whose value is an IMO number). Two spellings of one
// value ("+852 2345 6789", "+85223456789") give the same numbers, within
// this index. A value Exclude would refuse is refused with the same error.
func (ix *Index) ExclusionKeys(t Type, value string) ([]uint64, error) {
	keys, _, err := ix.exclusionKeys(t, value)
	if err != nil {
		return nil, err
	}
	out := make([]uint64, len(keys))
	for i, k := range keys {
		out[i] = k.h
	}
	return out, nil
}

// exclusionKeys is ExclusionKeys with the keys' kinds, and the value as
// the index lists it.
func (ix *Index) exclusionKeys(t Type, value string) ([]key, string, error) {
	if _, ok := typeCodes[t]; !ok {
		return nil, "", fault.Field("type", "unknown entity type %q", t)
	}
	var keys []key
	var canon string
	if t.named() {
		rs := ix.nm.Name(value, nameKind(t))
		if len(rs) == 0 {
			return nil, "", fault.Field("value", "name has no letters")
		}
		canon = value
		r := rends(rs)
		keys = append(keys, key{ix.nameHash(typeCodes[t], &r[0]), keyName})
	}
	if !t.named() || t == Vessel {
		v, err := Canonical(t, value)
		if err != nil && !t.named() {
			return nil, "", fault.Field("value", "%s", err.Error())
		}
		if v != "" {
			canon = v
			keys = append(keys, key{ix.hash(typeCodes[t], keyValue, v), keyValue})
		}
	}
	return keys, canon, nil
}

// Excluded lists the values excluded by Exclude.
func (ix *Index) Excluded() []KeyStat {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	seen := map[KeyStat]bool{}
	var out []KeyStat
	for _, st := range ix.excluded {
		st.Records = 0
		if !seen[st] {
			seen[st] = true
			out = append(out, st)
		}
	}
	slices.SortFunc(out, func(a, b KeyStat) int { return strings.Compare(string(a.Type)+a.Value, string(b.Type)+b.Value) })
	return out
}

// Canonical is an identifier of type t as the index reads it: an ISO 6346
// container number, the seven digits of an IMO number, an E.164 phone
// number, a lower-case e-mail address, "COUNTRY:NUMBER" for a travel
// document, a folded address. A value the index could never find (a
// container number with a wrong check digit, an address too short to
// compare) is an error saying why.
func Canonical(t Type, v string) (string, error) {
	switch t {
	case Container:
		return norm.Container(v)
	case Vessel:
		return norm.IMO(v)
	case Phone:
		return norm.Phone(v, "")
	case Email:
		return norm.Email(v)
	case Document:
		if c, n, ok := strings.Cut(v, ":"); ok {
			return norm.Document(c, n)
		}
		return norm.Document("", v)
	case Flight:
		return norm.Flight(v)
	case Address:
		if a := addressValue(v); a != "" {
			return a, nil
		}
		return "", fault.E(fault.Invalid, "address %q is too short to compare: fewer than %d characters once folded", v, minAddress)
	}
	if id := norm.Identifier(v); id != "" {
		return id, nil
	}
	return "", fault.E(fault.Invalid, "%s %q has no letters or digits", t, v)
}

// idf is the weight of a posting list of length n among total entities.
func idf(n, total int) float64 {
	return 1 + math.Log(float64(total+1)/float64(n+1))
}

// vocabOf returns the vocabulary id of a token, noID when it is not
// indexed. It does not allocate for tokens of up to four spellings.
func (ix *Index) vocabOf(t norm.Token) uint32 {
	var stack [128]byte
	return ix.voc.find(ix.seed, joinToken(stack[:0], t))
}
