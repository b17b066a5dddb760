package directory

import (
	"errors"
	"io"
	"sort"
	"unicode/utf8"
)

// Country is an ISO 3166-1 entry. NameFR and NameZH are filled from an
// official list applied with WithCountries.
type Country struct {
	Code   string `json:"code"`   // alpha-2
	Alpha3 string `json:"alpha3"` // alpha-3
	Name   string `json:"name"`
	NameFR string `json:"name_fr,omitempty"`
	NameZH string `json:"name_zh,omitempty"`
}

// Column names of the country-codes file that ParseCountries reads.
const (
	colAlpha2 = "ISO3166-1-Alpha-2"
	colAlpha3 = "ISO3166-1-Alpha-3"
	colNameEN = "official_name_en"
	colCLDR   = "CLDR display name"
	colNameFR = "official_name_fr"
	colNameZH = "official_name_cn"
)

// ParseCountries reads an ISO 3166-1 list with named columns
// (ISO3166-1-Alpha-2, ISO3166-1-Alpha-3, official_name_en or "CLDR display
// name", and optionally official_name_fr and official_name_cn; other columns
// are ignored; a UTF-8 byte-order mark is skipped). It returns the countries
// sorted by code, or a *ParseError naming the line and column of the first
// problem: a missing column, a malformed row, a code of the wrong shape, a
// duplicate code, a row without an English name, a name that is not valid
// UTF-8.
func ParseCountries(r io.Reader) ([]Country, error) {
	t, err := newTable(r)
	if err != nil {
		return nil, err
	}
	if err := t.require(colAlpha2, colAlpha3); err != nil {
		return nil, err
	}
	if !t.has(colNameEN) && !t.has(colCLDR) {
		return nil, t.errAt(colNameEN, "missing column in header (or %q)", colCLDR)
	}
	var out []Country
	seen := map[string]int{}
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		c := Country{
			Code:   t.get(rec, colAlpha2),
			Alpha3: t.get(rec, colAlpha3),
			Name:   t.get(rec, colNameEN),
			NameFR: t.get(rec, colNameFR),
			NameZH: t.get(rec, colNameZH),
		}
		if !upperLetters(c.Code, 2) {
			return nil, t.errAt(colAlpha2, "code %q is not two capital letters", c.Code)
		}
		if !upperLetters(c.Alpha3, 3) {
			return nil, t.errAt(colAlpha3, "code %q is not three capital letters", c.Alpha3)
		}
		if c.Name == "" {
			c.Name = t.get(rec, colCLDR)
		}
		if c.Name == "" {
			return nil, t.errAt(colNameEN, "country %s has no English name", c.Code)
		}
		for _, f := range [...]struct{ col, v string }{{colNameEN, c.Name}, {colNameFR, c.NameFR}, {colNameZH, c.NameZH}} {
			if !utf8.ValidString(f.v) {
				return nil, t.errAt(f.col, "name of %s is not valid UTF-8", c.Code)
			}
		}
		if prev, dup := seen[c.Code]; dup {
			return nil, t.errAt(colAlpha2, "code %s already appears on line %d", c.Code, prev)
		}
		seen[c.Code] = t.line
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, &ParseError{Line: t.line, Msg: "no countries found"}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

func upperLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// WithCountries returns a Directory whose countries carry the French and
// Chinese names of list (an official list from ParseCountries). The embedded
// English names and alpha-3 codes are kept; codes that only list has are
// added, so a newer list can extend the embedded one; codes it lacks stay.
// Entries of list that are not well-formed are ignored. The receiver is not
// changed.
func (d *Directory) WithCountries(list []Country) *Directory {
	nd := *d
	byCode := make(map[string]Country, len(list))
	for _, c := range list {
		if upperLetters(c.Code, 2) && c.Name != "" {
			byCode[c.Code] = c
		}
	}
	countries := make([]Country, 0, len(d.countries)+len(byCode))
	for _, c := range d.countries {
		if l, ok := byCode[c.Code]; ok {
			c.NameFR, c.NameZH = l.NameFR, l.NameZH
			delete(byCode, c.Code)
		}
		countries = append(countries, c)
	}
	for _, c := range byCode {
		countries = append(countries, c)
	}
	sort.Slice(countries, func(i, j int) bool { return countries[i].Code < countries[j].Code })
	nd.countries = countries
	nd.countryIdx = make(map[string]int, len(countries))
	for i, c := range countries {
		nd.countryIdx[c.Code] = i
	}
	return &nd
}
