package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// MustOpenDB opens a fresh database in a temporary directory with a
// deterministic clock, closed when the test ends.
func MustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	return mustOpenIn(tb, tb.TempDir())
}

func mustOpenIn(tb testing.TB, dir string) *DB {
	tb.Helper()
	db, err := OpenWith(context.Background(), dir, Options{
		Now:    storetest.NewClock(storetest.Base()).Now,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}

func TestTamperedAuditIsDetected(t *testing.T) {
	db := MustOpenDB(t)
	storetest.CheckTamperDetected(t, db, func(seq int64) error {
		_, err := db.write.Exec(`UPDATE audit SET detail = 'nothing to see' WHERE seq = ?`, seq)
		return err
	})
}

func TestOpenConfiguresDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "node")
	db := mustOpenIn(t, dir)
	for _, f := range []string{FileName, SearchFileName, LinksFileName} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("database file: %v", err)
		}
	}
	tests := []struct {
		pool   string
		pragma string
		want   string
	}{
		{"write", "journal_mode", "wal"},
		{"write", "synchronous", "1"},
		{"write", "foreign_keys", "1"},
		{"write", "busy_timeout", "10000"},
		{"write", "page_size", "16384"},
		{"write", "wal_autocheckpoint", "16384"},
		{"write", "secure_delete", "1"},
		{"search", "secure_delete", "1"},
		{"links", "secure_delete", "1"},
		{"read", "journal_mode", "wal"},
		{"read", "foreign_keys", "1"},
		{"read", "query_only", "1"},
		{"read", "search.journal_mode", "wal"},
		{"search", "journal_mode", "wal"},
		{"search", "synchronous", "1"},
		{"search", "busy_timeout", "10000"},
		{"search", "page_size", "16384"},
		{"read", "links.journal_mode", "wal"},
		{"links", "journal_mode", "wal"},
		{"links", "synchronous", "1"},
		{"links", "busy_timeout", "10000"},
		{"links", "page_size", "16384"},
	}
	for _, tc := range tests {
		t.Run(tc.pool+" "+tc.pragma, func(t *testing.T) {
			pool := map[string]*sql.DB{"write": db.write, "read": db.read, "search": db.searchW, "links": db.linksW}[tc.pool]
			var got string
			if err := pool.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s = %s, want %s", tc.pragma, got, tc.want)
			}
		})
	}
	for _, q := range []string{
		`INSERT INTO refdata (name, data, loaded) VALUES ('x', 'y', 'z')`,
		`DELETE FROM search.docs`,
		`DELETE FROM links.match_sets`,
	} {
		if _, err := db.read.Exec(q); err == nil {
			t.Errorf("the read pool accepted %s", q)
		}
	}
}

func TestMigrationsAreRecordedOnce(t *testing.T) {
	dir := t.TempDir()
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		db, err := OpenWith(context.Background(), dir, Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		var n, top int
		if err := db.read.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &top); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) || top != len(ms) {
			t.Errorf("schema_migrations has %d rows up to version %d, want %d", n, top, len(ms))
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenIn(t, dir)
	if _, err := db.write.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'later')`); err != nil {
		t.Fatal(err)
	}
	_, err := OpenWith(context.Background(), dir, Options{Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open of a newer schema: %v, want a refusal", err)
	}
}

func TestFTSQuery(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"frozen", `"frozen"`},
		{"  frozen   fish ", `"frozen" "fish"`},
		{`"frozen fish"`, `"frozen" "fish"`},
		{"frozen-fish", `"frozen" "fish"`},
		{"NOT AND OR NEAR", `"NOT" "AND" "OR" "NEAR"`},
		{"text:frozen", `"text" "frozen"`},
		{"fish* ^x (y)", `"fish" "x" "y"`},
		{`a"b`, `"a" "b"`},
		{"café 香港 8000000", `"café" "香港" "8000000"`},
		{`" * - !!! ''`, ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := ftsQuery(tc.in); got != tc.want {
				t.Errorf("ftsQuery(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func BenchmarkCreateRecordsBatch(b *testing.B) {
	storetest.BenchCreateRecords(b, func(b *testing.B) store.Store { return MustOpenDB(b) })
}

func BenchmarkVerifyAudit(b *testing.B) {
	storetest.BenchVerifyAudit(b, func(b *testing.B) store.Store { return MustOpenDB(b) })
}

func BenchmarkGetRecord(b *testing.B) {
	storetest.BenchGetRecord(b, func(b *testing.B) store.Store { return MustOpenDB(b) })
}

func BenchmarkListRecordsText(b *testing.B) {
	storetest.BenchListText(b, func(b *testing.B) store.Store { return MustOpenDB(b) })
}
