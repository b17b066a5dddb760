package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"liaison/internal/app"
	"liaison/internal/audit"
	"liaison/internal/federation"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/web/ui"
)

// TestAuditDetailTranslationsHoldTheirFormats holds the catalogue's
// wordings of audit details to the formats every package writes them in,
// the node administration's (app) included, and its words of details to
// the closed sets they come from.
func TestAuditDetailTranslationsHoldTheirFormats(t *testing.T) {
	if n := ui.HoldDetailCatalogue(t, app.AuditDetailFormats()); n < 40 {
		t.Errorf("%d audit detail formats, want every one the packages write (at least 40)", n)
	}
}

// TestAuditDetailsInThePagesLanguage does what officers do — signs in,
// creates, updates, reads and searches records, shares one — and records
// an envelope received as the federation words it, then checks that the
// audit page words each detail in French and Chinese and shows none of
// the English, while the English page shows the details as stored.
func TestAuditDetailsInThePagesLanguage(t *testing.T) {
	ctx := context.Background()
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	edit := seizure()
	edit.Seizure.Narrative = "Corrected narrative."
	edit.Version = 1
	if _, _, err := n.records.Update(ctx, "system", rec.ID, edit); err != nil {
		t.Fatalf("update: %v", err)
	}
	if _, err := n.records.Get(ctx, "system", rec.ID); err != nil {
		t.Fatalf("read: %v", err)
	}
	if _, err := n.records.History(ctx, "system", rec.ID); err != nil {
		t.Fatalf("history: %v", err)
	}
	if _, err := n.records.List(ctx, "system", store.RecordQuery{Kind: intel.KindSeizure, Status: intel.StatusActive}); err != nil {
		t.Fatalf("search: %v", err)
	}
	b := MustLogin(t, n, store.RoleLiaison)
	p := b.post("/ui/records/"+rec.ID+"/share", url.Values{"csrf": {csrfOf(t, b.get("/ui/records/"+rec.ID))}, "recipient": {"JP"}})
	if p.status != http.StatusOK {
		t.Fatalf("share to Japan: %d", p.status)
	}
	// The detail of an envelope received and accepted, in the words the
	// federation stores it in (its own tests hold them to the code).
	const received = "record.create 01JABCDEFGHJKMNPQRSTVWXYZ1 version 1 from JP (allowed to HK under hk-jp-arrangement); signed by JP key SHA256:ab:cd"
	if _, err := n.store.Audit(ctx, audit.Event{Actor: "JP", Action: federation.ActionReceive,
		Target: "01JABCDEFGHJKMNPQRSTVWXYZ1", Detail: received}); err != nil {
		t.Fatalf("audit a receipt: %v", err)
	}

	auditor := MustLogin(t, n, store.RoleAuditor)
	cell := regexp.MustCompile(`(?s)<td class="mono">([^<]*)</td>\s*<td>.*?</td>\s*<td>([^<]*)</td><td class="mono nowrap"`)
	details := func(lang string) map[string][]string {
		t.Helper()
		p := auditor.get("/ui/audit?lang=" + lang)
		if p.status != http.StatusOK {
			t.Fatalf("%s: audit page: %d", lang, p.status)
		}
		noMissing(t, lang, p)
		out := map[string][]string{}
		for _, m := range cell.FindAllStringSubmatch(p.body, -1) {
			out[m[1]] = append(out[m[1]], pageText(m[2]))
		}
		if len(out) == 0 {
			t.Fatalf("%s: no entries on the audit page", lang)
		}
		return out
	}
	tests := []struct {
		action, en, fr, zh string
	}{
		{audit.ActionRecordCreate, "version 1", "version 1", "第 1 版"},
		{audit.ActionRecordUpdate, "version 2", "version 2", "第 2 版"},
		{audit.ActionRecordRead, "latest version", "dernière version", "最新版本"},
		{audit.ActionRecordRead, "history, 2 versions", "historique, 2 versions", "版本紀錄，共 2 個版本"},
		{audit.ActionRecordSearch, "filters kind,status; 1 results", "filtres : type, statut ; 1 résultats",
			"篩選條件：類別、狀態；結果 1 項"},
		{federation.ActionShare, "allowed to JP under ", "transmission à JP autorisée au titre de ", "准予分發予JP，依據"},
		{federation.ActionReceive, received,
			"record.create 01JABCDEFGHJKMNPQRSTVWXYZ1, version 1, reçue de JP (transmission à HK autorisée au titre de hk-jp-arrangement) ; signée par JP, clé SHA256:ab:cd",
			"record.create 01JABCDEFGHJKMNPQRSTVWXYZ1 第 1 版，收自JP（准予分發予HK，依據hk-jp-arrangement）；由JP以金鑰 SHA256:ab:cd 簽署"},
		{ui.ActionLogin, "remote 127.0.0.1", "adresse distante 127.0.0.1", "遠端位址 127.0.0.1"},
	}
	english := []string{"latest version", "history,", "filters", "results", "allowed to", " under ", " from JP", "signed by",
		"remote ", " key "}
	pages := map[string]map[string][]string{"en": details("en"), "fr": details("fr"), "zh-Hant": details("zh-Hant")}
	for _, tc := range tests {
		for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr, "zh-Hant": tc.zh} {
			got := pages[lang][tc.action]
			found := false
			for _, d := range got {
				found = found || strings.HasPrefix(d, want)
			}
			if !found {
				t.Errorf("%s: no %s entry's detail begins %q: %q", lang, tc.action, want, got)
			}
		}
	}
	for _, lang := range []string{"fr", "zh-Hant"} {
		for action, ds := range pages[lang] {
			for _, d := range ds {
				for _, e := range english {
					if strings.Contains(d, e) {
						t.Errorf("%s: the detail of a %s entry is English (%q): %q", lang, action, e, d)
					}
				}
			}
		}
	}
}
