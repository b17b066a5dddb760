package ui_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"liaison/internal/intel"
	"liaison/internal/store"
)

// seizureForm is the seizure form filled with the values of seizure(),
// with the goods on the first row and the parties on the second and fourth
// rows, so that empty rows lie between filled ones.
func seizureForm() url.Values {
	return url.Values{
		"grading.source":                      {"B"},
		"grading.information":                 {"2"},
		"handling.code":                       {"H0"},
		"distribution.scope":                  {"bilateral"},
		"distribution.recipients":             {"jp"},
		"seizure.date":                        {"2026-10-14"},
		"seizure.place.country":               {"HK"},
		"seizure.place.locode":                {"HKHKG"},
		"seizure.direction":                   {"import"},
		"seizure.detection":                   {"x-ray"},
		"seizure.transport":                   {"sea"},
		"seizure.concealment":                 {"mixed-with-legitimate-cargo"},
		"seizure.conveyance.vessel_imo":       {"9074729"},
		"seizure.containers":                  {"CSQU3054383\r\n"},
		"seizure.route[0].role":               {"departure"},
		"seizure.route[0].country":            {"VN"},
		"seizure.route[0].locode":             {"VNSGN"},
		"seizure.route[2].role":               {"destination"},
		"seizure.route[2].country":            {"HK"},
		"seizure.route[2].locode":             {"HKHKG"},
		"seizure.goods[0].category":           {"revenue/cigarettes"},
		"seizure.goods[0].description":        {"cigarettes, assorted brands"},
		"seizure.goods[0].hs":                 {"240220"},
		"seizure.goods[0].quantity":           {"8000000"},
		"seizure.goods[0].unit":               {"piece"},
		"seizure.goods[0].value.amount":       {"2,400,000"},
		"seizure.goods[0].value.currency":     {"HKD"},
		"seizure.parties[1].type":             {"person"},
		"seizure.parties[1].role":             {"consignee"},
		"seizure.parties[1].name":             {"Chan Tai Man"},
		"seizure.parties[1].birth_date":       {"1975-03-02"},
		"seizure.parties[1].nationality":      {"HK"},
		"seizure.parties[1].document.type":    {"passport"},
		"seizure.parties[1].document.number":  {"K01234567"},
		"seizure.parties[1].document.country": {"HK"},
		"seizure.parties[3].type":             {"organisation"},
		"seizure.parties[3].role":             {"consignor"},
		"seizure.parties[3].name":             {"Golden Harvest Trading Co., Ltd."},
		"seizure.parties[3].nationality":      {"VN"},
		"seizure.parties[3].registration":     {"0312345678"},
		"seizure.narrative":                   {"Declared as frozen fish; cigarettes found behind the first row of cartons."},
	}
}

// withCSRF returns form with the CSRF token of b's session.
func withCSRF(t *testing.T, b *browser, form url.Values) url.Values {
	t.Helper()
	out := url.Values{}
	for k, v := range form {
		out[k] = v
	}
	out.Set("csrf", csrfOf(t, b.get("/ui/")))
	return out
}

// bodyOnly returns the record without the fields the server owns, as JSON.
func bodyOnly(t *testing.T, r *intel.Record) string {
	t.Helper()
	c := *r
	c.ID, c.Originator, c.Version, c.Created, c.Updated, c.Status = "", "", 0, nil, nil, ""
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// MustCount returns how many records the node stores.
func MustCount(tb testing.TB, n *node) int64 {
	tb.Helper()
	c, err := n.store.CountRecords(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// fieldError returns the error shown next to the input with the given id,
// "" when there is none.
func fieldError(p page, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `-error">([^<]*)<`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

var savedRE = regexp.MustCompile(`^/ui/records/([0-9A-Z]{26})\?saved=(\d+)$`)

func TestUIRecordFormPermissions(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	tests := []struct {
		role, method, path string
		want               int
	}{
		{store.RoleAuditor, "GET", "/ui/records/new?kind=seizure", http.StatusForbidden},
		{store.RoleAuditor, "POST", "/ui/records/new", http.StatusForbidden},
		{store.RoleAuditor, "GET", "/ui/records/" + rec.ID + "/edit", http.StatusForbidden},
		{store.RoleAuditor, "POST", "/ui/records/" + rec.ID + "/edit", http.StatusForbidden},
		{store.RoleAnalyst, "GET", "/ui/records/new?kind=seizure", http.StatusOK},
		{store.RoleLiaison, "GET", "/ui/records/new?kind=seizure", http.StatusOK},
		{store.RoleAdmin, "GET", "/ui/records/" + rec.ID + "/edit", http.StatusOK},
		{store.RoleAnalyst, "GET", "/ui/records/new?kind=alert", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.role+" "+tt.method+" "+tt.path, func(t *testing.T) {
			b := MustLogin(t, n, tt.role)
			var p page
			if tt.method == "POST" {
				p = b.post(tt.path, withCSRF(t, b, seizureForm()))
			} else {
				p = b.get(tt.path)
			}
			if p.status != tt.want {
				t.Fatalf("%s %s as %s: %d, want %d\n%s", tt.method, tt.path, tt.role, p.status, tt.want, p.body)
			}
			noMissing(t, tt.path, p)
			writer := tt.role != store.RoleAuditor
			for what, pg := range map[string]page{"nav bar": b.get("/ui/"), "records list": b.get("/ui/records")} {
				if got := strings.Contains(pg.body, `href="/ui/records/new?kind=seizure"`); got != writer {
					t.Errorf("%s of %s links the new seizure form: %v, want %v", what, tt.role, got, writer)
				}
			}
			if got := strings.Contains(b.get("/ui/records/"+rec.ID).body, `href="/ui/records/`+rec.ID+`/edit"`); got != writer {
				t.Errorf("record page of %s links the edit form: %v, want %v", tt.role, got, writer)
			}
		})
	}
	if c := MustCount(t, n); c != 1 {
		t.Fatalf("the auditor's POST stored records: %d records, want 1", c)
	}
}

func TestUIRecordFormCSRF(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	b := MustLogin(t, n, store.RoleAnalyst)
	tests := []struct {
		name, path, csrf string
	}{
		{"new without token", "/ui/records/new", ""},
		{"new with a wrong token", "/ui/records/new", "wrong"},
		{"edit without token", "/ui/records/" + rec.ID + "/edit", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := seizureForm()
			form.Set("version", "1")
			if tt.csrf != "" {
				form.Set("csrf", tt.csrf)
			}
			if p := b.post(tt.path, form); p.status != http.StatusForbidden {
				t.Fatalf("POST %s: %d, want 403", tt.path, p.status)
			}
		})
	}
	if c := MustCount(t, n); c != 1 {
		t.Fatalf("%d records stored, want 1", c)
	}
	got, err := n.store.GetRecord(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 {
		t.Fatalf("a POST without a valid token changed the record to version %d", got.Version)
	}
}

func TestUIRecordFormCreates(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := MustLogin(t, n, store.RoleAnalyst)
	form := b.get("/ui/records/new?kind=seizure")
	for _, id := range []string{"f-grading-source", "f-seizure-containers", "f-seizure-route-2-locode", "f-seizure-goods-2-value-currency",
		"f-seizure-parties-3-registration", "f-seizure-narrative"} {
		if !strings.Contains(form.body, `id="`+id+`"`) {
			t.Errorf("the form lacks input %s", id)
		}
	}
	if !strings.Contains(form.body, "B — usually reliable") || !strings.Contains(form.body, "2 — probably true") {
		t.Error("the grading choices do not say what each grade means")
	}
	p := b.post("/ui/records/new", withCSRF(t, b, seizureForm()))
	m := savedRE.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("POST the form: %d to %q, want 303 to the record\n%s", p.status, p.header.Get("Location"), p.body)
	}
	got, err := n.store.GetRecord(context.Background(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	if got.Originator != "HK" || got.Version != 1 {
		t.Errorf("stored as %s version %d, want HK version 1", got.Originator, got.Version)
	}
	if g, w := bodyOnly(t, got), bodyOnly(t, seizure()); g != w {
		t.Errorf("stored record differs from the form:\n got %s\nwant %s", g, w)
	}
	page := b.get(p.header.Get("Location"))
	if !strings.Contains(page.body, `id="saved"`) || strings.Contains(page.body, `id="warnings"`) {
		t.Errorf("record page after saving a clean record: saved notice %v, warnings %v",
			strings.Contains(page.body, `id="saved"`), strings.Contains(page.body, `id="warnings"`))
	}

	// A vessel number with a wrong check digit is accepted with a warning
	// the record page shows.
	f := seizureForm()
	f.Set("seizure.conveyance.vessel_imo", "9074728")
	p = b.post("/ui/records/new", withCSRF(t, b, f))
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST with a doubtful IMO number: %d, want 303\n%s", p.status, p.body)
	}
	page = b.get(p.header.Get("Location"))
	if !strings.Contains(page.body, `id="warnings"`) || !strings.Contains(page.body, "seizure.conveyance.vessel_imo") {
		t.Errorf("the record page does not show the IMO warning:\n%s", page.body)
	}
}

func TestUIRecordFormInvalid(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := MustLogin(t, n, store.RoleAnalyst)
	tomorrow := time.Now().UTC().AddDate(0, 0, 2).Format(time.DateOnly)
	tests := []struct {
		name    string
		set     map[string]string
		input   string // id of the input the error must be next to
		message string
	}{
		{"wrong container check digit", map[string]string{"seizure.containers": "CSQU3054383\n\nCSQU3054384"},
			"f-seizure-containers", `line 3: container "CSQU3054384" has check digit`},
		{"HS heading 7701 does not exist", map[string]string{"seizure.goods[2].category": "revenue/cigarettes",
			"seizure.goods[2].hs": "770100", "seizure.goods[2].quantity": "5", "seizure.goods[2].unit": "kg"},
			"f-seizure-goods-2-hs", `HS code "770100"`},
		{"country XX", map[string]string{"seizure.place.country": "XX", "seizure.place.locode": ""},
			"f-seizure-place-country", `"XX" is not an ISO 3166-1 code`},
		{"date in the future", map[string]string{"seizure.date": tomorrow}, "f-seizure-date", "is in the future"},
		{"birth date in the future", map[string]string{"seizure.parties[1].birth_date": tomorrow},
			"f-seizure-parties-1-birth_date", "is in the future"},
		{"organisation country XX", map[string]string{"seizure.parties[3].nationality": "XX"},
			"f-seizure-parties-3-nationality", `"XX" is not an ISO 3166-1 code`},
		{"quantity not a number", map[string]string{"seizure.goods[0].quantity": "lots"},
			"f-seizure-goods-0-quantity", `quantity "lots" is not a number`},
		{"route locode in another country", map[string]string{"seizure.route[2].locode": "VNSGN"},
			"f-seizure-route-2-locode", `"VNSGN" is in VN`},
		{"quantity not a number below an empty row", map[string]string{"seizure.goods[0].category": "",
			"seizure.goods[0].description": "", "seizure.goods[0].hs": "", "seizure.goods[0].quantity": "",
			"seizure.goods[0].unit": "", "seizure.goods[0].value.amount": "", "seizure.goods[0].value.currency": "",
			"seizure.goods[1].category": "revenue/cigarettes", "seizure.goods[1].quantity": "lots", "seizure.goods[1].unit": "piece",
			"seizure.goods[2].category": "revenue/cigarettes", "seizure.goods[2].quantity": "5", "seizure.goods[2].unit": "piece"},
			"f-seizure-goods-1-quantity", `quantity "lots" is not a number`},
		{"narrative not UTF-8", map[string]string{"seizure.narrative": "Declared as frozen fish \xff\xfe"},
			"f-seizure-narrative", "is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := seizureForm()
			for k, v := range tt.set {
				form.Set(k, v)
			}
			p := b.post("/ui/records/new", withCSRF(t, b, form))
			if p.status != http.StatusBadRequest {
				t.Fatalf("POST: %d, want 400 with the form\n%s", p.status, p.body)
			}
			if got := fieldError(p, tt.input); !strings.Contains(got, tt.message) {
				t.Errorf("error next to %s is %q, want it to contain %q", tt.input, got, tt.message)
			}
			if !strings.Contains(p.body, `id="form-errors"`) || !strings.Contains(p.body, `href="#`+tt.input+`"`) {
				t.Errorf("the summary does not link to %s", tt.input)
			}
			if n := strings.Count(p.body, `class="field-error"`); n != 1 {
				t.Errorf("%d inputs show an error, want 1", n)
			}
			for _, kept := range []string{"Chan Tai Man", "Golden Harvest Trading Co., Ltd.", "Declared as frozen fish"} {
				if !strings.Contains(html.UnescapeString(p.body), kept) {
					t.Errorf("the form shown again lost %q", kept)
				}
			}
			noMissing(t, tt.name, p)
			if c := MustCount(t, n); c != 0 {
				t.Fatalf("an invalid form stored %d records", c)
			}
		})
	}
}

// withHidden is seizure() with fields the form does not show, which an
// edit must keep.
func withHidden() *intel.Record {
	r := seizure()
	r.Title = "Cigarettes in frozen fish"
	r.Seizure.Conveyance.VesselName = "Ever Lucky"
	r.Seizure.Parties[0].Aliases = []string{"Chan T. M."}
	r.Seizure.Parties[1].Address = "12 Nguyen Hue, Ho Chi Minh City"
	return r
}

func TestUIRecordEdit(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, withHidden())
	b := MustLogin(t, n, store.RoleAnalyst)
	edit := "/ui/records/" + rec.ID + "/edit"
	p := b.get(edit)
	if p.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", edit, p.status, p.body)
	}
	for _, want := range []string{`name="version" value="1"`, `>CSQU3054383</textarea>`, `value="Chan Tai Man"`, `value="240220"`,
		`<option value="revenue/cigarettes" selected>`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the edit form lacks %s", want)
		}
	}
	// The form as the browser would send it back, with a changed narrative.
	form := seizureForm()
	for _, k := range []string{"seizure.parties[1]", "seizure.parties[3]", "seizure.route[2]"} {
		for name := range form {
			if strings.HasPrefix(name, k+".") {
				delete(form, name)
			}
		}
	}
	for k, v := range map[string]string{"seizure.parties[0].type": "person", "seizure.parties[0].role": "consignee",
		"seizure.parties[0].name": "Chan Tai Man", "seizure.parties[0].birth_date": "1975-03-02",
		"seizure.parties[0].nationality": "HK", "seizure.parties[0].document.type": "passport",
		"seizure.parties[0].document.number": "K01234567", "seizure.parties[0].document.country": "HK",
		"seizure.parties[1].type": "organisation", "seizure.parties[1].role": "consignor",
		"seizure.parties[1].name": "Golden Harvest Trading Co., Ltd.", "seizure.parties[1].nationality": "VN",
		"seizure.parties[1].registration": "0312345678", "seizure.route[1].role": "destination",
		"seizure.route[1].country": "HK", "seizure.route[1].locode": "HKHKG",
		"seizure.narrative": "Declared as frozen fish; 400 cartons behind the first row.", "version": "1"} {
		form.Set(k, v)
	}
	p = b.post(edit, withCSRF(t, b, form))
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/records/"+rec.ID+"?saved=2" {
		t.Fatalf("POST %s: %d to %q, want 303 to version 2\n%s", edit, p.status, p.header.Get("Location"), p.body)
	}
	got, err := n.store.GetRecord(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 {
		t.Fatalf("record at version %d after the edit, want 2", got.Version)
	}
	want := withHidden()
	want.Seizure.Narrative = "Declared as frozen fish; 400 cartons behind the first row."
	if g, w := bodyOnly(t, got), bodyOnly(t, want); g != w {
		t.Errorf("version 2 differs from the form:\n got %s\nwant %s", g, w)
	}

	// A second save of the same form, still at version 1, is a conflict.
	form.Set("seizure.narrative", "A change made on a stale copy.")
	p = b.post(edit, withCSRF(t, b, form))
	if p.status != http.StatusConflict || !strings.Contains(p.body, `id="conflict"`) {
		t.Fatalf("stale POST: %d, want 409 with the conflict shown\n%s", p.status, p.body)
	}
	if !strings.Contains(p.body, "A change made on a stale copy.") {
		t.Error("the conflict page lost the officer's changes")
	}
	if got, _ := n.store.GetRecord(context.Background(), rec.ID); got.Version != 2 || got.Seizure.Narrative == "A change made on a stale copy." {
		t.Fatalf("the stale edit was stored: version %d", got.Version)
	}
	noMissing(t, "conflict", p)

	// A retracted record can no longer be edited.
	if _, err := n.records.Retract(context.Background(), "system", rec.ID, "test"); err != nil {
		t.Fatal(err)
	}
	if p := b.get(edit); p.status != http.StatusConflict {
		t.Fatalf("GET the edit form of a retracted record: %d, want 409", p.status)
	}
}

// TestUIFormTooLarge checks that a form over the UI's limit is refused with
// 413 before it is read whole, and stores nothing.
func TestUIFormTooLarge(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := MustLogin(t, n, store.RoleAnalyst)
	const limit = 4 << 20 // the UI's form limit
	f := withCSRF(t, b, seizureForm())
	f.Set("seizure.narrative", strings.Repeat("x", limit))
	if p := b.post("/ui/records/new", f); p.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a form of over %d bytes: %d, want 413", limit, p.status)
	}
	if c := MustCount(t, n); c != 0 {
		t.Errorf("%d records stored from a form over the limit", c)
	}
}

// TestUIValidationInTheUsersLanguage checks that the record form's
// validation messages are worded in the page's language, with the values
// they quote in place.
func TestUIValidationInTheUsersLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := MustLogin(t, n, store.RoleAnalyst)
	for lang, want := range map[string]string{
		"en":      `container "CSQU3054384" has check digit 4, expected 3 (ISO 6346)`,
		"fr":      `le conteneur "CSQU3054384" a le chiffre de contrôle 4, 3 attendu (ISO 6346)`,
		"zh-Hant": `貨櫃 "CSQU3054384" 的校驗位為 4，應為 3（ISO 6346）`,
	} {
		b.get("/ui/?lang=" + lang)
		f := seizureForm()
		f.Set("seizure.containers", "CSQU3054384")
		p := b.post("/ui/records/new", withCSRF(t, b, f))
		if p.status != http.StatusBadRequest || !strings.Contains(fieldError(p, "f-seizure-containers"), want) {
			t.Errorf("%s: %d, error next to the containers %q, want %q", lang, p.status, fieldError(p, "f-seizure-containers"), want)
		}
	}
	if c := MustCount(t, n); c != 0 {
		t.Errorf("%d records stored from invalid forms", c)
	}
}

var submissionRE = regexp.MustCompile(`name="submission" value="([^"]+)"`)

// TestUINewRecordStoredOnce checks that the form of a new record stores it
// once however often it is sent (a double click, a resend): every sending
// of one form, at once or later, goes to the one record stored, while a
// sending the form refused lets the corrected one store, and another form
// stores another record.
func TestUINewRecordStoredOnce(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := MustLogin(t, n, store.RoleAnalyst)
	newForm := func() url.Values {
		t.Helper()
		m := submissionRE.FindStringSubmatch(b.get("/ui/records/new?kind=seizure").body)
		if m == nil {
			t.Fatal("the new seizure form has no submission token")
		}
		f := withCSRF(t, b, seizureForm())
		f.Set("submission", m[1])
		return f
	}
	saved := func(p page) string {
		t.Helper()
		m := savedRE.FindStringSubmatch(p.header.Get("Location"))
		if p.status != http.StatusSeeOther || m == nil {
			t.Fatalf("POST the form: %d to %q, want 303 to the record", p.status, p.header.Get("Location"))
		}
		return m[1]
	}

	// Sent four times at once, then once more.
	f := newForm()
	ids := make([]string, 4)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() { ids[i] = saved(b.post("/ui/records/new", f)) })
	}
	wg.Wait()
	ids = append(ids, saved(b.post("/ui/records/new", f)))
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Errorf("one form stored records %v, want one", ids)
			break
		}
	}
	if c := MustCount(t, n); c != 1 {
		t.Fatalf("%d records stored from one form sent five times, want 1", c)
	}

	// Refused, then corrected with the same token: stored.
	f = newForm()
	f.Set("seizure.containers", "CSQU3054384")
	if p := b.post("/ui/records/new", f); p.status != http.StatusBadRequest {
		t.Fatalf("an invalid form: %d, want 400", p.status)
	}
	f.Set("seizure.containers", "CSQU3054383")
	second := saved(b.post("/ui/records/new", f))
	if second == ids[0] || MustCount(t, n) != 2 {
		t.Errorf("the corrected form went to %s (first %s), %d records; want a second record", second, ids[0], MustCount(t, n))
	}
}
