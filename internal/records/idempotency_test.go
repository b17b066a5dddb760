package records_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"liaison/internal/fault"
	"liaison/internal/records"
	"liaison/internal/store"
)

func TestCheckKey(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"a", true},
		{" spaced key ~!", true},
		{strings.Repeat("x", store.MaxIdempotencyKey), true},
		{"", false},
		{strings.Repeat("x", store.MaxIdempotencyKey+1), false},
		{"tab\there", false},
		{"new\nline", false},
		{"del\x7f", false},
		{"clé", false},
	} {
		err := records.CheckKey(tc.key)
		if (err == nil) != tc.ok {
			t.Errorf("CheckKey(%q) = %v, want ok %v", tc.key, err, tc.ok)
		}
		if err != nil && (!fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), records.KeyField)) {
			t.Errorf("CheckKey(%q) = %v, want an invalid error naming %s", tc.key, err, records.KeyField)
		}
	}
}

// TestCreateOnceRetention checks that a key counts for KeyRetention: sent
// again within it, the creation is a replay, and after it a new record.
func TestCreateOnceRetention(t *testing.T) {
	f := MustService(t)
	ctx := context.Background()
	first, _, replay, err := f.svc.CreateOnce(ctx, "alice", "k1", seizure())
	if err != nil || replay {
		t.Fatalf("first creation: replay %v, %v", replay, err)
	}
	f.clock.Add(records.KeyRetention - time.Second)
	again, _, replay, err := f.svc.CreateOnce(ctx, "alice", "k1", seizure())
	if err != nil || !replay || again.ID != first.ID || again.Version != 1 {
		t.Fatalf("within the retention: %+v replay %v, %v; want a replay of %s", again, replay, err, first.ID)
	}
	f.clock.Add(2 * time.Second)
	later, _, replay, err := f.svc.CreateOnce(ctx, "alice", "k1", seizure())
	if err != nil || replay || later.ID == first.ID {
		t.Fatalf("after the retention: %s replay %v, %v; want a new record", later.ID, replay, err)
	}
	// The key now names the new record.
	other := seizure()
	other.Seizure.Narrative = "Another."
	_, _, _, err = f.svc.CreateOnce(ctx, "alice", "k1", other)
	if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), later.ID) {
		t.Errorf("another body under the key: %v, want a conflict naming %s", err, later.ID)
	}
	if n, _ := f.store.CountRecords(ctx); n != 2 {
		t.Errorf("%d records, want 2", n)
	}
}

// TestCreateOnceReplayAfterUpdate checks that a replay answers with the
// record as its creation stored it, not as it was changed since.
func TestCreateOnceReplayAfterUpdate(t *testing.T) {
	f := MustService(t)
	ctx := context.Background()
	rec, _, _, err := f.svc.CreateOnce(ctx, "alice", "k1", seizure())
	if err != nil {
		t.Fatal(err)
	}
	changed := seizure()
	changed.Seizure.Narrative = "Corrected."
	if _, _, err := f.svc.Update(ctx, "alice", rec.ID, changed); err != nil {
		t.Fatal(err)
	}
	again, _, replay, err := f.svc.CreateOnce(ctx, "alice", "k1", seizure())
	if err != nil || !replay || again.Version != 1 || again.Seizure.Narrative != rec.Seizure.Narrative {
		t.Errorf("replay after an update: version %d %q replay %v, %v; want version 1 as created", again.Version, again.Seizure.Narrative, replay, err)
	}
}
