package match

import (
	"strings"
	"testing"

	"liaison/internal/intel"
	"liaison/internal/match/norm"
)

// MustIndex returns an empty index with default options.
func MustIndex(tb testing.TB) *Index {
	tb.Helper()
	ix, err := New(Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// MustNormalizer returns a name normaliser.
func MustNormalizer(tb testing.TB) *norm.Normalizer {
	tb.Helper()
	nm, err := norm.New()
	if err != nil {
		tb.Fatal(err)
	}
	return nm
}

func seizure(parties ...intel.Party) *intel.Record {
	return &intel.Record{Kind: intel.KindSeizure, Seizure: &intel.Seizure{Date: "2026-10-14", Parties: parties}}
}

// TestHanNameMatchesHongKongRomanisation is the first case of issue 5's
// "done when": a person reported by China under a Han-character name
// matches the same person in a Hong Kong seizure spelled in Hong Kong
// romanisation.
func TestHanNameMatchesHongKongRomanisation(t *testing.T) {
	ix := MustIndex(t)
	cn := seizure(intel.Party{Type: "person", Name: "陳大文", BirthDate: "1975-03-02", Nationality: "HK"})
	cn.ID = "01CN0000000000000000000000"
	ix.AddRecord(cn)
	other := seizure(intel.Party{Type: "person", Name: "Chan Tai Ming", BirthDate: "1980-01-01", Nationality: "HK"})
	other.ID = "01XX0000000000000000000000"
	ix.AddRecord(other)

	hk := seizure(intel.Party{Type: "person", Role: "consignee", Name: "Chan Tai Man", BirthDate: "1975-03-02", Nationality: "HK"})
	hk.ID = "01HK0000000000000000000000"
	links := ix.MatchRecord(hk, 10, nil)
	if len(links) == 0 {
		t.Fatal("no match for Chan Tai Man")
	}
	best := links[0]
	if best.Record != cn.ID || best.Matched.Name != "陳大文" {
		t.Fatalf("best match %+v, want 陳大文 in %s", best, cn.ID)
	}
	if best.Score < Threshold {
		t.Errorf("score %.2f below threshold", best.Score)
	}
	joined := strings.Join(best.Reasons, "; ")
	for _, want := range []string{"Hong Kong romanisation", "same birth date 1975-03-02"} {
		if !strings.Contains(joined, want) {
			t.Errorf("reasons %q lack %q", joined, want)
		}
	}
	for _, l := range links {
		if l.Record == other.ID {
			t.Errorf("Chan Tai Ming born 1980 matched: %+v", l)
		}
	}
	t.Logf("%.2f %v", best.Score, best.Reasons)
}

// TestCyrillicCompanyMatchesLatin is the second case of issue 5's "done
// when": a Russian-registered company in Cyrillic matches its Latin
// spelling in a French report.
func TestCyrillicCompanyMatchesLatin(t *testing.T) {
	ix := MustIndex(t)
	ru := seizure(intel.Party{Type: "organisation", Name: "ООО «Северный Ветер»", Country: "RU"})
	ru.ID = "01RU0000000000000000000000"
	ix.AddRecord(ru)
	for _, name := range []string{"OOO Severny Veter", "Severnyy Veter LLC", "SEVERNYI VETER OOO"} {
		t.Run(name, func(t *testing.T) {
			fr := seizure(intel.Party{Type: "organisation", Name: name, Country: "RU"})
			fr.ID = "01FR0000000000000000000000"
			links := ix.MatchRecord(fr, 10, nil)
			if len(links) == 0 || links[0].Record != ru.ID {
				t.Fatalf("links %+v, want %s", links, ru.ID)
			}
			if !strings.Contains(strings.Join(links[0].Reasons, " "), "ICAO 9303") {
				t.Errorf("reasons %v do not name the transliteration", links[0].Reasons)
			}
			t.Logf("%.2f %v", links[0].Score, links[0].Reasons)
		})
	}
}
