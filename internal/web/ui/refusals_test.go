package ui

import (
	"slices"
	"strings"
	"testing"

	"liaison/internal/agreement"
	"liaison/internal/matching"
	"liaison/internal/store"
)

// TestRefusalsWorded words the reasons a Liaison node refuses an envelope
// with as the inbox gives them — with the sharing decision's reasons and
// the validation problems they list — the errors of failed deliveries and
// the audit entries of refusals, and leaves English, and text of no known
// format (a peer's own wording, a transport's error), as it is.
func TestRefusalsWorded(t *testing.T) {
	c := MustCatalogue(t)
	const refused = "JP may not receive record 01ABC from HK: No agreement in force links Hong Kong, China and Japan on " +
		"14 October 2026, and WCO regions are not known to this node. The record has no handling code, so it may not leave this node."
	tests := []struct {
		what   string
		word   func(*Locale, string) string
		en     string
		fr, zh string
	}{
		{"refusal", (*Locale).Refusal, "record 01ABC has no version",
			"la fiche 01ABC n'a pas de numéro de version", "記錄 01ABC 沒有版本編號"},
		{"refusal", (*Locale).Refusal, refused,
			"JP ne peut pas recevoir la fiche 01ABC de HK : Aucun accord en vigueur ne lie Hong Kong, China et Japan le 14 oct. 2026, " +
				"et les régions de l'OMD ne sont pas connues de ce nœud. La fiche n'a pas de code de traitement : elle ne peut pas quitter ce nœud.",
			"JP不得接收記錄 01ABC（來自HK）：沒有生效的協議連繫Hong Kong, China與Japan（日期：2026年10月14日），" +
				"而本節點不知道世界海關組織的地區劃分。記錄沒有處理代碼，因此不得離開本節點。"},
		{"refusal", (*Locale).Refusal, `record 01ABC is invalid: seizure.goods[0].hs: HS code "9" must be 2, 4 or 6 digits; seizure.x: odd; and 3 more`,
			`la fiche 01ABC n'est pas valide : seizure.goods[0].hs : le code SH "9" doit compter 2, 4 ou 6 chiffres ; seizure.x: odd ; et 3 autre(s) problème(s)`,
			`記錄 01ABC 無效：seizure.goods[0].hs：HS 編碼 "9" 必須是 2、4 或 6 位數字；seizure.x: odd；另有 3 項問題`},
		{"refusal", (*Locale).Refusal, store.Withdrawn,
			"retirée : l'administration d'origine a retiré la fiche avant son envoi", "已撤銷：來源當局在發送前已撤回記錄"},
		{"refusal", (*Locale).Refusal, "JP may not receive record 01ABC from HK: not on a Sunday.",
			"JP ne peut pas recevoir la fiche 01ABC de HK : not on a Sunday.", "JP不得接收記錄 01ABC（來自HK）：not on a Sunday."},
		{"refusal", (*Locale).Refusal, "not on a Sunday", "not on a Sunday", "not on a Sunday"},
		{"delivery error", (*Locale).DeliveryError, "peer unreachable: dial tcp 127.0.0.1:1: connect: connection refused",
			"nœud partenaire injoignable : dial tcp 127.0.0.1:1: connect: connection refused",
			"無法連接夥伴節點：dial tcp 127.0.0.1:1: connect: connection refused"},
		{"delivery error", (*Locale).DeliveryError, `peer answered 503: {"error":{"code":"unavailable","message":"peer unreachable: x"}}`,
			`le nœud partenaire a répondu 503 : {"error":{"code":"unavailable","message":"peer unreachable: x"}}`,
			`夥伴節點回覆 503：{"error":{"code":"unavailable","message":"peer unreachable: x"}}`},
		{"delivery error", (*Locale).DeliveryError, "peer's answer has 2 results for the 3 envelopes posted",
			"la réponse du nœud partenaire contient 2 résultats pour les 3 enveloppes envoyées", "夥伴節點的回覆有 2 項結果，但發出的信封有 3 個"},
		{"delivery error", (*Locale).DeliveryError, "record 01ABC was retracted", "la fiche 01ABC a été retirée", "記錄 01ABC 已被撤回"},
		{"delivery error", (*Locale).DeliveryError, "context deadline exceeded", "context deadline exceeded", "context deadline exceeded"},
		{"audit detail", (*Locale).AuditDetail, "from JP: record 01ABC has no version",
			"de JP : la fiche 01ABC n'a pas de numéro de version", "來自JP：記錄 01ABC 沒有版本編號"},
		{"audit detail", (*Locale).AuditDetail, "envelope does not verify",
			"l'enveloppe ne passe pas la vérification", "信封未能通過驗證"},
		{"audit detail", (*Locale).AuditDetail, "from JP: not on a Sunday", "de JP : not on a Sunday", "來自JP：not on a Sunday"},
	}
	for _, tc := range tests {
		for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr, "zh-Hant": tc.zh} {
			if got := tc.word(c.locale(lang), tc.en); got != want {
				t.Errorf("%s in %s of %q:\n got %q\nwant %q", tc.what, lang, tc.en, got, want)
			}
		}
	}
}

// TestTypedDetailsStayAsTyped checks that what a person typed into an
// audited action — an exclusion's reason, a consent's reference — is shown
// as typed, even where it reads like a detail, a word or a refusal the
// audit page words, while the detail around it is worded.
func TestTypedDetailsStayAsTyped(t *testing.T) {
	if !slices.Contains(matching.AuditDetailFormats(), exclusionDetail) {
		t.Fatalf("matching no longer writes %q", exclusionDetail)
	}
	c := MustCatalogue(t)
	for _, tc := range []struct{ en, fr, zh string }{
		{"reason: latest version", "motif : latest version", "理由：latest version"},
		{"reason: kind", "motif : kind", "理由：kind"},
		{"reason: record 01ABC has no version", "motif : record 01ABC has no version", "理由：record 01ABC has no version"},
		{"originator JP consents to onward transmission to FR (ref latest version)",
			"l'administration d'origine JP consent à la transmission ultérieure à FR (réf. latest version)",
			"來源當局JP同意轉交予FR（參考編號 latest version）"},
	} {
		for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr, "zh-Hant": tc.zh} {
			if got := c.locale(lang).AuditDetail(tc.en); got != want {
				t.Errorf("%s %q: got %q, want %q", lang, tc.en, got, want)
			}
		}
	}
	// The same words typed elsewhere than a typed argument are worded.
	if got := c.locale("fr").AuditDetail("latest version"); got != "dernière version" {
		t.Errorf("a detail that is no typed text: %q", got)
	}
}

// TestTitleLanguagesAreTheUIs holds the languages an agreement's titles
// may be given in to those the UI speaks other than English.
func TestTitleLanguagesAreTheUIs(t *testing.T) {
	if !slices.Equal(agreement.TitleLanguages, languages[1:]) {
		t.Errorf("agreements are titled in %v, the UI speaks %v besides English", agreement.TitleLanguages, languages[1:])
	}
}

// TestAgreementTitlesInReasons checks that a reason naming an agreement by
// its English title, a basis and a partner's summary name it by its title
// in the page's language when the registry has one, by an English title
// it does not know as it is, and that an English page never reads the
// registry.
func TestAgreementTitlesInReasons(t *testing.T) {
	c := MustCatalogue(t)
	loads := 0
	jp := agreement.Seed("JP")[0]
	nairobi := agreement.Agreement{ID: "nairobi", Title: "The Nairobi Convention", Kind: agreement.KindConvention,
		Titles: map[string]string{"fr": "Convention de Nairobi", "zh-Hant": "內羅畢公約"}}
	locale := func(lang string) *Locale {
		l := c.locale(lang)
		l.titles = &agreementTitles{load: func() ([]agreement.Agreement, error) {
			loads++
			return []agreement.Agreement{jp, nairobi}, nil
		}}
		return l
	}
	const other = "Customs Mutual Assistance Agreement between Hong Kong, China and Korea"
	for _, tc := range []struct{ en, fr, zh string }{
		{"The " + jp.Title + " is not in force on 14 October 2026.",
			"« Arrangement de coopération douanière entre les douanes de Hong Kong et du Japon » n'est pas en vigueur le 14 oct. 2026.",
			"《香港海關與日本海關的海關合作安排》於2026年10月14日並不有效。"},
		{"The Nairobi Convention is not in force on 14 October 2026.",
			"« Convention de Nairobi » n'est pas en vigueur le 14 oct. 2026.", "《內羅畢公約》於2026年10月14日並不有效。"},
		{"The " + other + " is not in force on 14 October 2026.",
			"« " + other + " » n'est pas en vigueur le 14 oct. 2026.", "《" + other + "》於2026年10月14日並不有效。"},
	} {
		for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr, "zh-Hant": tc.zh} {
			if got := locale(lang).Reason(agreement.Reason{Text: tc.en}); got != want {
				t.Errorf("%s %q:\n got %q\nwant %q", lang, tc.en, got, want)
			}
		}
	}
	basis := agreement.Basis{Kind: agreement.BasisAgreement, Agreement: jp.ID, Title: jp.Title}
	for lang, want := range map[string]string{"en": jp.Title, "fr": jp.Titles["fr"], "zh-Hant": jp.Titles["zh-Hant"]} {
		if got := locale(lang).Basis(basis); got != want {
			t.Errorf("basis in %s: %q, want %q", lang, got, want)
		}
	}
	// A basis whose id the registry holds under another title (a peer's
	// decision) is named by the title it kept.
	if got := locale("fr").Basis(agreement.Basis{Kind: agreement.BasisAgreement, Agreement: jp.ID, Title: other}); got != other {
		t.Errorf("a basis kept under another title: %q", got)
	}
	loads = 0
	locale("en").Basis(basis)
	locale("en").Reason(agreement.Reason{Text: "The " + jp.Title + " is not in force on 14 October 2026."})
	if loads != 0 {
		t.Errorf("an English page read the registry %d times", loads)
	}
	l := locale("zh-Hant")
	l.Basis(basis)
	l.Reason(agreement.Reason{Text: "The " + jp.Title + " is not in force on 14 October 2026."})
	if loads != 1 {
		t.Errorf("a page read the registry %d times, want once", loads)
	}
	if strings.Contains(locale("fr").AgreementTitle(agreement.Agreement{Title: other}), "«") {
		t.Error("an agreement without titles is not named by its title alone")
	}
}
