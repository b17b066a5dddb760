package store

import (
	"context"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
)

// MaxIdempotencyKey is the longest idempotency key kept, in bytes.
const MaxIdempotencyKey = 200

// IdempotencyKey is a key a client sent with a request that created a
// record, kept so that the same request sent again (say after a timeout)
// is answered with that record instead of creating a second one. Keys
// belong to the user who sent them: two users may use the same key.
type IdempotencyKey struct {
	User string
	Key  string
	// BodyHash is a digest of the request that created the record, to
	// tell the same request sent again from another one under the same
	// key. The store compares it with nothing; callers do.
	BodyHash string
	RecordID string
	Created  time.Time
}

// Check refuses a key the store cannot keep, naming the field.
func (k IdempotencyKey) Check() error {
	switch {
	case k.User == "":
		return fault.Field("user", "is required")
	case k.Key == "" || len(k.Key) > MaxIdempotencyKey:
		return fault.Field("key", "must be 1 to %d bytes", MaxIdempotencyKey)
	case k.BodyHash == "":
		return fault.Field("body_hash", "is required")
	case k.Created.IsZero():
		return fault.Field("created", "is required")
	}
	return nil
}

// Idempotency keeps the idempotency keys of record creation. The database
// decides between requests under the same key, so that it holds for
// several servers sharing one database as for one.
type Idempotency interface {
	// CreateRecordOnce stores r and its audit event as CreateRecords does
	// for one record and, in the same transaction, k naming it (k.RecordID
	// is set to r.ID), and returns k with created true. When k.User holds
	// k.Key already, in a key created at or after since, nothing is stored
	// and that key is returned with created false; a concurrent call
	// under the same key waits for the other one to end, so that exactly
	// one of them stores its record. A key created before since counts as
	// gone and is replaced. Each call also deletes a few keys created
	// before since, so that the keys of about one retention period are
	// kept without any other upkeep.
	CreateRecordOnce(ctx context.Context, r *intel.Record, ev audit.Event, k IdempotencyKey, since time.Time) (held IdempotencyKey, created bool, err error)
	// IdempotencyKey returns the key user holds created at or after
	// since, or NotFound.
	IdempotencyKey(ctx context.Context, user, key string, since time.Time) (IdempotencyKey, error)
}

// IdempotencyPrune is how many expired keys CreateRecordOnce deletes at
// most: more than one, so that the keys of a busy day are gone after
// about as many creations the day after, and few, so that a creation
// never waits for a long delete.
const IdempotencyPrune = 4
