package envelope

import (
	"encoding/json"
	"time"

	josejson "github.com/go-jose/go-jose/v4/json"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/intel"
)

// Claimed returns the sharing decision d as a record envelope carries it:
// whether it allowed the exchange, its legal basis and the verdict of each
// rule, in order, without the sentences. The sentences stay with the
// sender, which stores and audits the decision as made; on the wire they
// were most of every envelope, in one language, and the receiver words
// reasons from its own decision, in its users' languages.
func Claimed(d agreement.Decision) agreement.Decision {
	c := agreement.Decision{Allowed: d.Allowed, Basis: d.Basis}
	if d.Reasons != nil {
		c.Reasons = make([]agreement.Reason, len(d.Reasons))
		for i, r := range d.Reasons {
			c.Reasons[i] = agreement.Reason{Rule: r.Rule, Met: r.Met}
		}
	}
	return c
}

// RecordPayload carries one version of a record (TypeRecordCreate,
// TypeRecordUpdate, TypeFeedback, TypeRequest, TypeResponse) with the
// sender's sharing decision as it was made, as Claimed gives it, so that
// the receiver sees the legal basis claimed and the rules the sender found
// met, and can check the same rules from its side.
type RecordPayload struct {
	Record   intel.Record       `json:"record"`
	Decision agreement.Decision `json:"decision"`
}

// RetractPayload withdraws a record (TypeRecordRetract): every recipient
// marks the record retracted at Version and purges its personal data.
type RetractPayload struct {
	RecordID string `json:"record"`
	// Version is the record's version that carries the retraction.
	Version int    `json:"version"`
	Reason  string `json:"reason,omitempty"`
}

// ConsentPayload is an originator's consent (TypeConsent), sent to a node
// holding its record, to pass that record on to Recipient (a node code or
// agreement.AnyRecipient).
type ConsentPayload struct {
	RecordID  string    `json:"record"`
	Recipient string    `json:"recipient"`
	Given     time.Time `json:"given"`
	// Reference identifies the consent in the originator's files.
	Reference string `json:"reference,omitempty"`
	Note      string `json:"note,omitempty"`
}

// AckPayload is a receiver's signed receipt (TypeAck) of the envelope with
// id Envelope: Accepted or Duplicate, each meaning it is durably stored.
type AckPayload struct {
	Envelope string `json:"envelope"`
	Status   Status `json:"status"`
}

// RefusalPayload is a receiver's signed refusal (TypeRefusal) of the
// envelope with id Envelope ("" when the envelope was unreadable), with the
// reason as a sentence.
type RefusalPayload struct {
	Envelope string `json:"envelope"`
	Reason   string `json:"reason"`
}

// RotatePayload announces a node's next key (TypeKeyRotate): Statement is
// the rotation statement of identity.SignRotation, a JSON object.
type RotatePayload struct {
	Statement json.RawMessage `json:"statement"`
}

// RelayPayload is the payload of a relay's wrapper (TypeRelay): the
// originator's envelope in compact serialisation, exactly as signed.
type RelayPayload struct {
	Envelope string `json:"envelope"`
}

// Decode reads e's payload into v. Member names match exactly (not
// case-insensitively as encoding/json does) and an object with a duplicate
// member is refused, so that every reader of a signed payload sees the same
// values. Members v does not have are ignored.
func (e Envelope) Decode(v any) error {
	if err := josejson.Unmarshal(e.Payload, v); err != nil {
		return fault.Wrap(fault.Invalid, err, "payload of %s envelope %s does not read", e.Type, e.ID)
	}
	return nil
}
