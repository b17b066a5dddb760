package directory

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// MustParseCountriesFile parses the shared ISO 3166 file.
func MustParseCountriesFile(tb testing.TB) []Country {
	tb.Helper()
	f, err := os.Open(sharedData + "country-codes.csv")
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	defer f.Close()
	list, err := ParseCountries(f)
	if err != nil {
		tb.Fatalf("ParseCountries: %v", err)
	}
	return list
}

func TestParseCountriesRealFile(t *testing.T) {
	list := MustParseCountriesFile(t)
	if len(list) != 249 {
		t.Errorf("%d countries, want 249", len(list))
	}
	by := map[string]Country{}
	for _, c := range list {
		if c.NameFR == "" || c.NameZH == "" {
			t.Errorf("%s lacks a French or Chinese name", c.Code)
		}
		by[c.Code] = c
	}
	tests := []struct{ code, alpha3, fr, zh string }{
		{"FR", "FRA", "France", "法国"},
		{"JP", "JPN", "Japon", "日本"},
		{"NA", "NAM", "Namibie", "纳米比亚"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c := by[tt.code]
			if c.Alpha3 != tt.alpha3 || c.NameFR != tt.fr || c.NameZH != tt.zh {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestParseCountriesHeaderVariants(t *testing.T) {
	tests := []struct {
		name, in string
		want     Country
	}{
		{"byte-order mark", "\uFEFFISO3166-1-Alpha-2,ISO3166-1-Alpha-3,official_name_en,official_name_fr,official_name_cn\nHK,HKG,\"China, Hong Kong SAR\",Hong Kong,香港\n",
			Country{Code: "HK", Alpha3: "HKG", Name: "China, Hong Kong SAR", NameFR: "Hong Kong", NameZH: "香港"}},
		{"CLDR name only, columns reordered", "CLDR display name,x,ISO3166-1-Alpha-3,ISO3166-1-Alpha-2\nJapan,1,JPN,JP\n",
			Country{Code: "JP", Alpha3: "JPN", Name: "Japan"}},
		{"CLDR fallback for empty official name", "ISO3166-1-Alpha-2,ISO3166-1-Alpha-3,official_name_en,CLDR display name\nTW,TWN,,Taiwan\n",
			Country{Code: "TW", Alpha3: "TWN", Name: "Taiwan"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := ParseCountries(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0] != tt.want {
				t.Errorf("got %+v, want %+v", list, tt.want)
			}
		})
	}
}

func TestParseCountriesErrors(t *testing.T) {
	const head = "ISO3166-1-Alpha-2,ISO3166-1-Alpha-3,official_name_en\n"
	tests := []struct {
		name, in     string
		line         int
		column, want string
	}{
		{"empty", "", 1, "", "empty file"},
		{"no alpha-3 column", "ISO3166-1-Alpha-2,official_name_en\nFR,France\n", 1, `"ISO3166-1-Alpha-3"`, "missing column"},
		{"no name column", "ISO3166-1-Alpha-2,ISO3166-1-Alpha-3\nFR,FRA\n", 1, `"official_name_en"`, "missing column"},
		{"lower-case code", head + "FR,FRA,France\nde,DEU,Germany\n", 3, `"ISO3166-1-Alpha-2"`, "two capital letters"},
		{"bad alpha-3", head + "FR,FR,France\n", 2, `"ISO3166-1-Alpha-3"`, "three capital letters"},
		{"no name", head + "FR,FRA,\n", 2, `"official_name_en"`, "no English name"},
		{"duplicate", head + "FR,FRA,France\nDE,DEU,Germany\nFR,FRA,France\n", 4, `"ISO3166-1-Alpha-2"`, "already appears on line 2"},
		{"invalid UTF-8", head + "FR,FRA,Fran\xe7e\n", 2, `"official_name_en"`, "not valid UTF-8"},
		{"field count", head + "FR,FRA\n", 2, "", "wrong number of fields"},
		{"header only", head, 1, "", "no countries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCountries(strings.NewReader(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || pe.Column != tt.column || !strings.Contains(pe.Msg, tt.want) {
				t.Errorf("got line %d column %s msg %q, want line %d column %s msg containing %q",
					pe.Line, pe.Column, pe.Msg, tt.line, tt.column, tt.want)
			}
		})
	}
}

func TestWithCountries(t *testing.T) {
	base := MustLoad(t)
	d := base.WithCountries(MustParseCountriesFile(t))
	hk, err := d.CountryByCode("HK")
	if err != nil {
		t.Fatal(err)
	}
	if hk.Name != "Hong Kong" || hk.NameFR != "Chine, région administrative spéciale de Hong Kong" || hk.NameZH != "中国香港特别行政区" {
		t.Errorf("HK = %+v", hk)
	}
	if len(d.Countries()) != 249 {
		t.Errorf("%d countries after WithCountries, want 249", len(d.Countries()))
	}
	if c, _ := base.CountryByCode("HK"); c.NameFR != "" {
		t.Error("WithCountries changed the receiver")
	}
	// A newer list may add a code; codes it lacks stay.
	ext := d.WithCountries([]Country{{Code: "XY", Alpha3: "XYZ", Name: "Newland"}, {Code: "bad"}})
	if !ext.Country("XY") || !ext.Country("HK") || ext.Country("bad") || d.Country("XY") {
		t.Error("merge of a list with a new code is wrong")
	}
	if c, _ := ext.CountryByCode("FR"); c.NameFR != "France" {
		t.Errorf("names of the earlier list lost when the new list lacks them: %+v", c)
	}
}
