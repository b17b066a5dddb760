package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// The idempotency keys of record creation (migration 0010).
const (
	// A key held but expired (created before $6) is replaced; a live one
	// is left as it is, and the statement changes no row. A transaction
	// inserting a key another one has inserted and not yet committed
	// waits here for it to end, whichever replica runs it.
	sqlPutIdempotencyKey = `INSERT INTO idempotency_keys (actor, idem_key, body_hash, record_id, created)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (actor, idem_key) DO UPDATE SET body_hash = excluded.body_hash,
			record_id = excluded.record_id, created = excluded.created
		WHERE idempotency_keys.created < $6`
	// Rows another transaction is deleting (or replacing) are skipped
	// rather than waited for: they are gone soon either way.
	sqlPruneIdempotencyKeys = `DELETE FROM idempotency_keys WHERE (actor, idem_key) IN
		(SELECT actor, idem_key FROM idempotency_keys WHERE created < $1 ORDER BY created LIMIT $2
			FOR UPDATE SKIP LOCKED)`
	sqlIdempotencyKey = `SELECT body_hash, record_id, created FROM idempotency_keys
		WHERE actor = $1 AND idem_key = $2 AND created >= $3`
)

// errKeyHeld stops a keyed creation whose key is held already.
var errKeyHeld = errors.New("idempotency key held")

// CreateRecordOnce stores r with its audit event and k in one transaction,
// unless k's user holds k's key already. The key is written first, so that
// of two transactions under the same key the second waits at its key for
// the first to commit, then finds the key held and stores nothing.
func (db *DB) CreateRecordOnce(ctx context.Context, r *intel.Record, ev audit.Event, k store.IdempotencyKey, since time.Time) (store.IdempotencyKey, bool, error) {
	if err := checkRecord(r); err != nil {
		return store.IdempotencyKey{}, false, fmt.Errorf("create record: %w", err)
	}
	k.RecordID = r.ID
	if err := k.Check(); err != nil {
		return store.IdempotencyKey{}, false, fmt.Errorf("create record %s: %w", r.ID, err)
	}
	err := db.createRecords(ctx, []*intel.Record{r}, []audit.Event{ev}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlPutIdempotencyKey, k.User, k.Key, k.BodyHash, k.RecordID, k.Created, since)
		if err != nil {
			return fmt.Errorf("store idempotency key: %w", mapErr(err, "idempotency key"))
		}
		if tag.RowsAffected() == 0 {
			return errKeyHeld
		}
		if _, err := tx.Exec(ctx, sqlPruneIdempotencyKeys, since, store.IdempotencyPrune); err != nil {
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
	err := db.pool.QueryRow(ctx, sqlIdempotencyKey, user, key, since).Scan(&k.BodyHash, &k.RecordID, &k.Created)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.IdempotencyKey{}, fault.E(fault.NotFound, "idempotency key %q not found", fault.Clip(key, 40))
	}
	if err != nil {
		return store.IdempotencyKey{}, fmt.Errorf("read idempotency key: %w", mapErr(err, "idempotency key"))
	}
	k.Created = k.Created.UTC()
	return k, nil
}
