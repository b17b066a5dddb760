package envelope

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	josejson "github.com/go-jose/go-jose/v4/json"

	"liaison/internal/fault"
	"liaison/internal/federation/identity"
)

// MaxBatch is the default limit of envelopes in one inbox request.
const MaxBatch = 1000

// EncodeBatch returns the body of POST /federation/v1/inbox for the given
// signed envelopes: a JSON array of compact JWS strings, in order. A compact
// JWS is base64url and dots only, which JSON takes as it is; anything else
// is escaped as encoding/json does.
func EncodeBatch(items [][]byte) ([]byte, error) {
	return AppendBatch(nil, items)
}

// AppendBatch is EncodeBatch appending the request body to dst, so that a
// sender can encode into memory it reuses. On error dst is returned as it
// was.
func AppendBatch(dst []byte, items [][]byte) ([]byte, error) {
	if len(items) == 0 {
		return dst, fault.E(fault.Invalid, "batch is empty")
	}
	n := 1
	for _, it := range items {
		if !plainJSON(it) {
			b, err := encodeBatchJSON(items)
			if err != nil {
				return dst, err
			}
			return append(dst, b...), nil
		}
		n += len(it) + 3
	}
	b := slices.Grow(dst, n)
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, it...)
		b = append(b, '"')
	}
	return append(b, ']'), nil
}

func encodeBatchJSON(items [][]byte) ([]byte, error) {
	ss := make([]string, len(items))
	for i, it := range items {
		ss[i] = string(it)
	}
	b, err := json.Marshal(ss)
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	return b, nil
}

// plainJSON reports whether b holds only printable ASCII other than '"'
// and '\\': the bytes a JSON string holds as they are and decodes to
// themselves, so that a JWS (base64url and dots) is written into a
// request body, and read from one, without encoding or decoding a JSON
// string. It reads eight bytes at a time: it is run over every byte of
// every envelope sent and received.
func plainJSON(b []byte) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if x&highs != 0 {
			return false // a byte of 0x80 or more
		}
		// With every byte below 0x80, (v - ones*n) & ^v & highs is not
		// zero exactly when a byte of v is below n.
		below := (x - ones*0x20) & ^x
		q, bs := x^(ones*'"'), x^(ones*'\\')
		quote, slash := (q-ones)&^q, (bs-ones)&^bs
		if (below|quote|slash)&highs != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// DecodeBatch reads the body of POST /federation/v1/inbox: a JSON array of
// compact JWS strings, or one compact JWS on its own. It refuses an empty
// batch and one of more than maxItems envelopes (MaxBatch when maxItems <=
// 0). It does not look inside the envelopes: each is for Parse or Open.
func DecodeBatch(b []byte, maxItems int) ([][]byte, error) {
	if maxItems <= 0 {
		maxItems = MaxBatch
	}
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		return nil, fault.E(fault.Invalid, "batch is empty")
	}
	if t[0] != '[' {
		return [][]byte{t}, nil
	}
	if items, ok := scanPlainBatch(t); ok {
		if len(items) > maxItems {
			return nil, fault.E(fault.TooLarge, "batch too large: %s envelopes (limit %s)", thousands(len(items)), thousands(maxItems))
		}
		return items, nil
	}
	var ss []string
	if err := josejson.Unmarshal(t, &ss); err != nil {
		// The decoder's finding goes into the message, which is what the
		// sender is answered.
		return nil, fault.E(fault.Invalid, "batch is not a JSON array of compact JWS strings: %s", fault.Clip(err.Error(), 300))
	}
	if len(ss) == 0 {
		return nil, fault.E(fault.Invalid, "batch is empty")
	}
	if len(ss) > maxItems {
		return nil, fault.E(fault.TooLarge, "batch too large: %s envelopes (limit %s)", thousands(len(ss)), thousands(maxItems))
	}
	items := make([][]byte, len(ss))
	for i, s := range ss {
		items[i] = []byte(s)
	}
	return items, nil
}

// scanPlainBatch reads a batch in the form EncodeBatch writes: a JSON
// array of strings needing no decoding (plainJSON: compact JWS are), with
// optional whitespace between the tokens. The items share b's memory. It
// reports false for anything else (an empty array, escapes, control or
// non-ASCII characters, syntax errors), which the full JSON decoder then
// reads or refuses.
func scanPlainBatch(b []byte) ([][]byte, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil, false
	}
	items := make([][]byte, 0, 1+bytes.Count(b, []byte{','}))
	i = skipSpace(b, i+1)
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, false
		}
		start := i + 1
		j := bytes.IndexByte(b[start:], '"')
		if j < 0 || !plainJSON(b[start:start+j]) {
			return nil, false // an escape (the quote found follows it) or another character
		}
		j += start
		items = append(items, b[start:j:j])
		i = skipSpace(b, j+1)
		if i >= len(b) {
			return nil, false
		}
		if b[i] == ']' {
			break
		}
		if b[i] != ',' {
			return nil, false
		}
		i = skipSpace(b, i+1)
	}
	if skipSpace(b, i+1) != len(b) {
		return nil, false
	}
	return items, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// Status is a receiver's answer for one envelope.
type Status string

// The answers. Accepted and Duplicate both mean the envelope is durably
// stored at the receiver; the sender stops delivering it.
const (
	Accepted  Status = "accepted"
	Duplicate Status = "duplicate"
	Refused   Status = "refused"
)

// Result is the receiver's answer for one envelope of a batch. Results
// answer a batch in its order.
type Result struct {
	// ID is the envelope's id, "" when the envelope was unreadable.
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Reason says why the envelope was refused, as a sentence.
	Reason string `json:"reason,omitempty"`
}

// check refuses a result that says nothing definite.
func (r Result) check(i int) error {
	switch r.Status {
	case Accepted, Duplicate:
		if r.ID == "" {
			return fault.Field(fmt.Sprintf("results[%d].id", i), "an %s result names the envelope", r.Status)
		}
	case Refused:
		if r.Reason == "" {
			return fault.Field(fmt.Sprintf("results[%d].reason", i), "a refusal gives its reason")
		}
	default:
		return fault.Field(fmt.Sprintf("results[%d].status", i), "%q is not accepted, duplicate or refused", r.Status)
	}
	return nil
}

// Response is the body of the answer to POST /federation/v1/inbox: the
// results in batch order and Signed, the receiver's TypeResults envelope
// (compact JWS) saying exactly the same about the same request. One
// signature covers the whole answer, refusals and their reasons included;
// Signed is what the sender keeps as proof of the answer.
type Response struct {
	Results []Result `json:"results"`
	Signed  string   `json:"signed"`
}

// ResultsPayload is the payload of a receiver's signed answer
// (TypeResults): the digest of the request body answered and the results.
type ResultsPayload struct {
	// Batch is BatchDigest of the request body, exactly as received.
	Batch   string   `json:"batch"`
	Results []Result `json:"results"`
}

// MaxResponse is the size limit of a signed answer in compact
// serialisation: MaxBatch results with reasons of a few hundred bytes each.
const MaxResponse = 8 << 20

// BatchDigest names a request body in a signed answer: "sha256:" and the
// hex SHA-256 of the bytes.
func BatchDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// SignResponse returns the answer to the request body batch: results (one
// per envelope of the batch, in order) and one TypeResults envelope over
// them, from self to the senders answered (to; none when unknown) created
// at now. Every result must be definite: accepted or duplicate with the
// envelope's id, or refused with a reason.
func SignResponse(key identity.Key, self string, to []string, batch []byte, results []Result, now time.Time) (Response, error) {
	if len(results) == 0 {
		return Response{}, fault.Field("results", "an answer has at least one result")
	}
	for i, r := range results {
		if err := r.check(i); err != nil {
			return Response{}, err
		}
	}
	if len(to) > MaxRecipients {
		to = nil
	}
	p, err := NewPayload(ResultsPayload{Batch: BatchDigest(batch), Results: results})
	if err != nil {
		return Response{}, fmt.Errorf("sign answer: %w", err)
	}
	id, err := NewID(now)
	if err != nil {
		return Response{}, err
	}
	// The payload is compact, as NewPayload writes it: it is signed without
	// being encoded again (as SignCompact does).
	e := Envelope{ID: id, Type: TypeResults, From: self, To: to, Created: now.UTC(), Payload: p}
	if err := key.Check(); err != nil {
		return Response{}, fmt.Errorf("sign answer: %w", err)
	}
	if err := check(e); err != nil {
		return Response{}, fmt.Errorf("sign answer: %w", err)
	}
	signed, err := signClaims(key, e, appendBody(make([]byte, 0, len(p)+256), e), TypEnvelope, MaxResponse)
	if err != nil {
		return Response{}, fmt.Errorf("sign answer: %w", err)
	}
	return Response{Results: results, Signed: string(signed)}, nil
}

// VerifyResponse checks that r.Signed is signed by pub, the key pinned for
// the receiver, answers the request body batch and says exactly what
// r.Results say, result by result, and that every result is definite (as
// SignResponse requires). It returns the signed envelope. Any mismatch is
// an Unauthorized *fault.Error, a result that is not definite an Invalid
// one naming it. The reason a *fault.Error it fails with gives, written as
// a receiver writes a refusal's, is of RefusalFormats (the signed answer
// does not parse or verify as an envelope) or of AnswerFormats.
func VerifyResponse(r Response, batch []byte, pub ed25519.PublicKey) (Envelope, error) {
	if r.Signed == "" {
		return Envelope{}, fault.E(fault.Unauthorized, "answer is not signed")
	}
	u, err := Parse([]byte(r.Signed), MaxResponse)
	if err != nil {
		return Envelope{}, err
	}
	e, err := u.Verify(pub)
	if err != nil {
		return Envelope{}, err
	}
	// Each sentence is written whole, as AnswerFormats lists it.
	if e.Type != TypeResults {
		return Envelope{}, fault.E(fault.Unauthorized, "signed answer does not match the answer given: it is signed as %s", e.Type)
	}
	var p ResultsPayload
	if err := e.Decode(&p); err != nil {
		return Envelope{}, err
	}
	if want := BatchDigest(batch); p.Batch != want {
		return Envelope{}, fault.E(fault.Unauthorized, "signed answer does not match the answer given: it answers batch %s, not %s",
			clip(p.Batch), want)
	}
	if len(p.Results) != len(r.Results) {
		return Envelope{}, fault.E(fault.Unauthorized, "signed answer does not match the answer given: %d results signed, %d given",
			len(p.Results), len(r.Results))
	}
	for i, got := range r.Results {
		if p.Results[i] != got {
			return Envelope{}, fault.E(fault.Unauthorized, "signed answer does not match the answer given: result %d is signed as %s %q for %q",
				i, p.Results[i].Status, p.Results[i].Reason, p.Results[i].ID)
		}
		if err := got.check(i); err != nil {
			return Envelope{}, err
		}
	}
	return e, nil
}
