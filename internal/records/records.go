// Package records is the node's record service: it validates records, assigns
// the fields the server owns (id, originator, version, times, status), keeps
// versions, and audits every read and write. Both the REST API and the CLI
// import go through it, so the same rules hold whichever way a record enters.
package records

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// Listing limits.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
	// MaxQueryText bounds the free-text query of a listing.
	MaxQueryText = 500
	// MaxReason bounds the reason given for a retraction.
	MaxReason = 2000
	// maxBatchErrors bounds how many field errors CreateBatch reports, so
	// that a wholly wrong file does not produce a huge error.
	maxBatchErrors = 100
)

// Config is what a Service needs.
type Config struct {
	// Node is the code of the administration running this node, e.g. "HK".
	// It becomes the originator of every record created here.
	Node  string
	Store store.Store
	// Codes answers code-list questions during validation.
	Codes intel.Codes
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// Service creates, reads, versions and retracts records. It is safe for
// concurrent use.
type Service struct {
	node  string
	store store.Store
	codes intel.Codes
	now   func() time.Time

	mu      sync.Mutex // guards entropy
	entropy *ulid.MonotonicEntropy
}

// New returns a Service for cfg.
func New(cfg Config) *Service {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		node:    cfg.Node,
		store:   cfg.Store,
		codes:   cfg.Codes,
		now:     now,
		entropy: ulid.Monotonic(rand.Reader, 0),
	}
}

// Node returns the code of the node the service creates records for.
func (s *Service) Node() string { return s.node }

// clock returns the current time as stored: UTC, truncated to milliseconds.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Millisecond)
}

// newID returns a ULID for time t. IDs made within one millisecond increase
// monotonically, so listing by id follows creation order.
func (s *Service) newID(t time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := ulid.New(ulid.Timestamp(t), s.entropy)
	if err != nil {
		return "", fmt.Errorf("new record id: %w", err)
	}
	return id.String(), nil
}

// validID reports whether id is a canonical ULID string.
func validID(id string) bool {
	if len(id) != ulid.EncodedSize {
		return false
	}
	u, err := ulid.ParseStrict(id)
	return err == nil && u.String() == id
}

// Create validates r and stores it as version 1 of a new record. Whatever
// the client set in id, originator, version, created, updated, status and
// retraction is replaced: the record gets a new ULID, this node as
// originator, version 1, created = updated = now and status active. r itself
// is not modified. It returns the stored record and any validation warnings.
func (s *Service) Create(ctx context.Context, actor string, r *intel.Record) (*intel.Record, []intel.FieldWarning, error) {
	now := s.clock()
	rec, warnings, ev, err := s.prepareNew(actor, r, now)
	if err != nil {
		return nil, nil, err
	}
	if err := s.store.CreateRecords(ctx, []*intel.Record{rec}, []audit.Event{ev}); err != nil {
		return nil, nil, fmt.Errorf("create record: %w", err)
	}
	return rec, warnings, nil
}

// prepareNew returns a validated copy of r as version 1 of a new record
// created at now (see Create), its warnings and its audit event.
func (s *Service) prepareNew(actor string, r *intel.Record, now time.Time) (*intel.Record, []intel.FieldWarning, audit.Event, error) {
	if r == nil {
		return nil, nil, audit.Event{}, fault.E(fault.Invalid, "record is missing")
	}
	id, err := s.newID(now)
	if err != nil {
		return nil, nil, audit.Event{}, err
	}
	rec := *r
	rec.ID = id
	rec.Originator = s.node
	rec.Version = 1
	rec.Created, rec.Updated = timePtr(now), timePtr(now)
	rec.Status = intel.StatusActive
	rec.Retraction = nil

	warnings, err := intel.Validate(&rec, s.codes, now)
	if err != nil {
		return nil, nil, audit.Event{}, err
	}
	ev := audit.Event{Actor: actor, Action: audit.ActionRecordCreate, Target: rec.ID, Detail: "version 1"}
	return &rec, warnings, ev, nil
}

// CreateBatch validates every record of an import and, only if all are
// valid, stores them in one transaction with one record.create audit event
// each. An invalid record makes it store nothing and return a fault whose
// fields are prefixed with the record's index, e.g.
// "records[12].seizure.goods[0].hs". Callers bound the batch size (say 1,000
// records a call).
//
// A record that carries a valid ULID id and a valid originator code (an
// export from this or another node) keeps them, along with its version,
// creation time, status and retraction; anything else is treated as new: new id,
// this node as originator, version 1, created now. The inputs are not
// modified; the stored records are returned in input order.
func (s *Service) CreateBatch(ctx context.Context, actor string, rs []*intel.Record) ([]*intel.Record, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	now := s.clock()
	out := make([]*intel.Record, len(rs))
	for i, r := range rs {
		if r == nil {
			continue
		}
		// Ids are drawn in input order, so that they increase along the
		// batch as they would record by record.
		rec, err := s.prepareImport(r, now)
		if err != nil {
			return nil, err
		}
		out[i] = rec
	}
	verrs := s.validateAll(out, now)
	evs := make([]audit.Event, len(rs))
	seen := make(map[string]int, len(rs))
	var errs fault.List
	for i, rec := range out {
		prefix := "records[" + strconv.Itoa(i) + "]"
		if rec == nil {
			errs = append(errs, fault.Field(prefix, "record is missing"))
			continue
		}
		if verrs[i] != nil {
			errs = append(errs, prefixed(prefix, verrs[i])...)
		}
		if j, dup := seen[rec.ID]; dup {
			errs = append(errs, fault.Field(prefix+".id", "same id as records[%d]", j))
		}
		seen[rec.ID] = i
		evs[i] = audit.Event{Actor: actor, Action: audit.ActionRecordCreate, Target: rec.ID,
			Detail: "import version " + strconv.Itoa(rec.Version)}
		if len(errs) >= maxBatchErrors {
			break
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := s.store.CreateRecords(ctx, out, evs); err != nil {
		return nil, fmt.Errorf("import %d records: %w", len(out), err)
	}
	return out, nil
}

// validateChunk is how many records a validating goroutine takes at a time.
const validateChunk = 32

// validateAll validates the records of a batch on every core and returns
// each one's error (nil for a valid or missing record), in input order.
// Validation is pure and reads only the code lists, so records are checked
// independently of one another.
func (s *Service) validateAll(rs []*intel.Record, now time.Time) []error {
	errs := make([]error, len(rs))
	chunks := (len(rs) + validateChunk - 1) / validateChunk
	var next atomic.Int64
	work := func() {
		for {
			k := int(next.Add(1) - 1)
			if k >= chunks {
				return
			}
			for i := k * validateChunk; i < min((k+1)*validateChunk, len(rs)); i++ {
				if rs[i] != nil {
					_, errs[i] = intel.Validate(rs[i], s.codes, now)
				}
			}
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), chunks) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	return errs
}

// prepareImport returns a copy of r with the server-owned fields set for an
// import (see CreateBatch).
func (s *Service) prepareImport(r *intel.Record, now time.Time) (*intel.Record, error) {
	rec := *r
	// A record without an id is new here; one with an id keeps it and its
	// originator, both of which must then be valid: neither is replaced
	// in silence, which would change where the record comes from.
	switch {
	case rec.ID == "":
	case !validID(rec.ID):
		return nil, fault.Field("id", "%q is not a record id (a ULID: 26 characters of Crockford's base32); leave it out for a new record", fault.Clip(rec.ID, 40))
	case rec.Originator == "":
		return nil, fault.Field("originator", "is required with an id: the administration the record %s comes from", rec.ID)
	case !validOriginator(rec.Originator, s.codes):
		return nil, fault.Field("originator", "%q is not an administration code (ISO 3166 alpha-2, such as HK)", fault.Clip(rec.Originator, 40))
	}
	if rec.ID != "" {
		if rec.Version < 1 {
			rec.Version = 1
		}
		if rec.Created == nil {
			rec.Created = timePtr(now)
		} else {
			rec.Created = timePtr(rec.Created.UTC().Truncate(time.Millisecond))
		}
		if rec.Updated == nil || rec.Updated.Before(*rec.Created) {
			rec.Updated = timePtr(*rec.Created)
		} else {
			rec.Updated = timePtr(rec.Updated.UTC().Truncate(time.Millisecond))
		}
		// Status and retraction are kept as exported; validation refuses
		// a retraction without the retracted status and the reverse.
		if rec.Status == "" {
			rec.Status = intel.StatusActive
		}
		return &rec, nil
	}
	id, err := s.newID(now)
	if err != nil {
		return nil, err
	}
	rec.ID = id
	rec.Originator = s.node
	rec.Version = 1
	rec.Created, rec.Updated = timePtr(now), timePtr(now)
	rec.Status = intel.StatusActive
	rec.Retraction = nil
	return &rec, nil
}

// validOriginator reports whether code looks like an administration code
// and, when code lists are at hand, is an assigned country code.
func validOriginator(code string, codes intel.Codes) bool {
	if len(code) != 2 || !isUpper(code) {
		return false
	}
	return codes == nil || codes.Country(code)
}

func isUpper(s string) bool {
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// prefixed returns the field errors of err with prefix put before each field
// name. An error that is not a field error is reported against the prefix.
func prefixed(prefix string, err error) fault.List {
	join := func(f string) string {
		switch {
		case f == "":
			return prefix
		case strings.HasPrefix(f, "["):
			return prefix + f
		}
		return prefix + "." + f
	}
	var l fault.List
	if errors.As(err, &l) {
		out := make(fault.List, 0, len(l))
		for _, e := range l {
			cp := *e
			cp.Field = join(e.Field)
			out = append(out, &cp)
		}
		return out
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		cp := *fe
		cp.Field = join(fe.Field)
		if cp.Kind == "" {
			cp.Kind = fault.Invalid
		}
		return fault.List{&cp}
	}
	return fault.List{fault.Field(prefix, "%s", err.Error())}
}

// Get returns the latest version of a record and audits the read.
func (s *Service) Get(ctx context.Context, actor, id string) (*intel.Record, error) {
	if !validID(id) {
		return nil, notFound(id)
	}
	// The record is returned only once its read is in the log; an attempt
	// to read an unknown id is logged too. Both run on the caller's
	// goroutine: a goroutine started per read to overlap them spent more
	// growing its stack for the database calls than the overlap saved, and
	// concurrent reads share audit commits anyway.
	r, err := s.store.GetRecord(ctx, id)
	if aerr := s.audit(ctx, audit.Event{Actor: actor, Action: audit.ActionRecordRead, Target: id, Detail: "latest version"}); aerr != nil {
		return nil, aerr
	}
	if err != nil {
		return nil, fmt.Errorf("get record %s: %w", id, err)
	}
	if !Visible(ctx, r) {
		return nil, notFound(id)
	}
	return r, nil
}

// AuditEnvelopesRead logs a read of the signed envelopes that carried
// record id to this node, which carry the record: the caller checked that
// the actor may see it, and returns the envelopes once this returns.
func (s *Service) AuditEnvelopesRead(ctx context.Context, actor, id string) error {
	return s.audit(ctx, audit.Event{Actor: actor, Action: audit.ActionRecordRead, Target: id, Detail: "signed envelopes"})
}

// Version returns version n of a record and audits the read.
func (s *Service) Version(ctx context.Context, actor, id string, n int) (*intel.Record, error) {
	if !validID(id) {
		return nil, notFound(id)
	}
	if n < 1 {
		return nil, fault.Field("version", "must be a positive integer")
	}
	if err := s.mustSee(ctx, id); err != nil {
		return nil, err
	}
	r, err := s.store.GetRecordVersion(ctx, id, n)
	if err != nil {
		return nil, fmt.Errorf("get record %s version %d: %w", id, n, err)
	}
	if err := s.audit(ctx, audit.Event{Actor: actor, Action: audit.ActionRecordRead, Target: id,
		Detail: fmt.Sprintf("version %d", n)}); err != nil {
		return nil, err
	}
	return r, nil
}

// History returns every version of a record, oldest first, and audits the
// read.
func (s *Service) History(ctx context.Context, actor, id string) ([]*intel.Record, error) {
	if !validID(id) {
		return nil, notFound(id)
	}
	rs, err := s.store.RecordHistory(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("record %s history: %w", id, err)
	}
	if len(rs) == 0 || !Visible(ctx, rs[len(rs)-1]) {
		return nil, notFound(id)
	}
	if err := s.audit(ctx, audit.Event{Actor: actor, Action: audit.ActionRecordRead, Target: id,
		Detail: fmt.Sprintf("history, %d versions", len(rs))}); err != nil {
		return nil, err
	}
	return rs, nil
}

// Update validates r and stores it as the next version of record id. Only
// records this node originated can be updated, and not once retracted. When
// r.Version is non-zero it must be the current version (optimistic
// concurrency); otherwise the update applies to whatever is current. The
// new version keeps id, originator, kind and created; r is not modified.
func (s *Service) Update(ctx context.Context, actor, id string, r *intel.Record) (*intel.Record, []intel.FieldWarning, error) {
	if r == nil {
		return nil, nil, fault.E(fault.Invalid, "record is missing")
	}
	cur, err := s.current(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if r.Version != 0 && r.Version != cur.Version {
		return nil, nil, &fault.Error{Kind: fault.Conflict, Field: "version",
			Message: fmt.Sprintf("record %s is at version %d, not %d; reload it and apply the change again", id, cur.Version, r.Version)}
	}
	if r.Kind != cur.Kind {
		return nil, nil, fault.Field("kind", "cannot change from %s to %q", cur.Kind, r.Kind)
	}
	now := s.clock()
	rec := *r
	rec.ID = cur.ID
	rec.Originator = cur.Originator
	rec.Created = cur.Created
	rec.Version = cur.Version + 1
	rec.Updated = timePtr(now)
	rec.Status = intel.StatusActive
	rec.Retraction = nil

	warnings, err := intel.Validate(&rec, s.codes, now)
	if err != nil {
		return nil, nil, err
	}
	ev := audit.Event{Actor: actor, Action: audit.ActionRecordUpdate, Target: id,
		Detail: "version " + strconv.Itoa(rec.Version)}
	if err := s.store.UpdateRecord(ctx, &rec, ev); err != nil {
		return nil, nil, fmt.Errorf("update record %s: %w", id, err)
	}
	return &rec, warnings, nil
}

// Retract withdraws a record this node originated: it stores a new version
// with status retracted and the time and reason of the retraction. The
// record keeps its id, history and audit entries. Retracting a retracted
// record is a conflict.
func (s *Service) Retract(ctx context.Context, actor, id, reason string) (*intel.Record, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > MaxReason {
		return nil, fault.Field("reason", "must be at most %d characters", MaxReason)
	}
	cur, err := s.current(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	rec := *cur
	rec.Version = cur.Version + 1
	rec.Updated = timePtr(now)
	rec.Status = intel.StatusRetracted
	rec.Retraction = &intel.Retraction{At: now, Reason: reason}
	ev := audit.Event{Actor: actor, Action: audit.ActionRecordRetract, Target: id,
		Detail: "version " + strconv.Itoa(rec.Version)}
	if err := s.store.UpdateRecord(ctx, &rec, ev); err != nil {
		return nil, fmt.Errorf("retract record %s: %w", id, err)
	}
	return &rec, nil
}

// current returns the latest version of a record this node may change: one
// it originated and has not retracted.
func (s *Service) current(ctx context.Context, id string) (*intel.Record, error) {
	if !validID(id) {
		return nil, notFound(id)
	}
	cur, err := s.store.GetRecord(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get record %s: %w", id, err)
	}
	if !Visible(ctx, cur) {
		return nil, notFound(id)
	}
	if cur.Originator != s.node {
		return nil, fault.E(fault.Forbidden, "record %s was originated by %s; only its originator may change it", id, cur.Originator)
	}
	if cur.Status == intel.StatusRetracted {
		return nil, fault.E(fault.Conflict, "record %s is retracted and can no longer change", id)
	}
	return cur, nil
}

// List validates q, returns one page of matching records and audits one
// record.search event. The event names the filters used and the number of
// results, never the filter values: a free-text query may hold personal
// data. A zero q.Limit means DefaultLimit.
func (s *Service) List(ctx context.Context, actor string, q store.RecordQuery) (store.RecordPage, error) {
	if err := s.checkQuery(&q); err != nil {
		return store.RecordPage{}, err
	}
	page, err := s.listVisible(ctx, q)
	if err != nil {
		return store.RecordPage{}, fmt.Errorf("list records: %w", err)
	}
	if page.Records == nil {
		page.Records = []*intel.Record{}
	}
	detail := fmt.Sprintf("filters %s; %d results", strings.Join(filterNames(q), ","), len(page.Records))
	if err := s.audit(ctx, audit.Event{Actor: actor, Action: audit.ActionRecordSearch, Detail: detail}); err != nil {
		return store.RecordPage{}, err
	}
	return page, nil
}

// checkQuery validates a listing query, naming the offending parameter, and
// fills in the default limit.
func (s *Service) checkQuery(q *store.RecordQuery) error {
	var errs fault.List
	if q.Kind != "" && !knownKind(q.Kind) {
		errs = append(errs, fault.Field("kind", "unknown record kind %q", q.Kind))
	}
	if q.Status != "" && q.Status != intel.StatusActive && q.Status != intel.StatusRetracted {
		errs = append(errs, fault.Field("status", "must be active or retracted"))
	}
	from, fromErr := parseDate(q.From)
	if fromErr != nil {
		errs = append(errs, fault.Field("from", "must be a date YYYY-MM-DD"))
	}
	to, toErr := parseDate(q.To)
	if toErr != nil {
		errs = append(errs, fault.Field("to", "must be a date YYYY-MM-DD"))
	}
	if fromErr == nil && toErr == nil && !from.IsZero() && !to.IsZero() && to.Before(from) {
		errs = append(errs, fault.Field("to", "must not be before from"))
	}
	if q.Originator != "" && !validOriginator(q.Originator, s.codes) {
		errs = append(errs, fault.Field("originator", "must be an administration code such as HK"))
	}
	if len([]rune(q.Text)) > MaxQueryText {
		errs = append(errs, fault.Field("q", "must be at most %d characters", MaxQueryText))
	}
	if len(q.Category) > 100 {
		errs = append(errs, fault.Field("category", "is too long"))
	}
	if q.Cursor != "" && !validID(q.Cursor) {
		errs = append(errs, fault.Field("cursor", "is not a cursor this server returned"))
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultLimit
	case q.Limit < 1 || q.Limit > MaxLimit:
		errs = append(errs, fault.Field("limit", "must be between 1 and %d", MaxLimit))
	}
	return errs.Err()
}

// filterNames returns the names of the filters q uses, in a fixed order.
func filterNames(q store.RecordQuery) []string {
	var names []string
	add := func(name string, used bool) {
		if used {
			names = append(names, name)
		}
	}
	add("kind", q.Kind != "")
	add("category", q.Category != "")
	add("q", q.Text != "")
	add("from", q.From != "")
	add("to", q.To != "")
	add("originator", q.Originator != "")
	add("status", q.Status != "")
	add("cursor", q.Cursor != "")
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}

func knownKind(k intel.Kind) bool {
	for _, kk := range intel.Kinds {
		if k == kk {
			return true
		}
	}
	return false
}

// parseDate parses YYYY-MM-DD; "" gives the zero time.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

func (s *Service) audit(ctx context.Context, ev audit.Event) error {
	if _, err := s.store.Audit(ctx, ev); err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	return nil
}

func notFound(id string) error {
	return fault.E(fault.NotFound, "record %s not found", id)
}

func timePtr(t time.Time) *time.Time { return &t }
