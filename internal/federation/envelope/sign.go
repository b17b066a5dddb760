package envelope

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	josejson "github.com/go-jose/go-jose/v4/json"

	"liaison/internal/bufpool"
	"liaison/internal/fault"
	"liaison/internal/federation/identity"
)

// JWS "typ" header values.
const (
	// TypEnvelope marks an originator's envelope.
	TypEnvelope = "liaison-envelope+jws"
	// TypRelay marks a relay's wrapper around an originator's envelope.
	TypRelay = "liaison-relay+jws"
)

// maxHeader bounds the encoded JWS protected header; a genuine one is about
// 200 bytes.
const maxHeader = 1024

// relayOverhead bounds what a relay's wrapper adds to the envelope it
// carries, besides base64url encoding it: the wrapper's own fields (up to
// MaxRecipients recipients), header and signature.
const relayOverhead = 8 << 10

// RelayLimit is the size limit of a relay's wrapper around an originator's
// envelope of at most maxSize bytes.
func RelayLimit(maxSize int) int {
	return base64.RawURLEncoding.EncodedLen(maxSize+relayOverhead) + relayOverhead
}

// Sign returns e as a JWS in compact serialisation, signed by key with EdDSA.
// The protected header carries exactly alg "EdDSA", kid (key's fingerprint)
// and typ TypEnvelope; the JWS payload is the JSON object of e's id, type,
// from, to, created (RFC 3339, UTC) and payload. e.Key is ignored and e.Via
// must be empty: relays record themselves with Relay. Sign refuses an
// envelope that Parse would refuse, including one over MaxSize.
func Sign(key identity.Key, e Envelope) ([]byte, error) {
	if err := notRelayed(e); err != nil {
		return nil, err
	}
	return sign(key, e, TypEnvelope, MaxSize)
}

// SignCompact is Sign for an envelope whose Payload the caller vouches for:
// a JSON object in compact form, as NewPayload writes it. The payload is
// not read again (Sign re-encodes it to check it), which saves a pass over
// it; the result is the same bytes Sign returns for such a payload. A
// payload that is not what the caller vouches for is refused by the
// receiver, not here.
func SignCompact(key identity.Key, e Envelope) ([]byte, error) {
	e, err := originated(key, e)
	if err != nil {
		return nil, err
	}
	if err := check(e); err != nil {
		return nil, err
	}
	return signClaims(key, e, appendBody(make([]byte, 0, len(e.Payload)+256), e), TypEnvelope, MaxSize)
}

// SignCompactParts is SignCompact for a payload given as the
// concatenation of parts (e.Payload is ignored), which spares the caller
// joining them: the result is what SignCompact returns for the joined
// payload.
func SignCompactParts(key identity.Key, e Envelope, parts ...[]byte) ([]byte, error) {
	return AppendSignedParts(nil, key, e, parts...)
}

// AppendSignedParts is SignCompactParts appending the envelope to dst, so
// that a sender can sign into memory it reuses. On error dst is returned
// as it was.
func AppendSignedParts(dst []byte, key identity.Key, e Envelope, parts ...[]byte) ([]byte, error) {
	e, err := originated(key, e)
	if err != nil {
		return dst, err
	}
	n := 0
	e.Payload = nil
	for _, p := range parts {
		if len(e.Payload) == 0 && len(bytes.TrimLeft(p, " \t\r\n")) > 0 {
			e.Payload = p // what check looks at: the first part that is not blank
		}
		n += len(p)
	}
	if err := check(e); err != nil {
		return dst, err
	}
	// The claims are needed only until they are signed and encoded.
	cb := claimsPool.Get(n + 256)
	claims := appendHead(cb[:0], e)
	for _, p := range parts {
		claims = append(claims, p...)
	}
	claims = append(claims, '}')
	dst, err = appendSignedClaims(dst, key, e, claims, TypEnvelope, MaxSize)
	claimsPool.Put(claims)
	return dst, err
}

// claimsPool keeps the buffers senders write the claims of an envelope in
// before signing them.
var claimsPool = bufpool.Pool{Max: 64 << 10}

// notRelayed refuses an envelope that only a relay may make or mark.
func notRelayed(e Envelope) error {
	if len(e.Via) > 0 {
		return fault.Field("via", "is added by relays and is not signed by the originator")
	}
	if e.Type == TypeRelay {
		return fault.Field("type", "relay envelopes are made by Relay")
	}
	return nil
}

// originated checks what SignCompact and SignCompactParts sign without
// Sign's checks of the payload: an originator's envelope and a usable key.
// It returns e with its time in UTC.
func originated(key identity.Key, e Envelope) (Envelope, error) {
	if err := notRelayed(e); err != nil {
		return e, err
	}
	if err := key.Check(); err != nil {
		return e, fmt.Errorf("sign envelope: %w", err)
	}
	e.Created = e.Created.UTC()
	return e, nil
}

// appendBody writes the JWS payload of e exactly as the JSON encoder of
// sign does, for an envelope that check accepts (its strings need no
// escaping) and a payload in compact form.
func appendBody(b []byte, e Envelope) []byte {
	b = appendHead(b, e)
	b = append(b, e.Payload...)
	return append(b, '}')
}

// appendHead writes what appendBody writes before the payload.
func appendHead(b []byte, e Envelope) []byte {
	b = append(b, `{"id":"`...)
	b = append(b, e.ID...)
	b = append(b, `","type":"`...)
	b = append(b, e.Type...)
	b = append(b, `","from":"`...)
	b = append(b, e.From...)
	b = append(b, `","to":[`...)
	for i, r := range e.To {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, r...)
		b = append(b, '"')
	}
	b = append(b, `],"created":"`...)
	b = e.Created.AppendFormat(b, time.RFC3339Nano)
	return append(b, `","payload":`...)
}

func sign(key identity.Key, e Envelope, typ string, limit int) ([]byte, error) {
	if err := key.Check(); err != nil {
		return nil, fmt.Errorf("sign envelope: %w", err)
	}
	e.Created = e.Created.UTC()
	if err := check(e); err != nil {
		return nil, err
	}
	var payload bytes.Buffer
	enc := json.NewEncoder(&payload)
	enc.SetEscapeHTML(false)
	err := enc.Encode(body{ID: e.ID, Type: e.Type, From: e.From, To: e.To, Created: e.Created, Payload: e.Payload})
	if err != nil {
		return nil, &fault.Error{Kind: fault.Invalid, Field: "payload", Message: "payload must be a JSON object", Err: err}
	}
	return signClaims(key, e, bytes.TrimRight(payload.Bytes(), "\n"), typ, limit)
}

// signClaims signs the JWS payload claims of e with a header of typ.
func signClaims(key identity.Key, e Envelope, claims []byte, typ string, limit int) ([]byte, error) {
	return appendSignedClaims(nil, key, e, claims, typ, limit)
}

// appendSignedClaims is signClaims appending the envelope to dst; on error
// dst is returned as it was.
func appendSignedClaims(dst []byte, key identity.Key, e Envelope, claims []byte, typ string, limit int) ([]byte, error) {
	header, err := encodeHeader(key.Fingerprint(), typ)
	if err != nil {
		return dst, fmt.Errorf("sign envelope %s: %w", e.ID, err)
	}
	enc64 := base64.RawURLEncoding
	hl, pl := enc64.EncodedLen(len(header)), enc64.EncodedLen(len(claims))
	n := hl + 1 + pl + 1 + enc64.EncodedLen(ed25519.SignatureSize)
	if n > limit {
		return dst, tooLarge(typ, n, limit)
	}
	at := len(dst)
	dst = slices.Grow(dst, n)[:at+n]
	out := dst[at:]
	enc64.Encode(out, header)
	out[hl] = '.'
	enc64.Encode(out[hl+1:], claims)
	out[hl+1+pl] = '.'
	sig := identity.Sign(key.Private, out[:hl+1+pl])
	enc64.Encode(out[hl+1+pl+1:], sig)
	return dst, nil
}

// encodeHeader writes the protected header of an envelope signed by the
// key of fingerprint kid: what json.Marshal writes for it, written by hand
// when no value needs escaping (a fingerprint and the typ values never do).
func encodeHeader(kid, typ string) ([]byte, error) {
	if !plainString(kid) || !plainString(typ) {
		return json.Marshal(struct {
			Alg string `json:"alg"`
			Kid string `json:"kid"`
			Typ string `json:"typ"`
		}{string(jose.EdDSA), kid, typ})
	}
	b := make([]byte, 0, 40+len(kid)+len(typ))
	b = append(b, `{"alg":"`+string(jose.EdDSA)+`","kid":"`...)
	b = append(b, kid...)
	b = append(b, `","typ":"`...)
	b = append(b, typ...)
	return append(b, `"}`...), nil
}

// plainString reports whether json.Marshal writes s as it is between
// quotes: printable ASCII without quote, backslash or the characters it
// escapes for HTML.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// Unverified is an envelope as read by Parse: well formed, but nothing in it
// is to be trusted until Verify succeeds with the key pinned for its sender.
type Unverified struct {
	// Envelope is what the envelope claims, with Key set from the JWS kid.
	Envelope Envelope
	// Typ is the JWS typ header: TypEnvelope or TypRelay.
	Typ string

	// input is the JWS signing input (header.payload), claims the
	// payload decoded and sig the decoded signature.
	input, claims, sig []byte
	err                error
}

// Parse reads a compact JWS envelope without trusting it. It refuses, with a
// *fault.Error, anything that is not exactly one envelope in the format Sign
// writes: more than maxSize bytes (RelayLimit(maxSize) for a relay's
// wrapper; maxSize <= 0 means MaxSize), an algorithm other than EdDSA, a
// protected header with fields other than alg, kid and typ, a kid that is not
// a fingerprint, duplicate or malformed JSON, or an envelope whose fields are
// wrong (missing or bad id, unknown type, no recipient, …).
//
// When the JWS is readable but the envelope in it is wrong, Parse returns the
// error together with what it could read, so that a refusal can name the
// envelope's id; Verify on such a value fails.
//
// The result refers to b (Verify checks the signature over it), which must
// not change while the result is in use.
func Parse(b []byte, maxSize int) (Unverified, error) {
	if maxSize <= 0 {
		maxSize = MaxSize
	}
	h, err := parseHeader(b)
	if err != nil {
		return Unverified{err: err}, err
	}
	limit := maxSize
	if h.Typ == TypRelay {
		limit = RelayLimit(maxSize)
	}
	if len(b) > limit {
		err := tooLarge(h.Typ, len(b), limit)
		return Unverified{err: err}, err
	}
	first := bytes.IndexByte(b, '.')
	last := bytes.LastIndexByte(b, '.')
	if first == last || bytes.IndexByte(b[first+1:last], '.') >= 0 || first+1 == last || last+1 == len(b) {
		err := fault.E(fault.Invalid, "envelope is not a compact JWS (header.payload.signature)")
		return Unverified{err: err}, err
	}
	if !canonical(b) {
		err := fault.E(fault.Invalid, "envelope is not in canonical base64url")
		return Unverified{err: err}, err
	}
	claims := make([]byte, base64.RawURLEncoding.DecodedLen(last-first-1))
	n, err := base64.RawURLEncoding.Strict().Decode(claims, b[first+1:last])
	if err != nil {
		err := fault.Wrap(fault.Invalid, err, "envelope is not a compact JWS: payload is not base64url")
		return Unverified{err: err}, err
	}
	claims = claims[:n]
	sig := make([]byte, base64.RawURLEncoding.DecodedLen(len(b)-last-1))
	n, err = base64.RawURLEncoding.Strict().Decode(sig, b[last+1:])
	if err != nil || n != ed25519.SignatureSize {
		err := fault.E(fault.Invalid, "envelope is not a compact JWS: the signature is not %d bytes of base64url", ed25519.SignatureSize)
		return Unverified{err: err}, err
	}
	bd, ok := scanBody(claims)
	if !ok {
		if err := josejson.Unmarshal(claims, &bd); err != nil {
			err := fault.Wrap(fault.Invalid, err, "JWS payload is not an envelope")
			return Unverified{err: err}, err
		}
	}
	u := Unverified{
		Envelope: Envelope{ID: bd.ID, Type: bd.Type, From: bd.From, To: bd.To, Created: bd.Created,
			Payload: bd.Payload, Key: h.Kid},
		Typ:    h.Typ,
		input:  b[:last:last],
		claims: claims,
		sig:    sig[:ed25519.SignatureSize],
	}
	if err := check(u.Envelope); err != nil {
		u.err = err
		return u, err
	}
	if (h.Typ == TypRelay) != (bd.Type == TypeRelay) {
		u.err = fault.Field("type", "envelope type %q does not match JWS typ %q", bd.Type, h.Typ)
		return u, u.err
	}
	return u, nil
}

// header is the protected JWS header of an envelope.
type header struct {
	Alg, Kid, Typ string
}

// scanHeader reads a protected header in the form signClaims writes it,
// {"alg":"…","kid":"…","typ":"…"} with values of printable ASCII without
// escapes, and reports false for any other form, which the JSON decoder
// then reads: both readings agree on every header scanHeader reads.
func scanHeader(raw []byte) (header, bool) {
	s := scanner{b: raw}
	if !s.lit(`{"alg":`) {
		return header{}, false
	}
	alg, ok := s.str()
	if !ok || !s.lit(`,"kid":`) {
		return header{}, false
	}
	kid, ok := s.str()
	if !ok || !s.lit(`,"typ":`) {
		return header{}, false
	}
	typ, ok := s.str()
	if !ok || !s.lit("}") || s.i != len(raw) {
		return header{}, false
	}
	return header{Alg: alg, Kid: kid, Typ: typ}, true
}

// parseHeader reads and checks the protected header before anything else,
// so that an unacceptable algorithm or size is refused without decoding the
// rest.
func parseHeader(b []byte) (header, error) {
	dot := bytes.IndexByte(b[:min(len(b), maxHeader+1)], '.')
	if dot < 0 {
		return header{}, fault.E(fault.Invalid, "envelope is not a compact JWS (header.payload.signature)")
	}
	var buf [maxHeader]byte
	n, err := base64.RawURLEncoding.Strict().Decode(buf[:base64.RawURLEncoding.DecodedLen(dot)], b[:dot])
	if err != nil {
		return header{}, fault.Wrap(fault.Invalid, err, "JWS header is not base64url")
	}
	raw := buf[:n]
	h, ok := scanHeader(raw)
	if !ok {
		var fields map[string]any
		if err := josejson.Unmarshal(bytes.Clone(raw), &fields); err != nil || fields == nil {
			return header{}, fault.Wrap(fault.Invalid, err, "JWS header is not a JSON object")
		}
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			var dst *string
			switch k {
			case "alg":
				dst = &h.Alg
			case "kid":
				dst = &h.Kid
			case "typ":
				dst = &h.Typ
			default:
				return header{}, fault.E(fault.Invalid, "JWS header field %q is not accepted; only alg, kid and typ are", clip(k))
			}
			v, ok := fields[k].(string)
			if !ok {
				return header{}, fault.E(fault.Invalid, "JWS header field %q is not a string", k)
			}
			*dst = v
		}
	}
	if h.Alg != string(jose.EdDSA) {
		return header{}, fault.E(fault.Unauthorized, "algorithm %q is not accepted; envelopes are signed with EdDSA", clip(h.Alg))
	}
	if h.Typ != TypEnvelope && h.Typ != TypRelay {
		return header{}, fault.E(fault.Invalid, "JWS typ %q is not %q or %q", clip(h.Typ), TypEnvelope, TypRelay)
	}
	if fp, err := identity.ParseFingerprint(h.Kid); err != nil || fp != h.Kid {
		return header{}, fault.E(fault.Invalid, "JWS kid %q is not a key fingerprint", clip(h.Kid))
	}
	return h, nil
}

// Verify checks u's signature with pub, the key pinned for u.Envelope.From,
// and returns the envelope, now trusted. The kid must be pub's fingerprint
// and the signature must verify; otherwise the error is an Unauthorized
// *fault.Error. Verify on a value Parse returned with an error returns that
// error.
func (u Unverified) Verify(pub ed25519.PublicKey) (Envelope, error) {
	return u.verify(pub, nil)
}

// VerifyWith is Verify with the pinned key prepared for verifying many
// envelopes (identity.NewVerifier): the same checks and verdicts, faster
// for each envelope after the first.
func (u Unverified) VerifyWith(v identity.Verifier) (Envelope, error) {
	return u.verify(v.Public(), &v)
}

// verify is Verify, with pub prepared as v when v is not nil.
func (u Unverified) verify(pub ed25519.PublicKey, v *identity.Verifier) (Envelope, error) {
	if u.err != nil {
		return Envelope{}, u.err
	}
	if u.input == nil {
		return Envelope{}, errors.New("verify envelope: not parsed")
	}
	if len(pub) != ed25519.PublicKeySize {
		return Envelope{}, fmt.Errorf("verify envelope %s: pinned key has %d bytes, want %d", u.Envelope.ID, len(pub), ed25519.PublicKeySize)
	}
	e := u.Envelope
	var want string
	if v != nil {
		want = v.Fingerprint()
	} else {
		want = identity.Fingerprint(pub)
	}
	if e.Key != want {
		return Envelope{}, fault.E(fault.Unauthorized,
			"envelope from %s signed with key %s which is not the key pinned for %s (%s)", e.From, e.Key, e.From, want)
	}
	var ok bool
	if v != nil {
		ok = v.Verify(u.input, u.sig)
	} else {
		ok = identity.Verify(pub, u.input, u.sig)
	}
	if !ok {
		return Envelope{}, fault.E(fault.Unauthorized, "signature does not verify")
	}
	return e, nil
}

// Verify parses b with the default MaxSize and verifies it with pub, the key
// pinned for its sender (see Parse and Unverified.Verify).
func Verify(b []byte, pub ed25519.PublicKey) (Envelope, error) {
	u, err := Parse(b, MaxSize)
	if err != nil {
		return Envelope{}, err
	}
	return u.Verify(pub)
}

// CheckWindow refuses an envelope created more than window before or after
// now, which protects against replays of old envelopes and against clocks
// that have drifted. It applies to the envelope as delivered: the hop's own
// envelope when it came through a relay.
func CheckWindow(e Envelope, now time.Time, window time.Duration) error {
	d := e.Created.Sub(now)
	if d < 0 {
		d = -d
	}
	if d <= window {
		return nil
	}
	return fault.Field("created", "envelope created %s is outside the accepted window of ±%s around %s",
		e.Created.UTC().Format(time.RFC3339), shortDuration(window), now.UTC().Format(time.RFC3339))
}

// shortDuration writes 5m rather than 5m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// tooLarge refuses an envelope of n bytes, beyond limit. Each kind of
// envelope has its own sentence, which a user interface words whole.
func tooLarge(typ string, n, limit int) error {
	if typ == TypRelay {
		return fault.E(fault.TooLarge, "relayed envelope too large: %s bytes (limit %s)", thousands(n), thousands(limit))
	}
	return fault.E(fault.TooLarge, "envelope too large: %s bytes (limit %s)", thousands(n), thousands(limit))
}

// thousands writes n with comma separators: 1,048,576.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// canonical reports whether every part of a compact JWS is base64url in its
// only canonical form, with the unused bits of its last character zero, so
// that one envelope has one encoding.
func canonical(b []byte) bool {
	for part := range bytes.SplitSeq(b, []byte{'.'}) {
		if len(part) == 0 {
			continue
		}
		last := strings.IndexByte(b64url, part[len(part)-1])
		switch len(part) % 4 {
		case 1:
			return false
		case 2:
			if last&0x0f != 0 {
				return false
			}
		case 3:
			if last&0x03 != 0 {
				return false
			}
		}
	}
	return true
}

const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
