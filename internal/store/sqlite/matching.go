package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

const (
	sqlWalkRecords = `SELECT v.body FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version
		ORDER BY r.rid`
	sqlInsertExclusion = `INSERT INTO match_exclusions (type, value, reason, actor, created) VALUES (?, ?, ?, ?, ?) RETURNING id`
	sqlExclusions      = `SELECT id, type, value, reason, actor, created FROM match_exclusions ORDER BY id`
	sqlDeleteExclusion = `DELETE FROM match_exclusions WHERE id = ?`
)

// Statements on links.db's writer.
const (
	sqlLinksSeq     = `SELECT seq FROM state`
	sqlSetLinksSeq  = `UPDATE state SET seq = ?`
	sqlDeleteLinksA = `DELETE FROM match_links WHERE id >= ? AND id < ?`
	sqlDeleteLinksB = `DELETE FROM match_links WHERE b = ?`
	sqlMarkMatched  = `UPDATE match_records SET version = ?, seq = ? WHERE n = ?`
)

// Reads of links.db, attached to the readers as "links" beside the records.
const (
	sqlLinksOf = `SELECT o.id, l.a_path, l.b_path, l.a_audience, l.b_audience, l.score, l.reasons, l.created
		FROM links.match_records r
		JOIN links.match_links l ON l.id >= r.n << 20 AND l.id < (r.n + 1) << 20
		JOIN links.match_records o ON o.n = l.b
		WHERE r.id = ?1
		UNION ALL
		SELECT o.id, l.b_path, l.a_path, l.b_audience, l.a_audience, l.score, l.reasons, l.created
		FROM links.match_records r
		JOIN links.match_links l ON l.b = r.n
		JOIN links.match_records o ON o.n = l.id >> 20
		WHERE r.id = ?1`
	sqlUnmatched = `SELECT r.id FROM records r LEFT JOIN links.match_records m ON m.id = r.id
		WHERE m.version IS NULL OR m.version <> r.version ORDER BY r.rid LIMIT ?`
	sqlMatchMarks = `SELECT id, version, seq FROM links.match_records WHERE seq > ? ORDER BY seq LIMIT ?`
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

// linkRow is the number of columns of a stored link, linkChunk how many
// links one INSERT statement writes.
const (
	linkRow   = 9
	linkChunk = 64
)

// linkInsert returns an INSERT of n links. OR ROLLBACK, since a failed
// insert fails the whole transaction anyway, spares SQLite the statement
// journal a multi-row insert otherwise keeps (written to a file of its own
// once a statement changes more than a few pages).
func linkInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT OR ROLLBACK INTO match_links (id, b, a_path, b_path, a_audience, b_audience, score, reasons, created) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	return b.String()
}

// numberChunk is how many records one statement looks up or numbers.
const numberChunk = 256

// placeholders returns n comma-separated parameters.
func placeholders(n int, one string) string {
	return strings.TrimSuffix(strings.Repeat(one+",", n), ",")
}

// linkKey is what makes a link of a set distinct.
type linkKey struct{ other, path, matched string }

// matchRecord is what PutMatches knows of a record in links.db: its
// number, the version marked matched (0 for none), whether it has links of
// its own (it was matched) and whether links of others may name it.
type matchRecord struct {
	n       int64
	held    int
	matched bool
	named   bool
}

// checkSets refuses sets that could not be stored whole, naming the field.
func checkSets(sets []store.MatchSet) error {
	for i, s := range sets {
		if s.Record == "" {
			return fault.Field("record", "is required")
		}
		if len(s.Links) >= maxSetLinks {
			return fault.Field(fmt.Sprintf("sets[%d].links", i), "has %d links; at most %d are kept for one record", len(s.Links), maxSetLinks-1)
		}
		for j, l := range s.Links {
			if l.Other == "" {
				return fault.Field(fmt.Sprintf("sets[%d].links[%d].other", i, j), "is required")
			}
		}
	}
	return nil
}

// numberRecords returns what links.db holds of every record the sets name,
// numbering those it does not know yet, a few hundred to a statement.
func numberRecords(ctx context.Context, tx *sql.Tx, sets []store.MatchSet) (map[string]*matchRecord, error) {
	recs := map[string]*matchRecord{}
	var ids []string
	add := func(id string) {
		if _, ok := recs[id]; !ok {
			recs[id] = nil
			ids = append(ids, id)
		}
	}
	for _, s := range sets {
		add(s.Record)
		for _, l := range s.Links {
			add(l.Other)
		}
	}
	args := make([]any, 0, numberChunk)
	for lo := 0; lo < len(ids); lo += numberChunk {
		chunk := ids[lo:min(lo+numberChunk, len(ids))]
		args = args[:0]
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, n, version FROM match_records WHERE id IN (`+placeholders(len(chunk), "?")+`)`, args...)
		if err != nil {
			return nil, mapErr(err, "match state")
		}
		for rows.Next() {
			var id string
			var v sql.NullInt64
			r := &matchRecord{named: true}
			if err := rows.Scan(&id, &r.n, &v); err != nil {
				rows.Close()
				return nil, mapErr(err, "match state")
			}
			r.held, r.matched = int(v.Int64), v.Valid
			recs[id] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(err, "match state")
		}
	}
	var missing []any
	for _, id := range ids {
		if recs[id] == nil {
			missing = append(missing, id)
		}
	}
	for lo := 0; lo < len(missing); lo += numberChunk {
		chunk := missing[lo:min(lo+numberChunk, len(missing))]
		rows, err := tx.QueryContext(ctx, `INSERT OR ROLLBACK INTO match_records (id) VALUES `+placeholders(len(chunk), "(?)")+` RETURNING id, n`, chunk...)
		if err != nil {
			return nil, mapErr(err, "match state")
		}
		for rows.Next() {
			var id string
			r := &matchRecord{}
			if err := rows.Scan(&id, &r.n); err != nil {
				rows.Close()
				return nil, mapErr(err, "match state")
			}
			recs[id] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(err, "match state")
		}
	}
	for _, id := range ids {
		if recs[id] == nil {
			return nil, fmt.Errorf("number record %s for its links: not numbered", id)
		}
	}
	return recs, nil
}

// PutMatches replaces the links of each set's record and marks it matched,
// in one transaction of links.db, so that a record is marked matched at a
// version exactly when its links are stored, and the main database's
// writer is never held. Records are numbered a few hundred to a statement
// and links written many to a statement; the deletes that replacing needs
// are skipped for a record that has no links of its own yet, or that no
// link names.
func (db *DB) PutMatches(ctx context.Context, sets []store.MatchSet) error {
	if len(sets) == 0 {
		return nil
	}
	if err := checkSets(sets); err != nil {
		return err
	}
	err := inTxOn(ctx, db.linksW, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, sqlLinksSeq).Scan(&seq); err != nil {
			return mapErr(err, "match state")
		}
		recs, err := numberRecords(ctx, tx, sets)
		if err != nil {
			return err
		}
		st, err := prepareAll(ctx, tx, sqlDeleteLinksA, sqlDeleteLinksB, linkInsert(linkChunk), sqlMarkMatched)
		if err != nil {
			return err
		}
		defer closeAll(st)
		created := db.now().UnixMicro()
		args := make([]any, 0, linkRow*linkChunk)
		pending := map[int64]bool{} // records named by links not yet written
		flush := func() error {
			clear(pending)
			if len(args) == 0 {
				return nil
			}
			var err error
			if len(args) == linkRow*linkChunk {
				_, err = st[2].ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, linkInsert(len(args)/linkRow), args...)
			}
			args = args[:0]
			return mapErr(err, "links")
		}
		seen := map[linkKey]bool{}
		for _, s := range sets {
			r := recs[s.Record]
			if r.held > s.Version {
				continue
			}
			// Matching a record replaces every link it is in, those of
			// this transaction not yet written included.
			if pending[r.n] {
				if err := flush(); err != nil {
					return err
				}
			}
			first := r.n << linkSlotBits
			if r.matched {
				if _, err := st[0].ExecContext(ctx, first, first+maxSetLinks); err != nil {
					return mapErr(err, "links of "+s.Record)
				}
			}
			if r.named {
				if _, err := st[1].ExecContext(ctx, r.n); err != nil {
					return mapErr(err, "links of "+s.Record)
				}
			}
			clear(seen)
			slot := first
			for _, l := range s.Links {
				k := linkKey{l.Other, l.Entity.Path, l.Matched.Path}
				if seen[k] {
					continue
				}
				seen[k] = true
				o := recs[l.Other]
				reasons, err := encodeReasons(l.Reasons)
				if err != nil {
					return err
				}
				at := created
				if !l.Created.IsZero() {
					at = l.Created.UnixMicro()
				}
				args = append(args, slot, o.n, l.Entity.Path, l.Matched.Path, l.RecordAudience, l.OtherAudience, l.Score, reasons, at)
				slot++
				o.named = true
				pending[r.n], pending[o.n] = true, true
				if len(args) == linkRow*linkChunk {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			seq++
			if _, err := st[3].ExecContext(ctx, s.Version, seq, r.n); err != nil {
				return mapErr(err, "match state of "+s.Record)
			}
			r.held, r.matched = s.Version, true
		}
		if err := flush(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, sqlSetLinksSeq, seq)
		return mapErr(err, "match state")
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
	rows, err := db.query(ctx, sqlLinksOf, recordID)
	if err != nil {
		return nil, fmt.Errorf("matches of %s: %w", recordID, mapErr(err, "links"))
	}
	defer rows.Close()
	out := []store.MatchLink{}
	for rows.Next() {
		l := store.MatchLink{Record: recordID}
		var reasons string
		var created int64
		if err := rows.Scan(&l.Other, &l.Entity.Path, &l.Matched.Path, &l.RecordAudience, &l.OtherAudience, &l.Score, &reasons, &created); err != nil {
			return nil, fmt.Errorf("matches of %s: %w", recordID, err)
		}
		if l.Reasons, err = decodeReasons(reasons); err != nil {
			return nil, fmt.Errorf("matches of %s: %w", recordID, err)
		}
		l.Created = time.UnixMicro(created).UTC()
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("matches of %s: %w", recordID, mapErr(err, "links"))
	}
	store.SortLinks(out)
	return out, nil
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
