package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// RunIdempotency runs the conformance suite of store.Idempotency against an
// implementation, as Run does.
func RunIdempotency(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"KeyStoredWithRecord", testKeyStored},
		{"HeldKeyStoresNothing", testKeyHeld},
		{"KeysArePerUser", testKeysPerUser},
		{"ExpiredKeyIsReplaced", testKeyExpired},
		{"OldKeysArePruned", testKeysPruned},
		{"ConcurrentSameKeyStoresOne", func(t *testing.T, s store.Store) { ConcurrentSameKey(t, s, s) }},
		{"FailedCreationStoresNoKey", testKeyFailedCreation},
		{"BadKeyRefused", testKeyRefused},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// keyTime is when the suite's keys are created.
var keyTime = Base().Add(48 * time.Hour)

// NewKey returns the key user sends with a request whose body hashes to
// hash, created at keyTime.
func NewKey(user, key, hash string) store.IdempotencyKey {
	return store.IdempotencyKey{User: user, Key: key, BodyHash: hash, Created: keyTime}
}

// keySince is the bound under which the suite's keys have expired.
var keySince = keyTime.Add(-24 * time.Hour)

func mustCreateOnce(tb testing.TB, s store.Store, r *intel.Record, k store.IdempotencyKey, since time.Time) (store.IdempotencyKey, bool) {
	tb.Helper()
	held, created, err := s.CreateRecordOnce(context.Background(), r, CreateEvent(r), k, since)
	if err != nil {
		tb.Fatalf("create %s under key %q: %v", r.ID, k.Key, err)
	}
	return held, created
}

func sameKey(tb testing.TB, got, want store.IdempotencyKey) {
	tb.Helper()
	if got.User != want.User || got.Key != want.Key || got.BodyHash != want.BodyHash || got.RecordID != want.RecordID ||
		!got.Created.Equal(want.Created) {
		tb.Errorf("key = %+v, want %+v", got, want)
	}
}

func testKeyStored(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := NewRecord(t)
	k := NewKey("alice", "order-1", "h1")
	held, created := mustCreateOnce(t, s, r, k, keySince)
	if !created {
		t.Fatal("the first creation under a key did not store its record")
	}
	k.RecordID = r.ID
	sameKey(t, held, k)
	got, err := s.GetRecord(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, got, r)
	stored, err := s.IdempotencyKey(ctx, "alice", "order-1", keySince)
	if err != nil {
		t.Fatal(err)
	}
	sameKey(t, stored, k)
	// The key is live exactly from its creation time on.
	_, err = s.IdempotencyKey(ctx, "alice", "order-1", keyTime.Add(time.Millisecond))
	WantKind(t, err, fault.NotFound)
	if _, err := s.IdempotencyKey(ctx, "alice", "order-1", keyTime); err != nil {
		t.Errorf("key at its creation time: %v", err)
	}
	_, err = s.IdempotencyKey(ctx, "alice", "order-2", keySince)
	WantKind(t, err, fault.NotFound)
	if es := MustVerifyAudit(t, s); len(es) != 1 || es[0].Target != r.ID {
		t.Errorf("audit = %+v, want the one creation", es)
	}
}

func testKeyHeld(t *testing.T, s store.Store) {
	ctx := context.Background()
	first, second := NewRecord(t), NewRecord(t)
	mustCreateOnce(t, s, first, NewKey("alice", "order-1", "h1"), keySince)
	later := NewKey("alice", "order-1", "h2")
	later.Created = keyTime.Add(time.Hour)
	held, created := mustCreateOnce(t, s, second, later, keySince)
	if created {
		t.Fatal("a second creation under a held key stored its record")
	}
	want := NewKey("alice", "order-1", "h1")
	want.RecordID = first.ID
	sameKey(t, held, want)
	_, err := s.GetRecord(ctx, second.ID)
	WantKind(t, err, fault.NotFound)
	if n, _ := s.CountRecords(ctx); n != 1 {
		t.Errorf("%d records stored, want 1", n)
	}
	if es := MustVerifyAudit(t, s); len(es) != 1 {
		t.Errorf("audit has %d entries, want 1 (nothing of the second creation)", len(es))
	}
}

func testKeysPerUser(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := NewRecord(t), NewRecord(t)
	if _, created := mustCreateOnce(t, s, a, NewKey("alice", "same", "h"), keySince); !created {
		t.Fatal("alice's creation not stored")
	}
	if _, created := mustCreateOnce(t, s, b, NewKey("bob", "same", "h"), keySince); !created {
		t.Fatal("bob's creation under alice's key was not stored")
	}
	for user, id := range map[string]string{"alice": a.ID, "bob": b.ID} {
		k, err := s.IdempotencyKey(ctx, user, "same", keySince)
		if err != nil || k.RecordID != id {
			t.Errorf("%s's key = %+v, %v; want record %s", user, k, err, id)
		}
	}
}

func testKeyExpired(t *testing.T, s store.Store) {
	ctx := context.Background()
	old, fresh := NewRecord(t), NewRecord(t)
	k := NewKey("alice", "order-1", "h1")
	mustCreateOnce(t, s, old, k, keySince)
	// A day later the key has expired: it is not found, and a creation
	// under it stores its record and takes the key over.
	day := keyTime.Add(24*time.Hour + time.Second)
	after := day.Add(-24 * time.Hour)
	_, err := s.IdempotencyKey(ctx, "alice", "order-1", after)
	WantKind(t, err, fault.NotFound)
	k2 := NewKey("alice", "order-1", "h2")
	k2.Created = day
	held, created := mustCreateOnce(t, s, fresh, k2, after)
	if !created || held.RecordID != fresh.ID {
		t.Fatalf("creation under an expired key: created %v, key %+v", created, held)
	}
	got, err := s.IdempotencyKey(ctx, "alice", "order-1", after)
	if err != nil {
		t.Fatal(err)
	}
	k2.RecordID = fresh.ID
	sameKey(t, got, k2)
	if n, _ := s.CountRecords(ctx); n != 2 {
		t.Errorf("%d records, want both", n)
	}
}

func testKeysPruned(t *testing.T, s store.Store) {
	ctx := context.Background()
	const old = store.IdempotencyPrune + 2
	for i := range old {
		k := NewKey("alice", fmt.Sprintf("old-%d", i), "h")
		k.Created = keySince.Add(-time.Duration(old-i) * time.Minute) // old-0 is the oldest
		mustCreateOnce(t, s, NewRecord(t), k, keySince.Add(-48*time.Hour))
	}
	// Every creation deletes a few expired keys, the oldest first, and
	// never a live one.
	mustCreateOnce(t, s, NewRecord(t), NewKey("alice", "new", "h"), keySince)
	var left []string
	for i := range old {
		if _, err := s.IdempotencyKey(ctx, "alice", fmt.Sprintf("old-%d", i), time.Time{}); err == nil {
			left = append(left, fmt.Sprintf("old-%d", i))
		} else {
			WantKind(t, err, fault.NotFound)
		}
	}
	if len(left) != old-store.IdempotencyPrune || left[0] != fmt.Sprintf("old-%d", store.IdempotencyPrune) {
		t.Errorf("expired keys left after one creation: %v, want the %d newest of %d", left, old-store.IdempotencyPrune, old)
	}
	if _, err := s.IdempotencyKey(ctx, "alice", "new", keySince); err != nil {
		t.Errorf("live key: %v", err)
	}
	if n, _ := s.CountRecords(ctx); n != old+1 {
		t.Errorf("%d records, want %d: pruning keys deletes no record", n, old+1)
	}
}

// ConcurrentSameKey creates records under one key from many goroutines at
// once, half through a and half through b (two servers on one database, or
// the same store twice), and checks that exactly one record is stored and
// that every call is told its id.
func ConcurrentSameKey(t *testing.T, a, b store.Store) {
	ctx := context.Background()
	const n = 8
	rs := make([]*intel.Record, n)
	for i := range rs {
		rs[i] = NewRecord(t)
	}
	helds := make([]store.IdempotencyKey, n)
	createds := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			<-start
			helds[i], createds[i], errs[i] = s.CreateRecordOnce(ctx, rs[i], CreateEvent(rs[i]), NewKey("alice", "race", "h"), keySince)
		})
	}
	close(start)
	wg.Wait()
	winner := ""
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("creation %d: %v", i, errs[i])
		}
		if createds[i] {
			if winner != "" {
				t.Fatalf("two creations under one key stored their records: %s and %s", winner, rs[i].ID)
			}
			winner = rs[i].ID
		}
	}
	if winner == "" {
		t.Fatal("no creation stored its record")
	}
	for i, k := range helds {
		if k.RecordID != winner {
			t.Errorf("creation %d was told record %q, want %s", i, k.RecordID, winner)
		}
	}
	if c, err := a.CountRecords(ctx); err != nil || c != 1 {
		t.Errorf("%d records stored (%v), want 1", c, err)
	}
	if es := MustVerifyAudit(t, a); len(es) != 1 || es[0].Target != winner {
		t.Errorf("audit = %+v, want only the winner's creation", es)
	}
}

func testKeyFailedCreation(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := NewRecord(t)
	MustCreate(t, s, r)
	// The same id again: the record is refused, and the key with it.
	_, _, err := s.CreateRecordOnce(ctx, r, CreateEvent(r), NewKey("alice", "k", "h"), keySince)
	WantKind(t, err, fault.Conflict)
	_, err = s.IdempotencyKey(ctx, "alice", "k", keySince)
	WantKind(t, err, fault.NotFound)
}

func testKeyRefused(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := NewRecord(t)
	for _, k := range []store.IdempotencyKey{
		NewKey("alice", "", "h"),
		NewKey("alice", string(make([]byte, store.MaxIdempotencyKey+1)), "h"),
		NewKey("", "k", "h"),
		NewKey("alice", "k", ""),
	} {
		_, _, err := s.CreateRecordOnce(ctx, r, CreateEvent(r), k, keySince)
		WantKind(t, err, fault.Invalid)
	}
	if n, _ := s.CountRecords(ctx); n != 0 {
		t.Errorf("%d records stored under refused keys", n)
	}
}
