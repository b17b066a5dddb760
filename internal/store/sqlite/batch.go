package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

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
// Statements run under a context that is never cancelled, since the driver
// watches a cancellable one with a goroutine per statement; the caller's
// context is checked before each instead.
type inserter struct {
	tx        *sql.Tx
	head, row string
	cols      int
	chunk     int // rows per multi-row statement; 1 writes every row alone
	many, one *sql.Stmt
	args      []any
	run       context.Context // the first caller's context without its cancellation
}

// exec runs st on args once ctx allows it.
func (in *inserter) exec(ctx context.Context, st *sql.Stmt, args []any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if in.run == nil {
		in.run = context.WithoutCancel(ctx)
	}
	_, err := st.ExecContext(in.run, args...)
	return err
}

// newInserter prepares to insert into table's cols, chunk rows at a time.
// A row that breaks a constraint rolls back the whole transaction (INSERT OR
// ROLLBACK), which spares multi-row statements a statement journal; the
// caller must return the error without running anything else in tx.
func newInserter(tx *sql.Tx, chunk int, table string, cols ...string) *inserter {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	return &inserter{
		tx:    tx,
		head:  "INSERT OR ROLLBACK INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		row:   row,
		cols:  len(cols),
		chunk: chunk,
		args:  make([]any, 0, chunk*len(cols)),
	}
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
	if in.many == nil {
		rows := strings.TrimSuffix(strings.Repeat(in.row+", ", in.chunk), ", ")
		var err error
		if in.many, err = in.tx.PrepareContext(ctx, in.head+rows); err != nil {
			return err
		}
	}
	err := in.exec(ctx, in.many, in.args)
	in.args = in.args[:0]
	return err
}

// flush writes the rows still queued, one at a time.
func (in *inserter) flush(ctx context.Context) error {
	if len(in.args) == 0 {
		return nil
	}
	if in.one == nil {
		var err error
		if in.one, err = in.tx.PrepareContext(ctx, in.head+in.row); err != nil {
			return err
		}
	}
	for i := 0; i < len(in.args); i += in.cols {
		if err := in.exec(ctx, in.one, in.args[i:i+in.cols]); err != nil {
			return err
		}
	}
	in.args = in.args[:0]
	return nil
}

// close releases the prepared statements.
func (in *inserter) close() {
	for _, s := range []*sql.Stmt{in.many, in.one} {
		if s != nil {
			s.Close()
		}
	}
}
