package synth_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"liaison/internal/intel"
	"liaison/internal/shareddata"
	"liaison/internal/synth"
)

// sharedData is the reference data directory, read-only, outside the
// project tree.
var sharedData = shareddata.Dir() + "/"

// now is the fixed "now" of the tests.
var now = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)

// sample is a batch of labelled records from one generator.
type sample struct {
	gen     *synth.Generator
	records []*intel.Record
	labels  [][]synth.PartyLabel
}

// MustSample generates n labelled records for an originator.
func MustSample(tb testing.TB, seed int64, originator string, n int) sample {
	tb.Helper()
	s := sample{gen: synth.New(seed, originator)}
	for range n {
		r, l := s.gen.Labelled(now)
		if r == nil {
			tb.Fatalf("Labelled returned no record")
		}
		s.records = append(s.records, r)
		s.labels = append(s.labels, l)
	}
	return s
}

// MustReadCSV reads a CSV file of the shared reference data.
func MustReadCSV(tb testing.TB, name string) (header []string, rows [][]string) {
	tb.Helper()
	b, err := os.ReadFile(sharedData + name)
	if err != nil {
		tb.Fatalf("read reference data: %v", err)
	}
	all, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		tb.Fatalf("parse %s: %v", name, err)
	}
	return all[0], all[1:]
}

// MustHSCodes returns the six-digit subheadings of HS 2022.
func MustHSCodes(tb testing.TB) map[string]bool {
	tb.Helper()
	header, rows := MustReadCSV(tb, "harmonized-system.csv")
	col := slices.Index(header, "hscode")
	if col < 0 {
		tb.Fatalf("harmonized-system.csv has no hscode column")
	}
	codes := map[string]bool{}
	for _, r := range rows {
		if len(r[col]) == 6 {
			codes[r[col]] = true
		}
	}
	if len(codes) < 5000 {
		tb.Fatalf("only %d subheadings read from harmonized-system.csv", len(codes))
	}
	return codes
}

// MustCountryCodes returns the ISO 3166-1 alpha-2 codes and the ISO 4217
// currency codes in use.
func MustCountryCodes(tb testing.TB) (countries, currencies map[string]bool) {
	tb.Helper()
	header, rows := MustReadCSV(tb, "country-codes.csv")
	a2 := slices.Index(header, "ISO3166-1-Alpha-2")
	cur := slices.Index(header, "ISO4217-currency_alphabetic_code")
	if a2 < 0 || cur < 0 {
		tb.Fatalf("country-codes.csv lacks the alpha-2 or currency column")
	}
	countries, currencies = map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		countries[r[a2]] = true
		for _, c := range strings.Split(r[cur], ",") {
			if c = strings.TrimSpace(c); c != "" {
				currencies[c] = true
			}
		}
	}
	return countries, currencies
}

// containerValue is the ISO 6346 value of each character: digits are
// themselves, letters start at 10 and skip 11, 22 and 33.
var containerValue = map[rune]int{
	'A': 10, 'B': 12, 'C': 13, 'D': 14, 'E': 15, 'F': 16, 'G': 17, 'H': 18, 'I': 19, 'J': 20, 'K': 21, 'L': 23, 'M': 24,
	'N': 25, 'O': 26, 'P': 27, 'Q': 28, 'R': 29, 'S': 30, 'T': 31, 'U': 32, 'V': 34, 'W': 35, 'X': 36, 'Y': 37, 'Z': 38,
}

var containerShape = regexp.MustCompile(`^[A-Z]{3}[UJZ][0-9]{7}$`)

// validContainer checks an ISO 6346 container number independently of the
// generator's own code.
func validContainer(s string) bool {
	if !containerShape.MatchString(s) {
		return false
	}
	sum := 0
	for i, r := range s[:10] {
		v, ok := containerValue[r]
		if !ok {
			v = int(r - '0')
		}
		sum += v << i
	}
	check := sum % 11
	if check == 10 {
		check = 0
	}
	return int(s[10]-'0') == check
}

// validIMO checks an IMO ship number: the seventh digit is the sum of the
// first six weighted 7 down to 2, modulo 10.
func validIMO(s string) bool {
	if len(s) != 7 || strings.Trim(s, "0123456789") != "" {
		return false
	}
	sum := 0
	for i := range 6 {
		sum += int(s[i]-'0') * (7 - i)
	}
	return sum%10 == int(s[6]-'0')
}

func TestIndependentChecks(t *testing.T) {
	// The checks used below must accept the canonical examples of the
	// interface contract and refuse a wrong check digit.
	for _, tc := range []struct {
		name  string
		check func(string) bool
		in    string
		want  bool
	}{
		{"container canonical", validContainer, "CSQU3054383", true},
		{"container wrong digit", validContainer, "CSQU3054384", false},
		{"container shape", validContainer, "CSQ3054383", false},
		{"IMO canonical", validIMO, "9074729", true},
		{"IMO wrong digit", validIMO, "9074728", false},
		{"IMO shape", validIMO, "907472", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.check(tc.in); got != tc.want {
				t.Errorf("check(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestDeterminism(t *testing.T) {
	encode := func(s sample) []byte {
		b, err := json.Marshal(struct {
			Records    []*intel.Record
			Labels     [][]synth.PartyLabel
			Identities []synth.Identity
		}{s.records, s.labels, s.gen.Identities()})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a := encode(MustSample(t, 42, "HK", 300))
	b := encode(MustSample(t, 42, "HK", 300))
	if !bytes.Equal(a, b) {
		t.Fatal("two generators with the same seed produced different records")
	}
	if c := encode(MustSample(t, 43, "HK", 300)); bytes.Equal(a, c) {
		t.Fatal("generators with different seeds produced the same records")
	}
}

func TestRecordsShape(t *testing.T) {
	hs := MustHSCodes(t)
	countries, currencies := MustCountryCodes(t)
	e164 := regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	email := regexp.MustCompile(`^[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]+$`)
	in := func(list ...string) func(string) bool {
		return func(s string) bool { return slices.Contains(list, s) }
	}
	units := in("piece", "kg", "g", "l", "ml", "t", "m3", "carton", "stick", "pack", "head", "set", "pair", "box", "bottle", "unit", "other")
	transports := in("sea", "air", "road", "rail", "postal", "express-courier", "passenger")
	detections := in("x-ray", "dog", "risk-profiling", "intelligence", "random-check", "routine-control", "document-check", "tip-off", "controlled-delivery")
	concealments := in("mixed-with-legitimate-cargo", "false-compartment", "body-concealment", "swallowed", "in-luggage", "in-postal-item",
		"in-vehicle-structure", "in-container-structure", "declared-as-other-goods", "undeclared", "false-declaration")
	categories := in("drugs/cocaine", "drugs/methamphetamine", "drugs/heroin", "drugs/cannabis", "drugs/nps", "drugs/precursors",
		"revenue/cigarettes", "revenue/alcohol", "revenue/fuel", "environment/cites-fauna", "environment/cites-flora", "environment/timber",
		"ipr/counterfeit-goods", "ipr/medicines", "security/weapons", "security/ammunition", "money-laundering/cash",
		"money-laundering/gold", "cultural-heritage/antiquities")
	day := now.UTC().Format(time.DateOnly)
	twoYearsAgo := now.UTC().AddDate(-2, 0, -1).Format(time.DateOnly)
	soon := now.UTC().AddDate(0, 0, 31).Format(time.DateOnly)

	for _, tc := range []struct {
		originator string
		n          int
	}{{"HK", 2000}, {"", 2000}, {"JP", 400}, {"FR", 400}, {"CN", 400}, {"XX", 100}} {
		t.Run("originator="+tc.originator, func(t *testing.T) {
			s := MustSample(t, 7, tc.originator, tc.n)
			kinds := map[intel.Kind]int{}
			for i, r := range s.records {
				fail := func(format string, args ...any) {
					t.Helper()
					b, _ := json.Marshal(r)
					t.Fatalf("record %d: %s\n%s", i, fmt.Sprintf(format, args...), b)
				}
				kinds[r.Kind]++
				if r.ID != "" || r.Version != 0 || r.Created != nil || r.Updated != nil || r.Originator != "" || r.Status != "" {
					fail("carries fields the service assigns")
				}
				if !in("A", "B", "C", "X")(r.Grading.Source) || !in("1", "2", "3", "4")(r.Grading.Information) {
					fail("bad grading %+v", r.Grading)
				}
				if !in("H0", "H1", "H2", "H3")(r.Handling.Code) || (r.Handling.Code == "H3") != (r.Handling.Conditions != "") {
					fail("bad handling %+v", r.Handling)
				}
				d := r.Distribution
				switch d.Scope {
				case intel.ScopeBilateral:
					if len(d.Recipients) == 0 {
						fail("bilateral distribution without recipients")
					}
				case intel.ScopeRegion:
					if d.Region == "" {
						fail("region distribution without region")
					}
				case intel.ScopeOriginator, intel.ScopeWCO:
				default:
					fail("bad distribution scope %q", d.Scope)
				}
				for j, c := range d.Recipients {
					if !countries[c] || c == tc.originator || slices.Index(d.Recipients, c) != j {
						fail("bad recipient %q", c)
					}
				}
				if strings.ContainsAny(r.Title, "{}") {
					fail("title %q has an unfilled placeholder", r.Title)
				}
				checkLegs := func(legs []intel.RouteLeg) {
					for _, l := range legs {
						if !countries[l.Country] || !strings.HasPrefix(l.Locode, l.Country) || len(l.Locode) != 5 {
							fail("bad route leg %+v", l)
						}
					}
				}
				checkConveyance := func(c *intel.Conveyance, containers []string) {
					for _, ct := range containers {
						if !validContainer(ct) {
							fail("container %q has a wrong ISO 6346 check digit", ct)
						}
					}
					if c == nil {
						return
					}
					if c.VesselIMO != "" && !validIMO(c.VesselIMO) {
						fail("IMO number %q has a wrong check digit", c.VesselIMO)
					}
					if c.VesselIMO != "" && c.VesselName == "" {
						fail("vessel without a name")
					}
					if c.Flag != "" && !countries[c.Flag] {
						fail("bad flag %q", c.Flag)
					}
					if c.Flight != "" && !regexp.MustCompile(`^[A-Z0-9]{2} [1-9][0-9]{0,3}$`).MatchString(c.Flight) {
						fail("bad flight %q", c.Flight)
					}
				}
				checkParties := func(ps []intel.Party) {
					for _, p := range ps {
						if p.Name == "" || p.Role == "" {
							fail("party without name or role: %+v", p)
						}
						switch p.Type {
						case "person":
							if p.BirthDate != "" && (p.BirthDate < "1950-01-01" || p.BirthDate > "2004-12-31" || p.BirthDate > day) {
								fail("implausible birth date %q", p.BirthDate)
							}
							if p.Nationality != "" && !countries[p.Nationality] {
								fail("bad nationality %q", p.Nationality)
							}
							if doc := p.Document; doc != nil && (doc.Type != "passport" || doc.Number == "" || !countries[doc.Country]) {
								fail("bad document %+v", doc)
							}
							if p.Country != "" || p.Registration != "" {
								fail("person with organisation fields: %+v", p)
							}
						case "organisation":
							if !countries[p.Country] || p.BirthDate != "" || p.Nationality != "" || p.Document != nil || p.Gender != "" {
								fail("bad organisation %+v", p)
							}
						default:
							fail("bad party type %q", p.Type)
						}
						for _, ph := range p.Phones {
							if !e164.MatchString(ph) {
								fail("phone %q is not E.164", ph)
							}
						}
						for _, e := range p.Emails {
							if !email.MatchString(e) {
								fail("bad e-mail %q", e)
							}
						}
					}
				}
				switch r.Kind {
				case intel.KindSeizure:
					z := r.Seizure
					if z == nil || r.Warning != nil || r.Alert != nil {
						fail("seizure record without exactly its section")
					}
					if z.Date > day || z.Date < twoYearsAgo {
						fail("seizure date %s not within the two years up to %s", z.Date, day)
					}
					if !countries[z.Place.Country] || !strings.HasPrefix(z.Place.Locode, z.Place.Country) {
						fail("bad place %+v", z.Place)
					}
					if tc.originator == "HK" && z.Place.Country != "HK" {
						fail("seizure of an HK generator placed in %s", z.Place.Country)
					}
					if !in("import", "export", "transit")(z.Direction) || !transports(z.Transport) ||
						!detections(z.Detection) || !concealments(z.Concealment) {
						fail("bad code: direction %q transport %q detection %q concealment %q", z.Direction, z.Transport, z.Detection, z.Concealment)
					}
					checkLegs(z.Route)
					checkConveyance(z.Conveyance, z.Containers)
					checkParties(z.Parties)
					if len(z.Goods) == 0 {
						fail("no goods")
					}
					for _, g := range z.Goods {
						if !categories(g.Category) || !hs[g.HS] || g.Quantity <= 0 || !units(g.Unit) || g.Description == "" {
							fail("bad goods line %+v", g)
						}
						if g.Value == nil || g.Value.Amount <= 0 || !currencies[g.Value.Currency] {
							fail("bad value %+v", g.Value)
						}
					}
					if z.Narrative == "" || strings.ContainsAny(z.Narrative, "{}") {
						fail("narrative %q is empty or has an unfilled placeholder", z.Narrative)
					}
				case intel.KindWarning:
					w := r.Warning
					if w == nil || r.Seizure != nil || r.Alert != nil {
						fail("warning record without exactly its section")
					}
					if w.Subject == "" || strings.ContainsAny(w.Subject+w.Narrative, "{}") {
						fail("bad subject or narrative %q %q", w.Subject, w.Narrative)
					}
					if !in("check", "discreet-surveillance", "report-sighting")(w.SuggestedAction) || !categories(w.Category) || !transports(w.Transport) {
						fail("bad warning codes")
					}
					if w.ExpectedFrom > w.ExpectedTo || w.ExpectedFrom > soon || w.ExpectedFrom < twoYearsAgo {
						fail("bad expected window %s..%s", w.ExpectedFrom, w.ExpectedTo)
					}
					if len(w.Targets) == 0 || len(w.Indicators) == 0 {
						fail("warning without targets or indicators")
					}
					checkLegs(w.Route)
					checkConveyance(w.Conveyance, w.Containers)
					checkParties(w.Targets)
				case intel.KindAlert:
					a := r.Alert
					if a == nil || r.Seizure != nil || r.Warning != nil {
						fail("alert record without exactly its section")
					}
					if a.Subject == "" || a.Summary == "" || a.ModusOp == "" || !categories(a.Category) || len(a.Indicators) == 0 {
						fail("incomplete alert %+v", a)
					}
					if a.ValidUntil <= day || strings.ContainsAny(a.Narrative, "{}") {
						fail("bad alert validity or narrative")
					}
				default:
					fail("unexpected kind %q", r.Kind)
				}
			}
			if kinds[intel.KindSeizure] < tc.n*7/10 || kinds[intel.KindWarning] == 0 || kinds[intel.KindAlert] == 0 {
				t.Errorf("kind mix %v: want mostly seizures, some warnings and alerts", kinds)
			}
		})
	}
}

func TestRecurringIdentities(t *testing.T) {
	s := MustSample(t, 11, "HK", 2000)
	ids := map[string]synth.Identity{}
	for _, id := range s.gen.Identities() {
		if _, dup := ids[id.ID]; dup {
			t.Fatalf("identity id %s used twice", id.ID)
		}
		ids[id.ID] = id
	}
	spellings := map[string]map[string]bool{}
	parties, pooled := 0, 0
	for i, r := range s.records {
		var list []intel.Party
		prefix := ""
		switch {
		case r.Seizure != nil:
			list, prefix = r.Seizure.Parties, "seizure.parties"
		case r.Warning != nil:
			list, prefix = r.Warning.Targets, "warning.targets"
		}
		if len(s.labels[i]) != len(list) {
			t.Fatalf("record %d: %d labels for %d parties", i, len(s.labels[i]), len(list))
		}
		for j, l := range s.labels[i] {
			if want := fmt.Sprintf("%s[%d]", prefix, j); l.Path != want {
				t.Fatalf("record %d: label path %q, want %q", i, l.Path, want)
			}
			parties++
			if l.Identity == "" {
				if l.Variant != -1 {
					t.Fatalf("record %d: fresh party with variant %d", i, l.Variant)
				}
				continue
			}
			pooled++
			id, ok := ids[l.Identity]
			if !ok || l.Variant < 0 || l.Variant >= len(id.Variants) {
				t.Fatalf("record %d: label %+v does not name a pool variant", i, l)
			}
			p := list[j]
			if p.Name != id.Variants[l.Variant] || p.Type != id.Type {
				t.Fatalf("record %d: party %q (%s) is not variant %d of %s %v", i, p.Name, p.Type, l.Variant, id.ID, id.Variants)
			}
			if p.BirthDate != "" && p.BirthDate != id.BirthDate || p.Document != nil && p.Document.Number != id.Document {
				t.Fatalf("record %d: party %+v contradicts identity %+v", i, p, id)
			}
			if spellings[id.ID] == nil {
				spellings[id.ID] = map[string]bool{}
			}
			spellings[id.ID][p.Name] = true
		}
	}
	share := float64(pooled) / float64(parties)
	if share < 0.15 || share > 0.45 {
		t.Errorf("%.0f%% of %d parties come from the pool, want about 30%%", 100*share, parties)
	}
	multi := 0
	for _, names := range spellings {
		if len(names) >= 2 {
			multi++
		}
	}
	if multi < len(spellings)/2 || multi < 50 {
		t.Errorf("%d of %d recurring identities appear under two or more spellings", multi, len(spellings))
	}
}

func TestIdentities(t *testing.T) {
	g := synth.New(5, "FR")
	list := g.Identities()
	persons, orgs := 0, 0
	for _, id := range list {
		if len(id.Variants) < 2 {
			t.Errorf("%s has fewer than two spellings: %v", id.ID, id.Variants)
		}
		seen := map[string]bool{}
		for _, v := range id.Variants {
			if v == "" || seen[v] {
				t.Errorf("%s: empty or repeated variant in %q", id.ID, id.Variants)
			}
			seen[v] = true
		}
		switch id.Type {
		case "person":
			persons++
			if id.BirthDate < "1950-01-01" || id.BirthDate > "2004-12-31" {
				t.Errorf("%s: birth date %s outside 1950-2004", id.ID, id.BirthDate)
			}
			if id.Nationality == "" || id.Document == "" || id.DocumentCountry == "" {
				t.Errorf("%s: nationality and document (country and number) required: %+v", id.ID, id)
			}
		case "organisation":
			orgs++
			if id.Country == "" || id.Registration == "" {
				t.Errorf("%s: country and registration required: %+v", id.ID, id)
			}
		default:
			t.Errorf("%s: type %q", id.ID, id.Type)
		}
	}
	if persons == 0 || orgs == 0 {
		t.Fatalf("pool has %d persons and %d organisations", persons, orgs)
	}
	list[0].Variants[0] = "changed"
	if g.Identities()[0].Variants[0] == "changed" {
		t.Error("Identities returns the pool itself, not a copy")
	}
}

// scriptOf names the scripts the letters of s belong to.
func scriptsOf(s string) []string {
	var out []string
	for _, sc := range []struct {
		name  string
		table *unicode.RangeTable
	}{
		{"Latin", unicode.Latin}, {"Han", unicode.Han}, {"Cyrillic", unicode.Cyrillic}, {"Arabic", unicode.Arabic},
		{"Hangul", unicode.Hangul}, {"Thai", unicode.Thai}, {"Katakana", unicode.Katakana}, {"Devanagari", unicode.Devanagari},
	} {
		if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(sc.table, r) }) >= 0 {
			out = append(out, sc.name)
		}
	}
	return out
}

func TestScripts(t *testing.T) {
	s := MustSample(t, 3, "HK", 2000)
	found := map[string]int{}
	for _, r := range s.records {
		var list []intel.Party
		if r.Seizure != nil {
			list = r.Seizure.Parties
		}
		if r.Warning != nil {
			list = r.Warning.Targets
		}
		for _, p := range list {
			for _, sc := range scriptsOf(p.Name) {
				found[sc]++
			}
		}
	}
	for _, sc := range []string{"Latin", "Han", "Cyrillic", "Arabic", "Hangul", "Thai"} {
		t.Run(sc, func(t *testing.T) {
			if found[sc] == 0 {
				t.Errorf("no party name in %s script among 2,000 records (found %v)", sc, found)
			}
		})
	}
}

func TestContactDetails(t *testing.T) {
	s := MustSample(t, 9, "JP", 1000)
	withPhone, withEmail := 0, 0
	for _, r := range s.records {
		if r.Seizure == nil {
			continue
		}
		for _, p := range r.Seizure.Parties {
			if p.Type == "person" && len(p.Phones) > 0 {
				withPhone++
			}
			if p.Type == "person" && len(p.Emails) > 0 {
				withEmail++
			}
		}
	}
	if withPhone < 20 || withEmail < 5 {
		t.Errorf("%d persons with a phone and %d with an e-mail address in 1,000 records, want a fraction of them", withPhone, withEmail)
	}
}

func TestNarrativeMatchesGoods(t *testing.T) {
	s := MustSample(t, 21, "", 1000)
	for i, r := range s.records {
		z := r.Seizure
		if z == nil {
			continue
		}
		g := z.Goods[0]
		if g.Category == "money-laundering/cash" {
			if !strings.Contains(z.Narrative, g.Value.Currency) {
				t.Fatalf("record %d: narrative %q does not name the currency seized", i, z.Narrative)
			}
			continue
		}
		qty := formatThousands(g.Quantity)
		text := strings.ToLower(z.Narrative)
		if g.Quantity == 1 && strings.Contains(text, "one ") {
			qty = "one "
		}
		if !strings.Contains(text, qty) {
			t.Fatalf("record %d: narrative %q does not state the quantity %s of the goods line", i, z.Narrative, qty)
		}
		switch z.Concealment {
		case "declared-as-other-goods", "mixed-with-legitimate-cargo", "false-declaration":
			if !strings.Contains(z.Narrative, "eclared") && !strings.Contains(z.Narrative, "declaration") {
				t.Fatalf("record %d: concealment %s but the narrative %q says nothing of the declaration", i, z.Concealment, z.Narrative)
			}
		case "swallowed":
			if !strings.Contains(z.Narrative, "swallowed") {
				t.Fatalf("record %d: narrative %q does not say the goods were swallowed", i, z.Narrative)
			}
		}
		if len(z.Containers) > 0 && z.Transport == "sea" && strings.Contains(z.Narrative, "ontainer ") &&
			!strings.Contains(z.Narrative, z.Containers[0]) && !strings.Contains(z.Narrative, "the container") {
			t.Fatalf("record %d: narrative %q names a container other than %s", i, z.Narrative, z.Containers[0])
		}
	}
}

// formatThousands writes 8000000 as "8,000,000" and 12.5 as "12.5".
func formatThousands(v float64) string {
	s := fmt.Sprintf("%v", v)
	if strings.ContainsAny(s, "e") {
		s = fmt.Sprintf("%.0f", v)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

func TestRecordsCount(t *testing.T) {
	g := synth.New(1, "HK")
	if got := len(g.Records(25, now)); got != 25 {
		t.Fatalf("Records(25) returned %d records", got)
	}
	for _, tc := range []struct {
		name string
		make func(time.Time) *intel.Record
		kind intel.Kind
	}{
		{"Seizure", g.Seizure, intel.KindSeizure},
		{"Warning", g.Warning, intel.KindWarning},
		{"Alert", g.Alert, intel.KindAlert},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := tc.make(now); r.Kind != tc.kind || r.Body() == nil {
				t.Fatalf("%s made a %q record with body %v", tc.name, r.Kind, r.Body())
			}
		})
	}
}

func BenchmarkRecord(b *testing.B) {
	g := synth.New(1, "HK")
	b.ReportAllocs()
	for b.Loop() {
		g.Record(now)
	}
}
