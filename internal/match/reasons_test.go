package match

import (
	"strings"
	"testing"

	"liaison/internal/fault/faulttest"
	"liaison/internal/intel"
)

// TestReasonFormatsAreTheReasonsMade makes the index give every kind of
// reason, through its links and its evidence, and checks that each is of
// one of ReasonFormats and that each of those is made, so that a user
// interface translating the reasons by their formats misses none.
func TestReasonFormatsAreTheReasonsMade(t *testing.T) {
	party := func(name string) intel.Party {
		return intel.Party{Type: "person", Name: name, BirthDate: "1975-03-02", Nationality: "HK",
			Document: &intel.Document{Type: "passport", Number: "K01234567", Country: "HK"},
			Phones:   []string{"+852 2123 4567"}, Emails: []string{"chan@example.com"}, Address: "12/F, 88 Queen's Road Central"}
	}
	rec := func(id, person string) *intel.Record {
		r := seizure(party(person), intel.Party{Type: "organisation", Name: "Golden Harvest Trading Co., Ltd.", Country: "VN", Registration: "0312345678"})
		r.ID = id
		r.Seizure.Conveyance = &intel.Conveyance{VesselName: "Ocean Star", VesselIMO: "9074729", Vehicle: "AB 1234", Flight: "CX 251"}
		r.Seizure.Containers = []string{"CSQU3054383"}
		return r
	}
	ix := MustIndex(t)
	ix.AddRecord(rec("01CN0000000000000000000000", "陳大文"))
	var made []string
	for _, l := range ix.MatchRecord(rec("01HK0000000000000000000000", "Chan Tai Man"), 10, nil) {
		made = append(made, l.Reasons...)
	}
	for _, pair := range [][2]Entity{
		{{Type: Person, BirthDate: "1975-03-02", Nationality: "HK", Document: "HK:K01234567"},
			{Type: Person, BirthDate: "1975-03-04", Nationality: "CN", Document: "HK:K07654321"}},
		{{Type: Person, BirthDate: "1975-03-02"}, {Type: Person, BirthDate: "1980-01-01"}},
		{{Type: Organisation, Country: "VN", Registration: "VN:1"}, {Type: Organisation, Country: "TH", Registration: "VN:2"}},
		{{Type: Vessel, Value: "9074729"}, {Type: Vessel, Value: "9074731"}},
	} {
		_, rs := weigh(&pair[0], &pair[1], 0.9, nil, true)
		made = append(made, rs...)
	}
	made = append(made, nameReason("Chan Tai Man", "Chan Tai Man", 1, "", ""),
		nameReason("Chan Tai Man", "Chan Tai Ming", 0.91, "", ""),
		nameReason("Chan Tai Man", "陳大文", 0.96, "", "hk"))

	faulttest.CheckMade(t, "ReasonFormats", ReasonFormats(), made)
	for _, s := range made {
		if strings.Contains(s, "(") && !strings.Contains(s, "(Hong Kong romanisation)") {
			t.Errorf("name reason %q names no romanisation of RomanisationNames", s)
		}
	}
	if len(RomanisationNames()) != len(schemeNames) {
		t.Errorf("RomanisationNames has %d names, the schemes %d", len(RomanisationNames()), len(schemeNames))
	}
}
