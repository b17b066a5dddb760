// Package envelope is the wire format of federation: every message between
// nodes is an Envelope signed by its originator as a JWS in compact
// serialisation with EdDSA (Ed25519), so that its origin and content survive
// relaying. The package signs, parses, verifies and relays envelopes, checks
// their age, and encodes the batches and per-envelope results of
// POST /federation/v1/inbox. It is pure: besides crypto/rand for ids it does
// no I/O, and it trusts nothing it parses until a pinned key verifies it.
//
// docs/FEDERATION.md describes the format for implementers of other nodes.
package envelope

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/fault"
)

// Type says what an envelope carries and so how its payload reads.
type Type string

// The envelope types and the payload each carries.
const (
	// TypeRecordCreate, TypeRecordUpdate: a record's first or a later
	// version; payload RecordPayload.
	TypeRecordCreate Type = "record.create"
	TypeRecordUpdate Type = "record.update"
	// TypeRecordRetract: the originator withdraws a record; payload
	// RetractPayload.
	TypeRecordRetract Type = "record.retract"
	// TypeConsent: an originator consents to onward transmission of one of
	// its records; payload ConsentPayload.
	TypeConsent Type = "consent"
	// TypeFeedback: the answer to a warning, a feedback record; payload
	// RecordPayload.
	TypeFeedback Type = "feedback"
	// TypeRequest, TypeResponse: a request for assistance and its answer,
	// request and response records; payload RecordPayload.
	TypeRequest  Type = "request"
	TypeResponse Type = "response"
	// TypeAck: a receiver's signed receipt of an envelope; payload
	// AckPayload.
	TypeAck Type = "ack"
	// TypeRefusal: a receiver's signed refusal of an envelope; payload
	// RefusalPayload.
	TypeRefusal Type = "refusal"
	// TypeResults: a receiver's signed answer to an inbox batch; payload
	// ResultsPayload. Only SignResponse makes one.
	TypeResults Type = "results"
	// TypeKeyRotate: a node announces its next key; payload RotatePayload.
	TypeKeyRotate Type = "key.rotate"
	// TypeRelay: a relay's wrapper around an originator's envelope; payload
	// RelayPayload. Only Relay makes one.
	TypeRelay Type = "relay"
)

// Types returns every envelope type in a stable order.
func Types() []Type {
	return []Type{TypeRecordCreate, TypeRecordUpdate, TypeRecordRetract, TypeConsent, TypeFeedback,
		TypeRequest, TypeResponse, TypeAck, TypeRefusal, TypeResults, TypeKeyRotate, TypeRelay}
}

// Known reports whether t is one of the envelope types.
func (t Type) Known() bool {
	switch t {
	case TypeRecordCreate, TypeRecordUpdate, TypeRecordRetract, TypeConsent, TypeFeedback,
		TypeRequest, TypeResponse, TypeAck, TypeRefusal, TypeResults, TypeKeyRotate, TypeRelay:
		return true
	}
	return false
}

// Limits and defaults of the format.
const (
	// MaxSize is the default limit, in bytes, of an originator's envelope in
	// compact serialisation. A relay's wrapper may exceed it by the cost of
	// wrapping (RelayLimit).
	MaxSize = 1 << 20
	// Window is the default tolerance between an envelope's creation time
	// and the receiver's clock, either way.
	Window = 5 * time.Minute
	// MaxRecipients bounds the entries of To.
	MaxRecipients = 256
	// RegionPrefix starts a To entry that addresses every member of a WCO
	// region, e.g. "region:AP".
	RegionPrefix = "region:"
)

// Envelope is one federation message. Sign covers ID, Type, From, To,
// Created and Payload with the originator's key; Key is the fingerprint of
// that key (the JWS "kid"), and Via lists the relays it came through, which
// are recorded by the relays' own signed wrappers and never by the
// originator.
type Envelope struct {
	// ID is a ULID chosen by the originator. It identifies the message for
	// deduplication and stays the same when a delivery is retried and when
	// a relay passes the envelope on.
	ID string `json:"id"`
	// Type says what Payload is.
	Type Type `json:"type"`
	// From is the originator's node code, e.g. "HK".
	From string `json:"from"`
	// To lists the intended recipients: node codes ("JP", "RILO-AP") or
	// whole WCO regions ("region:AP"). A receiver accepts an envelope only
	// if it is addressed to it (AddressedTo), and a relay can deliver it to
	// no one else, because To is signed.
	To []string `json:"to"`
	// Via lists, in order, the relays the envelope passed through. It is
	// empty when the originator delivered it itself.
	Via []string `json:"via,omitempty"`
	// Created is when the envelope was signed. A retried delivery is signed
	// again, with the same ID and a new Created.
	Created time.Time `json:"created"`
	// Payload is a JSON object whose shape depends on Type.
	Payload json.RawMessage `json:"payload"`
	// Key is the fingerprint of the key that signed the envelope.
	Key string `json:"key,omitempty"`
}

// body is what the originator signs: the JWS payload.
type body struct {
	ID      string          `json:"id"`
	Type    Type            `json:"type"`
	From    string          `json:"from"`
	To      []string        `json:"to"`
	Created time.Time       `json:"created"`
	Payload json.RawMessage `json:"payload"`
}

// nodePattern is the form of a node code: an administration such as "HK"
// or a RILO such as "RILO-AP".
var nodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,15}$`)

// ValidNode reports whether code has the form of a node code: an
// administration such as "HK" or a RILO such as "RILO-AP".
func ValidNode(code string) bool { return nodePattern.MatchString(code) }

// regionPattern is the form of a WCO region code such as "AP" or "ESA".
var regionPattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,15}$`)

// NewID returns a new envelope id: a ULID for time t with 80 bits from
// crypto/rand.
func NewID(t time.Time) (string, error) {
	id, err := ulid.New(ulid.Timestamp(t), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("new envelope id: %w", err)
	}
	return id.String(), nil
}

// AddressedTo reports whether node, a member of the WCO region region ("" for
// none), is a recipient of e: named in To, or a member of a region named
// there as RegionPrefix+region.
func (e Envelope) AddressedTo(node, region string) bool {
	for _, r := range e.To {
		if r == node || (region != "" && strings.HasPrefix(r, RegionPrefix) && r[len(RegionPrefix):] == region) {
			return true
		}
	}
	return false
}

// check reports the first thing wrong with e's signed fields, as a field
// error naming it.
func check(e Envelope) error {
	switch {
	case e.ID == "":
		return fault.Field("id", "envelope id is missing")
	case !isULID(e.ID):
		return fault.Field("id", "envelope id %q is not a ULID", clip(e.ID))
	case e.Type == "":
		return fault.Field("type", "envelope type is missing")
	case !e.Type.Known():
		return fault.Field("type", "unknown envelope type %q", clip(string(e.Type)))
	case !nodePattern.MatchString(e.From):
		return fault.Field("from", "sender %q is not a node code such as HK or RILO-AP", clip(e.From))
	case e.Created.IsZero():
		return fault.Field("created", "creation time is missing")
	case e.Created.Year() < 2000 || e.Created.Year() > 9999:
		return fault.Field("created", "creation time %s is not plausible", e.Created.UTC().Format(time.RFC3339))
	}
	if len(e.To) == 0 && e.Type != TypeAck && e.Type != TypeRefusal && e.Type != TypeResults {
		return fault.Field("to", "envelope has no recipient")
	}
	if len(e.To) > MaxRecipients {
		return fault.Field("to", "envelope has %d recipients (limit %d)", len(e.To), MaxRecipients)
	}
	seen := make(map[string]bool, len(e.To))
	for i, r := range e.To {
		field := fmt.Sprintf("to[%d]", i)
		if region, ok := strings.CutPrefix(r, RegionPrefix); ok {
			if !regionPattern.MatchString(region) {
				return fault.Field(field, "region %q is not a WCO region code such as AP", clip(region))
			}
		} else if !nodePattern.MatchString(r) {
			return fault.Field(field, "recipient %q is neither a node code such as JP nor a region such as region:AP", clip(r))
		}
		if seen[r] {
			return fault.Field(field, "recipient %s is listed twice", r)
		}
		seen[r] = true
	}
	// Only the first byte is looked at: Sign's encoder refuses invalid JSON
	// and Parse reads the payload out of a JSON decoder.
	p := bytes.TrimLeft(e.Payload, " \t\r\n")
	if len(p) == 0 || p[0] != '{' {
		return fault.Field("payload", "payload must be a JSON object")
	}
	return nil
}

// isULID reports whether s is a ULID in its canonical form: 26 characters of
// Crockford base32 in upper case, not beyond the largest time.
func isULID(s string) bool {
	u, err := ulid.ParseStrict(s)
	return err == nil && u.String() == s
}

// clip shortens a value quoted in an error message, which may come from a
// stranger.
func clip(s string) string { return fault.Clip(s, 64) }

// NewPayload encodes v as an envelope payload: compact JSON, with "<", ">"
// and "&" left as they are.
func NewPayload(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return json.RawMessage(bytes.TrimRight(b.Bytes(), "\n")), nil
}
