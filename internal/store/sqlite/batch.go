package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"unsafe"
)

// textOf returns b as a string argument of an inserter without copying it:
// the driver copies a text argument when the statement runs, and until then
// b must not change, which holds for what a caller hands a store method for
// the length of the call. Received envelopes, record bodies and sharing
// decisions are kilobytes each, and a copy of each for its row was most of
// what storing a batch allocated.
func textOf(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// chunkRows is how many rows one multi-row INSERT carries. Each statement
// execution costs a few microseconds on top of the rows it writes, so a
// batch is written a chunk at a time.
//
// Full-text rows are the exception and go one at a time (see docWriter): a
// statement that writes several rows to an FTS5 table opens a statement
// savepoint, and FTS5 writes its pending index to disk at every savepoint
// instead of once per transaction.
const chunkRows = 32

// inserter writes rows to one table inside a transaction: full chunks go
// through one prepared multi-row INSERT and the remainder through a prepared
// one-row INSERT. Both statements are prepared on first use and reused for
// the whole batch. Rows reach the table only as chunks fill or at flush, so
// foreign keys between tables written this way must be deferred.
//
// Given the connection the transaction runs on, an inserter prepares and
// runs its statements on the driver's connection directly, with one
// argument slice for all its executions: database/sql would otherwise copy
// and convert every argument of every execution, which for bulk writes is
// most of what is left for the garbage collector. Arguments must then be
// driver values already (int64, not int).
//
// Statements run under a context that is never cancelled, since the driver
// watches a cancellable one with a goroutine per statement; the caller's
// context is checked before each instead.
type inserter struct {
	tx              *sql.Tx
	conn            *sql.Conn // the connection of tx, or nil to go through tx
	manySQL, oneSQL string
	cols            int
	chunk           int // rows per multi-row statement; 1 writes every row alone
	many, one       *sql.Stmt
	rawMany, rawOne driver.Stmt
	args            []any
	run             context.Context // the first caller's context without its cancellation

	// cache, when set, keeps the driver statements prepared on the
	// connection for later transactions (see stmtCache).
	cache *stmtCache

	// The statement, query and arguments of the driver call in progress,
	// and the call itself, made once so that an execution allocates
	// nothing.
	raw     *driver.Stmt
	rawSQL  string
	nv      []driver.NamedValue
	rawCall func(any) error
}

// newInserter prepares to insert into table's cols, chunk rows at a time,
// inside tx, on the driver connection conn when it is not nil (see
// inserter). A row that breaks a constraint rolls back the whole transaction
// (INSERT OR ROLLBACK), which spares multi-row statements a statement
// journal; the caller must return the error without running anything else
// in tx.
func newInserter(tx *sql.Tx, conn *sql.Conn, chunk int, table string, cols ...string) *inserter {
	return newWriter(tx, conn, chunk, "INSERT OR ROLLBACK INTO", table, cols...)
}

// newUpserter is newInserter for rows that replace those with the same key
// (INSERT OR REPLACE), at the cost of a statement journal.
func newUpserter(tx *sql.Tx, conn *sql.Conn, chunk int, table string, cols ...string) *inserter {
	return newWriter(tx, conn, chunk, "INSERT OR REPLACE INTO", table, cols...)
}

// newStatement runs query, of args arguments, once per add, as an
// inserter's one-row statement: on the driver connection conn when it is
// not nil.
func newStatement(tx *sql.Tx, conn *sql.Conn, query string, args int) *inserter {
	in := &inserter{tx: tx, conn: conn, manySQL: query, oneSQL: query, cols: args, chunk: 1,
		args: make([]any, 0, args)}
	if conn != nil {
		in.rawCall = in.call
	}
	return in
}

func newWriter(tx *sql.Tx, conn *sql.Conn, chunk int, verb, table string, cols ...string) *inserter {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := verb + " " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	in := &inserter{
		tx:      tx,
		conn:    conn,
		manySQL: head + strings.TrimSuffix(strings.Repeat(row+", ", chunk), ", "),
		oneSQL:  head + row,
		cols:    len(cols),
		chunk:   chunk,
		args:    make([]any, 0, chunk*len(cols)),
	}
	if conn != nil {
		in.rawCall = in.call
	}
	return in
}

// call prepares the statement in progress if need be and executes it; it
// runs on the driver connection through sql.Conn.Raw.
func (in *inserter) call(dc any) error {
	if *in.raw == nil {
		st, err := in.cache.get(dc, in.rawSQL)
		if err != nil {
			return err
		}
		if st == nil {
			p, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return fmt.Errorf("driver connection %T cannot prepare with a context", dc)
			}
			if st, err = p.PrepareContext(in.run, in.rawSQL); err != nil {
				return err
			}
			in.cache.put(dc, in.rawSQL, st)
		}
		*in.raw = st
	}
	x, ok := (*in.raw).(driver.StmtExecContext)
	if !ok {
		return fmt.Errorf("driver statement %T cannot execute with a context", *in.raw)
	}
	_, err := x.ExecContext(in.run, in.nv)
	return err
}

// exec runs the multi-row statement (many) or the one-row statement on args
// once ctx allows it.
func (in *inserter) exec(ctx context.Context, many bool, args []any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if in.run == nil {
		in.run = context.WithoutCancel(ctx)
	}
	query := in.oneSQL
	if many {
		query = in.manySQL
	}
	if in.conn == nil {
		st := &in.one
		if many {
			st = &in.many
		}
		if *st == nil {
			var err error
			if *st, err = in.tx.PrepareContext(ctx, query); err != nil {
				return err
			}
		}
		_, err := (*st).ExecContext(in.run, args...)
		return err
	}
	in.raw, in.rawSQL = &in.rawOne, query
	if many {
		in.raw = &in.rawMany
	}
	in.nv = in.nv[:0]
	for i, v := range args {
		if n, ok := v.(int); ok {
			v = int64(n)
		}
		in.nv = append(in.nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	err := in.conn.Raw(in.rawCall)
	clear(in.nv)
	return err
}

// add queues one row, writing a chunk when it is full.
func (in *inserter) add(ctx context.Context, vals ...any) error {
	in.args = append(in.args, vals...)
	if len(in.args) < in.chunk*in.cols {
		return nil
	}
	if in.chunk == 1 {
		return in.flush(ctx)
	}
	err := in.exec(ctx, true, in.args)
	in.args = in.args[:0]
	return err
}

// flush writes the rows still queued, one at a time.
func (in *inserter) flush(ctx context.Context) error {
	for i := 0; i < len(in.args); i += in.cols {
		if err := in.exec(ctx, false, in.args[i:i+in.cols]); err != nil {
			return err
		}
	}
	in.args = in.args[:0]
	return nil
}

// close releases the prepared statements, except those a cache keeps.
func (in *inserter) close() {
	for _, s := range []*sql.Stmt{in.many, in.one} {
		if s != nil {
			s.Close()
		}
	}
	if in.conn != nil && in.cache == nil && (in.rawMany != nil || in.rawOne != nil) {
		_ = in.conn.Raw(func(any) error {
			for _, s := range []driver.Stmt{in.rawMany, in.rawOne} {
				if s != nil {
					s.Close()
				}
			}
			return nil
		})
	}
	in.many, in.one, in.rawMany, in.rawOne = nil, nil, nil, nil
}

// stmtCache keeps the driver statements inserters prepare on one writer
// connection, by query, from one transaction to the next: preparing the
// multi-row INSERTs of a batch (a few hundred placeholders each) costs more
// than a microsecond per record otherwise. It is used only by whoever holds
// the connection, inside sql.Conn.Raw, which serialises it. Statements are
// tied to the driver connection they were prepared on; should the pool
// replace its connection, the cache starts over.
type stmtCache struct {
	conn  any
	stmts map[string]driver.Stmt
}

// get returns the statement prepared for query on dc, or nil. A nil cache
// holds nothing.
func (c *stmtCache) get(dc any, query string) (driver.Stmt, error) {
	if c == nil || c.conn != dc {
		return nil, nil
	}
	return c.stmts[query], nil
}

// put keeps st, prepared for query on dc. Statements of another connection
// are dropped (their connection is gone).
func (c *stmtCache) put(dc any, query string, st driver.Stmt) {
	if c == nil {
		return
	}
	if c.conn != dc {
		c.conn, c.stmts = dc, map[string]driver.Stmt{}
	}
	c.stmts[query] = st
}

// close closes every statement kept, on the connection of pool w.
func (c *stmtCache) close(ctx context.Context, w *sql.DB) error {
	if len(c.stmts) == 0 {
		return nil
	}
	conn, err := w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		var errs []error
		if dc == c.conn {
			for _, st := range c.stmts {
				if err := st.Close(); err != nil {
					errs = append(errs, err)
				}
			}
		}
		c.conn, c.stmts = nil, nil
		return errors.Join(errs...)
	})
}

// rawExec runs statements on a driver connection (inside sql.Conn.Raw),
// preparing each query once and keeping it in cache.
type rawExec struct {
	ctx   context.Context
	dc    any
	cache *stmtCache
}

// errNoTransaction is what ROLLBACK reports when the transaction is already
// gone (a failed COMMIT or statement may have rolled it back).
var errNoTransaction = errors.New("no transaction is active")

func (x rawExec) stmt(query string) (driver.Stmt, error) {
	st, err := x.cache.get(x.dc, query)
	if err != nil || st != nil {
		return st, err
	}
	p, ok := x.dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, fmt.Errorf("driver connection %T cannot prepare with a context", x.dc)
	}
	if st, err = p.PrepareContext(x.ctx, query); err != nil {
		return nil, err
	}
	x.cache.put(x.dc, query, st)
	return st, nil
}

func namedValues(args []any) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, v := range args {
		if n, ok := v.(int); ok {
			v = int64(n)
		}
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return nv
}

// exec runs query with args, which must be driver values (int64, not
// int, aside).
func (x rawExec) exec(query string, args ...any) error {
	st, err := x.stmt(query)
	if err != nil {
		return err
	}
	e, ok := st.(driver.StmtExecContext)
	if !ok {
		return fmt.Errorf("driver statement %T cannot execute with a context", st)
	}
	_, err = e.ExecContext(x.ctx, namedValues(args))
	if err != nil && query == sqlRollback && strings.Contains(err.Error(), "no transaction is active") {
		return errNoTransaction
	}
	return err
}

// queryRow reads the first row of query into dest and reports whether
// there was one.
func (x rawExec) queryRow(query string, dest []driver.Value, args ...any) (bool, error) {
	st, err := x.stmt(query)
	if err != nil {
		return false, err
	}
	q, ok := st.(driver.StmtQueryContext)
	if !ok {
		return false, fmt.Errorf("driver statement %T cannot query with a context", st)
	}
	rows, err := q.QueryContext(x.ctx, namedValues(args))
	if err != nil {
		return false, err
	}
	err = rows.Next(dest)
	cerr := rows.Close()
	switch {
	case errors.Is(err, io.EOF):
		return false, cerr
	case err != nil:
		return false, err
	}
	return true, cerr
}
