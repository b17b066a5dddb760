package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// The idempotency keys of record creation (migration 0012).
const (
	// A key held but expired (created before the bound) is replaced; a
	// live one is left as it is, and the statement changes no row.
	sqlPutIdempotencyKey = `INSERT INTO idempotency_keys (actor, idem_key, body_hash, record_id, created)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (actor, idem_key) DO UPDATE SET body_hash = excluded.body_hash,
			record_id = excluded.record_id, created = excluded.created
		WHERE idempotency_keys.created < ?`
	sqlPruneIdempotencyKeys = `DELETE FROM idempotency_keys WHERE (actor, idem_key) IN
		(SELECT actor, idem_key FROM idempotency_keys WHERE created < ? ORDER BY created LIMIT ?)`
	sqlIdempotencyKey = `SELECT body_hash, record_id, created FROM idempotency_keys
		WHERE actor = ? AND idem_key = ? AND created >= ?`
)

// errKeyHeld stops a keyed creation whose key is held already.
var errKeyHeld = errors.New("idempotency key held")

// CreateRecordOnce stores r with its audit event and k in one transaction,
// unless k's user holds k's key already. The writer connection serialises
// the transactions, so a second one under the same key finds the first's
// key and stores nothing.
func (db *DB) CreateRecordOnce(ctx context.Context, r *intel.Record, ev audit.Event, k store.IdempotencyKey, since time.Time) (store.IdempotencyKey, bool, error) {
	if err := checkRecord(r); err != nil {
		return store.IdempotencyKey{}, false, fmt.Errorf("create record: %w", err)
	}
	k.RecordID = r.ID
	if err := k.Check(); err != nil {
		return store.IdempotencyKey{}, false, fmt.Errorf("create record %s: %w", r.ID, err)
	}
	err := db.createRecords(ctx, []*intel.Record{r}, []audit.Event{ev}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlPutIdempotencyKey, k.User, k.Key, k.BodyHash, k.RecordID,
			formatTime(k.Created), formatTime(since))
		if err != nil {
			return fmt.Errorf("store idempotency key: %w", mapErr(err, "idempotency key"))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store idempotency key: %w", err)
		}
		if n == 0 {
			return errKeyHeld
		}
		if _, err := tx.ExecContext(ctx, sqlPruneIdempotencyKeys, formatTime(since), store.IdempotencyPrune); err != nil {
			return fmt.Errorf("prune idempotency keys: %w", mapErr(err, "idempotency keys"))
		}
		return nil
	})
	switch {
	case errors.Is(err, errKeyHeld):
		held, err := db.IdempotencyKey(ctx, k.User, k.Key, since)
		if err != nil {
			return store.IdempotencyKey{}, false, fmt.Errorf("create record %s: %w", r.ID, err)
		}
		return held, false, nil
	case err != nil:
		return store.IdempotencyKey{}, false, err
	}
	return k, true, nil
}

// IdempotencyKey returns the live key user holds.
func (db *DB) IdempotencyKey(ctx context.Context, user, key string, since time.Time) (store.IdempotencyKey, error) {
	k := store.IdempotencyKey{User: user, Key: key}
	var created string
	err := db.queryRow(ctx, []any{&k.BodyHash, &k.RecordID, &created}, sqlIdempotencyKey, user, key, formatTime(since))
	if errors.Is(err, sql.ErrNoRows) {
		return store.IdempotencyKey{}, fault.E(fault.NotFound, "idempotency key %q not found", fault.Clip(key, 40))
	}
	if err != nil {
		return store.IdempotencyKey{}, fmt.Errorf("read idempotency key: %w", mapErr(err, "idempotency key"))
	}
	if k.Created, err = parseTime(created); err != nil {
		return store.IdempotencyKey{}, fmt.Errorf("read idempotency key: %w", err)
	}
	return k, nil
}
