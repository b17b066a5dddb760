package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Load parses the embedded data files and checks that they agree with each
// other: every administration belongs to a known region and has an ISO 3166-1
// code (or a user-assigned X code), every RILO host and bloc member is known,
// every date is well formed, and no code appears twice. It returns an error
// naming the file and entry at fault; the embedded data are tested, so an
// error means the binary was built from broken data.
func Load() (*Directory, error) {
	return load(dataFS)
}

func load(fsys fs.FS) (*Directory, error) {
	d := &Directory{}
	steps := []struct {
		file string
		fn   func([]byte) error
	}{
		{"countries.csv", d.loadCountries},
		{"hs-chapters.csv", d.loadChapters},
		{"currencies.csv", d.loadCurrencies},
		{"regions.json", d.loadRegions},
		{"administrations.json", d.loadAdministrations},
		{"blocs.json", d.loadBlocs},
		{"profiles.json", d.loadProfiles},
		{"categories.json", d.loadCategories},
		{"units.json", d.codeListLoader("units.json", &d.units)},
		{"transport.json", d.codeListLoader("transport.json", &d.transport)},
		{"detection.json", d.codeListLoader("detection.json", &d.detection)},
		{"concealment.json", d.codeListLoader("concealment.json", &d.concealment)},
	}
	for _, s := range steps {
		data, err := fs.ReadFile(fsys, "data/"+s.file)
		if err != nil {
			return nil, fmt.Errorf("load directory: %w", err)
		}
		if err := s.fn(data); err != nil {
			return nil, fmt.Errorf("load directory %s: %w", s.file, err)
		}
	}
	if err := d.checkHosts(); err != nil {
		return nil, fmt.Errorf("load directory regions.json: %w", err)
	}
	d.linkBlocs()
	return d, nil
}

// header is what every JSON data file states about itself.
type header struct {
	Source string `json:"source"`
	AsOf   string `json:"as_of"`
}

func (d *Directory) addSource(file string, h header) error {
	if h.Source == "" || h.AsOf == "" {
		return errors.New(`missing "source" or "as_of"`)
	}
	if _, err := parsePartial(h.AsOf, false); err != nil {
		return fmt.Errorf("as_of: %w", err)
	}
	d.sources = append(d.sources, Source{File: file, Source: h.Source, AsOf: h.AsOf})
	return nil
}

// decodeStrict decodes JSON, rejecting unknown fields so that a misspelt key
// in a data file is an error rather than a silently missing value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (d *Directory) loadCSV(file string, data []byte, columns ...string) (*table, error) {
	src := csvMeta(file, data)
	if src.Source == "" || src.AsOf == "" {
		return nil, errors.New(`missing "# source:" or "# as_of:" comment`)
	}
	d.sources = append(d.sources, src)
	t, err := newTable(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if err := t.require(columns...); err != nil {
		return nil, err
	}
	return t, nil
}

// eachRow calls fn for every record of t.
func eachRow(t *table, fn func(rec []string) error) error {
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

func (d *Directory) loadCountries(data []byte) error {
	t, err := d.loadCSV("countries.csv", data, "code", "alpha3", "name")
	if err != nil {
		return err
	}
	d.countryIdx = map[string]int{}
	err = eachRow(t, func(rec []string) error {
		c := Country{Code: t.get(rec, "code"), Alpha3: t.get(rec, "alpha3"), Name: t.get(rec, "name")}
		if !upperLetters(c.Code, 2) || !upperLetters(c.Alpha3, 3) || c.Name == "" {
			return t.errAt("code", "bad entry %q", c.Code)
		}
		if _, dup := d.countryIdx[c.Code]; dup {
			return t.errAt("code", "duplicate %s", c.Code)
		}
		d.countryIdx[c.Code] = len(d.countries)
		d.countries = append(d.countries, c)
		return nil
	})
	if err != nil {
		return err
	}
	if !sort.SliceIsSorted(d.countries, func(i, j int) bool { return d.countries[i].Code < d.countries[j].Code }) {
		return errors.New("countries are not sorted by code")
	}
	return nil
}

func (d *Directory) loadChapters(data []byte) error {
	t, err := d.loadCSV("hs-chapters.csv", data, "chapter", "section", "reserved", "title")
	if err != nil {
		return err
	}
	d.chapterIdx = map[string]int{}
	err = eachRow(t, func(rec []string) error {
		c := HSChapter{Code: t.get(rec, "chapter"), Section: t.get(rec, "section"), Title: t.get(rec, "title")}
		switch t.get(rec, "reserved") {
		case "":
		case "reserved":
			c.Reserved = true
		default:
			return t.errAt("reserved", `want "" or "reserved"`)
		}
		if len(c.Code) != 2 || !digits(c.Code) || c.Title == "" || c.Section == "" {
			return t.errAt("chapter", "bad entry %q", c.Code)
		}
		if want := fmt.Sprintf("%02d", len(d.chapters)+1); c.Code != want {
			return t.errAt("chapter", "chapter %s out of order, want %s", c.Code, want)
		}
		d.chapterIdx[c.Code] = len(d.chapters)
		d.chapters = append(d.chapters, c)
		return nil
	})
	if err != nil {
		return err
	}
	if len(d.chapters) != 97 {
		return fmt.Errorf("%d chapters, want 97", len(d.chapters))
	}
	return nil
}

func (d *Directory) loadCurrencies(data []byte) error {
	t, err := d.loadCSV("currencies.csv", data, "code", "name", "minor_unit")
	if err != nil {
		return err
	}
	d.currencyIdx = map[string]int{}
	return eachRow(t, func(rec []string) error {
		c := Currency{Code: t.get(rec, "code"), Name: t.get(rec, "name")}
		if !upperLetters(c.Code, 3) || c.Name == "" {
			return t.errAt("code", "bad entry %q", c.Code)
		}
		if s := t.get(rec, "minor_unit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 4 {
				return t.errAt("minor_unit", "bad minor unit %q", s)
			}
			c.MinorUnit = &n
		}
		if _, dup := d.currencyIdx[c.Code]; dup {
			return t.errAt("code", "duplicate %s", c.Code)
		}
		d.currencyIdx[c.Code] = len(d.currencies)
		d.currencies = append(d.currencies, c)
		return nil
	})
}

func (d *Directory) loadRegions(data []byte) error {
	var f struct {
		header
		Comment string   `json:"comment"`
		Regions []Region `json:"regions"`
	}
	if err := decodeStrict(data, &f); err != nil {
		return err
	}
	if err := d.addSource("regions.json", f.header); err != nil {
		return err
	}
	d.regions = f.Regions
	d.regionIdx = map[string]int{}
	rilos := map[string]bool{}
	for i, r := range d.regions {
		if r.Code == "" || r.Name == "" {
			return fmt.Errorf("regions[%d]: missing code or name", i)
		}
		if _, dup := d.regionIdx[r.Code]; dup {
			return fmt.Errorf("region %s appears twice", r.Code)
		}
		d.regionIdx[r.Code] = i
		if len(r.RILOs) == 0 {
			return fmt.Errorf("region %s has no RILO", r.Code)
		}
		for _, ro := range r.RILOs {
			if ro.ID == "" || ro.Name == "" || rilos[ro.ID] {
				return fmt.Errorf("region %s: RILO %q missing a name or listed twice", r.Code, ro.ID)
			}
			rilos[ro.ID] = true
			if err := checkTextLabels("note", ro.Note, ro.NoteLabels); err != nil {
				return fmt.Errorf("%s: %w", ro.ID, err)
			}
			for _, h := range ro.Hosts {
				if err := checkPeriod(h.From, h.To); err != nil {
					return fmt.Errorf("%s host %s: %w", ro.ID, h.Host, err)
				}
				if err := checkTextLabels("city", h.City, h.CityLabels); err != nil {
					return fmt.Errorf("%s host %s: %w", ro.ID, h.Host, err)
				}
				if err := checkTextLabels("note", h.Note, h.NoteLabels); err != nil {
					return fmt.Errorf("%s host %s: %w", ro.ID, h.Host, err)
				}
			}
		}
	}
	if len(d.regions) != 6 {
		return fmt.Errorf("%d regions, want the six WCO regions", len(d.regions))
	}
	return nil
}

// checkTextLabels checks the labels of an English text of a data file
// (field "city" with "city_labels"): labels need the text they translate,
// and the English label, when given, is the text itself, so that the two
// cannot drift apart.
func checkTextLabels(field, text string, labels Labels) error {
	if len(labels) == 0 {
		return nil
	}
	if text == "" {
		return fmt.Errorf("%s_labels without a %s", field, field)
	}
	if en, ok := labels["en"]; ok && en != text {
		return fmt.Errorf("%s_labels.en %q is not the %s %q", field, en, field, text)
	}
	return nil
}

func (d *Directory) loadAdministrations(data []byte) error {
	var f struct {
		header
		Comment         string           `json:"comment"`
		Count           int              `json:"count"`
		Administrations []Administration `json:"administrations"`
	}
	if err := decodeStrict(data, &f); err != nil {
		return err
	}
	if err := d.addSource("administrations.json", f.header); err != nil {
		return err
	}
	if f.Count != len(f.Administrations) {
		return fmt.Errorf("file says %d administrations and lists %d", f.Count, len(f.Administrations))
	}
	d.admins = f.Administrations
	d.adminIdx = map[string]int{}
	for i, a := range d.admins {
		switch {
		case a.Code == "" || a.Name == "":
			return fmt.Errorf("administrations[%d]: missing code or name", i)
		case !d.Country(a.Code) && !userAssigned(a.Code):
			return fmt.Errorf("administration %s: not an ISO 3166-1 alpha-2 code", a.Code)
		case len(a.Blocs) > 0 || len(a.Profile) > 0:
			return fmt.Errorf("administration %s: blocs and profile come from their own files", a.Code)
		}
		if i > 0 && d.admins[i-1].Code >= a.Code {
			return fmt.Errorf("administration %s: not sorted by code or listed twice", a.Code)
		}
		if _, ok := d.regionIdx[a.Region]; !ok {
			return fmt.Errorf("administration %s: unknown region %q", a.Code, a.Region)
		}
		if a.WCOSince != "" {
			if _, err := parsePartial(a.WCOSince, false); err != nil {
				return fmt.Errorf("administration %s: wco_since: %w", a.Code, err)
			}
		}
		d.adminIdx[a.Code] = i
	}
	return nil
}

// checkHosts checks that every RILO host is an administration; it runs once
// both files are loaded.
func (d *Directory) checkHosts() error {
	for _, r := range d.regions {
		for _, ro := range r.RILOs {
			for _, h := range ro.Hosts {
				if h.Host == "" {
					continue
				}
				if _, ok := d.adminIdx[h.Host]; !ok {
					return fmt.Errorf("%s: host %s is not an administration", ro.ID, h.Host)
				}
			}
		}
	}
	return nil
}

// userAssigned reports the ISO 3166-1 user-assigned codes XA to XZ, one of
// which (XK) stands for Kosovo.
func userAssigned(code string) bool {
	return len(code) == 2 && code[0] == 'X' && code[1] >= 'A' && code[1] <= 'Z'
}

func (d *Directory) loadBlocs(data []byte) error {
	var f struct {
		header
		Comment string `json:"comment"`
		Blocs   []Bloc `json:"blocs"`
	}
	if err := decodeStrict(data, &f); err != nil {
		return err
	}
	if err := d.addSource("blocs.json", f.header); err != nil {
		return err
	}
	sort.Slice(f.Blocs, func(i, j int) bool { return f.Blocs[i].Code < f.Blocs[j].Code })
	d.blocs = f.Blocs
	d.blocIdx = map[string]int{}
	for i, b := range d.blocs {
		if b.Code == "" || b.Name == "" {
			return fmt.Errorf("blocs[%d]: missing code or name", i)
		}
		if _, dup := d.blocIdx[b.Code]; dup {
			return fmt.Errorf("bloc %s appears twice", b.Code)
		}
		if _, clash := d.adminIdx[b.Code]; clash {
			return fmt.Errorf("bloc %s has the code of an administration", b.Code)
		}
		d.blocIdx[b.Code] = i
		for _, m := range b.Members {
			if !d.Country(m.Code) {
				return fmt.Errorf("bloc %s: member %q is not an ISO 3166-1 code", b.Code, m.Code)
			}
			if m.From == "" {
				return fmt.Errorf("bloc %s: member %s has no start date", b.Code, m.Code)
			}
			if err := checkPeriod(m.From, m.To); err != nil {
				return fmt.Errorf("bloc %s member %s: %w", b.Code, m.Code, err)
			}
		}
	}
	return nil
}

func (d *Directory) loadProfiles(data []byte) error {
	var f struct {
		header
		Comment  string            `json:"comment"`
		Profiles map[string][]Role `json:"profiles"`
	}
	if err := decodeStrict(data, &f); err != nil {
		return err
	}
	if err := d.addSource("profiles.json", f.header); err != nil {
		return err
	}
	for code, roles := range f.Profiles {
		i, ok := d.adminIdx[code]
		if !ok {
			return fmt.Errorf("profile for unknown administration %q", code)
		}
		for j, r := range roles {
			if r.Title == "" {
				return fmt.Errorf("profile %s[%d]: missing title", code, j)
			}
			if err := checkPeriod(r.From, r.To); err != nil {
				return fmt.Errorf("profile %s[%d]: %w", code, j, err)
			}
			if r.Source == "" {
				roles[j].Source = f.Source
			}
		}
		d.admins[i].Profile = roles
	}
	return nil
}

func (d *Directory) loadCategories(data []byte) error {
	var f struct {
		header
		Comment  string            `json:"comment"`
		Sections []CategorySection `json:"sections"`
	}
	if err := decodeStrict(data, &f); err != nil {
		return err
	}
	if err := d.addSource("categories.json", f.header); err != nil {
		return err
	}
	d.categories = f.Sections
	d.leaves = map[string]bool{}
	sections := map[string]bool{}
	for i, s := range d.categories {
		if !codeShape(s.Code) || s.Labels["en"] == "" || sections[s.Code] {
			return fmt.Errorf("sections[%d]: bad or repeated code %q, or no English label", i, s.Code)
		}
		sections[s.Code] = true
		if len(s.Commodities) == 0 {
			return fmt.Errorf("section %s has no commodities", s.Code)
		}
		for _, c := range s.Commodities {
			leaf := s.Code + "/" + c.Code
			if !codeShape(c.Code) || c.Labels["en"] == "" || d.leaves[leaf] {
				return fmt.Errorf("category %q: bad or repeated code, or no English label", leaf)
			}
			d.leaves[leaf] = true
		}
	}
	return nil
}

func (d *Directory) codeListLoader(file string, dst *codeList) func([]byte) error {
	return func(data []byte) error {
		var f struct {
			header
			Comment string `json:"comment"`
			Codes   []Code `json:"codes"`
		}
		if err := decodeStrict(data, &f); err != nil {
			return err
		}
		if err := d.addSource(file, f.header); err != nil {
			return err
		}
		dst.codes = f.Codes
		dst.idx = map[string]int{}
		for i, c := range f.Codes {
			if !codeShape(c.Code) || c.Labels["en"] == "" {
				return fmt.Errorf("codes[%d]: bad code %q or no English label", i, c.Code)
			}
			if _, dup := dst.idx[c.Code]; dup {
				return fmt.Errorf("code %s appears twice", c.Code)
			}
			dst.idx[c.Code] = i
		}
		if len(f.Codes) == 0 {
			return errors.New("no codes")
		}
		return nil
	}
}

// codeShape accepts the lower-case codes of the code lists: letters, digits
// and inner hyphens ("x-ray", "m3", "express-courier").
func codeShape(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// linkBlocs records on each administration the blocs it currently belongs
// to: memberships without an end date.
func (d *Directory) linkBlocs() {
	for _, b := range d.blocs {
		for _, m := range b.Members {
			if m.To != "" {
				continue
			}
			if i, ok := d.adminIdx[m.Code]; ok && !slices.Contains(d.admins[i].Blocs, b.Code) {
				d.admins[i].Blocs = append(d.admins[i].Blocs, b.Code)
			}
		}
	}
	for i := range d.admins {
		sort.Strings(d.admins[i].Blocs)
	}
}
