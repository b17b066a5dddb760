package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

const (
	sqlWalkRecords = `SELECT v.body FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version`
	sqlHeldMatches = `SELECT id, version FROM match_state WHERE id = ANY($1::text[])`
	sqlDeleteLinks = `DELETE FROM match_links WHERE a = $1 OR b = $1`
	sqlInsertLink  = `INSERT INTO match_links (a, a_path, b, b_path, a_audience, b_audience, score, reasons, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`
	sqlMarkMatched = `INSERT INTO match_state (id, version, seq) VALUES ($1, $2, nextval('match_seq'))
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, seq = excluded.seq
		WHERE match_state.version <= excluded.version`
	sqlLinksOf = `SELECT a, b, a_path, b_path, a_audience, b_audience, score, reasons, created FROM match_links WHERE a = $1
		UNION ALL
		SELECT b, a, b_path, a_path, b_audience, a_audience, score, reasons, created FROM match_links WHERE b = $1`
	sqlUnmatched = `SELECT r.id FROM records r LEFT JOIN match_state m ON m.id = r.id
		WHERE r.id > $1 AND (m.version IS NULL OR m.version <> r.version) ORDER BY r.id LIMIT $2`
	sqlMatchMarks      = `SELECT id, version, seq FROM match_state WHERE seq > $1 ORDER BY seq LIMIT $2`
	sqlMatchedVersion  = `SELECT version FROM match_state WHERE id = $1`
	sqlInsertExclusion = `INSERT INTO match_exclusions (type, value, reason, actor, created) VALUES ($1, $2, $3, $4, $5) RETURNING id`
	sqlExclusions      = `SELECT id, type, value, reason, actor, created FROM match_exclusions ORDER BY id`
	sqlDeleteExclusion = `DELETE FROM match_exclusions WHERE id = $1`
)

// WalkRecords streams the latest version of every record from one query,
// whose rows pgx reads from the connection as fn consumes them, decoding
// them on every core (store.WalkDecoded).
func (db *DB) WalkRecords(ctx context.Context, fn func(*intel.Record) error) error {
	rows, err := db.pool.Query(ctx, sqlWalkRecords)
	if err != nil {
		return fmt.Errorf("walk records: %w", mapErr(err, "records"))
	}
	defer rows.Close()
	// The bodies are decoded on every core while rows are read on; a
	// row's raw value is only valid until the next, so it is copied.
	next := func() ([]byte, bool, error) {
		if !rows.Next() {
			return nil, false, nil
		}
		return bytes.Clone(rows.RawValues()[0]), true, nil
	}
	if err := store.WalkDecoded(next, store.DecodeForMatching, fn); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("walk records: %w", mapErr(err, "records"))
	}
	return nil
}

// PutMatches replaces the links of each set's record and marks it matched,
// in one transaction sent as one batch.
func (db *DB) PutMatches(ctx context.Context, sets []store.MatchSet) error {
	if len(sets) == 0 {
		return nil
	}
	ids := make([]string, len(sets))
	for i, s := range sets {
		if s.Record == "" {
			return fault.Field("record", "is required")
		}
		for j, l := range s.Links {
			if l.Other == "" {
				return fault.Field(fmt.Sprintf("sets[%d].links[%d].other", i, j), "is required")
			}
		}
		ids[i] = s.Record
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		held := map[string]int{}
		rows, err := tx.Query(ctx, sqlHeldMatches, ids)
		if err != nil {
			return mapErr(err, "match state")
		}
		for rows.Next() {
			var id string
			var v int
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return err
			}
			held[id] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapErr(err, "match state")
		}
		now := db.now()
		b := &pgx.Batch{}
		for _, s := range sets {
			v, ok := held[s.Record]
			if ok && v > s.Version {
				continue
			}
			held[s.Record] = s.Version
			b.Queue(sqlDeleteLinks, s.Record)
			for _, l := range s.Links {
				reasons := l.Reasons
				if reasons == nil {
					reasons = []string{}
				}
				rs, err := json.Marshal(reasons)
				if err != nil {
					return fmt.Errorf("encode link reasons: %w", err)
				}
				created := now
				if !l.Created.IsZero() {
					created = l.Created
				}
				b.Queue(sqlInsertLink, s.Record, l.EntityPath, l.Other, l.MatchedPath, l.RecordAudience, l.OtherAudience,
					l.Score, string(rs), created)
			}
			b.Queue(sqlMarkMatched, s.Record, s.Version)
		}
		return mapErr(sendAll(ctx, tx, b), "links")
	})
	if err != nil {
		return fmt.Errorf("put matches of %d records: %w", len(sets), err)
	}
	return nil
}

// Matches returns the links of a record, best first.
func (db *DB) Matches(ctx context.Context, recordID string) ([]store.MatchLink, error) {
	rows, err := db.pool.Query(ctx, sqlLinksOf, recordID)
	if err != nil {
		return nil, fmt.Errorf("matches of %s: %w", recordID, mapErr(err, "links"))
	}
	defer rows.Close()
	out := []store.MatchLink{}
	for rows.Next() {
		var l store.MatchLink
		var reasons []byte
		if err := rows.Scan(&l.Record, &l.Other, &l.EntityPath, &l.MatchedPath, &l.RecordAudience, &l.OtherAudience, &l.Score, &reasons, &l.Created); err != nil {
			return nil, fmt.Errorf("matches of %s: %w", recordID, err)
		}
		if err := json.Unmarshal(reasons, &l.Reasons); err != nil {
			return nil, fmt.Errorf("matches of %s: decode stored link: %w", recordID, err)
		}
		l.Created = l.Created.UTC()
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("matches of %s: %w", recordID, mapErr(err, "links"))
	}
	store.SortLinks(out)
	return out, nil
}

// Unmatched returns records whose latest version is not marked matched.
func (db *DB) Unmatched(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := db.pool.Query(ctx, sqlUnmatched, after, limit)
	if err != nil {
		return nil, fmt.Errorf("unmatched records: %w", mapErr(err, "records"))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("unmatched records: %w", mapErr(err, "records"))
	}
	return ids, nil
}

// MatchMarks returns the marks written after seq.
func (db *DB) MatchedVersion(ctx context.Context, recordID string) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, sqlMatchedVersion, recordID).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("matched version of %s: %w", recordID, mapErr(err, "match state"))
	}
	return v, nil
}

// MatchMarks returns the marks written after seq.
func (db *DB) MatchMarks(ctx context.Context, after int64, limit int) ([]store.MatchMark, error) {
	rows, err := db.pool.Query(ctx, sqlMatchMarks, after, limit)
	if err != nil {
		return nil, fmt.Errorf("match marks after %d: %w", after, mapErr(err, "match state"))
	}
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.MatchMark, error) {
		var m store.MatchMark
		err := r.Scan(&m.ID, &m.Version, &m.Seq)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("match marks after %d: %w", after, mapErr(err, "match state"))
	}
	return ms, nil
}

// AddMatchExclusion stores an exclusion and its audit event.
func (db *DB) AddMatchExclusion(ctx context.Context, x store.MatchExclusion, ev audit.Event) (store.MatchExclusion, error) {
	if x.Type == "" {
		return x, fault.Field("type", "is required")
	}
	if x.Value == "" {
		return x, fault.Field("value", "is required")
	}
	if x.Created.IsZero() {
		x.Created = db.now()
	}
	x.Created = x.Created.UTC().Truncate(time.Microsecond)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, sqlInsertExclusion, x.Type, x.Value, x.Reason, x.Actor, x.Created).Scan(&x.ID); err != nil {
			return mapErr(err, fmt.Sprintf("exclusion of %s %q", x.Type, x.Value))
		}
		_, err := db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return store.MatchExclusion{}, fmt.Errorf("add match exclusion: %w", err)
	}
	return x, nil
}

// MatchExclusions lists the exclusions in id order.
func (db *DB) MatchExclusions(ctx context.Context) ([]store.MatchExclusion, error) {
	rows, err := db.pool.Query(ctx, sqlExclusions)
	if err != nil {
		return nil, fmt.Errorf("list match exclusions: %w", mapErr(err, "match exclusions"))
	}
	xs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.MatchExclusion, error) {
		var x store.MatchExclusion
		err := r.Scan(&x.ID, &x.Type, &x.Value, &x.Reason, &x.Actor, &x.Created)
		x.Created = x.Created.UTC()
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("list match exclusions: %w", mapErr(err, "match exclusions"))
	}
	if xs == nil {
		xs = []store.MatchExclusion{}
	}
	return xs, nil
}

// DeleteMatchExclusion removes an exclusion and appends its audit event.
func (db *DB) DeleteMatchExclusion(ctx context.Context, id int64, ev audit.Event) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlDeleteExclusion, id)
		if err != nil {
			return mapErr(err, "match exclusion")
		}
		if tag.RowsAffected() == 0 {
			return fault.E(fault.NotFound, "match exclusion %d not found", id)
		}
		_, err = db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete match exclusion %d: %w", id, err)
	}
	return nil
}
