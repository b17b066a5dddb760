// Package matching runs cross-matching for a node: it owns the node's
// in-memory match index, rebuilds it from the store at start, feeds it every
// record stored or received (through the store decorator Observe), stores
// the links each record has so that they survive restarts, applies the
// administrators' exclusions, and answers the questions users ask (a
// record's matches, an ad-hoc search) showing only records they may see.
//
// Ingest runs off the request path: Observe hands committed records to a
// buffered queue that one goroutine drains. Nothing is lost when the queue
// is full or the process stops before draining it: the store keeps, per
// record, the version whose links are stored (the watermark), and whatever
// was stored after it is matched at the next start or catch-up.
package matching

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/match"
	"liaison/internal/records"
	"liaison/internal/store"
)

// Audit actions of matching.
const (
	ActionExclude = "match.exclude"
	ActionInclude = "match.include"
)

// Defaults of Config.
const (
	DefaultPerEntity = 10
	DefaultQueue     = 256
	DefaultCatchUp   = 30 * time.Second
	// MaxLimit bounds the results of one search.
	MaxLimit = 100
)

// Config is what a Service needs. Store is required.
type Config struct {
	Store  store.Store
	Logger *slog.Logger
	// Index tunes the match index.
	Index match.Options
	// PerEntity bounds the links stored for each entity of a record;
	// DefaultPerEntity when zero.
	PerEntity int
	// Queue is how many batches of stored records wait for matching
	// before further ones are left to the catch-up; DefaultQueue when
	// zero.
	Queue int
	// CatchUp is how often the service indexes what other processes
	// sharing the database matched (replicas on PostgreSQL, a command
	// run beside the server) and matches what nobody matched yet;
	// DefaultCatchUp when zero, never when negative.
	CatchUp time.Duration
}

// Service is a node's cross-matching. It is safe for concurrent use.
type Service struct {
	st        store.Store
	log       *slog.Logger
	opt       match.Options
	perEntity int
	catchUp   time.Duration

	ix atomic.Pointer[match.Index]

	// ready is set once an index built from the store is in place; until
	// then searches answer that the index is being built, and read says
	// how many records the build under way has read. exMu orders
	// exclusions with putting a rebuilt index in place, so that none is
	// applied only to the index being replaced.
	ready     atomic.Bool
	readyOnce sync.Once
	readyCh   chan struct{}
	read      atomic.Int64
	exMu      sync.Mutex

	// aud holds the audience of every indexed record whose audience is
	// not the zero one (records of an operation), so that filtering
	// search results never reads the store.
	mu  sync.RWMutex
	aud map[string]records.Audience

	queue   chan []item
	running atomic.Bool
	behind  atomic.Bool // a batch was not queued, or not stored: catch up
	missMu  sync.Mutex
	missed  []string // ids of the records behind is about, when missedAll is not set
	// missedAll says that behind is about more records than missed
	// holds, or about records not known: the catch-up reads them all.
	missedAll bool
	rebuild   chan struct{}
	mark      int64             // highest mark seen; worker only
	matched   map[string]int    // versions this process marked, see forget; worker only
	links     []store.MatchLink // the links of the batch being stored, kept for the next; worker only
	idleWait  chan chan struct{}
}

// item is a record to match: the stored record itself, or only its id
// when the version stored is not known (received records).
type item struct {
	rec *intel.Record
	id  string
}

// New returns a Service with an empty index. Run builds it from the store
// as it starts (or call Rebuild); until it is built, searches answer
// fault.Unavailable.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("matching: no store")
	}
	s := &Service{st: cfg.Store, log: cfg.Logger, opt: cfg.Index, perEntity: cfg.PerEntity, catchUp: cfg.CatchUp,
		aud: map[string]records.Audience{}, rebuild: make(chan struct{}, 1), idleWait: make(chan chan struct{}),
		readyCh: make(chan struct{})}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.perEntity <= 0 {
		s.perEntity = DefaultPerEntity
	}
	if s.catchUp == 0 {
		s.catchUp = DefaultCatchUp
	}
	q := cfg.Queue
	if q <= 0 {
		q = DefaultQueue
	}
	s.queue = make(chan []item, q)
	ix, err := match.New(s.opt)
	if err != nil {
		return nil, fmt.Errorf("new match index: %w", err)
	}
	s.ix.Store(ix)
	return s, nil
}

// Index returns the current match index.
func (s *Service) Index() *match.Index { return s.ix.Load() }

// Rebuild builds the index afresh from the store: the exclusions, then the
// latest version of every record that is not retracted. It then matches
// every record stored after the watermark (stored but never matched, or
// changed since), so that no link is lost to a stop before the queue was
// drained. It logs counts and duration, never names.
func (s *Service) Rebuild(ctx context.Context) error {
	start := time.Now()
	ix, aud, mark, n, err := s.build(ctx)
	if err != nil {
		return err
	}
	// Exclusions stored while the index was being built are applied to
	// it before it takes the place of the one they were applied to.
	s.exMu.Lock()
	xs, err := s.st.MatchExclusions(ctx)
	if err != nil {
		s.exMu.Unlock()
		return fmt.Errorf("rebuild match index: %w", err)
	}
	s.exclude(ix, xs)
	s.ix.Store(ix)
	s.exMu.Unlock()
	s.mu.Lock()
	s.aud = aud
	s.mu.Unlock()
	s.mark = mark
	s.ready.Store(true)
	s.readyOnce.Do(func() { close(s.readyCh) })
	s.log.Info("match index rebuilt", "records", n, "entities", ix.Len(), "duration", time.Since(start).Round(time.Millisecond))
	caught, err := s.matchUnmatched(ctx)
	if err != nil {
		return err
	}
	if caught > 0 {
		s.log.Info("matched records stored after the watermark", "records", caught)
	}
	return nil
}

// exclude applies stored exclusions to ix, logging those that no longer
// apply.
func (s *Service) exclude(ix *match.Index, xs []store.MatchExclusion) {
	for _, x := range xs {
		if err := ix.Exclude(match.Type(x.Type), x.Value); err != nil {
			s.log.Warn("stored match exclusion no longer applies", "exclusion", x.ID, "err", err)
		}
	}
}

// IndexState is how far the match index is: Ready once an index built
// from the store is in place; until then RecordsRead is how many records
// the build has read.
type IndexState struct {
	Ready       bool
	RecordsRead int64
}

// State reports how far the match index is.
func (s *Service) State() IndexState {
	return IndexState{Ready: s.ready.Load(), RecordsRead: s.read.Load()}
}

// WaitReady waits until an index built from the store is in place, or ctx
// ends.
func (s *Service) WaitReady(ctx context.Context) error {
	select {
	case <-s.readyCh:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// notReady is the answer to a search before the index is built.
func (s *Service) notReady() error {
	return fault.E(fault.Unavailable, "the match index is being built from the store (%d records read so far); searching is possible once it is built", s.read.Load())
}

// build reads a new index, audience map and catch-up mark from the store.
func (s *Service) build(ctx context.Context) (*match.Index, map[string]records.Audience, int64, int, error) {
	ix, err := match.New(s.opt)
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("new match index: %w", err)
	}
	xs, err := s.st.MatchExclusions(ctx)
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("rebuild match index: %w", err)
	}
	s.exclude(ix, xs)
	// The mark is read before the walk, so that whatever others mark
	// during it is read again by the next catch-up.
	mark, err := s.lastMark(ctx)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	aud := map[string]records.Audience{}
	n := 0
	s.read.Store(0)
	// A large node takes a while: say how far the build has got, as the
	// catch-up does, so that an operator watching a start sees it move.
	start, said := time.Now(), time.Now()
	// The records are indexed as they are read: the Loader extracts and
	// normalises them on every core while it stores those before them,
	// and reading the store overlaps with both.
	l := ix.NewLoader()
	err = s.st.WalkRecords(ctx, func(r *intel.Record) error {
		if r.Status == intel.StatusRetracted {
			return nil
		}
		l.Add(r)
		if a := records.AudienceOf(r); a != (records.Audience{}) {
			aud[r.ID] = a
		}
		n++
		s.read.Store(int64(n))
		if n%1024 == 0 && time.Since(said) >= progressEvery {
			s.log.Info("building match index", "records_read", n, "elapsed", time.Since(start).Round(time.Second))
			said = time.Now()
		}
		return nil
	})
	l.Close()
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("rebuild match index: %w", err)
	}
	ix.Compact()
	return ix, aud, mark, n, nil
}

// markPage is how many marks are read at a time.
const markPage = 10000

func (s *Service) lastMark(ctx context.Context) (int64, error) {
	var mark int64
	for {
		ms, err := s.st.MatchMarks(ctx, mark, markPage)
		if err != nil {
			return 0, fmt.Errorf("read match watermark: %w", err)
		}
		if len(ms) > 0 {
			mark = ms[len(ms)-1].Seq
		}
		if len(ms) < markPage {
			return mark, nil
		}
	}
}

// unmatchedPage is how many unmatched records are matched at a time.
const unmatchedPage = 500

// matchUnmatched matches every record whose latest version is not the one
// whose links are stored, and returns how many. It pages through the
// records once, in id order: a record changed again while its page was
// matched is left to the next catch-up (or to the queue), not read again
// here.
func (s *Service) matchUnmatched(ctx context.Context) (int, error) {
	total := 0
	after := ""
	// A node whose links were lost or never stored (a new links file, a
	// restore) matches every record here before it serves: say how far it
	// has got, so that an operator watching a long start sees it move.
	start, said := time.Now(), time.Now()
	for {
		if time.Since(said) >= progressEvery {
			s.log.Info("matching records not matched yet", "records_done", total,
				"elapsed", time.Since(start).Round(time.Second))
			said = time.Now()
		}
		ids, err := s.st.Unmatched(ctx, after, unmatchedPage)
		if err != nil {
			return total, fmt.Errorf("find unmatched records: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		after = ids[len(ids)-1]
		items := make([]item, len(ids))
		for i, id := range ids {
			items[i] = item{id: id}
		}
		if err := s.process(ctx, items); err != nil {
			return total, err
		}
		total += len(ids)
		if len(ids) < unmatchedPage {
			return total, nil
		}
	}
}

// matchIDs matches the records of ids, a page at a time, and returns how
// many it matched.
func (s *Service) matchIDs(ctx context.Context, ids []string) (int, error) {
	for i := 0; i < len(ids); i += unmatchedPage {
		page := ids[i:min(i+unmatchedPage, len(ids))]
		items := make([]item, len(page))
		for j, id := range page {
			items[j] = item{id: id}
		}
		if err := s.process(ctx, items); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

// notify queues committed records for matching without waiting. When the
// queue is full the records are left to the catch-up, which matches them
// by id (or, when more were left than it notes, finds them through the
// watermark). Before Run, nothing is queued: Run catches up as
// it starts, and a process that never runs it leaves them to the next
// Rebuild.
func (s *Service) notify(items []item) {
	if len(items) == 0 {
		return
	}
	if !s.running.Load() {
		s.miss(items)
		return
	}
	select {
	case s.queue <- items:
	default:
		s.miss(items)
	}
}

// miss notes items the catch-up must match: they could not be queued, or
// their batch could not be stored.
func (s *Service) miss(items []item) {
	s.missMu.Lock()
	if !s.missedAll {
		if len(s.missed)+len(items) > maxMissed {
			s.missed, s.missedAll = nil, true
		} else {
			for _, it := range items {
				if it.rec != nil {
					s.missed = append(s.missed, it.rec.ID)
				} else {
					s.missed = append(s.missed, it.id)
				}
			}
		}
	}
	s.missMu.Unlock()
	s.behind.Store(true)
}

// missAll notes that the catch-up must read every record.
func (s *Service) missAll() {
	s.missMu.Lock()
	s.missed, s.missedAll = nil, true
	s.missMu.Unlock()
	s.behind.Store(true)
}

// takeMissed returns, and forgets, what the catch-up must match: the ids
// noted, or all when every record must be read.
func (s *Service) takeMissed() (ids []string, all bool) {
	s.missMu.Lock()
	defer s.missMu.Unlock()
	ids, all = s.missed, s.missedAll
	s.missed, s.missedAll = nil, false
	return ids, all
}

// maxMissed is the most ids noted for the catch-up (about 3 MB); beyond
// it the catch-up reads every record. A variable for tests.
var maxMissed = 1 << 16

// Run drains the queue, matching each batch of records and storing their
// links, until ctx ends. It also catches up every Config.CatchUp, and after
// a batch could not be queued or stored as soon as the queue is empty: a
// catch-up while batches wait would match their records before them (and
// they would be matched again if they came after the catch-up forgot
// them), and it finds the records that could not be queued all the same.
func (s *Service) Run(ctx context.Context) {
	s.running.Store(true)
	defer s.running.Store(false)
	// The index is built here, not before the node serves: until it is
	// in place, records stored or received wait in the queue (or for the
	// catch-up) and searches say the index is being built.
	for !s.ready.Load() {
		err := s.Rebuild(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			break
		}
		s.log.Error("build match index", "err", err, "retry_in", buildRetry)
		select {
		case <-ctx.Done():
			return
		case <-time.After(buildRetry):
		}
	}
	var tick <-chan time.Time
	if s.catchUp > 0 {
		t := time.NewTicker(s.catchUp)
		defer t.Stop()
		tick = t.C
	}
	for {
		if len(s.queue) == 0 && s.behind.Swap(false) {
			s.catchUpNow(ctx, false)
		}
		select {
		case <-ctx.Done():
			return
		case batch := <-s.queue:
			batch = s.gather(ctx, s.drain(batch))
			if err := s.process(ctx, batch); err != nil {
				if ctx.Err() != nil {
					return
				}
				s.log.Error("match records", "records", len(batch), "err", err)
				s.miss(batch)
			}
		case <-tick:
			s.catchUpNow(ctx, true)
		case <-s.rebuild:
			if err := s.Rebuild(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("rebuild match index", "err", err)
			}
		case done := <-s.idleWait:
			if len(s.queue) == 0 {
				close(done)
			} else {
				go func() {
					select {
					case s.idleWait <- done:
					case <-ctx.Done():
					}
				}()
			}
		}
	}
}

// buildRetry is how long Run waits before trying again to build an index
// the store could not be read for.
var buildRetry = 10 * time.Second

// progressEvery is how often a long build or catch-up logs how far it
// has got.
var progressEvery = 10 * time.Second

// keepLinks is the most links whose room process keeps for the next batch
// (a few hundred bytes each, so about 30 MB): a batch of drainMax records
// of a dozen or two links each fits; a larger one's room is given back.
const keepLinks = 1 << 16

// drainMax bounds the records matched and stored in one transaction.
const drainMax = 2000

// drain adds to batch whatever else is queued, up to drainMax records.
func (s *Service) drain(batch []item) []item {
	for len(batch) < drainMax {
		select {
		case more := <-s.queue:
			batch = append(batch, more...)
		default:
			return batch
		}
	}
	return batch
}

// gatherFrom and gatherWait make a burst matched in larger batches: when
// a batch drained from the queue holds gatherFrom records or more (a
// peer's batch of envelopes, an import) but fewer than drainMax, Run
// waits up to gatherWait for more before matching it. Each batch costs
// its own transaction of the links store, and its pages written out (the
// references it adds land anywhere in their table), and the index's own
// work per batch; at 250 records a batch, a record cost a third to two
// fifths more than at 2,000 (BenchmarkMatchAndStore). A record stored
// alone is matched at once.
const gatherFrom = 100

// gatherWait is a variable for tests.
var gatherWait = 200 * time.Millisecond

// gather adds to batch what else is queued within gatherWait, up to
// drainMax records, when batch is part of a burst (see gatherFrom).
func (s *Service) gather(ctx context.Context, batch []item) []item {
	if len(batch) < gatherFrom || len(batch) >= drainMax {
		return batch
	}
	t := time.NewTimer(gatherWait)
	defer t.Stop()
	for len(batch) < drainMax {
		select {
		case more := <-s.queue:
			batch = append(batch, more...)
		case <-t.C:
			return batch
		case <-ctx.Done():
			return batch
		}
	}
	return batch
}

// Idle waits until the queue is empty and the batch taken from it stored,
// or ctx ends. Tests and tools use it to know that what they stored has
// been matched.
func (s *Service) Idle(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case s.idleWait <- done:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// process matches items and stores their links and watermark in one
// transaction. A record read by id that no longer exists is skipped; of a
// record queued more than once only the latest version is matched. The
// records are indexed and matched together, on every core.
func (s *Service) process(ctx context.Context, items []item) error {
	ix := s.ix.Load()
	latest := make(map[string]int, len(items))
	recs := make([]*intel.Record, 0, len(items))
	for _, it := range items {
		r := it.rec
		if r == nil {
			var err error
			r, err = s.st.GetRecord(ctx, it.id)
			if fault.Is(err, fault.NotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("read record to match: %w", err)
			}
		}
		if i, ok := latest[r.ID]; ok {
			if recs[i].Version <= r.Version {
				recs[i] = r
			}
			continue
		}
		latest[r.ID] = len(recs)
		recs = append(recs, r)
	}
	// A version this process matched already (queued again after a
	// catch-up took it) is not matched again: ingesting a record the
	// index holds replaces its postings, which costs as much as the
	// postings are long.
	recs = slices.DeleteFunc(recs, func(r *intel.Record) bool {
		v, ok := s.matched[r.ID]
		return ok && v >= r.Version
	})
	sets := make([]store.MatchSet, len(recs))
	var live []*intel.Record
	var at []int
	for i, r := range recs {
		sets[i] = store.MatchSet{Record: r.ID, Version: r.Version}
		if r.Status == intel.StatusRetracted {
			sets[i].Purged = true
			ix.Remove(r.ID)
			s.setAudience(r.ID, records.Audience{})
			continue
		}
		s.setAudience(r.ID, records.AudienceOf(r))
		live = append(live, r)
		at = append(at, i)
	}
	// The links come as the store keeps them, each entity by its path.
	found := ix.IngestBatchFound(live, s.perEntity)
	// The links of every set are laid out in one slice kept from batch to
	// batch: a link carries both entities whole, and a slice of them made
	// for each record was most of what matching allocates outside the
	// index. The store keeps nothing of them once PutMatches returns.
	total := 0
	for _, ls := range found {
		total += len(ls)
	}
	links := s.links[:0]
	if cap(links) < total {
		// With room to spare, so that the next batches rarely need more.
		links = make([]store.MatchLink, 0, min(total+total/2, max(total, keepLinks)))
	}
	for j, ls := range found {
		r := live[j]
		mine := encodeAudience(records.AudienceOf(r))
		from := len(links)
		for _, l := range ls {
			links = append(links, store.MatchLink{Record: r.ID, Other: l.Record, RecordAudience: mine,
				OtherAudience: encodeAudience(s.audience(l.Record)), Score: l.Score, EntityPath: l.EntityPath, MatchedPath: l.MatchedPath,
				Reasons: l.Reasons})
		}
		sets[at[j]].Links = links[from:len(links):len(links)]
	}
	err := s.st.PutMatches(ctx, sets)
	clear(links) // what the links refer to is left to the collector
	s.links = nil
	if cap(links) <= keepLinks {
		s.links = links[:0]
	}
	if err != nil {
		return err
	}
	if s.matched == nil {
		s.matched = map[string]int{}
	}
	for _, set := range sets {
		s.matched[set.Record] = set.Version
	}
	return nil
}

// index brings the index up to date with a record another process matched.
func (s *Service) index(ix *match.Index, r *intel.Record) {
	if r.Status == intel.StatusRetracted {
		ix.Remove(r.ID)
		s.setAudience(r.ID, records.Audience{})
		return
	}
	ix.AddRecord(r)
	s.setAudience(r.ID, records.AudienceOf(r))
}

// forget lets go of the versions this process marked, which a catch-up has
// read past, unless batches still wait in the queue: those queued before a
// catch-up matched their records are skipped by the versions kept (matched
// again, each would cost as much as the first time, and a stored set
// replaced more), which a sustained load that overflows the queue makes
// common. maxMatched bounds what is kept; past it a duplicate costs time,
// never a link.
func (s *Service) forget() {
	if len(s.queue) == 0 || len(s.matched) > maxMatched {
		s.matched = nil
	}
}

// maxMatched is the most versions kept while batches wait: about 20 MB.
const maxMatched = 1 << 18

// markWindow is how far behind the last mark seen a catch-up reads again:
// on PostgreSQL a transaction may commit a lower sequence number after a
// higher one was seen.
const markWindow = 1000

// catchUpNow indexes the records other processes matched since the last
// mark seen, then matches the records nobody matched yet: with all, or
// when more were missed than noted, every record whose latest version is
// not marked matched (which reads every record); otherwise those noted as
// missed. The periodic catch-up reads all, for the records other
// processes stored without matching them.
func (s *Service) catchUpNow(ctx context.Context, all bool) {
	start := time.Now()
	ids, every := s.takeMissed()
	all = all || every
	ix := s.ix.Load()
	from := max(0, s.mark-markWindow)
	seen := 0
	for {
		ms, err := s.st.MatchMarks(ctx, from, markPage)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("match catch-up", "err", err)
				s.missAll()
			}
			return
		}
		for _, m := range ms {
			if v, ok := s.matched[m.ID]; ok && v == m.Version {
				continue
			}
			r, err := s.st.GetRecord(ctx, m.ID)
			if err != nil {
				continue
			}
			s.index(ix, r)
			seen++
		}
		if len(ms) > 0 {
			from = ms[len(ms)-1].Seq
			s.mark = max(s.mark, from)
		}
		if len(ms) < markPage {
			break
		}
	}
	s.forget()
	var n int
	var err error
	if all {
		n, err = s.matchUnmatched(ctx)
	} else {
		n, err = s.matchIDs(ctx, ids)
	}
	if err != nil && ctx.Err() == nil {
		s.log.Error("match catch-up", "err", err)
		s.missAll()
	}
	if seen+n > 0 {
		s.log.Info("match catch-up", "indexed", seen, "matched", n, "every_record", all, "duration", time.Since(start).Round(time.Millisecond))
	}
}

func (s *Service) setAudience(id string, a records.Audience) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a == (records.Audience{}) {
		delete(s.aud, id)
		return
	}
	s.aud[id] = a
}

func (s *Service) audience(id string) records.Audience {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.aud[id]
}

// encodeAudience is how an audience is kept beside a link: "" for the zero
// audience, JSON otherwise.
func encodeAudience(a records.Audience) string {
	if a == (records.Audience{}) {
		return ""
	}
	b, err := json.Marshal(a)
	if err != nil {
		return ""
	}
	return string(b)
}

// decodeAudience reverses encodeAudience. An audience that does not decode
// hides the record from everyone but those who see every record.
func decodeAudience(s string) records.Audience {
	if s == "" {
		return records.Audience{}
	}
	var a records.Audience
	if err := json.Unmarshal([]byte(s), &a); err != nil || a == (records.Audience{}) {
		return records.Audience{Operation: "\x00undecodable"}
	}
	return a
}

// RecordMatches returns the links of a record to the records u may see,
// best first, and audits the read. A record u may not see, or that does
// not exist, is NotFound.
func (s *Service) RecordMatches(ctx context.Context, u store.User, recordID string) ([]match.Link, error) {
	r, err := s.st.GetRecord(ctx, recordID)
	if fault.Is(err, fault.NotFound) || err == nil && !records.CanSee(u, records.AudienceOf(r)) {
		return nil, fault.E(fault.NotFound, "record %s not found", recordID)
	}
	if err != nil {
		return nil, fmt.Errorf("matches of %s: %w", recordID, err)
	}
	var ls []store.MatchLink
	if r.Status != intel.StatusRetracted {
		// A retracted record links to nothing, though its links are
		// purged only once its retraction is matched.
		if ls, err = s.st.Matches(ctx, recordID); err != nil {
			return nil, err
		}
	}
	out := []match.Link{}
	mine := entitiesAt(r)
	others := map[string]map[string]match.Entity{}
	for _, l := range ls {
		if !records.CanSee(u, decodeAudience(l.OtherAudience)) || !records.CanSee(u, s.audience(l.Other)) {
			continue
		}
		theirs, ok := others[l.Other]
		if !ok {
			o, err := s.st.GetRecord(ctx, l.Other)
			switch {
			case fault.Is(err, fault.NotFound):
			case err != nil:
				return nil, fmt.Errorf("matches of %s: %w", recordID, err)
			case o.Status == intel.StatusRetracted:
				// Retracted moments ago: the links are purged once its
				// retraction is matched.
			case records.CanSee(u, records.AudienceOf(o)):
				theirs = entitiesAt(o)
			}
			others[l.Other] = theirs
		}
		matched, ok := theirs[l.MatchedPath]
		if !ok {
			// The other record is gone or hidden now, or no longer
			// holds the entity: its own matching will replace the link.
			continue
		}
		entity, ok := mine[l.EntityPath]
		if !ok {
			continue
		}
		out = append(out, match.Link{Record: l.Other, Score: l.Score, Entity: &entity, Matched: &matched, Reasons: l.Reasons})
	}
	ev := audit.Event{Actor: u.Name, Action: audit.ActionRecordRead, Target: recordID, Detail: fmt.Sprintf("matches; %d results", len(out))}
	if _, err := s.st.Audit(ctx, ev); err != nil {
		return nil, fmt.Errorf("audit matches of %s: %w", recordID, err)
	}
	return out, nil
}

// Pending says whether the links of a record's latest version are still
// to be worked out: it was stored or received moments ago, or the node is
// matching what it holds after a restore or an upgrade. A retracted record
// is never pending. The caller has checked that the user may see it.
func (s *Service) Pending(ctx context.Context, recordID string) (bool, error) {
	r, err := s.st.GetRecord(ctx, recordID)
	if err != nil {
		return false, fmt.Errorf("whether matches of %s are pending: %w", recordID, err)
	}
	if r.Status == intel.StatusRetracted {
		return false, nil
	}
	v, err := s.st.MatchedVersion(ctx, recordID)
	if err != nil {
		return false, err
	}
	return v < r.Version, nil
}

// RecordMatchesPending is RecordMatches together with whether the links
// are pending. Whether they are pending is read first: read after the
// links, it could say "not pending" of links read moments before the
// matching of the record stored them, and a record with links would look
// as if it had none. Read first, a record whose links are stored meanwhile
// is still said to be pending, and its links are shown on the next look.
func (s *Service) RecordMatchesPending(ctx context.Context, u store.User, recordID string) ([]match.Link, bool, error) {
	pending, perr := s.Pending(ctx, recordID)
	ls, err := s.RecordMatches(ctx, u, recordID)
	if err != nil {
		// Not found or not visible is said by RecordMatches, whatever
		// Pending found.
		return nil, false, err
	}
	if perr != nil {
		return nil, false, perr
	}
	return ls, pending, nil
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// CheckQuery validates an ad-hoc search, naming the offending field, and
// fills in the default limit. What is searched for is checked as the
// index reads it: an identifier must be one its normalisation accepts (a
// container number with a wrong check digit would otherwise find nothing
// and look like "no match").
func CheckQuery(q *match.Query) error {
	var errs fault.List
	if q.Name == "" {
		errs = append(errs, fault.Field("name", "is required"))
	}
	typeOK := q.Type == "" || knownType(q.Type)
	if !typeOK {
		errs = append(errs, fault.Field("type", "unknown entity type %q", q.Type))
	}
	if q.Name != "" {
		if err := checkText(q.Type, q.Name, "name"); err != nil {
			errs = append(errs, err)
		} else if typeOK && !named(q.Type) {
			if _, err := match.Canonical(q.Type, q.Name); err != nil {
				errs = append(errs, fault.Field("name", "%s", err.Error()))
			}
		}
	}
	if q.Limit == 0 {
		q.Limit = 10
	}
	if q.Limit < 1 || q.Limit > MaxLimit {
		errs = append(errs, fault.Field("limit", "must be 1 to %d", MaxLimit))
	}
	// Written so that NaN, which compares false with everything, fails.
	if !(q.MinScore >= 0 && q.MinScore <= 1) {
		errs = append(errs, fault.Field("min_score", "must be 0 to 1"))
	}
	if q.BirthDate != "" {
		if _, err := time.Parse(time.DateOnly, q.BirthDate); err != nil || !dateRE.MatchString(q.BirthDate) {
			errs = append(errs, fault.Field("birth_date", "must be a date YYYY-MM-DD"))
		}
	}
	if q.Country != "" && !isCode(q.Country) {
		errs = append(errs, fault.Field("country", "must be a two-letter country code"))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkText refuses a name or value that is not UTF-8 text, or longer than
// the record fields it is compared with may be.
func checkText(t match.Type, v, field string) *fault.Error {
	if !utf8.ValidString(v) {
		return fault.Field(field, "is not valid UTF-8 text")
	}
	limit := intel.MaxNameLength
	if t == match.Address {
		limit = intel.MaxLineLength
	}
	if len(v) > limit {
		if n := utf8.RuneCountInString(v); n > limit {
			return fault.Field(field, "is too long: %d characters, the limit is %d", n, limit)
		}
	}
	return nil
}

// named reports whether a search of type t compares names: persons,
// organisations and vessels, or persons and organisations together when
// t is empty.
func named(t match.Type) bool {
	return t == "" || t == match.Person || t == match.Organisation || t == match.Vessel
}

// checkName refuses a name the index has nothing to compare of once
// punctuation, titles and legal forms are left out ("Co., Ltd.", "Mr",
// "…"), which would otherwise find nothing and look like "no match". A
// search of persons and organisations together needs one of the two.
func (s *Service) checkName(t match.Type, name, field string) *fault.Error {
	if s.ix.Load().HasNameToCompare(t, name) {
		return nil
	}
	return fault.Field(field, "%q has no letters or digits to compare once punctuation, titles and legal forms are left out", name)
}

func knownType(t match.Type) bool {
	for _, k := range match.Types {
		if k == t {
			return true
		}
	}
	return false
}

func isCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// Search runs an ad-hoc query over the index and returns the results in
// records u may see, best first, and audits the search (the filters used
// and the number of results, never their values).
func (s *Service) Search(ctx context.Context, u store.User, q match.Query) ([]match.Result, error) {
	if err := CheckQuery(&q); err != nil {
		return nil, err
	}
	if named(q.Type) {
		if err := s.checkName(q.Type, q.Name, "name"); err != nil {
			return nil, fault.List{err}
		}
	}
	if !s.ready.Load() {
		return nil, s.notReady()
	}
	res := s.ix.Load().Search(q, func(id string) bool { return records.CanSee(u, s.audience(id)) })
	if res == nil {
		res = []match.Result{}
	}
	filters := "name"
	for _, f := range []struct {
		name string
		set  bool
	}{{"type", q.Type != ""}, {"country", q.Country != ""}, {"birth_date", q.BirthDate != ""}, {"min_score", q.MinScore != 0}} {
		if f.set {
			filters += "," + f.name
		}
	}
	ev := audit.Event{Actor: u.Name, Action: audit.ActionRecordSearch, Detail: fmt.Sprintf("entity search; filters %s; %d results", filters, len(res))}
	if _, err := s.st.Audit(ctx, ev); err != nil {
		return nil, fmt.Errorf("audit entity search: %w", err)
	}
	return res, nil
}

// Overcorrelated lists the values shared by too many records to link
// them, most shared first.
func (s *Service) Overcorrelated() ([]match.KeyStat, error) {
	if !s.ready.Load() {
		return nil, s.notReady()
	}
	out := s.ix.Load().Overcorrelated()
	if out == nil {
		out = []match.KeyStat{}
	}
	return out, nil
}

// Exclusions lists the values administrators excluded, oldest first.
func (s *Service) Exclusions(ctx context.Context) ([]store.MatchExclusion, error) {
	return s.st.MatchExclusions(ctx)
}

// Exclude stops a value from linking records, at once and after every
// restart, and audits it. The value is an identifier of type t, or a whole
// name for persons, organisations and vessels. A value that excludes
// nothing more than the exclusions of its type already do (the same
// value in another spelling, such as "+852 2345 6789" and "+85223456789")
// is a conflict naming the exclusion that covers it: two exclusions of one
// value would leave it excluded when either is removed.
func (s *Service) Exclude(ctx context.Context, actor string, t match.Type, value, reason string) (store.MatchExclusion, error) {
	if !knownType(t) {
		return store.MatchExclusion{}, fault.Field("type", "unknown entity type %q", t)
	}
	if value == "" {
		return store.MatchExclusion{}, fault.Field("value", "is required")
	}
	if err := checkText(t, value, "value"); err != nil {
		return store.MatchExclusion{}, err
	}
	if n := utf8.RuneCountInString(reason); n > maxReason {
		return store.MatchExclusion{}, fault.Field("reason", "must be at most %d characters, not %d", maxReason, n)
	}
	// The index validates the value. An exclusion the store then refuses
	// leaves the index as it was when another process stored the same
	// value meanwhile; otherwise the index is rebuilt from the store,
	// which forgets it. An index being built applies it from the store
	// before it is put in place.
	s.exMu.Lock()
	defer s.exMu.Unlock()
	ix := s.ix.Load()
	if err := s.alreadyExcluded(ctx, ix, t, value); err != nil {
		return store.MatchExclusion{}, err
	}
	if err := ix.Exclude(t, value); err != nil {
		return store.MatchExclusion{}, err
	}
	ev := audit.Event{Actor: actor, Action: ActionExclude, Target: string(t), Detail: "reason: " + reason}
	x, err := s.st.AddMatchExclusion(ctx, store.MatchExclusion{Type: string(t), Value: value, Reason: reason, Actor: actor}, ev)
	if err != nil {
		if !fault.Is(err, fault.Conflict) {
			s.requestRebuild()
		}
		return store.MatchExclusion{}, err
	}
	return x, nil
}

// maxReason bounds the reason of an exclusion, in characters.
const maxReason = 500

// alreadyExcluded answers a conflict naming the stored exclusion when
// everything an exclusion of value would stop from linking is stopped by
// the exclusions of type t already.
func (s *Service) alreadyExcluded(ctx context.Context, ix *match.Index, t match.Type, value string) error {
	keys, err := ix.ExclusionKeys(t, value)
	if err != nil || len(keys) == 0 {
		return nil // not a value the index accepts: Exclude says why
	}
	xs, err := s.st.MatchExclusions(ctx)
	if err != nil {
		return err
	}
	by := map[uint64]store.MatchExclusion{}
	for _, x := range xs {
		if x.Type != string(t) {
			continue
		}
		ks, _ := ix.ExclusionKeys(t, x.Value)
		for _, k := range ks {
			if _, ok := by[k]; !ok {
				by[k] = x
			}
		}
	}
	first, ok := by[keys[0]]
	for _, k := range keys {
		if _, covered := by[k]; !covered {
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return &fault.Error{Kind: fault.Conflict, Field: "value",
		Message: fmt.Sprintf("%s %q is already excluded by exclusion %d (%q)", t, value, first.ID, first.Value)}
}

// Include removes an exclusion and audits it. The index, which cannot
// forget an exclusion, is rebuilt in the background; until then the value
// stays excluded.
func (s *Service) Include(ctx context.Context, actor string, id int64) error {
	ev := audit.Event{Actor: actor, Action: ActionInclude, Target: fmt.Sprint(id)}
	if err := s.st.DeleteMatchExclusion(ctx, id, ev); err != nil {
		return err
	}
	s.requestRebuild()
	return nil
}

// requestRebuild asks Run to rebuild the index from the store.
func (s *Service) requestRebuild() {
	select {
	case s.rebuild <- struct{}{}:
	default:
	}
}

// entitiesAt returns the entities of a record by their path in it; links
// are stored with paths only and read back through this.
func entitiesAt(r *intel.Record) map[string]match.Entity {
	es := match.Extract(r)
	out := make(map[string]match.Entity, len(es))
	for _, e := range es {
		if _, ok := out[e.Path]; !ok {
			out[e.Path] = e
		}
	}
	return out
}
