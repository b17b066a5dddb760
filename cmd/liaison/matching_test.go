package main

import (
	"bufio"
	"context"
	"io"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCrossMatching runs three real nodes: China reports a person under
// his name in Han characters and France a Russian-registered company in
// Latin letters, both shared with Hong Kong, whose own seizure names the
// person in Hong Kong romanisation and the company in Cyrillic. Hong Kong
// links its seizure to both received reports, with reasons; users are told
// only about records they may see; exclusions and links survive a restart,
// after which the rebuilt index still finds the received records; values
// shared by too many records are listed.
func TestCrossMatching(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testCrossMatching(t, b) })
	}
}

// seizureNaming is the canonical seizure with its parties replaced,
// distributed to recipients (none: the originator only).
func seizureNaming(t *testing.T, recipients []string, parties ...map[string]any) map[string]any {
	t.Helper()
	r := canonical(t)
	r["distribution"] = map[string]any{"scope": "originator"}
	if len(recipients) > 0 {
		r["distribution"] = map[string]any{"scope": "bilateral", "recipients": recipients}
	}
	s := r["seizure"].(map[string]any)
	delete(s, "conveyance")
	delete(s, "containers")
	ps := make([]any, len(parties))
	for i, p := range parties {
		ps[i] = p
	}
	s["parties"] = ps
	return r
}

// matchedRecords returns the records linked to id as user token sees
// them, and the links themselves.
func matchedRecords(t *testing.T, base, token, id string) ([]string, []map[string]any) {
	t.Helper()
	code, m := call(t, "GET", base+"/api/v1/records/"+id+"/matches", token, nil)
	if code != 200 {
		t.Fatalf("matches of %s: %d %v", id, code, m)
	}
	var ids []string
	var links []map[string]any
	for _, l := range m["matches"].([]any) {
		l := l.(map[string]any)
		ids = append(ids, l["record"].(string))
		links = append(links, l)
	}
	return ids, links
}

// waitIndexReady waits until the node's health says its match index is
// built: a node serves at once and builds the index meanwhile.
func waitIndexReady(t *testing.T, base string) {
	t.Helper()
	waitFor(t, "the match index built", func() bool {
		code, m := call(t, "GET", base+"/api/v1/health", "", nil)
		mi, _ := m["match_index"].(map[string]any)
		return code == 200 && mi != nil && mi["state"] == "ready"
	})
}

func searchRecords(t *testing.T, base, token, query string) []string {
	t.Helper()
	code, m := call(t, "GET", base+"/api/v1/entities/search?"+query, token, nil)
	if code != 200 {
		t.Fatalf("search %s: %d %v", query, code, m)
	}
	var ids []string
	for _, r := range m["results"].([]any) {
		ids = append(ids, r.(map[string]any)["record"].(string))
	}
	return ids
}

func testCrossMatching(t *testing.T, b backend) {
	t.Setenv("LIAISON_DELIVERY_POLL", "100ms")
	hkDir, cnDir, frDir := t.TempDir(), t.TempDir(), t.TempDir()
	hkDB, cnDB, frDB := b.db(t, hkDir), b.db(t, cnDir), b.db(t, frDir)
	hkTok := initNode(t, hkDir, "HK", hkDB...)
	cnTok := initNode(t, cnDir, "CN", cnDB...)
	frTok := initNode(t, frDir, "FR", frDB...)
	tokenOf := func(args ...string) string {
		out := mustLiaison(t, append(append([]string{"user", "add"}, args...), append([]string{"--data", hkDir}, hkDB...)...)...)
		return regexp.MustCompile(`token: (\S+)`).FindStringSubmatch(out)[1]
	}
	member := tokenOf("mei", "--role", "analyst", "--operation", "OP-JADE")
	outsider := tokenOf("olaf", "--role", "analyst")
	hk, cn, fr := serve(t, hkDir, hkDB...), serve(t, cnDir, cnDB...), serve(t, frDir, frDB...)
	for _, p := range []struct {
		on    *server
		token string
		peer  *server
	}{{hk, hkTok, cn}, {hk, hkTok, fr}, {cn, cnTok, hk}, {fr, frTok, hk}} {
		if code, m := call(t, "POST", p.on.url+"/api/v1/peers", p.token, map[string]string{"url": p.peer.url, "fingerprint": fingerprintOf(t, p.peer.url)}); code != 201 {
			t.Fatalf("pin %s on %s: %d %v", p.peer.url, p.on.url, code, m)
		}
	}
	create := func(base, token string, body map[string]any) string {
		t.Helper()
		code, m := call(t, "POST", base+"/api/v1/records", token, body)
		if code != 201 {
			t.Fatalf("create on %s: %d %v", base, code, m)
		}
		return m["id"].(string)
	}
	share := func(base, token, id string) {
		t.Helper()
		code, m := call(t, "POST", base+"/api/v1/records/"+id+"/share", token, map[string]any{"recipients": []string{"HK"}})
		if code != 200 || m["results"].([]any)[0].(map[string]any)["allowed"] != true {
			t.Fatalf("share %s to HK: %d %v", id, code, m)
		}
	}

	// Hong Kong's own seizure, and a record of an operation naming the
	// same person that only the operation's members may see.
	hkID := create(hk.url, hkTok, seizureNaming(t, nil,
		map[string]any{"type": "person", "role": "consignee", "name": "Chan Tai Man", "birth_date": "1975-03-02", "nationality": "HK"},
		map[string]any{"type": "organisation", "role": "consignor", "name": "ООО «Северный путь»", "country": "RU"}))
	opBody := seizureNaming(t, nil, map[string]any{"type": "person", "role": "consignee", "name": "CHAN Tai-man", "birth_date": "1975-03-02", "nationality": "HK"})
	opBody["distribution"] = map[string]any{"scope": "operation", "operation": "OP-JADE"}
	opID := create(hk.url, member, opBody)

	// China's and France's reports arrive over federation.
	cnID := create(cn.url, cnTok, seizureNaming(t, []string{"HK"},
		map[string]any{"type": "person", "role": "consignee", "name": "陳大文", "birth_date": "1975-03-02", "nationality": "CN"}))
	share(cn.url, cnTok, cnID)
	frID := create(fr.url, frTok, seizureNaming(t, []string{"HK"},
		map[string]any{"type": "organisation", "role": "consignor", "name": "Severny Put LLC", "country": "RU"}))
	share(fr.url, frTok, frID)

	waitFor(t, "Hong Kong's seizure linked to the Chinese and French reports", func() bool {
		ids, _ := matchedRecords(t, hk.url, hkTok, hkID)
		return slices.Contains(ids, cnID) && slices.Contains(ids, frID)
	})
	_, links := matchedRecords(t, hk.url, hkTok, hkID)
	for _, l := range links {
		entity, matched := l["entity"].(map[string]any), l["matched"].(map[string]any)
		reasons := l["reasons"].([]any)
		if len(reasons) == 0 || l["score"].(float64) <= 0 || l["score"].(float64) > 1 {
			t.Errorf("link %v: want a score in (0, 1] and reasons", l)
		}
		switch l["record"] {
		case cnID:
			if entity["name"] != "Chan Tai Man" || matched["name"] != "陳大文" || !strings.Contains(reasons[0].(string), "Hong Kong romanisation") {
				t.Errorf("link to China's report: %v", l)
			}
		case frID:
			if entity["name"] != "ООО «Северный путь»" || matched["name"] != "Severny Put LLC" {
				t.Errorf("link to France's report: %v", l)
			}
		}
	}
	// The received record's own page shows the link back.
	if ids, _ := matchedRecords(t, hk.url, hkTok, cnID); !slices.Contains(ids, hkID) {
		t.Errorf("China's report on Hong Kong does not link to Hong Kong's seizure: %v", ids)
	}

	// Visibility: the operation record is shown to its members only.
	q := "name=" + url.QueryEscape("陳大文") + "&type=person"
	for _, tc := range []struct {
		name  string
		token string
		sees  bool
	}{{"member", member, true}, {"outsider", outsider, false}} {
		t.Run(tc.name, func(t *testing.T) {
			ids, _ := matchedRecords(t, hk.url, tc.token, cnID)
			if slices.Contains(ids, opID) != tc.sees {
				t.Errorf("matches of China's report show the operation record: %v, want %v", slices.Contains(ids, opID), tc.sees)
			}
			if !slices.Contains(ids, hkID) {
				t.Errorf("matches of China's report miss Hong Kong's seizure: %v", ids)
			}
			found := searchRecords(t, hk.url, tc.token, q)
			if slices.Contains(found, opID) != tc.sees {
				t.Errorf("search shows the operation record: %v, want %v", slices.Contains(found, opID), tc.sees)
			}
			if !slices.Contains(found, cnID) {
				t.Errorf("search for the Han-character name misses China's report: %v", found)
			}
		})
	}
	if code, m := call(t, "GET", hk.url+"/api/v1/records/"+opID+"/matches", outsider, nil); code != 404 {
		t.Errorf("outsider asking for the operation record's matches: %d %v, want 404", code, m)
	}

	// Bad searches name the field.
	for _, tc := range []struct{ query, field string }{
		{"type=person", "name"},
		{"name=x&type=planet", "type"},
		{"name=x&limit=1000", "limit"},
		{"name=x&min_score=2", "min_score"},
	} {
		if code, m := call(t, "GET", hk.url+"/api/v1/entities/search?"+tc.query, hkTok, nil); code != 400 || errField(m) != tc.field {
			t.Errorf("search %s: %d %v, want 400 naming %s", tc.query, code, m, tc.field)
		}
	}

	// Exclusions are for administrators, audited and kept.
	excl := map[string]string{"type": "container", "value": "MSKU 907032-3", "reason": "a depot's demonstration box"}
	if code, m := call(t, "POST", hk.url+"/api/v1/matching/exclusions", outsider, excl); code != 403 {
		t.Errorf("analyst excluding: %d %v, want 403", code, m)
	}
	if code, m := call(t, "POST", hk.url+"/api/v1/matching/exclusions", hkTok, excl); code != 201 || m["value"] != excl["value"] {
		t.Fatalf("exclude: %d %v", code, m)
	}
	boxed := seizureNaming(t, nil)
	boxed["seizure"].(map[string]any)["containers"] = []string{"MSKU9070323"}
	boxID := create(hk.url, hkTok, boxed)

	// Restart Hong Kong: links, exclusions and the index come back.
	hk.cmd.Process.Kill()
	hk.cmd.Wait()
	hk = serve(t, hkDir, hkDB...)
	waitIndexReady(t, hk.url)
	if ids, _ := matchedRecords(t, hk.url, hkTok, hkID); !slices.Contains(ids, cnID) || !slices.Contains(ids, frID) {
		t.Errorf("after restart Hong Kong's seizure links to %v, want %s and %s", ids, cnID, frID)
	}
	code, m := call(t, "GET", hk.url+"/api/v1/matching/exclusions", hkTok, nil)
	if code != 200 || len(m["exclusions"].([]any)) != 1 {
		t.Fatalf("exclusions after restart: %d %v", code, m)
	}
	if found := searchRecords(t, hk.url, hkTok, "type=container&name=MSKU9070323"); slices.Contains(found, boxID) {
		t.Errorf("the excluded container still finds %v after restart", found)
	}
	again := create(hk.url, hkTok, seizureNaming(t, nil,
		map[string]any{"type": "person", "role": "consignee", "name": "陳大文", "birth_date": "1975-03-02", "nationality": "HK"}))
	waitFor(t, "a new record linked to the received report by the rebuilt index", func() bool {
		ids, _ := matchedRecords(t, hk.url, hkTok, again)
		return slices.Contains(ids, cnID) && slices.Contains(ids, hkID)
	})

	// A value on too many records is listed and stops linking.
	placeholder := seizureNaming(t, nil, map[string]any{"type": "person", "role": "consignee", "name": "Unknown Person"})
	for range 205 {
		create(hk.url, hkTok, placeholder)
	}
	if code, m := call(t, "GET", hk.url+"/api/v1/matching/overcorrelated", outsider, nil); code != 403 {
		t.Errorf("analyst listing over-correlated values: %d %v, want 403", code, m)
	}
	waitFor(t, "the placeholder name listed as over-correlated", func() bool {
		code, m := call(t, "GET", hk.url+"/api/v1/matching/overcorrelated", hkTok, nil)
		if code != 200 {
			return false
		}
		for _, v := range m["values"].([]any) {
			if v := v.(map[string]any); v["type"] == "person" && v["value"] == "Unknown Person" {
				return true
			}
		}
		return false
	})
}

// TestDemoCrossMatching checks the demo's story: on Hong Kong, the seizure
// naming "Chan Tai Man" and "ООО «Северный путь»" links to China's report of
// 陳大文 and France's report of "Severny Put LLC", with reasons.
func TestDemoCrossMatching(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "demo", "--listen", "127.0.0.1:0", "--records", "40")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lineRE := regexp.MustCompile(`^node HK (http://\S+) token=(\S+)$`)
	var hkURL, hkTok string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := lineRE.FindStringSubmatch(sc.Text()); m != nil {
			hkURL, hkTok = m[1], m[2]
		}
		if sc.Text() == "ready" {
			break
		}
	}
	if hkURL == "" {
		t.Fatal("demo printed no HK node line")
	}
	go io.Copy(io.Discard, stdout)
	var own string
	waitFor(t, "a Hong Kong seizure naming Chan Tai Man", func() bool {
		for _, id := range searchRecords(t, hkURL, hkTok, "name=Chan+Tai+Man&type=person") {
			if _, r := call(t, "GET", hkURL+"/api/v1/records/"+id, hkTok, nil); r["originator"] == "HK" {
				own = id
			}
		}
		return own != ""
	})
	waitFor(t, "Hong Kong's seizure linked to 陳大文 and Severny Put LLC", func() bool {
		_, links := matchedRecords(t, hkURL, hkTok, own)
		var person, company bool
		for _, l := range links {
			m := l["matched"].(map[string]any)
			ok := len(l["reasons"].([]any)) > 0
			person = person || ok && m["name"] == "陳大文"
			company = company || ok && m["name"] == "Severny Put LLC"
		}
		return person && company
	})
}
