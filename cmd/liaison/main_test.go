package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"liaison/internal/shareddata"
	"liaison/internal/store/pgtest"
)

// The tests in this file build the real binary and drive it as an
// administrator would: init, serve, the REST API over loopback, signals,
// audit verification and import/export.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "liaison-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "liaison")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build liaison: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var sharedData = shareddata.Dir()

func liaison(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return o.String(), e.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("run liaison %v: %v", args, err)
	}
	return o.String(), e.String(), 0
}

func mustLiaison(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := liaison(t, args...)
	if code != 0 {
		t.Fatalf("liaison %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

var tokenRE = regexp.MustCompile(`admin token: (\S+)`)

func initNode(t *testing.T, dir, code string, extra ...string) string {
	t.Helper()
	out := mustLiaison(t, append([]string{"init", "--data", dir, "--node", code}, extra...)...)
	m := tokenRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("init printed no admin token line: %q", out)
	}
	return m[1]
}

// server is a running `liaison serve` process.
type server struct {
	cmd *exec.Cmd
	url string
}

var addrRE = regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)

func serve(t *testing.T, dir string, extra ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			t.Fatal("serve exited before listening")
		}
		return &server{cmd: cmd, url: "http://" + addr}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not report its address")
	}
	return nil
}

func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: response is not a JSON object: %s", method, url, raw)
		}
	}
	return resp.StatusCode, m
}

func errField(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

func canonical(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/canonical-seizure.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// backend is a database a node can run on in these tests.
type backend struct {
	name string
	// db holds the extra flags that select the database (none for SQLite).
	db func(t *testing.T, dir string) []string
	// tamper alters the audit entry with the given sequence number.
	tamper func(t *testing.T, dir string, db []string, seq int)
}

var backends = []backend{
	{
		name: "sqlite",
		db:   func(*testing.T, string) []string { return nil },
		tamper: func(t *testing.T, dir string, _ []string, seq int) {
			db, err := sql.Open("sqlite", filepath.Join(dir, "liaison.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`UPDATE audit SET actor = 'mallory' WHERE seq = ?`, seq); err != nil {
				t.Fatal(err)
			}
		},
	},
	{
		name: "postgres",
		db:   func(t *testing.T, _ string) []string { return []string{"--db", pgtest.MustSchema(t)} },
		tamper: func(t *testing.T, _ string, db []string, seq int) {
			pgtest.Exec(t, db[1], `UPDATE audit SET actor = 'mallory' WHERE seq = $1`, seq)
		},
	},
}

// TestNodeEndToEnd walks the node foundation as an administrator and an
// analyst would, against a real `liaison serve` process, on each database.
func TestNodeEndToEnd(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testNodeEndToEnd(t, b) })
	}
}

func testNodeEndToEnd(t *testing.T, b backend) {
	dir := t.TempDir()
	db := b.db(t, dir)
	admin := initNode(t, dir, "HK", db...)

	if _, errOut, code := liaison(t, append([]string{"init", "--data", dir, "--node", "HK"}, db...)...); code == 0 || !strings.Contains(errOut, "already") {
		t.Fatalf("second init: exit %d, stderr %q; want a refusal", code, errOut)
	}
	out := mustLiaison(t, append([]string{"user", "add", "alice", "--role", "analyst", "--data", dir}, db...)...)
	analyst := regexp.MustCompile(`token: (\S+)`).FindStringSubmatch(out)[1]

	srv := serve(t, dir, db...)

	// Health needs no token; everything else does.
	if code, m := call(t, "GET", srv.url+"/api/v1/health", "", nil); code != 200 || m["node"] != "HK" {
		t.Fatalf("health: %d %v", code, m)
	}
	if code, _ := call(t, "GET", srv.url+"/api/v1/records", "", nil); code != 401 {
		t.Fatalf("no token: got %d, want 401", code)
	}

	// The canonical example is accepted as written.
	code, rec := call(t, "POST", srv.url+"/api/v1/records", analyst, canonical(t))
	if code != 201 {
		t.Fatalf("canonical seizure: %d %v", code, rec)
	}
	id, _ := rec["id"].(string)
	if id == "" || rec["originator"] != "HK" || rec["version"] != 1.0 || rec["status"] != "active" {
		t.Fatalf("server fields missing: %v", rec)
	}
	if code, got := call(t, "GET", srv.url+"/api/v1/records/"+id, analyst, nil); code != 200 || got["id"] != id {
		t.Fatalf("read back: %d %v", code, got)
	}
	code, list := call(t, "GET", srv.url+"/api/v1/records?q=frozen", analyst, nil)
	if code != 200 || len(list["records"].([]any)) != 1 {
		t.Fatalf("search by narrative word: %d %v", code, list)
	}

	// An update is version 2.
	upd := canonical(t)
	upd["seizure"].(map[string]any)["narrative"] = "Declared as frozen fish; cigarettes found behind the first two rows of cartons."
	code, v2 := call(t, "PUT", srv.url+"/api/v1/records/"+id, analyst, upd)
	if code != 200 || v2["version"] != 2.0 {
		t.Fatalf("update: %d %v", code, v2)
	}

	// Bad input is refused with the field named.
	bad := []struct {
		name, field string
		edit        func(m map[string]any)
	}{
		{"container check digit", "seizure.containers[0]", func(m map[string]any) {
			m["seizure"].(map[string]any)["containers"] = []any{"CSQU3054384"}
		}},
		{"reserved HS chapter", "seizure.goods[0].hs", func(m map[string]any) {
			m["seizure"].(map[string]any)["goods"].([]any)[0].(map[string]any)["hs"] = "770100"
		}},
		{"unknown country", "seizure.place.country", func(m map[string]any) {
			m["seizure"].(map[string]any)["place"] = map[string]any{"country": "XX"}
		}},
		{"unknown field", "colour", func(m map[string]any) { m["colour"] = "red" }},
		{"unknown field in a list", "seizure.goods[0].colour", func(m map[string]any) {
			m["seizure"].(map[string]any)["goods"].([]any)[0].(map[string]any)["colour"] = "red"
		}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			m := canonical(t)
			tc.edit(m)
			code, resp := call(t, "POST", srv.url+"/api/v1/records", analyst, m)
			if code != 400 || errField(resp) != tc.field {
				t.Fatalf("got %d field %q (%v), want 400 naming %q", code, errField(resp), resp, tc.field)
			}
		})
	}

	// An analyst cannot manage users.
	if code, _ := call(t, "POST", srv.url+"/api/v1/users", analyst, map[string]any{"name": "bob", "role": "admin"}); code != 403 {
		t.Fatalf("analyst creating a user: got %d, want 403", code)
	}
	if code, _ := call(t, "GET", srv.url+"/api/v1/users", admin, nil); code != 200 {
		t.Fatalf("admin listing users: got %d", code)
	}

	// SIGTERM stops the node cleanly.
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v (want exit 0)", err)
	}

	// The audit chain verifies, then fails once a row is altered.
	out = mustLiaison(t, append([]string{"audit", "verify", "--data", dir}, db...)...)
	if !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %q", out)
	}
	b.tamper(t, dir, db, 3)
	out, errOut, code := liaison(t, append([]string{"audit", "verify", "--data", dir}, db...)...)
	if code != 1 || !strings.Contains(errOut, "entry 3") {
		t.Fatalf("tampered audit verify: exit %d, stdout %q, stderr %q; want exit 1 naming entry 3", code, out, errOut)
	}
}

// TestRefdataLoad checks that loading the official HS list makes heading and
// subheading validation exact.
func TestRefdataLoad(t *testing.T) {
	dir := t.TempDir()
	token := initNode(t, dir, "HK")
	notASubheading := func(srv *server) int {
		m := canonical(t)
		m["seizure"].(map[string]any)["goods"].([]any)[0].(map[string]any)["hs"] = "240230"
		code, _ := call(t, "POST", srv.url+"/api/v1/records", token, m)
		return code
	}
	srv := serve(t, dir)
	if code := notASubheading(srv); code != 201 {
		t.Fatalf("before load, a well-formed code in a real chapter: got %d, want 201", code)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()

	out := mustLiaison(t, "refdata", "load", "--data", dir,
		"--hs", filepath.Join(sharedData, "harmonized-system.csv"),
		"--countries", filepath.Join(sharedData, "country-codes.csv"))
	if !strings.Contains(out, "96 chapters, 1228 headings, 5612 subheadings") || !strings.Contains(out, "countries loaded: 249") {
		t.Fatalf("refdata load: %q", out)
	}
	srv = serve(t, dir)
	if code := notASubheading(srv); code != 400 {
		t.Fatalf("after load, HS 240230 (not a subheading): got %d, want 400", code)
	}
	code, fr := call(t, "GET", srv.url+"/api/v1/directory/administrations/FR", token, nil)
	if code != 200 || !strings.Contains(fmt.Sprint(fr), "France") {
		t.Fatalf("directory FR: %d %v", code, fr)
	}

	// A malformed file is refused and names its line.
	badCSV := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(badCSV, []byte("section,hscode,description,parent,level\nI,01,Animals; live,TOTAL,2\nI,01x1,\"broken,01,4\n"), 0o600)
	if _, errOut, code := liaison(t, "refdata", "load", "--data", dir, "--hs", badCSV); code == 0 || !strings.Contains(errOut, "line") {
		t.Fatalf("malformed hs file: exit %d, stderr %q", code, errOut)
	}
}

// TestImportExport round-trips records through both formats and checks that
// an invalid file imports nothing.
func TestImportExport(t *testing.T) {
	src := t.TempDir()
	initNode(t, src, "HK")
	rec, _ := json.Marshal(canonical(t))
	jsonl := filepath.Join(t.TempDir(), "in.jsonl")
	os.WriteFile(jsonl, []byte(string(rec)+"\n"+string(rec)+"\n"), 0o600)
	if out := mustLiaison(t, "import", jsonl, "--data", src, "--quiet"); !strings.Contains(out, "imported 2 records") {
		t.Fatalf("import: %q", out)
	}

	// A file with one bad record imports nothing and names the line.
	bad := canonical(t)
	bad["seizure"].(map[string]any)["containers"] = []any{"CSQU3054384"}
	badRec, _ := json.Marshal(bad)
	badFile := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(badFile, []byte(string(rec)+"\n"+string(badRec)+"\n"), 0o600)
	_, errOut, code := liaison(t, "import", badFile, "--data", src, "--quiet")
	if code == 0 || !strings.Contains(errOut, "line 2") || !strings.Contains(errOut, "seizure.containers[0]") {
		t.Fatalf("bad import: exit %d stderr %q; want line 2 and the field", code, errOut)
	}

	for _, format := range []string{"jsonl", "csv"} {
		t.Run(format, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "out."+format)
			mustLiaison(t, "export", "--data", src, "--format", format, "--out", file)
			dst := t.TempDir()
			initNode(t, dst, "JP")
			if out := mustLiaison(t, "import", file, "--data", dst, "--quiet"); !strings.Contains(out, "imported 2 records") {
				t.Fatalf("re-import: %q", out)
			}
			again := filepath.Join(t.TempDir(), "again.jsonl")
			mustLiaison(t, "export", "--data", dst, "--out", again)
			a, _ := os.ReadFile(again)
			if n := strings.Count(string(a), "\"originator\":\"HK\""); n != 2 {
				t.Fatalf("round trip kept %d records with their originator, want 2:\n%s", n, a)
			}
		})
	}

	// The spreadsheet layout: one seizure per row.
	sheet := filepath.Join(t.TempDir(), "sheet.csv")
	os.WriteFile(sheet, []byte("date,country,locode,direction,category,description,hs,quantity,unit,containers,grading_source,grading_information,handling,distribution,narrative\n"+
		"2026-09-01,HK,HKHKG,import,revenue/cigarettes,cigarettes,240220,120000,piece,CSQU3054383,B,2,H0,originator,Found in a reefer container.\n"), 0o600)
	if out := mustLiaison(t, "import", sheet, "--data", src, "--quiet"); !strings.Contains(out, "imported 1 records") {
		t.Fatalf("spreadsheet import: %q", out)
	}
}
