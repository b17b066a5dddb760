package agreement

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"liaison/internal/intel"
)

// Directory is what Decide needs to know about administrations, blocs and
// WCO regions. The directory package provides the data; the wiring layer
// adapts it to this interface.
type Directory interface {
	// MemberOf reports whether administration admin belongs to bloc on the
	// calendar day of on (for example "HR" to "EU" from 1 July 2013).
	MemberOf(bloc, admin string, on time.Time) bool
	// RegionOf returns the code of the WCO region administration admin
	// belongs to (e.g. "AP"); ok is false when admin is not known as a WCO
	// member.
	RegionOf(admin string) (region string, ok bool)
	// RILORegion returns the code of the region served by the regional
	// intelligence liaison office whose node code is code (e.g. "RILO-AP");
	// ok is false when code is not a RILO.
	RILORegion(code string) (region string, ok bool)
	// Name returns the name an officer knows an administration, bloc, region
	// or RILO by ("Japan", "the European Union", "Asia/Pacific", "RILO
	// Asia/Pacific"), or "" when code is unknown.
	Name(code string) string
}

// Input is everything Decide looks at. Decide reads it and changes nothing.
type Input struct {
	// Record is the record to be shared. Its Originator is the administration
	// that created it; when empty, the sender is taken to be the originator.
	Record *intel.Record
	// Sender is the administration running this node; Recipient is the
	// administration or RILO the record would go to.
	Sender, Recipient string
	// On is the moment of sharing; agreements, bloc membership and consents
	// are taken as they stand on its calendar day (UTC).
	On time.Time
	// Mode is how the record is given. Empty means spontaneously, except for
	// a response record, which answers a request.
	Mode Mode
	// Agreements is the node's agreement registry.
	Agreements []Agreement
	// Consents are the originators' consents on file at this node.
	Consents []Consent
	// Directory gives bloc membership and WCO regions. With a nil Directory
	// no bloc or region counts, so only direct agreements can be a basis.
	Directory Directory
}

// Decision is the outcome of Decide, the shape of
// GET /api/v1/records/{id}/decision.
type Decision struct {
	// Allowed is true only when every reason is met and Basis is set.
	Allowed bool `json:"allowed"`
	// Basis is the legal basis of an allowed exchange; nil when refused.
	Basis *Basis `json:"basis"`
	// Reasons lists every rule checked, met or failed, in a stable order,
	// each as a sentence an officer understands.
	Reasons []Reason `json:"reasons"`
}

// Failed returns the reasons that are not met.
func (d Decision) Failed() []Reason {
	var out []Reason
	for _, r := range d.Reasons {
		if !r.Met {
			out = append(out, r)
		}
	}
	return out
}

// Basis kinds.
const (
	BasisAgreement = "agreement"
	BasisRegion    = "region"
)

// Basis is the legal basis of an exchange.
type Basis struct {
	// Kind is BasisAgreement or BasisRegion.
	Kind string `json:"kind"`
	// Agreement is the agreement's id when Kind is BasisAgreement.
	Agreement string `json:"agreement,omitempty"`
	// Title names the basis for people: the agreement's title, or the region
	// membership.
	Title string `json:"title"`
	// Via is the bloc through which a party is covered, e.g. "EU".
	Via string `json:"via,omitempty"`
	// Region is the WCO region code when Kind is BasisRegion.
	Region string `json:"region,omitempty"`
}

// Rules a Reason can be about.
const (
	RuleRecord       = "record"
	RuleAgreement    = "agreement"
	RuleScopeKind    = "scope.kind"
	RuleScopePersons = "scope.personal_data"
	RuleMode         = "mode"
	RuleDistribution = "distribution"
	RuleHandling     = "handling"
	RuleConsent      = "consent"
	RuleConditions   = "conditions"
)

// Reason is one rule checked by Decide and its outcome.
type Reason struct {
	Rule string `json:"rule"`
	Met  bool   `json:"met"`
	// Text is the sentence saying why, which Decide always writes. A
	// decision as an envelope carries it has none (see envelope.Claimed),
	// and then no "text" is encoded.
	Text string `json:"text,omitempty"`
	// Format and Args are what Decide made Text of (Text is
	// fmt.Sprintf(Format, Args...), Format one of ReasonFormats), for a
	// user interface that words the reason in its user's language. They
	// are not encoded: a reason read back from storage or received from a
	// peer has its Text alone. Args is read only: the decisions of one
	// Decider share the arguments of the reasons they have in common.
	Format string `json:"-"`
	Args   []any  `json:"-"`
}

// Decide is the single gate out of a node: it decides whether in.Sender may
// give in.Record to in.Recipient on in.On. It is allowed only when all of
// these hold, and every one is reported as a reason, met or failed:
//   - the record is active and within its retention period;
//   - a legal basis links sender and recipient on that day: an agreement in
//     force to which both are parties, directly or as members of a bloc
//     party, or membership of a WCO region when the other side is that
//     region's RILO (in either direction);
//   - the basis's scope covers the record's kind and any personal data in
//     it (region membership covers non-personal data only), and its modes
//     allow the mode of giving;
//   - the record's distribution includes the recipient;
//   - the handling code permits it (H2: only the originator may pass it on
//     unless the originator's consent is on file; H3 needs its restrictions
//     stated);
//   - when the sender is not the originator, the originator's consent to
//     pass it on to this recipient is on file.
//
// When several agreements qualify, Decide prefers one whose scope and modes
// fit, then a binding one, then an agreement over region membership, then
// one whose scope is stated rather than assumed, then the lowest id.
func Decide(in Input) Decision {
	d := decider{in: in}
	return d.decide()
}

// Decider is Decide for many records given by the same sender to the same
// recipient on the same day, under the same agreements, consents and
// directory: which agreements link the two sides, whether they are in
// force and the sentences saying so are worked out once, when the Decider
// is made, rather than for every record. It is safe for concurrent use.
type Decider struct {
	in    Input // without a record
	basis *links
}

// NewDecider returns the Decider of in; in.Record is ignored.
func NewDecider(in Input) *Decider {
	in.Record = nil
	p := &Decider{in: in}
	if in.Sender != "" && in.Recipient != "" && in.Sender != in.Recipient && !in.On.IsZero() {
		d := decider{in: in, day: dayOf(in.On)}
		l := d.links()
		p.basis = &l
	}
	return p
}

// Decide returns exactly what Decide returns for the Decider's input with
// record r.
func (p *Decider) Decide(r *intel.Record) Decision {
	in := p.in
	in.Record = r
	d := decider{in: in, shared: p.basis}
	return d.decide()
}

type decider struct {
	in         Input
	originator string
	day        time.Time
	reasons    []Reason
	// args backs the Args of every reason of the decision, so that keeping
	// them costs one allocation per decision rather than one per reason.
	args []any
	// shared, when set, are the links worked out for every record of a
	// Decider.
	shared *links
}

// links are the possible legal bases between sender and recipient on the
// day, best first for no record in particular, and why the agreements that
// link them but are not in force do not count.
type links struct {
	cands   []candidate
	dormant []prepared
}

// prepared is the text of a reason made before the reason itself (the
// links of a Decider are worked out once for many records), with what it
// was made of.
type prepared struct {
	text   string
	format string
	args   []any
}

// Room made for a decision's reasons and their arguments at once: a
// decision checks nine rules, with about twenty arguments in all.
const (
	reasonsRoom = 10
	argsRoom    = 24
)

func (d *decider) add(rule string, met bool, format string, args ...any) {
	d.reasons = append(d.reasons, Reason{Rule: rule, Met: met, Text: sprintf(format, args...), Format: format, Args: d.keep(args)})
}

// addSentence adds a reason whose sentence is prepared already.
func (d *decider) addSentence(rule string, met bool, s prepared) {
	d.reasons = append(d.reasons, Reason{Rule: rule, Met: met, Text: s.text, Format: s.format, Args: s.args})
}

// say prepares a sentence to be added later.
func (d *decider) say(format string, args ...any) prepared {
	return prepared{text: sprintf(format, args...), format: format, args: d.keep(args)}
}

// keep copies args, which the caller made on its stack, into the
// decision's array of arguments and returns the copy, capped so that
// nothing appended later can change it.
func (d *decider) keep(args []any) []any {
	if len(args) == 0 {
		return nil
	}
	if d.args == nil {
		d.args = make([]any, 0, argsRoom)
	}
	start := len(d.args)
	d.args = append(d.args, args...)
	return d.args[start:len(d.args):len(d.args)]
}

// sprintf is fmt.Sprintf without making a string that exists already: a
// sentence without verbs or arguments, or one string alone. A record is
// decided with a dozen sentences, many of them fixed.
func sprintf(format string, args ...any) string {
	switch {
	case len(args) == 0 && !strings.Contains(format, "%"):
		return format
	case len(args) == 1 && format == "%s":
		if s, ok := args[0].(string); ok {
			return s
		}
	}
	return fmt.Sprintf(format, args...)
}

func (d *decider) refuse(rule, format string, args ...any) Decision {
	d.add(rule, false, format, args...)
	return Decision{Reasons: d.reasons}
}

func (d *decider) decide() Decision {
	in := d.in
	d.reasons = make([]Reason, 0, reasonsRoom)
	switch {
	case in.Record == nil:
		return d.refuse(RuleRecord, "There is no record to share.")
	case in.Sender == "" || in.Recipient == "":
		return d.refuse(RuleRecord, "Both the sending and the receiving administration must be named.")
	case in.Sender == in.Recipient:
		return d.refuse(RuleRecord, "%s cannot share a record with itself.", d.name(in.Sender))
	case in.On.IsZero():
		return d.refuse(RuleRecord, "The date of sharing is not set, so no agreement can be checked.")
	}
	d.day = dayOf(in.On)
	d.originator = cmp.Or(in.Record.Originator, in.Sender)

	d.checkRecord()
	b := d.checkBasis()
	d.checkDistribution()
	d.checkHandling()
	d.checkConsent()
	if b != nil {
		d.checkConditions(b)
	}

	dec := Decision{Reasons: d.reasons, Allowed: b != nil}
	for _, r := range d.reasons {
		if !r.Met {
			dec.Allowed = false
		}
	}
	if dec.Allowed {
		basis := b.basis
		dec.Basis = &basis
	}
	return dec
}

func (d *decider) checkRecord() {
	r := d.in.Record
	if r.Status == intel.StatusRetracted {
		d.add(RuleRecord, false, "The record has been retracted by its originator and may not be shared.")
		return
	}
	if r.Retention != nil && r.Retention.Days > 0 && r.Created != nil {
		until := dayOf(*r.Created).AddDate(0, 0, r.Retention.Days)
		if d.day.After(until) {
			d.add(RuleRecord, false, "The record's retention period of %d days ended on %s; it may no longer be shared.", r.Retention.Days, longDate(until))
			return
		}
	}
	if r.Retention != nil && r.Retention.Until != "" {
		until, err := time.Parse(time.DateOnly, r.Retention.Until)
		switch {
		case err != nil:
			d.add(RuleRecord, false, "The record's retention date %q cannot be read, so it is not shared until it is corrected.", r.Retention.Until)
			return
		case d.day.After(until):
			d.add(RuleRecord, false, "The record's retention period ended on %s; it may no longer be shared.", longDate(until))
			return
		}
		d.add(RuleRecord, true, "The record is active and may be kept until %s.", longDate(until))
		return
	}
	d.add(RuleRecord, true, "The record is active.")
}

// candidate is a possible legal basis.
type candidate struct {
	basis      Basis
	agreement  *Agreement // nil for region membership
	scope      Scope
	modes      Modes
	conditions Conditions
	text       prepared // the met sentence for RuleAgreement
}

func (c candidate) fits(kind intel.Kind, personal bool, mode Mode) bool {
	return c.scope.Covers(kind) && (!personal || c.scope.PersonalData) && c.modes.Allows(mode)
}

// noun is how the reasons refer to the basis: "arrangement", "agreement",
// "convention", or "region membership".
func (c candidate) noun() string {
	if c.agreement == nil {
		return "region membership"
	}
	return "the " + c.agreement.Kind.Noun()
}

func (d *decider) mode() Mode {
	if d.in.Mode != "" {
		return d.in.Mode
	}
	if d.in.Record.Kind == intel.KindResponse {
		return ModeOnRequest
	}
	return ModeSpontaneous
}

// checkBasis finds the legal basis, reports the agreement, scope and mode
// rules, and returns the chosen basis (nil when there is none).
func (d *decider) checkBasis() *candidate {
	var l links
	if d.shared != nil {
		l = *d.shared
		// The candidates are sorted for this record below: a copy.
		l.cands = slices.Clone(l.cands)
	} else {
		l = d.links()
	}
	cands, dormant := l.cands, l.dormant
	if len(cands) == 0 {
		// Agreements that link the parties but are not in force only matter
		// when nothing else is a basis.
		for _, s := range dormant {
			d.addSentence(RuleAgreement, false, s)
		}
		d.addSentence(RuleAgreement, false, d.noBasis(len(dormant) > 0))
		return nil
	}
	return d.chooseBasis(cands)
}

// links finds the agreements that link sender and recipient, in force on
// the day or not, and region membership.
func (d *decider) links() links {
	in := d.in
	var cands []candidate
	var dormant []prepared // why linking agreements are not in force
	for i := range in.Agreements {
		a := &in.Agreements[i]
		via, ok := d.link(a)
		if !ok {
			continue
		}
		if !a.InForceOn(d.day) {
			dormant = append(dormant, d.notInForce(a))
			continue
		}
		cands = append(cands, candidate{
			basis:      Basis{Kind: BasisAgreement, Agreement: a.ID, Title: a.Title, Via: via},
			agreement:  a,
			scope:      a.Scope,
			modes:      a.Modes,
			conditions: a.Conditions,
			text:       d.inForce(a, via),
		})
	}
	if c, ok := d.regionBasis(); ok {
		cands = append(cands, c)
	}
	return links{cands: cands, dormant: dormant}
}

// chooseBasis is the rest of checkBasis: the best of the candidates for
// the record, and the scope and mode rules it meets or fails.
func (d *decider) chooseBasis(cands []candidate) *candidate {
	in := d.in
	kind, mode := in.Record.Kind, d.mode()
	found := personalData(in.Record)
	personal := len(found) > 0
	slices.SortStableFunc(cands, func(x, y candidate) int {
		return cmp.Or(
			-cmpBool(x.fits(kind, personal, mode), y.fits(kind, personal, mode)),
			-cmpBool(x.agreement != nil && x.agreement.Binding, y.agreement != nil && y.agreement.Binding),
			-cmpBool(x.agreement != nil, y.agreement != nil),
			cmpBool(x.scope.Assumed, y.scope.Assumed),
			strings.Compare(x.basis.Agreement, y.basis.Agreement),
		)
	})
	c := &cands[0]
	d.addSentence(RuleAgreement, true, c.text)

	noun := kindNoun(kind)
	switch {
	case !c.scope.Covers(kind):
		d.add(RuleScopeKind, false, "%s covers only %s, not %s.", capital(c.noun()), kindList(c.scope.Kinds), noun)
	case c.scope.Assumed:
		d.add(RuleScopeKind, true, "The scope of %s is not stated in the source; it is assumed to cover %s.", c.noun(), noun)
	default:
		d.add(RuleScopeKind, true, "%s covers %s.", capital(c.noun()), noun)
	}

	switch {
	case !personal:
		d.add(RuleScopePersons, true, "The record carries no personal data in its structured fields.")
	case c.agreement == nil:
		d.add(RuleScopePersons, false, "The record carries personal data (%s), and region membership is a basis for non-personal data only.", strings.Join(found, ", "))
	case !c.scope.PersonalData:
		d.add(RuleScopePersons, false, "The record carries personal data (%s), which the scope of %s excludes.", strings.Join(found, ", "), c.noun())
	case c.scope.Assumed:
		d.add(RuleScopePersons, true, "The record carries personal data (%s); the scope of %s is not stated in the source and is assumed to allow personal data for law-enforcement exchange between customs administrations.", strings.Join(found, ", "), c.noun())
	default:
		d.add(RuleScopePersons, true, "The record carries personal data (%s), which %s allows.", strings.Join(found, ", "), c.noun())
	}

	how := howGiven(mode)
	switch {
	case !c.modes.Allows(mode):
		d.add(RuleMode, false, "%s does not allow information to be given %s.", capital(c.noun()), how)
	case c.modes.Assumed:
		d.add(RuleMode, true, "The modes of %s are not stated in the source; it is assumed to allow information to be given %s.", c.noun(), how)
	default:
		d.add(RuleMode, true, "%s allows information to be given %s.", capital(c.noun()), how)
	}
	return c
}

// howGiven words the mode of giving for the reasons.
func howGiven(m Mode) string {
	if m == ModeOnRequest {
		return "on request"
	}
	return "spontaneously"
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

// link reports whether a links sender and recipient through two distinct
// parties, preferring direct party matches, and names the bloc used, if any.
func (d *decider) link(a *Agreement) (via string, ok bool) {
	in := d.in
	best := -1
	for i, p := range a.Parties {
		if !p.matches(in.Sender, in.Directory, d.day) {
			continue
		}
		for j, q := range a.Parties {
			if i == j || !q.matches(in.Recipient, in.Directory, d.day) {
				continue
			}
			blocs := 0
			v := ""
			if p.Code != in.Sender {
				blocs++
				v = p.Code
			}
			if q.Code != in.Recipient {
				blocs++
				v = q.Code
			}
			if best == -1 || blocs < best {
				best, via = blocs, v
			}
		}
	}
	return via, best >= 0
}

// regionBasis returns region membership as a basis when one side is the RILO
// of the other side's WCO region.
func (d *decider) regionBasis() (candidate, bool) {
	dir := d.in.Directory
	if dir == nil {
		return candidate{}, false
	}
	member, rilo := d.in.Sender, d.in.Recipient
	served, isRILO := dir.RILORegion(rilo)
	if !isRILO {
		member, rilo = rilo, member
		if served, isRILO = dir.RILORegion(rilo); !isRILO {
			return candidate{}, false
		}
	}
	region, ok := dir.RegionOf(member)
	if !ok || region != served {
		return candidate{}, false
	}
	rname := d.name(region)
	return candidate{
		basis: Basis{Kind: BasisRegion, Region: region,
			Title: "Membership of the WCO " + rname + " region"},
		scope: Scope{PersonalData: false},
		modes: Modes{OnRequest: true, Spontaneous: true},
		text: d.say("%s is a member of the WCO %s region and %s is that region's regional intelligence liaison office; region membership is a basis for exchanging non-personal data between them.",
			d.name(member), rname, d.name(rilo)),
	}, true
}

func (d *decider) label(a *Agreement) string {
	if a.Title == "" {
		return fmt.Sprintf("The %s %s", a.Kind.Noun(), a.ID)
	}
	if strings.HasPrefix(a.Title, "The ") || strings.HasPrefix(a.Title, "the ") {
		return capital(a.Title)
	}
	return "The " + a.Title
}

// inForce says that a, in force, links sender and recipient, through the
// bloc via if it is not "", and from when it is counted in force when its
// date of entry into force is not known to the day.
func (d *decider) inForce(a *Agreement, via string) prepared {
	label, day := d.label(a), longDate(d.day)
	s, r := d.name(d.in.Sender), d.name(d.in.Recipient)
	partial := a.InForce.Known() && a.InForce.Precision() < PrecisionDay
	signedOn := !a.InForce.Known() && a.Signed.Precision() == PrecisionDay
	signedIn := !a.InForce.Known() && !signedOn
	if via == "" {
		switch {
		case partial:
			return d.say("%s is in force on %s and links %s and %s. Its date of entry into force is known only as %s, so it is counted from %s.",
				label, day, s, r, a.InForce.Text(), longDate(a.InForce.Last()))
		case signedOn:
			return d.say("%s is in force on %s and links %s and %s. Its date of entry into force is not recorded, so it is counted from its signature on %s.",
				label, day, s, r, a.Signed.Text())
		case signedIn:
			return d.say("%s is in force on %s and links %s and %s. Its date of entry into force is not recorded, so it is counted from its signature in %s, read as %s.",
				label, day, s, r, a.Signed.Text(), longDate(a.Signed.Last()))
		}
		return d.say("%s is in force on %s and links %s and %s.", label, day, s, r)
	}
	member := d.in.Recipient
	if !a.HasParty(d.in.Sender) {
		member = d.in.Sender
	}
	m, v := d.name(member), d.name(via)
	switch {
	case partial:
		return d.say("%s is in force on %s and links %s and %s; %s is covered as a member of %s on that day. Its date of entry into force is known only as %s, so it is counted from %s.",
			label, day, s, r, m, v, a.InForce.Text(), longDate(a.InForce.Last()))
	case signedOn:
		return d.say("%s is in force on %s and links %s and %s; %s is covered as a member of %s on that day. Its date of entry into force is not recorded, so it is counted from its signature on %s.",
			label, day, s, r, m, v, a.Signed.Text())
	case signedIn:
		return d.say("%s is in force on %s and links %s and %s; %s is covered as a member of %s on that day. Its date of entry into force is not recorded, so it is counted from its signature in %s, read as %s.",
			label, day, s, r, m, v, a.Signed.Text(), longDate(a.Signed.Last()))
	}
	return d.say("%s is in force on %s and links %s and %s; %s is covered as a member of %s on that day.", label, day, s, r, m, v)
}

func (d *decider) notInForce(a *Agreement) prepared {
	start, known := a.Start()
	_, terminated := a.End()
	switch {
	case !known:
		return d.say("%s has no recorded date of signature or entry into force, so it cannot be treated as in force on %s.",
			d.label(a), longDate(d.day))
	case d.day.Before(start):
		if a.InForce.Known() && a.InForce.Precision() == PrecisionDay {
			return d.say("%s is not yet in force on %s; it enters into force on %s.",
				d.label(a), longDate(d.day), longDate(start))
		}
		return d.say("%s is not treated as in force on %s; its recorded start (%s) is counted from %s.",
			d.label(a), longDate(d.day), cmp.Or(a.InForce, a.Signed).Text(), longDate(start))
	case terminated:
		return d.say("%s was terminated on %s and is no longer in force on %s.",
			d.label(a), a.Terminated.Text(), longDate(d.day))
	}
	return d.say("%s is not in force on %s.", d.label(a), longDate(d.day))
}

// noBasis says that nothing is a basis between sender and recipient; linked
// is set when agreements link them but none is in force.
func (d *decider) noBasis(linked bool) prepared {
	s, r, day := d.name(d.in.Sender), d.name(d.in.Recipient), longDate(d.day)
	dir := d.in.Directory
	if dir == nil {
		if linked {
			return d.say("No other agreement in force links %s and %s on %s, and WCO regions are not known to this node.", s, r, day)
		}
		return d.say("No agreement in force links %s and %s on %s, and WCO regions are not known to this node.", s, r, day)
	}
	member, rilo, served, isRILO := s, r, "", false
	if served, isRILO = dir.RILORegion(d.in.Recipient); !isRILO {
		if served, isRILO = dir.RILORegion(d.in.Sender); isRILO {
			member, rilo = r, s
		}
	}
	switch {
	case isRILO && linked:
		return d.say("No other agreement in force links %s and %s on %s, and %s is not a member of the WCO %s region that %s serves.", s, r, day, member, d.name(served), rilo)
	case isRILO:
		return d.say("No agreement in force links %s and %s on %s, and %s is not a member of the WCO %s region that %s serves.", s, r, day, member, d.name(served), rilo)
	case linked:
		return d.say("No other agreement in force links %s and %s on %s, and %s is not the RILO of %s's WCO region; there is no legal basis for sharing.", s, r, day, r, s)
	}
	return d.say("No agreement in force links %s and %s on %s, and %s is not the RILO of %s's WCO region; there is no legal basis for sharing.", s, r, day, r, s)
}

func (d *decider) checkDistribution() {
	in := d.in
	dist := in.Record.Distribution
	r := d.name(in.Recipient)
	switch dist.Scope {
	case intel.ScopeOriginator:
		if in.Recipient == d.originator {
			d.add(RuleDistribution, true, "Distribution is limited to the originator, %s, which is the recipient.", r)
			return
		}
		d.add(RuleDistribution, false, "Distribution is limited to the originator, %s; %s may not receive it.", d.name(d.originator), r)
	case intel.ScopeBilateral:
		if slices.Contains(dist.Recipients, in.Recipient) {
			d.add(RuleDistribution, true, "Distribution is bilateral and names %s as a recipient.", r)
			return
		}
		if len(dist.Recipients) == 0 {
			d.add(RuleDistribution, false, "Distribution is bilateral but names no recipient; %s is not a named recipient.", r)
			return
		}
		d.add(RuleDistribution, false, "Distribution is bilateral to %s; %s is not a named recipient.", d.names(dist.Recipients), r)
	case intel.ScopeRegion:
		d.checkRegionDistribution(dist)
	case intel.ScopeOperation:
		op := cmp.Or(dist.Operation, "(unnamed)")
		switch {
		case slices.Contains(dist.Recipients, in.Recipient):
			d.add(RuleDistribution, true, "Distribution is limited to operation %s, and %s is among its listed participants.", op, r)
		case len(dist.Recipients) == 0:
			d.add(RuleDistribution, false, "Distribution is limited to operation %s, whose participants are not known to this node, so it cannot be sent to %s.", op, r)
		default:
			d.add(RuleDistribution, false, "Distribution is limited to operation %s (%s); %s is not a listed participant.", op, d.names(dist.Recipients), r)
		}
	case intel.ScopeWCO:
		dir := in.Directory
		if dir != nil {
			if _, ok := dir.RegionOf(in.Recipient); ok {
				d.add(RuleDistribution, true, "Distribution is open to all WCO members, and %s is one.", r)
				return
			}
			if _, ok := dir.RILORegion(in.Recipient); ok {
				d.add(RuleDistribution, true, "Distribution is open to all WCO members and their regional offices, and %s is one.", r)
				return
			}
		}
		d.add(RuleDistribution, false, "Distribution is open to all WCO members, but %s is not known to this node as a WCO member.", r)
	case "":
		d.add(RuleDistribution, false, "The record has no distribution set, so it may not leave this node.")
	default:
		d.add(RuleDistribution, false, "The record's distribution %q is not known, so it may not leave this node.", dist.Scope)
	}
}

func (d *decider) checkRegionDistribution(dist intel.Distribution) {
	in := d.in
	r := d.name(in.Recipient)
	dir := in.Directory
	if dir == nil {
		d.add(RuleDistribution, false, "Distribution is limited to a WCO region, but regions are not known to this node.")
		return
	}
	region := dist.Region
	if region == "" {
		var ok bool
		if region, ok = dir.RegionOf(d.originator); !ok {
			d.add(RuleDistribution, false, "Distribution is limited to the originator's WCO region, but the region of %s is not known to this node.", d.name(d.originator))
			return
		}
	}
	rname := d.name(region)
	if got, ok := dir.RegionOf(in.Recipient); ok {
		if got == region {
			d.add(RuleDistribution, true, "Distribution covers the WCO %s region, and %s is a member of it.", rname, r)
			return
		}
		d.add(RuleDistribution, false, "Distribution is limited to the WCO %s region; %s is in the %s region.", rname, r, d.name(got))
		return
	}
	if got, ok := dir.RILORegion(in.Recipient); ok {
		if got == region {
			d.add(RuleDistribution, true, "Distribution covers the WCO %s region, and %s is its regional intelligence liaison office.", rname, r)
			return
		}
		d.add(RuleDistribution, false, "Distribution is limited to the WCO %s region; %s serves the %s region.", rname, r, d.name(got))
		return
	}
	d.add(RuleDistribution, false, "Distribution is limited to the WCO %s region, and %s is not known to this node as a member of it.", rname, r)
}

// consent returns the consent on file for passing the record on to the
// recipient, if any.
func (d *decider) consent() (Consent, bool) {
	for _, c := range d.in.Consents {
		if c.Covers(d.in.Record.ID, d.originator, d.in.Recipient, d.in.On) {
			return c, true
		}
	}
	return Consent{}, false
}

func (d *decider) checkHandling() {
	in := d.in
	h := in.Record.Handling
	o, r := d.name(d.originator), d.name(in.Recipient)
	switch h.Code {
	case "H0":
		d.add(RuleHandling, true, "Handling code H0 (law-enforcement use only) permits exchange between customs authorities for law-enforcement purposes.")
	case "H1":
		d.add(RuleHandling, true, "Handling code H1: %s may not use it in judicial proceedings without the permission of %s.", r, o)
	case "H2":
		switch _, ok := d.consent(); {
		case in.Sender == d.originator:
			d.add(RuleHandling, true, "Handling code H2: %s is the originator and may pass it on; %s may not pass it on without the permission of %s.", o, r, o)
		case ok:
			d.add(RuleHandling, true, "Handling code H2: only the originator may pass it on, and %s has consented to its passing to %s.", o, r)
		default:
			d.add(RuleHandling, false, "Handling code H2: only %s, the originator, may pass it on, and no consent from %s to pass it on to %s is on file.", o, o, r)
		}
	case "H3":
		if c := strings.TrimSpace(h.Conditions); c != "" {
			d.add(RuleHandling, true, "Handling code H3: the originator's restrictions apply: %s", sentence(c))
			return
		}
		d.add(RuleHandling, false, "Handling code H3 means other restrictions apply, but none are stated, so it may not be shared until they are.")
	case "":
		d.add(RuleHandling, false, "The record has no handling code, so it may not leave this node.")
	default:
		d.add(RuleHandling, false, "The handling code %q is not known, so the record may not leave this node.", h.Code)
	}
}

func (d *decider) checkConsent() {
	in := d.in
	o, r := d.name(d.originator), d.name(in.Recipient)
	if in.Sender == d.originator {
		d.add(RuleConsent, true, "%s is the originator of this record, so no one else's consent is needed.", o)
		return
	}
	c, ok := d.consent()
	if !ok {
		d.add(RuleConsent, false, "This record was received from %s; it can be passed on to %s only with the recorded consent of %s, and none is on file.", o, r, o)
		return
	}
	switch {
	case c.Recipient == AnyRecipient && c.Reference != "":
		d.add(RuleConsent, true, "%s, the originator, consented on %s to passing this record on to any recipient (reference %s).", o, longDate(c.Given), c.Reference)
	case c.Recipient == AnyRecipient:
		d.add(RuleConsent, true, "%s, the originator, consented on %s to passing this record on to any recipient.", o, longDate(c.Given))
	case c.Reference != "":
		d.add(RuleConsent, true, "%s, the originator, consented on %s to passing this record on to %s (reference %s).", o, longDate(c.Given), r, c.Reference)
	default:
		d.add(RuleConsent, true, "%s, the originator, consented on %s to passing this record on to %s.", o, longDate(c.Given), r)
	}
}

func (d *decider) checkConditions(c *candidate) {
	if c.agreement == nil {
		d.add(RuleConditions, true, "Region membership attaches no conditions beyond the record's handling code.")
		return
	}
	k := c.conditions
	var parts []string
	if k.PurposeLimitation != "" {
		parts = append(parts, "use is limited to "+strings.TrimRight(k.PurposeLimitation, "."))
	}
	if k.EvidenceNeedsConsent {
		parts = append(parts, "use as evidence needs the originator's consent")
	}
	if k.OnwardNeedsConsent {
		parts = append(parts, "onward transmission needs the originator's consent")
	}
	if k.RetentionDays > 0 {
		parts = append(parts, fmt.Sprintf("the recipient may keep it for at most %d days", k.RetentionDays))
	}
	switch {
	case len(parts) == 0 && k.Assumed:
		d.add(RuleConditions, true, "%s attaches no further conditions. They are not stated in the source and are assumed cautiously.", capital(c.noun()))
	case len(parts) == 0:
		d.add(RuleConditions, true, "%s attaches no further conditions.", capital(c.noun()))
	case k.Assumed:
		d.add(RuleConditions, true, "Conditions of %s: %s. They are not stated in the source and are assumed cautiously.", c.noun(), strings.Join(parts, "; "))
	default:
		d.add(RuleConditions, true, "Conditions of %s: %s.", c.noun(), strings.Join(parts, "; "))
	}
}

// name returns the display name of code, falling back to the code itself.
func (d *decider) name(code string) string {
	if d.in.Directory != nil {
		if n := d.in.Directory.Name(code); n != "" {
			return n
		}
	}
	return code
}

func (d *decider) names(codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = d.name(c)
	}
	return andList(out)
}

func kindNoun(k intel.Kind) string {
	switch k {
	case intel.KindSeizure:
		return "seizure reports"
	case intel.KindWarning:
		return "warnings"
	case intel.KindFeedback:
		return "feedback on warnings"
	case intel.KindRequest:
		return "requests for assistance"
	case intel.KindResponse:
		return "responses to requests for assistance"
	case intel.KindAlert:
		return "intelligence alerts"
	}
	return fmt.Sprintf("records of kind %q", k)
}

func kindList(ks []intel.Kind) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = kindNoun(k)
	}
	return andList(out)
}

// andList joins items as "a", "a and b" or "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sentence ends s with a full stop unless it already ends a sentence.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
