package directory

import (
	"fmt"
	"strconv"
	"time"
)

// The data files record dates at the precision that is known: a year
// ("1991"), a month ("1998-12") or a day ("2013-07-01"). A period's start is
// the first day of what it names and its end the last day, so "to": "1998-12"
// includes 31 December 1998. Days are compared as YYYYMMDD integers.

const (
	dayMin = 0
	dayMax = 99991231
)

// parsePartial parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" and returns the first
// or (when end is true) the last day it covers, as YYYYMMDD.
func parsePartial(s string, end bool) (int, error) {
	switch len(s) {
	case 4:
		y, err := strconv.Atoi(s)
		if err != nil || y < 1 {
			return 0, fmt.Errorf("bad year %q", s)
		}
		if end {
			return y*10000 + 1231, nil
		}
		return y*10000 + 101, nil
	case 7:
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return 0, fmt.Errorf("bad month %q", s)
		}
		if end {
			t = t.AddDate(0, 1, -1)
		}
		return dayOf(t), nil
	case 10:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return 0, fmt.Errorf("bad date %q", s)
		}
		return dayOf(t), nil
	}
	return 0, fmt.Errorf("bad date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
}

// checkPeriod validates a from/to pair; either may be empty.
func checkPeriod(from, to string) error {
	lo, hi := dayMin, dayMax
	var err error
	if from != "" {
		if lo, err = parsePartial(from, false); err != nil {
			return fmt.Errorf("from: %w", err)
		}
	}
	if to != "" {
		if hi, err = parsePartial(to, true); err != nil {
			return fmt.Errorf("to: %w", err)
		}
	}
	if lo > hi {
		return fmt.Errorf("period %s to %s ends before it starts", from, to)
	}
	return nil
}

// within reports whether the calendar date of t lies in the period. Periods
// are validated at load, so unparsable bounds do not occur; they would count
// as open.
func within(from, to string, t time.Time) bool {
	day := dayOf(t)
	lo, hi := dayMin, dayMax
	if from != "" {
		if v, err := parsePartial(from, false); err == nil {
			lo = v
		}
	}
	if to != "" {
		if v, err := parsePartial(to, true); err == nil {
			hi = v
		}
	}
	return lo <= day && day <= hi
}

// dayOf returns the calendar date of t in t's own location as YYYYMMDD.
func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}
