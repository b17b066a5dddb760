// Package directory is Liaison's reference data: the WCO regions and their
// Regional Intelligence Liaison Offices (RILOs), the customs administrations
// that are WCO Members, the blocs they belong to (EU, APEC, ASEAN) with
// membership dates, the roles and timeline of an administration, and the code
// lists that records are validated against (ISO 3166-1 countries, HS 2022
// chapters, ISO 4217 currencies, units, transport modes, detection and
// concealment methods, commodity categories).
//
// The data are files under data/, authored for the project and embedded in the
// binary; each states its sources and the date it is correct as of. Load parses
// them into a Directory, which is read-only: WithHS and WithCountries return a
// new Directory that also knows a full official list loaded by an
// administrator, and never change the receiver. A Directory is safe for
// concurrent use. Lookups return copies of slices, but label maps are shared:
// callers must not modify a Labels value they are given.
package directory

import (
	"embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"liaison/internal/fault"
	"liaison/internal/intel"
)

//go:embed data
var dataFS embed.FS

// *Directory is what record validation consults.
var _ intel.Codes = (*Directory)(nil)

// Labels maps a language tag ("en", "fr", "zh-Hant") to a display label.
type Labels map[string]string

// In returns the label in lang, falling back to English, then to "".
func (l Labels) In(lang string) string {
	if s, ok := l[lang]; ok && s != "" {
		return s
	}
	return l["en"]
}

// Code is one entry of a code list: the code stored in records and its
// display labels.
type Code struct {
	Code   string `json:"code"`
	Labels Labels `json:"labels"`
}

// Label returns the code's label in lang (English if there is none), or the
// code itself when it has no label at all.
func (c Code) Label(lang string) string {
	if s := c.Labels.In(lang); s != "" {
		return s
	}
	return c.Code
}

// Region is one of the six WCO regions, with the RILOs that serve it.
type Region struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Labels Labels `json:"labels,omitempty"`
	RILOs  []RILO `json:"rilos"`
}

// RILO is a WCO Regional Intelligence Liaison Office. Its host administration
// may change over time; Hosts lists the periods in order.
type RILO struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Labels Labels    `json:"labels,omitempty"`
	Hosts  []Hosting `json:"hosts,omitempty"`
	Note   string    `json:"note,omitempty"`
	// NoteLabels is Note in each language of the user interface; its
	// English label, when present, is Note.
	NoteLabels Labels `json:"note_labels,omitempty"`
}

// NoteIn returns the RILO's note in lang, falling back to Note.
func (r RILO) NoteIn(lang string) string { return labelOr(r.NoteLabels, lang, r.Note) }

// Hosting is a period during which an administration hosted a RILO. From and
// To are "YYYY" or "YYYY-MM" (inclusive); an empty To means it continues and
// an empty From that the start is not recorded. A Note marks what is not
// confirmed against a primary source. CityLabels and NoteLabels give City
// and Note in each language of the user interface; their English labels,
// when present, are City and Note.
type Hosting struct {
	Host       string `json:"host,omitempty"` // administration code
	City       string `json:"city,omitempty"`
	CityLabels Labels `json:"city_labels,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	Note       string `json:"note,omitempty"`
	NoteLabels Labels `json:"note_labels,omitempty"`
}

// CityIn returns the host city in lang, falling back to City (English).
func (h Hosting) CityIn(lang string) string { return labelOr(h.CityLabels, lang, h.City) }

// NoteIn returns the note in lang, falling back to Note (English).
func (h Hosting) NoteIn(lang string) string { return labelOr(h.NoteLabels, lang, h.Note) }

// labelOr returns the label of l in lang, or text (English) when l has
// none in that language.
func labelOr(l Labels, lang, text string) string {
	if s := l[lang]; s != "" {
		return s
	}
	return text
}

// HostOn returns the hosting in force on the date of t, if any.
func (r RILO) HostOn(t time.Time) (Hosting, bool) {
	for _, h := range r.Hosts {
		if within(h.From, h.To, t) {
			return h, true
		}
	}
	return Hosting{}, false
}

// Administration is a customs administration that is a WCO Member, keyed by
// the ISO 3166-1 alpha-2 code of its customs territory (Kosovo uses the
// user-assigned XK).
type Administration struct {
	Code string `json:"code"`
	// Name is the English name of the customs territory ("Hong Kong, China").
	Name string `json:"name"`
	// Agency is the name of the customs administration itself, where recorded
	// ("Customs and Excise Department").
	Agency    string `json:"agency,omitempty"`
	ShortName string `json:"short_name,omitempty"`
	Region    string `json:"region"`
	// WCOSince is the date of WCO membership: "YYYY-MM-DD", or "YYYY" where
	// only the year is known, or "" where it is not recorded.
	WCOSince string `json:"wco_since,omitempty"`
	// Blocs are the blocs the administration currently belongs to
	// (memberships without an end date), sorted.
	Blocs   []string `json:"blocs,omitempty"`
	Profile []Role   `json:"profile,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// Role is an entry of an administration's timeline: an office held or a
// function performed in an international body. From and To are "YYYY" or
// "YYYY-MM"; an empty To means the role continues.
type Role struct {
	Title  string `json:"title"`
	Body   string `json:"body,omitempty"` // e.g. "WCO", "APEC"
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Note   string `json:"note,omitempty"`
	Source string `json:"source,omitempty"`
}

// Bloc is a group of customs territories (EU, APEC, ASEAN). A bloc stands for
// the customs administrations of its members.
type Bloc struct {
	Code    string       `json:"code"`
	Name    string       `json:"name"`
	Labels  Labels       `json:"labels,omitempty"`
	Note    string       `json:"note,omitempty"`
	Members []Membership `json:"members"`
}

// Membership is one member's period in a bloc. From and To are inclusive
// dates ("YYYY-MM-DD", or "YYYY" read as from 1 January); an empty To means
// the membership continues.
type Membership struct {
	Code string `json:"code"`
	From string `json:"from"`
	To   string `json:"to,omitempty"`
	Note string `json:"note,omitempty"`
}

// ActiveOn reports whether the membership is in force on the date of t (the
// calendar date in t's location).
func (m Membership) ActiveOn(t time.Time) bool { return within(m.From, m.To, t) }

// Currency is an ISO 4217 currency. MinorUnit is nil where the standard gives
// none (precious metals, units of account).
type Currency struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	MinorUnit *int   `json:"minor_unit,omitempty"`
}

// HSChapter is a two-digit chapter of the Harmonized System 2022.
type HSChapter struct {
	Code     string `json:"code"`
	Section  string `json:"section"` // Roman numeral, "I" to "XXI"
	Title    string `json:"title"`
	Reserved bool   `json:"reserved,omitempty"`
}

// CategorySection is the first level of the commodity categories (a section
// of the WCO Illicit Trade Report); records use "section/commodity".
type CategorySection struct {
	Code        string `json:"code"`
	Labels      Labels `json:"labels"`
	Commodities []Code `json:"commodities"`
}

// Source says where one data file comes from and the date it is correct as of.
type Source struct {
	File   string `json:"file"`
	Source string `json:"source"`
	AsOf   string `json:"as_of"`
}

// Directory is the loaded reference data. The zero value is not usable; call
// Load.
type Directory struct {
	sources []Source

	regions   []Region
	regionIdx map[string]int

	admins   []Administration
	adminIdx map[string]int

	blocs   []Bloc
	blocIdx map[string]int

	countries  []Country
	countryIdx map[string]int

	chapters   []HSChapter
	chapterIdx map[string]int
	hs         *hsIndex // nil until WithHS

	categories []CategorySection
	leaves     map[string]bool

	currencies  []Currency
	currencyIdx map[string]int

	units, transport, detection, concealment codeList
}

type codeList struct {
	codes []Code
	idx   map[string]int
}

func (l codeList) has(code string) bool {
	_, ok := l.idx[code]
	return ok
}

// Sources lists the data files with their sources and "as of" dates.
func (d *Directory) Sources() []Source { return slices.Clone(d.sources) }

// Regions returns the six WCO regions in a fixed order.
func (d *Directory) Regions() []Region {
	out := make([]Region, len(d.regions))
	for i, r := range d.regions {
		out[i] = cloneRegion(r)
	}
	return out
}

// Region returns the region with the given code (case-insensitive), or a
// not_found error.
func (d *Directory) Region(code string) (Region, error) {
	i, ok := d.regionIdx[strings.ToUpper(code)]
	if !ok {
		return Region{}, fault.E(fault.NotFound, "no WCO region %q", code)
	}
	return cloneRegion(d.regions[i]), nil
}

// Administrations returns the WCO Members of a region (code
// case-insensitive), or all of them when region is "", sorted by code. An
// unknown region has no administrations.
func (d *Directory) Administrations(region string) []Administration {
	region = strings.ToUpper(region)
	var out []Administration
	for _, a := range d.admins {
		if region == "" || a.Region == region {
			out = append(out, cloneAdmin(a))
		}
	}
	return out
}

// Administration returns the administration with the given code
// (case-insensitive), or a not_found error.
func (d *Directory) Administration(code string) (Administration, error) {
	i, ok := d.adminIdx[strings.ToUpper(code)]
	if !ok {
		return Administration{}, fault.E(fault.NotFound, "no administration %q", code)
	}
	return cloneAdmin(d.admins[i]), nil
}

// Blocs returns all blocs, sorted by code.
func (d *Directory) Blocs() []Bloc {
	out := make([]Bloc, len(d.blocs))
	for i, b := range d.blocs {
		out[i] = cloneBloc(b)
	}
	return out
}

// Bloc returns the bloc with the given code (case-insensitive), or a
// not_found error.
func (d *Directory) Bloc(code string) (Bloc, error) {
	i, ok := d.blocIdx[strings.ToUpper(code)]
	if !ok {
		return Bloc{}, fault.E(fault.NotFound, "no bloc %q", code)
	}
	return cloneBloc(d.blocs[i]), nil
}

// BlocsOf returns the codes of the blocs that code (case-insensitive) was a
// member of on the date of on, sorted.
func (d *Directory) BlocsOf(code string, on time.Time) []string {
	code = strings.ToUpper(code)
	var out []string
	for _, b := range d.blocs {
		if memberOn(b, code, on) {
			out = append(out, b.Code)
		}
	}
	return out
}

// MemberOf reports whether admin was a member of bloc on the date of on
// (codes case-insensitive). An unknown bloc has no members.
func (d *Directory) MemberOf(bloc, admin string, on time.Time) bool {
	i, ok := d.blocIdx[strings.ToUpper(bloc)]
	if !ok {
		return false
	}
	return memberOn(d.blocs[i], strings.ToUpper(admin), on)
}

// MembersOn returns the codes of the members of bloc on the date of on,
// sorted, or a not_found error for an unknown bloc.
func (d *Directory) MembersOn(bloc string, on time.Time) ([]string, error) {
	i, ok := d.blocIdx[strings.ToUpper(bloc)]
	if !ok {
		return nil, fault.E(fault.NotFound, "no bloc %q", bloc)
	}
	var out []string
	for _, m := range d.blocs[i].Members {
		if m.ActiveOn(on) {
			out = append(out, m.Code)
		}
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

func memberOn(b Bloc, code string, on time.Time) bool {
	for _, m := range b.Members {
		if m.Code == code && m.ActiveOn(on) {
			return true
		}
	}
	return false
}

// RegionOf returns the code of the WCO region administration admin
// (case-insensitive) belongs to; ok is false when admin is not a WCO Member.
func (d *Directory) RegionOf(admin string) (region string, ok bool) {
	i, ok := d.adminIdx[strings.ToUpper(admin)]
	if !ok {
		return "", false
	}
	return d.admins[i].Region, true
}

// RILORegion returns the code of the region served by the RILO whose id is
// code (case-insensitive, e.g. "RILO-AP"); ok is false when code is not a
// RILO.
func (d *Directory) RILORegion(code string) (region string, ok bool) {
	code = strings.ToUpper(code)
	for _, r := range d.regions {
		for _, ro := range r.RILOs {
			if ro.ID == code {
				return r.Code, true
			}
		}
	}
	return "", false
}

// Name returns the English name of an administration ("Japan"), bloc
// ("European Union"), region ("Asia/Pacific") or RILO ("RILO Asia/Pacific")
// by its code (case-insensitive), in that order of precedence, or "" when
// the code is none of these.
func (d *Directory) Name(code string) string {
	code = strings.ToUpper(code)
	if i, ok := d.adminIdx[code]; ok {
		return d.admins[i].Name
	}
	if i, ok := d.blocIdx[code]; ok {
		return d.blocs[i].Name
	}
	if i, ok := d.regionIdx[code]; ok {
		return d.regions[i].Name
	}
	for _, r := range d.regions {
		for _, ro := range r.RILOs {
			if ro.ID == code {
				return ro.Name
			}
		}
	}
	return ""
}

// RILO returns the RILO whose id is code (case-insensitive, e.g.
// "RILO-AP"); ok is false when code is not a RILO.
func (d *Directory) RILO(code string) (RILO, bool) {
	code = strings.ToUpper(code)
	for _, r := range d.regions {
		for _, ro := range r.RILOs {
			if ro.ID == code {
				return ro, true
			}
		}
	}
	return RILO{}, false
}

// RILOFor returns the RILOs of the region an administration belongs to, or a
// not_found error for an unknown administration.
func (d *Directory) RILOFor(admin string) ([]RILO, error) {
	a, err := d.Administration(admin)
	if err != nil {
		return nil, err
	}
	r, err := d.Region(a.Region)
	if err != nil {
		return nil, fmt.Errorf("region of %s: %w", a.Code, err)
	}
	return r.RILOs, nil
}

// Countries returns the ISO 3166-1 countries sorted by alpha-2 code. French
// and Chinese names are present only after WithCountries.
func (d *Directory) Countries() []Country { return slices.Clone(d.countries) }

// CountryByCode returns the country with the given alpha-2 code
// (case-insensitive), or a not_found error.
func (d *Directory) CountryByCode(code string) (Country, error) {
	i, ok := d.countryIdx[strings.ToUpper(code)]
	if !ok {
		return Country{}, fault.E(fault.NotFound, "no ISO 3166-1 country %q", code)
	}
	return d.countries[i], nil
}

// HSChapters returns the 97 chapters of HS 2022 (01 to 97, chapter 77
// reserved).
func (d *Directory) HSChapters() []HSChapter { return slices.Clone(d.chapters) }

// Categories returns the commodity categories: sections with their
// commodities.
func (d *Directory) Categories() []CategorySection {
	out := make([]CategorySection, len(d.categories))
	for i, c := range d.categories {
		c.Commodities = slices.Clone(c.Commodities)
		out[i] = c
	}
	return out
}

// Currencies returns the ISO 4217 currencies in current use, sorted by code.
func (d *Directory) Currencies() []Currency { return slices.Clone(d.currencies) }

// Units returns the units of quantity.
func (d *Directory) Units() []Code { return slices.Clone(d.units.codes) }

// TransportModes returns the modes of transport.
func (d *Directory) TransportModes() []Code { return slices.Clone(d.transport.codes) }

// DetectionMethods returns the detection methods.
func (d *Directory) DetectionMethods() []Code { return slices.Clone(d.detection.codes) }

// ConcealmentMethods returns the concealment methods.
func (d *Directory) ConcealmentMethods() []Code { return slices.Clone(d.concealment.codes) }

func cloneRegion(r Region) Region {
	r.RILOs = slices.Clone(r.RILOs)
	for i := range r.RILOs {
		r.RILOs[i].Hosts = slices.Clone(r.RILOs[i].Hosts)
	}
	return r
}

func cloneAdmin(a Administration) Administration {
	a.Blocs = slices.Clone(a.Blocs)
	a.Profile = slices.Clone(a.Profile)
	return a
}

func cloneBloc(b Bloc) Bloc {
	b.Members = slices.Clone(b.Members)
	return b
}
