package federation

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store/sqlite"
	"liaison/internal/store/storetest"
)

// TestRequestState checks the state of a request for assistance as the
// service lists it, on the requesting and the requested node, from the
// request and the responses held in a real store.
func TestRequestState(t *testing.T) {
	ctx := context.Background()
	dir, err := directory.Load()
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	req := func(originator, state, deadline string) *intel.Record {
		requested := "JP"
		if originator == "JP" {
			requested = "HK"
		}
		return storetest.NewRequest(t, originator, requested, deadline, func(r *intel.Record) { r.Request.State = state })
	}
	tests := []struct {
		name      string
		req       *intel.Record
		self      string
		responses []string
		want      string
	}{
		{"sent, not yet acknowledged", req("HK", "sent", "2026-12-31"), "HK", nil, StateSent},
		{"acknowledged at the requesting node", req("HK", "acknowledged", "2026-12-31"), "HK", nil, StateAcknowledged},
		{"held by the requested node", req("HK", "sent", ""), "JP", nil, StateAcknowledged},
		{"deadline passed", req("HK", "acknowledged", "2026-11-01"), "HK", nil, StateOverdue},
		{"deadline today is not passed", req("HK", "acknowledged", "2026-11-26"), "HK", nil, StateAcknowledged},
		{"answered", req("HK", "acknowledged", "2026-12-31"), "HK", []string{"answered"}, StateAnswered},
		{"partial counts as answered", req("HK", "sent", "2026-12-31"), "JP", []string{"partial"}, StateAnswered},
		{"declined", req("HK", "acknowledged", "2026-11-01"), "HK", []string{"declined"}, StateDeclined},
		{"answered late is answered", req("HK", "acknowledged", "2026-11-01"), "HK", []string{"answered"}, StateAnswered},
		{"answered after a refusal is answered", req("JP", "sent", "2026-11-01"), "HK", []string{"declined", "answered"}, StateAnswered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqlite.OpenWith(ctx, t.TempDir(), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			s := New(Config{Node: tt.self, Store: db, Directory: dir, Now: func() time.Time { return today }, Logger: slog.New(slog.DiscardHandler)})
			rs := []*intel.Record{tt.req}
			for _, o := range tt.responses {
				rs = append(rs, storetest.NewResponse(t, tt.req, o))
			}
			storetest.MustCreate(t, db, rs...)
			v, err := s.Request(ctx, tt.req.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.State != tt.want {
				t.Fatalf("state %q, want %q", v.State, tt.want)
			}
			if len(v.Responses) != len(tt.responses) {
				t.Errorf("%d responses listed, want %d", len(v.Responses), len(tt.responses))
			}
			wantDir := "received"
			if tt.req.Originator == tt.self {
				wantDir = "sent"
			}
			if v.Direction != wantDir {
				t.Errorf("direction %q, want %q", v.Direction, wantDir)
			}
			all, err := s.Requests(ctx, RequestQuery{State: tt.want})
			if err != nil || len(all) != 1 || all[0].ID != tt.req.ID {
				t.Errorf("Requests(%q) = %v (%v), want the request", tt.want, all, err)
			}
		})
	}
	t.Run("unknown state", func(t *testing.T) {
		db, err := sqlite.OpenWith(ctx, t.TempDir(), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s := New(Config{Node: "HK", Store: db, Directory: dir, Logger: slog.New(slog.DiscardHandler)})
		if _, err := s.Requests(ctx, RequestQuery{State: "lost"}); fault.KindOf(err) != fault.Invalid {
			t.Fatalf("Requests(lost): %v, want invalid", err)
		}
		if _, err := s.Request(ctx, "01JZZZZZZZZZZZZZZZZZZZZZZZ"); fault.KindOf(err) != fault.NotFound {
			t.Fatalf("Request of an unknown id: %v, want not found", err)
		}
	})
}

func TestRegionRelay(t *testing.T) {
	dir, err := directory.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		node, relay string
		want        bool
	}{
		{"JP", "RILO-AP", true},
		{"CN", "RILO-AP", true},
		{"FR", "RILO-AP", false},
		{"JP", "HK", false},
		{"RILO-AP", "RILO-AP", false},
	}
	for _, tt := range tests {
		t.Run(tt.node+" from "+tt.relay, func(t *testing.T) {
			if got := RegionRelay(dir, tt.node)(tt.relay); got != tt.want {
				t.Fatalf("RegionRelay(%s)(%s) = %v, want %v", tt.node, tt.relay, got, tt.want)
			}
		})
	}
}

func TestReceiptPattern(t *testing.T) {
	tests := []struct {
		detail, typ, from, key, via string
	}{
		{"record.create 01ABC version 1 from HK (allowed to JP under hk-jp-arrangement); signed by HK key SHA256:ab:cd; via RILO-AP",
			"record.create", "HK", "SHA256:ab:cd", "RILO-AP"},
		{"record.retract 01ABC from HK: retracted at version 3, personal data purged; signed by HK key SHA256:ef",
			"record.retract", "HK", "SHA256:ef", ""},
	}
	for _, tt := range tests {
		m := receiptRE.FindStringSubmatch(tt.detail)
		if m == nil || m[1] != tt.typ || m[4] != tt.from || m[5] != tt.key || m[6] != tt.via {
			t.Fatalf("%q read as %q", tt.detail, m)
		}
	}
}
