package postgres

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// Every insert takes whole columns as arrays, so that a batch of any size is
// one statement per table and an update is the same statement with one row.
const (
	sqlInsertRecords = `INSERT INTO records (id, kind, originator, version, status, event_date, created, updated, search)
		SELECT u.id, u.kind, u.originator, u.version, u.status, u.event_date, u.created, u.updated,
			to_tsvector('simple', u.words)
		FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::text[],
			$7::timestamptz[], $8::timestamptz[], $9::text[])
			AS u (id, kind, originator, version, status, event_date, created, updated, words)`
	sqlInsertVersions = `INSERT INTO record_versions (id, version, body)
		SELECT u.id, u.version, u.body::json FROM unnest($1::text[], $2::int4[], $3::text[]) AS u (id, version, body)`
	sqlInsertCategories = `INSERT INTO record_categories (id, category)
		SELECT u.id, u.category FROM unnest($1::text[], $2::text[]) AS u (id, category)`
	sqlFirstExisting = `SELECT id FROM records WHERE id = ANY($1::text[]) ORDER BY id LIMIT 1`
	sqlUpdateRecord  = `UPDATE records SET kind = $3, originator = $4, version = $5, status = $6, event_date = $7,
		created = $8, updated = $9, search = to_tsvector('simple', $10)
		WHERE id = $1 AND version = $2`
	sqlRecordVersion    = `SELECT version FROM records WHERE id = $1`
	sqlDeleteCategories = `DELETE FROM record_categories WHERE id = $1`
	sqlGetRecord        = `SELECT v.body FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version
		WHERE r.id = $1`
	sqlGetVersion   = `SELECT body FROM record_versions WHERE id = $1 AND version = $2`
	sqlHistory      = `SELECT body FROM record_versions WHERE id = $1 ORDER BY version`
	sqlCountRecords = `SELECT count(*) FROM records`
)

// row is a record ready to be written.
type row struct {
	r         *intel.Record
	body      string
	sum       audit.Digest // of body, which the record's audit entry vouches for
	words     string
	cats      []string
	eventDate string
}

// checkRecord refuses a record the store cannot keep.
func checkRecord(r *intel.Record) error {
	switch {
	case r == nil:
		return fault.E(fault.Invalid, "record is missing")
	case r.ID == "":
		return fault.Field("id", "is required")
	case r.Version < 1:
		return fault.Field("version", "must be at least 1")
	}
	return nil
}

func encode(r *intel.Record) (row, error) {
	body, err := intel.AppendJSON(nil, r)
	if err != nil {
		return row{}, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	return row{r: r, body: string(body), sum: audit.DigestOf(r.Version, body), words: searchWords(intel.SearchText(r)),
		cats: intel.Categories(r), eventDate: intel.EventDate(r)}, nil
}

// searchWords is what the full-text vector is built from and what a query
// is matched with: the store.SearchTerms of text, accents removed (SQLite's
// tokenizer does the same with remove_diacritics), joined by spaces so that
// PostgreSQL's parser sees nothing but words.
func searchWords(text string) string {
	terms := store.SearchTerms(text)
	if len(terms) == 0 {
		return ""
	}
	words := strings.Join(terms, " ")
	if isASCII(words) {
		return words
	}
	noMarks := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(noMarks, words)
	if err != nil {
		return words
	}
	return folded
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// encodeMin is the batch size from which encoding is spread over the CPUs.
const encodeMin = 64

// encodeBatch refuses a batch with a record the store cannot keep or an id
// that appears twice, and encodes the rest, in parallel when it is large.
func encodeBatch(rs []*intel.Record) ([]row, error) {
	seen := make(map[string]struct{}, len(rs))
	for i, r := range rs {
		if err := checkRecord(r); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		if _, dup := seen[r.ID]; dup {
			return nil, fault.E(fault.Conflict, "record %s appears twice in the batch", r.ID)
		}
		seen[r.ID] = struct{}{}
	}
	rows := make([]row, len(rs))
	errs := make([]error, len(rs))
	workers := 1
	if len(rs) >= encodeMin {
		workers = runtime.GOMAXPROCS(0)
	}
	per := (len(rs) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(rs); lo += per {
		wg.Go(func() {
			for i := lo; i < min(lo+per, len(rs)); i++ {
				if rows[i], errs[i] = encode(rs[i]); errs[i] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
	}
	return rows, nil
}

// columns turns rows into the column arrays the inserts take.
type columns struct {
	ids, kinds, originators, statuses, eventDates, words, bodies []string
	versions                                                     []int32
	created, updated                                             []*time.Time
	catIDs, cats                                                 []string
}

func columnsOf(rows []row) columns {
	n := len(rows)
	c := columns{ids: make([]string, n), kinds: make([]string, n), originators: make([]string, n),
		statuses: make([]string, n), eventDates: make([]string, n), words: make([]string, n),
		bodies: make([]string, n), versions: make([]int32, n), created: make([]*time.Time, n),
		updated: make([]*time.Time, n)}
	for i, w := range rows {
		r := w.r
		c.ids[i], c.kinds[i], c.originators[i], c.statuses[i] = r.ID, string(r.Kind), r.Originator, string(r.Status)
		c.eventDates[i], c.words[i], c.bodies[i], c.versions[i] = w.eventDate, w.words, w.body, int32(r.Version)
		c.created[i], c.updated[i] = r.Created, r.Updated
		for _, cat := range w.cats {
			c.catIDs = append(c.catIDs, r.ID)
			c.cats = append(c.cats, cat)
		}
	}
	return c
}

// CreateRecords stores new records and their audit entries in one
// transaction: one statement per table for the whole batch, sent together.
func (db *DB) CreateRecords(ctx context.Context, rs []*intel.Record, evs []audit.Event) error {
	return db.createRecords(ctx, rs, evs, nil)
}

// createRecords is CreateRecords with first, when not nil, run first in
// the transaction: an error it returns rolls everything back.
func (db *DB) createRecords(ctx context.Context, rs []*intel.Record, evs []audit.Event, first func(pgx.Tx) error) error {
	if len(rs) != len(evs) {
		return fault.E(fault.Invalid, "%d records but %d audit events", len(rs), len(evs))
	}
	if len(rs) == 0 {
		return nil
	}
	rows, err := encodeBatch(rs)
	if err != nil {
		return fmt.Errorf("create records: %w", err)
	}
	c := columnsOf(rows)
	vs := make([]audit.Vouch, len(rows))
	for i, w := range rows {
		vs[i] = audit.Vouch{Record: w.r.ID, Digests: []audit.Digest{w.sum}}
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if first != nil {
			if err := first(tx); err != nil {
				return err
			}
		}
		b := &pgx.Batch{}
		b.Queue(sqlInsertRecords, c.ids, c.kinds, c.originators, c.versions, c.statuses, c.eventDates,
			c.created, c.updated, c.words)
		b.Queue(sqlInsertVersions, c.ids, c.versions, c.bodies)
		b.Queue(sqlInsertCategories, c.catIDs, c.cats)
		if err := sendAll(ctx, tx, b); err != nil {
			return mapErr(err, "record")
		}
		_, err := db.appendAuditVouching(ctx, tx, evs, vs)
		return err
	})
	if fault.Is(err, fault.Conflict) {
		// Name a record that was there before; the transaction is gone, so
		// this reads what other transactions committed.
		var id string
		if qerr := db.pool.QueryRow(ctx, sqlFirstExisting, c.ids).Scan(&id); qerr == nil {
			err = fault.Wrap(fault.Conflict, err, "record %s already exists", id)
		}
	}
	if err != nil {
		return fmt.Errorf("create records: %w", err)
	}
	return nil
}

// sendAll sends a batch of statements in one round trip and returns the
// first error.
func sendAll(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	br := tx.SendBatch(ctx, b)
	for range b.Len() {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	return br.Close()
}

// UpdateRecord stores r as the next version of its record.
func (db *DB) UpdateRecord(ctx context.Context, r *intel.Record, ev audit.Event) error {
	if err := checkRecord(r); err != nil {
		return fmt.Errorf("update record: %w", err)
	}
	w, err := encode(r)
	if err != nil {
		return fmt.Errorf("update record %s: %w", r.ID, err)
	}
	c := columnsOf([]row{w})
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlUpdateRecord, r.ID, r.Version-1, string(r.Kind), r.Originator, r.Version,
			string(r.Status), w.eventDate, r.Created, r.Updated, w.words)
		if err != nil {
			return mapErr(err, "record "+r.ID)
		}
		if tag.RowsAffected() == 0 {
			var stored int
			if err := tx.QueryRow(ctx, sqlRecordVersion, r.ID).Scan(&stored); err != nil {
				return mapErr(err, "record "+r.ID)
			}
			return fault.E(fault.Conflict, "record %s is at version %d; version %d cannot follow it", r.ID, stored, r.Version)
		}
		b := &pgx.Batch{}
		b.Queue(sqlInsertVersions, c.ids, c.versions, c.bodies)
		b.Queue(sqlDeleteCategories, r.ID)
		b.Queue(sqlInsertCategories, c.catIDs, c.cats)
		if err := sendAll(ctx, tx, b); err != nil {
			return mapErr(err, "record "+r.ID)
		}
		_, err = db.appendAuditVouching(ctx, tx, []audit.Event{ev}, []audit.Vouch{{Record: r.ID, Digests: []audit.Digest{w.sum}}})
		return err
	})
	if err != nil {
		return fmt.Errorf("update record %s: %w", r.ID, err)
	}
	return nil
}

// GetRecord returns the latest version of a record.
func (db *DB) GetRecord(ctx context.Context, id string) (*intel.Record, error) {
	r, err := db.getOne(ctx, "record "+id, sqlGetRecord, id)
	if err != nil {
		return nil, fmt.Errorf("get record %s: %w", id, err)
	}
	return r, nil
}

// RecordHead reads a record's originator, status and version from its row
// in records.
func (db *DB) RecordHead(ctx context.Context, id string) (store.RecordHead, error) {
	var h store.RecordHead
	err := db.pool.QueryRow(ctx, `SELECT originator, status, version FROM records WHERE id = $1`, id).
		Scan(&h.Originator, &h.Status, &h.Version)
	if err != nil {
		return store.RecordHead{}, fmt.Errorf("record head %s: %w", id, mapErr(err, "record "+id))
	}
	return h, nil
}

// RecordHeads reads the heads of the records of ids held, with one query.
func (db *DB) RecordHeads(ctx context.Context, ids []string) (map[string]store.RecordHead, error) {
	out := make(map[string]store.RecordHead, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, originator, status, version FROM records WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("record heads: %w", mapErr(err, "records"))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id string
			h  store.RecordHead
		)
		if err := rows.Scan(&id, &h.Originator, &h.Status, &h.Version); err != nil {
			return nil, fmt.Errorf("record heads: %w", err)
		}
		out[id] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("record heads: %w", mapErr(err, "records"))
	}
	return out, nil
}

// GetRecordVersion returns one version of a record.
func (db *DB) GetRecordVersion(ctx context.Context, id string, version int) (*intel.Record, error) {
	r, err := db.getOne(ctx, fmt.Sprintf("record %s version %d", id, version), sqlGetVersion, id, version)
	if err != nil {
		return nil, fmt.Errorf("get record %s version %d: %w", id, version, err)
	}
	return r, nil
}

func (db *DB) getOne(ctx context.Context, subject, query string, args ...any) (*intel.Record, error) {
	var body []byte
	if err := db.pool.QueryRow(ctx, query, args...).Scan(&body); err != nil {
		return nil, mapErr(err, subject)
	}
	return decode(body)
}

// RecordHistory returns every version of a record, oldest first.
func (db *DB) RecordHistory(ctx context.Context, id string) ([]*intel.Record, error) {
	rs, err := db.queryRecords(ctx, sqlHistory, id)
	if err != nil {
		return nil, fmt.Errorf("record history %s: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, fault.E(fault.NotFound, "record %s not found", id)
	}
	return rs, nil
}

// ListRecords filters and pages records, newest id first.
func (db *DB) ListRecords(ctx context.Context, q store.RecordQuery) (store.RecordPage, error) {
	q, err := q.Checked()
	if err != nil {
		return store.RecordPage{}, err
	}
	if q.Text != "" && searchWords(q.Text) == "" {
		return store.RecordPage{}, nil
	}
	query, args := listQuery(q)
	rs, err := db.queryRecords(ctx, query, args...)
	if err != nil {
		return store.RecordPage{}, fmt.Errorf("list records: %w", err)
	}
	var page store.RecordPage
	if len(rs) > q.Limit {
		rs = rs[:q.Limit]
		page.Next = rs[len(rs)-1].ID
	}
	page.Records = rs
	return page, nil
}

// listQuery builds the one listing query from a checked RecordQuery. It asks
// for one row more than the limit to learn whether another page exists.
func listQuery(q store.RecordQuery) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		for _, v := range a {
			args = append(args, v)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		where = append(where, cond)
	}
	if q.Kind != "" {
		add("r.kind = ?", string(q.Kind))
	}
	if q.Originator != "" {
		add("r.originator = ?", q.Originator)
	}
	if q.Status != "" {
		add("r.status = ?", string(q.Status))
	}
	if q.From != "" {
		add("r.event_date >= ?", q.From)
	}
	if q.To != "" {
		add("r.event_date <= ?", q.To)
	}
	if q.Category != "" {
		lo, hi := store.CategoryBounds(q.Category)
		add(`EXISTS (SELECT 1 FROM record_categories c WHERE c.id = r.id
			AND (c.category = ? OR (c.category >= ? AND c.category < ?)))`, q.Category, lo, hi)
	}
	if q.Text != "" {
		add("r.search @@ plainto_tsquery('simple', ?)", searchWords(q.Text))
	}
	if q.Cursor != "" {
		add("r.id < ?", q.Cursor)
	}
	// The page is chosen on records alone and only its rows are joined to
	// their bodies.
	var b strings.Builder
	b.WriteString("SELECT v.body FROM (SELECT r.id, r.version FROM records r")
	if len(where) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(where, " AND "))
	}
	args = append(args, q.Limit+1)
	fmt.Fprintf(&b, " ORDER BY r.id DESC LIMIT $%d) p JOIN record_versions v ON v.id = p.id AND v.version = p.version", len(args))
	b.WriteString(" ORDER BY p.id DESC")
	return b.String(), args
}

func (db *DB) queryRecords(ctx context.Context, query string, args ...any) ([]*intel.Record, error) {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, "records")
	}
	defer rows.Close()
	var rs []*intel.Record
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		r, err := decode(body)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "records")
	}
	return rs, nil
}

// CountRecords returns how many records are stored.
func (db *DB) CountRecords(ctx context.Context) (int64, error) {
	var n int64
	if err := db.pool.QueryRow(ctx, sqlCountRecords).Scan(&n); err != nil {
		return 0, fmt.Errorf("count records: %w", mapErr(err, "records"))
	}
	return n, nil
}

// decode reads a stored body (intel.DecodeJSON: the plain reader for
// what the encoder wrote, encoding/json for anything else).
func decode(body []byte) (*intel.Record, error) {
	var r intel.Record
	if err := intel.DecodeJSON(body, &r); err != nil {
		return nil, fmt.Errorf("decode stored record: %w", err)
	}
	return &r, nil
}
