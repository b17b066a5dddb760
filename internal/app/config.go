// Package app wires Liaison's packages into a running node: it opens the
// store, loads the directory and any official reference lists, builds the
// record service and the HTTP server, and shuts them down in order. The
// command in cmd/liaison only parses flags and calls into this package.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"liaison/internal/store"
	"liaison/internal/store/postgres"
	"liaison/internal/store/sqlite"
)

// Config is the one explicit configuration of a node. Flags override the
// environment (LIAISON_DATA, LIAISON_DB, LIAISON_LISTEN), which overrides the
// defaults below.
type Config struct {
	// DataDir holds the SQLite database (unless DB is set) and the node's
	// files. Default "./liaison-data".
	DataDir string
	// DB is a PostgreSQL URL (postgres://…); empty means SQLite in DataDir.
	DB string
	// Listen is the HTTP address, default 127.0.0.1:8470.
	Listen string
	// MaxBody caps request bodies in bytes; default 1 MiB.
	MaxBody int64
	// Logger receives structured logs; default discards below Info to stderr.
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// DeadAfter is how long a delivery is retried before it is dead;
	// default 7 days (LIAISON_DEAD_AFTER, e.g. "72h").
	DeadAfter time.Duration
	// DeliveryPoll is how often idle delivery workers look for due
	// deliveries; default 1s (LIAISON_DELIVERY_POLL).
	DeliveryPoll time.Duration
	// DeliveryClaim is how many outbox rows a delivery worker claims at a
	// time (store.MaxClaim when 0).
	DeliveryClaim int
}

// Defaults used when neither a flag nor the environment sets a value.
const (
	DefaultDataDir = "./liaison-data"
	DefaultListen  = "127.0.0.1:8470"
	DefaultMaxBody = 1 << 20
)

// FromEnv returns a Config filled from the environment and the defaults.
// Flags parsed afterwards override it.
func FromEnv() Config {
	c := Config{DataDir: DefaultDataDir, Listen: DefaultListen, MaxBody: DefaultMaxBody}
	if v := os.Getenv("LIAISON_DATA"); v != "" {
		c.DataDir = v
	}
	if d, err := time.ParseDuration(os.Getenv("LIAISON_DEAD_AFTER")); err == nil && d > 0 {
		c.DeadAfter = d
	}
	if d, err := time.ParseDuration(os.Getenv("LIAISON_DELIVERY_POLL")); err == nil && d > 0 {
		c.DeliveryPoll = d
	}
	if v := os.Getenv("LIAISON_DB"); v != "" {
		c.DB = v
	}
	if v := os.Getenv("LIAISON_LISTEN"); v != "" {
		c.Listen = v
	}
	return c
}

func (c *Config) fill() {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// openExisting is OpenStore for a node that must exist already: on SQLite
// a data directory without a database is an error, and nothing is created
// in it (OpenStore would make the directory and empty databases).
func openExisting(ctx context.Context, c Config) (store.Store, error) {
	c.fill()
	if c.DB == "" {
		path := filepath.Join(c.DataDir, sqlite.FileName)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("node not initialised in %s (no %s): run `liaison init --data %s --node CODE` first", c.DataDir, sqlite.FileName, c.DataDir)
		} else if err != nil {
			return nil, fmt.Errorf("data dir %s: %w", c.DataDir, err)
		}
	}
	return OpenStore(ctx, c)
}

// OpenStore opens the configured database: PostgreSQL when DB is set,
// otherwise SQLite in DataDir. Migrations are applied.
func OpenStore(ctx context.Context, c Config) (store.Store, error) {
	c.fill()
	if c.DB != "" {
		if !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
			return nil, fmt.Errorf("--db must be a postgres:// URL")
		}
		s, err := postgres.OpenWith(ctx, c.DB, postgres.Options{Now: c.Now, Logger: c.Logger})
		if err != nil {
			return nil, fmt.Errorf("open postgresql: %w", err)
		}
		return s, nil
	}
	dir, err := filepath.Abs(c.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data dir %s: %w", c.DataDir, err)
	}
	s, err := sqlite.OpenWith(ctx, dir, sqlite.Options{Now: c.Now, Logger: c.Logger})
	if err != nil {
		return nil, fmt.Errorf("open sqlite in %s: %w", dir, err)
	}
	return s, nil
}
