package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

const (
	sqlWalkRecords = `SELECT v.body FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version
		ORDER BY r.rid`
	sqlMatchedVersion = `SELECT version FROM match_state WHERE id = ?`
	sqlMaxMatchSeq    = `SELECT coalesce(max(seq), 0) FROM match_state`
	sqlDeleteLinksA   = `DELETE FROM match_links WHERE a = ?`
	sqlDeleteLinksB   = `DELETE FROM match_links WHERE b = ?`
	sqlInsertLink     = `INSERT OR IGNORE INTO match_links (a, a_path, b, b_path, a_audience, b_audience, score, entity, matched, reasons, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlMarkMatched = `INSERT INTO match_state (id, version, seq) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, seq = excluded.seq`
	sqlLinksOf = `SELECT a, b, a_audience, b_audience, score, entity, matched, reasons, created FROM match_links WHERE a = ?
		UNION ALL
		SELECT b, a, b_audience, a_audience, score, matched, entity, reasons, created FROM match_links WHERE b = ?`
	sqlUnmatched = `SELECT r.id FROM records r LEFT JOIN match_state m ON m.id = r.id
		WHERE m.version IS NULL OR m.version <> r.version ORDER BY r.rid LIMIT ?`
	sqlMatchMarks      = `SELECT id, version, seq FROM match_state WHERE seq > ? ORDER BY seq LIMIT ?`
	sqlInsertExclusion = `INSERT INTO match_exclusions (type, value, reason, actor, created) VALUES (?, ?, ?, ?, ?) RETURNING id`
	sqlExclusions      = `SELECT id, type, value, reason, actor, created FROM match_exclusions ORDER BY id`
	sqlDeleteExclusion = `DELETE FROM match_exclusions WHERE id = ?`
)

// WalkRecords streams the latest version of every record, in rowid order,
// from one read transaction.
func (db *DB) WalkRecords(ctx context.Context, fn func(*intel.Record) error) error {
	rows, err := db.read.QueryContext(ctx, sqlWalkRecords)
	if err != nil {
		return fmt.Errorf("walk records: %w", mapErr(err, "records"))
	}
	defer rows.Close()
	var body []byte
	for rows.Next() {
		if err := rows.Scan(&body); err != nil {
			return fmt.Errorf("walk records: %w", err)
		}
		r, err := decode(body)
		if err != nil {
			return fmt.Errorf("walk records: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("walk records: %w", mapErr(err, "records"))
	}
	return nil
}

// encodedLink is a link with its JSON columns encoded.
type encodedLink struct {
	entity, matched, reasons []byte
}

func encodeLink(l store.MatchLink) (encodedLink, error) {
	var e encodedLink
	var err error
	if e.entity, err = json.Marshal(l.Entity); err != nil {
		return e, fmt.Errorf("encode link entity: %w", err)
	}
	if e.matched, err = json.Marshal(l.Matched); err != nil {
		return e, fmt.Errorf("encode link entity: %w", err)
	}
	reasons := l.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	if e.reasons, err = json.Marshal(reasons); err != nil {
		return e, fmt.Errorf("encode link reasons: %w", err)
	}
	return e, nil
}

// PutMatches replaces the links of each set's record and marks it matched.
func (db *DB) PutMatches(ctx context.Context, sets []store.MatchSet) error {
	if len(sets) == 0 {
		return nil
	}
	enc := make([][]encodedLink, len(sets))
	for i, s := range sets {
		if s.Record == "" {
			return fault.Field("record", "is required")
		}
		enc[i] = make([]encodedLink, len(s.Links))
		for j, l := range s.Links {
			e, err := encodeLink(l)
			if err != nil {
				return err
			}
			enc[i][j] = e
		}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, sqlMaxMatchSeq).Scan(&seq); err != nil {
			return mapErr(err, "match state")
		}
		st, err := prepareAll(ctx, tx, sqlMatchedVersion, sqlDeleteLinksA, sqlDeleteLinksB, sqlInsertLink, sqlMarkMatched)
		if err != nil {
			return err
		}
		defer closeAll(st)
		now := formatTime(db.now())
		for i, s := range sets {
			var held int
			switch err := st[0].QueryRowContext(ctx, s.Record).Scan(&held); {
			case err == sql.ErrNoRows:
			case err != nil:
				return mapErr(err, "match state of "+s.Record)
			case held > s.Version:
				continue
			}
			if _, err := st[1].ExecContext(ctx, s.Record); err != nil {
				return mapErr(err, "links of "+s.Record)
			}
			if _, err := st[2].ExecContext(ctx, s.Record); err != nil {
				return mapErr(err, "links of "+s.Record)
			}
			for j, l := range s.Links {
				created := now
				if !l.Created.IsZero() {
					created = formatTime(l.Created)
				}
				e := enc[i][j]
				if _, err := st[3].ExecContext(ctx, s.Record, l.Entity.Path, l.Other, l.Matched.Path, l.RecordAudience,
					l.OtherAudience, l.Score, string(e.entity), string(e.matched), string(e.reasons), created); err != nil {
					return mapErr(err, "link of "+s.Record)
				}
			}
			seq++
			if _, err := st[4].ExecContext(ctx, s.Record, s.Version, seq); err != nil {
				return mapErr(err, "match state of "+s.Record)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put matches of %d records: %w", len(sets), err)
	}
	return nil
}

func prepareAll(ctx context.Context, tx *sql.Tx, queries ...string) ([]*sql.Stmt, error) {
	out := make([]*sql.Stmt, 0, len(queries))
	for _, q := range queries {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			closeAll(out)
			return nil, mapErr(err, "statement")
		}
		out = append(out, st)
	}
	return out, nil
}

func closeAll(sts []*sql.Stmt) {
	for _, st := range sts {
		st.Close()
	}
}

// Matches returns the links of a record, best first.
func (db *DB) Matches(ctx context.Context, recordID string) ([]store.MatchLink, error) {
	rows, err := db.query(ctx, sqlLinksOf, recordID, recordID)
	if err != nil {
		return nil, fmt.Errorf("matches of %s: %w", recordID, mapErr(err, "links"))
	}
	defer rows.Close()
	out := []store.MatchLink{}
	for rows.Next() {
		var l store.MatchLink
		var entity, matched, reasons []byte
		var created string
		if err := rows.Scan(&l.Record, &l.Other, &l.RecordAudience, &l.OtherAudience, &l.Score, &entity, &matched, &reasons, &created); err != nil {
			return nil, fmt.Errorf("matches of %s: %w", recordID, err)
		}
		if err := decodeLink(&l, entity, matched, reasons); err != nil {
			return nil, fmt.Errorf("matches of %s: %w", recordID, err)
		}
		if l.Created, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("matches of %s: %w", recordID, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("matches of %s: %w", recordID, mapErr(err, "links"))
	}
	store.SortLinks(out)
	return out, nil
}

func decodeLink(l *store.MatchLink, entity, matched, reasons []byte) error {
	if err := json.Unmarshal(entity, &l.Entity); err != nil {
		return fmt.Errorf("decode stored link: %w", err)
	}
	if err := json.Unmarshal(matched, &l.Matched); err != nil {
		return fmt.Errorf("decode stored link: %w", err)
	}
	if err := json.Unmarshal(reasons, &l.Reasons); err != nil {
		return fmt.Errorf("decode stored link: %w", err)
	}
	return nil
}

// Unmatched returns records whose latest version is not marked matched.
func (db *DB) Unmatched(ctx context.Context, limit int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, sqlUnmatched, limit)
	if err != nil {
		return nil, fmt.Errorf("unmatched records: %w", mapErr(err, "records"))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("unmatched records: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unmatched records: %w", mapErr(err, "records"))
	}
	return out, nil
}

// MatchMarks returns the marks written after seq.
func (db *DB) MatchMarks(ctx context.Context, after int64, limit int) ([]store.MatchMark, error) {
	rows, err := db.query(ctx, sqlMatchMarks, after, limit)
	if err != nil {
		return nil, fmt.Errorf("match marks after %d: %w", after, mapErr(err, "match state"))
	}
	defer rows.Close()
	var out []store.MatchMark
	for rows.Next() {
		var m store.MatchMark
		if err := rows.Scan(&m.ID, &m.Version, &m.Seq); err != nil {
			return nil, fmt.Errorf("match marks after %d: %w", after, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("match marks after %d: %w", after, mapErr(err, "match state"))
	}
	return out, nil
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
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, sqlInsertExclusion, x.Type, x.Value, x.Reason, x.Actor, formatTime(x.Created)).Scan(&x.ID); err != nil {
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
	rows, err := db.query(ctx, sqlExclusions)
	if err != nil {
		return nil, fmt.Errorf("list match exclusions: %w", mapErr(err, "match exclusions"))
	}
	defer rows.Close()
	out := []store.MatchExclusion{}
	for rows.Next() {
		var x store.MatchExclusion
		var created string
		if err := rows.Scan(&x.ID, &x.Type, &x.Value, &x.Reason, &x.Actor, &created); err != nil {
			return nil, fmt.Errorf("list match exclusions: %w", err)
		}
		if x.Created, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("list match exclusions: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list match exclusions: %w", mapErr(err, "match exclusions"))
	}
	return out, nil
}

// DeleteMatchExclusion removes an exclusion and appends its audit event.
func (db *DB) DeleteMatchExclusion(ctx context.Context, id int64, ev audit.Event) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlDeleteExclusion, id)
		if err != nil {
			return mapErr(err, "match exclusion")
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
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
