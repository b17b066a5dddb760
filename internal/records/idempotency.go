package records

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// KeyRetention is how long an idempotency key counts: a creation sent again
// under the same key within it is answered with the record the first one
// created. Older keys are forgotten (and deleted a few at a time).
const KeyRetention = 24 * time.Hour

// KeyField is the name errors about an idempotency key give the key: the
// HTTP header that carries it.
const KeyField = "Idempotency-Key"

// CheckKey refuses an idempotency key that is not 1 to
// store.MaxIdempotencyKey printable ASCII characters (space to tilde).
func CheckKey(key string) error {
	if key == "" || len(key) > store.MaxIdempotencyKey {
		return fault.Field(KeyField, "must be 1 to %d printable ASCII characters, not %d bytes", store.MaxIdempotencyKey, len(key))
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c > 0x7e {
			return fault.Field(KeyField, "must be printable ASCII characters; byte %d is 0x%02x", i, c)
		}
	}
	return nil
}

// CreateOnce is Create under an idempotency key the user chose for this
// creation, so that the request sent twice (a client that timed out and
// sent it again) stores one record. The first call with a key stores the
// record and the key in one transaction. A later call by the same actor
// with the same key, within KeyRetention, stores nothing: with the same
// record (compared as decoded, so spacing and key order do not matter) it
// returns the record the first call created, at version 1 as that call
// returned it, with replay true; with another record it is a Conflict
// naming the key. Keys are per actor: another user's same key is
// unrelated. Of concurrent calls under one key the database lets one
// store its record, and the others return that record. A call that fails
// (an invalid record, say) stores no key, so the corrected record may be
// sent under the same key.
//
// A replay is audited as a read of the record (record.read), the record
// being sent out again.
func (s *Service) CreateOnce(ctx context.Context, actor, key string, r *intel.Record) (rec *intel.Record, warnings []intel.FieldWarning, replay bool, err error) {
	if err := CheckKey(key); err != nil {
		return nil, nil, false, err
	}
	if r == nil {
		return nil, nil, false, fault.E(fault.Invalid, "record is missing")
	}
	hash, err := requestHash(r)
	if err != nil {
		return nil, nil, false, err
	}
	now := s.clock()
	since := now.Add(-KeyRetention)
	held, err := s.store.IdempotencyKey(ctx, actor, key, since)
	switch {
	case err == nil:
		return s.replay(ctx, actor, held, hash)
	case !fault.Is(err, fault.NotFound):
		return nil, nil, false, fmt.Errorf("create record: %w", err)
	}
	rec, warnings, ev, err := s.prepareNew(actor, r, now)
	if err != nil {
		return nil, nil, false, err
	}
	k := store.IdempotencyKey{User: actor, Key: key, BodyHash: hash, Created: now}
	held, created, err := s.store.CreateRecordOnce(ctx, rec, ev, k, since)
	if err != nil {
		return nil, nil, false, fmt.Errorf("create record: %w", err)
	}
	if !created {
		return s.replay(ctx, actor, held, hash)
	}
	return rec, warnings, false, nil
}

// replay answers a creation sent again under key k: the record k's first
// creation stored, when the record sent is the same (hash), else a
// Conflict. The record is returned whoever may see it now: its creator
// sent it.
func (s *Service) replay(ctx context.Context, actor string, k store.IdempotencyKey, hash string) (*intel.Record, []intel.FieldWarning, bool, error) {
	if k.BodyHash != hash {
		e := fault.E(fault.Conflict, "%s %q was used on %s for another request: this body differs from the one sent with it then (which created record %s); send a new record under a new key",
			KeyField, fault.Clip(k.Key, 60), k.Created.UTC().Format(time.RFC3339), k.RecordID)
		e.Field = KeyField
		return nil, nil, false, e
	}
	rec, err := s.store.GetRecordVersion(ctx, k.RecordID, 1)
	if err != nil {
		return nil, nil, false, fmt.Errorf("replay creation of record %s: %w", k.RecordID, err)
	}
	if err := s.audit(ctx, audit.Event{Actor: actor, Action: audit.ActionRecordRead, Target: rec.ID,
		Detail: "version 1; creation sent again under its idempotency key"}); err != nil {
		return nil, nil, false, err
	}
	// The warnings the first answer carried, found again: validation is
	// pure, and its notion of today is taken from the creation.
	on := k.Created
	if rec.Created != nil {
		on = *rec.Created
	}
	warnings, _ := intel.Validate(rec, s.codes, on)
	return rec, warnings, true, nil
}

// requestHash is the digest of a record as sent, in its canonical JSON:
// two requests carrying the same record hash alike however their JSON was
// spaced or ordered.
func requestHash(r *intel.Record) (string, error) {
	b, err := intel.AppendJSON(nil, r)
	if err != nil {
		return "", fmt.Errorf("encode record: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
