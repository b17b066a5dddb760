package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// RunAgreements runs the conformance suite of the agreement registry and
// the consents against an implementation. open must return a fresh, empty
// store for every call and close it when the test that asked for it ends.
func RunAgreements(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"PutAndGet", testPutAgreement},
		{"PutConflict", testPutAgreementConflict},
		{"PutRefusesMissingID", testPutAgreementNoID},
		{"AgreementNotFound", testAgreementNotFound},
		{"ListIsOrderedByID", testAgreementsOrdered},
		{"SeedIsOneTransaction", testSeedAgreements},
		{"SeedConflictStoresNothing", testSeedConflict},
		{"Consents", testConsents},
		{"ConsentForUnknownRecord", testConsentUnknownRecord},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// NewAgreement returns a valid binding agreement between HK and partner with
// id "hk-<partner>-cmaa"; mods adjust it.
func NewAgreement(partner string, mods ...func(*agreement.Agreement)) agreement.Agreement {
	a := agreement.Agreement{
		ID:         "hk-" + strings.ToLower(partner) + "-cmaa",
		Title:      "Customs Mutual Assistance Agreement between Hong Kong, China and " + partner,
		Titles:     map[string]string{"fr": "Accord d'assistance administrative mutuelle en matière douanière entre Hong Kong, Chine et " + partner},
		Kind:       agreement.KindAgreement,
		Binding:    true,
		Parties:    []agreement.Party{{Code: "HK"}, {Code: partner}},
		Signed:     agreement.Day(2019, time.May, 13),
		InForce:    agreement.YearMonth(2019, time.September),
		Scope:      agreement.Scope{Kinds: []intel.Kind{intel.KindSeizure, intel.KindRequest}, PersonalData: true},
		Modes:      agreement.Modes{OnRequest: true},
		Conditions: agreement.Conditions{PurposeLimitation: "customs enforcement", OnwardNeedsConsent: true, RetentionDays: 3650},
		Notes:      "A test agreement.",
		Unknown:    []string{"terminated"},
	}
	for _, m := range mods {
		m(&a)
	}
	return a
}

// AgreementEvent is the audit event that accompanies storing a.
func AgreementEvent(a agreement.Agreement) audit.Event {
	return audit.Event{Actor: "liaison1", Action: "agreement.add", Target: a.ID}
}

// sameJSON fails the test unless got and want encode to the same JSON.
func sameJSON(tb testing.TB, what string, got, want any) {
	tb.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		tb.Fatal(err)
	}
	if string(g) != string(w) {
		tb.Fatalf("%s differs:\n got %s\nwant %s", what, g, w)
	}
}

func mustAgreements(tb testing.TB, s store.Store) []agreement.Agreement {
	tb.Helper()
	as, err := s.Agreements(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return as
}

func testPutAgreement(t *testing.T, s store.Store) {
	ctx := context.Background()
	if as := mustAgreements(t, s); len(as) != 0 {
		t.Fatalf("a new store lists %d agreements, want none", len(as))
	}
	a := NewAgreement("KR")
	if err := s.PutAgreement(ctx, a, AgreementEvent(a)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Agreement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Partial dates, titles, assumption flags and the unknown list survive.
	sameJSON(t, "stored agreement", got, a)
	if got.InForce.Precision() != agreement.PrecisionMonth || got.Signed.Precision() != agreement.PrecisionDay {
		t.Errorf("dates lost precision: signed %s, in force %s", got.Signed, got.InForce)
	}
	as := mustAgreements(t, s)
	if len(as) != 1 {
		t.Fatalf("%d agreements listed, want 1", len(as))
	}
	sameJSON(t, "listed agreement", as[0], a)
	es := MustVerifyAudit(t, s)
	if len(es) != 1 || es[0].Action != "agreement.add" || es[0].Target != a.ID {
		t.Fatalf("audit = %+v, want one agreement.add of %s", es, a.ID)
	}
}

func testPutAgreementConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := NewAgreement("KR")
	if err := s.PutAgreement(ctx, a, AgreementEvent(a)); err != nil {
		t.Fatal(err)
	}
	again := NewAgreement("KR", func(a *agreement.Agreement) { a.Title = "Something else" })
	err := s.PutAgreement(ctx, again, AgreementEvent(again))
	WantKind(t, err, fault.Conflict)
	if !strings.Contains(err.Error(), a.ID) {
		t.Errorf("conflict %q does not name %s", err, a.ID)
	}
	got, err := s.Agreement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != a.Title {
		t.Errorf("title after a refused put = %q, want %q", got.Title, a.Title)
	}
	if n := auditCount(t, s); n != 1 {
		t.Errorf("audit has %d entries, want 1 (the refused put writes none)", n)
	}
}

func testPutAgreementNoID(t *testing.T, s store.Store) {
	a := NewAgreement("KR", func(a *agreement.Agreement) { a.ID = "" })
	WantField(t, s.PutAgreement(context.Background(), a, AgreementEvent(a)), "id")
	if as := mustAgreements(t, s); len(as) != 0 {
		t.Errorf("%d agreements after a refused put, want none", len(as))
	}
	if n := auditCount(t, s); n != 0 {
		t.Errorf("audit has %d entries after a refused put, want none", n)
	}
}

func testAgreementNotFound(t *testing.T, s store.Store) {
	_, err := s.Agreement(context.Background(), "no-such-agreement")
	WantKind(t, err, fault.NotFound)
	if !strings.Contains(err.Error(), "no-such-agreement") {
		t.Errorf("not found %q does not name the id", err)
	}
}

func testAgreementsOrdered(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, p := range []string{"SG", "AU", "JP", "BE"} {
		a := NewAgreement(p)
		if err := s.PutAgreement(ctx, a, AgreementEvent(a)); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for _, a := range mustAgreements(t, s) {
		ids = append(ids, a.ID)
	}
	want := "hk-au-cmaa hk-be-cmaa hk-jp-cmaa hk-sg-cmaa"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("listed %s, want %s", got, want)
	}
}

func seedEvent(n int) audit.Event {
	return audit.Event{Actor: "system", Action: "agreement.seed", Target: "HK", Detail: fmt.Sprintf("%d agreements", n)}
}

func testSeedAgreements(t *testing.T, s store.Store) {
	ctx := context.Background()
	seed := agreement.Seed("HK")
	if err := s.SeedAgreements(ctx, seed, seedEvent(len(seed))); err != nil {
		t.Fatal(err)
	}
	as := mustAgreements(t, s)
	if len(as) != len(seed) || len(seed) != 31 {
		t.Fatalf("%d agreements stored from a seed of %d, want 31", len(as), len(seed))
	}
	eu, err := s.Agreement(ctx, agreement.SeedEUAgreement)
	if err != nil {
		t.Fatal(err)
	}
	if !eu.Binding || eu.Signed.String() != "1999" || eu.InForce.Known() || !eu.Parties[1].Bloc {
		t.Errorf("EU agreement came back as %+v", eu)
	}
	es := MustVerifyAudit(t, s)
	if len(es) != 1 || es[0].Action != "agreement.seed" {
		t.Fatalf("audit = %+v, want one agreement.seed entry for the whole seed", es)
	}
	if err := s.SeedAgreements(ctx, nil, seedEvent(0)); err != nil {
		t.Errorf("empty seed: %v", err)
	}
	if n := auditCount(t, s); n != 1 {
		t.Errorf("audit has %d entries after an empty seed, want 1", n)
	}
}

func testSeedConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	kr := NewAgreement("KR")
	if err := s.PutAgreement(ctx, kr, AgreementEvent(kr)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		as   []agreement.Agreement
		id   string
	}{
		{"existing id", []agreement.Agreement{NewAgreement("AU"), NewAgreement("KR")}, kr.ID},
		{"id repeated in the seed", []agreement.Agreement{NewAgreement("AU"), NewAgreement("JP"), NewAgreement("AU")}, "hk-au-cmaa"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.SeedAgreements(ctx, tc.as, seedEvent(len(tc.as)))
			WantKind(t, err, fault.Conflict)
			if !strings.Contains(err.Error(), tc.id) {
				t.Errorf("conflict %q does not name %s", err, tc.id)
			}
			as := mustAgreements(t, s)
			if len(as) != 1 || as[0].ID != kr.ID {
				t.Fatalf("after a failed seed the registry holds %d agreements, want only %s", len(as), kr.ID)
			}
			if n := auditCount(t, s); n != 1 {
				t.Errorf("audit has %d entries after a failed seed, want 1", n)
			}
		})
	}
}

// consentEvent is the audit event that accompanies recording c.
func consentEvent(c agreement.Consent) audit.Event {
	return audit.Event{Actor: c.By, Action: agreement.ActionConsentRecord, Target: c.Record, Detail: c.AuditDetail()}
}

func testConsents(t *testing.T, s store.Store) {
	ctx := context.Background()
	jp := NewRecord(t, func(r *intel.Record) { r.Originator = "JP"; r.Handling.Code = "H2" })
	other := NewRecord(t, func(r *intel.Record) { r.Originator = "JP" })
	MustCreate(t, s, jp, other)
	before := auditCount(t, s)

	cs, err := s.Consents(ctx, jp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cs == nil || len(cs) != 0 {
		t.Fatalf("consents before any = %v, want an empty list", cs)
	}
	given := Base().Add(time.Hour)
	first := agreement.Consent{Record: jp.ID, Originator: "JP", Recipient: "KR", Given: given, By: "liaison1",
		Reference: "JPC-2026-118", GrantedBy: "Inspector Sato", Note: "for operation Harbour only"}
	second := agreement.Consent{Record: jp.ID, Originator: "JP", Recipient: agreement.AnyRecipient,
		Given: given.Add(24 * time.Hour), By: "liaison2"}
	elsewhere := agreement.Consent{Record: other.ID, Originator: "JP", Recipient: "SG", Given: given, By: "liaison1"}
	for _, c := range []agreement.Consent{first, second, elsewhere} {
		if err := s.AddConsent(ctx, c, consentEvent(c)); err != nil {
			t.Fatal(err)
		}
	}
	cs, err = s.Consents(ctx, jp.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "consents", cs, []agreement.Consent{first, second})

	es := MustVerifyAudit(t, s)
	if len(es) != before+3 {
		t.Fatalf("audit has %d entries, want %d (one per consent)", len(es), before+3)
	}
	e := es[before]
	if e.Action != agreement.ActionConsentRecord || e.Target != jp.ID || e.Actor != "liaison1" ||
		!strings.Contains(e.Detail, "JPC-2026-118") {
		t.Errorf("consent entry = %+v", e)
	}
	if strings.Contains(e.Detail, "Sato") {
		t.Errorf("consent audit detail %q names the person who consented", e.Detail)
	}
}

func testConsentUnknownRecord(t *testing.T, s store.Store) {
	ctx := context.Background()
	missing := NewRecord(t)
	c := agreement.Consent{Record: missing.ID, Originator: "JP", Recipient: "KR", Given: Base(), By: "liaison1"}
	err := s.AddConsent(ctx, c, consentEvent(c))
	WantKind(t, err, fault.NotFound)
	if !strings.Contains(err.Error(), missing.ID) {
		t.Errorf("not found %q does not name the record", err)
	}
	WantField(t, s.AddConsent(ctx, agreement.Consent{}, consentEvent(agreement.Consent{})), "record")
	if n := auditCount(t, s); n != 0 {
		t.Errorf("audit has %d entries after refused consents, want none", n)
	}
	cs, err := s.Consents(ctx, missing.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 0 {
		t.Errorf("%d consents stored for an unknown record", len(cs))
	}
}
