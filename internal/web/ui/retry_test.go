package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/audit"
	"liaison/internal/store"
)

// mustDeliveries queues one delivery of record id to JP per outcome and
// gives each its outcome ("" leaves it queued), as a delivery worker would.
func mustDeliveries(tb testing.TB, n *node, id, typ string, outcomes ...store.DeliveryOutcome) []store.Delivery {
	tb.Helper()
	ctx := context.Background()
	var ds []store.Delivery
	for range outcomes {
		ds = append(ds, store.Delivery{EnvelopeID: ulid.Make().String(), Peer: "JP", Type: typ, RecordID: id, Version: 1})
	}
	ds, err := n.store.Share(ctx, ds, nil)
	if err != nil {
		tb.Fatalf("queue deliveries: %v", err)
	}
	now := time.Now()
	if _, _, err := n.store.ClaimDeliveries(ctx, "test", now, time.Minute, 100); err != nil {
		tb.Fatalf("claim: %v", err)
	}
	var outs []store.DeliveryOutcome
	for i, o := range outcomes {
		if o.State == "" {
			continue
		}
		o.ID = ds[i].ID
		outs = append(outs, o)
	}
	if err := n.store.FinishDeliveries(ctx, "test", "JP", now, outs, "", nil); err != nil {
		tb.Fatalf("finish: %v", err)
	}
	return ds
}

func mustDelivery(tb testing.TB, n *node, id int64) store.Delivery {
	tb.Helper()
	d, err := n.store.Delivery(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// lastAudit returns the latest audit entry.
func lastAudit(tb testing.TB, n *node) audit.Entry {
	tb.Helper()
	var last audit.Entry
	if err := n.store.WalkAudit(context.Background(), func(e audit.Entry) error { last = e; return nil }); err != nil {
		tb.Fatal(err)
	}
	return last
}

func retryButton(id int64) string { return `id="retry-` + strconv.FormatInt(id, 10) + `"` }

func TestUIRetryDelivery(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	ds := mustDeliveries(t, n, rec.ID, "record.create",
		store.DeliveryOutcome{State: store.DeliveryDead, Error: "no answer for 8 days"},
		store.DeliveryOutcome{State: store.DeliveryRefused, RefusalReason: "No agreement in force links Hong Kong and Japan."},
		store.DeliveryOutcome{State: store.DeliveryDelivered},
		store.DeliveryOutcome{},
		store.DeliveryOutcome{State: store.DeliveryFailed, Error: "connection refused", NextAttempt: time.Now().Add(time.Hour)})
	dead, refused, delivered, queued, failed := ds[0], ds[1], ds[2], ds[3], ds[4]
	admin := MustLogin(t, n, store.RoleAdmin)

	t.Run("buttons only on what may be retried", func(t *testing.T) {
		for _, path := range []string{"/ui/deliveries", "/ui/records/" + rec.ID} {
			p := admin.get(path)
			if p.status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, p.status)
			}
			for _, d := range []store.Delivery{dead, refused, failed} {
				if !strings.Contains(p.body, retryButton(d.ID)) {
					t.Errorf("%s: no retry button on the %s delivery", path, mustDelivery(t, n, d.ID).State)
				}
			}
			for _, d := range []store.Delivery{delivered, queued} {
				if strings.Contains(p.body, retryButton(d.ID)) {
					t.Errorf("%s: a retry button on the %s delivery", path, mustDelivery(t, n, d.ID).State)
				}
			}
			if !strings.Contains(p.body, "No agreement in force links Hong Kong and Japan.") {
				t.Errorf("%s does not show the refusal reason", path)
			}
		}
	})

	t.Run("others see no button and may not retry", func(t *testing.T) {
		for _, role := range []string{store.RoleLiaison, store.RoleAnalyst, store.RoleAuditor} {
			b := MustLogin(t, n, role)
			for _, path := range []string{"/ui/deliveries", "/ui/records/" + rec.ID} {
				if p := b.get(path); p.status != http.StatusOK || strings.Contains(p.body, `class="inline retry"`) {
					t.Errorf("%s: %s (%d) offers a retry button", role, path, p.status)
				}
			}
			form := withCSRF(t, b, url.Values{"back": {"deliveries"}})
			before := lastAudit(t, n).Seq
			p := b.post("/ui/deliveries/"+strconv.FormatInt(dead.ID, 10)+"/retry", form)
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "may not do this") {
				t.Errorf("%s POST retry: %d, want 403 saying the role may not\n%s", role, p.status, p.body)
			}
			if d := mustDelivery(t, n, dead.ID); d.State != store.DeliveryDead || lastAudit(t, n).Seq != before {
				t.Errorf("%s's refused retry changed the delivery (%s) or wrote an audit entry", role, d.State)
			}
		}
		if p := admin.post("/ui/deliveries/"+strconv.FormatInt(dead.ID, 10)+"/retry", url.Values{"csrf": {"wrong"}}); p.status != http.StatusForbidden {
			t.Errorf("POST retry with a wrong CSRF token: %d, want 403", p.status)
		}
		if d := mustDelivery(t, n, dead.ID); d.State != store.DeliveryDead {
			t.Errorf("a retry refused for its CSRF token changed the delivery to %s", d.State)
		}
	})

	t.Run("refused, from the record page", func(t *testing.T) {
		id := strconv.FormatInt(refused.ID, 10)
		form := withCSRF(t, admin, url.Values{"back": {"record"}})
		before := lastAudit(t, n).Seq
		p := admin.post("/ui/deliveries/"+id+"/retry", form)
		want := "/ui/records/" + rec.ID + "?retried=" + id + "#deliveries"
		if p.status != http.StatusSeeOther || p.header.Get("Location") != want {
			t.Fatalf("POST retry: %d to %q, want 303 to %q\n%s", p.status, p.header.Get("Location"), want, p.body)
		}
		d := mustDelivery(t, n, refused.ID)
		if d.State != store.DeliveryQueued || d.Attempts != 0 || d.RefusalReason != "" || d.NextAttempt.After(time.Now()) {
			t.Errorf("retried delivery = %+v, want queued afresh and due", d)
		}
		e := lastAudit(t, n)
		if e.Seq != before+1 || e.Action != "delivery.retry" || e.Actor != "admin-user" || e.Target != id {
			t.Errorf("audit entry of the retry = %+v, want one delivery.retry by admin-user on %s (as the API writes it)", e, id)
		}
		page := admin.get(strings.TrimSuffix(want, "#deliveries"))
		if !strings.Contains(page.body, `id="retried"`) || !strings.Contains(page.body, "#"+id+" to Japan is back in the queue") {
			t.Errorf("the record page does not say the delivery is queued again:\n%s", page.body)
		}
		if strings.Contains(page.body, retryButton(refused.ID)) {
			t.Error("the delivery queued again still has a retry button")
		}
	})

	t.Run("dead, from the deliveries page keeps the filter", func(t *testing.T) {
		id := strconv.FormatInt(dead.ID, 10)
		list := admin.get("/ui/deliveries?state=dead")
		if !strings.Contains(list.body, retryButton(dead.ID)) || !strings.Contains(list.body, `name="state" value="dead"`) {
			t.Fatalf("the filtered list has no retry button carrying its filter:\n%s", list.body)
		}
		p := admin.post("/ui/deliveries/"+id+"/retry", url.Values{"csrf": {csrfOf(t, list)}, "back": {"deliveries"}, "state": {"dead"}})
		if want := "/ui/deliveries?retried=" + id + "&state=dead"; p.status != http.StatusSeeOther || p.header.Get("Location") != want {
			t.Fatalf("POST retry: %d to %q, want 303 to %q", p.status, p.header.Get("Location"), want)
		}
		if d := mustDelivery(t, n, dead.ID); d.State != store.DeliveryQueued {
			t.Errorf("dead delivery is %s after the retry, want queued", d.State)
		}
		page := admin.get(p.header.Get("Location"))
		if !strings.Contains(page.body, `id="retried"`) || strings.Contains(page.body, `id="delivery-`+id+`"`) {
			t.Error("the dead-letter list does not say the delivery was retried, or still lists it")
		}
		for lang, want := range map[string]string{"fr": "L’envoi n° " + id + " vers Japan est remis dans la file",
			"zh-Hant": "致Japan的傳送 #" + id + " 已重新排入佇列"} {
			p := admin.get(p.header.Get("Location") + "&lang=" + lang)
			if notice := regexp.MustCompile(`id="retried"[^>]*>[^<]*`).FindString(p.body); !strings.Contains(notice, want) {
				t.Errorf("the notice in %s (%s) lacks %q", lang, notice, want)
			}
			noMissing(t, "deliveries "+lang, p)
		}
		admin.get("/ui/?lang=en")
	})

	t.Run("what cannot be retried", func(t *testing.T) {
		tests := []struct {
			name   string
			id     string
			status int
			want   []string
		}{
			{"delivered", strconv.FormatInt(delivered.ID, 10), http.StatusConflict,
				[]string{"is delivered: only dead, failed or refused deliveries can be retried"}},
			{"queued", strconv.FormatInt(queued.ID, 10), http.StatusConflict,
				[]string{"is queued: only dead, failed or refused deliveries can be retried"}},
			{"unknown", "999999", http.StatusNotFound, []string{"No delivery #999999"}},
			{"not a number", "abc", http.StatusNotFound, []string{"No delivery #abc"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				form := withCSRF(t, admin, url.Values{"back": {"deliveries"}, "state": {"delivered"}})
				before := lastAudit(t, n).Seq
				p := admin.post("/ui/deliveries/"+tt.id+"/retry", form)
				if p.status != tt.status {
					t.Fatalf("POST retry: %d, want %d\n%s", p.status, tt.status, p.body)
				}
				for _, w := range tt.want {
					if !strings.Contains(p.body, w) {
						t.Errorf("the page lacks %q:\n%s", w, p.body)
					}
				}
				if tt.status == http.StatusConflict && !strings.Contains(p.body, `href="/ui/deliveries?retried=`) &&
					!regexp.MustCompile(`href="/ui/deliveries\?[^"]*state=delivered[^"]*" id="back"`).MatchString(p.body) {
					t.Error("the error page does not lead back to the list")
				}
				if lastAudit(t, n).Seq != before {
					t.Error("a retry that was refused wrote an audit entry")
				}
			})
		}
		if d := mustDelivery(t, n, delivered.ID); d.State != store.DeliveryDelivered {
			t.Errorf("the delivered delivery is %s after a refused retry", d.State)
		}
	})
}

// TestUIRetryRefusedLoops checks that a feedback or an answer the partner
// refused shows on its record's page with the refusal reason and a Retry
// button for the administrator, and goes back in the queue from there as
// the same envelope.
func TestUIRetryRefusedLoops(t *testing.T) {
	tests := []struct {
		name, typ string
		send      func(t *testing.T, n *node, b *browser) page
	}{
		{"feedback", "feedback", func(t *testing.T, n *node, b *browser) page {
			w := MustReceive(t, n, warningFromJP())
			return b.post("/ui/records/"+w.ID+"/feedback", withCSRF(t, b, url.Values{"feedback.controlled": {"no"},
				"feedback.result": {"not-encountered"}}))
		}},
		{"answer", "response", func(t *testing.T, n *node, b *browser) page {
			q := MustReceive(t, n, requestFromJP(""))
			return b.post("/ui/records/"+q.ID+"/answer", withCSRF(t, b, url.Values{"response.outcome": {"answered"},
				"response.answers": {"Registered in Kowloon."}}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := MustNode(t, nil, nil)
			liaison := MustLogin(t, n, store.RoleLiaison)
			p := tt.send(t, n, liaison)
			if p.status != http.StatusOK || !strings.Contains(p.body, `id="sent-ok"`) {
				t.Fatalf("send the %s: %d\n%s", tt.name, p.status, p.body)
			}
			rec := createdBy(t, p)
			ctx := context.Background()
			ds, err := n.store.Deliveries(ctx, rec)
			if err != nil || len(ds) != 1 || ds[0].Type != tt.typ {
				t.Fatalf("deliveries of the %s: %v %v", tt.name, ds, err)
			}
			if _, _, err := n.store.ClaimDeliveries(ctx, "test", time.Now(), time.Minute, 10); err != nil {
				t.Fatal(err)
			}
			reason := "JP may not receive record " + rec + " from HK: no agreement in force links Japan and Hong Kong."
			if err := n.store.FinishDeliveries(ctx, "test", "JP", time.Now(), []store.DeliveryOutcome{{ID: ds[0].ID,
				State: store.DeliveryRefused, RefusalReason: reason}}, "", nil); err != nil {
				t.Fatal(err)
			}
			path := "/ui/records/" + rec
			admin := MustLogin(t, n, store.RoleAdmin)
			page := admin.get(path)
			row := regexp.MustCompile(`(?s)<tr id="delivery-` + strconv.FormatInt(ds[0].ID, 10) + `">.*?</tr>`).FindString(page.body)
			if !strings.Contains(row, `class="state refused"`) || !strings.Contains(row, "no agreement in force links Japan and Hong Kong") ||
				!strings.Contains(row, retryButton(ds[0].ID)) || !strings.Contains(row, ">"+tt.typ+"<") {
				t.Fatalf("the %s's page does not show the refused delivery with its reason and a retry button:\n%s", tt.name, row)
			}
			if p := liaison.get(path); strings.Contains(p.body, retryButton(ds[0].ID)) {
				t.Error("a liaison officer is offered the retry button")
			}
			p = admin.post("/ui/deliveries/"+strconv.FormatInt(ds[0].ID, 10)+"/retry", url.Values{"csrf": {csrfOf(t, page)}, "back": {"record"}})
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), path+"?retried=") {
				t.Fatalf("retry: %d to %q", p.status, p.header.Get("Location"))
			}
			d := mustDelivery(t, n, ds[0].ID)
			if d.State != store.DeliveryQueued || d.Type != tt.typ || d.RecordID != rec || d.EnvelopeID != ds[0].EnvelopeID {
				t.Errorf("the delivery after the retry = %+v, want the same %s envelope queued", d, tt.typ)
			}
			if r, err := n.store.GetRecord(ctx, rec); err != nil || r.Version != 1 {
				t.Errorf("the retry changed the record: %+v %v", r, err)
			}
		})
	}
}
