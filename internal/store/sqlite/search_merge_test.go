package sqlite

import (
	"context"
	"testing"
)

func TestSearchIndexMergeSettingAppliedAtOpen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for _, step := range []string{"new index", "existing index"} {
		t.Run(step, func(t *testing.T) {
			db, err := Open(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if step == "new index" {
				// Leave another setting behind for the next Open to replace.
				if _, err := db.searchW.ExecContext(ctx, `INSERT INTO records_fts (records_fts, rank) VALUES ('automerge', 4)`); err != nil {
					t.Fatal(err)
				}
				return
			}
			var v int
			if err := db.read.QueryRowContext(ctx, `SELECT v FROM search.records_fts_config WHERE k = 'automerge'`).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v != 16 {
				t.Fatalf("automerge is %d after Open, want 16", v)
			}
		})
	}
}
