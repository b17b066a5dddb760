package norm

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func MustNew(tb testing.TB) *Normalizer {
	tb.Helper()
	n, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestHKSurnames checks that the Jyutping-to-HKGR rules give the spellings
// Hong Kong documents use for common surnames and given-name syllables.
func TestHKSurnames(t *testing.T) {
	n := MustNew(t)
	tests := []struct {
		han, want string
	}{
		{"陳", "chan"}, {"大", "tai"}, {"文", "man"}, {"黃", "wong"}, {"王", "wong"}, {"張", "cheung"}, {"李", "lee"},
		{"何", "ho"}, {"梁", "leung"}, {"吳", "ng"}, {"周", "chow"}, {"周", "chau"}, {"林", "lam"}, {"葉", "yip"},
		{"曾", "tsang"}, {"郭", "kwok"}, {"劉", "lau"}, {"謝", "tse"}, {"趙", "chiu"}, {"許", "hui"}, {"蔡", "choi"},
		{"鄧", "tang"}, {"羅", "law"}, {"潘", "poon"}, {"楊", "yeung"}, {"馬", "ma"}, {"麥", "mak"}, {"余", "yu"},
		{"陈", "chan"}, {"张", "cheung"},
	}
	for _, tc := range tests {
		t.Run(tc.han+"-"+tc.want, func(t *testing.T) {
			rs := n.Name(tc.han, Person)
			var hk []string
			for _, r := range rs {
				if r.Scheme == "hk" {
					hk = r.Tokens[0]
				}
			}
			if !slices.Contains(hk, tc.want) {
				t.Errorf("%s reads %v in Hong Kong romanisation, want %q among them", tc.han, hk, tc.want)
			}
		})
	}
}

func TestRenderings(t *testing.T) {
	n := MustNew(t)
	tests := []struct {
		in     string
		kind   Kind
		scheme string
		want   string // primary spellings joined by spaces
	}{
		{"陳大文", Person, "pinyin", "chen da wen"},
		{"陳大文", Person, "hk", "chan tai man"},
		{"張大文", Person, "wade-giles", "chang ta wen"},
		{"Jean-Pierre Lefèvre", Person, "", "jean pierre lefevre"},
		{"Straße", Other, "", "strasse"},
		{"Юрий Жуков", Person, "icao", "iurii zhukov"},
		{"ООО «Северный Ветер»", Organisation, "icao", "severnyi veter"},
		{"Severnyy Veter LLC", Organisation, "", "severnyy veter"},
		{"Golden Harvest Trading Co., Ltd.", Organisation, "", "golden harvest trading"},
		{"Nordhafen GmbH & Co. KG", Organisation, "", "nordhafen"},
		{"Comercializadora Azteca S.A. de C.V.", Organisation, "", "comercializadora azteca"},
		{"金豐貿易有限公司", Organisation, "hk", "kam fung trading"},
		{"Παπαδόπουλος", Person, "elot", "papadopoulos"},
		{"محمد الحسن", Person, "arabic", "mhmd hsn"},
		{"김민준", Person, "rr", "gim min jun"},
		{"サトウ ケン", Person, "hepburn", "satou ken"},
		{"राजेश शर्मा", Person, "hindi", "rajesh sharma"},
		{"วิชัย วงศ์ไทย", Person, "rtgs", "wichai wongthai"},
		{"Công ty TNHH Dịch vụ Logistics Việt Hưng", Organisation, "", "services logistics viet hung"},
		{"Thanh Dat XNK Company Limited", Organisation, "", "thanh dat import export"},
		{"บริษัท ทรัพย์เจริญ อินเตอร์เนชั่นแนล จำกัด", Organisation, "rtgs", "sapcharoen international"},
		{"Mr Ahmad bin Ismail", Person, "", "ahmad ismail"},
	}
	for _, tc := range tests {
		t.Run(tc.in+"/"+tc.scheme, func(t *testing.T) {
			for _, r := range n.Name(tc.in, tc.kind) {
				if r.Scheme != tc.scheme {
					continue
				}
				var got []string
				for _, tok := range r.Tokens {
					got = append(got, tok[0])
				}
				if g := strings.Join(got, " "); g != tc.want {
					t.Errorf("got %q, want %q", g, tc.want)
				}
				return
			}
			t.Errorf("no %q rendering in %v", tc.scheme, n.Name(tc.in, tc.kind))
		})
	}
}

func TestSkeleton(t *testing.T) {
	same := [][]string{
		{"mohammed", "muhammad", "mohamed", "mhmd"},
		{"sergei", "sergey"},
		{"yuri", "juri", "iouri", "iurii"},
		{"sato", "satou", "satoh"},
		{"chan", "tsan", "chen"},
	}
	for _, group := range same {
		for _, s := range group[1:] {
			if Skeleton(s) != Skeleton(group[0]) {
				t.Errorf("Skeleton(%q) = %q, Skeleton(%q) = %q; want equal", s, Skeleton(s), group[0], Skeleton(group[0]))
			}
		}
	}
	if Skeleton("smith") == Skeleton("jones") {
		t.Error("smith and jones share a skeleton")
	}
}

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.961},
		{"dixon", "dicksonx", 0.813},
		{"abc", "abc", 1},
		{"abc", "xyz", 0},
		{"", "", 0},
	}
	for _, tc := range tests {
		if got := JaroWinkler(tc.a, tc.b); got < tc.want-0.001 || got > tc.want+0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.3f, want %.3f", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestJaroWinklerBitSets checks the bit-set matching of JaroWinkler
// against the plain one (jaroWinklerLong, which works for any length) on
// many pairs of short words over a small alphabet, where repeated letters
// and windows matter.
func TestJaroWinklerBitSets(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, 1+rng.IntN(20))
		for i := range b {
			b[i] = "abcdeAB0pq"[rng.IntN(10)] // 'A' shares a bit set with 'a', '0' with 'p'

		}
		return string(b)
	}
	for range 20000 {
		a, b := word(), word()
		if a == b {
			continue
		}
		x, y := a, b
		if len(x) > len(y) {
			x, y = y, x
		}
		if got, want := JaroWinkler(a, b), jaroWinklerLong(x, y); got != want {
			t.Fatalf("JaroWinkler(%q, %q) = %v, plain %v", a, b, got, want)
		}
	}
	long := strings.Repeat("abcdefghij", 8)
	if got, want := JaroWinkler(long, long[1:]+"x"), jaroWinklerLong(long[1:]+"x", long); got != want {
		t.Errorf("long strings: %v, want %v", got, want)
	}
}

func TestIdentifiers(t *testing.T) {
	if v, err := Phone("9123 4567", "HK"); err != nil || v != "+85291234567" {
		t.Errorf("Phone = %q, %v", v, err)
	}
	if v, err := Phone("0085291234567", ""); err != nil || v != "+85291234567" {
		t.Errorf("Phone with 00 = %q, %v", v, err)
	}
	if _, err := Phone("12", "HK"); err == nil {
		t.Error("Phone accepted 12")
	}
	if v, err := Email(" <Info@Example.COM> "); err != nil || v != "info@example.com" {
		t.Errorf("Email = %q, %v", v, err)
	}
	if _, err := Email("not-an-address"); err == nil {
		t.Error("Email accepted a non-address")
	}
	if v, err := Document("hk", "k0123-4567"); err != nil || v != "HK:K01234567" {
		t.Errorf("Document = %q, %v", v, err)
	}
	if _, err := Document("HK", "000000"); err == nil {
		t.Error("Document accepted a placeholder")
	}
	if v, err := Container("csqu 305438-3"); err != nil || v != "CSQU3054383" {
		t.Errorf("Container = %q, %v", v, err)
	}
	if _, err := Container("CSQU3054384"); err == nil {
		t.Error("Container accepted a bad check digit")
	}
	if v, err := IMO("IMO 9074729"); err != nil || v != "9074729" {
		t.Errorf("IMO = %q, %v", v, err)
	}
	if v, err := Flight("cx 0251"); err != nil || v != "CX251" {
		t.Errorf("Flight = %q, %v", v, err)
	}
}

// TestNameNeverEmptyTokens checks that characters without a reading in a
// scheme (here 㐃, which has a Cantonese but no Mandarin reading) give no
// empty tokens.
func TestNameNeverEmptyTokens(t *testing.T) {
	n := MustNew(t)
	for _, s := range []string{"㐃㐁", "陳㐃", "", "---", "A.", "株式会社"} {
		for _, r := range n.Name(s, Person) {
			for _, tok := range r.Tokens {
				if len(tok) == 0 || tok[0] == "" {
					t.Errorf("%q: empty token in %+v", s, r)
				}
			}
		}
	}
}

// TestThai checks the readings of Thai words: the syllable-closing reading
// first, the linking one when the script allows both, tone marks dropped
// and letters under the thanthakhat silent.
func TestThai(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"สมชาย", []string{"somchai", "samachai"}},
		{"สมศักดิ์", []string{"somsak", "samasak"}},
		{"สุรชัย", []string{"sunchai", "surachai"}},
		{"ธนากร", []string{"thanakra", "thanakon"}},
		{"ประเสริฐ", []string{"prasoet"}},
		{"แก้วมณี", []string{"kaeomani"}},
		{"ทองดี", []string{"thongdi", "thongadi"}},
		{"เชียงใหม่", []string{"chiangmai"}},
		{"ภูเก็ต", []string{"phuket"}},
		{"เจ้าพระยา", []string{"chaophraya"}},
		{"ทรัพย์", []string{"sap"}},
		{"เจริญ", []string{"charoen"}},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Thai(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Thai(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestASCIIWords checks that names in plain ASCII, which words splits
// without looking at scripts, come out as the general path splits them.
func TestASCIIWords(t *testing.T) {
	n, err := New()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	const chars = "abcxyz0189 .,-'&()/\\_\t@#"
	for range 20000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		s := string(b)
		if !plainASCII(s) {
			t.Fatalf("plainASCII(%q) = false", s)
		}
		got := asciiWords(s)
		want, scheme, cons := n.scriptWords(s)
		if scheme != "" || cons || !slices.EqualFunc(got, want, func(a, b word) bool {
			return a.text == b.text && a.han == nil && b.han == nil && len(a.alts) == 0 && len(b.alts) == 0
		}) {
			t.Fatalf("words of %q: %v, the general path %v (%q, %v)", s, got, want, scheme, cons)
		}
	}
	for _, s := range []string{"Abc", "müller", "陳"} {
		if plainASCII(s) {
			t.Fatalf("plainASCII(%q) = true", s)
		}
	}
}
