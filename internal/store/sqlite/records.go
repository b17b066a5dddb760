package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

const (
	sqlMaxRID       = `SELECT coalesce(max(rid), 0) FROM records`
	sqlNewRIDs      = `SELECT coalesce(max(rid), 0), count(*) FROM records WHERE rid > ?`
	sqlRecordExists = `SELECT count(*) FROM records WHERE id = ?`
	sqlUpdateRecord = `UPDATE records SET kind = ?, originator = ?, version = ?, status = ?, event_date = ?,
		created = ?, updated = ?
		WHERE id = ? AND version = ? RETURNING rid`
	sqlRecordVersion  = `SELECT version FROM records WHERE id = ?`
	sqlDeleteCategory = `DELETE FROM record_categories WHERE id = ?`
	// The latest version of a record is its highest in record_versions
	// (every path that stores a version stores it as the record's current
	// one, and only when it is newer), so a read needs one index and one
	// table lookup rather than going through records as well.
	sqlGetRecord    = `SELECT body FROM record_versions WHERE id = ? ORDER BY version DESC LIMIT 1`
	sqlGetVersion   = `SELECT body FROM record_versions WHERE id = ? AND version = ?`
	sqlHistory      = `SELECT body FROM record_versions WHERE id = ? ORDER BY version`
	sqlCountRecords = `SELECT count(*) FROM records`
	sqlRecordHead   = `SELECT originator, status, version FROM records WHERE id = ?`
	sqlRecordHeads  = `SELECT id, originator, status, version FROM records WHERE id IN (SELECT value FROM json_each(?))`
)

// The inserts of a record's rows, shared by creation and update.
func recordInserter(tx *sql.Tx, conn *sql.Conn) *inserter {
	return newInserter(tx, conn, chunkRows, "records", "id", "kind", "originator", "version", "status", "event_date",
		"created", "updated")
}

func versionInserter(tx *sql.Tx, conn *sql.Conn) *inserter {
	return newInserter(tx, conn, chunkRows, "record_versions", "id", "version", "body")
}

func categoryInserter(tx *sql.Tx, conn *sql.Conn) *inserter {
	return newInserter(tx, conn, chunkRows, "record_categories", "id", "category")
}

// row is a record ready to be written: everything derived from it is
// computed outside the write transaction or alongside it, down to the
// arguments of its row in records.
type row struct {
	r    *intel.Record
	body []byte
	sum  audit.Digest // of body, which the record's audit entry vouches for
	text string
	cats []string
	args [8]any // id, kind, originator, version, status, event_date, created, updated
}

// checkRecord refuses a record the store cannot keep.
func checkRecord(r *intel.Record) error {
	switch {
	case r == nil:
		return fault.E(fault.Invalid, "record is missing")
	case r.ID == "":
		return fault.Field("id", "is required")
	case r.Version < 1:
		return fault.Field("version", "must be at least 1")
	}
	return nil
}

func encode(r *intel.Record) (row, error) {
	body, err := intel.AppendJSON(nil, r)
	if err != nil {
		return row{}, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	return derive(r, body), nil
}

// derive completes the row of a record whose body is encoded.
func derive(r *intel.Record, body []byte) row {
	return row{r: r, body: body, sum: audit.DigestOf(r.Version, body), text: intel.SearchText(r), cats: intel.Categories(r),
		args: [8]any{r.ID, string(r.Kind), r.Originator, int64(r.Version), string(r.Status), intel.EventDate(r),
			nullTime(r.Created), nullTime(r.Updated)}}
}

// checkBatch refuses a batch with a record the store cannot keep or an id
// that appears twice.
func checkBatch(rs []*intel.Record) error {
	seen := make(map[string]struct{}, len(rs))
	for i, r := range rs {
		if err := checkRecord(r); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		if _, dup := seen[r.ID]; dup {
			return fault.E(fault.Conflict, "record %s appears twice in the batch", r.ID)
		}
		seen[r.ID] = struct{}{}
	}
	return nil
}

// encodeChunk is how many records the encoder hands over at a time.
const encodeChunk = 16

// bodyBlock is the size of the blocks an encoder writes bodies into; a
// body over a quarter of it gets a buffer of its own.
const bodyBlock = 256 << 10

// newBodyBlock makes an empty block for DB.blocks.
func newBodyBlock() any {
	b := make([]byte, 0, bodyBlock)
	return &b
}

// encoder turns a batch into rows a chunk at a time, in order, in a
// goroutine, so that encoding later records overlaps writing earlier ones.
// The writer takes on chunks itself while the one it needs is not ready
// (say, because another goroutine holds the other core), so that it never
// idles waiting for the encoder. Bodies are written into blocks reused from
// one batch to the next, rather than into a buffer per record. The owner
// calls stop before returning; rows stay valid until every user has called
// release.
type encoder struct {
	rs    []*intel.Record
	rows  []row
	ready []chan struct{} // closed when a chunk's rows (or its error) are set
	errs  []error
	next  atomic.Int64 // the first chunk nobody has started
	quit  chan struct{}
	done  chan struct{}

	bg, fg bodyWriter // the goroutine's and the writer's
	pool   *sync.Pool
	users  atomic.Int32 // the owner, and an index job reading the texts
}

// bodyWriter encodes bodies into blocks taken from a pool.
type bodyWriter struct {
	buf    []byte
	block  []byte
	blocks []*[]byte
}

func startEncoder(rs []*intel.Record, pool *sync.Pool) *encoder {
	n := (len(rs) + encodeChunk - 1) / encodeChunk
	e := &encoder{rs: rs, rows: make([]row, len(rs)), ready: make([]chan struct{}, n), errs: make([]error, n),
		quit: make(chan struct{}), done: make(chan struct{}), pool: pool}
	e.users.Store(1)
	for k := range e.ready {
		e.ready[k] = make(chan struct{})
	}
	go e.run()
	return e
}

// encode encodes r exactly as json.Marshal does.
func (w *bodyWriter) encode(r *intel.Record, pool *sync.Pool) (row, error) {
	b, err := intel.AppendJSON(w.buf[:0], r)
	if err != nil {
		return row{}, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	w.buf = b
	var body []byte
	if len(b) > bodyBlock/4 {
		body = bytes.Clone(b)
	} else {
		if cap(w.block)-len(w.block) < len(b) {
			p := pool.Get().(*[]byte)
			w.blocks = append(w.blocks, p)
			w.block = (*p)[:0]
		}
		start := len(w.block)
		w.block = append(w.block, b...)
		body = w.block[start:len(w.block):len(w.block)]
	}
	return derive(r, body), nil
}

// fill fills chunk k's rows with w and marks it ready.
func (e *encoder) fill(k int, w *bodyWriter) {
	for i := k * encodeChunk; i < min((k+1)*encodeChunk, len(e.rs)); i++ {
		var err error
		if e.rows[i], err = w.encode(e.rs[i], e.pool); err != nil {
			e.errs[k] = fmt.Errorf("record %d: %w", i, err)
			break
		}
	}
	close(e.ready[k])
}

func (e *encoder) run() {
	defer close(e.done)
	for {
		select {
		case <-e.quit:
			return
		default:
		}
		k := int(e.next.Add(1) - 1)
		if k >= len(e.ready) {
			return
		}
		if e.fill(k, &e.bg); e.errs[k] != nil {
			return
		}
	}
}

// chunk returns the rows of chunk k once they are ready. The writer passes
// help: until chunk k is ready it encodes the chunks nobody has started
// yet, k or later, rather than wait for the goroutine (which may be waiting
// for a core).
func (e *encoder) chunk(ctx context.Context, k int, help bool) ([]row, error) {
	for help {
		select {
		case <-e.ready[k]:
			help = false
			continue
		default:
		}
		j := e.next.Load()
		if j >= int64(len(e.ready)) {
			break
		}
		if e.next.CompareAndSwap(j, j+1) {
			e.fill(int(j), &e.fg)
		}
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-e.ready[k]:
	}
	if e.errs[k] != nil {
		return nil, e.errs[k]
	}
	return e.rows[k*encodeChunk : min((k+1)*encodeChunk, len(e.rows))], nil
}

// docs hands the batch's documents for the full-text index over as they are
// encoded; the i-th record has rowid base+i+1.
func (e *encoder) docs(base int64) docSource {
	return func(ctx context.Context, yield func(doc) error) error {
		for k := range e.ready {
			rows, err := e.chunk(ctx, k, false)
			if err != nil {
				return err
			}
			for j, w := range rows {
				if err := yield(doc{rid: base + int64(k*encodeChunk+j) + 1, version: w.r.Version, text: w.text}); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// stop ends the goroutine, waits for it and lets go of the rows.
func (e *encoder) stop() {
	close(e.quit)
	<-e.done
	e.release()
}

// hold keeps the rows for another user, who calls release when done.
func (e *encoder) hold() { e.users.Add(1) }

// release lets go of the rows; the last user gives the blocks back.
func (e *encoder) release() {
	if e.users.Add(-1) > 0 {
		return
	}
	for _, w := range []*bodyWriter{&e.bg, &e.fg} {
		for _, p := range w.blocks {
			*p = (*p)[:0]
			e.pool.Put(p)
		}
		w.blocks, w.block = nil, nil
	}
	e.rows = nil
}

// CreateRecords stores new records and their audit entries in one
// transaction. Records are encoded and their audit entries hashed in the
// background while earlier rows are written, a chunk of rows per statement,
// each prepared statement reused across the batch; their full-text entries
// are written to search.db alongside and committed after them, in the
// background (see the package documentation).
func (db *DB) CreateRecords(ctx context.Context, rs []*intel.Record, evs []audit.Event) error {
	return db.createRecords(ctx, rs, evs, nil)
}

// createRecords is CreateRecords with first, when not nil, run first in
// the transaction: an error it returns rolls everything back.
func (db *DB) createRecords(ctx context.Context, rs []*intel.Record, evs []audit.Event, first func(*sql.Tx) error) error {
	if len(rs) != len(evs) {
		return fault.E(fault.Invalid, "%d records but %d audit events", len(rs), len(evs))
	}
	if len(rs) == 0 {
		return nil
	}
	if err := checkBatch(rs); err != nil {
		return fmt.Errorf("create records: %w", err)
	}
	enc := startEncoder(rs, &db.blocks)
	defer enc.stop()
	db.smu.Lock()
	defer db.smu.Unlock()
	job := db.startIndex(ctx)
	err := db.inConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		if first != nil {
			if err := first(tx); err != nil {
				return err
			}
		}
		var seq int64
		if err := tx.QueryRowContext(ctx, sqlBumpChanges).Scan(&seq); err != nil {
			return err
		}
		// Each entry vouches for its record's body, so it is hashed once
		// the record's chunk is encoded: on this goroutine, encoding the
		// chunk if need be, when the batch is small enough to be linked
		// here; otherwise on the hashing goroutine, which waits for the
		// encoder (or for this goroutine's help) chunk by chunk.
		help := len(evs) < hashInBackground
		entries, err := db.linkAuditWith(ctx, tx, evs, func(i int) (audit.Vouch, error) {
			rows, err := enc.chunk(ctx, i/encodeChunk, help)
			if err != nil {
				return audit.Vouch{}, err
			}
			w := &rows[i%encodeChunk]
			return audit.Vouch{Record: w.r.ID, Digests: []audit.Digest{w.sum}}, nil
		})
		if err != nil {
			return err
		}
		defer entries() // never leave the hashing goroutine behind
		// SQLite numbers new rows one above the largest rowid, and the write
		// lock is held, so the i-th record gets rowid base+i+1; this is
		// checked below. Leaving rowids to SQLite keeps multi-row inserts
		// free of statement journals (see chunkRows).
		var base, updates int64
		if err := tx.QueryRowContext(ctx, sqlMaxRID).Scan(&base); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, sqlLastUpdate).Scan(&updates); err != nil {
			return err
		}
		enc.hold()
		job.plan <- indexPlan{seq: seq, updates: updates, docs: enc.docs(base), release: enc.release}
		recs, vers, cats := recordInserter(tx, conn), versionInserter(tx, conn), categoryInserter(tx, conn)
		for _, in := range []*inserter{recs, vers, cats} {
			in.cache = &db.wstmts
			defer in.close()
		}
		for k := range enc.ready {
			rows, err := enc.chunk(ctx, k, true)
			if err != nil {
				return err
			}
			for i := range rows {
				w := &rows[i]
				if err := recs.add(ctx, w.args[:]...); err != nil {
					return existing(ctx, tx, rs, err)
				}
				id := w.args[0]
				if err := vers.add(ctx, id, w.args[3], w.body); err != nil {
					return err
				}
				for _, c := range w.cats {
					if err := cats.add(ctx, id, c); err != nil {
						return err
					}
				}
			}
		}
		if err := recs.flush(ctx); err != nil {
			return existing(ctx, tx, rs, err)
		}
		var last, n int64
		if err := tx.QueryRowContext(ctx, sqlNewRIDs, base).Scan(&last, &n); err != nil {
			return err
		}
		if last != base+int64(len(rs)) || n != int64(len(rs)) {
			return fmt.Errorf("records got rowids up to %d for %d rows above %d, not consecutive ones", last, n, base)
		}
		for _, in := range []*inserter{vers, cats} {
			if err := in.flush(ctx); err != nil {
				return err
			}
		}
		return db.insertAudit(ctx, tx, conn, entries())
	})
	close(job.plan)
	job.end(err == nil)
	if err != nil {
		return fmt.Errorf("create records: %w", err)
	}
	return nil
}

// existing turns a failed insert into records into a Conflict naming the
// first record of the batch that was already stored, when that is the cause.
// The failed INSERT OR ROLLBACK has undone the whole transaction, so an id
// found now was stored before the batch began.
func existing(ctx context.Context, tx *sql.Tx, rs []*intel.Record, err error) error {
	if !fault.Is(mapErr(err, "record"), fault.Conflict) {
		return mapErr(err, "record")
	}
	for _, r := range rs {
		var n int
		if qerr := tx.QueryRowContext(ctx, sqlRecordExists, r.ID).Scan(&n); qerr == nil && n > 0 {
			return fault.Wrap(fault.Conflict, err, "record %s already exists", r.ID)
		}
	}
	return mapErr(err, "record")
}

// UpdateRecord stores r as the next version of its record.
func (db *DB) UpdateRecord(ctx context.Context, r *intel.Record, ev audit.Event) error {
	if err := checkRecord(r); err != nil {
		return fmt.Errorf("update record: %w", err)
	}
	w, err := encode(r)
	if err != nil {
		return fmt.Errorf("update record %s: %w", r.ID, err)
	}
	db.smu.Lock()
	defer db.smu.Unlock()
	job := db.startIndex(ctx)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var rid int64
		err := tx.QueryRowContext(ctx, sqlUpdateRecord, append(w.args[1:], r.ID, r.Version-1)...).Scan(&rid)
		if errors.Is(err, sql.ErrNoRows) {
			var stored int
			if err := tx.QueryRowContext(ctx, sqlRecordVersion, r.ID).Scan(&stored); err != nil {
				return mapErr(err, "record "+r.ID)
			}
			return fault.E(fault.Conflict, "record %s is at version %d; version %d cannot follow it", r.ID, stored, r.Version)
		}
		if err != nil {
			return mapErr(err, "record "+r.ID)
		}
		var seq, updates int64
		if err := tx.QueryRowContext(ctx, sqlBumpChanges).Scan(&seq); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, sqlLastUpdate).Scan(&updates); err != nil {
			return err
		}
		d := doc{rid: rid, version: r.Version, text: w.text}
		job.plan <- indexPlan{seq: seq, updates: updates, replace: true,
			docs: func(_ context.Context, yield func(doc) error) error { return yield(d) }}
		if _, err := tx.ExecContext(ctx, sqlDeleteCategory, r.ID); err != nil {
			return err
		}
		vers, cats := versionInserter(tx, nil), categoryInserter(tx, nil)
		for _, in := range []*inserter{vers, cats} {
			defer in.close()
		}
		if err := vers.add(ctx, r.ID, r.Version, w.body); err != nil {
			return err
		}
		for _, c := range w.cats {
			if err := cats.add(ctx, r.ID, c); err != nil {
				return err
			}
		}
		for _, in := range []*inserter{vers, cats} {
			if err := in.flush(ctx); err != nil {
				return mapErr(err, "record "+r.ID)
			}
		}
		_, err = db.appendAuditVouching(ctx, tx, []audit.Event{ev}, []audit.Vouch{{Record: r.ID, Digests: []audit.Digest{w.sum}}})
		return err
	})
	close(job.plan)
	job.end(err == nil)
	if err != nil {
		return fmt.Errorf("update record %s: %w", r.ID, err)
	}
	return nil
}

// GetRecord returns the latest version of a record.
func (db *DB) GetRecord(ctx context.Context, id string) (*intel.Record, error) {
	r, err := db.getOne(ctx, "record "+id, sqlGetRecord, id)
	if err != nil {
		return nil, fmt.Errorf("get record %s: %w", id, err)
	}
	return r, nil
}

// GetRecordVersion returns one version of a record.
// RecordHead reads a record's originator, status and version from its row
// in records.
func (db *DB) RecordHead(ctx context.Context, id string) (store.RecordHead, error) {
	var h store.RecordHead
	if err := db.queryRow(ctx, []any{&h.Originator, &h.Status, &h.Version}, sqlRecordHead, id); err != nil {
		return store.RecordHead{}, fmt.Errorf("record head %s: %w", id, mapErr(err, "record "+id))
	}
	return h, nil
}

// RecordHeads reads the heads of the records of ids held, with one query.
func (db *DB) RecordHeads(ctx context.Context, ids []string) (map[string]store.RecordHead, error) {
	out := make(map[string]store.RecordHead, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("record heads: %w", err)
	}
	rows, err := db.query(ctx, sqlRecordHeads, string(list))
	if err != nil {
		return nil, fmt.Errorf("record heads: %w", mapErr(err, "records"))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id string
			h  store.RecordHead
		)
		if err := rows.Scan(&id, &h.Originator, &h.Status, &h.Version); err != nil {
			return nil, fmt.Errorf("record heads: %w", err)
		}
		out[id] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("record heads: %w", mapErr(err, "records"))
	}
	return out, nil
}

func (db *DB) GetRecordVersion(ctx context.Context, id string, version int) (*intel.Record, error) {
	r, err := db.getOne(ctx, fmt.Sprintf("record %s version %d", id, version), sqlGetVersion, id, version)
	if err != nil {
		return nil, fmt.Errorf("get record %s version %d: %w", id, version, err)
	}
	return r, nil
}

// getOne reads one record body and decodes it in place, from the driver's
// copy rather than a copy of its own.
func (db *DB) getOne(ctx context.Context, subject, query string, args ...any) (*intel.Record, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, subject)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, mapErr(err, subject)
		}
		return nil, mapErr(sql.ErrNoRows, subject)
	}
	var body sql.RawBytes
	if err := rows.Scan(&body); err != nil {
		return nil, mapErr(err, subject)
	}
	r, err := decode(body)
	if err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, mapErr(err, subject)
	}
	return r, nil
}

// RecordHistory returns every version of a record, oldest first.
func (db *DB) RecordHistory(ctx context.Context, id string) ([]*intel.Record, error) {
	rs, err := db.queryRecords(ctx, sqlHistory, id)
	if err != nil {
		return nil, fmt.Errorf("record history %s: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, fault.E(fault.NotFound, "record %s not found", id)
	}
	return rs, nil
}

// ListRecords filters and pages records, newest id first.
func (db *DB) ListRecords(ctx context.Context, q store.RecordQuery) (store.RecordPage, error) {
	q, err := q.Checked()
	if err != nil {
		return store.RecordPage{}, err
	}
	if q.Text != "" {
		if ftsQuery(q.Text) == "" {
			return store.RecordPage{}, nil
		}
		if err := db.searchCurrent(ctx); err != nil {
			return store.RecordPage{}, fmt.Errorf("list records: %w", err)
		}
	}
	query, args := listQuery(q)
	rs, err := db.queryRecords(ctx, query, args...)
	if err != nil {
		return store.RecordPage{}, fmt.Errorf("list records: %w", err)
	}
	var page store.RecordPage
	if len(rs) > q.Limit {
		rs = rs[:q.Limit]
		page.Next = rs[len(rs)-1].ID
	}
	page.Records = rs
	return page, nil
}

// listQuery builds the one listing query from a checked RecordQuery. It asks
// for one row more than the limit to learn whether another page exists.
func listQuery(q store.RecordQuery) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if q.Kind != "" {
		add("r.kind = ?", q.Kind)
	}
	if q.Originator != "" {
		add("r.originator = ?", q.Originator)
	}
	if q.Status != "" {
		add("r.status = ?", q.Status)
	}
	if q.From != "" {
		add("r.event_date >= ?", q.From)
	}
	if q.To != "" {
		add("r.event_date <= ?", q.To)
	}
	if q.Category != "" {
		lo, hi := store.CategoryBounds(q.Category)
		// EXISTS rather than IN: walking records in id order and stopping
		// at the limit beats sorting every record of a common category.
		add(`EXISTS (SELECT 1 FROM record_categories c WHERE c.id = r.id
			AND (c.category = ? OR (c.category >= ? AND c.category < ?)))`, q.Category, lo, hi)
	}
	if q.Text != "" {
		add("r.rid IN (SELECT rowid FROM search.records_fts WHERE records_fts MATCH ?)", ftsQuery(q.Text))
	}
	if q.Cursor != "" {
		add("r.id < ?", q.Cursor)
	}
	// The page is chosen on records alone and only its rows are joined to
	// their bodies, so that a filter matching many records sorts ids rather
	// than documents.
	var b strings.Builder
	b.WriteString("SELECT v.body FROM (SELECT r.id, r.version FROM records r")
	if len(where) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(where, " AND "))
	}
	b.WriteString(" ORDER BY r.id DESC LIMIT ?) p JOIN record_versions v ON v.id = p.id AND v.version = p.version")
	b.WriteString(" ORDER BY p.id DESC")
	args = append(args, q.Limit+1)
	return b.String(), args
}

// ftsQuery turns what a person typed into an FTS5 query that cannot be a
// syntax error: each of its store.SearchTerms is quoted, so that operators
// (AND, NOT, NEAR), column filters, parentheses, stars and quotes are never
// interpreted, and the terms are ANDed. It returns "" when nothing is left
// to search for.
func ftsQuery(text string) string {
	terms := store.SearchTerms(text)
	for i, t := range terms {
		terms[i] = `"` + t + `"`
	}
	return strings.Join(terms, " ")
}

func (db *DB) queryRecords(ctx context.Context, query string, args ...any) ([]*intel.Record, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, "records")
	}
	defer rows.Close()
	var rs []*intel.Record
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		r, err := decode(body)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "records")
	}
	return rs, nil
}

// CountRecords returns how many records are stored.
func (db *DB) CountRecords(ctx context.Context) (int64, error) {
	var n int64
	if err := db.queryRow(ctx, []any{&n}, sqlCountRecords); err != nil {
		return 0, fmt.Errorf("count records: %w", mapErr(err, "records"))
	}
	return n, nil
}

// decode reads a stored body (intel.DecodeJSON: the plain reader for
// what the encoder wrote, encoding/json for anything else).
func decode(body []byte) (*intel.Record, error) {
	var r intel.Record
	if err := intel.DecodeJSON(body, &r); err != nil {
		return nil, fmt.Errorf("decode stored record: %w", err)
	}
	return &r, nil
}
