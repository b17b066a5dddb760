package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenWithoutNodeCreatesNothing checks that the commands needing a
// node, given a data directory where none was initialised, say so and
// leave nothing behind: neither the directory nor an empty database.
func TestOpenWithoutNodeCreatesNothing(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nope")
	c := Config{DataDir: dir}
	checks := map[string]func() error{
		"open": func() error {
			n, err := Open(ctx, c)
			if err == nil {
				n.Close(ctx)
			}
			return err
		},
		"user add":     func() error { _, err := AddUser(ctx, c, "alice", "analyst"); return err },
		"audit verify": func() error { _, err := VerifyAudit(ctx, c); return err },
	}
	for name, f := range checks {
		err := f()
		if err == nil || !strings.Contains(err.Error(), "liaison init --data "+dir) {
			t.Errorf("%s on %s: %v, want an error saying to run liaison init there", name, dir, err)
		}
		if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
			t.Fatalf("%s on %s left the directory behind (%v)", name, dir, statErr)
		}
	}
	// An existing directory without a node is left as it was.
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := checks["open"](); err == nil {
		t.Fatal("open of an empty directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("open of an empty directory wrote %d files in it", len(entries))
	}
}
