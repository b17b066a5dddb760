package envelope

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"liaison/internal/fault"
	"liaison/internal/federation/identity"
)

// Relay returns the wrapper by which a relay (a RILO) passes on an
// originator's envelope, signed exactly as the originator sent it. hop names
// the relay's own message: ID (a new ULID), From (the relay), To (the nodes
// it delivers this copy to) and Created; its Type and Payload must be empty,
// and Relay sets them to TypeRelay and a RelayPayload carrying signed.
//
// The wrapper is a JWS like any envelope, signed by the relay with typ
// TypRelay. The relay can neither alter the originator's envelope nor widen
// its recipients: the receiver verifies the originator's signature end to
// end and checks that the originator addressed it (Open). Relay does not
// verify signed — the relay did so when it received it — but refuses
// anything that is not a well-formed originator's envelope: an envelope
// passes through one relay at most.
func Relay(key identity.Key, hop Envelope, signed []byte) ([]byte, error) {
	if hop.Type != "" && hop.Type != TypeRelay {
		return nil, fault.Field("type", "a relay envelope has type relay, not %q", hop.Type)
	}
	if len(hop.Payload) > 0 {
		return nil, fault.Field("payload", "a relay envelope's payload is the envelope it carries")
	}
	if len(hop.Via) > 0 {
		return nil, fault.Field("via", "is not signed")
	}
	inner, err := Parse(signed, MaxSize)
	if err != nil {
		return nil, fmt.Errorf("relay envelope: %w", err)
	}
	if inner.Envelope.Type == TypeRelay {
		return nil, fault.E(fault.Invalid, "relay envelope: %s was already relayed by %s; an envelope passes through one relay at most",
			inner.Envelope.ID, inner.Envelope.From)
	}
	p, err := NewPayload(RelayPayload{Envelope: string(signed)})
	if err != nil {
		return nil, fmt.Errorf("relay envelope %s: %w", inner.Envelope.ID, err)
	}
	hop.Type, hop.Payload = TypeRelay, p
	return sign(key, hop, TypRelay, RelayLimit(MaxSize))
}

// Policy is what Open needs to know about the receiving node.
type Policy struct {
	// Self is the receiving node's code, e.g. "JP".
	Self string
	// Region is the WCO region Self belongs to (for a RILO, the region it
	// serves), e.g. "AP"; "" when none. Envelopes addressed to
	// RegionPrefix+Region are addressed to Self.
	Region string
	// Now is the receiver's clock; Window the accepted difference between it
	// and the creation time of the envelope as delivered (Window when 0).
	Now    time.Time
	Window time.Duration
	// MaxSize bounds an originator's envelope (MaxSize when 0).
	MaxSize int
	// Key returns the key pinned for a node, directly or through a
	// directory the receiver trusts; ok is false for a node not pinned.
	Key func(node string) (pub ed25519.PublicKey, ok bool)
	// Verifier, when set, returns the key pinned for a node prepared for
	// verifying many envelopes (identity.NewVerifier), which Open then
	// verifies with: the same verdicts, faster. A Verifier for another key
	// than Key's is not used.
	Verifier func(node string) (identity.Verifier, bool)
	// Relay reports whether node may relay envelopes to Self, e.g. only the
	// RILO of Self's region. A nil Relay refuses every relayed envelope.
	Relay func(node string) bool
}

// Verified is an envelope that Open has verified end to end.
type Verified struct {
	// Envelope is the originator's envelope, with Via listing the relay it
	// came through, if any. Its Created is when the originator signed it,
	// which for a relayed envelope may be long ago; deduplicate by ID.
	Envelope Envelope
	// Signed is the originator's compact JWS exactly as signed: what proves
	// the envelope's origin later, and what a relay passes on.
	Signed []byte
	// Claims is Signed's JWS payload decoded (the envelope's JSON, its
	// payload inside), so that what keeps Signed need not decode it again.
	Claims []byte
	// Hop is the envelope as delivered: the relay's wrapper, or Envelope
	// itself when it came directly. Its From is the node that delivered it.
	Hop Envelope
}

// Open is the receiving side in one call. It parses b, verifies it with the
// key pinned for its sender, checks it against the time window and that it
// is addressed to p.Self, and, when it is a relay's wrapper, does the same
// for the originator's envelope inside (except for the window: the
// originator's Created dates from its signing) after checking that the
// relay may relay to Self. Errors are *fault.Error: TooLarge, Invalid,
// Unauthorized (unpinned sender, wrong key, bad signature or algorithm) or
// Forbidden (not addressed to Self, relay not accepted). On error, v.Hop
// holds what the delivered envelope claims, unverified, so that a refusal
// can name its id.
func Open(b []byte, p Policy) (v Verified, err error) {
	if p.Key == nil || p.Self == "" {
		return Verified{}, errors.New("open envelope: policy needs Self and Key")
	}
	window := p.Window
	if window == 0 {
		window = Window
	}
	u, err := Parse(b, p.MaxSize)
	if err != nil {
		return Verified{Hop: u.Envelope}, err
	}
	hop, err := verifyPinned(u, p)
	if err != nil {
		return Verified{Hop: u.Envelope}, err
	}
	if err := CheckWindow(hop, p.Now, window); err != nil {
		return Verified{Hop: u.Envelope}, err
	}
	if !hop.AddressedTo(p.Self, p.Region) {
		return Verified{Hop: u.Envelope}, fault.E(fault.Forbidden, "envelope %s from %s is addressed to %s, not to %s",
			hop.ID, hop.From, strings.Join(hop.To, ", "), p.Self)
	}
	if hop.Type != TypeRelay {
		return Verified{Envelope: hop, Signed: b, Claims: u.claims, Hop: hop}, nil
	}

	if p.Relay == nil || !p.Relay(hop.From) {
		return Verified{Hop: hop}, fault.E(fault.Forbidden, "%s may not relay envelopes to %s", hop.From, p.Self)
	}
	var rp RelayPayload
	if err := hop.Decode(&rp); err != nil {
		return Verified{Hop: hop}, within(err, "envelope relayed by %s", hop.From)
	}
	signed := []byte(rp.Envelope)
	iu, err := Parse(signed, p.MaxSize)
	if err != nil {
		return Verified{Hop: hop}, within(err, "envelope relayed by %s", hop.From)
	}
	if iu.Envelope.Type == TypeRelay {
		return Verified{Hop: hop}, fault.E(fault.Forbidden,
			"envelope relayed by %s was already relayed by %s; an envelope passes through one relay at most", hop.From, iu.Envelope.From)
	}
	inner, err := verifyPinned(iu, p)
	if err != nil {
		// The envelope's id and sender are what it claims, unverified, but
		// they tell the operators which envelope to look for.
		return Verified{Hop: hop}, within(err, "envelope relayed by %s (envelope %s, which says it is from %s)", hop.From,
			clip(iu.Envelope.ID), clip(iu.Envelope.From))
	}
	if !inner.AddressedTo(p.Self, p.Region) {
		return Verified{Hop: hop}, fault.E(fault.Forbidden, "%s relayed envelope %s from %s, which %s addressed to %s, not to %s",
			hop.From, inner.ID, inner.From, inner.From, strings.Join(inner.To, ", "), p.Self)
	}
	inner.Via = []string{hop.From}
	return Verified{Envelope: inner, Signed: signed, Claims: iu.claims, Hop: hop}, nil
}

func verifyPinned(u Unverified, p Policy) (Envelope, error) {
	from := u.Envelope.From
	pub, ok := p.Key(from)
	if !ok {
		return Envelope{}, fault.E(fault.Unauthorized, "envelope from %s: %s is not a pinned peer", from, from)
	}
	if p.Verifier != nil {
		if v, ok := p.Verifier(from); ok && v.Public().Equal(pub) {
			return u.VerifyWith(v)
		}
	}
	return u.Verify(pub)
}

// within puts an error about the envelope a relay carried in its context:
// the sentence format makes of args naming the relay, a colon, and the
// error's message (after its field, where it has one). The sentence is a
// literal at each call, where the list of refusal reasons is read from.
func within(err error, format string, args ...any) error {
	context := fmt.Sprintf(format, args...)
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return fmt.Errorf("%s: %w", context, err)
	}
	msg := fe.Message
	if fe.Field != "" {
		msg = fe.Field + ": " + msg
	}
	return &fault.Error{Kind: fe.Kind, Message: context + ": " + msg, Err: fe.Err}
}
