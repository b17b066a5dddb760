package agreement

import (
	"testing"
	"time"

	"liaison/internal/intel"
)

// fakeDir is a small directory: a few administrations, the EU with real
// accession dates, two WCO regions and their RILOs.
type fakeDir struct{}

type membership struct{ bloc, from, to string }

var _ Directory = fakeDir{}

func (fakeDir) memberships() map[string][]membership {
	return map[string][]membership{
		"DE": {{"EU", "1958-01-01", ""}},
		"FR": {{"EU", "1958-01-01", ""}},
		"NL": {{"EU", "1958-01-01", ""}},
		"HR": {{"EU", "2013-07-01", ""}},
		"GB": {{"EU", "1973-01-01", "2020-01-31"}},
	}
}

func (f fakeDir) MemberOf(bloc, admin string, on time.Time) bool {
	day := on.UTC().Format(time.DateOnly)
	for _, m := range f.memberships()[admin] {
		if m.bloc == bloc && day >= m.from && (m.to == "" || day <= m.to) {
			return true
		}
	}
	return false
}

func (fakeDir) RegionOf(admin string) (string, bool) {
	r, ok := map[string]string{
		"HK": "AP", "JP": "AP", "KR": "AP", "CN": "AP", "AU": "AP",
		"DE": "EUR", "FR": "EUR", "NL": "EUR", "HR": "EUR", "GB": "EUR",
		"BR": "AMC",
	}[admin]
	return r, ok
}

func (fakeDir) RILORegion(code string) (string, bool) {
	r, ok := map[string]string{"RILO-AP": "AP", "RILO-WE": "EUR"}[code]
	return r, ok
}

func (fakeDir) Name(code string) string {
	return map[string]string{
		"HK": "Hong Kong", "JP": "Japan", "KR": "Korea", "CN": "China", "AU": "Australia",
		"DE": "Germany", "FR": "France", "NL": "the Netherlands", "HR": "Croatia",
		"GB": "the United Kingdom", "BR": "Brazil", "EU": "the European Union",
		"AP": "Asia/Pacific", "EUR": "Europe", "AMC": "Americas and the Caribbean",
		"RILO-AP": "RILO Asia/Pacific", "RILO-WE": "RILO Western Europe",
	}[code]
}

// MustDay parses a YYYY-MM-DD day.
func MustDay(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		tb.Fatalf("parse day %q: %v", s, err)
	}
	return t
}

// MustSeizure returns the canonical seizure of DESIGN §4, originated by HK,
// bilateral to JP, naming a person.
func MustSeizure(tb testing.TB) *intel.Record {
	tb.Helper()
	return &intel.Record{
		ID:           "01JABCDEFGHJKMNPQRSTVWXYZ0",
		Kind:         intel.KindSeizure,
		Originator:   "HK",
		Status:       intel.StatusActive,
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
			Route: []intel.RouteLeg{{Role: "departure", Country: "VN", Locode: "VNSGN"},
				{Role: "destination", Country: "HK", Locode: "HKHKG"}},
			Goods: []intel.Goods{{Category: "revenue/cigarettes", Description: "cigarettes, assorted brands",
				HS: "240220", Quantity: 8000000, Unit: "piece",
				Value: &intel.Money{Amount: 2400000, Currency: "HKD"}}},
			Concealment: "mixed-with-legitimate-cargo",
			Parties: []intel.Party{
				{Type: "person", Role: "consignee", Name: "Chan Tai Man", BirthDate: "1975-03-02",
					Nationality: "HK", Document: &intel.Document{Type: "passport", Number: "K01234567", Country: "HK"}},
				{Type: "organisation", Role: "consignor", Name: "Golden Harvest Trading Co., Ltd.",
					Country: "VN", Registration: "0312345678"},
			},
			Narrative: "Declared as frozen fish; cigarettes found behind the first row of cartons.",
		},
	}
}

// MustNonPersonal returns the canonical seizure without its person and with
// the given distribution.
func MustNonPersonal(tb testing.TB, dist intel.Distribution) *intel.Record {
	tb.Helper()
	r := MustSeizure(tb)
	r.Seizure.Parties = r.Seizure.Parties[1:]
	r.Distribution = dist
	return r
}
