package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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
	case errors.Is(err, pgx.ErrNoRows):
		return fault.Wrap(fault.NotFound, err, "%s not found", subject)
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return fault.Wrap(fault.Unavailable, err, "database did not answer in time")
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) {
			return fault.Wrap(fault.Unavailable, err, "database is unreachable")
		}
		return err
	}
	switch pe.Code {
	case "23505": // unique_violation
		return fault.Wrap(fault.Conflict, err, "%s already exists", subject)
	case "23503": // foreign_key_violation
		return fault.Wrap(fault.NotFound, err, "%s refers to something that does not exist", subject)
	case "23502", "23514": // not_null_violation, check_violation
		return fault.Wrap(fault.Invalid, err, "%s is incomplete or out of range", subject)
	case "40001", "40P01", "55P03": // serialization_failure, deadlock_detected, lock_not_available
		return fault.Wrap(fault.Unavailable, err, "database is busy, try again")
	case "57014": // query_canceled
		return fault.Wrap(fault.Unavailable, err, "database query was cancelled")
	}
	switch {
	case strings.HasPrefix(pe.Code, "22"): // data exception, e.g. a NUL byte in text
		return fault.Wrap(fault.Invalid, err, "%s holds a value the database cannot store", subject)
	case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "53"), strings.HasPrefix(pe.Code, "57P"):
		// connection exception, insufficient resources, operator intervention
		return fault.Wrap(fault.Unavailable, err, "database is unavailable")
	}
	return err
}
