package ui_test

import (
	"strings"
	"testing"

	"liaison/internal/intel"
	"liaison/internal/store"
)

// TestUIDeliveriesPagesThroughTheOutbox checks that the deliveries page
// reads the outbox a page at a time, newest first, and still finds rows the
// user may see behind more rows than a page holds that the user may not.
func TestUIDeliveriesPagesThroughTheOutbox(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	mustDeliveries(t, n, rec.ID, "record.create",
		store.DeliveryOutcome{State: store.DeliveryDead, Error: "no answer for 8 days"},
		store.DeliveryOutcome{State: store.DeliveryDead, Error: "no answer for 8 days"},
		store.DeliveryOutcome{State: store.DeliveryDead, Error: "no answer for 8 days"})
	h := seizure()
	h.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "op-tiger"}
	hidden := MustCreate(t, n, h)
	mustDeliveries(t, n, hidden.ID, "record.create", make([]store.DeliveryOutcome, 650)...)

	analyst := MustLogin(t, n, store.RoleAnalyst)
	for _, path := range []string{"/ui/deliveries", "/ui/deliveries?state=dead"} {
		p := analyst.get(path)
		if p.status != 200 {
			t.Fatalf("GET %s: %d", path, p.status)
		}
		if got := strings.Count(p.body, `href="/ui/records/`+rec.ID+`"`); got != 3 {
			t.Errorf("%s lists %d deliveries of the visible record behind 650 hidden ones, want 3", path, got)
		}
		if strings.Contains(p.body, hidden.ID) {
			t.Errorf("%s lists deliveries of a record of an operation the analyst is not in", path)
		}
	}
	p := MustLogin(t, n, store.RoleAuditor).get("/ui/deliveries")
	if got := strings.Count(p.body, `href="/ui/records/`+hidden.ID+`"`); got != 200 {
		t.Errorf("the auditor's page lists %d rows, want the newest 200", got)
	}
	if strings.Contains(p.body, `href="/ui/records/`+rec.ID+`"`) {
		t.Error("the auditor's page lists the oldest rows, not the newest 200")
	}
	counts := MustLogin(t, n, store.RoleAdmin).get("/ui/")
	if counts.status != 200 || !strings.Contains(counts.body, "650") {
		t.Errorf("the dashboard does not count the 650 queued deliveries (%d)", counts.status)
	}
}
