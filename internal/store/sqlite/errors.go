package sqlite

import (
	"context"
	"database/sql"
	"errors"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"liaison/internal/fault"
)

// mapErr translates a driver error into a *fault.Error whose message names
// subject ("record 01J…", "user alice"), so that callers see the same kinds
// whichever database is behind the store. Errors that already carry a kind
// pass through; unclassified ones come back unchanged (internal).
func mapErr(err error, subject string) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fault.Wrap(fault.NotFound, err, "%s not found", subject)
	case errors.Is(err, context.DeadlineExceeded):
		return fault.Wrap(fault.Unavailable, err, "database did not answer in time")
	}
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fault.Wrap(fault.Conflict, err, "%s already exists", subject)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fault.Wrap(fault.NotFound, err, "%s refers to something that does not exist", subject)
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_CHECK:
		return fault.Wrap(fault.Invalid, err, "%s is incomplete or out of range", subject)
	case sqlite3.SQLITE_FULL:
		return fault.Wrap(fault.Unavailable, err, "database is full")
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fault.Wrap(fault.Unavailable, err, "database is busy")
	case sqlite3.SQLITE_READONLY:
		return fault.Wrap(fault.Unavailable, err, "database is read-only")
	}
	return err
}
