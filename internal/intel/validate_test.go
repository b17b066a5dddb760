package intel

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"liaison/internal/fault"
	"liaison/internal/shareddata"
)

// canonicalNow is the time the canonical seizure of DESIGN §4 is validated
// at: 26 November 2026, in the afternoon UTC.
func canonicalNow() time.Time { return time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC) }

// fakeCodes is a small Codes with fixed code lists, enough for the records
// used in these tests. The real implementation lives in internal/directory.
type fakeCodes struct {
	countries, units, currencies, categories map[string]bool
	transports, detections, concealments     map[string]bool
	hsFull                                   bool
	hsCodes                                  map[string]bool // 4- and 6-digit codes, used when hsFull
	hsChapters                               map[string]bool // nil: 01-97 except 77
	reservedChapters                         map[string]bool
}

func set(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

func newFakeCodes() *fakeCodes {
	return &fakeCodes{
		countries:        set("HK", "JP", "VN", "CN", "FR", "DE", "US", "GB", "MO", "SG", "KR", "TH", "PA", "LR", "NL", "BE"),
		units:            set("piece", "kg", "g", "l", "carton", "head"),
		currencies:       set("HKD", "USD", "EUR", "JPY", "CNY", "VND"),
		categories:       set("revenue/cigarettes", "drugs/cocaine", "drugs/methamphetamine", "environment/cites-fauna", "security/weapons", "money-laundering/cash"),
		transports:       set("sea", "air", "road", "rail", "postal", "express", "passenger"),
		detections:       set("x-ray", "risk-profile", "dog", "intelligence", "random-check"),
		concealments:     set("mixed-with-legitimate-cargo", "false-compartment", "body", "luggage"),
		reservedChapters: set("77", "98", "99"),
	}
}

func (c *fakeCodes) Country(code string) bool { return c.countries[code] }
func (c *fakeCodes) HSChapter(ch string) (known, reserved bool) {
	if c.reservedChapters[ch] {
		return true, true
	}
	if c.hsChapters != nil {
		return c.hsChapters[ch], false
	}
	n, err := strconv.Atoi(ch)
	return err == nil && len(ch) == 2 && n >= 1 && n <= 97, false
}
func (c *fakeCodes) HSFull() bool                 { return c.hsFull }
func (c *fakeCodes) HSCode(code string) bool      { return c.hsCodes[code] }
func (c *fakeCodes) Unit(code string) bool        { return c.units[code] }
func (c *fakeCodes) Currency(code string) bool    { return c.currencies[code] }
func (c *fakeCodes) Category(code string) bool    { return c.categories[code] }
func (c *fakeCodes) Transport(code string) bool   { return c.transports[code] }
func (c *fakeCodes) Detection(code string) bool   { return c.detections[code] }
func (c *fakeCodes) Concealment(code string) bool { return c.concealments[code] }

// MustReadCSV reads every row of a CSV file after its header and returns
// them with the column index of each header name.
func MustReadCSV(tb testing.TB, path string) (rows [][]string, col map[string]int) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open reference data: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		tb.Fatalf("read header of %s: %v", path, err)
	}
	col = make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, col
		}
		if err != nil {
			tb.Fatalf("read %s: %v", path, err)
		}
		rows = append(rows, row)
	}
}

// MustLoadReferenceCodes returns fake code lists whose countries and full HS
// 2022 nomenclature come from the shared reference data files.
func MustLoadReferenceCodes(tb testing.TB) *fakeCodes {
	tb.Helper()
	dir := shareddata.Dir()
	c := newFakeCodes()

	rows, col := MustReadCSV(tb, filepath.Join(dir, "country-codes.csv"))
	alpha2, ok := col["ISO3166-1-Alpha-2"]
	if !ok {
		tb.Fatal("country-codes.csv has no ISO3166-1-Alpha-2 column")
	}
	c.countries = map[string]bool{}
	for _, row := range rows {
		if code := row[alpha2]; len(code) == 2 {
			c.countries[code] = true
		}
	}

	rows, col = MustReadCSV(tb, filepath.Join(dir, "harmonized-system.csv"))
	section, code := col["section"], col["hscode"]
	c.hsFull = true
	c.hsCodes = map[string]bool{}
	c.hsChapters = map[string]bool{}
	for _, row := range rows {
		if row[section] == "TOTAL" { // catch-all rows, not part of HS
			continue
		}
		switch hs := row[code]; len(hs) {
		case 2:
			c.hsChapters[hs] = true
		case 4, 6:
			c.hsCodes[hs] = true
		}
	}
	if len(c.countries) < 240 || len(c.hsChapters) != 96 || len(c.hsCodes) < 6000 {
		tb.Fatalf("reference data incomplete: %d countries, %d chapters, %d codes",
			len(c.countries), len(c.hsChapters), len(c.hsCodes))
	}
	return c
}

// MustDecodeRecord decodes one record, refusing unknown fields as the REST
// API does.
func MustDecodeRecord(tb testing.TB, data []byte) *Record {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Record
	if err := dec.Decode(&r); err != nil {
		tb.Fatalf("decode record: %v", err)
	}
	return &r
}

// MustCanonicalSeizure returns a fresh copy of the canonical seizure of
// DESIGN §4.
func MustCanonicalSeizure(tb testing.TB) *Record {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "canonical-seizure.json"))
	if err != nil {
		tb.Fatalf("read canonical seizure: %v", err)
	}
	return MustDecodeRecord(tb, data)
}

// MustFieldErrors returns the field errors of a Validate error, failing when
// err is not a fault.List of invalid-field errors.
func MustFieldErrors(tb testing.TB, err error) fault.List {
	tb.Helper()
	if err == nil {
		return nil
	}
	var l fault.List
	if !errors.As(err, &l) || len(l) == 0 {
		tb.Fatalf("Validate error %v (%T) is not a non-empty fault.List", err, err)
	}
	if fault.KindOf(err) != fault.Invalid {
		tb.Fatalf("Validate error kind = %s, want %s", fault.KindOf(err), fault.Invalid)
	}
	for _, e := range l {
		if e.Kind != fault.Invalid || e.Field == "" || e.Message == "" {
			tb.Fatalf("Validate error entry %+v lacks kind, field or message", e)
		}
	}
	return l
}

func TestValidateCanonicalSeizure(t *testing.T) {
	r := MustCanonicalSeizure(t)
	warnings, err := Validate(r, newFakeCodes(), canonicalNow())
	if err != nil {
		t.Errorf("Validate(canonical seizure) error: %v", err)
	}
	if len(warnings) != 0 {
		t.Errorf("Validate(canonical seizure) warnings: %+v", warnings)
	}
}

func TestValidateWithReferenceData(t *testing.T) {
	codes := MustLoadReferenceCodes(t)
	tests := []struct {
		hs      string
		wantMsg string // "" means valid
	}{
		{"240220", ""},
		{"2402", ""},
		{"24", ""},
		{"240299", `HS code "240299": subheading 240299 does not exist in HS 2022`},
		{"249900", `HS code "249900": heading 2499 does not exist in HS 2022`},
		{"770100", `HS code "770100": chapter 77 is reserved in HS 2022`},
		{"990000", `chapter 99 is reserved`},
	}
	for _, tt := range tests {
		t.Run(tt.hs, func(t *testing.T) {
			r := MustCanonicalSeizure(t)
			r.Seizure.Goods[0].HS = tt.hs
			_, err := Validate(r, codes, canonicalNow())
			errs := MustFieldErrors(t, err)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Validate with HS %s: %v", tt.hs, err)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != "seizure.goods[0].hs" || !strings.Contains(errs[0].Message, tt.wantMsg) {
				t.Fatalf("Validate with HS %s = %v, want one error on seizure.goods[0].hs saying %q", tt.hs, err, tt.wantMsg)
			}
		})
	}
}

func TestValidateSeizure(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // two bytes, one character
	tests := []struct {
		name    string
		mutate  func(r *Record)
		field   string // "" means the record stays valid
		wantMsg string
	}{
		{"container wrong check digit", func(r *Record) { r.Seizure.Containers[0] = "CSQU3054384" },
			"seizure.containers[0]", `container "CSQU3054384" has check digit 4, expected 3 (ISO 6346)`},
		{"container written with spaces", func(r *Record) { r.Seizure.Containers[0] = "CSQU 305438 3" }, "", ""},
		{"container empty", func(r *Record) { r.Seizure.Containers = append(r.Seizure.Containers, " ") },
			"seizure.containers[1]", "container number is empty"},
		{"HS reserved chapter", func(r *Record) { r.Seizure.Goods[0].HS = "770100" },
			"seizure.goods[0].hs", `HS code "770100": chapter 77 is reserved in HS 2022`},
		{"HS unknown chapter", func(r *Record) { r.Seizure.Goods[0].HS = "000000" },
			"seizure.goods[0].hs", `HS code "000000": chapter 00 does not exist in HS 2022`},
		{"HS five digits", func(r *Record) { r.Seizure.Goods[0].HS = "24022" },
			"seizure.goods[0].hs", `HS code "24022" must be 2, 4 or 6 digits`},
		{"HS with a dot", func(r *Record) { r.Seizure.Goods[0].HS = "2402.2" },
			"seizure.goods[0].hs", `HS code "2402.2" must be 2, 4 or 6 digits`},
		{"HS absent", func(r *Record) { r.Seizure.Goods[0].HS = "" }, "", ""},
		{"country XX", func(r *Record) { r.Seizure.Place.Country = "XX" },
			"seizure.place.country", `country "XX" is not an ISO 3166-1 code`},
		{"country lower case", func(r *Record) { r.Seizure.Place.Country = "hk" },
			"seizure.place.country", `country "hk" must be written in capitals: "HK"`},
		{"country missing", func(r *Record) { r.Seizure.Place.Country = "" },
			"seizure.place.country", `country is required`},
		{"seizure date in the future", func(r *Record) { r.Seizure.Date = "2026-11-27" },
			"seizure.date", `seizure date "2026-11-27" is in the future`},
		{"seizure date today", func(r *Record) { r.Seizure.Date = "2026-11-26" }, "", ""},
		{"seizure date not in the calendar", func(r *Record) { r.Seizure.Date = "2026-02-30" },
			"seizure.date", `seizure date "2026-02-30" is not a valid date (YYYY-MM-DD)`},
		{"seizure date not ISO", func(r *Record) { r.Seizure.Date = "14/10/2026" },
			"seizure.date", `seizure date "14/10/2026" is not a valid date`},
		{"seizure date missing", func(r *Record) { r.Seizure.Date = "" },
			"seizure.date", `seizure date is required`},
		{"zero quantity", func(r *Record) { r.Seizure.Goods[0].Quantity = 0 },
			"seizure.goods[0].quantity", `quantity must be greater than 0, not 0`},
		{"negative quantity", func(r *Record) { r.Seizure.Goods[0].Quantity = -2.5 },
			"seizure.goods[0].quantity", `quantity must be greater than 0, not -2.5`},
		{"unknown unit", func(r *Record) { r.Seizure.Goods[0].Unit = "crate" },
			"seizure.goods[0].unit", `unit "crate" is not in the code list of units`},
		{"missing unit", func(r *Record) { r.Seizure.Goods[0].Unit = "" },
			"seizure.goods[0].unit", `unit is required`},
		{"unknown currency", func(r *Record) { r.Seizure.Goods[0].Value.Currency = "HKX" },
			"seizure.goods[0].value.currency", `currency "HKX" is not an ISO 4217 code`},
		{"negative value", func(r *Record) { r.Seizure.Goods[0].Value.Amount = -1 },
			"seizure.goods[0].value.amount", `value -1 must not be negative`},
		{"unknown category", func(r *Record) { r.Seizure.Goods[0].Category = "revenue/cigarets" },
			"seizure.goods[0].category", `commodity category "revenue/cigarets" is not known`},
		{"section as category", func(r *Record) { r.Seizure.Goods[0].Category = "revenue" },
			"seizure.goods[0].category", `commodity category "revenue" is not known`},
		{"no goods", func(r *Record) { r.Seizure.Goods = nil },
			"seizure.goods", `a seizure needs at least one goods line`},
		{"bad direction", func(r *Record) { r.Seizure.Direction = "inbound" },
			"seizure.direction", `direction "inbound" must be one of import, export, transit, domestic`},
		{"unknown detection", func(r *Record) { r.Seizure.Detection = "sniffer" },
			"seizure.detection", `detection method "sniffer" is not in the code list`},
		{"unknown transport", func(r *Record) { r.Seizure.Transport = "camel" },
			"seizure.transport", `transport mode "camel" is not in the code list`},
		{"unknown concealment", func(r *Record) { r.Seizure.Concealment = "inside" },
			"seizure.concealment", `concealment method "inside" is not in the code list`},
		{"bad grading source", func(r *Record) { r.Grading.Source = "D" },
			"grading.source", `source reliability "D" must be one of A, B, C, X`},
		{"bad grading information", func(r *Record) { r.Grading.Information = "5" },
			"grading.information", `information assessment "5" must be one of 1, 2, 3, 4`},
		{"missing grading", func(r *Record) { r.Grading.Source = "" },
			"grading.source", `source reliability is required: one of A, B, C, X`},
		{"bad handling code", func(r *Record) { r.Handling.Code = "H4" },
			"handling.code", `handling code "H4" must be one of H0, H1, H2, H3`},
		{"missing handling code", func(r *Record) { r.Handling.Code = "" },
			"handling.code", `handling code is required`},
		{"H3 without conditions", func(r *Record) { r.Handling.Code = "H3" },
			"handling.conditions", `handling code H3 needs the restrictions that apply`},
		{"H3 with conditions", func(r *Record) {
			r.Handling = Handling{Code: "H3", Conditions: "Not to be shared with port authorities."}
		}, "", ""},
		{"LOCODE too short", func(r *Record) { r.Seizure.Place.Locode = "HKHK" },
			"seizure.place.locode", `UN/LOCODE "HKHK" must be 5 characters`},
		{"LOCODE with digit 1", func(r *Record) { r.Seizure.Place.Locode = "HKHK1" },
			"seizure.place.locode", `UN/LOCODE "HKHK1" has location part "HK1"`},
		{"LOCODE unknown country", func(r *Record) { r.Seizure.Route[0].Locode = "XXSGN" },
			"seizure.route[0].locode", `UN/LOCODE "XXSGN" starts with "XX", which is not an ISO 3166-1 code`},
		{"LOCODE in another country", func(r *Record) { r.Seizure.Route[1].Locode = "VNSGN" },
			"seizure.route[1].locode", `UN/LOCODE "VNSGN" is in VN, but the country given is "HK"`},
		{"route role unknown", func(r *Record) { r.Seizure.Route[0].Role = "origin" },
			"seizure.route[0].role", `route role "origin" must be one of departure, transit, destination`},
		{"bilateral without recipients", func(r *Record) { r.Distribution.Recipients = nil },
			"distribution.recipients", `bilateral distribution needs at least one recipient`},
		{"recipient XX", func(r *Record) { r.Distribution.Recipients = []string{"JP", "XX"} },
			"distribution.recipients[1]", `recipient "XX" is not an ISO 3166-1 code`},
		{"recipient twice", func(r *Record) { r.Distribution.Recipients = []string{"JP", "FR", "JP"} },
			"distribution.recipients[2]", `recipient "JP" is listed twice`},
		{"unknown scope", func(r *Record) { r.Distribution.Scope = "public" },
			"distribution.scope", `distribution scope "public" must be one of originator, bilateral, region, operation, wco`},
		{"operation without id", func(r *Record) { r.Distribution = Distribution{Scope: ScopeOperation} },
			"distribution.operation", `distribution to an operation needs the operation id`},
		{"operation with id", func(r *Record) { r.Distribution = Distribution{Scope: ScopeOperation, Operation: "WESTERLIES-2026"} }, "", ""},
		{"originator naming recipients", func(r *Record) { r.Distribution.Scope = ScopeOriginator },
			"distribution.recipients", `names no recipients`},
		{"retention negative days", func(r *Record) { r.Retention = &Retention{Days: -1} },
			"retention.days", `retention of -1 days must not be negative`},
		{"retention bad date", func(r *Record) { r.Retention = &Retention{Until: "2031-06-31"} },
			"retention.until", `retention date "2031-06-31" is not a valid date`},
		{"retention in the future", func(r *Record) { r.Retention = &Retention{Until: "2031-06-30", Days: 1800} }, "", ""},
		{"nationality XX", func(r *Record) { r.Seizure.Parties[0].Nationality = "XX" },
			"seizure.parties[0].nationality", `nationality "XX" is not an ISO 3166-1 code`},
		{"document country XX", func(r *Record) { r.Seizure.Parties[0].Document.Country = "XX" },
			"seizure.parties[0].document.country", `country "XX" is not an ISO 3166-1 code`},
		{"organisation country XX", func(r *Record) { r.Seizure.Parties[1].Country = "XX" },
			"seizure.parties[1].country", `country "XX" is not an ISO 3166-1 code`},
		{"birth date in the future", func(r *Record) { r.Seizure.Parties[0].BirthDate = "2027-03-02" },
			"seizure.parties[0].birth_date", `birth date "2027-03-02" is in the future`},
		{"birth date typed with a wrong century", func(r *Record) { r.Seizure.Parties[0].BirthDate = "0975-03-02" },
			"seizure.parties[0].birth_date", `birth date "0975-03-02" is before 1900`},
		{"organisation with birth date", func(r *Record) { r.Seizure.Parties[1].BirthDate = "1990-01-01" },
			"seizure.parties[1].birth_date", `birth_date is given for persons, not organisations`},
		{"party type unknown", func(r *Record) { r.Seizure.Parties[1].Type = "company" },
			"seizure.parties[1].type", `party type "company" must be one of person, organisation`},
		{"party without name", func(r *Record) { r.Seizure.Parties[0].Name = "  " },
			"seizure.parties[0].name", `name is required`},
		{"name too long", func(r *Record) { r.Seizure.Parties[0].Name = long(MaxNameLength + 1) },
			"seizure.parties[0].name", `name is too long: 301 characters, the limit is 300`},
		{"name at the limit", func(r *Record) { r.Seizure.Parties[0].Name = long(MaxNameLength) }, "", ""},
		{"document without number", func(r *Record) { r.Seizure.Parties[0].Document.Number = "" },
			"seizure.parties[0].document.number", `document number is required`},
		{"document without type", func(r *Record) { r.Seizure.Parties[0].Document.Type = "" },
			"seizure.parties[0].document.type", `document type is required`},
		{"narrative too long", func(r *Record) { r.Seizure.Narrative = long(MaxTextLength + 1) },
			"seizure.narrative", `narrative is too long: 20001 characters, the limit is 20000`},
		{"narrative at the limit", func(r *Record) { r.Seizure.Narrative = long(MaxTextLength) }, "", ""},
		{"IMO not seven digits", func(r *Record) { r.Seizure.Conveyance.VesselIMO = "IMO 907472" },
			"seizure.conveyance.vessel_imo", `IMO number "907472" must be 7 digits`},
		{"flag XX", func(r *Record) { r.Seizure.Conveyance.Flag = "XX" },
			"seizure.conveyance.flag", `flag "XX" is not an ISO 3166-1 code`},
		{"attachment without digest", func(r *Record) {
			r.Seizure.Attachments = []Attachment{{Name: "xray.png", MediaType: "image/png", Size: 1024}}
		}, "seizure.attachments[0].sha256", `SHA-256 digest "" must be 64 lower-case hexadecimal digits`},
		{"attachment complete", func(r *Record) {
			r.Seizure.Attachments = []Attachment{{Name: "xray.png", MediaType: "image/png", Size: 1024,
				SHA256: strings.Repeat("ab", 32), Caption: "X-ray image of the container"}}
		}, "", ""},
		{"language tag", func(r *Record) { r.Language = "zh-Hant" }, "", ""},
		{"language not a tag", func(r *Record) { r.Language = "Chinese (traditional)" },
			"language", `language "Chinese (traditional)" is not a language tag`},
		{"id not a ULID", func(r *Record) { r.ID = "42" },
			"id", `id "42" is not a record id`},
		{"originator XX", func(r *Record) { r.Originator = "XX" },
			"originator", `originator "XX" is not an ISO 3166-1 code`},
		{"unknown status", func(r *Record) { r.Status = "deleted" },
			"status", `status "deleted" must be one of active, retracted`},
		{"retracted without retraction", func(r *Record) { r.Status = StatusRetracted },
			"retraction", `a retracted record needs its retraction`},
		{"retracted with retraction", func(r *Record) {
			r.Status = StatusRetracted
			r.Retraction = &Retraction{At: canonicalNow(), Reason: "entered twice"}
		}, "", ""},
		{"version negative", func(r *Record) { r.Version = -1 },
			"version", `version -1 must not be negative`},
		{"section of another kind", func(r *Record) { r.Alert = &Alert{Subject: "s", Summary: "s"} },
			"alert", `a seizure record must not carry the "alert" section`},
		{"kind section missing", func(r *Record) { r.Seizure = nil },
			"seizure", `a seizure record needs its "seizure" section`},
	}
	codes := newFakeCodes()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MustCanonicalSeizure(t)
			tt.mutate(r)
			_, err := Validate(r, codes, canonicalNow())
			errs := MustFieldErrors(t, err)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want no error", err)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("Validate = %v, want exactly one error on %s", err, tt.field)
			}
			if errs[0].Field != tt.field {
				t.Errorf("error field = %q, want %q (error: %v)", errs[0].Field, tt.field, errs[0])
			}
			if !strings.Contains(errs[0].Message, tt.wantMsg) {
				t.Errorf("error message = %q, want it to contain %q", errs[0].Message, tt.wantMsg)
			}
		})
	}
}

func TestValidateIMOCheckDigitWarns(t *testing.T) {
	codes := newFakeCodes()
	t.Run("seizure", func(t *testing.T) {
		r := MustCanonicalSeizure(t)
		r.Seizure.Conveyance.VesselIMO = "IMO 9074728"
		warnings, err := Validate(r, codes, canonicalNow())
		if err != nil {
			t.Fatalf("Validate = %v, want no error for a bad IMO check digit", err)
		}
		if len(warnings) != 1 {
			t.Fatalf("warnings = %+v, want exactly one", warnings)
		}
		if w := warnings[0]; w.Field != "seizure.conveyance.vessel_imo" ||
			!strings.Contains(w.Message, `IMO number "9074728" has check digit 8, expected 9`) {
			t.Errorf("warning = %+v, want one on seizure.conveyance.vessel_imo naming the check digit", w)
		}
	})
	t.Run("warning is still returned with errors", func(t *testing.T) {
		r := MustCanonicalSeizure(t)
		r.Seizure.Conveyance.VesselIMO = "9074728"
		r.Seizure.Place.Country = "XX"
		warnings, err := Validate(r, codes, canonicalNow())
		if errs := MustFieldErrors(t, err); len(errs) != 1 || errs[0].Field != "seizure.place.country" {
			t.Errorf("errors = %v, want one on seizure.place.country", err)
		}
		if len(warnings) != 1 || warnings[0].Field != "seizure.conveyance.vessel_imo" {
			t.Errorf("warnings = %+v, want one on seizure.conveyance.vessel_imo", warnings)
		}
	})
	t.Run("warning JSON", func(t *testing.T) {
		b, err := json.Marshal(FieldWarning{Field: "f", Message: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), `{"field":"f","message":"m"}`; got != want {
			t.Errorf("FieldWarning JSON = %s, want %s", got, want)
		}
	})
}

func TestValidateReportsEveryError(t *testing.T) {
	r := MustCanonicalSeizure(t)
	r.Grading.Source = "E"
	r.Seizure.Place.Country = "XX"
	r.Seizure.Containers[0] = "CSQU3054384"
	r.Seizure.Goods[0].HS = "770100"
	r.Seizure.Goods[0].Quantity = 0
	r.Seizure.Goods = append(r.Seizure.Goods, Goods{Category: "drugs/cocaine", Quantity: 12.5, Unit: "barrel"})
	r.Seizure.Parties[0].Nationality = "XX"

	_, err := Validate(r, newFakeCodes(), canonicalNow())
	errs := MustFieldErrors(t, err)
	want := []string{
		"grading.source",
		"seizure.place.country",
		"seizure.containers[0]",
		"seizure.goods[0].hs",
		"seizure.goods[0].quantity",
		"seizure.goods[1].unit",
		"seizure.parties[0].nationality",
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Field)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("error fields = %q, want %q", got, want)
	}
	if msg := err.Error(); !strings.Contains(msg, `seizure.containers[0]: container "CSQU3054384" has check digit 4, expected 3 (ISO 6346)`) {
		t.Errorf("error text %q does not name the container and its check digit", msg)
	}
}

func TestValidateDoesNotModify(t *testing.T) {
	r := MustCanonicalSeizure(t)
	r.Seizure.Containers[0] = "csqu 305438-3"
	r.Seizure.Conveyance.VesselIMO = "IMO 9074729"
	before, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Validate(r, newFakeCodes(), canonicalNow()); err != nil {
		t.Fatalf("Validate = %v", err)
	}
	after, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("Validate changed the record:\n%s\n%s", before, after)
	}
}

func TestValidateNil(t *testing.T) {
	if _, err := Validate(nil, newFakeCodes(), canonicalNow()); !fault.Is(err, fault.Invalid) {
		t.Errorf("Validate(nil) = %v, want an invalid error", err)
	}
}

const (
	testWarningID = "01JCZ8Q3W4XG7N2B5D9F0H1K3M"
	testSeizureID = "01JD2Q4XKZ8M3N5P7R9T1V3W5Y"
	testRequestID = "01JD3A0B1C2D3E4F5G6H7J8K9M"
)

// MustRecord returns a valid record of the given kind, other than seizure,
// distributed to all WCO members.
func MustRecord(tb testing.TB, kind Kind) *Record {
	tb.Helper()
	r := &Record{
		Kind:         kind,
		Grading:      Grading{Source: "A", Information: "1"},
		Handling:     Handling{Code: "H2"},
		Distribution: Distribution{Scope: ScopeWCO},
	}
	switch kind {
	case KindWarning:
		r.Warning = &Warning{
			Subject: "Cigarettes declared as frozen fish on the Saigon–Hong Kong service",
			Targets: []Party{{Type: "organisation", Name: "Golden Harvest Trading Co., Ltd.", Country: "VN"},
				{Type: "person", Name: "Nguyen Van An", Nationality: "VN", BirthDate: "1981-07-09"}},
			Containers:      []string{"CSQU3054383"},
			Route:           []RouteLeg{{Role: "departure", Country: "VN", Locode: "VNSGN"}, {Role: "destination", Country: "HK", Locode: "HKHKG"}},
			ExpectedFrom:    "2026-12-01",
			ExpectedTo:      "2026-12-15",
			Category:        "revenue/cigarettes",
			Transport:       "sea",
			SuggestedAction: "discreet-surveillance",
			Indicators:      []string{"reefer container declared as frozen fish", "new consignee"},
		}
	case KindFeedback:
		r.Feedback = &Feedback{Warning: testWarningID, Controlled: true, Result: "seizure", Seizure: testSeizureID, Date: "2026-11-20"}
	case KindRequest:
		r.Request = &Request{
			Requesting: "HK", Requested: "JP", Agreement: "hk-jp-1997",
			Subject:   "Previous shipments of the consignor",
			Questions: []string{"Has the consignor exported to Japan since 2024?"},
			Urgency:   "urgent", Deadline: "2026-12-31", State: "sent",
			Related: []string{testSeizureID},
		}
	case KindResponse:
		r.Response = &Response{Request: testRequestID, Outcome: "answered", Answers: []string{"Two shipments in 2025."}}
	case KindAlert:
		r.Alert = &Alert{Subject: "Cocaine in banana shipments", Category: "drugs/cocaine",
			Summary: "Cocaine concealed in refrigerated fruit containers.", ValidUntil: "2027-06-30"}
	default:
		tb.Fatalf("MustRecord: no example for kind %q", kind)
	}
	return r
}

func TestValidateKinds(t *testing.T) {
	tests := []struct {
		name    string
		kind    Kind
		mutate  func(r *Record)
		field   string // "" means the record stays valid
		wantMsg string
	}{
		{"warning", KindWarning, func(*Record) {}, "", ""},
		{"warning without subject", KindWarning, func(r *Record) { r.Warning.Subject = "" },
			"warning.subject", "subject is required"},
		{"warning unknown action", KindWarning, func(r *Record) { r.Warning.SuggestedAction = "arrest" },
			"warning.suggested_action", `suggested action "arrest" must be one of check, discreet-surveillance, report-sighting`},
		{"warning window reversed", KindWarning, func(r *Record) { r.Warning.ExpectedTo = "2026-11-30" },
			"warning.expected_to", `expected to "2026-11-30" is before expected from "2026-12-01"`},
		{"warning window of one day", KindWarning, func(r *Record) { r.Warning.ExpectedTo = "2026-12-01" }, "", ""},
		{"warning target nationality", KindWarning, func(r *Record) { r.Warning.Targets[1].Nationality = "XX" },
			"warning.targets[1].nationality", `nationality "XX" is not an ISO 3166-1 code`},
		{"warning container", KindWarning, func(r *Record) { r.Warning.Containers[0] = "CSQU3054380" },
			"warning.containers[0]", `has check digit 0, expected 3`},
		{"warning empty indicator", KindWarning, func(r *Record) { r.Warning.Indicators[1] = "" },
			"warning.indicators[1]", `indicator is empty`},
		{"warning category unknown", KindWarning, func(r *Record) { r.Warning.Category = "tobacco" },
			"warning.category", `commodity category "tobacco" is not known`},

		{"feedback", KindFeedback, func(*Record) {}, "", ""},
		{"feedback warning not an id", KindFeedback, func(r *Record) { r.Feedback.Warning = "W-1" },
			"feedback.warning", `warning id "W-1" is not a record id`},
		{"feedback without warning", KindFeedback, func(r *Record) { r.Feedback.Warning = "" },
			"feedback.warning", `warning id is required`},
		{"feedback unknown result", KindFeedback, func(r *Record) { r.Feedback.Result = "maybe" },
			"feedback.result", `result "maybe" must be one of seizure, nothing-found, not-encountered, other`},
		{"feedback seizure without id", KindFeedback, func(r *Record) { r.Feedback.Seizure = "" },
			"feedback.seizure", `a result of seizure needs the id of the seizure record`},
		{"feedback nothing found", KindFeedback, func(r *Record) { r.Feedback.Result, r.Feedback.Seizure = "nothing-found", "" }, "", ""},
		{"feedback in the future", KindFeedback, func(r *Record) { r.Feedback.Date = "2026-12-01" },
			"feedback.date", `feedback date "2026-12-01" is in the future`},

		{"request", KindRequest, func(*Record) {}, "", ""},
		{"request to XX", KindRequest, func(r *Record) { r.Request.Requested = "XX" },
			"request.requested", `requested administration "XX" is not an ISO 3166-1 code`},
		{"request to itself", KindRequest, func(r *Record) { r.Request.Requested = "HK" },
			"request.requested", `is the requesting administration`},
		{"request without requesting", KindRequest, func(r *Record) { r.Request.Requesting = "" },
			"request.requesting", `requesting administration is required`},
		{"request without questions", KindRequest, func(r *Record) { r.Request.Questions = nil },
			"request.questions", `a request needs at least one question`},
		{"request empty question", KindRequest, func(r *Record) { r.Request.Questions = append(r.Request.Questions, "") },
			"request.questions[1]", `question is empty`},
		{"request unknown urgency", KindRequest, func(r *Record) { r.Request.Urgency = "asap" },
			"request.urgency", `urgency "asap" must be one of routine, urgent, immediate`},
		{"request without urgency", KindRequest, func(r *Record) { r.Request.Urgency = "" }, "", ""},
		{"request unknown state", KindRequest, func(r *Record) { r.Request.State = "lost" },
			"request.state", `state "lost" must be one of sent, acknowledged, answered, declined, overdue`},
		{"request bad deadline", KindRequest, func(r *Record) { r.Request.Deadline = "2026-13-01" },
			"request.deadline", `deadline "2026-13-01" is not a valid date`},
		{"request related not an id", KindRequest, func(r *Record) { r.Request.Related = []string{"seizure 12"} },
			"request.related[0]", `related record id "seizure 12" is not a record id`},

		{"response", KindResponse, func(*Record) {}, "", ""},
		{"response without request", KindResponse, func(r *Record) { r.Response.Request = "" },
			"response.request", `request id is required`},
		{"response unknown outcome", KindResponse, func(r *Record) { r.Response.Outcome = "ignored" },
			"response.outcome", `outcome "ignored" must be one of answered, declined, partial`},

		{"alert", KindAlert, func(*Record) {}, "", ""},
		{"alert without summary", KindAlert, func(r *Record) { r.Alert.Summary = "" },
			"alert.summary", `summary is required`},
		{"alert without subject", KindAlert, func(r *Record) { r.Alert.Subject = " " },
			"alert.subject", `subject is required`},
		{"alert bad valid until", KindAlert, func(r *Record) { r.Alert.ValidUntil = "next year" },
			"alert.valid_until", `valid until "next year" is not a valid date`},

		{"kind missing", KindAlert, func(r *Record) { r.Kind = "" },
			"kind", `kind is required: one of seizure, warning, feedback, request, response, alert`},
		{"kind unknown", KindAlert, func(r *Record) { r.Kind = "memo" },
			"kind", `kind "memo" must be one of seizure, warning, feedback, request, response, alert`},
	}
	codes := newFakeCodes()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MustRecord(t, tt.kind)
			tt.mutate(r)
			_, err := Validate(r, codes, canonicalNow())
			errs := MustFieldErrors(t, err)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want no error", err)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Message, tt.wantMsg) {
				t.Fatalf("Validate = %v, want exactly one error on %s containing %q", err, tt.field, tt.wantMsg)
			}
		})
	}
}

func TestValidateKindSectionMismatch(t *testing.T) {
	r := MustRecord(t, KindAlert)
	r.Kind = KindWarning
	_, err := Validate(r, newFakeCodes(), canonicalNow())
	errs := MustFieldErrors(t, err)
	var got []string
	for _, e := range errs {
		got = append(got, e.Field+": "+e.Message)
	}
	want := []string{
		`warning: a warning record needs its "warning" section`,
		`alert: a warning record must not carry the "alert" section`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
}

func TestListsAreCopies(t *testing.T) {
	d := Directions()
	d[0] = "smuggled"
	if Directions()[0] != "import" {
		t.Errorf("changing the slice Directions returned changed the code list")
	}
}

func FuzzValidateJSON(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "canonical-seizure.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, k := range []Kind{KindWarning, KindFeedback, KindRequest, KindResponse, KindAlert} {
		b, err := json.Marshal(MustRecord(f, k))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{`{}`, `null`, `{"kind":"seizure","seizure":{"goods":[{}],"conveyance":{}}}`,
		`{"kind":"warning","warning":{"targets":[{"document":{}}],"route":[{}]}}`,
		`{"kind":"seizure","seizure":{"containers":["CSQU0000070",""],"goods":[{"hs":"7","quantity":1e308,"value":{}}]}}`} {
		f.Add([]byte(s))
	}
	codes := newFakeCodes()
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		before, err := json.Marshal(&r)
		if err != nil {
			return
		}
		warnings, err := Validate(&r, codes, canonicalNow())
		MustFieldErrors(t, err)
		for _, w := range warnings {
			if w.Field == "" || w.Message == "" {
				t.Fatalf("warning %+v lacks field or message", w)
			}
		}
		after, err := json.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			t.Fatalf("Validate changed the record")
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	r := MustCanonicalSeizure(b)
	codes := newFakeCodes()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Validate(r, codes, canonicalNow()); err != nil {
			b.Fatal(err)
		}
	}
}
