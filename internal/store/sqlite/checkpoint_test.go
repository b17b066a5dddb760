package sqlite

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"
	"time"
)

// walFrames returns how many frames the WAL of main holds, as a passive
// checkpoint on the read pool reports them.
func walFrames(t *testing.T, db *DB) int {
	t.Helper()
	frames, _, err := walCheckpoint(context.Background(), db.read, `PRAGMA main.wal_checkpoint(PASSIVE)`)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

// fillWAL creates the table scratch and commits one transaction of more
// than restartFrames pages to it.
func fillWAL(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE scratch (b BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	page := bytes.Repeat([]byte{7}, pageSize)
	for range restartFrames + 100 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO scratch (b) VALUES (?)`, page); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointStartsTheWALAgainUnderLoad holds the checkpointer to its
// promise that a WAL grown past restartFrames starts again from its
// beginning although the writer commits all the while: a passive
// checkpoint alone never copies the frames committed during it, so the
// WAL would only grow.
func TestCheckpointStartsTheWALAgainUnderLoad(t *testing.T) {
	// However slow this machine's fsync, the first pass counts as caught
	// up: what is tested is the last pass on the writer's connection.
	defer func(d time.Duration) { catchUpWithin = d }(catchUpWithin)
	catchUpWithin = time.Minute
	db := MustOpenDB(t)
	ctx := context.Background()
	fillWAL(t, db)
	// (Not counted with a checkpoint, which would copy the whole WAL
	// while nothing commits: the next commit would start it again.)
	if st, err := os.Stat(db.path + "-wal"); err != nil || st.Size() <= restartFrames*pageSize {
		t.Fatalf("the WAL after the large transaction: %v, %v; want more than %d frames", st, err, restartFrames)
	}

	// Small commits, one after another, during the checkpoint.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	started := make(chan struct{})
	commits := 0
	var werr error
	wg.Go(func() {
		defer func() {
			if commits < 3 {
				close(started)
			}
		}()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.write.ExecContext(ctx, `INSERT INTO scratch (b) VALUES (x'01')`); err != nil {
				werr = err
				return
			}
			if commits++; commits == 3 {
				close(started)
			}
		}
	})
	<-started
	f := &walFile{schema: "main", writer: db.write}
	cerr := db.checkpoint(f)
	close(stop)
	wg.Wait()
	if cerr != nil {
		t.Fatal(cerr)
	}
	if werr != nil {
		t.Fatal(werr)
	}
	// The writer's next transaction starts the WAL again: it holds the
	// frames of the commits since the checkpoint, no more.
	if _, err := db.write.ExecContext(ctx, `INSERT INTO scratch (b) VALUES (x'02')`); err != nil {
		t.Fatal(err)
	}
	if n := walFrames(t, db); n >= restartFrames {
		t.Errorf("the WAL holds %d frames after the checkpoint and %d commits during it: it did not start again", n, commits)
	}
	var rows int
	if err := db.read.QueryRow(`SELECT count(*) FROM scratch`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if want := restartFrames + 100 + commits + 1; rows != want {
		t.Errorf("%d rows after the checkpoint, want %d", rows, want)
	}
}

// TestCheckpointLeavesASmallWALAlone: below restartFrames the checkpointer
// copies the WAL without taking the writer from its work.
func TestCheckpointLeavesASmallWALAlone(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE scratch (b BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.write.Conn(ctx) // the writer is busy until the test ends
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `INSERT INTO scratch (b) VALUES (x'01')`); err != nil {
		t.Fatal(err)
	}
	f := &walFile{schema: "main", writer: db.write}
	if err := db.checkpoint(f); err != nil { // would wait for conn forever
		t.Fatal(err)
	}
	if f.frames == 0 || f.frames >= restartFrames {
		t.Errorf("the checkpoint saw %d frames, want a few", f.frames)
	}
}

// TestCheckpointDoesNotWaitForABusyWriter: a writer held by a long
// transaction is not waited for, so that the other files' checkpoints (and
// Close) go on; the WAL is started again another time.
func TestCheckpointDoesNotWaitForABusyWriter(t *testing.T) {
	defer func(d, w time.Duration) { catchUpWithin, writerWait = d, w }(catchUpWithin, writerWait)
	catchUpWithin, writerWait = time.Minute, 50*time.Millisecond
	db := MustOpenDB(t)
	ctx := context.Background()
	fillWAL(t, db)
	tx, err := db.write.BeginTx(ctx, nil) // the writer's one connection, held
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO scratch (b) VALUES (x'01')`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- db.checkpoint(&walFile{schema: "main", writer: db.write}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("checkpoint with the writer busy: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the checkpoint waited for the busy writer")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
}
