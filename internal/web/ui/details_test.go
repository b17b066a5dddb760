package ui

import (
	"testing"

	"liaison/internal/fault/faulttest"
)

// TestUIDetailFormatsAreTheCode holds uiDetailFormats to the details the
// UI itself writes in the audit log (a login, a logout, a failed login).
func TestUIDetailFormatsAreTheCode(t *testing.T) {
	faulttest.HoldDetails(t, "uiDetailFormats", uiDetailFormats, 2)
}

// TestAuditDetailWords words details as the packages store them, clauses,
// nested decisions and closed-set words included, and leaves English,
// and a detail of no known format, as stored.
func TestAuditDetailWords(t *testing.T) {
	c := MustCatalogue(t)
	tests := []struct{ en, fr, zh string }{
		{"version 1", "version 1", "第 1 版"},
		{"version 12", "version 12", "第 12 版"},
		{"latest version", "dernière version", "最新版本"},
		{"history, 3 versions", "historique, 3 versions", "版本紀錄，共 3 個版本"},
		{"filters none; 9 results", "filtres : aucun ; 9 résultats", "篩選條件：無；結果 9 項"},
		{"filters kind,status; 2 results", "filtres : type, statut ; 2 résultats", "篩選條件：類別、狀態；結果 2 項"},
		{"entity search; filters name,birth_date; 4 results",
			"recherche d'entités ; filtres : nom, date de naissance ; 4 résultats", "實體搜尋；篩選條件：名稱、出生日期；結果 4 項"},
		{"allowed to JP under hk-jp-arrangement", "transmission à JP autorisée au titre de hk-jp-arrangement",
			"准予分發予JP，依據hk-jp-arrangement"},
		{"refused to FR: distribution, handling not met",
			"transmission à FR refusée : règle(s) non respectée(s) : diffusion, code de traitement",
			"拒絕分發予FR：未符合分發範圍、處理代碼"},
		{"record.create 01ABC version 1 from HK (allowed to JP under hk-jp-arrangement); signed by HK key SHA256:ab:cd; via RILO-AP",
			"record.create 01ABC, version 1, reçue de HK (transmission à JP autorisée au titre de hk-jp-arrangement) ; signée par HK, clé SHA256:ab:cd ; par l'intermédiaire de RILO-AP",
			"record.create 01ABC 第 1 版，收自HK（准予分發予JP，依據hk-jp-arrangement）；由HK以金鑰 SHA256:ab:cd 簽署；經RILO-AP轉發"},
		{"record.retract 01ABC from HK: retracted at version 3, personal data purged by JP on 2026-01-02 on retraction by HK; signed by HK key SHA256:ef",
			"record.retract 01ABC reçue de HK : fiche retirée à la version 3, données personnelles effacées par JP le 2026-01-02 à la suite du retrait par HK ; signée par HK, clé SHA256:ef",
			"record.retract 01ABC 收自HK：記錄於第 3 版撤回，個人資料已由JP於2026-01-02清除，因HK撤回記錄；由HK以金鑰 SHA256:ef 簽署"},
		{"remote 127.0.0.1", "adresse distante 127.0.0.1", "遠端位址 127.0.0.1"},
		{"remote 127.0.0.1: not a bearer token", "adresse distante 127.0.0.1 : jeton non porteur (Bearer)", "遠端位址 127.0.0.1：並非 Bearer 權杖"},
		{"role analyst; 2 operations", "rôle : analyste ; 2 opérations", "角色：分析員；2 項行動"},
		{"arrangement between HK, JP", "arrangement entre HK, JP", "安排（締約方：HK, JP）"},
		{"something else; signed by HK key X", "something else; signed by HK key X", "something else; signed by HK key X"},
		{"", "", ""},
	}
	for _, tc := range tests {
		for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr, "zh-Hant": tc.zh} {
			if got := c.locale(lang).AuditDetail(tc.en); got != want {
				t.Errorf("%s %q: got %q, want %q", lang, tc.en, got, want)
			}
		}
	}
}
