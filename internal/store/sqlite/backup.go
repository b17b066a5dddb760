package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"liaison/internal/audit"
	"liaison/internal/durable"
	"liaison/internal/fault"
	"liaison/internal/store"
)

// Snapshot describes a copy of a node's database: whose it is and what it
// holds, as checked when the copy was made or restored.
type Snapshot struct {
	// Node is the code of the node the database belongs to.
	Node string
	// Schema is the number of migrations applied to it.
	Schema int
	// Records counts records (latest versions), Versions every stored
	// version.
	Records, Versions int64
	// AuditEntries counts the audit log's entries and AuditHead is the
	// hash of the last one ("" for an empty log); the chain was verified
	// from the first entry to it.
	AuditEntries int64
	AuditHead    string
	// Anchored says that the chain ends exactly where the node recorded
	// its end (audit_head); a backup made by a release before the anchor
	// has none to compare with.
	Anchored bool
	// Covered counts the stored versions whose bodies match the digests
	// their audit entries carry, Uncovered those stored before digests
	// were kept, which no entry vouches for.
	Covered, Uncovered int64
	// Bytes is the size of the file.
	Bytes int64
}

// Backup writes a consistent copy of the database of the node in dir to the
// file out, while the node may be running: the copy is one read transaction
// of the live database (VACUUM INTO), so it holds every transaction
// committed before it began and nothing of any after. The copy is a single
// self-contained SQLite file (no write-ahead log beside it). Before it is
// given its name it is checked: the database's integrity, the node it
// belongs to and the audit chain from the first entry to the last. A
// failure at any step leaves no file named out. The full-text index
// (search.db) and the match links (links.db) are not copied: they are
// derived from the records, and rebuilt when the restored node is first
// opened (the index) and started (the links, by matching every record
// again).
func Backup(ctx context.Context, dir, out string) (Snapshot, error) {
	src := filepath.Join(dir, FileName)
	if _, err := os.Stat(src); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Snapshot{}, fault.E(fault.NotFound, "no node in %s: %s not found", dir, FileName)
		}
		return Snapshot{}, fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Lstat(out); err == nil {
		return Snapshot{}, fault.E(fault.Conflict, "%s already exists; a backup never overwrites a file", out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Snapshot{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	tmp := out + ".partial"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Snapshot{}, fmt.Errorf("remove the unfinished backup %s: %w", tmp, err)
	}
	snap, err := writeCopy(ctx, src, tmp)
	if err != nil {
		os.Remove(tmp)
		return Snapshot{}, err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return Snapshot{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	if err := durable.SyncDir(filepath.Dir(out)); err != nil {
		return Snapshot{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	return snap, nil
}

// writeCopy copies the database at src into the new file tmp, makes it a
// rollback-journal database, flushes it to disk and checks it.
func writeCopy(ctx context.Context, src, tmp string) (Snapshot, error) {
	// VACUUM INTO only reads the source, but SQLite counts writing its
	// output as a write, which a read-only connection refuses.
	h, err := sql.Open("sqlite", src+"?"+url.Values{"_pragma": {fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds())}}.Encode())
	if err != nil {
		return Snapshot{}, fmt.Errorf("open %s: %w", src, err)
	}
	defer h.Close()
	if _, err := h.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return Snapshot{}, fmt.Errorf("copy %s: %w", src, mapErr(err, "database"))
	}
	// The copy carries the live database's WAL mode in its header; a
	// backup is one file, read and moved on its own.
	w, err := sql.Open("sqlite", tmp+"?"+url.Values{"_pragma": {fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds())}}.Encode())
	if err != nil {
		return Snapshot{}, fmt.Errorf("open the copy %s: %w", tmp, err)
	}
	var mode string
	err = w.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("set the journal mode of the copy %s: %w", tmp, err)
	}
	if err := durable.SyncFile(tmp); err != nil {
		return Snapshot{}, fmt.Errorf("flush the copy %s: %w", tmp, err)
	}
	snap, err := Inspect(ctx, tmp)
	if err != nil {
		return Snapshot{}, fmt.Errorf("check the copy: %w", err)
	}
	return snap, nil
}

// Inspect checks a backup file without changing it: that it is an intact
// SQLite database of a Liaison node, that its audit chain is unbroken (an
// *audit.Break when it is not) and ends exactly where the node recorded
// its end (an *audit.AnchorMismatch otherwise), and that every stored
// record version is what the audit entry vouching for it says (an
// *audit.BodyMismatch naming the record and version otherwise). It
// describes what the file holds.
func Inspect(ctx context.Context, file string) (Snapshot, error) {
	st, err := os.Stat(file)
	if err != nil {
		return Snapshot{}, fmt.Errorf("backup %s: %w", file, err)
	}
	if !st.Mode().IsRegular() {
		return Snapshot{}, fault.E(fault.Invalid, "backup %s is not a regular file", file)
	}
	if err := checkHeader(file); err != nil {
		return Snapshot{}, err
	}
	h, err := sql.Open("sqlite", readOnlyDSN(file))
	if err != nil {
		return Snapshot{}, fmt.Errorf("open backup %s: %w", file, err)
	}
	defer h.Close()
	h.SetMaxOpenConns(1)
	var problems []string
	rows, err := h.QueryContext(ctx, `PRAGMA integrity_check(5)`)
	if err != nil {
		return Snapshot{}, fault.Wrap(fault.Invalid, err, "backup %s is damaged", file)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return Snapshot{}, fault.Wrap(fault.Invalid, err, "backup %s is damaged", file)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return Snapshot{}, fault.Wrap(fault.Invalid, err, "backup %s is damaged", file)
	}
	rows.Close()
	if len(problems) > 0 {
		return Snapshot{}, fault.E(fault.Invalid, "backup %s is damaged: %s", file, problems[0])
	}
	snap := Snapshot{Bytes: st.Size()}
	if err := h.QueryRowContext(ctx, `SELECT code FROM node WHERE id = 1`).Scan(&snap.Node); err != nil {
		return Snapshot{}, fault.Wrap(fault.Invalid, err, "backup %s holds no Liaison node", file)
	}
	for _, q := range []struct {
		sql  string
		dest *int64
	}{
		{`SELECT count(*) FROM records`, &snap.Records},
		{`SELECT count(*) FROM record_versions`, &snap.Versions},
	} {
		if err := h.QueryRowContext(ctx, q.sql).Scan(q.dest); err != nil {
			return Snapshot{}, fault.Wrap(fault.Invalid, err, "backup %s: count", file)
		}
	}
	var schema int64
	if err := h.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&schema); err != nil {
		return Snapshot{}, fault.Wrap(fault.Invalid, err, "backup %s: read its schema version", file)
	}
	snap.Schema = int(schema)
	// The audit chain is walked with the store's own reader over the copy.
	db := &DB{path: file, read: h, stmts: map[string]*sql.Stmt{}, log: slog.New(slog.DiscardHandler),
		legacyAudit: snap.Schema < anchorSchema}
	defer func() {
		for _, st := range db.stmts {
			st.Close()
		}
	}()
	if db.legacyAudit {
		// No anchor and no digests to compare: the chain alone, and
		// every version counted as not covered.
		var v audit.Verifier
		var head string
		err = db.WalkAudit(ctx, func(e audit.Entry) error {
			if err := v.Add(e); err != nil {
				return err
			}
			head = e.Hash
			return nil
		})
		if err != nil {
			return Snapshot{}, inspectError(file, v.Count, err)
		}
		snap.AuditEntries, snap.AuditHead, snap.Uncovered = v.Count, head, snap.Versions
		return snap, nil
	}
	rep, err := store.VerifyAudit(ctx, db, true)
	if err != nil {
		return Snapshot{}, inspectError(file, rep.Entries, err)
	}
	snap.AuditEntries, snap.Anchored, snap.Covered, snap.Uncovered = rep.Entries, true, rep.Covered, rep.Uncovered
	if rep.Entries > 0 {
		snap.AuditHead = rep.Head
	}
	return snap, nil
}

// inspectError says what verifying a backup's audit log found wrong, the
// error still matching the *audit.Break, *audit.AnchorMismatch or
// *audit.BodyMismatch it holds.
func inspectError(file string, verified int64, err error) error {
	var (
		br *audit.Break
		am *audit.AnchorMismatch
		bm *audit.BodyMismatch
	)
	switch {
	case errors.As(err, &br):
		return fmt.Errorf("backup %s: audit chain broken after %d entries: %w", file, verified, err)
	case errors.As(err, &am):
		return fmt.Errorf("backup %s: audit log cut short or rewritten: %w", file, err)
	case errors.As(err, &bm):
		return fmt.Errorf("backup %s: a record differs from what its audit entry vouches for: %w", file, err)
	}
	return fmt.Errorf("backup %s: read the audit log: %w", file, err)
}

// Restore installs the backup file as the database of the node in dir, which
// must not hold one yet. The file is checked first (Inspect) and copied under
// a temporary name that is renamed only once it is on disk, so a failed
// restore leaves no database behind. The caller opens the store afterwards,
// which brings the schema up to date and rebuilds the full-text index; the
// match links start empty, and the node matches every record again when it
// starts.
func Restore(ctx context.Context, file, dir string) (Snapshot, error) {
	snap, err := Inspect(ctx, file)
	if err != nil {
		return Snapshot{}, err
	}
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		return Snapshot{}, err
	}
	if snap.Schema > len(ms) {
		return Snapshot{}, fault.E(fault.Invalid, "backup %s comes from a newer version of Liaison (schema %d; this one knows %d)", file, snap.Schema, len(ms))
	}
	dst := filepath.Join(dir, FileName)
	if _, err := os.Lstat(dst); err == nil {
		return Snapshot{}, fault.E(fault.Conflict, "%s already holds a node (%s); restore into an empty folder", dir, FileName)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Snapshot{}, fmt.Errorf("restore into %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Snapshot{}, fmt.Errorf("restore into %s: %w", dir, err)
	}
	// Files a database of this name left behind belong to another one.
	for _, name := range []string{FileName + "-wal", FileName + "-shm", SearchFileName, SearchFileName + "-wal", SearchFileName + "-shm",
		LinksFileName, LinksFileName + "-wal", LinksFileName + "-shm"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Snapshot{}, fmt.Errorf("restore into %s: %w", dir, err)
		}
	}
	tmp := dst + ".partial"
	if err := copyFile(file, tmp); err != nil {
		os.Remove(tmp)
		return Snapshot{}, fmt.Errorf("restore %s: %w", file, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return Snapshot{}, fmt.Errorf("restore %s: %w", file, err)
	}
	if err := durable.SyncDir(dir); err != nil {
		return Snapshot{}, fmt.Errorf("restore into %s: %w", dir, err)
	}
	return snap, nil
}

// sqliteMagic opens every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// checkHeader tells a file that is not a SQLite database at all from a
// damaged one, with an error that says which.
func checkHeader(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("backup %s: %w", file, err)
	}
	defer f.Close()
	b := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, b); err != nil || string(b) != sqliteMagic {
		return fault.E(fault.Invalid, "%s is not a Liaison backup (not a SQLite database)", file)
	}
	return nil
}

// readOnlyDSN opens a database file for reading only.
func readOnlyDSN(path string) string {
	q := url.Values{}
	q.Add("mode", "ro")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "query_only(ON)")
	return "file:" + path + "?" + q.Encode()
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
