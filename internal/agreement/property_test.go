package agreement

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"liaison/internal/intel"
)

// gen draws random but well-formed inputs for Decide from a fixed seed, so
// that a failure is reproducible.
type gen struct{ r *rand.Rand }

var codes = []string{"HK", "JP", "KR", "CN", "AU", "DE", "FR", "NL", "HR", "GB", "BR", "XX", "RILO-AP", "RILO-WE"}

func (g gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

// pick2 returns a one third of the time and b otherwise.
func (g gen) pick2(a, b int) int {
	if g.r.IntN(3) == 0 {
		return a
	}
	return b
}

func (g gen) some(s []string) []string {
	var out []string
	for _, v := range s {
		if g.r.IntN(4) == 0 {
			out = append(out, v)
		}
	}
	return out
}

func (g gen) date() Date {
	y := 1985 + g.r.IntN(46)
	switch g.r.IntN(5) {
	case 0:
		return Date{}
	case 1:
		return Year(y)
	case 2:
		return YearMonth(y, time.Month(1+g.r.IntN(12)))
	}
	return Day(y, time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28))
}

func (g gen) agreement(i int, sender, recipient string) Agreement {
	a := Agreement{
		ID:      fmt.Sprintf("agreement-%d", i),
		Title:   fmt.Sprintf("Agreement %d", i),
		Kind:    Kinds[g.r.IntN(len(Kinds))],
		Binding: g.r.IntN(2) == 0,
		Signed:  g.date(), InForce: g.date(),
		Scope: Scope{PersonalData: g.r.IntN(2) == 0, Assumed: g.r.IntN(3) == 0},
		Modes: Modes{OnRequest: g.r.IntN(3) > 0, Spontaneous: g.r.IntN(3) > 0},
		Conditions: Conditions{OnwardNeedsConsent: g.r.IntN(2) == 0, RetentionDays: g.r.IntN(3) * 365,
			PurposeLimitation: g.pick([]string{"", "customs offences"})},
	}
	if g.r.IntN(4) == 0 {
		a.Terminated = g.date()
	}
	if g.r.IntN(2) == 0 {
		a.Parties = append(a.Parties, Party{Code: sender})
		if recipient != sender {
			a.Parties = append(a.Parties, Party{Code: recipient})
		}
	}
	n := 2 + g.r.IntN(2)
	for len(a.Parties) < n {
		p := Party{Code: g.pick(codes)}
		if g.r.IntN(4) == 0 {
			p = Party{Code: "EU", Bloc: true}
		}
		if !a.HasParty(p.Code) {
			a.Parties = append(a.Parties, p)
		}
	}
	for _, k := range intel.Kinds {
		if g.r.IntN(6) == 0 {
			a.Scope.Kinds = append(a.Scope.Kinds, k)
		}
	}
	return a
}

func (g gen) record(sender, recipient string) *intel.Record {
	kind := intel.Kinds[g.r.IntN(len(intel.Kinds))]
	r := &intel.Record{
		ID:         fmt.Sprintf("rec-%d", g.r.IntN(3)),
		Kind:       kind,
		Originator: g.pick(codes),
		Status:     []intel.Status{intel.StatusActive, intel.StatusActive, intel.StatusActive, intel.StatusRetracted, ""}[g.r.IntN(5)],
		Handling:   intel.Handling{Code: g.pick([]string{"H0", "H0", "H0", "H1", "H2", "H2", "H3", "", "H9"})},
		Distribution: intel.Distribution{
			Scope: g.pick([]string{intel.ScopeOriginator, intel.ScopeBilateral, intel.ScopeBilateral, intel.ScopeBilateral,
				intel.ScopeRegion, intel.ScopeOperation, intel.ScopeWCO, "", "everyone"}),
			Recipients: g.some(codes),
			Region:     g.pick([]string{"", "", "AP", "EUR", "AMC"}),
			Operation:  g.pick([]string{"", "OP-1"}),
		},
	}
	switch g.r.IntN(8) {
	case 0:
		r.Originator = ""
	case 1, 2, 3, 4, 5:
		r.Originator = sender
	}
	if g.r.IntN(2) == 0 {
		r.Distribution.Recipients = append(r.Distribution.Recipients, recipient)
	}
	if g.r.IntN(3) == 0 {
		r.Handling.Conditions = "not for use in court"
	}
	if g.r.IntN(5) == 0 {
		r.Retention = &intel.Retention{Until: g.pick([]string{"2001-01-01", "2030-12-31", "garbage"})}
	}
	var parties []intel.Party
	if g.r.IntN(2) == 0 {
		parties = append(parties, intel.Party{Type: "person", Name: "Chan Tai Man"})
	}
	if g.r.IntN(2) == 0 {
		parties = append(parties, intel.Party{Type: "organisation", Name: "Golden Harvest Trading"})
	}
	switch kind {
	case intel.KindSeizure:
		r.Seizure = &intel.Seizure{Date: "2026-10-14", Parties: parties}
		if g.r.IntN(4) == 0 {
			r.Seizure.Conveyance = &intel.Conveyance{Vehicle: "AB 1234"}
		}
	case intel.KindWarning:
		r.Warning = &intel.Warning{Subject: "courier", Targets: parties}
	case intel.KindFeedback:
		r.Feedback = &intel.Feedback{Warning: "w", Result: "seizure"}
	case intel.KindRequest:
		r.Request = &intel.Request{Subject: "identity", Parties: parties}
	case intel.KindResponse:
		r.Response = &intel.Response{Request: "q", Parties: parties}
	case intel.KindAlert:
		r.Alert = &intel.Alert{Subject: "trend", Summary: "s"}
	}
	return r
}

func (g gen) input() Input {
	sender, recipient := g.pick(codes), g.pick(codes)
	in := Input{
		Record:    g.record(sender, recipient),
		Sender:    sender,
		Recipient: recipient,
		On:        time.Date(g.pick2(1985+g.r.IntN(46), 2020+g.r.IntN(11)), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), g.r.IntN(24), 0, 0, 0, time.UTC),
		Mode:      []Mode{"", ModeSpontaneous, ModeOnRequest}[g.r.IntN(3)],
	}
	if g.r.IntN(8) > 0 {
		in.Directory = fakeDir{}
	}
	for i := range g.r.IntN(5) {
		in.Agreements = append(in.Agreements, g.agreement(i, sender, recipient))
	}
	if g.r.IntN(2) == 0 {
		in.Agreements = append(in.Agreements, Seed("HK")...)
	}
	for range g.r.IntN(3) {
		in.Consents = append(in.Consents, Consent{
			Record:     fmt.Sprintf("rec-%d", g.r.IntN(3)),
			Originator: g.pick([]string{in.Record.Originator, g.pick(codes)}),
			Recipient:  g.pick(append([]string{AnyRecipient, recipient, recipient}, codes...)),
			Given:      time.Date(1985+g.r.IntN(46), 1, 1, 0, 0, 0, 0, time.UTC), By: "liaison1",
		})
	}
	return in
}

// TestDecideProperties checks, over random records, parties, agreements and
// consents, that no decision is allowed without a basis or with a failed
// rule, that no refusal lacks a failed reason, and that an agreement named as
// the basis really is in force and links the two parties.
func TestDecideProperties(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(20261014, 1991))}
	var allowed, refused int
	byBasis := map[string]int{}
	for i := range 10000 {
		in := g.input()
		d := Decide(in)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("case %d (%s → %s on %s): %s\nreasons:\n%s", i, in.Sender, in.Recipient,
				in.On.Format(time.DateOnly), fmt.Sprintf(format, args...), dump(d))
		}
		if len(d.Reasons) == 0 {
			fail("no reasons")
		}
		for _, r := range d.Reasons {
			if r.Rule == "" || r.Text == "" {
				fail("reason without rule or text: %+v", r)
			}
		}
		unmet := len(d.Failed())
		if !d.Allowed {
			refused++
			if d.Basis != nil {
				fail("refused with a basis %+v", d.Basis)
			}
			if unmet == 0 {
				fail("refused but every reason is met")
			}
			continue
		}
		allowed++
		if d.Basis == nil {
			fail("allowed without a basis")
		}
		if unmet > 0 {
			fail("allowed with %d failed reasons", unmet)
		}
		byBasis[d.Basis.Kind]++
		switch d.Basis.Kind {
		case BasisAgreement:
			j := slices.IndexFunc(in.Agreements, func(a Agreement) bool { return a.ID == d.Basis.Agreement })
			if j < 0 {
				fail("basis %q is not among the agreements", d.Basis.Agreement)
			}
			a := in.Agreements[j]
			if !a.InForceOn(in.On) {
				fail("basis %s is not in force", a.ID)
			}
			if !a.Involves(in.Sender, in.Directory, in.On) || !a.Involves(in.Recipient, in.Directory, in.On) {
				fail("basis %s does not link the parties", a.ID)
			}
			if HasPersonalData(in.Record) && !a.Scope.PersonalData {
				fail("personal data allowed under %s, whose scope excludes it", a.ID)
			}
		case BasisRegion:
			if HasPersonalData(in.Record) {
				fail("personal data allowed on region membership")
			}
			_, s := fakeDir{}.RILORegion(in.Sender)
			_, r := fakeDir{}.RILORegion(in.Recipient)
			if s == r {
				fail("region basis without exactly one RILO")
			}
		default:
			fail("unknown basis kind %q", d.Basis.Kind)
		}
		orig := in.Record.Originator
		if orig != "" && orig != in.Sender &&
			!slices.ContainsFunc(in.Consents, func(c Consent) bool {
				return c.Covers(in.Record.ID, orig, in.Recipient, in.On)
			}) {
			fail("passed on without the originator's consent")
		}
	}
	// The generator must reach both outcomes and both kinds of basis, or the
	// properties above were checked on nothing.
	if allowed < 50 || refused < 50 || byBasis[BasisAgreement] == 0 || byBasis[BasisRegion] == 0 {
		t.Errorf("generator too narrow: %d allowed, %d refused, bases %v", allowed, refused, byBasis)
	}
	t.Logf("%d allowed, %d refused, bases %v", allowed, refused, byBasis)
}

// TestDeciderAsDecide checks that a Decider, made once for a sender,
// recipient, day and registry, decides every record exactly as Decide does
// with the same input, on many generated inputs and several records each,
// decided in turn and at once from several goroutines.
func TestDeciderAsDecide(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(11, 13))}
	allowed := 0
	for i := range 400 {
		in := g.input()
		p := NewDecider(in)
		records := []*intel.Record{in.Record}
		for range 5 {
			records = append(records, g.record(in.Sender, in.Recipient))
		}
		got := make([]Decision, len(records))
		var wg sync.WaitGroup
		for k, r := range records {
			wg.Go(func() { got[k] = p.Decide(r) })
		}
		wg.Wait()
		for k, r := range records {
			rin := in
			rin.Record = r
			want := Decide(rin)
			if !reflect.DeepEqual(got[k], want) {
				t.Fatalf("input %d, record %d: Decider gives %+v, Decide %+v", i, k, got[k], want)
			}
			if again := p.Decide(r); !reflect.DeepEqual(again, want) {
				t.Fatalf("input %d, record %d decided again: %+v, want %+v", i, k, again, want)
			}
			if want.Allowed {
				allowed++
			}
		}
	}
	if allowed < 50 {
		t.Errorf("only %d records allowed: the comparison saw too few bases", allowed)
	}
}
