package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// LinksFileName is the name of the file of cross-matching's links and
// watermark inside the data directory. It holds derived data only: a file
// that is missing, unreadable or of another layout is replaced by an empty
// one at Open, whose empty watermark makes matching match every record
// again (see matching.Service.Rebuild), so deleting it loses nothing.
const LinksFileName = "links.db"

// linksSchema is the alias under which readers attach links.db.
const linksSchema = "links"

// linksVersion is the layout of links.db. Open brings a file of layout 1
// up to date in place (see migrateLinks) and empties and recreates a file
// of any other.
const linksVersion = 2

// linksPageSize is the page size of a new links.db. Each pair of linked
// records is an entry of a few bytes in match_refs, keyed by the record
// linked to, so the entries of one transaction land on pages anywhere in
// it, where smaller pages would be cheaper to write out; but each set is
// a value of a few kilobytes, which pages of 4 KiB held one by one, with
// a page and more written for each record. Pages of 16 KiB, as the main
// database's, cost matching and storing a record about an eighth less
// CPU than 4 KiB at 20,000 and at 100,000 records
// (BenchmarkMatchAndStore), 32 and 64 KiB no less than 16. A links.db
// made with another page size keeps it (SQLite sets it once, before the
// first write); removing the file while the node is stopped has it made
// anew with this one, its links worked out again as the node starts.
const linksPageSize = 16384

// The tables of links.db.
//
// match_records numbers every record matching has seen, matched (version
// and seq set: the version whose links are stored, and the order in which
// the marks were written) or only named by another record's links (version
// and seq NULL), so that links refer to records by a small integer. Numbers
// are never reused.
//
// match_sets holds the links found when a record was last matched, all in
// one value (see appendLinks), written once per record rather than a row
// per link. match_refs says which records' sets name which others, once
// per pair of records, so that the links naming a record are found.
//
// A pair is keyed by the record named, which may be any record matched
// before, so the pairs of one transaction land on pages all over the
// table: written straight into it, every transaction rewrote nearly every
// page of it, a cost that grew with the table. New pairs go into
// match_refs_new instead, a table of the same shape kept small, which is
// merged into match_refs in one pass, in key order, when it has grown to
// refsMergeAt rows; reads look in both. A pair is in one of the two.
//
// Replacing a record's links does not touch the sets of the records they
// name. Matching a record replaces every link it is in, so of the links
// stored in sets only those found after both records were last matched
// count: a link of a's set naming b counts when a was marked after b (a
// higher seq), or b was never marked. Reads apply that rule, and the
// writes that matching makes per record are its set, its references and
// its mark.
//
// state holds the last seq given out.
const linksDDL = `
CREATE TABLE match_records (
	n       INTEGER PRIMARY KEY,
	id      TEXT NOT NULL UNIQUE,
	version INTEGER,
	seq     INTEGER
);
CREATE INDEX match_records_seq ON match_records (seq) WHERE seq IS NOT NULL;
CREATE TABLE match_sets (
	n     INTEGER PRIMARY KEY,
	links BLOB NOT NULL
);
CREATE TABLE match_refs (
	b INTEGER NOT NULL,
	a INTEGER NOT NULL,
	PRIMARY KEY (b, a)
) WITHOUT ROWID;
CREATE TABLE match_refs_new (
	b INTEGER NOT NULL,
	a INTEGER NOT NULL,
	PRIMARY KEY (b, a)
) WITHOUT ROWID;
CREATE TABLE state (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	seq       INTEGER NOT NULL,
	refs_new  INTEGER NOT NULL DEFAULT 0,
	refs_main INTEGER NOT NULL DEFAULT 0
);
INSERT INTO state (id, seq) VALUES (1, 0);`

// state's refs_new and refs_main count the pairs written to
// match_refs_new since it was last merged and those merged into
// match_refs (an upper bound: pairs deleted since are not taken off); they
// only choose when to merge.

// migrateLinks brings links.db of layout 1, which had no match_refs_new,
// to layout 2 without matching anything again.
const migrateLinks = `
CREATE TABLE match_refs_new (
	b INTEGER NOT NULL,
	a INTEGER NOT NULL,
	PRIMARY KEY (b, a)
) WITHOUT ROWID;
ALTER TABLE state ADD COLUMN refs_new INTEGER NOT NULL DEFAULT 0;
ALTER TABLE state ADD COLUMN refs_main INTEGER NOT NULL DEFAULT 0;
UPDATE state SET refs_main = (SELECT count(*) FROM match_refs);`

// openLinks opens links.db's writer and makes sure the file has this
// layout. A file SQLite cannot read as a database (not one, or damaged
// where opening it looks) is removed and made anew, once.
func (db *DB) openLinks(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		w, err := sql.Open("sqlite", dsn(db.linksPath, true)+"&_pragma=temp_store(MEMORY)")
		if err != nil {
			return err
		}
		oneConn(w)
		err = setupLinks(ctx, w)
		if err == nil {
			db.linksW = w
			return nil
		}
		w.Close()
		if attempt > 0 || !unreadable(err) {
			return err
		}
		db.log.Warn("match links file unreadable; it is replaced and every record will be matched again",
			"store", "sqlite", "file", LinksFileName, "err", err)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(db.linksPath + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove the unreadable %s: %w", LinksFileName, err)
			}
		}
	}
}

// unreadable reports whether err says that a file is not a database or a
// damaged one.
func unreadable(err error) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// setupLinks puts links.db in WAL mode with its page size and creates its
// tables, or empties and recreates them when the file has another layout.
func setupLinks(ctx context.Context, w *sql.DB) error {
	if _, err := w.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", linksPageSize)); err != nil {
		return fmt.Errorf("set page size: %w", err)
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("set journal mode: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("set journal mode: database stays in %s mode", mode)
	}
	return inTxOn(ctx, w, func(tx *sql.Tx) error {
		var v int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return err
		}
		if v == linksVersion {
			return checkLinks(ctx, tx)
		}
		if v == 1 {
			if _, err := tx.ExecContext(ctx, migrateLinks); err != nil {
				return fmt.Errorf("links layout 1 to %d: %w", linksVersion, err)
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, linksVersion))
			return err
		}
		if v != 0 {
			for _, t := range []string{"match_links", "match_sets", "match_refs", "match_refs_new", "match_records", "state"} {
				if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+t); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, linksDDL); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, linksVersion))
		return err
	})
}

// checkLinks reads what every use of links.db needs: its schema (page 1)
// and the state row. A file damaged there fails with SQLITE_CORRUPT, so
// that openLinks replaces it. Pages further in are not read at Open (a
// full check reads the whole file, about a second for the links of
// 100,000 records); damage there shows as errors of matching, and removing
// the file while the node is stopped has it rebuilt.
func checkLinks(ctx context.Context, tx *sql.Tx) error {
	var seq, refsNew, refsMain int64
	return tx.QueryRowContext(ctx, sqlLinksSeq).Scan(&seq, &refsNew, &refsMain)
}

// storedLink is a link as a set holds it: the other record by number.
type storedLink struct {
	other              int64
	path, matched      string
	audience, otherAud string
	score              float64
	reasons            []string
	created            int64 // microseconds since 1970
}

// setFormat opens every stored set, so that another encoding can follow.
const setFormat = 1

// appendLinks appends the encoding of a set's links to b: setFormat, the
// distinct strings of the set (paths, audiences and reasons recur from
// link to link), then the number of links and each link's other record,
// paths and audiences (as indexes of those strings), score (IEEE 754
// bits), creation time and reasons (indexes). Numbers are varints and
// strings are preceded by their length.
func appendLinks(b []byte, ls []storedLink) []byte {
	var e linkEncoder
	return e.append(b, ls)
}

// linkEncoder is appendLinks with its working memory kept from one set to
// the next, for a transaction that encodes many.
type linkEncoder struct {
	index map[string]uint64
	strs  []string
	body  []byte
}

func (e *linkEncoder) append(b []byte, ls []storedLink) []byte {
	if e.index == nil {
		e.index = map[string]uint64{}
	}
	clear(e.index)
	strs := e.strs[:0]
	at := func(s string) uint64 {
		i, ok := e.index[s]
		if !ok {
			i = uint64(len(strs))
			e.index[s] = i
			strs = append(strs, s)
		}
		return i
	}
	body := e.body[:0]
	body = binary.AppendUvarint(body, uint64(len(ls)))
	for _, l := range ls {
		body = binary.AppendUvarint(body, uint64(l.other))
		body = binary.AppendUvarint(body, at(l.path))
		body = binary.AppendUvarint(body, at(l.matched))
		body = binary.AppendUvarint(body, at(l.audience))
		body = binary.AppendUvarint(body, at(l.otherAud))
		body = binary.LittleEndian.AppendUint64(body, math.Float64bits(l.score))
		body = binary.AppendVarint(body, l.created)
		body = binary.AppendUvarint(body, uint64(len(l.reasons)))
		for _, r := range l.reasons {
			body = binary.AppendUvarint(body, at(r))
		}
	}
	b = append(b, setFormat)
	b = binary.AppendUvarint(b, uint64(len(strs)))
	for _, s := range strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, body...)
	clear(strs)
	e.strs, e.body = strs[:0], body[:0]
	return b
}

// errBadSet reports a stored set that does not decode.
var errBadSet = errors.New("stored match links do not decode")

// decodeLinks reverses appendLinks, calling fn for each link for which
// keep(other) is true.
func decodeLinks(b []byte, keep func(other int64) bool, fn func(storedLink)) error {
	if len(b) == 0 || b[0] != setFormat {
		return errBadSet
	}
	b = b[1:]
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	ns, ok := uv()
	if !ok || ns > uint64(len(b)) {
		return errBadSet
	}
	// The strings are made only for the links kept, once each.
	raw := make([][]byte, ns)
	for i := range raw {
		n, ok := uv()
		if !ok || n > uint64(len(b)) {
			return errBadSet
		}
		raw[i] = b[:n]
		b = b[n:]
	}
	strs := make([]*string, ns)
	idx := func() (uint64, bool) {
		i, ok := uv()
		return i, ok && i < uint64(len(raw))
	}
	str := func(i uint64) string {
		if strs[i] == nil {
			s := string(raw[i])
			strs[i] = &s
		}
		return *strs[i]
	}
	count, ok := uv()
	if !ok || count > uint64(len(b)) {
		return errBadSet
	}
	for range count {
		other, ok := uv()
		if !ok {
			return errBadSet
		}
		l := storedLink{other: int64(other)}
		var at [4]uint64
		for i := range at {
			if at[i], ok = idx(); !ok {
				return errBadSet
			}
		}
		if len(b) < 8 {
			return errBadSet
		}
		l.score = math.Float64frombits(binary.LittleEndian.Uint64(b))
		b = b[8:]
		var n int
		if l.created, n = binary.Varint(b); n <= 0 {
			return errBadSet
		}
		b = b[n:]
		nr, ok := uv()
		if !ok || nr > uint64(len(b)) {
			return errBadSet
		}
		use := keep(l.other)
		if use {
			l.path, l.matched, l.audience, l.otherAud = str(at[0]), str(at[1]), str(at[2]), str(at[3])
			l.reasons = make([]string, 0, nr)
		}
		for range nr {
			r, ok := idx()
			if !ok {
				return errBadSet
			}
			if use {
				l.reasons = append(l.reasons, str(r))
			}
		}
		if use {
			fn(l)
		}
	}
	if len(b) != 0 {
		return errBadSet
	}
	return nil
}
