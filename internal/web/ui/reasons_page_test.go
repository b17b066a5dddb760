package ui_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"liaison/internal/match"
	"liaison/internal/store"
)

// englishReasons are pieces of the English reasons of the decisions the
// tests below make, none of which a French or Chinese page may show.
var englishReasons = []string{
	"is not a named recipient", "names Japan as a recipient", "The record is active", "Handling code H0",
	"is the originator of this record", "Conditions of the", "not stated in the source", "is in force on",
	"no pinned peer for", "personal data",
}

// pageText returns the text of a page's HTML, entities decoded.
func pageText(s string) string { return html.UnescapeString(s) }

// TestDecisionReasonsInThePagesLanguage checks that the record page words
// the reasons of the sharing decisions in the page's language: a share the
// decision refuses (France, not among the record's recipients) and the
// decision stored with a delivery, read back from storage with its text
// alone; the English page keeps the English.
func TestDecisionReasonsInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	b := MustLogin(t, n, store.RoleLiaison)
	p := b.post("/ui/records/"+rec.ID+"/share", url.Values{"csrf": {csrfOf(t, b.get("/ui/records/"+rec.ID))}, "recipient": {"JP"}})
	if p.status != http.StatusOK {
		t.Fatalf("share to Japan: %d", p.status)
	}
	rowFR := regexp.MustCompile(`(?s)<tr>\s*<td>[^<]*<span class="mono">FR</span></td>.*?</tr>`)
	deliveries := regexp.MustCompile(`(?s)<table class="grid deliveries">.*?</table>`)
	for _, tc := range []struct {
		lang            string
		refused, stored []string
	}{
		{"fr", []string{"✗</span> La diffusion est bilatérale, à destination de", "n'est pas un destinataire désigné."},
			[]string{"La fiche est active.", "comme destinataire.", "Le code de traitement H0 (usage exclusif des services répressifs)",
				"est l'administration d'origine de cette fiche", "Conditions de l'arrangement : l'utilisation comme preuve requiert",
				"La fiche contient des données personnelles (1 personne nommément désignée)", "est en vigueur le "}},
		{"zh-Hant", []string{"✗</span> 分發範圍為雙邊，只限", "並非指明的收件方。"},
			[]string{"記錄有效。", "為收件方。", "處理代碼 H0（只供執法用途）", "是此記錄的來源當局", "該安排的條件：用作證據須經來源當局同意",
				"記錄含有個人資料（1 名具名人士）", "生效日期只知為1991年"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			p := b.get("/ui/records/" + rec.ID + "?lang=" + tc.lang)
			if p.status != http.StatusOK {
				t.Fatalf("record page: %d", p.status)
			}
			noMissing(t, tc.lang, p)
			row := pageText(rowFR.FindString(p.body))
			for _, w := range tc.refused {
				if !strings.Contains(row, w) {
					t.Errorf("France's refused decision lacks %q:\n%s", w, row)
				}
			}
			stored := pageText(deliveries.FindString(p.body))
			for _, w := range tc.stored {
				if !strings.Contains(stored, w) {
					t.Errorf("the decision stored with the delivery lacks %q:\n%s", w, stored)
				}
			}
			for _, e := range englishReasons {
				if strings.Contains(p.body, e) {
					t.Errorf("the page shows English %q", e)
				}
			}
		})
	}
	en := pageText(b.get("/ui/records/" + rec.ID + "?lang=en").body)
	for _, w := range []string{"Distribution is bilateral to Japan; France is not a named recipient.", "The record is active."} {
		if !strings.Contains(en, w) {
			t.Errorf("the English page lacks %q", w)
		}
	}
}

// TestShareResultInThePagesLanguage checks the page that answers a share:
// the refusal by the decision, and the federation's reason when the
// decision allows but no peer is pinned, in the page's language.
func TestShareResultInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	r := seizure()
	r.Distribution.Recipients = []string{"JP", "KR"}
	rec := MustCreate(t, n, r)
	b := MustLogin(t, n, store.RoleLiaison)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"fr", []string{"n'est pas un destinataire désigné.", "aucun nœud partenaire épinglé pour KR : ajoutez-le avec `liaison peers add`",
			"La diffusion est bilatérale et désigne"}},
		{"zh-Hant", []string{"並非指明的收件方。", "沒有為KR釘選的夥伴節點：請以 `liaison peers add` 加入", "分發範圍為雙邊，並指明"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			page := b.get("/ui/records/" + rec.ID + "?lang=" + tc.lang)
			p := b.post("/ui/records/"+rec.ID+"/share", url.Values{"csrf": {csrfOf(t, page)}, "recipient": {"FR", "KR", "JP"}})
			if p.status != http.StatusOK || !strings.Contains(p.body, `id="share-results"`) {
				t.Fatalf("share: %d\n%s", p.status, p.body)
			}
			text := pageText(p.body)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the share's result lacks %q", w)
				}
			}
			for _, e := range englishReasons {
				if strings.Contains(text, e) {
					t.Errorf("the share's result shows English %q", e)
				}
			}
		})
	}
}

// TestMatchReasonsInThePagesLanguage checks that the record page and the
// screening page word the reasons of matches in the page's language, and
// show a reason of no known form as it is.
func TestMatchReasonsInThePagesLanguage(t *testing.T) {
	f := &fakeMatcher{}
	n := MustNode(t, f, f)
	rec := MustCreate(t, n, seizure())
	other := MustCreate(t, n, seizure())
	reasons := []string{`name "Chan Tai Man" matches "陳大文" (Hong Kong romanisation), 0.96`, "same birth date 1975-03-02",
		"nationality differs: HK vs CN", "name transliterated from Han characters"}
	f.links = []match.Link{{Record: other.ID, Score: 0.93, Entity: &match.Entity{Type: match.Person, Name: "Chan Tai Man"},
		Matched: &match.Entity{Type: match.Person, Name: "陳大文"}, Reasons: reasons}}
	f.results = []match.Result{{Record: other.ID, Score: 0.88, Entity: match.Entity{Type: match.Person, Name: "陳大文"}, Reasons: reasons}}
	b := MustLogin(t, n, store.RoleAnalyst)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"fr", []string{`le nom "Chan Tai Man" correspond à "陳大文" (romanisation de Hong Kong), 0.96`, "même date de naissance 1975-03-02",
			"nationalité différente : HK / CN", "name transliterated from Han characters"}},
		{"zh-Hant", []string{`姓名／名稱 "Chan Tai Man" 與 "陳大文" 相符（香港拼音），0.96`, "出生日期相同：1975-03-02", "國籍不同：HK 對 CN",
			"name transliterated from Han characters"}},
	} {
		for _, path := range []string{"/ui/records/" + rec.ID + "?lang=" + tc.lang, "/ui/screen?name=Chan+Tai+Man&type=person&lang=" + tc.lang} {
			text := pageText(b.get(path).body)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s %s lacks %q", tc.lang, path, w)
				}
			}
			for _, e := range []string{"same birth date", "Hong Kong romanisation", "nationality differs"} {
				if strings.Contains(text, e) {
					t.Errorf("%s %s shows English %q", tc.lang, path, e)
				}
			}
		}
	}
}

// TestRecordFormLabelsInThePagesLanguage checks that the record form's
// validation messages name their fields, and list the values a field
// allows, in the page's language.
func TestRecordFormLabelsInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	b := MustLogin(t, n, store.RoleAnalyst)
	for _, tc := range []struct {
		lang                    string
		name, partyType, reason string
	}{
		{"fr", "le nom est obligatoire", "le type de partie est obligatoire : l'une des valeurs personne, organisation",
			`la date de naissance "2099-01-01" est dans le futur`},
		{"zh-Hant", "必須填寫 姓名／名稱", "必須填寫 當事方類型：以下之一 人士、機構", `出生日期 "2099-01-01" 是未來的日期`},
	} {
		b.get("/ui/?lang=" + tc.lang)
		f := seizureForm()
		f.Set("seizure.parties[1].name", "")
		f.Set("seizure.parties[1].birth_date", "2099-01-01")
		f.Set("seizure.parties[3].type", "")
		p := b.post("/ui/records/new", withCSRF(t, b, f))
		if p.status != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400", tc.lang, p.status)
		}
		for id, want := range map[string]string{"f-seizure-parties-1-name": tc.name, "f-seizure-parties-3-type": tc.partyType,
			"f-seizure-parties-1-birth_date": tc.reason} {
			if got := fieldError(p, id); !strings.Contains(got, want) {
				t.Errorf("%s: next to %s %q, want %q", tc.lang, id, got, want)
			}
		}
		for _, e := range []string{"party type", "birth date", "is required", "person, organisation"} {
			if strings.Contains(p.body, e) {
				t.Errorf("%s: the form shows English %q", tc.lang, e)
			}
		}
	}
	if c := MustCount(t, n); c != 0 {
		t.Errorf("%d records stored from invalid forms", c)
	}
}
