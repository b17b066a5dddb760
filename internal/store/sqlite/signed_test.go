package sqlite

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

func TestPackSignedRoundTrip(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	header := b64([]byte(`{"alg":"EdDSA","kid":"SHA256:aa","typ":"liaison-envelope+jws"}`))
	claims := []byte(`{"id":"01M8","type":"record.create","payload":{"record":{"narrative":"` +
		strings.Repeat("Air cargo screening of a consignment. ", 40) + `"}}}`)
	payload := b64(claims)
	sig := b64(bytes.Repeat([]byte{0xfe}, 64))
	jws := []byte(header + "." + payload + "." + sig)

	arena := []byte("bodies before it")
	packed, ok := packSigned(arena, jws, nil)
	if !ok {
		t.Fatal("a canonical compact JWS was not packed")
	}
	if string(packed[:len(arena)]) != "bodies before it" {
		t.Fatal("packing changed what the arena held before it")
	}
	kept := packed[len(arena):]
	if kept[0] != packedSigned || len(kept) >= len(jws)/2 {
		t.Errorf("packed to %d bytes from %d, want a packed form under half", len(kept), len(jws))
	}
	got, err := unpackSigned(kept)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, jws) {
		t.Fatalf("unpacked envelope differs from the one signed:\n%s\n%s", got, jws)
	}

	// Given the payload decoded already, packing gives the same bytes
	// without decoding it again; given claims of another length, it
	// decodes the payload as if given none.
	if with, ok := packSigned(nil, jws, claims); !ok || !bytes.Equal(with, kept) {
		t.Errorf("packed with the decoded payload to %d bytes (%v), want the %d packed without", len(with), ok, len(kept))
	}
	if with, ok := packSigned(nil, jws, claims[1:]); !ok || !bytes.Equal(with, kept) {
		t.Errorf("packed with claims of another length to %d bytes (%v), want the %d packed without", len(with), ok, len(kept))
	}

	// Texts that would not come back byte for byte, or are not worth it,
	// are kept as they are; so are rows written before packing.
	for name, s := range map[string]string{
		"padded":        header + "." + payload + "==" + "." + sig,
		"line break":    header + "." + payload[:100] + "\n" + payload[100:] + "." + sig,
		"stray bits":    header + "." + payload[:len(payload)-len(payload)%4] + "AB" + "." + sig,
		"not base64url": header + "." + strings.Repeat("+/", 200) + "." + sig,
		"short":         header + "." + b64([]byte(`{"id":"x"}`)) + "." + sig,
		"two parts":     header + "." + payload,
		"four parts":    header + "." + payload + "." + sig + ".x",
		"detached":      header + ".." + sig,
	} {
		if out, ok := packSigned(nil, []byte(s), nil); ok {
			t.Errorf("%s: packed (%d bytes), want it kept as text", name, len(out))
		}
		if got, err := unpackSigned([]byte(s)); err != nil || string(got) != s {
			t.Errorf("%s: stored text read back as %q, %v", name, got, err)
		}
	}
}

func TestUnpackSignedDamaged(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	jws := b64([]byte(`{"alg":"EdDSA"}`)) + "." + b64([]byte(strings.Repeat(`{"a":"b"}`, 60))) + ".c2ln"
	packed, ok := packSigned(nil, []byte(jws), nil)
	if !ok {
		t.Fatal("not packed")
	}
	for name, v := range map[string][]byte{
		"cut in the header":  packed[:5],
		"cut in the payload": packed[:len(packed)-3],
		"length too long":    append([]byte{packedSigned, 0xff, 0x7f}, packed[3:]...),
	} {
		if _, err := unpackSigned(v); err == nil || !strings.Contains(err.Error(), "unpack stored envelope") {
			t.Errorf("%s: err = %v, want one naming the stored envelope", name, err)
		}
	}
}

// The inbox keeps received envelopes packed, reads them back as they were
// signed, and keeps rows written as text before packing readable.
func TestInboxKeepsEnvelopesPacked(t *testing.T) {
	ctx := context.Background()
	db := mustOpenIn(t, t.TempDir())
	var rs []store.Receipt
	for range 3 {
		rc := storetest.NewReceived(storetest.NewRecord(t))
		rs = append(rs, store.Receipt{Received: &rc, Event: audit.Event{Actor: "peer:HK", Action: "envelope.receive", Target: rc.EnvelopeID}})
	}
	if err := db.ReceiveBatch(ctx, rs); err != nil {
		t.Fatal(err)
	}
	// A row as a node before packing wrote it.
	old := rs[2].Received
	if _, err := db.write.ExecContext(ctx, `UPDATE inbox SET signed = ? WHERE envelope_id = ?`, string(old.Signed), old.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		var typ string
		var size int
		if err := db.write.QueryRowContext(ctx, `SELECT typeof(signed), length(signed) FROM inbox WHERE envelope_id = ?`,
			r.Received.EnvelopeID).Scan(&typ, &size); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: "text", false: "blob"}[i == 2]; typ != want {
			t.Errorf("envelope %d stored as %s, want %s", i, typ, want)
		}
		// Smaller than the payload's bytes alone (three quarters of
		// its base64): compressed.
		if typ == "blob" && size*4 >= len(r.Received.Signed)*3 {
			t.Errorf("envelope %d packed to %d bytes from %d", i, size, len(r.Received.Signed))
		}
		got, err := db.Receipts(ctx, r.Received.Record.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !bytes.Equal(got[0].Signed, r.Received.Signed) {
			t.Errorf("envelope %d not read back as signed", i)
		}
	}
	// A damaged packed row is named, not returned as an envelope.
	bad := rs[0].Received
	if _, err := db.write.ExecContext(ctx, `UPDATE inbox SET signed = substr(signed, 1, 40) WHERE envelope_id = ?`, bad.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Receipts(ctx, bad.Record.ID); err == nil || !strings.Contains(err.Error(), bad.EnvelopeID) {
		t.Errorf("damaged stored envelope read with err %v, want one naming envelope %s", err, bad.EnvelopeID)
	}
}
