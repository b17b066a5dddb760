package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/fault"
)

// Bodies are sent as text and cast, so that they are stored exactly as
// encoded whatever the driver would make of a string sent as json.
const (
	sqlInsertAgreement = `INSERT INTO agreements (id, body, created) VALUES ($1, $2::text::json, $3)`
	sqlAgreement       = `SELECT body FROM agreements WHERE id = $1`
	sqlAgreements      = `SELECT body FROM agreements ORDER BY id`

	sqlConsentRecord = `SELECT 1 FROM records WHERE id = $1 FOR KEY SHARE`
	sqlInsertConsent = `INSERT INTO consents (record_id, body, created) VALUES ($1, $2::text::json, $3)`
	sqlConsents      = `SELECT body FROM consents WHERE record_id = $1 ORDER BY seq`
)

// PutAgreement adds an agreement; an existing id is a Conflict.
func (db *DB) PutAgreement(ctx context.Context, a agreement.Agreement, ev audit.Event) error {
	if err := db.insertAgreements(ctx, []agreement.Agreement{a}, ev); err != nil {
		return fmt.Errorf("put agreement %s: %w", a.ID, err)
	}
	return nil
}

// SeedAgreements adds agreements and one audit event in one transaction.
func (db *DB) SeedAgreements(ctx context.Context, as []agreement.Agreement, ev audit.Event) error {
	if len(as) == 0 {
		return nil
	}
	if err := db.insertAgreements(ctx, as, ev); err != nil {
		return fmt.Errorf("seed %d agreements: %w", len(as), err)
	}
	return nil
}

// insertAgreements writes as one row at a time, so that a repeated id is
// reported by name, and appends ev, all in one transaction.
func (db *DB) insertAgreements(ctx context.Context, as []agreement.Agreement, ev audit.Event) error {
	bodies := make([]string, len(as))
	for i, a := range as {
		if a.ID == "" {
			return fault.Field("id", "is required")
		}
		b, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("encode agreement %s: %w", a.ID, err)
		}
		bodies[i] = string(b)
	}
	created := db.now()
	return db.inTx(ctx, func(tx pgx.Tx) error {
		for i, a := range as {
			if _, err := tx.Exec(ctx, sqlInsertAgreement, a.ID, bodies[i], created); err != nil {
				return mapErr(err, "agreement "+a.ID)
			}
		}
		_, err := db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
}

// Agreement returns one agreement, or NotFound.
func (db *DB) Agreement(ctx context.Context, id string) (agreement.Agreement, error) {
	var body []byte
	if err := db.pool.QueryRow(ctx, sqlAgreement, id).Scan(&body); err != nil {
		return agreement.Agreement{}, fmt.Errorf("read agreement %s: %w", id, mapErr(err, "agreement "+id))
	}
	var a agreement.Agreement
	if err := json.Unmarshal(body, &a); err != nil {
		return agreement.Agreement{}, fmt.Errorf("decode stored agreement %s: %w", id, err)
	}
	return a, nil
}

// Agreements lists the registry ordered by id.
func (db *DB) Agreements(ctx context.Context) ([]agreement.Agreement, error) {
	out := []agreement.Agreement{}
	err := db.scanBodies(ctx, "agreements", sqlAgreements, nil, func(b []byte) error {
		var a agreement.Agreement
		if err := json.Unmarshal(b, &a); err != nil {
			return fmt.Errorf("decode stored agreement: %w", err)
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	return out, nil
}

// AddConsent stores a consent and its audit event in one transaction.
func (db *DB) AddConsent(ctx context.Context, c agreement.Consent, ev audit.Event) error {
	if c.Record == "" {
		return fault.Field("record", "is required")
	}
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode consent for record %s: %w", c.Record, err)
	}
	created := db.now()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		switch err := tx.QueryRow(ctx, sqlConsentRecord, c.Record).Scan(&one); {
		case errors.Is(err, pgx.ErrNoRows):
			return fault.E(fault.NotFound, "record %s not found", c.Record)
		case err != nil:
			return mapErr(err, "record "+c.Record)
		}
		if _, err := tx.Exec(ctx, sqlInsertConsent, c.Record, string(body), created); err != nil {
			return mapErr(err, "consent for record "+c.Record)
		}
		_, err := db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return fmt.Errorf("add consent for record %s: %w", c.Record, err)
	}
	return nil
}

// Consents lists the consents on file for a record, oldest first.
func (db *DB) Consents(ctx context.Context, recordID string) ([]agreement.Consent, error) {
	out := []agreement.Consent{}
	err := db.scanBodies(ctx, "consents", sqlConsents, []any{recordID}, func(b []byte) error {
		var c agreement.Consent
		if err := json.Unmarshal(b, &c); err != nil {
			return fmt.Errorf("decode stored consent: %w", err)
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list consents for record %s: %w", recordID, err)
	}
	return out, nil
}

// scanBodies runs a query whose rows are one JSON body each and hands every
// body to fn.
func (db *DB) scanBodies(ctx context.Context, subject, query string, args []any, fn func([]byte) error) error {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return mapErr(err, subject)
	}
	defer rows.Close()
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return err
		}
		if err := fn(body); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return mapErr(err, subject)
	}
	return nil
}
