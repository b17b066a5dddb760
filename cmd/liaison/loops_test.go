package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLoops runs the operational loops between real HK and JP nodes: a
// warning answered with feedback, and requests for assistance acknowledged
// and answered, declined, or left overdue, each seen from both sides.
func TestLoops(t *testing.T) {
	t.Setenv("LIAISON_DELIVERY_POLL", "100ms")
	hkDir, jpDir := t.TempDir(), t.TempDir()
	hkTok, jpTok := initNode(t, hkDir, "HK"), initNode(t, jpDir, "JP")
	hk, jp := serve(t, hkDir), serve(t, jpDir)
	for _, p := range []struct{ on, tok, url string }{{hk.url, hkTok, jp.url}, {jp.url, jpTok, hk.url}} {
		if code, m := call(t, "POST", p.on+"/api/v1/peers", p.tok, map[string]string{"url": p.url, "fingerprint": fingerprintOf(t, p.url)}); code != 201 {
			t.Fatalf("pin: %d %v", code, m)
		}
	}

	t.Run("warning and feedback", func(t *testing.T) {
		w := map[string]any{"kind": "warning", "grading": map[string]string{"source": "B", "information": "2"},
			"handling": map[string]string{"code": "H0"}, "distribution": map[string]any{"scope": "bilateral", "recipients": []string{"JP"}},
			"warning": map[string]any{"subject": "Reefer container of frozen fish from Saigon", "suggested_action": "check",
				"containers": []string{"CSQU3054383"}}}
		id := createOn(t, hk.url, hkTok, w)
		shareTo(t, hk.url, hkTok, id, "JP")
		waitFor(t, "the warning on JP", func() bool { return holds(t, jp.url, jpTok, id) })
		seizure := createOn(t, jp.url, jpTok, canonical(t))
		code, m := call(t, "POST", jp.url+"/api/v1/records/"+id+"/feedback", jpTok, map[string]any{
			"controlled": true, "result": "seizure", "seizure": seizure, "date": time.Now().Format(time.DateOnly)})
		if code != 201 || m["result"].(map[string]any)["allowed"] != true {
			t.Fatalf("feedback: %d %v", code, m)
		}
		fb := m["record"].(map[string]any)["id"].(string)
		for _, side := range []struct{ url, tok string }{{hk.url, hkTok}, {jp.url, jpTok}} {
			waitFor(t, "the feedback listed on the warning", func() bool {
				_, l := call(t, "GET", side.url+"/api/v1/records/"+id+"/feedback", side.tok, nil)
				fs, _ := l["feedback"].([]any)
				if len(fs) != 1 {
					return false
				}
				f := fs[0].(map[string]any)
				return f["id"] == fb && f["feedback"].(map[string]any)["seizure"] == seizure && f["feedback"].(map[string]any)["controlled"] == true
			})
		}
		// HK lists the feedback once stored; JP records the delivery when
		// HK's signed answer reaches it, a moment later.
		waitFor(t, "JP's delivery of the feedback marked delivered", func() bool {
			return deliveryStates(t, jp.url, jpTok, fb)["HK v1 feedback"] == "delivered"
		})
		// Feedback on one's own warning is refused.
		if code, _ := call(t, "POST", hk.url+"/api/v1/records/"+id+"/feedback", hkTok, map[string]any{"controlled": false, "result": "not-encountered"}); code != 400 {
			t.Fatalf("feedback on own warning: %d, want 400", code)
		}
		// Feedback of a record that is not a warning is not an empty list.
		if code, m := call(t, "GET", jp.url+"/api/v1/records/"+fb+"/feedback", jpTok, nil); code != 400 || !strings.Contains(fmt.Sprint(m), "not a warning") {
			t.Fatalf("feedback of a feedback record: %d %v, want 400 saying it is not a warning", code, m)
		}
	})

	request := func(t *testing.T, deadline string) string {
		t.Helper()
		code, m := call(t, "POST", hk.url+"/api/v1/requests", hkTok, map[string]any{
			"kind": "request", "grading": map[string]string{"source": "B", "information": "2"}, "handling": map[string]string{"code": "H0"},
			"request": map[string]any{"requested": "JP", "agreement": "hk-jp-arrangement", "subject": "Consignee of a tobacco shipment",
				"questions": []string{"Is the company registered in Japan?"}, "deadline": deadline}})
		if code != 201 || m["result"].(map[string]any)["allowed"] != true {
			t.Fatalf("request: %d %v", code, m)
		}
		return m["record"].(map[string]any)["id"].(string)
	}
	stateOf := func(t *testing.T, url, tok, id string) string {
		t.Helper()
		code, l := call(t, "GET", url+"/api/v1/requests", tok, nil)
		if code != 200 {
			t.Fatalf("requests: %d %v", code, l)
		}
		for _, r := range l["requests"].([]any) {
			if r := r.(map[string]any); r["id"] == id {
				return r["state"].(string)
			}
		}
		return ""
	}
	inState := func(t *testing.T, url, tok, id, state string) {
		t.Helper()
		waitFor(t, "request "+state, func() bool { return stateOf(t, url, tok, id) == state })
		code, l := call(t, "GET", url+"/api/v1/requests?state="+state, tok, nil)
		found := false
		for _, r := range l["requests"].([]any) {
			found = found || r.(map[string]any)["id"] == id
		}
		if code != 200 || !found {
			t.Fatalf("?state=%s does not list %s: %d %v", state, id, code, l)
		}
	}
	soon := time.Now().AddDate(0, 0, 14).Format(time.DateOnly)

	t.Run("request acknowledged and answered", func(t *testing.T) {
		id := request(t, soon)
		inState(t, jp.url, jpTok, id, "acknowledged")
		inState(t, hk.url, hkTok, id, "acknowledged")
		// The version the acknowledgement stores on HK keeps times to the
		// millisecond, as every version does.
		if code, rec := call(t, "GET", hk.url+"/api/v1/records/"+id, hkTok, nil); code != 200 {
			t.Fatalf("the acknowledged request on HK: %d %v", code, rec)
		} else if at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(rec["updated"])); err != nil || !at.Equal(at.Truncate(time.Millisecond)) {
			t.Errorf("the acknowledged request's updated time %v: want milliseconds at most (%v)", rec["updated"], err)
		}
		code, m := call(t, "POST", jp.url+"/api/v1/records/"+id+"/answer", jpTok, map[string]any{"answers": []string{"Registered in Osaka."}})
		if code != 201 {
			t.Fatalf("answer: %d %v", code, m)
		}
		inState(t, jp.url, jpTok, id, "answered")
		inState(t, hk.url, hkTok, id, "answered")
		if code, _ := call(t, "POST", jp.url+"/api/v1/records/"+id+"/decline", jpTok, map[string]string{"reason": "late"}); code != 409 {
			t.Fatalf("declining an answered request: %d, want 409", code)
		}
	})

	t.Run("request declined", func(t *testing.T) {
		id := request(t, soon)
		waitFor(t, "the request on JP", func() bool { return holds(t, jp.url, jpTok, id) })
		if code, m := call(t, "POST", jp.url+"/api/v1/records/"+id+"/decline", jpTok, map[string]string{}); code != 400 || errField(m) != "reason" {
			t.Fatalf("decline without reason: %d %v", code, m)
		}
		// The requester cannot decline its own request, with a reason or
		// without: that is said first.
		for _, body := range []map[string]string{{}, {"reason": "changed our mind"}} {
			code, m := call(t, "POST", hk.url+"/api/v1/records/"+id+"/decline", hkTok, body)
			if msg := fmt.Sprint(m); code != 400 || !strings.Contains(msg, "not to this node") {
				t.Fatalf("HK declining its own request %v: %d %v, want 400 saying it is not addressed to HK", body, code, m)
			}
		}
		if code, m := call(t, "POST", jp.url+"/api/v1/records/"+id+"/decline", jpTok, map[string]string{"reason": "outside the arrangement's purpose"}); code != 201 {
			t.Fatalf("decline: %d %v", code, m)
		}
		inState(t, jp.url, jpTok, id, "declined")
		inState(t, hk.url, hkTok, id, "declined")
	})

	t.Run("request overdue", func(t *testing.T) {
		id := request(t, time.Now().AddDate(0, 0, -1).Format(time.DateOnly))
		inState(t, jp.url, jpTok, id, "overdue")
		inState(t, hk.url, hkTok, id, "overdue")
		if code, _ := call(t, "POST", jp.url+"/api/v1/records/"+id+"/answer", jpTok, map[string]any{"outcome": "partial", "answers": []string{"Late, in part."}}); code != 201 {
			t.Fatalf("late answer: %d", code)
		}
		inState(t, hk.url, hkTok, id, "answered")
	})
}
