package sharing

import (
	"fmt"
	"slices"
	"testing"

	"liaison/internal/agreement"
	"liaison/internal/directory"
)

// TestSummaryFormatsAreWhatTheCodeMakes makes the summary of every kind
// of agreement, binding or not, between direct parties and through a bloc
// on either side, and of region membership, and checks that each keeps
// the format (one of SummaryFormats) and arguments its English text was
// made of, that the text is worded as it always was, and that every
// format listed is made.
func TestSummaryFormatsAreWhatTheCodeMakes(t *testing.T) {
	dir, err := directory.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Directory: dir, Node: "HK"}
	listed := SummaryFormats()
	made := map[string]bool{}
	check := func(what string, got summary, want string) {
		t.Helper()
		if got.text != want {
			t.Errorf("%s: summary %q, want %q", what, got.text, want)
		}
		if !slices.Contains(listed, got.format) {
			t.Errorf("%s: format %q, which SummaryFormats lacks", what, got.format)
		}
		if text := fmt.Sprintf(got.format, got.args...); text != got.text {
			t.Errorf("%s: %q with %v makes %q, not the summary %q", what, got.format, got.args, text, got.text)
		}
		made[got.format] = true
	}
	const title = `Agreement on "mutual" assistance`
	for _, kind := range append([]agreement.Kind{""}, agreement.Kinds...) {
		for _, binding := range []bool{false, true} {
			noun := kind.Noun()
			switch {
			case binding:
				noun = "binding " + noun
			case kind == agreement.KindArrangement:
				noun = "non-binding " + noun
			}
			a := &agreement.Agreement{Kind: kind, Binding: binding, Title: title,
				Parties: []agreement.Party{{Code: "HK"}, {Code: "EU", Bloc: true}}}
			what := fmt.Sprintf("%q binding %v", kind, binding)
			check(what, s.agreementSummary(a, "HK", "JP", ""), fmt.Sprintf("under the %s %q", noun, title))
			check(what+" through the EU", s.agreementSummary(a, "HK", "FR", "EU"),
				fmt.Sprintf("under the %s %q, France being covered as a member of European Union", noun, title))
			check(what+" through the EU, seen from France", s.agreementSummary(a, "FR", "HK", "EU"),
				fmt.Sprintf("under the %s %q, France being covered as a member of European Union", noun, title))
		}
	}
	check("region", summarise(regionSummaryFormat, "Asia/Pacific", "RILO Asia/Pacific"),
		"through membership of the WCO Asia/Pacific region, which RILO Asia/Pacific serves (non-personal data only)")
	for _, f := range listed {
		if !made[f] {
			t.Errorf("SummaryFormats lists %q, which the code no longer makes", f)
		}
	}
	if len(listed) != len(made) {
		t.Errorf("SummaryFormats lists %d formats, the code makes %d", len(listed), len(made))
	}
	odd := s.agreementSummary(&agreement.Agreement{Kind: "treaty", Title: "T"}, "HK", "JP", "")
	if odd.text != `under the treaty "T"` || odd.format != "" {
		t.Errorf("an agreement of an unknown kind is summarised %+v, want English alone", odd)
	}
}
