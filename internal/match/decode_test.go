package match

import (
	"reflect"
	"testing"
	"time"

	"liaison/internal/intel"
	"liaison/internal/synth"
)

// TestDecodeMatchJSONAsDecodeJSON checks that a stored body read by
// intel.DecodeMatchJSON, as the rebuild reads the store, gives what
// matching reads of it exactly as the whole record does: the same
// entities, id, status and distribution, for every kind of record the
// generator makes. It also checks that the rest was stepped over, not
// read by the general decoder.
func TestDecodeMatchJSONAsDecodeJSON(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	kinds := map[intel.Kind]int{}
	lean := 0
	for _, origin := range []string{"HK", "CN", "FR", "RU"} {
		g := synth.New(31, origin)
		for range 1500 {
			r := g.Record(now)
			r.ID, r.Originator, r.Version, r.Status = "01M8EFWPGBG9ZQNDFMSG0D71DA", origin, 3, intel.StatusActive
			body, err := intel.AppendJSON(nil, r)
			if err != nil {
				t.Fatal(err)
			}
			var full, part intel.Record
			if err := intel.DecodeJSON(body, &full); err != nil {
				t.Fatal(err)
			}
			if err := intel.DecodeMatchJSON(body, &part); err != nil {
				t.Fatal(err)
			}
			kinds[full.Kind]++
			if full.ID != part.ID || full.Kind != part.Kind || full.Originator != part.Originator || full.Version != part.Version ||
				full.Status != part.Status || !reflect.DeepEqual(full.Distribution, part.Distribution) {
				t.Fatalf("%s: heads differ: %+v, %+v", full.Kind, part, full)
			}
			if a, b := Extract(&full), Extract(&part); !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: entities differ:\n%+v\n%+v", full.Kind, b, a)
			}
			if full.Title != "" && part.Title == "" {
				lean++
			}
		}
	}
	if len(kinds) < 3 {
		t.Errorf("kinds generated %v: too few to tell", kinds)
	}
	if lean < 5000 {
		t.Errorf("%d of 6,000 bodies stepped over, want them all read without their titles", lean)
	}
}

// BenchmarkDecodeStored compares reading stored bodies whole
// (intel.DecodeJSON) with reading what matching needs of them
// (intel.DecodeMatchJSON), as the rebuild's walk does.
//
//	go test ./internal/match -run '^$' -bench DecodeStored -count 5
func BenchmarkDecodeStored(b *testing.B) {
	g := synth.New(5, "HK")
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var bodies [][]byte
	size := 0
	for range 2000 {
		body, err := intel.AppendJSON(nil, g.Record(now))
		if err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, body)
		size += len(body)
	}
	for _, tc := range []struct {
		name   string
		decode func([]byte, *intel.Record) error
	}{{"whole", intel.DecodeJSON}, {"for-matching", intel.DecodeMatchJSON}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(size / len(bodies)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				var r intel.Record
				if err := tc.decode(bodies[i%len(bodies)], &r); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
