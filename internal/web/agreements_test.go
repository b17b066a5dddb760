package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"liaison/internal/agreement"
	"liaison/internal/intel"
	"liaison/internal/sharing"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// MustSeeded starts node HK with the seed agreements stored, as
// `liaison init --node HK` leaves it.
func MustSeeded(tb testing.TB) *node {
	tb.Helper()
	n := MustNode(tb)
	if _, err := n.sharing.Seed(context.Background(), "system"); err != nil {
		tb.Fatalf("seed agreements: %v", err)
	}
	return n
}

// auditActions counts the audit entries of each action.
func (n *node) auditActions(tb testing.TB) map[string]int {
	tb.Helper()
	out := map[string]int{}
	for _, e := range storetest.MustVerifyAudit(tb, n.store) {
		out[e.Action]++
	}
	return out
}

// wantError fails unless r is an error of status naming field ("" for
// none in particular).
func wantError(tb testing.TB, r response, status int, field string) {
	tb.Helper()
	want(tb, r, status)
	e := r.apiError(tb)
	if field != "" && e.Error.Field != field {
		tb.Fatalf("error %+v names field %q, want %q", e.Error, e.Error.Field, field)
	}
}

type agreementsBody struct {
	Agreements []agreement.Agreement `json:"agreements"`
}

func TestListAgreements(t *testing.T) {
	n := MustSeeded(t)
	tests := []struct {
		query string
		want  int
	}{
		{"", 31},
		{"?party=HK", 31},
		{"?party=jp", 1},
		{"?party=DE", 1},
		{"?party=FR", 2},
		{"?party=EU", 1},
		{"?party=BR", 0},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := n.do(t, store.RoleAuditor, "GET", "/api/v1/agreements"+tc.query, nil)
			want(t, r, http.StatusOK)
			var body agreementsBody
			r.json(t, &body)
			if len(body.Agreements) != tc.want || body.Agreements == nil {
				t.Errorf("%d agreements, want %d: %s", len(body.Agreements), tc.want, r.body)
			}
		})
	}
	r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/agreements?party=HK", nil)
	var hk agreementsBody
	r.json(t, &hk)
	var arrangements, binding int
	for _, a := range hk.Agreements {
		switch {
		case a.Kind == agreement.KindArrangement && !a.Binding:
			arrangements++
		case a.Kind == agreement.KindAgreement && a.Binding && a.Signed.String() == "1999":
			binding++
		}
	}
	if arrangements != 30 || binding != 1 {
		t.Errorf("HK lists %d arrangements and %d binding agreements of 1999, want 30 and 1", arrangements, binding)
	}
	wantError(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/agreements?party=XX", nil), http.StatusBadRequest, "party")
	want(t, n.do(t, "", "GET", "/api/v1/agreements", nil), http.StatusUnauthorized)
}

func TestGetAgreement(t *testing.T) {
	n := MustSeeded(t)
	r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/agreements/"+agreement.SeedEUAgreement, nil)
	want(t, r, http.StatusOK)
	var raw map[string]any
	r.json(t, &raw)
	if raw["id"] != agreement.SeedEUAgreement || raw["binding"] != true || raw["signed"] != "1999" || raw["in_force"] != nil {
		t.Errorf("EU agreement = %s", r.body)
	}
	unknown, _ := raw["unknown"].([]any)
	for _, f := range []string{"in_force", "scope", "modes", "conditions"} {
		if !slices.Contains(unknown, any(f)) {
			t.Errorf("EU agreement does not mark %s unknown: %v", f, unknown)
		}
	}
	if scope, _ := raw["scope"].(map[string]any); scope["assumed"] != true {
		t.Errorf("EU agreement scope not flagged as assumed: %v", raw["scope"])
	}
	if titles, _ := raw["titles"].(map[string]any); titles["fr"] == nil || titles["zh-Hant"] != "中國香港與歐洲共同體海關合作協定" {
		t.Errorf("EU agreement titles = %v, want French and Chinese", raw["titles"])
	}
	notes, _ := raw["notes_translations"].(map[string]any)
	if fr, _ := notes["fr"].(string); !strings.HasPrefix(fr, "Selon le texte initial") {
		t.Errorf("EU agreement notes_translations = %v, want French and Chinese", raw["notes_translations"])
	}
	if zh, _ := notes["zh-Hant"].(string); !strings.HasPrefix(zh, "初始文本指出") {
		t.Errorf("EU agreement notes_translations = %v, want French and Chinese", raw["notes_translations"])
	}
	e := n.do(t, store.RoleAnalyst, "GET", "/api/v1/agreements/hk-mars-treaty", nil)
	wantError(t, e, http.StatusNotFound, "")
	if !strings.Contains(e.apiError(t).Error.Message, "hk-mars-treaty") {
		t.Errorf("404 does not name the agreement: %s", e.body)
	}
	want(t, n.do(t, "", "GET", "/api/v1/agreements/"+agreement.SeedEUAgreement, nil), http.StatusUnauthorized)
}

const newAgreement = `{"id":"hk-kr-cmaa","title":"Customs Mutual Assistance Agreement between Hong Kong, China and Korea",
	"kind":"agreement","binding":true,"parties":[{"code":"HK"},{"code":"KR"}],
	"signed":"2019-05-13","in_force":"2019-09","terminated":null,
	"scope":{"kinds":["seizure","request","response"],"personal_data":true},
	"modes":{"on_request":true,"spontaneous":true},
	"conditions":{"purpose_limitation":"customs enforcement","evidence_needs_consent":true,"onward_needs_consent":true},
	"unknown":["terminated"]}`

func TestCreateAgreement(t *testing.T) {
	n := MustSeeded(t)
	r := n.do(t, store.RoleLiaison, "POST", "/api/v1/agreements", []byte(newAgreement))
	want(t, r, http.StatusCreated)
	if loc := r.header.Get("Location"); loc != "/api/v1/agreements/hk-kr-cmaa" {
		t.Errorf("Location = %q", loc)
	}
	var created agreement.Agreement
	r.json(t, &created)
	if created.InForce != agreement.YearMonth(2019, 9) || created.Signed.Precision() != agreement.PrecisionDay {
		t.Errorf("created %s", r.body)
	}
	g := n.do(t, store.RoleAuditor, "GET", "/api/v1/agreements/hk-kr-cmaa", nil)
	want(t, g, http.StatusOK)
	if !strings.Contains(string(g.body), `"in_force":"2019-09"`) {
		t.Errorf("read back %s", g.body)
	}
	// Without titles, the agreement reads as it did before they existed.
	if strings.Contains(string(g.body), `"titles"`) {
		t.Errorf("an agreement without titles is read back with them: %s", g.body)
	}
	if strings.Contains(string(g.body), `"notes_translations"`) {
		t.Errorf("an agreement without translated notes is read back with them: %s", g.body)
	}
	wantError(t, n.do(t, store.RoleAdmin, "POST", "/api/v1/agreements", []byte(newAgreement)), http.StatusConflict, "")

	edit := func(old, new string) []byte { return []byte(strings.Replace(newAgreement, old, new, 1)) }
	tests := []struct {
		name   string
		role   string
		body   []byte
		status int
		field  string
	}{
		{"analyst", store.RoleAnalyst, edit("hk-kr-cmaa", "hk-kr-2"), http.StatusForbidden, ""},
		{"auditor", store.RoleAuditor, edit("hk-kr-cmaa", "hk-kr-2"), http.StatusForbidden, ""},
		{"no token", "", edit("hk-kr-cmaa", "hk-kr-2"), http.StatusUnauthorized, ""},
		{"impossible date", store.RoleLiaison, edit(`"2019-05-13"`, `"2019-02-30"`), http.StatusBadRequest, "signed"},
		{"date not a string", store.RoleLiaison, edit(`"terminated":null`, `"terminated":2020`), http.StatusBadRequest, "terminated"},
		{"unknown field", store.RoleLiaison, edit(`"binding":true`, `"binding":true,"colour":"red"`), http.StatusBadRequest, "colour"},
		{"wrong type", store.RoleLiaison, edit(`"binding":true`, `"binding":"yes"`), http.StatusBadRequest, "binding"},
		{"unknown kind", store.RoleLiaison, edit(`"kind":"agreement"`, `"kind":"treaty"`), http.StatusBadRequest, "kind"},
		{"unknown party", store.RoleLiaison, edit(`{"code":"KR"}`, `{"code":"ZZ"}`), http.StatusBadRequest, "parties[1].code"},
		{"bloc not marked", store.RoleLiaison, edit(`{"code":"KR"}`, `{"code":"EU"}`), http.StatusBadRequest, "parties[1].bloc"},
		{"one party", store.RoleLiaison, edit(`{"code":"HK"},{"code":"KR"}`, `{"code":"HK"}`), http.StatusBadRequest, "parties"},
		{"bad id", store.RoleLiaison, edit("hk-kr-cmaa", "HK KR"), http.StatusBadRequest, "id"},
		{"title in an unknown language", store.RoleLiaison, edit(`"kind"`, `"titles":{"de":"Abkommen"},"kind"`), http.StatusBadRequest, "titles"},
		{"English title in titles", store.RoleLiaison, edit(`"kind"`, `"titles":{"en":"CMAA"},"kind"`), http.StatusBadRequest, "titles.en"},
		{"empty title", store.RoleLiaison, edit(`"kind"`, `"titles":{"fr":""},"kind"`), http.StatusBadRequest, "titles.fr"},
		{"titles not an object", store.RoleLiaison, edit(`"kind"`, `"titles":"Accord","kind"`), http.StatusBadRequest, "titles"},
		{"notes in an unknown language", store.RoleLiaison, edit(`"kind"`, `"notes":"Signed in Seoul.","notes_translations":{"de":"In Seoul unterzeichnet."},"kind"`), http.StatusBadRequest, "notes_translations.de"},
		{"English notes in notes_translations", store.RoleLiaison, edit(`"kind"`, `"notes":"Signed in Seoul.","notes_translations":{"en":"Signed in Seoul."},"kind"`), http.StatusBadRequest, "notes_translations.en"},
		{"empty notes translation", store.RoleLiaison, edit(`"kind"`, `"notes":"Signed in Seoul.","notes_translations":{"fr":""},"kind"`), http.StatusBadRequest, "notes_translations.fr"},
		{"notes translated without notes", store.RoleLiaison, edit(`"kind"`, `"notes_translations":{"fr":"Signé à Séoul."},"kind"`), http.StatusBadRequest, "notes"},
		{"notes_translations not an object", store.RoleLiaison, edit(`"kind"`, `"notes":"Signed in Seoul.","notes_translations":["Signé à Séoul."],"kind"`), http.StatusBadRequest, "notes_translations"},
		{"notes translation not a string", store.RoleLiaison, edit(`"kind"`, `"notes":"Signed in Seoul.","notes_translations":{"fr":1},"kind"`), http.StatusBadRequest, "notes_translations"},
		{"trailing data", store.RoleLiaison, append([]byte(newAgreement), " {}"...), http.StatusBadRequest, ""},
		{"empty body", store.RoleLiaison, []byte{}, http.StatusBadRequest, ""},
		{"malformed", store.RoleLiaison, []byte(`{"id":`), http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := n.do(t, tc.role, "POST", "/api/v1/agreements", tc.body)
			wantError(t, r, tc.status, tc.field)
		})
	}
	l := n.do(t, store.RoleAdmin, "GET", "/api/v1/agreements", nil)
	var all agreementsBody
	l.json(t, &all)
	if len(all.Agreements) != 32 {
		t.Errorf("%d agreements after one addition and refused ones, want 32", len(all.Agreements))
	}
	if got := n.auditActions(t)[sharing.ActionAgreementAdd]; got != 1 {
		t.Errorf("%d agreement.add audit entries, want 1", got)
	}
}

// TestCreateAgreementWithTitles adds an agreement titled in French and
// Chinese and reads its titles back.
func TestCreateAgreementWithTitles(t *testing.T) {
	n := MustSeeded(t)
	body := strings.Replace(newAgreement, `"kind"`, `"titles":{"fr":"Accord d'assistance mutuelle entre Hong Kong, Chine et la Corée",
		"zh-Hant":"中國香港與韓國海關互助協定"},"kind"`, 1)
	want(t, n.do(t, store.RoleLiaison, "POST", "/api/v1/agreements", []byte(body)), http.StatusCreated)
	g := n.do(t, store.RoleAnalyst, "GET", "/api/v1/agreements/hk-kr-cmaa", nil)
	want(t, g, http.StatusOK)
	var a agreement.Agreement
	g.json(t, &a)
	if a.TitleIn("fr") != "Accord d'assistance mutuelle entre Hong Kong, Chine et la Corée" || a.TitleIn("zh-Hant") != "中國香港與韓國海關互助協定" {
		t.Errorf("titles read back %v", a.Titles)
	}
}

// TestCreateAgreementWithNotesTranslations adds an agreement whose notes
// are given in French and Chinese, and reads them back, one and in the
// list, as they were given.
func TestCreateAgreementWithNotesTranslations(t *testing.T) {
	n := MustSeeded(t)
	const (
		notes   = "Signed in Seoul; the Korea Customs Service is the competent authority."
		notesFR = "Signé à Séoul ; le Service des douanes de Corée est l'autorité compétente."
		notesZH = "於首爾簽署；韓國關稅廳為主管當局。"
	)
	body := strings.Replace(newAgreement, `"kind"`, `"notes":"`+notes+`","notes_translations":{"fr":"`+notesFR+`","zh-Hant":"`+notesZH+`"},"kind"`, 1)
	r := n.do(t, store.RoleLiaison, "POST", "/api/v1/agreements", []byte(body))
	want(t, r, http.StatusCreated)
	var created agreement.Agreement
	r.json(t, &created)
	if created.NotesIn("fr") != notesFR {
		t.Errorf("created with notes_translations %v", created.NotesTranslations)
	}
	g := n.do(t, store.RoleAnalyst, "GET", "/api/v1/agreements/hk-kr-cmaa", nil)
	want(t, g, http.StatusOK)
	var a agreement.Agreement
	g.json(t, &a)
	if a.Notes != notes || a.NotesIn("fr") != notesFR || a.NotesIn("zh-Hant") != notesZH || len(a.NotesTranslations) != 2 {
		t.Errorf("notes read back %q, %v", a.Notes, a.NotesTranslations)
	}
	l := n.do(t, store.RoleAnalyst, "GET", "/api/v1/agreements?party=KR", nil)
	var list agreementsBody
	l.json(t, &list)
	i := slices.IndexFunc(list.Agreements, func(a agreement.Agreement) bool { return a.ID == "hk-kr-cmaa" })
	if i < 0 || list.Agreements[i].NotesIn("zh-Hant") != notesZH {
		t.Errorf("the list of Korea's agreements lacks hk-kr-cmaa with its notes in Chinese: %s", l.body)
	}
}

// decisionBody is the body of GET /api/v1/records/{id}/decision.
type decisionBody struct {
	Record    string           `json:"record"`
	Sender    string           `json:"sender"`
	Recipient string           `json:"recipient"`
	Allowed   bool             `json:"allowed"`
	Basis     *agreement.Basis `json:"basis"`
	Reasons   []agreement.Reason
}

func (n *node) decide(tb testing.TB, role, id, recipient string) decisionBody {
	tb.Helper()
	r := n.do(tb, role, "GET", "/api/v1/records/"+id+"/decision?recipient="+recipient, nil)
	want(tb, r, http.StatusOK)
	var d decisionBody
	r.json(tb, &d)
	if len(d.Reasons) == 0 {
		tb.Fatalf("decision without reasons: %s", r.body)
	}
	for _, reason := range d.Reasons {
		if strings.TrimSpace(reason.Text) == "" || !strings.HasSuffix(reason.Text, ".") {
			tb.Errorf("reason %q is not a sentence", reason.Text)
		}
	}
	return d
}

func TestDecisionAPI(t *testing.T) {
	n := MustSeeded(t)
	rec := n.MustPost(t, canonical(t))
	both := n.MustPost(t, canonicalWith(t, func(m map[string]any) {
		m["distribution"] = map[string]any{"scope": "bilateral", "recipients": []string{"JP", "DE"}}
	}))

	d := n.decide(t, store.RoleAuditor, rec.ID, "JP")
	if !d.Allowed || d.Basis == nil || d.Basis.Agreement != "hk-jp-arrangement" || d.Sender != "HK" || d.Recipient != "JP" || d.Record != rec.ID {
		t.Errorf("to JP: %+v", d)
	}
	d = n.decide(t, store.RoleAnalyst, both.ID, "DE")
	if !d.Allowed || d.Basis == nil || d.Basis.Agreement != agreement.SeedEUAgreement || d.Basis.Via != "EU" {
		t.Errorf("to DE: %+v", d)
	}
	r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+both.ID+"/decision?recipient=BR", nil)
	want(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `"allowed":false`) || !strings.Contains(string(r.body), `"basis":null`) {
		t.Errorf("to BR: %s", r.body)
	}
	d = n.decide(t, store.RoleAnalyst, both.ID, "BR")
	if d.Allowed || !slices.ContainsFunc(d.Reasons, func(r agreement.Reason) bool {
		return !r.Met && r.Rule == agreement.RuleAgreement && strings.Contains(r.Text, "no legal basis")
	}) {
		t.Errorf("to BR: %+v", d)
	}

	wantError(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID+"/decision", nil), http.StatusBadRequest, "recipient")
	wantError(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+rec.ID+"/decision?recipient=XX", nil), http.StatusBadRequest, "recipient")
	wantError(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+storetest.NewRecord(t).ID+"/decision?recipient=JP", nil), http.StatusNotFound, "")
	wantError(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/not-an-id/decision?recipient=JP", nil), http.StatusNotFound, "")
	want(t, n.do(t, "", "GET", "/api/v1/records/"+rec.ID+"/decision?recipient=JP", nil), http.StatusUnauthorized)

	if got := n.auditActions(t)[sharing.ActionDecision]; got != 4 {
		t.Errorf("%d decision audit entries, want 4 (one per question answered)", got)
	}
}

func TestConsentAPI(t *testing.T) {
	n := MustSeeded(t)
	// A record received from Japan: H2, distribution naming Singapore.
	received := storetest.NewRecord(t, func(r *intel.Record) {
		r.Originator = "JP"
		r.Handling.Code = "H2"
		r.Distribution.Recipients = []string{"HK", "SG"}
	})
	storetest.MustCreate(t, n.store, received)
	own := n.MustPost(t, canonical(t))
	path := "/api/v1/records/" + received.ID + "/consents"

	if d := n.decide(t, store.RoleLiaison, received.ID, "SG"); d.Allowed {
		t.Fatalf("onward to SG allowed without consent: %+v", d)
	}
	body := []byte(`{"recipient":"SG","by":"Inspector Sato Hiroshi","reference":"JPC-2026-118","note":"for the joint operation"}`)
	for _, role := range []string{store.RoleAnalyst, store.RoleAuditor} {
		wantError(t, n.do(t, role, "POST", path, body), http.StatusForbidden, "")
	}
	want(t, n.do(t, "", "POST", path, body), http.StatusUnauthorized)

	r := n.do(t, store.RoleLiaison, "POST", path, body)
	want(t, r, http.StatusCreated)
	var c map[string]any
	r.json(t, &c)
	if c["record"] != received.ID || c["originator"] != "JP" || c["recipient"] != "SG" || c["by"] != "Inspector Sato Hiroshi" ||
		c["recorded_by"] != "liaison-user" || c["reference"] != "JPC-2026-118" || c["given"] == nil {
		t.Errorf("consent = %s", r.body)
	}
	d := n.decide(t, store.RoleLiaison, received.ID, "SG")
	if !d.Allowed || d.Basis == nil || d.Basis.Agreement != "hk-sg-arrangement" {
		t.Errorf("onward to SG after consent: %+v", d)
	}

	l := n.do(t, store.RoleAuditor, "GET", path, nil)
	want(t, l, http.StatusOK)
	var list struct {
		Consents []map[string]any `json:"consents"`
	}
	l.json(t, &list)
	if len(list.Consents) != 1 || list.Consents[0]["by"] != "Inspector Sato Hiroshi" {
		t.Errorf("consents = %s", l.body)
	}
	none := n.do(t, store.RoleAuditor, "GET", "/api/v1/records/"+own.ID+"/consents", nil)
	want(t, none, http.StatusOK)
	if !strings.Contains(string(none.body), `"consents":[]`) {
		t.Errorf("consents of a record without any: %s", none.body)
	}

	tests := []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"no by", path, `{"recipient":"SG"}`, http.StatusBadRequest, "by"},
		{"no recipient", path, `{"by":"Inspector Sato"}`, http.StatusBadRequest, "recipient"},
		{"unknown recipient", path, `{"recipient":"XX","by":"Inspector Sato"}`, http.StatusBadRequest, "recipient"},
		{"the originator", path, `{"recipient":"JP","by":"Inspector Sato"}`, http.StatusBadRequest, "recipient"},
		{"unknown field", path, `{"recipient":"SG","by":"Inspector Sato","given":"2026-10-01"}`, http.StatusBadRequest, "given"},
		{"wrong type", path, `{"recipient":["SG"],"by":"Inspector Sato"}`, http.StatusBadRequest, "recipient"},
		{"empty body", path, ``, http.StatusBadRequest, ""},
		{"own record", "/api/v1/records/" + own.ID + "/consents", `{"recipient":"SG","by":"Inspector Sato"}`, http.StatusBadRequest, "record"},
		{"unknown record", "/api/v1/records/" + storetest.NewRecord(t).ID + "/consents", `{"recipient":"SG","by":"Inspector Sato"}`, http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, n.do(t, store.RoleLiaison, "POST", tc.path, []byte(tc.body)), tc.status, tc.field)
		})
	}
	wantError(t, n.do(t, store.RoleAnalyst, "GET", "/api/v1/records/"+storetest.NewRecord(t).ID+"/consents", nil), http.StatusNotFound, "")

	// One consent recorded, audited without the name of the person.
	var consents int
	for _, e := range storetest.MustVerifyAudit(t, n.store) {
		if e.Action != agreement.ActionConsentRecord {
			continue
		}
		consents++
		if e.Target != received.ID || e.Actor != "liaison-user" || strings.Contains(e.Detail, "Sato") {
			t.Errorf("consent audit entry %+v", e)
		}
	}
	if consents != 1 {
		t.Errorf("%d consent audit entries, want 1", consents)
	}
	if strings.Contains(n.logs.String(), "Sato") {
		t.Error("logs hold the name of the person who consented")
	}
}

func TestAdministrationAgreementsAndPartners(t *testing.T) {
	n := MustSeeded(t)
	r := n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/administrations/HK", nil)
	want(t, r, http.StatusOK)
	var hk struct {
		Code       string
		Agreements []agreement.Agreement `json:"agreements"`
		Partners   []sharing.Partner     `json:"partners"`
	}
	r.json(t, &hk)
	if len(hk.Agreements) != 31 {
		t.Errorf("HK page shows %d agreements, want 31", len(hk.Agreements))
	}
	partners := map[string]sharing.Partner{}
	for _, p := range hk.Partners {
		partners[p.Code] = p
	}
	tests := []struct {
		code, kind, agreement, via, region string
	}{
		{"JP", agreement.BasisAgreement, "hk-jp-arrangement", "", ""},
		{"FR", agreement.BasisAgreement, agreement.SeedEUAgreement, "EU", ""},
		{"RILO-AP", agreement.BasisRegion, "", "", "AP"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			p, ok := partners[tc.code]
			if !ok {
				t.Fatalf("%s not among HK's partners: %s", tc.code, r.body)
			}
			b := p.Basis
			if b.Kind != tc.kind || b.Agreement != tc.agreement || b.Via != tc.via || b.Region != tc.region || p.Name == "" {
				t.Errorf("partner %+v", p)
			}
		})
	}
	if _, ok := partners["BR"]; ok {
		t.Error("BR listed as a partner of HK")
	}

	br := n.do(t, store.RoleAnalyst, "GET", "/api/v1/directory/administrations/BR", nil)
	want(t, br, http.StatusOK)
	var page map[string]json.RawMessage
	br.json(t, &page)
	if string(page["agreements"]) != "[]" || !strings.Contains(string(page["partners"]), "RILO-") {
		t.Errorf("BR: agreements %s, partners %s; want none and its region's RILO", page["agreements"], page["partners"])
	}
}

func TestOpenAPIDescribesAgreements(t *testing.T) {
	n := MustNode(t)
	r := n.do(t, "", "GET", "/api/openapi.json", nil)
	want(t, r, http.StatusOK)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Type any `json:"type"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	r.json(t, &doc)
	for _, op := range []struct{ path, method string }{
		{"/api/v1/agreements", "get"}, {"/api/v1/agreements", "post"}, {"/api/v1/agreements/{id}", "get"},
		{"/api/v1/records/{id}/decision", "get"}, {"/api/v1/records/{id}/consents", "get"}, {"/api/v1/records/{id}/consents", "post"},
	} {
		if _, ok := doc.Paths[op.path][op.method]; !ok {
			t.Errorf("%s %s is not documented", op.method, op.path)
		}
	}
	a, ok := doc.Components.Schemas["Agreement"]
	if !ok {
		t.Fatal("no Agreement schema")
	}
	for _, f := range []string{"signed", "in_force", "terminated"} {
		if got, _ := json.Marshal(a.Properties[f].Type); string(got) != `["string","null"]` {
			t.Errorf("Agreement.%s has type %s, want a string or null", f, got)
		}
	}
	for _, f := range []string{"id", "title", "titles", "kind", "binding", "parties", "scope", "modes", "conditions", "notes", "notes_translations", "unknown"} {
		if _, ok := a.Properties[f]; !ok {
			t.Errorf("Agreement schema lacks %s", f)
		}
	}
}
