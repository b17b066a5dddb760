package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
	"liaison/internal/web/ui"
)

// TestPartnerSummariesInThePagesLanguage checks that the directory pages
// word the summary of each partner's basis in the page's language, the
// agreement named by its title in it: an arrangement, an agreement through
// the EU seen from either side, and region membership; the English page
// keeps the English the API gives.
func TestPartnerSummariesInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := MustLogin(t, n, store.RoleAnalyst)
	const (
		jpTitle   = `"Customs Cooperative Arrangement between Hong Kong Customs and Japan Customs"`
		euTitle   = `"Customs Cooperation Agreement between Hong Kong, China and the European Community"`
		jpTitleFR = `"Arrangement de coopération douanière entre les douanes de Hong Kong et du Japon"`
		euTitleFR = `"Accord de coopération douanière entre Hong Kong, Chine et la Communauté européenne"`
		jpTitleZH = `"香港海關與日本海關的海關合作安排"`
		euTitleZH = `"中國香港與歐洲共同體海關合作協定"`
	)
	english := []string{"under the binding", "under the non-binding", "being covered as a member of", "through membership of the WCO", "non-personal data only",
		"Customs Cooperative Arrangement", "Customs Cooperation Agreement"}
	for _, tc := range []struct {
		lang, path string
		want       []string
	}{
		{"fr", "/ui/directory/HK", []string{
			"au titre de l'arrangement non contraignant " + jpTitleFR,
			"au titre de l'accord contraignant " + euTitleFR + " ; France en relève en tant que membre du groupement Union européenne",
			"au titre de l'appartenance à la région OMD Asie/Pacifique, que dessert BRLR Asie/Pacifique (données non personnelles uniquement)"}},
		{"fr", "/ui/directory/JP", []string{"au titre de l'arrangement non contraignant " + jpTitleFR}},
		{"fr", "/ui/directory/FR", []string{
			"au titre de l'accord contraignant " + euTitleFR + " ; France en relève en tant que membre du groupement Union européenne"}},
		{"zh-Hant", "/ui/directory/HK", []string{
			"根據不具約束力的安排 " + jpTitleZH,
			"根據具約束力的協定 " + euTitleZH + "；France以歐洲聯盟成員身分受其涵蓋",
			"根據世界海關組織亞太區成員身分，該地區由亞太區區域情報聯絡中心服務（只限非個人資料）"}},
		{"zh-Hant", "/ui/directory/FR", []string{"根據具約束力的協定 " + euTitleZH + "；France以歐洲聯盟成員身分受其涵蓋"}},
	} {
		t.Run(tc.lang+tc.path, func(t *testing.T) {
			pageInLanguage(t, b, tc.path, tc.lang, http.StatusOK, tc.want, english)
		})
	}
	en := pageText(b.get("/ui/directory/HK?lang=en").body)
	for _, w := range []string{"under the non-binding arrangement " + jpTitle,
		"under the binding agreement " + euTitle + ", France being covered as a member of European Union",
		"through membership of the WCO Asia/Pacific region, which RILO Asia/Pacific serves (non-personal data only)"} {
		if !strings.Contains(en, w) {
			t.Errorf("the English page lacks %q", w)
		}
	}
}

// tamperedAudit is a store whose audit log is read back altered, as by
// someone with write access to the database, for the audit page's check.
type tamperedAudit struct {
	store.Store
	entry    func(audit.Entry) audit.Entry   // alters an entry as it is walked
	anchor   func(audit.Anchor) audit.Anchor // alters the anchor
	noAnchor bool                            // the anchor's row is deleted
	// bodies alters a record's stored versions as they are walked.
	bodies func(audit.RecordBodies) audit.RecordBodies
}

func (s *tamperedAudit) WalkRecordBodies(ctx context.Context, fn func(audit.RecordBodies) error) error {
	return s.Store.WalkRecordBodies(ctx, func(rb audit.RecordBodies) error {
		if s.bodies != nil {
			rb = s.bodies(rb)
		}
		return fn(rb)
	})
}

func (s *tamperedAudit) WalkAudit(ctx context.Context, fn func(audit.Entry) error) error {
	return s.Store.WalkAudit(ctx, func(e audit.Entry) error {
		if s.entry != nil {
			e = s.entry(e)
		}
		return fn(e)
	})
}

func (s *tamperedAudit) AuditAnchor(ctx context.Context) (audit.Anchor, error) {
	a, err := s.Store.AuditAnchor(ctx)
	if s.noAnchor {
		return audit.Anchor{}, fmt.Errorf("read audit anchor: %w", store.ErrNoAnchor)
	}
	if err == nil && s.anchor != nil {
		a = s.anchor(a)
	}
	return a, err
}

// MustTamperedUI serves n's UI over a store whose audit log reads back as
// st alters it, and signs an auditor in.
func MustTamperedUI(tb testing.TB, n *node, st *tamperedAudit) *browser {
	tb.Helper()
	dir, err := directory.Load()
	if err != nil {
		tb.Fatal(err)
	}
	st.Store = n.store
	h, err := ui.New(ui.Config{Node: "HK", Store: st, Records: n.records, Directory: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("new ui: %v", err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	tn := *n
	tn.url = srv.URL
	return MustLogin(tb, &tn, store.RoleAuditor)
}

// TestAuditReasonInThePagesLanguage breaks the audit chain in three ways
// (an entry altered, entries cut off the end, an entry whose body digests
// do not parse) and checks that the audit page says why in the page's
// language, with the error of the digests inside the reason, and in
// English on the English page.
func TestAuditReasonInThePagesLanguage(t *testing.T) {
	const record = "01JABCDEFGHJKMNPQRSTVWXYZ0"
	tests := []struct {
		name           string
		tamper         tamperedAudit
		en, fr, zh     string
		englishMarkers []string
	}{
		{"altered", tamperedAudit{entry: func(e audit.Entry) audit.Entry {
			if e.Seq == 2 {
				e.Detail = "forged"
			}
			return e
		}}, "Audit chain broken at entry 2 — entry content does not match its hash (altered)",
			"Chaîne d'audit rompue à l'entrée 2 — le contenu de l'entrée ne correspond pas à son empreinte (entrée altérée)",
			"審計鏈於第 2 項斷裂 — 項目內容不符合其雜湊值（已被改動）",
			[]string{"does not match its hash", "altered)"}},
		{"cut short", tamperedAudit{anchor: func(a audit.Anchor) audit.Anchor { a.Entries += 5; return a }},
			"entries; entries after", "mais le nœud en enregistre", "項之後的項目已被刪除",
			[]string{"the node records", "were deleted", "entries after"}},
		{"anchor deleted", tamperedAudit{noAnchor: true}, "(audit_head) was deleted; the log ends at entry",
			"(audit_head) a été supprimé ; le journal s'arrête à l'entrée", "（audit_head）已被刪除；日誌止於第",
			[]string{"was deleted", "may have been deleted"}},
		{"digests", tamperedAudit{entry: func(e audit.Entry) audit.Entry {
			if e.Seq == 2 {
				e.Record, e.Digests = record, "1:xyz"
				e.Hash = audit.Hash(e)
			}
			return e
		}}, `body digests of record ` + record + ` do not parse: digest "1:xyz": "xyz" is not a SHA-256 in lower-case hex`,
			`les empreintes de contenu de la fiche ` + record + ` sont illisibles : empreinte "1:xyz" : "xyz" n'est pas un SHA-256 en hexadécimal minuscule`,
			`記錄 ` + record + ` 的內容雜湊值無法解讀：雜湊值 "1:xyz"："xyz" 不是小寫十六進位的 SHA-256`,
			[]string{"do not parse", "is not a SHA-256", "lower-case"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := MustNode(t, nil, nil)
			b := MustTamperedUI(t, n, &tc.tamper)
			chain := regexp.MustCompile(`<p class="notice bad" id="chain">([^<]*)</p>`)
			for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr, "zh-Hant": tc.zh} {
				p := b.get("/ui/audit?lang=" + lang)
				if p.status != http.StatusOK {
					t.Fatalf("%s: %d\n%s", lang, p.status, p.body)
				}
				noMissing(t, lang, p)
				m := chain.FindStringSubmatch(p.body)
				if m == nil {
					t.Fatalf("%s: the audit page does not say the chain is broken", lang)
				}
				said := pageText(m[1])
				if !strings.Contains(said, want) {
					t.Errorf("%s: the audit page says %q, want %q in it", lang, said, want)
				}
				if lang == "en" {
					continue
				}
				for _, e := range tc.englishMarkers {
					if strings.Contains(said, e) {
						t.Errorf("%s: the audit page says English %q: %q", lang, e, said)
					}
				}
			}
		})
	}
}

// TestCodeWordsInThePagesLanguage checks words the pages take from codes:
// the result of feedback and the outcome of a response in the lists of
// records, the fields an agreement's source leaves unstated, and the
// messages of a record or agreement not found.
func TestCodeWordsInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	everyKind(t, n)
	b := MustLogin(t, n, store.RoleAdmin)
	for _, tc := range []struct {
		lang, path string
		status     int
		want, not  []string
	}{
		{"fr", "/ui/records?kind=response", 200, []string{"<td>réponse partielle</td>"}, []string{">partial<"}},
		{"zh-Hant", "/ui/records?kind=feedback", 200, []string{"檢獲 Courier stopped"}, []string{"seizure Courier"}},
		{"fr", "/ui/agreements/hk-jp-arrangement", 200, []string{"Non précisé par la source</dt><dd>Signé, En vigueur, Champ, Modalités, Conditions"},
			[]string{"in_force"}},
		{"zh-Hant", "/ui/agreements/hk-jp-arrangement", 200, []string{"來源未有說明</dt><dd>簽署、生效、範圍、方式、條件"}, []string{"in_force"}},
		{"en", "/ui/agreements/hk-jp-arrangement", 200, []string{"Signed, In force, Scope, Modes, Conditions"}, []string{"in_force"}},
		{"fr", "/ui/agreements/no-such-agreement", 404, []string{`aucun accord "no-such-agreement" dans le registre`}, []string{"not found"}},
		{"zh-Hant", "/ui/records/01ARZ3NDEKTSV4RRFFQ69G5FAV", 404, []string{"找不到記錄 01ARZ3NDEKTSV4RRFFQ69G5FAV"}, []string{"not found"}},
		{"en", "/ui/records/01ARZ3NDEKTSV4RRFFQ69G5FAV", 404, []string{"record 01ARZ3NDEKTSV4RRFFQ69G5FAV not found"}, nil},
	} {
		t.Run(tc.lang+tc.path, func(t *testing.T) {
			pageInLanguage(t, b, tc.path, tc.lang, tc.status, tc.want, tc.not)
		})
	}
}

var (
	scriptRE  = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>`)
	textRE    = regexp.MustCompile(`>([^<]+)<`)
	attrRE    = regexp.MustCompile(`\b(?:title|placeholder|aria-label|alt)="([^"]*)"`)
	formatRE  = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	minPieces = 4 // words in a piece of English worth looking for
)

// shownText returns the text a page shows: its text nodes and the
// attributes people read, entities decoded, scripts and styles left out.
func shownText(body string) []string {
	body = scriptRE.ReplaceAllString(body, "")
	var out []string
	for _, m := range textRE.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	for _, m := range attrRE.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// englishPieces returns the runs of literal text, of at least minPieces
// words, of every English message that lang words otherwise: what a page
// in lang shows only if a message, or a sentence made of one of the
// formats the catalogue translates, was left in English.
func englishPieces(tb testing.TB, lang string) []string {
	tb.Helper()
	read := func(lang string) map[string]string {
		data, err := os.ReadFile("messages/" + lang + ".json")
		if err != nil {
			tb.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			tb.Fatal(err)
		}
		return m
	}
	en, other := read("en"), read(lang)
	seen := map[string]bool{}
	var out []string
	for k, v := range en {
		if other[k] == v {
			continue
		}
		for _, piece := range formatRE.Split(v, -1) {
			piece = strings.TrimSpace(piece)
			if len(strings.Fields(piece)) >= minPieces && !strings.Contains(other[k], piece) && !seen[piece] {
				seen[piece] = true
				out = append(out, piece)
			}
		}
	}
	return out
}

// TestNoEnglishOnFrenchAndChinesePages walks the pages of a node holding
// records of every kind, records received from a partner, a delivery, the
// directory, the agreements and the audit log, and checks that no page in
// French or Chinese shows a piece of an English message, a partner's
// summary or a decision's reason, nor the English of the words taken
// from codes. What a page shows in English besides comes from the data:
// records, agreement titles and sources, directory entries and names the
// directory has only in English, and the audit log's stored details.
func TestNoEnglishOnFrenchAndChinesePages(t *testing.T) {
	n := MustNode(t, nil, nil)
	recs := everyKind(t, n)
	w := MustReceive(t, n, warningFromJP())
	q := MustReceive(t, n, requestFromJP("2026-01-15"))
	b := MustLogin(t, n, store.RoleAdmin)
	sid := recs[intel.KindSeizure].id
	share := b.post("/ui/records/"+sid+"/share", url.Values{"csrf": {csrfOf(t, b.get("/ui/records/"+sid))}, "recipient": {"JP", "FR"}})
	if share.status != http.StatusOK {
		t.Fatalf("share: %d", share.status)
	}
	paths := []string{"/ui/", "/ui/records", "/ui/records?q=cigarettes", "/ui/records?from=yesterday",
		"/ui/records/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/ui/records/new", "/ui/records/new?kind=warning", "/ui/records/new?kind=alert",
		"/ui/records/" + sid + "/edit", "/ui/records/" + w.ID, "/ui/records/" + q.ID, "/ui/requests", "/ui/requests/new",
		"/ui/deliveries", "/ui/deliveries?state=bogus", "/ui/screen", "/ui/directory", "/ui/directory/HK", "/ui/directory/JP",
		"/ui/directory/FR", "/ui/directory/RILO-AP", "/ui/directory/ZZ", "/ui/agreements", "/ui/agreements/hk-jp-arrangement",
		"/ui/agreements/hk-eu-cca-1999", "/ui/agreements/nope", "/ui/audit", "/ui/audit?from=bad", "/ui/no-such-page"}
	for _, r := range recs {
		paths = append(paths, "/ui/records/"+r.id)
	}
	// The English of words taken from codes, as the pages showed them.
	codeEnglish := []string{"under the binding", "under the non-binding", "being covered as a member of", "non-personal data only", "not found",
		"partial", "seizure Courier", "in_force"}
	for _, lang := range []string{"fr", "zh-Hant"} {
		pieces := append(englishPieces(t, lang), codeEnglish...)
		if len(pieces) < 300 {
			t.Fatalf("%s: %d pieces of English to look for; the catalogue is no longer read", lang, len(pieces))
		}
		for _, path := range paths {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			p := b.get(path + sep + "lang=" + lang)
			noMissing(t, lang+" "+path, p)
			for _, s := range shownText(p.body) {
				for _, piece := range pieces {
					if strings.Contains(s, piece) {
						t.Errorf("%s %s shows English %q in %q", lang, path, piece, s)
					}
				}
			}
		}
	}
}

// TestAuditPageChecksBodiesOnRequest checks the audit page's second check:
// by default the chain and its end only (and a link to check every stored
// record version); with ?bodies=1 every version too, counted, and an
// altered version named, with a link to its record, in the page's language.
func TestAuditPageChecksBodiesOnRequest(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := storetest.NewRecord(t)
	storetest.MustCreate(t, n.store, rec)
	intact := MustTamperedUI(t, n, &tamperedAudit{})
	p := intact.get("/ui/audit?lang=fr")
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="check-bodies"`) || strings.Contains(p.body, `id="bodies"`) {
		t.Fatalf("the audit page by default: %d, want the chain checked and a link to check the bodies\n%s", p.status, p.body)
	}
	p = intact.get("/ui/audit?bodies=1&lang=fr")
	if !strings.Contains(pageText(p.body), "Chaque version de fiche conservée a été vérifiée au regard de l'empreinte portée par son entrée d'audit : 1 versions") ||
		strings.Contains(p.body, `id="check-bodies"`) {
		t.Errorf("the bodies checked, in French: %s", pageText(p.body))
	}
	if p := intact.get("/ui/audit?bodies=yes"); p.status != http.StatusBadRequest || !strings.Contains(p.body, "bodies") {
		t.Errorf("bodies=yes: %d, want 400 naming bodies", p.status)
	}
	altered := MustTamperedUI(t, n, &tamperedAudit{bodies: func(rb audit.RecordBodies) audit.RecordBodies {
		if rb.Record == rec.ID {
			rb.Stored = []audit.Digest{audit.DigestOf(1, []byte("{}"))}
		}
		return rb
	}})
	for lang, want := range map[string]string{
		"en":      "Version 1 of this record is not what the audit log vouches for: " + rec.ID,
		"fr":      "La version 1 de cette fiche ne correspond pas à ce que garantit le journal d'audit : " + rec.ID,
		"zh-Hant": "此記錄的第 1 版與審計日誌所擔保的內容不符： " + rec.ID,
	} {
		p := altered.get("/ui/audit?bodies=1&lang=" + lang)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", lang, p.status)
		}
		said := pageText(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(p.body, ""))
		if !strings.Contains(said, want) || !strings.Contains(p.body, `href="/ui/records/`+rec.ID+`"`) {
			t.Errorf("%s: an altered version: %s\nwant %q and a link to the record", lang, said, want)
		}
	}
	if p := altered.get("/ui/audit"); !strings.Contains(p.body, `id="check-bodies"`) || strings.Contains(p.body, "notice bad") {
		t.Errorf("without ?bodies=1 the altered version is not read: %s", pageText(p.body))
	}
}

// TestRILOHostsInThePagesLanguage checks that a RILO's page gives its host
// cities and the notes on its hosts (and on the RILO itself) in the page's
// language, and the English page the English of the directory.
func TestRILOHostsInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := MustLogin(t, n, store.RoleAnalyst)
	for _, tc := range []struct {
		lang, path string
		want       []string
	}{
		{"en", "/ui/directory/RILO-AP", []string{"Hong Kong", "Beijing", "Seoul",
			"The first WCO RILO, hosted by the Customs and Excise Department on behalf of the region.",
			"Period not confirmed against a primary source.", "Start year not confirmed against a primary source."}},
		{"fr", "/ui/directory/RILO-AP", []string{"Hong Kong", "Pékin", "Séoul",
			"Premier BRLR de l'OMD, accueilli par le Département des douanes et accises de Hong Kong pour le compte de la région.",
			"Période non confirmée par une source primaire.", "Année de début non confirmée par une source primaire."}},
		{"zh-Hant", "/ui/directory/RILO-AP", []string{"香港", "北京", "首爾",
			"世界海關組織首個區域情報聯絡中心，由香港海關代表該區主辦。", "期間未經原始資料核實。", "開始年份未經原始資料核實。"}},
		{"fr", "/ui/directory/RILO-WE", []string{"Cologne", "Année d'ouverture non consignée ici."}},
		{"zh-Hant", "/ui/directory/RILO-WE", []string{"科隆", "此處未有記錄開設年份。"}},
		{"fr", "/ui/directory/RILO-NA", []string{"Administration hôte non consignée ici."}},
		{"zh-Hant", "/ui/directory/RILO-NA", []string{"此處未有記錄主辦當局。"}},
	} {
		t.Run(tc.lang+tc.path, func(t *testing.T) {
			var english []string
			if tc.lang != "en" {
				english = []string{"Beijing", "Seoul", "not confirmed", "not recorded", "hosted by", "Opening year", "Host administration"}
			}
			pageInLanguage(t, b, tc.path, tc.lang, http.StatusOK, tc.want, english)
		})
	}
}

// TestAgreementTitlesInThePagesLanguage checks that the pages naming an
// agreement name it by its title in the page's language: the list of
// agreements, an agreement's page (which also gives the English title),
// and a record's delivery, whose stored decision names the basis and
// words its reasons from their text alone; an agreement without a title
// in the language is named in English, and the English pages keep the
// English titles.
func TestAgreementTitlesInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	const (
		jp   = "Customs Cooperative Arrangement between Hong Kong Customs and Japan Customs"
		jpFR = "Arrangement de coopération douanière entre les douanes de Hong Kong et du Japon"
		jpZH = "香港海關與日本海關的海關合作安排"
		kr   = "Customs Mutual Assistance Agreement between Hong Kong, China and Korea"
	)
	untitled := agreement.Agreement{ID: "hk-kr-cmaa", Title: kr, Kind: agreement.KindAgreement, Binding: true,
		Parties: []agreement.Party{{Code: "HK"}, {Code: "KR"}}, InForce: agreement.Year(2019),
		Modes: agreement.Modes{OnRequest: true}}
	if err := n.store.PutAgreement(context.Background(), untitled, audit.Event{Actor: "system", Action: "agreement.add", Target: untitled.ID}); err != nil {
		t.Fatal(err)
	}
	rec := MustCreate(t, n, seizure())
	b := MustLogin(t, n, store.RoleLiaison)
	if p := b.post("/ui/records/"+rec.ID+"/share", url.Values{"csrf": {csrfOf(t, b.get("/ui/records/"+rec.ID))}, "recipient": {"JP"}}); p.status != http.StatusOK {
		t.Fatalf("share to Japan: %d", p.status)
	}
	deliveries := regexp.MustCompile(`(?s)<table class="grid deliveries">.*?</table>`)
	for _, tc := range []struct {
		lang, title string
		reason      string // the decision's reason naming the agreement
		english     string // the label of the English title on the agreement's page
	}{
		{"en", jp, "The " + jp + " is in force on ", ""},
		{"fr", jpFR, "« " + jpFR + " » est en vigueur le ", "Titre en anglais"},
		{"zh-Hant", jpZH, "《" + jpZH + "》於", "英文名稱"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			list := b.get("/ui/agreements?lang=" + tc.lang)
			noMissing(t, "list", list)
			text := pageText(list.body)
			for _, w := range []string{"<td>" + tc.title + "</td>", "<td>" + kr + "</td>"} {
				if !strings.Contains(text, w) {
					t.Errorf("the list of agreements lacks %q", w)
				}
			}
			one := b.get("/ui/agreements/hk-jp-arrangement?lang=" + tc.lang)
			noMissing(t, "agreement", one)
			text = pageText(one.body)
			if !strings.Contains(text, "<h1>"+tc.title+"</h1>") || !strings.Contains(text, "<title>"+tc.title+" · ") {
				t.Errorf("the agreement's page is not headed and titled %q", tc.title)
			}
			if tc.english != "" && !strings.Contains(text, "<dt>"+tc.english+`</dt><dd lang="en">`+jp+"</dd>") {
				t.Errorf("the agreement's page does not give the English title as %q", tc.english)
			}
			if tc.english == "" && strings.Contains(text, `<dd lang="en">`) {
				t.Error("the English page gives the English title twice")
			}
			if text := pageText(b.get("/ui/agreements/hk-kr-cmaa?lang=" + tc.lang).body); !strings.Contains(text, "<h1>"+kr+"</h1>") {
				t.Errorf("an agreement without titles is not headed by its English title")
			}
			page := b.get("/ui/records/" + rec.ID + "?lang=" + tc.lang)
			noMissing(t, "record", page)
			stored := pageText(deliveries.FindString(page.body))
			for _, w := range []string{"<summary>" + tc.title + "</summary>", tc.reason} {
				if !strings.Contains(stored, w) {
					t.Errorf("the record's delivery lacks %q:\n%s", w, stored)
				}
			}
			if tc.lang != "en" && strings.Contains(stored, jp) {
				t.Errorf("the record's delivery names the agreement in English:\n%s", stored)
			}
		})
	}
}

// TestAgreementNotesAndSourceInThePagesLanguage checks that an agreement's
// page gives its notes in the page's language: a seed agreement's from the
// seed's translations, an added agreement's from its own, in English
// (marked so) where it has none in the language; and that it gives the
// seed's source in the page's language and any other source as typed.
func TestAgreementNotesAndSourceInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	const (
		notes   = "Signed in Seoul; the Korea Customs Service is the competent authority."
		notesFR = "Signé à Séoul ; le Service des douanes de Corée est l'autorité compétente."
		source  = "Text of the agreement as signed, 13 May 2019"
	)
	kr := agreement.Agreement{ID: "hk-kr-cmaa", Title: "Customs Mutual Assistance Agreement between Hong Kong, China and Korea",
		Kind: agreement.KindAgreement, Binding: true, Parties: []agreement.Party{{Code: "HK"}, {Code: "KR"}},
		InForce: agreement.Year(2019), Modes: agreement.Modes{OnRequest: true},
		Source: source, Notes: notes, NotesTranslations: map[string]string{"fr": notesFR}}
	if err := n.store.PutAgreement(context.Background(), kr, audit.Event{Actor: "system", Action: "agreement.add", Target: kr.ID}); err != nil {
		t.Fatal(err)
	}
	b := MustLogin(t, n, store.RoleAnalyst)
	const (
		euNotes   = "The seed says the HKSAR Government concluded a binding Customs Cooperation Agreement"
		euNotesFR = "Selon le texte initial, le Gouvernement de la Région administrative spéciale de Hong Kong"
		euNotesZH = "初始文本指出，香港特別行政區政府於1999年與歐洲共同體"
		jpNotes   = "The seed lists this among the non-binding Customs cooperative arrangements"
		jpNotesFR = "Le texte initial range cet arrangement parmi les arrangements de coopération douanière non contraignants"
		jpNotesZH = "初始文本將本安排列為香港海關自1991年起與30個海關當局訂立的非約束性海關合作安排之一"
		seedFR    = "seed/international-cooperation.txt (Département des douanes et accises de Hong Kong, coopération internationale)"
		seedZH    = "seed/international-cooperation.txt（香港海關，國際合作）"
	)
	// The English of the seed's notes and source, which a page in another
	// language does not show.
	english := []string{euNotes, jpNotes, "Hong Kong Customs and Excise Department, international cooperation"}
	for _, tc := range []struct {
		lang, path string
		want, not  []string
	}{
		{"en", "/ui/agreements/hk-eu-cca-1999", []string{"<dd>" + euNotes, "<dd>" + agreement.SeedSource + "</dd>"}, []string{euNotesFR, seedFR}},
		{"fr", "/ui/agreements/hk-eu-cca-1999", []string{"<dd>" + euNotesFR, "<dd>" + seedFR + "</dd>"}, english},
		{"zh-Hant", "/ui/agreements/hk-eu-cca-1999", []string{"<dd>" + euNotesZH, "<dd>" + seedZH + "</dd>"}, english},
		{"en", "/ui/agreements/hk-jp-arrangement", []string{"<dd>" + jpNotes, "<dd>" + agreement.SeedSource + "</dd>"}, []string{jpNotesFR}},
		{"fr", "/ui/agreements/hk-jp-arrangement", []string{"<dd>" + jpNotesFR, "<dd>" + seedFR + "</dd>"}, english},
		{"zh-Hant", "/ui/agreements/hk-jp-arrangement", []string{"<dd>" + jpNotesZH, "<dd>" + seedZH + "</dd>"}, english},
		{"en", "/ui/agreements/hk-kr-cmaa", []string{"<dd>" + notes + "</dd>", "<dd>" + source + "</dd>"}, []string{notesFR, `<dd lang="en">`}},
		{"fr", "/ui/agreements/hk-kr-cmaa", []string{"<dd>" + notesFR + "</dd>", "<dd>" + source + "</dd>"}, []string{notes}},
		// No notes in Chinese: the English, marked as English.
		{"zh-Hant", "/ui/agreements/hk-kr-cmaa", []string{`<dd lang="en">` + notes + "</dd>", "<dd>" + source + "</dd>"}, []string{notesFR}},
	} {
		t.Run(tc.lang+tc.path, func(t *testing.T) {
			pageInLanguage(t, b, tc.path, tc.lang, http.StatusOK, tc.want, tc.not)
		})
	}
}

// TestSeedSourceMessageIsTheSeeds holds the English of the message the UI
// shows the seed's source by to agreement.SeedSource, so that English pages
// show the source as the registry holds it.
func TestSeedSourceMessageIsTheSeeds(t *testing.T) {
	data, err := os.ReadFile("messages/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var en map[string]string
	if err := json.Unmarshal(data, &en); err != nil {
		t.Fatal(err)
	}
	if got := en["agreement.source.seed"]; got != agreement.SeedSource {
		t.Errorf("agreement.source.seed is %q in English, want agreement.SeedSource %q", got, agreement.SeedSource)
	}
}

// pageInLanguage gets path in lang, wanting status, and checks that the
// page's text holds every string of want and none of not (and, for a page
// found, no missing translation).
func pageInLanguage(t *testing.T, b *browser, path, lang string, status int, want, not []string) {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	p := b.get(path + sep + "lang=" + lang)
	if p.status != status {
		t.Fatalf("%d, want %d\n%s", p.status, status, p.body)
	}
	if status == http.StatusOK {
		noMissing(t, path, p)
	}
	text := pageText(p.body)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
	for _, e := range not {
		if strings.Contains(text, e) {
			t.Errorf("the page shows %q", e)
		}
	}
}
