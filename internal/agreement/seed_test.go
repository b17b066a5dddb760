package agreement

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestSeedHK(t *testing.T) {
	got := Seed("HK")
	if len(got) != 31 {
		t.Fatalf("Seed(HK) has %d agreements, want 31", len(got))
	}
	ids := map[string]bool{}
	var arrangements, binding []Agreement
	for _, a := range got {
		if ids[a.ID] {
			t.Errorf("duplicate id %s", a.ID)
		}
		ids[a.ID] = true
		if err := a.Validate(); err != nil {
			t.Errorf("seed agreement %s invalid: %v", a.ID, err)
		}
		if !a.HasParty("HK") {
			t.Errorf("%s: HK is not a party", a.ID)
		}
		if !slices.Contains(a.Unknown, "in_force") || !slices.Contains(a.Unknown, "scope") {
			t.Errorf("%s: unknown = %v, want in_force and scope marked unknown", a.ID, a.Unknown)
		}
		if !a.Scope.Assumed || !a.Modes.Assumed || !a.Conditions.Assumed {
			t.Errorf("%s: assumed scope, modes and conditions must be flagged", a.ID)
		}
		switch {
		case a.Kind == KindArrangement && !a.Binding:
			arrangements = append(arrangements, a)
		case a.Kind == KindAgreement && a.Binding:
			binding = append(binding, a)
		default:
			t.Errorf("%s: kind %s binding %v", a.ID, a.Kind, a.Binding)
		}
	}
	if len(arrangements) != 30 {
		t.Errorf("%d non-binding arrangements, want 30", len(arrangements))
	}
	for _, a := range arrangements {
		if a.InForce != Year(1991) || a.Signed.Known() {
			t.Errorf("%s: signed %q in force %q, want signed unknown and in force 1991", a.ID, a.Signed, a.InForce)
		}
		if len(a.Parties) != 2 || a.Parties[1].Bloc || a.ID != SeedArrangementID(a.Parties[1].Code) {
			t.Errorf("%s: parties %v do not match the id", a.ID, a.Parties)
		}
		if !strings.HasPrefix(a.Title, "Customs Cooperative Arrangement between Hong Kong Customs and ") {
			t.Errorf("%s: title %q", a.ID, a.Title)
		}
	}
	if len(binding) != 1 {
		t.Fatalf("%d binding agreements, want 1", len(binding))
	}
	eu := binding[0]
	if eu.ID != SeedEUAgreement || eu.Signed != Year(1999) || eu.InForce.Known() {
		t.Errorf("EU agreement = %s signed %q in force %q, want %s signed 1999 in force unknown", eu.ID, eu.Signed, eu.InForce, SeedEUAgreement)
	}
	if !slices.Equal(eu.Parties, []Party{{Code: "HK"}, {Code: "EU", Bloc: true}}) {
		t.Errorf("EU agreement parties = %v", eu.Parties)
	}

	// The seed names exactly these 30 partners.
	want := []string{"AR", "AU", "BE", "KH", "CA", "FJ", "FR", "GE", "IN", "ID", "IL", "IT", "JP", "KR", "MG",
		"MV", "MX", "MN", "NZ", "PE", "SG", "TH", "NL", "CN", "CG", "RU", "UA", "GB", "US", "VN"}
	for _, code := range want {
		if !ids[SeedArrangementID(code)] {
			t.Errorf("no arrangement with %s", code)
		}
	}
}

// TestSeedTitles checks that every seed agreement is titled in each
// language a title may be given in, each title its own, and that the
// titles of the Japanese arrangement and the EU agreement read as they
// should.
func TestSeedTitles(t *testing.T) {
	seen := map[string]string{}
	for _, a := range Seed("HK") {
		if len(a.Titles) != len(TitleLanguages) {
			t.Errorf("%s: titles %v, want one in each of %v", a.ID, a.Titles, TitleLanguages)
		}
		for _, lang := range TitleLanguages {
			title := a.Titles[lang]
			if title == "" || title == a.Title {
				t.Errorf("%s: title in %s %q, want its own", a.ID, lang, title)
			}
			if other, ok := seen[title]; ok {
				t.Errorf("%s and %s are both titled %q", other, a.ID, title)
			}
			seen[title] = a.ID
		}
	}
	want := map[string]map[string]string{
		SeedArrangementID("JP"): {"fr": "Arrangement de coopération douanière entre les douanes de Hong Kong et du Japon",
			"zh-Hant": "香港海關與日本海關的海關合作安排"},
		SeedArrangementID("US"): {"fr": "Arrangement de coopération douanière entre les douanes de Hong Kong et des États-Unis",
			"zh-Hant": "香港海關與美國海關的海關合作安排"},
		SeedEUAgreement: {"fr": "Accord de coopération douanière entre Hong Kong, Chine et la Communauté européenne",
			"zh-Hant": "中國香港與歐洲共同體海關合作協定"},
	}
	for _, a := range Seed("HK") {
		for lang, title := range want[a.ID] {
			if got := a.TitleIn(lang); got != title {
				t.Errorf("%s in %s: %q, want %q", a.ID, lang, got, title)
			}
		}
	}
}

// simplified are the Simplified forms of the Chinese characters the seed
// writes in their Traditional forms, each differing from it.
const simplified = "亚个别刚区协员国围将属强击于时条欧济为乌尔现当确范签约结缔罗联与盖兰订计该说载达适边间关际双韩马体鲁"

// TestSeedNotesTranslations checks that every seed agreement has its notes
// in each language a title may be given in, each a translation of its own
// (not the English), that the arrangements, whose English notes are one
// text, share one translation in each language, that the EU agreement's
// read as they should, and that the Chinese of the seed, titles and notes,
// is written in Traditional characters.
func TestSeedNotesTranslations(t *testing.T) {
	byNotes := map[string]map[string]string{} // English notes -> translations
	for _, a := range Seed("HK") {
		if a.Notes == "" || len(a.NotesTranslations) != len(TitleLanguages) {
			t.Errorf("%s: notes translated into %v, want English notes and one translation in each of %v", a.ID, a.NotesTranslations, TitleLanguages)
		}
		for _, lang := range TitleLanguages {
			if n := a.NotesTranslations[lang]; n == "" || n == a.Notes || a.NotesIn(lang) != n {
				t.Errorf("%s: notes in %s %q, want a translation of their own", a.ID, lang, n)
			}
		}
		if other, ok := byNotes[a.Notes]; ok && !maps.Equal(other, a.NotesTranslations) {
			t.Errorf("%s: notes %q translated otherwise than in another agreement", a.ID, a.Notes)
		}
		byNotes[a.Notes] = a.NotesTranslations
		for _, text := range []string{a.Titles["zh-Hant"], a.NotesTranslations["zh-Hant"]} {
			if i := strings.IndexAny(text, simplified); i >= 0 {
				t.Errorf("%s: the Chinese %q writes %q in its Simplified form", a.ID, text, []rune(text[i:])[0])
			}
		}
	}
	if len(byNotes) != 2 {
		t.Errorf("the seed has %d distinct notes, want 2 (the arrangements' and the EU agreement's)", len(byNotes))
	}
	// Each agreement holds its own translations: changing one changes no
	// other.
	as := Seed("HK")
	as[0].NotesTranslations["fr"] = "changed"
	if as[1].NotesTranslations["fr"] == "changed" || Seed("HK")[0].NotesTranslations["fr"] == "changed" {
		t.Error("changing one seed agreement's translated notes changed another's")
	}
	eu := seedByID()[SeedEUAgreement]
	for lang, want := range map[string]string{
		"fr":      "Selon le texte initial, le Gouvernement de la Région administrative spéciale de Hong Kong a conclu en 1999",
		"zh-Hant": "初始文本指出，香港特別行政區政府於1999年與歐洲共同體（現為歐洲聯盟）締結具約束力的海關合作協定",
	} {
		if got := eu.NotesIn(lang); !strings.HasPrefix(got, want) {
			t.Errorf("the EU agreement's notes in %s: %q, want them to begin %q", lang, got, want)
		}
	}
	jp := seedByID()[SeedArrangementID("JP")]
	for lang, want := range map[string]string{"fr": "non contraignants", "zh-Hant": "非約束性海關合作安排"} {
		if got := jp.NotesIn(lang); !strings.Contains(got, want) {
			t.Errorf("the Japanese arrangement's notes in %s: %q, want them to say %q", lang, got, want)
		}
	}
}

func TestSeedJSON(t *testing.T) {
	var eu Agreement
	for _, a := range Seed("HK") {
		if a.ID == SeedEUAgreement {
			eu = a
		}
	}
	b, err := json.Marshal(eu)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":"hk-eu-cca-1999"`, `"kind":"agreement"`, `"binding":true`,
		`"parties":[{"code":"HK"},{"code":"EU","bloc":true}]`, `"signed":"1999"`, `"in_force":null`,
		`"scope":{"personal_data":true,"assumed":true}`, `"unknown":["signed","in_force","scope","modes","conditions"]`,
		`"titles":{"fr":"Accord de coopération douanière entre Hong Kong, Chine et la Communauté européenne","zh-Hant":"中國香港與歐洲共同體海關合作協定"}`,
		`"notes_translations":{"fr":"Selon le texte initial, `, `"zh-Hant":"初始文本指出，`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("json %s lacks %s", b, want)
		}
	}
	var back Agreement
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("round trip changed the agreement:\n%s\n%s", b, b2)
	}
}

func TestSeedReciprocal(t *testing.T) {
	tests := []struct {
		node  string
		blocs []string
		want  []string
	}{
		{"JP", nil, []string{"hk-jp-arrangement"}},
		{"CN", []string{"APEC"}, []string{"hk-cn-arrangement"}},
		{"FR", []string{"EU"}, []string{"hk-fr-arrangement", SeedEUAgreement}},
		{"DE", []string{"EU"}, []string{SeedEUAgreement}},
		{"GB", nil, []string{"hk-gb-arrangement"}},
		{"BR", nil, nil},
		{"RILO-AP", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.node, func(t *testing.T) {
			var got []string
			for _, a := range Seed(tt.node, tt.blocs...) {
				got = append(got, a.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Seed(%s, %v) = %v, want %v", tt.node, tt.blocs, got, tt.want)
			}
		})
	}
	// Both sides hold the same agreement.
	hk, jp := Seed("HK"), Seed("JP")
	i := slices.IndexFunc(hk, func(a Agreement) bool { return a.ID == "hk-jp-arrangement" })
	a, _ := json.Marshal(hk[i])
	b, _ := json.Marshal(jp[0])
	if string(a) != string(b) {
		t.Errorf("HK and JP hold different versions of hk-jp-arrangement:\n%s\n%s", a, b)
	}
}

func TestSeedInvolves(t *testing.T) {
	day := MustDay(t, "2026-10-14")
	tests := []struct {
		party string
		want  int
	}{
		{"HK", 31},
		{"JP", 1},
		{"FR", 2}, // its arrangement and the EU agreement
		{"DE", 1},
		{"BR", 0},
	}
	for _, tt := range tests {
		t.Run(tt.party, func(t *testing.T) {
			n := 0
			for _, a := range Seed("HK") {
				if a.Involves(tt.party, fakeDir{}, day) {
					n++
				}
			}
			if n != tt.want {
				t.Errorf("%d agreements involve %s, want %d", n, tt.party, tt.want)
			}
		})
	}
}
