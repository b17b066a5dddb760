// Package fault defines the one error type Liaison uses across layers: an
// error that carries a kind (which the HTTP layer maps to a status), the
// field it concerns when it is a validation error, and the operation that
// failed. Messages are meant for the person who sent the bad input; internal
// details stay in the wrapped error and are only logged.
package fault

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Kind classifies an error for callers: the REST layer maps each kind to one
// HTTP status and the CLI to a one-line reason.
type Kind string

// The kinds of error. Internal is the zero value's meaning: anything not
// classified is an internal error whose details are never shown to clients.
const (
	Internal     Kind = "internal"
	Invalid      Kind = "invalid"
	NotFound     Kind = "not_found"
	Conflict     Kind = "conflict"
	Forbidden    Kind = "forbidden"
	Unauthorized Kind = "unauthorized"
	Unavailable  Kind = "unavailable"
	TooLarge     Kind = "too_large"
)

// Error is an error with a kind, an optional field and a message safe to show
// to the client that caused it.
type Error struct {
	Kind    Kind
	Field   string // dotted path of the offending field, e.g. "seizure.containers[0]"
	Message string // human readable, safe to send to the client
	Err     error  // underlying cause, for logs only
	// Format and Args are what Message was made of, for a user interface
	// that words the message in its user's language (Message is English).
	Format string
	Args   []any
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Err != nil {
		if e.Message != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// E returns a new error of the given kind with a client-safe message.
func E(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Field returns an invalid-input error that names the offending field.
func Field(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Wrap returns an error of the given kind with a client-safe message and an
// internal cause.
func Wrap(kind Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err, Format: format, Args: args}
}

// KindOf reports the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		if e.Kind == "" {
			return Internal
		}
		return e.Kind
	}
	var l List
	if errors.As(err, &l) && len(l) > 0 {
		return Invalid
	}
	return Internal
}

// Is reports whether err is (or wraps) an *Error of the given kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// List collects several field errors, as validation of one record does. It is
// an Invalid error whose first entry is the one reported when a single field
// must be named.
type List []*Error

func (l List) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Err returns nil for an empty list and the list otherwise, so that callers
// can write `return errs.Err()` without returning a typed nil.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Clip shortens s, a value an error message quotes (it may come from a
// stranger), to at most n bytes cut on a character boundary, marking the
// cut with "…".
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
