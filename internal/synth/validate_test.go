package synth_test

import (
	"encoding/json"
	"os"
	"testing"

	"liaison/internal/directory"
	"liaison/internal/intel"
	"liaison/internal/synth"
)

// MustDirectory loads the code lists with the full HS 2022 nomenclature, so
// that HS codes are checked exactly.
func MustDirectory(tb testing.TB) *directory.Directory {
	tb.Helper()
	d, err := directory.Load()
	if err != nil {
		tb.Fatalf("load directory: %v", err)
	}
	f, err := os.Open(sharedData + "harmonized-system.csv")
	if err != nil {
		tb.Fatalf("open HS nomenclature: %v", err)
	}
	defer f.Close()
	hs, err := directory.ParseHS(f)
	if err != nil {
		tb.Fatalf("parse HS nomenclature: %v", err)
	}
	return d.WithHS(hs)
}

// TestRecordsValidate checks that every generated record passes the
// service's own validation against the real directory, without warnings.
func TestRecordsValidate(t *testing.T) {
	d := MustDirectory(t)
	if !d.HSFull() {
		t.Fatal("directory does not report the full HS nomenclature as loaded")
	}
	for _, originator := range []string{"HK", "JP", "FR", "CN", ""} {
		t.Run("originator="+originator, func(t *testing.T) {
			g := synth.New(17, originator)
			for i := range 600 {
				r := g.Record(now)
				warnings, err := intel.Validate(r, d, now)
				if err != nil || len(warnings) > 0 {
					b, _ := json.Marshal(r)
					t.Fatalf("record %d does not validate: %v %v\n%s", i, err, warnings, b)
				}
			}
		})
	}
}
