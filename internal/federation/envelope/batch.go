package envelope

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	josejson "github.com/go-jose/go-jose/v4/json"

	"liaison/internal/fault"
	"liaison/internal/federation/identity"
)

// MaxBatch is the default limit of envelopes in one inbox request.
const MaxBatch = 1000

// EncodeBatch returns the body of POST /federation/v1/inbox for the given
// signed envelopes: a JSON array of compact JWS strings, in order.
func EncodeBatch(items [][]byte) ([]byte, error) {
	if len(items) == 0 {
		return nil, fault.E(fault.Invalid, "batch is empty")
	}
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
	var ss []string
	if err := josejson.Unmarshal(t, &ss); err != nil {
		return nil, fault.Wrap(fault.Invalid, err, "batch is not a JSON array of compact JWS strings")
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
	ID     string
	Status Status
	// Reason says why the envelope was refused, as a sentence.
	Reason string
	// Signed is the receiver's signed ack (accepted, duplicate) or refusal
	// envelope saying the same thing, in compact serialisation; it is what
	// the sender keeps as proof of the answer.
	Signed []byte
}

// resultJSON is Result on the wire, with Signed as a string.
type resultJSON struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"`
	Signed string `json:"signed,omitempty"`
}

// MarshalJSON writes r as {"id","status","reason","signed"} with signed the
// compact JWS as a string.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(resultJSON{ID: r.ID, Status: r.Status, Reason: r.Reason, Signed: string(r.Signed)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Result) UnmarshalJSON(b []byte) error {
	var w resultJSON
	if err := josejson.Unmarshal(b, &w); err != nil {
		return fault.Wrap(fault.Invalid, err, "result does not read")
	}
	*r = Result{ID: w.ID, Status: w.Status, Reason: w.Reason}
	if w.Signed != "" {
		r.Signed = []byte(w.Signed)
	}
	return nil
}

// Response is the body of the answer to POST /federation/v1/inbox.
type Response struct {
	Results []Result `json:"results"`
}

// SignResult returns r with Signed set: an envelope from self to to (the
// sender of the envelope answered; "" when unknown) created at now, of type
// TypeAck with an AckPayload for Accepted and Duplicate, or TypeRefusal with
// a RefusalPayload for Refused, which must give a Reason.
func SignResult(key identity.Key, self, to string, r Result, now time.Time) (Result, error) {
	var (
		typ     Type
		payload any
	)
	switch r.Status {
	case Accepted, Duplicate:
		if r.ID == "" {
			return Result{}, fault.Field("id", "an %s result names the envelope", r.Status)
		}
		typ, payload = TypeAck, AckPayload{Envelope: r.ID, Status: r.Status}
	case Refused:
		if r.Reason == "" {
			return Result{}, fault.Field("reason", "a refusal gives its reason")
		}
		typ, payload = TypeRefusal, RefusalPayload{Envelope: r.ID, Reason: r.Reason}
	default:
		return Result{}, fault.Field("status", "%q is not accepted, duplicate or refused", r.Status)
	}
	p, err := NewPayload(payload)
	if err != nil {
		return Result{}, fmt.Errorf("sign result for %s: %w", r.ID, err)
	}
	id, err := NewID(now)
	if err != nil {
		return Result{}, err
	}
	e := Envelope{ID: id, Type: typ, From: self, Created: now, Payload: p}
	if to != "" {
		e.To = []string{to}
	}
	signed, err := Sign(key, e)
	if err != nil {
		return Result{}, fmt.Errorf("sign result for %s: %w", r.ID, err)
	}
	r.Signed = signed
	return r, nil
}

// VerifyResult checks that r.Signed is signed by pub, the key pinned for the
// receiver, and says exactly what r says: the same envelope id, status and,
// for a refusal, reason. It returns the signed envelope.
func VerifyResult(r Result, pub ed25519.PublicKey) (Envelope, error) {
	if len(r.Signed) == 0 {
		return Envelope{}, fault.E(fault.Unauthorized, "result for %s is not signed", r.ID)
	}
	e, err := Verify(r.Signed, pub)
	if err != nil {
		return Envelope{}, err
	}
	mismatch := func(what string) error {
		return fault.E(fault.Unauthorized, "signed result for %s does not match the result given: %s", r.ID, what)
	}
	switch r.Status {
	case Accepted, Duplicate:
		var a AckPayload
		if e.Type != TypeAck {
			return Envelope{}, mismatch(fmt.Sprintf("%s is signed as %s", r.Status, e.Type))
		}
		if err := e.Decode(&a); err != nil {
			return Envelope{}, err
		}
		if a.Envelope != r.ID || a.Status != r.Status {
			return Envelope{}, mismatch(fmt.Sprintf("signed %s for %s", a.Status, a.Envelope))
		}
	case Refused:
		var f RefusalPayload
		if e.Type != TypeRefusal {
			return Envelope{}, mismatch(fmt.Sprintf("refused is signed as %s", e.Type))
		}
		if err := e.Decode(&f); err != nil {
			return Envelope{}, err
		}
		if f.Envelope != r.ID || f.Reason != r.Reason {
			return Envelope{}, mismatch(fmt.Sprintf("signed refusal of %q for %q", f.Envelope, f.Reason))
		}
	default:
		return Envelope{}, fault.Field("status", "%q is not accepted, duplicate or refused", r.Status)
	}
	return e, nil
}
