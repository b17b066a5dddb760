package records

import (
	"context"
	"slices"
	"testing"

	"liaison/internal/intel"
	"liaison/internal/store"
)

func TestCanSee(t *testing.T) {
	op := AudienceOf(&intel.Record{Distribution: intel.Distribution{Scope: intel.ScopeOperation, Operation: "OP-JADE"}})
	open := AudienceOf(&intel.Record{Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}}})
	if op.Operation != "OP-JADE" || open != (Audience{}) {
		t.Fatalf("audiences: %+v %+v", op, open)
	}
	for _, tc := range []struct {
		name string
		u    store.User
		a    Audience
		want bool
	}{
		{"analyst, open record", store.User{Role: store.RoleAnalyst}, open, true},
		{"analyst outside the operation", store.User{Role: store.RoleAnalyst, Operations: []string{"OP-OTHER"}}, op, false},
		{"analyst in the operation", store.User{Role: store.RoleAnalyst, Operations: []string{"OP-OTHER", "OP-JADE"}}, op, true},
		{"liaison outside the operation", store.User{Role: store.RoleLiaison}, op, false},
		{"admin", store.User{Role: store.RoleAdmin}, op, true},
		{"auditor", store.User{Role: store.RoleAuditor}, op, true},
		{"unknown role, open record", store.User{Role: "visitor"}, open, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CanSee(tc.u, tc.a); got != tc.want {
				t.Errorf("CanSee = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestOperationsSeenAgreesWithCanSee checks that the filter a listing is
// given says of every audience what CanSee says, for every role that may
// read records.
func TestOperationsSeenAgreesWithCanSee(t *testing.T) {
	for _, role := range []string{store.RoleAdmin, store.RoleLiaison, store.RoleAnalyst, store.RoleAuditor} {
		for _, ops := range [][]string{nil, {"OP-JADE"}, {"OP-JADE", "OP-TIGER"}} {
			u := store.User{Name: "u", Role: role, Operations: ops}
			restricted, seen := OperationsSeen(WithViewer(context.Background(), u))
			for _, op := range []string{"", "OP-JADE", "OP-TIGER", "OP-OTHER"} {
				listed := op == "" || !restricted || slices.Contains(seen, op)
				if want := CanSee(u, Audience{Operation: op}); listed != want {
					t.Errorf("%s in %v, operation %q: listed %v, CanSee %v", role, ops, op, listed, want)
				}
			}
		}
	}
	if restricted, _ := OperationsSeen(context.Background()); restricted {
		t.Error("the node itself (no viewer) is restricted")
	}
}
