package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// Tamper reaches under a store to change what it holds behind its back,
// as someone with write access to its database could. Each driver's tests
// give RunIntegrity one, in its own SQL.
type Tamper struct {
	// SetBody overwrites the stored body of one version of a record.
	SetBody func(id string, version int, body string) error
	// DeleteAuditAfter deletes the audit entries numbered above seq.
	DeleteAuditAfter func(seq int64) error
	// ReplaceAudit replaces every audit entry with es, which carry no
	// record or digests, and moves the anchor to the last of them: the log
	// as a node of a release before body digests wrote it.
	ReplaceAudit func(es []audit.Entry) error
	// DeleteAnchor deletes the anchor's row (audit_head).
	DeleteAnchor func() error
	// SetRow sets the version and status a record's row in the table of
	// records held gives, leaving the stored versions as they are.
	SetRow func(id string, version int, status intel.Status) error
}

// RunIntegrity checks that verifying a store's audit log (store.VerifyAudit)
// finds what someone with access to its database may change: a record's
// stored body, entries deleted from the end of the log; and that it still
// accepts a log written before body digests were kept and the bodies a
// retraction legitimately purged.
func RunIntegrity(t *testing.T, open func(t *testing.T) (store.Store, Tamper)) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store, Tamper)
	}{
		{"EveryStoredBodyIsVouchedFor", testBodiesVouched},
		{"AlteredBodyIsNamed", testAlteredBody},
		{"DeletedLastEntriesAreFound", testDeletedTail},
		{"DeletedAnchorIsFound", testDeletedAnchor},
		{"RecordRowFollowsLatestVersion", testRecordRow},
		{"PurgeOnRetractionVerifies", testPurgeVerifies},
		{"OldFormatChainVerifies", testOldFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, tamper := open(t)
			tc.fn(t, s, tamper)
		})
	}
}

// mustVerify verifies s as a backup is verified (nothing writes it
// meanwhile) and fails the test on any error.
func mustVerify(tb testing.TB, s store.Store) store.AuditReport {
	tb.Helper()
	rep, err := store.VerifyAudit(context.Background(), s, true)
	if err != nil {
		tb.Fatalf("verify the audit log: %v", err)
	}
	return rep
}

// bodyOf is the body a store keeps of r: its canonical JSON.
func bodyOf(tb testing.TB, r *intel.Record) string {
	tb.Helper()
	b, err := intel.AppendJSON(nil, r)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// entryVouching returns the last entry of es that vouches for version v
// of record id.
func entryVouching(tb testing.TB, es []audit.Entry, id string, v int) audit.Entry {
	tb.Helper()
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Record != id {
			continue
		}
		ds, err := audit.ParseDigests(es[i].Digests)
		if err != nil {
			tb.Fatalf("entry %d: %v", es[i].Seq, err)
		}
		for _, d := range ds {
			if d.Version == v {
				return es[i]
			}
		}
	}
	tb.Fatalf("no audit entry vouches for record %s version %d", id, v)
	return audit.Entry{}
}

func purgedCopy(tb testing.TB, r *intel.Record) *intel.Record {
	tb.Helper()
	c := NextVersion(tb, r)
	c.Version = r.Version
	c.Seizure.Parties, c.Seizure.Narrative = nil, ""
	return c
}

// testBodiesVouched stores versions every way a store can (a batch large
// enough to be hashed in the background and a small one, an update, a
// local retraction, records received alone, in a batch and again at a
// newer version, a received retraction rewriting earlier versions) and
// checks that each audit entry carries the digest of exactly the bytes
// stored, that the log verifies with every version covered, and that the
// anchor follows every append.
func testBodiesVouched(t *testing.T, s store.Store, _ Tamper) {
	ctx := context.Background()
	big := make([]*intel.Record, 70)
	for i := range big {
		big[i] = NewRecord(t, Narrative(fmt.Sprintf("Seizure %d of the batch.", i)))
	}
	MustCreate(t, s, big...)
	small := []*intel.Record{NewRecord(t), NewRecord(t)}
	MustCreate(t, s, small...)
	v2 := NextVersion(t, small[0], Narrative("Updated."))
	if err := s.UpdateRecord(ctx, v2, ev(audit.ActionRecordUpdate, v2.ID)); err != nil {
		t.Fatal(err)
	}
	v3 := NextVersion(t, v2, func(r *intel.Record) {
		r.Status = intel.StatusRetracted
		r.Retraction = &intel.Retraction{At: Base(), Reason: "duplicate"}
	})
	if err := s.UpdateRecord(ctx, v3, ev(audit.ActionRecordRetract, v3.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Audit(ctx, ev(audit.ActionRecordRead, v3.ID)); err != nil {
		t.Fatal(err)
	}

	alone := NewRecord(t)
	mustReceive(t, s, NewReceived(alone))
	alone2 := NextVersion(t, alone, Narrative("Received again."))
	mustReceive(t, s, NewReceived(alone2))
	var batch []store.Receipt
	var received []*intel.Record
	for range 5 {
		r := NewRecord(t)
		rc := NewReceived(r)
		received = append(received, r)
		batch = append(batch, store.Receipt{Received: &rc, Event: ev("envelope.receive", rc.EnvelopeID)})
	}
	batch = append(batch, store.Receipt{Event: ev("envelope.refuse", "nothing stored")})
	if err := s.ReceiveBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	ret := NextVersion(t, alone2, func(r *intel.Record) {
		r.Status = intel.StatusRetracted
		r.Seizure.Parties, r.Seizure.Narrative = nil, ""
	})
	rc := NewReceived(ret)
	rc.Type, rc.Rewrite = "record.retract", []*intel.Record{purgedCopy(t, alone), purgedCopy(t, alone2)}
	mustReceive(t, s, rc)

	es := MustVerifyAudit(t, s)
	rep := mustVerify(t, s)
	wantVersions := int64(len(big) + len(small) + 2 + 3 + len(received))
	if rep.Versions != wantVersions || rep.Covered != wantVersions || rep.Uncovered != 0 {
		t.Errorf("checked %d versions, %d covered, %d not covered; want %d, all covered", rep.Versions, rep.Covered,
			rep.Uncovered, wantVersions)
	}
	last := es[len(es)-1]
	if rep.Entries != int64(len(es)) || rep.Anchor != (audit.Anchor{Entries: last.Seq, Head: last.Hash}) || rep.Head != last.Hash {
		t.Errorf("report %+v; want %d entries anchored at entry %d, head %s", rep, len(es), last.Seq, last.Hash)
	}

	// Each entry carries the digest of the bytes stored: the canonical
	// JSON of the version, and for the retraction of every body it wrote.
	for _, r := range append(append(append([]*intel.Record{}, big...), small...), append(received, v2, v3)...) {
		e := entryVouching(t, es, r.ID, r.Version)
		ds, _ := audit.ParseDigests(e.Digests)
		want := audit.DigestOf(r.Version, []byte(bodyOf(t, r)))
		if len(ds) != 1 || ds[0] != want {
			t.Errorf("entry %d vouches for %q, want the digest of record %s version %d as stored, %s",
				e.Seq, e.Digests, r.ID, r.Version, audit.FormatDigests([]audit.Digest{want}))
		}
	}
	retEntry := entryVouching(t, es, ret.ID, ret.Version)
	if retEntry.Seq != last.Seq {
		t.Errorf("the retraction is vouched for by entry %d, want its own, %d", retEntry.Seq, last.Seq)
	}
	if ds, _ := audit.ParseDigests(retEntry.Digests); len(ds) != 3 || ds[0].Version != 1 || ds[1].Version != 2 || ds[2].Version != 3 {
		t.Errorf("the retraction's entry vouches for %q, want versions 1, 2 and 3 (the purged bodies and the new one)", retEntry.Digests)
	}
	for _, e := range es {
		if (e.Action == audit.ActionRecordRead || e.Action == "envelope.refuse") && (e.Record != "" || e.Digests != "") {
			t.Errorf("entry %d (%s) stores nothing but vouches for %s %q", e.Seq, e.Action, e.Record, e.Digests)
		}
	}

	// The anchor follows every append.
	after, err := s.Audit(ctx, ev(audit.ActionRecordSearch, ""))
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.AuditAnchor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a != (audit.Anchor{Entries: after[0].Seq, Head: after[0].Hash}) {
		t.Errorf("anchor %+v after appending entry %d (%s)", a, after[0].Seq, after[0].Hash)
	}
}

// testAlteredBody changes one letter of a stored version behind the
// store's back: verifying names the record, the version and the entry that
// vouched for it.
func testAlteredBody(t *testing.T, s store.Store, tamper Tamper) {
	ctx := context.Background()
	r := NewRecord(t)
	other := NewRecord(t)
	MustCreate(t, s, r, other)
	v2 := NextVersion(t, r, Narrative("Second version."))
	if err := s.UpdateRecord(ctx, v2, ev(audit.ActionRecordUpdate, r.ID)); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
	created := entryVouching(t, MustVerifyAudit(t, s), r.ID, 1)

	body := bodyOf(t, r)
	altered := strings.Replace(body, "Chan Tai Man", "Chan Tai Mun", 1)
	if altered == body {
		t.Fatal("the test record does not name Chan Tai Man")
	}
	if err := tamper.SetBody(r.ID, 1, altered); err != nil {
		t.Fatalf("tamper with the body: %v", err)
	}
	_, err := store.VerifyAudit(ctx, s, true)
	var bm *audit.BodyMismatch
	if !errors.As(err, &bm) {
		t.Fatalf("verify after altering a body: %v, want a *audit.BodyMismatch", err)
	}
	if bm.Record != r.ID || bm.Version != 1 || bm.Seq != created.Seq {
		t.Errorf("mismatch names record %s version %d entry %d, want %s version 1 entry %d", bm.Record, bm.Version,
			bm.Seq, r.ID, created.Seq)
	}
	if msg := err.Error(); !strings.Contains(msg, "record "+r.ID+" version 1") || !strings.Contains(msg, "altered") {
		t.Errorf("error %q does not name the record and version altered", msg)
	}
	// Put back, it verifies again.
	if err := tamper.SetBody(r.ID, 1, body); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
}

// testDeletedTail deletes the last audit entries: the chain that is left
// verifies link by link, and the anchor tells it was cut short, naming
// where; entries the node appends afterwards do not hide the deletion.
func testDeletedTail(t *testing.T, s store.Store, tamper Tamper) {
	ctx := context.Background()
	MustCreate(t, s, NewRecord(t), NewRecord(t))
	for i := range 3 {
		if _, err := s.Audit(ctx, ev(audit.ActionRecordRead, fmt.Sprintf("R%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	n := mustVerify(t, s).Entries
	if err := tamper.DeleteAuditAfter(n - 2); err != nil {
		t.Fatalf("delete the last entries: %v", err)
	}
	rep, err := store.VerifyAudit(ctx, s, true)
	var am *audit.AnchorMismatch
	if !errors.As(err, &am) {
		t.Fatalf("verify after deleting the last entries: %v, want a *audit.AnchorMismatch", err)
	}
	want := fmt.Sprintf("the audit log ends at entry %d but the node records %d entries; entries after %d were deleted", n-2, n, n-2)
	if am.Last != n-2 || am.Anchor.Entries != n || err.Error() != want {
		t.Errorf("got %q (last %d, anchor %d), want %q", err, am.Last, am.Anchor.Entries, want)
	}
	if rep.Entries != n-2 {
		t.Errorf("%d entries verified before the mismatch, want %d", rep.Entries, n-2)
	}
	// The node goes on from its anchor: the gap stays.
	es, err := s.Audit(ctx, ev(audit.ActionRecordRead, "after"))
	if err != nil {
		t.Fatalf("append after the deletion: %v", err)
	}
	if es[0].Seq != n+1 {
		t.Errorf("entry appended after the deletion is %d, want %d (after the anchor)", es[0].Seq, n+1)
	}
	_, err = store.VerifyAudit(ctx, s, true)
	var br *audit.Break
	if !errors.As(err, &br) || br.Seq != n-1 {
		t.Fatalf("verify after appending past the deletion: %v, want a break at entry %d", err, n-1)
	}
}

// testDeletedAnchor deletes the anchor together with the last entries, as
// someone hiding the deletion from the anchor would: verifying reports an
// *audit.AnchorMismatch saying so and where the log now ends, rather than
// failing to read the anchor.
func testDeletedAnchor(t *testing.T, s store.Store, tamper Tamper) {
	ctx := context.Background()
	MustCreate(t, s, NewRecord(t))
	for i := range 2 {
		if _, err := s.Audit(ctx, ev(audit.ActionRecordRead, fmt.Sprintf("R%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	n := mustVerify(t, s).Entries
	if err := tamper.DeleteAuditAfter(n - 1); err != nil {
		t.Fatalf("delete the last entry: %v", err)
	}
	if err := tamper.DeleteAnchor(); err != nil {
		t.Fatalf("delete the anchor: %v", err)
	}
	for _, exact := range []bool{true, false} {
		rep, err := store.VerifyAudit(ctx, s, exact)
		var am *audit.AnchorMismatch
		if !errors.As(err, &am) {
			t.Fatalf("verify (exact %v) without an anchor: %v, want a *audit.AnchorMismatch", exact, err)
		}
		want := fmt.Sprintf(store.NoAnchorFormat, n-1)
		if am.Last != n-1 || err.Error() != want || am.Format != store.NoAnchorFormat || fmt.Sprintf(am.Format, am.Args...) != want {
			t.Errorf("verify (exact %v) without an anchor: %q (last %d), want %q", exact, err, am.Last, want)
		}
		if rep.Entries != n-1 {
			t.Errorf("%d entries verified, want %d", rep.Entries, n-1)
		}
	}
	// Every entry deleted with it: an empty log is not taken for a new
	// node's.
	if err := tamper.DeleteAuditAfter(0); err != nil {
		t.Fatal(err)
	}
	if _, err := store.VerifyAudit(ctx, s, true); err == nil || err.Error() != fmt.Sprintf(store.NoAnchorFormat, 0) {
		t.Errorf("verify of an empty log without an anchor: %v, want the anchor named", err)
	}
}

// testRecordRow rolls the row of a retracted record back to its first
// version, active, without touching a body: listings would show it as
// active again. Verifying names the record and its latest version; once
// the row is put back, the log verifies again.
func testRecordRow(t *testing.T, s store.Store, tamper Tamper) {
	ctx := context.Background()
	r := NewRecord(t)
	MustCreate(t, s, r, NewRecord(t))
	v2 := NextVersion(t, r, Narrative("Updated."))
	mustUpdate(t, s, v2)
	v3 := NextVersion(t, v2, func(x *intel.Record) {
		x.Status = intel.StatusRetracted
		x.Retraction = &intel.Retraction{At: Base(), Reason: "sent in error"}
	})
	mustUpdate(t, s, v3)
	mustVerify(t, s)
	if err := tamper.SetRow(r.ID, 1, intel.StatusActive); err != nil {
		t.Fatalf("set the row of %s: %v", r.ID, err)
	}
	for _, exact := range []bool{true, false} {
		_, err := store.VerifyAudit(ctx, s, exact)
		var bm *audit.BodyMismatch
		if !errors.As(err, &bm) || bm.Record != r.ID || bm.Version != 3 ||
			!strings.Contains(err.Error(), "says version 1, active seizure of HK, but the latest version stored is 3, retracted seizure of HK (altered)") {
			t.Fatalf("verify (exact %v) with the row rolled back: %v, want a *audit.BodyMismatch naming record %s version 3", exact, err, r.ID)
		}
	}
	if err := tamper.SetRow(r.ID, 3, intel.StatusRetracted); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
}

// testPurgeVerifies receives a record and its retraction, which rewrites
// the earlier versions without their personal data: the log verifies,
// since the retraction's entry vouches for the purged bodies; putting the
// purged data back is caught.
func testPurgeVerifies(t *testing.T, s store.Store, tamper Tamper) {
	ctx := context.Background()
	r := NewRecord(t)
	mustReceive(t, s, NewReceived(r))
	v2 := NextVersion(t, r, Narrative("Chan Tai Man questioned again."))
	mustReceive(t, s, NewReceived(v2))
	hist, err := s.RecordHistory(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		h.Seizure.Parties, h.Seizure.Narrative = nil, ""
	}
	ret := NextVersion(t, v2, func(x *intel.Record) {
		x.Status = intel.StatusRetracted
		x.Seizure.Parties, x.Seizure.Narrative = nil, ""
		x.Retraction = &intel.Retraction{At: Base(), Reason: "entered in error"}
	})
	rc := NewReceived(ret)
	rc.Type, rc.Rewrite = "record.retract", hist
	mustReceive(t, s, rc)

	rep := mustVerify(t, s)
	if rep.Versions != 3 || rep.Covered != 3 {
		t.Errorf("after the purge %d versions checked, %d covered; want 3 and 3", rep.Versions, rep.Covered)
	}
	es := MustVerifyAudit(t, s)
	purge := es[len(es)-1]
	for v := 1; v <= 3; v++ {
		if e := entryVouching(t, es, r.ID, v); e.Seq != purge.Seq {
			t.Errorf("version %d is vouched for by entry %d, want the retraction's, %d", v, e.Seq, purge.Seq)
		}
	}

	// The purged data put back into version 1, as it was received.
	if err := tamper.SetBody(r.ID, 1, bodyOf(t, r)); err != nil {
		t.Fatal(err)
	}
	_, err = store.VerifyAudit(ctx, s, true)
	var bm *audit.BodyMismatch
	if !errors.As(err, &bm) || bm.Record != r.ID || bm.Version != 1 || bm.Seq != purge.Seq {
		t.Fatalf("verify with the purged data put back: %v, want a mismatch of %s version 1 against entry %d", err, r.ID, purge.Seq)
	}
}

// testOldFormatChain turns the log into one written before body digests
// were kept (entries without record or digests, hashed as they were): it
// verifies, every version counted as not covered; versions stored
// afterwards are covered.
func testOldFormat(t *testing.T, s store.Store, tamper Tamper) {
	ctx := context.Background()
	r, other := NewRecord(t), NewRecord(t)
	MustCreate(t, s, r, other)
	v2 := NextVersion(t, r, Narrative("Second version."))
	if err := s.UpdateRecord(ctx, v2, ev(audit.ActionRecordUpdate, r.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Audit(ctx, ev(audit.ActionRecordRead, r.ID)); err != nil {
		t.Fatal(err)
	}
	var legacy []audit.Entry
	for _, e := range MustVerifyAudit(t, s) {
		var prev *audit.Entry
		if len(legacy) > 0 {
			prev = &legacy[len(legacy)-1]
		}
		legacy = append(legacy, audit.Next(prev, audit.Event{Actor: e.Actor, Action: e.Action, Target: e.Target,
			Detail: e.Detail}, e.Time))
	}
	if err := tamper.ReplaceAudit(legacy); err != nil {
		t.Fatalf("write the old-format log: %v", err)
	}
	rep := mustVerify(t, s)
	if rep.Entries != int64(len(legacy)) || rep.Versions != 3 || rep.Covered != 0 || rep.Uncovered != 3 {
		t.Errorf("old-format log: %d entries, %d versions, %d covered, %d not covered; want %d, 3, 0, 3",
			rep.Entries, rep.Versions, rep.Covered, rep.Uncovered, len(legacy))
	}
	for i, e := range MustVerifyAudit(t, s) {
		if w := legacy[i]; e.Seq != w.Seq || e.Hash != w.Hash || e.Prev != w.Prev || e.Record != "" || e.Digests != "" {
			t.Fatalf("entry %d read back as %+v, want %+v", e.Seq, e, w)
		}
	}

	// The node goes on, vouching for what it stores from now on.
	v3 := NextVersion(t, v2, Narrative("Third version."))
	if err := s.UpdateRecord(ctx, v3, ev(audit.ActionRecordUpdate, r.ID)); err != nil {
		t.Fatal(err)
	}
	rep = mustVerify(t, s)
	if rep.Versions != 4 || rep.Covered != 1 || rep.Uncovered != 3 {
		t.Errorf("after a new version: %d versions, %d covered, %d not covered; want 4, 1, 3", rep.Versions, rep.Covered, rep.Uncovered)
	}
	if err := tamper.SetBody(r.ID, 3, strings.Replace(bodyOf(t, v3), "Third", "Fifth", 1)); err != nil {
		t.Fatal(err)
	}
	_, err := store.VerifyAudit(ctx, s, true)
	var bm *audit.BodyMismatch
	if !errors.As(err, &bm) || bm.Record != r.ID || bm.Version != 3 {
		t.Fatalf("verify with version 3 altered: %v, want a mismatch of %s version 3", err, r.ID)
	}
}
