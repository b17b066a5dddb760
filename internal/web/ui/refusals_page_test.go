package ui_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/federation"
	"liaison/internal/matching"
	"liaison/internal/store"
)

// TestDeliveryErrorsInThePagesLanguage checks that the deliveries page and
// a record's page word in the page's language a delivery's error and the
// reason a Liaison peer refused it with (the decision's reasons inside it
// included), and keep a transport's own error as it is; the English pages
// keep the English.
func TestDeliveryErrorsInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	const (
		refused = "JP may not receive record " + "01JABCDEFGHJKMNPQRSTVWXYZ1" + " from HK: The record has no handling code, so it may not leave this node."
		down    = "peer unreachable: dial tcp 127.0.0.1:1: connect: connection refused"
	)
	mustDeliveries(t, n, rec.ID, "record.create",
		store.DeliveryOutcome{State: store.DeliveryRefused, Error: refused, RefusalReason: refused},
		store.DeliveryOutcome{State: store.DeliveryDead, Error: down})
	b := MustLogin(t, n, store.RoleLiaison)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{refused, down}},
		{"fr", []string{"JP ne peut pas recevoir la fiche 01JABCDEFGHJKMNPQRSTVWXYZ1 de HK : La fiche n'a pas de code de traitement : elle ne peut pas quitter ce nœud.",
			"nœud partenaire injoignable : dial tcp 127.0.0.1:1: connect: connection refused"}},
		{"zh-Hant", []string{"JP不得接收記錄 01JABCDEFGHJKMNPQRSTVWXYZ1（來自HK）：記錄沒有處理代碼，因此不得離開本節點。",
			"無法連接夥伴節點：dial tcp 127.0.0.1:1: connect: connection refused"}},
	} {
		for _, path := range []string{"/ui/deliveries", "/ui/records/" + rec.ID} {
			p := b.get(path + "?lang=" + tc.lang)
			if p.status != http.StatusOK {
				t.Fatalf("%s %s: %d", tc.lang, path, p.status)
			}
			noMissing(t, path, p)
			text := pageText(p.body)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s %s lacks %q", tc.lang, path, w)
				}
			}
			if tc.lang == "en" {
				continue
			}
			for _, e := range []string{"may not receive", "has no handling code", "peer unreachable"} {
				if strings.Contains(text, e) {
					t.Errorf("%s %s shows English %q", tc.lang, path, e)
				}
			}
		}
	}
}

// TestRefusalsAndTypedReasonsOnTheAuditPage checks that the audit page
// words the reason of an envelope this node refused, as the inbox audits
// it, and shows the reason an administrator typed for an exclusion as
// typed.
func TestRefusalsAndTypedReasonsOnTheAuditPage(t *testing.T) {
	n := MustNode(t, nil, nil)
	ctx := context.Background()
	for _, ev := range []audit.Event{
		{Actor: "federation", Action: federation.ActionRefuse, Target: "01JABCDEFGHJKMNPQRSTVWXYZ1",
			Detail: "from JP: record 01JABCDEFGHJKMNPQRSTVWXYZ2 has no version"},
		{Actor: "admin-user", Action: matching.ActionExclude, Target: "person", Detail: "reason: latest version"},
	} {
		if _, err := n.store.Audit(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	auditor := MustLogin(t, n, store.RoleAuditor)
	cell := regexp.MustCompile(`(?s)<td class="mono">([^<]*)</td>\s*<td>.*?</td>\s*<td>([^<]*)</td><td class="mono nowrap"`)
	for _, tc := range []struct{ lang, refusal, exclusion string }{
		{"en", "from JP: record 01JABCDEFGHJKMNPQRSTVWXYZ2 has no version", "reason: latest version"},
		{"fr", "de JP : la fiche 01JABCDEFGHJKMNPQRSTVWXYZ2 n'a pas de numéro de version", "motif : latest version"},
		{"zh-Hant", "來自JP：記錄 01JABCDEFGHJKMNPQRSTVWXYZ2 沒有版本編號", "理由：latest version"},
	} {
		p := auditor.get("/ui/audit?lang=" + tc.lang)
		if p.status != http.StatusOK {
			t.Fatalf("%s: audit page: %d", tc.lang, p.status)
		}
		got := map[string]string{}
		for _, m := range cell.FindAllStringSubmatch(p.body, -1) {
			got[m[1]] = pageText(m[2])
		}
		if got[federation.ActionRefuse] != tc.refusal {
			t.Errorf("%s: the refusal's detail is %q, want %q", tc.lang, got[federation.ActionRefuse], tc.refusal)
		}
		if got[matching.ActionExclude] != tc.exclusion {
			t.Errorf("%s: the exclusion's detail is %q, want %q", tc.lang, got[matching.ActionExclude], tc.exclusion)
		}
	}
}

// TestEnvelopeRefusalsInThePagesLanguage checks that the reasons an
// envelope that does not open is refused with (a clock outside the
// window, and a signature that does not verify inside a relay's wrapper,
// the reason inside the relay's sentence worded too) are worded in the
// page's language on the sender's deliveries page and on the receiver's
// audit page, the times, node codes and ids as they are.
func TestEnvelopeRefusalsInThePagesLanguage(t *testing.T) {
	n := MustNode(t, nil, nil)
	rec := MustCreate(t, n, seizure())
	const (
		window = "created: envelope created 2026-11-26T09:40:00Z is outside the accepted window of ±5m around 2026-11-26T10:00:00Z"
		relay  = "envelope relayed by RILO-AP (envelope 01JABCDEFGHJKMNPQRSTVWXYZ3, which says it is from HK): signature does not verify"
	)
	mustDeliveries(t, n, rec.ID, "record.create",
		store.DeliveryOutcome{State: store.DeliveryRefused, Error: window, RefusalReason: window},
		store.DeliveryOutcome{State: store.DeliveryRefused, Error: relay, RefusalReason: relay})
	if _, err := n.store.Audit(context.Background(), audit.Event{Actor: "federation", Action: federation.ActionRefuse,
		Target: "01JABCDEFGHJKMNPQRSTVWXYZ1", Detail: "from JP: " + window}); err != nil {
		t.Fatal(err)
	}
	liaison := MustLogin(t, n, store.RoleLiaison)
	auditor := MustLogin(t, n, store.RoleAuditor)
	for _, tc := range []struct {
		lang                string
		window, relay, from string
	}{
		{"en", window, relay, "from JP: "},
		{"fr", "created : l'enveloppe, créée le 2026-11-26T09:40:00Z, est hors de la fenêtre acceptée de ±5m autour de 2026-11-26T10:00:00Z",
			"enveloppe relayée par RILO-AP (enveloppe 01JABCDEFGHJKMNPQRSTVWXYZ3, qui se dit émise par HK) : la signature ne passe pas la vérification",
			"de JP : "},
		{"zh-Hant", "created：信封建立於 2026-11-26T09:40:00Z，超出可接受的時間範圍（±5m，以 2026-11-26T10:00:00Z 為準）",
			"經RILO-AP轉發的信封（信封 01JABCDEFGHJKMNPQRSTVWXYZ3，自稱來自HK）：簽章未能通過驗證",
			"來自JP："},
	} {
		for _, pc := range []struct {
			b    *browser
			path string
			want []string
		}{
			{liaison, "/ui/deliveries", []string{tc.window, tc.relay}},
			{auditor, "/ui/audit", []string{tc.from + tc.window}},
		} {
			p := pc.b.get(pc.path + "?lang=" + tc.lang)
			if p.status != http.StatusOK {
				t.Fatalf("%s %s: %d", tc.lang, pc.path, p.status)
			}
			noMissing(t, pc.path, p)
			text := pageText(p.body)
			for _, w := range pc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s %s lacks %q", tc.lang, pc.path, w)
				}
			}
			if tc.lang == "en" {
				continue
			}
			for _, e := range []string{"outside the accepted window", "relayed by", "does not verify"} {
				if strings.Contains(text, e) {
					t.Errorf("%s %s shows English %q", tc.lang, pc.path, e)
				}
			}
		}
	}
}
