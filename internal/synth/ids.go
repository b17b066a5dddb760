package synth

import (
	"fmt"
	"strings"
)

// Letters used for generated letters: A-Z without I, O and Q, which
// registries avoid because they read like digits.
const plateLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

// Cyrillic letters that look like Latin ones, the only ones on Russian
// plates, and the Thai consonants used on Thai plates.
const (
	cyrillicPlate = "АВЕКМНОРСТУХ"
	thaiPlate     = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศสหอฮ"
)

// fill expands a format: # digit, % digit 2-9, @ letter, * letter or digit,
// ^ Cyrillic plate letter, ~ Thai consonant; anything else is kept.
func (g *Generator) fill(pattern string) string {
	var b strings.Builder
	for _, r := range pattern {
		switch r {
		case '#':
			b.WriteByte(byte('0' + g.rng.IntN(10)))
		case '%':
			b.WriteByte(byte('2' + g.rng.IntN(8)))
		case '@':
			b.WriteByte(plateLetters[g.rng.IntN(len(plateLetters))])
		case '*':
			const alnum = plateLetters + "0123456789"
			b.WriteByte(alnum[g.rng.IntN(len(alnum))])
		case '^':
			b.WriteRune(g.pickRune(cyrillicPlate))
		case '~':
			b.WriteRune(g.pickRune(thaiPlate))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (g *Generator) pickRune(set string) rune {
	rs := []rune(set)
	return rs[g.rng.IntN(len(rs))]
}

// containerLetterValue is the ISO 6346 value of an upper-case letter: A is
// 10 and the count goes on, skipping multiples of 11.
func containerLetterValue(c byte) int {
	v := 10
	for l := byte('A'); l < c; l++ {
		v++
		if v%11 == 0 {
			v++
		}
	}
	return v
}

// containerCheckDigit computes the ISO 6346 check digit of the first ten
// characters of a container number (owner code, category, serial): each
// value is weighted by 2^position, the sum is taken modulo 11 and a
// remainder of 10 becomes 0.
func containerCheckDigit(s string) int {
	sum, w := 0, 1
	for i := range 10 {
		c := s[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = containerLetterValue(c)
		}
		sum += v * w
		w *= 2
	}
	return sum % 11 % 10
}

// container returns a container number with a valid check digit for the
// owner code, e.g. "CSQU3054383".
func (g *Generator) container(owner string) string {
	s := fmt.Sprintf("%s%06d", owner, g.rng.IntN(1_000_000))
	return fmt.Sprintf("%s%d", s, containerCheckDigit(s))
}

// imo returns a seven-digit IMO ship number with a valid check digit; the
// first digit is 9, as for ships built since the 1980s.
func (g *Generator) imo() string {
	d := [6]int{9}
	for i := 1; i < 6; i++ {
		d[i] = g.rng.IntN(10)
	}
	sum := 0
	for i, v := range d {
		sum += v * (7 - i)
	}
	return fmt.Sprintf("%d%d%d%d%d%d%d", d[0], d[1], d[2], d[3], d[4], d[5], sum%10)
}

// s10 returns a UPU S10 item identifier (service indicator, serial, check
// digit, country of origin), e.g. "EE123456785CN".
func (g *Generator) s10(service, country string) string {
	weights := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	serial := g.rng.IntN(100_000_000)
	digits := fmt.Sprintf("%08d", serial)
	sum := 0
	for i := range 8 {
		sum += int(digits[i]-'0') * weights[i]
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return fmt.Sprintf("%s%s%d%s", service, digits, check, country)
}

// awb returns an air waybill number: airline prefix, a seven-digit serial
// and its check digit (serial modulo 7).
func (g *Generator) awb(prefix string) string {
	serial := g.rng.IntN(10_000_000)
	return fmt.Sprintf("%s-%07d%d", prefix, serial, serial%7)
}
