package app

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"liaison/internal/intel"
)

// csvExportHeader is the layout `liaison export --format csv` writes: summary
// columns a spreadsheet can sort and filter on, and the whole record as JSON
// in the last column so that the file imports back without loss.
var csvExportHeader = []string{"id", "kind", "originator", "version", "status", "created", "updated",
	"event_date", "categories", "grading", "handling", "distribution", "recipients", "title", "json"}

func csvExportRow(r *intel.Record) ([]string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	return []string{r.ID, string(r.Kind), r.Originator, strconv.Itoa(r.Version), string(r.Status),
		ts(r.Created), ts(r.Updated), intel.EventDate(r), strings.Join(intel.Categories(r), ";"),
		r.Grading.Source + r.Grading.Information, r.Handling.Code, r.Distribution.Scope,
		strings.Join(r.Distribution.Recipients, ";"), r.Title, string(b)}, nil
}

// seizureColumns is the flat spreadsheet layout for seizures: one row is one
// seizure with one goods line. Lists inside a cell are separated by ";".
var seizureColumns = map[string]bool{
	"date": true, "country": true, "locode": true, "direction": true, "detection": true,
	"transport": true, "vessel_imo": true, "vessel_name": true, "flight": true, "vehicle": true,
	"containers": true, "departure_country": true, "departure_locode": true,
	"destination_country": true, "destination_locode": true, "category": true,
	"description": true, "hs": true, "quantity": true, "unit": true, "value": true,
	"currency": true, "concealment": true, "narrative": true, "grading_source": true,
	"grading_information": true, "handling": true, "distribution": true, "recipients": true,
	"person_name": true, "person_birth_date": true, "person_nationality": true,
	"person_document": true, "organisation_name": true, "organisation_country": true,
	"title": true,
}

var seizureRequired = []string{"date", "country", "direction", "category", "quantity", "unit",
	"grading_source", "grading_information", "handling", "distribution"}

// readCSV reads either an export (a "json" column carries each record) or a
// seizure spreadsheet in the flat layout above. Column names are matched
// without regard to case; an unknown column is an error, as an unknown JSON
// field is.
func readCSV(r io.Reader) ([]*intel.Record, []int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0 // every row must have as many fields as the header
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("empty file: no header row")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
		return nil, nil, fmt.Errorf("line 1: the header is one column %q: columns must be separated by commas", header[0])
	}
	col := map[string]int{}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, nil, fmt.Errorf("line 1: column %d: name is not valid UTF-8 (the file must be encoded in UTF-8)", i+1)
		}
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, utf8BOM)))
		if j, dup := col[h]; dup {
			return nil, nil, fmt.Errorf("line 1: column %q appears twice (columns %d and %d)", h, j+1, i+1)
		}
		col[h] = i
	}
	_, export := col["json"]
	if !export {
		for h := range col {
			if !seizureColumns[h] {
				return nil, nil, fmt.Errorf("line 1: unknown column %q", h)
			}
		}
		for _, h := range seizureRequired {
			if _, ok := col[h]; !ok {
				return nil, nil, fmt.Errorf("line 1: missing required column %q", h)
			}
		}
	}
	var recs []*intel.Record
	var lines []int
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(err, csv.ErrFieldCount) {
			return nil, nil, fmt.Errorf("line %d: %d columns, but the header has %d", pe.StartLine, len(row), len(header))
		}
		if err != nil {
			// A csv.ParseError already names its line and column.
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		for i, v := range row {
			if !utf8.ValidString(v) {
				return nil, nil, fmt.Errorf("line %d: column %s: not valid UTF-8 text (the file must be encoded in UTF-8)", line, strings.TrimSpace(strings.TrimPrefix(header[i], utf8BOM)))
			}
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		var rec *intel.Record
		if export {
			rec, err = decodeRecord([]byte(get("json")))
		} else {
			rec, err = seizureFromRow(get)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		recs = append(recs, rec)
		lines = append(lines, line)
	}
	return recs, lines, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// groupedNumber is a number written with commas between groups of three
// digits ("1,250,000.5"): the only place a comma may stand in a number.
// The first group does not start with 0: "0,125" is a decimal comma.
var groupedNumber = regexp.MustCompile(`^[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?$`)

// parseNumber reads a number from a spreadsheet cell. Commas are taken as
// thousands separators only where they separate groups of three digits: a
// decimal comma ("1,5") is refused rather than read as 15.
func parseNumber(v string) (float64, bool) {
	if strings.Contains(v, ",") {
		if !groupedNumber.MatchString(v) {
			return 0, false
		}
		v = strings.ReplaceAll(v, ",", "")
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

func seizureFromRow(get func(string) string) (*intel.Record, error) {
	num := func(name string) (float64, error) {
		v := get(name)
		if v == "" {
			return 0, nil
		}
		f, ok := parseNumber(v)
		if !ok {
			return 0, fmt.Errorf("column %s: %q is not a number (write decimals with a point; commas only between groups of three digits)", name, v)
		}
		return f, nil
	}
	qty, err := num("quantity")
	if err != nil {
		return nil, err
	}
	g := intel.Goods{Category: get("category"), Description: get("description"), HS: get("hs"),
		Quantity: qty, Unit: get("unit")}
	if v := get("value"); v != "" {
		amount, err := num("value")
		if err != nil {
			return nil, err
		}
		g.Value = &intel.Money{Amount: amount, Currency: strings.ToUpper(get("currency"))}
	}
	s := &intel.Seizure{
		Date:        get("date"),
		Place:       intel.Place{Country: strings.ToUpper(get("country")), Locode: strings.ToUpper(get("locode"))},
		Direction:   get("direction"),
		Detection:   get("detection"),
		Transport:   get("transport"),
		Containers:  splitList(strings.ToUpper(get("containers"))),
		Goods:       []intel.Goods{g},
		Concealment: get("concealment"),
		Narrative:   get("narrative"),
	}
	if imo, name, flight, veh := get("vessel_imo"), get("vessel_name"), get("flight"), get("vehicle"); imo+name+flight+veh != "" {
		s.Conveyance = &intel.Conveyance{VesselIMO: imo, VesselName: name, Flight: flight, Vehicle: veh}
	}
	for _, leg := range []string{"departure", "destination"} {
		if c := get(leg + "_country"); c != "" {
			s.Route = append(s.Route, intel.RouteLeg{Role: leg, Country: strings.ToUpper(c), Locode: strings.ToUpper(get(leg + "_locode"))})
		}
	}
	if name := get("person_name"); name != "" {
		p := intel.Party{Type: "person", Role: "suspect", Name: name, BirthDate: get("person_birth_date"),
			Nationality: strings.ToUpper(get("person_nationality"))}
		if doc := get("person_document"); doc != "" {
			p.Document = &intel.Document{Type: "passport", Number: doc, Country: p.Nationality}
		}
		s.Parties = append(s.Parties, p)
	}
	if name := get("organisation_name"); name != "" {
		s.Parties = append(s.Parties, intel.Party{Type: "organisation", Role: "consignee", Name: name,
			Country: strings.ToUpper(get("organisation_country"))})
	}
	return &intel.Record{
		Kind:         intel.KindSeizure,
		Title:        get("title"),
		Grading:      intel.Grading{Source: strings.ToUpper(get("grading_source")), Information: get("grading_information")},
		Handling:     intel.Handling{Code: strings.ToUpper(get("handling"))},
		Distribution: intel.Distribution{Scope: get("distribution"), Recipients: splitList(strings.ToUpper(get("recipients")))},
		Seizure:      s,
	}, nil
}
