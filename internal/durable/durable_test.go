package durable

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSyncFileAndDir(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SyncFile(p); err != nil {
		t.Fatalf("SyncFile: %v", err)
	}
	if err := SyncDir(dir); err != nil {
		t.Fatalf("SyncDir: %v", err)
	}
	if err := SyncFile(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("SyncFile of a missing file succeeded")
	}
	if err := SyncDir(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("SyncDir of a missing folder succeeded")
	}
}
