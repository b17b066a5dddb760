package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/internal/audit"
	"liaison/internal/store"
)

const (
	sqlLockAuditHead = `SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`
	sqlInsertAudit   = `INSERT INTO audit (seq, time, actor, action, target, detail, prev, hash, record, digests)
		SELECT * FROM unnest($1::int8[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
			$7::text[], $8::text[], $9::text[], $10::text[])`
	sqlMoveAuditHead = `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`
	sqlAuditHead     = `SELECT seq, hash FROM audit_head WHERE id = 1`
	sqlAuditColumns  = `SELECT seq, time, actor, action, target, detail, prev, hash, record, digests FROM audit`
	sqlAuditPage     = sqlAuditColumns + ` WHERE seq > $1 ORDER BY seq LIMIT $2`
	// WalkRecordBodies reads the stored versions and the entries vouching
	// for them through two cursors of one snapshot, in the same order
	// (record ids in byte order: both columns are COLLATE "C"). The body
	// is read as the text stored (json keeps it as written).
	sqlCursorVersions = `DECLARE version_bodies NO SCROLL CURSOR FOR
		SELECT id, version, body::text FROM record_versions ORDER BY id, version`
	sqlCursorVouchers = `DECLARE vouchers NO SCROLL CURSOR FOR ` + sqlAuditColumns +
		` WHERE record <> '' ORDER BY record, seq`
	sqlFetchVersions = `FETCH 500 FROM version_bodies`
	sqlFetchVouchers = `FETCH 500 FROM vouchers`
	// The first record whose row does not say what its latest stored
	// version says, and the first stored version whose record has no row
	// (see store.HeadMismatch).
	sqlHeadMismatch = `SELECT r.id, r.version, r.status, r.kind, r.originator, coalesce(v.version, 0),
		coalesce(v.body->>'status', ''), coalesce(v.body->>'kind', ''), coalesce(v.body->>'originator', '')
		FROM records r LEFT JOIN LATERAL (SELECT version, body FROM record_versions
			WHERE id = r.id ORDER BY version DESC LIMIT 1) v ON true
		WHERE v.version IS NULL OR r.version <> v.version OR r.status <> coalesce(v.body->>'status', '')
			OR r.kind <> coalesce(v.body->>'kind', '') OR r.originator <> coalesce(v.body->>'originator', '')
		ORDER BY r.id LIMIT 1`
	sqlHeadless = `SELECT DISTINCT ON (v.id) v.id, v.version, coalesce(v.body->>'status', ''),
		coalesce(v.body->>'kind', ''), coalesce(v.body->>'originator', '')
		FROM record_versions v WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = v.id)
		ORDER BY v.id, v.version DESC LIMIT 1`
)

// walkPage is how many entries WalkAudit reads at a time.
const walkPage = 1000

// appendAudit links evs to the end of the chain inside tx. Locking the head
// row makes every other appending transaction, on any replica, wait until
// this one ends; under read committed the waiting transaction then reads the
// head this one left. The lock is taken last in a transaction, after its
// other writes, so that it is held only for the few statements below.
func (db *DB) appendAudit(ctx context.Context, tx pgx.Tx, evs []audit.Event) ([]audit.Entry, error) {
	return db.appendAuditVouching(ctx, tx, evs, nil)
}

// appendAuditVouching is appendAudit for events of which vs[i], when vs is
// not nil, says what the entry of evs[i] vouches for. The head row it
// locks and moves is the chain's anchor (see AuditAnchor).
func (db *DB) appendAuditVouching(ctx context.Context, tx pgx.Tx, evs []audit.Event, vs []audit.Vouch) ([]audit.Entry, error) {
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
	records, digests := make([]string, n), make([]string, n)
	for i, ev := range evs {
		var v audit.Vouch
		if vs != nil {
			v = vs[i]
		}
		e := audit.NextVouching(prev, ev, v, now)
		es[i] = e
		prev = &es[i]
		seqs[i], times[i], actors[i], actions[i] = e.Seq, e.Time, e.Actor, e.Action
		targets[i], details[i], prevs[i], hashes[i] = e.Target, e.Detail, e.Prev, e.Hash
		records[i], digests[i] = e.Record, e.Digests
	}
	b := &pgx.Batch{}
	b.Queue(sqlInsertAudit, seqs, times, actors, actions, targets, details, prevs, hashes, records, digests)
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
func scanEntry(rows pgx.Rows) (audit.Entry, error) {
	var e audit.Entry
	if err := rows.Scan(&e.Seq, &e.Time, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.Prev, &e.Hash, &e.Record, &e.Digests); err != nil {
		return audit.Entry{}, err
	}
	e.Time = e.Time.UTC()
	return e, nil
}

// AuditAnchor reads the anchor of the chain: the head row every append
// locks and moves.
func (db *DB) AuditAnchor(ctx context.Context) (audit.Anchor, error) {
	var a audit.Anchor
	err := db.pool.QueryRow(ctx, sqlAuditHead).Scan(&a.Entries, &a.Head)
	if errors.Is(err, pgx.ErrNoRows) {
		return audit.Anchor{}, fmt.Errorf("read audit anchor: %w", store.ErrNoAnchor)
	}
	if err != nil {
		return audit.Anchor{}, fmt.Errorf("read audit anchor: %w", mapErr(err, "audit head"))
	}
	return a, nil
}

// WalkRecordBodies reads the stored versions and the entries vouching for
// them through two cursors of one repeatable-read snapshot, a page of each
// at a time, and hands them over a record at a time (store.MergeBodies).
// The entries are sorted by record for it: an index on audit would cost
// every append, and this is read only to verify.
func (db *DB) WalkRecordBodies(ctx context.Context, fn func(audit.RecordBodies) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("walk record bodies: %w", mapErr(err, "transaction"))
	}
	defer tx.Rollback(ctx)
	for _, q := range []string{sqlCursorVersions, sqlCursorVouchers} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("walk record bodies: %w", mapErr(err, "audit"))
		}
	}
	type version struct {
		id string
		d  audit.Digest
	}
	versions := &cursor[version]{fetch: sqlFetchVersions, scan: func(rows pgx.Rows) (version, error) {
		var (
			v    version
			n    int32
			body []byte
		)
		if err := rows.Scan(&v.id, &n, &body); err != nil {
			return version{}, err
		}
		v.d = audit.DigestOf(int(n), body)
		return v, nil
	}}
	vouchers := &cursor[audit.Entry]{fetch: sqlFetchVouchers, scan: scanEntry}
	nextVersion := func() (string, audit.Digest, bool, error) {
		v, ok, err := versions.next(ctx, tx)
		return v.id, v.d, ok, err
	}
	nextEntry := func() (audit.Entry, bool, error) { return vouchers.next(ctx, tx) }
	if err := store.MergeBodies(nextVersion, nextEntry, fn); err != nil {
		return err
	}
	return checkHeads(ctx, tx)
}

// checkHeads compares, in the snapshot of tx, every record's row with its
// latest stored version (store.HeadMismatch). SQLite does it during the
// walk (store.HeadCheck) from the bodies the walk reads; here the bodies
// are jsonb, whose members the server reads cheaply, while their text, in
// jsonb's own spacing, would have to be parsed again in Go.
func checkHeads(ctx context.Context, tx pgx.Tx) error {
	for _, q := range []string{sqlHeadMismatch, sqlHeadless} {
		var (
			id           string
			hv, lv       int32
			head, latest store.RecordRow
		)
		dest := []any{&id, &hv, &head.Status, &head.Kind, &head.Originator,
			&lv, &latest.Status, &latest.Kind, &latest.Originator}
		if q == sqlHeadless {
			dest = []any{&id, &lv, &latest.Status, &latest.Kind, &latest.Originator}
		}
		err := tx.QueryRow(ctx, q).Scan(dest...)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("compare records with their latest versions: %w", mapErr(err, "records"))
		}
		head.Version, latest.Version = int(hv), int(lv)
		if m := store.HeadMismatch(id, head, latest); m != nil {
			return m
		}
	}
	return nil
}

// cursor reads the rows of a declared cursor a page at a time.
type cursor[T any] struct {
	fetch string
	scan  func(pgx.Rows) (T, error)
	page  []T
	at    int
	done  bool
}

// next returns the next row, false at the end.
func (c *cursor[T]) next(ctx context.Context, tx pgx.Tx) (T, bool, error) {
	var zero T
	if c.at == len(c.page) && !c.done {
		c.page, c.at = c.page[:0], 0
		rows, err := tx.Query(ctx, c.fetch)
		if err != nil {
			return zero, false, mapErr(err, "cursor")
		}
		for rows.Next() {
			v, err := c.scan(rows)
			if err != nil {
				rows.Close()
				return zero, false, err
			}
			c.page = append(c.page, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return zero, false, mapErr(err, "cursor")
		}
		c.done = len(c.page) == 0
	}
	if c.at == len(c.page) {
		return zero, false, nil
	}
	v := c.page[c.at]
	c.at++
	return v, true, nil
}
