package ui

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/federation/envelope"
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

// TestDeliveryErrorQuotesWorded words what a failed delivery attempt
// quotes when a Liaison node made it: why the peer's signed answer does
// not verify (a reason of the answer's checks, or one an envelope is
// refused with) and the message of the error document with which a
// Liaison peer's inbox took no batch, the message alone. Any other body of
// an answer that is not 200 (another implementation's wording, a proxy's
// page, a document cut short), and a reason of no known format, is shown
// exactly as stored after the worded sentence; English is left as it is.
func TestDeliveryErrorQuotesWorded(t *testing.T) {
	c := MustCatalogue(t)
	// What the code really makes: an answer without its signature, and
	// the error document the web layer writes (code and message) for a
	// batch that is empty.
	_, err := envelope.VerifyResponse(envelope.Response{}, []byte(`["x"]`), make([]byte, 32))
	unsigned := "answer does not verify: " + err.Error()
	_, err = envelope.DecodeBatch([]byte("[]"), 0)
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Fatalf("an empty batch: %v, want a fault", err)
	}
	doc, err := json.Marshal(map[string]map[string]string{"error": {"code": string(fe.Kind), "message": fe.Message}})
	if err != nil {
		t.Fatal(err)
	}
	empty := "peer answered 400: " + string(doc)

	const html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
	tests := []struct{ en, fr, zh string }{
		// The reason an answer does not verify.
		{unsigned, "la réponse ne passe pas la vérification : la réponse n'est pas signée", "回覆未能通過驗證：回覆未經簽署"},
		{"answer does not verify: signed answer does not match the answer given: 2 results signed, 3 given",
			"la réponse ne passe pas la vérification : la réponse signée ne correspond pas à la réponse donnée : 2 résultats signés, 3 donnés",
			"回覆未能通過驗證：已簽署的回覆與所給的回覆不符：簽署了 2 項結果，所給的有 3 項"},
		{`answer does not verify: results[1].status: "maybe" is not accepted, duplicate or refused`,
			`la réponse ne passe pas la vérification : results[1].status : "maybe" n'est ni accepted, ni duplicate, ni refused`,
			`回覆未能通過驗證：results[1].status："maybe" 不是 accepted、duplicate 或 refused`},
		{"answer does not verify: signature does not verify",
			"la réponse ne passe pas la vérification : la signature ne passe pas la vérification", "回覆未能通過驗證：簽章未能通過驗證"},
		{"answer does not verify: envelope does not verify",
			"la réponse ne passe pas la vérification : l'enveloppe ne passe pas la vérification", "回覆未能通過驗證：信封未能通過驗證"},
		{"answer does not verify: the moon is made of cheese",
			"la réponse ne passe pas la vérification : the moon is made of cheese", "回覆未能通過驗證：the moon is made of cheese"},
		// The error document of a Liaison node's inbox.
		{empty, "le nœud partenaire a répondu 400 : le lot est vide", "夥伴節點回覆 400：批次是空的"},
		{`peer answered 413: {"error":{"code":"too_large","message":"batch too large: 1,001 envelopes (limit 1,000)"}}`,
			"le nœud partenaire a répondu 413 : lot trop volumineux : 1,001 enveloppes (limite : 1,000)",
			"夥伴節點回覆 413：批次過大：1,001 個信封（上限 1,000）"},
		{`peer answered 400: {"error":{"code":"invalid","message":"batch is not a JSON array of compact JWS strings: unexpected end of JSON input"}}`,
			"le nœud partenaire a répondu 400 : le lot n'est pas un tableau JSON de chaînes JWS compactes : unexpected end of JSON input",
			"夥伴節點回覆 400：批次不是由精簡格式 JWS 字串組成的 JSON 陣列：unexpected end of JSON input"},
		{`peer answered 503: {"error":{"code":"unavailable","message":"federation is not available on this server"}}`,
			"le nœud partenaire a répondu 503 : la fédération n'est pas disponible sur ce serveur", "夥伴節點回覆 503：此伺服器不提供聯網功能"},
		// Any other body, as stored.
		{"peer answered 502: " + html, "le nœud partenaire a répondu 502 : " + html, "夥伴節點回覆 502：" + html},
		{`peer answered 400: {"error":{"code":"invalid","message":"we do not take batches on Sundays"}}`,
			`le nœud partenaire a répondu 400 : {"error":{"code":"invalid","message":"we do not take batches on Sundays"}}`,
			`夥伴節點回覆 400：{"error":{"code":"invalid","message":"we do not take batches on Sundays"}}`},
		{`peer answered 400: {"error":{"code":"invalid","message":"batch is empty"`,
			`le nœud partenaire a répondu 400 : {"error":{"code":"invalid","message":"batch is empty"`,
			`夥伴節點回覆 400：{"error":{"code":"invalid","message":"batch is empty"`},
		{`peer answered 400: {"message":"batch is empty"}`,
			`le nœud partenaire a répondu 400 : {"message":"batch is empty"}`, `夥伴節點回覆 400：{"message":"batch is empty"}`},
	}
	for _, tc := range tests {
		for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr, "zh-Hant": tc.zh} {
			if got := c.locale(lang).DeliveryError(tc.en); got != want {
				t.Errorf("delivery error in %s of %q:\n got %q\nwant %q", lang, tc.en, got, want)
			}
		}
	}
	// The formats whose quotes are worded are delivery errors the worker
	// makes: one it no longer makes would leave its quote in English.
	formats := federation.DeliveryErrorFormats()
	for f := range deliveryQuotes {
		if !slices.Contains(formats, f) {
			t.Errorf("the UI words what %q quotes, which is no delivery error of federation.DeliveryErrorFormats", f)
		}
	}
}
