package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/match"
	"liaison/internal/sharing"
	"liaison/internal/store"
)

// The reasons of a sharing decision and of a match, and the warnings of
// validation, are English sentences made from formats in other packages,
// and are stored and sent in English. The UI words them in the page's
// language from the catalogue, keyed by their English format: a fresh
// reason of a decision carries its format and arguments; a reason read back
// from storage, a match's reason or a warning is English text alone, whose
// format and arguments are recovered by matching it against the formats
// known. Text of no known format (a peer's own wording) is shown as it is.

// Catalogue key prefixes of what the UI words from formats made elsewhere.
const (
	reasonKey       = "reason:"        // a sentence of a sharing decision (agreement.ReasonFormats)
	phraseKey       = "phrase:"        // a phrase its arguments are made of (agreement.PhraseFormats)
	matchKey        = "match:"         // a reason of a match (match.ReasonFormats)
	romanisationKey = "romanisation:"  // a romanisation a name match names (match.RomanisationNames)
	labelKey        = "label:"         // the label of a field in a validation message
	warningKey      = "warning:"       // a validation warning, around a validation message
	partnerKey      = "partner:"       // the summary of a partner's basis (sharing.SummaryFormats)
	auditKey        = "audit:"         // why the audit chain fails verification (auditReasonFormats)
	digestKey       = "digest:"        // why an audit entry's body digests do not parse (audit.DigestFormats)
	refusalKey      = "refusal:"       // why a node refused an envelope (refusalFormats)
	deliveryKey     = "deliveryerror:" // why a delivery attempt failed (federation.DeliveryErrorFormats)
	answerKey       = "answer:"        // why a peer's answer does not verify (envelope.AnswerFormats)
	batchKey        = "batcherror:"    // why a peer's inbox took no batch (federation.BatchErrorFormats)
)

// peerReasonFormats are the reasons the federation adds to a decision the
// agreements allow when no peer is pinned for the recipient.
var peerReasonFormats = []string{"no pinned peer for %s: add it with `liaison peers add`"}

// auditReasonFormats are the formats of the reasons the audit page gives
// for a chain that fails verification: audit's (a broken link, an anchor
// that does not match) and the store's for an anchor deleted.
func auditReasonFormats() []string { return append(audit.ReasonFormats(), store.NoAnchorFormat) }

// warningFormats are the formats of validation's warnings (intel.Validate),
// each around the message of a problem, itself a validation message.
var warningFormats = []string{"%s; the record is accepted, but check the number"}

// pattern is an English format taken apart, to recover from a text it made
// the arguments it was given.
type pattern struct {
	format string
	lits   []string // the literal text before, between and after the verbs
	verbs  []byte   // 's', 'v', 'd' or 'q', one per argument
	size   int      // bytes of literal text: the more, the more specific
}

// newPattern takes format apart. It accepts the verbs %s, %v, %d and %q
// without flags, width or precision, and refuses two verbs with nothing
// between them, whose arguments no text could tell apart.
func newPattern(format string) (*pattern, error) {
	p := &pattern{format: format}
	var lit strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		if i+1 == len(format) {
			return nil, fmt.Errorf("format %q ends in %%", format)
		}
		i++
		switch v := format[i]; v {
		case '%':
			lit.WriteByte('%')
		case 's', 'v', 'd', 'q':
			if len(p.verbs) > 0 && lit.Len() == 0 {
				return nil, fmt.Errorf("format %q has two verbs with nothing between them", format)
			}
			p.lits = append(p.lits, lit.String())
			lit.Reset()
			p.verbs = append(p.verbs, v)
		default:
			return nil, fmt.Errorf("format %q: no text can be matched for the verb %%%c", format, v)
		}
	}
	p.lits = append(p.lits, lit.String())
	for _, l := range p.lits {
		p.size += len(l)
	}
	return p, nil
}

// newPatterns takes formats apart, the most specific first.
func newPatterns(formats []string) ([]*pattern, error) {
	out := make([]*pattern, 0, len(formats))
	for _, f := range formats {
		p, err := newPattern(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b *pattern) int { return b.size - a.size })
	return out, nil
}

// maxSplits bounds the ways of cutting one text into arguments tried.
const maxSplits = 64

// match recovers the arguments of text when p made it: strings, with an int
// for %d and the unquoted string for %q. Where a literal also occurs inside
// an argument (a name such as "Trinidad and Tobago" before " and "), the
// ways of cutting the text are weighed and the one whose arguments known
// recognises most is taken, the first of equals.
func (p *pattern) match(text string, known func(string) bool) ([]any, bool) {
	n := len(p.verbs)
	first, last := p.lits[0], p.lits[n]
	if n == 0 {
		return nil, text == first
	}
	if len(text) < len(first)+len(last) || !strings.HasPrefix(text, first) || !strings.HasSuffix(text, last) {
		return nil, false
	}
	s := splitter{p: p, known: known, cur: make([]string, n), best: -1}
	s.walk(0, text[len(first):len(text)-len(last)], 0)
	if s.best < 0 {
		return nil, false
	}
	args := make([]any, n)
	for i, a := range s.bestArgs {
		switch p.verbs[i] {
		case 'd':
			args[i], _ = strconv.Atoi(a)
		case 'q':
			args[i], _ = strconv.Unquote(a)
		default:
			args[i] = a
		}
	}
	return args, true
}

// splitter walks the ways of cutting a text into a pattern's arguments.
type splitter struct {
	p        *pattern
	known    func(string) bool
	cur      []string
	bestArgs []string
	best     int
	tries    int
}

func (s *splitter) walk(i int, rest string, score int) {
	p := s.p
	if i == len(p.verbs)-1 {
		s.tries++
		if v, ok := s.arg(i, rest); ok && score+v > s.best {
			s.cur[i] = rest
			s.best, s.bestArgs = score+v, slices.Clone(s.cur)
		}
		return
	}
	sep := p.lits[i+1]
	for off := 0; s.tries < maxSplits; {
		j := strings.Index(rest[off:], sep)
		if j < 0 {
			return
		}
		j += off
		if v, ok := s.arg(i, rest[:j]); ok {
			s.cur[i] = rest[:j]
			s.walk(i+1, rest[j+len(sep):], score+v)
		}
		off = j + 1
	}
}

// arg reports whether a can be argument i, and scores it 1 when known.
func (s *splitter) arg(i int, a string) (int, bool) {
	switch s.p.verbs[i] {
	case 'd':
		_, err := strconv.Atoi(a)
		return 0, err == nil
	case 'q':
		q, err := strconv.QuotedPrefix(a)
		return 0, err == nil && q == a
	}
	if a == "" {
		return 0, false
	}
	if s.known != nil && s.known(a) {
		return 1, true
	}
	return 0, true
}

// reasonBook is what the UI knows of the formats of reasons, of their
// phrases and of the names in them.
type reasonBook struct {
	decisions []*pattern          // agreement.ReasonFormats and peerReasonFormats, most specific first
	byFormat  map[string]*pattern // the same by format, for reasons that carry theirs
	phrases   []*pattern          // agreement.PhraseFormats with verbs, most specific first
	words     map[string]bool     // agreement.PhraseFormats without verbs
	romanised map[string]bool     // match.RomanisationNames
	matches   []*pattern          // match.ReasonFormats, most specific first
	warnings  []*pattern          // warningFormats
	faults    []*pattern          // the formats of validation messages the catalogue words
	partners  formats             // sharing.SummaryFormats
	audits    formats             // auditReasonFormats
	digests   []*pattern          // audit.DigestFormats, most specific first
	refusals  []*pattern          // refusalFormats, most specific first
	failures  []*pattern          // federation.DeliveryErrorFormats, most specific first
	answers   []*pattern          // envelope.AnswerFormats, most specific first
	batches   []*pattern          // federation.BatchErrorFormats, most specific first
	details   *detailBook         // the formats of audit details
	names     map[string]partyName
}

// formats are the patterns of one set of formats, the most specific first
// (to recover the format of a text) and by format (for a text that
// carries its own).
type formats struct {
	list     []*pattern
	byFormat map[string]*pattern
}

func newFormats(fs []string) (formats, error) {
	ps, err := newPatterns(fs)
	if err != nil {
		return formats{}, err
	}
	f := formats{list: ps, byFormat: make(map[string]*pattern, len(ps))}
	for _, p := range ps {
		f.byFormat[p.format] = p
	}
	return f, nil
}

// partyName is what an English name in a reason stands for: an
// administration, bloc or RILO, or a WCO region.
type partyName struct {
	code   string
	region bool
}

// newReasonBook takes the formats apart and indexes by English name the
// administrations, blocs, regions and RILOs of the directory (the names
// agreement.Decide gives them), leaving out a name two of them share.
// faultFormats are the validation messages the catalogue words.
func newReasonBook(dir *directory.Directory, faultFormats []string) (*reasonBook, error) {
	b := &reasonBook{byFormat: map[string]*pattern{}, words: map[string]bool{}, romanised: map[string]bool{},
		names: map[string]partyName{}}
	var err error
	if b.decisions, err = newPatterns(append(agreement.ReasonFormats(), peerReasonFormats...)); err != nil {
		return nil, err
	}
	for _, p := range b.decisions {
		b.byFormat[p.format] = p
	}
	var withVerbs []string
	for _, f := range agreement.PhraseFormats() {
		if strings.Contains(f, "%") {
			withVerbs = append(withVerbs, f)
		} else {
			b.words[f] = true
		}
	}
	if b.phrases, err = newPatterns(withVerbs); err != nil {
		return nil, err
	}
	for _, r := range match.RomanisationNames() {
		b.romanised[r] = true
	}
	if b.matches, err = newPatterns(match.ReasonFormats()); err != nil {
		return nil, err
	}
	if b.warnings, err = newPatterns(warningFormats); err != nil {
		return nil, err
	}
	if b.partners, err = newFormats(sharing.SummaryFormats()); err != nil {
		return nil, err
	}
	if b.audits, err = newFormats(auditReasonFormats()); err != nil {
		return nil, err
	}
	if b.digests, err = newPatterns(audit.DigestFormats()); err != nil {
		return nil, err
	}
	if b.refusals, err = newPatterns(refusalFormats()); err != nil {
		return nil, err
	}
	if b.failures, err = newPatterns(federation.DeliveryErrorFormats()); err != nil {
		return nil, err
	}
	if b.answers, err = newPatterns(envelope.AnswerFormats()); err != nil {
		return nil, err
	}
	if b.batches, err = newPatterns(federation.BatchErrorFormats()); err != nil {
		return nil, err
	}
	if b.details, err = newDetailBook(nil); err != nil {
		return nil, err
	}
	for _, f := range faultFormats {
		// A message whose text cannot be matched is worded from its
		// format only where it is an error, never in a warning.
		if p, err := newPattern(f); err == nil {
			b.faults = append(b.faults, p)
		}
	}
	slices.SortStableFunc(b.faults, func(x, y *pattern) int { return y.size - x.size })

	shared := map[string]bool{}
	name := func(n string, p partyName) {
		if n == "" || shared[n] {
			return
		}
		if q, ok := b.names[n]; ok && q != p {
			delete(b.names, n)
			shared[n] = true
			return
		}
		b.names[n] = p
	}
	for _, a := range dir.Administrations("") {
		name(a.Name, partyName{code: a.Code})
	}
	for _, bl := range dir.Blocs() {
		name(bl.Name, partyName{code: bl.Code})
	}
	for _, r := range dir.Regions() {
		name(r.Name, partyName{code: r.Code, region: true})
		for _, ro := range r.RILOs {
			name(ro.Name, partyName{code: ro.ID})
		}
	}
	return b, nil
}

// english reports whether the locale is English, in which the reasons are
// shown as they were made.
func (l *Locale) english() bool { return l.Lang == languages[0] }

// Reason words a reason of a sharing decision in the locale's language: by
// the format and arguments it was made of, or, for a reason read back from
// storage or received from a peer (its text alone), by those recovered from
// its text. Arguments from closed sets (how a reason calls the basis, kinds
// of record, the mode of giving…), the names of administrations, the titles
// of the registry's agreements and dates are worded in the language too;
// codes, ids and the originator's own words stay as they are. A reason of
// no known format is shown as it is.
func (l *Locale) Reason(r agreement.Reason) string {
	if l.english() || l.book == nil {
		return r.Text
	}
	p, args := l.book.byFormat[r.Format], r.Args
	if p == nil || len(args) != len(p.verbs) {
		if p, args = l.recover(l.book.decisions, r.Text); p == nil {
			return r.Text
		}
	}
	if s, ok := l.say(reasonKey, p, args, 0); ok {
		return s
	}
	return r.Text
}

// MatchReason words a reason of a match (match.ReasonFormats) in the
// locale's language; names, numbers and dates in it stay as they are, and
// a reason of another form is shown as it is.
func (l *Locale) MatchReason(s string) string {
	if l.english() || l.book == nil {
		return s
	}
	if p, args := l.recover(l.book.matches, s); p != nil {
		if t, ok := l.say(matchKey, p, args, 0); ok {
			return t
		}
	}
	return s
}

// MatchReasons is MatchReason of each reason.
func (l *Locale) MatchReasons(rs []string) []string {
	if l.english() {
		return rs
	}
	out := make([]string, len(rs))
	for i, s := range rs {
		out[i] = l.MatchReason(s)
	}
	return out
}

// Warning words a validation warning in the locale's language, the
// problem inside it worded as the error it would otherwise be.
func (l *Locale) Warning(w intel.FieldWarning) string {
	if l.english() || l.book == nil {
		return w.Message
	}
	p, args := l.recover(l.book.warnings, w.Message)
	if p == nil {
		return w.Message
	}
	s, ok := l.msgs[warningKey+p.format]
	if !ok || s == "" {
		return w.Message
	}
	for i, a := range args {
		if text, ok := a.(string); ok {
			if q, fargs := l.recover(l.book.faults, text); q != nil {
				args[i] = l.Fault(&fault.Error{Message: text, Format: q.format, Args: fargs})
			}
		}
	}
	return l.printer.Sprintf(s, args...)
}

// PartnerSummary words the summary of a partner's basis in the locale's
// language: the kind of agreement, the agreement's title (where it has one
// in the language) and the names of administrations, blocs, regions and
// RILOs in it. A summary of no known format is shown as it is.
func (l *Locale) PartnerSummary(p sharing.Partner) string {
	if l.english() || l.book == nil {
		return p.Summary
	}
	q, args := l.find(l.book.partners, p.SummaryFormat, p.SummaryArgs, p.Summary)
	if q == nil {
		return p.Summary
	}
	// The title is the summary's quoted argument, which say leaves as it
	// is.
	args = slices.Clone(args)
	for i, a := range args {
		if s, ok := a.(string); ok && q.verbs[i] == 'q' && p.Basis.Kind == agreement.BasisAgreement && s == p.Basis.Title {
			args[i] = l.basisTitle(p.Basis)
		}
	}
	if s, ok := l.say(partnerKey, q, args, 0); ok {
		return s
	}
	return p.Summary
}

// AuditReason words in the locale's language why the audit chain failed
// verification: the Reason (text) of an audit.Break or
// audit.AnchorMismatch, made of format and args, with the error inside it
// when an entry's digests do not parse. Entry numbers, hashes and record
// ids stay as they are. A reason of no known format is shown as it is.
func (l *Locale) AuditReason(format string, args []any, text string) string {
	if l.english() || l.book == nil {
		return text
	}
	p, args := l.find(l.book.audits, format, args, text)
	if p == nil {
		return text
	}
	args = slices.Clone(args)
	for i, a := range args {
		if err, ok := a.(error); ok {
			a = err.Error()
		}
		if s, ok := a.(string); ok && p.verbs[i] == 'v' {
			args[i] = worded(s)
			if q, dargs := l.recover(l.book.digests, s); q != nil {
				if w, ok := l.say(digestKey, q, dargs, 0); ok {
					args[i] = worded(w)
				}
			}
		}
	}
	if s, ok := l.say(auditKey, p, args, 0); ok {
		return s
	}
	return text
}

// worded is an argument already in the page's language, which say leaves
// as it is.
type worded string

// find returns the format of fs that text was made of and its arguments:
// the format and arguments the text carries, or, when it carries none
// (text alone), those recovered from it; p is nil when neither is known.
func (l *Locale) find(fs formats, format string, args []any, text string) (*pattern, []any) {
	if p := fs.byFormat[format]; p != nil && len(args) == len(p.verbs) {
		return p, args
	}
	return l.recover(fs.list, text)
}

// Basis names the basis of an allowed exchange: an agreement by its title
// in the locale's language (its English title where it has none there),
// membership of a WCO region in the locale's language.
func (l *Locale) Basis(b agreement.Basis) string {
	if b.Kind == agreement.BasisRegion && b.Region != "" && !l.english() {
		return l.T("basis.region", l.Region(b.Region))
	}
	if b.Kind == agreement.BasisAgreement {
		return l.basisTitle(b)
	}
	return b.Title
}

// recover finds which of ps made text, the most specific first, and the
// arguments it was given; p is nil when none did.
func (l *Locale) recover(ps []*pattern, text string) (p *pattern, args []any) {
	for _, p := range ps {
		if args, ok := p.match(text, l.known); ok {
			return p, args
		}
	}
	return nil, nil
}

// known reports whether s is a phrase, name or date the locale words (a
// list is not weighed), without wording it: it weighs the ways of cutting
// a text into arguments.
func (l *Locale) known(s string) bool {
	b := l.book
	if s == "" {
		return false
	}
	if b.words[s] || b.romanised[s] || year(s) {
		return true
	}
	if _, ok := b.names[s]; ok {
		return true
	}
	if r, size := utf8.DecodeRuneInString(s); unicode.IsUpper(r) && b.words[string(unicode.ToLower(r))+s[size:]] {
		return true
	}
	if longDate(s) {
		return true
	}
	for _, p := range b.phrases {
		if _, ok := p.match(s, nil); ok {
			return true
		}
	}
	return false
}

// longDate reports whether s is a day or a month as reasons write them.
func longDate(s string) bool {
	if n := len(s); n <= 5 || s[n-5] != ' ' || !year(s[n-4:]) {
		return false // not worth time.Parse, whose errors cost more
	}
	_, errDay := time.Parse(longDay, s)
	_, errMonth := time.Parse(longMonth, s)
	return errDay == nil || errMonth == nil
}

// maxDepth bounds how deep phrases nest in one another (a list of phrases
// with arguments is two deep).
const maxDepth = 3

// say formats the catalogue's wording of p, key being its kind, with args,
// each worded in the locale's language where it is a phrase, a name, a
// date or a list of them.
func (l *Locale) say(key string, p *pattern, args []any, depth int) (string, bool) {
	return l.sayWith(key, p, args, func(text string) (string, bool) { return l.phrase(text, depth+1) })
}

// sayWith formats the catalogue's wording of p (under key) with args, each
// text argument of a %s or %v verb worded by word where it can be.
func (l *Locale) sayWith(key string, p *pattern, args []any, word func(string) (string, bool)) (string, bool) {
	s, ok := l.msgs[key+p.format]
	if !ok || s == "" {
		return "", false
	}
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
		if text, ok := a.(string); ok && (p.verbs[i] == 's' || p.verbs[i] == 'v') {
			if w, ok := word(text); ok {
				out[i] = w
			}
		}
	}
	return l.printer.Sprintf(s, out...), true
}

// longDate is how agreement writes a day ("14 October 2026") and a month
// ("October 2026").
const (
	longDay   = "2 January 2006"
	longMonth = "January 2006"
)

// phrase words s in the locale's language when it is a phrase of a reason
// (capitalised or not), a name the directory knows, a date as reasons
// write them (a day, a month or a year), the English title of an agreement
// of the registry, or a list of those.
func (l *Locale) phrase(s string, depth int) (string, bool) {
	if strings.Contains(s, "; ") {
		// A list of conditions, which an item with a free-text argument
		// ("use is limited to %s") would otherwise take whole.
		if w, ok := l.list(s, depth); ok {
			return w, true
		}
	}
	if w, ok := l.item(s, depth); ok {
		return w, true
	}
	return l.list(s, depth)
}

// item is phrase but for lists.
func (l *Locale) item(s string, depth int) (string, bool) {
	if depth > maxDepth || s == "" {
		return "", false
	}
	b := l.book
	if b.words[s] {
		return l.T(phraseKey + s), true
	}
	if r, size := utf8.DecodeRuneInString(s); unicode.IsUpper(r) {
		if low := string(unicode.ToLower(r)) + s[size:]; b.words[low] {
			return upperFirst(l.T(phraseKey + low)), true
		}
	}
	if b.romanised[s] {
		return l.T(romanisationKey + s), true
	}
	if n, ok := b.names[s]; ok {
		if n.region {
			return l.Region(n.code), true
		}
		return l.Party(n.code), true
	}
	if longDate(s) {
		if t, err := time.Parse(longDay, s); err == nil {
			return l.date(t, time.DateOnly), true
		}
		if t, err := time.Parse(longMonth, s); err == nil {
			return l.date(t, "2006-01"), true
		}
	}
	if year(s) {
		return l.Date(s), true
	}
	for _, p := range b.phrases {
		if args, ok := p.match(s, nil); ok {
			return l.say(phraseKey, p, args, depth)
		}
	}
	// After the phrases: a reason names an agreement "The %s", whose
	// argument is its title without the article.
	if t, ok := l.titleOf(s); ok {
		return t, true
	}
	return "", false
}

// list words s when it is a list of two or more phrases, names or dates:
// "a; b" (the conditions of an agreement), "a, b and c" or "a, b" (kinds
// of record, administrations, personal data), joined as the locale joins
// them.
func (l *Locale) list(s string, depth int) (string, bool) {
	if depth > maxDepth {
		return "", false
	}
	if strings.Contains(s, "; ") {
		// A part that is no item belongs to the one before, whose free
		// text holds "; " ("use is limited to a; b").
		var parts []string
		for _, part := range strings.Split(s, "; ") {
			if _, ok := l.item(part, depth+1); ok || len(parts) == 0 {
				parts = append(parts, part)
			} else {
				parts[len(parts)-1] += "; " + part
			}
		}
		if len(parts) < 2 {
			return "", false
		}
		for i, part := range parts {
			w, ok := l.item(part, depth+1)
			if !ok {
				return "", false
			}
			parts[i] = w
		}
		return strings.Join(parts, l.T("list.semicolon")), true
	}
	items, seps, ok := l.split(s, depth)
	if !ok || len(items) < 2 {
		return "", false
	}
	var out strings.Builder
	for i, it := range items {
		if i > 0 {
			if seps[i-1] == " and " {
				out.WriteString(l.T("list.and"))
			} else {
				out.WriteString(l.T("list.comma"))
			}
		}
		out.WriteString(it)
	}
	return out.String(), true
}

// split cuts s at ", " and " and " into items each worded by phrase,
// keeping a separator inside an item where the item needs it ("Hong Kong,
// China", "Trinidad and Tobago").
func (l *Locale) split(s string, depth int) (items, seps []string, ok bool) {
	if w, ok := l.item(s, depth+1); ok {
		return []string{w}, nil, true
	}
	for i := 0; i < len(s); i++ {
		var sep string
		switch {
		case strings.HasPrefix(s[i:], ", "):
			sep = ", "
		case strings.HasPrefix(s[i:], " and "):
			sep = " and "
		default:
			continue
		}
		head, ok := l.item(s[:i], depth+1)
		if !ok {
			continue
		}
		if rest, restSeps, ok := l.split(s[i+len(sep):], depth); ok {
			return append([]string{head}, rest...), append([]string{sep}, restSeps...), true
		}
	}
	return nil, nil, false
}

// year reports whether s is a year as a date known to the year is
// written ("1991").
func year(s string) bool {
	if len(s) != 4 || s[0] != '1' && s[0] != '2' {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// upperFirst capitalises the first letter of s.
func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
