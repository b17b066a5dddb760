package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/oklog/ulid/v2"
)

// TestAgreementsEndToEnd checks issue 3's definition of done on a fresh HK
// node over real HTTP, on each database: the seeded registry, the sharing
// decision to Japan, Germany and Brazil with readable reasons, the consent
// flow for a record received from Japan, and the agreements commands.
func TestAgreementsEndToEnd(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testAgreementsEndToEnd(t, b) })
	}
}

// mustReasons returns the reasons of a decision, failing unless each is a
// non-empty sentence.
func mustReasons(t *testing.T, d map[string]any) []map[string]any {
	t.Helper()
	raw, ok := d["reasons"].([]any)
	if !ok || len(raw) == 0 {
		t.Fatalf("decision without reasons: %v", d)
	}
	var out []map[string]any
	for _, r := range raw {
		m, _ := r.(map[string]any)
		text, _ := m["text"].(string)
		text = strings.TrimSpace(text)
		if text == "" || !strings.HasSuffix(text, ".") || strings.ToUpper(text[:1]) != text[:1] {
			t.Errorf("reason %v is not a sentence", m)
		}
		out = append(out, m)
	}
	return out
}

func basisOf(d map[string]any) map[string]any {
	b, _ := d["basis"].(map[string]any)
	return b
}

func testAgreementsEndToEnd(t *testing.T, b backend) {
	dir := t.TempDir()
	db := b.db(t, dir)
	admin := initNode(t, dir, "HK", db...)
	args := func(a ...string) []string { return append(append(a, "--data", dir), db...) }

	// The CLI lists the 31 seed agreements of HK.
	out := mustLiaison(t, args("agreements", "list", "--party", "HK")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 32 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("agreements list --party HK printed %d lines (want a header and 31 rows):\n%s", len(lines), out)
	}
	rows := lines[1:]
	if n := len(slices.DeleteFunc(slices.Clone(rows), func(l string) bool { return !strings.HasPrefix(l, "hk-") })); n != 31 {
		t.Errorf("%d rows are seed agreements, want 31:\n%s", n, out)
	}
	show := mustLiaison(t, args("agreements", "show", "hk-eu-cca-1999")...)
	for _, s := range []string{"binding:     yes", "EU (bloc)", "1999", "not stated in the source", "assumed",
		"titles:      fr       Accord de coopération douanière entre Hong Kong, Chine et la Communauté européenne",
		"             zh-Hant  中國香港與歐洲共同體海關合作協定",
		"\nnotes:       The seed says the HKSAR Government concluded",
		"\n             fr       Selon le texte initial, le Gouvernement de la Région administrative spéciale de Hong Kong",
		"\n             zh-Hant  初始文本指出，香港特別行政區政府於1999年"} {
		if !strings.Contains(show, s) {
			t.Errorf("agreements show lacks %q:\n%s", s, show)
		}
	}

	// A bad agreement file fails with one line naming the field.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"id":"hk-kr-cmaa","title":"CMAA","kind":"agreement","binding":true,
		"parties":[{"code":"HK"},{"code":"KR"}],"signed":"2019-02-30","modes":{"on_request":true}}`), 0o600)
	_, errOut, code := liaison(t, args("agreements", "add", bad)...)
	if errLines := strings.Split(strings.TrimSpace(errOut), "\n"); code == 0 || len(errLines) != 1 ||
		!strings.HasPrefix(errLines[0], "liaison: ") || !strings.Contains(errLines[0], "signed:") {
		t.Fatalf("agreements add of a bad file: exit %d, stderr %q; want a one-line error naming signed", code, errOut)
	}
	good := filepath.Join(t.TempDir(), "good.json")
	os.WriteFile(good, []byte(strings.NewReplacer("2019-02-30", "2019-05-13",
		`"modes"`, `"notes":"Signed in Seoul.","notes_translations":{"fr":"Signé à Séoul."},"modes"`).Replace(mustRead(t, bad))), 0o600)
	if out := mustLiaison(t, args("agreements", "add", good)...); !strings.Contains(out, "agreement hk-kr-cmaa added") {
		t.Fatalf("agreements add: %q", out)
	}
	if _, errOut, code := liaison(t, args("agreements", "add", good)...); code == 0 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("adding the same agreement again: exit %d, stderr %q", code, errOut)
	}
	// Notes given in French are stored and shown under the English ones.
	if show := mustLiaison(t, args("agreements", "show", "hk-kr-cmaa")...); !strings.Contains(show,
		"\nnotes:       Signed in Seoul.\n             fr  Signé à Séoul.\n") {
		t.Errorf("agreements show of an agreement with notes in French:\n%s", show)
	}

	// A record received from Japan (imported with its originator and id):
	// no onward dissemination without Japan's permission (H2).
	received := canonical(t)
	receivedID := ulid.Make().String()
	received["id"] = receivedID
	received["originator"] = "JP"
	received["handling"] = map[string]any{"code": "H2"}
	received["distribution"] = map[string]any{"scope": "bilateral", "recipients": []string{"HK", "SG"}}
	line, _ := json.Marshal(received)
	jsonl := filepath.Join(t.TempDir(), "from-japan.jsonl")
	os.WriteFile(jsonl, append(line, '\n'), 0o600)
	mustLiaison(t, args("import", jsonl, "--quiet")...)

	out = mustLiaison(t, args("user", "add", "lin", "--role", "liaison")...)
	liaisonTok := regexp.MustCompile(`token: (\S+)`).FindStringSubmatch(out)[1]
	out = mustLiaison(t, args("user", "add", "alice", "--role", "analyst")...)
	analyst := regexp.MustCompile(`token: (\S+)`).FindStringSubmatch(out)[1]

	srv := serve(t, dir, db...)

	// GET /api/v1/agreements?party=HK: 30 non-binding arrangements and the
	// binding EU agreement of 1999 (plus the one just added).
	code, list := call(t, "GET", srv.url+"/api/v1/agreements?party=HK", analyst, nil)
	if code != 200 {
		t.Fatalf("list agreements: %d %v", code, list)
	}
	var arrangements, euAgreements int
	all, _ := list["agreements"].([]any)
	for _, a := range all {
		m := a.(map[string]any)
		switch {
		case m["kind"] == "arrangement" && m["binding"] == false:
			arrangements++
		case m["id"] == "hk-eu-cca-1999" && m["kind"] == "agreement" && m["binding"] == true && m["signed"] == "1999":
			euAgreements++
		}
	}
	if len(all) != 32 || arrangements != 30 || euAgreements != 1 {
		t.Fatalf("party=HK lists %d agreements, %d non-binding arrangements, %d EU agreements of 1999; want 32 (31 seeded + 1 added), 30, 1",
			len(all), arrangements, euAgreements)
	}

	// The canonical seizure (bilateral to JP, naming a person) may go to
	// Japan under the Japan arrangement.
	code, rec := call(t, "POST", srv.url+"/api/v1/records", analyst, canonical(t))
	if code != 201 {
		t.Fatalf("canonical seizure: %d %v", code, rec)
	}
	id := rec["id"].(string)
	decide := func(id, to string) map[string]any {
		t.Helper()
		code, d := call(t, "GET", srv.url+"/api/v1/records/"+id+"/decision?recipient="+to, analyst, nil)
		if code != 200 {
			t.Fatalf("decision on %s to %s: %d %v", id, to, code, d)
		}
		mustReasons(t, d)
		return d
	}
	d := decide(id, "JP")
	if d["allowed"] != true || basisOf(d)["agreement"] != "hk-jp-arrangement" {
		t.Errorf("to JP: %v", d)
	}

	// The same record with distribution JP and DE may go to Germany through
	// the EU agreement.
	both := canonical(t)
	both["distribution"] = map[string]any{"scope": "bilateral", "recipients": []string{"JP", "DE"}}
	code, rec2 := call(t, "POST", srv.url+"/api/v1/records", analyst, both)
	if code != 201 {
		t.Fatalf("copy to JP and DE: %d %v", code, rec2)
	}
	id2 := rec2["id"].(string)
	d = decide(id2, "DE")
	if d["allowed"] != true || basisOf(d)["agreement"] != "hk-eu-cca-1999" || basisOf(d)["via"] != "EU" {
		t.Errorf("to DE: %v", d)
	}

	// To Brazil it is refused: there is no basis.
	d = decide(id2, "BR")
	if d["allowed"] != false || d["basis"] != nil {
		t.Errorf("to BR: %v", d)
	}
	if !slices.ContainsFunc(mustReasons(t, d), func(r map[string]any) bool {
		return r["rule"] == "agreement" && r["met"] == false && strings.Contains(fmt.Sprint(r["text"]), "no legal basis")
	}) {
		t.Errorf("refusal to BR does not say there is no legal basis: %v", d["reasons"])
	}
	if code, e := call(t, "GET", srv.url+"/api/v1/records/"+id+"/decision?recipient=XX", analyst, nil); code != 400 || errField(e) != "recipient" {
		t.Errorf("unknown recipient: %d %v", code, e)
	}

	// Consent: the record from Japan may not go on to Singapore until
	// Japan's consent is recorded, and recording it is audited.
	d = decide(receivedID, "SG")
	if d["allowed"] != false || !slices.ContainsFunc(mustReasons(t, d), func(r map[string]any) bool {
		return r["rule"] == "consent" && r["met"] == false
	}) {
		t.Fatalf("onward to SG without consent: %v", d)
	}
	consent := map[string]any{"recipient": "SG", "by": "Inspector Sato", "reference": "JPC-2026-118"}
	if code, _ := call(t, "POST", srv.url+"/api/v1/records/"+receivedID+"/consents", analyst, consent); code != 403 {
		t.Errorf("analyst recording a consent: %d, want 403", code)
	}
	code, c := call(t, "POST", srv.url+"/api/v1/records/"+receivedID+"/consents", liaisonTok, consent)
	if code != 201 || c["originator"] != "JP" || c["recipient"] != "SG" || c["by"] != "Inspector Sato" || c["recorded_by"] != "lin" {
		t.Fatalf("record consent: %d %v", code, c)
	}
	d = decide(receivedID, "SG")
	if d["allowed"] != true || basisOf(d)["agreement"] != "hk-sg-arrangement" {
		t.Errorf("onward to SG after consent: %v", d)
	}
	code, au := call(t, "GET", srv.url+"/api/v1/audit?limit=1000", admin, nil)
	if code != 200 {
		t.Fatalf("audit: %d %v", code, au)
	}
	var consents, decisions int
	for _, e := range au["entries"].([]any) {
		m := e.(map[string]any)
		switch m["action"] {
		case "consent.record":
			consents++
			if m["target"] != receivedID || m["actor"] != "lin" || !strings.Contains(fmt.Sprint(m["detail"]), "SG") {
				t.Errorf("consent audit entry %v", m)
			}
			if strings.Contains(fmt.Sprint(m["detail"]), "Sato") {
				t.Errorf("consent audit entry names the person: %v", m)
			}
		case "record.decision":
			decisions++
		}
	}
	if consents != 1 || decisions != 5 {
		t.Errorf("audit holds %d consent and %d decision entries, want 1 and 5 (one per question answered)", consents, decisions)
	}

	// The directory page of HK lists its agreements and partners.
	code, hk := call(t, "GET", srv.url+"/api/v1/directory/administrations/HK", analyst, nil)
	if code != 200 || len(hk["agreements"].([]any)) != 32 || !strings.Contains(fmt.Sprint(hk["partners"]), "hk-eu-cca-1999") {
		t.Errorf("HK directory page: %d, %d agreements", code, len(hk["agreements"].([]any)))
	}

	// The chain still verifies with all of this in it.
	if out := mustLiaison(t, args("audit", "verify")...); !strings.Contains(out, "intact") {
		t.Errorf("audit verify: %q", out)
	}
}

// TestInitSeedsReciprocalAgreements checks that other nodes start with their
// side of the seed agreements and nothing invented.
func TestInitSeedsReciprocalAgreements(t *testing.T) {
	tests := []struct {
		node string
		want []string
	}{
		{"JP", []string{"hk-jp-arrangement"}},
		{"FR", []string{"hk-eu-cca-1999", "hk-fr-arrangement"}},
		{"DE", []string{"hk-eu-cca-1999"}},
		{"BR", nil},
	}
	for _, tc := range tests {
		t.Run(tc.node, func(t *testing.T) {
			dir := t.TempDir()
			initNode(t, dir, tc.node)
			out := mustLiaison(t, "agreements", "list", "--data", dir)
			var ids []string
			for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
				ids = append(ids, strings.Fields(l)[0])
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("%s starts with %v, want %v", tc.node, ids, tc.want)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
