package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestFederationEndToEnd runs two real nodes, Hong Kong and Japan, over
// HTTP on loopback: pinning, sharing (allowed to JP, refused to BR),
// delivery, an update, a retraction with purge, and a receiver that is down
// for a while, on each database.
func TestFederationEndToEnd(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testFederation(t, b) })
	}
}

// countRows counts rows of a node's table on either database.
func countRows(t *testing.T, dir string, db []string, query string, args ...any) int {
	t.Helper()
	var n int
	if len(db) == 0 {
		c, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "liaison.db")+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	conn, err := pgx.Connect(context.Background(), db[1])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	q := query
	for i := 1; strings.Contains(q, "?"); i++ {
		q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
	}
	if err := conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func fingerprintOf(t *testing.T, url string) string {
	t.Helper()
	code, m := call(t, "GET", url+"/federation/v1/node", "", nil)
	if code != 200 {
		t.Fatalf("node document: %d %v", code, m)
	}
	return m["fingerprint"].(string)
}

func deliveryStates(t *testing.T, url, token, record string) map[string]string {
	t.Helper()
	code, m := call(t, "GET", url+"/api/v1/deliveries?record="+record, token, nil)
	if code != 200 {
		t.Fatalf("deliveries: %d %v", code, m)
	}
	out := map[string]string{}
	for _, d := range m["deliveries"].([]any) {
		d := d.(map[string]any)
		out[fmt.Sprintf("%s v%v %s", d["recipient"], d["version"], d["type"])] = d["state"].(string)
	}
	return out
}

func testFederation(t *testing.T, b backend) {
	t.Setenv("LIAISON_DELIVERY_POLL", "100ms")
	hkDir, jpDir := t.TempDir(), t.TempDir()
	hkDB, jpDB := b.db(t, hkDir), b.db(t, jpDir)
	hkTok := initNode(t, hkDir, "HK", hkDB...)
	jpTok := initNode(t, jpDir, "JP", jpDB...)
	hk := serve(t, hkDir, hkDB...)
	jp := serve(t, jpDir, jpDB...)

	// Without --fingerprint and with nobody to ask (standard input is
	// /dev/null here), pinning says to give the fingerprint.
	if _, errOut, code := liaison(t, append([]string{"peers", "add", jp.url, "--data", hkDir}, hkDB...)...); code != 2 || !strings.Contains(errOut, "give --fingerprint") {
		t.Fatalf("peers add without a terminal: exit %d, stderr %q; want exit 2 asking for --fingerprint", code, errOut)
	}
	// Pinning: a wrong fingerprint is refused showing both; the right one pins.
	_, errOut, code := liaison(t, append([]string{"peers", "add", jp.url, "--data", hkDir, "--fingerprint",
		"SHA256:" + strings.Repeat("0", 64)}, hkDB...)...)
	if code == 0 || !strings.Contains(errOut, fingerprintOf(t, jp.url)) {
		t.Fatalf("mismatched fingerprint: exit %d, stderr %q; want a refusal naming the presented key", code, errOut)
	}
	mustLiaison(t, append([]string{"peers", "add", jp.url, "--data", hkDir, "--fingerprint", fingerprintOf(t, jp.url)}, hkDB...)...)
	if code, m := call(t, "POST", jp.url+"/api/v1/peers", jpTok, map[string]string{"url": hk.url, "fingerprint": fingerprintOf(t, hk.url)}); code != 201 {
		t.Fatalf("pin HK on JP: %d %v", code, m)
	}
	if out := mustLiaison(t, append([]string{"peers", "list", "--data", hkDir}, hkDB...)...); !strings.Contains(out, "JP") {
		t.Fatalf("peers list does not show JP: %s", out)
	}

	// Share the canonical seizure to JP and BR.
	code, rec := call(t, "POST", hk.url+"/api/v1/records", hkTok, canonical(t))
	if code != 201 {
		t.Fatalf("create: %d %v", code, rec)
	}
	id := rec["id"].(string)
	code, sh := call(t, "POST", hk.url+"/api/v1/records/"+id+"/share", hkTok, map[string]any{"recipients": []string{"JP", "BR"}})
	if code != 200 {
		t.Fatalf("share: %d %v", code, sh)
	}
	results := sh["results"].([]any)
	jpRes, brRes := results[0].(map[string]any), results[1].(map[string]any)
	if jpRes["allowed"] != true || jpRes["delivery"] == nil {
		t.Fatalf("JP: want allowed with a delivery, got %v", jpRes)
	}
	if brRes["allowed"] != false || brRes["delivery"] != nil || len(brRes["reasons"].([]any)) == 0 {
		t.Fatalf("BR: want refused with reasons and no delivery, got %v", brRes)
	}

	getJP := func() (int, map[string]any) { return call(t, "GET", jp.url+"/api/v1/records/"+id, jpTok, nil) }
	waitFor(t, "the record on JP", func() bool { c, _ := getJP(); return c == 200 })
	_, got := getJP()
	if got["originator"] != "HK" || got["version"] != float64(1) {
		t.Fatalf("JP holds originator %v version %v, want HK 1", got["originator"], got["version"])
	}
	waitFor(t, "delivered state", func() bool { return deliveryStates(t, hk.url, hkTok, id)["JP v1 record.create"] == "delivered" })

	// An update reaches JP as version 2.
	upd := canonical(t)
	upd["seizure"].(map[string]any)["narrative"] = "Updated after the laboratory report."
	if code, m := call(t, "PUT", hk.url+"/api/v1/records/"+id, hkTok, upd); code != 200 {
		t.Fatalf("update: %d %v", code, m)
	}
	waitFor(t, "version 2 on JP", func() bool { _, m := getJP(); return m["version"] == float64(2) })

	// JP goes down; HK updates twice; JP comes back and gets each once.
	jp.cmd.Process.Kill()
	jp.cmd.Wait()
	for i := 3; i <= 4; i++ {
		upd["seizure"].(map[string]any)["narrative"] = fmt.Sprintf("Revision %d.", i)
		if code, m := call(t, "PUT", hk.url+"/api/v1/records/"+id, hkTok, upd); code != 200 {
			t.Fatalf("update %d: %d %v", i, code, m)
		}
	}
	waitFor(t, "a failed attempt while JP is down", func() bool {
		c, m := call(t, "GET", hk.url+"/api/v1/deliveries?record="+id, hkTok, nil)
		if c != 200 {
			return false
		}
		for _, d := range m["deliveries"].([]any) {
			if d.(map[string]any)["last_error"] != "" {
				return true
			}
		}
		return false
	})
	jp = serve(t, jpDir, append(jpDB, "--listen", strings.TrimPrefix(jp.url, "http://"))...)
	waitFor(t, "version 4 on JP", func() bool { _, m := getJP(); return m["version"] == float64(4) })
	waitFor(t, "every delivery delivered", func() bool {
		for k, s := range deliveryStates(t, hk.url, hkTok, id) {
			if s != "delivered" {
				_ = k
				return false
			}
		}
		return true
	})
	if n := countRows(t, jpDir, jpDB, `SELECT count(*) FROM inbox WHERE record_id = ?`, id); n != 4 {
		t.Fatalf("JP's inbox holds %d envelopes of the record, want 4 (each once)", n)
	}

	// Retraction reaches JP, which purges the parties of every version.
	if code, m := call(t, "POST", hk.url+"/api/v1/records/"+id+"/retract", hkTok, map[string]string{"reason": "entered in error"}); code != 200 {
		t.Fatalf("retract: %d %v", code, m)
	}
	waitFor(t, "retraction on JP", func() bool { _, m := getJP(); return m["status"] == "retracted" })
	_, got = getJP()
	if s := got["seizure"].(map[string]any); s["parties"] != nil {
		t.Fatalf("JP kept the parties of a retracted record: %v", s["parties"])
	}
	if n := countRows(t, jpDir, jpDB, `SELECT count(*) FROM record_versions WHERE id = ? AND CAST(body AS TEXT) LIKE '%Chan Tai Man%'`, id); n != 0 {
		t.Fatalf("%d stored versions on JP still name the consignee", n)
	}
	// The signed envelopes that carried those versions are kept without
	// their payloads (header and signature); the retraction's is whole.
	if n := countRows(t, jpDir, jpDB, `SELECT count(*) FROM inbox WHERE record_id = ? AND type <> 'record.retract' AND signed LIKE '%..%'`, id); n != 4 {
		t.Fatalf("JP keeps %d of the record's 4 envelopes without their payload, want all", n)
	}
	if n := countRows(t, jpDir, jpDB, `SELECT count(*) FROM inbox WHERE record_id = ? AND type = 'record.retract' AND signed NOT LIKE '%..%'`, id); n != 1 {
		t.Fatalf("JP holds %d whole retractions of the record, want 1", n)
	}
}
