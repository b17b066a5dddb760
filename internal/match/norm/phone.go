package norm

import (
	"regexp"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Most numbers in reports are written already in E.164 ("+85291234567").
// Parsing such a number with the phone library runs its extension,
// viability and punctuation patterns over the text, which is most of the
// cost of extracting a record's entities; yet for a plus sign followed by
// digits alone those patterns cannot change anything. e164 takes that
// shape apart by the same steps the library takes once the text is
// reduced to digits (the country calling code, then the national prefix
// of that country), with the library's own metadata, and gives up
// whenever a step would do more than pass the number through: a country
// code the library does not know, a national number starting with 0 (the
// leading zeros Italy keeps), a national number that begins with the
// country's national prefix (which the library may strip), a length out
// of range or a number that is not possible (which the library decides by
// the country code and the length alone, so e164 asks it once for each
// length of each code). Phone then asks the library,
// so the result is the library's in every case (TestPhoneFastPath
// compares the two on many numbers).

// phoneMeta is what e164 needs of a country calling code: the pattern
// that finds the national prefix at the start of a national number, nil
// when the library would strip none.
type phoneMeta struct {
	prefix *regexp.Regexp
	// possible has bit n set when the library takes a national number of
	// n digits, the first not 0, for a possible number of the code: it
	// looks at nothing else of such a number than its code and length.
	possible uint32
}

var phoneTable = sync.OnceValue(func() map[int]phoneMeta {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	byRegion := map[string]*phonenumbers.PhoneMetadata{}
	nonGeo := map[int]*phonenumbers.PhoneMetadata{}
	for _, m := range coll.GetMetadata() {
		if m.GetId() == "001" {
			nonGeo[int(m.GetCountryCode())] = m
		} else {
			byRegion[m.GetId()] = m
		}
	}
	regions := phonenumbers.GetSupportedRegions()
	out := map[int]phoneMeta{}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		region := phonenumbers.GetRegionCodeForCountryCode(cc)
		var m *phonenumbers.PhoneMetadata
		switch {
		case region == "001":
			m = nonGeo[cc]
		case regions[region]:
			m = byRegion[region]
		}
		var pm phoneMeta
		if p := m.GetNationalPrefixForParsing(); m != nil && p != "" {
			re, err := regexp.Compile("^(?:" + p + ")")
			if err != nil {
				// Not a pattern this path can apply: leave the
				// country to the library.
				continue
			}
			pm.prefix = re
		}
		cc32 := int32(cc)
		for n, v := 1, uint64(1); n <= 17; n, v = n+1, v*10 {
			if phonenumbers.IsPossibleNumber(&phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &v}) {
				pm.possible |= 1 << n
			}
		}
		out[cc] = pm
	}
	return out
})

// e164 returns s, a trimmed number, when it is "+" and digits that the
// library would read as the same E.164 number, and false when the library
// must decide.
func e164(s string) (string, bool) {
	const maxDigits = 3 + 17 // country code and the longest national number
	if len(s) < 4 || len(s) > 1+maxDigits || s[0] != '+' || s[1] == '0' {
		return "", false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	table := phoneTable()
	d := s[1:]
	cc, nat := 0, ""
	var meta phoneMeta
	for i := 1; i <= 3 && i <= len(d); i++ {
		cc = cc*10 + int(d[i-1]-'0')
		if m, ok := table[cc]; ok {
			meta, nat = m, d[i:]
			break
		}
	}
	if len(nat) < 2 || len(nat) > 17 || nat[0] == '0' {
		return "", false
	}
	if meta.prefix != nil && meta.prefix.MatchString(nat) {
		return "", false
	}
	if meta.possible&(1<<len(nat)) == 0 {
		return "", false
	}
	return s, true
}
