package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/internal/audit"
	"liaison/internal/store"
)

const (
	sqlLockAuditHead = `SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`
	sqlInsertAudit   = `INSERT INTO audit (seq, time, actor, action, target, detail, prev, hash)
		SELECT * FROM unnest($1::int8[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
			$7::text[], $8::text[])`
	sqlMoveAuditHead = `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`
	sqlAuditColumns  = `SELECT seq, time, actor, action, target, detail, prev, hash FROM audit`
	sqlAuditPage     = sqlAuditColumns + ` WHERE seq > $1 ORDER BY seq LIMIT $2`
)

// walkPage is how many entries WalkAudit reads at a time.
const walkPage = 1000

// appendAudit links evs to the end of the chain inside tx. Locking the head
// row makes every other appending transaction, on any replica, wait until
// this one ends; under read committed the waiting transaction then reads the
// head this one left. The lock is taken last in a transaction, after its
// other writes, so that it is held only for the few statements below.
func (db *DB) appendAudit(ctx context.Context, tx pgx.Tx, evs []audit.Event) ([]audit.Entry, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	var head audit.Entry
	if err := tx.QueryRow(ctx, sqlLockAuditHead).Scan(&head.Seq, &head.Hash); err != nil {
		return nil, fmt.Errorf("lock audit head: %w", mapErr(err, "audit head"))
	}
	var prev *audit.Entry
	if head.Seq > 0 {
		prev = &head
	}
	now := db.now()
	es := make([]audit.Entry, len(evs))
	n := len(evs)
	seqs, times := make([]int64, n), make([]time.Time, n)
	actors, actions, targets, details, prevs, hashes := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n)
	for i, ev := range evs {
		e := audit.Next(prev, ev, now)
		es[i] = e
		prev = &es[i]
		seqs[i], times[i], actors[i], actions[i] = e.Seq, e.Time, e.Actor, e.Action
		targets[i], details[i], prevs[i], hashes[i] = e.Target, e.Detail, e.Prev, e.Hash
	}
	b := &pgx.Batch{}
	b.Queue(sqlInsertAudit, seqs, times, actors, actions, targets, details, prevs, hashes)
	b.Queue(sqlMoveAuditHead, prev.Seq, prev.Hash)
	if err := sendAll(ctx, tx, b); err != nil {
		return nil, fmt.Errorf("append audit entries: %w", mapErr(err, "audit entry"))
	}
	return es, nil
}

// Audit appends events that accompany no other change.
func (db *DB) Audit(ctx context.Context, evs ...audit.Event) ([]audit.Entry, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	var out []audit.Entry
	err := db.inTx(ctx, func(tx pgx.Tx) error {
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
	query := sqlAuditColumns + ` WHERE seq > $1`
	args := []any{q.AfterSeq}
	if !q.From.IsZero() {
		args = append(args, q.From)
		query += fmt.Sprintf(` AND time >= $%d`, len(args))
	}
	if !q.To.IsZero() {
		args = append(args, q.To)
		query += fmt.Sprintf(` AND time < $%d`, len(args))
	}
	args = append(args, q.Limit)
	query += fmt.Sprintf(` ORDER BY seq LIMIT $%d`, len(args))
	es, err := db.queryAudit(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return es, nil
}

// WalkAudit streams every entry to fn in sequence order, reading a page at a
// time so that neither memory nor a connection is held for the whole log.
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
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, "audit")
	}
	defer rows.Close()
	var es []audit.Entry
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.Time, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		e.Time = e.Time.UTC()
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "audit")
	}
	return es, nil
}
