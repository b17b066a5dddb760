package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"liaison/internal/store"
)

func quietConfig(dir string) Config {
	return Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)}
}

// TestImportNamesTheLineOfARecordAlreadyStored checks that importing a
// file holding a record the node has already stored names that record's
// line and imports nothing.
func TestImportNamesTheLineOfARecordAlreadyStored(t *testing.T) {
	ctx := context.Background()
	c := quietConfig(t.TempDir())
	if _, err := Init(ctx, c, "HK"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "cmd", "liaison", "testdata", "canonical-seizure.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(rec)
	first := filepath.Join(t.TempDir(), "first.jsonl")
	os.WriteFile(first, append(line, '\n'), 0o600)
	if _, err := Import(ctx, c, first, "", nil); err != nil {
		t.Fatal(err)
	}
	var exported strings.Builder
	if _, err := Export(ctx, c, &exported, FormatJSONL, store.RecordQuery{}, nil); err != nil {
		t.Fatal(err)
	}
	// A new record on line 1, the stored one on line 3.
	again := filepath.Join(t.TempDir(), "again.jsonl")
	os.WriteFile(again, []byte(string(line)+"\n\n"+exported.String()), 0o600)
	_, err = Import(ctx, c, again, "", nil)
	if err == nil || !strings.Contains(err.Error(), "line 3: id: record ") || !strings.Contains(err.Error(), "already stored") {
		t.Fatalf("got %v, want an error naming line 3 and the id", err)
	}
	n, err := Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close(ctx)
	if count, _ := n.Store.CountRecords(ctx); count != 1 {
		t.Fatalf("%d records stored after the refused import, want 1", count)
	}
}

// TestImportRefusesAFolder checks that a folder given as the records file is
// named as such.
func TestImportRefusesAFolder(t *testing.T) {
	dir := t.TempDir()
	_, err := Import(context.Background(), quietConfig(t.TempDir()), dir, FormatJSONL, nil)
	if err == nil || !strings.Contains(err.Error(), dir+" is a folder") {
		t.Fatalf("got %v, want an error saying %s is a folder", err, dir)
	}
}

// TestAddUserRefusesControlCharacters checks that user names and
// operations holding control characters or bytes that are not UTF-8 are
// refused.
func TestAddUserRefusesControlCharacters(t *testing.T) {
	ctx := context.Background()
	c := quietConfig(t.TempDir())
	if _, err := Init(ctx, c, "HK"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ops  []string
		want string
	}{
		{"x\x01y", nil, "control characters"},
		{"caf\xe9", nil, "not valid UTF-8"},
		{"alice", []string{"op\x07"}, "control characters"},
		{"alice", []string{"op\xff"}, "not valid UTF-8"},
	} {
		if _, err := AddUser(ctx, c, tc.name, "analyst", tc.ops...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("user %q operations %q: got %v, want an error containing %q", tc.name, tc.ops, err, tc.want)
		}
	}
}

// TestBackupRefusesAnUnusableOut checks that a backup into a folder, into a
// folder that does not exist or onto a file says so and writes nothing.
func TestBackupRefusesAnUnusableOut(t *testing.T) {
	ctx := context.Background()
	c := quietConfig(t.TempDir())
	if _, err := Init(ctx, c, "HK"); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	existing := filepath.Join(tmp, "old.db")
	os.WriteFile(existing, []byte("keep"), 0o600)
	for _, tc := range []struct{ out, want string }{
		{tmp, "is a folder"},
		{filepath.Join(tmp, "missing", "b.db"), "folder " + filepath.Join(tmp, "missing") + " does not exist"},
		{existing, "already exists"},
	} {
		if _, err := Backup(ctx, c, tc.out); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("backup to %s: got %v, want an error containing %q", tc.out, err, tc.want)
		}
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		t.Errorf("refused backups left %d files in %s, want only old.db", len(entries), tmp)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep" {
		t.Errorf("the existing file was changed: %q", b)
	}
}
