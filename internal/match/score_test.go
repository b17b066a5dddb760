package match

import (
	"strconv"
	"testing"
)

// TestEvidenceBound checks that the evidence bounded from what the index
// keeps beside an entity is never below the evidence weighed from its
// fields, and equals it when the fields are a full birth date and codes
// of two letters.
func TestEvidenceBound(t *testing.T) {
	births := []string{"", "1980-05-17", "1980-11-02", "1975-05-17", "1980", "1980-05", "17/05/1980", "abcd-ef-gh"}
	codes := []string{"", "CN", "cn", "Cn", "HK", "hk", "CHN", "C", "Σ", "σ", "Σσ", "@`", "`@", "K", "\u212a", "C1"}
	exactBirth := func(s string) bool { return s == "" || packDate(s) != 0 }
	// A code is weighed exactly when the query states none or both are
	// two letters.
	exactCode := func(q, c string) bool { return q == "" || letters2(code2(q)) && letters2(code2(c)) }
	exactAll := func(q, c Entity) bool {
		return exactBirth(q.BirthDate) && exactBirth(c.BirthDate) && exactCode(q.Nationality, c.Nationality) && (q.Type == Person || exactCode(q.Country, c.Country))
	}
	checked, exact := 0, 0
	for _, typ := range []Type{Person, Organisation, Vessel} {
		for _, qb := range births {
			for _, cb := range births {
				for _, qn := range codes {
					for _, cn := range codes {
						for _, qc := range []string{"", "CN", "hk", "Σ"} {
							for _, cc := range []string{"", "cn", "HK", "σ", "CHN"} {
								q := Entity{Type: typ, BirthDate: qb, Nationality: qn, Country: qc}
								c := Entity{Type: typ, BirthDate: cb, Nationality: cn, Country: cc}
								en := ent{birth: packDate(cb), nat: code2(cn), ctry: code2(cc)}
								got, without := evidenceBound(&q, &en, 1)
								want := evidenceScore(&q, &c, 1)
								if got < want || without != got {
									t.Fatalf("%+v against %+v: bound %v (%v before identifiers) below the evidence %v", q, c, got, without, want)
								}
								checked++
								for _, ns := range []float64{0.43, 0.7, 0.777, 0.78, 0.8123, 0.95} {
									if got, want := evidenceBound(&q, &en, ns); got < evidenceScore(&q, &c, ns) || exactAll(q, c) && got != evidenceScore(&q, &c, ns) {
										t.Fatalf("%+v against %+v, names scoring %v: bound %v, evidence %v", q, c, ns, got, want)
									}
								}
								// Identifiers the index does not keep beside the entity:
								// the same, different ones of one issuer, of another.
								for _, ids := range [][6]string{
									{"CN:E1", "CN:E1", "", "", "", ""},
									{"CN:E1", "CN:E2", "", "", "", ""},
									{"", "", "HK:1", "HK:1", "", ""},
									{"", "", "HK:1", "US:1", "", ""},
									{"CN:E1", "", "HK:1", "HK:2", "9074729", "9074729"},
									{"CN:E1", "CN:E1", "HK:1", "HK:1", "9074729", "9176187"},
									{"", "", "", "", "9074729", ""},
								} {
									qi, ci := q, c
									qi.Document, ci.Document, qi.Registration, ci.Registration, qi.Value, ci.Value = ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
									got, without := evidenceBound(&qi, &en, 1)
									if want := evidenceScore(&qi, &ci, 1); got < want || without > got {
										t.Fatalf("%+v against %+v: bound %v below the evidence %v", qi, ci, got, want)
									}
									checked++
								}
								// Fields the index keeps whole: the bound is the evidence.
								if exactAll(q, c) {
									if got != want {
										t.Fatalf("%+v against %+v: bound %v, evidence %v", q, c, got, want)
									}
									exact++
								}
							}
						}
					}
				}
			}
		}
	}
	if exact == 0 || exact == checked {
		t.Fatalf("%d of %d pairs exact: the table does not tell", exact, checked)
	}
}

// TestAppendQuote checks the quoting of names in reasons against
// strconv.Quote, for every byte alone and within names.
func TestAppendQuote(t *testing.T) {
	var names []string
	for c := range 256 {
		names = append(names, string([]byte{byte(c)}), "Chan "+string([]byte{byte(c)})+" Tai Man")
	}
	names = append(names, "", "Chan Tai Man", "陈大文", "Ivanov Сергей", "O'Brien \"Jack\"", `back\slash`, "tab\there", "\xff\xfe")
	for _, s := range names {
		if got, want := string(appendQuote([]byte("x"), s)), "x"+strconv.Quote(s); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	}
}
