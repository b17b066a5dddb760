package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"liaison/internal/audit"
	"liaison/internal/durable"
	"liaison/internal/fault"
	"liaison/internal/store"
	"liaison/internal/store/sqlite"
)

// BackupReport says what a backup or a restore wrote.
type BackupReport struct {
	// Format is "sqlite" (a single SQLite file) or "pg_dump" (PostgreSQL's
	// custom archive format).
	Format string
	// Node, Records, AuditEntries and AuditHead describe the copy; for a
	// PostgreSQL archive they are read from the database once the dump is
	// taken, so writes made meanwhile may be counted.
	Node               string
	Records, Versions  int64
	AuditEntries       int64
	AuditHead          string
	Bytes              int64
	AuditChainVerified bool
	// Anchored says that the chain was found to end where the node
	// recorded its end; a backup of a release before the anchor has none.
	Anchored bool
	// Covered counts the record versions whose stored bodies were checked
	// against the digests their audit entries carry, Uncovered those
	// stored before digests were kept, which no entry vouches for.
	Covered, Uncovered int64
}

// Backup writes a consistent copy of the node's database to out, which must
// not exist, while the node may be running. On SQLite the copy is one file,
// checked (integrity and the whole audit chain) before it is given its name;
// on PostgreSQL it is a pg_dump archive of the node's schema. The backup is
// recorded in the node's audit log.
func Backup(ctx context.Context, c Config, out string) (BackupReport, error) {
	c.fill()
	if err := CheckOut(out, false); err != nil {
		return BackupReport{}, err
	}
	rep, err := onDatabase(c, func() (BackupReport, error) { return pgBackup(ctx, c, out) },
		func(dir string) (sqlite.Snapshot, error) { return sqlite.Backup(ctx, dir, out) })
	if err != nil {
		return BackupReport{}, err
	}
	if err := auditNode(ctx, c, audit.Event{Actor: "system", Action: audit.ActionNodeBackup, Target: rep.Node,
		Detail: fmt.Sprintf("%s backup %s: %d records, %d audit entries", rep.Format, filepath.Base(out), rep.Records, rep.AuditEntries)}); err != nil {
		return rep, fmt.Errorf("backup written to %s, but recording it in the audit log failed: %w", out, err)
	}
	return rep, nil
}

// CheckOut refuses a path an --out flag gives that cannot take the file a
// command writes: one naming a folder (Invalid), one in a folder that does
// not exist or is no folder (NotFound), and, unless replace, a file already
// there (Conflict). Export replaces its file; a backup never does.
func CheckOut(out string, replace bool) error {
	if strings.HasSuffix(out, string(os.PathSeparator)) {
		return fault.E(fault.Invalid, "--out %s names a folder: name the file to write", out)
	}
	if _, err := os.Lstat(out); err == nil {
		if fi, err := os.Stat(out); err == nil && fi.IsDir() {
			return fault.E(fault.Invalid, "--out %s is a folder: name the file to write", out)
		}
		if !replace {
			return fault.E(fault.Conflict, "%s already exists; a backup never overwrites a file", out)
		}
	}
	dir := filepath.Dir(out)
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fault.E(fault.NotFound, "--out %s: folder %s does not exist", out, dir)
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", out, err)
	}
	if !fi.IsDir() {
		return fault.E(fault.NotFound, "--out %s: %s is not a folder", out, dir)
	}
	return nil
}

// Restore installs a backup as the node's database: into a data folder
// that holds no node yet (SQLite), or into a PostgreSQL database that holds
// no Liaison schema yet. The backup is checked first and refused whole if
// anything is wrong with it. The restored node is then opened, which brings
// its schema up to date and rebuilds derived data (the full-text index),
// its audit chain is verified again, and the restore is recorded in it.
func Restore(ctx context.Context, c Config, file string) (BackupReport, error) {
	c.fill()
	rep, err := onDatabase(c, func() (BackupReport, error) { return pgRestore(ctx, c, file) },
		func(dir string) (sqlite.Snapshot, error) { return sqlite.Restore(ctx, file, dir) })
	if err != nil {
		return BackupReport{}, err
	}
	st, err := openExisting(ctx, c)
	if err != nil {
		return rep, fmt.Errorf("open the restored node: %w", err)
	}
	defer st.Close()
	node, err := st.Node(ctx)
	if err != nil {
		return rep, fmt.Errorf("read the restored node: %w", err)
	}
	ar, err := store.VerifyAudit(ctx, st, false)
	if err != nil {
		return rep, fmt.Errorf("verify the restored audit log: %w", err)
	}
	n, err := st.CountRecords(ctx)
	if err != nil {
		return rep, fmt.Errorf("count the restored records: %w", err)
	}
	rep.Node, rep.Records, rep.AuditEntries, rep.AuditChainVerified = node.Code, n, ar.Entries, true
	rep.AuditHead, rep.Anchored, rep.Versions, rep.Covered, rep.Uncovered = ar.Head, true, ar.Versions, ar.Covered, ar.Uncovered
	if _, err := st.Audit(ctx, audit.Event{Actor: "system", Action: audit.ActionNodeRestore, Target: node.Code,
		Detail: fmt.Sprintf("restored from %s backup %s: %d records, %d audit entries", rep.Format, filepath.Base(file), n, ar.Entries)}); err != nil {
		return rep, fmt.Errorf("record the restore in the audit log: %w", err)
	}
	return rep, nil
}

// InspectBackup checks a backup without restoring it.
func InspectBackup(ctx context.Context, file string) (BackupReport, error) {
	if isPGArchive(file) {
		if _, err := pgList(ctx, file); err != nil {
			return BackupReport{}, err
		}
		st, err := os.Stat(file)
		if err != nil {
			return BackupReport{}, err
		}
		return BackupReport{Format: "pg_dump", Bytes: st.Size()}, nil
	}
	snap, err := sqlite.Inspect(ctx, file)
	if err != nil {
		return BackupReport{}, err
	}
	return fromSnapshot("sqlite", snap), nil
}

// onDatabase runs pg on PostgreSQL (c.DB set) and lite on the SQLite data
// folder otherwise, and reports what either did.
func onDatabase(c Config, pg func() (BackupReport, error), lite func(dir string) (sqlite.Snapshot, error)) (BackupReport, error) {
	if c.DB != "" {
		return pg()
	}
	dir, err := filepath.Abs(c.DataDir)
	if err != nil {
		return BackupReport{}, fmt.Errorf("data dir %s: %w", c.DataDir, err)
	}
	snap, err := lite(dir)
	if err != nil {
		return BackupReport{}, err
	}
	return fromSnapshot("sqlite", snap), nil
}

func fromSnapshot(format string, s sqlite.Snapshot) BackupReport {
	return BackupReport{Format: format, Node: s.Node, Records: s.Records, Versions: s.Versions,
		AuditEntries: s.AuditEntries, AuditHead: s.AuditHead, Bytes: s.Bytes, AuditChainVerified: true,
		Anchored: s.Anchored, Covered: s.Covered, Uncovered: s.Uncovered}
}

// auditNode appends one entry to the node's audit log.
func auditNode(ctx context.Context, c Config, ev audit.Event) error {
	st, err := OpenStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = st.Audit(ctx, ev)
	return err
}

// pgDumpMagic opens every archive pg_dump writes in its custom format.
const pgDumpMagic = "PGDMP"

func isPGArchive(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(pgDumpMagic))
	n, _ := f.Read(b)
	return string(b[:n]) == pgDumpMagic
}

// pgTool finds a PostgreSQL client program: LIAISON_PG_BIN names the folder
// holding it; otherwise the PATH, then the newest /usr/lib/postgresql/*/bin.
func pgTool(name string) (string, error) {
	if d := os.Getenv("LIAISON_PG_BIN"); d != "" {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s not found in LIAISON_PG_BIN=%s", name, d)
		}
		return p, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	found, _ := filepath.Glob(filepath.Join("/usr/lib/postgresql", "*", "bin", name))
	if len(found) == 0 {
		return "", fmt.Errorf("%s not found: install the PostgreSQL client programs or set LIAISON_PG_BIN to their folder", name)
	}
	sort.Slice(found, func(i, j int) bool { return pgVersion(found[i]) < pgVersion(found[j]) })
	return found[len(found)-1], nil
}

// pgVersion is the major version in /usr/lib/postgresql/N/bin/….
func pgVersion(p string) int {
	var n int
	fmt.Sscanf(filepath.Base(filepath.Dir(filepath.Dir(p))), "%d", &n)
	return n
}

// pgTarget splits a node's PostgreSQL URL into the URL the client programs
// take and the schema the node lives in (its search_path, "" for the
// default): libpq does not know search_path as a URL parameter.
func pgTarget(raw string) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("--db: %w", err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	if strings.ContainsAny(schema, ", \"") {
		return "", "", fault.E(fault.Invalid, "--db: search_path %q: a node lives in one schema", schema)
	}
	return u.String(), schema, nil
}

func runPG(ctx context.Context, tool string, args ...string) (string, error) {
	path, err := pgTool(tool)
	if err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i > 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("%s: %s", tool, msg)
	}
	return stdout.String(), nil
}

func pgBackup(ctx context.Context, c Config, out string) (BackupReport, error) {
	if _, err := os.Lstat(out); err == nil {
		return BackupReport{}, fault.E(fault.Conflict, "%s already exists; a backup never overwrites a file", out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return BackupReport{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	// The node must exist before there is anything to back up.
	st, err := OpenStore(ctx, c)
	if err != nil {
		return BackupReport{}, err
	}
	node, err := st.Node(ctx)
	st.Close()
	if err != nil {
		return BackupReport{}, fmt.Errorf("no node in that database: %w", err)
	}
	target, schema, err := pgTarget(c.DB)
	if err != nil {
		return BackupReport{}, err
	}
	tmp := out + ".partial"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return BackupReport{}, fmt.Errorf("remove the unfinished backup %s: %w", tmp, err)
	}
	if schema == "" {
		schema = "public"
	}
	args := []string{"--format=custom", "--no-owner", "--file=" + tmp, "--schema=" + schema}
	if _, err := runPG(ctx, "pg_dump", append(args, "--dbname="+target)...); err != nil {
		os.Remove(tmp)
		return BackupReport{}, err
	}
	if _, err := pgList(ctx, tmp); err != nil {
		os.Remove(tmp)
		return BackupReport{}, fmt.Errorf("check the archive: %w", err)
	}
	if err := durable.SyncFile(tmp); err != nil {
		os.Remove(tmp)
		return BackupReport{}, err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return BackupReport{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	if err := durable.SyncDir(filepath.Dir(out)); err != nil {
		return BackupReport{}, fmt.Errorf("backup to %s: %w", out, err)
	}
	info, err := os.Stat(out)
	if err != nil {
		return BackupReport{}, err
	}
	return BackupReport{Format: "pg_dump", Node: node.Code, Bytes: info.Size()}, nil
}

// pgList checks that a file is a readable pg_dump archive of a Liaison node
// and returns the schema the node's tables are in.
func pgList(ctx context.Context, file string) (string, error) {
	if !isPGArchive(file) {
		return "", fault.E(fault.Invalid, "%s is not a pg_dump archive", file)
	}
	list, err := runPG(ctx, "pg_restore", "--list", file)
	if err != nil {
		return "", fault.Wrap(fault.Invalid, err, "%s is damaged", file)
	}
	// Entries read "ID; OID OID TABLE schema name owner".
	for line := range strings.Lines(list) {
		f := strings.Fields(line)
		if len(f) >= 6 && f[3] == "TABLE" && f[5] == "node" {
			return f[4], nil
		}
	}
	return "", fault.E(fault.Invalid, "%s holds no Liaison node (no node table)", file)
}

func pgRestore(ctx context.Context, c Config, file string) (BackupReport, error) {
	if !isPGArchive(file) {
		return BackupReport{}, fault.E(fault.Invalid, "%s is not a PostgreSQL backup (pg_dump archive); a SQLite backup is restored with --data", file)
	}
	archived, err := pgList(ctx, file)
	if err != nil {
		return BackupReport{}, err
	}
	target, schema, err := pgTarget(c.DB)
	if err != nil {
		return BackupReport{}, err
	}
	if schema == "" {
		schema = "public"
	}
	if schema != archived {
		return BackupReport{}, fault.E(fault.Invalid, "%s holds a node in schema %q but --db names schema %q; restore it where it was (search_path=%s)", file, archived, schema, archived)
	}
	// pg_restore in one transaction: a failure leaves the database as it was;
	// --exit-on-error refuses a database that already holds the schema.
	if _, err := runPG(ctx, "pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "--dbname="+target, file); err != nil {
		return BackupReport{}, fmt.Errorf("restore %s: %w", file, err)
	}
	info, err := os.Stat(file)
	if err != nil {
		return BackupReport{}, err
	}
	return BackupReport{Format: "pg_dump", Bytes: info.Size()}, nil
}
