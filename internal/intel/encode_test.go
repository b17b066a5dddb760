package intel_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"

	"liaison/internal/intel"
	"liaison/internal/synth"
)

// MustMarshalBoth encodes r with AppendJSON and with json.Marshal and fails
// unless both give the same bytes (or both fail).
func MustMarshalBoth(tb testing.TB, r *intel.Record) {
	tb.Helper()
	want, wantErr := json.Marshal(r)
	got, err := intel.AppendJSON([]byte("prefix"), r)
	if (err != nil) != (wantErr != nil) {
		tb.Fatalf("AppendJSON error %v, json.Marshal error %v", err, wantErr)
	}
	if wantErr != nil {
		if string(got) != "prefix" {
			tb.Fatalf("AppendJSON wrote %q before failing", got)
		}
		return
	}
	if !bytes.HasPrefix(got, []byte("prefix")) {
		tb.Fatalf("AppendJSON lost the start of the buffer: %q", got)
	}
	if got = got[len("prefix"):]; !bytes.Equal(got, want) {
		tb.Fatalf("AppendJSON differs from json.Marshal\n got %s\nwant %s", got, want)
	}
}

func TestAppendJSONSyntheticCorpus(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, origin := range []string{"HK", "CN", "FR", "RU", "JP"} {
		t.Run(origin, func(t *testing.T) {
			kinds := map[intel.Kind]int{}
			for _, r := range synth.New(7, origin).Records(2000, now) {
				kinds[r.Kind]++
				MustMarshalBoth(t, r)
			}
			if len(kinds) == 0 {
				t.Fatal("no records generated")
			}
		})
	}
}

func TestAppendJSONCanonical(t *testing.T) {
	b, err := os.ReadFile("testdata/canonical-seizure.json")
	if err != nil {
		t.Fatal(err)
	}
	var r intel.Record
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	MustMarshalBoth(t, &r)
}

func TestAppendJSONCases(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 890123000, time.FixedZone("HKT", 8*3600))
	zero := time.Time{}
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	odd := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 25*3600))
	tests := []struct {
		name string
		r    *intel.Record
	}{
		{"nil", nil},
		{"empty", &intel.Record{}},
		{"escapes", &intel.Record{Kind: intel.KindAlert, Title: "<b>\"quoted\" & \\slashed\\</b>\b\f\n\r\t\x00\x1f\x7f",
			Alert: &intel.Alert{Subject: "line\u2028para\u2029end", Summary: "bad \xff\xfe utf-8 \xe2\x82 and 中文 Ελληνικά"}}},
		{"times", &intel.Record{Kind: intel.KindSeizure, Created: &at, Updated: &zero,
			Retraction: &intel.Retraction{At: at.UTC(), Reason: "duplicate"}}},
		{"year out of range", &intel.Record{Created: &far}},
		{"zone out of range", &intel.Record{Created: &odd}},
		{"numbers", &intel.Record{Kind: intel.KindSeizure, Version: -3, Seizure: &intel.Seizure{Goods: []intel.Goods{
			{Quantity: 0}, {Quantity: 1e21}, {Quantity: 1e-7}, {Quantity: 123456789.125}, {Quantity: -0.000001},
			{Quantity: 5e-324, Value: &intel.Money{Amount: math.MaxFloat64}}, {Quantity: math.Copysign(0, -1)},
		}}}},
		{"nan", &intel.Record{Seizure: &intel.Seizure{Goods: []intel.Goods{{Quantity: math.NaN()}}}}},
		{"infinity", &intel.Record{Seizure: &intel.Seizure{Goods: []intel.Goods{{Value: &intel.Money{Amount: math.Inf(-1)}}}}}},
		{"empty and nil lists", &intel.Record{Kind: intel.KindRequest,
			Distribution: intel.Distribution{Recipients: []string{}},
			Request:      &intel.Request{Questions: []string{}, Related: []string{}, Parties: []intel.Party{}}}},
		{"nil required lists", &intel.Record{Kind: intel.KindSeizure, Seizure: &intel.Seizure{},
			Request: &intel.Request{}}},
		{"every section", &intel.Record{ID: "01J", Kind: intel.KindWarning, Originator: "HK", Version: 2,
			Status: intel.StatusRetracted, Language: "zh-Hant", Title: "t",
			Grading:      intel.Grading{Source: "A", Information: "1"},
			Handling:     intel.Handling{Code: "H3", Conditions: "c"},
			Distribution: intel.Distribution{Scope: "operation", Recipients: []string{"JP", "FR"}, Operation: "op", Region: "r"},
			Retention:    &intel.Retention{Until: "2030-01-01", Days: 30},
			Seizure: &intel.Seizure{Date: "2026-01-01", Place: intel.Place{Country: "HK", Locode: "HKHKG", Office: "o"},
				Conveyance: &intel.Conveyance{VesselIMO: "1", VesselName: "n", Flight: "f", Vehicle: "v", Flag: "PA"},
				Containers: []string{"CSQU3054383"}, Route: []intel.RouteLeg{{Role: "departure", Country: "VN", Locode: "VNSGN"}},
				Goods:       []intel.Goods{{Category: "drugs/cocaine", Description: "d", HS: "1211", Quantity: 2, Unit: "kg"}},
				Concealment: "c", Narrative: "n",
				Parties: []intel.Party{{Type: "person", Role: "r", Name: "n", Aliases: []string{"a"}, BirthDate: "1970-01-01",
					Nationality: "HK", Gender: "f", Document: &intel.Document{Type: "passport", Number: "1", Country: "HK"},
					Country: "HK", Registration: "r", Address: "a", Phones: []string{"+852"}, Emails: []string{"a@b"}}},
				Attachments: []intel.Attachment{{Name: "x.jpg", MediaType: "image/jpeg", SHA256: "ab", Size: 12, Caption: "c"}}},
			Warning: &intel.Warning{Subject: "s", Targets: []intel.Party{{Name: "t"}}, Conveyance: &intel.Conveyance{},
				Containers: []string{"c"}, Route: []intel.RouteLeg{{}}, ExpectedFrom: "f", ExpectedTo: "t", Category: "c",
				Transport: "sea", SuggestedAction: "check", Indicators: []string{"i"}, Narrative: "n"},
			Feedback: &intel.Feedback{Warning: "w", Controlled: true, Result: "seizure", Seizure: "s", Date: "d", Narrative: "n"},
			Request: &intel.Request{Requesting: "HK", Requested: "JP", Agreement: "a", Subject: "s", Questions: []string{"q"},
				Parties: []intel.Party{{}}, Facts: "f", Urgency: "u", Deadline: "d", State: "sent", Related: []string{"r"},
				RelatedSeized: "z"},
			Response: &intel.Response{Request: "r", Outcome: "o", Answers: []string{"a"}, Reason: "r",
				Parties: []intel.Party{{}}, Narrative: "n"},
			Alert: &intel.Alert{Subject: "s", Category: "c", Summary: "s", Indicators: []string{"i"}, ModusOp: "m",
				ValidUntil: "v", Narrative: "n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { MustMarshalBoth(t, tt.r) })
	}
}

// FuzzAppendJSON checks AppendJSON against json.Marshal on records decoded
// from arbitrary JSON (any field, any string, any number).
func FuzzAppendJSON(f *testing.F) {
	if b, err := os.ReadFile("testdata/canonical-seizure.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"alert","title":"<\u2028>\ud800","alert":{"subject":"\u0000","summary":"x"}}`))
	f.Add([]byte(`{"created":"0001-01-01T00:00:00+23:59","seizure":{"goods":[{"quantity":1e-7},{"quantity":1e300}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r intel.Record
		if json.Unmarshal(data, &r) != nil {
			return
		}
		MustMarshalBoth(t, &r)
		// Strings as Go holds them, invalid UTF-8 included.
		r.Title = string(data)
		MustMarshalBoth(t, &r)
	})
}

func BenchmarkAppendJSON(b *testing.B) {
	rs := synth.New(7, "HK").Records(1000, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	b.Run("AppendJSON", func(b *testing.B) {
		var buf []byte
		for i := 0; b.Loop(); i++ {
			var err error
			if buf, err = intel.AppendJSON(buf[:0], rs[i%len(rs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := json.Marshal(rs[i%len(rs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
