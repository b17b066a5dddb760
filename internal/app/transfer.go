package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/jsonpath"
	"liaison/internal/jsonread"
	"liaison/internal/store"
)

// Formats of import and export files.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// Progress receives progress of long work: Start with the total (or -1 when
// unknown), Add as work is done, Done at the end.
type Progress interface {
	Start(total int64, what string)
	Add(n int)
	Done()
}

type noProgress struct{}

func (noProgress) Start(int64, string) {}
func (noProgress) Add(int)             {}
func (noProgress) Done()               {}

// FormatOf guesses a file's format from its extension.
func FormatOf(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson", ".json":
		return FormatJSONL, nil
	case ".csv":
		return FormatCSV, nil
	}
	return "", fmt.Errorf("cannot tell the format of %s from its extension: use --format jsonl or --format csv", path)
}

// Import reads records from a JSON lines or CSV file, validates every one of
// them, and stores them all in one transaction: either the whole file is
// imported or, on the first invalid record, nothing is and the error names the
// line and the field.
func Import(ctx context.Context, c Config, path, format string, p Progress) (int, error) {
	if p == nil {
		p = noProgress{}
	}
	if format == "" {
		var err error
		if format, err = FormatOf(path); err != nil {
			return 0, err
		}
	}
	if format != FormatJSONL && format != FormatCSV {
		return 0, fmt.Errorf("unknown format %q: use jsonl or csv", format)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("records file: %w", err) // the error names the path
	}
	defer f.Close()
	var size int64 = -1
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return 0, fmt.Errorf("%s is a folder, not a records file", path)
		}
		size = fi.Size()
	}
	p.Start(size, "reading "+filepath.Base(path))
	cr := &countingReader{r: f, p: p}
	var recs []*intel.Record
	var lines []int
	switch format {
	case FormatJSONL:
		recs, lines, err = readJSONL(cr)
	case FormatCSV:
		recs, lines, err = readCSV(cr)
	}
	p.Done()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return 0, fmt.Errorf("%s holds no records", path)
	}
	n, err := Open(ctx, c)
	if err != nil {
		return 0, err
	}
	defer n.Close(ctx)
	p.Start(int64(len(recs)), "importing")
	defer p.Done()
	if _, err := n.Records.CreateBatch(ctx, "cli", recs); err != nil {
		if fault.Is(err, fault.Conflict) {
			if e := alreadyStored(ctx, n, recs, lines); e != nil {
				return 0, fmt.Errorf("%s: %w", path, e)
			}
		}
		return 0, fmt.Errorf("%s: %w", path, lineOf(err, lines))
	}
	p.Add(len(recs))
	return len(recs), nil
}

// alreadyStored names the first record of the file whose id the node holds
// already, by its line, or returns nil when there is none.
func alreadyStored(ctx context.Context, n *Node, recs []*intel.Record, lines []int) error {
	var ids []string
	for _, r := range recs {
		if r.ID != "" {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	held, err := n.Store.RecordHeads(ctx, ids)
	if err != nil {
		return nil
	}
	for i, r := range recs {
		if _, ok := held[r.ID]; ok && r.ID != "" {
			return fmt.Errorf("line %d: id: record %s is already stored on this node (nothing was imported)", lines[i], r.ID)
		}
	}
	return nil
}

// recordIndex matches a batch position ("records[3]") in a message.
var recordIndex = regexp.MustCompile(`records\[(\d+)\]`)

// lineOf rewrites a batch error's "records[i]" prefix into the file line.
func lineOf(err error, lines []int) error {
	var fe *fault.Error
	var fl fault.List
	if errors.As(err, &fl) && len(fl) > 0 {
		fe = fl[0]
	} else if !errors.As(err, &fe) {
		return err
	}
	if !strings.HasPrefix(fe.Field, "records[") {
		return err
	}
	end := strings.Index(fe.Field, "]")
	i, convErr := strconv.Atoi(fe.Field[len("records["):max(end, 0)])
	if end < 0 || convErr != nil || i < 0 || i >= len(lines) {
		return err
	}
	field := strings.TrimPrefix(fe.Field[end+1:], ".")
	// A message that refers to another record of the batch ("same id as
	// records[0]") names its line too.
	message := recordIndex.ReplaceAllStringFunc(fe.Message, func(m string) string {
		j, err := strconv.Atoi(m[len("records[") : len(m)-1])
		if err != nil || j < 0 || j >= len(lines) {
			return m
		}
		return fmt.Sprintf("the record on line %d", lines[j])
	})
	msg := fmt.Sprintf("line %d: %s: %s", lines[i], field, message)
	if len(fl) > 1 {
		msg += fmt.Sprintf(" (and %d more errors)", len(fl)-1)
	}
	return errors.New(msg)
}

type countingReader struct {
	r io.Reader
	p Progress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Add(n)
	return n, err
}

const maxLine = 4 << 20

func decodeRecord(b []byte) (*intel.Record, error) {
	if i := jsonread.InvalidUTF8(b); i >= 0 {
		return nil, fmt.Errorf("byte %d: not valid UTF-8 (the file must be encoded in UTF-8)", i+1)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r intel.Record
	if err := dec.Decode(&r); err != nil {
		return nil, placeJSONError(b, err)
	}
	if dec.More() {
		return nil, errors.New("trailing data after the record")
	}
	return &r, nil
}

// placeJSONError names the member an encoding/json error decoding a
// record from b is about by its whole path (seizure.goods[1].colour).
func placeJSONError(b []byte, err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("no record: expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("malformed JSON: the record ends before it is complete (a record must be on one line)")
	case errors.As(err, &se):
		return fmt.Errorf("malformed JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &te) && te.Field == "":
		return fmt.Errorf("a record must be a JSON object, found %s", te.Value)
	case errors.As(err, &te):
		return fmt.Errorf("%s: expected %s, found %s", jsonpath.Of(b, recordType, err, te.Field), jsonpath.Expected(te.Type.Kind()), te.Value)
	}
	if name, ok := jsonpath.UnknownField(err); ok {
		return fmt.Errorf("%s: unknown field", jsonpath.Of(b, recordType, err, name))
	}
	return err
}

var recordType = reflect.TypeFor[intel.Record]()

// utf8BOM is the byte order mark some editors and spreadsheets write at the
// start of a UTF-8 file.
const utf8BOM = "\ufeff"

func readJSONL(r io.Reader) ([]*intel.Record, []int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var recs []*intel.Record
	var lines []int
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte(utf8BOM))
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		rec, err := decodeRecord(b)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		recs = append(recs, rec)
		lines = append(lines, line)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, nil, fmt.Errorf("line %d: longer than %d MiB: a record must fit on one line of at most %d MiB", line+1, maxLine>>20, maxLine>>20)
	} else if err != nil {
		return nil, nil, fmt.Errorf("after line %d: %w", line, err)
	}
	return recs, lines, nil
}

// Export writes every record (latest version), optionally filtered, as JSON
// lines or CSV. It returns the number written.
func Export(ctx context.Context, c Config, w io.Writer, format string, q store.RecordQuery, p Progress) (int, error) {
	if p == nil {
		p = noProgress{}
	}
	if format != FormatJSONL && format != FormatCSV {
		return 0, fmt.Errorf("unknown format %q: use jsonl or csv", format)
	}
	n, err := Open(ctx, c)
	if err != nil {
		return 0, err
	}
	defer n.Close(ctx)
	total, err := n.Store.CountRecords(ctx)
	if err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	p.Start(total, "exporting")
	defer p.Done()
	bw := bufio.NewWriter(w)
	var cw *csv.Writer
	if format == FormatCSV {
		cw = csv.NewWriter(bw)
		if err := cw.Write(csvExportHeader); err != nil {
			return 0, fmt.Errorf("write csv header: %w", err)
		}
	}
	count := 0
	q.Limit = 1000
	for {
		page, err := n.Records.List(ctx, "cli", q)
		if err != nil {
			return count, fmt.Errorf("list records: %w", err)
		}
		for _, r := range page.Records {
			if cw != nil {
				row, err := csvExportRow(r)
				if err != nil {
					return count, err
				}
				if err := cw.Write(row); err != nil {
					return count, fmt.Errorf("write csv: %w", err)
				}
			} else {
				b, err := json.Marshal(r)
				if err != nil {
					return count, fmt.Errorf("encode record %s: %w", r.ID, err)
				}
				bw.Write(b)
				bw.WriteByte('\n')
			}
			count++
		}
		p.Add(len(page.Records))
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return count, fmt.Errorf("write csv: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return count, fmt.Errorf("write export: %w", err)
	}
	return count, nil
}
