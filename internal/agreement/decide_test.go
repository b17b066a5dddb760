package agreement

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"liaison/internal/intel"
)

// custom returns a directly bilateral HK agreement with recipient, used to
// test dates and scope without the seed's assumptions.
func custom(recipient string, mod func(*Agreement)) Agreement {
	a := Agreement{
		ID: "hk-" + strings.ToLower(recipient) + "-cmaa", Title: "Customs Mutual Assistance Agreement between Hong Kong and " + recipient,
		Kind: KindAgreement, Binding: true,
		Parties: []Party{{Code: "HK"}, {Code: recipient}},
		Signed:  Day(2020, time.March, 1), InForce: Day(2020, time.June, 1),
		Scope: Scope{PersonalData: true},
		Modes: Modes{OnRequest: true, Spontaneous: true},
	}
	if mod != nil {
		mod(&a)
	}
	return a
}

// received returns a record originated by JP, held by HK, with the given
// handling code and distribution to HK and KR.
func received(tb testing.TB, code string) *intel.Record {
	tb.Helper()
	r := MustSeizure(tb)
	r.ID = "01JRECEIVEDFROMJAPAN000000"
	r.Originator = "JP"
	r.Handling = intel.Handling{Code: code}
	r.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"HK", "KR"}}
	return r
}

func TestDecide(t *testing.T) {
	day := MustDay(t, "2026-10-14")
	consentKR := Consent{Record: "01JRECEIVEDFROMJAPAN000000", Originator: "JP", Recipient: "KR",
		Given: MustDay(t, "2026-10-01"), By: "liaison1", Reference: "JP-2026-0042"}

	tests := []struct {
		name     string
		mod      func(tb testing.TB, in *Input)
		allowed  bool
		basis    string // "agreement:ID" or "region:CODE"; "" when refused
		via      string
		failed   []string // exactly the rules that fail
		contains []string // each must appear in some reason
	}{
		{
			name:    "seed arrangement to Japan",
			allowed: true, basis: "agreement:hk-jp-arrangement",
			contains: []string{
				"The Customs Cooperative Arrangement between Hong Kong Customs and Japan Customs is in force on 14 October 2026 and links Hong Kong and Japan.",
				"known only as 1991",
				"Distribution is bilateral and names Japan as a recipient.",
				"assumed to allow personal data",
			},
		},
		{
			name: "EU member through the bloc",
			mod: func(tb testing.TB, in *Input) {
				in.Recipient = "DE"
				in.Record.Distribution.Recipients = []string{"JP", "DE"}
			},
			allowed: true, basis: "agreement:hk-eu-cca-1999", via: "EU",
			contains: []string{"links Hong Kong and Germany; Germany is covered as a member of the European Union on that day.", "counted from its signature in 1999, read as 31 December 1999."},
		},
		{
			name: "no basis at all",
			mod: func(tb testing.TB, in *Input) {
				in.Recipient = "BR"
				in.Record.Distribution.Recipients = []string{"BR"}
			},
			failed:   []string{RuleAgreement},
			contains: []string{"No agreement in force links Hong Kong and Brazil on 14 October 2026, and Brazil is not the RILO of Hong Kong's WCO region"},
		},
		{
			name: "distribution excludes the recipient even with a basis",
			mod: func(tb testing.TB, in *Input) {
				in.Recipient = "DE"
			},
			failed:   []string{RuleDistribution},
			contains: []string{"Distribution is bilateral to Japan; Germany is not a named recipient."},
		},
		{
			name: "Croatia the day before accession",
			mod: func(tb testing.TB, in *Input) {
				in.Recipient = "HR"
				in.Record.Distribution.Recipients = []string{"HR"}
				in.On = MustDay(tb, "2013-06-30")
			},
			failed:   []string{RuleAgreement},
			contains: []string{"No agreement in force links Hong Kong and Croatia on 30 June 2013"},
		},
		{
			name: "Croatia on accession day",
			mod: func(tb testing.TB, in *Input) {
				in.Recipient = "HR"
				in.Record.Distribution.Recipients = []string{"HR"}
				in.On = MustDay(tb, "2013-07-01")
			},
			allowed: true, basis: "agreement:hk-eu-cca-1999", via: "EU",
		},
		{
			name: "United Kingdom after leaving the EU keeps its own arrangement",
			mod: func(tb testing.TB, in *Input) {
				in.Recipient = "GB"
				in.Record.Distribution.Recipients = []string{"GB"}
			},
			allowed: true, basis: "agreement:hk-gb-arrangement",
		},
		{
			name: "binding agreement preferred while the UK was an EU member",
			mod: func(tb testing.TB, in *Input) {
				in.Recipient = "GB"
				in.Record.Distribution.Recipients = []string{"GB"}
				in.On = MustDay(tb, "2010-05-05")
			},
			allowed: true, basis: "agreement:hk-eu-cca-1999", via: "EU",
		},
		{
			name: "EU agreement not in force before the end of its signature year",
			mod: func(tb testing.TB, in *Input) {
				in.Recipient = "DE"
				in.Record.Distribution.Recipients = []string{"DE"}
				in.On = MustDay(tb, "1999-06-01")
			},
			failed: []string{RuleAgreement},
			contains: []string{"is not treated as in force on 1 June 1999; its recorded start (1999) is counted from 31 December 1999.",
				"No other agreement in force links Hong Kong and Germany"},
		},
		{
			name: "arrangement not yet in force",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.InForce = Day(2026, time.October, 15) })}
			},
			failed: []string{RuleAgreement},
			contains: []string{"is not yet in force on 14 October 2026; it enters into force on 15 October 2026.",
				"No other agreement in force links Hong Kong and Japan"},
		},
		{
			name: "arrangement on its first day in force",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.InForce = Day(2026, time.October, 14) })}
			},
			allowed: true, basis: "agreement:hk-jp-cmaa",
		},
		{
			name: "arrangement terminated on the day of sharing",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.Terminated = Day(2026, time.October, 14) })}
			},
			failed:   []string{RuleAgreement},
			contains: []string{"was terminated on 14 October 2026 and is no longer in force on 14 October 2026."},
		},
		{
			name: "arrangement on its last day before termination",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.Terminated = Day(2026, time.October, 15) })}
			},
			allowed: true, basis: "agreement:hk-jp-cmaa",
		},
		{
			name: "partial termination year is read cautiously",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.Terminated = Year(2026) })}
			},
			failed:   []string{RuleAgreement},
			contains: []string{"was terminated on 2026"},
		},
		{
			name: "agreement without any date is never in force",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.Signed, a.InForce = Date{}, Date{} })}
			},
			failed:   []string{RuleAgreement},
			contains: []string{"has no recorded date of signature or entry into force"},
		},
		{
			name: "personal data under a scope that excludes it",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.Scope.PersonalData = false })}
			},
			failed:   []string{RuleScopePersons},
			contains: []string{"The record carries personal data (1 named person), which the scope of the agreement excludes."},
		},
		{
			name: "non-personal data under a scope that excludes personal data",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.Scope.PersonalData = false })}
				in.Record = MustNonPersonal(tb, in.Record.Distribution)
			},
			allowed: true, basis: "agreement:hk-jp-cmaa",
			contains: []string{"The record carries no personal data in its structured fields."},
		},
		{
			name: "scope that does not cover the record kind",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) {
					a.Scope.Kinds = []intel.Kind{intel.KindWarning, intel.KindAlert}
				})}
			},
			failed:   []string{RuleScopeKind},
			contains: []string{"The agreement covers only warnings and intelligence alerts, not seizure reports."},
		},
		{
			name: "an agreement whose scope fits is preferred over one whose scope does not",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{
					custom("JP", func(a *Agreement) { a.ID = "a-narrow"; a.Scope.PersonalData = false }),
					custom("JP", func(a *Agreement) { a.ID = "b-wide"; a.Binding = false; a.Kind = KindArrangement }),
				}
			},
			allowed: true, basis: "agreement:b-wide",
		},
		{
			name: "mode on request only refuses spontaneous sharing",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.Modes.Spontaneous = false })}
			},
			failed:   []string{RuleMode},
			contains: []string{"The agreement does not allow information to be given spontaneously."},
		},
		{
			name: "mode on request allows an answer to a request",
			mod: func(tb testing.TB, in *Input) {
				in.Agreements = []Agreement{custom("JP", func(a *Agreement) { a.Modes.Spontaneous = false })}
				in.Mode = ModeOnRequest
			},
			allowed: true, basis: "agreement:hk-jp-cmaa",
		},
		{
			name: "H2 onward transmission without consent",
			mod: func(tb testing.TB, in *Input) {
				in.Record = received(tb, "H2")
				in.Recipient = "KR"
			},
			failed: []string{RuleHandling, RuleConsent},
			contains: []string{"Handling code H2: only Japan, the originator, may pass it on, and no consent from Japan to pass it on to Korea is on file.",
				"This record was received from Japan; it can be passed on to Korea only with the recorded consent of Japan, and none is on file."},
		},
		{
			name: "H2 onward transmission with consent",
			mod: func(tb testing.TB, in *Input) {
				in.Record = received(tb, "H2")
				in.Recipient = "KR"
				in.Consents = []Consent{consentKR}
			},
			allowed: true, basis: "agreement:hk-kr-arrangement",
			contains: []string{"Japan, the originator, consented on 1 October 2026 to passing this record on to Korea (reference JP-2026-0042)."},
		},
		{
			name: "H2 with consent to any recipient",
			mod: func(tb testing.TB, in *Input) {
				in.Record = received(tb, "H2")
				in.Recipient = "KR"
				c := consentKR
				c.Recipient = AnyRecipient
				in.Consents = []Consent{c}
			},
			allowed: true, basis: "agreement:hk-kr-arrangement",
		},
		{
			name: "H2 with consent for another recipient",
			mod: func(tb testing.TB, in *Input) {
				in.Record = received(tb, "H2")
				in.Recipient = "KR"
				c := consentKR
				c.Recipient = "AU"
				in.Consents = []Consent{c}
			},
			failed: []string{RuleHandling, RuleConsent},
		},
		{
			name: "H2 with consent given after the day of sharing",
			mod: func(tb testing.TB, in *Input) {
				in.Record = received(tb, "H2")
				in.Recipient = "KR"
				c := consentKR
				c.Given = MustDay(tb, "2026-10-15")
				in.Consents = []Consent{c}
			},
			failed: []string{RuleHandling, RuleConsent},
		},
		{
			name: "H2 with consent from someone other than the originator",
			mod: func(tb testing.TB, in *Input) {
				in.Record = received(tb, "H2")
				in.Recipient = "KR"
				c := consentKR
				c.Originator = "CN"
				in.Consents = []Consent{c}
			},
			failed: []string{RuleHandling, RuleConsent},
		},
		{
			name: "H2 shared by its originator",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Handling.Code = "H2"
			},
			allowed: true, basis: "agreement:hk-jp-arrangement",
			contains: []string{"Handling code H2: Hong Kong is the originator and may pass it on; Japan may not pass it on without the permission of Hong Kong."},
		},
		{
			name: "received H0 record passed on without consent",
			mod: func(tb testing.TB, in *Input) {
				in.Record = received(tb, "H0")
				in.Recipient = "KR"
			},
			failed: []string{RuleConsent},
		},
		{
			name: "received H0 record passed on with consent",
			mod: func(tb testing.TB, in *Input) {
				in.Record = received(tb, "H0")
				in.Recipient = "KR"
				in.Consents = []Consent{consentKR}
			},
			allowed: true, basis: "agreement:hk-kr-arrangement",
		},
		{
			name: "RILO receives non-personal region data from a member",
			mod: func(tb testing.TB, in *Input) {
				in.Record = MustNonPersonal(tb, intel.Distribution{Scope: intel.ScopeRegion})
				in.Recipient = "RILO-AP"
			},
			allowed: true, basis: "region:AP",
			contains: []string{"Hong Kong is a member of the WCO Asia/Pacific region and RILO Asia/Pacific is that region's regional intelligence liaison office",
				"Distribution covers the WCO Asia/Pacific region, and RILO Asia/Pacific is its regional intelligence liaison office."},
		},
		{
			name: "RILO refused personal data on region membership alone",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Distribution = intel.Distribution{Scope: intel.ScopeRegion}
				in.Recipient = "RILO-AP"
			},
			failed:   []string{RuleScopePersons},
			contains: []string{"region membership is a basis for non-personal data only"},
		},
		{
			name: "RILO of another region",
			mod: func(tb testing.TB, in *Input) {
				in.Record = MustNonPersonal(tb, intel.Distribution{Scope: intel.ScopeWCO})
				in.Recipient = "RILO-WE"
			},
			failed:   []string{RuleAgreement},
			contains: []string{"Hong Kong is not a member of the WCO Europe region that RILO Western Europe serves."},
		},
		{
			name: "RILO passes its own regional alert to a member",
			mod: func(tb testing.TB, in *Input) {
				in.Sender = "RILO-AP"
				in.Record = &intel.Record{ID: "01JALERT", Kind: intel.KindAlert, Originator: "RILO-AP",
					Handling:     intel.Handling{Code: "H0"},
					Distribution: intel.Distribution{Scope: intel.ScopeRegion, Region: "AP"},
					Alert:        &intel.Alert{Subject: "Cigarettes in frozen fish", Summary: "Concealment trend."}}
			},
			allowed: true, basis: "region:AP",
		},
		{
			name: "distribution limited to the originator",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Distribution = intel.Distribution{Scope: intel.ScopeOriginator}
			},
			failed:   []string{RuleDistribution},
			contains: []string{"Distribution is limited to the originator, Hong Kong; Japan may not receive it."},
		},
		{
			name: "region distribution outside the region",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Distribution = intel.Distribution{Scope: intel.ScopeRegion}
				in.Recipient = "DE"
			},
			failed:   []string{RuleDistribution},
			contains: []string{"Distribution is limited to the WCO Asia/Pacific region; Germany is in the Europe region."},
		},
		{
			name: "region distribution inside the region",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Distribution = intel.Distribution{Scope: intel.ScopeRegion}
			},
			allowed: true, basis: "agreement:hk-jp-arrangement",
		},
		{
			name: "operation with unknown participants",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-SKYNET"}
			},
			failed:   []string{RuleDistribution},
			contains: []string{"operation OP-SKYNET, whose participants are not known to this node"},
		},
		{
			name: "operation listing the recipient",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-SKYNET", Recipients: []string{"JP", "KR"}}
			},
			allowed: true, basis: "agreement:hk-jp-arrangement",
		},
		{
			name: "WCO distribution to a member",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Distribution = intel.Distribution{Scope: intel.ScopeWCO}
				in.Recipient = "FR"
			},
			allowed: true, basis: "agreement:hk-eu-cca-1999", via: "EU",
		},
		{
			name: "H1 allowed with its restriction stated",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Handling.Code = "H1"
			},
			allowed: true, basis: "agreement:hk-jp-arrangement",
			contains: []string{"Handling code H1: Japan may not use it in judicial proceedings without the permission of Hong Kong."},
		},
		{
			name: "H3 allowed with its conditions shown",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Handling = intel.Handling{Code: "H3", Conditions: "not to be shared with port authorities"}
			},
			allowed: true, basis: "agreement:hk-jp-arrangement",
			contains: []string{"Handling code H3: the originator's restrictions apply: not to be shared with port authorities."},
		},
		{
			name: "H3 without stated conditions",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Handling = intel.Handling{Code: "H3"}
			},
			failed: []string{RuleHandling},
		},
		{
			name: "unknown handling code",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Handling = intel.Handling{Code: "H9"}
			},
			failed:   []string{RuleHandling},
			contains: []string{`The handling code "H9" is not known`},
		},
		{
			name: "retracted record",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Status = intel.StatusRetracted
			},
			failed: []string{RuleRecord},
		},
		{
			name: "retention period over",
			mod: func(tb testing.TB, in *Input) {
				in.Record.Retention = &intel.Retention{Until: "2026-10-13"}
			},
			failed:   []string{RuleRecord},
			contains: []string{"The record's retention period ended on 13 October 2026"},
		},
		{
			name: "retention in days over",
			mod: func(tb testing.TB, in *Input) {
				created := MustDay(tb, "2026-01-01")
				in.Record.Created = &created
				in.Record.Retention = &intel.Retention{Days: 100}
			},
			failed:   []string{RuleRecord},
			contains: []string{"The record's retention period of 100 days ended on 11 April 2026"},
		},
		{
			name: "retention in days still running",
			mod: func(tb testing.TB, in *Input) {
				created := MustDay(tb, "2026-10-01")
				in.Record.Created = &created
				in.Record.Retention = &intel.Retention{Days: 100}
			},
			allowed: true, basis: "agreement:hk-jp-arrangement",
		},
		{
			name: "agreement preferred over region membership for a RILO",
			mod: func(tb testing.TB, in *Input) {
				in.Record = MustNonPersonal(tb, intel.Distribution{Scope: intel.ScopeRegion})
				in.Recipient = "RILO-AP"
				in.Agreements = append(in.Agreements, Agreement{ID: "hk-rilo-ap-mou", Title: "Memorandum between Hong Kong and RILO Asia/Pacific",
					Kind: KindArrangement, Parties: []Party{{Code: "HK"}, {Code: "RILO-AP"}}, InForce: Year(2005),
					Scope: Scope{PersonalData: true, Assumed: true}, Modes: Modes{Spontaneous: true}})
			},
			allowed: true, basis: "agreement:hk-rilo-ap-mou",
		},
		{
			name: "no directory: blocs do not count",
			mod: func(tb testing.TB, in *Input) {
				in.Directory = nil
				in.Recipient = "DE"
				in.Record.Distribution.Recipients = []string{"DE"}
			},
			failed:   []string{RuleAgreement},
			contains: []string{"No agreement in force links HK and DE on 14 October 2026, and WCO regions are not known to this node."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Record: MustSeizure(t), Sender: "HK", Recipient: "JP", On: day,
				Agreements: Seed("HK"), Directory: fakeDir{}}
			if tt.mod != nil {
				tt.mod(t, &in)
			}
			got := Decide(in)
			if got.Allowed != tt.allowed {
				t.Errorf("allowed = %v, want %v; reasons:\n%s", got.Allowed, tt.allowed, dump(got))
			}
			if b := basisKey(got.Basis); b != tt.basis {
				t.Errorf("basis = %q, want %q", b, tt.basis)
			}
			if got.Basis != nil && got.Basis.Via != tt.via {
				t.Errorf("via = %q, want %q", got.Basis.Via, tt.via)
			}
			var failed []string
			for _, r := range got.Failed() {
				if !slices.Contains(failed, r.Rule) {
					failed = append(failed, r.Rule)
				}
			}
			if !slices.Equal(failed, tt.failed) {
				t.Errorf("failed rules = %v, want %v; reasons:\n%s", failed, tt.failed, dump(got))
			}
			for _, want := range tt.contains {
				if !slices.ContainsFunc(got.Reasons, func(r Reason) bool { return strings.Contains(r.Text, want) }) {
					t.Errorf("no reason contains %q; reasons:\n%s", want, dump(got))
				}
			}
			checkSentences(t, got)
		})
	}
}

func basisKey(b *Basis) string {
	switch {
	case b == nil:
		return ""
	case b.Kind == BasisRegion:
		return "region:" + b.Region
	}
	return b.Kind + ":" + b.Agreement
}

func dump(d Decision) string {
	var b strings.Builder
	for _, r := range d.Reasons {
		mark := "met   "
		if !r.Met {
			mark = "FAILED"
		}
		b.WriteString("  " + mark + " " + r.Rule + ": " + r.Text + "\n")
	}
	return b.String()
}

// checkSentences asserts that every reason reads as a sentence.
func checkSentences(tb testing.TB, d Decision) {
	tb.Helper()
	for _, r := range d.Reasons {
		if r.Rule == "" || r.Text == "" {
			tb.Errorf("reason without rule or text: %+v", r)
			continue
		}
		if first := r.Text[:1]; strings.ToUpper(first) != first || !strings.HasSuffix(r.Text, ".") {
			tb.Errorf("reason %q is not a sentence", r.Text)
		}
	}
}

func TestDecideReportsEveryRule(t *testing.T) {
	in := Input{Record: MustSeizure(t), Sender: "HK", Recipient: "JP", On: MustDay(t, "2026-10-14"),
		Agreements: Seed("HK"), Directory: fakeDir{}}
	got := Decide(in)
	var rules []string
	for _, r := range got.Reasons {
		rules = append(rules, r.Rule)
	}
	want := []string{RuleRecord, RuleAgreement, RuleScopeKind, RuleScopePersons, RuleMode,
		RuleDistribution, RuleHandling, RuleConsent, RuleConditions}
	if !slices.Equal(rules, want) {
		t.Errorf("rules = %v, want %v", rules, want)
	}
}

func TestDecideRefusesIncompleteInput(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Input)
		want string
	}{
		{"no record", func(in *Input) { in.Record = nil }, "There is no record to share."},
		{"no recipient", func(in *Input) { in.Recipient = "" }, "must be named"},
		{"to itself", func(in *Input) { in.Recipient = "HK" }, "Hong Kong cannot share a record with itself."},
		{"no date", func(in *Input) { in.On = time.Time{} }, "The date of sharing is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Record: MustSeizure(t), Sender: "HK", Recipient: "JP", On: MustDay(t, "2026-10-14"),
				Agreements: Seed("HK"), Directory: fakeDir{}}
			tt.mod(&in)
			got := Decide(in)
			if got.Allowed || got.Basis != nil {
				t.Fatalf("allowed incomplete input: %+v", got)
			}
			if len(got.Reasons) != 1 || got.Reasons[0].Met || !strings.Contains(got.Reasons[0].Text, tt.want) {
				t.Errorf("reasons = %+v, want one failed reason containing %q", got.Reasons, tt.want)
			}
		})
	}
}

func TestDecisionJSON(t *testing.T) {
	tests := []struct {
		name      string
		recipient string
		basis     string
	}{
		{"allowed", "JP", `"basis":{"kind":"agreement","agreement":"hk-jp-arrangement","title":"Customs Cooperative Arrangement between Hong Kong Customs and Japan Customs"}`},
		{"refused", "BR", `"basis":null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MustSeizure(t)
			r.Distribution.Recipients = []string{tt.recipient}
			got := Decide(Input{Record: r, Sender: "HK", Recipient: tt.recipient, On: MustDay(t, "2026-10-14"),
				Agreements: Seed("HK"), Directory: fakeDir{}})
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			for _, want := range []string{`"allowed":`, tt.basis, `"reasons":[{"rule":"record","met":true,"text":"The record is active."}`} {
				if !strings.Contains(s, want) {
					t.Errorf("json %s lacks %s", s, want)
				}
			}
		})
	}
}

func TestDecideDoesNotChangeInput(t *testing.T) {
	in := Input{Record: MustSeizure(t), Sender: "HK", Recipient: "JP", On: MustDay(t, "2026-10-14"),
		Agreements: Seed("HK"), Directory: fakeDir{}}
	before, _ := json.Marshal(in.Agreements)
	rec, _ := json.Marshal(in.Record)
	Decide(in)
	after, _ := json.Marshal(in.Agreements)
	rec2, _ := json.Marshal(in.Record)
	if string(before) != string(after) || string(rec) != string(rec2) {
		t.Error("Decide changed its input")
	}
}

func BenchmarkDecide(b *testing.B) {
	in := Input{Record: MustSeizure(b), Sender: "HK", Recipient: "DE", On: MustDay(b, "2026-10-14"),
		Agreements: Seed("HK"), Directory: fakeDir{}}
	in.Record.Distribution.Recipients = []string{"DE"}
	for b.Loop() {
		if !Decide(in).Allowed {
			b.Fatal("refused")
		}
	}
}

func TestSprintfAsFmt(t *testing.T) {
	cases := []struct {
		format string
		args   []any
	}{
		{"The record is active.", nil},
		{"100%% of it", nil},
		{"%d days", nil},
		{"%s", []any{"a sentence"}},
		{"%s", []any{42}},
		{"%s", []any{"one", "two"}},
		{"%s covers %s.", []any{"It", "seizures"}},
		{"", nil},
	}
	for _, c := range cases {
		if got, want := sprintf(c.format, c.args...), fmt.Sprintf(c.format, c.args...); got != want {
			t.Errorf("sprintf(%q, %v) = %q, want %q", c.format, c.args, got, want)
		}
	}
}

// BenchmarkDecider is the federation's hot path: one Decider for a sender,
// recipient and day, and a decision per record received.
func BenchmarkDecider(b *testing.B) {
	in := Input{Record: MustSeizure(b), Sender: "HK", Recipient: "DE", On: MustDay(b, "2026-10-14"),
		Agreements: Seed("HK"), Directory: fakeDir{}}
	in.Record.Distribution.Recipients = []string{"DE"}
	p := NewDecider(in)
	for b.Loop() {
		if !p.Decide(in.Record).Allowed {
			b.Fatal("refused")
		}
	}
}
