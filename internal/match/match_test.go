package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"liaison/internal/intel"
	"liaison/internal/match/norm"
)

// MustIndex returns an empty index with default options.
func MustIndex(tb testing.TB) *Index {
	tb.Helper()
	ix, err := New(Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// MustNormalizer returns a name normaliser.
func MustNormalizer(tb testing.TB) *norm.Normalizer {
	tb.Helper()
	nm, err := norm.New()
	if err != nil {
		tb.Fatal(err)
	}
	return nm
}

func seizure(parties ...intel.Party) *intel.Record {
	return &intel.Record{Kind: intel.KindSeizure, Seizure: &intel.Seizure{Date: "2026-10-14", Parties: parties}}
}

// TestHanNameMatchesHongKongRomanisation is the first case of issue 5's
// "done when": a person reported by China under a Han-character name
// matches the same person in a Hong Kong seizure spelled in Hong Kong
// romanisation.
func TestHanNameMatchesHongKongRomanisation(t *testing.T) {
	ix := MustIndex(t)
	cn := seizure(intel.Party{Type: "person", Name: "陳大文", BirthDate: "1975-03-02", Nationality: "HK"})
	cn.ID = "01CN0000000000000000000000"
	ix.AddRecord(cn)
	other := seizure(intel.Party{Type: "person", Name: "Chan Tai Ming", BirthDate: "1980-01-01", Nationality: "HK"})
	other.ID = "01XX0000000000000000000000"
	ix.AddRecord(other)

	hk := seizure(intel.Party{Type: "person", Role: "consignee", Name: "Chan Tai Man", BirthDate: "1975-03-02", Nationality: "HK"})
	hk.ID = "01HK0000000000000000000000"
	links := ix.MatchRecord(hk, 10, nil)
	if len(links) == 0 {
		t.Fatal("no match for Chan Tai Man")
	}
	best := links[0]
	if best.Record != cn.ID || best.Matched.Name != "陳大文" {
		t.Fatalf("best match %+v, want 陳大文 in %s", best, cn.ID)
	}
	if best.Score < Threshold {
		t.Errorf("score %.2f below threshold", best.Score)
	}
	joined := strings.Join(best.Reasons, "; ")
	for _, want := range []string{"Hong Kong romanisation", "same birth date 1975-03-02"} {
		if !strings.Contains(joined, want) {
			t.Errorf("reasons %q lack %q", joined, want)
		}
	}
	for _, l := range links {
		if l.Record == other.ID {
			t.Errorf("Chan Tai Ming born 1980 matched: %+v", l)
		}
	}
	t.Logf("%.2f %v", best.Score, best.Reasons)
}

// TestCyrillicCompanyMatchesLatin is the second case of issue 5's "done
// when": a Russian-registered company in Cyrillic matches its Latin
// spelling in a French report.
func TestCyrillicCompanyMatchesLatin(t *testing.T) {
	ix := MustIndex(t)
	ru := seizure(intel.Party{Type: "organisation", Name: "ООО «Северный Ветер»", Country: "RU"})
	ru.ID = "01RU0000000000000000000000"
	ix.AddRecord(ru)
	for _, name := range []string{"OOO Severny Veter", "Severnyy Veter LLC", "SEVERNYI VETER OOO"} {
		t.Run(name, func(t *testing.T) {
			fr := seizure(intel.Party{Type: "organisation", Name: name, Country: "RU"})
			fr.ID = "01FR0000000000000000000000"
			links := ix.MatchRecord(fr, 10, nil)
			if len(links) == 0 || links[0].Record != ru.ID {
				t.Fatalf("links %+v, want %s", links, ru.ID)
			}
			if !strings.Contains(strings.Join(links[0].Reasons, " "), "ICAO 9303") {
				t.Errorf("reasons %v do not name the transliteration", links[0].Reasons)
			}
			t.Logf("%.2f %v", links[0].Score, links[0].Reasons)
		})
	}
}

func TestIndexIdentifiersRemoveVisibility(t *testing.T) {
	ix := MustIndex(t)
	a := seizure(intel.Party{Type: "person", Name: "Ivan Petrov", Phones: []string{"+7 912 345 67 89"}})
	a.ID = "A"
	a.Seizure.Containers = []string{"CSQU3054383"}
	b := seizure(intel.Party{Type: "person", Name: "Someone Else", Phones: []string{"8 912 345-67-89"}, Nationality: "RU"})
	b.ID = "B"
	b.Seizure.Containers = []string{"csqu 305438 3"}
	ix.AddRecord(a)
	ix.AddRecord(b)

	res := ix.Search(Query{Type: Container, Name: "CSQU3054383"}, nil)
	if len(res) != 2 {
		t.Fatalf("container search: %d results, want 2", len(res))
	}
	links := ix.MatchRecord(b, 10, nil)
	var phone, container bool
	for _, l := range links {
		if l.Record != "A" {
			t.Errorf("link to %s", l.Record)
		}
		phone = phone || l.Entity.Type == Phone
		container = container || l.Entity.Type == Container
	}
	if !phone || !container {
		t.Errorf("links %+v: want the phone (national format read as RU) and the container", links)
	}
	if got := ix.MatchRecord(b, 10, func(id string) bool { return id != "A" }); len(got) != 0 {
		t.Errorf("invisible record reported: %+v", got)
	}
	ix.Remove("A")
	if got := ix.MatchRecord(b, 10, nil); len(got) != 0 {
		t.Errorf("removed record still matches: %+v", got)
	}
	if n := ix.Len(); n != 3 {
		t.Errorf("Len = %d, want 3 (B's person, phone, container)", n)
	}
}

func TestOvercorrelationAndExclude(t *testing.T) {
	ix, err := New(Options{MaxShared: 5})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		r := seizure(intel.Party{Type: "person", Name: fmt.Sprintf("Person %c", 'A'+i), Document: &intel.Document{Type: "passport", Number: "X1234567", Country: "HK"}, Phones: []string{"+85291234567"}})
		r.ID = fmt.Sprintf("R%d", i)
		ix.AddRecord(r)
	}
	over := ix.Overcorrelated()
	found := false
	for _, o := range over {
		if o.Type == Document && o.Value == "HK:X1234567" {
			found = true
			if o.Records != 8 {
				t.Errorf("document shared by %d records, want 8", o.Records)
			}
		}
	}
	if !found {
		t.Fatalf("overcorrelated %+v lacks the shared passport", over)
	}
	if err := ix.Exclude(Phone, "+852 9123 4567"); err != nil {
		t.Fatal(err)
	}
	if res := ix.Search(Query{Type: Phone, Name: "+85291234567"}, nil); len(res) != 0 {
		t.Errorf("excluded phone still found: %+v", res)
	}
	if ex := ix.Excluded(); len(ex) != 1 || ex[0].Value != "+85291234567" {
		t.Errorf("Excluded = %+v", ex)
	}
	if err := ix.Exclude(Container, "nonsense"); err == nil {
		t.Error("Exclude accepted an invalid container")
	}
}

func TestSearchReordersAndTolerates(t *testing.T) {
	ix := MustIndex(t)
	for i, name := range []string{"Chen Da Wen", "Maria Fernanda Lopez Garcia", "Mohammed Al-Hassan"} {
		r := seizure(intel.Party{Type: "person", Name: name})
		r.ID = fmt.Sprintf("R%d", i)
		ix.AddRecord(r)
	}
	tests := []struct{ q, want string }{
		{"Dawen Chen", "R0"}, {"Chendawen", "R0"}, {"陈大文", "R0"},
		{"Maria Lopez", "R1"}, {"LOPEZ GARCIA, Maria", "R1"},
		{"محمد الحسن", "R2"}, {"Muhammad Alhassan", "R2"},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			res := ix.Search(Query{Name: tc.q, Type: Person, MinScore: 0.5}, nil)
			if len(res) == 0 || res[0].Record != tc.want {
				t.Fatalf("Search(%q) = %+v, want %s first", tc.q, res, tc.want)
			}
		})
	}
}

func TestNameOvercorrelationAndExclude(t *testing.T) {
	ix, err := New(Options{MaxShared: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		r := seizure(intel.Party{Type: "person", Name: "UNKNOWN"})
		r.ID = fmt.Sprintf("U%d", i)
		ix.AddRecord(r)
	}
	r := seizure(intel.Party{Type: "person", Name: "Wong Ka Fai"})
	r.ID = "W"
	ix.AddRecord(r)
	var listed bool
	for _, o := range ix.Overcorrelated() {
		listed = listed || o.Type == Person && o.Value == "UNKNOWN"
	}
	if !listed {
		t.Errorf("Overcorrelated() = %+v, want the name UNKNOWN", ix.Overcorrelated())
	}
	if res := ix.Search(Query{Name: "Unknown", Type: Person, MinScore: 0.1}, nil); len(res) != 0 {
		t.Errorf("over-correlated name still links: %+v", res)
	}
	if res := ix.Search(Query{Name: "Wong Ka Fai", Type: Person}, nil); len(res) != 1 {
		t.Fatalf("Wong Ka Fai: %+v", res)
	}
	if err := ix.Exclude(Person, "WONG Ka-fai"); err != nil {
		t.Fatal(err)
	}
	if res := ix.Search(Query{Name: "Wong Ka Fai", Type: Person}, nil); len(res) != 0 {
		t.Errorf("excluded name still links: %+v", res)
	}
}

func TestIngestLinks(t *testing.T) {
	ix := MustIndex(t)
	cn := seizure(intel.Party{Type: "person", Name: "陳大文", BirthDate: "1975-03-02"})
	cn.ID = "CN1"
	if links := ix.Ingest(cn, 10); len(links) != 0 {
		t.Fatalf("first record linked to %+v", links)
	}
	hk := seizure(intel.Party{Type: "person", Name: "CHAN Tai-man", BirthDate: "1975-03-02"})
	hk.ID = "HK1"
	links := ix.Ingest(hk, 10)
	if len(links) != 1 || links[0].Record != "CN1" || links[0].Matched.Name != "陳大文" {
		t.Fatalf("links %+v, want one to CN1", links)
	}
	if ix.Len() != 2 {
		t.Errorf("Len = %d, want 2", ix.Len())
	}
}

// TestConcurrentUse runs queries while records are added and removed; run
// it with -race.
func TestConcurrentUse(t *testing.T) {
	ix := MustIndex(t)
	names := []string{"Chan Tai Man", "陳大文", "Ivan Petrov", "Иван Петров", "Golden Harvest Trading Co., Ltd."}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				r := seizure(intel.Party{Type: "person", Name: names[i%len(names)]})
				r.ID = fmt.Sprintf("W%dR%d", w, i)
				ix.Ingest(r, 5)
				if i%3 == 0 {
					ix.Remove(fmt.Sprintf("W%dR%d", w, i-1))
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				ix.Search(Query{Name: names[i%len(names)], Limit: 3}, nil)
			}
		}()
	}
	wg.Wait()
	if res := ix.Search(Query{Name: "Chan Tai Man", Type: Person}, nil); len(res) == 0 {
		t.Error("nothing found after concurrent use")
	}
}

// TestLookupDoesNotAllocate checks that Lookup of a value held by one
// record and of a value held by two appends to the caller's buffer without
// allocating.
func TestLookupDoesNotAllocate(t *testing.T) {
	ix := MustIndex(t)
	ix.Add("R1", []Entity{{Type: Container, Path: "seizure.containers[0]", Value: "CSQU3054383"}, {Type: Phone, Path: "p", Value: "+85291234567"}})
	ix.Add("R2", []Entity{{Type: Phone, Path: "p", Value: "+85291234567"}})
	buf := make([]string, 0, 4)
	tests := []struct {
		t     Type
		value string
		want  []string
	}{
		{Container, "CSQU3054383", []string{"R1"}},
		{Phone, "+85291234567", []string{"R1", "R2"}},
		{Phone, "+85200000000", nil},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			if got := ix.Lookup(tc.t, tc.value, nil, buf[:0]); !slices.Equal(got, tc.want) {
				t.Fatalf("Lookup = %v, want %v", got, tc.want)
			}
			if n := testing.AllocsPerRun(100, func() { buf = ix.Lookup(tc.t, tc.value, nil, buf[:0]) }); n != 0 {
				t.Errorf("Lookup allocates %.0f times", n)
			}
		})
	}
	ix.Remove("R1")
	if got := ix.Lookup(Phone, "+85291234567", nil, buf[:0]); !slices.Equal(got, []string{"R2"}) {
		t.Errorf("after removing R1: Lookup = %v, want [R2]", got)
	}
}

// TestValuesTable checks the identifier table against a map under random
// adds, removals and drops, with hashes that collide in their home slot so
// that probing and backward-shift deletion are exercised.
func TestValuesTable(t *testing.T) {
	v := newValues(nil)
	want := map[uint64][]uint32{}
	rng := rand.New(rand.NewPCG(1, 2))
	recOf := func(id uint32) strRef { return strRef{pos: id, n: 1} }
	for step := range 50000 {
		h := uint64(1+rng.IntN(3000)) | uint64(rng.IntN(4))<<32 // few home slots; 0 is not a hash maphash gives
		switch op := rng.IntN(10); {
		case op < 6:
			id := uint32(step)
			v.add(h, id, recOf(id))
			want[h] = append(want[h], id)
		case op < 9 && len(want[h]) > 0:
			l := want[h]
			id := l[rng.IntN(len(l))]
			v.remove(h, id, recOf)
			want[h] = slices.DeleteFunc(l, func(x uint32) bool { return x == id })
			if len(want[h]) == 0 {
				delete(want, h)
			}
		case op == 9:
			v.drop(h)
			delete(want, h)
		}
	}
	if v.n != len(want) {
		t.Fatalf("table holds %d keys, want %d", v.n, len(want))
	}
	for h, l := range want {
		if got := v.get(h); !slices.Equal(got, l) {
			t.Fatalf("key %x: %v, want %v", h, got, l)
		}
		rec, many, ok := v.one(h)
		if !ok || rec != recOf(l[0]) || many != (len(l) > 1) {
			t.Fatalf("key %x: one = %v %v %v, want %v %v", h, rec, many, ok, recOf(l[0]), len(l) > 1)
		}
	}
	for h := uint64(1); h <= 3000; h++ {
		if _, ok := want[h]; !ok && v.get(h) != nil {
			t.Fatalf("key %x: removed but found", h)
		}
	}
}

// TestIngestBatchLinksWithinBatch checks that IngestBatch indexes every
// record and links each record to the others of the index, the batch's
// included, with one list of links per record in order.
func TestIngestBatchLinksWithinBatch(t *testing.T) {
	ix := MustIndex(t)
	old := seizure(intel.Party{Type: "person", Name: "Chen Dawen", BirthDate: "1975-03-02"})
	old.ID = "OLD"
	ix.AddRecord(old)
	cn := seizure(intel.Party{Type: "person", Name: "陳大文", BirthDate: "1975-03-02"})
	cn.ID = "CN1"
	hk := seizure(intel.Party{Type: "person", Name: "CHAN Tai-man", BirthDate: "1975-03-02"})
	hk.ID = "HK1"
	fr := seizure(intel.Party{Type: "person", Name: "Jean-Pierre Laurent", BirthDate: "1960-01-01"})
	fr.ID = "FR1"
	out := ix.IngestBatch([]*intel.Record{cn, hk, fr}, 10)
	if len(out) != 3 {
		t.Fatalf("IngestBatch returned %d lists, want 3", len(out))
	}
	tests := []struct {
		record string
		links  []Link
		want   []string
	}{
		{"CN1", out[0], []string{"HK1", "OLD"}},
		{"HK1", out[1], []string{"CN1"}},
		{"FR1", out[2], nil},
	}
	for _, tc := range tests {
		t.Run(tc.record, func(t *testing.T) {
			var got []string
			for _, l := range tc.links {
				got = append(got, l.Record)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("links to %v, want %v", got, tc.want)
			}
		})
	}
	if ix.Len() != 4 {
		t.Errorf("Len = %d, want 4", ix.Len())
	}
}

// TestAddRecordsAsAddRecord checks that AddRecords indexes as AddRecord
// does, a record given twice keeping its last version.
func TestAddRecordsAsAddRecord(t *testing.T) {
	rec := func(id, name, container string) *intel.Record {
		r := seizure(intel.Party{Type: "organisation", Name: name, Country: "HK"})
		r.ID = id
		r.Seizure.Containers = []string{container}
		return r
	}
	rs := []*intel.Record{
		rec("R1", "金豐貿易有限公司", "CSQU3054383"),
		rec("R2", "Kam Fung Trading Limited", "MSKU1234565"),
		rec("R1", "Golden Harvest Trading Co., Ltd.", "CSQU3054383"),
	}
	one, batch := MustIndex(t), MustIndex(t)
	for _, r := range rs {
		one.AddRecord(r)
	}
	batch.AddRecords(rs)
	if one.Len() != batch.Len() {
		t.Fatalf("Len: AddRecord %d, AddRecords %d", one.Len(), batch.Len())
	}
	for _, q := range []Query{{Name: "Kam Fung Trading", Type: Organisation}, {Name: "Golden Harvest Trading", Type: Organisation}, {Name: "CSQU 305438-3", Type: Container}} {
		t.Run(q.Name, func(t *testing.T) {
			a, b := one.Search(q, nil), batch.Search(q, nil)
			if len(a) == 0 || len(a) != len(b) {
				t.Fatalf("AddRecord found %d, AddRecords %d", len(a), len(b))
			}
			for i := range a {
				if a[i].Record != b[i].Record || a[i].Score != b[i].Score {
					t.Errorf("result %d: AddRecord %s %.2f, AddRecords %s %.2f", i, a[i].Record, a[i].Score, b[i].Record, b[i].Score)
				}
			}
		})
	}
}

// TestHanQueryFindsLatinAmongHanNames checks that a company name in Han
// characters finds its pinyin spelling when many names in Han characters
// share most of its characters (and so share keys with it in all three of
// its renderings), with few candidates scored.
func TestHanQueryFindsLatinAmongHanNames(t *testing.T) {
	ix, err := New(Options{Candidates: 4})
	if err != nil {
		t.Fatal(err)
	}
	latin := seizure(intel.Party{Type: "organisation", Name: "Shenzhen Jinqiao Technology Co., Ltd.", Country: "CN"})
	latin.ID = "LATIN"
	ix.AddRecord(latin)
	cities := []rune("宁广厦汕东佛珠惠中江湛茂肇清韶梅河潮揭云阳汉杭苏无常徐南温嘉湖绍金衢舟台丽合芜蚌淮马铜安")
	for i, c := range cities {
		r := seizure(intel.Party{Type: "organisation", Name: string(c) + "波市金桥科技有限公司", Country: "CN"})
		r.ID = fmt.Sprintf("HAN%02d", i)
		ix.AddRecord(r)
	}
	res := ix.Search(Query{Name: "深圳市金桥科技有限公司", Type: Organisation, Country: "CN", Limit: 5, MinScore: 0.01}, nil)
	for _, r := range res {
		if r.Record == "LATIN" {
			return
		}
	}
	t.Errorf("Shenzhen Jinqiao Technology not among %+v", res)
}

// TestIngestBatchSameRecordTwice checks that a record given twice in one
// batch keeps its last version and only that version is linked.
func TestIngestBatchSameRecordTwice(t *testing.T) {
	ix := MustIndex(t)
	old := seizure(intel.Party{Type: "person", Name: "Jean-Pierre Laurent", BirthDate: "1960-01-01"})
	old.ID = "OLD"
	ix.AddRecord(old)
	first := seizure(intel.Party{Type: "person", Name: "Jean-Pierre Laurent", BirthDate: "1960-01-01"})
	first.ID = "R1"
	second := seizure(intel.Party{Type: "person", Name: "Maria Schmidt", BirthDate: "1970-05-05"})
	second.ID = "R1"
	out := ix.IngestBatch([]*intel.Record{first, second}, 10)
	if out[0] != nil {
		t.Errorf("the replaced version got links %+v", out[0])
	}
	if len(out[1]) != 0 {
		t.Errorf("the last version (Maria Schmidt) got links %+v", out[1])
	}
	if res := ix.Search(Query{Name: "Jean-Pierre Laurent", Type: Person}, nil); len(res) != 1 || res[0].Record != "OLD" {
		t.Errorf("Jean-Pierre Laurent found in %+v, want OLD only", res)
	}
}

// TestCompactKeepsResults checks that Compact changes no result and that
// the index can grow after it.
func TestCompactKeepsResults(t *testing.T) {
	ix, err := New(Options{MaxShared: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		r := seizure(intel.Party{Type: "person", Name: fmt.Sprintf("Chan Tai Man %c", 'a'+rune(i%26)), BirthDate: "1975-03-02"})
		r.ID = fmt.Sprintf("R%03d", i)
		r.Seizure.Containers = []string{"CSQU3054383"}
		ix.AddRecord(r)
	}
	ix.Remove("R007")
	queries := []Query{{Name: "Chan Tai Man", Type: Person, Limit: 50, MinScore: 0.5}, {Name: "CSQU3054383", Type: Container, Limit: 500}}
	before := make([][]Result, len(queries))
	for i, q := range queries {
		before[i] = ix.Search(q, nil)
	}
	ix.Compact()
	for i, q := range queries {
		t.Run(q.Name, func(t *testing.T) {
			after := ix.Search(q, nil)
			if len(after) != len(before[i]) || len(after) == 0 {
				t.Fatalf("%d results after Compact, %d before", len(after), len(before[i]))
			}
			for j := range after {
				if after[j].Record != before[i][j].Record || after[j].Score != before[i][j].Score {
					t.Errorf("result %d: %s %.2f after, %s %.2f before", j, after[j].Record, after[j].Score, before[i][j].Record, before[i][j].Score)
				}
			}
		})
	}
	r := seizure(intel.Party{Type: "person", Name: "Chan Tai Man", BirthDate: "1975-03-02"})
	r.ID = "NEW"
	r.Seizure.Containers = []string{"CSQU3054383"}
	ix.AddRecord(r)
	if got := ix.Lookup(Container, "CSQU3054383", nil, nil); len(got) != 300 {
		t.Errorf("after adding to a compacted index: %d records hold the container, want 300", len(got))
	}
}

// TestKanjiNameMatchesJapaneseSpelling checks that a Japanese person
// written in kanji is found under the Latin spelling of the name, and the
// other way round, with the reason naming the reading.
func TestKanjiNameMatchesJapaneseSpelling(t *testing.T) {
	ix := MustIndex(t)
	for i, p := range []intel.Party{
		{Type: "person", Name: "佐藤太郎", Nationality: "JP"},
		{Type: "person", Name: "Naoko Kobayashi", Nationality: "JP"},
		{Type: "person", Name: "陳大文", Nationality: "HK"},
		{Type: "organisation", Name: "株式会社新栄貿易", Country: "JP"},
	} {
		r := seizure(p)
		r.ID = fmt.Sprintf("R%d", i)
		ix.AddRecord(r)
	}
	tests := []struct {
		q    Query
		want string
	}{
		{Query{Name: "Taro Sato", Type: Person, Country: "JP"}, "R0"},
		{Query{Name: "SATOH Taro", Type: Person}, "R0"},
		{Query{Name: "サトウ タロウ", Type: Person}, "R0"},
		{Query{Name: "小林直子", Type: Person, Country: "JP"}, "R1"},
		{Query{Name: "Shinei Boeki Co., Ltd.", Type: Organisation, Country: "JP"}, "R3"},
		{Query{Name: "Shinei Trading K.K.", Type: Organisation}, "R3"},
	}
	for _, tc := range tests {
		t.Run(tc.q.Name, func(t *testing.T) {
			res := ix.Search(tc.q, nil)
			if len(res) == 0 || res[0].Record != tc.want {
				t.Fatalf("Search(%+v) = %+v, want %s first", tc.q, res, tc.want)
			}
		})
	}
	// A Chinese person's name is not read in Japanese: whatever a
	// Japanese reading of 陳大文 (chin daibun) finds, it is not by that
	// reading.
	for _, r := range ix.Search(Query{Name: "Chin Daibun", Type: Person, MinScore: 0.01}, nil) {
		if strings.Contains(strings.Join(r.Reasons, " "), "Japanese") {
			t.Errorf("Search(Chin Daibun) found %+v by a Japanese reading", r)
		}
	}
	res := ix.Search(Query{Name: "Taro Sato", Type: Person}, nil)
	if len(res) == 0 || !strings.Contains(res[0].Reasons[0], "kanji read in Japanese") {
		t.Errorf("reasons %+v, want the Japanese reading named", res)
	}
}

// TestJWBound checks that jwBound is never below the Jaro-Winkler
// similarity it bounds, so that comparisons it saves change nothing.
func TestJWBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	word := func() string {
		b := make([]byte, 1+rng.IntN(14))
		for i := range b {
			b[i] = "aeiknst"[rng.IntN(7)]
		}
		return string(b)
	}
	for range 50000 {
		x, y := word(), word()
		if b, s := jwBound(x, y), norm.JaroWinkler(x, y); b < s {
			t.Fatalf("jwBound(%q, %q) = %v below the similarity %v", x, y, b, s)
		}
	}
}

// TestTypingSlipAmongManyAlike checks that a name misspelt in its
// distinctive word is found among many names that share its other words:
// the keys of the word without the slip single it out.
func TestTypingSlipAmongManyAlike(t *testing.T) {
	ix, err := New(Options{Candidates: 8})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	const cons, vows = "bdfgklmnprstvz", "aeiou"
	for i := range 400 {
		w := []byte{cons[rng.IntN(len(cons))] &^ 0x20, vows[rng.IntN(5)], cons[rng.IntN(len(cons))], vows[rng.IntN(5)]}
		r := seizure(intel.Party{Type: "organisation", Name: string(w) + " Hengsheng E-commerce Co., Ltd.", Country: "CN"})
		r.ID = fmt.Sprintf("D%03d", i)
		ix.AddRecord(r)
	}
	r := seizure(intel.Party{Type: "organisation", Name: "Xiamen Hengsheng E-commerce Co., Ltd.", Country: "CN"})
	r.ID = "TARGET"
	ix.AddRecord(r)
	res := ix.Search(Query{Name: "Xiaen Hengsheng E-commerce Co., Ltd.", Type: Organisation, Country: "CN"}, nil)
	if len(res) == 0 || res[0].Record != "TARGET" {
		t.Fatalf("Search(Xiaen …) = %+v, want TARGET first", res)
	}
}

// TestTypingSlipKeysIndependentOfSeed checks that which of a misspelt
// name's alike names a query reads within its budget does not depend on
// the index's random hash seed: indexes of the same records, each with a
// seed of its own, answer the same. The budget reads four of the twelve
// names one consonant away from the query's first word.
func TestTypingSlipKeysIndependentOfSeed(t *testing.T) {
	var want []Result
	for run := range 12 {
		ix, err := New(Options{Candidates: 2, Budget: 4})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range "bdfgklmnprst" {
			r := seizure(intel.Party{Type: "organisation", Name: "Xia" + string(c) + "en Hengsheng E-commerce Co., Ltd.", Country: "CN"})
			r.ID = fmt.Sprintf("D%02d", i)
			ix.AddRecord(r)
		}
		got := ix.Search(Query{Name: "Xiaen Hengsheng E-commerce Co., Ltd.", Type: Organisation, Country: "CN", MinScore: 0.01}, nil)
		if len(got) == 0 {
			t.Fatal("Search(Xiaen …) found nothing")
		}
		if run == 0 {
			want = got
			continue
		}
		if len(got) != len(want) {
			t.Fatalf("index %d: %d results, index 0: %d", run, len(got), len(want))
		}
		for i := range got {
			if got[i].Record != want[i].Record || got[i].Score != want[i].Score {
				t.Fatalf("index %d: result %d is %s (%.2f), index 0: %s (%.2f)", run, i, got[i].Record, got[i].Score, want[i].Record, want[i].Score)
			}
		}
	}
}

// TestPrepareFromNameCache checks that a name prepared again, its tokens'
// ids and keys taken from the name cache, gets exactly what working them
// out gives, for every named type and for names in several scripts.
func TestPrepareFromNameCache(t *testing.T) {
	ix := MustIndex(t)
	es := []Entity{
		{Type: Person, Path: "seizure.parties[0]", Name: "陳大文", Nationality: "HK"},
		{Type: Person, Path: "seizure.parties[1]", Name: "Chan Tai Man", BirthDate: "1970-01-02"},
		{Type: Person, Path: "seizure.parties[2]", Name: "Иванов Сергей Петрович", Nationality: "RU"},
		{Type: Person, Path: "seizure.parties[3]", Name: "佐藤太郎", Nationality: "JP"},
		{Type: Organisation, Path: "seizure.parties[4]", Name: "ООО Северный Путь", Country: "RU"},
		{Type: Organisation, Path: "seizure.parties[5]", Name: "Ocean Star Trading Co., Ltd."},
		{Type: Vessel, Path: "seizure.conveyance", Name: "Ocean Star", Value: "IMO9074729"},
		{Type: Container, Path: "seizure.containers[0]", Value: "MSCU1234566"},
	}
	// Indexed once, every token has an id; then the first prepare works
	// the ids and keys out, the second (the name has come before) leaves
	// them in the cache, and the third takes them from there.
	ix.Add("R1", es)
	fresh := func() prepared {
		ix.names = newNameCache(1 << 16)
		return ix.prepare(es)
	}
	want := fresh()
	for _, rs := range want.names {
		for _, r := range rs {
			for _, tk := range r.Tokens {
				if ix.vocabOf(tk) == noID {
					t.Fatalf("token %v has no id after the record was added", tk)
				}
			}
		}
	}
	for round := range 3 {
		got := ix.prepare(es)
		if !slices.Equal(got.toks, want.toks) {
			t.Errorf("round %d: token ids %v, want %v", round, got.toks, want.toks)
		}
		if !slices.Equal(got.keys, want.keys) || !slices.Equal(got.kend, want.kend) {
			t.Errorf("round %d: keys differ from those worked out (%d against %d)", round, len(got.keys), len(want.keys))
		}
	}
	hits := 0
	for i := range es {
		if !es[i].Type.named() {
			continue
		}
		if _, d, _ := ix.names.derived(ix.nm, es[i].Name, entityKind(&es[i])); d != nil {
			hits++
		}
	}
	if hits != 7 {
		t.Errorf("%d names have their ids and keys in the cache, want 7", hits)
	}
}
