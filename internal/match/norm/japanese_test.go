package norm

import (
	"slices"
	"testing"
)

func TestKunStems(t *testing.T) {
	tests := []struct {
		kun  string
		want []string
	}{
		{"takai", []string{"taka"}},
		{"hiroi", []string{"hiro"}},
		{"sakaeru", []string{"sakae"}},
		{"wataru", []string{"wata", "watari"}},
		{"megumu", []string{"megu", "megumi"}},
		{"naosu", []string{"nao", "naoshi"}},
		{"matsu", nil}, // a noun of two syllables
		{"mizu", nil},
		{"yama", nil},
	}
	for _, tc := range tests {
		if got := kunStems(tc.kun); !slices.Equal(got, tc.want) {
			t.Errorf("kunStems(%q) = %q, want %q", tc.kun, got, tc.want)
		}
	}
}

// TestJapaneseReadings checks that the Japanese rendering of names in
// kanji holds the reading the same people write in Latin letters.
func TestJapaneseReadings(t *testing.T) {
	n := MustNew(t)
	tests := []struct {
		kanji string
		kind  Kind
		want  []string // one spelling of each token, in order
	}{
		{"佐藤太郎", Person | Japanese, []string{"satou", "tarou"}},
		{"鈴木健一", Person | Japanese, []string{"suzuki", "kenichi"}},
		{"山田修", Person | Japanese, []string{"yamada", "osame"}},
		{"小林直子", Person | Japanese, []string{"kobayashi", "naoko"}},
		{"高橋美咲", Person | Japanese, []string{"takahashi", "misaki"}},
		{"株式会社東洋物流", Organisation, []string{"touyou", "logistics"}}, // a Japanese legal form is enough
		{"光運輸株式会社", Organisation, []string{"hikari", "transport"}},
	}
	for _, tc := range tests {
		t.Run(tc.kanji, func(t *testing.T) {
			found := false
			for _, r := range n.Name(tc.kanji, tc.kind) {
				if r.Scheme != "ja" || len(r.Tokens) != len(tc.want) {
					continue
				}
				ok := true
				for i, w := range tc.want {
					ok = ok && slices.Contains(r.Tokens[i], w)
				}
				found = found || ok
			}
			if !found {
				t.Errorf("Name(%q) = %+v, want a Japanese rendering with %q", tc.kanji, n.Name(tc.kanji, tc.kind), tc.want)
			}
		})
	}
}

// TestJapaneseOnlyWhenJapanese checks that a name in Han characters is
// read in Japanese only when it is said or seen to be Japanese.
func TestJapaneseOnlyWhenJapanese(t *testing.T) {
	n := MustNew(t)
	for _, tc := range []struct {
		name string
		kind Kind
		ja   bool
	}{
		{"陳大文", Person, false},
		{"陳大文", Person | Japanese, true},
		{"金桥医药有限公司", Organisation, false},
		{"新栄貿易株式会社", Organisation, true},
		{"佐藤タロウ", Person, true},
		{"佐藤太郎", Person | MaybeJapanese, true},
		{"陳大文", Person | MaybeJapanese, false},
		{"Taro Sato", Person | Japanese, false},
	} {
		got := slices.ContainsFunc(n.Name(tc.name, tc.kind), func(r Rendering) bool { return r.Scheme == "ja" })
		if got != tc.ja {
			t.Errorf("Name(%q, %d) has a Japanese rendering: %v, want %v", tc.name, tc.kind, got, tc.ja)
		}
	}
}

func TestJapaneseBusinessWords(t *testing.T) {
	n := MustNew(t)
	for in, want := range map[string]string{
		"Shinei Boeki Co., Ltd.":        "shinei trading",
		"Toyo Butsuryu K.K.":            "toyo logistics",
		"Hikari Unyu Corporation":       "hikari transport",
		"Yamada Bussan Co., Ltd.":       "yamada products",
		"Sanwa Shouji Kabushiki Kaisha": "sanwa trading",
	} {
		rs := n.Name(in, Organisation)
		if len(rs) == 0 || translated(rs[0]) != want {
			t.Errorf("Name(%q) = %+v, want %q", in, rs, want)
		}
	}
}

// translated joins the tokens' last spellings, where a translation goes.
func translated(r Rendering) string {
	s := ""
	for i, t := range r.Tokens {
		if i > 0 {
			s += " "
		}
		s += t[len(t)-1]
	}
	return s
}
