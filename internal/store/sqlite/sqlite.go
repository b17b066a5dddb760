// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go) kept in DIR/liaison.db, with its full-text
// index in DIR/search.db and cross-matching's links in DIR/links.db.
//
// The database runs in WAL mode. All writes go through a single connection
// whose transactions begin IMMEDIATE, which serialises writers (and with them
// audit appends) even across processes, while a separate read-only pool
// serves reads that never wait for a writer.
//
// The full-text index is derived data kept in a file of its own with its own
// writer, so that indexing runs beside the writing of records instead of on
// the same connection. A write of records returns once they are committed;
// its index transaction commits after theirs in the background (and is
// rolled back when theirs fails), overlapping the next write. The index
// records how many changes to records it reflects, so that a search first
// waits for it to reflect every write that returned before the search
// began, and a search or Open that finds it behind for any other reason (a
// crash between the two commits) repairs it from the records.
//
// Cross-matching's links and its watermark (the version of each record
// whose links are stored) are derived data too, kept in links.db with a
// writer of their own, so that storing links never holds the writer of the
// records (and of the inbox). A record's links and its mark are written in
// one transaction of that file, so a record is marked matched exactly when
// its links are stored; a links.db that is missing, unreadable or of
// another layout starts empty, and the empty watermark has every record
// matched again. Readers attach it, so that finding the records not yet
// matched is one query over both files.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	msqlite "modernc.org/sqlite"

	"liaison/internal/fault"
	"liaison/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the name of the database file inside the data directory.
const FileName = "liaison.db"

// timeLayout is how times are stored: UTC, fixed width, microseconds, so that
// stored times compare and sort correctly as text.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// pageSize is the page size of a new database. Larger pages than SQLite's
// default 4 KiB cut the number of pages written per record by about half,
// since a record's JSON body is a few KiB.
const pageSize = 16384

// writerCacheKiB is the page cache of the writer connection, large enough
// to keep the indexes a batch of records touches in memory.
const writerCacheKiB = 64 << 10

// readerMmapBytes is how much of the database file readers map into memory
// rather than copy in with a system call per page: none. A reader whose
// transaction finds the WAL changed since its last one drops its page cache
// and, with a mapping, unmaps and remaps the whole file; since every read
// of a record writes an audit entry, that happened on nearly every read and
// cost more (munmap of a large mapping, then page faults) than the few
// page reads it saved.
const readerMmapBytes = 0

// checkpointDelay is how long the checkpointer lets commits accumulate
// after the first one it has not copied: one checkpoint (and its two
// fsyncs) covers a second of transactions, under a sustained load as when
// the node is quiet. Under load not sooner: a goroutine in fsync keeps its
// processor until the runtime's monitor, which sleeps up to 10 ms while
// nothing needs it, takes it back, and each checkpoint copies the pages the
// transactions since the last one left, a page written by several of them
// once. Every 100 ms the two nodes of the federation benchmark spent about
// 6 % of the time with one core held so while work waited for it; every
// 400 ms against every second, the second took less processor time in
// 12 of 18 alternating pairs and wrote about 7 % less.
const checkpointDelay = time.Second

// autoCheckpointPages is the WAL size, in pages, at which the writer
// checkpoints by itself: a safety net behind the checkpointer, for bulk
// inserts that commit faster than it copies (see restartFrames). The
// writer's own checkpoint lets the WAL start again from its beginning
// every 256 MiB, with most of its pages already copied by the
// checkpointer. At 4,096 pages it fell due every second or so of bulk
// inserts and held the writer in fsync for about a quarter of the time.
const autoCheckpointPages = 16384

// busyTimeout is how long a statement waits for a lock held by another
// process before failing with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Options adjust how a database is opened. The zero value is ready to use.
type Options struct {
	// Now is the clock audit entries and default creation times are taken
	// from; time.Now when nil.
	Now func() time.Time
	// Logger receives one line per applied migration; slog.Default when nil.
	Logger *slog.Logger
}

// DB is a store.Store backed by SQLite. It is safe for concurrent use.
type DB struct {
	path  string
	write *sql.DB // one connection; every transaction is BEGIN IMMEDIATE
	read  *sql.DB // read-only pool, search.db and links.db attached as "search" and "links"
	now   func() time.Time
	log   *slog.Logger

	// legacyAudit is set on a database read by Inspect whose schema
	// predates audit_head and the body digests (anchorSchema): its audit
	// rows are read without them.
	legacyAudit bool

	// searchW is search.db's writer, one connection like write. smu
	// orders this process's changes to the index after the record changes
	// they follow: a write of records holds it until its records commit,
	// and starts an index job chained after the last one (lastJob, closed
	// when that job ends; prevJob the one before it).
	searchPath       string
	searchW          *sql.DB
	smu              sync.Mutex
	lastJob, prevJob chan struct{}

	// linksW is links.db's writer, one connection like write.
	linksPath string
	linksW    *sql.DB
	nums      numbers // record numbers of links.db, see numberCache

	// The checkpointer goroutine copies committed WAL frames into the
	// database file off the writer's path; dirty wakes it after a commit,
	// stop ends it and stopped reports that it has.
	dirty   chan struct{}
	stop    chan struct{}
	stopped chan struct{}

	// auditQ gathers concurrent Audit calls into one transaction.
	auditQ auditQueue

	// wstmts, sstmts and lstmts keep the statements of bulk inserts
	// prepared on the writer's, search.db's and links.db's writer
	// connection.
	wstmts, sstmts, lstmts stmtCache

	// stmts caches the read pool's prepared statements by query text. The
	// queries are built from constants only, so the set is bounded.
	mu    sync.Mutex
	stmts map[string]*sql.Stmt

	// blocks holds the buffers batches encode record bodies into.
	blocks sync.Pool

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the database in dir with default options.
func Open(ctx context.Context, dir string) (*DB, error) {
	return OpenWith(ctx, dir, Options{})
}

// OpenWith opens (creating dir and the database if needed) the database in
// dir and applies pending migrations before returning. A database written by
// a newer build, with migrations this one does not know, is refused.
func OpenWith(ctx context.Context, dir string, opts Options) (*DB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	db := &DB{path: path, searchPath: filepath.Join(dir, SearchFileName), linksPath: filepath.Join(dir, LinksFileName),
		now: opts.Now, log: opts.Logger,
		stmts: map[string]*sql.Stmt{}, blocks: sync.Pool{New: newBodyBlock}}
	if db.now == nil {
		db.now = time.Now
	}
	if db.log == nil {
		db.log = slog.Default()
	}

	var err error
	db.write, err = sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	oneConn(db.write)
	if err := setup(ctx, db.write); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}

	db.searchW, err = sql.Open("sqlite", dsn(db.searchPath, true))
	if err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open store %s: %w", db.searchPath, err)
	}
	oneConn(db.searchW)
	if err := setup(ctx, db.searchW); err != nil {
		db.closePools()
		return nil, fmt.Errorf("open store %s: %w", db.searchPath, err)
	}
	if err := db.setupSearch(ctx); err != nil {
		db.closePools()
		return nil, fmt.Errorf("open store %s: create search index: %w", db.searchPath, mapErr(err, "search index"))
	}

	if err := db.openLinks(ctx); err != nil {
		db.closePools()
		return nil, fmt.Errorf("open store %s: %w", db.linksPath, mapErr(err, "match links"))
	}

	db.read = sql.OpenDB(readConnector(dsn(path, false), db.searchPath, db.linksPath))
	n := max(4, runtime.NumCPU())
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	if err := db.read.PingContext(ctx); err != nil {
		db.closePools()
		return nil, fmt.Errorf("open store %s: %w", path, mapErr(err, "database"))
	}
	db.smu.Lock()
	err = db.reconcile(ctx)
	db.smu.Unlock()
	if err == nil {
		err = db.pruneUpdates(ctx)
	}
	if err != nil {
		db.closePools()
		return nil, fmt.Errorf("open store %s: bring search index up to date: %w", path, err)
	}
	db.dirty = make(chan struct{}, 1)
	db.stop = make(chan struct{})
	db.stopped = make(chan struct{})
	go db.checkpointer()
	return db, nil
}

// checkpointer runs checkpoints after commits, at most once per
// checkpointDelay so that one checkpoint (and its fsync) covers many
// transactions. Its passive passes never block the writer or readers; only
// the last pass of a large WAL waits for the writer, briefly (see
// checkpoint). The writer's own automatic checkpoint, set much higher, only
// acts if the checkpointer falls far behind.
func (db *DB) checkpointer() {
	defer close(db.stopped)
	timer := time.NewTimer(checkpointDelay)
	timer.Stop()
	files := []*walFile{{schema: "main", writer: db.write}, {schema: searchSchema, writer: db.searchW},
		{schema: linksSchema, writer: db.linksW}}
	for {
		select {
		case <-db.stop:
			return
		case <-db.dirty:
		}
		timer.Reset(checkpointDelay)
		select {
		case <-db.stop:
			timer.Stop()
			return
		case <-timer.C:
		}
		for _, f := range files {
			if err := db.checkpoint(f); err != nil {
				db.log.Warn("checkpoint failed", "store", "sqlite", "file", f.schema, "err", err)
			}
		}
	}
}

// walFile is one of the three database files as the checkpointer sees it:
// its schema on the read pool, its writer, and how many frames its WAL held
// at the last checkpoint.
type walFile struct {
	schema string
	writer *sql.DB
	frames int
}

// restartFrames is the WAL size, in frames (pages), from which the
// checkpointer makes sure that the next write starts the WAL again from its
// beginning, so that the file's pages, and the memory the system caches
// them in, are written over rather than new ones added. Under a sustained
// load the WAL never empties between two commits: it would otherwise grow
// to autoCheckpointPages (256 MiB) before the writer's own checkpoint lets
// it start again, and every page of it on the way is memory the system
// must find anew. 16 MiB.
const restartFrames = 1024

// catchUpWithin and catchUpPasses bound the passive checkpoints the
// checkpointer runs before it holds the writer for the last one: a pass
// that took no longer than catchUpWithin leaves no more than that much of
// the writer's commits to copy while the writer waits. When the writer
// commits faster than the passes copy (bulk inserts), there is no last
// pass and the WAL grows as before. catchUpWithin is a variable for tests.
var catchUpWithin = 50 * time.Millisecond

const catchUpPasses = 3

// writerWait is how long the checkpointer waits for the writer to finish
// its transaction before the last pass; in the federation benchmark it
// waited up to about 200 ms. A variable for tests.
var writerWait = 500 * time.Millisecond

// checkpoint copies the WAL of f into its database file. When the WAL has
// grown to restartFrames and the passive passes catch up with the writer,
// the last pass runs on the writer's own connection, between two of its
// transactions: nothing is committed during it, so it copies every frame
// (unless a reader still needs one) and the writer's next transaction
// starts the WAL again from its beginning.
func (db *DB) checkpoint(f *walFile) error {
	ctx := context.Background()
	last := f.frames
	for pass := 1; ; pass++ {
		start := time.Now()
		frames, copied, err := walCheckpoint(ctx, db.read, `PRAGMA `+f.schema+`.wal_checkpoint(PASSIVE)`)
		if err != nil {
			return err
		}
		f.frames = frames
		if frames < restartFrames || frames == last && copied == frames {
			// A small WAL, or nothing written to it since the last
			// checkpoint: nothing to start again.
			return nil
		}
		if time.Since(start) <= catchUpWithin {
			break
		}
		if pass == catchUpPasses {
			return nil // the writer commits faster than the passes copy
		}
	}
	// A writer busy for longer (a long transaction, a rebuild) is not
	// waited for: the next checkpoint tries again, and the writer's own
	// checkpoint bounds the WAL meanwhile.
	wait, cancel := context.WithTimeout(ctx, writerWait)
	conn, err := f.writer.Conn(wait)
	cancel()
	if errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	if err != nil {
		return mapErr(err, "checkpoint")
	}
	defer conn.Close()
	frames, _, err := walCheckpoint(ctx, conn, `PRAGMA wal_checkpoint(PASSIVE)`)
	if err != nil {
		return err
	}
	f.frames = frames
	return nil
}

// walCheckpoint runs a wal_checkpoint pragma on q and returns how many
// frames the WAL held and how many of them are copied.
func walCheckpoint(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, pragma string) (frames, copied int, err error) {
	var busy int
	if err := q.QueryRowContext(ctx, pragma).Scan(&busy, &frames, &copied); err != nil {
		return 0, 0, mapErr(err, "checkpoint")
	}
	return frames, copied, nil
}

// oneConn keeps a pool to the single connection a writer uses.
func oneConn(p *sql.DB) {
	p.SetMaxOpenConns(1)
	p.SetMaxIdleConns(1)
	p.SetConnMaxLifetime(0)
	p.SetConnMaxIdleTime(0)
}

// connector opens connections through a driver of this database's own, so
// that its connection hook (attaching search.db and links.db) applies to no
// other pool.
type connector struct {
	drv *msqlite.Driver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }

// readConnector opens readers of the database at dsn with the full-text
// index at searchPath attached as "search" and the match links at linksPath
// as "links". Readers are query-only, which covers the attached files too.
func readConnector(dsn, searchPath, linksPath string) driver.Connector {
	drv := &msqlite.Driver{}
	drv.RegisterConnectionHook(func(c msqlite.ExecQuerierContext, _ string) error {
		for _, f := range []struct{ path, schema string }{{searchPath, searchSchema}, {linksPath, linksSchema}} {
			if _, err := c.ExecContext(context.Background(), "ATTACH DATABASE ? AS "+f.schema,
				[]driver.NamedValue{{Ordinal: 1, Value: f.path}}); err != nil {
				return err
			}
		}
		return nil
	})
	return connector{drv: drv, dsn: dsn}
}

// dsn builds the connection string of the writer or of a reader.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Content deleted or overwritten is overwritten with zeros, pages
	// freed whole included, rather than left in free space: what a
	// retraction purges is not in the file once the WAL is checkpointed
	// (TestPurgeLeavesNoTraceInTheFiles). It cost nothing measurable in
	// the federation benchmark, whose writes are appends.
	q.Add("_pragma", "secure_delete(ON)")
	if writer {
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -writerCacheKiB))
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", autoCheckpointPages))
		// A statement that writes many rows and may fail on a
		// constraint keeps the pages it changes in a statement journal,
		// to undo itself alone: in memory, not in a temporary file that
		// the inbox's multi-row inserts wrote about 2.5 KiB an envelope
		// to (a sort too large for memory still spills to disk).
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(ON)")
		q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", readerMmapBytes))
	}
	return path + "?" + q.Encode()
}

// setup puts the database behind a writer pool in WAL mode. The page size
// is set first because it can only change before the first write, and
// switching to WAL writes the header; on an existing database setting it
// does nothing.
func setup(ctx context.Context, w *sql.DB) error {
	if _, err := w.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSize)); err != nil {
		return fmt.Errorf("set page size: %w", mapErr(err, "database"))
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("set journal mode: %w", mapErr(err, "database"))
	}
	if mode != "wal" {
		return fmt.Errorf("set journal mode: database stays in %s mode", mode)
	}
	return nil
}

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction with its record.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", mapErr(err, "schema_migrations"))
	}
	var current int
	if err := db.write.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", mapErr(err, "schema version"))
	}
	if current > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this program's %d", current, len(ms))
	}
	for _, m := range ms[current:] {
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			// Re-check inside the write lock: another process may have
			// applied it since the version was read.
			var done int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&done); err != nil {
				return err
			}
			if done > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				m.Version, formatTime(db.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
		db.log.Info("applied migration", "store", "sqlite", "migration", m.Name)
	}
	return nil
}

// inTx runs fn in a write transaction of the database, committing when fn
// returns nil and rolling back otherwise.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := inTxOn(ctx, db.write, fn); err != nil {
		return err
	}
	db.wrote()
	return nil
}

// inConnTx is inTx for a function that also uses the transaction's
// connection directly (see inserter).
func (db *DB) inConnTx(ctx context.Context, fn func(*sql.Conn, *sql.Tx) error) error {
	if err := inConnTxOn(ctx, db.write, fn); err != nil {
		return err
	}
	db.wrote()
	return nil
}

// wrote wakes the checkpointer after a commit.
func (db *DB) wrote() {
	select {
	case db.dirty <- struct{}{}:
	default: // a checkpoint is already due
	}
}

// inTxOn runs fn in a write transaction of the writer pool w.
func inTxOn(ctx context.Context, w *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err, "transaction"))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err, "transaction"))
	}
	return nil
}

// inConnTxOn is inTxOn for a function that also uses the transaction's
// connection.
//
// The transaction itself is not bound to ctx: database/sql would roll it
// back from another goroutine when ctx ends, and a statement run on the
// connection directly after that would run, and commit, on its own. fn
// checks ctx between statements instead (its statements through tx fail
// once ctx has ended), and the transaction is rolled back when fn fails.
func inConnTxOn(ctx context.Context, w *sql.DB, fn func(*sql.Conn, *sql.Tx) error) error {
	conn, err := w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err, "transaction"))
	}
	defer conn.Close()
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err, "transaction"))
	}
	if err := fn(conn, tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err, "transaction"))
	}
	return nil
}

// closePools closes whichever pools are open, for a failed Open.
func (db *DB) closePools() {
	for _, p := range []*sql.DB{db.read, db.linksW, db.searchW, db.write} {
		if p != nil {
			p.Close()
		}
	}
}

// Close optimises and checkpoints the database, then closes every pool.
// Later calls return the first call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.close() })
	return db.closeErr
}

func (db *DB) close() error {
	close(db.stop)
	<-db.stopped
	// Let the index jobs finish.
	db.smu.Lock()
	defer db.smu.Unlock()
	_ = db.indexIdle(context.Background())
	ctx := context.Background()
	var errs []error
	db.mu.Lock()
	for _, st := range db.stmts {
		if err := st.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	db.stmts = nil
	db.mu.Unlock()
	if err := db.wstmts.close(ctx, db.write); err != nil {
		errs = append(errs, err)
	}
	if err := db.sstmts.close(ctx, db.searchW); err != nil {
		errs = append(errs, err)
	}
	if err := db.lstmts.close(ctx, db.linksW); err != nil {
		errs = append(errs, err)
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA optimize`); err != nil {
		errs = append(errs, fmt.Errorf("optimize: %w", err))
	}
	for _, w := range []*sql.DB{db.write, db.searchW, db.linksW} {
		if _, err := w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			errs = append(errs, fmt.Errorf("checkpoint: %w", err))
		}
	}
	for _, p := range []*sql.DB{db.read, db.linksW, db.searchW, db.write} {
		if err := p.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store %s: %w", db.path, err)
	}
	return nil
}

// prepared returns the read pool's prepared statement for query, preparing
// it on first use. Parsing a statement costs about as much as running a
// point lookup, so reads reuse them.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if st, ok := db.stmts[query]; ok {
		return st, nil
	}
	if db.stmts == nil {
		return nil, fault.E(fault.Unavailable, "store is closed")
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	db.stmts[query] = st
	return st, nil
}

// query runs a read through a cached prepared statement.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a one-row read through a cached prepared statement.
func (db *DB) queryRow(ctx context.Context, dest []any, query string, args ...any) error {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// nullTime stores an optional time as NULL when absent.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}
