package match

import (
	"hash/maphash"
	"math"
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
	// chosen by the blocking keys they share with the query; candidates
	// sharing less than a fifth of the best candidate's weight are not
	// scored. Default 64.
	Candidates int
	// Budget bounds the posting-list entries a fuzzy query reads, so that
	// names made only of very common tokens stay fast. Default 60,000.
	Budget int
}

func (o Options) withDefaults() Options {
	if o.MaxShared <= 0 {
		o.MaxShared = 200
	}
	if o.Candidates <= 0 {
		o.Candidates = 64
	}
	if o.Budget <= 0 {
		o.Budget = 60000
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
	recByID map[string]uint32
	freeRec []uint32

	ents    []ent
	freeEnt []uint32
	live    int

	paths  []string
	pathID map[string]uint32

	vocab   []vocabTok
	vocabID map[string]uint32

	strs  byteArena
	codes arena[uint32]

	post     map[uint64][]uint32
	shared   map[uint64]*KeyStat // over-correlated keys
	excluded map[uint64]KeyStat

	scratch sync.Pool
}

type recEntry struct {
	id   string
	ents []uint32
}

// ent is an indexed entity. data holds the display fields joined by
// fieldSep; code locates the name's renderings in the code arena.
type ent struct {
	data string
	rec  uint32
	code uint32 // 1-based position in the code arena, 0 for none
	path uint32
	typ  uint8
	dead bool
}

type vocabTok struct {
	alts  []string
	skels []string // distinct skeletons of the alternatives
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

var schemes = []string{"", "hk", "pinyin", "wade-giles", "icao", "elot", "arabic", "rr", "hepburn", "hindi"}

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
	return &Index{
		opt:      opt.withDefaults(),
		nm:       nm,
		seed:     maphash.MakeSeed(),
		recByID:  map[string]uint32{},
		pathID:   map[string]uint32{},
		vocabID:  map[string]uint32{},
		post:     map[uint64][]uint32{},
		shared:   map[uint64]*KeyStat{},
		excluded: map[uint64]KeyStat{},
	}, nil
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

// Add indexes entities under a record id, replacing what the record had.
func (ix *Index) Add(recordID string, es []Entity) {
	// Normalise outside the lock: it is the costly part.
	names := make([][]norm.Rendering, len(es))
	for i := range es {
		if es[i].Type.named() && es[i].Name != "" {
			names[i] = ix.nm.Name(es[i].Name, nameKind(es[i].Type))
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(recordID)
	var ri uint32
	if n := len(ix.freeRec); n > 0 {
		ri = ix.freeRec[n-1]
		ix.freeRec = ix.freeRec[:n-1]
		ix.recs[ri] = recEntry{id: recordID}
	} else {
		ri = uint32(len(ix.recs))
		ix.recs = append(ix.recs, recEntry{id: recordID})
	}
	ix.recByID[recordID] = ri
	ids := make([]uint32, 0, len(es))
	var keys []key
	for i := range es {
		e := &es[i]
		id := ix.store(ri, e, names[i])
		ids = append(ids, id)
		keys = ix.entKeys(keys[:0], id)
		for _, k := range keys {
			ix.post1(k, id)
		}
	}
	ix.recs[ri].ents = ids
	ix.live += len(ids)
}

// Remove drops the entities of a record. Removing an unknown record does
// nothing.
func (ix *Index) Remove(recordID string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(recordID)
}

func (ix *Index) remove(recordID string) {
	ri, ok := ix.recByID[recordID]
	if !ok {
		return
	}
	var keys []key
	for _, id := range ix.recs[ri].ents {
		keys = ix.entKeys(keys[:0], id)
		for _, k := range keys {
			list := ix.post[k.h]
			if j := slices.Index(list, id); j >= 0 {
				list = slices.Delete(list, j, j+1)
				if len(list) == 0 {
					delete(ix.post, k.h)
				} else {
					ix.post[k.h] = list
				}
			}
		}
		ix.ents[id].dead = true
		ix.ents[id].data = ""
		ix.freeEnt = append(ix.freeEnt, id)
	}
	ix.live -= len(ix.recs[ri].ents)
	ix.recs[ri] = recEntry{}
	ix.freeRec = append(ix.freeRec, ri)
	delete(ix.recByID, recordID)
}

func nameKind(t Type) norm.Kind {
	switch t {
	case Person:
		return norm.Person
	case Organisation:
		return norm.Organisation
	}
	return norm.Other
}

// store saves an entity and returns its id.
func (ix *Index) store(ri uint32, e *Entity, rs []norm.Rendering) uint32 {
	pid, ok := ix.pathID[e.Path]
	if !ok {
		pid = uint32(len(ix.paths))
		ix.paths = append(ix.paths, strings.Clone(e.Path))
		ix.pathID[e.Path] = pid
	}
	data := ix.strs.string(e.Name, fieldSep, e.Value, fieldSep, e.BirthDate, fieldSep, e.Nationality, fieldSep,
		e.Country, fieldSep, e.Document, fieldSep, e.Registration)
	en := ent{data: data, rec: ri, path: pid, typ: typeCodes[e.Type]}
	if len(rs) > 0 {
		code := make([]uint32, 0, 16)
		code = append(code, uint32(len(rs)))
		for _, r := range rs {
			n := min(len(r.Tokens), maxTokens)
			h := schemeCode(r.Scheme) | uint32(n)<<8
			if r.Consonantal {
				h |= 1 << 7
			}
			code = append(code, h)
			for _, t := range r.Tokens[:n] {
				code = append(code, ix.intern(t))
			}
		}
		en.code = ix.codes.put(code) + 1
	}
	if n := len(ix.freeEnt); n > 0 {
		id := ix.freeEnt[n-1]
		ix.freeEnt = ix.freeEnt[:n-1]
		ix.ents[id] = en
		return id
	}
	ix.ents = append(ix.ents, en)
	return uint32(len(ix.ents) - 1)
}

func (ix *Index) intern(t norm.Token) uint32 {
	k := strings.Join(t, "|")
	if id, ok := ix.vocabID[k]; ok {
		return id
	}
	v := vocabTok{alts: make([]string, len(t))}
	for i, a := range t {
		v.alts[i] = strings.Clone(a)
		if s := norm.Skeleton(a); !slices.Contains(v.skels, s) {
			v.skels = append(v.skels, s)
		}
	}
	id := uint32(len(ix.vocab))
	ix.vocab = append(ix.vocab, v)
	ix.vocabID[strings.Clone(k)] = id
	return id
}

// entity rebuilds the public view of a stored entity.
func (ix *Index) entity(id uint32) Entity {
	en := &ix.ents[id]
	var f [7]string
	splitFields(en.data, &f)
	return Entity{
		Type: Types[en.typ], Path: ix.paths[en.path], Name: f[0], Value: f[1], BirthDate: f[2],
		Nationality: f[3], Country: f[4], Document: f[5], Registration: f[6],
	}
}

func splitFields(s string, f *[7]string) {
	for i := range 6 {
		j := strings.Index(s, fieldSep)
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
			toks = append(toks, ix.vocab[c[p+k]].alts)
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
	keyWhole              // the skeleton of a whole name
	keyPair               // the skeletons of two tokens
	keyToken              // the skeleton of one token
)

func (ix *Index) hash(typ uint8, kind uint8, parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(ix.seed)
	h.WriteByte(typ)
	h.WriteByte(kind)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
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
		splitFields(en.data, &f)
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
// spelling of each token, of each pair of tokens (and of a token with two
// adjacent tokens written together), and of the whole name written
// together.
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
	var skel [maxTokens]string
	for _, r := range rs {
		n := min(len(r.toks), maxTokens)
		var whole strings.Builder
		for i := 0; i < n; i++ {
			t := r.toks[i]
			skel[i] = norm.Skeleton(t[0])
			whole.WriteString(t[0])
			for j, a := range t {
				s := skel[i]
				if j > 0 {
					s = norm.Skeleton(a)
				}
				if s != "" {
					add(key{ix.hash(typ, keyToken, s), keyToken})
				}
			}
		}
		if n == 0 {
			continue
		}
		add(key{ix.hash(typ, keyWhole, norm.Skeleton(whole.String())), keyWhole})
		for i := 0; i < n && i < 6; i++ {
			for j := i + 1; j < n && j < 6; j++ {
				add(key{ix.pairHash(typ, skel[i], skel[j]), keyPair})
			}
		}
		// A token written together with its neighbour, paired with the
		// other tokens: "Chen Da Wen" gives (CN, TFN) for "Dawen Chen".
		if n >= 3 {
			for i := 0; i+1 < n && i < 5; i++ {
				m := norm.Skeleton(r.toks[i][0] + r.toks[i+1][0])
				for k := 0; k < n && k < 6; k++ {
					if k != i && k != i+1 {
						add(key{ix.pairHash(typ, m, skel[k]), keyPair})
					}
				}
			}
		}
	}
	return keys
}

func (ix *Index) pairHash(typ uint8, a, b string) uint64 {
	if a > b {
		a, b = b, a
	}
	return ix.hash(typ, keyPair, a, b)
}

// post1 adds an entity to a posting list, applying the over-correlation
// guard to values and whole names.
func (ix *Index) post1(k key, id uint32) {
	if _, ok := ix.excluded[k.h]; ok {
		return
	}
	if st := ix.shared[k.h]; st != nil {
		st.Records++
		return
	}
	list := ix.post[k.h]
	if (k.kind == keyValue || k.kind == keyWhole) && len(list) >= ix.opt.MaxShared && ix.distinctRecords(list) >= ix.opt.MaxShared {
		en := &ix.ents[id]
		var f [7]string
		splitFields(en.data, &f)
		v := f[1]
		if k.kind == keyWhole {
			v = f[0]
		}
		ix.shared[k.h] = &KeyStat{Type: Types[en.typ], Value: strings.Clone(v), Records: len(list) + 1}
		return
	}
	ix.post[k.h] = append(list, id)
}

func (ix *Index) distinctRecords(list []uint32) int {
	seen := make(map[uint32]struct{}, len(list))
	for _, id := range list {
		seen[ix.ents[id].rec] = struct{}{}
	}
	return len(seen)
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
	var keys []key
	var canon string
	if t.named() {
		rs := ix.nm.Name(value, nameKind(t))
		if len(rs) == 0 {
			return fault.Field("value", "name has no letters")
		}
		canon = value
		for _, r := range rends(rs) {
			var whole strings.Builder
			for _, tok := range r.toks {
				whole.WriteString(tok[0])
			}
			keys = append(keys, key{ix.hash(typeCodes[t], keyWhole, norm.Skeleton(whole.String())), keyWhole})
		}
	}
	if !t.named() || t == Vessel {
		v, err := canonical(t, value)
		if err != nil && !t.named() {
			return fault.Field("value", "%s", err.Error())
		}
		if v != "" {
			canon = v
			keys = append(keys, key{ix.hash(typeCodes[t], keyValue, v), keyValue})
		}
	}
	if _, ok := typeCodes[t]; !ok {
		return fault.Field("type", "unknown entity type %q", t)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, k := range keys {
		n := len(ix.post[k.h])
		ix.excluded[k.h] = KeyStat{Type: t, Value: canon, Records: n}
		delete(ix.post, k.h)
	}
	return nil
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

// canonical normalises an identifier value of type t.
func canonical(t Type, v string) (string, error) {
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
		return "", fault.E(fault.Invalid, "address too short")
	}
	return norm.Identifier(v), nil
}

// arena stores values in fixed chunks so that what is stored never moves
// and growing never copies.
type arena[T any] struct {
	chunks [][]T
}

const arenaChunk = 1 << 20

func (a *arena[T]) reserve(n int) []T {
	if len(a.chunks) == 0 || len(a.chunks[len(a.chunks)-1])+n > cap(a.chunks[len(a.chunks)-1]) {
		a.chunks = append(a.chunks, make([]T, 0, max(arenaChunk, n)))
	}
	return a.chunks[len(a.chunks)-1]
}

// put stores vs and returns their position; at returns them again,
// followed by whatever was stored after them (callers know the length).
func (a *arena[T]) put(vs []T) uint32 {
	c := a.reserve(len(vs))
	i := len(a.chunks) - 1
	off := len(c)
	a.chunks[i] = append(c, vs...)
	return uint32(i)<<22 | uint32(off)
}

func (a *arena[T]) at(pos uint32) []T {
	c := a.chunks[pos>>22]
	return c[pos&(1<<22-1):]
}

// byteArena stores strings in fixed chunks; the strings it returns point
// into the chunks, which never move.
type byteArena struct {
	chunks [][]byte
}

func (a *byteArena) string(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return ""
	}
	if len(a.chunks) == 0 || len(a.chunks[len(a.chunks)-1])+n > cap(a.chunks[len(a.chunks)-1]) {
		a.chunks = append(a.chunks, make([]byte, 0, max(arenaChunk, n)))
	}
	i := len(a.chunks) - 1
	c := a.chunks[i]
	start := len(c)
	for _, p := range parts {
		c = append(c, p...)
	}
	a.chunks[i] = c
	b := c[start:]
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// idf is the weight of a posting list of length n among total entities.
func idf(n, total int) float64 {
	return 1 + math.Log(float64(total+1)/float64(n+1))
}
