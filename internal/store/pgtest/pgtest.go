// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the server named by LIAISON_TEST_POSTGRES, dropped when the test
// ends. Without the variable the calling test is skipped, so the suite runs on
// SQLite alone on a developer machine and on both in CI (.ci/run sets it).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env is the variable holding the test server's DSN.
const Env = "LIAISON_TEST_POSTGRES"

// Available reports whether PostgreSQL tests can run.
func Available() bool { return os.Getenv(Env) != "" }

// MustSchema creates a schema for the calling test, drops it at cleanup, and
// returns a URL whose connections use it (through search_path).
func MustSchema(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		tb.Skip(Env + " is not set; set it to a PostgreSQL DSN " +
			"(e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) to run the PostgreSQL tests")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect to %s: %v", Env, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "liaison_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close(ctx)
	})
	return WithSearchPath(tb, dsn, schema)
}

// WithSearchPath adds search_path to a URL or key=value DSN.
func WithSearchPath(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("%s: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs one statement against the database at url (a test's schema),
// for tests that must reach under the store, e.g. to tamper with a row.
func Exec(tb testing.TB, url, sql string, args ...any) {
	tb.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		tb.Fatalf("exec %q: %v", sql, err)
	}
}
