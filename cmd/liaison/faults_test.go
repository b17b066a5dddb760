package main

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/intel"
	"liaison/internal/store/sqlite"
)

// The fault tests of issue 4 run real nodes as separate processes over HTTP
// on loopback: a receiver down for a while, a receiver killed with SIGKILL
// in the middle of a batch, replicas sharing one PostgreSQL database, a key
// rotation, and envelopes that must be refused without storing anything.

// pair is HK and JP, initialised, serving and pinned to each other.
type pair struct {
	hkDir, jpDir string
	hkDB, jpDB   []string
	hkTok, jpTok string
	hk, jp       *server
}

func startPair(t *testing.T, hkDB, jpDB []string) *pair {
	t.Helper()
	t.Setenv("LIAISON_DELIVERY_POLL", "100ms")
	p := &pair{hkDir: t.TempDir(), jpDir: t.TempDir(), hkDB: hkDB, jpDB: jpDB}
	p.hkTok = initNode(t, p.hkDir, "HK", hkDB...)
	p.jpTok = initNode(t, p.jpDir, "JP", jpDB...)
	p.hk = serve(t, p.hkDir, hkDB...)
	p.jp = serve(t, p.jpDir, jpDB...)
	mustLiaison(t, append([]string{"peers", "add", p.jp.url, "--data", p.hkDir, "--fingerprint", fingerprintOf(t, p.jp.url)}, hkDB...)...)
	if code, m := call(t, "POST", p.jp.url+"/api/v1/peers", p.jpTok, map[string]string{"url": p.hk.url, "fingerprint": fingerprintOf(t, p.hk.url)}); code != 201 {
		t.Fatalf("pin HK on JP: %d %v", code, m)
	}
	return p
}

// importRecords imports n variants of the canonical seizure into HK and
// returns their ids.
func importRecords(t *testing.T, p *pair, n int) []string {
	t.Helper()
	var buf bytes.Buffer
	for i := range n {
		r := canonical(t)
		r["seizure"].(map[string]any)["narrative"] = fmt.Sprintf("Seizure %d of the fault test.", i)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	f := filepath.Join(t.TempDir(), "records.jsonl")
	if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	mustLiaison(t, append([]string{"import", f, "--data", p.hkDir}, p.hkDB...)...)
	var ids []string
	cursor := ""
	for {
		code, m := call(t, "GET", p.hk.url+"/api/v1/records?limit=1000&cursor="+cursor, p.hkTok, nil)
		if code != 200 {
			t.Fatalf("list records: %d %v", code, m)
		}
		for _, r := range m["records"].([]any) {
			ids = append(ids, r.(map[string]any)["id"].(string))
		}
		cursor, _ = m["next"].(string)
		if cursor == "" {
			break
		}
	}
	if len(ids) != n {
		t.Fatalf("HK lists %d records after importing %d", len(ids), n)
	}
	return ids
}

// share shares each record with JP through the REST API.
func share(t *testing.T, p *pair, ids []string) {
	t.Helper()
	for _, id := range ids {
		code, m := call(t, "POST", p.hk.url+"/api/v1/records/"+id+"/share", p.hkTok, map[string]any{"recipients": []string{"JP"}})
		if code != 200 || m["results"].([]any)[0].(map[string]any)["allowed"] != true {
			t.Fatalf("share %s: %d %v", id, code, m)
		}
	}
}

// wantExactlyOnce waits until HK has delivered every row and checks that JP
// stored each shared record once and each envelope once.
func wantExactlyOnce(t *testing.T, p *pair, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for countRows(t, p.hkDir, p.hkDB, `SELECT count(*) FROM outbox WHERE state = 'delivered'`) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries delivered after 5 minutes", countRows(t, p.hkDir, p.hkDB, `SELECT count(*) FROM outbox WHERE state = 'delivered'`), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := countRows(t, p.hkDir, p.hkDB, `SELECT count(*) FROM outbox`); got != n {
		t.Errorf("HK's outbox holds %d rows, want %d", got, n)
	}
	if got := countRows(t, p.hkDir, p.hkDB, `SELECT count(*) FROM outbox WHERE state <> 'delivered'`); got != 0 {
		t.Errorf("%d of HK's deliveries are not delivered", got)
	}
	if got := countRows(t, p.jpDir, p.jpDB, `SELECT count(*) FROM records`); got != n {
		t.Errorf("JP holds %d records, want exactly the %d shared", got, n)
	}
	if got := countRows(t, p.jpDir, p.jpDB, `SELECT count(*) FROM record_versions`); got != n {
		t.Errorf("JP holds %d record versions, want %d (each stored once)", got, n)
	}
	if got := countRows(t, p.jpDir, p.jpDB, `SELECT count(*) FROM inbox`); got != n {
		t.Errorf("JP's inbox holds %d envelopes, want %d (each once)", got, n)
	}
	if got := countRows(t, p.jpDir, p.jpDB, `SELECT count(DISTINCT record_id) FROM inbox`); got != n {
		t.Errorf("JP's inbox names %d distinct records, want %d", got, n)
	}
}

// TestFaultReceiverDown shares 200 records while JP is down; when JP comes
// back every envelope arrives exactly once.
func TestFaultReceiverDown(t *testing.T) {
	p := startPair(t, nil, nil)
	ids := importRecords(t, p, 200)
	addr := strings.TrimPrefix(p.jp.url, "http://")
	p.jp.cmd.Process.Kill()
	p.jp.cmd.Wait()
	share(t, p, ids)
	waitFor(t, "failed attempts while JP is down", func() bool {
		return countRows(t, p.hkDir, nil, `SELECT count(*) FROM outbox WHERE state = 'failed' AND last_error <> ''`) > 0
	})
	p.jp = serve(t, p.jpDir, "--listen", addr)
	wantExactlyOnce(t, p, len(ids))
}

// TestFaultReceiverKilledMidBatch kills JP with SIGKILL while a batch of
// 2,000 shared records is being stored, restarts it, and checks that
// nothing is lost and nothing is stored twice.
func TestFaultReceiverKilledMidBatch(t *testing.T) {
	p := startPair(t, nil, nil)
	ids := importRecords(t, p, 2000)
	addr := strings.TrimPrefix(p.jp.url, "http://")
	// Build the outbox while JP is down, so that it leaves in full batches
	// of up to 1,000 when JP returns; kill JP once the first is being
	// stored.
	p.jp.cmd.Process.Kill()
	p.jp.cmd.Wait()
	share(t, p, ids)
	p.jp = serve(t, p.jpDir, "--listen", addr)
	waitFor(t, "JP's inbox to start filling", func() bool {
		return countRows(t, p.jpDir, nil, `SELECT count(*) FROM inbox`) > 0
	})
	if err := p.jp.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.jp.cmd.Wait()
	stored := countRows(t, p.jpDir, nil, `SELECT count(*) FROM inbox`)
	delivered := countRows(t, p.hkDir, nil, `SELECT count(*) FROM outbox WHERE state = 'delivered'`)
	if stored >= len(ids) {
		t.Fatalf("JP stored all %d envelopes before it was killed; the kill did not land mid-stream", stored)
	}
	t.Logf("killed JP with %d envelopes stored and %d deliveries acknowledged", stored, delivered)
	p.jp = serve(t, p.jpDir, "--listen", addr)
	wantExactlyOnce(t, p, len(ids))
}

// TestFaultReplicas runs two `liaison serve` processes of HK on one
// PostgreSQL database: their workers share the outbox and JP receives each
// envelope exactly once, with no delivery claimed or attempted twice.
func TestFaultReplicas(t *testing.T) {
	hkDB := backends[1].db(t, "")
	p := startPair(t, hkDB, nil)
	second := serve(t, p.hkDir, hkDB...)
	const n = 300
	ids := importRecords(t, p, n)
	// Share half through each replica.
	for i, id := range ids {
		url := p.hk.url
		if i%2 == 1 {
			url = second.url
		}
		if code, m := call(t, "POST", url+"/api/v1/records/"+id+"/share", p.hkTok, map[string]any{"recipients": []string{"JP"}}); code != 200 {
			t.Fatalf("share %s: %d %v", id, code, m)
		}
	}
	wantExactlyOnce(t, p, n)
	if got := countRows(t, p.hkDir, hkDB, `SELECT count(*) FROM outbox WHERE attempts <> 1`); got != 0 {
		t.Errorf("%d deliveries were attempted more than once (double delivery by the replicas)", got)
	}
	if got := countRows(t, p.hkDir, hkDB, `SELECT count(*) FROM audit WHERE action = 'envelope.receive'`); got != 0 {
		t.Errorf("HK's audit holds %d receipts, want 0", got)
	}
	if got := countRows(t, p.jpDir, nil, `SELECT count(*) FROM audit WHERE action = 'envelope.receive'`); got != n {
		t.Errorf("JP audited %d receipts, want %d", got, n)
	}
}

// TestFaultKeyRotation rotates HK's key with `liaison keys rotate`: JP
// re-pins, a record shared afterwards verifies with the new key, and an
// envelope signed with the old key after the rotation is refused.
func TestFaultKeyRotation(t *testing.T) {
	p := startPair(t, nil, nil)
	oldKey := nodeKeyOf(t, p.hkDir)
	ids := importRecords(t, p, 3)
	share(t, p, ids[:1])
	waitFor(t, "the first record on JP", func() bool { return countRows(t, p.jpDir, nil, `SELECT count(*) FROM records`) == 1 })

	out := mustLiaison(t, "keys", "rotate", "--data", p.hkDir)
	newKey := nodeKeyOf(t, p.hkDir)
	if newKey.Fingerprint() == oldKey.Fingerprint() || !strings.Contains(out, newKey.Fingerprint()) {
		t.Fatalf("keys rotate printed %q; the current key is %s (old %s)", out, newKey.Fingerprint(), oldKey.Fingerprint())
	}
	// Share in the same moment as the rotation: the key.rotate envelope
	// leaves first, and what follows is signed with the new key.
	share(t, p, ids[1:])
	waitFor(t, "JP to re-pin HK", func() bool {
		return countRows(t, p.jpDir, nil, `SELECT count(*) FROM peers WHERE code = 'HK' AND fingerprint = ?`, newKey.Fingerprint()) == 1
	})
	waitFor(t, "every delivery delivered", func() bool {
		return countRows(t, p.hkDir, nil, `SELECT count(*) FROM outbox WHERE state = 'delivered'`) == 4
	})
	if got := countRows(t, p.jpDir, nil, `SELECT count(*) FROM records`); got != 3 {
		t.Fatalf("JP holds %d records, want 3", got)
	}
	if got := countRows(t, p.jpDir, nil, `SELECT count(*) FROM inbox WHERE type = 'key.rotate'`); got != 1 {
		t.Fatalf("JP received %d rotations, want 1", got)
	}
	if got := countRows(t, p.hkDir, nil, `SELECT count(*) FROM outbox WHERE state <> 'delivered'`); got != 0 {
		t.Fatalf("%d of HK's deliveries are not delivered after the rotation", got)
	}
	// The stored envelope of a record shared after the rotation verifies
	// with the new key.
	var stored []byte
	c := openSQLite(t, p.jpDir)
	if err := c.QueryRow(`SELECT signed FROM inbox WHERE record_id = ?`, ids[2]).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	signed, err := sqlite.UnpackSigned(stored)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := envelope.Verify(signed, newKey.Public); err != nil {
		t.Errorf("envelope shared after the rotation does not verify with the new key: %v", err)
	}

	// An envelope signed with the old key after the rotation is refused.
	now := time.Now().UTC()
	var rec intel.Record
	b, _ := json.Marshal(canonical(t))
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	rec.ID, _ = envelope.NewID(now)
	rec.Originator, rec.Version, rec.Status, rec.Created, rec.Updated = "HK", 1, intel.StatusActive, &now, &now
	res := postEnvelope(t, p.jp.url, mustSignRecord(t, oldKey, rec, now))
	if res.Status != envelope.Refused || !strings.Contains(res.Reason, "not the key pinned") {
		t.Errorf("envelope signed with the old key: %+v, want refused as not the pinned key", res)
	}
	if got := countRows(t, p.jpDir, nil, `SELECT count(*) FROM records WHERE id = ?`, rec.ID); got != 0 {
		t.Errorf("the refused envelope's record was stored")
	}
}

// TestFaultRefusedEnvelopes posts a replayed envelope and an oversized one
// to a real JP node: the replay is answered duplicate and stored once, the
// oversized one refused naming its size; nothing else is stored.
func TestFaultRefusedEnvelopes(t *testing.T) {
	p := startPair(t, nil, nil)
	key := nodeKeyOf(t, p.hkDir)
	now := time.Now().UTC()
	var rec intel.Record
	b, _ := json.Marshal(canonical(t))
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	rec.ID, _ = envelope.NewID(now)
	rec.Originator, rec.Version, rec.Status, rec.Created, rec.Updated = "HK", 1, intel.StatusActive, &now, &now
	good := mustSignRecord(t, key, rec, now)

	t.Run("replayed envelope", func(t *testing.T) {
		if r := postEnvelope(t, p.jp.url, good); r.Status != envelope.Accepted {
			t.Fatalf("first delivery: %+v", r)
		}
		for range 3 {
			if r := postEnvelope(t, p.jp.url, good); r.Status != envelope.Duplicate {
				t.Fatalf("replay: %+v, want duplicate", r)
			}
		}
		if got := countRows(t, p.jpDir, nil, `SELECT count(*) FROM record_versions WHERE id = ?`, rec.ID); got != 1 {
			t.Errorf("%d versions stored after three replays, want 1", got)
		}
		if got := countRows(t, p.jpDir, nil, `SELECT count(*) FROM inbox`); got != 1 {
			t.Errorf("inbox holds %d envelopes, want 1", got)
		}
	})
	t.Run("oversized envelope", func(t *testing.T) {
		big := rec
		big.ID, _ = envelope.NewID(now)
		seizure := *rec.Seizure
		seizure.Narrative = strings.Repeat("cigarettes behind the cartons ", envelope.MaxSize/30+100)
		big.Seizure = &seizure
		env := forgeLarge(t, key, big, now)
		if len(env) <= envelope.MaxSize {
			t.Fatalf("test envelope is %d bytes, not over the limit", len(env))
		}
		r := postEnvelope(t, p.jp.url, env)
		if r.Status != envelope.Refused || !strings.Contains(r.Reason, "too large") || !strings.Contains(r.Reason, "limit 1,048,576") {
			t.Errorf("oversized envelope: %+v, want refused naming its size and the limit", r)
		}
		if got := countRows(t, p.jpDir, nil, `SELECT count(*) FROM records WHERE id = ?`, big.ID); got != 0 {
			t.Errorf("the oversized envelope's record was stored")
		}
		if got := countRows(t, p.jpDir, nil, `SELECT count(*) FROM inbox`); got != 1 {
			t.Errorf("inbox holds %d envelopes, want only the earlier one", got)
		}
	})
}

func mustSignRecord(t *testing.T, key identity.Key, r intel.Record, created time.Time) []byte {
	t.Helper()
	id, _ := envelope.NewID(created)
	pl, err := envelope.NewPayload(envelope.RecordPayload{Record: r})
	if err != nil {
		t.Fatal(err)
	}
	s, err := envelope.Sign(key, envelope.Envelope{ID: id, Type: envelope.TypeRecordCreate, From: "HK",
		To: []string{"JP"}, Created: created, Payload: pl})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// forgeLarge signs an envelope over envelope.MaxSize, which envelope.Sign
// refuses to do, by signing a smaller one and swapping in the large
// payload: the receiver must refuse it for its size before anything else.
func forgeLarge(t *testing.T, key identity.Key, r intel.Record, created time.Time) []byte {
	t.Helper()
	small := r
	seizure := *r.Seizure
	seizure.Narrative = "small"
	small.Seizure = &seizure
	s := mustSignRecord(t, key, small, created)
	parts := strings.Split(string(s), ".")
	id, _ := envelope.NewID(created)
	pl, err := envelope.NewPayload(envelope.RecordPayload{Record: r})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"id": id, "type": "record.create", "from": "HK", "to": []string{"JP"},
		"created": created.Format(time.RFC3339Nano), "payload": pl})
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = b64(body)
	return []byte(strings.Join(parts, "."))
}

func postEnvelope(t *testing.T, url string, env []byte) envelope.Result {
	t.Helper()
	resp, err := http.Post(url+"/federation/v1/inbox", "application/json", bytes.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r envelope.Response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 || len(r.Results) != 1 {
		t.Fatalf("inbox answered %d %+v (%v), want one result", resp.StatusCode, r, err)
	}
	return r.Results[0]
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// openSQLite opens a node's SQLite database read-only for the test.
func openSQLite(t *testing.T, dir string) *sql.DB {
	t.Helper()
	c, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "liaison.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
