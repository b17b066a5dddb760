package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
)

// relayNet is HK, the RILO Asia/Pacific, JP and CN as real processes,
// pinned as a region is: members pin the RILO and HK, the RILO pins the
// members, HK pins the RILO and JP.
type relayNet struct {
	dirs, toks map[string]string
	srv        map[string]*server
}

func startRelayNet(t *testing.T) *relayNet {
	t.Helper()
	t.Setenv("LIAISON_DELIVERY_POLL", "100ms")
	n := &relayNet{dirs: map[string]string{}, toks: map[string]string{}, srv: map[string]*server{}}
	for _, c := range []string{"HK", "RILO-AP", "JP", "CN"} {
		n.dirs[c] = t.TempDir()
		n.toks[c] = initNode(t, n.dirs[c], c)
		n.srv[c] = serve(t, n.dirs[c])
	}
	for from, tos := range map[string][]string{"HK": {"RILO-AP", "JP"}, "RILO-AP": {"HK", "JP", "CN"}, "JP": {"HK", "RILO-AP"}, "CN": {"HK", "RILO-AP"}} {
		for _, to := range tos {
			n.pin(t, from, to)
		}
	}
	return n
}

func (n *relayNet) pin(t *testing.T, from, to string) {
	t.Helper()
	u := n.srv[to].url
	if code, m := call(t, "POST", n.srv[from].url+"/api/v1/peers", n.toks[from], map[string]string{"url": u, "fingerprint": fingerprintOf(t, u)}); code != 201 {
		t.Fatalf("pin %s on %s: %d %v", to, from, code, m)
	}
}

func (n *relayNet) url(c string) string { return n.srv[c].url }

// regionReport is the canonical seizure with region distribution and, unless
// withPerson, without its parties and narrative.
func regionReport(t *testing.T, withPerson bool) map[string]any {
	t.Helper()
	r := canonical(t)
	r["distribution"] = map[string]any{"scope": "region", "region": "AP"}
	if !withPerson {
		s := r["seizure"].(map[string]any)
		delete(s, "parties")
		delete(s, "narrative")
	}
	return r
}

func createOn(t *testing.T, url, tok string, rec map[string]any) string {
	t.Helper()
	code, m := call(t, "POST", url+"/api/v1/records", tok, rec)
	if code != 201 {
		t.Fatalf("create: %d %v", code, m)
	}
	return m["id"].(string)
}

func shareTo(t *testing.T, url, tok, id string, to ...string) []map[string]any {
	t.Helper()
	code, m := call(t, "POST", url+"/api/v1/records/"+id+"/share", tok, map[string]any{"recipients": to})
	if code != 200 {
		t.Fatalf("share: %d %v", code, m)
	}
	var out []map[string]any
	for _, r := range m["results"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

func holds(t *testing.T, url, tok, id string) bool {
	t.Helper()
	code, _ := call(t, "GET", url+"/api/v1/records/"+id, tok, nil)
	return code == 200
}

// TestRelay sends region reports from HK through the RILO Asia/Pacific to
// JP and CN over HTTP, checks the originator's signature end to end and the
// RILO's statistics, refuses a region report with a person in it and a
// relayed record the RILO altered, and keeps bilateral exchange going while
// the RILO is down, its region reports flowing when it returns.
func TestRelay(t *testing.T) {
	n := startRelayNet(t)
	hk, hkTok := n.url("HK"), n.toks["HK"]
	hkFP := fingerprintOf(t, hk)

	t.Run("relayed end to end", func(t *testing.T) {
		id := createOn(t, hk, hkTok, regionReport(t, false))
		res := shareTo(t, hk, hkTok, id, "RILO-AP")
		if res[0]["allowed"] != true || res[0]["basis"].(map[string]any)["kind"] != "region" {
			t.Fatalf("share to the RILO: %v", res[0])
		}
		for _, m := range []string{"RILO-AP", "JP", "CN"} {
			waitFor(t, "the region report on "+m, func() bool { return holds(t, n.url(m), n.toks[m], id) })
		}
		for _, m := range []string{"JP", "CN"} {
			code, rc := call(t, "GET", n.url(m)+"/api/v1/records/"+id+"/receipts", n.toks[m], nil)
			if code != 200 || len(rc["receipts"].([]any)) != 1 {
				t.Fatalf("%s receipts: %d %v", m, code, rc)
			}
			r := rc["receipts"].([]any)[0].(map[string]any)
			if r["from"] != "HK" || r["key"] != hkFP || len(r["via"].([]any)) != 1 || r["via"].([]any)[0] != "RILO-AP" {
				t.Fatalf("%s receipt: %v, want from HK signed by %s via RILO-AP", m, r, hkFP)
			}
		}
		waitFor(t, "relays delivered", func() bool {
			st := deliveryStates(t, n.url("RILO-AP"), n.toks["RILO-AP"], id)
			return st["JP v1 relay"] == "delivered" && st["CN v1 relay"] == "delivered"
		})
		code, st := call(t, "GET", n.url("RILO-AP")+"/api/v1/rilo/statistics", n.toks["RILO-AP"], nil)
		if code != 200 || st["records"].(float64) < 1 || st["by_originator"].(map[string]any)["HK"].(float64) < 1 ||
			st["by_kind"].(map[string]any)["seizure"].(float64) < 1 || st["by_category"].(map[string]any)["revenue/cigarettes"].(float64) < 1 {
			t.Fatalf("RILO statistics: %d %v", code, st)
		}
		if code, _ := call(t, "GET", hk+"/api/v1/rilo/statistics", hkTok, nil); code != 404 {
			t.Fatalf("statistics on a member: %d, want 404", code)
		}
	})

	t.Run("retraction relayed, the envelopes kept without their payloads", func(t *testing.T) {
		id := createOn(t, hk, hkTok, regionReport(t, false))
		shareTo(t, hk, hkTok, id, "RILO-AP")
		for _, m := range []string{"RILO-AP", "JP", "CN"} {
			waitFor(t, "the region report on "+m, func() bool { return holds(t, n.url(m), n.toks[m], id) })
		}
		waitFor(t, "relays delivered", func() bool {
			st := deliveryStates(t, n.url("RILO-AP"), n.toks["RILO-AP"], id)
			return st["JP v1 relay"] == "delivered" && st["CN v1 relay"] == "delivered"
		})
		if code, m := call(t, "POST", hk+"/api/v1/records/"+id+"/retract", hkTok, map[string]string{"reason": "entered in error"}); code != 200 {
			t.Fatalf("retract: %d %v", code, m)
		}
		for _, m := range []string{"RILO-AP", "JP", "CN"} {
			waitFor(t, "the retraction on "+m, func() bool {
				code, r := call(t, "GET", n.url(m)+"/api/v1/records/"+id, n.toks[m], nil)
				return code == 200 && r["status"] == "retracted"
			})
		}
		// The RILO's relays of the report keep the wrapped envelope's
		// header and signature only; every node's inbox likewise.
		if got := countRows(t, n.dirs["RILO-AP"], nil, `SELECT count(*) FROM outbox WHERE record_id = ? AND type = 'relay' AND version = 1 AND payload LIKE '%..%'`, id); got != 2 {
			t.Errorf("the RILO keeps %d of its 2 relays of the report without the payload", got)
		}
		for _, m := range []string{"RILO-AP", "JP", "CN"} {
			if got := countRows(t, n.dirs[m], nil, `SELECT count(*) FROM inbox WHERE record_id = ? AND type <> 'record.retract' AND signed NOT LIKE '%..%'`, id); got != 0 {
				t.Errorf("%s keeps %d envelopes of the retracted report with their payload", m, got)
			}
		}
	})

	t.Run("personal data refused by the region basis", func(t *testing.T) {
		id := createOn(t, hk, hkTok, regionReport(t, true))
		res := shareTo(t, hk, hkTok, id, "RILO-AP")
		if res[0]["allowed"] != false || res[0]["delivery"] != nil {
			t.Fatalf("region report with a person: %v, want refused", res[0])
		}
		found := false
		for _, r := range res[0]["reasons"].([]any) {
			r := r.(map[string]any)
			if r["rule"] == "scope.personal_data" && r["met"] == false {
				found = true
			}
		}
		if !found {
			t.Fatalf("no failed personal-data reason: %v", res[0]["reasons"])
		}
	})

	t.Run("altered relay refused", func(t *testing.T) {
		hkKey, riloKey := nodeKeyOf(t, n.dirs["HK"]), nodeKeyOf(t, n.dirs["RILO-AP"])
		mk := func(narrative string) (string, []byte) {
			var rec intel.Record
			b, _ := json.Marshal(regionReport(t, false))
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			rec.ID, _ = envelope.NewID(now)
			rec.Originator, rec.Version, rec.Status, rec.Created, rec.Updated = "HK", 1, intel.StatusActive, &now, &now
			rec.Seizure.Narrative = narrative
			id, _ := envelope.NewID(now)
			p, _ := envelope.NewPayload(envelope.RecordPayload{Record: rec})
			s, err := envelope.Sign(hkKey, envelope.Envelope{ID: id, Type: envelope.TypeRecordCreate, From: "HK",
				To: []string{"RILO-AP", "JP"}, Created: now, Payload: p})
			if err != nil {
				t.Fatal(err)
			}
			return rec.ID, s
		}
		relay := func(inner []byte) envelope.Result {
			hopID, _ := envelope.NewID(time.Now())
			w, err := envelope.Relay(riloKey, envelope.Envelope{ID: hopID, From: "RILO-AP", To: []string{"JP"}, Created: time.Now()}, inner)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Post(n.url("JP")+"/federation/v1/inbox", "application/json", bytes.NewReader(w))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var r envelope.Response
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Results) != 1 {
				t.Fatalf("inbox answer: %v %+v", err, r)
			}
			return r.Results[0]
		}
		genuineID, genuine := mk("Cartons of cigarettes.")
		if r := relay(genuine); r.Status != envelope.Accepted {
			t.Fatalf("genuine relay: %+v, want accepted", r)
		}
		if !holds(t, n.url("JP"), n.toks["JP"], genuineID) {
			t.Fatal("JP does not hold the genuinely relayed record")
		}
		alteredID, signed := mk("Cartons of cigarettes.")
		parts := strings.Split(string(signed), ".")
		body, _ := base64.RawURLEncoding.DecodeString(parts[1])
		body = bytes.Replace(body, []byte("8000000"), []byte("8"), 1)
		parts[1] = base64.RawURLEncoding.EncodeToString(body)
		r := relay([]byte(strings.Join(parts, ".")))
		if r.Status != envelope.Refused || !strings.Contains(r.Reason, "signature") {
			t.Fatalf("altered relay: %+v, want refused for its signature", r)
		}
		if holds(t, n.url("JP"), n.toks["JP"], alteredID) {
			t.Fatal("JP stored a record the RILO altered")
		}
	})

	t.Run("RILO down", func(t *testing.T) {
		rilo := n.srv["RILO-AP"]
		addr := strings.TrimPrefix(rilo.url, "http://")
		rilo.cmd.Process.Kill()
		rilo.cmd.Wait()
		region := createOn(t, hk, hkTok, regionReport(t, false))
		shareTo(t, hk, hkTok, region, "RILO-AP")
		bi := canonical(t)
		bi["distribution"] = map[string]any{"scope": "bilateral", "recipients": []string{"JP"}}
		bilateral := createOn(t, hk, hkTok, bi)
		shareTo(t, hk, hkTok, bilateral, "JP")
		waitFor(t, "the bilateral record on JP", func() bool { return holds(t, n.url("JP"), n.toks["JP"], bilateral) })
		waitFor(t, "a failed attempt to the RILO", func() bool {
			code, m := call(t, "GET", hk+"/api/v1/deliveries?record="+region, hkTok, nil)
			return code == 200 && len(m["deliveries"].([]any)) == 1 && m["deliveries"].([]any)[0].(map[string]any)["last_error"] != ""
		})
		if holds(t, n.url("JP"), n.toks["JP"], region) {
			t.Fatal("the region report reached JP while the RILO was down")
		}
		n.srv["RILO-AP"] = serve(t, n.dirs["RILO-AP"], "--listen", addr)
		for _, m := range []string{"RILO-AP", "JP", "CN"} {
			waitFor(t, "the region report on "+m+" after the RILO returned", func() bool { return holds(t, n.url(m), n.toks[m], region) })
		}
		code, rc := call(t, "GET", n.url("JP")+"/api/v1/records/"+region+"/receipts", n.toks["JP"], nil)
		if code != 200 || len(rc["receipts"].([]any)) != 1 || !slices.Contains(rc["receipts"].([]any)[0].(map[string]any)["via"].([]any), any("RILO-AP")) {
			t.Fatalf("JP receipts after the outage: %d %v", code, rc)
		}
	})
}
