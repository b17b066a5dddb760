package intel

import (
	"fmt"
	"strings"

	"liaison/internal/fault"
)

// NormalizeContainer returns a container number in the form ISO 6346 writes
// it without separators: upper case, with spaces and hyphens removed, so that
// "csqu 305438-3" becomes "CSQU3054383". It does not validate.
func NormalizeContainer(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// ContainerValid reports whether s is an ISO 6346 container number after
// NormalizeContainer: a three-letter owner code, the category letter U, J or
// Z, a six-digit serial number and a check digit that matches. It returns nil
// for a valid number and otherwise a fault.Invalid error whose message names
// the value and what is wrong with it.
func ContainerValid(s string) error {
	if pr := containerProblem(NormalizeContainer(s)); pr != nil {
		return fault.E(fault.Invalid, pr.format, pr.args...)
	}
	return nil
}

// problem is what is wrong with a value, as a message's format and
// arguments, so that an error made of it can be worded in another language.
type problem struct {
	format string
	args   []any
}

func problemf(format string, args ...any) *problem { return &problem{format: format, args: args} }

// String is the problem's message in English, "" for none.
func (p *problem) String() string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf(p.format, p.args...)
}

// containerProblem explains why the normalised container number n is not
// valid, or returns nil when it is.
func containerProblem(n string) *problem {
	const shape = "container %q must be 4 letters (owner code and category U, J or Z), 6 digits and a check digit (ISO 6346)"
	if len(n) != 11 {
		return problemf(shape, n)
	}
	for i := range 4 {
		if n[i] < 'A' || n[i] > 'Z' {
			return problemf(shape, n)
		}
	}
	for i := 4; i < 11; i++ {
		if n[i] < '0' || n[i] > '9' {
			return problemf(shape, n)
		}
	}
	switch n[3] {
	case 'U', 'J', 'Z':
	default:
		return problemf("container %q has equipment category %q; ISO 6346 allows U (freight container), J (detachable equipment) or Z (trailer or chassis)", n, n[3:4])
	}
	want := containerCheckDigit(n[:10])
	if got := n[10] - '0'; got != want {
		return problemf("container %q has check digit %d, expected %d (ISO 6346)", n, got, want)
	}
	return nil
}

// containerCheckDigit computes the ISO 6346 check digit of the first ten
// characters of a container number, which the caller has checked to be four
// upper-case letters followed by six digits.
func containerCheckDigit(s string) byte {
	sum := 0
	for i := range 10 {
		c := s[i]
		var v int
		if c >= 'A' && c <= 'Z' {
			v = containerLetterValue(c)
		} else {
			v = int(c - '0')
		}
		sum += v << i
	}
	// A remainder of 10 is written as 0; ISO 6346 advises owners not to
	// issue such serial numbers, but they exist and are valid.
	return byte(sum % 11 % 10)
}

// containerLetterValue is the ISO 6346 value of an upper-case letter: A is
// 10 and the values count up, skipping the multiples of 11, so that B is 12,
// K is 21, L is 23, U is 32, V is 34 and Z is 38.
func containerLetterValue(c byte) int {
	i := int(c - 'A')
	v := 10 + i
	// Each skipped multiple of 11 (11, 22, 33) lies below the letters from
	// B, L and V onwards.
	if i >= 1 {
		v++
	}
	if i >= 11 {
		v++
	}
	if i >= 21 {
		v++
	}
	return v
}

// NormalizeIMO returns the seven digits of an IMO ship identification number
// written as "IMO 9074729", "IMO9074729" or "9074729": it removes a leading
// "IMO" (in any case), spaces and hyphens. It does not validate.
func NormalizeIMO(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && strings.EqualFold(s[:3], "IMO") {
		s = s[3:]
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// IMOValid reports whether s (normalised by NormalizeIMO) is an IMO ship
// identification number: seven digits whose last is the sum of the first six
// weighted 7, 6, 5, 4, 3, 2, modulo 10. It returns nil for a valid number and
// otherwise a fault.Invalid error naming the value.
func IMOValid(s string) error {
	if pr, _ := imoProblem(NormalizeIMO(s)); pr != nil {
		return fault.E(fault.Invalid, pr.format, pr.args...)
	}
	return nil
}

// imoProblem explains why the normalised IMO number n is not valid, or
// returns nil when it is. shapeOK is false when n is not seven digits at all,
// which validation treats as an error; a check-digit mismatch alone leaves
// shapeOK true, because ships do sail under numbers with bad check digits.
func imoProblem(n string) (pr *problem, shapeOK bool) {
	if len(n) != 7 {
		return problemf("IMO number %q must be 7 digits", n), false
	}
	sum := 0
	for i := range 7 {
		if n[i] < '0' || n[i] > '9' {
			return problemf("IMO number %q must be 7 digits", n), false
		}
		if i < 6 {
			sum += int(n[i]-'0') * (7 - i)
		}
	}
	want := byte(sum % 10)
	if got := n[6] - '0'; got != want {
		return problemf("IMO number %q has check digit %d, expected %d", n, got, want), true
	}
	return nil, true
}

// ULIDValid reports whether s is a ULID in its canonical text form: 26
// characters of Crockford's base32 in upper case (no I, L, O or U), the first
// at most 7 so that the value fits in 128 bits. Record ids have this form.
func ULIDValid(s string) bool {
	if len(s) != 26 || s[0] > '7' {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U':
		default:
			return false
		}
	}
	return true
}

// locodeProblem explains why code is not shaped like a UN/LOCODE, or returns
// nil when it is: five characters, a two-letter country code (which the caller
// checks against the code list) and three characters from A-Z and 2-9.
func locodeProblem(code string) *problem {
	if len(code) != 5 {
		return problemf("UN/LOCODE %q must be 5 characters: a country code and 3 letters or digits 2-9, e.g. \"HKHKG\"", code)
	}
	for i := range 2 {
		if code[i] < 'A' || code[i] > 'Z' {
			return problemf("UN/LOCODE %q must start with a two-letter country code in capitals", code)
		}
	}
	for i := 2; i < 5; i++ {
		c := code[i]
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '9') {
			return problemf("UN/LOCODE %q has location part %q, which may only use capitals A-Z and digits 2-9", code, code[2:])
		}
	}
	return nil
}
