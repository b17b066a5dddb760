package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

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

// linksVersion is the layout of links.db. Open empties and recreates a
// file of another layout.
const linksVersion = 1

// linksPageSize is the page size of a new links.db. A link is a row of a
// few dozen bytes whose entry in the index by the other record goes to a
// page anywhere in that index; smaller pages than the main database's make
// each such page cheaper to write out.
const linksPageSize = 4096

// linkSlotBits is how many low bits of a link's rowid number the links of
// one record: a link's rowid is the number of the record it was found for
// shifted left by linkSlotBits, plus its position among that record's
// links. A record's links are then one range of the table, appended when
// the record is matched and deleted as a range when it is matched again,
// without an index of their own.
const linkSlotBits = 20

// maxSetLinks is how many links one record can have.
const maxSetLinks = 1 << linkSlotBits

// The tables of links.db.
//
// match_records numbers every record matching has seen, matched (version
// and seq set: the version whose links are stored, and the order in which
// the marks were written) or only named by another record's links (version
// and seq NULL), so that links refer to records by a small integer. Numbers
// are never reused.
//
// match_links holds one row per link (see linkSlotBits for its rowid): b is
// the number of the other record, the paths locate the two entities in
// their records, the audiences are kept as the matching service encoded
// them, reasons are encoded by encodeReasons and created is in
// microseconds since 1970.
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
CREATE TABLE match_links (
	id         INTEGER PRIMARY KEY,
	b          INTEGER NOT NULL,
	a_path     TEXT NOT NULL,
	b_path     TEXT NOT NULL,
	a_audience TEXT NOT NULL,
	b_audience TEXT NOT NULL,
	score      REAL NOT NULL,
	reasons    TEXT NOT NULL,
	created    INTEGER NOT NULL
);
CREATE INDEX match_links_b ON match_links (b);
CREATE TABLE state (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL
);
INSERT INTO state (id, seq) VALUES (1, 0);`

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
	var d *damaged
	if errors.As(err, &d) {
		return true
	}
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
		if v != 0 {
			for _, t := range []string{"match_links", "match_records", "state"} {
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

// checkLinks reports damage anywhere in links.db (as SQLITE_CORRUPT, so
// that openLinks replaces the file). quick_check reads every page once,
// without comparing the indexes with their tables: about 0.1 s for the
// links of 100,000 records.
func checkLinks(ctx context.Context, tx *sql.Tx) error {
	var res string
	if err := tx.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return &damaged{res}
	}
	return nil
}

// damaged is what quick_check found wrong with links.db.
type damaged struct{ problem string }

func (d *damaged) Error() string { return "match links file is damaged: " + d.problem }

// reasonSep separates the reasons of a link as stored. Reasons are text
// for people to read and never hold it; a list that does (or that could be
// read back otherwise: one empty reason, a first reason starting with '[')
// is stored as a JSON array instead, which starts with '['.
const reasonSep = "\x1f"

// encodeReasons is how a link's reasons are stored: joined by reasonSep,
// which costs a fraction of JSON to write and read.
func encodeReasons(rs []string) (string, error) {
	plain := len(rs) != 1 || rs[0] != ""
	if len(rs) > 0 && strings.HasPrefix(rs[0], "[") {
		plain = false
	}
	for _, r := range rs {
		if strings.Contains(r, reasonSep) {
			plain = false
		}
	}
	if plain {
		return strings.Join(rs, reasonSep), nil
	}
	b, err := json.Marshal(rs)
	if err != nil {
		return "", fmt.Errorf("encode link reasons: %w", err)
	}
	return string(b), nil
}

// decodeReasons reverses encodeReasons; no reasons are an empty list.
func decodeReasons(s string) ([]string, error) {
	switch {
	case s == "":
		return []string{}, nil
	case s[0] == '[':
		var rs []string
		if err := json.Unmarshal([]byte(s), &rs); err != nil {
			return nil, fmt.Errorf("decode stored link reasons: %w", err)
		}
		if rs == nil {
			rs = []string{}
		}
		return rs, nil
	}
	return strings.Split(s, reasonSep), nil
}
