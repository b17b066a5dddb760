package ui

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"liaison/internal/directory"
)

// MustCatalogue loads the message catalogues over the embedded directory.
func MustCatalogue(tb testing.TB) *catalogue {
	tb.Helper()
	dir, err := directory.Load()
	if err != nil {
		tb.Fatalf("load directory: %v", err)
	}
	c, err := loadCatalogue(dir)
	if err != nil {
		tb.Fatalf("load catalogue: %v", err)
	}
	return c
}

// TestEveryKeyUsedIsCatalogued reads the templates and the Go files for
// the message keys they name literally and checks English has each one
// (loadCatalogue already checks the other languages have every English
// key).
func TestEveryKeyUsedIsCatalogued(t *testing.T) {
	c := MustCatalogue(t)
	keyRE := regexp.MustCompile(`\bT[ (]"([a-z_.]*[a-z_])"`)
	files := map[string]string{}
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		files[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goFiles, err := fs.Glob(os.DirFS("."), "*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[f] = string(b)
	}
	used := 0
	for name, text := range files {
		for _, m := range keyRE.FindAllStringSubmatch(text, -1) {
			used++
			if _, ok := c.msgs["en"][m[1]]; !ok {
				t.Errorf("%s uses message %q, which the English catalogue lacks", name, m[1])
			}
		}
	}
	if used < 100 {
		t.Fatalf("found only %d message keys in use; the pattern no longer matches the templates", used)
	}
}

func TestCataloguesAgree(t *testing.T) {
	c := MustCatalogue(t)
	for _, lang := range languages {
		if len(c.msgs[lang]) != len(c.msgs["en"]) {
			t.Errorf("%s has %d messages, English %d", lang, len(c.msgs[lang]), len(c.msgs["en"]))
		}
		for k, v := range c.msgs[lang] {
			if strings.Count(v, "%") != strings.Count(c.msgs["en"][k], "%") {
				t.Errorf("%s %s: %q has other placeholders than English %q", lang, k, v, c.msgs["en"][k])
			}
		}
	}
}

func TestChoose(t *testing.T) {
	c := MustCatalogue(t)
	tests := []struct {
		explicit, accept, want string
	}{
		{"", "", "en"},
		{"", "fr-FR,fr;q=0.9", "fr"},
		{"", "fr-CA", "fr"},
		{"", "zh-TW", "zh-Hant"},
		{"", "zh-HK,en;q=0.5", "zh-Hant"},
		{"", "de-DE", "en"},
		{"", "not a header;;", "en"},
		{"fr", "zh-TW", "fr"},
		{"xx", "fr", "fr"},
		{"zh-Hant", "", "zh-Hant"},
	}
	for _, tt := range tests {
		t.Run(tt.explicit+"|"+tt.accept, func(t *testing.T) {
			if got := c.choose(tt.explicit, tt.accept); got != tt.want {
				t.Fatalf("choose(%q, %q) = %q, want %q", tt.explicit, tt.accept, got, tt.want)
			}
		})
	}
}

func TestLocaleFormats(t *testing.T) {
	c := MustCatalogue(t)
	at := time.Date(2026, 10, 1, 9, 5, 0, 0, time.UTC)
	tests := []struct {
		lang string
		got  func(l *Locale) string
		want string
	}{
		{"en", func(l *Locale) string { return l.Date("2026-10-14") }, "14 Oct 2026"},
		{"fr", func(l *Locale) string { return l.Date("2026-10-14") }, "14 oct. 2026"},
		{"fr", func(l *Locale) string { return l.Date("2026-10-01") }, "1er oct. 2026"},
		{"zh-Hant", func(l *Locale) string { return l.Date("2026-10-14") }, "2026年10月14日"},
		{"en", func(l *Locale) string { return l.Date("1993-03") }, "Mar 1993"},
		{"zh-Hant", func(l *Locale) string { return l.Date("1987") }, "1987年"},
		{"en", func(l *Locale) string { return l.Date("soon") }, "soon"},
		{"en", func(l *Locale) string { return l.Time(at) }, "1 Oct 2026 09:05 UTC"},
		{"zh-Hant", func(l *Locale) string { return l.Time(&at) }, "2026年10月1日 09:05 UTC"},
		{"en", func(l *Locale) string { return l.Num(2400000.5) }, "2,400,000.5"},
		{"zh-Hant", func(l *Locale) string { return l.Num(int64(12345)) }, "12,345"},
		{"en", func(l *Locale) string { return l.Score(0.934) }, "93%"},
		{"en", func(l *Locale) string { return l.Grading("B", "2") }, "B2 — usually reliable / probably true"},
		{"fr", func(l *Locale) string { return l.Grading("A", "1") }, "A1 — toujours fiable / avérée"},
		{"en", func(l *Locale) string { return l.Enum("direction", "smuggled") }, "smuggled"},
		{"fr", func(l *Locale) string { return l.Enum("kind", "request") }, "Demande d'assistance"},
		{"en", func(l *Locale) string { return l.T("no.such.key") }, "⟦no.such.key⟧"},
		{"fr", func(l *Locale) string { return l.Code("transport", "sea") }, "Maritime"},
		{"zh-Hant", func(l *Locale) string { return l.Category("drugs/cocaine") }, "毒品 / 可卡因"},
		{"en", func(l *Locale) string { return l.Party("EU") }, "European Union"},
		{"en", func(l *Locale) string { return l.Party("RILO-AP") }, "RILO Asia/Pacific"},
		{"fr", func(l *Locale) string { return l.Party("RILO-AP") }, "BRLR Asie/Pacifique"},
		{"zh-Hant", func(l *Locale) string { return l.Party("rilo-ap") }, "亞太區區域情報聯絡中心"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.want, func(t *testing.T) {
			if got := tt.got(c.locale(tt.lang)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestChartSVG(t *testing.T) {
	c := MustCatalogue(t)
	months := lastMonths(time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), 12)
	if months[0] != "2025-03" || months[11] != "2026-02" {
		t.Fatalf("months %v", months)
	}
	m := newMonthSeries(months, []string{"drugs", "revenue"})
	m.add("2026-01", "drugs")
	m.add("2026-01", "revenue")
	m.add("2026-02", "drugs")
	m.add("2024-01", "drugs") // outside the chart
	if m.total() != 3 {
		t.Fatalf("total %d, want 3", m.total())
	}
	svg := string(m.svg(c.locale("fr"), "Saisies <test>", c.locale("fr").Category))
	if got := strings.Count(svg, "<rect"); got != 3+2 {
		t.Fatalf("%d rects, want 3 bars and 2 legend keys", got)
	}
	for _, w := range []string{"Saisies &lt;test&gt;", "Drogues", "Recettes", "janv.", "<script"} {
		if has := strings.Contains(svg, w); has != (w != "<script") {
			t.Errorf("svg contains %q: %v", w, has)
		}
	}
}

func TestNiceStep(t *testing.T) {
	tests := []struct{ max, want int }{{0, 1}, {5, 1}, {9, 2}, {23, 5}, {48, 10}, {120, 50}, {999, 200}}
	for _, tt := range tests {
		if got := niceStep(tt.max); got != tt.want {
			t.Errorf("niceStep(%d) = %d, want %d", tt.max, got, tt.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/ui/records?q=x", "/ui/records?q=x"},
		{"", "/ui/"},
		{"https://evil.example/ui/", "/ui/"},
		{"//evil.example/ui/", "/ui/"},
		{"/ui//evil.example", "/ui/"},
		{"/api/v1/records", "/ui/"},
		{"/ui/\\evil", "/ui/"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// verbRE matches a fmt verb.
var verbRE = regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)

// TestFaultTranslationsHoldTheirFormats checks the translations of error
// messages: each is keyed by an English format the validation code still
// or the pages produce (a changed message would otherwise fall back to
// English unnoticed), English maps it to itself, and every language has the
// format's verbs in the same order, so that its arguments land in place.
func TestFaultTranslationsHoldTheirFormats(t *testing.T) {
	c := MustCatalogue(t)
	var src strings.Builder
	for _, dir := range []string{"../../intel", "../../federation", "."} {
		files, err := fs.Glob(os.DirFS(dir), "*.go")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(dir + "/" + f)
			if err != nil {
				t.Fatal(err)
			}
			src.Write(b)
		}
	}
	n := 0
	for k, v := range c.msgs["en"] {
		format, ok := strings.CutPrefix(k, faultKey)
		if !ok {
			continue
		}
		n++
		if v != format {
			t.Errorf("English %q is %q, want the format itself", k, v)
		}
		if quoted := strconvQuote(format); !strings.Contains(src.String(), quoted) {
			t.Errorf("neither validation nor the pages produce %s: the translation is of a message no longer made", quoted)
		}
		want := strings.Join(verbRE.FindAllString(format, -1), " ")
		for _, lang := range languages {
			if got := strings.Join(verbRE.FindAllString(c.msgs[lang][k], -1), " "); got != want {
				t.Errorf("%s %q has verbs %q, the format %q", lang, c.msgs[lang][k], got, want)
			}
		}
	}
	if n < 50 {
		t.Errorf("%d error formats translated, want the validation messages (at least 50)", n)
	}
}

// strconvQuote writes s as a Go string literal the way the validation code
// spells its formats: in double quotes, with inner quotes escaped.
func strconvQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
