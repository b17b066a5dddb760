package agreement

import (
	"testing"

	"liaison/internal/intel"
)

func TestHasPersonalData(t *testing.T) {
	org := intel.Party{Type: "organisation", Name: "Golden Harvest Trading Co., Ltd.", Country: "VN", Registration: "0312345678"}
	person := intel.Party{Type: "person", Name: "Chan Tai Man"}
	tests := []struct {
		name string
		r    *intel.Record
		want bool
	}{
		{"nil", nil, false},
		{"canonical seizure", MustSeizure(t), true},
		{"seizure with an organisation only", &intel.Record{Kind: intel.KindSeizure,
			Seizure: &intel.Seizure{Parties: []intel.Party{org}}}, false},
		{"organisation with an e-mail", &intel.Record{Kind: intel.KindSeizure,
			Seizure: &intel.Seizure{Parties: []intel.Party{{Type: "organisation", Name: "X", Emails: []string{"a.chan@example.com"}}}}}, true},
		{"organisation with a phone", &intel.Record{Kind: intel.KindSeizure,
			Seizure: &intel.Seizure{Parties: []intel.Party{{Type: "organisation", Name: "X", Phones: []string{"+85221234567"}}}}}, true},
		{"untyped party with a document", &intel.Record{Kind: intel.KindSeizure,
			Seizure: &intel.Seizure{Parties: []intel.Party{{Name: "X", Document: &intel.Document{Type: "passport", Number: "K1"}}}}}, true},
		{"seizure by road with a plate", &intel.Record{Kind: intel.KindSeizure,
			Seizure: &intel.Seizure{Conveyance: &intel.Conveyance{Vehicle: "AB 1234"}}}, true},
		{"seizure by sea with a vessel", &intel.Record{Kind: intel.KindSeizure,
			Seizure: &intel.Seizure{Conveyance: &intel.Conveyance{VesselIMO: "9074729"}, Containers: []string{"CSQU3054383"}}}, false},
		{"warning targeting a person", &intel.Record{Kind: intel.KindWarning,
			Warning: &intel.Warning{Subject: "courier", Targets: []intel.Party{person}}}, true},
		{"warning on a flight", &intel.Record{Kind: intel.KindWarning,
			Warning: &intel.Warning{Subject: "flight", Conveyance: &intel.Conveyance{Flight: "CX500"}}}, false},
		{"request concerning a person", &intel.Record{Kind: intel.KindRequest,
			Request: &intel.Request{Subject: "identity", Parties: []intel.Party{person}}}, true},
		{"response naming a person", &intel.Record{Kind: intel.KindResponse,
			Response: &intel.Response{Request: "01J", Parties: []intel.Party{person}}}, true},
		{"feedback", &intel.Record{Kind: intel.KindFeedback,
			Feedback: &intel.Feedback{Warning: "01J", Result: "seizure"}}, false},
		{"alert", &intel.Record{Kind: intel.KindAlert,
			Alert: &intel.Alert{Subject: "trend", Summary: "cigarettes in frozen fish"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HasPersonalData(tt.r); got != tt.want {
				t.Errorf("HasPersonalData = %v, want %v", got, tt.want)
			}
		})
	}
}
