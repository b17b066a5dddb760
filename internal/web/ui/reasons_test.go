package ui

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/match"
	"liaison/internal/sharing"
)

// holdFormats checks the catalogue's entries under key for formats, made
// by another package: English maps each format to itself, every language
// has it with the format's verbs in the same order (so that its arguments
// land in place), and no entry under key is of a format no longer made. A
// format changed or added where it is made, without its translation,
// fails here.
func holdFormats(t *testing.T, c *catalogue, key string, formats []string) {
	t.Helper()
	made := map[string]bool{}
	for _, f := range formats {
		made[f] = true
		k := key + f
		if v, ok := c.msgs["en"][k]; !ok || v != f {
			t.Errorf("English %q is %q, want the format itself", k, v)
		}
		want := strings.Join(verbRE.FindAllString(f, -1), " ")
		for _, lang := range languages {
			v := c.msgs[lang][k]
			if v == "" {
				t.Errorf("%s has no wording of %q", lang, k)
				continue
			}
			if got := strings.Join(verbRE.FindAllString(v, -1), " "); got != want {
				t.Errorf("%s %q has verbs %q, the format %q", lang, v, got, want)
			}
		}
	}
	for k := range c.msgs["en"] {
		if f, ok := strings.CutPrefix(k, key); ok && !made[f] {
			t.Errorf("the catalogue words %q, which is no longer made", k)
		}
	}
}

// TestReasonTranslationsHoldTheirFormats holds the catalogue's wordings of
// the reasons of sharing decisions, of the phrases their arguments are made
// of, of the reasons of matches, of validation's warnings, of the summaries
// of partners' bases, of the reasons the audit chain fails verification
// (with the errors of its digests), of refusals and of the errors of
// delivery attempts (with why an answer does not verify and why a peer's
// inbox took no batch) to the formats the code makes them of.
func TestReasonTranslationsHoldTheirFormats(t *testing.T) {
	c := MustCatalogue(t)
	holdFormats(t, c, reasonKey, append(agreement.ReasonFormats(), peerReasonFormats...))
	holdFormats(t, c, phraseKey, agreement.PhraseFormats())
	holdFormats(t, c, matchKey, match.ReasonFormats())
	holdFormats(t, c, romanisationKey, match.RomanisationNames())
	holdFormats(t, c, warningKey, warningFormats)
	holdFormats(t, c, partnerKey, sharing.SummaryFormats())
	holdFormats(t, c, auditKey, auditReasonFormats())
	holdFormats(t, c, digestKey, audit.DigestFormats())
	holdFormats(t, c, refusalKey, refusalFormats())
	holdFormats(t, c, deliveryKey, federation.DeliveryErrorFormats())
	holdFormats(t, c, answerKey, envelope.AnswerFormats())
	holdFormats(t, c, batchKey, federation.BatchErrorFormats())
	if n := len(sharing.SummaryFormats()) + len(audit.ReasonFormats()); n < 20 {
		t.Errorf("%d formats of partners' summaries and audit reasons, want every one (at least 20)", n)
	}
	if n := len(federation.RefusalFormats()) + len(federation.DeliveryErrorFormats()); n < 30 {
		t.Errorf("%d formats of refusals and delivery errors, want every one (at least 30)", n)
	}
	if n := len(envelope.AnswerFormats()) + len(federation.BatchErrorFormats()); n < 12 {
		t.Errorf("%d formats of answers that do not verify and of batches not taken, want every one (at least 12)", n)
	}
	if n := len(agreement.ReasonFormats()); n < 50 {
		t.Errorf("%d reason formats, want every sentence of Decide (at least 50)", n)
	}
	// The formats made outside agreement and match are spelled in their
	// code as Go strings.
	for dir, formats := range map[string][]string{"../../federation": peerReasonFormats, "../../intel": warningFormats} {
		src := sourceOf(t, dir)
		for _, f := range formats {
			if !strings.Contains(src, strconvQuote(f)) {
				t.Errorf("%s does not make %s: the translation is of a message no longer made", dir, strconvQuote(f))
			}
		}
	}
}

// sourceOf returns the Go source of a directory, tests left out.
func sourceOf(t *testing.T, dir string) string {
	t.Helper()
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		data, err := os.ReadFile(dir + "/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// enumLists are validation's lists of allowed values, by name.
var enumLists = map[string]func() []string{
	"Statuses": intel.Statuses, "Scopes": intel.Scopes, "Directions": intel.Directions, "RouteRoles": intel.RouteRoles,
	"PartyTypes": intel.PartyTypes, "DocumentTypes": intel.DocumentTypes, "SuggestedActions": intel.SuggestedActions,
	"FeedbackResults": intel.FeedbackResults, "Urgencies": intel.Urgencies, "RequestStates": intel.RequestStates,
	"ResponseOutcomes": intel.ResponseOutcomes,
}

// TestLabelTranslations reads validation's source for the labels it gives
// fields in its messages (the third argument of its checks, and the fields
// only persons carry) and checks each has a wording in every language,
// that the catalogue words no other, and that every enumeration whose
// values are words has a label for each value.
func TestLabelTranslations(t *testing.T) {
	c := MustCatalogue(t)
	fs := token.NewFileSet()
	f, err := parser.ParseFile(fs, "../../intel/validate.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]bool{"required": true, "requiredText": true, "text": true, "item": true, "enum": true,
		"country": true, "code": true, "date": true, "id": true}
	labels := map[string]bool{}
	enums := map[string]string{} // label -> list of allowed values
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !checks[sel.Sel.Name] || len(call.Args) < 3 {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "v" {
			return true
		}
		lit, ok := call.Args[2].(*ast.BasicLit)
		if !ok {
			return true // a check handing its label on
		}
		label, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		labels[label] = true
		if sel.Sel.Name == "enum" && len(call.Args) == 6 {
			if list, ok := call.Args[5].(*ast.CallExpr); ok {
				if id, ok := list.Fun.(*ast.Ident); ok {
					enums[label] = id.Name
				}
			}
		}
		return true
	})
	if len(labels) < 50 {
		t.Fatalf("found %d labels in validation: the search no longer sees them", len(labels))
	}
	src := sourceOf(t, "../../intel")
	for _, name := range []string{"birth_date", "nationality", "gender", "document"} {
		if !strings.Contains(src, `{"`+name+`", `) {
			t.Errorf("validation no longer names %q as a field only persons carry", name)
		}
		labels[name] = true
	}
	for label := range labels {
		for _, lang := range languages {
			if c.msgs[lang][labelKey+label] == "" {
				t.Errorf("%s has no wording of the label %q", lang, label)
			}
		}
		if c.msgs["en"][labelKey+label] != label {
			t.Errorf("English words the label %q as %q", label, c.msgs["en"][labelKey+label])
		}
	}
	for k := range c.msgs["en"] {
		if label, ok := strings.CutPrefix(k, labelKey); ok && !labels[label] {
			t.Errorf("the catalogue words the label %q, which validation no longer gives", label)
		}
	}
	for label, list := range enums {
		group, worded := labelEnums[label]
		values, known := enumLists[list]
		switch {
		case list == "GradingSources" || list == "GradingInformation" || list == "HandlingCodes":
			// Codes, shown as they are.
		case !known:
			t.Errorf("the values of %q come from %s, which this test does not know", label, list)
		case !worded:
			t.Errorf("labelEnums lacks %q, whose values (%s) have labels", label, list)
		default:
			for _, v := range values() {
				if _, ok := c.msgs["fr"]["enum."+group+"."+v]; !ok {
					t.Errorf("%s: the value %q has no label enum.%s.%s", label, v, group, v)
				}
			}
		}
	}
	for label := range labelEnums {
		if _, ok := enums[label]; !ok {
			t.Errorf("labelEnums names %q, which no enumeration of validation is labelled", label)
		}
	}
}

// TestPatternMatch checks that the arguments of a text are recovered from
// its format, with a literal that also occurs in an argument, quoted and
// numeric arguments, and that formats no text can be matched for are
// refused.
func TestPatternMatch(t *testing.T) {
	known := func(s string) bool { return s == "Trinidad and Tobago" || s == "Japan" || s == "Hong Kong, China" }
	tests := []struct {
		format, text string
		want         []any // nil: no match
	}{
		{"%s and %s.", "Japan and Trinidad and Tobago.", []any{"Japan", "Trinidad and Tobago"}},
		{"%s and %s.", "Trinidad and Tobago and Japan.", []any{"Trinidad and Tobago", "Japan"}},
		{"%s and %s.", "a and b and c.", []any{"a", "b and c"}},
		{"links %s, %s.", "links Hong Kong, China, Japan.", []any{"Hong Kong, China", "Japan"}},
		{"kept %d days from %s", "kept 365 days from 1 May 2020", []any{365, "1 May 2020"}},
		{"kept %d days", "kept many days", nil},
		{"code %q is not known", `code "H9\"" is not known`, []any{`H9"`}},
		{"code %q is not known", `code H9 is not known`, nil},
		{"The record is active.", "The record is active.", []any{}},
		{"The record is active.", "The record is active", nil},
		{"%s covers %s.", "The arrangement covers warnings.", []any{"The arrangement", "warnings"}},
		{"%s covers %s.", "covers.", nil},
		{"100%% of %s", "100% of it", []any{"it"}},
	}
	for _, tt := range tests {
		p, err := newPattern(tt.format)
		if err != nil {
			t.Fatalf("%q: %v", tt.format, err)
		}
		got, ok := p.match(tt.text, known)
		if ok != (tt.want != nil) || ok && len(got)+len(tt.want) > 0 && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q on %q: %#v %v, want %#v", tt.format, tt.text, got, ok, tt.want)
		}
	}
	for _, f := range []string{"%s%s", "%5d days", "%x", "50%"} {
		if _, err := newPattern(f); err == nil {
			t.Errorf("newPattern(%q) accepted a format no text can be matched for", f)
		}
	}
}

// decisionInputs are varied inputs of Decide over the real directory: the
// seed agreements and agreements of every kind and state, records of every
// kind, handling code and distribution, consents, with administrations,
// blocs and RILOs as recipients.
func decisionInputs(tb testing.TB, dir *directory.Directory) []agreement.Input {
	tb.Helper()
	r := rand.New(rand.NewPCG(20261014, 7))
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	on := time.Date(2026, 10, 14, 0, 0, 0, 0, time.UTC)
	codes := []string{"HK", "JP", "FR", "DE", "KR", "TT", "AG", "US", "RILO-AP", "RILO-WE", "RILO-NAME"}
	dates := []agreement.Date{{}, agreement.Year(1999), agreement.YearMonth(2003, time.March), agreement.Day(2011, time.May, 1),
		agreement.Day(2030, time.January, 1)}
	var out []agreement.Input
	for i := range 600 {
		sender, recipient := pick(codes...), pick(codes...)
		as := agreement.Seed("HK")
		for j := range r.IntN(4) {
			a := agreement.Agreement{ID: fmt.Sprintf("ag-%d", j), Kind: agreement.Kinds[r.IntN(3)],
				Title:   pick("", "Mutual Assistance Agreement", "the Nairobi Convention"),
				Parties: []agreement.Party{{Code: sender}, {Code: pick(recipient, "EU", "KR")}},
				Signed:  dates[r.IntN(len(dates))], InForce: dates[r.IntN(len(dates))],
				Scope: agreement.Scope{PersonalData: r.IntN(2) == 0, Assumed: r.IntN(3) == 0,
					Kinds: []intel.Kind{intel.KindSeizure, intel.KindAlert}[:r.IntN(3)]},
				Modes: agreement.Modes{OnRequest: r.IntN(3) > 0, Spontaneous: r.IntN(3) > 0, Assumed: r.IntN(3) == 0},
				Conditions: agreement.Conditions{PurposeLimitation: pick("", "customs offences."), EvidenceNeedsConsent: r.IntN(2) == 0,
					OnwardNeedsConsent: r.IntN(2) == 0, RetentionDays: r.IntN(2) * 365, Assumed: r.IntN(3) == 0}}
			if r.IntN(5) == 0 {
				a.Terminated = agreement.Day(2020, time.June, 30)
			}
			if a.Parties[1].Code == "EU" {
				a.Parties[1].Bloc = true
			}
			as = append(as, a)
		}
		kind := intel.Kinds[r.IntN(len(intel.Kinds))]
		rec := &intel.Record{ID: "01JABCDEFGHJKMNPQRSTVWXYZ0", Kind: kind, Originator: pick(sender, sender, "JP", ""),
			Status:   []intel.Status{intel.StatusActive, intel.StatusActive, intel.StatusRetracted}[r.IntN(3)],
			Handling: intel.Handling{Code: pick("H0", "H1", "H2", "H3", "", "H9"), Conditions: pick("", "not for use in court")},
			Distribution: intel.Distribution{Scope: pick(intel.ScopeBilateral, intel.ScopeOriginator, intel.ScopeRegion,
				intel.ScopeOperation, intel.ScopeWCO, "", "everyone"),
				Recipients: []string{recipient, "TT", "AG", "HK"}[:r.IntN(5)], Region: pick("", "AP", "EUR"), Operation: pick("", "OP-7")}}
		switch r.IntN(3) {
		case 0:
			rec.Retention = &intel.Retention{Until: pick("2001-01-01", "2030-12-31", "garbage")}
		case 1:
			created := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			rec.Created, rec.Retention = &created, &intel.Retention{Days: pick2(r, 30, 5000)}
		}
		parties := []intel.Party{{Type: "person", Name: "Chan Tai Man"}, {Type: "person", Name: "Lee"},
			{Type: "organisation", Name: "Golden Harvest", Phones: []string{"+85221234567"}}}[:r.IntN(4)]
		switch kind {
		case intel.KindSeizure:
			rec.Seizure = &intel.Seizure{Parties: parties, Conveyance: &intel.Conveyance{Vehicle: pick("", "AB 1234")}}
		case intel.KindWarning:
			rec.Warning = &intel.Warning{Targets: parties}
		case intel.KindRequest:
			rec.Request = &intel.Request{Parties: parties}
		}
		var consents []agreement.Consent
		if r.IntN(2) == 0 {
			consents = append(consents, agreement.Consent{Record: rec.ID, Originator: rec.Originator,
				Recipient: pick(recipient, agreement.AnyRecipient), Given: on.AddDate(0, 0, -10), By: "liaison1",
				Reference: pick("", "JP-2026-0042")})
		}
		in := agreement.Input{Record: rec, Sender: sender, Recipient: recipient, On: on, Agreements: as,
			Consents: consents, Mode: []agreement.Mode{"", agreement.ModeOnRequest}[r.IntN(2)]}
		if i%10 > 0 {
			in.Directory = dir
		}
		out = append(out, in)
	}
	return out
}

func pick2(r *rand.Rand, a, b int) int {
	if r.IntN(2) == 0 {
		return a
	}
	return b
}

// TestStoredReasonsWordedAsFresh decides many varied inputs and checks
// that every reason, read back from its JSON as storage gives it (its text
// alone), is recovered to the format and arguments it was made of, and so
// is worded in French and Chinese exactly as the fresh reason is; that no
// wording is English or shows a formatting error; and that a reason of no
// known format is shown as it is.
func TestStoredReasonsWordedAsFresh(t *testing.T) {
	c := MustCatalogue(t)
	dir, err := directory.Load()
	if err != nil {
		t.Fatal(err)
	}
	fr, zh := c.locale("fr"), c.locale("zh-Hant")
	seen := map[string]bool{}
	for i, in := range decisionInputs(t, dir) {
		d := agreement.Decide(in)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var stored agreement.Decision
		if err := json.Unmarshal(b, &stored); err != nil {
			t.Fatal(err)
		}
		for k, fresh := range d.Reasons {
			seen[fresh.Format] = true
			back := stored.Reasons[k]
			p, args := fr.recover(c.book.decisions, back.Text)
			if p == nil || p.format != fresh.Format || fmt.Sprint(args) != fmt.Sprint(fresh.Args) {
				t.Fatalf("input %d: %q read back as %v %q, made of %q %q", i, back.Text, p != nil, args, fresh.Format, fresh.Args)
			}
			for _, l := range []*Locale{fr, zh} {
				got, want := l.Reason(back), l.Reason(fresh)
				if got != want {
					t.Fatalf("input %d, %s: %q read back is worded %q, fresh %q", i, l.Lang, fresh.Text, got, want)
				}
				if got == fresh.Text || strings.Contains(got, "%!") {
					t.Fatalf("input %d, %s: %q worded %q", i, l.Lang, fresh.Text, got)
				}
			}
		}
	}
	if len(seen) < 60 {
		t.Errorf("the inputs made %d of the %d reason formats", len(seen), len(agreement.ReasonFormats()))
	}
	peer := agreement.Reason{Rule: "peer", Text: "Japan refused: it holds no agreement with you."}
	if got := fr.Reason(peer); got != peer.Text {
		t.Errorf("a reason of no known format is worded %q", got)
	}
}

// TestReasonWords checks how the arguments of reasons are worded: phrases
// capitalised or not, lists of kinds and of names whose names hold the
// separators, conditions, personal data, dates and untitled agreements.
func TestReasonWords(t *testing.T) {
	c := MustCatalogue(t)
	fr, zh := c.locale("fr"), c.locale("zh-Hant")
	tests := []struct {
		l          *Locale
		text, want string
	}{
		{fr, "The arrangement covers only seizure reports and intelligence alerts, not warnings.",
			"L'arrangement ne couvre que les fiches de saisie et les alertes de renseignement, et non les avertissements."},
		{zh, "The convention covers only seizure reports and intelligence alerts, not warnings.", "該公約只涵蓋檢獲記錄及情報通報，不涵蓋警示。"},
		{fr, "The agreement ag-1 is not in force on 14 October 2026.", "L'accord ag-1 n'est pas en vigueur le 14 oct. 2026."},
		{zh, "The Nairobi Convention was terminated on 30 June 2020 and is no longer in force on 1 October 2026.",
			"《Nairobi Convention》已於2020年6月30日終止，於2026年10月1日不再有效。"},
		{fr, "Distribution is bilateral to Trinidad and Tobago, Antigua and Barbuda and Hong Kong, China; Japan is not a named recipient.",
			"La diffusion est bilatérale, à destination de Trinidad and Tobago, Antigua and Barbuda et Hong Kong, China ; Japan n'est pas un destinataire désigné."},
		{fr, "The record carries personal data (2 named persons, 1 party with personal identifiers or contact details), which the agreement allows.",
			"La fiche contient des données personnelles (2 personnes nommément désignées, 1 partie portant des identifiants personnels ou des coordonnées), que l'accord admet."},
		{zh, "Conditions of the arrangement: use is limited to customs offences; the recipient may keep it for at most 365 days.",
			"該安排的條件：用途限於：customs offences；收件方最多可保存 365 日。"},
		{fr, "Conditions of the agreement: use is limited to customs offences; fiscal offences; use as evidence needs the originator's consent.",
			"Conditions de l'accord : l'utilisation est limitée aux fins suivantes : customs offences; fiscal offences ; l'utilisation comme preuve requiert le consentement de l'administration d'origine."},
		{zh, "Distribution is limited to the WCO Asia/Pacific region; RILO Western Europe serves the Europe region.",
			"分發範圍只限世界海關組織亞太區；西歐區域情報聯絡中心服務歐洲區。"},
	}
	for _, tt := range tests {
		if got := tt.l.Reason(agreement.Reason{Text: tt.text}); got != tt.want {
			t.Errorf("%s %q:\n got %q\nwant %q", tt.l.Lang, tt.text, got, tt.want)
		}
	}
}

// TestMatchReasonWords checks the reasons of matches in French and
// Chinese, and that English and an unknown reason stay as they are.
func TestMatchReasonWords(t *testing.T) {
	c := MustCatalogue(t)
	tests := []struct {
		lang, text, want string
	}{
		{"fr", `name "Chan Tai Man" matches "陳大文" (Hong Kong romanisation), 0.96`, `le nom "Chan Tai Man" correspond à "陳大文" (romanisation de Hong Kong), 0.96`},
		{"zh-Hant", "same birth date 1975-03-02", "出生日期相同：1975-03-02"},
		{"zh-Hant", "birth date differs: 1975-03-02 vs 1975-03-04", "出生日期不同：1975-03-02 對 1975-03-04"},
		{"fr", "same container CSQU3054383", "même conteneur CSQU3054383"},
		{"fr", "same name \"Golden Harvest, \\\"Ltd\\\"\"", "même nom \"Golden Harvest, \\\"Ltd\\\"\""},
		{"fr", "name transliterated from Han characters", "name transliterated from Han characters"},
		{"en", "same birth date 1975-03-02", "same birth date 1975-03-02"},
	}
	for _, tt := range tests {
		if got := c.locale(tt.lang).MatchReason(tt.text); got != tt.want {
			t.Errorf("%s %q: %q, want %q", tt.lang, tt.text, got, tt.want)
		}
	}
}

// TestFaultLabelsWorded checks that a validation message names its field by
// the label in the page's language, lists the values of an enumeration by
// their labels, words a kind of record, and words the refusing reasons of a
// request's decision, while English stays the message itself.
func TestFaultLabelsWorded(t *testing.T) {
	c := MustCatalogue(t)
	refused := failedReasons{{Rule: agreement.RuleDistribution, Text: "Distribution is bilateral to Japan; France is not a named recipient.",
		Format: "Distribution is bilateral to %s; %s is not a named recipient.", Args: []any{"Japan", "France"}}}
	tests := []struct {
		lang string
		err  *fault.Error
		want string
	}{
		{"fr", fault.Field("seizure.parties[0].name", "%s is required", "name"), "le nom est obligatoire"},
		{"zh-Hant", fault.Field("seizure.parties[0].birth_date", "%s %q is before 1900", "birth date", "1899-01-01"), `出生日期 "1899-01-01" 早於 1900 年`},
		{"fr", fault.Field("seizure.parties[0].type", "%s is required: one of %s", "party type", "person, organisation"),
			"le type de partie est obligatoire : l'une des valeurs personne, organisation"},
		{"zh-Hant", fault.Field("seizure.direction", "%s %q must be one of %s", "direction", "sideways", "import, export, transit, domestic"),
			`方向 "sideways" 必須是以下之一：進口、出口、轉運、本地`},
		{"fr", fault.Field("handling.code", "%s is required: one of %s", "handling code", "H0, H1, H2, H3"),
			"le code de traitement est obligatoire : l'une des valeurs H0, H1, H2, H3"},
		{"fr", fault.E(fault.Invalid, "record %s is a %s, not a request", "01J", intel.KindAlert), "la fiche 01J est une fiche d'alerte, pas une demande"},
		{"fr", fault.Field("request.requested", "this request may not be sent to %s: %s", "FR", refused),
			"cette demande ne peut pas être envoyée à FR : La diffusion est bilatérale, à destination de Japan ; France n'est pas un destinataire désigné."},
		{"en", fault.Field("seizure.parties[0].type", "%s is required: one of %s", "party type", "person, organisation"),
			"party type is required: one of person, organisation"},
		{"en", fault.Field("request.requested", "this request may not be sent to %s: %s", "FR", refused),
			"this request may not be sent to FR: Distribution is bilateral to Japan; France is not a named recipient."},
	}
	for _, tt := range tests {
		if got := c.locale(tt.lang).Fault(tt.err); got != tt.want {
			t.Errorf("%s %q:\n got %q\nwant %q", tt.lang, tt.err.Message, got, tt.want)
		}
	}
	w := intel.FieldWarning{Field: "seizure.conveyance.vessel_imo",
		Message: `IMO number "9074728" has check digit 8, expected 9; the record is accepted, but check the number`}
	if got, want := c.locale("fr").Warning(w), `le numéro OMI "9074728" a le chiffre de contrôle 8, 9 attendu ; la fiche est acceptée, mais vérifiez le numéro`; got != want {
		t.Errorf("warning in French: %q, want %q", got, want)
	}
}

// BenchmarkReasonReadBack words in French the reasons of decisions read
// back from storage, whose formats are recovered from their text, as the
// record page does for the decision stored with each delivery.
func BenchmarkReasonReadBack(b *testing.B) {
	c := MustCatalogue(b)
	dir, err := directory.Load()
	if err != nil {
		b.Fatal(err)
	}
	var stored []agreement.Reason
	for _, in := range decisionInputs(b, dir)[:100] {
		data, err := json.Marshal(agreement.Decide(in))
		if err != nil {
			b.Fatal(err)
		}
		var d agreement.Decision
		if err := json.Unmarshal(data, &d); err != nil {
			b.Fatal(err)
		}
		stored = append(stored, d.Reasons...)
	}
	fr := c.locale("fr")
	for b.Loop() {
		for _, r := range stored {
			fr.Reason(r)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(stored)), "ns/reason")
}

// TestSummariesAndAuditReasonsWorded words every format of partners'
// summaries and of audit reasons in French and Chinese, from the format and
// arguments the text was made of and from the text alone, and checks that
// both give the same wording, which is no longer the English, shows no
// formatting error and words the names and the error of the digests in
// it; English and a text of no known format stay as they are.
func TestSummariesAndAuditReasonsWorded(t *testing.T) {
	c := MustCatalogue(t)
	fr, zh, en := c.locale("fr"), c.locale("zh-Hant"), c.locale("en")
	_, digestErr := audit.ParseDigests("1:xyz")
	if digestErr == nil {
		t.Fatal("ParseDigests accepted 1:xyz")
	}
	type text struct {
		format string
		args   []any
	}
	var summaries, reasons []text
	for _, f := range sharing.SummaryFormats() {
		args := []any{`Customs Cooperation Agreement "CCA"`, "France", "European Union"}
		if strings.HasPrefix(f, "through") {
			args = []any{"Asia/Pacific", "RILO Asia/Pacific"}
		}
		summaries = append(summaries, text{f, args[:len(formatVerbs(f))]})
	}
	for _, f := range auditReasonFormats() {
		var args []any
		for _, v := range formatVerbs(f) {
			switch v {
			case 'd':
				args = append(args, 12)
			case 'v':
				args = append(args, digestErr)
			default:
				args = append(args, "01JABCDEFGHJKMNPQRSTVWXYZ0")
			}
		}
		reasons = append(reasons, text{f, args})
	}
	for _, l := range []*Locale{fr, zh} {
		for _, s := range summaries {
			english := fmt.Sprintf(s.format, s.args...)
			fresh := l.PartnerSummary(sharing.Partner{Summary: english, SummaryFormat: s.format, SummaryArgs: s.args})
			back := l.PartnerSummary(sharing.Partner{Summary: english})
			if fresh != back || fresh == english || strings.Contains(fresh, "%!") {
				t.Errorf("%s %q: worded %q, from its text alone %q", l.Lang, english, fresh, back)
			}
			if strings.Contains(fresh, "European Union") || strings.Contains(fresh, "Asia/Pacific region") {
				t.Errorf("%s %q: the names are not worded: %q", l.Lang, english, fresh)
			}
		}
		for _, r := range reasons {
			english := fmt.Sprintf(r.format, r.args...)
			fresh, back := l.AuditReason(r.format, r.args, english), l.AuditReason("", nil, english)
			if fresh != back || fresh == english || strings.Contains(fresh, "%!") {
				t.Errorf("%s %q: worded %q, from its text alone %q", l.Lang, english, fresh, back)
			}
			if strings.Contains(fresh, "lower-case") {
				t.Errorf("%s %q: the error of the digests is not worded: %q", l.Lang, english, fresh)
			}
		}
	}
	if got, want := fr.AuditReason("", nil, "the chain is on fire"), "the chain is on fire"; got != want {
		t.Errorf("a reason of no known format is worded %q", got)
	}
	if got, want := fr.PartnerSummary(sharing.Partner{Summary: `under the treaty "T"`}), `under the treaty "T"`; got != want {
		t.Errorf("a summary of no known format is worded %q", got)
	}
	r := reasons[0]
	if english := fmt.Sprintf(r.format, r.args...); en.AuditReason(r.format, r.args, english) != english {
		t.Errorf("the English page words %q otherwise", english)
	}
	for _, tt := range []struct {
		got, want string
	}{
		{fr.PartnerSummary(sharing.Partner{Summary: "through membership of the WCO Asia/Pacific region, which RILO Asia/Pacific serves (non-personal data only)"}),
			"au titre de l'appartenance à la région OMD Asie/Pacifique, que dessert BRLR Asie/Pacifique (données non personnelles uniquement)"},
		{zh.PartnerSummary(sharing.Partner{Summary: `under the convention "Nairobi", Japan being covered as a member of European Union`}),
			`根據公約 "Nairobi"；Japan以歐洲聯盟成員身分受其涵蓋`},
		{zh.AuditReason("", nil, `body digests of record 01J do not parse: digest "2:ab": version "2x" is not a positive number`),
			`記錄 01J 的內容雜湊值無法解讀：雜湊值 "2:ab"：版本 "2x" 不是正數`},
		{fr.AuditReason("", nil, "expected entry 4, found 6 (an entry is missing or out of order)"),
			"entrée 4 attendue, entrée 6 trouvée (une entrée manque ou n'est pas à sa place)"},
	} {
		if tt.got != tt.want {
			t.Errorf("worded %q, want %q", tt.got, tt.want)
		}
	}
}
