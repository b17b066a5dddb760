package directory

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"liaison/internal/fault"
)

// ParseError reports what is wrong in a CSV file and where: the line (1-based,
// the header is line 1 unless comments precede it) and the column, named by
// its header when known.
type ParseError struct {
	Line   int
	Column string // header name, or a 1-based position when there is none
	Msg    string
}

func (e *ParseError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Msg)
}

// Unwrap lets fault.KindOf classify a parse error as invalid input whose
// field is its position in the file.
func (e *ParseError) Unwrap() error {
	field := fmt.Sprintf("line %d", e.Line)
	if e.Column != "" {
		field += ", column " + e.Column
	}
	return fault.Field(field, "%s", e.Msg)
}

// table is a CSV file read by header names.
type table struct {
	r      *csv.Reader
	header []string
	col    map[string]int
	line   int // line of the last record read
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// newTable reads the header row of r. Lines starting with '#' are comments;
// a leading UTF-8 byte-order mark is skipped.
func newTable(r io.Reader) (*table, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(bom)); err == nil && bytes.Equal(b, bom) {
		if _, err := br.Discard(len(bom)); err != nil {
			return nil, fmt.Errorf("skip byte-order mark: %w", err)
		}
	}
	cr := csv.NewReader(br)
	cr.Comment = '#'
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ParseError{Line: 1, Msg: "empty file: no header row"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	t := &table{r: cr, header: header, col: make(map[string]int, len(header))}
	t.line, _ = cr.FieldPos(0)
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := t.col[h]; dup && h != "" {
			return nil, &ParseError{Line: t.line, Column: strconv.Quote(h), Msg: "column appears twice in the header"}
		}
		t.col[h] = i
	}
	return t, nil
}

// require returns an error naming the first of names that is not a column.
func (t *table) require(names ...string) error {
	for _, n := range names {
		if _, ok := t.col[n]; !ok {
			return &ParseError{Line: t.line, Column: strconv.Quote(n), Msg: "missing column in header"}
		}
	}
	return nil
}

// has reports whether the header has the named column.
func (t *table) has(name string) bool {
	_, ok := t.col[name]
	return ok
}

// next returns the next record, or io.EOF.
func (t *table) next() ([]string, error) {
	rec, err := t.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, csvError(err)
	}
	t.line, _ = t.r.FieldPos(0)
	return rec, nil
}

// get returns the trimmed value of the named column ("" if absent).
func (t *table) get(rec []string, name string) string {
	i, ok := t.col[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// errAt returns a ParseError at the current record and the named column.
func (t *table) errAt(column, format string, args ...any) error {
	return &ParseError{Line: t.line, Column: strconv.Quote(column), Msg: fmt.Sprintf(format, args...)}
}

// csvError turns an encoding/csv error into a ParseError that keeps its
// position.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e := &ParseError{Line: pe.Line, Msg: pe.Err.Error()}
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			e.Line = pe.StartLine
		} else if pe.Column > 0 {
			e.Column = strconv.Itoa(pe.Column)
		}
		return e
	}
	return fmt.Errorf("read csv: %w", err)
}

// csvMeta extracts "# source:" and "# as_of:" from the leading comment lines
// of an embedded CSV file.
func csvMeta(file string, data []byte) Source {
	src := Source{File: file}
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "#"))
		if v, ok := strings.CutPrefix(line, "source:"); ok {
			src.Source = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "as_of:"); ok {
			src.AsOf = strings.TrimSpace(v)
		}
	}
	return src
}
