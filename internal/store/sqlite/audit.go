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
	sqlAuditInsert    = `INSERT INTO audit (seq, time, actor, action, target, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlAuditHead      = `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`
	sqlAuditLast      = `SELECT max(seq) FROM audit`
	sqlAuditColumns   = `SELECT seq, time, actor, action, target, detail, prev, hash FROM audit`
	sqlAuditPage      = sqlAuditColumns + ` WHERE seq > ? ORDER BY seq LIMIT ?`
)

// walkPage is how many entries WalkAudit reads at a time.
const walkPage = 1000

// appendAudit links evs to the end of the chain inside tx and writes them.
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, evs []audit.Event) ([]audit.Entry, error) {
	entries, err := db.linkAudit(ctx, tx, evs)
	if err != nil {
		return nil, err
	}
	l := entries()
	if err := db.insertAudit(ctx, tx, nil, l); err != nil {
		return nil, err
	}
	return l.es, nil
}

// linked is a run of entries linked to the chain, with the arguments of
// their rows (auditCols of them per entry) ready for insertAudit.
type linked struct {
	es   []audit.Entry
	args []any
}

// auditCols are the columns an entry is written to, seq aside.
var auditCols = []string{"time", "actor", "action", "target", "detail", "prev", "hash"}

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
	var prev *audit.Entry
	var head audit.Entry
	switch err := tx.QueryRowContext(ctx, sqlAuditHead).Scan(&head.Seq, &head.Hash); {
	case err == nil:
		prev = &head
	case errors.Is(err, sql.ErrNoRows):
	default:
		return nil, fmt.Errorf("read audit head: %w", mapErr(err, "audit head"))
	}
	now := db.now()
	link := func() linked {
		l := linked{es: make([]audit.Entry, len(evs)), args: make([]any, 0, len(evs)*len(auditCols))}
		p := prev
		at := formatTime(now)
		for i, ev := range evs {
			l.es[i] = audit.Next(p, ev, now)
			p = &l.es[i]
			if !p.Time.Equal(now) {
				at = formatTime(p.Time)
			}
			l.args = append(l.args, at, p.Actor, p.Action, p.Target, p.Detail, p.Prev, p.Hash)
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

// insertAudit writes linked entries inside tx (on its driver connection
// conn when given; see inserter). seq is left to SQLite, which numbers a row
// one above the largest, as audit.Next does; the check at the end makes sure
// they agree.
func (db *DB) insertAudit(ctx context.Context, tx *sql.Tx, conn *sql.Conn, l linked) error {
	es := l.es
	if len(es) == 0 {
		return nil
	}
	ins := newInserter(tx, conn, chunkRows, "audit", auditCols...)
	if conn != nil {
		ins.cache = &db.wstmts // conn is the writer's
	}
	defer ins.close()
	n := len(auditCols)
	for i := range es {
		if err := ins.add(ctx, l.args[i*n:(i+1)*n]...); err != nil {
			return fmt.Errorf("append audit entries: %w", mapErr(err, "audit entry"))
		}
	}
	if err := ins.flush(ctx); err != nil {
		return fmt.Errorf("append audit entries: %w", mapErr(err, "audit entry"))
	}
	var last int64
	if err := tx.QueryRowContext(ctx, sqlAuditLast).Scan(&last); err != nil {
		return fmt.Errorf("append audit entries: %w", err)
	}
	if want := es[len(es)-1].Seq; last != want {
		return fmt.Errorf("append audit entries: stored up to entry %d, computed up to %d", last, want)
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
// inside the transaction x's connection has begun.
func (x rawExec) appendEntries(evs []audit.Event, now time.Time) ([]audit.Entry, error) {
	var prev *audit.Entry
	var h audit.Entry
	row := make([]driver.Value, 2)
	switch found, err := x.queryRow(sqlAuditHead, row); {
	case err != nil:
		return nil, fmt.Errorf("read audit head: %w", mapErr(err, "audit head"))
	case found:
		seq, ok1 := row[0].(int64)
		hash, ok2 := row[1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("read audit head: unexpected column types %T, %T", row[0], row[1])
		}
		h.Seq, h.Hash = seq, hash
		prev = &h
	}
	es := make([]audit.Entry, len(evs))
	for i, ev := range evs {
		es[i] = audit.Next(prev, ev, now)
		e := &es[i]
		if err := x.exec(sqlAuditInsert, e.Seq, formatTime(e.Time), e.Actor, e.Action, e.Target, e.Detail, e.Prev, e.Hash); err != nil {
			return nil, fmt.Errorf("append audit entries: %w", mapErr(err, "audit entry"))
		}
		prev = e
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
	var after int64
	for {
		es, err := db.queryAudit(ctx, sqlAuditPage, after, walkPage)
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
		var e audit.Entry
		var t string
		if err := rows.Scan(&e.Seq, &t, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		if e.Time, err = parseTime(t); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "audit")
	}
	return es, nil
}
