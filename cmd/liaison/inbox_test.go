package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/intel"
)

// TestInboxRefusals posts hand-made envelopes to a real JP node and checks
// that each bad one is refused (or answered duplicate) and stores nothing.
func TestInboxRefusals(t *testing.T) {
	t.Setenv("LIAISON_DELIVERY_POLL", "100ms")
	hkDir, jpDir := t.TempDir(), t.TempDir()
	initNode(t, hkDir, "HK")
	jpTok := initNode(t, jpDir, "JP")
	hk := serve(t, hkDir)
	jp := serve(t, jpDir)
	if code, m := call(t, "POST", jp.url+"/api/v1/peers", jpTok, map[string]string{"url": hk.url, "fingerprint": fingerprintOf(t, hk.url)}); code != 201 {
		t.Fatalf("pin HK on JP: %d %v", code, m)
	}
	hkKey := nodeKeyOf(t, hkDir)
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
	mk := func(key identity.Key, from string, r intel.Record, created time.Time) []byte {
		id, _ := envelope.NewID(created)
		p, err := envelope.NewPayload(envelope.RecordPayload{Record: r})
		if err != nil {
			t.Fatal(err)
		}
		s, err := envelope.Sign(key, envelope.Envelope{ID: id, Type: envelope.TypeRecordCreate, From: from,
			To: []string{"JP"}, Created: created, Payload: p})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	post := func(body []byte) (int, envelope.Response) {
		resp, err := http.Post(jp.url+"/federation/v1/inbox", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r envelope.Response
		json.NewDecoder(resp.Body).Decode(&r)
		return resp.StatusCode, r
	}
	good := mk(hkKey, "HK", rec, now)
	notForJP := rec
	notForJP.ID, _ = envelope.NewID(now)
	notForJP.Distribution = intel.Distribution{Scope: "bilateral", Recipients: []string{"FR"}}
	tampered := mk(hkKey, "HK", func() intel.Record { r := rec; r.ID, _ = envelope.NewID(now); return r }(), now)
	parts := strings.Split(string(tampered), ".")
	parts[1] = parts[1][:len(parts[1])-4] + "AAAA"
	// invalid returns a copy of rec with a new id, changed by change: a
	// record HK's own node would not have stored.
	invalid := func(change func(r *intel.Record)) intel.Record {
		b, _ := json.Marshal(rec)
		var r intel.Record
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		r.ID, _ = envelope.NewID(now)
		change(&r)
		return r
	}
	// signed signs an envelope of HK to JP of type typ, with JWS payload
	// claims written by hand after the id.
	signed := func(typ envelope.Type, rest string) []byte {
		id, _ := envelope.NewID(now)
		claims := fmt.Sprintf(`{"id":%q,"type":%q,%s}`, id, typ, rest)
		header := fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"typ":"liaison-envelope+jws"}`, hkKey.Fingerprint())
		input := b64([]byte(header)) + "." + b64([]byte(claims))
		return []byte(input + "." + b64(identity.Sign(hkKey.Private, []byte(input))))
	}
	head := fmt.Sprintf(`"from":"HK","to":["JP"],"created":%q`, now.Format(time.RFC3339))

	tests := []struct {
		name   string
		env    []byte
		want   envelope.Status
		reason string // what the reason must say
	}{
		{"unpinned sender", mk(stranger, "CN", rec, now), envelope.Refused, "CN is not a pinned peer"},
		{"outside the window", mk(hkKey, "HK", rec, now.Add(-time.Hour)), envelope.Refused, "outside the accepted window"},
		{"tampered payload", []byte(strings.Join(parts, ".")), envelope.Refused, ""},
		{"distribution excludes the receiver", mk(hkKey, "HK", notForJP, now), envelope.Refused, "may not receive record"},
		{"container check digit", mk(hkKey, "HK", invalid(func(r *intel.Record) { r.Seizure.Containers = []string{"CSQU3054384"} }), now),
			envelope.Refused, "seizure.containers[0]"},
		{"unknown country", mk(hkKey, "HK", invalid(func(r *intel.Record) { r.Seizure.Place.Country = "XX" }), now),
			envelope.Refused, `seizure.place.country: country "XX" is not an ISO 3166-1 code`},
		{"unknown kind", mk(hkKey, "HK", invalid(func(r *intel.Record) { r.Kind = "rumour" }), now),
			envelope.Refused, `kind: kind "rumour" must be one of`},
		{"duplicate member", signed(envelope.TypeRecordCreate, head+`,"from":"HK","payload":{}`),
			envelope.Refused, "JWS payload is not an envelope: json: duplicate key 'from'"},
		{"record payload of the wrong shape", signed(envelope.TypeRecordCreate, head+`,"payload":{"record":5}`),
			envelope.Refused, "does not read: json: cannot unmarshal number"},
		{"retraction naming no record", signed(envelope.TypeRecordRetract, head+`,"payload":{"version":2}`),
			envelope.Refused, "record: the record.retract envelope"},
		{"ack naming no record", signed(envelope.TypeAck, head+`,"payload":{"envelope":"x","status":"accepted"}`),
			envelope.Refused, "names no record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, r := post(tt.env)
			if code != 200 || len(r.Results) != 1 || r.Results[0].Status != tt.want {
				t.Fatalf("status %d results %+v, want one %s", code, r.Results, tt.want)
			}
			if !strings.Contains(r.Results[0].Reason, tt.reason) {
				t.Errorf("reason %q, want it to say %q", r.Results[0].Reason, tt.reason)
			}
			if n := countRows(t, jpDir, nil, `SELECT count(*) FROM records`); n != 0 {
				t.Fatalf("%d records stored after a refusal", n)
			}
		})
	}
	t.Run("oversized body", func(t *testing.T) {
		code, _ := post(bytes.Repeat([]byte("x"), 65<<20))
		if code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", code)
		}
	})
	t.Run("accepted then duplicate", func(t *testing.T) {
		if _, r := post(good); r.Results[0].Status != envelope.Accepted {
			t.Fatalf("first delivery: %+v", r.Results)
		}
		if _, r := post(good); r.Results[0].Status != envelope.Duplicate {
			t.Fatalf("second delivery: %+v", r.Results)
		}
		if n := countRows(t, jpDir, nil, `SELECT count(*) FROM record_versions`); n != 1 {
			t.Fatalf("%d versions stored, want 1", n)
		}
	})
}

func nodeKeyOf(t *testing.T, dir string) identity.Key {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "liaison.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pem string
	if err := db.QueryRow(`SELECT private FROM node_keys WHERE current = 1`).Scan(&pem); err != nil {
		t.Fatal(err)
	}
	k, err := identity.ParsePrivate([]byte(pem))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
