package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signIn signs in to the UI at base with token and waits for the
// dashboard.
func signIn(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	step(t, ctx, "sign in to "+base,
		chromedp.Navigate(base+"/ui/login"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("total")))
}

// reloadUntil reloads the page until the element sel shows want: what
// another node sends arrives in the background.
func reloadUntil(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	got := ""
	for {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil {
			got = s
			if strings.Contains(s, want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never shows %q; last seen %q", sel, want, got)
		}
		time.Sleep(300 * time.Millisecond)
		step(t, ctx, "reload", chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("main")))
	}
}

// TestUILoopsInBrowser walks the operational loops through the UI of two
// real nodes exchanging over HTTP: Hong Kong's officer writes a warning in
// the form and sends it to Japan, Japan's officer gives feedback on it,
// and Hong Kong sees the feedback on its warning; Hong Kong sends a
// request for assistance from the form, Japan answers it, and Hong Kong
// sees it answered with the answers. A seizure Brazil's node refuses (it
// does not yet hold the agreement Hong Kong shares it under) is retried
// from Hong Kong's UI once Brazil has the agreement, and is delivered.
// Japan's UI is opened as localhost and Hong Kong's as 127.0.0.1, so that
// each keeps its own session cookie in the one browser.
func TestUILoopsInBrowser(t *testing.T) {
	t.Setenv("LIAISON_DELIVERY_POLL", "100ms")
	ctx := MustBrowser(t)
	shots := screenshots(t)
	hkDir, jpDir := t.TempDir(), t.TempDir()
	hkTok, jpTok := initNode(t, hkDir, "HK"), initNode(t, jpDir, "JP")
	hk, jp := serve(t, hkDir), serve(t, jpDir)
	for _, p := range []struct{ on, tok, url string }{{hk.url, hkTok, jp.url}, {jp.url, jpTok, hk.url}} {
		if code, m := call(t, "POST", p.on+"/api/v1/peers", p.tok, map[string]string{"url": p.url, "fingerprint": fingerprintOf(t, p.url)}); code != 201 {
			t.Fatalf("pin: %d %v", code, m)
		}
	}
	hkUI := hk.url
	jpUI := strings.Replace(jp.url, "127.0.0.1", "localhost", 1)
	// The seizure Japan made thanks to the warning.
	seized := createOn(t, jp.url, jpTok, canonical(t))

	// Hong Kong writes the warning in the form and sends it to Japan.
	signIn(t, ctx, hkUI, hkTok)
	step(t, ctx, "open the new warning form",
		chromedp.Click(chromedp.CSS(`nav.main a[href="/ui/records/new?kind=warning"]`)),
		chromedp.WaitVisible(chromedp.ID("f-warning-subject")))
	fields := []struct{ id, value string }{
		{"f-grading-source", "B"}, {"f-grading-information", "2"}, {"f-handling-code", "H0"},
		{"f-distribution-scope", "bilateral"}, {"f-distribution-recipients", "JP"},
		{"f-warning-subject", "Reefer container of frozen fish from Saigon"},
		{"f-warning-suggested_action", "check"}, {"f-warning-category", "revenue/cigarettes"}, {"f-warning-transport", "sea"},
		{"f-warning-conveyance-vessel_imo", "9074729"}, {"f-warning-containers", "CSQU3054383"},
		{"f-warning-route-0-role", "departure"}, {"f-warning-route-0-country", "VN"}, {"f-warning-route-0-locode", "VNSGN"},
		{"f-warning-route-1-role", "destination"}, {"f-warning-route-1-country", "JP"},
		{"f-warning-targets-0-type", "organisation"}, {"f-warning-targets-0-role", "consignor"},
		{"f-warning-targets-0-name", "Golden Harvest Trading Co., Ltd."}, {"f-warning-targets-0-nationality", "VN"},
		{"f-warning-indicators", "declared as frozen fish\nnew consignee"},
		{"f-warning-narrative", "The same consignor shipped cigarettes to Hong Kong in October."},
	}
	var fill []chromedp.Action[chromedp.Void]
	for _, f := range fields {
		fill = append(fill, chromedp.SetValue(chromedp.ID(f.id), f.value))
	}
	step(t, ctx, "fill the warning form", fill...)
	shoot(t, ctx, shots, "20-new-warning")
	step(t, ctx, "save the warning", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.ID("saved")))
	id := read(t, ctx, "record id", chromedp.Text(chromedp.ID("record-id")))
	wantText(t, ctx, "#warning", "Reefer container of frozen fish from Saigon", "CSQU3054383", "Golden Harvest Trading Co., Ltd.", "new consignee")
	wantText(t, ctx, "#feedback-given", "No feedback")
	step(t, ctx, "send the warning to Japan",
		chromedp.Click(chromedp.CSS(`input[name="recipient"][value="JP"]`)),
		chromedp.Click(chromedp.ID("share")),
		chromedp.WaitVisible(chromedp.ID("share-results")))
	wantText(t, ctx, "#share-results", "allowed", "JP")
	waitFor(t, "the warning on JP", func() bool { return holds(t, jp.url, jpTok, id) })

	// Japan's officer gives feedback on it.
	signIn(t, ctx, jpUI, jpTok)
	step(t, ctx, "open the warning on JP", chromedp.Navigate(jpUI+"/ui/records/"+id), chromedp.WaitVisible(chromedp.ID("feedback-form")))
	wantText(t, ctx, "#warning", "Reefer container of frozen fish from Saigon")
	step(t, ctx, "fill the feedback",
		chromedp.Click(chromedp.ID("f-feedback-controlled-yes")),
		chromedp.SetValue(chromedp.ID("f-feedback-result"), "seizure"),
		chromedp.SetValue(chromedp.ID("f-feedback-seizure"), seized),
		chromedp.SetValue(chromedp.ID("f-feedback-narrative"), "Container examined at Tokyo; cigarettes behind the fish."))
	shoot(t, ctx, shots, "21-feedback-form")
	step(t, ctx, "send the feedback", chromedp.Click(chromedp.ID("send-feedback")), chromedp.WaitVisible(chromedp.ID("sent-ok")))
	wantText(t, ctx, "#share-results", "allowed", "HK")
	shoot(t, ctx, shots, "22-feedback-sent")

	// Hong Kong sees it on its warning.
	step(t, ctx, "open the warning on HK", chromedp.Navigate(hkUI+"/ui/records/"+id), chromedp.WaitVisible(chromedp.ID("feedback-given")))
	reloadUntil(t, ctx, "#feedback-given", "cigarettes behind the fish")
	wantText(t, ctx, "#feedback-given", "Japan", "seizure", seized, "yes")
	shoot(t, ctx, shots, "23-feedback-received")

	// Hong Kong sends a request for assistance from the form.
	deadline := time.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	step(t, ctx, "open the request form",
		chromedp.Click(chromedp.CSS(`nav.main a[href="/ui/requests"]`)),
		chromedp.WaitVisible(chromedp.ID("new-request")),
		chromedp.Click(chromedp.ID("new-request")),
		chromedp.WaitVisible(chromedp.ID("request-form")),
		chromedp.SetValue(chromedp.ID("f-request-requested"), "JP"),
		chromedp.SetValue(chromedp.ID("f-request-agreement"), "hk-jp-arrangement"),
		chromedp.SetValue(chromedp.ID("f-request-urgency"), "urgent"),
		chromedp.SetValue(chromedp.ID("f-request-deadline"), deadline),
		chromedp.SetValue(chromedp.ID("f-request-subject"), "Consignee of a tobacco shipment"),
		chromedp.SetValue(chromedp.ID("f-request-facts"), "Golden Harvest Trading shipped cigarettes declared as frozen fish."),
		chromedp.SetValue(chromedp.ID("f-request-questions"), "Is the company registered in Japan?\nWho are its directors?"))
	shoot(t, ctx, shots, "24-new-request")
	step(t, ctx, "send the request", chromedp.Click(chromedp.ID("send-request")), chromedp.WaitVisible(chromedp.ID("sent-ok")))
	reqID := read(t, ctx, "request id", chromedp.Text(chromedp.ID("new-record")))
	step(t, ctx, "list the requests on HK", chromedp.Click(chromedp.ID("to-requests")), chromedp.WaitVisible(chromedp.ID("sent")))
	wantText(t, ctx, "#sent", reqID, "Consignee of a tobacco shipment", "Japan")
	shoot(t, ctx, shots, "25-requests-sent")

	// Japan answers it.
	waitFor(t, "the request on JP", func() bool { return holds(t, jp.url, jpTok, reqID) })
	step(t, ctx, "list the requests on JP", chromedp.Navigate(jpUI+"/ui/requests"), chromedp.WaitVisible(chromedp.ID("received")))
	wantText(t, ctx, "#received", reqID, "Consignee of a tobacco shipment", "Hong Kong", "acknowledged")
	shoot(t, ctx, shots, "26-requests-received")
	step(t, ctx, "open the request on JP",
		chromedp.Click(chromedp.CSS(`#received a[href="/ui/records/`+reqID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("answer-form")),
		chromedp.SetValue(chromedp.ID("f-response-answers"), "Yes, in Osaka since 2019.\nMr Tanaka and Ms Sato."),
		chromedp.SetValue(chromedp.ID("f-response-narrative"), "From the commercial register."))
	wantText(t, ctx, "#request", "Is the company registered in Japan?", "Who are its directors?")
	shoot(t, ctx, shots, "27-answer-form")
	step(t, ctx, "send the answer", chromedp.Click(chromedp.ID("send-answer")), chromedp.WaitVisible(chromedp.ID("sent-ok")))
	wantText(t, ctx, "#share-results", "allowed", "HK")
	step(t, ctx, "back to the request on JP", chromedp.Click(chromedp.ID("back")), chromedp.WaitVisible(chromedp.ID("responses")))
	wantText(t, ctx, "#request-state", "answered")

	// Hong Kong sees it answered.
	step(t, ctx, "list the requests on HK again", chromedp.Navigate(hkUI+"/ui/requests"), chromedp.WaitVisible(chromedp.ID("sent")))
	reloadUntil(t, ctx, "#req-"+reqID, "answered")
	shoot(t, ctx, shots, "28-requests-answered")
	step(t, ctx, "open the answered request",
		chromedp.Click(chromedp.CSS(`#sent a[href="/ui/records/`+reqID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("responses")))
	wantText(t, ctx, "#request-state", "answered")
	wantText(t, ctx, "#responses", "Yes, in Osaka since 2019.", "Mr Tanaka and Ms Sato.", "From the commercial register.", "Japan")
	shoot(t, ctx, shots, "29-request-answered")

	// A request past its deadline without an answer is marked overdue.
	code, m := call(t, "POST", hk.url+"/api/v1/requests", hkTok, map[string]any{
		"kind": "request", "grading": map[string]string{"source": "B", "information": "2"}, "handling": map[string]string{"code": "H0"},
		"request": map[string]any{"requested": "JP", "subject": "Vessel movements in September",
			"questions": []string{"Did the vessel call at Osaka?"}, "deadline": time.Now().AddDate(0, 0, -1).Format(time.DateOnly)}})
	if code != 201 {
		t.Fatalf("overdue request: %d %v", code, m)
	}
	late := m["record"].(map[string]any)["id"].(string)
	step(t, ctx, "list the requests with one overdue", chromedp.Navigate(hkUI+"/ui/requests"), chromedp.WaitVisible(chromedp.ID("sent")))
	wantText(t, ctx, "#req-"+late, "Vessel movements in September", "overdue")
	if n := read(t, ctx, "overdue rows", chromedp.Evaluate[int](`document.querySelectorAll("#sent tr.overdue").length`)); n != 1 {
		t.Fatalf("%d rows marked overdue, want 1", n)
	}
	shoot(t, ctx, shots, "30-requests-overdue")

	// A delivery refused by its recipient is sent again from the UI once
	// the cause is fixed. Hong Kong records a mutual assistance agreement
	// with Brazil and shares a seizure under it; Brazil's node does not
	// hold the agreement yet and refuses the envelope with its reason.
	brDir := t.TempDir()
	brTok := initNode(t, brDir, "BR")
	br := serve(t, brDir)
	for _, p := range []struct{ on, tok, url string }{{hk.url, hkTok, br.url}, {br.url, brTok, hk.url}} {
		if code, m := call(t, "POST", p.on+"/api/v1/peers", p.tok, map[string]string{"url": p.url, "fingerprint": fingerprintOf(t, p.url)}); code != 201 {
			t.Fatalf("pin: %d %v", code, m)
		}
	}
	cmaa := map[string]any{"id": "hk-br-cmaa", "title": "Agreement on mutual administrative assistance in customs matters between Hong Kong, China and Brazil",
		"kind": "agreement", "binding": true, "parties": []map[string]any{{"code": "HK"}, {"code": "BR"}},
		"signed": "2026-03-02", "in_force": "2026-04-01", "scope": map[string]any{"personal_data": true},
		"modes": map[string]any{"on_request": true, "spontaneous": true}}
	if code, m := call(t, "POST", hk.url+"/api/v1/agreements", hkTok, cmaa); code != 201 {
		t.Fatalf("add the agreement on HK: %d %v", code, m)
	}
	toBR := canonical(t)
	toBR["distribution"] = map[string]any{"scope": "bilateral", "recipients": []string{"BR"}}
	seizureID := createOn(t, hk.url, hkTok, toBR)
	step(t, ctx, "send the seizure to Brazil", chromedp.Navigate(hkUI+"/ui/records/"+seizureID),
		chromedp.WaitVisible(chromedp.CSS(`input[name="recipient"][value="BR"]`)),
		chromedp.Click(chromedp.CSS(`input[name="recipient"][value="BR"]`)),
		chromedp.Click(chromedp.ID("share")),
		chromedp.WaitVisible(chromedp.ID("share-results")))
	wantText(t, ctx, "#share-results", "allowed", "BR")
	delivery := ""
	waitFor(t, "Brazil's refusal", func() bool {
		code, m := call(t, "GET", hk.url+"/api/v1/deliveries?record="+seizureID, hkTok, nil)
		if code != 200 {
			return false
		}
		for _, d := range m["deliveries"].([]any) {
			if d := d.(map[string]any); d["recipient"] == "BR" && d["state"] == "refused" {
				delivery = d["delivery"].(string)
				return true
			}
		}
		return false
	})
	row := "#delivery-" + delivery
	step(t, ctx, "open the refused seizure", chromedp.Navigate(hkUI+"/ui/records/"+seizureID), chromedp.WaitVisible(chromedp.CSS(row)))
	wantText(t, ctx, row, "Brazil", "refused", "agreement in force links")
	shoot(t, ctx, shots, "31-delivery-refused")
	if holds(t, br.url, brTok, seizureID) {
		t.Fatal("Brazil holds the seizure it refused")
	}
	// Brazil puts the agreement in force on its side; Hong Kong's
	// administrator retries the delivery from the record's page.
	if code, m := call(t, "POST", br.url+"/api/v1/agreements", brTok, cmaa); code != 201 {
		t.Fatalf("add the agreement on BR: %d %v", code, m)
	}
	step(t, ctx, "retry the refused delivery", chromedp.Click(chromedp.ID("retry-"+delivery)), chromedp.WaitVisible(chromedp.ID("retried")))
	wantText(t, ctx, "#retried", "#"+delivery, "Brazil", "back in the queue")
	reloadUntil(t, ctx, row, "delivered")
	waitFor(t, "the seizure on BR", func() bool { return holds(t, br.url, brTok, seizureID) })
	if n := read(t, ctx, "retry buttons", chromedp.Evaluate[int](`document.querySelectorAll("`+row+` button").length`)); n != 0 {
		t.Fatalf("the delivered row still offers %d buttons", n)
	}
	shoot(t, ctx, shots, "32-delivery-retried")

	step(t, ctx, "the requests page in Traditional Chinese", chromedp.Navigate(hkUI+"/ui/requests?lang=zh-Hant"),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hant"]`)))
	wantText(t, ctx, "h1", "協查請求")
	wantText(t, ctx, "#sent", "逾期", "已答覆")
	shoot(t, ctx, shots, "33-requests-zh-Hant")
	t.Logf("screenshots in %s", shots)
}
