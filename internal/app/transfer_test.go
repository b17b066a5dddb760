package app

import (
	"errors"
	"strings"
	"testing"

	"liaison/internal/fault"
)

func TestReadCSVRefusesBadSheets(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "no header row"},
		{"unknown column", "date,colour\n", `unknown column "colour"`},
		{"missing column", "date,country\n", `missing required column "direction"`},
		{"bad number", "date,country,direction,category,quantity,unit,grading_source,grading_information,handling,distribution\n" +
			"2026-01-01,HK,import,drugs/cocaine,lots,kg,B,2,H0,originator\n", `line 2: column quantity: "lots" is not a number`},
		{"bad quoting", "date,country,direction,category,quantity,unit,grading_source,grading_information,handling,distribution\n" +
			"2026-01-01,\"HK,import\n", "line 2"},
		{"column twice", "date,country,direction,category,quantity,unit,grading_source,grading_information,handling,distribution,Date\n",
			`line 1: column "date" appears twice (columns 1 and 11)`},
		{"decimal comma", "date,country,direction,category,quantity,unit,grading_source,grading_information,handling,distribution\n" +
			"2026-01-01,HK,import,drugs/cocaine,\"1,5\",kg,B,2,H0,originator\n", `line 2: column quantity: "1,5" is not a number`},
		{"short row", "date,country,direction,category,quantity,unit,grading_source,grading_information,handling,distribution\n" +
			"2026-01-01,HK,import,drugs/cocaine,1,kg,B,2,H0,originator\n2026-01-01,HK,import\n", "line 3: 3 columns, but the header has 10"},
		{"not utf-8", "date,country,direction,category,quantity,unit,grading_source,grading_information,handling,distribution,narrative\n" +
			"2026-01-01,HK,import,drugs/cocaine,1,kg,B,2,H0,originator,M\xfcller\n", "line 2: column narrative: not valid UTF-8"},
		{"semicolons", "date;country;direction\n", "columns must be separated by commas"},
		{"empty json", "id,json\n1,\n", "line 2: no record"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readCSV(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestReadCSVSpreadsheetRow(t *testing.T) {
	in := "Date,Country,Locode,Direction,Category,HS,Quantity,Unit,Value,Currency,Containers,Grading_Source,Grading_Information,Handling,Distribution,Recipients,Person_Name,Person_Document\n" +
		"2026-09-01,hk,hkhkg,import,drugs/cocaine,293979,\"1,250\",kg,9000000,usd,CSQU3054383; MSCU1234565,b,2,h0,bilateral,jp;fr,Chan Tai Man,K01234567\n"
	recs, lines, err := readCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || lines[0] != 2 {
		t.Fatalf("got %d records at lines %v", len(recs), lines)
	}
	r := recs[0]
	s := r.Seizure
	if s.Place.Country != "HK" || s.Place.Locode != "HKHKG" || s.Goods[0].Quantity != 1250 || s.Goods[0].Value.Currency != "USD" {
		t.Fatalf("row not read as written: %+v", s)
	}
	if len(s.Containers) != 2 || s.Containers[1] != "MSCU1234565" || len(r.Distribution.Recipients) != 2 || r.Distribution.Recipients[1] != "FR" {
		t.Fatalf("lists not split: %v %v", s.Containers, r.Distribution.Recipients)
	}
	if len(s.Parties) != 1 || s.Parties[0].Document.Number != "K01234567" {
		t.Fatalf("person not read: %+v", s.Parties)
	}
}

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1250", 1250, true}, {"1,250", 1250, true}, {"1,250,000.5", 1250000.5, true}, {"-3", -3, true},
		{"1,5", 0, false}, {"1.234,5", 0, false}, {"12,50", 0, false}, {",250", 0, false}, {"lots", 0, false},
		{"0,125", 0, false}, {"-0,500", 0, false}, {"012,500", 0, false},
	} {
		got, ok := parseNumber(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLineOfNamesTheFileLine(t *testing.T) {
	err := fault.List{fault.Field("records[1].seizure.goods[0].hs", "chapter 77 is reserved"), fault.Field("records[1].kind", "x")}
	got := lineOf(err, []int{1, 7}).Error()
	want := "line 7: seizure.goods[0].hs: chapter 77 is reserved (and 1 more errors)"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	dup := fault.List{fault.Field("records[1].id", "same id as records[0]")}
	if got, want := lineOf(dup, []int{3, 5}).Error(), "line 5: id: same id as the record on line 3"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	other := errors.New("disk full")
	if lineOf(other, []int{1}) != other {
		t.Fatal("an error without a record index must pass through unchanged")
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("date,country,direction,category,quantity,unit,grading_source,grading_information,handling,distribution\n2026-01-01,HK,import,drugs/cocaine,1,kg,B,2,H0,originator\n")
	f.Add("id,json\n1,\"{\"\"kind\"\":\"\"alert\"\"}\"\n")
	f.Add("\ufeffdate\n")
	f.Fuzz(func(t *testing.T, in string) {
		recs, lines, err := readCSV(strings.NewReader(in))
		if err == nil && len(recs) != len(lines) {
			t.Fatalf("%d records but %d line numbers", len(recs), len(lines))
		}
	})
}

func FuzzReadJSONL(f *testing.F) {
	f.Add("{\"kind\":\"alert\"}\n\n{\"kind\":\"seizure\"}")
	f.Add("{\"kind\":\"alert\"} {}")
	f.Fuzz(func(t *testing.T, in string) {
		recs, lines, err := readJSONL(strings.NewReader(in))
		if err == nil && len(recs) != len(lines) {
			t.Fatalf("%d records but %d line numbers", len(recs), len(lines))
		}
	})
}

func TestReadJSONLNamesTheMemberAtFault(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`{"kind":"seizure","seizure":{"goods":[{"hs":"090111"},{"hs":"090111","colour":"red"}]}}`, "line 2: seizure.goods[1].colour: unknown field"},
		{`{"kind":"seizure","seizure":{"goods":[{"quantity":1},{"quantity":"lots"}]}}`, "line 2: seizure.goods[1].quantity: expected a number, found string"},
	} {
		_, _, err := readJSONL(strings.NewReader("\n" + tc.line + "\n"))
		if err == nil || err.Error() != tc.want {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}

func TestReadJSONLRefusesBadLines(t *testing.T) {
	rec := `{"kind":"alert"}`
	for _, tc := range []struct{ name, in, want string }{
		{"too long", rec + "\n" + `{"title":"` + strings.Repeat("x", maxLine) + `"}` + "\n", "line 2: longer than 4 MiB"},
		{"not utf-8", rec + "\n" + `{"title":"M` + "\xfc" + `ller"}` + "\n", "line 2: byte 12: not valid UTF-8"},
		{"array", "[" + rec + "]\n", "line 1: a record must be a JSON object, found array"},
		{"spread over lines", "{\n" + `"kind":"alert"}` + "\n", "line 1: malformed JSON: the record ends before it is complete"},
		{"malformed", `{"kind" "alert"}`, "line 1: malformed JSON at byte 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readJSONL(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestReadJSONLSkipsByteOrderMark(t *testing.T) {
	recs, lines, err := readJSONL(strings.NewReader("\ufeff{\"kind\":\"alert\"}\r\n\r\n{\"kind\":\"alert\"}\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || lines[0] != 1 || lines[1] != 3 {
		t.Fatalf("got %d records at lines %v, want 2 at lines 1 and 3", len(recs), lines)
	}
}
