package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/intel"
)

// Languages the UI speaks, in the order the language switch shows them.
// The first is the fallback for a missing message.
var languages = []string{"en", "fr", "zh-Hant"}

//go:embed messages/*.json
var messageFS embed.FS

// catalogue holds every UI string in every language and the code-list
// labels the directory provides, and builds a Locale per request.
type catalogue struct {
	msgs    map[string]map[string]string // language -> key -> text
	matcher language.Matcher
	codes   *codeLabels
	book    *reasonBook
}

// loadCatalogue reads the embedded message files and checks that each
// language has exactly the keys English has, so that no page can show a
// missing message in one language only.
func loadCatalogue(dir *directory.Directory) (*catalogue, error) {
	c := &catalogue{msgs: map[string]map[string]string{}, codes: newCodeLabels(dir)}
	tags := make([]language.Tag, len(languages))
	for i, lang := range languages {
		b, err := messageFS.ReadFile("messages/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("read messages %s: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("decode messages %s: %w", lang, err)
		}
		c.msgs[lang] = m
		tags[i] = language.MustParse(lang)
	}
	for _, lang := range languages[1:] {
		if missing := diffKeys(c.msgs["en"], c.msgs[lang]); len(missing) > 0 {
			return nil, fmt.Errorf("messages %s lack %s", lang, strings.Join(missing, ", "))
		}
		if extra := diffKeys(c.msgs[lang], c.msgs["en"]); len(extra) > 0 {
			return nil, fmt.Errorf("messages %s have keys English lacks: %s", lang, strings.Join(extra, ", "))
		}
	}
	c.matcher = language.NewMatcher(tags)
	var faults []string
	for k := range c.msgs["en"] {
		if f, ok := strings.CutPrefix(k, faultKey); ok {
			faults = append(faults, f)
		}
	}
	slices.Sort(faults)
	book, err := newReasonBook(dir, faults)
	if err != nil {
		return nil, fmt.Errorf("reason formats: %w", err)
	}
	c.book = book
	return c, nil
}

// diffKeys returns the keys of a that b lacks, sorted.
func diffKeys(a, b map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// supported reports whether lang is one of the UI's languages.
func supported(lang string) bool { return slices.Contains(languages, lang) }

// choose picks the UI language: an explicit choice (the ?lang= parameter or
// the cookie it set) when supported, otherwise the best match of the
// browser's Accept-Language, otherwise English.
func (c *catalogue) choose(explicit, acceptLanguage string) string {
	if supported(explicit) {
		return explicit
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return languages[0]
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return languages[0]
	}
	return languages[i]
}

// locale returns the Locale of lang, which must be supported.
func (c *catalogue) locale(lang string) *Locale {
	return &Locale{Lang: lang, msgs: c.msgs[lang], en: c.msgs["en"], codes: c.codes, book: c.book,
		printer: message.NewPrinter(language.MustParse(lang))}
}

// Locale formats text, dates, numbers and code labels in one language.
// Templates call its methods.
type Locale struct {
	// Lang is the BCP 47 tag of the language, e.g. "fr".
	Lang    string
	msgs    map[string]string
	en      map[string]string
	codes   *codeLabels
	book    *reasonBook
	printer *message.Printer
	// titles is the node's agreement registry, for naming in the
	// language an agreement known by its id or English title; nil on a
	// page that cannot read it.
	titles *agreementTitles
}

// T returns the message key in the locale's language (English when it has
// none), formatted with args as by fmt.Sprintf. An unknown key is shown as
// ⟦key⟧ so that a forgotten message is visible, and caught by the tests.
func (l *Locale) T(key string, args ...any) string {
	s, ok := l.msgs[key]
	if !ok || s == "" {
		if s, ok = l.en[key]; !ok {
			return "⟦" + key + "⟧"
		}
	}
	if len(args) > 0 {
		return l.printer.Sprintf(s, args...)
	}
	return s
}

// Fault words e's message in the locale's language when its catalogue
// has the message's format (key "fault:" and the English format, with the
// same verbs in the same order; a test holds them together), and returns
// e's English message otherwise.
func (l *Locale) Fault(e *fault.Error) string {
	if e.Format != "" {
		if s, ok := l.msgs[faultKey+e.Format]; ok && s != "" {
			return l.printer.Sprintf(s, l.faultArgs(e)...)
		}
	}
	return e.Message
}

// localized is an argument of an error message that the page words in its
// language; fmt words it in English (String) for the message itself.
type localized interface {
	fmt.Stringer
	in(l *Locale) string
}

// labelEnums are the enumerations, by the label validation gives the field,
// whose values have labels in the catalogue ("enum." and the group).
var labelEnums = map[string]string{
	"status":             "status",
	"distribution scope": "scope",
	"direction":          "direction",
	"route role":         "leg",
	"party type":         "party",
	"document type":      "document",
	"suggested action":   "action",
	"result":             "result",
	"urgency":            "urgency",
	"state":              "reqstate",
	"outcome":            "outcome",
}

// The validation messages that list the values an enumeration allows,
// after the field's label.
const (
	faultOneOf       = "%s is required: one of %s"
	faultMustBeOneOf = "%s %q must be one of %s"
)

// faultArgs are e's arguments, worded in the locale's language where they
// come from a closed set: a field's label (key "label:" and the English
// label), the values a labelled enumeration allows, a kind of record, or
// an argument that words itself (localized). Values, codes and field paths
// stay as they are.
func (l *Locale) faultArgs(e *fault.Error) []any {
	if l.english() || len(e.Args) == 0 {
		return e.Args
	}
	args := slices.Clone(e.Args)
	verbs := formatVerbs(e.Format)
	for i, a := range args {
		switch x := a.(type) {
		case localized:
			args[i] = x.in(l)
		case intel.Kind:
			args[i] = l.Enum("kindword", string(x))
		case string:
			if i < len(verbs) && verbs[i] == 's' {
				if t, ok := l.msgs[labelKey+x]; ok && t != "" {
					args[i] = t
				}
			}
		}
	}
	if e.Format == faultOneOf || e.Format == faultMustBeOneOf {
		label, _ := e.Args[0].(string)
		list, ok := e.Args[len(e.Args)-1].(string)
		if group := labelEnums[label]; group != "" && ok {
			values := strings.Split(list, ", ")
			for i, v := range values {
				values[i] = l.Enum(group, v)
			}
			args[len(args)-1] = strings.Join(values, l.T("list.comma"))
		}
	}
	return args
}

// formatVerbs returns the verb of each argument of format, in order.
func formatVerbs(format string) []byte {
	var out []byte
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format) && strings.IndexByte("+-# 0123456789.[]*", format[i]) >= 0; i++ {
		}
		if i < len(format) && format[i] != '%' {
			out = append(out, format[i])
		}
	}
	return out
}

// AgreementField names a field of an agreement, given by its JSON name as
// agreement.Agreement.Unknown lists them ("in_force"), by its label, or by
// the name itself when the catalogue has no label for it.
func (l *Locale) AgreementField(name string) string {
	if s, ok := l.msgs["agreement."+name]; ok && s != "" {
		return s
	}
	return name
}

// faultKey prefixes the catalogue keys of error messages' formats.
const faultKey = "fault:"

// Enum returns the label of a value of an enumeration (a direction, a
// status, a role…), or the value itself when the catalogue has no label for
// it: values from other nodes may be ones this version does not know.
func (l *Locale) Enum(group, value string) string {
	if value == "" {
		return ""
	}
	key := "enum." + group + "." + value
	if s, ok := l.msgs[key]; ok && s != "" {
		return s
	}
	if s, ok := l.en[key]; ok {
		return s
	}
	return value
}

var monthsFR = []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// Date formats a date "YYYY-MM-DD" (or a partial "YYYY-MM" or "YYYY") in
// the locale's style: "14 Oct 2026", "14 oct. 2026", "2026年10月14日".
// Anything else is returned as it is.
func (l *Locale) Date(s string) string {
	if s == "" {
		return ""
	}
	for _, layout := range []string{time.DateOnly, "2006-01", "2006"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		return l.date(t, layout)
	}
	return s
}

func (l *Locale) date(t time.Time, layout string) string {
	y, m, d := t.Date()
	switch l.Lang {
	case "fr":
		switch layout {
		case "2006":
			return strconv.Itoa(y)
		case "2006-01":
			return fmt.Sprintf("%s %d", monthsFR[m-1], y)
		}
		day := strconv.Itoa(d)
		if d == 1 {
			day = "1er"
		}
		return fmt.Sprintf("%s %s %d", day, monthsFR[m-1], y)
	case "zh-Hant":
		switch layout {
		case "2006":
			return fmt.Sprintf("%d年", y)
		case "2006-01":
			return fmt.Sprintf("%d年%d月", y, m)
		}
		return fmt.Sprintf("%d年%d月%d日", y, m, d)
	}
	switch layout {
	case "2006":
		return strconv.Itoa(y)
	case "2006-01":
		return t.Format("Jan 2006")
	}
	return t.Format("2 Jan 2006")
}

// Time formats an instant in UTC with the date in the locale's style,
// e.g. "14 Oct 2026 09:30 UTC".
func (l *Locale) Time(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	return l.date(t, time.DateOnly) + " " + t.Format("15:04") + " UTC"
}

// Month formats a month "YYYY-MM" briefly, for chart axes.
func (l *Locale) Month(s string) string {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return s
	}
	switch l.Lang {
	case "fr":
		return monthsFR[t.Month()-1]
	case "zh-Hant":
		return fmt.Sprintf("%d月", t.Month())
	}
	return t.Format("Jan")
}

// Num formats a number with the locale's digit grouping and decimal
// separator: 8,000,000 in English, 8 000 000 in French.
func (l *Locale) Num(v any) string {
	switch x := v.(type) {
	case int:
		return l.printer.Sprint(number.Decimal(x))
	case int64:
		return l.printer.Sprint(number.Decimal(x))
	case float64:
		return l.printer.Sprint(number.Decimal(x, number.MaxFractionDigits(2)))
	}
	return fmt.Sprint(v)
}

// Score formats a match score between 0 and 1 as a percentage.
func (l *Locale) Score(f float64) string {
	return l.printer.Sprint(number.Percent(f, number.MaxFractionDigits(0)))
}

// Grading spells a 4x4 grading out, e.g. "B2 — usually reliable / probably
// true".
func (l *Locale) Grading(source, info string) string {
	if source == "" && info == "" {
		return ""
	}
	return source + info + " — " + l.Enum("source", source) + " / " + l.Enum("information", info)
}

// Country returns the name of a country or customs territory in the
// locale's language where the directory has it, else in English, else the
// code itself.
func (l *Locale) Country(code string) string { return l.codes.country(code, l.Lang) }

// Category returns the label of a commodity category or section.
func (l *Locale) Category(code string) string {
	if s := l.codes.dir.CategoryLabel(code, l.Lang); s != "" {
		return s
	}
	return code
}

// Code returns the label of a code of one of the directory's code lists:
// "transport", "detection", "concealment" or "unit".
func (l *Locale) Code(list, code string) string { return l.codes.label(list, code, l.Lang) }

// Region returns the name of a WCO region.
func (l *Locale) Region(code string) string {
	r, err := l.codes.dir.Region(code)
	if err != nil {
		return code
	}
	if s := r.Labels.In(l.Lang); s != "" {
		return s
	}
	return r.Name
}

// Party returns the name of an administration, RILO or bloc.
func (l *Locale) Party(code string) string {
	if b, err := l.codes.dir.Bloc(code); err == nil {
		if s := b.Labels.In(l.Lang); s != "" {
			return s
		}
		return b.Name
	}
	if _, err := l.codes.dir.Administration(code); err == nil {
		return l.Country(code)
	}
	if ro, ok := l.codes.dir.RILO(code); ok {
		if s := ro.Labels.In(l.Lang); s != "" {
			return s
		}
		return ro.Name
	}
	if s := l.codes.dir.Name(code); s != "" {
		return s
	}
	return code
}

// codeLabels indexes the labels of the directory's code lists.
type codeLabels struct {
	dir       *directory.Directory
	lists     map[string]map[string]directory.Labels
	countries map[string]directory.Country
}

func newCodeLabels(dir *directory.Directory) *codeLabels {
	c := &codeLabels{dir: dir, lists: map[string]map[string]directory.Labels{}, countries: map[string]directory.Country{}}
	for name, codes := range map[string][]directory.Code{
		"transport":   dir.TransportModes(),
		"detection":   dir.DetectionMethods(),
		"concealment": dir.ConcealmentMethods(),
		"unit":        dir.Units(),
	} {
		m := map[string]directory.Labels{}
		for _, code := range codes {
			m[code.Code] = code.Labels
		}
		c.lists[name] = m
	}
	for _, k := range dir.Countries() {
		c.countries[k.Code] = k
	}
	return c
}

func (c *codeLabels) label(list, code, lang string) string {
	if s := c.lists[list][code].In(lang); s != "" {
		return s
	}
	return code
}

func (c *codeLabels) country(code, lang string) string {
	k, ok := c.countries[code]
	if !ok {
		if s := c.dir.Name(code); s != "" {
			return s
		}
		return code
	}
	switch {
	case lang == "fr" && k.NameFR != "":
		return k.NameFR
	case lang == "zh-Hant" && k.NameZH != "":
		return k.NameZH
	}
	if a, err := c.dir.Administration(code); err == nil && a.Name != "" {
		return a.Name
	}
	return k.Name
}
