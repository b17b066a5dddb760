package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"liaison/internal/intel"
)

// SearchFileName is the name of the full-text index inside the data
// directory. It holds derived data only: Open rebuilds whatever it lacks
// from the records, so deleting it loses nothing.
const SearchFileName = "search.db"

// searchSchema is the alias under which readers attach search.db.
const searchSchema = "search"

// searchVersion is the layout of search.db. Open empties and rebuilds a file
// of another layout.
const searchVersion = 4

// The full-text index keeps a copy of the text it indexes, so that FTS5
// can find a record's entries when the record leaves the index or is given
// a new version and remove them (secure-delete, see searchMerge): without
// it (a contentless index, smaller) a deletion only marked the record
// deleted, its words staying in the file until segments were merged, and
// a record purged on retraction left them there. docs records which
// version of each record it holds, and state the
// record_changes count it reflects and the last record_updates entry it has
// seen. state starts at -1, below any count, so that a new index is filled
// from the records at once.
//
// Each write adds a segment to the index, which FTS5 merges into larger
// ones as they accumulate. Merging sixteen at a time rather than four (the
// default) rewrites each entry about half as often, for more segments for a
// search to look into (see searchMerge).
const searchDDL = `
CREATE TABLE state (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	seq     INTEGER NOT NULL,
	updates INTEGER NOT NULL
);
INSERT INTO state (id, seq, updates) VALUES (1, -1, 0);
CREATE TABLE docs (
	rid     INTEGER PRIMARY KEY,
	version INTEGER NOT NULL
);
CREATE VIRTUAL TABLE records_fts USING fts5 (
	text,
	tokenize = 'unicode61 remove_diacritics 2'
);`

// searchMerge sets how many segments of a size FTS5 merges at a time. It is
// applied at every Open, so that an index made with another setting takes
// it too. Going from eight to sixteen cut the merging CPU of bulk inserts by
// a quarter (the index writer's by about a sixth).
const searchMerge = `INSERT INTO records_fts (records_fts, rank) VALUES ('automerge', 16);
INSERT INTO records_fts (records_fts, rank) VALUES ('secure-delete', 1)`

// The second statement of searchMerge has FTS5 remove a record's entries
// from the index's segments when the record is deleted from it or given a
// new version, rather than leave them there, marked deleted, until the
// segments are merged: a record purged of its personal data on retraction
// leaves none of its words in search.db.

const (
	sqlBumpChanges = `UPDATE record_changes SET seq = seq + 1 RETURNING seq`
	sqlSearchState = `SELECT seq FROM state`
	sqlSetState    = `UPDATE state SET seq = ?, updates = ?`
	sqlLastUpdate  = `SELECT coalesce(max(id), 0) FROM record_updates`
	sqlPruneLog    = `DELETE FROM record_updates WHERE id <= ?`
	sqlDeleteFTS   = `DELETE FROM records_fts WHERE rowid = ?`
	sqlDeleteDoc   = `DELETE FROM docs WHERE rid = ?`
	sqlSearchLag   = `SELECT (SELECT seq FROM record_changes), (SELECT seq FROM search.state)`
	sqlReadState   = `SELECT (SELECT seq FROM record_changes), (SELECT coalesce(max(id), 0) FROM record_updates),
		(SELECT seq FROM search.state), (SELECT updates FROM search.state)`
	sqlStaleDocs = `SELECT r.rid, d.rid IS NOT NULL FROM records r LEFT JOIN search.docs d ON d.rid = r.rid
		WHERE d.version IS NOT r.version ORDER BY r.rid`
	sqlChangedDocs = `SELECT r.rid, d.rid IS NOT NULL FROM records r LEFT JOIN search.docs d ON d.rid = r.rid
		WHERE r.rid IN (SELECT rid FROM records WHERE rid > (SELECT coalesce(max(rid), 0) FROM search.docs)
			UNION SELECT rid FROM record_updates WHERE id > ?)
		AND d.version IS NOT r.version ORDER BY r.rid`
	sqlOrphanDocs  = `SELECT d.rid FROM search.docs d WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.rid = d.rid)`
	sqlLatestByRID = `SELECT r.version, v.body FROM records r JOIN record_versions v ON v.id = r.id AND v.version = r.version
		WHERE r.rid = ?`
)

// reconcileChunk is how many documents a repair writes per transaction, so
// that rebuilding a large index neither holds the index's write lock nor
// grows its log without bound.
const reconcileChunk = 2000

// setupSearch creates the tables of search.db, or empties and recreates
// them when the file has another layout.
func (db *DB) setupSearch(ctx context.Context) error {
	return inTxOn(ctx, db.searchW, func(tx *sql.Tx) error {
		var v int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return err
		}
		if v == searchVersion {
			_, err := tx.ExecContext(ctx, searchMerge)
			return err
		}
		if v != 0 {
			for _, t := range []string{"records_fts", "docs", "state"} {
				if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+t); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, searchDDL); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, searchMerge); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, searchVersion))
		return err
	})
}

// doc is one record's entry in the full-text index.
type doc struct {
	rid     int64
	version int
	text    string
}

// docSource hands the documents of a write to yield, in order.
type docSource func(ctx context.Context, yield func(doc) error) error

// indexPlan is what an indexJob learns from the write it follows once the
// write holds the lock: the record_changes count its transaction reaches,
// the last record_updates entry it leaves, where to find its documents, and
// what to call once it is done with them.
type indexPlan struct {
	seq     int64
	updates int64
	replace bool // documents may already be indexed under their rowid
	docs    docSource
	release func()
}

// indexJob updates search.db for one write of records, in its own goroutine
// and transaction, so that full-text indexing runs beside the writer rather
// than on it. The writer sends the plan once its transaction holds the lock,
// then the outcome, and returns; the job commits only if the records were
// committed.
//
// Jobs run one after the other in the order of their writes, each starting
// when the one before has ended, and a write waits for the job before the
// previous one: so the index lags the records by at most two writes, while
// one write's indexing overlaps the next write.
type indexJob struct {
	plan    chan indexPlan
	outcome chan bool
	cancel  context.CancelFunc
}

// errIndexBehind reports that search.db missed an earlier change, so that
// adding this write's documents alone would not make it current.
var errIndexBehind = errors.New("search index is behind the records")

// startIndex starts the job that follows a write. The caller holds db.smu,
// sends a plan (or closes plan when its transaction fails before it has
// one) and then the outcome. The job outlives the caller's context: records
// once committed are indexed.
func (db *DB) startIndex(ctx context.Context) *indexJob {
	if db.prevJob != nil {
		<-db.prevJob
	}
	// Statements run under a context that is never cancelled: the driver
	// watches a cancellable one with a goroutine per statement, and the
	// index runs a statement per record. The job stops early through
	// abort instead, which end cancels when the records fail.
	sctx := context.WithoutCancel(ctx)
	abort, cancel := context.WithCancel(sctx)
	j := &indexJob{plan: make(chan indexPlan, 1), outcome: make(chan bool, 1), cancel: cancel}
	after, ended := db.lastJob, make(chan struct{})
	db.prevJob, db.lastJob = db.lastJob, ended
	go func() {
		defer close(ended)
		defer cancel()
		if after != nil {
			<-after
		}
		db.afterIndex(sctx, db.runIndex(sctx, abort, j))
	}()
	return j
}

// end tells the job whether the records were committed.
func (j *indexJob) end(committed bool) {
	if !committed {
		j.cancel()
	}
	j.outcome <- committed
}

// indexIdle waits until every index job started has ended, or ctx is done.
// The caller holds db.smu, so that no other starts meanwhile.
func (db *DB) indexIdle(ctx context.Context) error {
	if db.lastJob == nil {
		return nil
	}
	select {
	case <-db.lastJob:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (db *DB) runIndex(ctx, abort context.Context, j *indexJob) error {
	plan, ok := <-j.plan
	if ok && plan.release != nil {
		defer plan.release()
	}
	conn, tx, err := db.beginSearch(ctx)
	if err != nil {
		// The records go ahead without the index, which is repaired later.
		if <-j.outcome && ok {
			return err
		}
		return nil
	}
	defer conn.Close()
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if ok {
		err = db.writeDocs(ctx, abort, conn, tx, plan)
	}
	if !<-j.outcome || !ok {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, sqlSetState, plan.seq, plan.updates); err != nil {
		return err
	}
	return tx.Commit()
}

// writeDocs indexes a plan's documents inside tx, provided the index
// reflects every change before the plan's. It gives up when abort is done.
func (db *DB) writeDocs(ctx, abort context.Context, conn *sql.Conn, tx *sql.Tx, plan indexPlan) error {
	var seq int64
	if err := tx.QueryRowContext(ctx, sqlSearchState).Scan(&seq); err != nil {
		return err
	}
	if seq != plan.seq-1 {
		return errIndexBehind
	}
	w, err := newDocWriter(ctx, conn, tx, &db.sstmts)
	if err != nil {
		return err
	}
	defer w.close()
	err = plan.docs(abort, func(d doc) error {
		if err := abort.Err(); err != nil {
			return err
		}
		if plan.replace {
			if err := w.drop(ctx, d.rid); err != nil {
				return err
			}
		}
		return w.add(ctx, d)
	})
	if err != nil {
		return err
	}
	return w.finish(ctx)
}

// docWriter writes documents to the index inside a transaction.
//
// FTS5 writes the text it has pending to disk whenever a statement of the
// transaction opens a savepoint, which any statement that may fail halfway
// does (a multi-row INSERT, a DELETE from the index). So a writer inserts
// text one row at a time with INSERT OR ROLLBACK, which needs none, and
// keeps the rows of docs for finish: written after all the text, they make
// FTS5 write it out once rather than once per row.
type docWriter struct {
	conn   *sql.Conn
	tx     *sql.Tx
	cache  *stmtCache
	insert *inserter
	del    *sql.Stmt
	docs   []doc // text unused
	gone   []int64
}

// newDocWriter prepares to write documents inside tx, on its connection
// conn (search.db's writer, whose statements cache keeps).
func newDocWriter(ctx context.Context, conn *sql.Conn, tx *sql.Tx, cache *stmtCache) (*docWriter, error) {
	w := &docWriter{conn: conn, tx: tx, cache: cache, insert: newInserter(tx, conn, 1, "records_fts", "rowid", "text")}
	w.insert.cache = cache
	var err error
	if w.del, err = tx.PrepareContext(ctx, sqlDeleteFTS); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// drop removes whatever the index holds under rid. Drops should precede the
// adds of a transaction, since each writes out the text pending before it.
func (w *docWriter) drop(ctx context.Context, rid int64) error {
	_, err := w.del.ExecContext(ctx, rid)
	return err
}

// add indexes d under a rowid the index does not hold (any more).
func (w *docWriter) add(ctx context.Context, d doc) error {
	if err := w.insert.add(ctx, d.rid, d.text); err != nil {
		return err
	}
	w.docs = append(w.docs, doc{rid: d.rid, version: d.version})
	return nil
}

// forget drops rid from docs, for a rowid no record has.
func (w *docWriter) forget(rid int64) { w.gone = append(w.gone, rid) }

// finish writes the rows of docs for the text added so far.
func (w *docWriter) finish(ctx context.Context) error {
	ins := newUpserter(w.tx, w.conn, chunkRows, "docs", "rid", "version")
	ins.cache = w.cache
	defer ins.close()
	for _, d := range w.docs {
		if err := ins.add(ctx, d.rid, int64(d.version)); err != nil {
			return err
		}
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	for _, rid := range w.gone {
		if _, err := w.tx.ExecContext(ctx, sqlDeleteDoc, rid); err != nil {
			return err
		}
	}
	w.docs, w.gone = w.docs[:0], w.gone[:0]
	return nil
}

// close releases the prepared statements; a nil writer has none.
func (w *docWriter) close() {
	if w == nil {
		return
	}
	if w.insert != nil {
		w.insert.close()
	}
	if w.del != nil {
		w.del.Close()
	}
	w.insert, w.del = nil, nil
}

// beginSearch begins a write transaction of search.db on a connection of
// its own, which the caller closes after the transaction ends. As with
// inConnTxOn, the transaction is not bound to ctx, so that nothing rolls it
// back between the statements the caller runs on the connection directly.
func (db *DB) beginSearch(ctx context.Context) (*sql.Conn, *sql.Tx, error) {
	conn, err := db.searchW.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("begin: %w", mapErr(err, "search index"))
	}
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("begin: %w", mapErr(err, "search index"))
	}
	return conn, tx, nil
}

// afterIndex deals with the outcome of an index job whose records were
// committed: the index is repaired at once when it was behind or the job
// failed (and failing that, by the next search or write), since the records
// themselves are stored. It runs in the job's turn.
func (db *DB) afterIndex(ctx context.Context, err error) {
	if err == nil {
		return
	}
	if !errors.Is(err, errIndexBehind) {
		db.log.Warn("search index update failed; it will be repaired", "store", "sqlite", "err", err)
	}
	if err := db.reconcile(context.WithoutCancel(ctx)); err != nil {
		db.log.Warn("search index repair failed", "store", "sqlite", "err", err)
	}
}

// searchCurrent makes sure the full-text index reflects every change to
// records committed before it was called: it waits for this process's index
// jobs, and repairs the index when it is still behind (after a crash between
// the two commits, a failed index write or a change by a path that leaves
// indexing to the next search).
func (db *DB) searchCurrent(ctx context.Context) error {
	var changes, indexed int64
	if err := db.queryRow(ctx, []any{&changes, &indexed}, sqlSearchLag); err != nil {
		return fmt.Errorf("read search index state: %w", mapErr(err, "search index"))
	}
	if indexed >= changes {
		return nil
	}
	db.smu.Lock()
	defer db.smu.Unlock()
	if err := db.indexIdle(ctx); err != nil {
		return err
	}
	if err := db.reconcile(ctx); err != nil {
		return fmt.Errorf("repair search index: %w", err)
	}
	return nil
}

// reconcile brings search.db in line with the records and records the
// record_changes count it then reflects; it does nothing when the counts
// agree. An index behind the records (the usual case: changes made while it
// was not looking) is brought up to date from what changed since: records
// above the highest rowid it holds and records logged in record_updates
// since the last entry it saw. An index ahead of them (records restored from
// an older copy) is compared with every record: the latest version of each
// record it lacks or holds at another version is indexed, and entries of
// rowids no record has are dropped.
//
// The caller has the index to itself in this process (db.smu held and no
// job running, or an index job's turn); search.db's write lock keeps other
// processes out while the differences are read.
func (db *DB) reconcile(ctx context.Context) error {
	conn, tx, err := db.beginSearch(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer func() { _ = tx.Rollback() }()
	d, err := db.searchDiff(ctx)
	if err != nil {
		return fmt.Errorf("compare search index: %w", mapErr(err, "search index"))
	}
	if d.indexed == d.changes {
		return nil
	}
	if len(d.stale)+len(d.orphans) > 100 {
		db.log.Info("updating search index", "store", "sqlite", "documents", len(d.stale), "orphans", len(d.orphans))
	}
	w, err := newDocWriter(ctx, conn, tx, &db.sstmts)
	if err != nil {
		return err
	}
	defer func() { w.close() }()
	for _, rid := range d.orphans {
		if err := w.drop(ctx, rid); err != nil {
			return fmt.Errorf("drop search entry %d: %w", rid, err)
		}
		w.forget(rid)
	}
	for lo := 0; lo < len(d.stale); lo += reconcileChunk {
		if lo > 0 {
			// Commit the work so far and go on in a new transaction.
			w.close()
			if err := tx.Commit(); err != nil {
				return fmt.Errorf("commit: %w", mapErr(err, "search index"))
			}
			if tx, err = conn.BeginTx(context.WithoutCancel(ctx), nil); err != nil {
				return fmt.Errorf("begin: %w", mapErr(err, "search index"))
			}
			if w, err = newDocWriter(ctx, conn, tx, &db.sstmts); err != nil {
				return err
			}
		}
		hi := min(lo+reconcileChunk, len(d.stale))
		docs, err := db.latestDocs(ctx, d.stale[lo:hi])
		if err != nil {
			return err
		}
		for i, doc := range docs {
			if d.had[lo+i] {
				if err := w.drop(ctx, doc.rid); err != nil {
					return err
				}
			}
		}
		for _, doc := range docs {
			if err := w.add(ctx, doc); err != nil {
				return fmt.Errorf("index record %d: %w", doc.rid, err)
			}
		}
		if err := w.finish(ctx); err != nil {
			return err
		}
	}
	if len(d.stale) == 0 {
		if err := w.finish(ctx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, sqlSetState, d.changes, d.updates); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err, "search index"))
	}
	return nil
}

// searchDiff is what reconcile learns in one read transaction: the counts
// of the records and of the index, the rowids to (re)index with whether each
// is indexed already, and the indexed rowids no record has.
type searchDiff struct {
	changes, updates int64 // record_changes and the last record_updates entry
	indexed          int64 // the record_changes count the index reflects
	stale            []int64
	had              []bool
	orphans          []int64
}

func (db *DB) searchDiff(ctx context.Context) (searchDiff, error) {
	var d searchDiff
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return d, err
	}
	defer conn.Close()
	rtx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return d, err
	}
	defer func() { _ = rtx.Rollback() }()
	var seen int64
	if err := rtx.QueryRowContext(ctx, sqlReadState).Scan(&d.changes, &d.updates, &d.indexed, &seen); err != nil {
		return d, err
	}
	if d.indexed == d.changes {
		return d, nil
	}
	query, args := sqlChangedDocs, []any{seen}
	if d.indexed > d.changes {
		query, args = sqlStaleDocs, nil
	}
	err = scanRowids(ctx, rtx, query, args, func(rid int64, had bool) {
		d.stale, d.had = append(d.stale, rid), append(d.had, had)
	})
	if err != nil || d.indexed < d.changes {
		return d, err
	}
	err = scanRowids(ctx, rtx, sqlOrphanDocs, nil, func(rid int64, _ bool) { d.orphans = append(d.orphans, rid) })
	return d, err
}

// scanRowids hands fn the rows of a query of a rowid and, when there is a
// second column, a flag.
func scanRowids(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(int64, bool)) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		var rid int64
		var flag bool
		dest := []any{&rid, &flag}[:len(cols)]
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		fn(rid, flag)
	}
	return rows.Err()
}

// pruneUpdates drops the record_updates entries the index has seen.
func (db *DB) pruneUpdates(ctx context.Context) error {
	var seen int64
	if err := db.queryRow(ctx, []any{&seen}, `SELECT updates FROM search.state`); err != nil {
		return mapErr(err, "search index")
	}
	return inTxOn(ctx, db.write, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, sqlPruneLog, seen)
		return err
	})
}

// latestDocs reads the documents of the latest versions of records by rowid.
func (db *DB) latestDocs(ctx context.Context, rids []int64) ([]doc, error) {
	docs := make([]doc, len(rids))
	for i, rid := range rids {
		var body []byte
		docs[i].rid = rid
		if err := db.queryRow(ctx, []any{&docs[i].version, &body}, sqlLatestByRID, rid); err != nil {
			return nil, fmt.Errorf("read record %d: %w", rid, mapErr(err, "record"))
		}
		r, err := decode(body)
		if err != nil {
			return nil, err
		}
		docs[i].text = intel.SearchText(r)
	}
	return docs, nil
}
