package agreement

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"liaison/internal/fault"
	"liaison/internal/intel"
)

func valid() Agreement {
	return Agreement{
		ID: "hk-jp-cmaa", Title: "Customs Mutual Assistance Agreement between Hong Kong and Japan",
		Kind: KindAgreement, Binding: true,
		Parties: []Party{{Code: "HK"}, {Code: "JP"}},
		Signed:  Day(2020, time.March, 1), InForce: Day(2020, time.June, 1),
		Scope: Scope{Kinds: []intel.Kind{intel.KindSeizure}, PersonalData: true},
		Modes: Modes{OnRequest: true},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*Agreement)
		field string // "" when valid
	}{
		{"valid", func(*Agreement) {}, ""},
		{"valid with partial dates", func(a *Agreement) { a.Signed, a.InForce = Year(2020), YearMonth(2020, time.January) }, ""},
		{"valid bloc party", func(a *Agreement) { a.Parties[1] = Party{Code: "EU", Bloc: true} }, ""},
		{"id with capitals", func(a *Agreement) { a.ID = "HK-JP" }, "id"},
		{"id too short", func(a *Agreement) { a.ID = "hk" }, "id"},
		{"id ends in hyphen", func(a *Agreement) { a.ID = "hk-jp-" }, "id"},
		{"no title", func(a *Agreement) { a.Title = "" }, "title"},
		{"valid titles", func(a *Agreement) {
			a.Titles = map[string]string{"fr": "Accord entre Hong Kong et le Japon", "zh-Hant": "香港與日本協定"}
		}, ""},
		{"one title", func(a *Agreement) { a.Titles = map[string]string{"zh-Hant": "香港與日本協定"} }, ""},
		{"empty titles", func(a *Agreement) { a.Titles = map[string]string{} }, ""},
		{"English title in titles", func(a *Agreement) { a.Titles = map[string]string{"en": a.Title} }, "titles.en"},
		{"title in an unknown language", func(a *Agreement) { a.Titles = map[string]string{"de": "Abkommen"} }, "titles"},
		{"title in a tag of another case", func(a *Agreement) { a.Titles = map[string]string{"zh-hant": "香港與日本協定"} }, "titles"},
		{"empty title in titles", func(a *Agreement) { a.Titles = map[string]string{"fr": " "} }, "titles.fr"},
		{"valid notes translations", func(a *Agreement) {
			a.Notes = "Signed in Tokyo."
			a.NotesTranslations = map[string]string{"fr": "Signé à Tokyo.", "zh-Hant": "於東京簽署。"}
		}, ""},
		{"one notes translation", func(a *Agreement) {
			a.Notes, a.NotesTranslations = "Signed in Tokyo.", map[string]string{"zh-Hant": "於東京簽署。"}
		}, ""},
		{"empty notes translations", func(a *Agreement) { a.NotesTranslations = map[string]string{} }, ""},
		{"English notes in notes translations", func(a *Agreement) {
			a.Notes, a.NotesTranslations = "Signed in Tokyo.", map[string]string{"en": "Signed in Tokyo."}
		}, "notes_translations.en"},
		{"notes in an unknown language", func(a *Agreement) {
			a.Notes, a.NotesTranslations = "Signed in Tokyo.", map[string]string{"de": "In Tokio unterzeichnet."}
		}, "notes_translations.de"},
		{"notes in a tag of another case", func(a *Agreement) {
			a.Notes, a.NotesTranslations = "Signed in Tokyo.", map[string]string{"zh-hant": "於東京簽署。"}
		}, "notes_translations.zh-hant"},
		{"empty notes translation", func(a *Agreement) {
			a.Notes, a.NotesTranslations = "Signed in Tokyo.", map[string]string{"fr": "\t"}
		}, "notes_translations.fr"},
		{"notes translated without English notes", func(a *Agreement) {
			a.NotesTranslations = map[string]string{"fr": "Signé à Tokyo."}
		}, "notes"},
		{"unknown kind", func(a *Agreement) { a.Kind = "treaty" }, "kind"},
		{"binding arrangement", func(a *Agreement) { a.Kind = KindArrangement }, "binding"},
		{"one party", func(a *Agreement) { a.Parties = a.Parties[:1] }, "parties"},
		{"bad party code", func(a *Agreement) { a.Parties[1].Code = "jp" }, "parties[1].code"},
		{"duplicate party", func(a *Agreement) { a.Parties[1].Code = "HK" }, "parties[1].code"},
		{"in force before signature", func(a *Agreement) { a.InForce = Day(2019, time.December, 31) }, "in_force"},
		{"terminated before in force", func(a *Agreement) { a.Terminated = Year(2019) }, "terminated"},
		{"terminated before signature with in force unknown", func(a *Agreement) {
			a.InForce = Date{}
			a.Terminated = YearMonth(2020, time.February)
		}, "terminated"},
		{"impossible day", func(a *Agreement) { a.Signed = Day(2021, time.February, 29) }, "signed"},
		{"unknown record kind", func(a *Agreement) { a.Scope.Kinds = []intel.Kind{"gossip"} }, "scope.kinds[0]"},
		{"no mode", func(a *Agreement) { a.Modes = Modes{} }, "modes"},
		{"negative retention", func(a *Agreement) { a.Conditions.RetentionDays = -1 }, "conditions.retention_days"},
		{"unknown field name", func(a *Agreement) { a.Unknown = []string{"colour"} }, "unknown[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid()
			tt.mod(&a)
			err := a.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var list fault.List
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("Validate() = %v, want a fault.List", err)
			}
			if list[0].Field != tt.field || list[0].Kind != fault.Invalid {
				t.Errorf("first error = %v (field %q), want field %q", list[0], list[0].Field, tt.field)
			}
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("error kind = %v, want invalid", fault.KindOf(err))
			}
		})
	}
}

// TestTitleIn checks that an agreement is named in a language by its
// title in that language, and by its English title where it has none.
func TestTitleIn(t *testing.T) {
	a := valid()
	a.Titles = map[string]string{"fr": "Accord entre Hong Kong et le Japon", "zh-Hant": ""}
	for lang, want := range map[string]string{"fr": a.Titles["fr"], "zh-Hant": a.Title, "en": a.Title, "": a.Title} {
		if got := a.TitleIn(lang); got != want {
			t.Errorf("TitleIn(%q) = %q, want %q", lang, got, want)
		}
	}
	if got := valid().TitleIn("fr"); got != valid().Title {
		t.Errorf("an agreement without titles in French: %q, want its title", got)
	}
	// A seed agreement stored before the seed had titles is named as the
	// seed names it, unless its English title has changed since.
	seed := Seed("JP")[0]
	stored := seed
	stored.Titles = nil
	if got := stored.TitleIn("zh-Hant"); got != seed.Titles["zh-Hant"] || got == "" {
		t.Errorf("a seed agreement stored without titles: %q in Chinese, want the seed's %q", got, seed.Titles["zh-Hant"])
	}
	stored.Title = "Arrangement renegotiated"
	if got := stored.TitleIn("fr"); got != stored.Title {
		t.Errorf("a seed agreement retitled: %q in French, want its own title", got)
	}
}

// TestValidateNotesTranslationsSaysWhy checks that a refused translation of
// the notes says what is wanted instead.
func TestValidateNotesTranslationsSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		lang, want string
	}{
		{"en", "the English notes are notes"},
		{"de", `"de" is not a language notes are given in; want fr or zh-Hant`},
	} {
		a := valid()
		a.Notes, a.NotesTranslations = "Signed in Tokyo.", map[string]string{tc.lang: "Text"}
		if err := a.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("notes in %s: %v, want an error saying %q", tc.lang, err, tc.want)
		}
	}
}

// TestNotesIn checks that an agreement's notes are given in a language by
// their translation into it, and in English where there is none.
func TestNotesIn(t *testing.T) {
	a := valid()
	a.Notes = "Signed in Tokyo."
	a.NotesTranslations = map[string]string{"fr": "Signé à Tokyo.", "zh-Hant": ""}
	for lang, want := range map[string]string{"fr": "Signé à Tokyo.", "zh-Hant": a.Notes, "en": a.Notes, "": a.Notes} {
		if got := a.NotesIn(lang); got != want {
			t.Errorf("NotesIn(%q) = %q, want %q", lang, got, want)
		}
	}
	a.NotesTranslations = nil
	if got := a.NotesIn("fr"); got != a.Notes {
		t.Errorf("notes without translations in French: %q, want the English %q", got, a.Notes)
	}
	if got := valid().NotesIn("zh-Hant"); got != "" {
		t.Errorf("an agreement without notes has notes in Chinese: %q", got)
	}
}

// TestNotesTranslationsOrSeed checks that a seed agreement stored before
// the seed translated its notes shows the seed's translations while its
// English notes are the seed's, and only then; and that an agreement's own
// translations are preferred.
func TestNotesTranslationsOrSeed(t *testing.T) {
	seed := Seed("JP")[0]
	if len(seed.NotesTranslations) == 0 {
		t.Fatal("the seed has no translated notes")
	}
	stored := seed
	stored.NotesTranslations = nil
	if got := stored.NotesTranslationsOrSeed(); !maps.Equal(got, seed.NotesTranslations) {
		t.Errorf("a seed agreement stored without translations: %v, want the seed's %v", got, seed.NotesTranslations)
	}
	if got := stored.NotesIn("fr"); got != seed.NotesTranslations["fr"] || got == stored.Notes {
		t.Errorf("a seed agreement stored without translations, in French: %q, want the seed's %q", got, seed.NotesTranslations["fr"])
	}
	// What NotesTranslationsOrSeed returns is the caller's: changing it
	// leaves the seed as it was.
	stored.NotesTranslationsOrSeed()["fr"] = "changed"
	if got := stored.NotesIn("fr"); got != seed.NotesTranslations["fr"] {
		t.Errorf("changing the returned translations changed the seed's: %q", got)
	}
	// A seed agreement retitled keeps the translations of its unchanged
	// notes.
	retitled := stored
	retitled.Title = "Arrangement renegotiated"
	if got := retitled.NotesIn("zh-Hant"); got != seed.NotesTranslations["zh-Hant"] {
		t.Errorf("a seed agreement retitled, notes unchanged: %q in Chinese, want the seed's %q", got, seed.NotesTranslations["zh-Hant"])
	}
	// Notes rewritten since are not the seed's to translate.
	rewritten := stored
	rewritten.Notes = "Renegotiated in 2024."
	if got := rewritten.NotesTranslationsOrSeed(); got != nil {
		t.Errorf("a seed agreement with other notes: translations %v, want none", got)
	}
	if got := rewritten.NotesIn("fr"); got != rewritten.Notes {
		t.Errorf("a seed agreement with other notes, in French: %q, want its own %q", got, rewritten.Notes)
	}
	// Another agreement with the seed's notes but not its id is not a seed
	// agreement.
	other := stored
	other.ID = "hk-jp-cmaa"
	if got := other.NotesTranslationsOrSeed(); got != nil {
		t.Errorf("an agreement of another id with the seed's notes: translations %v, want none", got)
	}
	// An agreement's own translations come first.
	own := stored
	own.NotesTranslations = map[string]string{"fr": "Traduction propre."}
	if got := own.NotesIn("fr"); got != "Traduction propre." {
		t.Errorf("a seed agreement with its own translations, in French: %q", got)
	}
	if got := own.NotesIn("zh-Hant"); got != own.Notes {
		t.Errorf("a seed agreement with its own translations but none in Chinese: %q, want the English notes", got)
	}
}

func TestInForceOn(t *testing.T) {
	tests := []struct {
		name       string
		signed     Date
		inForce    Date
		terminated Date
		on         string
		want       bool
	}{
		{"day before entry", Date{}, Day(2020, time.June, 1), Date{}, "2020-05-31", false},
		{"day of entry", Date{}, Day(2020, time.June, 1), Date{}, "2020-06-01", true},
		{"year known: not before its last day", Date{}, Year(1991), Date{}, "1991-12-30", false},
		{"year known: from its last day", Date{}, Year(1991), Date{}, "1991-12-31", true},
		{"month known", Date{}, YearMonth(2020, time.February), Date{}, "2020-02-28", false},
		{"month known: last day of leap February", Date{}, YearMonth(2020, time.February), Date{}, "2020-02-29", true},
		{"in force unknown: from signature", Day(1999, time.May, 13), Date{}, Date{}, "1999-05-13", true},
		{"in force unknown: before signature", Day(1999, time.May, 13), Date{}, Date{}, "1999-05-12", false},
		{"nothing known", Date{}, Date{}, Date{}, "2026-10-14", false},
		{"day before termination", Date{}, Year(2000), Day(2020, time.January, 31), "2020-01-30", true},
		{"day of termination", Date{}, Year(2000), Day(2020, time.January, 31), "2020-01-31", false},
		{"termination year: from its first day", Date{}, Year(2000), Year(2020), "2020-01-01", false},
		{"termination year: before it", Date{}, Year(2000), Year(2020), "2019-12-31", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Agreement{Signed: tt.signed, InForce: tt.inForce, Terminated: tt.terminated}
			// Late in the day in a zone behind UTC is still the same UTC day
			// only when the offset keeps it there; use noon UTC.
			on := MustDay(t, tt.on).Add(12 * time.Hour)
			if got := a.InForceOn(on); got != tt.want {
				t.Errorf("InForceOn(%s) = %v, want %v", tt.on, got, tt.want)
			}
		})
	}
}

func TestInvolves(t *testing.T) {
	eu := Agreement{Parties: []Party{{Code: "HK"}, {Code: "EU", Bloc: true}}}
	tests := []struct {
		admin string
		on    string
		dir   Directory
		want  bool
	}{
		{"HK", "2026-10-14", fakeDir{}, true},
		{"EU", "2026-10-14", fakeDir{}, true},
		{"DE", "2026-10-14", fakeDir{}, true},
		{"DE", "2026-10-14", nil, false},
		{"HR", "2013-06-30", fakeDir{}, false},
		{"HR", "2013-07-01", fakeDir{}, true},
		{"GB", "2020-01-31", fakeDir{}, true},
		{"GB", "2020-02-01", fakeDir{}, false},
		{"JP", "2026-10-14", fakeDir{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.admin+" "+tt.on, func(t *testing.T) {
			if got := eu.Involves(tt.admin, tt.dir, MustDay(t, tt.on)); got != tt.want {
				t.Errorf("Involves(%s, %s) = %v, want %v", tt.admin, tt.on, got, tt.want)
			}
		})
	}
}
