package web_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store/storetest"
)

// TestFeedbackAPIVisibility checks that GET /api/v1/records/{id}/feedback
// lists a warning's feedback distributed to an operation only to those who
// may see it, as every listing does: to the analyst outside the operation
// the warning has its open feedback only, to administrators and auditors
// both. A warning the user may not see is 404, a record that is not a
// warning 400.
func TestFeedbackAPIVisibility(t *testing.T) {
	n := MustFederatedNode(t)
	ctx := context.Background()
	warning := func(mods ...func(*intel.Record)) *intel.Record {
		return storetest.NewRecord(t, append([]func(*intel.Record){func(r *intel.Record) {
			r.Kind, r.Seizure = intel.KindWarning, nil
			r.Warning = &intel.Warning{Subject: "Courier of methamphetamine"}
		}}, mods...)...)
	}
	w := warning()
	hidden := warning(func(r *intel.Record) {
		r.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-JADE"}
	})
	storetest.MustCreate(t, n.store, w, hidden)
	open := storetest.NewFeedback(t, w, "nothing-found")
	secret := storetest.NewFeedback(t, w, "not-encountered")
	secret.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-JADE"}
	for _, f := range []*intel.Record{open, secret} {
		if _, err := n.store.Receive(ctx, storetest.NewReceived(f), audit.Event{Actor: "JP", Action: "federation.receive", Target: f.ID}); err != nil {
			t.Fatal(err)
		}
	}
	list := func(role string) []string {
		t.Helper()
		r := n.do(t, role, "GET", "/api/v1/records/"+w.ID+"/feedback", nil)
		want(t, r, http.StatusOK)
		var body struct {
			Warning  string
			Feedback []struct{ ID string }
		}
		r.json(t, &body)
		if body.Warning != w.ID || body.Feedback == nil {
			t.Fatalf("%s: %s", role, r.body)
		}
		var ids []string
		for _, f := range body.Feedback {
			ids = append(ids, f.ID)
		}
		return ids
	}
	for _, role := range []string{"analyst", "liaison"} {
		if got := list(role); !slices.Equal(got, []string{open.ID}) {
			t.Errorf("%s outside the operation is listed feedback %v, want only %s", role, got, open.ID)
		}
	}
	for _, role := range []string{"admin", "auditor"} {
		if got := list(role); len(got) != 2 {
			t.Errorf("%s is listed feedback %v, want both", role, got)
		}
	}
	want(t, n.do(t, "analyst", "GET", "/api/v1/records/"+hidden.ID+"/feedback", nil), http.StatusNotFound)
	if r := n.do(t, "analyst", "GET", "/api/v1/records/"+open.ID+"/feedback", nil); r.status != http.StatusBadRequest {
		t.Errorf("feedback on a feedback record: %d %s, want 400", r.status, r.body)
	}
}
