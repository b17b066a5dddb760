package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/store"
)

const (
	sqlBeginImmediate = `BEGIN IMMEDIATE`
	sqlCommit         = `COMMIT`
	sqlRollback       = `ROLLBACK`
	sqlAuditInsert    = `INSERT INTO audit (seq, time, actor, action, target, detail, prev, hash, record, digests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlAuditHead      = `SELECT seq, hash FROM audit_head WHERE id = 1`
	// The anchor and the number of the last entry in the table, which
	// agree unless entries were deleted from (or added to) the end.
	sqlAuditHeadAndLast = `SELECT h.seq, h.hash, (SELECT coalesce(max(seq), 0) FROM audit) FROM audit_head h WHERE h.id = 1`
	sqlMoveAuditHead    = `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`
	// The same, only if the table ends at the entry the anchor moves to:
	// the check that SQLite numbered the rows as audit.Next did.
	sqlMoveAuditHeadChecked = `UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1 AND (SELECT max(seq) FROM audit) = ?1`
	sqlAuditColumns         = `SELECT seq, time, actor, action, target, detail, prev, hash, record, digests FROM audit`
	sqlAuditPage            = sqlAuditColumns + ` WHERE seq > ? ORDER BY seq LIMIT ?`
	// A database of a schema before audit_head (a backup of an earlier
	// release, read by Inspect) has neither column.
	sqlAuditPageLegacy = `SELECT seq, time, actor, action, target, detail, prev, hash, '', '' FROM audit
		WHERE seq > ? ORDER BY seq LIMIT ?`
	// The stored versions, and the entries vouching for their bodies, in
	// the same order (byte order of the record id), for WalkRecordBodies.
	sqlVersionBodies = `SELECT id, version, body FROM record_versions ORDER BY id, version`
	sqlVouchers      = sqlAuditColumns + ` WHERE record <> '' ORDER BY record, seq`
	// The first record whose row does not say what its latest stored
	// version says, and the first stored version whose record has no row
	// (see store.HeadMismatch).
	// The table of records held, in the order of sqlVersionBodies, for
	// store.HeadCheck.
	sqlRecordRows = `SELECT id, version, status, kind, originator FROM records ORDER BY id`
)

// anchorSchema is the migration that added audit_head and the body
// digests (0011_audit_anchor.sql).
const anchorSchema = 11

// walkPage is how many entries WalkAudit reads at a time.
const walkPage = 1000

// appendAudit links evs to the end of the chain inside tx and writes them.
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, evs []audit.Event) ([]audit.Entry, error) {
	return db.appendAuditVouching(ctx, tx, evs, nil)
}

// appendAuditVouching is appendAudit for events of which vs[i], when vs is
// not nil, says what the entry of evs[i] vouches for.
func (db *DB) appendAuditVouching(ctx context.Context, tx *sql.Tx, evs []audit.Event, vs []audit.Vouch) ([]audit.Entry, error) {
	entries, err := db.linkAuditWith(ctx, tx, evs, vouchesOf(vs))
	if err != nil {
		return nil, err
	}
	l := entries()
	if err := db.insertAudit(ctx, tx, nil, l); err != nil {
		return nil, err
	}
	return l.es, nil
}

// vouchesOf serves linkAuditWith the vouches of a slice (nil: none).
func vouchesOf(vs []audit.Vouch) func(int) (audit.Vouch, error) {
	if vs == nil {
		return nil
	}
	return func(i int) (audit.Vouch, error) { return vs[i], nil }
}

// linked is a run of entries linked to the chain, with the arguments of
// their rows (auditCols of them per entry) ready for insertAudit, or the
// error that stopped linking them.
type linked struct {
	es   []audit.Entry
	args []any
	err  error
	// numbered says that the rows must be written with their numbers:
	// the table does not end where the anchor does.
	numbered bool
}

// auditCols are the columns an entry is written to. The chain goes on
// from the number in audit_head, not from the largest in the table, so
// that entries deleted from the end leave a gap. While the two agree, as
// they do unless someone changed the table behind the node's back, seq is
// left to SQLite, which numbers a row one above the largest, as
// audit.Next does, and spares each row the check that its number is free;
// otherwise it is written (and a number already taken fails the insert and
// its transaction: see newInserter).
var auditCols = []string{"seq", "time", "actor", "action", "target", "detail", "prev", "hash", "record", "digests"}

// hashInBackground is the number of events from which linkAudit hashes in a
// goroutine.
const hashInBackground = 64

// linkAudit reads the head of the chain inside tx and links evs to it,
// returning a function that yields the entries. The write transaction holds
// SQLite's write lock from BEGIN IMMEDIATE, so the head cannot change before
// the transaction ends. A large batch is hashed, and its rows' arguments
// made, in a goroutine while the caller writes its other rows; the function
// waits for it, and the caller must call it before returning.
func (db *DB) linkAudit(ctx context.Context, tx *sql.Tx, evs []audit.Event) (func() linked, error) {
	return db.linkAuditWith(ctx, tx, evs, nil)
}

// linkAuditWith is linkAudit for events whose entries vouch for stored
// bodies: vouch, when not nil, gives what the entry of evs[i] vouches for.
// It is called in order, on the goroutine that hashes, and may wait for
// the bodies to be encoded; an error it returns ends the linking and is
// what insertAudit then returns.
func (db *DB) linkAuditWith(ctx context.Context, tx *sql.Tx, evs []audit.Event, vouch func(int) (audit.Vouch, error)) (func() linked, error) {
	prev, last, err := readHead(ctx, tx)
	if err != nil {
		return nil, err
	}
	var anchored int64
	if prev != nil {
		anchored = prev.Seq
	}
	numbered := last != anchored
	now := db.now()
	link := func() linked {
		l := linked{es: make([]audit.Entry, len(evs)), args: make([]any, 0, len(evs)*len(auditCols)), numbered: numbered}
		p := prev
		at := formatTime(now)
		for i, ev := range evs {
			var v audit.Vouch
			if vouch != nil {
				if v, l.err = vouch(i); l.err != nil {
					return l
				}
			}
			l.es[i] = audit.NextVouching(p, ev, v, now)
			p = &l.es[i]
			if !p.Time.Equal(now) {
				at = formatTime(p.Time)
			}
			l.args = append(l.args, p.Seq, at, p.Actor, p.Action, p.Target, p.Detail, p.Prev, p.Hash, p.Record, p.Digests)
		}
		return l
	}
	if len(evs) < hashInBackground {
		l := link()
		return func() linked { return l }, nil
	}
	ch := make(chan linked, 1)
	go func() { ch <- link() }()
	return sync.OnceValue(func() linked { return <-ch }), nil
}

// readHead reads the anchor of the chain inside tx (nil before the first
// entry) and the number of the last entry in the table.
func readHead(ctx context.Context, tx *sql.Tx) (*audit.Entry, int64, error) {
	var head audit.Entry
	var last int64
	switch err := tx.QueryRowContext(ctx, sqlAuditHeadAndLast).Scan(&head.Seq, &head.Hash, &last); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, 0, fmt.Errorf("read audit head: audit_head has no row")
	case err != nil:
		return nil, 0, fmt.Errorf("read audit head: %w", mapErr(err, "audit head"))
	case head.Seq == 0:
		return nil, last, nil
	}
	return &head, last, nil
}

// insertAudit writes linked entries inside tx (on its driver connection
// conn when given; see inserter) and moves the chain's anchor in
// audit_head to the last of them, in one statement that also checks that
// the table ends there.
func (db *DB) insertAudit(ctx context.Context, tx *sql.Tx, conn *sql.Conn, l linked) error {
	if l.err != nil {
		return l.err
	}
	es := l.es
	if len(es) == 0 {
		return nil
	}
	skip := 1 // seq
	if l.numbered {
		skip = 0
	}
	ins := newInserter(tx, conn, chunkRows, "audit", auditCols[skip:]...)
	if conn != nil {
		ins.cache = &db.wstmts // conn is the writer's
	}
	defer ins.close()
	n := len(auditCols)
	for i := range es {
		if err := ins.add(ctx, l.args[i*n+skip:(i+1)*n]...); err != nil {
			return fmt.Errorf("append audit entries: %w", mapErr(err, "audit entry"))
		}
	}
	if err := ins.flush(ctx); err != nil {
		return fmt.Errorf("append audit entries: %w", mapErr(err, "audit entry"))
	}
	last := &es[len(es)-1]
	res, err := tx.ExecContext(ctx, sqlMoveAuditHeadChecked, last.Seq, last.Hash)
	if err != nil {
		return fmt.Errorf("move audit head: %w", mapErr(err, "audit head"))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("move audit head: %w", err)
	} else if n != 1 {
		return fmt.Errorf("append audit entries: the table does not end at entry %d as computed", last.Seq)
	}
	return nil
}

// Audit appends events that accompany no other change. Calls that arrive
// while another is being committed are committed together (see auditQueue);
// each returns once its entries are committed.
func (db *DB) Audit(ctx context.Context, evs ...audit.Event) ([]audit.Entry, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	select {
	case <-db.stop:
		return nil, fault.E(fault.Unavailable, "store is closed")
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	req := &auditReq{ctx: ctx, evs: evs, done: make(chan auditDone, 1)}
	q := &db.auditQ
	q.mu.Lock()
	if q.leading {
		q.pending = append(q.pending, req)
		q.mu.Unlock()
		// Once queued, the events are committed or refused whatever
		// happens to ctx, and the caller learns which.
		if d := <-req.done; !d.lead {
			return d.result()
		}
	} else {
		q.leading = true
		q.mu.Unlock()
	}
	db.leadAudits(req)
	return (<-req.done).result()
}

// maxAuditGroup bounds how many calls one transaction commits.
const maxAuditGroup = 256

// auditQueue gathers Audit calls for group commit without a goroutine of
// its own: the call that finds nobody committing leads, committing its
// events together with those of every call queued meanwhile; when it is
// done it hands the lead to the first call queued since, or gives it up.
// A call alone thus commits on its own goroutine with no hand-over, and
// under concurrent reads (each of which is audited) one commit, and its
// WAL write, serves many of them.
type auditQueue struct {
	mu      sync.Mutex
	leading bool
	pending []*auditReq
}

// auditReq is one Audit call.
type auditReq struct {
	ctx  context.Context
	evs  []audit.Event
	done chan auditDone // buffered: answering never waits for the caller
}

// auditDone answers an Audit call: its entries or error, or (lead) that
// it is now the one to commit.
type auditDone struct {
	es   []audit.Entry
	err  error
	lead bool
}

func (d auditDone) result() ([]audit.Entry, error) {
	if d.err != nil {
		return nil, fmt.Errorf("audit: %w", d.err)
	}
	return d.es, nil
}

// leadAudits commits req with the calls queued so far, answers them all,
// and passes the lead on. The caller holds the lead.
func (db *DB) leadAudits(req *auditReq) {
	q := &db.auditQ
	q.mu.Lock()
	n := min(len(q.pending), maxAuditGroup-1)
	group := make([]*auditReq, 0, n+1)
	group = append(append(group, req), q.pending[:n]...)
	q.pending = append(q.pending[:0], q.pending[n:]...)
	q.mu.Unlock()

	db.commitAudits(group)

	q.mu.Lock()
	if len(q.pending) == 0 {
		q.leading = false
		q.mu.Unlock()
		return
	}
	next := q.pending[0]
	q.pending = append(q.pending[:0], q.pending[1:]...)
	q.mu.Unlock()
	next.done <- auditDone{lead: true}
}

// commitAudits appends the events of a group of calls in one transaction
// and answers each call. Calls whose context has ended are answered with
// its error and left out.
func (db *DB) commitAudits(group []*auditReq) {
	live := group[:0:0]
	var evs []audit.Event
	for _, req := range group {
		if err := req.ctx.Err(); err != nil {
			req.done <- auditDone{err: err}
			continue
		}
		live = append(live, req)
		evs = append(evs, req.evs...)
	}
	if len(live) == 0 {
		return
	}
	es, err := db.appendSmall(context.Background(), evs)
	for _, req := range live {
		if err != nil {
			req.done <- auditDone{err: err}
			continue
		}
		req.done <- auditDone{es: es[:len(req.evs):len(req.evs)]}
		es = es[len(req.evs):]
	}
}

// appendSmall appends a few entries in a transaction of their own: it
// links them to the head of the chain and inserts them one row at a time
// with their sequence numbers (a number already taken fails the insert, so
// the rows stored are the ones computed).
//
// It runs on the writer's driver connection with statements kept in
// db.wstmts, BEGIN and COMMIT included: through database/sql, the driver
// parses BEGIN IMMEDIATE and COMMIT anew for every transaction, which for
// an audited read is most of the cost of its audit entry.
func (db *DB) appendSmall(ctx context.Context, evs []audit.Event) ([]audit.Entry, error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("append audit entries: %w", mapErr(err, "audit"))
	}
	defer conn.Close()
	var es []audit.Entry
	err = conn.Raw(func(dc any) error {
		x := rawExec{ctx: ctx, dc: dc, cache: &db.wstmts}
		if err := x.exec(sqlBeginImmediate); err != nil {
			return fmt.Errorf("begin: %w", mapErr(err, "transaction"))
		}
		var err error
		if es, err = x.appendEntries(evs, db.now()); err == nil {
			if err = x.exec(sqlCommit); err != nil {
				err = fmt.Errorf("commit: %w", mapErr(err, "transaction"))
			}
		}
		if err != nil {
			if rerr := x.exec(sqlRollback); rerr != nil && !errors.Is(rerr, errNoTransaction) {
				// The connection may be left inside the transaction:
				// have the pool discard it.
				return errors.Join(err, rerr, driver.ErrBadConn)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	db.wrote()
	return es, nil
}

// appendEntries reads the head of the chain and inserts evs after it,
// inside the transaction x's connection has begun, and moves the head.
func (x rawExec) appendEntries(evs []audit.Event, now time.Time) ([]audit.Entry, error) {
	var prev *audit.Entry
	var h audit.Entry
	row := make([]driver.Value, 2)
	switch found, err := x.queryRow(sqlAuditHead, row); {
	case err != nil:
		return nil, fmt.Errorf("read audit head: %w", mapErr(err, "audit head"))
	case !found:
		return nil, fmt.Errorf("read audit head: audit_head has no row")
	default:
		seq, ok1 := row[0].(int64)
		hash, ok2 := row[1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("read audit head: unexpected column types %T, %T", row[0], row[1])
		}
		if seq > 0 {
			h.Seq, h.Hash = seq, hash
			prev = &h
		}
	}
	es := make([]audit.Entry, len(evs))
	for i, ev := range evs {
		es[i] = audit.Next(prev, ev, now)
		e := &es[i]
		if err := x.exec(sqlAuditInsert, e.Seq, formatTime(e.Time), e.Actor, e.Action, e.Target, e.Detail, e.Prev, e.Hash,
			e.Record, e.Digests); err != nil {
			return nil, fmt.Errorf("append audit entries: %w", mapErr(err, "audit entry"))
		}
		prev = e
	}
	if len(es) > 0 {
		if err := x.exec(sqlMoveAuditHead, prev.Seq, prev.Hash); err != nil {
			return nil, fmt.Errorf("move audit head: %w", mapErr(err, "audit head"))
		}
	}
	return es, nil
}

// AuditEntries lists entries in sequence order; From is inclusive, To
// exclusive.
func (db *DB) AuditEntries(ctx context.Context, q store.AuditQuery) ([]audit.Entry, error) {
	q, err := q.Checked()
	if err != nil {
		return nil, err
	}
	query := sqlAuditColumns + ` WHERE seq > ?`
	args := []any{q.AfterSeq}
	if !q.From.IsZero() {
		query += ` AND time >= ?`
		args = append(args, formatTime(q.From))
	}
	if !q.To.IsZero() {
		query += ` AND time < ?`
		args = append(args, formatTime(q.To))
	}
	query += ` ORDER BY seq LIMIT ?`
	args = append(args, q.Limit)
	es, err := db.queryAudit(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return es, nil
}

// WalkAudit streams every entry to fn in sequence order, reading a page at a
// time so that neither memory nor a database connection is held for the
// whole log.
func (db *DB) WalkAudit(ctx context.Context, fn func(audit.Entry) error) error {
	page := sqlAuditPage
	if db.legacyAudit {
		page = sqlAuditPageLegacy
	}
	var after int64
	for {
		es, err := db.queryAudit(ctx, page, after, walkPage)
		if err != nil {
			return fmt.Errorf("walk audit after %d: %w", after, err)
		}
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(es) < walkPage {
			return nil
		}
		after = es[len(es)-1].Seq
	}
}

func (db *DB) queryAudit(ctx context.Context, query string, args ...any) ([]audit.Entry, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, "audit")
	}
	defer rows.Close()
	var es []audit.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "audit")
	}
	return es, nil
}

// scanEntry reads an entry from a row of sqlAuditColumns.
func scanEntry(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	var t string
	if err := rows.Scan(&e.Seq, &t, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.Prev, &e.Hash, &e.Record, &e.Digests); err != nil {
		return audit.Entry{}, err
	}
	var err error
	if e.Time, err = parseTime(t); err != nil {
		return audit.Entry{}, err
	}
	return e, nil
}

// AuditAnchor reads the anchor of the chain from audit_head.
func (db *DB) AuditAnchor(ctx context.Context) (audit.Anchor, error) {
	if db.legacyAudit {
		return audit.Anchor{}, fault.E(fault.NotFound, "the database predates the audit anchor (schema %d)", anchorSchema-1)
	}
	var a audit.Anchor
	err := db.queryRow(ctx, []any{&a.Entries, &a.Head}, sqlAuditHead)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Anchor{}, fmt.Errorf("read audit anchor: %w", store.ErrNoAnchor)
	}
	if err != nil {
		return audit.Anchor{}, fmt.Errorf("read audit anchor: %w", mapErr(err, "audit head"))
	}
	return a, nil
}

// WalkRecordBodies reads the stored versions and the entries vouching for
// them in one read transaction, two statements side by side, and hands
// them over a record at a time (store.MergeBodies). The entries are sorted
// by record for it: an index on audit would cost every append, and this
// is read only to verify.
func (db *DB) WalkRecordBodies(ctx context.Context, fn func(audit.RecordBodies) error) error {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("walk record bodies: %w", mapErr(err, "database"))
	}
	defer tx.Rollback()
	vrows, err := tx.QueryContext(ctx, sqlVersionBodies)
	if err != nil {
		return fmt.Errorf("walk record bodies: %w", mapErr(err, "record versions"))
	}
	defer vrows.Close()
	// Each record's row is compared with its latest version as the walk
	// reads the bodies, rather than parsing every body again in SQL.
	rrows, err := tx.QueryContext(ctx, sqlRecordRows)
	if err != nil {
		return fmt.Errorf("walk record bodies: %w", mapErr(err, "records"))
	}
	defer rrows.Close()
	heads := store.NewHeadCheck(func() (string, store.RecordRow, bool, error) {
		if !rrows.Next() {
			return "", store.RecordRow{}, false, mapErr(rrows.Err(), "records")
		}
		var (
			id  string
			row store.RecordRow
		)
		err := rrows.Scan(&id, &row.Version, &row.Status, &row.Kind, &row.Originator)
		return id, row, err == nil, mapErr(err, "records")
	})
	nextVersion := func() (string, audit.Digest, bool, error) {
		if !vrows.Next() {
			return "", audit.Digest{}, false, mapErr(vrows.Err(), "record versions")
		}
		var (
			id      string
			version int
			body    sql.RawBytes
		)
		if err := vrows.Scan(&id, &version, &body); err != nil {
			return "", audit.Digest{}, false, err
		}
		if err := heads.Version(id, version, body); err != nil {
			return "", audit.Digest{}, false, err
		}
		return id, audit.DigestOf(version, body), true, nil
	}
	nextEntry := func() (audit.Entry, bool, error) { return audit.Entry{}, false, nil }
	if !db.legacyAudit {
		arows, err := tx.QueryContext(ctx, sqlVouchers)
		if err != nil {
			return fmt.Errorf("walk record bodies: %w", mapErr(err, "audit"))
		}
		defer arows.Close()
		nextEntry = func() (audit.Entry, bool, error) {
			if !arows.Next() {
				return audit.Entry{}, false, mapErr(arows.Err(), "audit")
			}
			e, err := scanEntry(arows)
			return e, err == nil, err
		}
	}
	err = store.MergeBodies(nextVersion, nextEntry, func(rb audit.RecordBodies) error {
		if err := fn(rb); err != nil {
			return err
		}
		return heads.Record(rb.Record)
	})
	if err != nil {
		return err
	}
	return heads.End()
}
