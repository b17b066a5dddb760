package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/intel"
)

// TestInboxBatchInOrder posts one request mixing versions of one record, a
// replay, a refusal and a retraction to a real JP node, and checks that
// each envelope is answered as if it had been posted alone, in order, under
// one signed answer that JP's pinned key verifies.
func TestInboxBatchInOrder(t *testing.T) {
	hkDir, jpDir := t.TempDir(), t.TempDir()
	initNode(t, hkDir, "HK")
	jpTok := initNode(t, jpDir, "JP")
	hk := serve(t, hkDir)
	jp := serve(t, jpDir)
	if code, m := call(t, "POST", jp.url+"/api/v1/peers", jpTok, map[string]string{"url": hk.url, "fingerprint": fingerprintOf(t, hk.url)}); code != 201 {
		t.Fatalf("pin HK on JP: %d %v", code, m)
	}
	hkKey, jpKey := nodeKeyOf(t, hkDir), nodeKeyOf(t, jpDir)
	stranger, _ := identity.Generate()

	var rec intel.Record
	b, _ := json.Marshal(canonical(t))
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	rec.ID, _ = envelope.NewID(now)
	rec.Originator, rec.Version, rec.Status = "HK", 1, intel.StatusActive
	rec.Created, rec.Updated = &now, &now
	v2 := rec
	v2.Version = 2
	other := rec
	other.ID, _ = envelope.NewID(now)

	mk := func(key identity.Key, from string, typ envelope.Type, payload any) []byte {
		id, _ := envelope.NewID(now)
		p, err := envelope.NewPayload(payload)
		if err != nil {
			t.Fatal(err)
		}
		s, err := envelope.Sign(key, envelope.Envelope{ID: id, Type: typ, From: from, To: []string{"JP"}, Created: now, Payload: p})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	create := mk(hkKey, "HK", envelope.TypeRecordCreate, envelope.RecordPayload{Record: rec})
	items := [][]byte{
		create,
		mk(hkKey, "HK", envelope.TypeRecordUpdate, envelope.RecordPayload{Record: v2}),
		create,
		mk(stranger, "CN", envelope.TypeRecordCreate, envelope.RecordPayload{Record: other}),
		mk(hkKey, "HK", envelope.TypeRecordRetract, envelope.RetractPayload{RecordID: rec.ID, Version: 3, Reason: "entered in error"}),
		mk(hkKey, "HK", envelope.TypeRecordCreate, envelope.RecordPayload{Record: other}),
		mk(hkKey, "HK", envelope.TypeRecordUpdate, envelope.RecordPayload{Record: v2}),
	}
	want := []envelope.Status{envelope.Accepted, envelope.Accepted, envelope.Duplicate, envelope.Refused,
		envelope.Accepted, envelope.Accepted, envelope.Refused}
	body, err := envelope.EncodeBatch(items)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(jp.url+"/federation/v1/inbox", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r envelope.Response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 || len(r.Results) != len(want) {
		t.Fatalf("status %d, answer %+v (%v); want %d results", resp.StatusCode, r, err, len(want))
	}
	for i, w := range want {
		if r.Results[i].Status != w {
			t.Errorf("result %d = %+v, want %s", i, r.Results[i], w)
		}
	}
	if _, err := envelope.VerifyResponse(r, body, jpKey.Public); err != nil {
		t.Errorf("JP's answer does not verify: %v", err)
	}
	code, got := call(t, "GET", jp.url+"/api/v1/records/"+rec.ID, jpTok, nil)
	if code != 200 || got["status"] != string(intel.StatusRetracted) || got["version"] != float64(3) {
		t.Errorf("record after create, update and retract in one request: %d %v; want retracted at version 3", code, got)
	}
	if code, got := call(t, "GET", jp.url+"/api/v1/records/"+other.ID, jpTok, nil); code != 200 || got["originator"] != "HK" {
		t.Errorf("record created after a refusal in the same request: %d %v", code, got)
	}

	// A second request of record versions only, decided before anything of
	// it is stored: what JP holds (a retracted record, a record at version
	// 1) is read for all of them at once and must count as it did above.
	v4 := rec
	v4.Version = 4
	otherV2 := other
	otherV2.Version = 2
	third := rec
	third.ID, _ = envelope.NewID(now)
	items = [][]byte{
		mk(hkKey, "HK", envelope.TypeRecordUpdate, envelope.RecordPayload{Record: v4}),
		mk(hkKey, "HK", envelope.TypeRecordUpdate, envelope.RecordPayload{Record: otherV2}),
		mk(hkKey, "HK", envelope.TypeRecordCreate, envelope.RecordPayload{Record: third}),
	}
	body, err = envelope.EncodeBatch(items)
	if err != nil {
		t.Fatal(err)
	}
	resp2, err := http.Post(jp.url+"/federation/v1/inbox", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	r = envelope.Response{}
	if err := json.NewDecoder(resp2.Body).Decode(&r); err != nil || resp2.StatusCode != 200 || len(r.Results) != 3 {
		t.Fatalf("second request: status %d, answer %+v (%v); want 3 results", resp2.StatusCode, r, err)
	}
	if got := r.Results[0]; got.Status != envelope.Refused || got.Reason != "record "+rec.ID+" was retracted" {
		t.Errorf("update of a retracted record = %+v, want refused as retracted", got)
	}
	for i, res := range r.Results[1:] {
		if res.Status != envelope.Accepted {
			t.Errorf("result %d of the second request = %+v, want accepted", i+1, res)
		}
	}
	if code, got := call(t, "GET", jp.url+"/api/v1/records/"+other.ID, jpTok, nil); code != 200 || got["version"] != float64(2) {
		t.Errorf("record after its second version: %d %v; want version 2", code, got)
	}
	if code, got := call(t, "GET", jp.url+"/api/v1/records/"+third.ID, jpTok, nil); code != 200 || got["originator"] != "HK" {
		t.Errorf("record created in the second request: %d %v", code, got)
	}
}
