package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/internal/store/pgtest"
)

// TestBackupAndRestoreSQLite backs up a running node, restores the copy into
// a new folder and serves it: the records, their full-text index, the users'
// tokens and the audit chain all come back. Bad backups are refused whole.
func TestBackupAndRestoreSQLite(t *testing.T) {
	dir := t.TempDir()
	admin := initNode(t, dir, "HK")
	srv := serve(t, dir)
	code, rec := call(t, "POST", srv.url+"/api/v1/records", admin, canonical(t))
	if code != 201 {
		t.Fatalf("create: %d %v", code, rec)
	}
	id := rec["id"].(string)
	if code, _ := call(t, "GET", srv.url+"/api/v1/records/"+id, admin, nil); code != 200 {
		t.Fatalf("read: %d", code)
	}
	// A second seizure of the same parties, which matching links to the
	// first. The links are not in the backup; the restored node matches
	// its records again and shows the same links.
	if code, m := call(t, "POST", srv.url+"/api/v1/records", admin, canonical(t)); code != 201 {
		t.Fatalf("create the second record: %d %v", code, m)
	}
	var matches string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		code, m := call(t, "GET", srv.url+"/api/v1/records/"+id+"/matches", admin, nil)
		if code != 200 {
			t.Fatalf("matches: %d %v", code, m)
		}
		if len(m["matches"].([]any)) > 0 {
			matches = mustJSON(t, m)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the two records were not linked within 10 s")
		}
	}

	// Taken while the node serves.
	file := filepath.Join(t.TempDir(), "hk.backup")
	out := mustLiaison(t, "backup", "--data", dir, "--out", file)
	if !strings.Contains(out, "node HK, 2 records") || !strings.Contains(out, "chain verified") {
		t.Fatalf("backup printed %q", out)
	}
	if _, errOut, code := liaison(t, "backup", "--data", dir, "--out", file); code == 0 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("backup over an existing file: exit %d, %q", code, errOut)
	}
	if _, errOut, code := liaison(t, "backup", "--data", t.TempDir(), "--out", file+"2"); code == 0 || !strings.Contains(errOut, "no node") {
		t.Fatalf("backup of an empty folder: exit %d, %q", code, errOut)
	}
	if out := mustLiaison(t, "backup", "verify", file); !strings.Contains(out, "is intact") {
		t.Fatalf("backup verify: %q", out)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()

	restoredDir := filepath.Join(t.TempDir(), "restored")
	out = mustLiaison(t, "restore", file, "--data", restoredDir)
	if !strings.Contains(out, "restored") || !strings.Contains(out, "node HK, 2 records") {
		t.Fatalf("restore printed %q", out)
	}
	restored := serve(t, restoredDir)
	if code, got := call(t, "GET", restored.url+"/api/v1/records/"+id, admin, nil); code != 200 || got["id"] != id {
		t.Fatalf("record on the restored node: %d %v", code, got)
	}
	// The restored node serves at once and matches what it holds
	// meanwhile: until then the record's matches say they are pending.
	waitFor(t, "the restored node's matches, no longer pending", func() bool {
		code, m := call(t, "GET", restored.url+"/api/v1/records/"+id+"/matches", admin, nil)
		if code != 200 {
			t.Fatalf("matches on the restored node: %d %v", code, m)
		}
		if m["pending"] == true {
			return false
		}
		if got := mustJSON(t, m); got != matches {
			t.Fatalf("matches on the restored node: %s, want %s", got, matches)
		}
		return true
	})
	code, list := call(t, "GET", restored.url+"/api/v1/records?q=frozen", admin, nil)
	if code != 200 || len(list["records"].([]any)) != 2 {
		t.Fatalf("full-text search on the restored node: %d %v", code, list)
	}
	code, log := call(t, "GET", restored.url+"/api/v1/audit", admin, nil)
	if code != 200 || !strings.Contains(mustJSON(t, log), "node.restore") {
		t.Fatalf("the restore is not in the audit log: %d %v", code, log)
	}
	restored.cmd.Process.Signal(syscall.SIGTERM)
	restored.cmd.Wait()
	if out := mustLiaison(t, "audit", "verify", "--data", restoredDir); !strings.Contains(out, "intact") {
		t.Fatalf("audit verify on the restored node: %q", out)
	}
	// The original's log records the backup.
	if out := mustLiaison(t, "audit", "verify", "--data", dir); !strings.Contains(out, "intact") {
		t.Fatalf("audit verify on the original: %q", out)
	}

	if _, errOut, code := liaison(t, "restore", file, "--data", restoredDir); code == 0 || !strings.Contains(errOut, "already holds a node") {
		t.Fatalf("restore over a node: exit %d, %q", code, errOut)
	}

	// A backup whose audit log was altered is refused, and nothing is restored.
	tampered := filepath.Join(t.TempDir(), "tampered.backup")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tampered, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", tampered)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit SET actor = 'mallory' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, errOut, code := liaison(t, "backup", "verify", tampered); code != 1 || !strings.Contains(errOut, "audit chain broken") {
		t.Fatalf("verify of a tampered backup: exit %d, %q", code, errOut)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if _, errOut, code := liaison(t, "restore", tampered, "--data", empty); code != 1 || !strings.Contains(errOut, "audit chain broken") {
		t.Fatalf("restore of a tampered backup: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(empty, "liaison.db")); err == nil {
		t.Fatal("a refused restore left a database behind")
	}
	notes := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notes, []byte("not a backup"), 0o600)
	if _, errOut, code := liaison(t, "restore", notes, "--data", empty); code == 0 || !strings.Contains(errOut, "not a Liaison backup") {
		t.Fatalf("restore of a text file: exit %d, %q", code, errOut)
	}
}

// TestBackupAndRestorePostgres backs a node on PostgreSQL up with pg_dump and
// restores it into another database.
func TestBackupAndRestorePostgres(t *testing.T) {
	dbURL := pgtest.MustSchema(t)
	dir := t.TempDir()
	admin := initNode(t, dir, "HK", "--db", dbURL)
	srv := serve(t, dir, "--db", dbURL)
	code, rec := call(t, "POST", srv.url+"/api/v1/records", admin, canonical(t))
	if code != 201 {
		t.Fatalf("create: %d %v", code, rec)
	}
	id := rec["id"].(string)

	file := filepath.Join(t.TempDir(), "hk.dump")
	out := mustLiaison(t, "backup", "--db", dbURL, "--out", file)
	if !strings.Contains(out, "pg_dump archive, node HK") {
		t.Fatalf("backup printed %q", out)
	}
	if out := mustLiaison(t, "backup", "verify", file); !strings.Contains(out, "is intact") {
		t.Fatalf("backup verify: %q", out)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()

	// Into a database of its own, in the schema it came from.
	target := freshDatabase(t, schemaOf(t, dbURL))
	out = mustLiaison(t, "restore", file, "--db", target)
	if !strings.Contains(out, "node HK") || !strings.Contains(out, "1 records") || !strings.Contains(out, "chain verified") {
		t.Fatalf("restore printed %q", out)
	}
	restored := serve(t, t.TempDir(), "--db", target)
	if code, got := call(t, "GET", restored.url+"/api/v1/records/"+id, admin, nil); code != 200 || got["id"] != id {
		t.Fatalf("record on the restored node: %d %v", code, got)
	}
	restored.cmd.Process.Signal(syscall.SIGTERM)
	restored.cmd.Wait()

	// Not over a node, and not into another schema.
	if _, errOut, code := liaison(t, "restore", file, "--db", target); code == 0 || !strings.Contains(errOut, "pg_restore") {
		t.Fatalf("restore over a node: exit %d, %q", code, errOut)
	}
	if out := mustLiaison(t, "audit", "verify", "--db", target); !strings.Contains(out, "intact") {
		t.Fatalf("the refused restore changed the node: %q", out)
	}
	other := freshDatabase(t, "elsewhere")
	if _, errOut, code := liaison(t, "restore", file, "--db", other); code == 0 || !strings.Contains(errOut, "schema") {
		t.Fatalf("restore into another schema: exit %d, %q", code, errOut)
	}
}

// schemaOf returns the search_path of a test URL.
func schemaOf(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("search_path")
}

// freshDatabase creates an empty database on the test server, dropped at the
// end of the test, and returns its URL with search_path set to schema.
func freshDatabase(t *testing.T, schema string) string {
	t.Helper()
	base := os.Getenv(pgtest.Env)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 5)
	rand.Read(b)
	name := "liaison_restore_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
