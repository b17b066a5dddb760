package norm

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestPhoneFastPath checks that Phone gives what the phone library alone
// gives, number for number and error for error, on numbers of every
// country calling code the library knows: national numbers of every length
// from 1 to 19 digits starting with every digit (so with and without each
// country's national prefix and Italian leading zeros), each region's
// example numbers of every type, unknown and short codes, and the same
// numbers written with spaces or with 00 for the plus. It also checks
// that the fast path takes most numbers already in E.164, or it would
// not be worth having.
func TestPhoneFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	var inputs []string
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		c := strconv.Itoa(cc)
		for n := 1; n <= 19; n++ {
			for first := 0; first < 10; first++ {
				inputs = append(inputs, "+"+c+strconv.Itoa(first)+digits(n-1))
			}
		}
	}
	var examples []string
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE, phonenumbers.TOLL_FREE,
			phonenumbers.VOIP, phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.PREMIUM_RATE, phonenumbers.PERSONAL_NUMBER} {
			if num := phonenumbers.GetExampleNumberForType(region, typ); num != nil {
				examples = append(examples, phonenumbers.Format(num, phonenumbers.E164))
			}
		}
	}
	for _, cc := range []string{"0", "00", "999", "998", "888", "42", "1", "7", "86"} {
		for n := 0; n <= 20; n++ {
			inputs = append(inputs, "+"+cc+digits(n))
		}
	}
	inputs = append(inputs, "+", "+1", "+12", "+123", "++85291234567", "+852 9123 4567", "+85291234567x12", "+852-9123-4567")
	if len(examples) < 500 || len(inputs) < 40000 {
		t.Fatalf("%d inputs, %d example numbers: too few to tell", len(inputs), len(examples))
	}
	// library is Phone by the library alone.
	library := func(s, region string) (string, error) {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "00") {
			s = "+" + s[2:]
		}
		return phoneByLibrary(s, region)
	}
	fast, fastExamples := 0, 0
	for i, s := range append(examples, inputs...) {
		want, wantErr := library(s, "")
		if v, ok := e164(s); ok {
			fast++
			if i < len(examples) {
				fastExamples++
			}
			if wantErr != nil || v != want {
				t.Errorf("%q: fast path %q, library %q, %v", s, v, want, wantErr)
			}
		}
		// Phone as callers see it, in the other ways a number is
		// written (for a quarter of the numbers: the library is slow).
		if i%4 != 0 {
			continue
		}
		spaced := s
		if len(s) > 4 {
			spaced = s[:4] + " " + s[4:]
		}
		for _, in := range []string{s, " " + s + " ", "00" + strings.TrimPrefix(s, "+"), spaced} {
			for _, region := range []string{"", "HK", "IT"} {
				got, err := Phone(in, region)
				w, werr := library(in, region)
				if got != w || (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
					t.Fatalf("Phone(%q, %q) = %q, %v; library %q, %v", in, region, got, err, w, werr)
				}
			}
		}
	}
	if fastExamples*10 < len(examples)*6 {
		t.Errorf("the fast path took %d of %d example numbers in E.164", fastExamples, len(examples))
	}
	t.Logf("%d numbers, %d by the fast path; %d of %d example numbers", len(inputs)+len(examples), fast, fastExamples, len(examples))
}
