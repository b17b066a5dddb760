package directory

import (
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"liaison/internal/fault"
	"liaison/internal/shareddata"
)

// sharedData is the read-only reference data beside the repository.
var sharedData = shareddata.Dir() + "/"

// MustLoad loads the embedded directory or fails the test.
func MustLoad(tb testing.TB) *Directory {
	tb.Helper()
	d, err := Load()
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return d
}

// MustReadCSV reads a shared CSV file into header-keyed rows.
func MustReadCSV(tb testing.TB, name string) []map[string]string {
	tb.Helper()
	f, err := os.Open(sharedData + name)
	if err != nil {
		tb.Fatalf("open shared data: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	header := recs[0]
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range header {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLoadCounts(t *testing.T) {
	d := MustLoad(t)
	now := day("2026-11-01")
	eu, _ := d.MembersOn("EU", now)
	apec, _ := d.MembersOn("APEC", now)
	asean, _ := d.MembersOn("ASEAN", now)
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"regions", len(d.Regions()), 6},
		// The WCO had 186 Members when Palau joined (2024-02-02) and 187 once
		// Saint Vincent and the Grenadines acceded (2025-09-17).
		{"administrations", len(d.Administrations("")), 187},
		{"countries", len(d.Countries()), 249},
		{"HS chapters", len(d.HSChapters()), 97},
		{"EU members", len(eu), 27},
		{"APEC economies", len(apec), 21},
		{"ASEAN members", len(asean), 11},
		{"category sections", len(d.Categories()), 7},
		{"currencies", len(d.Currencies()), 175},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %d, want %d", tt.got, tt.want)
			}
		})
	}
}

func TestWCOMembersBeforeLatestAccession(t *testing.T) {
	d := MustLoad(t)
	latest := day("2025-09-17")
	n := 0
	for _, a := range d.Administrations("") {
		if a.WCOSince == "" {
			n++ // accession date not recorded; all such Members joined before 2025
			continue
		}
		since, err := parsePartial(a.WCOSince, false)
		if err != nil {
			t.Fatalf("%s: %v", a.Code, err)
		}
		if since < dayOf(latest) {
			n++
		}
	}
	if n != 186 {
		t.Errorf("members before 2025-09-17 = %d, want 186", n)
	}
}

func TestAdministrationsByRegion(t *testing.T) {
	d := MustLoad(t)
	tests := []struct {
		region string
		want   int
	}{
		{"AP", 35}, {"ap", 35}, {"EUR", 52}, {"ESA", 24}, {"WCA", 24}, {"NANME", 18}, {"AMC", 34}, {"XX", 0},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			got := d.Administrations(tt.region)
			if len(got) != tt.want {
				t.Errorf("got %d, want %d", len(got), tt.want)
			}
			for _, a := range got {
				if a.Region != strings.ToUpper(tt.region) {
					t.Errorf("%s is in %s", a.Code, a.Region)
				}
			}
		})
	}
}

func TestAdministrationHongKong(t *testing.T) {
	d := MustLoad(t)
	hk, err := d.Administration("hk")
	if err != nil {
		t.Fatal(err)
	}
	if hk.Agency != "Customs and Excise Department" || hk.ShortName != "C&ED" {
		t.Errorf("agency %q short %q", hk.Agency, hk.ShortName)
	}
	if hk.Region != "AP" || !strings.HasPrefix(hk.WCOSince, "1987") {
		t.Errorf("region %q since %q, want AP and 1987", hk.Region, hk.WCOSince)
	}
	if !slices.Equal(hk.Blocs, []string{"APEC"}) {
		t.Errorf("blocs %v, want [APEC]", hk.Blocs)
	}
	// The seed's account of Hong Kong's roles.
	want := []struct {
		title, body, from, to string
	}{
		{"WCO Member", "WCO", "1987", ""},
		{"Host of the first WCO Regional Intelligence Liaison Office", "WCO", "1987", "1998-12"},
		{"WCO Vice-Chair representing the Asia/Pacific region", "WCO", "2000", "2002"},
		{"WCO Policy Commission", "WCO", "2011", "2014"},
		{"Sub-Committee on Customs Procedures (SCCP)", "APEC", "1993-03", ""},
	}
	for _, w := range want {
		t.Run(w.title, func(t *testing.T) {
			for _, r := range hk.Profile {
				if strings.Contains(r.Title, w.title) {
					if r.Body != w.body || r.From != w.from || r.To != w.to {
						t.Errorf("got %+v", r)
					}
					if r.Source == "" {
						t.Error("role has no source")
					}
					return
				}
			}
			t.Errorf("no role %q in %+v", w.title, hk.Profile)
		})
	}
	var apec Role
	for _, r := range hk.Profile {
		if r.Body == "APEC" {
			apec = r
		}
	}
	if !strings.Contains(apec.Note, "Committee on Trade and Investment") {
		t.Errorf("APEC role note %q does not name the CTI", apec.Note)
	}
}

func TestAdministrationShortNames(t *testing.T) {
	d := MustLoad(t)
	tests := []struct{ code, short string }{
		{"JP", "Japan Customs"}, {"FR", "DGDDI"}, {"CN", "GACC"}, {"HK", "C&ED"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			a, err := d.Administration(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if a.ShortName != tt.short {
				t.Errorf("short name %q, want %q", a.ShortName, tt.short)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	d := MustLoad(t)
	tests := []struct {
		name string
		err  error
	}{
		{"administration EU", func() error { _, err := d.Administration("EU"); return err }()},
		{"administration TW", func() error { _, err := d.Administration("TW"); return err }()},
		{"region", func() error { _, err := d.Region("ASIA"); return err }()},
		{"bloc", func() error { _, err := d.Bloc("NATO"); return err }()},
		{"country", func() error { _, err := d.CountryByCode("ZZ"); return err }()},
		{"members of unknown bloc", func() error { _, err := d.MembersOn("NATO", day("2020-01-01")); return err }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !fault.Is(tt.err, fault.NotFound) {
				t.Errorf("got %v, want a not_found error", tt.err)
			}
		})
	}
}

func TestMemberOf(t *testing.T) {
	d := MustLoad(t)
	tests := []struct {
		bloc, admin, on string
		want            bool
	}{
		{"EU", "HR", "2012-01-01", false},
		{"EU", "HR", "2013-06-30", false},
		{"EU", "HR", "2013-07-01", true},
		{"EU", "GB", "2010-06-01", true},
		{"EU", "GB", "2020-01-31", true},
		{"EU", "GB", "2020-02-01", false},
		{"EU", "GB", "2021-01-01", false},
		{"EU", "GB", "1972-12-31", false},
		{"EU", "FR", "1958-01-01", true},
		{"EU", "FR", "1957-12-31", false},
		{"EU", "PL", "2004-04-30", false},
		{"EU", "PL", "2004-05-01", true},
		{"eu", "bg", "2007-01-01", true},
		{"EU", "NO", "2020-01-01", false},
		{"APEC", "HK", "1991-12-31", true},
		{"APEC", "HK", "1990-12-31", false},
		{"APEC", "VN", "1997-12-31", false},
		{"APEC", "TW", "2000-01-01", true},
		{"ASEAN", "KH", "1999-04-29", false},
		{"ASEAN", "KH", "1999-04-30", true},
		{"ASEAN", "TL", "2025-10-25", false},
		{"ASEAN", "TL", "2025-10-26", true},
		{"NATO", "FR", "2020-01-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.bloc+"/"+tt.admin+"@"+tt.on, func(t *testing.T) {
			if got := d.MemberOf(tt.bloc, tt.admin, day(tt.on)); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMemberOfUsesCalendarDateOfLocation(t *testing.T) {
	d := MustLoad(t)
	hkt := time.FixedZone("HKT", 8*3600)
	// 1 July 2013 at 01:00 in Hong Kong is still 30 June in UTC.
	on := time.Date(2013, 7, 1, 1, 0, 0, 0, hkt)
	if !d.MemberOf("EU", "HR", on) {
		t.Error("HR not a member on 2013-07-01 local time")
	}
	if d.MemberOf("EU", "HR", on.UTC()) {
		t.Error("HR a member on 2013-06-30 UTC")
	}
}

func TestBlocsOf(t *testing.T) {
	d := MustLoad(t)
	tests := []struct {
		code, on string
		want     []string
	}{
		{"GB", "2010-01-01", []string{"EU"}},
		{"GB", "2021-01-01", nil},
		{"SG", "2020-01-01", []string{"APEC", "ASEAN"}},
		{"VN", "1996-01-01", []string{"ASEAN"}},
		{"VN", "1999-01-01", []string{"APEC", "ASEAN"}},
		{"FR", "2020-01-01", []string{"EU"}},
		{"CH", "2020-01-01", nil},
	}
	for _, tt := range tests {
		t.Run(tt.code+"@"+tt.on, func(t *testing.T) {
			if got := d.BlocsOf(tt.code, day(tt.on)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEUCurrentMembers(t *testing.T) {
	d := MustLoad(t)
	got, err := d.MembersOn("EU", day("2026-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	before, _ := d.MembersOn("EU", day("2019-12-31"))
	if len(before) != 28 {
		t.Errorf("EU had %d members at the end of 2019, want 28", len(before))
	}
}

func TestRILOs(t *testing.T) {
	d := MustLoad(t)
	ap, err := d.Region("AP")
	if err != nil {
		t.Fatal(err)
	}
	if len(ap.RILOs) == 0 || ap.RILOs[0].ID != "RILO-AP" {
		t.Fatalf("AP RILOs %+v", ap.RILOs)
	}
	rilo := ap.RILOs[0]
	tests := []struct {
		on   string
		host string
	}{
		{"1986-12-31", ""},
		{"1987-01-01", "HK"},
		{"1998-12-31", "HK"},
		{"1999-01-01", "CN"},
		{"2010-06-01", "KR"},
	}
	for _, tt := range tests {
		t.Run(tt.on, func(t *testing.T) {
			h, ok := rilo.HostOn(day(tt.on))
			if ok != (tt.host != "") || h.Host != tt.host {
				t.Errorf("host %q (%v), want %q", h.Host, ok, tt.host)
			}
		})
	}
	for _, r := range d.Regions() {
		if len(r.RILOs) == 0 {
			t.Errorf("region %s has no RILO", r.Code)
		}
	}
	rilos, err := d.RILOFor("JP")
	if err != nil || len(rilos) == 0 || rilos[0].ID != "RILO-AP" {
		t.Errorf("RILOFor(JP) = %v, %v", rilos, err)
	}
}

func TestReturnedValuesAreCopies(t *testing.T) {
	d := MustLoad(t)
	hk, _ := d.Administration("HK")
	hk.Blocs[0] = "XX"
	hk.Profile[0].Title = "changed"
	again, _ := d.Administration("HK")
	if again.Blocs[0] != "APEC" || again.Profile[0].Title == "changed" {
		t.Error("changing a returned administration changed the directory")
	}
	regions := d.Regions()
	regions[0].RILOs[0].Hosts[0].Host = "XX"
	if r, _ := d.Region(regions[0].Code); r.RILOs[0].Hosts[0].Host == "XX" {
		t.Error("changing a returned region changed the directory")
	}
}

func TestCountriesMatchSharedList(t *testing.T) {
	d := MustLoad(t)
	rows := MustReadCSV(t, "country-codes.csv")
	shared := map[string]string{}
	for _, r := range rows {
		shared[r["ISO3166-1-Alpha-2"]] = r["ISO3166-1-Alpha-3"]
	}
	if len(shared) != 249 {
		t.Fatalf("shared list has %d codes", len(shared))
	}
	ours := d.Countries()
	if len(ours) != 249 {
		t.Errorf("embedded list has %d countries, want 249", len(ours))
	}
	for _, c := range ours {
		a3, ok := shared[c.Code]
		if !ok {
			t.Errorf("%s is not in the shared ISO 3166 list", c.Code)
			continue
		}
		if a3 != c.Alpha3 {
			t.Errorf("%s alpha-3 %s, shared list says %s", c.Code, c.Alpha3, a3)
		}
		delete(shared, c.Code)
	}
	for code := range shared {
		t.Errorf("shared list code %s missing from the embedded list", code)
	}
}

func TestCurrenciesCoverSharedList(t *testing.T) {
	d := MustLoad(t)
	for _, r := range MustReadCSV(t, "country-codes.csv") {
		for _, code := range strings.Split(r["ISO4217-currency_alphabetic_code"], ",") {
			if code != "" && !d.Currency(code) {
				t.Errorf("currency %s of %s is not in the embedded list", code, r["ISO3166-1-Alpha-2"])
			}
		}
	}
	tests := []struct {
		code  string
		minor int // -1 for none
	}{
		{"HKD", 2}, {"JPY", 0}, {"KWD", 3}, {"CLF", 4}, {"XAU", -1},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			for _, c := range d.Currencies() {
				if c.Code != tt.code {
					continue
				}
				got := -1
				if c.MinorUnit != nil {
					got = *c.MinorUnit
				}
				if got != tt.minor {
					t.Errorf("minor unit %d, want %d", got, tt.minor)
				}
				return
			}
			t.Errorf("%s missing", tt.code)
		})
	}
}

func TestHSChaptersMatchSharedList(t *testing.T) {
	d := MustLoad(t)
	shared := map[string]string{}
	for _, r := range MustReadCSV(t, "harmonized-system.csv") {
		if r["level"] == "2" && r["hscode"] != "99" {
			shared[r["hscode"]] = r["section"]
		}
	}
	for _, c := range d.HSChapters() {
		sec, ok := shared[c.Code]
		switch {
		case c.Reserved:
			if ok {
				t.Errorf("chapter %s is reserved here but in use in the shared list", c.Code)
			}
		case !ok:
			t.Errorf("chapter %s is not in the shared list", c.Code)
		case sec != c.Section:
			t.Errorf("chapter %s in section %s, shared list says %s", c.Code, c.Section, sec)
		}
		delete(shared, c.Code)
	}
	for code := range shared {
		t.Errorf("shared chapter %s missing", code)
	}
}

func TestHSChapter(t *testing.T) {
	d := MustLoad(t)
	tests := []struct {
		chapter         string
		known, reserved bool
	}{
		{"01", true, false},
		{"24", true, false},
		{"77", true, true},
		{"97", true, false},
		{"98", false, true},
		{"99", false, true},
		{"00", false, false},
		{"1", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.chapter, func(t *testing.T) {
			known, reserved := d.HSChapter(tt.chapter)
			if known != tt.known || reserved != tt.reserved {
				t.Errorf("got known=%v reserved=%v, want %v %v", known, reserved, tt.known, tt.reserved)
			}
		})
	}
}

func TestCodes(t *testing.T) {
	d := MustLoad(t)
	tests := []struct {
		name string
		fn   func(string) bool
		code string
		want bool
	}{
		{"country", d.Country, "HK", true},
		{"country lower case", d.Country, "hk", false},
		{"country unassigned", d.Country, "ZZ", false},
		{"country Kosovo", d.Country, "XK", false},
		{"currency", d.Currency, "HKD", true},
		{"currency withdrawn", d.Currency, "HRK", false},
		{"unit", d.Unit, "piece", true},
		{"unit ml", d.Unit, "ml", true},
		{"unit t", d.Unit, "t", true},
		{"unit unknown", d.Unit, "barrel", false},
		{"transport", d.Transport, "express-courier", true},
		{"transport unknown", d.Transport, "teleport", false},
		{"detection", d.Detection, "x-ray", true},
		{"detection", d.Detection, "controlled-delivery", true},
		{"detection unknown", d.Detection, "x ray", false},
		{"concealment", d.Concealment, "mixed-with-legitimate-cargo", true},
		{"concealment unknown", d.Concealment, "hidden", false},
		{"category leaf", d.Category, "revenue/cigarettes", true},
		{"category leaf", d.Category, "drugs/cocaine", true},
		{"category leaf", d.Category, "money-laundering/cash", true},
		{"category section only", d.Category, "drugs", false},
		{"category wrong section", d.Category, "drugs/cigarettes", false},
		{"category empty", d.Category, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.code, func(t *testing.T) {
			if got := tt.fn(tt.code); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLabelsInThreeLanguages(t *testing.T) {
	d := MustLoad(t)
	lists := map[string][]Code{
		"units":       d.Units(),
		"transport":   d.TransportModes(),
		"detection":   d.DetectionMethods(),
		"concealment": d.ConcealmentMethods(),
	}
	for _, s := range d.Categories() {
		lists["category "+s.Code] = append([]Code{{Code: s.Code, Labels: s.Labels}}, s.Commodities...)
	}
	for name, codes := range lists {
		t.Run(name, func(t *testing.T) {
			for _, c := range codes {
				for _, lang := range []string{"en", "fr", "zh-Hant"} {
					if c.Labels[lang] == "" {
						t.Errorf("%s has no %s label", c.Code, lang)
					}
				}
			}
		})
	}
	if got := d.CategoryLabel("revenue/cigarettes", "zh-Hant"); got != "稅收 / 香煙" {
		t.Errorf("CategoryLabel = %q", got)
	}
	if got := (Code{Code: "x", Labels: Labels{"en": "X"}}).Label("fr"); got != "X" {
		t.Errorf("fallback label = %q, want the English one", got)
	}
}

func TestSources(t *testing.T) {
	d := MustLoad(t)
	files, err := fs.ReadDir(dataFS, "data")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Source{}
	for _, s := range d.Sources() {
		got[s.File] = s
	}
	for _, f := range files {
		s, ok := got[f.Name()]
		if !ok {
			t.Errorf("%s has no source record", f.Name())
			continue
		}
		if s.Source == "" || s.AsOf == "" {
			t.Errorf("%s: source %q as of %q", f.Name(), s.Source, s.AsOf)
		}
	}
}

func TestAdministrationJSON(t *testing.T) {
	d := MustLoad(t)
	hk, _ := d.Administration("HK")
	b, err := json.Marshal(hk)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"code", "name", "agency", "short_name", "region", "wco_since", "blocs", "profile"} {
		if _, ok := m[key]; !ok {
			t.Errorf("JSON has no %q: %s", key, b)
		}
	}
}

// brokenFS returns the embedded data with one file replaced.
func brokenFS(tb testing.TB, file, content string) fs.FS {
	tb.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(dataFS, "data", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(dataFS, path)
		m[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	m["data/"+file] = &fstest.MapFile{Data: []byte(content)}
	return m
}

// replaceIn returns an embedded file with old replaced by new once.
func replaceIn(tb testing.TB, file, old, new string) string {
	tb.Helper()
	b, err := fs.ReadFile(dataFS, "data/"+file)
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		tb.Fatalf("%s does not contain %q", file, old)
	}
	return strings.Replace(string(b), old, new, 1)
}

func TestLoadRejectsInconsistentData(t *testing.T) {
	tests := []struct {
		name, file, content, want string
	}{
		{"unknown region", "administrations.json",
			replaceIn(t, "administrations.json", `"region": "AP", "wco_since": "1987-07-01"`, `"region": "ASIA", "wco_since": "1987-07-01"`),
			`unknown region "ASIA"`},
		{"count mismatch", "administrations.json",
			replaceIn(t, "administrations.json", `"count": 187`, `"count": 186`),
			"says 186"},
		{"bad date", "blocs.json",
			replaceIn(t, "blocs.json", `"2013-07-01"`, `"2013-13-01"`),
			"bad date"},
		{"unknown bloc member", "blocs.json",
			replaceIn(t, "blocs.json", `"code": "HR"`, `"code": "YU"`),
			`member "YU"`},
		{"unknown RILO host", "regions.json",
			replaceIn(t, "regions.json", `"host": "KR"`, `"host": "KP"`),
			"host KP is not an administration"},
		{"misspelt key", "units.json",
			replaceIn(t, "units.json", `"labels"`, `"label"`),
			"unknown field"},
		{"missing as_of", "transport.json",
			replaceIn(t, "transport.json", `"as_of"`, `"asof_"`),
			"unknown field"},
		{"duplicate country", "countries.csv",
			replaceIn(t, "countries.csv", "AE,ARE,", "AD,ARE,"),
			"line 7, column \"code\": duplicate AD"},
		{"chapter missing", "hs-chapters.csv",
			replaceIn(t, "hs-chapters.csv", "02,I,,Meat and edible meat offal\n", ""),
			"out of order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(brokenFS(t, tt.file, tt.content))
			if err == nil {
				t.Fatal("load succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error %q does not name %s and %q", err, tt.file, tt.want)
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemberOf(b *testing.B) {
	d := MustLoad(b)
	on := day("2015-06-01")
	for b.Loop() {
		d.MemberOf("EU", "HR", on)
	}
}

func TestRegionsAndNamesForSharingDecisions(t *testing.T) {
	d := MustLoad(t)
	regionOf := []struct {
		admin, region string
		ok            bool
	}{
		{"HK", "AP", true}, {"jp", "AP", true}, {"FR", "EUR", true}, {"BR", "AMC", true},
		{"KE", "ESA", true}, {"SN", "WCA", true}, {"SA", "NANME", true}, {"TW", "", false}, {"EU", "", false},
	}
	for _, tt := range regionOf {
		t.Run("RegionOf/"+tt.admin, func(t *testing.T) {
			r, ok := d.RegionOf(tt.admin)
			if r != tt.region || ok != tt.ok {
				t.Errorf("got %q %v, want %q %v", r, ok, tt.region, tt.ok)
			}
		})
	}
	riloRegion := []struct {
		code, region string
		ok           bool
	}{
		{"RILO-AP", "AP", true}, {"rilo-we", "EUR", true}, {"RILO-ESA", "ESA", true}, {"HK", "", false}, {"AP", "", false},
	}
	for _, tt := range riloRegion {
		t.Run("RILORegion/"+tt.code, func(t *testing.T) {
			r, ok := d.RILORegion(tt.code)
			if r != tt.region || ok != tt.ok {
				t.Errorf("got %q %v, want %q %v", r, ok, tt.region, tt.ok)
			}
		})
	}
	names := []struct{ code, want string }{
		{"JP", "Japan"}, {"HK", "Hong Kong, China"}, {"EU", "European Union"}, {"AP", "Asia/Pacific"},
		{"RILO-AP", "RILO Asia/Pacific"}, {"ZZ", ""},
	}
	for _, tt := range names {
		t.Run("Name/"+tt.code, func(t *testing.T) {
			if got := d.Name(tt.code); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// Every RILO is named in each language of the user interface.
func TestRILOsAreLabelled(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range d.Regions() {
		for _, ro := range r.RILOs {
			n++
			for _, lang := range []string{"en", "fr", "zh-Hant"} {
				if ro.Labels[lang] == "" {
					t.Errorf("%s has no %s label", ro.ID, lang)
				}
			}
			if got, ok := d.RILO(strings.ToLower(ro.ID)); !ok || got.ID != ro.ID {
				t.Errorf("RILO(%q) = %v, %v", strings.ToLower(ro.ID), got.ID, ok)
			}
		}
	}
	if n < 10 {
		t.Errorf("%d RILOs, want the ten of the directory", n)
	}
	if _, ok := d.RILO("HK"); ok {
		t.Error("an administration was found as a RILO")
	}
}

// Every host city and every note of a RILO or of its hosts is given in each
// language of the user interface, its English label being the English text
// itself, and is read back in a language or, without a label in it, in
// English.
func TestRILOHostsAreLabelled(t *testing.T) {
	d := MustLoad(t)
	langs := []string{"en", "fr", "zh-Hant"}
	cities, notes := 0, 0
	check := func(what, text string, labels Labels, in func(string) string) {
		t.Helper()
		for _, lang := range langs {
			if labels[lang] == "" {
				t.Errorf("%s %q has no %s label", what, text, lang)
			}
			if got := in(lang); got != labels.In(lang) || got == "" {
				t.Errorf("%s %q in %s = %q, want the label %q", what, text, lang, got, labels.In(lang))
			}
		}
		if labels["en"] != text {
			t.Errorf("%s %q has the English label %q", what, text, labels["en"])
		}
		if got := in("de"); got != text {
			t.Errorf("%s %q in a language without a label = %q, want the English", what, text, got)
		}
	}
	for _, r := range d.Regions() {
		for _, ro := range r.RILOs {
			if ro.Note != "" {
				notes++
				check(ro.ID+" note", ro.Note, ro.NoteLabels, ro.NoteIn)
			}
			for _, h := range ro.Hosts {
				if h.City != "" {
					cities++
					check(ro.ID+" host "+h.Host+" city", h.City, h.CityLabels, h.CityIn)
				}
				if h.Note != "" {
					notes++
					check(ro.ID+" host "+h.Host+" note", h.Note, h.NoteLabels, h.NoteIn)
				}
			}
		}
	}
	if cities < 11 || notes < 12 {
		t.Errorf("%d host cities and %d notes checked, want every one of the data (11 and 12)", cities, notes)
	}
	ap, _ := d.RILO("RILO-AP")
	for lang, want := range map[string]string{"en": "Beijing", "fr": "Pékin", "zh-Hant": "北京"} {
		if got := ap.Hosts[1].CityIn(lang); got != want {
			t.Errorf("RILO-AP's second host city in %s = %q, want %q", lang, got, want)
		}
	}
	if got := (Hosting{City: "Lomé"}).CityIn("fr"); got != "Lomé" {
		t.Errorf("a city without labels in French = %q, want the city", got)
	}
}

// Labels of a city or a note that say something else in English than the
// text, or that label no text, are refused.
func TestLoadRejectsDriftingLabels(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{"English city label", `"city_labels": {"en": "Beijing"`, `"city_labels": {"en": "Peking"`,
			`RILO-AP host CN: city_labels.en "Peking" is not the city "Beijing"`},
		{"English note label", `"note_labels": {"en": "Host administration not recorded here."`,
			`"note_labels": {"en": "Host not recorded."`, `RILO-NA: note_labels.en "Host not recorded."`},
		{"labels without a city", `"city": "Seoul",`, ``, "RILO-AP host KR: city_labels without a city"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(brokenFS(t, "regions.json", replaceIn(t, "regions.json", tt.old, tt.new)))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "regions.json") {
				t.Errorf("load: %v, want an error naming regions.json and %q", err, tt.want)
			}
		})
	}
}
