package ui

import (
	"slices"
	"strings"

	"liaison/internal/access"
	"liaison/internal/agreement"
	"liaison/internal/federation"
	"liaison/internal/matching"
	"liaison/internal/records"
	"liaison/internal/sharing"
	"liaison/internal/web"
)

// The detail of an audit entry is English text written by the package
// that audits the action, stored inside the hash chain and never changed.
// The audit page words it in the page's language as it does a stored
// reason: the text is matched against the formats of the details the
// packages write, and the arguments recovered are put in the catalogue's
// wording; words from closed sets among them (filters, rules, roles,
// reasons of a failed authentication) are worded too, ids, codes,
// numbers, addresses and dates stay as they are. A detail of no known
// format is shown as it is.

// Catalogue key prefixes of audit details.
const (
	detailKey     = "detail:"     // an audit entry's detail (auditDetailFormats)
	detailWordKey = "detailword:" // a word from a closed set inside a detail (detailWords)
)

// uiDetailFormats are the details the UI itself writes: a login, a logout
// and a failed login with its reason.
var uiDetailFormats = []string{
	"remote %s",
	"remote %s: ui login: malformed token",
	"remote %s: ui login: missing token",
	"remote %s: ui login: unknown token",
	"remote %s: ui login: user disabled",
}

// auditDetailFormats are the formats of the details written by the
// packages the UI imports and by the UI, with the clauses a received
// envelope's detail may end with and the notes a detail may hold, each
// once. The node's administration (package app, which wires the UI) hands
// its own in Config.AuditDetailFormats.
func auditDetailFormats() []string {
	var out []string
	for _, fs := range [][]string{records.AuditDetailFormats(), federation.AuditDetailFormats(),
		federation.AuditDetailClauses(), federation.AuditNoteFormats(), sharing.AuditDetailFormats(),
		agreement.ConsentDetailFormats(), matching.AuditDetailFormats(), web.AuditDetailFormats(), uiDetailFormats} {
		for _, f := range fs {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// detailWords are the words from closed sets that details are made of:
// the names of the filters of a search, the rules a refused decision did
// not meet, the roles of users, the kinds of agreement and the reasons of
// a failed authentication.
func detailWords() []string {
	out := append(records.AuditFilterNames(), matching.AuditFilterNames()...)
	out = append(out, agreement.RuleRecord, agreement.RuleAgreement, agreement.RuleScopeKind, agreement.RuleScopePersons,
		agreement.RuleMode, agreement.RuleDistribution, agreement.RuleHandling, agreement.RuleConsent,
		agreement.RuleConditions, "peer") // "peer": the federation's, when no peer is pinned
	out = append(out, access.Roles()...)
	for _, k := range agreement.Kinds {
		out = append(out, string(k))
	}
	out = append(out, web.AuthFailureReasons()...)
	slices.Sort(out)
	return slices.Compact(out)
}

// exclusionDetail is the detail of a match exclusion
// (matching.Service.Exclude): the reason the administrator typed.
const exclusionDetail = "reason: %s"

// typedDetailFormats are the details whose arguments hold what a person
// typed — an exclusion's reason, a consent's reference — which is shown as
// typed, even where it reads like a sentence or word the UI words.
func typedDetailFormats() map[string]bool {
	out := map[string]bool{exclusionDetail: true}
	for _, f := range agreement.ConsentDetailFormats() {
		if strings.Contains(f, "(ref %s)") {
			out[f] = true
		}
	}
	return out
}

// detailBook is what the UI knows of the formats of audit details.
type detailBook struct {
	details []*pattern // auditDetailFormats but clauses, most specific first
	clauses []*pattern // federation.AuditDetailClauses
	formats []string   // every format known, clauses included
	words   map[string]bool
	typed   map[string]bool // typedDetailFormats
}

func newDetailBook(extra []string) (*detailBook, error) {
	b := &detailBook{words: map[string]bool{}, typed: typedDetailFormats()}
	for _, w := range detailWords() {
		b.words[w] = true
	}
	clauses := federation.AuditDetailClauses()
	var err error
	if b.clauses, err = newPatterns(clauses); err != nil {
		return nil, err
	}
	b.formats = auditDetailFormats()
	for _, f := range extra {
		if !slices.Contains(b.formats, f) {
			b.formats = append(b.formats, f)
		}
	}
	var details []string
	for _, f := range b.formats {
		if !slices.Contains(clauses, f) {
			details = append(details, f)
		}
	}
	if b.details, err = newPatterns(details); err != nil {
		return nil, err
	}
	return b, nil
}

// withDetails returns a copy of the catalogue whose book also knows the
// detail formats extra, written by packages the UI cannot import.
func (c *catalogue) withDetails(extra []string) (*catalogue, error) {
	d, err := newDetailBook(extra)
	if err != nil {
		return nil, err
	}
	book := *c.book
	book.details = d
	out := *c
	out.book = &book
	return &out, nil
}

// maxDetailDepth bounds how deep details nest in one another (the
// decision inside the detail of an envelope received is one deep).
const maxDetailDepth = 2

// AuditDetail words the detail of an audit entry in the locale's
// language: by the format it is of, with the clauses that follow it (the
// key that signed an envelope received, the RILO it came through),
// arguments that are details themselves, words from closed sets or the
// reason a Liaison node gives for refusing an envelope worded too. Ids,
// codes, numbers, addresses, dates and free text stay as they are, and so
// does what a person typed (typedDetailFormats); a detail of no known
// format is shown as it is.
func (l *Locale) AuditDetail(text string) string {
	if l.english() || l.book == nil || l.book.details == nil || text == "" {
		return text
	}
	if s, ok := l.detail(text, 0); ok {
		return s
	}
	// The refusal of an envelope whose sender is not known is audited
	// with its reason alone.
	if s, ok := l.refusal(text); ok {
		return s
	}
	return text
}

// detail words text, a detail or a detail followed by clauses.
func (l *Locale) detail(text string, depth int) (string, bool) {
	if depth > maxDetailDepth {
		return "", false
	}
	d := l.book.details
	// A clause is cut off first, the last one: a detail ending in a free
	// argument (the note of a retraction) would otherwise take it. No
	// argument of a clause holds "; ".
	if i := strings.LastIndex(text, "; "); i > 0 {
		if p, args := l.recover(d.clauses, text[i:]); p != nil {
			if head, ok := l.detail(text[:i], depth); ok {
				if tail, ok := l.sayDetail(p, args, depth); ok {
					return head + tail, true
				}
			}
		}
	}
	if p, args := l.recover(d.details, text); p != nil {
		return l.sayDetail(p, args, depth)
	}
	return "", false
}

// sayDetail formats the catalogue's wording of p with args, each worded
// where it is a detail itself, a list of words from closed sets or a
// refusal's reason, unless a person typed it.
func (l *Locale) sayDetail(p *pattern, args []any, depth int) (string, bool) {
	if l.book.details.typed[p.format] {
		return l.sayWith(detailKey, p, args, func(string) (string, bool) { return "", false })
	}
	return l.sayWith(detailKey, p, args, func(text string) (string, bool) {
		if w, ok := l.detailWords(text); ok {
			return w, true
		}
		if w, ok := l.detail(text, depth+1); ok {
			return w, true
		}
		return l.refusal(text)
	})
}

// detailWords words s when it is a word from a closed set, or a list of
// them joined by commas, every one known.
func (l *Locale) detailWords(s string) (string, bool) {
	parts := strings.Split(s, ",")
	for i, part := range parts {
		part = strings.TrimSpace(part)
		w, ok := l.msgs[detailWordKey+part]
		if !l.book.details.words[part] || !ok || w == "" {
			return "", false
		}
		parts[i] = w
	}
	return strings.Join(parts, l.T("list.comma")), true
}
