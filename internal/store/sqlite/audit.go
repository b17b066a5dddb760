package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"liaison/internal/audit"
	"liaison/internal/store"
)

const (
	sqlAuditHead    = `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`
	sqlAuditLast    = `SELECT max(seq) FROM audit`
	sqlAuditColumns = `SELECT seq, time, actor, action, target, detail, prev, hash FROM audit`
	sqlAuditPage    = sqlAuditColumns + ` WHERE seq > ? ORDER BY seq LIMIT ?`
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

// Audit appends events that accompany no other change.
func (db *DB) Audit(ctx context.Context, evs ...audit.Event) ([]audit.Entry, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	var out []audit.Entry
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.appendAudit(ctx, tx, evs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
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
