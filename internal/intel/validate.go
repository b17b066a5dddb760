package intel

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"liaison/internal/fault"
)

// Text limits, in characters. Free text (narratives, facts, summaries,
// descriptions, questions, answers, conditions) may be long; one-line fields
// (titles, subjects, indicators, addresses) are shorter; names and
// identifiers are shorter still. Longer values are refused, not truncated.
const (
	MaxTextLength = 20000
	MaxLineLength = 1000
	MaxNameLength = 300
)

// FieldWarning is a problem with a field that does not make the record
// invalid, such as an IMO number whose check digit is wrong: real ships carry
// such numbers, so the record is accepted and the officer is told.
type FieldWarning struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// The closed code lists of records. Each function returns a new slice in a
// stable order, so callers may keep or change it.

// GradingSources lists the source reliability grades of the 4x4 system.
func GradingSources() []string { return []string{"A", "B", "C", "X"} }

// GradingInformation lists the information assessment grades of the 4x4
// system.
func GradingInformation() []string { return []string{"1", "2", "3", "4"} }

// HandlingCodes lists the handling codes.
func HandlingCodes() []string { return []string{"H0", "H1", "H2", "H3"} }

// Scopes lists the distribution scopes.
func Scopes() []string {
	return []string{ScopeOriginator, ScopeBilateral, ScopeRegion, ScopeOperation, ScopeWCO}
}

// Statuses lists the record states.
func Statuses() []string { return []string{string(StatusActive), string(StatusRetracted)} }

// Directions lists the directions of movement of seized goods.
func Directions() []string { return []string{"import", "export", "transit", "domestic"} }

// RouteRoles lists the roles of a point on a route.
func RouteRoles() []string { return []string{"departure", "transit", "destination"} }

// PartyTypes lists the kinds of party a record may name.
func PartyTypes() []string { return []string{"person", "organisation"} }

// DocumentTypes lists the kinds of travel or identity document.
func DocumentTypes() []string {
	return []string{"passport", "id-card", "residence-permit", "seaman-book", "other"}
}

// SuggestedActions lists what a warning may ask its recipients to do.
func SuggestedActions() []string {
	return []string{"check", "discreet-surveillance", "report-sighting"}
}

// FeedbackResults lists the results a feedback may report.
func FeedbackResults() []string {
	return []string{"seizure", "nothing-found", "not-encountered", "other"}
}

// Urgencies lists the urgency levels of a request for assistance.
func Urgencies() []string { return []string{"routine", "urgent", "immediate"} }

// RequestStates lists the states of a request for assistance.
func RequestStates() []string {
	return []string{"sent", "acknowledged", "answered", "declined", "overdue"}
}

// ResponseOutcomes lists the outcomes of a response to a request.
func ResponseOutcomes() []string { return []string{"answered", "declined", "partial"} }

// earliestDate is the first date any record may carry: earlier dates are
// typing mistakes ("0975-03-02"), not history.
const earliestDate = "1900-01-01"

// Validate checks a record against the rules of its kind and the code lists
// in codes, which must not be nil. Dates that must not lie in the future are
// compared with the day of now in UTC; today itself is allowed.
//
// It reports every invalid field at once: err is nil or a fault.List holding
// one fault.Field per problem, named by its path in the record's JSON
// (e.g. "seizure.goods[0].hs"), with a message that quotes the offending
// value. Problems that do not make the record invalid are returned as
// warnings, whether or not err is nil. Validate does not modify r.
func Validate(r *Record, codes Codes, now time.Time) (warnings []FieldWarning, err error) {
	if r == nil {
		return nil, fault.E(fault.Invalid, "no record given")
	}
	v := &validator{codes: codes, today: now.UTC().Format(time.DateOnly)}
	v.record(r)
	return v.warns, v.errs.Err()
}

// validator accumulates the problems found in one record.
type validator struct {
	codes Codes
	today string // YYYY-MM-DD in UTC
	errs  fault.List
	warns []FieldWarning
}

// The checks below take a field's path in two parts, p and name (the field
// is p+name, e.g. "seizure.parties[0]" and ".name"), and join them only to
// report a problem: most fields are valid, and joining every path up front
// was a fifth of the time validation took.
func (v *validator) fail(field, format string, args ...any) {
	v.errs = append(v.errs, fault.Field(field, format, args...))
}

func (v *validator) warn(field, format string, args ...any) {
	v.warns = append(v.warns, FieldWarning{Field: field, Message: fmt.Sprintf(format, args...)})
}

func index(prefix string, i int) string {
	return prefix + "[" + strconv.Itoa(i) + "]"
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// required reports whether s is present, failing with "<label> is required"
// when it is not.
func (v *validator) required(p, name, label, s string) bool {
	if blank(s) {
		v.fail(p+name, "%s is required", label)
		return false
	}
	return true
}

// text enforces a length limit on s.
func (v *validator) text(p, name, label, s string, limit int) {
	if len(s) <= limit { // bytes bound characters from above
		return
	}
	if n := utf8.RuneCountInString(s); n > limit {
		v.fail(p+name, "%s is too long: %d characters, the limit is %d", label, n, limit)
	}
}

// item checks one entry of a list of strings: present and within limit.
func (v *validator) item(p, name, label, s string, limit int) {
	if blank(s) {
		v.fail(p+name, "%s is empty", label)
		return
	}
	v.text(p, name, label, s, limit)
}

// requiredText is required followed by text.
func (v *validator) requiredText(p, name, label, s string, limit int) {
	if v.required(p, name, label, s) {
		v.text(p, name, label, s, limit)
	}
}

// enum checks that s is one of allowed; an empty s is refused only when
// required.
func (v *validator) enum(p, name, label, s string, required bool, allowed []string) {
	switch {
	case s == "" && !required:
	case s == "":
		v.fail(p+name, "%s is required: one of %s", label, strings.Join(allowed, ", "))
	case !slices.Contains(allowed, s):
		v.fail(p+name, "%s %q must be one of %s", label, s, strings.Join(allowed, ", "))
	}
}

// country checks an ISO 3166-1 alpha-2 code and reports whether it is
// valid; an empty code is refused only when required.
func (v *validator) country(p, name, label, code string, required bool) bool {
	switch {
	case code == "":
		if required {
			v.fail(p+name, "%s is required (an ISO 3166-1 alpha-2 code such as \"HK\")", label)
		}
		return false
	case v.codes.Country(code):
		return true
	}
	if up := strings.ToUpper(code); up != code && v.codes.Country(up) {
		v.fail(p+name, "%s %q must be written in capitals: %q", label, code, up)
	} else {
		v.fail(p+name, "%s %q is not an ISO 3166-1 code", label, code)
	}
	return false
}

// category checks a two-level commodity category; an empty one is refused
// only when required.
func (v *validator) category(p, name, s string, required bool) {
	switch {
	case s == "":
		if required {
			v.fail(p+name, "commodity category is required, e.g. \"drugs/cocaine\" or \"revenue/cigarettes\"")
		}
	case !v.codes.Category(s):
		v.fail(p+name, "commodity category %q is not known; categories look like \"drugs/cocaine\" or \"revenue/cigarettes\"", s)
	}
}

// code checks s against a configurable code list when it is present, or
// when required.
func (v *validator) code(p, name, label, s string, required bool, known func(string) bool) {
	switch {
	case s == "":
		if required {
			v.fail(p+name, "%s is required", label)
		}
	case !known(s):
		v.fail(p+name, "%s %q is not in the code list", label, s)
	}
}

// date checks a YYYY-MM-DD calendar date, optionally refusing one after
// today, and reports whether it is valid. An empty date is refused only when
// required.
func (v *validator) date(p, name, label, s string, required, notFuture bool) bool {
	if s == "" {
		if required {
			v.fail(p+name, "%s is required (YYYY-MM-DD)", label)
		}
		return false
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		v.fail(p+name, "%s %q is not a valid date (YYYY-MM-DD)", label, s)
		return false
	}
	if s < earliestDate {
		v.fail(p+name, "%s %q is before 1900", label, s)
		return false
	}
	if notFuture && s > v.today {
		v.fail(p+name, "%s %q is in the future (today is %s, UTC)", label, s, v.today)
		return false
	}
	return true
}

// id checks a record id; an empty id is refused only when required.
func (v *validator) id(p, name, label, s string, required bool) {
	switch {
	case s == "":
		if required {
			v.fail(p+name, "%s is required (a record id: 26-character ULID)", label)
		}
	case !ULIDValid(s):
		v.fail(p+name, "%s %q is not a record id (a 26-character ULID in capitals)", label, s)
	}
}

// validOnly returns s when ok and "" otherwise, so that a value already
// reported as invalid is not compared with others.
func validOnly(s string, ok bool) string {
	if ok {
		return s
	}
	return ""
}

// locode checks the shape of a UN/LOCODE, that it starts with a known
// country code and, when a valid sibling country field is given, that it
// lies in that country.
func (v *validator) locode(p, name, code, country string) {
	if code == "" {
		return
	}
	if pr := locodeProblem(code); pr != nil {
		v.fail(p+name, pr.format, pr.args...)
		return
	}
	if !v.codes.Country(code[:2]) {
		v.fail(p+name, "UN/LOCODE %q starts with %q, which is not an ISO 3166-1 code", code, code[:2])
		return
	}
	if country != "" && code[:2] != country {
		v.fail(p+name, "UN/LOCODE %q is in %s, but the country given is %q", code, code[:2], country)
	}
}

// hs checks an HS code: 2, 4 or 6 digits, in a chapter that exists and is
// not reserved, and, when the full nomenclature is loaded, a heading and
// subheading that exist.
func (v *validator) hs(p, name, code string) {
	if code == "" {
		return
	}
	digits := len(code) == 2 || len(code) == 4 || len(code) == 6
	for i := 0; digits && i < len(code); i++ {
		digits = code[i] >= '0' && code[i] <= '9'
	}
	if !digits {
		v.fail(p+name, "HS code %q must be 2, 4 or 6 digits", code)
		return
	}
	chapter := code[:2]
	known, reserved := v.codes.HSChapter(chapter)
	switch {
	case reserved:
		v.fail(p+name, "HS code %q: chapter %s is reserved in HS 2022", code, chapter)
	case !known:
		v.fail(p+name, "HS code %q: chapter %s does not exist in HS 2022", code, chapter)
	case !v.codes.HSFull() || len(code) == 2:
	case !v.codes.HSCode(code[:4]):
		v.fail(p+name, "HS code %q: heading %s does not exist in HS 2022", code, code[:4])
	case len(code) == 6 && !v.codes.HSCode(code):
		v.fail(p+name, "HS code %q: subheading %s does not exist in HS 2022", code, code)
	}
}

// language checks the shape of a BCP 47 tag: a 2-3 letter language
// subtag followed by subtags of 1-8 letters or digits.
func (v *validator) language(p, name, tag string) {
	if tag == "" {
		return
	}
	ok := len(tag) <= 35
	for i, sub := range strings.Split(tag, "-") {
		if !ok {
			break
		}
		if i == 0 {
			ok = len(sub) >= 2 && len(sub) <= 3
		} else {
			ok = len(sub) >= 1 && len(sub) <= 8
		}
		for j := 0; ok && j < len(sub); j++ {
			c := sub[j] | 0x20 // fold ASCII letters to lower case
			ok = c >= 'a' && c <= 'z' || i > 0 && sub[j] >= '0' && sub[j] <= '9'
		}
	}
	if !ok {
		v.fail(p+name, "language %q is not a language tag such as \"en\", \"fr\" or \"zh-Hant\"", tag)
	}
}

func (v *validator) record(r *Record) {
	v.id("", "id", "id", r.ID, false)
	v.kind(r)
	v.country("", "originator", "originator", r.Originator, false)
	if r.Version < 0 {
		v.fail("version", "version %d must not be negative", r.Version)
	}
	v.enum("", "status", "status", string(r.Status), false, Statuses())
	if r.Created != nil && r.Updated != nil && r.Updated.Before(*r.Created) {
		v.fail("updated", "updated time %s is before created time %s",
			r.Updated.UTC().Format(time.RFC3339), r.Created.UTC().Format(time.RFC3339))
	}
	v.language("", "language", r.Language)
	v.text("", "title", "title", r.Title, MaxLineLength)

	v.enum("", "grading.source", "source reliability", r.Grading.Source, true, GradingSources())
	v.enum("", "grading.information", "information assessment", r.Grading.Information, true, GradingInformation())

	v.enum("", "handling.code", "handling code", r.Handling.Code, true, HandlingCodes())
	if r.Handling.Code == "H3" && blank(r.Handling.Conditions) {
		v.fail("handling.conditions", "handling code H3 needs the restrictions that apply, stated in handling.conditions")
	}
	v.text("", "handling.conditions", "handling conditions", r.Handling.Conditions, MaxTextLength)

	v.distribution(&r.Distribution)

	if rt := r.Retention; rt != nil {
		v.date("", "retention.until", "retention date", rt.Until, false, false)
		if rt.Days < 0 {
			v.fail("retention.days", "retention of %d days must not be negative", rt.Days)
		}
	}

	switch {
	case r.Status == StatusRetracted && r.Retraction == nil:
		v.fail("retraction", "a retracted record needs its retraction (when and why)")
	case r.Retraction != nil && r.Status != StatusRetracted:
		v.fail("retraction", "only a retracted record carries a retraction")
	case r.Retraction != nil:
		v.text("", "retraction.reason", "retraction reason", r.Retraction.Reason, MaxTextLength)
	}

	switch r.Kind {
	case KindSeizure:
		if r.Seizure != nil {
			v.seizure("seizure", r.Seizure)
		}
	case KindWarning:
		if r.Warning != nil {
			v.warning("warning", r.Warning)
		}
	case KindFeedback:
		if r.Feedback != nil {
			v.feedback("feedback", r.Feedback)
		}
	case KindRequest:
		if r.Request != nil {
			v.request("request", r.Request)
		}
	case KindResponse:
		if r.Response != nil {
			v.response("response", r.Response)
		}
	case KindAlert:
		if r.Alert != nil {
			v.alert("alert", r.Alert)
		}
	}
}

// kind checks that the kind is known and that exactly its section is set.
func (v *validator) kind(r *Record) {
	if !slices.Contains(Kinds, r.Kind) {
		names := make([]string, len(Kinds))
		for i, k := range Kinds {
			names[i] = string(k)
		}
		if r.Kind == "" {
			v.fail("kind", "kind is required: one of %s", strings.Join(names, ", "))
		} else {
			v.fail("kind", "kind %q must be one of %s", r.Kind, strings.Join(names, ", "))
		}
		return
	}
	sections := [...]struct {
		kind Kind
		set  bool
	}{
		{KindSeizure, r.Seizure != nil},
		{KindWarning, r.Warning != nil},
		{KindFeedback, r.Feedback != nil},
		{KindRequest, r.Request != nil},
		{KindResponse, r.Response != nil},
		{KindAlert, r.Alert != nil},
	}
	for _, s := range sections {
		switch {
		case s.kind == r.Kind && !s.set:
			v.fail(string(s.kind), "a %s record needs its %q section", r.Kind, s.kind)
		case s.kind != r.Kind && s.set:
			v.fail(string(s.kind), "a %s record must not carry the %q section", r.Kind, s.kind)
		}
	}
}

func (v *validator) distribution(d *Distribution) {
	v.enum("", "distribution.scope", "distribution scope", d.Scope, true, Scopes())
	for i, c := range d.Recipients {
		f := index("distribution.recipients", i)
		if !v.country(f, "", "recipient", c, true) {
			continue
		}
		if slices.Index(d.Recipients, c) < i {
			v.fail(f, "recipient %q is listed twice", c)
		}
	}
	switch d.Scope {
	case ScopeOriginator:
		if len(d.Recipients) > 0 {
			v.fail("distribution.recipients", "distribution scope originator keeps the record with its originator, so it names no recipients")
		}
	case ScopeBilateral:
		if len(d.Recipients) == 0 {
			v.fail("distribution.recipients", "bilateral distribution needs at least one recipient administration (ISO 3166 alpha-2 code such as \"JP\")")
		}
	case ScopeOperation:
		if blank(d.Operation) {
			v.fail("distribution.operation", "distribution to an operation needs the operation id")
		}
	}
	v.text("", "distribution.operation", "operation id", d.Operation, MaxNameLength)
	v.text("", "distribution.region", "region", d.Region, MaxNameLength)
}

func (v *validator) seizure(p string, s *Seizure) {
	v.date(p, ".date", "seizure date", s.Date, true, true)
	ok := v.country(p, ".place.country", "country", s.Place.Country, true)
	v.locode(p, ".place.locode", s.Place.Locode, validOnly(s.Place.Country, ok))
	v.text(p, ".place.office", "customs office", s.Place.Office, MaxNameLength)
	v.enum(p, ".direction", "direction", s.Direction, true, Directions())
	v.code(p, ".detection", "detection method", s.Detection, false, v.codes.Detection)
	v.code(p, ".transport", "transport mode", s.Transport, false, v.codes.Transport)
	v.code(p, ".concealment", "concealment method", s.Concealment, false, v.codes.Concealment)
	v.conveyance(p+".conveyance", s.Conveyance)
	v.containers(p+".containers", s.Containers)
	v.route(p+".route", s.Route)
	if len(s.Goods) == 0 {
		v.fail(p+".goods", "a seizure needs at least one goods line")
	}
	for i := range s.Goods {
		v.goods(index(p+".goods", i), &s.Goods[i])
	}
	v.parties(p+".parties", s.Parties)
	v.text(p, ".narrative", "narrative", s.Narrative, MaxTextLength)
	for i := range s.Attachments {
		v.attachment(index(p+".attachments", i), &s.Attachments[i])
	}
}

func (v *validator) goods(p string, g *Goods) {
	v.category(p, ".category", g.Category, true)
	v.text(p, ".description", "description", g.Description, MaxTextLength)
	v.hs(p, ".hs", g.HS)
	switch {
	case math.IsNaN(g.Quantity) || math.IsInf(g.Quantity, 0):
		v.fail(p+".quantity", "quantity must be a number")
	case g.Quantity <= 0:
		v.fail(p+".quantity", "quantity must be greater than 0, not %s", strconv.FormatFloat(g.Quantity, 'f', -1, 64))
	}
	if v.required(p, ".unit", "unit", g.Unit) && !v.codes.Unit(g.Unit) {
		v.fail(p+".unit", "unit %q is not in the code list of units", g.Unit)
	}
	if m := g.Value; m != nil {
		switch {
		case math.IsNaN(m.Amount) || math.IsInf(m.Amount, 0):
			v.fail(p+".value.amount", "value must be a number")
		case m.Amount < 0:
			v.fail(p+".value.amount", "value %s must not be negative", strconv.FormatFloat(m.Amount, 'f', -1, 64))
		}
		if v.required(p, ".value.currency", "currency of the value", m.Currency) && !v.codes.Currency(m.Currency) {
			v.fail(p+".value.currency", "currency %q is not an ISO 4217 code", m.Currency)
		}
	}
}

func (v *validator) conveyance(p string, c *Conveyance) {
	if c == nil {
		return
	}
	if c.VesselIMO != "" {
		if pr, shapeOK := imoProblem(NormalizeIMO(c.VesselIMO)); pr != nil {
			if shapeOK {
				v.warn(p+".vessel_imo", "%s; the record is accepted, but check the number", pr)
			} else {
				v.fail(p+".vessel_imo", pr.format, pr.args...)
			}
		}
	}
	v.text(p, ".vessel_name", "vessel name", c.VesselName, MaxNameLength)
	v.text(p, ".flight", "flight", c.Flight, MaxNameLength)
	v.text(p, ".vehicle", "vehicle plate", c.Vehicle, MaxNameLength)
	v.country(p, ".flag", "flag", c.Flag, false)
}

func (v *validator) containers(p string, list []string) {
	for i, c := range list {
		f := index(p, i)
		if blank(c) {
			v.fail(f, "container number is empty")
			continue
		}
		if pr := containerProblem(NormalizeContainer(c)); pr != nil {
			v.fail(f, pr.format, pr.args...)
		}
	}
}

func (v *validator) route(p string, legs []RouteLeg) {
	for i := range legs {
		f := index(p, i)
		leg := &legs[i]
		v.enum(f, ".role", "route role", leg.Role, true, RouteRoles())
		ok := v.country(f, ".country", "country", leg.Country, true)
		v.locode(f, ".locode", leg.Locode, validOnly(leg.Country, ok))
	}
}

func (v *validator) parties(p string, list []Party) {
	for i := range list {
		v.party(index(p, i), &list[i])
	}
}

func (v *validator) party(p string, x *Party) {
	v.enum(p, ".type", "party type", x.Type, true, PartyTypes())
	v.requiredText(p, ".name", "name", x.Name, MaxNameLength)
	v.text(p, ".role", "role", x.Role, MaxNameLength)
	for i, a := range x.Aliases {
		v.item(index(p+".aliases", i), "", "alias", a, MaxNameLength)
	}
	if x.Type == "organisation" {
		for _, f := range [...]struct {
			name string
			set  bool
		}{
			{"birth_date", x.BirthDate != ""},
			{"nationality", x.Nationality != ""},
			{"gender", x.Gender != ""},
			{"document", x.Document != nil},
		} {
			if f.set {
				v.fail(p+"."+f.name, "%s is given for persons, not organisations", f.name)
			}
		}
	} else {
		v.date(p, ".birth_date", "birth date", x.BirthDate, false, true)
		v.country(p, ".nationality", "nationality", x.Nationality, false)
		v.text(p, ".gender", "gender", x.Gender, MaxNameLength)
		if d := x.Document; d != nil {
			v.enum(p, ".document.type", "document type", d.Type, true, DocumentTypes())
			v.requiredText(p, ".document.number", "document number", d.Number, MaxNameLength)
			v.country(p, ".document.country", "country", d.Country, false)
		}
	}
	v.country(p, ".country", "country", x.Country, false)
	v.text(p, ".registration", "registration number", x.Registration, MaxNameLength)
	v.text(p, ".address", "address", x.Address, MaxLineLength)
	for i, s := range x.Phones {
		v.item(index(p+".phones", i), "", "phone number", s, MaxNameLength)
	}
	for i, s := range x.Emails {
		v.item(index(p+".emails", i), "", "e-mail address", s, MaxNameLength)
	}
}

func (v *validator) attachment(p string, a *Attachment) {
	v.requiredText(p, ".name", "file name", a.Name, MaxNameLength)
	if v.required(p, ".media_type", "media type", a.MediaType) {
		if i := strings.IndexByte(a.MediaType, '/'); i <= 0 || i == len(a.MediaType)-1 || len(a.MediaType) > MaxNameLength {
			v.fail(p+".media_type", "media type %q must look like \"image/jpeg\"", a.MediaType)
		}
	}
	hex := len(a.SHA256) == 64
	for i := 0; hex && i < len(a.SHA256); i++ {
		c := a.SHA256[i]
		hex = c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
	}
	if !hex {
		v.fail(p+".sha256", "SHA-256 digest %q must be 64 lower-case hexadecimal digits", a.SHA256)
	}
	if a.Size < 0 {
		v.fail(p+".size", "size %d must not be negative", a.Size)
	}
	v.text(p, ".caption", "caption", a.Caption, MaxLineLength)
}

func (v *validator) warning(p string, w *Warning) {
	v.requiredText(p, ".subject", "subject", w.Subject, MaxLineLength)
	v.parties(p+".targets", w.Targets)
	v.conveyance(p+".conveyance", w.Conveyance)
	v.containers(p+".containers", w.Containers)
	v.route(p+".route", w.Route)
	from := v.date(p, ".expected_from", "expected from", w.ExpectedFrom, false, false)
	to := v.date(p, ".expected_to", "expected to", w.ExpectedTo, false, false)
	if from && to && w.ExpectedTo < w.ExpectedFrom {
		v.fail(p+".expected_to", "expected to %q is before expected from %q", w.ExpectedTo, w.ExpectedFrom)
	}
	v.category(p, ".category", w.Category, false)
	v.code(p, ".transport", "transport mode", w.Transport, false, v.codes.Transport)
	v.enum(p, ".suggested_action", "suggested action", w.SuggestedAction, true, SuggestedActions())
	for i, s := range w.Indicators {
		v.item(index(p+".indicators", i), "", "indicator", s, MaxLineLength)
	}
	v.text(p, ".narrative", "narrative", w.Narrative, MaxTextLength)
}

func (v *validator) feedback(p string, f *Feedback) {
	v.id(p, ".warning", "warning id", f.Warning, true)
	v.enum(p, ".result", "result", f.Result, true, FeedbackResults())
	if f.Result == "seizure" && f.Seizure == "" {
		v.fail(p+".seizure", "a result of seizure needs the id of the seizure record")
	}
	v.id(p, ".seizure", "seizure id", f.Seizure, false)
	v.date(p, ".date", "feedback date", f.Date, false, true)
	v.text(p, ".narrative", "narrative", f.Narrative, MaxTextLength)
}

func (v *validator) request(p string, q *Request) {
	a := v.country(p, ".requesting", "requesting administration", q.Requesting, true)
	b := v.country(p, ".requested", "requested administration", q.Requested, true)
	if a && b && q.Requesting == q.Requested {
		v.fail(p+".requested", "requested administration %q is the requesting administration; a request goes to another administration", q.Requested)
	}
	v.text(p, ".agreement", "agreement", q.Agreement, MaxNameLength)
	v.requiredText(p, ".subject", "subject", q.Subject, MaxLineLength)
	if len(q.Questions) == 0 {
		v.fail(p+".questions", "a request needs at least one question")
	}
	for i, s := range q.Questions {
		v.item(index(p+".questions", i), "", "question", s, MaxTextLength)
	}
	v.parties(p+".parties", q.Parties)
	v.text(p, ".facts", "summary of facts", q.Facts, MaxTextLength)
	v.enum(p, ".urgency", "urgency", q.Urgency, false, Urgencies())
	v.date(p, ".deadline", "deadline", q.Deadline, false, false)
	v.enum(p, ".state", "state", q.State, false, RequestStates())
	for i, id := range q.Related {
		v.id(index(p+".related", i), "", "related record id", id, true)
	}
	v.id(p, ".related_seizure", "related seizure id", q.RelatedSeized, false)
}

func (v *validator) response(p string, x *Response) {
	v.id(p, ".request", "request id", x.Request, true)
	v.enum(p, ".outcome", "outcome", x.Outcome, true, ResponseOutcomes())
	for i, s := range x.Answers {
		v.text(index(p+".answers", i), "", "answer", s, MaxTextLength)
	}
	v.text(p, ".reason", "reason", x.Reason, MaxTextLength)
	v.parties(p+".parties", x.Parties)
	v.text(p, ".narrative", "narrative", x.Narrative, MaxTextLength)
}

func (v *validator) alert(p string, a *Alert) {
	v.requiredText(p, ".subject", "subject", a.Subject, MaxLineLength)
	v.category(p, ".category", a.Category, false)
	v.requiredText(p, ".summary", "summary", a.Summary, MaxTextLength)
	for i, s := range a.Indicators {
		v.item(index(p+".indicators", i), "", "indicator", s, MaxLineLength)
	}
	v.text(p, ".modus_operandi", "modus operandi", a.ModusOp, MaxTextLength)
	v.date(p, ".valid_until", "valid until", a.ValidUntil, false, false)
	v.text(p, ".narrative", "narrative", a.Narrative, MaxTextLength)
}
