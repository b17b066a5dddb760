// Package postgres implements store.Store on PostgreSQL through pgx, for
// production nodes and for several replicas of one node sharing a database.
//
// Migrations run under an advisory lock, so replicas starting together apply
// each one once. Audit appends lock the one-row audit_head table, so the
// chain stays a single line whichever replica writes.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"liaison/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key held while migrating ("liaison"
// in ASCII).
const migrationLock int64 = 0x6c6961697372

// Options adjust how a database is opened. The zero value is ready to use.
type Options struct {
	// Now is the clock audit entries and default creation times are taken
	// from; time.Now when nil.
	Now func() time.Time
	// Logger receives one line per applied migration; slog.Default when nil.
	Logger *slog.Logger
}

// DB is a store.Store backed by PostgreSQL. It is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
	now  func() time.Time
	log  *slog.Logger
}

var _ store.Store = (*DB)(nil)

// Open connects to the database at url (a postgres:// URL or key=value
// DSN) with default options.
func Open(ctx context.Context, url string) (*DB, error) {
	return OpenWith(ctx, url, Options{})
}

// OpenWith connects to the database at url and applies pending migrations
// before returning. A database migrated by a newer build is refused.
func OpenWith(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: do not repeat it.
		return nil, fmt.Errorf("open store: parse database url: %w", errors.Unwrap(err))
	}
	db := &DB{now: opts.Now, log: opts.Logger}
	if db.now == nil {
		db.now = time.Now
	}
	if db.log == nil {
		db.log = slog.Default()
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	db.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", where, mapErr(err, "database"))
	}
	if err := db.pool.Ping(ctx); err != nil {
		db.pool.Close()
		return nil, fmt.Errorf("open store %s: %w", where, mapErr(err, "database"))
	}
	if err := db.migrate(ctx); err != nil {
		db.pool.Close()
		return nil, fmt.Errorf("open store %s: %w", where, err)
	}
	return db, nil
}

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, all in one transaction that holds an advisory lock, so
// that replicas starting at once wait for each other instead of racing.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	var applied []string
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if current > len(ms) {
			return fmt.Errorf("database schema version %d is newer than this program's %d", current, len(ms))
		}
		for _, m := range ms[current:] {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
				m.Version, db.now()); err != nil {
				return fmt.Errorf("record migration %s: %w", m.Name, err)
			}
			applied = append(applied, m.Name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range applied {
		db.log.Info("applied migration", "store", "postgres", "migration", name)
	}
	return nil
}

// inTx runs fn in a read-committed transaction, committing when fn returns
// nil and rolling back otherwise.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err, "transaction"))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(ctx)
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err, "transaction"))
	}
	return nil
}

// Close closes every connection of the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}
