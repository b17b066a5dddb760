package agreement

import (
	"slices"
	"strings"
)

// SeedSource names the text the seed agreements come from.
const SeedSource = "seed/international-cooperation.txt (Hong Kong Customs and Excise Department, international cooperation)"

// seedPartners are the 30 administrations the seed names, in its order, with
// the short name used in titles.
var seedPartners = []struct{ code, name string }{
	{"AR", "Argentina"}, {"AU", "Australia"}, {"BE", "Belgium"}, {"KH", "Cambodia"},
	{"CA", "Canada"}, {"FJ", "Fiji"}, {"FR", "France"}, {"GE", "Georgia"},
	{"IN", "India"}, {"ID", "Indonesia"}, {"IL", "Israel"}, {"IT", "Italy"},
	{"JP", "Japan"}, {"KR", "Korea"}, {"MG", "Madagascar"}, {"MV", "Maldives"},
	{"MX", "Mexico"}, {"MN", "Mongolia"}, {"NZ", "New Zealand"}, {"PE", "Peru"},
	{"SG", "Singapore"}, {"TH", "Thailand"}, {"NL", "Netherlands"}, {"CN", "China"},
	{"CG", "Congo"}, {"RU", "Russia"}, {"UA", "Ukraine"}, {"GB", "United Kingdom"},
	{"US", "United States"}, {"VN", "Vietnam"},
}

// SeedEUAgreement is the id of the Customs Cooperation Agreement between Hong
// Kong, China and the European Community.
const SeedEUAgreement = "hk-eu-cca-1999"

// SeedArrangementID returns the id of the seed arrangement between Hong Kong
// and partner, e.g. "hk-jp-arrangement" for "JP".
func SeedArrangementID(partner string) string {
	return "hk-" + strings.ToLower(partner) + "-arrangement"
}

// Seed returns the agreements a new node starts with, from the seed text.
//
// For "HK" that is the 30 non-binding customs cooperative arrangements the
// seed lists and the binding Customs Cooperation Agreement with the European
// Community (1999): 31 agreements. Any other node gets the reciprocal side,
// with the same ids so both nodes speak of the same agreement: its
// arrangement with Hong Kong if it has one, and the agreement with the EU if
// blocs (the blocs the node belongs to today, from the directory) include
// "EU". Nothing else is invented for other nodes.
//
// The seed states neither the exact dates nor the scope, modes or conditions
// of these agreements. The seed entries therefore list those fields in
// Unknown and carry these readings, which Decide repeats in its reasons:
//   - the arrangements are recorded as in force since 1991, the year the
//     seed gives for the set, counted from the end of that year; the EU
//     agreement is recorded as signed in 1999, its in-force date unknown, so
//     it counts from the end of 1999;
//   - scope: every record kind, personal data allowed for law-enforcement
//     exchange between customs administrations (Scope.Assumed);
//   - modes: on request and spontaneous (Modes.Assumed);
//   - conditions: the cautious ones — use as evidence and onward
//     transmission need the originator's consent (Conditions.Assumed).
func Seed(node string, blocs ...string) []Agreement {
	var out []Agreement
	for _, p := range seedPartners {
		if node == "HK" || node == p.code {
			out = append(out, seedArrangement(p.code, p.name))
		}
	}
	if node == "HK" || slices.Contains(blocs, "EU") {
		out = append(out, seedEU())
	}
	return out
}

func seedArrangement(code, name string) Agreement {
	return Agreement{
		ID:         SeedArrangementID(code),
		Title:      "Customs Cooperative Arrangement between Hong Kong Customs and " + name + " Customs",
		Kind:       KindArrangement,
		Binding:    false,
		Parties:    []Party{{Code: "HK"}, {Code: code}},
		InForce:    Year(1991),
		Scope:      assumedScope(),
		Modes:      assumedModes(),
		Conditions: assumedConditions(),
		Source:     SeedSource,
		Notes: "The seed lists this among the non-binding Customs cooperative arrangements the Department has " +
			"entered into with 30 Customs Administrations since 1991, to strengthen bilateral Customs cooperation " +
			"against cross-boundary offences. The date of this arrangement is not stated; 1991 is the earliest " +
			"year the seed gives for the set. Scope, modes and conditions are not stated and are assumed.",
		Unknown: []string{"signed", "in_force", "scope", "modes", "conditions"},
	}
}

func seedEU() Agreement {
	return Agreement{
		ID:         SeedEUAgreement,
		Title:      "Customs Cooperation Agreement between Hong Kong, China and the European Community",
		Kind:       KindAgreement,
		Binding:    true,
		Parties:    []Party{{Code: "HK"}, {Code: "EU", Bloc: true}},
		Signed:     Year(1999),
		Scope:      assumedScope(),
		Modes:      assumedModes(),
		Conditions: assumedConditions(),
		Source:     SeedSource,
		Notes: "The seed says the HKSAR Government concluded a binding Customs Cooperation Agreement with the " +
			"European Community (now the European Union) in 1999, to enhance cooperation between the Department " +
			"and the Customs Administrations of the EU member states. Each member state is covered from its " +
			"accession. The exact dates of signature and entry into force are not stated; it is counted from " +
			"1999. Scope, modes and conditions are not stated and are assumed.",
		Unknown: []string{"signed", "in_force", "scope", "modes", "conditions"},
	}
}

func assumedScope() Scope { return Scope{PersonalData: true, Assumed: true} }

func assumedModes() Modes { return Modes{OnRequest: true, Spontaneous: true, Assumed: true} }

func assumedConditions() Conditions {
	return Conditions{EvidenceNeedsConsent: true, OnwardNeedsConsent: true, Assumed: true}
}
