package sharing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/sharing"
	"liaison/internal/store/sqlite"
	"liaison/internal/store/storetest"
)

// today is the fixed clock of the tests, the day after storetest.Base.
var today = time.Date(2026, 10, 15, 8, 0, 0, 0, time.UTC)

// MustDirectory loads the embedded reference data.
func MustDirectory(tb testing.TB) *directory.Directory {
	tb.Helper()
	d, err := directory.Load()
	if err != nil {
		tb.Fatalf("load directory: %v", err)
	}
	return d
}

// MustService returns a sharing service for node over a fresh SQLite store,
// its agreements not yet seeded.
func MustService(tb testing.TB, node string) *sharing.Service {
	tb.Helper()
	st, err := sqlite.OpenWith(context.Background(), tb.TempDir(), sqlite.Options{
		Now: storetest.NewClock(today).Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return &sharing.Service{Store: st, Directory: MustDirectory(tb), Node: node, Now: func() time.Time { return today }}
}

// MustSeeded returns a service for node with its seed agreements stored.
func MustSeeded(tb testing.TB, node string) *sharing.Service {
	tb.Helper()
	s := MustService(tb, node)
	if _, err := s.Seed(context.Background(), "system"); err != nil {
		tb.Fatalf("seed %s: %v", node, err)
	}
	return s
}

func ids(as []agreement.Agreement) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// entries returns the audit entries of action.
func entries(tb testing.TB, s *sharing.Service, action string) []audit.Entry {
	tb.Helper()
	var out []audit.Entry
	for _, e := range storetest.MustVerifyAudit(tb, s.Store) {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func wantField(tb testing.TB, err error, field string) {
	tb.Helper()
	if !fault.Is(err, fault.Invalid) {
		tb.Fatalf("got %v, want an invalid-input error naming %s", err, field)
	}
	var l fault.List
	if errors.As(err, &l) {
		for _, e := range l {
			if e.Field == field {
				return
			}
		}
		tb.Fatalf("got %v, want an error naming %s", err, field)
	}
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Field != field {
		tb.Fatalf("got %v, want an error naming %s", err, field)
	}
}

func TestSeedHK(t *testing.T) {
	s := MustSeeded(t, "HK")
	ctx := context.Background()
	all, err := s.Agreements(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 31 {
		t.Fatalf("HK starts with %d agreements, want 31", len(all))
	}
	if es := entries(t, s, sharing.ActionAgreementSeed); len(es) != 1 || es[0].Target != "HK" {
		t.Errorf("seed audit entries = %+v, want one for HK", es)
	}
	tests := []struct {
		party string
		want  []string
	}{
		{"HK", ids(all)},
		{"hk", ids(all)},
		{"JP", []string{"hk-jp-arrangement"}},
		{"DE", []string{agreement.SeedEUAgreement}},
		{"FR", []string{agreement.SeedEUAgreement, "hk-fr-arrangement"}},
		{"EU", []string{agreement.SeedEUAgreement}},
		{"BR", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.party, func(t *testing.T) {
			got, err := s.Agreements(ctx, tc.party)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("party %s: %v, want %v", tc.party, ids(got), tc.want)
			}
		})
	}
	_, err = s.Agreements(ctx, "XX")
	wantField(t, err, "party")

	// Seeding twice is refused and changes nothing.
	_, err = s.Seed(ctx, "system")
	if !fault.Is(err, fault.Conflict) {
		t.Errorf("second seed: %v, want a conflict", err)
	}
	if es := entries(t, s, sharing.ActionAgreementSeed); len(es) != 1 {
		t.Errorf("%d seed entries after a refused second seed, want 1", len(es))
	}
}

func TestSeedOtherNodes(t *testing.T) {
	tests := []struct {
		node string
		want []string
	}{
		{"JP", []string{"hk-jp-arrangement"}},
		{"FR", []string{agreement.SeedEUAgreement, "hk-fr-arrangement"}},
		{"DE", []string{agreement.SeedEUAgreement}},
		{"BR", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.node, func(t *testing.T) {
			s := MustSeeded(t, tc.node)
			got, err := s.Agreements(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("node %s starts with %v, want %v", tc.node, ids(got), tc.want)
			}
			wantEntries := 1
			if len(tc.want) == 0 {
				wantEntries = 0
			}
			if es := entries(t, s, sharing.ActionAgreementSeed); len(es) != wantEntries {
				t.Errorf("%d seed audit entries, want %d", len(es), wantEntries)
			}
		})
	}
}

// checkReasons fails unless every reason is a sentence.
func checkReasons(tb testing.TB, d agreement.Decision) {
	tb.Helper()
	if len(d.Reasons) == 0 {
		tb.Fatal("decision without reasons")
	}
	for _, r := range d.Reasons {
		text := strings.TrimSpace(r.Text)
		if text == "" || !strings.HasSuffix(text, ".") || strings.ToUpper(text[:1]) != text[:1] {
			tb.Errorf("reason %q (%s) is not a sentence", r.Text, r.Rule)
		}
	}
}

func hasFailed(d agreement.Decision, rule string) bool {
	return slices.ContainsFunc(d.Failed(), func(r agreement.Reason) bool { return r.Rule == rule })
}

func TestDecideDoneWhen(t *testing.T) {
	s := MustSeeded(t, "HK")
	ctx := context.Background()
	toJP := storetest.NewRecord(t)
	toJPDE := storetest.NewRecord(t, func(r *intel.Record) { r.Distribution.Recipients = []string{"JP", "DE"} })
	storetest.MustCreate(t, s.Store, toJP, toJPDE)
	if !agreement.HasPersonalData(toJP) {
		t.Fatal("the test record should name a person")
	}

	tests := []struct {
		name, record, recipient string
		allowed                 bool
		basis, via              string
		failed                  string // a rule that must fail when refused
	}{
		{"JP under its arrangement", toJP.ID, "JP", true, "hk-jp-arrangement", "", ""},
		{"DE through the EU", toJPDE.ID, "DE", true, agreement.SeedEUAgreement, "EU", ""},
		{"DE not a recipient", toJP.ID, "DE", false, "", "", agreement.RuleDistribution},
		{"BR without a basis", toJPDE.ID, "BR", false, "", "", agreement.RuleAgreement},
		{"lowercase code", toJP.ID, " jp ", true, "hk-jp-arrangement", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := s.Decide(ctx, "liaison1", tc.record, tc.recipient)
			if err != nil {
				t.Fatal(err)
			}
			checkReasons(t, d)
			if d.Allowed != tc.allowed {
				t.Fatalf("allowed = %v, want %v; failed %+v", d.Allowed, tc.allowed, d.Failed())
			}
			if !tc.allowed {
				if d.Basis != nil {
					t.Errorf("refused decision carries basis %+v", d.Basis)
				}
				if !hasFailed(d, tc.failed) {
					t.Errorf("failed rules %+v, want %s among them", d.Failed(), tc.failed)
				}
				return
			}
			if d.Basis == nil || d.Basis.Agreement != tc.basis || d.Basis.Via != tc.via {
				t.Errorf("basis = %+v, want %s via %q", d.Basis, tc.basis, tc.via)
			}
		})
	}

	// BR: the reason says in words that there is no basis.
	d, err := s.Decide(ctx, "liaison1", toJPDE.ID, "BR")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(d.Failed(), func(r agreement.Reason) bool {
		return r.Rule == agreement.RuleAgreement && strings.Contains(r.Text, "no legal basis") && strings.Contains(r.Text, "Brazil")
	}) {
		t.Errorf("refusal to BR does not say there is no legal basis: %+v", d.Failed())
	}

	// Every decision is audited without the record's content.
	es := entries(t, s, sharing.ActionDecision)
	if len(es) != len(tests)+1 {
		t.Fatalf("%d decision entries, want %d", len(es), len(tests)+1)
	}
	wantDetails := []string{"allowed to JP under hk-jp-arrangement", "allowed to DE under hk-eu-cca-1999 through EU",
		"refused to DE: distribution not met", "refused to BR: agreement, distribution not met"}
	for i, w := range wantDetails {
		if es[i].Detail != w || es[i].Actor != "liaison1" {
			t.Errorf("entry %d = %s %q, want liaison1 %q", i, es[i].Actor, es[i].Detail, w)
		}
	}
	for _, e := range es {
		if strings.Contains(e.Detail, "Chan") || strings.Contains(e.Detail, "K01234567") {
			t.Errorf("decision audit detail %q holds personal data", e.Detail)
		}
	}
}

func TestDecideRefusesBadInput(t *testing.T) {
	s := MustSeeded(t, "HK")
	ctx := context.Background()
	r := storetest.NewRecord(t)
	storetest.MustCreate(t, s.Store, r)
	before := len(storetest.MustVerifyAudit(t, s.Store))
	for _, code := range []string{"", "  ", "XX", "EU", "RILO-MARS", "*"} {
		t.Run("recipient "+code, func(t *testing.T) {
			_, err := s.Decide(ctx, "liaison1", r.ID, code)
			wantField(t, err, "recipient")
		})
	}
	_, err := s.Decide(ctx, "liaison1", storetest.NewRecord(t).ID, "JP")
	if !fault.Is(err, fault.NotFound) {
		t.Errorf("unknown record: %v, want not found", err)
	}
	if after := len(storetest.MustVerifyAudit(t, s.Store)); after != before {
		t.Errorf("refused questions wrote %d audit entries", after-before)
	}
	// A RILO is a recipient: region membership is its basis, for
	// non-personal data only.
	d, err := s.Decide(ctx, "liaison1", r.ID, "rilo-ap")
	if err != nil {
		t.Fatal(err)
	}
	checkReasons(t, d)
	if d.Allowed || !hasFailed(d, agreement.RuleScopePersons) {
		t.Errorf("a record naming a person went to RILO-AP: %+v", d)
	}
}

func TestConsentFlow(t *testing.T) {
	s := MustSeeded(t, "HK")
	ctx := context.Background()
	// Received from Japan, which allows no onward dissemination without its
	// permission (H2); its distribution names Singapore.
	r := storetest.NewRecord(t, func(r *intel.Record) {
		r.Originator = "JP"
		r.Handling.Code = "H2"
		r.Distribution.Recipients = []string{"HK", "SG"}
	})
	storetest.MustCreate(t, s.Store, r)

	d, err := s.Decide(ctx, "liaison1", r.ID, "SG")
	if err != nil {
		t.Fatal(err)
	}
	checkReasons(t, d)
	if d.Allowed || !hasFailed(d, agreement.RuleConsent) || !hasFailed(d, agreement.RuleHandling) {
		t.Fatalf("onward without consent: allowed %v, failed %+v", d.Allowed, d.Failed())
	}
	if cs, err := s.Consents(ctx, r.ID); err != nil || len(cs) != 0 {
		t.Fatalf("consents before any: %v %v", cs, err)
	}

	c, err := s.RecordConsent(ctx, "liaison1", r.ID, "sg", "Inspector Sato Hiroshi", "JPC-2026-118", "for the joint operation only")
	if err != nil {
		t.Fatal(err)
	}
	want := agreement.Consent{Record: r.ID, Originator: "JP", Recipient: "SG", Given: today, By: "liaison1",
		Reference: "JPC-2026-118", GrantedBy: "Inspector Sato Hiroshi", Note: "for the joint operation only"}
	if c.Record != want.Record || c.Originator != want.Originator || c.Recipient != want.Recipient ||
		!c.Given.Equal(want.Given) || c.By != want.By || c.Reference != want.Reference || c.GrantedBy != want.GrantedBy || c.Note != want.Note {
		t.Errorf("consent = %+v, want %+v", c, want)
	}
	cs, err := s.Consents(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].GrantedBy != want.GrantedBy || cs[0].Recipient != "SG" {
		t.Fatalf("consents on file = %+v", cs)
	}

	d, err = s.Decide(ctx, "liaison1", r.ID, "SG")
	if err != nil {
		t.Fatal(err)
	}
	checkReasons(t, d)
	if !d.Allowed || d.Basis == nil || d.Basis.Agreement != "hk-sg-arrangement" {
		t.Fatalf("onward with consent: allowed %v basis %+v failed %+v", d.Allowed, d.Basis, d.Failed())
	}
	// The consent covers Singapore only.
	if d, err := s.Decide(ctx, "liaison1", r.ID, "KR"); err != nil || d.Allowed {
		t.Errorf("consent for SG let the record go to KR: %v %v", d.Allowed, err)
	}

	es := entries(t, s, agreement.ActionConsentRecord)
	if len(es) != 1 || es[0].Target != r.ID || es[0].Actor != "liaison1" ||
		es[0].Detail != "originator JP consents to onward transmission to SG (ref JPC-2026-118)" {
		t.Fatalf("consent audit entries = %+v", es)
	}
}

func TestRecordConsentRefusesBadInput(t *testing.T) {
	s := MustSeeded(t, "HK")
	ctx := context.Background()
	received := storetest.NewRecord(t, func(r *intel.Record) { r.Originator = "JP"; r.Handling.Code = "H2" })
	own := storetest.NewRecord(t)
	storetest.MustCreate(t, s.Store, received, own)
	before := len(storetest.MustVerifyAudit(t, s.Store))
	tests := []struct {
		name                          string
		record, recipient, by, ref, n string
		field                         string
	}{
		{"no recipient", received.ID, "", "Inspector Sato", "", "", "recipient"},
		{"unknown recipient", received.ID, "XX", "Inspector Sato", "", "", "recipient"},
		{"recipient is the originator", received.ID, "JP", "Inspector Sato", "", "", "recipient"},
		{"nobody consented", received.ID, "SG", "  ", "", "", "by"},
		{"name too long", received.ID, "SG", strings.Repeat("x", sharing.MaxConsentBy+1), "", "", "by"},
		{"reference too long", received.ID, "SG", "Inspector Sato", strings.Repeat("x", sharing.MaxConsentReference+1), "", "reference"},
		{"note too long", received.ID, "SG", "Inspector Sato", "", strings.Repeat("x", sharing.MaxConsentNote+1), "note"},
		{"own record", own.ID, "SG", "Inspector Sato", "", "", "record"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.RecordConsent(ctx, "liaison1", tc.record, tc.recipient, tc.by, tc.ref, tc.n)
			wantField(t, err, tc.field)
		})
	}
	_, err := s.RecordConsent(ctx, "liaison1", storetest.NewRecord(t).ID, "SG", "Inspector Sato", "", "")
	if !fault.Is(err, fault.NotFound) {
		t.Errorf("consent for an unknown record: %v, want not found", err)
	}
	if _, err := s.Consents(ctx, storetest.NewRecord(t).ID); !fault.Is(err, fault.NotFound) {
		t.Errorf("consents of an unknown record: %v, want not found", err)
	}
	if after := len(storetest.MustVerifyAudit(t, s.Store)); after != before {
		t.Errorf("refused consents wrote %d audit entries", after-before)
	}
	// Consent to any recipient is accepted.
	if c, err := s.RecordConsent(ctx, "liaison1", received.ID, "*", "Inspector Sato", "", ""); err != nil || c.Recipient != agreement.AnyRecipient {
		t.Errorf("consent to any recipient: %+v %v", c, err)
	}
}

// validAgreement is a binding agreement between HK and KR.
func validAgreement() agreement.Agreement {
	return storetest.NewAgreement("KR")
}

func TestAddAgreement(t *testing.T) {
	s := MustSeeded(t, "HK")
	ctx := context.Background()
	a := validAgreement()
	got, err := s.AddAgreement(ctx, "liaison1", a)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID {
		t.Errorf("added %s, want %s", got.ID, a.ID)
	}
	stored, err := s.Agreement(ctx, a.ID)
	if err != nil || stored.Title != a.Title || stored.InForce != a.InForce {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	es := entries(t, s, sharing.ActionAgreementAdd)
	if len(es) != 1 || es[0].Target != a.ID || es[0].Detail != "agreement between HK, KR" {
		t.Errorf("audit = %+v", es)
	}
	_, err = s.AddAgreement(ctx, "liaison1", a)
	if !fault.Is(err, fault.Conflict) {
		t.Errorf("second add: %v, want a conflict", err)
	}
	if _, err := s.Agreement(ctx, "hk-mars-treaty"); !fault.Is(err, fault.NotFound) {
		t.Errorf("unknown id: %v, want not found", err)
	}

	tests := []struct {
		name  string
		edit  func(a *agreement.Agreement)
		field string
	}{
		{"bad id", func(a *agreement.Agreement) { a.ID = "HK JP" }, "id"},
		{"unknown kind", func(a *agreement.Agreement) { a.Kind = "treaty" }, "kind"},
		{"binding arrangement", func(a *agreement.Agreement) { a.Kind = agreement.KindArrangement }, "binding"},
		{"unknown administration", func(a *agreement.Agreement) { a.Parties[1].Code = "ZZ" }, "parties[1].code"},
		{"bloc not marked", func(a *agreement.Agreement) { a.Parties[1] = agreement.Party{Code: "EU"} }, "parties[1].bloc"},
		{"administration marked as bloc", func(a *agreement.Agreement) { a.Parties[1].Bloc = true }, "parties[1].code"},
		{"malformed code", func(a *agreement.Agreement) { a.Parties[1].Code = "kr" }, "parties[1].code"},
		{"dates out of order", func(a *agreement.Agreement) { a.Terminated = agreement.Year(2001) }, "terminated"},
		{"no mode", func(a *agreement.Agreement) { a.Modes = agreement.Modes{} }, "modes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := validAgreement()
			b.ID = "hk-kr-other"
			b.Parties = slices.Clone(b.Parties)
			tc.edit(&b)
			_, err := s.AddAgreement(ctx, "liaison1", b)
			wantField(t, err, tc.field)
		})
	}
	if es := entries(t, s, sharing.ActionAgreementAdd); len(es) != 1 {
		t.Errorf("%d agreement.add entries after refused additions, want 1", len(es))
	}
	all, _ := s.Agreements(ctx, "")
	if len(all) != 32 {
		t.Errorf("%d agreements, want 32", len(all))
	}
}

func TestDecodeAgreement(t *testing.T) {
	const valid = `{"id":"hk-kr-cmaa","title":"Customs Mutual Assistance Agreement","kind":"agreement","binding":true,
		"parties":[{"code":"HK"},{"code":"KR"}],"signed":"2019-05-13","in_force":"2019-09","terminated":null,
		"scope":{"kinds":["seizure"],"personal_data":true},"modes":{"on_request":true,"spontaneous":false},
		"conditions":{"evidence_needs_consent":true,"onward_needs_consent":true},"unknown":["terminated"]}`
	a, err := sharing.DecodeAgreement(strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	if a.Signed != agreement.Day(2019, time.May, 13) || a.InForce != agreement.YearMonth(2019, time.September) ||
		a.Terminated.Known() || !a.Binding || len(a.Parties) != 2 || a.Scope.Kinds[0] != intel.KindSeizure {
		t.Errorf("decoded %+v", a)
	}
	tests := []struct {
		name, in, field string
	}{
		{"impossible date", strings.Replace(valid, `"2019-05-13"`, `"2019-02-30"`, 1), "signed"},
		{"malformed date", strings.Replace(valid, `"2019-09"`, `"Sept 2019"`, 1), "in_force"},
		{"date of the wrong type", strings.Replace(valid, `"terminated":null`, `"terminated":2020`, 1), "terminated"},
		{"unknown field", strings.Replace(valid, `"binding":true`, `"binding":true,"colour":"red"`, 1), "colour"},
		{"wrong type", strings.Replace(valid, `"binding":true`, `"binding":"yes"`, 1), "binding"},
		{"nested wrong type", strings.Replace(valid, `{"code":"KR"}`, `{"code":7}`, 1), "parties[1].code"},
		{"nested unknown field", strings.Replace(valid, `{"code":"KR"}`, `{"code":"KR","colour":"red"}`, 1), "parties[1].colour"},
		{"trailing data", valid + ` {}`, ""},
		{"empty", ``, ""},
		{"not an object", `[1]`, ""},
		{"truncated", valid[:40], ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sharing.DecodeAgreement(strings.NewReader(tc.in))
			if tc.field == "" {
				if !fault.Is(err, fault.Invalid) {
					t.Fatalf("got %v, want an invalid-input error", err)
				}
				return
			}
			wantField(t, err, tc.field)
		})
	}
}

// TestDecodeAgreementTakesWhatGetGives checks that an agreement as the API
// gives it, every field set (a seed agreement, with its titles and its
// notes in other languages), is read back by DecodeAgreement as it was.
func TestDecodeAgreementTakesWhatGetGives(t *testing.T) {
	for _, a := range agreement.Seed("FR", "EU") {
		if len(a.Titles) == 0 || len(a.NotesTranslations) == 0 || a.Source == "" {
			t.Fatalf("%s lacks a field the test reads back: %+v", a.ID, a)
		}
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sharing.DecodeAgreement(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		if !reflect.DeepEqual(got, a) {
			t.Errorf("%s read back as\n%+v\nwant\n%+v", a.ID, got, a)
		}
	}
}

func TestPartners(t *testing.T) {
	s := MustSeeded(t, "HK")
	ctx := context.Background()
	ps, err := s.Partners(ctx, "HK")
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]sharing.Partner{}
	for _, p := range ps {
		if _, dup := byCode[p.Code]; dup {
			t.Errorf("partner %s listed twice", p.Code)
		}
		byCode[p.Code] = p
		if p.Name == "" || p.Summary == "" || p.Basis.Title == "" {
			t.Errorf("partner %+v lacks a name, summary or basis title", p)
		}
		if !slices.Contains(sharing.SummaryFormats(), p.SummaryFormat) || fmt.Sprintf(p.SummaryFormat, p.SummaryArgs...) != p.Summary {
			t.Errorf("partner %s: summary %q is not made of its format %q and arguments %v", p.Code, p.Summary, p.SummaryFormat, p.SummaryArgs)
		}
	}
	if b, err := json.Marshal(ps); err != nil || bytes.Contains(b, []byte("SummaryFormat")) || bytes.Contains(b, []byte("SummaryArgs")) {
		t.Errorf("partners encoded with the format of their summaries (%v): %.200s", err, b)
	}
	if !slices.IsSortedFunc(ps, func(x, y sharing.Partner) int { return strings.Compare(x.Code, y.Code) }) {
		t.Error("partners are not sorted by code")
	}
	tests := []struct {
		code, basis, via, region string
		also                     []string
	}{
		{"JP", "hk-jp-arrangement", "", "", nil},
		{"FR", agreement.SeedEUAgreement, "EU", "", []string{"hk-fr-arrangement"}},
		{"DE", agreement.SeedEUAgreement, "EU", "", nil},
		{"HR", agreement.SeedEUAgreement, "EU", "", nil},
		{"RILO-AP", "", "", "AP", nil},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			p, ok := byCode[tc.code]
			if !ok {
				t.Fatalf("%s is not a partner of HK", tc.code)
			}
			if p.Basis.Agreement != tc.basis || p.Basis.Via != tc.via || p.Basis.Region != tc.region {
				t.Errorf("basis = %+v, want agreement %q via %q region %q", p.Basis, tc.basis, tc.via, tc.region)
			}
			var also []string
			for _, b := range p.Also {
				also = append(also, b.Agreement)
			}
			if !slices.Equal(also, tc.also) {
				t.Errorf("also = %v, want %v", also, tc.also)
			}
		})
	}
	if p := byCode["FR"]; !strings.Contains(p.Summary, "France") || !strings.Contains(p.Summary, "European Union") {
		t.Errorf("FR summary %q does not say France is covered as an EU member", p.Summary)
	}
	for _, code := range []string{"BR", "HK", "GB-X"} {
		if _, ok := byCode[code]; ok {
			t.Errorf("%s listed as a partner of HK", code)
		}
	}
	// 30 arrangement partners, the other EU members, and RILO-AP.
	eu, err := s.Directory.MembersOn("EU", today)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range eu {
		seen[c] = true
	}
	n := len(eu) + 1
	for _, a := range agreement.Seed("HK") {
		if c := a.Parties[1].Code; !a.Parties[1].Bloc && !seen[c] {
			n++
		}
	}
	if len(ps) != n {
		t.Errorf("HK has %d partners, want %d", len(ps), n)
	}

	in, err := s.AgreementsInForce(ctx, "HK")
	if err != nil || len(in) != 31 {
		t.Errorf("HK has %d agreements in force (%v), want 31", len(in), err)
	}
	de, err := s.Partners(ctx, "DE")
	if err != nil {
		t.Fatal(err)
	}
	if len(de) == 0 || !slices.ContainsFunc(de, func(p sharing.Partner) bool {
		return p.Code == "HK" && p.Basis.Agreement == agreement.SeedEUAgreement && p.Basis.Via == "EU"
	}) {
		t.Errorf("DE partners = %+v, want HK through the EU agreement", de)
	}
	if _, err := s.Partners(ctx, "ZZ"); !fault.Is(err, fault.NotFound) {
		t.Errorf("partners of ZZ: %v, want not found", err)
	}
}

// TestPartnersIgnoreAgreementsNotInForce checks that a terminated agreement
// is no basis.
func TestPartnersIgnoreAgreementsNotInForce(t *testing.T) {
	s := MustService(t, "HK")
	ctx := context.Background()
	ended := storetest.NewAgreement("KR", func(a *agreement.Agreement) { a.Terminated = agreement.Year(2020); a.Unknown = nil })
	future := storetest.NewAgreement("BR", func(a *agreement.Agreement) {
		a.Signed, a.InForce = agreement.Day(2027, time.January, 5), agreement.Day(2027, time.March, 1)
	})
	for _, a := range []agreement.Agreement{ended, future} {
		if _, err := s.AddAgreement(ctx, "admin", a); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := s.Partners(ctx, "HK")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Code == "KR" || p.Code == "BR" {
			t.Errorf("%s listed as a partner through an agreement not in force: %+v", p.Code, p)
		}
	}
	in, err := s.AgreementsInForce(ctx, "HK")
	if err != nil || len(in) != 0 {
		t.Errorf("agreements in force = %v %v, want none", ids(in), err)
	}
	all, err := s.Agreements(ctx, "KR")
	if err != nil || len(all) != 1 {
		t.Errorf("the registry lists %v for KR, want the terminated agreement still", ids(all))
	}
}

// BenchmarkDecide measures one audited sharing decision against the seeded
// HK registry on SQLite: reading the record, the registry and the consents,
// deciding, and appending the audit entry.
func BenchmarkDecide(b *testing.B) {
	s := MustSeeded(b, "HK")
	r := storetest.NewRecord(b)
	storetest.MustCreate(b, s.Store, r)
	ctx := context.Background()
	for b.Loop() {
		d, err := s.Decide(ctx, "bench", r.ID, "JP")
		if err != nil || !d.Allowed {
			b.Fatalf("decide: %+v %v", d, err)
		}
	}
}
