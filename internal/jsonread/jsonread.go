// Package jsonread reads JSON in the plain form this project's encoders
// write, without reflection: no whitespace, no null, every member of an
// object known to the caller and given once, names without escapes, text
// in valid UTF-8. A Reader gives up (Bad) on anything outside that form
// rather than decide what a general decoder would; callers then hand the
// input to one. Within the form, a Reader reads exactly the values
// encoding/json reads, escapes in string values included.
package jsonread

import (
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Reader reads one JSON value from B, starting at offset I. Any departure
// from the plain form sets Bad and moves I to the end, so that every read
// after it does nothing.
type Reader struct {
	B   []byte
	I   int
	bad bool
}

// New returns a Reader of b from its start.
func New(b []byte) *Reader { return &Reader{B: b} }

// Bad reports whether the input left the plain form.
func (r *Reader) Bad() bool { return r.bad }

// Done reports whether the whole input was read in the plain form.
func (r *Reader) Done() bool { return !r.bad && r.I == len(r.B) }

// Fail marks the input as outside the plain form.
func (r *Reader) Fail() {
	r.bad = true
	r.I = len(r.B)
}

// Next consumes c if it comes next.
func (r *Reader) Next(c byte) bool {
	if r.I < len(r.B) && r.B[r.I] == c {
		r.I++
		return true
	}
	return false
}

// Expect consumes c, or fails.
func (r *Reader) Expect(c byte) {
	if !r.Next(c) {
		r.Fail()
	}
}

// span reads a string and returns its bytes between the quotes, escapes
// as written, and whether it has any. Control characters and invalid
// UTF-8 fail, as does an escape no JSON decoder accepts.
func (r *Reader) span() (s []byte, escaped bool) {
	if !r.Next('"') {
		r.Fail()
		return nil, false
	}
	start := r.I
	ascii := true
	for r.I < len(r.B) {
		c := r.B[r.I]
		switch {
		case c == '"':
			s := r.B[start:r.I]
			r.I++
			if !ascii && !utf8.Valid(s) {
				r.Fail()
				return nil, false
			}
			return s, escaped
		case c == '\\':
			escaped = true
			if r.I+1 >= len(r.B) {
				r.Fail()
				return nil, false
			}
			switch r.B[r.I+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.I += 2
			case 'u':
				if _, ok := hex4(r.B[r.I+2:]); !ok {
					r.Fail()
					return nil, false
				}
				r.I += 6
			default:
				r.Fail()
				return nil, false
			}
			continue
		case c < 0x20:
			r.Fail()
			return nil, false
		case c >= 0x80:
			ascii = false
		}
		r.I++
	}
	r.Fail()
	return nil, false
}

// name reads a member name, which must have no escapes.
func (r *Reader) name() []byte {
	s, escaped := r.span()
	if escaped {
		r.Fail()
		return nil
	}
	return s
}

// Str reads a string value, escapes decoded as encoding/json decodes them.
func (r *Reader) Str() string {
	s, escaped := r.span()
	if r.bad {
		return ""
	}
	if !escaped {
		return string(s)
	}
	return unescape(s)
}

// SkipStr reads a string value as Str does, failing where Str fails,
// without making the string.
func (r *Reader) SkipStr() { r.span() }

// unescape decodes the escapes of s, which span has checked.
func unescape(s []byte) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch e := s[i+1]; e {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r1, _ := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r1) {
				// A surrogate pair makes one rune; a lone surrogate is
				// U+FFFD, and what follows it is read on its own.
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2, _ := hex4(s[i+2:])
					if d := utf16.DecodeRune(r1, r2); d != utf8.RuneError {
						out = utf8.AppendRune(out, d)
						i += 6
						continue
					}
				}
				r1 = utf8.RuneError
			}
			out = utf8.AppendRune(out, r1)
			continue
		default: // '"', '\\', '/'
			out = append(out, e)
		}
		i += 2
	}
	return string(out)
}

// hex4 reads the four hexadecimal digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var v rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | rune(c)
	}
	return v, true
}

// Bool reads true or false.
func (r *Reader) Bool() bool {
	rest := r.B[r.I:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		r.I += 4
		return true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		r.I += 5
	default:
		r.Fail()
	}
	return false
}

// number reads a JSON number and returns its text.
func (r *Reader) number() string {
	start := r.I
	if !r.scanNumber() {
		return ""
	}
	return string(r.B[start:r.I])
}

// scanNumber reads a JSON number, or fails.
func (r *Reader) scanNumber() bool {
	r.Next('-')
	switch {
	case r.Next('0'):
	case r.I < len(r.B) && r.B[r.I] >= '1' && r.B[r.I] <= '9':
		r.digits()
	default:
		r.Fail()
		return false
	}
	if r.Next('.') {
		if !r.digits() {
			r.Fail()
			return false
		}
	}
	if r.Next('e') || r.Next('E') {
		if !r.Next('+') {
			r.Next('-')
		}
		if !r.digits() {
			r.Fail()
			return false
		}
	}
	return true
}

// maxSkipDepth bounds how deep Skip goes into objects and arrays.
const maxSkipDepth = 32

// Skip reads a value of the plain form without keeping it: a string, a
// number, true or false, or an object or array of them, at most
// maxSkipDepth deep. Member names are checked for their form only, not
// against one another.
func (r *Reader) Skip() { r.skip(0) }

func (r *Reader) skip(depth int) {
	if r.I >= len(r.B) || depth > maxSkipDepth {
		r.Fail()
		return
	}
	switch c := r.B[r.I]; {
	case c == '"':
		r.span()
	case c == '{':
		r.I++
		if r.Next('}') {
			return
		}
		for !r.bad {
			r.name()
			r.Expect(':')
			r.skip(depth + 1)
			if r.Next('}') {
				return
			}
			r.Expect(',')
		}
	case c == '[':
		r.I++
		if r.Next(']') {
			return
		}
		for !r.bad {
			r.skip(depth + 1)
			if r.Next(']') {
				return
			}
			r.Expect(',')
		}
	case c == 't' || c == 'f':
		r.Bool()
	default:
		r.scanNumber()
	}
}

func (r *Reader) digits() bool {
	start := r.I
	for r.I < len(r.B) && r.B[r.I] >= '0' && r.B[r.I] <= '9' {
		r.I++
	}
	return r.I > start
}

// Int reads a number that is an integer in range, as encoding/json reads
// one into an int64.
func (r *Reader) Int() int64 {
	n, err := strconv.ParseInt(r.number(), 10, 64)
	if err != nil {
		r.Fail()
	}
	return n
}

// Float reads a number in range of a float64.
func (r *Reader) Float() float64 {
	f, err := strconv.ParseFloat(r.number(), 64)
	if err != nil {
		r.Fail()
	}
	return f
}

// Time reads a string as time.Time's own UnmarshalJSON does, which is
// what decoders call.
func (r *Reader) Time() time.Time {
	start := r.I
	r.span()
	var t time.Time
	if r.bad || t.UnmarshalJSON(r.B[start:r.I]) != nil {
		r.Fail()
	}
	return t
}

// maxMembers bounds the members of an object: the objects read here have
// fewer.
const maxMembers = 24

// Object reads an object, calling member for each member's name; member
// reads the value and returns false for a name it does not know. A name
// given twice fails. The name is a view of the input, valid during the
// call (switch on string(name), which does not copy it).
func (r *Reader) Object(member func(name []byte) bool) {
	if !r.Next('{') {
		r.Fail()
		return
	}
	if r.Next('}') {
		return
	}
	var seen [maxMembers][]byte
	n := 0
	for !r.bad {
		name := r.name()
		r.Expect(':')
		if r.bad {
			return
		}
		for _, s := range seen[:n] {
			if string(s) == string(name) {
				r.Fail()
				return
			}
		}
		if n == len(seen) {
			r.Fail()
			return
		}
		seen[n] = name
		n++
		if !member(name) {
			r.Fail()
			return
		}
		if r.Next('}') {
			return
		}
		r.Expect(',')
	}
}

// Array reads an array, calling elem for each element. An empty array is
// an empty, not a nil, slice for decoders: start is called first.
func (r *Reader) Array(start func(), elem func()) {
	if !r.Next('[') {
		r.Fail()
		return
	}
	start()
	if r.Next(']') {
		return
	}
	for !r.bad {
		elem()
		if r.Next(']') {
			return
		}
		r.Expect(',')
	}
}

// Strs reads an array of strings.
func (r *Reader) Strs() []string {
	var out []string
	r.Array(func() { out = []string{} }, func() { out = append(out, r.Str()) })
	return out
}

// InvalidUTF8 returns the offset of the first byte of b that is not part
// of valid UTF-8, or -1 when b is valid. JSON is UTF-8 (RFC 8259);
// encoding/json would put U+FFFD for each invalid byte, silently changing
// what was sent.
func InvalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}
