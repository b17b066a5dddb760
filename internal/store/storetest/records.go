// Package storetest holds the conformance suite every store.Store
// implementation must pass, the helpers it builds test data with, and the
// benchmarks each driver runs.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// Base is the creation time of records made by NewRecord, and a convenient
// start for a Clock.
func Base() time.Time { return time.Date(2026, 10, 14, 9, 30, 0, 0, time.UTC) }

// Clock is a deterministic clock for stores under test: every call to Now
// returns a time one second after the previous one. It is safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock whose first reading is start.
func NewClock(start time.Time) *Clock { return &Clock{t: start.UTC()} }

// Now returns the next reading.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(time.Second)
	return t
}

// NewRecord returns a valid seizure record at version 1, active, originated
// by HK, with a fresh ULID; mods adjust it before it is returned. Records made
// one after another have increasing ids.
func NewRecord(tb testing.TB, mods ...func(*intel.Record)) *intel.Record {
	tb.Helper()
	created := Base()
	r := &intel.Record{
		ID:           ulid.Make().String(),
		Kind:         intel.KindSeizure,
		Originator:   "HK",
		Version:      1,
		Created:      &created,
		Updated:      &created,
		Status:       intel.StatusActive,
		Language:     "en",
		Grading:      intel.Grading{Source: "B", Information: "2"},
		Handling:     intel.Handling{Code: "H0"},
		Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}},
		Seizure: &intel.Seizure{
			Date:       "2026-10-14",
			Place:      intel.Place{Country: "HK", Locode: "HKHKG"},
			Direction:  "import",
			Detection:  "x-ray",
			Transport:  "sea",
			Conveyance: &intel.Conveyance{VesselIMO: "9074729"},
			Containers: []string{"CSQU3054383"},
			Route: []intel.RouteLeg{
				{Role: "departure", Country: "VN", Locode: "VNSGN"},
				{Role: "destination", Country: "HK", Locode: "HKHKG"},
			},
			Goods: []intel.Goods{{
				Category: "revenue/cigarettes", Description: "cigarettes, assorted brands", HS: "240220",
				Quantity: 8000000, Unit: "piece", Value: &intel.Money{Amount: 2400000, Currency: "HKD"},
			}},
			Concealment: "mixed-with-legitimate-cargo",
			Parties: []intel.Party{
				{Type: "person", Role: "consignee", Name: "Chan Tai Man", BirthDate: "1975-03-02", Nationality: "HK",
					Document: &intel.Document{Type: "passport", Number: "K01234567", Country: "HK"}},
				{Type: "organisation", Role: "consignor", Name: "Golden Harvest Trading Co., Ltd.", Country: "VN",
					Registration: "0312345678"},
			},
			Narrative: "Declared as frozen fish; cigarettes found behind the first row of cartons.",
		},
	}
	for _, m := range mods {
		m(r)
	}
	return r
}

// Narrative sets a seizure's narrative.
func Narrative(s string) func(*intel.Record) {
	return func(r *intel.Record) { r.Seizure.Narrative = s }
}

// Category sets the category of a seizure's only goods line.
func Category(c string) func(*intel.Record) {
	return func(r *intel.Record) { r.Seizure.Goods[0].Category = c }
}

// Date sets a seizure's date.
func Date(d string) func(*intel.Record) {
	return func(r *intel.Record) { r.Seizure.Date = d }
}

// CreateEvent is the audit event that accompanies creating r.
func CreateEvent(r *intel.Record) audit.Event {
	return audit.Event{Actor: "analyst1", Action: audit.ActionRecordCreate, Target: r.ID, Detail: "version 1"}
}

// MustCreate stores rs in one batch with one create event each.
func MustCreate(tb testing.TB, s store.Store, rs ...*intel.Record) {
	tb.Helper()
	evs := make([]audit.Event, len(rs))
	for i, r := range rs {
		evs[i] = CreateEvent(r)
	}
	if err := s.CreateRecords(context.Background(), rs, evs); err != nil {
		tb.Fatalf("create %d records: %v", len(rs), err)
	}
}

// NextVersion returns a copy of r at the following version, with mods applied.
func NextVersion(tb testing.TB, r *intel.Record, mods ...func(*intel.Record)) *intel.Record {
	tb.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		tb.Fatal(err)
	}
	var n intel.Record
	if err := json.Unmarshal(b, &n); err != nil {
		tb.Fatal(err)
	}
	n.Version++
	u := n.Updated.Add(time.Hour)
	n.Updated = &u
	for _, m := range mods {
		m(&n)
	}
	return &n
}

// MustVerifyAudit walks the whole audit log of s through an audit.Verifier
// and returns its entries, failing the test at the first broken link; it
// then verifies the log as store.VerifyAudit does (its anchor, and every
// stored body against the digest vouching for it), so that every test
// checking the chain also checks that what it stored was vouched for.
func MustVerifyAudit(tb testing.TB, s store.Store) []audit.Entry {
	tb.Helper()
	var v audit.Verifier
	var es []audit.Entry
	err := s.WalkAudit(context.Background(), func(e audit.Entry) error {
		if err := v.Add(e); err != nil {
			return err
		}
		es = append(es, e)
		return nil
	})
	if err != nil {
		tb.Fatalf("verify audit: %v", err)
	}
	if _, err := store.VerifyAudit(context.Background(), s, false); err != nil {
		tb.Fatalf("verify audit log, anchor and record bodies: %v", err)
	}
	return es
}

// CheckTamperDetected writes a chain of five entries to s, lets tamper
// change entry 2 behind the store's back (directly in SQL), and checks that
// verifying the chain reports a break at entry 2.
func CheckTamperDetected(t *testing.T, s store.Store, tamper func(seq int64) error) {
	t.Helper()
	ctx := context.Background()
	evs := make([]audit.Event, 5)
	for i := range evs {
		evs[i] = audit.Event{Actor: "auditor1", Action: audit.ActionRecordRead, Target: fmt.Sprintf("R%d", i)}
	}
	if _, err := s.Audit(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	MustVerifyAudit(t, s)
	if err := tamper(2); err != nil {
		t.Fatalf("tamper with entry 2: %v", err)
	}
	var v audit.Verifier
	err := s.WalkAudit(ctx, v.Add)
	var br *audit.Break
	if !errors.As(err, &br) {
		t.Fatalf("verify tampered chain: got %v, want a break", err)
	}
	if br.Seq != 2 {
		t.Errorf("break reported at entry %d, want 2 (%v)", br.Seq, br)
	}
	if v.Count != 1 {
		t.Errorf("verifier accepted %d entries before the break, want 1", v.Count)
	}
}

// WantKind fails the test unless err is a *fault.Error of kind k.
func WantKind(tb testing.TB, err error, k fault.Kind) {
	tb.Helper()
	if got := fault.KindOf(err); err == nil || got != k {
		tb.Fatalf("got error %v (kind %q), want kind %q", err, got, k)
	}
}

// WantField fails the test unless err is an Invalid *fault.Error naming field.
func WantField(tb testing.TB, err error, field string) {
	tb.Helper()
	WantKind(tb, err, fault.Invalid)
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Field != field {
		tb.Fatalf("got error %v, want one naming field %q", err, field)
	}
}

// sameRecord fails the test unless got and want have the same canonical JSON.
func sameRecord(tb testing.TB, got, want *intel.Record) {
	tb.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		tb.Fatal(err)
	}
	if string(g) != string(w) {
		tb.Fatalf("record differs:\n got %s\nwant %s", g, w)
	}
}
