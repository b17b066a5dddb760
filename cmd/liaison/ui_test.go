package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive the officers' UI of a real `liaison serve`
// process in headless Chromium. They need the `chromium` binary on PATH
// (Debian: apt-get install -y chromium); without it they fail, unless
// LIAISON_SKIP_BROWSER=1 says to skip them. Screenshots go to the folder
// named by LIAISON_SCREENSHOTS, or to a temporary folder.

// MustBrowser starts headless Chromium for a test and returns its context.
func MustBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("LIAISON_SKIP_BROWSER") == "1" {
			t.Skip("chromium is not installed and LIAISON_SKIP_BROWSER=1")
		}
		t.Fatalf("chromium not found on PATH: install it with `apt-get install -y chromium` (or set LIAISON_SKIP_BROWSER=1 to skip the browser tests)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		// Tests and CI run as root, where Chromium refuses its sandbox.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1000),
		chromedp.Flag("lang", "en-GB"),
		chromedp.Flag("accept-lang", "en-GB,en"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser; its context must outlive the test.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// screenshots returns the folder screenshots are written to.
func screenshots(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("LIAISON_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	return dir
}

// step runs actions with a time limit, failing the test with what was
// being done.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// read runs one action returning a value, with a time limit.
func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// shoot saves a full-page screenshot as NAME.png.
func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png := read(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
}

// wantText fails unless the text of the element holds every string.
func wantText(t *testing.T, ctx context.Context, sel string, want ...string) {
	t.Helper()
	got := read(t, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s shows %q, want it to contain %q", sel, got, w)
		}
	}
}

// TestUIInBrowser signs in to a real node's UI with the admin token, searches,
// opens a record and reads its fields, follows a match to the matched record,
// switches to French and Traditional Chinese, records a new seizure through
// the form and signs out, taking a screenshot of each page.
func TestUIInBrowser(t *testing.T) {
	ctx := MustBrowser(t)
	shots := screenshots(t)
	dir := t.TempDir()
	token := initNode(t, dir, "HK")
	srv := serve(t, dir)

	rec := canonical(t)
	code, created := call(t, "POST", srv.url+"/api/v1/records", token, rec)
	if code != 201 {
		t.Fatalf("create record: %d %v", code, created)
	}
	id := created["id"].(string)
	// A second seizure naming the same consignee and container, which
	// cross-matching links to the first.
	other := canonical(t)
	other["seizure"].(map[string]any)["narrative"] = "Second shipment by the same consignee, declared as frozen squid."
	code, created = call(t, "POST", srv.url+"/api/v1/records", token, other)
	if code != 201 {
		t.Fatalf("create second record: %d %v", code, created)
	}
	otherID := created["id"].(string)

	step(t, ctx, "open the UI", chromedp.Navigate(srv.url+"/"), chromedp.WaitVisible(chromedp.ID("token")))
	if loc := read(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "/ui/login") {
		t.Fatalf("unsigned visit lands on %s, want the login page", loc)
	}
	shoot(t, ctx, shots, "01-login")
	step(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("total")))
	wantText(t, ctx, "h1", "HK")
	wantText(t, ctx, "#who", "admin")
	shoot(t, ctx, shots, "02-dashboard")

	step(t, ctx, "search records",
		chromedp.Click(chromedp.CSS(`nav.main a[href="/ui/records"]`)),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "squid"),
		chromedp.Click(chromedp.ID("search")))
	// The list page shows every record before the search: wait for the
	// page of the search itself before reading the results.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil && strings.Contains(loc, "q=squid") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the search did not load a page for q=squid")
		}
	}
	step(t, ctx, "search results", chromedp.WaitVisible(chromedp.ID("results")))
	wantText(t, ctx, "#results", otherID)
	if got := read(t, ctx, "results", chromedp.Text(chromedp.ID("results"))); strings.Contains(got, id) {
		t.Errorf("search for squid lists %s, whose text does not mention squid", id)
	}
	shoot(t, ctx, shots, "03-search")

	step(t, ctx, "open a record",
		chromedp.Click(chromedp.CSS(`#results a[href="/ui/records/`+otherID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("seizure")))
	wantText(t, ctx, "#record-id", otherID)
	wantText(t, ctx, "#grading", "B2 — usually reliable / probably true")
	wantText(t, ctx, "#handling", "H0", "law-enforcement use only")
	wantText(t, ctx, "#distribution", "Japan")
	wantText(t, ctx, "#seizure", "14 Oct 2026", "CSQU3054383", "Chan Tai Man", "Golden Harvest Trading Co., Ltd.",
		"8,000,000", "2,400,000 HKD", "frozen squid")
	shoot(t, ctx, shots, "04-record")

	// Matching runs in the background: reload until the link appears.
	link := `#matches a.match-link[href="/ui/records/` + id + `"]`
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := read(t, ctx, "count match links", chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, link)))
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("record %s never shows a match with %s:\n%s", otherID, id,
				read(t, ctx, "matches", chromedp.Text(chromedp.ID("matches"))))
		}
		time.Sleep(500 * time.Millisecond)
		step(t, ctx, "reload the record", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("matches")))
	}
	wantText(t, ctx, "#matches", "Chan Tai Man", "%")
	shoot(t, ctx, shots, "05-matches")
	step(t, ctx, "follow the match", chromedp.Click(chromedp.CSS(link)), chromedp.WaitVisible(chromedp.ID("seizure")))
	wantText(t, ctx, "#record-id", id)

	step(t, ctx, "switch to French", chromedp.Click(chromedp.ID("lang-fr")), chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"]`)))
	wantText(t, ctx, "#grading", "B2 — généralement fiable / probablement exacte")
	wantText(t, ctx, "#seizure", "Date de la saisie", "14 oct. 2026", "Recettes / Cigarettes")
	wantText(t, ctx, "nav.main", "Tableau de bord", "Fiches")
	shoot(t, ctx, shots, "06-record-fr")

	step(t, ctx, "switch to Traditional Chinese", chromedp.Click(chromedp.ID("lang-zh-Hant")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hant"]`)))
	wantText(t, ctx, "#grading", "B2 — 通常可靠 / 很可能屬實")
	wantText(t, ctx, "#seizure", "檢獲日期", "2026年10月14日", "稅收 / 香煙")
	wantText(t, ctx, "nav.main", "總覽", "記錄")
	shoot(t, ctx, shots, "07-record-zh-Hant")

	// The choice is remembered across pages.
	step(t, ctx, "open the dashboard in Chinese", chromedp.Click(chromedp.CSS(`nav.main a[href="/ui/"]`)),
		chromedp.WaitVisible(chromedp.ID("total")))
	wantText(t, ctx, "h1", "HK")
	wantText(t, ctx, "main", "按月及類別劃分的檢獲")
	shoot(t, ctx, shots, "08-dashboard-zh-Hant")

	step(t, ctx, "back to English and the audit log", chromedp.Click(chromedp.ID("lang-en")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)),
		chromedp.Click(chromedp.CSS(`nav.main a[href="/ui/audit"]`)), chromedp.WaitVisible(chromedp.ID("chain")))
	wantText(t, ctx, "#chain", "Audit chain verified")
	shoot(t, ctx, shots, "09-audit")

	step(t, ctx, "open the new seizure form",
		chromedp.Click(chromedp.CSS(`nav.main a[href="/ui/records/new?kind=seizure"]`)),
		chromedp.WaitVisible(chromedp.ID("record-form")))
	fields := []struct{ id, value string }{
		{"f-grading-source", "B"}, {"f-grading-information", "2"}, {"f-handling-code", "H0"},
		{"f-distribution-scope", "bilateral"}, {"f-distribution-recipients", "JP"},
		{"f-seizure-date", "2026-10-20"}, {"f-seizure-place-country", "HK"}, {"f-seizure-place-locode", "HKHKG"},
		{"f-seizure-direction", "import"}, {"f-seizure-transport", "air"}, {"f-seizure-detection", "x-ray"},
		{"f-seizure-conveyance-flight", "CX700"},
		{"f-seizure-route-0-role", "departure"}, {"f-seizure-route-0-country", "TH"},
		{"f-seizure-route-1-role", "destination"}, {"f-seizure-route-1-country", "HK"},
		{"f-seizure-goods-0-category", "drugs/methamphetamine"}, {"f-seizure-goods-0-description", "crystal methamphetamine"},
		{"f-seizure-goods-0-hs", "2939"}, {"f-seizure-goods-0-quantity", "12.5"}, {"f-seizure-goods-0-unit", "kg"},
		{"f-seizure-parties-0-type", "person"}, {"f-seizure-parties-0-role", "courier"},
		{"f-seizure-parties-0-name", "Somchai Jaidee"}, {"f-seizure-parties-0-nationality", "TH"},
		{"f-seizure-narrative", "Found in the lining of a suitcase at the airport."},
	}
	var fill []chromedp.Action[chromedp.Void]
	for _, f := range fields {
		fill = append(fill, chromedp.SetValue(chromedp.ID(f.id), f.value))
	}
	step(t, ctx, "fill the new seizure form", fill...)
	shoot(t, ctx, shots, "10-new-seizure")
	step(t, ctx, "save the new seizure", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.ID("saved")))
	if loc := read(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "/ui/records/") || strings.Contains(loc, "/new") {
		t.Fatalf("saving the form lands on %s, want the new record's page", loc)
	}
	wantText(t, ctx, "#saved", "version 1")
	wantText(t, ctx, "#seizure", "20 Oct 2026", "CX700", "Somchai Jaidee", "12.5", "lining of a suitcase")
	wantText(t, ctx, "#grading", "B2 — usually reliable / probably true")
	shoot(t, ctx, shots, "11-new-seizure-saved")

	step(t, ctx, "sign out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("token")))
	shoot(t, ctx, shots, "12-signed-out")
	step(t, ctx, "revisit after signing out", chromedp.Navigate(srv.url+"/ui/records/"+id), chromedp.WaitVisible(chromedp.ID("token")))
	if loc := read(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "/ui/login") {
		t.Fatalf("after signing out a record page leads to %s, want the login page", loc)
	}
	t.Logf("screenshots in %s", shots)
}
