package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
)

// TestDemo starts `liaison demo`, reads its lines, checks that the five
// nodes are up and exchanging (a Hong Kong record on Japan with its
// signature trail, the RILO's statistics, the warning's feedback and the
// answered request on both sides) and stops it with SIGINT.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "demo", "--listen", "127.0.0.1:0", "--records", "120")
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lineRE := regexp.MustCompile(`^node (\S+) (http://\S+) token=(\S+)$`)
	nodes := map[string][2]string{}
	sc := bufio.NewScanner(stdout)
	ready := false
	for sc.Scan() {
		line := sc.Text()
		if line == "ready" {
			ready = true
			break
		}
		if m := lineRE.FindStringSubmatch(line); m != nil {
			nodes[m[1]] = [2]string{m[2], m[3]}
		}
	}
	if !ready {
		t.Fatalf("demo never printed ready; stderr: %s", stderr.String())
	}
	for _, c := range []string{"HK", "RILO-AP", "JP", "FR", "CN"} {
		n, ok := nodes[c]
		if !ok {
			t.Fatalf("demo printed no %s node line: %v", c, nodes)
		}
		code, h := call(t, "GET", n[0]+"/api/v1/health", "", nil)
		if code != 200 || h["node"] != c {
			t.Fatalf("demo %s health: %d %v", c, code, h)
		}
	}
	hk, jp, rilo := nodes["HK"], nodes["JP"], nodes["RILO-AP"]
	if code, list := call(t, "GET", hk[0]+"/api/v1/records?kind=seizure&originator=HK&limit=5", hk[1], nil); code != 200 || len(list["records"].([]any)) != 5 {
		t.Fatalf("demo HK records: %d %v", code, list)
	}

	// Japan holds a record originated by Hong Kong, received with Hong
	// Kong's key, and its audit chain verifies.
	hkFP := fingerprintOf(t, hk[0])
	var fromHK string
	waitFor(t, "a Hong Kong seizure on Japan", func() bool {
		_, l := call(t, "GET", jp[0]+"/api/v1/records?kind=seizure&originator=HK&limit=1", jp[1], nil)
		if rs, _ := l["records"].([]any); len(rs) == 1 {
			fromHK = rs[0].(map[string]any)["id"].(string)
			return true
		}
		return false
	})
	code, rc := call(t, "GET", jp[0]+"/api/v1/records/"+fromHK+"/receipts", jp[1], nil)
	if code != 200 || len(rc["receipts"].([]any)) == 0 {
		t.Fatalf("receipts on JP: %d %v", code, rc)
	}
	for _, r := range rc["receipts"].([]any) {
		if r := r.(map[string]any); r["from"] != "HK" || r["key"] != hkFP {
			t.Fatalf("JP receipt %v, want from HK signed by %s", r, hkFP)
		}
	}
	if code, v := call(t, "GET", jp[0]+"/api/v1/audit/verify", jp[1], nil); code != 200 || v["ok"] != true {
		t.Fatalf("JP audit chain: %d %v", code, v)
	}
	checkSignedReceipts(t, hk, jp, fromHK)

	// The RILO has region reports and relayed them.
	waitFor(t, "RILO statistics with relays", func() bool {
		_, st := call(t, "GET", rilo[0]+"/api/v1/rilo/statistics", rilo[1], nil)
		rec, _ := st["records"].(float64)
		relays, _ := st["relays"].(map[string]any)
		return rec > 0 && relays["delivered"] != nil
	})

	// The warning was answered with feedback, the request answered; both
	// sides see it.
	waitFor(t, "feedback on Hong Kong", func() bool {
		_, l := call(t, "GET", hk[0]+"/api/v1/records?kind=feedback&originator=JP", hk[1], nil)
		rs, _ := l["records"].([]any)
		if len(rs) == 0 {
			return false
		}
		w := rs[0].(map[string]any)["feedback"].(map[string]any)["warning"].(string)
		_, f := call(t, "GET", hk[0]+"/api/v1/records/"+w+"/feedback", hk[1], nil)
		fs, _ := f["feedback"].([]any)
		return len(fs) == 1
	})
	for _, n := range [][2]string{hk, jp} {
		waitFor(t, "the answered request", func() bool {
			_, l := call(t, "GET", n[0]+"/api/v1/requests?state=answered", n[1], nil)
			rs, _ := l["requests"].([]any)
			return len(rs) == 1
		})
	}

	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("demo after SIGINT: %v; stderr: %s", err, stderr.String())
	}
}

// checkSignedReceipts reads the envelopes that carried record id to JP as
// Hong Kong signed them: each verifies with Hong Kong's published key,
// the read is in JP's audit log, and they are left out unless asked for.
func checkSignedReceipts(t *testing.T, hk, jp [2]string, id string) {
	t.Helper()
	code, node := call(t, "GET", hk[0]+"/federation/v1/node", "", nil)
	if code != 200 {
		t.Fatalf("HK node document: %d %v", code, node)
	}
	pub, err := identity.ParsePublic(node["public_key"].(string))
	if err != nil {
		t.Fatal(err)
	}
	_, v := call(t, "GET", jp[0]+"/api/v1/audit/verify", jp[1], nil)
	before := int64(v["entries"].(float64))
	code, rc := call(t, "GET", jp[0]+"/api/v1/records/"+id+"/receipts?signed=true", jp[1], nil)
	if code != 200 || len(rc["receipts"].([]any)) == 0 {
		t.Fatalf("signed receipts on JP: %d %v", code, rc)
	}
	for _, r := range rc["receipts"].([]any) {
		r := r.(map[string]any)
		signed, _ := r["signed"].(string)
		env, err := envelope.Verify([]byte(signed), pub)
		if err != nil {
			t.Fatalf("envelope %v as kept by JP does not verify with HK's key: %v", r["envelope"], err)
		}
		if env.ID != r["envelope"] || env.From != "HK" {
			t.Errorf("receipt %v holds envelope %s from %s", r["envelope"], env.ID, env.From)
		}
		// The decision it carries claims the basis and the verdict of
		// every rule checked, without Hong Kong's sentences.
		var p envelope.RecordPayload
		if err := env.DecodeRecord(&p); err != nil {
			t.Fatalf("envelope %s: %v", env.ID, err)
		}
		d := p.Decision
		if !d.Allowed || d.Basis == nil || d.Basis.Kind == "" || d.Basis.Title == "" || len(d.Reasons) < 5 {
			t.Fatalf("envelope %s claims decision %+v (basis %+v), want an allowed one with its basis and rules", env.ID, d, d.Basis)
		}
		for _, reason := range d.Reasons {
			if reason.Rule == "" || !reason.Met || reason.Text != "" {
				t.Errorf("envelope %s claims reason %+v, want a rule met, without its sentence", env.ID, reason)
			}
		}
	}
	code, es := call(t, "GET", jp[0]+"/api/v1/audit?after="+strconv.FormatInt(before, 10), jp[1], nil)
	found := false
	for _, e := range es["entries"].([]any) {
		e := e.(map[string]any)
		found = found || e["action"] == "record.read" && e["target"] == id && e["detail"] == "signed envelopes"
	}
	if code != 200 || !found {
		t.Errorf("JP's audit log after entry %d has no read of %s's signed envelopes: %d %v", before, id, code, es)
	}
	_, plain := call(t, "GET", jp[0]+"/api/v1/records/"+id+"/receipts", jp[1], nil)
	for _, r := range plain["receipts"].([]any) {
		if _, ok := r.(map[string]any)["signed"]; ok {
			t.Fatalf("receipts without ?signed=true carry the envelope: %v", r)
		}
	}
	if code, bad := call(t, "GET", jp[0]+"/api/v1/records/"+id+"/receipts?signed=yes", jp[1], nil); code != 400 ||
		!strings.Contains(fmt.Sprint(bad), "signed") {
		t.Errorf("?signed=yes answered %d %v, want 400 naming the parameter", code, bad)
	}
}
