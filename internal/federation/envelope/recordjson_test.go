package envelope_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	josejson "github.com/go-jose/go-jose/v4/json"

	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/synth"
)

// fullSeizure is the seizure with every member the record reader knows.
func fullSeizure() intel.Record {
	r := seizure()
	at := t0.Add(-time.Minute)
	r.Title = "Cigarettes in frozen fish"
	r.Handling.Conditions = "none"
	r.Distribution.Operation, r.Distribution.Region = "op-1", "AP"
	r.Retention = &intel.Retention{Until: "2030-01-01", Days: 365}
	r.Retraction = &intel.Retraction{At: at, Reason: "entered in error"}
	r.Seizure.Place.Office = "Kwai Chung"
	r.Seizure.Conveyance = &intel.Conveyance{VesselIMO: "9074729", VesselName: "Ever Given", Flight: "CX500",
		Vehicle: "AB1234", Flag: "PA"}
	r.Seizure.Goods = append(r.Seizure.Goods, intel.Goods{Category: "drugs/cocaine", Quantity: 1.25e-3, Unit: "kg"})
	r.Seizure.Parties[0].Aliases = []string{"Chan T. M.", "陳大文"}
	r.Seizure.Parties[0].Gender = "m"
	r.Seizure.Parties[1].Address = "12 Nguyen Hue, Ho Chi Minh City"
	r.Seizure.Parties[1].Phones = []string{"+84281234567"}
	r.Seizure.Parties[1].Emails = []string{"info@example.vn"}
	r.Seizure.Attachments = []intel.Attachment{{Name: "xray.png", MediaType: "image/png",
		SHA256: strings.Repeat("ab", 32), Size: 123456, Caption: "X-ray image"}}
	return r
}

// fullOthers are records of the other kinds with every member the record
// reader knows.
func fullOthers() map[string]intel.Record {
	base := func(kind intel.Kind) intel.Record {
		r := seizure()
		r.Kind, r.Seizure = kind, nil
		return r
	}
	parties := fullSeizure().Seizure.Parties
	w := base(intel.KindWarning)
	w.Warning = &intel.Warning{Subject: "Cigarettes in reefers", Targets: parties,
		Conveyance: &intel.Conveyance{VesselName: "Ever Given", Flag: "PA"}, Containers: []string{"CSQU3054383"},
		Route:        []intel.RouteLeg{{Role: "departure", Country: "VN", Locode: "VNSGN"}},
		ExpectedFrom: "2026-12-01", ExpectedTo: "2026-12-31", Category: "revenue/cigarettes", Transport: "sea",
		SuggestedAction: "check", Indicators: []string{"reefer declared as fish", "new consignee"}, Narrative: "Watch for it."}
	f := base(intel.KindFeedback)
	f.Feedback = &intel.Feedback{Warning: "01JDQ3Y9W8XK5V2T7R4M6N0PQA", Controlled: true, Result: "seizure",
		Seizure: "01JDQ3Y9W8XK5V2T7R4M6N0PQB", Date: "2026-12-03", Narrative: "Found as described."}
	q := base(intel.KindRequest)
	q.Request = &intel.Request{Requesting: "HK", Requested: "JP", Agreement: "HK-JP-2014", Subject: "Who is the consignee?",
		Questions: []string{"Is the company registered?", "Who directs it?"}, Parties: parties, Facts: "Seized on arrival.",
		Urgency: "urgent", Deadline: "2026-12-20", State: "sent", Related: []string{"01JDQ3Y9W8XK5V2T7R4M6N0PQB"},
		RelatedSeized: "01JDQ3Y9W8XK5V2T7R4M6N0PQB"}
	p := base(intel.KindResponse)
	p.Response = &intel.Response{Request: "01JDQ3Y9W8XK5V2T7R4M6N0PQC", Outcome: "partial", Answers: []string{"Yes.", "Unknown."},
		Reason: "One question is outside the arrangement.", Parties: parties[:1], Narrative: "Registered in 2019."}
	a := base(intel.KindAlert)
	a.Alert = &intel.Alert{Subject: "Cash couriers", Category: "money-laundering/cash", Summary: "Couriers to Gulf hubs.",
		Indicators: []string{"vacuum-packed notes"}, ModusOp: "Bundles in luggage linings.", ValidUntil: "2027-05-29",
		Narrative: "Seen since May."}
	return map[string]intel.Record{"warning": w, "feedback": f, "request": q, "response": p, "alert": a}
}

// TestDecodeRecordFast checks that the payloads the encoder writes for
// records of every kind (and empty arrays, which it leaves out), and for
// every record the synthetic generator makes, are read by the record
// reader, with what the strict decoder reads from them.
func TestDecodeRecordFast(t *testing.T) {
	plain := string(MustPayload(t, envelope.RecordPayload{Record: seizure(), Decision: decision()}))
	cases := map[string]string{
		"seizure":      plain,
		"every member": string(MustPayload(t, envelope.RecordPayload{Record: fullSeizure(), Decision: decision()})),
		"empty arrays": strings.Replace(plain, `"containers":["CSQU3054383"]`, `"containers":[]`, 1),
		"escaped text": strings.Replace(plain, `Declared as`, `Declared \"as\" \u00e9\ud83d\ude00\ud800x\/\\\n\t`, 1),
	}
	for kind, r := range fullOthers() {
		cases[kind+" with every member"] = string(MustPayload(t, envelope.RecordPayload{Record: r, Decision: decision()}))
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for i, r := range synth.New(7, "HK").Records(300, now) {
		cases[fmt.Sprintf("synthetic %d (%s)", i, r.Kind)] = string(MustPayload(t, envelope.RecordPayload{Record: *r, Decision: decision()}))
	}
	kinds := map[intel.Kind]bool{}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			var fast envelope.RecordPayload
			if !envelope.DecodeRecordPayload([]byte(b), &fast) {
				t.Fatalf("the record reader gave up on %s", b)
			}
			var strict envelope.RecordPayload
			if err := josejson.Unmarshal([]byte(b), &strict); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fast, strict) {
				t.Errorf("record reader read\n%+v\nstrict decoder read\n%+v", fast, strict)
			}
			var rec intel.Record
			e := envelope.Envelope{ID: MustID(t), Type: envelope.TypeRecordCreate, Payload: []byte(b)}
			if err := e.DecodeRecordVersion(&rec); err != nil || !reflect.DeepEqual(rec, strict.Record) {
				t.Errorf("DecodeRecordVersion read\n%+v (%v)\nstrict decoder read\n%+v", rec, err, strict.Record)
			}
			kinds[fast.Record.Kind] = true
		})
	}
	for _, k := range []intel.Kind{intel.KindSeizure, intel.KindWarning, intel.KindFeedback, intel.KindRequest, intel.KindResponse, intel.KindAlert} {
		if !kinds[k] {
			t.Errorf("no %s was read", k)
		}
	}
}

// TestDecodeRecordFallback checks payloads outside the plain form: the
// record reader gives up on each, and DecodeRecord then accepts or refuses
// exactly as Decode does.
func TestDecodeRecordFallback(t *testing.T) {
	plain := string(MustPayload(t, envelope.RecordPayload{Record: seizure(), Decision: decision()}))
	for _, c := range []struct {
		name, payload string
		ok            bool
	}{
		{"unknown member ignored", strings.Replace(plain, `"kind":`, `"extra":1,"kind":`, 1), true},
		{"escaped member name", strings.Replace(plain, `"kind":`, `"ki\u006ed":`, 1), true},
		{"unknown escape", strings.Replace(plain, `Declared as`, `Declared \'as\'`, 1), false},
		{"short unicode escape", strings.Replace(plain, `Declared as`, `Declared \u00e`, 1), false},
		{"whitespace", strings.Replace(plain, `"kind":`, `"kind": `, 1), true},
		{"null section", strings.Replace(plain, `"kind":`, `"warning":null,"kind":`, 1), true},
		{"unknown member of a section", strings.Replace(plain, `"kind":`, `"alert":{"subject":"x","extra":"y"},"kind":`, 1), true},
		{"null member of a section", strings.Replace(plain, `"kind":`, `"warning":{"subject":null},"kind":`, 1), true},
		{"members swapped", `{"decision":{"allowed":false,"basis":null,"reasons":[]},"record":{"kind":"seizure"}}`, true},
		{"duplicate member", strings.Replace(plain, `"kind":`, `"id":"x","kind":`, 1), false},
		{"name in other case", strings.Replace(plain, `"kind":`, `"Kind":"alert","kind":`, 1), true},
		{"string for a number", strings.Replace(plain, `"version":1`, `"version":"1"`, 1), false},
		{"fraction for an integer", strings.Replace(plain, `"version":1`, `"version":1.5`, 1), false},
		{"integer too large", strings.Replace(plain, `"version":1`, `"version":99999999999999999999`, 1), false},
		{"number too large", strings.Replace(plain, `"quantity":8000000`, `"quantity":1e999`, 1), false},
		{"bad time", strings.Replace(plain, `"created":"`, `"created":"yesterday`, 1), false},
		{"invalid UTF-8", strings.Replace(plain, `Declared`, "Decl\xffared", 1), true},
		{"trailing data", plain + `x`, false},
		{"duplicate decision", strings.TrimSuffix(plain, `}`) + `,"decision":{}}`, false},
		{"refused decision", strings.Replace(plain, `"allowed":true,"basis":{`, `"allowed":false,"basis":null,"x":{`, 1), true},
		{"number for a flag", strings.Replace(plain, `"met":true`, `"met":1`, 1), false},
		{"control character", strings.Replace(plain, `Declared`, "Decl\x01ared", 1), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := []byte(c.payload)
			var fast envelope.RecordPayload
			if envelope.DecodeRecordPayload(b, &fast) {
				t.Fatalf("the record reader took a payload outside the plain form: %s", b)
			}
			e := envelope.Envelope{ID: MustID(t), Type: envelope.TypeRecordCreate, Payload: b}
			var got, want envelope.RecordPayload
			gotErr, wantErr := e.DecodeRecord(&got), e.Decode(&want)
			if (gotErr == nil) != (wantErr == nil) || (gotErr == nil) != c.ok {
				t.Fatalf("DecodeRecord: %v; Decode: %v; want accepted %v", gotErr, wantErr, c.ok)
			}
			if gotErr == nil && !reflect.DeepEqual(got, want) {
				t.Errorf("DecodeRecord read\n%+v\nDecode read\n%+v", got, want)
			}
			var rec intel.Record
			if err := e.DecodeRecordVersion(&rec); (err == nil) != c.ok || err == nil && !reflect.DeepEqual(rec, want.Record) {
				t.Errorf("DecodeRecordVersion read\n%+v (%v)\nDecode read\n%+v; want accepted %v", rec, err, want.Record, c.ok)
			}
		})
	}
}

// FuzzDecodeRecord checks the record reader against the strict decoder:
// whatever it takes, the strict decoder takes too and reads the same
// values; and DecodeRecord accepts and reads exactly what Decode does. The
// corpus is in testdata/fuzz/FuzzDecodeRecord.
func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte(MustPayload(f, envelope.RecordPayload{Record: seizure(), Decision: decision()})))
	f.Add([]byte(MustPayload(f, envelope.RecordPayload{Record: fullSeizure(), Decision: decision()})))
	f.Add([]byte(`{"record":{"kind":"seizure","seizure":{"goods":[],"route":[],"parties":[{"aliases":[]}]}},"decision":{}}`))
	f.Add([]byte(`{"record":{"version":-0,"retention":{"days":1e2}},"decision":null}`))
	f.Add([]byte(`{"record":{},"decision":{}}`))
	for _, r := range fullOthers() {
		f.Add([]byte(MustPayload(f, envelope.RecordPayload{Record: r, Decision: decision()})))
	}
	f.Add([]byte(`{"record":{},"decision":{"allowed":false,"basis":{"kind":"region","title":"t","via":"EU","region":"AP"},"reasons":[{"rule":"r","met":false,"text":""},{"met":true}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast envelope.RecordPayload
		if envelope.DecodeRecordPayload(b, &fast) {
			var strict envelope.RecordPayload
			if err := josejson.Unmarshal(b, &strict); err != nil {
				t.Fatalf("the record reader took %q, which the strict decoder refuses: %v", b, err)
			}
			if !reflect.DeepEqual(fast, strict) {
				t.Fatalf("for %q the record reader read\n%+v\nthe strict decoder\n%+v", b, fast, strict)
			}
		}
		e := envelope.Envelope{ID: "01JDQ3Y9W8XK5V2T7R4M6N0PQS", Type: envelope.TypeRecordCreate, Payload: b}
		var got, want envelope.RecordPayload
		gotErr, wantErr := e.DecodeRecord(&got), e.Decode(&want)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("for %q DecodeRecord: %v; Decode: %v", b, gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("for %q DecodeRecord read\n%+v\nDecode read\n%+v", b, got, want)
		}
		if gotErr != nil {
			mustFault(t, gotErr)
		}
		var rec intel.Record
		recErr := e.DecodeRecordVersion(&rec)
		if (recErr == nil) != (gotErr == nil) {
			t.Fatalf("for %q DecodeRecordVersion: %v; DecodeRecord: %v", b, recErr, gotErr)
		}
		if recErr == nil && !reflect.DeepEqual(rec, got.Record) {
			t.Fatalf("for %q DecodeRecordVersion read\n%+v\nDecodeRecord read\n%+v", b, rec, got.Record)
		}
	})
}

func BenchmarkDecodeRecord(b *testing.B) {
	e := recordEnvelope(b, "JP")
	b.SetBytes(int64(len(e.Payload)))
	b.ReportAllocs()
	for b.Loop() {
		var p envelope.RecordPayload
		if err := e.DecodeRecord(&p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeRecordVersion(b *testing.B) {
	e := recordEnvelope(b, "JP")
	b.SetBytes(int64(len(e.Payload)))
	b.ReportAllocs()
	for b.Loop() {
		var r intel.Record
		if err := e.DecodeRecordVersion(&r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeStrict(b *testing.B) {
	e := recordEnvelope(b, "JP")
	b.SetBytes(int64(len(e.Payload)))
	b.ReportAllocs()
	for b.Loop() {
		var p envelope.RecordPayload
		if err := e.Decode(&p); err != nil {
			b.Fatal(err)
		}
	}
}
