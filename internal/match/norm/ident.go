package norm

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"liaison/internal/intel"
)

// Container returns an ISO 6346 container number in canonical form
// ("CSQU3054383") if its check digit is valid.
func Container(s string) (string, error) {
	if err := intel.ContainerValid(s); err != nil {
		return "", err
	}
	return intel.NormalizeContainer(s), nil
}

// IMO returns the seven digits of an IMO ship number if its check digit is
// valid.
func IMO(s string) (string, error) {
	if err := intel.IMOValid(s); err != nil {
		return "", err
	}
	return intel.NormalizeIMO(s), nil
}

// Phone returns a telephone number in E.164 form ("+85291234567"). A
// number written without its country code is read as a number of region
// (an ISO 3166 alpha-2 code, may be empty). It fails when the number is
// not a possible number of its country.
func Phone(s, region string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if v, ok := e164(s); ok {
		return v, nil
	}
	return phoneByLibrary(s, region)
}

// phoneByLibrary is Phone for a trimmed number, all of it by the phone
// library.
func phoneByLibrary(s, region string) (string, error) {
	if region == "" || strings.HasPrefix(s, "+") {
		region = "ZZ"
	}
	num, err := phonenumbers.Parse(s, strings.ToUpper(region))
	if err != nil {
		return "", fmt.Errorf("phone %q: %w", s, err)
	}
	if !phonenumbers.IsPossibleNumber(num) {
		return "", fmt.Errorf("phone %q is not a possible number", s)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// Email returns an e-mail address in lower case, without surrounding
// spaces or angle brackets, if it has the shape local@domain.with.dot.
func Email(s string) (string, error) {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "<>"))
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(s, " \t,;") || strings.Contains(domain, "@") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", fmt.Errorf("e-mail %q is not an address", s)
	}
	return s, nil
}

// Document returns a travel or identity document as "COUNTRY:NUMBER" with
// the number in upper case and without spaces, hyphens or dots
// ("HK:K01234567"); the issuing country may be empty. Numbers shorter than
// five characters, or all one character ("000000", "XXXXXX"), are rejected
// as placeholders.
func Document(country, number string) (string, error) {
	n := Identifier(number)
	if len(n) < 5 || strings.Count(n, n[:1]) == len(n) {
		return "", fmt.Errorf("document number %q is too short or a placeholder", number)
	}
	return strings.ToUpper(strings.TrimSpace(country)) + ":" + n, nil
}

// Identifier returns s in upper case with spaces, hyphens, dots and
// slashes removed, the form registration numbers, plates and flight
// numbers are compared in.
func Identifier(s string) string {
	if isASCII(s) {
		return asciiIdentifier(s)
	}
	return identifierOfFolded(Fold(s))
}

// identifierOfFolded is Identifier's general path, for s already folded:
// every letter mapped, the separators dropped.
func identifierOfFolded(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '/' || r == '\t' || r == '_':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// asciiIdentifier is Identifier for text in ASCII, which folds to itself
// in lower case: the letters are raised again, so all of them come out
// in upper case. The text is given back as it is when nothing changes, as
// it mostly is.
func asciiIdentifier(s string) string {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; identDrop(c) || c >= 'a' && c <= 'z' {
			break
		}
	}
	if i == len(s) {
		return s
	}
	var stack [64]byte
	b := stack[:0]
	if len(s) > len(stack) {
		b = make([]byte, 0, len(s))
	}
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case identDrop(c):
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// identDrop reports whether Identifier leaves c out.
func identDrop(c byte) bool {
	return c == ' ' || c == '-' || c == '.' || c == '/' || c == '\t' || c == '_'
}

// Flight returns a flight number as airline designator and number without
// leading zeros ("CX0251" and "cx 251" both give "CX251").
func Flight(s string) (string, error) {
	n := Identifier(s)
	if len(n) < 3 || len(n) > 8 {
		return "", fmt.Errorf("flight %q is not a flight number", s)
	}
	desig, num := n[:2], strings.TrimLeft(n[2:], "0")
	if num == "" {
		return "", fmt.Errorf("flight %q has no number", s)
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			if i != len(num)-1 { // an operational suffix letter is allowed
				return "", fmt.Errorf("flight %q is not a flight number", s)
			}
		}
	}
	return desig + num, nil
}
