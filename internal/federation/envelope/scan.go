package envelope

import (
	"bytes"
)

// scanBody reads a JWS payload in the exact form sign writes it, in one
// pass: the members id, type, from, to, created and payload in that order,
// no whitespace, and strings of printable ASCII without escapes. The
// payload member must be the last and a valid JSON value. Anything else
// reports false, and the payload is read by the strict JSON decoder
// instead, so both readings agree on every payload scanBody accepts: it has
// no duplicate, unknown or differently cased member by construction. The
// payload read refers to b.
func scanBody(b []byte) (body, bool) {
	var (
		bd body
		s  = scanner{b: b}
	)
	if !s.lit(`{"id":`) {
		return body{}, false
	}
	id, ok := s.str()
	if !ok || !s.lit(`,"type":`) {
		return body{}, false
	}
	typ, ok := s.str()
	if !ok || !s.lit(`,"from":`) {
		return body{}, false
	}
	from, ok := s.str()
	if !ok || !s.lit(`,"to":[`) {
		return body{}, false
	}
	to := []string{}
	if !s.lit("]") {
		for {
			r, ok := s.str()
			if !ok {
				return body{}, false
			}
			to = append(to, r)
			if s.lit("]") {
				break
			}
			if !s.lit(",") {
				return body{}, false
			}
		}
	}
	if !s.lit(`,"created":`) {
		return body{}, false
	}
	start := s.i
	if _, ok := s.str(); !ok {
		return body{}, false
	}
	if err := bd.Created.UnmarshalJSON(b[start:s.i]); err != nil {
		return body{}, false
	}
	if !s.lit(`,"payload":`) || len(b) < s.i+2 || b[len(b)-1] != '}' {
		return body{}, false
	}
	payload := b[s.i : len(b)-1]
	if !validJSON(payload) {
		return body{}, false
	}
	bd.ID, bd.Type, bd.From, bd.To, bd.Payload = id, Type(typ), from, to, payload[:len(payload):len(payload)]
	return bd, true
}

// scanner reads the fixed form of scanBody.
type scanner struct {
	b []byte
	i int
}

// lit consumes lit if the input continues with it.
func (s *scanner) lit(lit string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		return false
	}
	s.i += len(lit)
	return true
}

// str consumes a JSON string of printable ASCII without escapes and
// returns its content.
func (s *scanner) str() (string, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", false
	}
	j := s.i + 1
	for j < len(s.b) {
		c := s.b[j]
		if c == '"' {
			out := string(s.b[s.i+1 : j])
			s.i = j + 1
			return out, true
		}
		if c < 0x20 || c > 0x7e || c == '\\' {
			return "", false
		}
		j++
	}
	return "", false
}
