package envelope_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"liaison/internal/federation/envelope"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestGoldenEnvelope pins the wire format: the example of docs/FEDERATION.md,
// signed with the key whose seed is 32 bytes of 0x01, must come out byte for
// byte as testdata/retract.jws, and that file must verify.
func TestGoldenEnvelope(t *testing.T) {
	e := envelope.Envelope{ID: "01M8BMRD80Q7ZB1N6V3W8C2D4E", Type: envelope.TypeRecordRetract, From: "HK", To: []string{"JP"},
		Created: t0, Payload: MustPayload(t, envelope.RetractPayload{RecordID: "01M8B0QJ00EJ8T6Y2R9P4N7QZB", Version: 2, Reason: "entered in error"})}
	got := MustSign(t, keyHK, e)
	path := filepath.Join("testdata", "retract.jws")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	want = bytes.TrimSpace(want)
	if string(got) != string(want) {
		t.Fatalf("signed envelope differs from %s:\n got  %s\n want %s", path, got, want)
	}
	if _, err := envelope.Verify(want, keyHK.Public); err != nil {
		t.Fatalf("golden envelope does not verify: %v", err)
	}
}
