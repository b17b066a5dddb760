// Package agreement holds the legal bases on which a customs administration
// may share intelligence — the registry of agreements and arrangements, the
// consents originators give for onward transmission — and Decide, the single
// gate every record passes before it leaves a node. It does no I/O: storage,
// the REST routes and the CLI work on the values defined here.
//
// Bloc membership and WCO regions come from the directory through the small
// Directory interface this package declares.
package agreement

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"liaison/internal/fault"
	"liaison/internal/intel"
)

// Kind is the legal kind of an agreement.
type Kind string

// The kinds of agreement (DESIGN §2).
const (
	// KindArrangement is a non-binding arrangement or memorandum of
	// understanding between administrations.
	KindArrangement Kind = "arrangement"
	// KindAgreement is a binding bilateral agreement, such as a customs mutual
	// assistance agreement.
	KindAgreement Kind = "agreement"
	// KindConvention is a multilateral convention.
	KindConvention Kind = "convention"
)

// Kinds lists the agreement kinds in a stable order.
var Kinds = []Kind{KindArrangement, KindAgreement, KindConvention}

// Noun returns how an officer calls an agreement of this kind in a sentence:
// "arrangement", "agreement" or "convention".
func (k Kind) Noun() string {
	if k == "" {
		return "agreement"
	}
	return string(k)
}

// Agreement is one legal basis for exchanging intelligence. The JSON encoding
// is the shape of GET /api/v1/agreements.
//
// Whatever the source does not state is named in Unknown (by its JSON field
// name) rather than invented; where a value must nonetheless be assumed for
// Decide to work, the assumption is flagged too (Scope.Assumed,
// Modes.Assumed) and Decide says so in its reasons.
type Agreement struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Titles optionally gives the title in other languages, by language
	// tag (one of TitleLanguages): what a user interface shows in that
	// language. Title stays the English title, the one sentences and
	// decisions name the agreement by.
	Titles  map[string]string `json:"titles,omitempty"`
	Kind    Kind              `json:"kind"`
	Binding bool              `json:"binding"`
	Parties []Party           `json:"parties"`
	// Signed, InForce and Terminated may be partial or unknown. An agreement
	// whose in-force date is unknown counts from its signature; one with
	// neither date known is never treated as in force.
	Signed     Date       `json:"signed"`
	InForce    Date       `json:"in_force"`
	Terminated Date       `json:"terminated"`
	Scope      Scope      `json:"scope"`
	Modes      Modes      `json:"modes"`
	Conditions Conditions `json:"conditions"`
	// Source says where the entry comes from, e.g. the text of the seed.
	Source string `json:"source,omitempty"`
	// Notes are free text in English: what the registry knows of the
	// agreement beyond its fields, and how it reads what the source
	// leaves out.
	Notes string `json:"notes,omitempty"`
	// NotesTranslations optionally gives Notes in other languages, by
	// language tag (one of TitleLanguages), as Titles gives the title:
	// what a user interface shows in that language. Notes stays the
	// English text.
	NotesTranslations map[string]string `json:"notes_translations,omitempty"`
	// Unknown names the fields the source does not state, e.g. "in_force",
	// "scope". A field listed here may still hold a value the registry
	// assumes; the Notes and the assumption flags say which.
	Unknown []string `json:"unknown,omitempty"`
}

// TitleLanguages are the languages Agreement.Titles may give a title in:
// those of the user interface other than English, which Title is in.
var TitleLanguages = []string{"fr", "zh-Hant"}

// TitleIn returns the title in lang: the one TitlesOrSeed gives, or Title.
func (a Agreement) TitleIn(lang string) string {
	if t := a.TitlesOrSeed()[lang]; t != "" {
		return t
	}
	return a.Title
}

// TitlesOrSeed returns Titles or, for an agreement without them that a
// node stored from the seed before the seed gave titles in other
// languages (the seed's id and English title), the seed's: nodes set up
// then name their seed agreements in every language without their stored
// agreements being rewritten. Nil when neither has any.
func (a Agreement) TitlesOrSeed() map[string]string {
	if len(a.Titles) > 0 {
		return a.Titles
	}
	if s, ok := seedByID()[a.ID]; ok && s.Title == a.Title {
		return s.Titles
	}
	return nil
}

// NotesIn returns the notes in lang: the ones NotesTranslationsOrSeed
// gives, or Notes.
func (a Agreement) NotesIn(lang string) string {
	if t := a.notesTranslations()[lang]; t != "" {
		return t
	}
	return a.Notes
}

// NotesTranslationsOrSeed returns NotesTranslations or, for an agreement
// without them that a node stored from the seed before the seed gave its
// notes in other languages (the seed's id and English notes), a copy of
// the seed's: nodes set up then show the notes of their seed agreements in
// every language without their stored agreements being rewritten. Notes
// that differ from the seed's are never given the seed's translations.
// Nil when neither has any.
func (a Agreement) NotesTranslationsOrSeed() map[string]string {
	if len(a.NotesTranslations) > 0 {
		return a.NotesTranslations
	}
	return maps.Clone(a.notesTranslations())
}

// notesTranslations is NotesTranslationsOrSeed without the copy, for
// reading only.
func (a Agreement) notesTranslations() map[string]string {
	if len(a.NotesTranslations) > 0 {
		return a.NotesTranslations
	}
	if s, ok := seedByID()[a.ID]; ok && a.Notes != "" && s.Notes == a.Notes {
		return s.NotesTranslations
	}
	return nil
}

// Party is a party to an agreement: an administration (its code, e.g. "JP")
// or a bloc (e.g. "EU"), which stands for the customs administrations of its
// members from the day each joined until the day it left.
type Party struct {
	Code string `json:"code"`
	Bloc bool   `json:"bloc,omitempty"`
}

// Scope is what may be exchanged under an agreement.
type Scope struct {
	// Kinds lists the record kinds covered; empty means every kind.
	Kinds []intel.Kind `json:"kinds,omitempty"`
	// PersonalData reports whether records may carry personal data.
	PersonalData bool `json:"personal_data"`
	// Assumed is true when the source does not state the scope and the values
	// above are the registry's assumption.
	Assumed bool `json:"assumed,omitempty"`
}

// Covers reports whether the scope covers records of kind k.
func (s Scope) Covers(k intel.Kind) bool {
	return len(s.Kinds) == 0 || slices.Contains(s.Kinds, k)
}

// Modes are the ways information may be given under an agreement.
type Modes struct {
	OnRequest   bool `json:"on_request"`
	Spontaneous bool `json:"spontaneous"`
	// Assumed is true when the source does not state the modes.
	Assumed bool `json:"assumed,omitempty"`
}

// Allows reports whether m permits mode.
func (m Modes) Allows(mode Mode) bool {
	switch mode {
	case ModeOnRequest:
		return m.OnRequest
	case ModeSpontaneous:
		return m.Spontaneous
	}
	return false
}

// Conditions are the obligations attached to information received under an
// agreement. They are shown to the officer with every decision.
type Conditions struct {
	// PurposeLimitation states the purposes the information may be used for;
	// empty when the agreement states none.
	PurposeLimitation string `json:"purpose_limitation,omitempty"`
	// EvidenceNeedsConsent: use as evidence in proceedings needs the
	// provider's consent.
	EvidenceNeedsConsent bool `json:"evidence_needs_consent"`
	// OnwardNeedsConsent: passing information on to a third party needs the
	// originator's consent.
	OnwardNeedsConsent bool `json:"onward_needs_consent"`
	// RetentionDays limits how long the recipient may keep it; 0 means the
	// agreement sets no limit.
	RetentionDays int `json:"retention_days,omitempty"`
	// Assumed is true when the source does not state the conditions and the
	// values above are the registry's cautious assumption.
	Assumed bool `json:"assumed,omitempty"`
}

// Mode is how a record is being given.
type Mode string

// The modes of exchange.
const (
	// ModeSpontaneous is giving information unprompted.
	ModeSpontaneous Mode = "spontaneous"
	// ModeOnRequest is giving information in answer to a request.
	ModeOnRequest Mode = "on_request"
)

// HasParty reports whether code is itself a party (not through a bloc).
func (a Agreement) HasParty(code string) bool {
	return slices.ContainsFunc(a.Parties, func(p Party) bool { return p.Code == code })
}

// Involves reports whether admin is a party on day on, directly or as a
// member of a bloc party. dir may be nil, in which case only direct parties
// count. It is the filter behind GET /api/v1/agreements?party=.
func (a Agreement) Involves(admin string, dir Directory, on time.Time) bool {
	for _, p := range a.Parties {
		if p.matches(admin, dir, on) {
			return true
		}
	}
	return false
}

func (p Party) matches(admin string, dir Directory, on time.Time) bool {
	if p.Code == admin {
		return true
	}
	return p.Bloc && dir != nil && dir.MemberOf(p.Code, admin, on)
}

// Start returns the first day on which the agreement is treated as in force,
// and false when that cannot be established. A partial date is read
// cautiously: an in-force date known only as "1991" counts from 31 December
// 1991, the latest day it can mean. When the in-force date is unknown the
// signature date is used instead.
func (a Agreement) Start() (time.Time, bool) {
	switch {
	case a.InForce.Known():
		return a.InForce.Last(), true
	case a.Signed.Known():
		return a.Signed.Last(), true
	}
	return time.Time{}, false
}

// End returns the first day on which the agreement is no longer in force, and
// false when it has not been terminated. A partial date is read cautiously:
// a termination known only as "2020" ends it on 1 January 2020.
func (a Agreement) End() (time.Time, bool) {
	if !a.Terminated.Known() {
		return time.Time{}, false
	}
	return a.Terminated.First(), true
}

// InForceOn reports whether the agreement is in force on the calendar day of
// t (in UTC), reading partial dates as Start and End do.
func (a Agreement) InForceOn(t time.Time) bool {
	day := dayOf(t)
	start, ok := a.Start()
	if !ok || day.Before(start) {
		return false
	}
	end, terminated := a.End()
	return !terminated || day.Before(end)
}

// dayOf truncates t to its calendar day in UTC.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$`)
	codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,15}$`)
)

// fieldNames are the JSON names Unknown may list.
var fieldNames = []string{"title", "kind", "binding", "parties", "signed", "in_force",
	"terminated", "scope", "modes", "conditions"}

// Validate checks an agreement as POST /api/v1/agreements receives it. It
// returns nil or a fault.List of invalid-input errors, each naming its field:
// the id is 3 to 64 lowercase letters, digits and hyphens; titles and
// notes_translations, if any, are in TitleLanguages and not empty, and
// notes_translations come with English notes; the kind is known;
// an arrangement is not binding; there are at least two distinct parties with
// well-formed codes; dates are real and ordered (signed ≤ in force ≤
// terminated, as far as partial dates allow); scope kinds are record kinds.
func (a Agreement) Validate() error {
	var errs fault.List
	if !idPattern.MatchString(a.ID) {
		errs = append(errs, fault.Field("id", "must be 3 to 64 lowercase letters, digits or hyphens, e.g. hk-jp-arrangement"))
	}
	if a.Title == "" {
		errs = append(errs, fault.Field("title", "is required"))
	}
	for _, lang := range slices.Sorted(maps.Keys(a.Titles)) {
		switch {
		case lang == "en":
			errs = append(errs, fault.Field("titles.en", "is not accepted: the English title is title, and titles gives the title in %s",
				strings.Join(TitleLanguages, " or ")))
		case !slices.Contains(TitleLanguages, lang):
			errs = append(errs, fault.Field("titles", "%q is not a language a title is given in; want %s",
				lang, strings.Join(TitleLanguages, " or ")))
		case strings.TrimSpace(a.Titles[lang]) == "":
			errs = append(errs, fault.Field("titles."+lang, "is empty"))
		}
	}
	for _, lang := range slices.Sorted(maps.Keys(a.NotesTranslations)) {
		field := "notes_translations." + lang
		switch {
		case lang == "en":
			errs = append(errs, fault.Field(field, "is not accepted: the English notes are notes, and notes_translations gives the notes in %s",
				strings.Join(TitleLanguages, " or ")))
		case !slices.Contains(TitleLanguages, lang):
			errs = append(errs, fault.Field(field, "%q is not a language notes are given in; want %s",
				lang, strings.Join(TitleLanguages, " or ")))
		case strings.TrimSpace(a.NotesTranslations[lang]) == "":
			errs = append(errs, fault.Field(field, "is empty"))
		}
	}
	if len(a.NotesTranslations) > 0 && strings.TrimSpace(a.Notes) == "" {
		errs = append(errs, fault.Field("notes", "is required with notes_translations: the notes in English are the ones every language falls back to"))
	}
	switch {
	case !slices.Contains(Kinds, a.Kind):
		errs = append(errs, fault.Field("kind", "must be arrangement, agreement or convention, not %q", a.Kind))
	case a.Kind == KindArrangement && a.Binding:
		errs = append(errs, fault.Field("binding", "an arrangement is non-binding; use kind agreement for a binding one"))
	}
	if len(a.Parties) < 2 {
		errs = append(errs, fault.Field("parties", "an agreement needs at least two parties"))
	}
	seen := map[string]bool{}
	for i, p := range a.Parties {
		field := fmt.Sprintf("parties[%d].code", i)
		switch {
		case !codePattern.MatchString(p.Code):
			errs = append(errs, fault.Field(field, "must be an administration or bloc code such as JP or EU, not %q", p.Code))
		case seen[p.Code]:
			errs = append(errs, fault.Field(field, "party %s is listed twice", p.Code))
		}
		seen[p.Code] = true
	}
	dates := []struct {
		field string
		d     Date
	}{{"signed", a.Signed}, {"in_force", a.InForce}, {"terminated", a.Terminated}}
	valid := true
	for _, d := range dates {
		if err := d.d.check(); err != nil {
			errs = append(errs, fault.Field(d.field, "%v", err))
			valid = false
		}
	}
	if valid {
		// Two partial dates are out of order only when every day the later
		// one can mean falls before every day the earlier one can mean.
		for i := range dates {
			for j := i + 1; j < len(dates); j++ {
				if dates[i].d.Known() && dates[j].d.Known() && dates[j].d.Last().Before(dates[i].d.First()) {
					errs = append(errs, fault.Field(dates[j].field, "%s is before %s %s",
						dates[j].d, dates[i].field, dates[i].d))
				}
			}
		}
	}
	for i, k := range a.Scope.Kinds {
		if !slices.Contains(intel.Kinds, k) {
			errs = append(errs, fault.Field(fmt.Sprintf("scope.kinds[%d]", i), "unknown record kind %q", k))
		}
	}
	if !a.Modes.OnRequest && !a.Modes.Spontaneous {
		errs = append(errs, fault.Field("modes", "at least one of on_request and spontaneous must be allowed"))
	}
	if a.Conditions.RetentionDays < 0 {
		errs = append(errs, fault.Field("conditions.retention_days", "must not be negative"))
	}
	for i, u := range a.Unknown {
		if !slices.Contains(fieldNames, u) {
			errs = append(errs, fault.Field(fmt.Sprintf("unknown[%d]", i), "%q is not an agreement field", u))
		}
	}
	return errs.Err()
}
