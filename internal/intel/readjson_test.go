package intel_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"liaison/internal/intel"
	"liaison/internal/synth"
)

// TestDecodePlainJSON checks that what AppendJSON writes (escapes of <, >,
// & and control characters included) is read by DecodePlainJSON, with
// exactly what encoding/json reads from it, for records of several
// originators.
func TestDecodePlainJSON(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var rs []*intel.Record
	for _, o := range []string{"HK", "CN", "FR", "RU", "AE"} {
		rs = append(rs, synth.New(3, o).Records(400, now)...)
	}
	odd := *rs[0]
	odd.Title = "Tabs\tand\nnewlines, <tags> & \"quotes\", \u2028 and \x01"
	rs = append(rs, &odd)
	escaped := 0
	for i, r := range rs {
		b, err := intel.AppendJSON(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `\`) {
			escaped++
		}
		var fast, std intel.Record
		if !intel.DecodePlainJSON(b, &fast) {
			t.Fatalf("record %d: the plain reader gave up on %s", i, b)
		}
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("record %d: plain reader read\n%+v\nencoding/json read\n%+v", i, fast, std)
		}
	}
	if escaped == 0 {
		t.Fatal("no record had an escape: the test tests less than it says")
	}
}

// TestDecodePlainJSONGivesUp checks input outside the plain form: the
// reader gives up on each.
func TestDecodePlainJSONGivesUp(t *testing.T) {
	r := *synth.New(3, "HK").Records(1, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))[0]
	b, err := intel.AppendJSON(nil, &r)
	if err != nil {
		t.Fatal(err)
	}
	plain := string(b)
	for name, in := range map[string]string{
		"whitespace":     strings.Replace(plain, `"kind":`, `"kind": `, 1),
		"null":           strings.Replace(plain, `"kind":`, `"warning":null,"kind":`, 1),
		"unknown member": strings.Replace(plain, `"kind":`, `"extra":1,"kind":`, 1),
		"duplicate":      strings.Replace(plain, `"kind":`, `"kind":"alert","kind":`, 1),
		"escaped name":   strings.Replace(plain, `"kind":`, `"ki\u006ed":`, 1),
		"bad escape":     strings.Replace(plain, `"kind":"`, `"kind":"\x`, 1),
		"invalid UTF-8":  strings.Replace(plain, `"kind":"`, "\"kind\":\"\xff", 1),
		"trailing":       plain + " ",
		"cut":            plain[:len(plain)-1],
	} {
		var x intel.Record
		if intel.DecodePlainJSON([]byte(in), &x) {
			t.Errorf("%s: the plain reader took %s", name, in)
		}
	}
}

// FuzzDecodePlainJSON checks the plain reader against encoding/json:
// whatever it takes, encoding/json takes too and reads the same values.
func FuzzDecodePlainJSON(f *testing.F) {
	for _, r := range synth.New(9, "FR").Records(20, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)) {
		b, err := intel.AppendJSON(nil, r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"seizure","title":"a\u00e9\ud83d\ude00\ud800\udc00\udc00\ud800x\"\\\/\b\f\n\r\t","version":1}`))
	f.Add([]byte(`{"alert":{"indicators":[]},"retention":{"days":1e2}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast intel.Record
		if !intel.DecodePlainJSON(b, &fast) {
			return
		}
		var std intel.Record
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatalf("the plain reader took %q, which encoding/json refuses: %v", b, err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("for %q the plain reader read\n%+v\nencoding/json read\n%+v", b, fast, std)
		}
	})
}

func BenchmarkDecodePlainJSON(b *testing.B) {
	rs := synth.New(3, "HK").Records(200, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	bodies := make([][]byte, len(rs))
	for i, r := range rs {
		bodies[i], _ = intel.AppendJSON(nil, r)
	}
	b.Run("plain", func(b *testing.B) {
		i := 0
		for b.Loop() {
			var x intel.Record
			if !intel.DecodePlainJSON(bodies[i%len(bodies)], &x) {
				b.Fatal("gave up")
			}
			i++
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		i := 0
		for b.Loop() {
			var x intel.Record
			if err := json.Unmarshal(bodies[i%len(bodies)], &x); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// TestDecodeJSONFallsBack checks that DecodeJSON reads input outside the
// plain form as encoding/json does, and refuses what it refuses.
func TestDecodeJSONFallsBack(t *testing.T) {
	r := *synth.New(3, "HK").Records(1, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))[0]
	b, err := json.MarshalIndent(&r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var got, want intel.Record
	if intel.DecodePlainJSON(b, &got) {
		t.Fatal("the plain reader took indented JSON")
	}
	if err := intel.DecodeJSON(b, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeJSON read\n%+v\nencoding/json read\n%+v", got, want)
	}
	if err := intel.DecodeJSON([]byte(`{"version":"1"}`), &got); err == nil {
		t.Error("a string for a version was read")
	}
}
