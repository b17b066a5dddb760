package agreement

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Precision says how much of a Date is known.
type Precision int

// The precisions of a Date, from nothing known to the exact day.
const (
	PrecisionUnknown Precision = iota
	PrecisionYear
	PrecisionMonth
	PrecisionDay
)

// Date is a calendar date that may be known only in part, as dates of
// treaties often are in the sources: "1999", "1999-05" or "1999-05-13". The
// zero Date is unknown. A Date denotes a period (a year, a month or a day);
// First and Last give its bounds so that callers can choose the cautious end.
//
// In JSON a Date is a string of one of the three forms above, or null when it
// is unknown.
type Date struct {
	year, month, day int
}

// Year returns a Date known to the year only.
func Year(y int) Date { return Date{year: y} }

// YearMonth returns a Date known to the month.
func YearMonth(y int, m time.Month) Date { return Date{year: y, month: int(m)} }

// Day returns a Date known to the day.
func Day(y int, m time.Month, d int) Date { return Date{year: y, month: int(m), day: d} }

// DateOf returns the calendar day of t in UTC as a Date known to the day.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Day(y, m, d)
}

// ParseDate parses "", "YYYY", "YYYY-MM" or "YYYY-MM-DD". The empty string is
// the unknown Date. It rejects anything else, including impossible days such
// as "2023-02-29".
func ParseDate(s string) (Date, error) {
	var d Date
	switch len(s) {
	case 0:
		return Date{}, nil
	case 4, 7, 10:
	default:
		return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	y, err := digits(s[0:4])
	if err != nil || y == 0 {
		return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	d.year = y
	if len(s) >= 7 {
		if s[4] != '-' {
			return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
		}
		if d.month, err = digits(s[5:7]); err != nil || d.month == 0 {
			return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
		}
	}
	if len(s) == 10 {
		if s[7] != '-' {
			return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
		}
		if d.day, err = digits(s[8:10]); err != nil || d.day == 0 {
			return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
		}
	}
	if err := d.check(); err != nil {
		return Date{}, fmt.Errorf("date %q: %w", s, err)
	}
	return d, nil
}

func digits(s string) (int, error) {
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a number: %q", s)
		}
	}
	return strconv.Atoi(s)
}

// check reports whether the parts form a real date of the stated precision.
func (d Date) check() error {
	switch {
	case d.year == 0 && (d.month != 0 || d.day != 0):
		return fmt.Errorf("month or day without a year")
	case d.year == 0:
		return nil
	case d.year < 1 || d.year > 9999:
		return fmt.Errorf("year %d out of range", d.year)
	case d.month == 0 && d.day != 0:
		return fmt.Errorf("day without a month")
	case d.month < 0 || d.month > 12:
		return fmt.Errorf("month %d out of range", d.month)
	case d.day != 0:
		t := time.Date(d.year, time.Month(d.month), d.day, 0, 0, 0, 0, time.UTC)
		if t.Day() != d.day || d.day < 0 {
			return fmt.Errorf("no day %d in %s %d", d.day, time.Month(d.month), d.year)
		}
	}
	return nil
}

// Known reports whether anything of the date is known.
func (d Date) Known() bool { return d.year != 0 }

// IsZero reports whether the date is unknown; it lets encoders omit it.
func (d Date) IsZero() bool { return !d.Known() }

// Precision reports how much of the date is known.
func (d Date) Precision() Precision {
	switch {
	case d.year == 0:
		return PrecisionUnknown
	case d.month == 0:
		return PrecisionYear
	case d.day == 0:
		return PrecisionMonth
	}
	return PrecisionDay
}

// First returns the first day the date can denote, at 00:00 UTC: 1 January
// for a year, the first of the month for a month. It returns the zero time for
// an unknown date.
func (d Date) First() time.Time {
	switch d.Precision() {
	case PrecisionYear:
		return time.Date(d.year, time.January, 1, 0, 0, 0, 0, time.UTC)
	case PrecisionMonth:
		return time.Date(d.year, time.Month(d.month), 1, 0, 0, 0, 0, time.UTC)
	case PrecisionDay:
		return time.Date(d.year, time.Month(d.month), d.day, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// Last returns the last day the date can denote, at 00:00 UTC: 31 December
// for a year, the last day of the month for a month. It returns the zero time
// for an unknown date.
func (d Date) Last() time.Time {
	switch d.Precision() {
	case PrecisionYear:
		return time.Date(d.year, time.December, 31, 0, 0, 0, 0, time.UTC)
	case PrecisionMonth:
		return time.Date(d.year, time.Month(d.month)+1, 0, 0, 0, 0, 0, time.UTC)
	case PrecisionDay:
		return d.First()
	}
	return time.Time{}
}

// String returns the date as "YYYY", "YYYY-MM" or "YYYY-MM-DD", or "" when it
// is unknown.
func (d Date) String() string {
	switch d.Precision() {
	case PrecisionYear:
		return fmt.Sprintf("%04d", d.year)
	case PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", d.year, d.month)
	case PrecisionDay:
		return fmt.Sprintf("%04d-%02d-%02d", d.year, d.month, d.day)
	}
	return ""
}

// Text returns the date as an officer reads it: "1999", "May 1999" or
// "13 May 1999"; "an unknown date" when nothing is known.
func (d Date) Text() string {
	switch d.Precision() {
	case PrecisionYear:
		return strconv.Itoa(d.year)
	case PrecisionMonth:
		return fmt.Sprintf("%s %d", time.Month(d.month), d.year)
	case PrecisionDay:
		return longDate(d.First())
	}
	return "an unknown date"
}

// longDate formats a day as "14 October 2026".
func longDate(t time.Time) string { return t.Format("2 January 2006") }

// MarshalJSON encodes the date as a string, or null when it is unknown.
func (d Date) MarshalJSON() ([]byte, error) {
	if !d.Known() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON accepts null, "" and the forms ParseDate accepts.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: want a string or null: %w", err)
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
