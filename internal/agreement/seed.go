package agreement

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// SeedSource names the text the seed agreements come from.
const SeedSource = "seed/international-cooperation.txt (Hong Kong Customs and Excise Department, international cooperation)"

// seedPartners are the 30 administrations the seed names, in its order,
// with the short name used in titles, and how the French and Chinese
// titles name their customs: "de la France" after "les douanes de Hong
// Kong et" (French places most country names behind an article), and the
// name Hong Kong uses in Chinese.
var seedPartners = []struct{ code, name, fr, zh string }{
	{"AR", "Argentina", "de l'Argentine", "阿根廷"}, {"AU", "Australia", "de l'Australie", "澳洲"},
	{"BE", "Belgium", "de la Belgique", "比利時"}, {"KH", "Cambodia", "du Cambodge", "柬埔寨"},
	{"CA", "Canada", "du Canada", "加拿大"}, {"FJ", "Fiji", "des Fidji", "斐濟"},
	{"FR", "France", "de la France", "法國"}, {"GE", "Georgia", "de la Géorgie", "格魯吉亞"},
	{"IN", "India", "de l'Inde", "印度"}, {"ID", "Indonesia", "de l'Indonésie", "印尼"},
	{"IL", "Israel", "d'Israël", "以色列"}, {"IT", "Italy", "de l'Italie", "意大利"},
	{"JP", "Japan", "du Japon", "日本"}, {"KR", "Korea", "de la Corée", "韓國"},
	{"MG", "Madagascar", "de Madagascar", "馬達加斯加"}, {"MV", "Maldives", "des Maldives", "馬爾代夫"},
	{"MX", "Mexico", "du Mexique", "墨西哥"}, {"MN", "Mongolia", "de la Mongolie", "蒙古"},
	{"NZ", "New Zealand", "de la Nouvelle-Zélande", "新西蘭"}, {"PE", "Peru", "du Pérou", "秘魯"},
	{"SG", "Singapore", "de Singapour", "新加坡"}, {"TH", "Thailand", "de la Thaïlande", "泰國"},
	{"NL", "Netherlands", "des Pays-Bas", "荷蘭"}, {"CN", "China", "de la Chine", "中國"},
	{"CG", "Congo", "du Congo", "剛果"}, {"RU", "Russia", "de la Russie", "俄羅斯"},
	{"UA", "Ukraine", "de l'Ukraine", "烏克蘭"}, {"GB", "United Kingdom", "du Royaume-Uni", "英國"},
	{"US", "United States", "des États-Unis", "美國"}, {"VN", "Vietnam", "du Viet Nam", "越南"},
}

// SeedEUAgreement is the id of the Customs Cooperation Agreement between Hong
// Kong, China and the European Community.
const SeedEUAgreement = "hk-eu-cca-1999"

// SeedArrangementID returns the id of the seed arrangement between Hong Kong
// and partner, e.g. "hk-jp-arrangement" for "JP".
func SeedArrangementID(partner string) string {
	return "hk-" + strings.ToLower(partner) + "-arrangement"
}

// Seed returns the agreements a new node starts with, from the seed text.
//
// For "HK" that is the 30 non-binding customs cooperative arrangements the
// seed lists and the binding Customs Cooperation Agreement with the European
// Community (1999): 31 agreements. Any other node gets the reciprocal side,
// with the same ids so both nodes speak of the same agreement: its
// arrangement with Hong Kong if it has one, and the agreement with the EU if
// blocs (the blocs the node belongs to today, from the directory) include
// "EU". Nothing else is invented for other nodes.
//
// Every entry carries its title in French and Traditional Chinese (Titles)
// beside the English one, and its notes in both (NotesTranslations).
//
// The seed states neither the exact dates nor the scope, modes or conditions
// of these agreements. The seed entries therefore list those fields in
// Unknown and carry these readings, which Decide repeats in its reasons:
//   - the arrangements are recorded as in force since 1991, the year the
//     seed gives for the set, counted from the end of that year; the EU
//     agreement is recorded as signed in 1999, its in-force date unknown, so
//     it counts from the end of 1999;
//   - scope: every record kind, personal data allowed for law-enforcement
//     exchange between customs administrations (Scope.Assumed);
//   - modes: on request and spontaneous (Modes.Assumed);
//   - conditions: the cautious ones — use as evidence and onward
//     transmission need the originator's consent (Conditions.Assumed).
func Seed(node string, blocs ...string) []Agreement {
	var out []Agreement
	for _, p := range seedPartners {
		if node == "HK" || node == p.code {
			out = append(out, seedArrangement(p.code, p.name, p.fr, p.zh))
		}
	}
	if node == "HK" || slices.Contains(blocs, "EU") {
		out = append(out, seedEU())
	}
	return out
}

// seedByID is every agreement of the seed (Hong Kong's side holds them
// all), by id.
var seedByID = sync.OnceValue(func() map[string]Agreement {
	out := map[string]Agreement{}
	for _, a := range Seed("HK") {
		out[a.ID] = a
	}
	return out
})

// The notes of the seed agreements, in English and, by language tag, in
// French and Traditional Chinese: every arrangement has the same notes.
// Each agreement gets its own copy of a translations map, so that changing
// one agreement's never changes another's.
const (
	seedArrangementNotes = "The seed lists this among the non-binding Customs cooperative arrangements the Department has " +
		"entered into with 30 Customs Administrations since 1991, to strengthen bilateral Customs cooperation " +
		"against cross-boundary offences. The date of this arrangement is not stated; 1991 is the earliest " +
		"year the seed gives for the set. Scope, modes and conditions are not stated and are assumed."
	seedEUNotes = "The seed says the HKSAR Government concluded a binding Customs Cooperation Agreement with the " +
		"European Community (now the European Union) in 1999, to enhance cooperation between the Department " +
		"and the Customs Administrations of the EU member states. Each member state is covered from its " +
		"accession. The exact dates of signature and entry into force are not stated; it is counted from " +
		"1999. Scope, modes and conditions are not stated and are assumed."
)

var (
	seedArrangementNotesTranslations = map[string]string{
		"fr": "Le texte initial range cet arrangement parmi les arrangements de coopération douanière non " +
			"contraignants que le Département des douanes et accises a conclus avec 30 administrations douanières " +
			"depuis 1991, afin de renforcer la coopération douanière bilatérale contre les infractions " +
			"transfrontalières. La date de cet arrangement n'est pas précisée ; 1991 est la première année que le " +
			"texte initial donne pour l'ensemble. Le champ d'application, les modalités et les conditions ne sont " +
			"pas précisés et sont présumés.",
		"zh-Hant": "初始文本將本安排列為香港海關自1991年起與30個海關當局訂立的非約束性海關合作安排之一，" +
			"旨在加強雙邊海關合作，打擊跨境罪行。本安排的日期未有說明；1991年為初始文本就該等安排所載的最早年份。" +
			"適用範圍、提供方式及條件均未有說明，屬假定。",
	}
	seedEUNotesTranslations = map[string]string{
		"fr": "Selon le texte initial, le Gouvernement de la Région administrative spéciale de Hong Kong a conclu " +
			"en 1999 avec la Communauté européenne (aujourd'hui l'Union européenne) un accord de coopération " +
			"douanière contraignant, afin de renforcer la coopération entre le Département des douanes et accises " +
			"et les administrations douanières des États membres de l'UE. Chaque État membre est couvert à compter " +
			"de son adhésion. Les dates exactes de signature et d'entrée en vigueur ne sont pas précisées ; l'accord " +
			"est pris en compte à partir de 1999. Le champ d'application, les modalités et les conditions ne sont " +
			"pas précisés et sont présumés.",
		"zh-Hant": "初始文本指出，香港特別行政區政府於1999年與歐洲共同體（現為歐洲聯盟）締結具約束力的海關合作協定，" +
			"以加強香港海關與歐盟成員國海關當局之間的合作。各成員國自加入之日起受本協定涵蓋。" +
			"簽署及生效的確切日期未有說明；本協定由1999年起計。適用範圍、提供方式及條件均未有說明，屬假定。",
	}
)

func seedArrangement(code, name, fr, zh string) Agreement {
	return Agreement{
		ID:    SeedArrangementID(code),
		Title: "Customs Cooperative Arrangement between Hong Kong Customs and " + name + " Customs",
		Titles: map[string]string{
			"fr":      "Arrangement de coopération douanière entre les douanes de Hong Kong et " + fr,
			"zh-Hant": "香港海關與" + zh + "海關的海關合作安排",
		},
		Kind:              KindArrangement,
		Binding:           false,
		Parties:           []Party{{Code: "HK"}, {Code: code}},
		InForce:           Year(1991),
		Scope:             assumedScope(),
		Modes:             assumedModes(),
		Conditions:        assumedConditions(),
		Source:            SeedSource,
		Notes:             seedArrangementNotes,
		NotesTranslations: maps.Clone(seedArrangementNotesTranslations),
		Unknown:           []string{"signed", "in_force", "scope", "modes", "conditions"},
	}
}

func seedEU() Agreement {
	return Agreement{
		ID:    SeedEUAgreement,
		Title: "Customs Cooperation Agreement between Hong Kong, China and the European Community",
		Titles: map[string]string{
			"fr":      "Accord de coopération douanière entre Hong Kong, Chine et la Communauté européenne",
			"zh-Hant": "中國香港與歐洲共同體海關合作協定",
		},
		Kind:              KindAgreement,
		Binding:           true,
		Parties:           []Party{{Code: "HK"}, {Code: "EU", Bloc: true}},
		Signed:            Year(1999),
		Scope:             assumedScope(),
		Modes:             assumedModes(),
		Conditions:        assumedConditions(),
		Source:            SeedSource,
		Notes:             seedEUNotes,
		NotesTranslations: maps.Clone(seedEUNotesTranslations),
		Unknown:           []string{"signed", "in_force", "scope", "modes", "conditions"},
	}
}

func assumedScope() Scope { return Scope{PersonalData: true, Assumed: true} }

func assumedModes() Modes { return Modes{OnRequest: true, Spontaneous: true, Assumed: true} }

func assumedConditions() Conditions {
	return Conditions{EvidenceNeedsConsent: true, OnwardNeedsConsent: true, Assumed: true}
}
