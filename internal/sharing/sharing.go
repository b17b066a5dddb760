// Package sharing applies the agreement registry to the records a node
// holds. It keeps the registry (the seed, additions, listings), records the
// originators' consents to onward transmission, answers whether a record may
// go to a recipient through agreement.Decide, and lists an administration's
// partners with the basis for each. The REST API and the CLI both come
// through this package, so the same validation and the same audit apply
// whichever way a request arrives.
package sharing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/store"
)

// Audit actions written by this package. Recording a consent is audited as
// agreement.ActionConsentRecord.
const (
	// ActionAgreementAdd is adding one agreement to the registry.
	ActionAgreementAdd = "agreement.add"
	// ActionAgreementSeed is storing the seed agreements when a node is
	// initialised.
	ActionAgreementSeed = "agreement.seed"
	// ActionDecision is asking whether a record may go to a recipient.
	ActionDecision = "record.decision"
)

// Limits on the free text of a consent.
const (
	MaxConsentBy        = 200
	MaxConsentReference = 200
	MaxConsentNote      = 2000
)

// The directory satisfies what Decide needs of it as it is.
var _ agreement.Directory = (*directory.Directory)(nil)

// Service is the node's sharing service. Store, Directory and Node are
// required; the zero Now means time.Now. A Service is safe for concurrent
// use as long as its fields are not changed.
type Service struct {
	// Store keeps the registry, the consents and the records.
	Store store.Store
	// Directory knows administrations, blocs, WCO regions and RILOs.
	Directory *directory.Directory
	// Node is the code of the administration running this node; it is the
	// sender of every decision.
	Node string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Seed stores the agreements a new node starts with (agreement.Seed for
// this node and the blocs it belongs to today) in one transaction with one
// audit event, and returns them. A node the seed says nothing about gets
// none, and nothing is written.
func (s *Service) Seed(ctx context.Context, actor string) ([]agreement.Agreement, error) {
	as := agreement.Seed(s.Node, s.Directory.BlocsOf(s.Node, s.now())...)
	if len(as) == 0 {
		return nil, nil
	}
	ev := audit.Event{Actor: actor, Action: ActionAgreementSeed, Target: s.Node,
		Detail: fmt.Sprintf("%d agreements from the seed text", len(as))}
	if err := s.Store.SeedAgreements(ctx, as, ev); err != nil {
		return nil, fmt.Errorf("seed agreements of %s: %w", s.Node, err)
	}
	return as, nil
}

// Agreements lists the registry ordered by id. With a party it lists only
// the agreements that party is in today, directly or as a member of a bloc
// party; an unknown party is an invalid-input error naming "party".
func (s *Service) Agreements(ctx context.Context, party string) ([]agreement.Agreement, error) {
	party = strings.ToUpper(strings.TrimSpace(party))
	if party != "" && s.Directory.Name(party) == "" {
		return nil, fault.Field("party", "unknown administration, bloc or RILO %q", party)
	}
	as, err := s.Store.Agreements(ctx)
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	if party == "" {
		return as, nil
	}
	now := s.now()
	out := []agreement.Agreement{}
	for _, a := range as {
		if a.Involves(party, s.Directory, now) {
			out = append(out, a)
		}
	}
	return out, nil
}

// Agreement returns one agreement of the registry, or a not_found error.
func (s *Service) Agreement(ctx context.Context, id string) (agreement.Agreement, error) {
	a, err := s.Store.Agreement(ctx, id)
	if err != nil {
		return agreement.Agreement{}, fmt.Errorf("get agreement: %w", err)
	}
	return a, nil
}

// AddAgreement validates a and adds it to the registry, audited in the same
// transaction. Beyond agreement.Validate, every party must be known to the
// directory: a bloc party must be a bloc and be marked as one (so that its
// members are covered), any other party an administration or a RILO. All
// invalid fields are reported together; an existing id is a conflict.
func (s *Service) AddAgreement(ctx context.Context, actor string, a agreement.Agreement) (agreement.Agreement, error) {
	var errs fault.List
	if err := a.Validate(); err != nil {
		var l fault.List
		if !errors.As(err, &l) {
			return agreement.Agreement{}, err
		}
		errs = append(errs, l...)
	}
	errs = append(errs, s.checkParties(a.Parties, errs)...)
	if err := errs.Err(); err != nil {
		return agreement.Agreement{}, err
	}
	codes := make([]string, len(a.Parties))
	for i, p := range a.Parties {
		codes[i] = p.Code
	}
	ev := audit.Event{Actor: actor, Action: ActionAgreementAdd, Target: a.ID,
		Detail: fmt.Sprintf("%s between %s", a.Kind, strings.Join(codes, ", "))}
	if err := s.Store.PutAgreement(ctx, a, ev); err != nil {
		return agreement.Agreement{}, fmt.Errorf("add agreement: %w", err)
	}
	return a, nil
}

// checkParties returns the directory errors of parties whose codes passed
// validation (those already in errs are not reported twice).
func (s *Service) checkParties(ps []agreement.Party, errs fault.List) fault.List {
	reported := map[string]bool{}
	for _, e := range errs {
		reported[e.Field] = true
	}
	var out fault.List
	for i, p := range ps {
		field := fmt.Sprintf("parties[%d].code", i)
		if reported[field] {
			continue
		}
		_, blocErr := s.Directory.Bloc(p.Code)
		isBloc := blocErr == nil
		_, adminErr := s.Directory.Administration(p.Code)
		_, isRILO := s.Directory.RILORegion(p.Code)
		switch {
		case p.Bloc && !isBloc:
			out = append(out, fault.Field(field, "%q is not a bloc in the directory (blocs: %s)", p.Code, s.blocCodes()))
		case !p.Bloc && isBloc:
			out = append(out, fault.Field(fmt.Sprintf("parties[%d].bloc", i),
				"%s is a bloc: set bloc to true so that it stands for its members' customs administrations", p.Code))
		case !p.Bloc && adminErr != nil && !isRILO:
			out = append(out, fault.Field(field, "%q is not an administration or a RILO in the directory", p.Code))
		}
	}
	return out
}

func (s *Service) blocCodes() string {
	var codes []string
	for _, b := range s.Directory.Blocs() {
		codes = append(codes, b.Code)
	}
	return strings.Join(codes, ", ")
}

// recipient normalises a recipient code and checks that it names an
// administration or a RILO; any allows agreement.AnyRecipient too.
func (s *Service) recipient(code string, any bool) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	switch {
	case code == "":
		return "", fault.Field("recipient", "is required: an administration code such as JP or a RILO such as RILO-AP")
	case any && code == agreement.AnyRecipient:
		return code, nil
	}
	if _, err := s.Directory.Administration(code); err == nil {
		return code, nil
	}
	if _, ok := s.Directory.RILORegion(code); ok {
		return code, nil
	}
	return "", fault.Field("recipient", "%q is not an administration or a RILO in the directory", code)
}

// Decide answers whether this node may give record recordID to recipient
// (an administration code such as "JP" or a RILO such as "RILO-AP") now,
// with the legal basis and every reason, and audits the question and its
// outcome as ActionDecision. The audit detail names the recipient, the
// outcome, the basis and the rules that failed, never the record's content.
func (s *Service) Decide(ctx context.Context, actor, recordID, recipient string) (agreement.Decision, error) {
	to, err := s.recipient(recipient, false)
	if err != nil {
		return agreement.Decision{}, err
	}
	rec, err := s.Store.GetRecord(ctx, recordID)
	if err != nil {
		return agreement.Decision{}, fmt.Errorf("decide on record %s: %w", recordID, err)
	}
	as, err := s.Store.Agreements(ctx)
	if err != nil {
		return agreement.Decision{}, fmt.Errorf("decide on record %s: %w", recordID, err)
	}
	cs, err := s.Store.Consents(ctx, recordID)
	if err != nil {
		return agreement.Decision{}, fmt.Errorf("decide on record %s: %w", recordID, err)
	}
	d := agreement.Decide(agreement.Input{
		Record:     rec,
		Sender:     s.Node,
		Recipient:  to,
		On:         s.now(),
		Agreements: as,
		Consents:   cs,
		Directory:  s.Directory,
	})
	ev := audit.Event{Actor: actor, Action: ActionDecision, Target: recordID, Detail: decisionDetail(to, d)}
	if _, err := s.Store.Audit(ctx, ev); err != nil {
		return agreement.Decision{}, fmt.Errorf("audit decision on record %s: %w", recordID, err)
	}
	return d, nil
}

// decisionDetail summarises a decision for the audit log: recipient,
// outcome, basis and failed rules.
func decisionDetail(to string, d agreement.Decision) string {
	if d.Allowed && d.Basis != nil {
		switch {
		case d.Basis.Kind == agreement.BasisRegion:
			return fmt.Sprintf("allowed to %s through membership of WCO region %s", to, d.Basis.Region)
		case d.Basis.Via != "":
			return fmt.Sprintf("allowed to %s under %s through %s", to, d.Basis.Agreement, d.Basis.Via)
		}
		return fmt.Sprintf("allowed to %s under %s", to, d.Basis.Agreement)
	}
	var rules []string
	for _, r := range d.Failed() {
		if !slices.Contains(rules, r.Rule) {
			rules = append(rules, r.Rule)
		}
	}
	return fmt.Sprintf("refused to %s: %s not met", to, strings.Join(rules, ", "))
}

// RecordConsent records that the originator of record recordID, a record
// this node received from another administration, consents to its being
// passed on to recipient (an administration, a RILO, or
// agreement.AnyRecipient). by names the person at the originator who gave
// consent, reference their letter or message, note anything the officer
// adds. actor, the user recording it, becomes Consent.By. The consent and
// its audit entry (agreement.ActionConsentRecord, whose detail names
// administrations and the reference only) are written in one transaction.
// Invalid input is reported field by field; an unknown record is not_found.
func (s *Service) RecordConsent(ctx context.Context, actor, recordID, recipient, by, reference, note string) (agreement.Consent, error) {
	var errs fault.List
	to, err := s.recipient(recipient, true)
	var fe *fault.Error
	if errors.As(err, &fe) {
		errs = append(errs, fe)
	}
	by, reference, note = strings.TrimSpace(by), strings.TrimSpace(reference), strings.TrimSpace(note)
	switch {
	case by == "":
		errs = append(errs, fault.Field("by", "is required: the name of the person at the originator who consented"))
	case len(by) > MaxConsentBy:
		errs = append(errs, fault.Field("by", "must be at most %d bytes", MaxConsentBy))
	}
	if len(reference) > MaxConsentReference {
		errs = append(errs, fault.Field("reference", "must be at most %d bytes", MaxConsentReference))
	}
	if len(note) > MaxConsentNote {
		errs = append(errs, fault.Field("note", "must be at most %d bytes", MaxConsentNote))
	}
	if err := errs.Err(); err != nil {
		return agreement.Consent{}, err
	}
	rec, err := s.Store.GetRecord(ctx, recordID)
	if err != nil {
		return agreement.Consent{}, fmt.Errorf("record consent: %w", err)
	}
	if rec.Originator == "" || rec.Originator == s.Node {
		return agreement.Consent{}, fault.Field("record",
			"record %s originated at this node (%s); consent to pass a record on is needed only for records received from another administration",
			recordID, s.Node)
	}
	c := agreement.Consent{
		Record:     rec.ID,
		Originator: rec.Originator,
		Recipient:  to,
		Given:      s.now().Truncate(time.Millisecond),
		By:         actor,
		Reference:  reference,
		GrantedBy:  by,
		Note:       note,
	}
	if err := c.Validate(); err != nil {
		return agreement.Consent{}, err
	}
	ev := audit.Event{Actor: actor, Action: agreement.ActionConsentRecord, Target: rec.ID, Detail: c.AuditDetail()}
	if err := s.Store.AddConsent(ctx, c, ev); err != nil {
		return agreement.Consent{}, fmt.Errorf("record consent: %w", err)
	}
	return c, nil
}

// Consents lists the consents on file for a record, oldest first; an unknown
// record is not_found.
func (s *Service) Consents(ctx context.Context, recordID string) ([]agreement.Consent, error) {
	if _, err := s.Store.GetRecord(ctx, recordID); err != nil {
		return nil, fmt.Errorf("list consents: %w", err)
	}
	cs, err := s.Store.Consents(ctx, recordID)
	if err != nil {
		return nil, fmt.Errorf("list consents: %w", err)
	}
	return cs, nil
}

// Partner is an administration or RILO that an administration may exchange
// with, and the legal basis for it: the shape of the partners of
// GET /api/v1/directory/administrations/{code}.
type Partner struct {
	// Code is the partner's administration code or RILO id.
	Code string `json:"code"`
	// Name is the partner's name in the directory.
	Name string `json:"name"`
	// Basis is the basis Decide would choose for a record within its scope:
	// a binding agreement before an arrangement, an agreement before region
	// membership, a stated scope before an assumed one, then the lowest id.
	Basis agreement.Basis `json:"basis"`
	// Summary says the same in a sentence fragment, e.g. "through the
	// Customs Cooperation Agreement … as a member of the European Union".
	Summary string `json:"summary"`
	// SummaryFormat and SummaryArgs are what Summary was made of (Summary
	// is fmt.Sprintf(SummaryFormat, SummaryArgs...), the format one of
	// SummaryFormats), for a user interface that words the summary in its
	// user's language. They are not encoded. SummaryFormat is "" for an
	// agreement of a kind this version does not know, whose summary is
	// English alone.
	SummaryFormat string `json:"-"`
	SummaryArgs   []any  `json:"-"`
	// Also lists the other bases that link the two, in the same order.
	Also []agreement.Basis `json:"also,omitempty"`
}

// summary is a Partner's Summary and what it was made of.
type summary struct {
	text, format string
	args         []any
}

func summarise(format string, args ...any) summary {
	return summary{text: fmt.Sprintf(format, args...), format: format, args: args}
}

// underFormats are the formats of the summary of a basis that is an
// agreement, by how the agreement is called ("binding agreement",
// "non-binding arrangement"…): for two direct parties, and for a party
// covered through a bloc. Each how is spelled out in its formats so that a
// language can agree the adjective with its noun.
var underFormats = map[string][2]string{
	"binding agreement": {"under the binding agreement %q",
		"under the binding agreement %q, %s being covered as a member of %s"},
	"agreement": {"under the agreement %q",
		"under the agreement %q, %s being covered as a member of %s"},
	"binding arrangement": {"under the binding arrangement %q",
		"under the binding arrangement %q, %s being covered as a member of %s"},
	"non-binding arrangement": {"under the non-binding arrangement %q",
		"under the non-binding arrangement %q, %s being covered as a member of %s"},
	"binding convention": {"under the binding convention %q",
		"under the binding convention %q, %s being covered as a member of %s"},
	"convention": {"under the convention %q",
		"under the convention %q, %s being covered as a member of %s"},
}

// regionSummaryFormat is the format of the summary of region membership.
const regionSummaryFormat = "through membership of the WCO %s region, which %s serves (non-personal data only)"

// SummaryFormats returns every format a Partner's SummaryFormat can be,
// sorted, with its verbs where the agreement's title (%q) and the names of
// administrations, blocs, regions and RILOs go. A user interface words a
// summary in its user's language by looking its format up. A test holds
// the list to what the code makes.
func SummaryFormats() []string {
	out := []string{regionSummaryFormat}
	for _, fs := range underFormats {
		out = append(out, fs[0], fs[1])
	}
	slices.Sort(out)
	return out
}

// candidate is one basis linking the administration to a partner.
type candidate struct {
	basis     agreement.Basis
	agreement *agreement.Agreement // nil for region membership
	summary   summary
}

func (c candidate) binding() bool { return c.agreement != nil && c.agreement.Binding }

func (c candidate) assumed() bool { return c.agreement != nil && c.agreement.Scope.Assumed }

// better orders candidates as Decide prefers bases for a record they all
// fit.
func better(x, y candidate) int {
	return cmp.Or(
		-cmpBool(x.binding(), y.binding()),
		-cmpBool(x.agreement != nil, y.agreement != nil),
		cmpBool(x.assumed(), y.assumed()),
		strings.Compare(x.basis.Agreement, y.basis.Agreement),
	)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// AgreementsInForce lists the agreements administration code is in today,
// directly or through a bloc, and that are in force today; an unknown
// administration is not_found.
func (s *Service) AgreementsInForce(ctx context.Context, code string) ([]agreement.Agreement, error) {
	adm, err := s.Directory.Administration(code)
	if err != nil {
		return nil, err
	}
	as, err := s.Store.Agreements(ctx)
	if err != nil {
		return nil, fmt.Errorf("agreements of %s: %w", adm.Code, err)
	}
	now := s.now()
	out := []agreement.Agreement{}
	for _, a := range as {
		if a.InForceOn(now) && a.Involves(adm.Code, s.Directory, now) {
			out = append(out, a)
		}
	}
	return out, nil
}

// Partners lists, sorted by code, every administration and RILO that
// administration code may exchange with today and the basis for each: an
// agreement in force to which both are parties (directly or through a bloc
// such as the EU), or, for the RILOs of its WCO region, region membership
// (a basis for non-personal data only). Whether a particular record may go
// still depends on its kind, content, distribution and handling: that is
// Decide's answer. An unknown administration is not_found.
func (s *Service) Partners(ctx context.Context, code string) ([]Partner, error) {
	adm, err := s.Directory.Administration(code)
	if err != nil {
		return nil, err
	}
	code = adm.Code
	as, err := s.AgreementsInForce(ctx, code)
	if err != nil {
		return nil, err
	}
	now := s.now()
	cands := map[string][]candidate{}
	for i := range as {
		a := &as[i]
		for partner, via := range s.linked(a, code, now) {
			cands[partner] = append(cands[partner], candidate{
				basis:     agreement.Basis{Kind: agreement.BasisAgreement, Agreement: a.ID, Title: a.Title, Via: via},
				agreement: a,
				summary:   s.agreementSummary(a, code, partner, via),
			})
		}
	}
	if region, err := s.Directory.Region(adm.Region); err == nil {
		for _, r := range region.RILOs {
			cands[r.ID] = append(cands[r.ID], candidate{
				basis: agreement.Basis{Kind: agreement.BasisRegion, Region: region.Code,
					Title: "Membership of the WCO " + region.Name + " region"},
				summary: summarise(regionSummaryFormat, region.Name, r.Name),
			})
		}
	}
	out := make([]Partner, 0, len(cands))
	for partner, cs := range cands {
		slices.SortStableFunc(cs, better)
		sum := cs[0].summary
		p := Partner{Code: partner, Name: cmp.Or(s.Directory.Name(partner), partner), Basis: cs[0].basis,
			Summary: sum.text, SummaryFormat: sum.format, SummaryArgs: sum.args}
		for _, c := range cs[1:] {
			p.Also = append(p.Also, c.basis)
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(x, y Partner) int { return strings.Compare(x.Code, y.Code) })
	return out, nil
}

// linked returns the partners a links code with on day on, each with the
// bloc through which either side is covered ("" when both are direct
// parties). A partner reached both directly and through a bloc keeps the
// direct link.
func (s *Service) linked(a *agreement.Agreement, code string, on time.Time) map[string]string {
	// own is the party code is covered by: itself if it is a direct party,
	// else the first bloc it belongs to.
	own := -1
	for i, p := range a.Parties {
		if p.Code == code {
			own = i
			break
		}
	}
	if own < 0 {
		for i, p := range a.Parties {
			if p.Bloc && s.Directory.MemberOf(p.Code, code, on) {
				own = i
				break
			}
		}
	}
	out := map[string]string{}
	if own < 0 {
		return out
	}
	ownVia := ""
	if a.Parties[own].Code != code {
		ownVia = a.Parties[own].Code
	}
	add := func(partner, via string) {
		if partner == code {
			return
		}
		if prev, ok := out[partner]; ok && prev == "" {
			return
		}
		out[partner] = via
	}
	for i, q := range a.Parties {
		if i == own {
			continue
		}
		if !q.Bloc {
			add(q.Code, ownVia)
			continue
		}
		members, err := s.Directory.MembersOn(q.Code, on)
		if err != nil {
			continue
		}
		for _, m := range members {
			add(m, q.Code)
		}
	}
	return out
}

// agreementSummary is the sentence fragment naming the basis between code
// and partner under a.
func (s *Service) agreementSummary(a *agreement.Agreement, code, partner, via string) summary {
	noun := a.Kind.Noun()
	if a.Binding {
		noun = "binding " + noun
	} else if a.Kind == agreement.KindArrangement {
		noun = "non-binding " + noun
	}
	var member, bloc string
	if via != "" {
		m := partner
		if !a.HasParty(code) {
			m = code
		}
		member, bloc = cmp.Or(s.Directory.Name(m), m), cmp.Or(s.Directory.Name(via), via)
	}
	fs, ok := underFormats[noun]
	switch {
	case !ok:
		// A kind this version does not know: said in English alone.
		text := fmt.Sprintf("under the %s %q", noun, a.Title)
		if via != "" {
			text += fmt.Sprintf(", %s being covered as a member of %s", member, bloc)
		}
		return summary{text: text}
	case via == "":
		return summarise(fs[0], a.Title)
	}
	return summarise(fs[1], a.Title, member, bloc)
}
