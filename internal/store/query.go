package store

import (
	"strings"
	"time"
	"unicode"

	"liaison/internal/fault"
)

// Listing limits shared by every implementation.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Checked returns q with its defaults filled in (Limit 0 becomes
// DefaultLimit, Text is trimmed), or an Invalid error naming the offending
// field: a limit outside 0..MaxLimit, a date that is not YYYY-MM-DD, or To
// before From. Implementations call it before building a query so that every
// driver accepts and refuses the same queries.
func (q RecordQuery) Checked() (RecordQuery, error) {
	var err error
	if q.Limit, err = checkLimit(q.Limit); err != nil {
		return q, err
	}
	for _, d := range []struct{ field, value string }{{"from", q.From}, {"to", q.To}} {
		if d.value == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.value); err != nil {
			return q, fault.Field(d.field, "must be a date YYYY-MM-DD")
		}
	}
	if q.From != "" && q.To != "" && q.To < q.From {
		return q, fault.Field("to", "must not be before from")
	}
	q.Text = strings.TrimSpace(q.Text)
	q.Category = strings.TrimSpace(q.Category)
	return q, nil
}

// Checked returns q with its defaults filled in (Limit 0 becomes
// DefaultLimit, From and To rounded up to the microsecond the log keeps), or
// an Invalid error naming the offending field. From is inclusive and To is
// exclusive.
func (q AuditQuery) Checked() (AuditQuery, error) {
	var err error
	if q.Limit, err = checkLimit(q.Limit); err != nil {
		return q, err
	}
	if q.AfterSeq < 0 {
		return q, fault.Field("after", "must not be negative")
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, fault.Field("to", "must not be before from")
	}
	q.From, q.To = ceilMicro(q.From), ceilMicro(q.To)
	return q, nil
}

func checkLimit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultLimit, nil
	case n < 0 || n > MaxLimit:
		return n, fault.Field("limit", "must be between 1 and %d", MaxLimit)
	}
	return n, nil
}

// ceilMicro rounds t up to a whole microsecond, the precision of audit
// times, so that comparing stored times with it keeps inclusive and
// exclusive bounds exact.
func ceilMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	t = t.UTC()
	if tr := t.Truncate(time.Microsecond); !tr.Equal(t) {
		return tr.Add(time.Microsecond)
	}
	return t
}

// CategoryBounds returns the half-open range [lo, hi) of category codes
// below section c: a filter "drugs" matches "drugs" itself and every code in
// ["drugs/", "drugs0"), since '0' is the byte after '/'. Stored categories
// must be compared byte-wise (COLLATE "C" on PostgreSQL).
func CategoryBounds(c string) (lo, hi string) {
	return c + "/", c + "0"
}

// SearchTerms splits free text into the words full-text search indexes and
// matches: maximal runs of letters, digits and combining marks, split at
// everything else (spaces, punctuation, quotes, operators), as SQLite's
// unicode61 tokenizer splits text; a run without a letter or digit is
// dropped. A query matches a record holding all of
// its terms, so no character of a query is ever search syntax.
func SearchTerms(text string) []string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
	})
	terms := words[:0]
	for _, w := range words {
		// A run of combining marks alone is no word.
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			terms = append(terms, w)
		}
	}
	return terms
}

// Check reports an Invalid error naming the field when u lacks a name or a
// token hash or has an unknown role.
func (u User) Check() error {
	switch {
	case u.Name == "":
		return fault.Field("name", "is required")
	case u.TokenHash == "":
		return fault.Field("token_hash", "is required")
	}
	switch u.Role {
	case RoleAdmin, RoleLiaison, RoleAnalyst, RoleAuditor:
		return nil
	}
	return fault.Field("role", "must be one of %s, %s, %s, %s", RoleAdmin, RoleLiaison, RoleAnalyst, RoleAuditor)
}
