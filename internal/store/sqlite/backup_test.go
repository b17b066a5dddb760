package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// nodeWithRecords opens a node HK in dir holding n records whose narratives
// carry the word "backupword".
func nodeWithRecords(t *testing.T, dir string, n int) *DB {
	t.Helper()
	db := mustOpenIn(t, dir)
	ctx := context.Background()
	if err := db.InitNode(ctx, store.Node{Code: "HK", Created: storetest.Base()}, audit.Event{Actor: "system", Action: "node.init", Target: "HK"}); err != nil {
		t.Fatal(err)
	}
	rs := make([]*intel.Record, n)
	for i := range rs {
		rs[i] = storetest.NewRecord(t, storetest.Narrative(fmt.Sprintf("Declared as tiles; backupword number %d under the pallets.", i)))
	}
	if err := db.CreateRecords(ctx, rs, createEvents(rs)); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestBackupWhileWritingIsAConsistentSnapshotAndRestores(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	db := nodeWithRecords(t, src, 200)

	// Writers keep adding records, each with its audit entry, while the
	// backup is taken: the copy must hold whole transactions only.
	var stop atomic.Bool
	var wg sync.WaitGroup
	var werr error
	wg.Go(func() {
		for !stop.Load() {
			rs := []*intel.Record{storetest.NewRecord(t), storetest.NewRecord(t)}
			if err := db.CreateRecords(ctx, rs, createEvents(rs)); err != nil {
				werr = err
				return
			}
		}
	})
	out := filepath.Join(t.TempDir(), "hk.backup")
	snap, err := Backup(ctx, src, out)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if werr != nil {
		t.Fatal(werr)
	}
	if snap.Node != "HK" || snap.Records < 200 || snap.Versions != snap.Records {
		t.Fatalf("snapshot = %+v, want node HK with at least 200 records, one version each", snap)
	}
	// One audit entry for the node's creation and one per record: a copy
	// cut inside a transaction would hold records without their entries.
	if snap.AuditEntries != snap.Records+1 || snap.AuditHead == "" {
		t.Fatalf("snapshot holds %d records and %d audit entries (head %q), want one entry per record plus one", snap.Records, snap.AuditEntries, snap.AuditHead)
	}
	if _, err := os.Stat(out + ".partial"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the unfinished file is left behind: %v", err)
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(out + side); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("backup has a %s file beside it; it must be one file", side)
		}
	}
	again, err := Inspect(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if again != snap {
		t.Fatalf("Inspect = %+v, Backup said %+v", again, snap)
	}

	dst := filepath.Join(t.TempDir(), "restored")
	rsnap, err := Restore(ctx, out, dst)
	if err != nil {
		t.Fatal(err)
	}
	if rsnap != snap {
		t.Fatalf("Restore = %+v, want %+v", rsnap, snap)
	}
	restored := mustOpenIn(t, dst)
	node, err := restored.Node(ctx)
	if err != nil || node.Code != "HK" {
		t.Fatalf("restored node = %+v, %v", node, err)
	}
	n, err := restored.CountRecords(ctx)
	if err != nil || n != snap.Records {
		t.Fatalf("restored node holds %d records (%v), want %d", n, err, snap.Records)
	}
	// The full-text index is rebuilt from the restored records.
	page, err := restored.ListRecords(ctx, store.RecordQuery{Text: "backupword", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 200 {
		t.Fatalf("full-text search on the restored node finds %d records, want 200", len(page.Records))
	}
	var v audit.Verifier
	if err := restored.WalkAudit(ctx, v.Add); err != nil || v.Count != snap.AuditEntries {
		t.Fatalf("restored audit chain: %d entries, %v", v.Count, err)
	}
}

func TestBackupRefusesAndLeavesNothing(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	nodeWithRecords(t, src, 3)
	outDir := t.TempDir()

	_, err := Backup(ctx, t.TempDir(), filepath.Join(outDir, "none.backup"))
	if !fault.Is(err, fault.NotFound) || !strings.Contains(err.Error(), "no node") {
		t.Fatalf("backup of a folder without a node: %v, want not found naming it", err)
	}
	existing := filepath.Join(outDir, "taken")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Backup(ctx, src, existing)
	if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("backup over an existing file: %v, want a conflict", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Fatalf("the existing file was changed to %q", b)
	}
	_, err = Backup(ctx, src, filepath.Join(outDir, "missing", "dir", "x.backup"))
	if err == nil {
		t.Fatal("backup into a folder that does not exist succeeded")
	}
	entries, _ := os.ReadDir(outDir)
	if len(entries) != 1 {
		t.Fatalf("failed backups left files behind: %v", entries)
	}
}

func TestInspectAndRestoreRefuseABadBackup(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	nodeWithRecords(t, src, 50)
	good := filepath.Join(t.TempDir(), "good.backup")
	if _, err := Backup(ctx, src, good); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// An altered audit entry breaks the chain.
	tampered := write("tampered.backup", raw)
	h, err := sql.Open("sqlite", tampered)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Exec(`UPDATE audit SET detail = 'nothing happened' WHERE seq = 10`); err != nil {
		t.Fatal(err)
	}
	h.Close()

	// A page of the records overwritten with zeros.
	damaged := append([]byte(nil), raw...)
	for i := 3 * pageSize; i < 4*pageSize && i < len(damaged); i++ {
		damaged[i] = 0
	}
	cases := []struct {
		name, file, want string
	}{
		{"not a database", write("notes.txt", []byte("minutes of the meeting\n")), "not a Liaison backup"},
		{"empty file", write("empty.backup", nil), "not a Liaison backup"},
		{"cut short", write("short.backup", raw[:len(raw)/2]), "damaged"},
		{"page zeroed", write("zeroed.backup", damaged), "damaged"},
		{"audit altered", tampered, "audit chain broken"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Inspect(ctx, c.file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Inspect: %v, want an error saying %q", err, c.want)
			}
			target := filepath.Join(t.TempDir(), "node")
			if _, err := Restore(ctx, c.file, target); err == nil {
				t.Fatal("Restore accepted it")
			}
			if _, err := os.Stat(filepath.Join(target, FileName)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a refused restore left a database: %v", err)
			}
		})
	}
	var br *audit.Break
	if _, err := Inspect(ctx, tampered); !errors.As(err, &br) {
		t.Fatalf("tampered backup: %v, want an *audit.Break", err)
	}

	// A folder that already holds a node is never overwritten.
	if _, err := Restore(ctx, good, src); !fault.Is(err, fault.Conflict) {
		t.Fatalf("restore over a node: %v, want a conflict", err)
	}
}

func createEvents(rs []*intel.Record) []audit.Event {
	evs := make([]audit.Event, len(rs))
	for i, r := range rs {
		evs[i] = storetest.CreateEvent(r)
	}
	return evs
}
