package storetest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// RunFederation runs the conformance suite of store.Federation against an
// implementation: keys, peers, the outbox (share, claim, lease, finish,
// dead letter, retry) and the inbox (dedupe, version order, retraction).
// open must return a fresh, empty store for every call.
func RunFederation(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"NodeKeys", testNodeKeys},
		{"Peers", testPeers},
		{"ShareWritesRowsAndAuditTogether", testShare},
		{"ShareFailureStoresNothing", testShareFailure},
		{"ShareOnceQueuesOnce", testShareOnce},
		{"ClaimLeasesOnePeer", testClaimLease},
		{"ClaimAfterLeaseExpiry", testClaimReclaim},
		{"ClaimRespectsDueTimeAndMax", testClaimDue},
		{"ClaimMoreContinuesTheLease", testClaimMore},
		{"RecordKeepsTheClaim", testRecordDeliveries},
		{"FinishAppliesOutcomes", testFinish},
		{"AnsweringPeerRecovers", testRecovered},
		{"DeadLetterAndRetry", testDeadRetry},
		{"RecentDeliveriesAndCounts", testRecentDeliveries},
		{"ListDeliveriesPagesVisibleRows", testListDeliveries},
		{"UpdateOfSharedRecordFollows", testFollow},
		{"ReceiveDedupes", testReceiveDedupe},
		{"ReceiveIgnoresOlderVersion", testReceiveOlder},
		{"ReceiveRetractionPurges", testReceivePurge},
		{"RetractionPurgesRelays", testReceivePurgeRelays},
		{"RetractionWithdrawsWhatWasNotSent", testRetractWithdraws},
		{"ReceiveRepinsPeer", testReceiveRepin},
		{"ReceiveBatchStoresTogether", testReceiveBatch},
		{"ReceiveBatchKeepsEveryBody", testReceiveBatchBodies},
		{"ReceiptQueuesItsOutbox", testReceiptOutbox},
		{"ReceiptsKeepSignedEnvelopeOnce", testReceipts},
		{"UnreachablePeerBacksOffAsAWhole", testPeerBackoff},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// NewPeer returns a pinned peer with a made-up key for code.
func NewPeer(code string) store.Peer {
	return store.Peer{Code: code, URL: "http://" + strings.ToLower(code) + ".test", PublicKey: "pub-" + code,
		Fingerprint: "SHA256:" + strings.Repeat(strings.ToLower(code[:1]), 64), State: store.PeerActive}
}

// MustPeer pins p.
func MustPeer(tb testing.TB, s store.Store, p store.Peer) {
	tb.Helper()
	if err := s.PutPeer(context.Background(), p, ev("peer.pin", p.Code)); err != nil {
		tb.Fatalf("pin %s: %v", p.Code, err)
	}
}

// NewDelivery returns a queued record.create row for peer, due at Base.
func NewDelivery(peer, recordID string) store.Delivery {
	return store.Delivery{EnvelopeID: ulid.Make().String(), Peer: peer, Type: "record.create", RecordID: recordID,
		Version: 1, Decision: []byte(`{"allowed":true}`), Created: Base(), NextAttempt: Base()}
}

// MustShare writes ds and returns them with their ids.
func MustShare(tb testing.TB, s store.Store, ds ...store.Delivery) []store.Delivery {
	tb.Helper()
	out, err := s.Share(context.Background(), ds, nil)
	if err != nil {
		tb.Fatalf("share %d rows: %v", len(ds), err)
	}
	return out
}

func mustDelivery(tb testing.TB, s store.Store, id int64) store.Delivery {
	tb.Helper()
	d, err := s.Delivery(context.Background(), id)
	if err != nil {
		tb.Fatalf("delivery %d: %v", id, err)
	}
	return d
}

func rowIDs(ds []store.Delivery) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testNodeKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	ks, err := s.NodeKeys(ctx)
	if err != nil || ks == nil || len(ks) != 0 {
		t.Fatalf("NodeKeys on an empty store = %v, %v; want an empty list", ks, err)
	}
	first := store.NodeKey{Fingerprint: "SHA256:" + strings.Repeat("a", 64), Private: []byte("PRIVATE A"), Public: "pubA",
		Created: Base(), Current: true}
	if err := s.PutNodeKey(ctx, first, ev("key.create", first.Fingerprint)); err != nil {
		t.Fatal(err)
	}
	second := store.NodeKey{Fingerprint: "SHA256:" + strings.Repeat("b", 64), Private: []byte("PRIVATE B"), Public: "pubB",
		Created: Base().Add(time.Hour), Current: true, Rotation: []byte("statement")}
	if err := s.PutNodeKey(ctx, second, ev("key.rotate", second.Fingerprint)); err != nil {
		t.Fatal(err)
	}
	WantKind(t, s.PutNodeKey(ctx, first, ev("key.create", first.Fingerprint)), fault.Conflict)
	if n := auditCount(t, s); n != 2 {
		t.Errorf("audit holds %d entries, want 2 (the refused key wrote none)", n)
	}
	ks, err = s.NodeKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 2 || ks[0].Fingerprint != first.Fingerprint || ks[1].Fingerprint != second.Fingerprint {
		t.Fatalf("keys = %+v, want A then B", ks)
	}
	a, b := ks[0], ks[1]
	if a.Current || a.Retired == nil || !a.Retired.Equal(second.Created) {
		t.Errorf("old key current=%v retired=%v, want retired at %v", a.Current, a.Retired, second.Created)
	}
	if !b.Current || b.Retired != nil || string(b.Rotation) != "statement" || string(b.Private) != "PRIVATE B" ||
		b.Public != "pubB" || !b.Created.Equal(second.Created) {
		t.Errorf("new key = %+v, want current with its rotation statement", b)
	}
	if a.Rotation != nil {
		t.Errorf("first key has rotation %q, want none", a.Rotation)
	}
}

func testPeers(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.Peer(ctx, "JP")
	WantKind(t, err, fault.NotFound)
	WantKind(t, s.PutPeer(ctx, store.Peer{Code: "JP"}, ev("peer.pin", "JP")), fault.Invalid)
	MustPeer(t, s, NewPeer("JP"))
	MustPeer(t, s, NewPeer("FR"))
	MustShare(t, s, NewDelivery("JP", "R1"), NewDelivery("JP", "R2"))
	ps, err := s.Peers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Code != "FR" || ps[1].Code != "JP" {
		t.Fatalf("peers = %+v, want FR, JP", ps)
	}
	if ps[1].Queued != 2 || ps[0].Queued != 0 {
		t.Errorf("queued FR %d JP %d, want 0 and 2", ps[0].Queued, ps[1].Queued)
	}
	if ps[1].State != store.PeerActive || ps[1].LastContact != nil || ps[1].Added.IsZero() {
		t.Errorf("JP = %+v, want active, never contacted, with an added time", ps[1])
	}
	re := NewPeer("JP")
	re.PublicKey, re.Fingerprint, re.URL = "pub-JP-2", "SHA256:"+strings.Repeat("k", 64), "http://jp2.test"
	MustPeer(t, s, re)
	p, err := s.Peer(ctx, "JP")
	if err != nil {
		t.Fatal(err)
	}
	if p.PublicKey != re.PublicKey || p.Fingerprint != re.Fingerprint || p.URL != re.URL || !p.Added.Equal(ps[1].Added) {
		t.Errorf("re-pinned JP = %+v, want the new key and URL, the first added time", p)
	}
}

func testShare(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	before := auditCount(t, s)
	d1, d2 := NewDelivery("JP", "R1"), NewDelivery("JP", "R2")
	d2.Type, d2.Payload, d2.SignKey = "key.rotate", []byte(`{"statement":"x"}`), "SHA256:old"
	out, err := s.Share(ctx, []store.Delivery{d1, d2}, []audit.Event{ev("record.share", "R1"), ev("record.share", "R2")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].ID == 0 || out[1].ID <= out[0].ID {
		t.Fatalf("shared rows = %+v, want increasing ids", out)
	}
	if n := auditCount(t, s) - before; n != 2 {
		t.Errorf("share wrote %d audit entries, want 2", n)
	}
	got := mustDelivery(t, s, out[1].ID)
	if got.EnvelopeID != d2.EnvelopeID || got.Type != "key.rotate" || string(got.Payload) != `{"statement":"x"}` ||
		got.SignKey != "SHA256:old" || got.State != store.DeliveryQueued || got.Attempts != 0 || got.DeliveredAt != nil {
		t.Errorf("stored row = %+v", got)
	}
	all, err := s.Deliveries(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if !sameIDs(rowIDs(all), rowIDs(out)) {
		t.Errorf("Deliveries(\"\") = %v, want %v", rowIDs(all), rowIDs(out))
	}
	r1, err := s.Deliveries(ctx, "R1")
	if err != nil {
		t.Fatal(err)
	}
	if len(r1) != 1 || r1[0].ID != out[0].ID || string(r1[0].Decision) != `{"allowed":true}` {
		t.Errorf("Deliveries(R1) = %+v, want the one row with its decision", r1)
	}
	_, err = s.Delivery(ctx, 999999)
	WantKind(t, err, fault.NotFound)
}

func testShareFailure(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	before := auditCount(t, s)
	noID := NewDelivery("JP", "R1")
	noID.EnvelopeID = ""
	_, err := s.Share(ctx, []store.Delivery{NewDelivery("JP", "R0"), noID}, []audit.Event{ev("record.share", "R1")})
	WantKind(t, err, fault.Invalid)
	// A row that fails in the database (a repeated envelope id) rolls back
	// the rows and audit entries before it.
	d := NewDelivery("JP", "R2")
	_, err = s.Share(ctx, []store.Delivery{NewDelivery("JP", "R3"), d, d}, []audit.Event{ev("record.share", "R2")})
	WantKind(t, err, fault.Conflict)
	all, err := s.Deliveries(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Errorf("%d rows stored by failed shares, want 0", len(all))
	}
	if n := auditCount(t, s) - before; n != 0 {
		t.Errorf("%d audit entries written by failed shares, want 0", n)
	}
}

func testClaimLease(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	MustPeer(t, s, NewPeer("FR"))
	jp := MustShare(t, s, NewDelivery("JP", "R1"), NewDelivery("JP", "R2"))
	fr := MustShare(t, s, NewDelivery("FR", "R1"))
	now := Base().Add(time.Minute)
	peerA, dsA, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	peerB, dsB, err := s.ClaimDeliveries(ctx, "B", now, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	if peerA == "" || peerB == "" || peerA == peerB {
		t.Fatalf("A claimed %q, B claimed %q; want the two peers, one each", peerA, peerB)
	}
	want := map[string][]int64{"JP": rowIDs(jp), "FR": rowIDs(fr)}
	if !sameIDs(rowIDs(dsA), want[peerA]) || !sameIDs(rowIDs(dsB), want[peerB]) {
		t.Errorf("A got %v of %s, B got %v of %s; want every due row of its peer in id order", rowIDs(dsA), peerA, rowIDs(dsB), peerB)
	}
	// Both peers are leased: a third owner finds nothing.
	peerC, dsC, err := s.ClaimDeliveries(ctx, "C", now, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	if peerC != "" || len(dsC) != 0 {
		t.Errorf("C claimed %q %v while both peers are leased, want nothing", peerC, rowIDs(dsC))
	}
	for _, d := range append(dsA, dsB...) {
		if d.EnvelopeID == "" {
			t.Errorf("claimed row %d has no envelope id", d.ID)
		}
	}
}

func testClaimReclaim(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	ds := MustShare(t, s, NewDelivery("JP", "R1"))
	now := Base().Add(time.Minute)
	if p, got, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 10); err != nil || p != "JP" || len(got) != 1 {
		t.Fatalf("A claims %q %v %v, want JP's row", p, rowIDs(got), err)
	}
	if p, _, err := s.ClaimDeliveries(ctx, "B", now.Add(30*time.Second), time.Minute, 10); err != nil || p != "" {
		t.Fatalf("B claims %q (%v) during A's lease, want nothing", p, err)
	}
	// A crashed: its lease runs out and B takes the same rows.
	p, got, err := s.ClaimDeliveries(ctx, "B", now.Add(2*time.Minute), time.Minute, 10)
	if err != nil || p != "JP" || !sameIDs(rowIDs(got), rowIDs(ds)) {
		t.Fatalf("B claims %q %v %v after A's lease ended, want JP's row", p, rowIDs(got), err)
	}
	// A, back, finds the peer leased to B and its finish does not free it.
	if err := s.FinishDeliveries(ctx, "A", "JP", now.Add(2*time.Minute), nil, "", nil); err != nil {
		t.Fatal(err)
	}
	if p, _, err := s.ClaimDeliveries(ctx, "A", now.Add(150*time.Second), time.Minute, 10); err != nil || p != "" {
		t.Errorf("A claims %q (%v) during B's lease, want nothing", p, err)
	}
}

func testClaimMore(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	var ds []store.Delivery
	for i := range 5 {
		ds = append(ds, NewDelivery("JP", fmt.Sprintf("R%d", i)))
	}
	ds = MustShare(t, s, ds...)
	now := Base().Add(time.Minute)
	p, first, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 2)
	if err != nil || p != "JP" || !sameIDs(rowIDs(first), rowIDs(ds[:2])) {
		t.Fatalf("A claims %q %v %v, want JP's first two rows", p, rowIDs(first), err)
	}
	// Rows shared while the first are in flight are claimed after them.
	late := MustShare(t, s, NewDelivery("JP", "R9"))
	// Continuing the claim gives the next rows, never those in flight,
	// with envelope ids, and extends the lease.
	later := now.Add(50 * time.Second)
	more, err := s.ClaimMore(ctx, "A", "JP", ds[1].ID, later, time.Minute, 2)
	if err != nil || !sameIDs(rowIDs(more), rowIDs(ds[2:4])) {
		t.Fatalf("A claims more %v %v, want rows %v", rowIDs(more), err, rowIDs(ds[2:4]))
	}
	for _, d := range more {
		if d.EnvelopeID == "" {
			t.Errorf("row %d claimed with no envelope id", d.ID)
		}
	}
	// The first lease would have ended at now+1m; the extended one has not.
	if p, _, err := s.ClaimDeliveries(ctx, "B", now.Add(90*time.Second), time.Minute, 10); err != nil || p != "" {
		t.Fatalf("B claims %q (%v) during A's extended lease, want nothing", p, err)
	}
	more, err = s.ClaimMore(ctx, "A", "JP", ds[3].ID, later, time.Minute, 10)
	if want := append(rowIDs(ds[4:]), rowIDs(late)...); err != nil || !sameIDs(rowIDs(more), want) {
		t.Fatalf("A claims the rest %v %v, want %v", rowIDs(more), err, want)
	}
	more, err = s.ClaimMore(ctx, "A", "JP", late[0].ID, later, time.Minute, 10)
	if err != nil || len(more) != 0 {
		t.Fatalf("A claims more %v %v with nothing more due, want nothing", rowIDs(more), err)
	}
	// Once the lease has gone to another owner, A gets nothing more and
	// does not take it back.
	if err := s.FinishDeliveries(ctx, "A", "JP", later, nil, "", nil); err != nil {
		t.Fatal(err)
	}
	if p, got, err := s.ClaimDeliveries(ctx, "B", later, time.Minute, 1); err != nil || p != "JP" || len(got) != 1 {
		t.Fatalf("B claims %q %v %v after A finished, want JP's first row", p, rowIDs(got), err)
	}
	if more, err := s.ClaimMore(ctx, "A", "JP", 0, later, time.Minute, 10); err != nil || len(more) != 0 {
		t.Fatalf("A claims more %v %v of a peer leased to B, want nothing", rowIDs(more), err)
	}
	if p, _, err := s.ClaimDeliveries(ctx, "C", later.Add(30*time.Second), time.Minute, 10); err != nil || p != "" {
		t.Errorf("C claims %q (%v) during B's lease, want nothing: A's attempt must not have moved it", p, err)
	}
}

func testRecordDeliveries(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	ds := MustShare(t, s, NewDelivery("JP", "R1"), NewDelivery("JP", "R2"), NewDelivery("JP", "R3"))
	now := Base().Add(time.Minute)
	if p, got, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 10); err != nil || p != "JP" || len(got) != 3 {
		t.Fatalf("A claims %q %v %v, want JP's three rows", p, rowIDs(got), err)
	}
	before, err := s.Peer(ctx, "JP")
	if err != nil {
		t.Fatal(err)
	}
	outs := []store.DeliveryOutcome{
		{ID: ds[0].ID, State: store.DeliveryDelivered},
		{ID: ds[1].ID, State: store.DeliveryRefused, Error: "refused", RefusalReason: "not allowed"},
	}
	if err := s.RecordDeliveries(ctx, "JP", now.Add(time.Second), outs); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{store.DeliveryDelivered, store.DeliveryRefused, store.DeliveryQueued} {
		if got := mustDelivery(t, s, ds[i].ID); got.State != want {
			t.Errorf("row %d is %s after the outcomes were recorded, want %s", i, got.State, want)
		}
	}
	if got := mustDelivery(t, s, ds[0].ID); got.DeliveredAt == nil || got.Attempts != 1 {
		t.Errorf("the delivered row: delivered at %v after %d attempts, want a time and 1", got.DeliveredAt, got.Attempts)
	}
	// The claim goes on: the lease is A's, the peer as it was.
	if p, _, err := s.ClaimDeliveries(ctx, "B", now.Add(2*time.Second), time.Minute, 10); err != nil || p != "" {
		t.Errorf("B claims %q (%v) while A's claim goes on, want nothing", p, err)
	}
	after, err := s.Peer(ctx, "JP")
	if err != nil {
		t.Fatal(err)
	}
	if after.State != before.State || after.LastError != before.LastError {
		t.Errorf("peer went from %s %q to %s %q, want it unchanged", before.State, before.LastError, after.State, after.LastError)
	}
	more, err := s.ClaimMore(ctx, "A", "JP", 0, now.Add(3*time.Second), time.Minute, 10)
	if err != nil || !sameIDs(rowIDs(more), rowIDs(ds[2:])) {
		t.Errorf("A claims more %v %v, want only the row without an outcome", rowIDs(more), err)
	}
	if err := s.RecordDeliveries(ctx, "JP", now, nil); err != nil {
		t.Errorf("recording no outcome: %v", err)
	}
}

func testClaimDue(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	var ds []store.Delivery
	for i := range 5 {
		d := NewDelivery("JP", "R")
		d.RecordID = d.RecordID + string(rune('0'+i))
		ds = append(ds, d)
	}
	later := NewDelivery("JP", "LATER")
	later.NextAttempt = Base().Add(time.Hour)
	ds = append(ds, later)
	stored := MustShare(t, s, ds...)
	_, got, err := s.ClaimDeliveries(ctx, "A", Base().Add(time.Minute), time.Minute, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !sameIDs(rowIDs(got), rowIDs(stored[:3])) {
		t.Errorf("claimed %v, want the first 3 due rows %v", rowIDs(got), rowIDs(stored[:3]))
	}
	// The owner's lease lets it claim again (the next batch).
	_, got, err = s.ClaimDeliveries(ctx, "A", Base().Add(time.Minute), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !sameIDs(rowIDs(got), rowIDs(stored[:5])) {
		t.Errorf("claimed %v, want every due row %v and not the one due later", rowIDs(got), rowIDs(stored[:5]))
	}
	_, got, err = s.ClaimDeliveries(ctx, "A", Base().Add(2*time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Errorf("claimed %d rows once every row is due, want 6", len(got))
	}
}

func testFinish(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	ds := MustShare(t, s, NewDelivery("JP", "R1"), NewDelivery("JP", "R2"), NewDelivery("JP", "R3"), NewDelivery("JP", "R4"))
	now := Base().Add(time.Minute)
	if _, _, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 100); err != nil {
		t.Fatal(err)
	}
	next := now.Add(10 * time.Second)
	outs := []store.DeliveryOutcome{
		{ID: ds[0].ID, State: store.DeliveryDelivered},
		{ID: ds[1].ID, State: store.DeliveryRefused, Error: "no agreement", RefusalReason: "no agreement", RefusalSigned: "eyJ.refusal"},
		{ID: ds[2].ID, State: store.DeliveryFailed, Error: "peer answered 503", NextAttempt: next},
		{ID: ds[3].ID, State: store.DeliveryDead, Error: "record gone"},
	}
	before := auditCount(t, s)
	if err := s.FinishDeliveries(ctx, "A", "JP", now, outs, "", []audit.Event{ev("delivery.attempt", "JP")}); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, s) - before; n != 1 {
		t.Errorf("finish wrote %d audit entries, want 1", n)
	}
	d := mustDelivery(t, s, ds[0].ID)
	if d.State != store.DeliveryDelivered || d.Attempts != 1 || d.DeliveredAt == nil || !d.DeliveredAt.Equal(now) {
		t.Errorf("delivered row = %+v", d)
	}
	d = mustDelivery(t, s, ds[1].ID)
	if d.State != store.DeliveryRefused || d.RefusalReason != "no agreement" || d.RefusalSigned != "eyJ.refusal" || d.DeliveredAt != nil {
		t.Errorf("refused row = %+v", d)
	}
	d = mustDelivery(t, s, ds[2].ID)
	if d.State != store.DeliveryFailed || d.LastError != "peer answered 503" || !d.NextAttempt.Equal(next) || d.Attempts != 1 {
		t.Errorf("failed row = %+v", d)
	}
	d = mustDelivery(t, s, ds[3].ID)
	if d.State != store.DeliveryDead || d.LastError != "record gone" {
		t.Errorf("dead row = %+v", d)
	}
	p, err := s.Peer(ctx, "JP")
	if err != nil {
		t.Fatal(err)
	}
	if p.State != store.PeerActive || p.LastContact == nil || !p.LastContact.Equal(now) || p.Queued != 1 {
		t.Errorf("peer after an answered batch = %+v, want active, contacted, 1 queued", p)
	}
	// The lease is released: another owner may claim at once (the failed
	// row once it is due).
	if pc, got, err := s.ClaimDeliveries(ctx, "B", next, time.Minute, 100); err != nil || pc != "JP" || len(got) != 1 || got[0].ID != ds[2].ID {
		t.Fatalf("B claims %q %v %v after A finished, want the failed row", pc, rowIDs(got), err)
	}
	// An outcome for a row already delivered is ignored; a transport error
	// marks the peer unreachable and keeps its last contact.
	late := []store.DeliveryOutcome{{ID: ds[0].ID, State: store.DeliveryFailed, Error: "late", NextAttempt: next},
		{ID: ds[2].ID, State: store.DeliveryFailed, Error: "connection refused", NextAttempt: next.Add(time.Minute)}}
	if err := s.FinishDeliveries(ctx, "B", "JP", next, late, "peer unreachable: connection refused", nil); err != nil {
		t.Fatal(err)
	}
	if d := mustDelivery(t, s, ds[0].ID); d.State != store.DeliveryDelivered || d.Attempts != 1 {
		t.Errorf("delivered row changed by a late outcome: %+v", d)
	}
	if d := mustDelivery(t, s, ds[2].ID); d.Attempts != 2 || d.LastError != "connection refused" {
		t.Errorf("failed row after a second attempt = %+v", d)
	}
	p, err = s.Peer(ctx, "JP")
	if err != nil {
		t.Fatal(err)
	}
	if p.State != store.PeerUnreachable || p.LastError != "peer unreachable: connection refused" || p.LastContact == nil || !p.LastContact.Equal(now) {
		t.Errorf("peer after a transport error = %+v, want unreachable with the error and the earlier contact", p)
	}
}

// testRecovered: rows backing off after failures become due as soon as the
// peer answers again, so that a backlog drains when the peer is back.
func testRecovered(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	ds := MustShare(t, s, NewDelivery("JP", "R1"), NewDelivery("JP", "R2"), NewDelivery("JP", "R3"))
	now := Base().Add(time.Minute)
	if _, _, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 100); err != nil {
		t.Fatal(err)
	}
	var outs []store.DeliveryOutcome
	for _, d := range ds {
		outs = append(outs, store.DeliveryOutcome{ID: d.ID, State: store.DeliveryFailed, Error: "connection refused", NextAttempt: now.Add(time.Hour)})
	}
	if err := s.FinishDeliveries(ctx, "A", "JP", now, outs, "peer unreachable", nil); err != nil {
		t.Fatal(err)
	}
	if p, _, err := s.ClaimDeliveries(ctx, "A", now.Add(time.Second), time.Minute, 100); err != nil || p != "" {
		t.Fatalf("claimed %q (%v) during the backoff, want nothing", p, err)
	}
	// A retried row goes through and the peer answers: the others are due.
	back := now.Add(2 * time.Minute)
	if err := s.RetryDelivery(ctx, ds[0].ID, back, ev("delivery.retry", "1")); err != nil {
		t.Fatal(err)
	}
	if _, got, err := s.ClaimDeliveries(ctx, "A", back, time.Minute, 100); err != nil || len(got) != 1 {
		t.Fatalf("claim of the retried row: %v %v", rowIDs(got), err)
	}
	if err := s.FinishDeliveries(ctx, "A", "JP", back, []store.DeliveryOutcome{{ID: ds[0].ID, State: store.DeliveryDelivered}}, "", nil); err != nil {
		t.Fatal(err)
	}
	_, got, err := s.ClaimDeliveries(ctx, "B", back.Add(time.Second), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !sameIDs(rowIDs(got), rowIDs(ds[1:])) {
		t.Errorf("claimed %v after the peer answered, want the rows that were backing off %v", rowIDs(got), rowIDs(ds[1:]))
	}
}

func testDeadRetry(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	ds := MustShare(t, s, NewDelivery("JP", "R1"), NewDelivery("JP", "R2"))
	now := Base().Add(8 * 24 * time.Hour)
	if _, _, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 100); err != nil {
		t.Fatal(err)
	}
	outs := []store.DeliveryOutcome{{ID: ds[0].ID, State: store.DeliveryDead, Error: "failing for 8 days"},
		{ID: ds[1].ID, State: store.DeliveryDelivered}}
	if err := s.FinishDeliveries(ctx, "A", "JP", now, outs, "", nil); err != nil {
		t.Fatal(err)
	}
	// A dead row is visible and not claimed again.
	if p, _, err := s.ClaimDeliveries(ctx, "A", now.Add(time.Hour), time.Minute, 100); err != nil || p != "" {
		t.Fatalf("claimed %q (%v) with only dead and delivered rows, want nothing", p, err)
	}
	if p, _ := s.Peer(ctx, "JP"); p.Queued != 0 {
		t.Errorf("peer counts %d queued, want 0 (dead rows are not queued)", p.Queued)
	}
	before := auditCount(t, s)
	retryAt := now.Add(2 * time.Hour)
	if err := s.RetryDelivery(ctx, ds[0].ID, retryAt, ev("delivery.retry", "1")); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, s) - before; n != 1 {
		t.Errorf("retry wrote %d audit entries, want 1", n)
	}
	d := mustDelivery(t, s, ds[0].ID)
	if d.State != store.DeliveryQueued || d.Attempts != 0 || d.LastError != "" || !d.NextAttempt.Equal(retryAt) || !d.Created.Equal(retryAt) {
		t.Errorf("retried row = %+v, want queued afresh at %v", d, retryAt)
	}
	if p, got, err := s.ClaimDeliveries(ctx, "A", retryAt, time.Minute, 100); err != nil || p != "JP" || len(got) != 1 || got[0].ID != ds[0].ID {
		t.Errorf("claim after retry: %q %v %v, want the retried row", p, rowIDs(got), err)
	}
	before = auditCount(t, s)
	WantKind(t, s.RetryDelivery(ctx, ds[1].ID, retryAt, ev("delivery.retry", "2")), fault.Conflict)
	WantKind(t, s.RetryDelivery(ctx, 999999, retryAt, ev("delivery.retry", "x")), fault.NotFound)
	// A queued row is due already or on its way: retrying it would only
	// reset its attempts.
	queued := MustShare(t, s, NewDelivery("JP", "R3"))[0]
	before = auditCount(t, s)
	WantKind(t, s.RetryDelivery(ctx, queued.ID, retryAt, ev("delivery.retry", "3")), fault.Conflict)
	WantKind(t, s.RetryDelivery(ctx, ds[0].ID, retryAt, ev("delivery.retry", "1")), fault.Conflict)
	if n := auditCount(t, s) - before; n != 0 {
		t.Errorf("refused retries wrote %d audit entries, want none", n)
	}
	if d := mustDelivery(t, s, queued.ID); d.State != store.DeliveryQueued || !d.Created.Equal(queued.Created) {
		t.Errorf("queued row after a refused retry = %+v, want it unchanged", d)
	}
}

func testFollow(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	MustPeer(t, s, NewPeer("FR"))
	r := NewRecord(t)
	MustCreate(t, s, r)
	jp := NewDelivery("JP", r.ID)
	fr := NewDelivery("FR", r.ID)
	stored := MustShare(t, s, jp, fr)
	if _, _, err := s.ClaimDeliveries(ctx, "A", Base().Add(time.Minute), time.Minute, 100); err != nil {
		t.Fatal(err)
	}
	// FR refused the record: only JP follows its versions.
	var refused, sent store.Delivery
	for _, d := range stored {
		if d.Peer == "FR" {
			refused = d
		} else {
			sent = d
		}
	}
	if _, _, err := s.ClaimDeliveries(ctx, "B", Base().Add(time.Minute), time.Minute, 100); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishDeliveries(ctx, "B", "FR", Base().Add(time.Minute), []store.DeliveryOutcome{{ID: refused.ID, State: store.DeliveryRefused, Error: "no"}}, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishDeliveries(ctx, "A", "JP", Base().Add(time.Minute), []store.DeliveryOutcome{{ID: sent.ID, State: store.DeliveryDelivered}}, "", nil); err != nil {
		t.Fatal(err)
	}
	v2 := NextVersion(t, r, Narrative("updated"))
	if err := s.UpdateRecord(ctx, v2, ev("record.update", r.ID)); err != nil {
		t.Fatal(err)
	}
	ds, err := s.Deliveries(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("%d rows after the update, want the 2 creates and one update for JP", len(ds))
	}
	up := ds[2]
	if up.Peer != "JP" || up.Type != "record.update" || up.Version != 2 || up.State != store.DeliveryQueued ||
		string(up.Decision) != `{"allowed":true}` {
		t.Errorf("follow row = %+v, want a queued record.update v2 to JP with the first decision", up)
	}
	_, got, err := s.ClaimDeliveries(ctx, "A", time.Now().Add(time.Minute), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != up.ID || got[0].EnvelopeID == "" {
		t.Fatalf("claimed %+v, want the update row with an envelope id", got)
	}
	if d := mustDelivery(t, s, up.ID); d.EnvelopeID != got[0].EnvelopeID {
		t.Errorf("stored envelope id %q, claimed %q; want it kept", d.EnvelopeID, got[0].EnvelopeID)
	}
}

// NewReceived returns an accepted envelope from HK carrying r.
func NewReceived(r *intel.Record) store.Received {
	return store.Received{EnvelopeID: ulid.Make().String(), From: r.Originator, Type: "record.create",
		Signed: SignedFor(r), Record: r}
}

// SignedFor is a compact JWS as a sender's would be, with the record's
// JSON as its payload and the record's id in place of a signature: what
// the stores keep of an envelope must come back byte for byte.
func SignedFor(r *intel.Record) []byte {
	body, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"SHA256:aa","typ":"liaison-envelope+jws"}`))
	return []byte(header + "." + base64.RawURLEncoding.EncodeToString(body) + "." + r.ID)
}

func mustReceive(tb testing.TB, s store.Store, rc store.Received) bool {
	tb.Helper()
	dup, err := s.Receive(context.Background(), rc, ev("envelope.receive", rc.EnvelopeID))
	if err != nil {
		tb.Fatalf("receive %s: %v", rc.EnvelopeID, err)
	}
	return dup
}

func testReceiveDedupe(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := NewRecord(t)
	rc := NewReceived(r)
	if has, err := s.Received(ctx, rc.EnvelopeID); err != nil || has {
		t.Fatalf("Received before receiving = %v, %v", has, err)
	}
	before := auditCount(t, s)
	if dup := mustReceive(t, s, rc); dup {
		t.Fatal("first receipt reported duplicate")
	}
	got, err := s.GetRecord(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Originator != "HK" || got.Version != 1 || got.Seizure.Narrative != r.Seizure.Narrative {
		t.Errorf("stored record = %+v", got)
	}
	again := rc
	again.Record = NextVersion(t, r, Narrative("a replay must not store this"))
	if dup := mustReceive(t, s, again); !dup {
		t.Fatal("second receipt of the same envelope id not reported duplicate")
	}
	if has, err := s.Received(ctx, rc.EnvelopeID); err != nil || !has {
		t.Errorf("Received after receiving = %v, %v", has, err)
	}
	got, err = s.GetRecord(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 {
		t.Errorf("a duplicate envelope stored version %d", got.Version)
	}
	if n := auditCount(t, s) - before; n != 1 {
		t.Errorf("%d audit entries for one envelope received twice, want 1", n)
	}
	if n, err := s.CountRecords(ctx); err != nil || n != 1 {
		t.Errorf("CountRecords = %d, %v; want 1", n, err)
	}
}

func testReceiveOlder(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := NewRecord(t)
	v2 := NextVersion(t, r, Narrative("second"))
	mustReceive(t, s, NewReceived(v2))
	if dup := mustReceive(t, s, NewReceived(r)); dup {
		t.Fatal("an older version under a new envelope id reported duplicate")
	}
	got, err := s.GetRecord(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Seizure.Narrative != "second" {
		t.Errorf("held version %d %q after a late older version, want 2 \"second\"", got.Version, got.Seizure.Narrative)
	}
	if _, err := s.GetRecordVersion(ctx, r.ID, 1); !fault.Is(err, fault.NotFound) {
		t.Errorf("version 1 arriving late was stored (err %v)", err)
	}
	v3 := NextVersion(t, v2, Narrative("third"))
	mustReceive(t, s, NewReceived(v3))
	if got, err := s.GetRecord(ctx, r.ID); err != nil || got.Version != 3 {
		t.Errorf("after version 3: %v, %v", got, err)
	}
}

func testReceivePurge(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := NewRecord(t)
	mustReceive(t, s, NewReceived(r))
	v2 := NextVersion(t, r, Narrative("Chan Tai Man again"))
	mustReceive(t, s, NewReceived(v2))
	hist, err := s.RecordHistory(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	ret := NextVersion(t, v2, func(x *intel.Record) {
		x.Status = intel.StatusRetracted
		x.Seizure.Parties, x.Seizure.Narrative = nil, ""
		x.Retraction = &intel.Retraction{At: Base(), Reason: "entered in error"}
	})
	for _, h := range hist {
		h.Seizure.Parties, h.Seizure.Narrative = nil, ""
	}
	rc := NewReceived(ret)
	rc.Type, rc.Rewrite = "record.retract", hist
	before := auditCount(t, s)
	mustReceive(t, s, rc)
	got, err := s.GetRecord(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != intel.StatusRetracted || got.Version != 3 || got.Retraction == nil {
		t.Errorf("held record = %+v, want retracted at version 3", got)
	}
	for v := 1; v <= 3; v++ {
		old, err := s.GetRecordVersion(ctx, r.ID, v)
		if err != nil {
			t.Fatal(err)
		}
		if len(old.Seizure.Parties) != 0 || strings.Contains(old.Seizure.Narrative, "Chan") {
			t.Errorf("version %d keeps personal data after the retraction: %+v", v, old.Seizure)
		}
	}
	if n := auditCount(t, s) - before; n != 1 {
		t.Errorf("retraction wrote %d audit entries, want 1 (earlier entries stay)", n)
	}
	// The envelopes that carried the versions keep their header and
	// signature, not their payload; the retraction's is kept whole.
	checkDetached(t, s, r.ID, 3, rc.Signed)

	// A record received and retracted in one batch.
	r2 := NewRecord(t)
	ret2 := NextVersion(t, r2, func(x *intel.Record) {
		x.Status = intel.StatusRetracted
		x.Seizure.Parties, x.Seizure.Narrative = nil, ""
	})
	first := NewReceived(r2)
	purged := *r2
	purged.Seizure = &intel.Seizure{}
	*purged.Seizure = *r2.Seizure
	purged.Seizure.Parties, purged.Seizure.Narrative = nil, ""
	retract := NewReceived(ret2)
	retract.Type, retract.Rewrite = "record.retract", []*intel.Record{&purged}
	batch := []store.Receipt{{Received: &first, Event: ev("envelope.receive", first.EnvelopeID)},
		{Received: &retract, Event: ev("envelope.receive", retract.EnvelopeID)}}
	if err := s.ReceiveBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	checkDetached(t, s, r2.ID, 2, retract.Signed)
}

// A relay (a RILO) that receives the retraction of a record it relayed
// keeps the relays already sent without the originator's payload, and
// refuses those not sent yet; the retraction's own relays go out.
func testReceivePurgeRelays(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, code := range []string{"JP", "CN", "KR"} {
		MustPeer(t, s, NewPeer(code))
	}
	r := NewRecord(t)
	mustReceive(t, s, NewReceived(r))
	relay := func(peer string, version int) store.Delivery {
		d := NewDelivery(peer, r.ID)
		d.Type, d.Version, d.Decision = "relay", version, nil
		d.Payload = []byte(`{"envelope":"eyJ.cGF5bG9hZA.c2ln"}`)
		return d
	}
	ds := MustShare(t, s, relay("JP", 1), relay("CN", 1), relay("KR", 1))
	// One relay delivered, one being sent (its peer leased), one waiting.
	now := time.Now().UTC()
	sent, sending := sentAndSending(t, s, now)
	var waiting store.Delivery
	for _, d := range ds {
		if d.ID != sent.ID && d.ID != sending.ID {
			waiting = d
		}
	}
	retraction := MustShare(t, s, relay(sent.Peer, 2))[0]

	ret := NextVersion(t, r, func(x *intel.Record) {
		x.Status = intel.StatusRetracted
		x.Seizure.Parties, x.Seizure.Narrative = nil, ""
	})
	old := *r
	old.Seizure = &intel.Seizure{}
	*old.Seizure = *r.Seizure
	old.Seizure.Parties, old.Seizure.Narrative = nil, ""
	rc := NewReceived(ret)
	rc.Type, rc.Rewrite = "record.retract", []*intel.Record{&old}
	mustReceive(t, s, rc)

	detached := `{"envelope":"eyJ..c2ln"}`
	if d := mustDelivery(t, s, sent.ID); d.State != store.DeliveryDelivered || string(d.Payload) != detached {
		t.Errorf("relay sent before the retraction: %s %s, want delivered with %s", d.State, d.Payload, detached)
	}
	if d := mustDelivery(t, s, waiting.ID); d.State != store.DeliveryRefused || d.RefusalReason != store.Withdrawn ||
		string(d.Payload) != detached {
		t.Errorf("relay waiting at the retraction: %s %q %s, want refused as withdrawn with %s", d.State, d.RefusalReason, d.Payload, detached)
	}
	// The relay a worker may be sending is left to its answer.
	if d := mustDelivery(t, s, sending.ID); d.State != store.DeliveryQueued || string(d.Payload) != detached {
		t.Errorf("relay being sent at the retraction: %s %s, want queued with %s", d.State, d.Payload, detached)
	}
	if err := s.FinishDeliveries(ctx, "A", sending.Peer, now, []store.DeliveryOutcome{{ID: sending.ID, State: store.DeliveryDelivered}}, "", nil); err != nil {
		t.Fatal(err)
	}
	if d := mustDelivery(t, s, sending.ID); d.State != store.DeliveryDelivered {
		t.Errorf("relay sent during the retraction finished as %s, want delivered", d.State)
	}
	if d := mustDelivery(t, s, retraction.ID); d.State != store.DeliveryQueued || string(d.Payload) != string(retraction.Payload) {
		t.Errorf("the retraction's relay: %s %s, want queued as it was", d.State, d.Payload)
	}
	// A withdrawn relay is not sent again, even by an operator.
	err := s.RetryDelivery(ctx, waiting.ID, now, ev("delivery.retry", waiting.Peer))
	if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "withdrawn") {
		t.Errorf("retry of a withdrawn relay: %v, want a conflict saying it was withdrawn", err)
	}
}

// A record retracted is not sent to the peers that have not been sent it:
// their deliveries are refused as withdrawn and get no retraction; a peer
// that received it gets the retraction, and so does one a worker is
// sending it to at that moment.
func testRetractWithdraws(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, code := range []string{"JP", "CN", "KR"} {
		MustPeer(t, s, NewPeer(code))
	}
	r := NewRecord(t)
	MustCreate(t, s, r)
	MustShare(t, s, NewDelivery("JP", r.ID), NewDelivery("CN", r.ID), NewDelivery("KR", r.ID))
	now := time.Now().UTC()
	sent, sending := sentAndSending(t, s, now)

	ret := NextVersion(t, r, func(x *intel.Record) { x.Status = intel.StatusRetracted })
	if err := s.UpdateRecord(ctx, ret, ev("record.retract", r.ID)); err != nil {
		t.Fatal(err)
	}
	ds, err := s.Deliveries(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	retracts := map[string]bool{}
	for _, d := range ds {
		switch {
		case d.Type == "record.retract":
			retracts[d.Peer] = true
		case d.ID == sent.ID:
			if d.State != store.DeliveryDelivered {
				t.Errorf("the delivery sent before: %s, want delivered", d.State)
			}
		case d.ID == sending.ID:
			if d.State != store.DeliveryQueued {
				t.Errorf("the delivery being sent: %s, want left queued to its answer", d.State)
			}
		default:
			if d.State != store.DeliveryRefused || d.RefusalReason != store.Withdrawn || d.LastError != store.Withdrawn {
				t.Errorf("the delivery not sent yet to %s: %s %q %q, want refused as withdrawn", d.Peer, d.State, d.RefusalReason, d.LastError)
			}
			if err := s.RetryDelivery(ctx, d.ID, now, ev("delivery.retry", d.Peer)); !fault.Is(err, fault.Conflict) {
				t.Errorf("retry of a withdrawn delivery: %v, want a conflict", err)
			}
		}
	}
	if len(retracts) != 2 || !retracts[sent.Peer] || !retracts[sending.Peer] {
		t.Errorf("retractions queued for %v, want %s and %s only", retracts, sent.Peer, sending.Peer)
	}
}

// sentAndSending claims the due rows of one peer (one row) and finishes
// them delivered, then claims another's and leaves its peer leased, as a
// worker sending it would at now.
func sentAndSending(t *testing.T, s store.Store, now time.Time) (sent, sending store.Delivery) {
	t.Helper()
	ctx := context.Background()
	claim := func() store.Delivery {
		t.Helper()
		peer, claimed, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 100)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %s %+v (%v), want one row", peer, claimed, err)
		}
		return claimed[0]
	}
	sent = claim()
	if err := s.FinishDeliveries(ctx, "A", sent.Peer, now, []store.DeliveryOutcome{{ID: sent.ID, State: store.DeliveryDelivered}}, "", nil); err != nil {
		t.Fatal(err)
	}
	return sent, claim()
}

// checkDetached checks that the n receipts of record id are there, that
// the signed envelopes of its create and updates are kept detached from
// their payloads and that its retraction's is whole, as retraction.
func checkDetached(t *testing.T, s store.Store, id string, n int, retraction []byte) {
	t.Helper()
	rs, err := s.Receipts(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != n {
		t.Fatalf("%d receipts of %s, want %d", len(rs), id, n)
	}
	header, _, _ := strings.Cut(string(retraction), ".")
	for _, r := range rs {
		want := header + ".." + id
		if r.Type == "record.retract" {
			want = string(retraction)
		}
		if string(r.Signed) != want {
			t.Errorf("%s %s kept as %q, want %q", r.Type, r.EnvelopeID, r.Signed, want)
		}
	}
}

func testReceiveRepin(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("HK"))
	p := NewPeer("HK")
	p.PublicKey, p.Fingerprint = "pub-HK-2", "SHA256:"+strings.Repeat("n", 64)
	rc := store.Received{EnvelopeID: ulid.Make().String(), From: "HK", Type: "key.rotate", Signed: []byte("eyJ.rot"), Peer: &p}
	mustReceive(t, s, rc)
	got, err := s.Peer(ctx, "HK")
	if err != nil {
		t.Fatal(err)
	}
	if got.PublicKey != "pub-HK-2" || got.Fingerprint != p.Fingerprint {
		t.Errorf("peer after a rotation = %+v, want the new key", got)
	}
}

func testReceiveBatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	old := NewReceived(NewRecord(t))
	mustReceive(t, s, old)
	a := NewReceived(NewRecord(t))
	b1 := NewRecord(t)
	b2 := NewReceived(NextVersion(t, b1, Narrative("second")))
	late := NewReceived(b1)
	bad := NewReceived(NewRecord(t))
	bad.Record.Version = 0
	replay := old
	replay.Record = NextVersion(t, old.Record, Narrative("a replay must not store this"))
	before := auditCount(t, s)
	rs := []store.Receipt{
		{Received: &a, Event: ev("envelope.receive", a.EnvelopeID)},
		{Received: &b2, Event: ev("envelope.receive", b2.EnvelopeID)},
		{Received: &late, Event: ev("envelope.receive", late.EnvelopeID)},
		{Event: ev("envelope.refuse", "unreadable envelope")},
		{Received: &bad, Event: ev("envelope.receive", bad.EnvelopeID)},
		{Received: &replay, Event: ev("envelope.receive", replay.EnvelopeID)},
	}
	if err := s.ReceiveBatch(ctx, rs); err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		dup, err, stored bool
	}{{false, false, true}, {false, false, true}, {false, false, false}, {false, false, false}, {false, true, false}, {true, false, false}} {
		if rs[i].Duplicate != want.dup || (rs[i].Err != nil) != want.err || rs[i].Stored != want.stored {
			t.Errorf("receipt %d: duplicate %v, err %v, stored %v; want duplicate %v, error %v, stored %v", i,
				rs[i].Duplicate, rs[i].Err, rs[i].Stored, want.dup, want.err, want.stored)
		}
	}
	if !fault.Is(rs[4].Err, fault.Invalid) {
		t.Errorf("invalid record: err %v, want Invalid", rs[4].Err)
	}
	if n := auditCount(t, s) - before; n != 4 {
		t.Errorf("%d audit entries, want 4 (three stored envelopes and one refusal)", n)
	}
	got, err := s.ReceivedAmong(ctx, []string{a.EnvelopeID, b2.EnvelopeID, late.EnvelopeID, bad.EnvelopeID, old.EnvelopeID})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{a.EnvelopeID: true, b2.EnvelopeID: true, late.EnvelopeID: true, old.EnvelopeID: true}
	if len(got) != len(want) {
		t.Errorf("ReceivedAmong = %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("ReceivedAmong misses %s", id)
		}
	}
	if r, err := s.GetRecord(ctx, b1.ID); err != nil || r.Version != 2 || r.Seizure.Narrative != "second" {
		t.Errorf("record after versions 2 then 1 in one batch: %+v, %v; want version 2", r, err)
	}
	if r, err := s.GetRecord(ctx, old.Record.ID); err != nil || r.Version != 1 {
		t.Errorf("a replay in a batch changed the record: %+v, %v", r, err)
	}
	if _, err := s.GetRecord(ctx, bad.Record.ID); !fault.Is(err, fault.NotFound) {
		t.Errorf("the invalid record was stored (err %v)", err)
	}
	if n, err := s.CountRecords(ctx); err != nil || n != 3 {
		t.Errorf("CountRecords = %d, %v; want 3", n, err)
	}

	// A batch of distinct records, written in bulk: a new record is
	// stored, a version already held under a new envelope id is not.
	c := NewReceived(NewRecord(t))
	again := NewReceived(old.Record)
	rs = []store.Receipt{
		{Received: &c, Event: ev("envelope.receive", c.EnvelopeID)},
		{Received: &again, Event: ev("envelope.receive", again.EnvelopeID)},
	}
	if err := s.ReceiveBatch(ctx, rs); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		if rs[i].Duplicate || rs[i].Err != nil || rs[i].Stored != want {
			t.Errorf("bulk receipt %d: duplicate %v, err %v, stored %v; want stored %v", i, rs[i].Duplicate, rs[i].Err, rs[i].Stored, want)
		}
	}
}

// testReceiptOutbox checks that what a receipt has the node send (an
// acknowledgement, relays) is queued with it, audited, and not at all for
// a duplicate, a receipt the store refuses, or a batch that fails: a
// request delivered again after a failed batch is acknowledged once.
func testReceiptOutbox(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("HK"))
	MustPeer(t, s, NewPeer("FR"))
	withOutbox := func(rc store.Received, peers ...string) store.Received {
		for _, p := range peers {
			d := NewDelivery(p, rc.Record.ID)
			d.Type = "ack"
			rc.Outbox = append(rc.Outbox, d)
		}
		rc.Events = []audit.Event{ev("envelope.relay", rc.Record.ID)}
		return rc
	}
	queued := func() map[string]int {
		t.Helper()
		ds, err := s.Deliveries(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, d := range ds {
			out[d.RecordID+" "+d.Peer]++
			if d.State != store.DeliveryQueued {
				t.Errorf("delivery %s is %s, want queued", d.EnvelopeID, d.State)
			}
		}
		return out
	}

	// A batch that fails (one row the database refuses: an envelope id
	// repeated in the outbox) stores nothing, and queues nothing.
	a := withOutbox(NewReceived(NewRecord(t)), "HK", "FR")
	a.Outbox[1].EnvelopeID = a.Outbox[0].EnvelopeID
	before := auditCount(t, s)
	if err := s.ReceiveBatch(ctx, []store.Receipt{{Received: &a, Event: ev("envelope.receive", a.EnvelopeID)}}); err == nil {
		t.Fatal("a batch whose outbox repeats an envelope id was stored")
	}
	if q := queued(); len(q) != 0 {
		t.Errorf("a failed batch queued %v", q)
	}
	if n := auditCount(t, s) - before; n != 0 {
		t.Errorf("a failed batch wrote %d audit entries", n)
	}
	if got, err := s.ReceivedAmong(ctx, []string{a.EnvelopeID}); err != nil || got[a.EnvelopeID] {
		t.Errorf("a failed batch holds its envelope (%v, %v)", got, err)
	}

	// Delivered again, with its outbox rebuilt: queued once, with the
	// receipt. A duplicate and a receipt without what a delivery needs
	// queue nothing.
	a = withOutbox(NewReceived(a.Record), "HK", "FR")
	dup := withOutbox(a, "HK")
	noPeer := withOutbox(NewReceived(NewRecord(t)), "HK")
	noPeer.Outbox[0].Peer = ""
	before = auditCount(t, s)
	rs := []store.Receipt{
		{Received: &a, Event: ev("envelope.receive", a.EnvelopeID)},
		{Received: &dup, Event: ev("envelope.receive", dup.EnvelopeID)},
		{Received: &noPeer, Event: ev("envelope.receive", noPeer.EnvelopeID)},
	}
	if err := s.ReceiveBatch(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if !rs[0].Stored || !rs[1].Duplicate || !fault.Is(rs[2].Err, fault.Invalid) {
		t.Errorf("receipts: stored %v, duplicate %v, err %v; want stored, duplicate, invalid", rs[0].Stored, rs[1].Duplicate, rs[2].Err)
	}
	want := map[string]int{a.Record.ID + " HK": 1, a.Record.ID + " FR": 1}
	if q := queued(); !maps.Equal(q, want) {
		t.Errorf("queued %v, want %v", q, want)
	}
	// The receipt's entry and its outbox's.
	if n := auditCount(t, s) - before; n != 2 {
		t.Errorf("%d audit entries, want 2", n)
	}
}

// testReceiveBatchBodies receives batches of many distinct records, of
// bodies of many sizes, one after the other, and reads every record and
// signed envelope back as it was sent: none may be stored with another's
// bytes, however the store lays out a batch's rows before writing them.
func testReceiveBatchBodies(t *testing.T, s store.Store) {
	ctx := context.Background()
	type sent struct {
		id, narrative, signed string
	}
	var all []sent
	for batch := range 3 {
		var rs []store.Receipt
		for i := range 75 {
			narrative := fmt.Sprintf("batch %d record %d: %s", batch, i, strings.Repeat("long ", (i*37)%200))
			r := NewRecord(t, Narrative(narrative))
			rc := NewReceived(r)
			// Envelopes as senders sign them, and texts that are not
			// canonical compact JWS (payloads of every length mod 4).
			rc.Signed = []byte(fmt.Sprintf("eyJ.%s.%s", strings.Repeat("s", (i*53)%3000), r.ID))
			if i%2 == 0 {
				rc.Signed = SignedFor(r)
			}
			rs = append(rs, store.Receipt{Received: &rc, Event: ev("envelope.receive", rc.EnvelopeID)})
			all = append(all, sent{r.ID, narrative, string(rc.Signed)})
		}
		if err := s.ReceiveBatch(ctx, rs); err != nil {
			t.Fatal(err)
		}
		for i, rc := range rs {
			if !rc.Stored || rc.Err != nil || rc.Duplicate {
				t.Fatalf("batch %d receipt %d: stored %v, err %v, duplicate %v", batch, i, rc.Stored, rc.Err, rc.Duplicate)
			}
		}
	}
	for _, w := range all {
		r, err := s.GetRecord(ctx, w.id)
		if err != nil {
			t.Fatalf("get %s: %v", w.id, err)
		}
		if r.ID != w.id || r.Seizure == nil || r.Seizure.Narrative != w.narrative {
			t.Errorf("record %s read back as %s with another narrative", w.id, r.ID)
		}
		got, err := s.Receipts(ctx, w.id)
		if err != nil {
			t.Fatalf("receipts of %s: %v", w.id, err)
		}
		if len(got) != 1 || string(got[0].Signed) != w.signed {
			t.Errorf("record %s: %d receipts, signed envelope not the one received", w.id, len(got))
		}
	}
}

func testReceipts(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := NewReceived(NewRecord(t))
	a.Key = "SHA256:aa"
	b := NewReceived(NewRecord(t))
	b.Key, b.Via = "SHA256:bb", []string{"RILO-AP"}
	rs := []store.Receipt{
		{Received: &a, Event: ev("envelope.receive", a.Record.ID)},
		{Event: ev("envelope.refuse", "unreadable envelope")},
		{Received: &b, Event: ev("envelope.receive", b.Record.ID)},
	}
	if err := s.ReceiveBatch(ctx, rs); err != nil {
		t.Fatal(err)
	}
	again := a
	if dup := mustReceive(t, s, again); !dup {
		t.Fatal("the same envelope again is not a duplicate")
	}
	entries := MustVerifyAudit(t, s)
	seqOf := map[string]int64{}
	for _, en := range entries {
		if en.Action == "envelope.receive" {
			seqOf[en.Target] = en.Seq
		}
	}
	for _, rc := range []store.Received{a, b} {
		got, err := s.Receipts(ctx, rc.Record.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("receipts of %s = %+v, want one", rc.Record.ID, got)
		}
		r := got[0]
		if r.EnvelopeID != rc.EnvelopeID || r.Type != rc.Type || r.From != rc.From || r.Key != rc.Key ||
			strings.Join(r.Via, ",") != strings.Join(rc.Via, ",") || r.RecordID != rc.Record.ID || r.Version != rc.Record.Version ||
			string(r.Signed) != string(rc.Signed) || r.Received.IsZero() {
			t.Errorf("receipt = %+v, want the envelope %+v", r, rc)
		}
		if r.AuditSeq != seqOf[rc.Record.ID] {
			t.Errorf("receipt of %s names audit entry %d, want %d", rc.Record.ID, r.AuditSeq, seqOf[rc.Record.ID])
		}
		if _, err := s.GetRecord(ctx, rc.Record.ID); err != nil {
			t.Errorf("record %s not stored: %v", rc.Record.ID, err)
		}
	}
}

func testPeerBackoff(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	ds := MustShare(t, s, NewDelivery("JP", "R1"), NewDelivery("JP", "R2"), NewDelivery("JP", "R3"))
	now := Base().Add(time.Minute)
	_, got, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("claim = %v, %v", rowIDs(got), err)
	}
	retry := now.Add(5 * time.Second)
	outs := []store.DeliveryOutcome{{ID: got[0].ID, State: store.DeliveryFailed, Error: "connection refused", NextAttempt: retry}}
	if err := s.FinishDeliveries(ctx, "A", "JP", now, outs, "peer unreachable", nil); err != nil {
		t.Fatal(err)
	}
	// The rows never tried are due, but the peer is not tried before retry.
	if p, got, err := s.ClaimDeliveries(ctx, "B", now.Add(time.Second), time.Minute, 100); err != nil || p != "" {
		t.Fatalf("claimed %q %v (%v) while the peer backs off, want nothing", p, rowIDs(got), err)
	}
	p, got, err := s.ClaimDeliveries(ctx, "B", retry, time.Minute, 100)
	if err != nil || p != "JP" || !sameIDs(rowIDs(got), rowIDs(ds)) {
		t.Fatalf("claimed %q %v (%v) when the peer is due again, want every row %v", p, rowIDs(got), err, rowIDs(ds))
	}
	// An operator's retry tries the peer at once.
	outs = nil
	for _, d := range got {
		outs = append(outs, store.DeliveryOutcome{ID: d.ID, State: store.DeliveryFailed, Error: "connection refused", NextAttempt: retry.Add(time.Hour)})
	}
	if err := s.FinishDeliveries(ctx, "B", "JP", retry, outs, "peer unreachable", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryDelivery(ctx, ds[2].ID, retry.Add(time.Minute), ev("delivery.retry", "3")); err != nil {
		t.Fatal(err)
	}
	if p, got, err := s.ClaimDeliveries(ctx, "B", retry.Add(time.Minute), time.Minute, 100); err != nil || p != "JP" || !sameIDs(rowIDs(got), []int64{ds[2].ID}) {
		t.Fatalf("claimed %q %v (%v) after a retry, want the retried row", p, rowIDs(got), err)
	}
}

// testRecentDeliveries pages through the outbox newest first, filtered by
// state, and counts its rows by state.
func testRecentDeliveries(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	ds := MustShare(t, s, NewDelivery("JP", "R1"), NewDelivery("JP", "R2"), NewDelivery("JP", "R3"), NewDelivery("JP", "R4"))
	now := Base().Add(8 * 24 * time.Hour)
	if _, _, err := s.ClaimDeliveries(ctx, "A", now, time.Minute, 100); err != nil {
		t.Fatal(err)
	}
	outs := []store.DeliveryOutcome{{ID: ds[0].ID, State: store.DeliveryDead, Error: "failing for 8 days"},
		{ID: ds[1].ID, State: store.DeliveryDelivered}}
	if err := s.FinishDeliveries(ctx, "A", "JP", now, outs, "", nil); err != nil {
		t.Fatal(err)
	}
	ds = append(ds, MustShare(t, s, NewDelivery("JP", "R5"))...)
	counts, err := s.DeliveryCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{store.DeliveryQueued: 3, store.DeliveryDead: 1, store.DeliveryDelivered: 1}; !maps.Equal(counts, want) {
		t.Errorf("DeliveryCounts = %v, want %v", counts, want)
	}
	page, err := s.RecentDeliveries(ctx, "", 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowIDs(page), []int64{ds[4].ID, ds[3].ID}; !slices.Equal(got, want) {
		t.Fatalf("first page = %v, want %v (newest first)", got, want)
	}
	page, err = s.RecentDeliveries(ctx, "", page[1].ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowIDs(page), []int64{ds[2].ID, ds[1].ID, ds[0].ID}; !slices.Equal(got, want) {
		t.Fatalf("second page = %v, want %v", got, want)
	}
	if page[2].State != store.DeliveryDead || page[2].LastError != "failing for 8 days" || page[2].RecordID != "R1" {
		t.Errorf("oldest row = %+v, want R1 dead with its error", page[2])
	}
	dead, err := s.RecentDeliveries(ctx, store.DeliveryDead, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowIDs(dead); !slices.Equal(got, []int64{ds[0].ID}) {
		t.Errorf("dead rows = %v, want [%d]", got, ds[0].ID)
	}
	_, err = s.RecentDeliveries(ctx, "", 0, 0)
	WantField(t, err, "limit")
}

// testListDeliveries pages through the outbox in id order, for everyone and
// for users who may not see every record: a page is never short while
// visible rows follow, every visible row comes once, hidden ones never.
func testListDeliveries(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	operation := func(op string) func(*intel.Record) {
		return func(r *intel.Record) { r.Distribution = intel.Distribution{Scope: intel.ScopeOperation, Operation: op} }
	}
	open, jade, other := NewRecord(t), NewRecord(t, operation("OP-JADE")), NewRecord(t, operation("OP-OTHER"))
	// Visibility follows the latest version: hidden now, and no longer.
	hidden, unveiled := NewRecord(t), NewRecord(t, operation("OP-OTHER"))
	MustCreate(t, s, open, jade, other, hidden, unveiled)
	for _, r := range []*intel.Record{NextVersion(t, hidden, operation("OP-OTHER")), NextVersion(t, unveiled, func(r *intel.Record) {
		r.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}}
	})} {
		if err := s.UpdateRecord(ctx, r, ev(audit.ActionRecordUpdate, r.ID)); err != nil {
			t.Fatal(err)
		}
	}
	var ds []store.Delivery
	for range 3 {
		for _, r := range []*intel.Record{open, jade, other, hidden, unveiled} {
			ds = append(ds, NewDelivery("JP", r.ID))
		}
	}
	rotate := NewDelivery("JP", "")
	rotate.Type, rotate.Payload = "key.rotate", []byte(`{"statement":"x"}`)
	ds = append(ds, rotate, NewDelivery("JP", ulid.Make().String())) // the last of a record not held
	ds = MustShare(t, s, ds...)
	all, err := s.Deliveries(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	visibleTo := func(ops ...string) []int64 {
		seen := map[string]bool{open.ID: true, unveiled.ID: true, "": true}
		for _, op := range ops {
			seen[map[string]string{"OP-JADE": jade.ID, "OP-OTHER": other.ID}[op]] = true
		}
		var ids []int64
		for _, d := range all {
			if seen[d.RecordID] || (slices.Contains(ops, "OP-OTHER") && d.RecordID == hidden.ID) {
				ids = append(ids, d.ID)
			}
		}
		return ids
	}
	walk := func(q store.DeliveryQuery) []int64 {
		t.Helper()
		var ids []int64
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatalf("paging %+v does not end", q)
			}
			page, err := s.ListDeliveries(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, rowIDs(page.Deliveries)...)
			if page.Next == 0 {
				return ids
			}
			if len(page.Deliveries) != q.Limit {
				t.Fatalf("page %d of %+v has %d rows and a next page", pages, q, len(page.Deliveries))
			}
			if page.Next != page.Deliveries[len(page.Deliveries)-1].ID {
				t.Fatalf("next %d is not the last row of the page %v", page.Next, rowIDs(page.Deliveries))
			}
			q.After = page.Next
		}
	}
	for _, tc := range []struct {
		name string
		q    store.DeliveryQuery
		want []int64
	}{
		{"everyone's", store.DeliveryQuery{Limit: 4}, rowIDs(all)},
		{"default limit", store.DeliveryQuery{}, rowIDs(all)},
		{"outside every operation", store.DeliveryQuery{Limit: 2, Restricted: true}, visibleTo()},
		{"in OP-JADE", store.DeliveryQuery{Limit: 3, Restricted: true, Operations: []string{"OP-JADE"}}, visibleTo("OP-JADE")},
		{"in both", store.DeliveryQuery{Limit: 1, Restricted: true, Operations: []string{"OP-OTHER", "OP-JADE"}}, visibleTo("OP-JADE", "OP-OTHER")},
		{"page the size of the whole", store.DeliveryQuery{Limit: len(visibleTo()), Restricted: true}, visibleTo()},
		{"one record", store.DeliveryQuery{Record: open.ID, Limit: 2, Restricted: true}, []int64{ds[0].ID, ds[5].ID, ds[10].ID}},
		{"a hidden record", store.DeliveryQuery{Record: jade.ID, Restricted: true}, nil},
	} {
		if got := walk(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s: rows %v, want %v", tc.name, got, tc.want)
		}
	}
	if n := len(visibleTo()); n == 0 || n >= len(all) {
		t.Fatalf("%d of %d rows visible outside operations: the test shows nothing", n, len(all))
	}
	if got, want := walk(store.DeliveryQuery{After: ds[5].ID, Limit: 5}), rowIDs(all[6:]); !slices.Equal(got, want) {
		t.Errorf("rows after %d: %v, want %v", ds[5].ID, got, want)
	}
	for _, q := range []store.DeliveryQuery{{Limit: -1}, {Limit: store.MaxLimit + 1}, {After: -1}} {
		_, err := s.ListDeliveries(ctx, q)
		WantKind(t, err, fault.Invalid)
	}
}

// testShareOnce shares a request's delivery with Once again and again: it
// is queued once per record version, type and peer, Share returning the
// row queued first, and queued anew once that row was refused.
func testShareOnce(t *testing.T, s store.Store) {
	ctx := context.Background()
	MustPeer(t, s, NewPeer("JP"))
	MustPeer(t, s, NewPeer("FR"))
	request := func(peer string, version int) store.Delivery {
		d := NewDelivery(peer, "R1")
		d.Type, d.Version, d.Once = "request", version, true
		return d
	}
	first := MustShare(t, s, request("JP", 1))[0]
	again := MustShare(t, s, request("JP", 1))[0]
	if again.ID != first.ID || again.EnvelopeID != first.EnvelopeID {
		t.Fatalf("the same delivery again gave row %d (%s), want the first, %d (%s)", again.ID, again.EnvelopeID, first.ID, first.EnvelopeID)
	}
	other := MustShare(t, s, request("FR", 1), request("JP", 2))
	if other[0].ID == first.ID || other[1].ID == first.ID || other[0].ID == other[1].ID {
		t.Fatalf("another peer and another version were not queued rows of their own: %d, %d (first %d)", other[0].ID, other[1].ID, first.ID)
	}
	if ds, err := s.Deliveries(ctx, "R1"); err != nil || len(ds) != 3 {
		t.Fatalf("the outbox holds %d rows of R1 (%v), want 3", len(ds), err)
	}
	if _, _, err := s.ClaimDeliveries(ctx, "A", Base().Add(time.Minute), time.Minute, 100); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishDeliveries(ctx, "A", "JP", Base().Add(time.Minute),
		[]store.DeliveryOutcome{{ID: first.ID, State: store.DeliveryRefused, Error: "no agreement"}}, "", nil); err != nil {
		t.Fatal(err)
	}
	if anew := MustShare(t, s, request("JP", 1))[0]; anew.ID == first.ID || anew.State != store.DeliveryQueued {
		t.Fatalf("after the first was refused, the delivery gave row %d in state %s, want a new queued row", anew.ID, anew.State)
	}
}
