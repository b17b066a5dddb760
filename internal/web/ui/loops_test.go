package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// MustReceive stores r as a record received from its originator, as the
// inbox does, and returns it.
func MustReceive(tb testing.TB, n *node, r *intel.Record) *intel.Record {
	tb.Helper()
	now := time.Now().UTC()
	r.ID, r.Version, r.Created, r.Updated, r.Status = ulid.Make().String(), 1, &now, &now, intel.StatusActive
	rc := store.Received{EnvelopeID: ulid.Make().String(), From: r.Originator, Type: "record.create",
		Signed: []byte("eyJ.signed." + r.ID), Record: r}
	if _, err := n.store.Receive(context.Background(), rc, audit.Event{Actor: r.Originator, Action: "federation.receive", Target: r.ID}); err != nil {
		tb.Fatalf("receive %s: %v", r.Kind, err)
	}
	return r
}

// fromJP is a record of kind originated by Japan for Hong Kong.
func fromJP(kind intel.Kind) *intel.Record {
	r := common(kind)
	r.Originator = "JP"
	r.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"HK"}}
	return &r
}

func warningFromJP() *intel.Record {
	r := fromJP(intel.KindWarning)
	r.Warning = &intel.Warning{Subject: "Reefer container of frozen fish from Saigon", SuggestedAction: "check",
		Containers: []string{"CSQU3054383"}}
	return r
}

func requestFromJP(deadline string) *intel.Record {
	r := fromJP(intel.KindRequest)
	r.Request = &intel.Request{Requesting: "JP", Requested: "HK", Subject: "Consignee of a tobacco shipment",
		Questions: []string{"Is the company registered in Hong Kong?", "Who are its directors?"}, Deadline: deadline}
	return r
}

// deliveriesOf returns the outbox rows of a record as "PEER TYPE" strings.
func deliveriesOf(tb testing.TB, n *node, id string) []string {
	tb.Helper()
	ds, err := n.store.Deliveries(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, d.Peer+" "+d.Type)
	}
	return out
}

var newRecordRE = regexp.MustCompile(`id="new-record">([0-9A-Z]{26})<`)

// createdBy returns the id of the record a loop page says it created.
func createdBy(tb testing.TB, p page) string {
	tb.Helper()
	m := newRecordRE.FindStringSubmatch(p.body)
	if m == nil {
		tb.Fatalf("the page names no new record:\n%s", p.body)
	}
	return m[1]
}

// warningForm is the form of a new warning, with the targets on the
// second row.
func warningForm() url.Values {
	return url.Values{
		"grading.source":                 {"B"},
		"grading.information":            {"2"},
		"handling.code":                  {"H0"},
		"distribution.scope":             {"bilateral"},
		"distribution.recipients":        {"jp"},
		"warning.subject":                {"Courier expected from Bangkok with methamphetamine"},
		"warning.suggested_action":       {"discreet-surveillance"},
		"warning.expected_from":          {"2026-12-01"},
		"warning.expected_to":            {"2026-12-05"},
		"warning.category":               {"drugs/methamphetamine"},
		"warning.transport":              {"air"},
		"warning.conveyance.flight":      {"tg600"},
		"warning.route[0].role":          {"departure"},
		"warning.route[0].country":       {"TH"},
		"warning.route[1].role":          {"destination"},
		"warning.route[1].country":       {"HK"},
		"warning.targets[1].type":        {"person"},
		"warning.targets[1].role":        {"courier"},
		"warning.targets[1].name":        {"Somchai Jaidee"},
		"warning.targets[1].nationality": {"th"},
		"warning.indicators":             {"one-way ticket bought in cash\r\n\r\nno checked luggage"},
		"warning.narrative":              {"Seen twice on the same route in October."},
	}
}

func wantWarning() *intel.Record {
	r := common(intel.KindWarning)
	r.Warning = &intel.Warning{Subject: "Courier expected from Bangkok with methamphetamine", SuggestedAction: "discreet-surveillance",
		ExpectedFrom: "2026-12-01", ExpectedTo: "2026-12-05", Category: "drugs/methamphetamine", Transport: "air",
		Conveyance: &intel.Conveyance{Flight: "TG600"},
		Route:      []intel.RouteLeg{{Role: "departure", Country: "TH"}, {Role: "destination", Country: "HK"}},
		Targets:    []intel.Party{{Type: "person", Role: "courier", Name: "Somchai Jaidee", Nationality: "TH"}},
		Indicators: []string{"one-way ticket bought in cash", "no checked luggage"},
		Narrative:  "Seen twice on the same route in October."}
	return &r
}

func TestUIWarningForm(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := MustLogin(t, n, store.RoleAnalyst)
	form := b.get("/ui/records/new?kind=warning")
	if form.status != http.StatusOK {
		t.Fatalf("GET the warning form: %d\n%s", form.status, form.body)
	}
	for _, id := range []string{"f-warning-subject", "f-warning-suggested_action", "f-warning-expected_to", "f-warning-targets-3-name",
		"f-warning-route-2-locode", "f-warning-indicators", "f-warning-containers"} {
		if !strings.Contains(form.body, `id="`+id+`"`) {
			t.Errorf("the warning form lacks input %s", id)
		}
	}
	if strings.Contains(form.body, `id="f-seizure-date"`) || strings.Contains(form.body, `id="goods"`) {
		t.Error("the warning form shows seizure inputs")
	}
	if !regexp.MustCompile(`<a href="/ui/records/new\?kind=warning" class="active"`).MatchString(form.body) {
		t.Error("the navigation does not mark New warning as the page shown")
	}
	if regexp.MustCompile(`<a href="/ui/records/new\?kind=seizure" class="active"`).MatchString(form.body) {
		t.Error("the navigation marks New seizure on the warning form")
	}
	p := b.post("/ui/records/new?kind=warning", withCSRF(t, b, warningForm()))
	m := savedRE.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("POST the warning form: %d to %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	got, err := n.store.GetRecord(context.Background(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	if g, w := bodyOnly(t, got), bodyOnly(t, wantWarning()); g != w {
		t.Errorf("stored warning differs from the form:\n got %s\nwant %s", g, w)
	}
	page := b.get("/ui/records/" + got.ID)
	if !strings.Contains(page.body, `href="/ui/records/`+got.ID+`/edit"`) {
		t.Error("the page of a warning this node issued does not offer to edit it")
	}

	t.Run("edit keeps what the form does not show", func(t *testing.T) {
		w := wantWarning()
		w.Title = "Courier TG600"
		w.Warning.Targets[0].Aliases = []string{"S. Jaidee"}
		rec := MustCreate(t, n, w)
		edit := b.get("/ui/records/" + rec.ID + "/edit")
		for _, want := range []string{`value="Somchai Jaidee"`, ">one-way ticket bought in cash\nno checked luggage</textarea>",
			`<option value="discreet-surveillance" selected>`, `name="version" value="1"`} {
			if !strings.Contains(edit.body, want) {
				t.Errorf("the edit form lacks %s", want)
			}
		}
		f := warningForm()
		for k := range f {
			if strings.HasPrefix(k, "warning.targets[1]") {
				f[strings.Replace(k, "[1]", "[0]", 1)] = f[k]
				delete(f, k)
			}
		}
		f.Set("warning.narrative", "Seen three times.")
		f.Set("version", "1")
		p := b.post("/ui/records/"+rec.ID+"/edit", withCSRF(t, b, f))
		if p.status != http.StatusSeeOther {
			t.Fatalf("POST the edit: %d\n%s", p.status, p.body)
		}
		got, _ := n.store.GetRecord(context.Background(), rec.ID)
		w.Warning.Narrative = "Seen three times."
		if g, want := bodyOnly(t, got), bodyOnly(t, w); g != want {
			t.Errorf("version 2 differs:\n got %s\nwant %s", g, want)
		}
	})

	tests := []struct {
		name    string
		set     map[string]string
		input   string
		message string
	}{
		{"no subject", map[string]string{"warning.subject": ""}, "f-warning-subject", "subject"},
		{"end before start", map[string]string{"warning.expected_to": "2026-11-30"}, "f-warning-expected_to", "before expected from"},
		{"unknown action", map[string]string{"warning.suggested_action": ""}, "f-warning-suggested_action", "suggested action"},
		{"container check digit", map[string]string{"warning.containers": "CSQU3054384"}, "f-warning-containers", "line 1: container"},
		{"second indicator too long", map[string]string{"warning.indicators": "cash\n" + strings.Repeat("x", 2000)}, "f-warning-indicators", "line 2:"},
		{"target without a name", map[string]string{"warning.targets[1].name": ""}, "f-warning-targets-1-name", "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := MustCount(t, n)
			f := warningForm()
			for k, v := range tt.set {
				f.Set(k, v)
			}
			p := b.post("/ui/records/new?kind=warning", withCSRF(t, b, f))
			if p.status != http.StatusBadRequest {
				t.Fatalf("POST: %d, want 400\n%s", p.status, p.body)
			}
			if got := fieldError(p, tt.input); !strings.Contains(got, tt.message) {
				t.Errorf("error next to %s is %q, want it to contain %q", tt.input, got, tt.message)
			}
			if !strings.Contains(p.body, "Seen twice on the same route in October.") {
				t.Error("the form shown again lost the narrative")
			}
			noMissing(t, tt.name, p)
			if MustCount(t, n) != before {
				t.Fatal("an invalid warning was stored")
			}
		})
	}
}

func TestUIFeedback(t *testing.T) {
	n := MustNode(t, nil, nil)
	w := MustReceive(t, n, warningFromJP())
	seized := MustCreate(t, n, seizure())
	liaison := MustLogin(t, n, store.RoleLiaison)
	path := "/ui/records/" + w.ID
	page := liaison.get(path)
	if !strings.Contains(page.body, `id="feedback-form"`) || !strings.Contains(page.body, `id="no-feedback"`) {
		t.Fatalf("a received warning's page offers no feedback form to a liaison officer:\n%s", page.body)
	}
	for _, role := range []string{store.RoleAnalyst, store.RoleAuditor} {
		b := MustLogin(t, n, role)
		if p := b.get(path); p.status != 200 || strings.Contains(p.body, `id="feedback-form"`) {
			t.Errorf("%s: page %d, offers the feedback form %v", role, p.status, strings.Contains(p.body, `id="feedback-form"`))
		}
		p := b.post(path+"/feedback", withCSRF(t, b, url.Values{"feedback.controlled": {"no"}, "feedback.result": {"not-encountered"}}))
		if p.status != http.StatusForbidden {
			t.Errorf("%s POST feedback: %d, want 403", role, p.status)
		}
	}
	if p := liaison.post(path+"/feedback", url.Values{"feedback.controlled": {"no"}, "feedback.result": {"not-encountered"}}); p.status != http.StatusForbidden {
		t.Errorf("POST feedback without CSRF token: %d, want 403", p.status)
	}
	before := MustCount(t, n)

	invalid := []struct {
		name  string
		form  url.Values
		input map[string]string
	}{
		{"nothing chosen", url.Values{"feedback.narrative": {"Container examined on arrival."}},
			map[string]string{"f-feedback-controlled": "controlled", "f-feedback-result": "result"}},
		{"seizure without its id", url.Values{"feedback.controlled": {"yes"}, "feedback.result": {"seizure"}},
			map[string]string{"f-feedback-seizure": "needs the id of the seizure record"}},
		{"bad seizure id", url.Values{"feedback.controlled": {"yes"}, "feedback.result": {"seizure"}, "feedback.seizure": {"12345"}},
			map[string]string{"f-feedback-seizure": "12345"}},
		{"date in the future", url.Values{"feedback.controlled": {"yes"}, "feedback.result": {"nothing-found"},
			"feedback.date": {time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)}},
			map[string]string{"f-feedback-date": "in the future"}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			p := liaison.post(path+"/feedback", withCSRF(t, liaison, tt.form))
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="feedback-form"`) {
				t.Fatalf("POST: %d, want 400 with the form\n%s", p.status, p.body)
			}
			for id, msg := range tt.input {
				if got := fieldError(p, id); !strings.Contains(got, msg) {
					t.Errorf("error next to %s is %q, want it to contain %q", id, got, msg)
				}
			}
			if n := strings.Count(p.body, `class="field-error"`); n != len(tt.input) {
				t.Errorf("%d inputs show an error, want %d", n, len(tt.input))
			}
			if v := tt.form.Get("feedback.narrative"); v != "" && !strings.Contains(p.body, v) {
				t.Error("the form shown again lost the narrative")
			}
			noMissing(t, tt.name, p)
		})
	}
	if MustCount(t, n) != before {
		t.Fatal("invalid feedback was stored")
	}

	p := liaison.post(path+"/feedback", withCSRF(t, liaison, url.Values{"feedback.controlled": {"yes"}, "feedback.result": {"seizure"},
		"feedback.seizure": {strings.ToLower(seized.ID)}, "feedback.date": {"2026-10-14"},
		"feedback.narrative": {"Container examined on arrival; cigarettes behind the fish."}}))
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="sent-ok"`) {
		t.Fatalf("POST feedback: %d, want the decision allowing it\n%s", p.status, p.body)
	}
	fb := createdBy(t, p)
	got, err := n.store.GetRecord(context.Background(), fb)
	if err != nil {
		t.Fatal(err)
	}
	if f := got.Feedback; got.Kind != intel.KindFeedback || f.Warning != w.ID || !f.Controlled || f.Result != "seizure" ||
		f.Seizure != seized.ID || f.Date != "2026-10-14" || got.Distribution.Recipients[0] != "JP" {
		t.Fatalf("stored feedback %+v %+v", got, got.Feedback)
	}
	if ds := deliveriesOf(t, n, fb); len(ds) != 1 || ds[0] != "JP feedback" {
		t.Fatalf("deliveries of the feedback: %v, want one feedback envelope to JP", ds)
	}
	if !strings.Contains(p.body, `href="/ui/records/`+w.ID+`" id="back"`) {
		t.Error("the result page does not lead back to the warning")
	}
	after := liaison.get(path)
	for _, want := range []string{`href="/ui/records/` + fb + `"`, "cigarettes behind the fish", seized.ID} {
		if !strings.Contains(after.body, want) {
			t.Errorf("the warning's page lacks %q after the feedback", want)
		}
	}
	if strings.Contains(after.body, `id="no-feedback"`) {
		t.Error("the warning's page still says there is no feedback")
	}

	t.Run("own warning", func(t *testing.T) {
		own := MustCreate(t, n, wantWarning())
		p := liaison.get("/ui/records/" + own.ID)
		if strings.Contains(p.body, `id="feedback-form"`) || !strings.Contains(p.body, `id="feedback-given"`) {
			t.Fatal("the page of this node's own warning offers feedback or hides the feedback section")
		}
		before := MustCount(t, n)
		p = liaison.post("/ui/records/"+own.ID+"/feedback", withCSRF(t, liaison, url.Values{"feedback.controlled": {"no"}, "feedback.result": {"not-encountered"}}))
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "originates from this node") {
			t.Fatalf("feedback on own warning: %d\n%s", p.status, p.body)
		}
		if MustCount(t, n) != before {
			t.Fatal("feedback on own warning was stored")
		}
	})
}

// requestForm is the form of a new request to Japan.
func requestForm() url.Values {
	return url.Values{
		"request.requested":   {"JP"},
		"request.agreement":   {"hk-jp-arrangement"},
		"request.urgency":     {"urgent"},
		"request.deadline":    {time.Now().UTC().AddDate(0, 0, 14).Format(time.DateOnly)},
		"request.subject":     {"Ownership of Golden Harvest Trading"},
		"request.facts":       {"The company consigned cigarettes declared as fish."},
		"request.questions":   {"Who are the directors?\r\n\r\nWhere is the company registered?\r\n"},
		"grading.source":      {"B"},
		"grading.information": {"2"},
		"handling.code":       {"H0"},
	}
}

func TestUIRequests(t *testing.T) {
	n := MustNode(t, nil, nil)
	liaison := MustLogin(t, n, store.RoleLiaison)

	form := liaison.get("/ui/requests/new")
	if form.status != http.StatusOK {
		t.Fatalf("GET the request form: %d\n%s", form.status, form.body)
	}
	for _, want := range []string{`<option value="JP">`, `<option value="FR">`, `<option value="hk-jp-arrangement">`,
		`<option value="B" selected>`, `id="f-request-questions"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the request form lacks %s", want)
		}
	}

	invalid := []struct {
		name    string
		set     map[string]string
		input   string
		message string
	}{
		{"no questions", map[string]string{"request.questions": "\r\n"}, "f-request-questions", "at least one question"},
		{"no subject", map[string]string{"request.subject": ""}, "f-request-subject", "subject"},
		{"no recipient", map[string]string{"request.requested": ""}, "f-request-requested", "requested administration"},
		{"deadline past", map[string]string{"request.deadline": "2020-01-01"}, "f-request-deadline", "already past"},
		{"second question too long", map[string]string{"request.questions": "Who?\n" + strings.Repeat("x", 70000)}, "f-request-questions", "line 2:"},
		{"recipient not pinned", map[string]string{"request.requested": "CN", "request.agreement": ""}, "f-request-requested", "not a pinned partner"},
		{"basis not binding the recipient", map[string]string{"request.requested": "FR"}, "f-request-agreement", "does not bind both HK and FR"},
		{"unknown basis", map[string]string{"request.agreement": "no-such-agreement"}, "f-request-agreement", "no agreement"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			f := requestForm()
			for k, v := range tt.set {
				f.Set(k, v)
			}
			p := liaison.post("/ui/requests/new", withCSRF(t, liaison, f))
			if p.status != http.StatusBadRequest {
				t.Fatalf("POST: %d, want 400\n%s", p.status, p.body)
			}
			if got := fieldError(p, tt.input); !strings.Contains(got, tt.message) {
				t.Errorf("error next to %s is %q, want it to contain %q", tt.input, got, tt.message)
			}
			if !strings.Contains(p.body, "The company consigned cigarettes declared as fish.") {
				t.Error("the form shown again lost the facts")
			}
			noMissing(t, tt.name, p)
			if c := MustCount(t, n); c != 0 {
				t.Fatalf("an invalid request stored %d records", c)
			}
		})
	}

	p := liaison.post("/ui/requests/new", withCSRF(t, liaison, requestForm()))
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="sent-ok"`) {
		t.Fatalf("POST the request: %d\n%s", p.status, p.body)
	}
	sent := createdBy(t, p)
	got, err := n.store.GetRecord(context.Background(), sent)
	if err != nil {
		t.Fatal(err)
	}
	if q := got.Request; got.Originator != "HK" || q.Requesting != "HK" || q.Requested != "JP" || q.State != "sent" ||
		len(q.Questions) != 2 || q.Questions[1] != "Where is the company registered?" || q.Agreement != "hk-jp-arrangement" ||
		got.Distribution.Scope != "bilateral" || got.Distribution.Recipients[0] != "JP" {
		t.Fatalf("stored request %+v %+v", got, got.Request)
	}
	if ds := deliveriesOf(t, n, sent); len(ds) != 1 || ds[0] != "JP request" {
		t.Fatalf("deliveries of the request: %v, want one request envelope to JP", ds)
	}
	// A request travels through its loop; the plain share would send a copy.
	if page := liaison.get("/ui/records/" + sent); page.status != http.StatusOK || strings.Contains(page.body, `action="/ui/records/`+sent+`/share"`) {
		t.Errorf("the request's page (%d) offers the plain share form", page.status)
	}

	open := MustReceive(t, n, requestFromJP(time.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly)))
	late := MustReceive(t, n, requestFromJP("2026-01-15"))
	toDecline := MustReceive(t, n, requestFromJP(""))

	list := liaison.get("/ui/requests")
	row := func(p page, id string) string {
		return regexp.MustCompile(`(?s)<tr id="req-` + id + `"[^>]*>.*?</tr>`).FindString(p.body)
	}
	received := regexp.MustCompile(`(?s)<section id="received">.*?</section>`).FindString(list.body)
	sentSec := regexp.MustCompile(`(?s)<section id="sent">.*?</section>`).FindString(list.body)
	if !strings.Contains(sentSec, sent) || strings.Contains(received, sent) {
		t.Error("the request sent is not listed under Sent only")
	}
	for _, id := range []string{open.ID, late.ID, toDecline.ID} {
		if !strings.Contains(received, id) {
			t.Errorf("received request %s not listed under Received", id)
		}
	}
	if r := row(list, sent); !strings.Contains(r, `class="state sent"`) || !strings.Contains(r, "Japan") ||
		!strings.Contains(r, "Ownership of Golden Harvest Trading") {
		t.Errorf("row of the request sent: %s", r)
	}
	if r := row(list, open.ID); !strings.Contains(r, `class="state acknowledged"`) || strings.Contains(r, "overdue") {
		t.Errorf("row of the open request received: %s", r)
	}
	if r := row(list, late.ID); !strings.Contains(r, `class="overdue"`) || !strings.Contains(r, `class="state overdue"`) ||
		!strings.Contains(r, "15 Jan 2026") {
		t.Errorf("the request past its deadline is not marked overdue: %s", r)
	}
	if f := liaison.get("/ui/requests?state=overdue"); !strings.Contains(f.body, late.ID) || strings.Contains(f.body, open.ID) {
		t.Error("?state=overdue does not list exactly the overdue request")
	}
	if f := liaison.get("/ui/requests?state=lost"); f.status != http.StatusBadRequest || !strings.Contains(f.body, "state") {
		t.Errorf("unknown state filter: %d", f.status)
	}

	t.Run("answer", func(t *testing.T) {
		path := "/ui/records/" + open.ID
		page := liaison.get(path)
		for _, want := range []string{`id="answer-form"`, `id="decline-form"`, `id="no-response"`, `id="request-state"`, "received by this node"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the received request's page lacks %s", want)
			}
		}
		before := MustCount(t, n)
		p := liaison.post(path+"/answer", withCSRF(t, liaison, url.Values{"response.outcome": {"answered"}, "response.answers": {"\r\n"}}))
		if p.status != http.StatusBadRequest || !strings.Contains(fieldError(p, "f-response-answers"), "at least one answer") {
			t.Fatalf("empty answer: %d, error %q", p.status, fieldError(p, "f-response-answers"))
		}
		p = liaison.post(path+"/answer", withCSRF(t, liaison, url.Values{"response.outcome": {"declined"}, "response.answers": {"No."}}))
		if p.status != http.StatusBadRequest || !strings.Contains(fieldError(p, "f-response-outcome"), "answered or partial") {
			t.Fatalf("answer with outcome declined: %d, error %q", p.status, fieldError(p, "f-response-outcome"))
		}
		if MustCount(t, n) != before {
			t.Fatal("an invalid answer was stored")
		}
		p = liaison.post(path+"/answer", withCSRF(t, liaison, url.Values{"response.outcome": {"partial"},
			"response.answers": {"Two directors are on record.\r\nRegistered in Kowloon."}, "response.narrative": {"Bank records need a court order."}}))
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="sent-ok"`) {
			t.Fatalf("answer: %d\n%s", p.status, p.body)
		}
		resp := createdBy(t, p)
		if ds := deliveriesOf(t, n, resp); len(ds) != 1 || ds[0] != "JP response" {
			t.Fatalf("deliveries of the response: %v", ds)
		}
		after := liaison.get(path)
		if strings.Contains(after.body, `id="answer-form"`) || strings.Contains(after.body, `id="decline-form"`) {
			t.Error("an answered request still offers to answer or decline it")
		}
		for _, want := range []string{`class="state answered"`, `id="response-` + resp + `"`, "Registered in Kowloon.", "partial answer"} {
			if !strings.Contains(after.body, want) {
				t.Errorf("the answered request's page lacks %s", want)
			}
		}
		if r := row(liaison.get("/ui/requests"), open.ID); !strings.Contains(r, `class="state answered"`) {
			t.Errorf("the list does not show the request answered: %s", r)
		}
		if p := liaison.post(path+"/decline", withCSRF(t, liaison, url.Values{"response.reason": {"late"}})); p.status != http.StatusConflict {
			t.Errorf("declining an answered request: %d, want 409", p.status)
		}
	})

	t.Run("decline", func(t *testing.T) {
		path := "/ui/records/" + toDecline.ID
		p := liaison.post(path+"/decline", withCSRF(t, liaison, url.Values{"response.reason": {"  "}}))
		if p.status != http.StatusBadRequest || !strings.Contains(fieldError(p, "f-response-reason"), "say why") {
			t.Fatalf("decline without reason: %d, error %q\n%s", p.status, fieldError(p, "f-response-reason"), p.body)
		}
		p = liaison.post(path+"/decline", withCSRF(t, liaison, url.Values{"response.reason": {"Outside the arrangement's purpose."}}))
		if p.status != http.StatusOK {
			t.Fatalf("decline: %d\n%s", p.status, p.body)
		}
		after := liaison.get(path)
		if !strings.Contains(after.body, `class="state declined"`) || !strings.Contains(after.body, "Outside the arrangement&#39;s purpose.") {
			t.Error("the declined request's page does not show the refusal")
		}
	})

	t.Run("sent request answered", func(t *testing.T) {
		path := "/ui/records/" + sent
		before := liaison.get(path)
		if strings.Contains(before.body, `id="answer-form"`) || !strings.Contains(before.body, "sent by this node") ||
			!strings.Contains(before.body, `id="no-response"`) {
			t.Error("the page of a request sent offers to answer it, or does not say it awaits a response")
		}
		r := fromJP(intel.KindResponse)
		r.Response = &intel.Response{Request: sent, Outcome: "answered", Answers: []string{"Mr Tanaka and Ms Sato.", "Osaka."}}
		resp := MustReceive(t, n, r)
		after := liaison.get(path)
		for _, want := range []string{`class="state answered"`, `id="response-` + resp.ID + `"`, "Mr Tanaka and Ms Sato."} {
			if !strings.Contains(after.body, want) {
				t.Errorf("the page of the request answered lacks %s", want)
			}
		}
	})

	t.Run("permissions", func(t *testing.T) {
		req := MustReceive(t, n, requestFromJP(""))
		for _, role := range []string{store.RoleAnalyst, store.RoleAuditor} {
			b := MustLogin(t, n, role)
			l := b.get("/ui/requests")
			if l.status != 200 || strings.Contains(l.body, `id="new-request"`) || !strings.Contains(l.body, req.ID) {
				t.Errorf("%s: requests page %d, offers a new request %v", role, l.status, strings.Contains(l.body, `id="new-request"`))
			}
			if !strings.Contains(l.body, `href="/ui/requests"`) {
				t.Errorf("%s: the navigation does not link the requests", role)
			}
			if p := b.get("/ui/records/" + req.ID); strings.Contains(p.body, `id="answer-form"`) || strings.Contains(p.body, `id="decline-form"`) {
				t.Errorf("%s is offered forms to answer or decline", role)
			}
			if p := b.get("/ui/requests/new"); p.status != http.StatusForbidden {
				t.Errorf("%s GET the request form: %d, want 403", role, p.status)
			}
			for _, path := range []string{"/ui/requests/new", "/ui/records/" + req.ID + "/answer", "/ui/records/" + req.ID + "/decline"} {
				f := requestForm()
				f.Set("response.answers", "Yes.")
				f.Set("response.reason", "No.")
				if p := b.post(path, withCSRF(t, b, f)); p.status != http.StatusForbidden {
					t.Errorf("%s POST %s: %d, want 403", role, path, p.status)
				}
			}
		}
		before := MustCount(t, n)
		for _, path := range []string{"/ui/requests/new", "/ui/records/" + req.ID + "/answer", "/ui/records/" + req.ID + "/decline"} {
			f := requestForm()
			f.Set("response.answers", "Yes.")
			f.Set("response.reason", "No.")
			f.Set("csrf", "wrong")
			if p := liaison.post(path, f); p.status != http.StatusForbidden {
				t.Errorf("POST %s with a wrong CSRF token: %d, want 403", path, p.status)
			}
		}
		if MustCount(t, n) != before {
			t.Fatal("a refused POST stored a record")
		}
	})
}

func TestUIRequestsListed(t *testing.T) {
	n := MustNode(t, nil, nil)
	first := MustReceive(t, n, requestFromJP("2026-12-31"))
	for range 200 {
		MustReceive(t, n, requestFromJP("2026-12-31"))
	}
	hidden := requestFromJP("2026-12-31")
	hidden.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "op-tiger"}
	hidden = MustReceive(t, n, hidden)
	p := MustLogin(t, n, store.RoleLiaison).get("/ui/requests")
	if got := strings.Count(p.body, `<tr id="req-`); got != 200 {
		t.Fatalf("the requests page lists %d requests of 202, want the latest 200", got)
	}
	if !strings.Contains(p.body, `id="more"`) || strings.Contains(p.body, first.ID) {
		t.Error("the requests page does not say it shows only the latest, or lists the oldest")
	}
	if strings.Contains(p.body, hidden.ID) {
		t.Error("a liaison officer outside the operation sees its request listed")
	}
	if p := MustLogin(t, n, store.RoleAuditor).get("/ui/requests"); !strings.Contains(p.body, hidden.ID) {
		t.Error("the auditor does not see the operation's request")
	}
}

func TestUILoopPagesInEveryLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	w := MustReceive(t, n, warningFromJP())
	q := MustReceive(t, n, requestFromJP("2026-01-15"))
	b := MustLogin(t, n, store.RoleLiaison)
	for _, path := range []string{"/ui/requests", "/ui/requests/new", "/ui/records/new?kind=warning", "/ui/records/" + w.ID,
		"/ui/records/" + q.ID} {
		for _, lang := range []string{"en", "fr", "zh-Hant"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			p := b.get(path + sep + "lang=" + lang)
			if p.status != http.StatusOK {
				t.Fatalf("%s in %s: %d\n%s", path, lang, p.status, p.body)
			}
			noMissing(t, path+" "+lang, p)
		}
	}
	for lang, want := range map[string][]string{"fr": {"Demandes", "en retard", "Reçues"}, "zh-Hant": {"協查請求", "逾期"}} {
		p := b.get("/ui/requests?lang=" + lang)
		for _, s := range want {
			if !strings.Contains(p.body, s) {
				t.Errorf("the requests page in %s lacks %q", lang, s)
			}
		}
	}
}

// BenchmarkRequestsPage measures the requests page over 200 requests
// received, each with its state computed as the API computes it.
func BenchmarkRequestsPage(b *testing.B) {
	n := MustNode(b, nil, nil)
	for range 200 {
		MustReceive(b, n, requestFromJP("2026-12-31"))
	}
	br := MustLogin(b, n, store.RoleLiaison)
	for b.Loop() {
		if p := br.get("/ui/requests"); p.status != http.StatusOK {
			b.Fatalf("requests page: %d", p.status)
		}
	}
}

// BenchmarkRequestRecordPage measures the page of one request received
// among 200, with its state and the forms to answer or decline it.
func BenchmarkRequestRecordPage(b *testing.B) {
	n := MustNode(b, nil, nil)
	var last *intel.Record
	for range 200 {
		last = MustReceive(b, n, requestFromJP("2026-12-31"))
	}
	br := MustLogin(b, n, store.RoleLiaison)
	for b.Loop() {
		if p := br.get("/ui/records/" + last.ID); p.status != http.StatusOK || !strings.Contains(p.body, `id="answer-form"`) {
			b.Fatalf("request page: %d", p.status)
		}
	}
}

// TestUIRequestsPageLimits checks that each section of the requests page
// is cut on its own, after the state filter and the user's visibility,
// so that requests of one kind never crowd out the other's.
func TestUIRequestsPageLimits(t *testing.T) {
	n := MustNode(t, nil, nil)
	// Three requests this node sent, then 205 received past their deadline
	// and a few open ones, newer than everything sent.
	var sent []*intel.Record
	for range 3 {
		r := common(intel.KindRequest)
		r.Request = &intel.Request{Requesting: "HK", Requested: "JP", Subject: "Vessel movements", State: "sent",
			Questions: []string{"Did the vessel call at Osaka?"}, Deadline: "2020-01-01"}
		sent = append(sent, MustCreate(t, n, &r))
	}
	var late []*intel.Record
	for range 205 {
		late = append(late, MustReceive(t, n, requestFromJP("2026-01-15")))
	}
	open := MustReceive(t, n, requestFromJP(time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)))
	hidden := requestFromJP("2026-01-15")
	hidden.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "op-tiger"}
	hidden = MustReceive(t, n, hidden)
	b := MustLogin(t, n, store.RoleAnalyst)
	section := func(p page, id string) string {
		return regexp.MustCompile(`(?s)<section id="` + id + `">.*?</section>`).FindString(p.body)
	}

	p := b.get("/ui/requests")
	if got := strings.Count(section(p, "received"), `<tr id="req-`); got != 200 {
		t.Errorf("the received section lists %d requests, want the latest 200", got)
	}
	if sec := section(p, "sent"); strings.Count(sec, `<tr id="req-`) != 3 || !strings.Contains(sec, sent[0].ID) {
		t.Errorf("the sent section does not list the 3 requests sent beside 206 received:\n%s", sec)
	}
	if !strings.Contains(p.body, `id="more"`) || !strings.Contains(p.body, open.ID) || strings.Contains(p.body, late[0].ID) {
		t.Error("the page does not say it is cut, or does not keep the newest requests")
	}
	if strings.Contains(p.body, hidden.ID) {
		t.Error("the operation's request is listed to an analyst outside it")
	}

	p = b.get("/ui/requests?state=acknowledged")
	if got := strings.Count(p.body, `<tr id="req-`); got != 1 || !strings.Contains(p.body, open.ID) || strings.Contains(p.body, `id="more"`) {
		t.Errorf("?state=acknowledged lists %d requests, want the one open request and no note that it is cut", got)
	}
	p = b.get("/ui/requests?state=overdue")
	if got := strings.Count(section(p, "received"), `<tr id="req-`); got != 200 || !strings.Contains(p.body, late[204].ID) ||
		strings.Contains(p.body, open.ID) || strings.Contains(p.body, hidden.ID) {
		t.Errorf("?state=overdue lists %d received requests, want the latest 200 overdue ones the analyst may see", got)
	}
	if got := strings.Count(section(p, "sent"), `class="state overdue"`); got != 3 {
		t.Errorf("?state=overdue lists %d requests sent, want 3", got)
	}
	if p := MustLogin(t, n, store.RoleAuditor).get("/ui/requests?state=overdue"); !strings.Contains(p.body, hidden.ID) {
		t.Error("the auditor does not see the operation's overdue request")
	}
}

// BenchmarkRequestsPageOf5000 measures the requests page of a node holding
// 5,000 requests received, half of them answered, which shows the latest
// 200: with and without a state filter.
func BenchmarkRequestsPageOf5000(b *testing.B) {
	n := MustNode(b, nil, nil)
	var rs []store.Receipt
	for i := range 5000 {
		req := requestFromJP("2026-01-15")
		now := time.Now().UTC()
		req.ID, req.Version, req.Created, req.Updated, req.Status = ulid.Make().String(), 1, &now, &now, intel.StatusActive
		rs = append(rs, store.Receipt{Received: &store.Received{EnvelopeID: ulid.Make().String(), From: "JP", Type: "request", Record: req},
			Event: audit.Event{Actor: "JP", Action: "federation.receive", Target: req.ID}})
		if i%2 == 0 {
			resp := common(intel.KindResponse)
			resp.ID, resp.Version, resp.Created, resp.Updated, resp.Status = ulid.Make().String(), 1, &now, &now, intel.StatusActive
			resp.Originator = "HK"
			resp.Response = &intel.Response{Request: req.ID, Outcome: "answered", Answers: []string{"Yes."}}
			rs = append(rs, store.Receipt{Received: &store.Received{EnvelopeID: ulid.Make().String(), From: "HK", Type: "response", Record: &resp},
				Event: audit.Event{Actor: "HK", Action: "record.create", Target: resp.ID}})
		}
	}
	if err := n.store.ReceiveBatch(context.Background(), rs); err != nil {
		b.Fatal(err)
	}
	br := MustLogin(b, n, store.RoleLiaison)
	br.get("/ui/requests") // the index takes in what the batch stored
	for _, path := range []string{"/ui/requests", "/ui/requests?state=overdue"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				if p := br.get(path); p.status != http.StatusOK || strings.Count(p.body, `<tr id="req-`) != 200 {
					b.Fatalf("requests page: %d, %d rows", p.status, strings.Count(p.body, `<tr id="req-`))
				}
			}
		})
	}
}
