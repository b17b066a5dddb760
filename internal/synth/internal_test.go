package synth

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"liaison/internal/shareddata"
)

// MustTables loads the embedded data tables.
func MustTables(tb testing.TB) *tables {
	tb.Helper()
	t, err := loadTables()
	if err != nil {
		tb.Fatalf("load tables: %v", err)
	}
	return t
}

func TestTablesLoad(t *testing.T) {
	tb := MustTables(t)
	if len(tb.countries) < 40 || len(tb.flows) < 30 || len(tb.commodities) < 20 {
		t.Fatalf("tables too small: %d countries, %d flows, %d commodities", len(tb.countries), len(tb.flows), len(tb.commodities))
	}
	for _, f := range dataFileNames(t) {
		t.Run(f, func(t *testing.T) {
			var meta struct {
				Source string `json:"source"`
				AsOf   string `json:"as_of"`
			}
			if err := readJSON(f, &meta); err != nil {
				t.Fatal(err)
			}
			if meta.Source == "" || meta.AsOf == "" {
				t.Errorf("%s does not state its source and as-of date", f)
			}
		})
	}
}

func dataFileNames(tb testing.TB) []string {
	tb.Helper()
	entries, err := dataFiles.ReadDir("data")
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestHSCodesExist checks every HS code of the data tables, including
// those a sample of records might not reach, against the HS 2022
// nomenclature.
func TestHSCodesExist(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(shareddata.Dir(), "harmonized-system.csv"))
	if err != nil {
		t.Fatalf("read reference data: %v", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range rows[1:] {
		known[r[1]] = true
	}
	for _, c := range MustTables(t).commodities {
		for _, p := range c.Products {
			t.Run(c.ID+"/"+p.HS, func(t *testing.T) {
				if len(p.HS) != 6 || !known[p.HS] {
					t.Errorf("%s (%s): HS %q is not an HS 2022 subheading", c.ID, p.Desc, p.HS)
				}
			})
		}
	}
}

func TestContainerCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"CSQU305438", 3}, // the canonical example of the interface contract
		{"MSCU123456", 6},
		{"TGHU000000", 8},
		{"ZZZU999999", 2},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := containerCheckDigit(tc.in); got != tc.want {
				t.Errorf("containerCheckDigit(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
	t.Run("remainder 10 gives 0", func(t *testing.T) {
		// Find a serial whose weighted sum leaves 10: its check digit is 0.
		for i := range 1000 {
			s := fmt.Sprintf("CSQU%06d", i)
			sum := 0
			for j := range 10 {
				v := int(s[j] - '0')
				if s[j] >= 'A' {
					v = containerLetterValue(s[j])
				}
				sum += v << j
			}
			if sum%11 == 10 {
				if got := containerCheckDigit(s); got != 0 {
					t.Fatalf("containerCheckDigit(%q) = %d for a remainder of 10, want 0", s, got)
				}
				return
			}
		}
		t.Fatal("no serial with remainder 10 among the first 1000")
	})
	t.Run("letter values skip multiples of 11", func(t *testing.T) {
		want := map[byte]int{'A': 10, 'B': 12, 'K': 21, 'L': 23, 'U': 32, 'V': 34, 'Z': 38}
		for c, v := range want {
			if got := containerLetterValue(c); got != v {
				t.Errorf("value of %c = %d, want %d", c, got, v)
			}
		}
	})
}

func TestS10AndAWB(t *testing.T) {
	g := New(2, "")
	weights := []int{8, 6, 4, 2, 3, 5, 9, 7}
	for range 200 {
		s := g.s10("EE", "CN")
		if !regexp.MustCompile(`^EE[0-9]{9}CN$`).MatchString(s) {
			t.Fatalf("S10 identifier %q has the wrong shape", s)
		}
		sum := 0
		for i, w := range weights {
			sum += int(s[2+i]-'0') * w
		}
		check := 11 - sum%11
		if check == 10 {
			check = 0
		} else if check == 11 {
			check = 5
		}
		if int(s[10]-'0') != check {
			t.Fatalf("S10 identifier %q: check digit %c, want %d", s, s[10], check)
		}
		a := g.awb("160")
		if !regexp.MustCompile(`^160-[0-9]{8}$`).MatchString(a) {
			t.Fatalf("air waybill %q has the wrong shape", a)
		}
		serial := 0
		for _, c := range a[4:11] {
			serial = serial*10 + int(c-'0')
		}
		if int(a[11]-'0') != serial%7 {
			t.Fatalf("air waybill %q: check digit %c, want %d", a, a[11], serial%7)
		}
	}
}

func TestTranslit(t *testing.T) {
	tr := newTransliterator()
	for _, tc := range []struct {
		in, scheme, want string
	}{
		{"Иван Петрович Смирнов", schemeICAO, "Ivan Petrovich Smirnov"},
		{"Юрий Зайцев", schemeICAO, "Iurii Zaitsev"},
		{"Юрий Зайцев", schemeCommon, "Yuriy Zaytsev"},
		{"Юрий Зайцев", schemeGerman, "Juri Saizew"},
		{"Юрий Зайцев", schemeFrench, "Iouri Zaïtsev"},
		{"Наталья Фёдорова", schemeICAO, "Natalia Fedorova"},
		{"Наталья Фёдорова", schemeCommon, "Natalya Fyodorova"},
		{"Елена Щербакова", schemeCommon, "Yelena Shcherbakova"},
		{"Елена Щербакова", schemeICAO, "Elena Shcherbakova"},
		{"Евгений Жуков", schemeGerman, "Jewgeni Schukow"},
		{"Сергей Николай", schemeGerman, "Sergej Nikolai"},
		{"Олександр Шевченко", schemeUkrainian, "Oleksandr Shevchenko"},
		{"Євген Андрій", schemeUkrainian, "Yevhen Andrii"},
		{"Микола Гончаренко", schemeICAO, "Mikola Goncharenko"},
		{"ООО «Северный путь»", schemeICAO, "OOO «Severnyi put»"},
	} {
		t.Run(tc.scheme+"/"+tc.in, func(t *testing.T) {
			if got := tr.translit(tc.in, tc.scheme); got != tc.want {
				t.Errorf("translit(%q, %s) = %q, want %q", tc.in, tc.scheme, got, tc.want)
			}
		})
	}
}

// script reports whether every letter of s is in the table.
func allIn(s string, table *unicode.RangeTable) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(table, r) {
			return false
		}
	}
	return true
}

func anyIn(s string, table *unicode.RangeTable) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(table, r) }) >= 0
}

func TestPersonNames(t *testing.T) {
	g := New(4, "")
	cultures := []string{"zh-HK", "zh-CN", "zh-TW", "ja", "ru", "uk"}
	for id := range g.t.cultures {
		cultures = append(cultures, id)
	}
	slices.Sort(cultures)
	canonicalScript := map[string]*unicode.RangeTable{
		"zh-HK": unicode.Han, "zh-CN": unicode.Han, "zh-TW": unicode.Han, "ja": unicode.Han, "ko": unicode.Hangul,
		"ru": unicode.Cyrillic, "uk": unicode.Cyrillic, "ar": unicode.Arabic, "th": unicode.Thai, "in": unicode.Devanagari,
	}
	for _, c := range cultures {
		t.Run(c, func(t *testing.T) {
			for range 40 {
				for _, gender := range []string{"m", "f"} {
					ns := g.personName(c, gender)
					if len(ns.variants) < 2 {
						t.Fatalf("%v: fewer than two spellings", ns.variants)
					}
					if ns.latin < 0 || ns.latin >= len(ns.variants) || !allIn(ns.variants[ns.latin], unicode.Latin) {
						t.Fatalf("%v: usual Latin spelling %d is not Latin", ns.variants, ns.latin)
					}
					if sc := canonicalScript[c]; sc != nil && !anyIn(ns.variants[0], sc) {
						t.Fatalf("%v: canonical name is not in its native script", ns.variants)
					}
					for i, v := range ns.variants {
						if v == "" || strings.TrimSpace(v) != v || slices.Index(ns.variants, v) != i {
							t.Fatalf("%q: empty, padded or repeated variant", ns.variants)
						}
					}
					if slugify(ns.given+ns.family) == "" {
						t.Fatalf("%v: no ASCII parts for an e-mail address", ns.variants)
					}
				}
			}
		})
	}
}

func TestHanNameRenderings(t *testing.T) {
	// One Hong Kong resident in traditional characters, Cantonese
	// romanisation and Pinyin; one mainland resident in simplified
	// characters and Pinyin.
	g := New(8, "")
	for range 50 {
		hk := g.personName("zh-HK", "m")
		if !allIn(hk.variants[0], unicode.Han) || !slices.ContainsFunc(hk.variants, func(v string) bool { return allIn(v, unicode.Latin) && v != hk.variants[hk.latin] }) {
			t.Fatalf("Hong Kong name without Han form and several romanisations: %v", hk.variants)
		}
		cn := g.personName("zh-CN", "f")
		if !allIn(cn.variants[0], unicode.Han) || strings.Contains(cn.variants[cn.latin], "-") {
			t.Fatalf("mainland name without Han form or with a hyphenated Pinyin: %v", cn.variants)
		}
	}
}

func TestOrgNames(t *testing.T) {
	g := New(6, "")
	for _, c := range g.t.countries {
		t.Run(c.Code, func(t *testing.T) {
			for range 20 {
				ns, slug := g.orgName(c)
				if len(ns.variants) < 3 {
					t.Fatalf("%v: fewer than three spellings", ns.variants)
				}
				if !allIn(ns.variants[ns.latin], unicode.Latin) {
					t.Fatalf("%v: usual spelling %q is not Latin", ns.variants, ns.variants[ns.latin])
				}
				if strings.Contains(strings.Join(ns.variants, "|"), "{}") {
					t.Fatalf("%v: legal form placeholder left in a name", ns.variants)
				}
				if !regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`).MatchString(slug) {
					t.Fatalf("slug %q of %v is not a domain label", slug, ns.variants)
				}
			}
		})
	}
}

func TestFormats(t *testing.T) {
	g := New(3, "")
	e164 := regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	for _, c := range g.t.countries {
		t.Run(c.Code, func(t *testing.T) {
			for _, p := range c.Mobile {
				if n := g.fill(p); !e164.MatchString(n) {
					t.Errorf("mobile format %q gives %q, not E.164", p, n)
				}
			}
			for _, p := range append(append(slices.Clone(c.Passport), c.Registration...), c.Plates...) {
				if n := g.fill(p); strings.ContainsAny(n, "#%@*^~") || n == "" {
					t.Errorf("format %q gives %q", p, n)
				}
			}
		})
	}
}

func TestFormatAndRound(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{{8000000, "8,000,000"}, {1.25, "1.25"}, {412, "412"}, {1234.5, "1,234.5"}, {0.241, "0.241"}} {
		if got := formatNum(tc.in); got != tc.want {
			t.Errorf("formatNum(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		q    float64
		unit string
		step float64
		want float64
	}{
		{1901237, "stick", 200, 1901200},
		{150, "stick", 200, 150},
		{0.4, "piece", 0, 1},
		{3.14159, "kg", 0, 3.14},
		{0.12345, "kg", 0, 0.123},
		{412.44, "kg", 0, 412.4},
		{2412.6, "l", 0, 2413},
	} {
		if got := roundQty(tc.q, tc.unit, tc.step); got != tc.want {
			t.Errorf("roundQty(%v, %s, %v) = %v, want %v", tc.q, tc.unit, tc.step, got, tc.want)
		}
	}
}

func TestTypo(t *testing.T) {
	g := New(12, "")
	changed := 0
	for range 200 {
		in := "Chan Tai Man"
		out := g.typo(in)
		if out != in {
			changed++
		}
		if d := len(out) - len(in); d < -1 || d > 1 || out[0] != 'C' {
			t.Fatalf("typo(%q) = %q is more than one slip", in, out)
		}
	}
	if changed < 150 {
		t.Errorf("typo changed only %d of 200 names", changed)
	}
	if got := g.typo("陳大文"); got != "陳大文" {
		t.Errorf("typo touched a name with no Latin letters: %q", got)
	}
}
