package ui

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/intel"
)

// Fixed rows of the seizure form; an edit shows more when the record has
// more.
const (
	routeRows = 3
	goodsRows = 3
	partyRows = 4
	// maxFormRows bounds the rows a posted form may carry per table.
	maxFormRows = 100
)

// The seizure form names every input after the path of its field in the
// record's JSON ("seizure.goods[1].hs"), the path validation names in its
// faults, so that each fault lands next to the input that caused it.

// input is one form control: its name (the field path), value, the
// problems found with it and, for a select, its choices.
type input struct {
	Name    string
	Value   string
	Errs    []string
	Options []option
	// id, when set, is the HTML id of the input (the search forms name
	// their inputs plainly).
	id string
}

// ID is the HTML id of the input: its name with the path punctuation
// replaced, so that it is a plain CSS identifier.
func (in *input) ID() string {
	if in.id != "" {
		return in.id
	}
	return inputID(in.Name)
}

func inputID(name string) string {
	r := strings.NewReplacer(".", "-", "[", "-", "]", "")
	return "f-" + r.Replace(name)
}

type routeRow struct {
	Role, Country, Locode *input
}

type goodsRow struct {
	Category, Description, HS, Quantity, Unit, Amount, Currency *input
}

type partyRow struct {
	Type, Role, Name, BirthDate, Country, DocType, DocNumber, DocCountry, Registration *input
}

// formError is a problem listed in the summary at the top of the form.
type formError struct {
	Target  string // the id of the input it concerns, "" when none
	Field   string
	Message string
}

// form is what every form of the UI has: its inputs by name and the
// problems listed at its top.
type form struct {
	Summary []formError
	byName  map[string]*input
	// alias sends faults about a field no input is named after to the
	// input that holds it (a decline's "reason" to "response.reason").
	alias map[string]string
}

func newForm() form { return form{byName: map[string]*input{}, alias: map[string]string{}} }

// add registers an input named name with the value v holds for it and,
// for a select or radio buttons, the choices opts with the current value
// selected (a value not among them is kept as an extra choice).
func (f *form) add(v url.Values, name string, opts []option) *input {
	x := &input{Name: name, Value: v.Get(name)}
	if opts != nil {
		x.Options = make([]option, len(opts))
		copy(x.Options, opts)
		for i := range x.Options {
			x.Options[i].Selected = x.Options[i].Value == x.Value
		}
		known := slices.ContainsFunc(x.Options, func(o option) bool { return o.Selected })
		if !known && x.Value != "" {
			x.Options = append(x.Options, option{Value: x.Value, Label: x.Value, Selected: true})
		}
	}
	f.byName[name] = x
	return x
}

// addFilter registers an input of a search form, whose HTML id is its
// name.
func (f *form) addFilter(v url.Values, name string) *input {
	x := f.add(v, name, nil)
	x.id = name
	return x
}

type recordFormBody struct {
	form
	Kind     string
	Heading  string
	Kinds    []option
	Edit     bool
	ID       string
	Version  int
	Action   string
	Conflict string
	// Submission is the token of a new record's form (see submissions).
	Submission string

	Source, Information, Handling, Conditions    *input
	Scope, Recipients, Operation, Region         *input
	Date, Country, Locode, Direction             *input
	Detection, Transport, Concealment            *input
	IMO, Flight, Vehicle, Containers, Narrative  *input
	Subject, Suggested, ExpectedFrom, ExpectedTo *input
	Category, Indicators                         *input
	Route                                        []routeRow
	Goods                                        []goodsRow
	Parties                                      []partyRow
	Countries                                    []option
}

// formKinds are the kinds of record the form records, in the order its
// switch shows them.
var formKinds = []intel.Kind{intel.KindSeizure, intel.KindWarning}

// newRecordForm builds the form of a record of kind (a seizure or a
// warning) from values (named by field path) with the choices of the
// directory's code lists.
func (h *Handler) newRecordForm(c *call, kind intel.Kind, v url.Values) *recordFormBody {
	l := c.loc
	b := &recordFormBody{form: newForm(), Kind: string(kind)}
	in := func(name string, opts []option) *input { return b.add(v, name, opts) }
	for _, k := range formKinds {
		b.Kinds = append(b.Kinds, option{Value: string(k), Label: l.Enum("kind", string(k)), Selected: k == kind})
	}
	choose := option{Value: "", Label: l.T("form.choose")}
	enum := func(group string, values []string, meaning bool) []option {
		out := []option{choose}
		for _, s := range values {
			label := l.Enum(group, s)
			if meaning {
				label = s + " — " + label
			}
			out = append(out, option{Value: s, Label: label})
		}
		return out
	}
	codes := func(list string, cs []string) []option {
		out := []option{choose}
		for _, s := range cs {
			out = append(out, option{Value: s, Label: l.Code(list, s)})
		}
		return out
	}
	b.Source = in("grading.source", enum("source", intel.GradingSources(), true))
	b.Information = in("grading.information", enum("information", intel.GradingInformation(), true))
	b.Handling = in("handling.code", enum("handling", intel.HandlingCodes(), true))
	b.Conditions = in("handling.conditions", nil)
	b.Scope = in("distribution.scope", enum("scope", intel.Scopes(), false))
	b.Recipients = in("distribution.recipients", nil)
	b.Operation = in("distribution.operation", nil)
	regions := []option{{Value: "", Label: l.T("form.none")}}
	for _, r := range h.cfg.Directory.Regions() {
		regions = append(regions, option{Value: r.Code, Label: l.Region(r.Code)})
	}
	b.Region = in("distribution.region", regions)

	dir := h.cfg.Directory
	k := string(kind)
	cats := []option{choose}
	for _, s := range dir.Categories() {
		for _, com := range s.Commodities {
			code := s.Code + "/" + com.Code
			cats = append(cats, option{Value: code, Label: l.Category(code)})
		}
	}
	b.Transport = in(k+".transport", codes("transport", codesOf(dir.TransportModes())))
	if kind == intel.KindWarning {
		b.Subject = in("warning.subject", nil)
		b.Suggested = in("warning.suggested_action", enum("action", intel.SuggestedActions(), false))
		b.ExpectedFrom = in("warning.expected_from", nil)
		b.ExpectedTo = in("warning.expected_to", nil)
		b.Category = in("warning.category", cats)
		b.Indicators = in("warning.indicators", nil)
	} else {
		b.Date = in("seizure.date", nil)
		b.Country = in("seizure.place.country", nil)
		b.Locode = in("seizure.place.locode", nil)
		b.Direction = in("seizure.direction", enum("direction", intel.Directions(), false))
		b.Detection = in("seizure.detection", codes("detection", codesOf(dir.DetectionMethods())))
		b.Concealment = in("seizure.concealment", codes("concealment", codesOf(dir.ConcealmentMethods())))
		units := codes("unit", codesOf(dir.Units()))
		for i := range rowCount(v, "seizure.goods", goodsRows) {
			p := index("seizure.goods", i)
			b.Goods = append(b.Goods, goodsRow{Category: in(p+".category", cats), Description: in(p+".description", nil),
				HS: in(p+".hs", nil), Quantity: in(p+".quantity", nil), Unit: in(p+".unit", units),
				Amount: in(p+".value.amount", nil), Currency: in(p+".value.currency", nil)})
		}
	}
	b.IMO = in(k+".conveyance.vessel_imo", nil)
	b.Flight = in(k+".conveyance.flight", nil)
	b.Vehicle = in(k+".conveyance.vehicle", nil)
	b.Containers = in(k+".containers", nil)
	b.Narrative = in(k+".narrative", nil)

	roles := enum("leg", intel.RouteRoles(), false)
	for i := range rowCount(v, k+".route", routeRows) {
		p := index(k+".route", i)
		b.Route = append(b.Route, routeRow{Role: in(p+".role", roles), Country: in(p+".country", nil), Locode: in(p+".locode", nil)})
	}
	parties := k + ".parties"
	if kind == intel.KindWarning {
		parties = "warning.targets"
	}
	ptypes := enum("party", intel.PartyTypes(), false)
	dtypes := enum("document", intel.DocumentTypes(), false)
	for i := range rowCount(v, parties, partyRows) {
		p := index(parties, i)
		b.Parties = append(b.Parties, partyRow{Type: in(p+".type", ptypes), Role: in(p+".role", nil), Name: in(p+".name", nil),
			BirthDate: in(p+".birth_date", nil), Country: in(p+".nationality", nil),
			DocType: in(p+".document.type", dtypes), DocNumber: in(p+".document.number", nil),
			DocCountry: in(p+".document.country", nil), Registration: in(p+".registration", nil)})
	}
	for _, k := range dir.Countries() {
		b.Countries = append(b.Countries, option{Value: k.Code, Label: l.Country(k.Code)})
	}
	return b
}

func codesOf(cs []directory.Code) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Code)
	}
	return out
}

// index returns the path of item i of the list at prefix.
func index(prefix string, i int) string { return prefix + "[" + strconv.Itoa(i) + "]" }

// rowCount is how many rows of the table at prefix the form shows: at least
// least, and enough for every row values holds (up to maxFormRows).
func rowCount(v url.Values, prefix string, least int) int {
	n := least
	for k := range v {
		rest, ok := strings.CutPrefix(k, prefix+"[")
		if !ok {
			continue
		}
		num, _, ok := strings.Cut(rest, "]")
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(num); err == nil && i >= 0 && i < maxFormRows && i+1 > n {
			n = i + 1
		}
	}
	return n
}

// formNumber formats a number for an input: no grouping, no exponent.
func formNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// recordValues returns the form values that show r (a seizure or a
// warning), named as the inputs of the record form.
func recordValues(r *intel.Record) url.Values {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	set("grading.source", r.Grading.Source)
	set("grading.information", r.Grading.Information)
	set("handling.code", r.Handling.Code)
	set("handling.conditions", r.Handling.Conditions)
	set("distribution.scope", r.Distribution.Scope)
	set("distribution.recipients", strings.Join(r.Distribution.Recipients, " "))
	set("distribution.operation", r.Distribution.Operation)
	set("distribution.region", r.Distribution.Region)
	conveyance := func(p string, c *intel.Conveyance) {
		if c != nil {
			set(p+".conveyance.vessel_imo", c.VesselIMO)
			set(p+".conveyance.flight", c.Flight)
			set(p+".conveyance.vehicle", c.Vehicle)
		}
	}
	route := func(p string, legs []intel.RouteLeg) {
		for i, leg := range legs {
			q := index(p+".route", i)
			set(q+".role", leg.Role)
			set(q+".country", leg.Country)
			set(q+".locode", leg.Locode)
		}
	}
	parties := func(p string, list []intel.Party) {
		for i, x := range list {
			q := index(p, i)
			set(q+".type", x.Type)
			set(q+".role", x.Role)
			set(q+".name", x.Name)
			set(q+".birth_date", x.BirthDate)
			if x.Type == "organisation" {
				set(q+".nationality", x.Country)
			} else {
				set(q+".nationality", x.Nationality)
			}
			if d := x.Document; d != nil {
				set(q+".document.type", d.Type)
				set(q+".document.number", d.Number)
				set(q+".document.country", d.Country)
			}
			set(q+".registration", x.Registration)
		}
	}
	if w := r.Warning; w != nil {
		set("warning.subject", w.Subject)
		set("warning.suggested_action", w.SuggestedAction)
		set("warning.expected_from", w.ExpectedFrom)
		set("warning.expected_to", w.ExpectedTo)
		set("warning.category", w.Category)
		set("warning.transport", w.Transport)
		conveyance("warning", w.Conveyance)
		set("warning.containers", strings.Join(w.Containers, "\n"))
		route("warning", w.Route)
		parties("warning.targets", w.Targets)
		set("warning.indicators", strings.Join(w.Indicators, "\n"))
		set("warning.narrative", w.Narrative)
	}
	s := r.Seizure
	if s == nil {
		return v
	}
	set("seizure.date", s.Date)
	set("seizure.place.country", s.Place.Country)
	set("seizure.place.locode", s.Place.Locode)
	set("seizure.direction", s.Direction)
	set("seizure.detection", s.Detection)
	set("seizure.transport", s.Transport)
	set("seizure.concealment", s.Concealment)
	conveyance("seizure", s.Conveyance)
	set("seizure.containers", strings.Join(s.Containers, "\n"))
	set("seizure.narrative", s.Narrative)
	route("seizure", s.Route)
	for i, g := range s.Goods {
		p := index("seizure.goods", i)
		set(p+".category", g.Category)
		set(p+".description", g.Description)
		set(p+".hs", g.HS)
		set(p+".quantity", formNumber(g.Quantity))
		set(p+".unit", g.Unit)
		if g.Value != nil {
			set(p+".value.amount", formNumber(g.Value.Amount))
			set(p+".value.currency", g.Value.Currency)
		}
	}
	parties("seizure.parties", s.Parties)
	return v
}

// groupedNumber is a number written with comma thousands separators.
var groupedNumber = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)

// parseNumber reads a number as officers type it: spaces and comma
// thousands separators are allowed, the decimal mark is a point.
func parseNumber(s string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '_' {
			return -1
		}
		return r
	}, s)
	if groupedNumber.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// codeList splits a list of codes typed with spaces, commas or semicolons
// and writes them in capitals.
func codeList(s string) []string {
	fs := strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	if len(fs) == 0 {
		return nil
	}
	return fs
}

// rowMap maps the path of a list item in the record ("seizure.goods[0]")
// to the path of the form row or line it came from, since empty rows are
// left out of the record.
type rowMap map[string]string

// formReader reads the values of a posted form, remembering where each
// list item of the record came from.
type formReader struct {
	v    url.Values
	rows rowMap
	errs fault.List
}

func (f *formReader) get(name string) string   { return strings.TrimSpace(f.v.Get(name)) }
func (f *formReader) upper(name string) string { return strings.ToUpper(f.get(name)) }

// text is a multi-line text with Windows line ends made plain.
func (f *formReader) text(name string) string {
	return strings.TrimSpace(strings.ReplaceAll(f.v.Get(name), "\r\n", "\n"))
}

// lines returns the non-empty lines of the textarea name as the items of
// the list at path, each cleaned by clean.
func (f *formReader) lines(name, path string, clean func(string) string) []string {
	var out []string
	for i, line := range strings.Split(f.v.Get(name), "\n") {
		line = clean(line)
		if line == "" {
			continue
		}
		f.rows[index(path, len(out))] = name + "#" + strconv.Itoa(i+1)
		out = append(out, line)
	}
	return out
}

func containerLine(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }

func plainLine(s string) string { return strings.TrimSpace(s) }

// conveyance reads the conveyance inputs under prefix over old.
func (f *formReader) conveyance(prefix string, old *intel.Conveyance) *intel.Conveyance {
	conv := intel.Conveyance{}
	if old != nil {
		conv = *old
	}
	conv.VesselIMO = f.get(prefix + ".conveyance.vessel_imo")
	conv.Flight = strings.ToUpper(f.get(prefix + ".conveyance.flight"))
	conv.Vehicle = f.get(prefix + ".conveyance.vehicle")
	if conv == (intel.Conveyance{}) {
		return nil
	}
	return &conv
}

// route reads the route rows of the list at path.
func (f *formReader) route(path string) []intel.RouteLeg {
	var out []intel.RouteLeg
	for i := range rowCount(f.v, path, 0) {
		p := index(path, i)
		leg := intel.RouteLeg{Role: f.get(p + ".role"), Country: f.upper(p + ".country"),
			Locode: strings.ReplaceAll(f.upper(p+".locode"), " ", "")}
		if leg == (intel.RouteLeg{}) {
			continue
		}
		f.rows[index(path, len(out))] = p
		out = append(out, leg)
	}
	return out
}

// parties reads the party rows of the list at path, keeping from old the
// fields the form does not show, row by row.
func (f *formReader) parties(path string, old []intel.Party) []intel.Party {
	var out []intel.Party
	for i := range rowCount(f.v, path, 0) {
		p := index(path, i)
		names := []string{".type", ".role", ".name", ".birth_date", ".nationality", ".document.type", ".document.number",
			".document.country", ".registration"}
		if allBlank(f.get, p, names) {
			continue
		}
		var x intel.Party
		if i < len(old) {
			x = old[i]
		}
		x.Type = f.get(p + ".type")
		x.Role = f.get(p + ".role")
		x.Name = f.get(p + ".name")
		x.BirthDate = f.get(p + ".birth_date")
		x.Registration = f.get(p + ".registration")
		if x.Type == "organisation" {
			x.Country, x.Nationality = f.upper(p+".nationality"), ""
		} else {
			x.Nationality = f.upper(p + ".nationality")
		}
		x.Document = nil
		doc := intel.Document{Type: f.get(p + ".document.type"), Number: f.get(p + ".document.number"), Country: f.upper(p + ".document.country")}
		if doc != (intel.Document{}) {
			x.Document = &doc
		}
		f.rows[index(path, len(out))] = p
		out = append(out, x)
	}
	return out
}

// common reads grading, handling and distribution into r.
func (f *formReader) common(r *intel.Record) {
	r.Grading = intel.Grading{Source: f.get("grading.source"), Information: f.get("grading.information")}
	r.Handling = intel.Handling{Code: f.get("handling.code"), Conditions: f.get("handling.conditions")}
	r.Distribution = intel.Distribution{Scope: f.get("distribution.scope"), Recipients: codeList(f.v.Get("distribution.recipients")),
		Operation: f.get("distribution.operation"), Region: f.get("distribution.region")}
}

// formRecord builds a record of kind from the form values. Fields the form
// does not show are kept from base (the current version) when it is
// given, row by row. Empty rows and lines are left out. Values that cannot
// be read (a quantity that is not a number) are reported as field faults
// named after their inputs.
func formRecord(kind intel.Kind, v url.Values, base *intel.Record) (*intel.Record, rowMap, fault.List) {
	if kind == intel.KindWarning {
		return warningRecord(v, base)
	}
	return seizureRecord(v, base)
}

// warningRecord builds a warning from the form values over base.
func warningRecord(v url.Values, base *intel.Record) (*intel.Record, rowMap, fault.List) {
	f := &formReader{v: v, rows: rowMap{}}
	r := &intel.Record{Kind: intel.KindWarning}
	w := &intel.Warning{}
	if base != nil {
		*r = *base
		if base.Warning != nil {
			*w = *base.Warning
		}
	}
	old := *w
	r.Warning = w
	f.common(r)
	w.Subject = f.get("warning.subject")
	w.SuggestedAction = f.get("warning.suggested_action")
	w.ExpectedFrom = f.get("warning.expected_from")
	w.ExpectedTo = f.get("warning.expected_to")
	w.Category = f.get("warning.category")
	w.Transport = f.get("warning.transport")
	w.Conveyance = f.conveyance("warning", old.Conveyance)
	w.Containers = f.lines("warning.containers", "warning.containers", containerLine)
	w.Route = f.route("warning.route")
	w.Targets = f.parties("warning.targets", old.Targets)
	w.Indicators = f.lines("warning.indicators", "warning.indicators", plainLine)
	w.Narrative = f.text("warning.narrative")
	return r, f.rows, f.errs
}

// seizureRecord builds a seizure from the form values over base.
func seizureRecord(v url.Values, base *intel.Record) (*intel.Record, rowMap, fault.List) {
	f := &formReader{v: v, rows: rowMap{}}
	get, upper := f.get, f.upper
	r := &intel.Record{Kind: intel.KindSeizure}
	s := &intel.Seizure{}
	var old intel.Seizure
	if base != nil {
		*r = *base
		if base.Seizure != nil {
			old = *base.Seizure
			*s = old
		}
	}
	r.Seizure = s
	f.common(r)

	s.Date = get("seizure.date")
	s.Place.Country = upper("seizure.place.country")
	s.Place.Locode = strings.ReplaceAll(upper("seizure.place.locode"), " ", "")
	s.Direction = get("seizure.direction")
	s.Detection = get("seizure.detection")
	s.Transport = get("seizure.transport")
	s.Concealment = get("seizure.concealment")
	s.Narrative = f.text("seizure.narrative")
	s.Conveyance = f.conveyance("seizure", old.Conveyance)
	s.Containers = f.lines("seizure.containers", "seizure.containers", containerLine)
	s.Route = f.route("seizure.route")

	s.Goods = nil
	for i := range rowCount(v, "seizure.goods", 0) {
		p := index("seizure.goods", i)
		names := []string{".category", ".description", ".hs", ".quantity", ".unit", ".value.amount", ".value.currency"}
		if allBlank(get, p, names) {
			continue
		}
		var g intel.Goods
		if i < len(old.Goods) {
			g = old.Goods[i]
		}
		// Faults are named by the path of the goods line in the record,
		// as validation names them, so that both land on this row.
		rp := index("seizure.goods", len(s.Goods))
		g.Category = get(p + ".category")
		g.Description = get(p + ".description")
		g.HS = strings.ReplaceAll(strings.ReplaceAll(get(p+".hs"), ".", ""), " ", "")
		g.Unit = get(p + ".unit")
		g.Quantity = 0
		if q := get(p + ".quantity"); q != "" {
			n, ok := parseNumber(q)
			if !ok {
				f.errs = append(f.errs, fault.Field(rp+".quantity", "quantity %q is not a number such as 8000000 or 12.5", q))
			}
			g.Quantity = n
		}
		g.Value = nil
		amount, currency := get(p+".value.amount"), upper(p+".value.currency")
		if amount != "" || currency != "" {
			m := &intel.Money{Currency: currency}
			if amount == "" {
				f.errs = append(f.errs, fault.Field(rp+".value.amount", "a currency needs the amount of the value"))
			} else if n, ok := parseNumber(amount); ok {
				m.Amount = n
			} else {
				f.errs = append(f.errs, fault.Field(rp+".value.amount", "value %q is not a number such as 2400000", amount))
			}
			g.Value = m
		}
		f.rows[rp] = p
		s.Goods = append(s.Goods, g)
	}
	s.Parties = f.parties("seizure.parties", old.Parties)
	return r, f.rows, f.errs
}

func allBlank(get func(string) string, prefix string, names []string) bool {
	for _, n := range names {
		if get(prefix+n) != "" {
			return false
		}
	}
	return true
}

// fieldAliases send faults about fields that share an input to that
// input: an organisation's country is typed where a person's nationality
// is.
var fieldAliases = map[string]string{".country": ".nationality"}

// place attaches the faults of err to the inputs of the form they concern
// and lists them all in the summary. It reports false when err holds no
// field faults (it is not a validation failure).
func (b *form) place(err error, rows rowMap, l *Locale) bool {
	var list fault.List
	var fe *fault.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &fe) && fe.Kind == fault.Invalid && fe.Field != "":
		list = fault.List{fe}
	default:
		return false
	}
	for _, e := range list {
		target, where := b.target(e.Field, rows, l)
		msg := l.Fault(e)
		if where != "" {
			msg = where + ": " + msg
		}
		if target != nil {
			target.Errs = append(target.Errs, msg)
		}
		fe := formError{Field: e.Field, Message: msg}
		if target != nil {
			fe.Target = target.ID()
		}
		b.Summary = append(b.Summary, fe)
	}
	return true
}

// target finds the input a fault about field belongs to: the input of that
// path (after mapping record rows back to form rows), else of the nearest
// enclosing path that has one. For a line of a multi-line input it also
// returns which line, to put before the message.
func (b *form) target(field string, rows rowMap, l *Locale) (*input, string) {
	path := field
	if a, ok := b.alias[path]; ok {
		path = a
	}
	for rec, form := range rows {
		if path == rec || strings.HasPrefix(path, rec+".") {
			if name, line, ok := strings.Cut(form, "#"); ok {
				return b.byName[name], l.T("form.line", line)
			}
			path = form + path[len(rec):]
			break
		}
	}
	for path != "" {
		if in, ok := b.byName[path]; ok {
			return in, ""
		}
		if a, ok := b.alias[path]; ok {
			if in, ok := b.byName[a]; ok {
				return in, ""
			}
		}
		for suffix, alias := range fieldAliases {
			if base, ok := strings.CutSuffix(path, suffix); ok {
				if in, ok := b.byName[base+alias]; ok {
					return in, ""
				}
			}
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return nil, ""
}

// notText puts next to each input whose posted value is not UTF-8 text a
// fault saying so, and reports whether there was one: such a value would
// be stored altered, with its undecodable bytes replaced.
func (f *form) notText(v url.Values, l *Locale) bool {
	bad := false
	for _, name := range slices.Sorted(maps.Keys(v)) {
		in := f.byName[name]
		if in == nil || !slices.ContainsFunc(v[name], func(s string) bool { return !utf8.ValidString(s) }) {
			continue
		}
		msg := l.T("form.not.utf8")
		in.Errs = append(in.Errs, msg)
		f.Summary = append(f.Summary, formError{Target: in.ID(), Field: name, Message: msg})
		bad = true
	}
	return bad
}

// formKind returns the kind of record the form at r records: ?kind=,
// seizure when absent.
func formKind(r *http.Request) (intel.Kind, error) {
	switch k := r.URL.Query().Get("kind"); k {
	case "", string(intel.KindSeizure):
		return intel.KindSeizure, nil
	case string(intel.KindWarning):
		return intel.KindWarning, nil
	default:
		return "", fault.Field("kind", "only seizures and warnings can be recorded in the web interface; use the API for %q", k)
	}
}

// newRecord shows the form for a new seizure or warning.
func (h *Handler) newRecord(w http.ResponseWriter, r *http.Request, c *call) error {
	kind, err := formKind(r)
	if err != nil {
		return err
	}
	b := h.newRecordForm(c, kind, url.Values{})
	b.Action = "/ui/records/new?kind=" + string(kind)
	if b.Submission, err = randomToken(); err != nil {
		return err
	}
	return h.renderRecordForm(w, r, c, http.StatusOK, b)
}

// createRecord stores a new record from the form and goes to its page, or
// shows the form again with each problem next to its input.
func (h *Handler) createRecord(w http.ResponseWriter, r *http.Request, c *call) error {
	kind, err := formKind(r)
	if err != nil {
		return err
	}
	v := r.PostForm
	b := h.newRecordForm(c, kind, v)
	b.Action = "/ui/records/new?kind=" + string(kind)
	b.Submission = v.Get("submission")
	badText := b.notText(v, c.loc)
	rec, rows, errs := formRecord(kind, v, nil)
	if errs.Err() == nil && !badText {
		// The same form sent again stores nothing more: it goes to the
		// record the first sending stored.
		var sub *submission
		key := c.sid + "\x00" + b.Submission
		if b.Submission != "" {
			var stored string
			if sub, stored, err = h.submitted.begin(r.Context(), key, time.Now()); err != nil {
				return err
			}
			if stored != "" {
				http.Redirect(w, r, "/ui/records/"+stored+"?saved=1", http.StatusSeeOther)
				return nil
			}
		}
		rec, _, err = h.cfg.Records.Create(r.Context(), c.user.Name, rec)
		if sub != nil {
			id := ""
			if err == nil {
				id = rec.ID
			}
			h.submitted.finish(key, sub, id)
		}
		if err == nil {
			http.Redirect(w, r, "/ui/records/"+rec.ID+"?saved=1", http.StatusSeeOther)
			return nil
		}
	} else {
		err = h.withValidation(rec, errs)
	}
	if !b.place(err, rows, c.loc) && !badText {
		return err
	}
	return h.renderRecordForm(w, r, c, http.StatusBadRequest, b)
}

// editable returns the current version of a record the form may change:
// a seizure or warning this node originated and has not retracted.
func (h *Handler) editable(r *http.Request, c *call, id string) (*intel.Record, error) {
	rec, err := h.getRecord(r.Context(), c, id)
	if err != nil {
		return nil, err
	}
	switch {
	case rec.Originator != h.cfg.Node:
		return nil, fault.E(fault.Forbidden, "record %s was originated by %s; only its originator may change it", id, rec.Originator)
	case rec.Status == intel.StatusRetracted:
		return nil, fault.E(fault.Conflict, "record %s is retracted and can no longer change", id)
	case !slices.Contains(formKinds, rec.Kind):
		return nil, fault.E(fault.Invalid, "only seizures and warnings can be changed in the web interface; use the API for a %s", rec.Kind)
	}
	return rec, nil
}

// editRecord shows the record form filled from the current version.
func (h *Handler) editRecord(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	rec, err := h.editable(r, c, id)
	if err != nil {
		return err
	}
	b := h.newRecordForm(c, rec.Kind, recordValues(rec))
	b.Edit, b.ID, b.Version, b.Action = true, id, rec.Version, "/ui/records/"+id+"/edit"
	return h.renderRecordForm(w, r, c, http.StatusOK, b)
}

// updateRecord stores the form as the next version of a record, provided
// nobody saved another version since the form was opened.
func (h *Handler) updateRecord(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	v := r.PostForm
	version, err := strconv.Atoi(v.Get("version"))
	if err != nil || version < 1 {
		return fault.Field("version", "the form carries no valid version; open the record again")
	}
	cur, err := h.editable(r, c, id)
	if err != nil {
		return err
	}
	b := h.newRecordForm(c, cur.Kind, v)
	b.Edit, b.ID, b.Version, b.Action = true, id, version, "/ui/records/"+id+"/edit"
	badText := b.notText(v, c.loc)
	rec, rows, errs := formRecord(cur.Kind, v, cur)
	rec.Version = version
	if errs.Err() == nil && !badText {
		var saved *intel.Record
		saved, _, err = h.cfg.Records.Update(r.Context(), c.user.Name, id, rec)
		if err == nil {
			http.Redirect(w, r, "/ui/records/"+id+"?saved="+strconv.Itoa(saved.Version), http.StatusSeeOther)
			return nil
		}
	} else {
		err = h.withValidation(rec, errs)
	}
	if fault.Is(err, fault.Conflict) {
		b.Conflict = errMessage(err)
		return h.renderRecordForm(w, r, c, http.StatusConflict, b)
	}
	if !b.place(err, rows, c.loc) && !badText {
		return err
	}
	return h.renderRecordForm(w, r, c, http.StatusBadRequest, b)
}

// withValidation adds to the faults of reading the form those validation
// finds in the rest of the record, so that the officer sees every problem
// at once. A field already at fault is not reported twice.
func (h *Handler) withValidation(rec *intel.Record, errs fault.List) fault.List {
	_, err := intel.Validate(rec, h.cfg.Directory, h.cfg.Now())
	var more fault.List
	if !errors.As(err, &more) {
		return errs
	}
	for _, e := range more {
		if !slices.ContainsFunc(errs, func(x *fault.Error) bool { return x.Field == e.Field }) {
			errs = append(errs, e)
		}
	}
	return errs
}

func (h *Handler) renderRecordForm(w http.ResponseWriter, r *http.Request, c *call, status int, b *recordFormBody) error {
	if b.Edit {
		b.Heading = c.loc.T("form.edit."+b.Kind, b.ID)
	} else {
		b.Heading = c.loc.T("form.new." + b.Kind)
	}
	c.title = b.Heading
	return h.renderStatus(w, r, c, status, "edit", b)
}
