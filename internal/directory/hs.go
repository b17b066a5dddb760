package directory

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// HSEntry is one code of the Harmonized System nomenclature: a chapter (2
// digits), heading (4) or subheading (6).
type HSEntry struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Section     string `json:"section,omitempty"`
}

// HSList is a full HS nomenclature as loaded from an official file. It is
// plain data so that it can be stored (as JSON) and applied again with
// WithHS at start-up.
type HSList struct {
	Source  string    `json:"source,omitempty"`
	Entries []HSEntry `json:"entries"`
}

// Counts returns how many chapters, headings and subheadings the list holds.
func (l HSList) Counts() (chapters, headings, subheadings int) {
	for _, e := range l.Entries {
		switch len(e.Code) {
		case 2:
			chapters++
		case 4:
			headings++
		case 6:
			subheadings++
		}
	}
	return
}

// Validate checks what ParseHS guarantees: every code is 2, 4 or 6 digits,
// appears once and has a description, all text is valid UTF-8, and the list has at least one heading.
// Use it on a list read back from storage before WithHS.
func (l HSList) Validate() error {
	seen := make(map[string]bool, len(l.Entries))
	headings := 0
	for i, e := range l.Entries {
		if !hsShape(e.Code) {
			return fmt.Errorf("entries[%d]: code %q is not 2, 4 or 6 digits", i, e.Code)
		}
		if e.Description == "" {
			return fmt.Errorf("entries[%d]: code %s has no description", i, e.Code)
		}
		if !utf8.ValidString(e.Description) || !utf8.ValidString(e.Section) {
			return fmt.Errorf("entries[%d]: code %s has text that is not valid UTF-8", i, e.Code)
		}
		if seen[e.Code] {
			return fmt.Errorf("entries[%d]: code %s appears twice", i, e.Code)
		}
		seen[e.Code] = true
		if len(e.Code) == 4 {
			headings++
		}
	}
	if headings == 0 {
		return errors.New("no headings: the list is not a full nomenclature")
	}
	return nil
}

// hsCatchAll reports the "commodities not specified according to kind" rows
// that statistical files add under chapter 99; they are not part of the HS.
func hsCatchAll(code string) bool {
	switch code {
	case "99", "9999", "999999":
		return true
	}
	return false
}

// ParseHS reads an HS nomenclature in the shape
// "section,hscode,description,parent,level" (columns found by header name;
// hscode and description are required). It keeps the 2-, 4- and 6-digit
// codes, skips the TOTAL row, the 99/9999/999999 catch-alls and longer
// national subdivisions, and rejects anything else with a *ParseError naming
// the line and column: a malformed row, a code that is not digits, a missing
// description, text that is not valid UTF-8, a level that does not match the
// code, a duplicate code.
func ParseHS(r io.Reader) (HSList, error) {
	t, err := newTable(r)
	if err != nil {
		return HSList{}, err
	}
	if err := t.require("hscode", "description"); err != nil {
		return HSList{}, err
	}
	var l HSList
	seen := map[string]int{}
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return HSList{}, err
		}
		code := t.get(rec, "hscode")
		if code == "TOTAL" || hsCatchAll(code) {
			continue
		}
		if code == "" {
			return HSList{}, t.errAt("hscode", "empty code")
		}
		if !digits(code) {
			return HSList{}, t.errAt("hscode", "code %q is not digits", code)
		}
		if !hsShape(code) {
			if len(code) > 6 && len(code)%2 == 0 {
				continue // national subdivision (8 or 10 digits)
			}
			return HSList{}, t.errAt("hscode", "code %q is not 2, 4 or 6 digits", code)
		}
		if t.has("level") {
			if lv := t.get(rec, "level"); lv != "" && lv != strconv.Itoa(len(code)) {
				return HSList{}, t.errAt("level", "level %q does not match the %d-digit code %s", lv, len(code), code)
			}
		}
		desc := t.get(rec, "description")
		if desc == "" {
			return HSList{}, t.errAt("description", "code %s has no description", code)
		}
		if !utf8.ValidString(desc) {
			return HSList{}, t.errAt("description", "description of %s is not valid UTF-8", code)
		}
		section := t.get(rec, "section")
		if !utf8.ValidString(section) {
			return HSList{}, t.errAt("section", "section of %s is not valid UTF-8", code)
		}
		if prev, dup := seen[code]; dup {
			return HSList{}, t.errAt("hscode", "code %s already appears on line %d", code, prev)
		}
		seen[code] = t.line
		l.Entries = append(l.Entries, HSEntry{Code: code, Description: desc, Section: section})
	}
	chapters, headings, _ := l.Counts()
	if headings == 0 {
		return HSList{}, &ParseError{Line: t.line, Msg: "no 4-digit headings found: not an HS nomenclature"}
	}
	if chapters == 0 {
		return HSList{}, &ParseError{Line: t.line, Msg: "no 2-digit chapters found: not a whole HS nomenclature"}
	}
	// A heading without its chapter, or a subheading without its heading,
	// is a file cut short or edited by hand: loaded, it would replace the
	// nomenclature and refuse every code it lacks.
	for _, e := range l.Entries {
		if len(e.Code) == 2 {
			continue
		}
		parent := e.Code[:len(e.Code)-2]
		if _, ok := seen[parent]; !ok {
			return HSList{}, &ParseError{Line: seen[e.Code], Column: strconv.Quote("hscode"),
				Msg: fmt.Sprintf("code %s has no %d-digit parent %s in the file: not a whole HS nomenclature", e.Code, len(parent), parent)}
		}
	}
	return l, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func hsShape(code string) bool {
	return (len(code) == 2 || len(code) == 4 || len(code) == 6) && digits(code)
}

// hsIndex is a loaded nomenclature, indexed.
type hsIndex struct {
	source   string
	desc     map[string]string
	headings int
}

func newHSIndex(l HSList) *hsIndex {
	ix := &hsIndex{source: l.Source, desc: make(map[string]string, len(l.Entries))}
	for _, e := range l.Entries {
		if hsShape(e.Code) && e.Description != "" {
			if _, dup := ix.desc[e.Code]; !dup && len(e.Code) == 4 {
				ix.headings++
			}
			ix.desc[e.Code] = e.Description
		}
	}
	return ix
}

// WithHS returns a Directory that also knows the full nomenclature l: HSFull
// reports true and HSCode checks 4- and 6-digit codes against l exactly. The
// receiver is not changed. Entries that are not 2-, 4- or 6-digit codes with
// a description are ignored; call l.Validate first to reject such a list.
func (d *Directory) WithHS(l HSList) *Directory {
	nd := *d
	nd.hs = newHSIndex(l)
	return &nd
}

// HSDescription returns the English description of an HS code: from the
// loaded nomenclature when there is one, otherwise (for chapters only) the
// embedded chapter title.
func (d *Directory) HSDescription(code string) (string, bool) {
	if d.hs != nil {
		if s, ok := d.hs.desc[code]; ok {
			return s, true
		}
	}
	if len(code) == 2 {
		if i, ok := d.chapterIdx[code]; ok {
			return d.chapters[i].Title, true
		}
	}
	return "", false
}

// HSChapter reports whether the 2-digit chapter exists in HS 2022 and whether
// it is reserved: chapter 77 is known and reserved for future use; 98 and 99
// are reserved for national use and not part of the HS, so they are reported
// unknown and reserved.
func (d *Directory) HSChapter(chapter string) (known, reserved bool) {
	if chapter == "98" || chapter == "99" {
		return false, true
	}
	i, ok := d.chapterIdx[chapter]
	if !ok {
		return false, false
	}
	return true, d.chapters[i].Reserved
}

// HSFull reports whether a full nomenclature has been loaded with WithHS and
// it has headings.
func (d *Directory) HSFull() bool { return d.hs != nil && d.hs.headings > 0 }

// HSCode reports whether a 4- or 6-digit code exists. With a full
// nomenclature loaded the check is exact. Without one it can only check the
// shape and that the chapter exists and is not reserved.
func (d *Directory) HSCode(code string) bool {
	if len(code) != 4 && len(code) != 6 || !digits(code) {
		return false
	}
	if d.HSFull() {
		_, ok := d.hs.desc[code]
		return ok
	}
	known, reserved := d.HSChapter(code[:2])
	return known && !reserved
}
