package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
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
	sqlLinksSeq     = `SELECT seq, refs_new, refs_main FROM state`
	sqlSetLinksSeq  = `UPDATE state SET seq = ?, refs_new = ?, refs_main = ?`
	sqlOldSet       = `SELECT links FROM match_sets WHERE n = ?`
	sqlDeleteRef    = `DELETE FROM match_refs WHERE b = ? AND a = ?`
	sqlDeleteRefNew = `DELETE FROM match_refs_new WHERE b = ? AND a = ?`
	sqlCountRefsNew = `SELECT count(*) FROM match_refs_new`
	sqlMergeRefs    = `INSERT OR IGNORE INTO match_refs (b, a) SELECT b, a FROM match_refs_new ORDER BY b, a`
	sqlEmptyRefsNew = `DELETE FROM match_refs_new`
	sqlPutSet       = `INSERT INTO match_sets (n, links) VALUES (?, ?) ON CONFLICT (n) DO UPDATE SET links = excluded.links`
	sqlDeleteSet    = `DELETE FROM match_sets WHERE n = ?`
	sqlMarkMatched  = `UPDATE match_records SET version = ?, seq = ? WHERE n = ?`
)

// Reads of links.db, attached to the readers as "links" beside the records.
const (
	sqlLinksRecord = `SELECT r.n, coalesce(r.seq, 0), s.links FROM links.match_records r
		LEFT JOIN links.match_sets s ON s.n = r.n WHERE r.id = ?`
	sqlLinksNaming = `SELECT a.n, a.id, coalesce(a.seq, 0), s.links FROM
		(SELECT a FROM links.match_refs WHERE b = ?1 UNION SELECT a FROM links.match_refs_new WHERE b = ?1) f
		JOIN links.match_records a ON a.n = f.a JOIN links.match_sets s ON s.n = f.a
		WHERE a.seq > ?2`
	sqlLinkedRecords = `SELECT n, id, coalesce(seq, 0) FROM links.match_records WHERE n IN (` +
		`?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUnmatched = `SELECT r.id FROM records r LEFT JOIN links.match_records m ON m.id = r.id
		WHERE r.id > ? AND (m.version IS NULL OR m.version <> r.version) ORDER BY r.id LIMIT ?`
	sqlMatchMarks     = `SELECT id, version, seq FROM links.match_records WHERE seq > ? ORDER BY seq LIMIT ?`
	sqlMatchedVersion = `SELECT version FROM links.match_records WHERE id = ?`
)

// WalkRecords streams the latest version of every record, in rowid order,
// from one read transaction, decoding them on every core
// (store.WalkDecoded).
func (db *DB) WalkRecords(ctx context.Context, fn func(*intel.Record) error) error {
	rows, err := db.read.QueryContext(ctx, sqlWalkRecords)
	if err != nil {
		return fmt.Errorf("walk records: %w", mapErr(err, "records"))
	}
	defer rows.Close()
	// The bodies are decoded on every core while the cursor reads on.
	next := func() ([]byte, bool, error) {
		if !rows.Next() {
			return nil, false, nil
		}
		var body []byte // Scan copies into a new slice, which stays as it is
		if err := rows.Scan(&body); err != nil {
			return nil, false, fmt.Errorf("walk records: %w", err)
		}
		return body, true, nil
	}
	if err := store.WalkDecoded(next, store.DecodeForMatching, fn); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("walk records: %w", mapErr(err, "records"))
	}
	return nil
}

// linkedChunk is how many records sqlLinkedRecords reads at a time.
const linkedChunk = 32

// numberChunk is how many records (or references) one statement looks up,
// numbers or writes.
const numberChunk = 256

// placeholders returns n comma-separated copies of one.
func placeholders(n int, one string) string {
	return strings.TrimSuffix(strings.Repeat(one+",", n), ",")
}

// linkKey is what makes a link of a set distinct.
type linkKey struct{ other, path, matched string }

// matchRecord is what PutMatches knows of a record in links.db: its
// number, the version marked matched (0 for none) and whether a set of
// links was stored for it before this transaction.
type matchRecord struct {
	n      int64
	held   int
	stored bool
}

// checkSets refuses sets that could not be stored whole, naming the field.
func checkSets(sets []store.MatchSet) error {
	for i, s := range sets {
		if s.Record == "" {
			return fault.Field("record", "is required")
		}
		for j, l := range s.Links {
			if l.Other == "" {
				return fault.Field(fmt.Sprintf("sets[%d].links[%d].other", i, j), "is required")
			}
		}
	}
	return nil
}

// numberCache is how many record numbers a process keeps in memory, so
// that the records a set names are mostly numbered without a look-up.
// Numbers are never reused while links.db lives, and it is only replaced
// at Open, so a kept number stays right; past this size the cache starts
// again empty.
const numberCache = 1 << 18

// numbers keeps record numbers of links.db known to be committed.
type numbers struct {
	mu sync.Mutex
	n  map[string]int64
}

// get numbers the records of ids it knows in recs and returns the others.
func (c *numbers) get(ids []string, recs map[string]*matchRecord) (unknown []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	known := make([]matchRecord, 0, len(ids))
	for _, id := range ids {
		if n, ok := c.n[id]; ok {
			known = append(known, matchRecord{n: n})
			recs[id] = &known[len(known)-1]
		} else {
			unknown = append(unknown, id)
		}
	}
	return unknown
}

// keep adds the numbers of a committed transaction.
func (c *numbers) keep(recs map[string]*matchRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil || len(c.n)+len(recs) > numberCache {
		c.n = make(map[string]int64, len(recs))
	}
	for id, r := range recs {
		c.n[id] = r.n
	}
}

// numberRecords returns what links.db holds of every record the sets name,
// numbering those it does not know yet, a few hundred to a statement. Of
// the sets' own records it reads the mark and whether a set is stored; of
// the records their links name only the number is needed, which the cache
// mostly has.
func (db *DB) numberRecords(ctx context.Context, tx *sql.Tx, sets []store.MatchSet) (map[string]*matchRecord, error) {
	recs := make(map[string]*matchRecord, 2*len(sets))
	var own, others []string
	for _, s := range sets {
		if _, ok := recs[s.Record]; !ok {
			recs[s.Record] = nil
			own = append(own, s.Record)
		}
	}
	for _, s := range sets {
		for _, l := range s.Links {
			if _, ok := recs[l.Other]; !ok {
				recs[l.Other] = nil
				others = append(others, l.Other)
			}
		}
	}
	// Ids go to the statements as arguments, only those looked up.
	var look []any
	for _, id := range own {
		look = append(look, id)
	}
	for _, id := range db.nums.get(others, recs) {
		look = append(look, id)
	}
	for lo := 0; lo < len(look); lo += numberChunk {
		chunk := look[lo:min(lo+numberChunk, len(look))]
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.n, coalesce(r.version, 0), s.n IS NOT NULL FROM match_records r
			LEFT JOIN match_sets s ON s.n = r.n WHERE r.id IN (`+placeholders(len(chunk), "?")+`)`, chunk...)
		if err != nil {
			return nil, mapErr(err, "match state")
		}
		for rows.Next() {
			var id string
			r := &matchRecord{}
			if err := rows.Scan(&id, &r.n, &r.held, &r.stored); err != nil {
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
	var missing []any
	for _, id := range look {
		if recs[id.(string)] == nil {
			missing = append(missing, id)
		}
	}
	for lo := 0; lo < len(missing); lo += numberChunk {
		chunk := missing[lo:min(lo+numberChunk, len(missing))]
		rows, err := tx.QueryContext(ctx, `INSERT INTO match_records (id) VALUES `+placeholders(len(chunk), "(?)")+` RETURNING id, n`, chunk...)
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
	for id, r := range recs {
		if r == nil {
			return nil, fmt.Errorf("number record %s for its links: not numbered", id)
		}
	}
	return recs, nil
}

// ref is a pair of match_refs: record a's set names record b.
type ref struct{ b, a int64 }

// PutMatches stores each set's links as its record's set, with the pairs
// of records they name, and marks the record matched with a new seq, in
// one transaction of links.db: a record is marked matched at a version
// exactly when its links are stored, and the main database's writer is
// never held. The links of other records naming a set's record are not
// deleted: the new mark makes them no longer count (see linksDDL).
func (db *DB) PutMatches(ctx context.Context, sets []store.MatchSet) error {
	if len(sets) == 0 {
		return nil
	}
	if err := checkSets(sets); err != nil {
		return err
	}
	var recs map[string]*matchRecord
	// The rows of every set are written on the transaction's driver
	// connection with statements kept prepared from one transaction to the
	// next (see inserter): through database/sql, each execution copied its
	// arguments and watched its context with a goroutine of the driver's.
	err := inConnTxOn(ctx, db.linksW, func(conn *sql.Conn, tx *sql.Tx) error {
		var seq, refsNew, refsMain int64
		if err := tx.QueryRowContext(ctx, sqlLinksSeq).Scan(&seq, &refsNew, &refsMain); err != nil {
			return mapErr(err, "match state")
		}
		var err error
		recs, err = db.numberRecords(ctx, tx, sets)
		if err != nil {
			return err
		}
		// Replacing a stored set, or storing none, is rare: those
		// statements are prepared when first needed.
		var st []*sql.Stmt
		rare := func() error {
			if st != nil {
				return nil
			}
			var err error
			st, err = prepareAll(ctx, tx, sqlOldSet, sqlDeleteRef, sqlDeleteRefNew, sqlDeleteSet)
			return err
		}
		defer func() { closeAll(st) }()
		putSet := newStatement(tx, conn, sqlPutSet, 2)
		mark := newStatement(tx, conn, sqlMarkMatched, 3)
		refs := newWriter(tx, conn, chunkRows, "INSERT OR IGNORE INTO", "match_refs_new", "b", "a")
		for _, in := range []*inserter{putSet, mark, refs} {
			in.cache = &db.lstmts
			defer in.close()
		}
		created := db.now().UnixMicro()
		names := map[int64][]int64{} // the records each set of this transaction names
		total := 0
		for _, s := range sets {
			total += len(s.Links)
		}
		named := make([]int64, 0, total) // the slices of names, one after another
		seen := map[linkKey]bool{}
		var links []storedLink
		var buf []byte
		var enc linkEncoder
		for _, s := range sets {
			r := recs[s.Record]
			if r.held > s.Version {
				continue
			}
			if r.stored {
				// The pairs of the set this one replaces go with it.
				if err := rare(); err != nil {
					return err
				}
				if err := dropRefs(ctx, st[0], st[1:3], r.n); err != nil {
					return fmt.Errorf("links of %s: %w", s.Record, mapErr(err, "links"))
				}
				r.stored = false
			}
			clear(seen)
			links = links[:0]
			from := len(named)
			for _, l := range s.Links {
				k := linkKey{l.Other, l.EntityPath, l.MatchedPath}
				if seen[k] {
					continue
				}
				seen[k] = true
				o := recs[l.Other].n
				at := created
				if !l.Created.IsZero() {
					at = l.Created.UnixMicro()
				}
				links = append(links, storedLink{other: o, path: l.EntityPath, matched: l.MatchedPath,
					audience: l.RecordAudience, otherAud: l.OtherAudience, score: l.Score, reasons: l.Reasons, created: at})
				if !slices.Contains(named[from:], o) {
					named = append(named, o)
				}
			}
			names[r.n] = named[from:len(named):len(named)]
			if len(links) > 0 {
				buf = enc.append(buf[:0], links)
				err = putSet.add(ctx, r.n, buf)
			} else if err = rare(); err == nil {
				_, err = st[3].ExecContext(ctx, r.n)
			}
			if err != nil {
				return mapErr(err, "links of "+s.Record)
			}
			if s.Purged {
				if err := dropNaming(ctx, tx, r.n); err != nil {
					return fmt.Errorf("links to %s: %w", s.Record, err)
				}
			}
			seq++
			if err := mark.add(ctx, int64(s.Version), seq, r.n); err != nil {
				return mapErr(err, "match state of "+s.Record)
			}
			r.held = s.Version
		}
		pairs := make([]ref, 0, len(named))
		for a, bs := range names {
			for _, b := range bs {
				pairs = append(pairs, ref{b, a})
			}
		}
		if err := putRefs(ctx, refs, pairs); err != nil {
			return err
		}
		refsNew += int64(len(pairs))
		if refsNew >= refsMergeAt(refsMain) {
			merged, err := mergeRefs(ctx, tx)
			if err != nil {
				return err
			}
			refsNew, refsMain = 0, refsMain+merged
		}
		_, err = tx.ExecContext(ctx, sqlSetLinksSeq, seq, refsNew, refsMain)
		return mapErr(err, "match state")
	})
	if err != nil {
		return fmt.Errorf("put matches of %d records: %w", len(sets), err)
	}
	db.nums.keep(recs)
	return nil
}

// refsMergeMin is the fewest new pairs merged into match_refs at once,
// and refsPerTransaction about how many pairs a transaction writes.
var refsMergeMin, refsPerTransaction int64 = 1 << 16, 1 << 15

// refsMergeAt is how many pairs match_refs_new holds before they are
// merged into match_refs, which holds about main. A transaction's pairs
// land on nearly every page of match_refs_new, and a merge rewrites
// nearly every page of match_refs: the two costs a pair balance when
// match_refs_new grows to the geometric mean of match_refs and the pairs
// of a transaction (a few tens of thousands: a batch of matching).
func refsMergeAt(main int64) int64 {
	return max(refsMergeMin, int64(math.Sqrt(float64(main)*float64(refsPerTransaction))))
}

// mergeRefs moves every pair of match_refs_new into match_refs, in key
// order, and returns how many there were.
func mergeRefs(ctx context.Context, tx *sql.Tx) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, sqlCountRefsNew).Scan(&n); err != nil {
		return 0, fmt.Errorf("merge links: %w", mapErr(err, "links"))
	}
	for _, q := range []string{sqlMergeRefs, sqlEmptyRefsNew} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("merge links: %w", mapErr(err, "links"))
		}
	}
	return n, nil
}

// Statements of dropNaming.
const (
	sqlNamingSets = `SELECT a FROM match_refs WHERE b = ?1 UNION SELECT a FROM match_refs_new WHERE b = ?1`
	sqlDropNamed  = `DELETE FROM match_refs WHERE b = ?`
	sqlDropNamedN = `DELETE FROM match_refs_new WHERE b = ?`
)

// dropNaming deletes the links to record n from the stored sets of the
// records that name it, and their pairs: n was purged, and the reasons of
// those links name its entities. A set left with no link is deleted.
func dropNaming(ctx context.Context, tx *sql.Tx, n int64) error {
	rows, err := tx.QueryContext(ctx, sqlNamingSets, n)
	if err != nil {
		return mapErr(err, "links")
	}
	var naming []int64
	for rows.Next() {
		var a int64
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return err
		}
		if a != n {
			naming = append(naming, a)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return mapErr(err, "links")
	}
	for _, a := range naming {
		var set []byte
		switch err := tx.QueryRowContext(ctx, sqlOldSet, a).Scan(&set); {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return mapErr(err, "links")
		}
		var kept []storedLink
		if err := decodeLinks(set, func(o int64) bool { return o != n }, func(l storedLink) { kept = append(kept, l) }); err != nil {
			return err
		}
		if len(kept) == 0 {
			_, err = tx.ExecContext(ctx, sqlDeleteSet, a)
		} else {
			_, err = tx.ExecContext(ctx, sqlPutSet, a, appendLinks(nil, kept))
		}
		if err != nil {
			return mapErr(err, "links")
		}
	}
	for _, q := range []string{sqlDropNamed, sqlDropNamedN} {
		if _, err := tx.ExecContext(ctx, q, n); err != nil {
			return mapErr(err, "links")
		}
	}
	return nil
}

// dropRefs deletes the pairs of the stored set of record n, from
// match_refs and match_refs_new (deleteRef has a statement for each).
func dropRefs(ctx context.Context, oldSet *sql.Stmt, deleteRef []*sql.Stmt, n int64) error {
	var old []byte
	if err := oldSet.QueryRowContext(ctx, n).Scan(&old); err != nil {
		return err
	}
	var others []int64
	err := decodeLinks(old, func(o int64) bool {
		if slices.Contains(others, o) {
			return false
		}
		others = append(others, o)
		return false
	}, nil)
	if err != nil {
		return err
	}
	for _, o := range others {
		for _, del := range deleteRef {
			if _, err := del.ExecContext(ctx, o, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// putRefs writes pairs with refs, sorted so that neighbours share pages;
// refs is an INSERT OR IGNORE writer of match_refs_new, so that a pair
// stored already is kept.
func putRefs(ctx context.Context, refs *inserter, pairs []ref) error {
	slices.SortFunc(pairs, func(x, y ref) int {
		if c := cmp.Compare(x.b, y.b); c != 0 {
			return c
		}
		return cmp.Compare(x.a, y.a)
	})
	for _, r := range pairs {
		if err := refs.add(ctx, r.b, r.a); err != nil {
			return mapErr(err, "links")
		}
	}
	return mapErr(refs.flush(ctx), "links")
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

// Matches returns the links of a record, best first: those of its own set
// naming records marked before it (or never), and those of the sets of
// records marked after it that name it, all read in one read transaction.
func (db *DB) Matches(ctx context.Context, recordID string) ([]store.MatchLink, error) {
	out := []store.MatchLink{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var n, seq int64
		var own []byte
		stmt := func(q string) (*sql.Stmt, error) {
			st, err := db.prepared(ctx, q)
			if err != nil {
				return nil, err
			}
			return tx.StmtContext(ctx, st), nil
		}
		rec, err := stmt(sqlLinksRecord)
		if err != nil {
			return mapErr(err, "links")
		}
		naming, err := stmt(sqlLinksNaming)
		if err != nil {
			return mapErr(err, "links")
		}
		switch err := rec.QueryRowContext(ctx, recordID).Scan(&n, &seq, &own); {
		case err == sql.ErrNoRows:
			return nil
		case err != nil:
			return mapErr(err, "links")
		}
		type other struct {
			id  string
			seq int64
		}
		known := map[int64]other{}
		var ls []storedLink
		if own != nil {
			if err := decodeLinks(own, func(int64) bool { return true }, func(l storedLink) { ls = append(ls, l) }); err != nil {
				return err
			}
		}
		var nums []any
		for _, l := range ls {
			if _, ok := known[l.other]; !ok {
				known[l.other] = other{}
				nums = append(nums, l.other)
			}
		}
		linked, err := stmt(sqlLinkedRecords)
		if err != nil {
			return mapErr(err, "links")
		}
		chunk := make([]any, linkedChunk)
		for lo := 0; lo < len(nums); lo += linkedChunk {
			// Numbers start at 1: 0 fills the places left over.
			for i := range chunk {
				chunk[i] = 0
			}
			copy(chunk, nums[lo:min(lo+linkedChunk, len(nums))])
			rows, err := linked.QueryContext(ctx, chunk...)
			if err != nil {
				return mapErr(err, "linked records")
			}
			for rows.Next() {
				var k int64
				var o other
				if err := rows.Scan(&k, &o.id, &o.seq); err != nil {
					rows.Close()
					return err
				}
				known[k] = o
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return mapErr(err, "linked records")
			}
		}
		for _, l := range ls {
			o := known[l.other]
			if o.id == "" {
				return fmt.Errorf("linked record %d not numbered", l.other)
			}
			if o.seq >= seq && l.other != n {
				continue // matched since: its own links replace this one
			}
			out = append(out, store.MatchLink{Record: recordID, Other: o.id, RecordAudience: l.audience, OtherAudience: l.otherAud,
				Score: l.score, EntityPath: l.path, MatchedPath: l.matched,
				Reasons: nonNil(l.reasons), Created: time.UnixMicro(l.created).UTC()})
			if l.other == n {
				// A link of a record to itself is on both sides of it.
				out = append(out, store.MatchLink{Record: recordID, Other: o.id, RecordAudience: l.otherAud, OtherAudience: l.audience,
					Score: l.score, EntityPath: l.matched, MatchedPath: l.path,
					Reasons: nonNil(l.reasons), Created: time.UnixMicro(l.created).UTC()})
			}
		}
		rows, err := naming.QueryContext(ctx, n, seq)
		if err != nil {
			return mapErr(err, "links")
		}
		defer rows.Close()
		for rows.Next() {
			var a int64
			var o other
			var set []byte
			if err := rows.Scan(&a, &o.id, &o.seq, &set); err != nil {
				return err
			}
			if a == n {
				continue
			}
			err := decodeLinks(set, func(b int64) bool { return b == n }, func(l storedLink) {
				out = append(out, store.MatchLink{Record: recordID, Other: o.id, RecordAudience: l.otherAud, OtherAudience: l.audience,
					Score: l.score, EntityPath: l.matched, MatchedPath: l.path,
					Reasons: nonNil(l.reasons), Created: time.UnixMicro(l.created).UTC()})
			})
			if err != nil {
				return err
			}
		}
		return mapErr(rows.Err(), "links")
	})
	if err != nil {
		return nil, fmt.Errorf("matches of %s: %w", recordID, err)
	}
	store.SortLinks(out)
	return out, nil
}

func nonNil(rs []string) []string {
	if rs == nil {
		return []string{}
	}
	return rs
}

// readTx runs fn in one read transaction of the read pool.
func (db *DB) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return mapErr(err, "database")
	}
	defer tx.Rollback() //nolint:errcheck // a read: nothing to keep
	return fn(tx)
}

// Unmatched returns records whose latest version is not marked matched.
func (db *DB) Unmatched(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, sqlUnmatched, after, limit)
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

// MatchedVersion returns the version of a record marked matched, 0 for none.
func (db *DB) MatchedVersion(ctx context.Context, recordID string) (int, error) {
	var v int
	err := db.queryRow(ctx, []any{&v}, sqlMatchedVersion, recordID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("matched version of %s: %w", recordID, mapErr(err, "match state"))
	}
	return v, nil
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
