package federation

import (
	"testing"

	"liaison/internal/directory"
	"liaison/internal/intel"
)

func TestRequestState(t *testing.T) {
	req := func(originator, state, deadline string) *intel.Record {
		return &intel.Record{Kind: intel.KindRequest, Originator: originator,
			Request: &intel.Request{Requesting: "HK", Requested: "JP", State: state, Deadline: deadline}}
	}
	resp := func(outcome string) *intel.Record {
		return &intel.Record{Kind: intel.KindResponse, Response: &intel.Response{Outcome: outcome}}
	}
	tests := []struct {
		name      string
		req       *intel.Record
		self      string
		responses []*intel.Record
		want      string
	}{
		{"sent, not yet acknowledged", req("HK", "sent", "2026-12-31"), "HK", nil, StateSent},
		{"acknowledged at the requesting node", req("HK", "acknowledged", "2026-12-31"), "HK", nil, StateAcknowledged},
		{"held by the requested node", req("HK", "sent", ""), "JP", nil, StateAcknowledged},
		{"deadline passed", req("HK", "acknowledged", "2026-11-01"), "HK", nil, StateOverdue},
		{"deadline today is not passed", req("HK", "acknowledged", "2026-11-26"), "HK", nil, StateAcknowledged},
		{"answered", req("HK", "acknowledged", "2026-12-31"), "HK", []*intel.Record{resp("answered")}, StateAnswered},
		{"partial counts as answered", req("HK", "sent", "2026-12-31"), "JP", []*intel.Record{resp("partial")}, StateAnswered},
		{"declined", req("HK", "acknowledged", "2026-11-01"), "HK", []*intel.Record{resp("declined")}, StateDeclined},
		{"answered late is answered", req("HK", "acknowledged", "2026-11-01"), "HK", []*intel.Record{resp("answered")}, StateAnswered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := requestState(tt.req, tt.self, tt.responses, "2026-11-26"); got != tt.want {
				t.Fatalf("state %q, want %q", got, tt.want)
			}
		})
	}
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
