package store

import (
	"bytes"
	"encoding/json"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/intel"
)

// NodeKey is one of the node's Ed25519 identity keys. Exactly one key is
// Current: the one that signs. Keys rotated away stay, marked Retired, so
// that what they signed can still be verified.
type NodeKey struct {
	Fingerprint string
	// Private is the PKCS #8 PEM block of identity.MarshalPrivate.
	Private []byte
	// Public is identity.EncodePublic of the public half.
	Public  string
	Created time.Time
	Retired *time.Time
	Current bool
	// Rotation is the signed statement (identity.SignRotation) that made
	// this key current; empty for the key created at init.
	Rotation []byte
}

// Peer states.
const (
	PeerActive      = "active"
	PeerUnreachable = "unreachable"
	PeerRefusing    = "refusing"
)

// Peer is a node this node exchanges with, pinned by the fingerprint of its
// key like an SSH known host.
type Peer struct {
	Code        string
	URL         string // base URL, e.g. https://jp.example
	PublicKey   string // identity.EncodePublic
	Fingerprint string
	// State is PeerActive, PeerUnreachable or PeerRefusing, as the last
	// delivery found it.
	State       string
	Added       time.Time
	LastContact *time.Time
	LastError   string
	// Queued counts the deliveries to this peer not yet delivered, refused
	// or dead; filled by Peers.
	Queued int
}

// Delivery states.
const (
	DeliveryQueued    = "queued"
	DeliveryDelivered = "delivered"
	DeliveryRefused   = "refused"
	DeliveryFailed    = "failed" // a retryable failure; the row is retried at NextAttempt
	DeliveryDead      = "dead"
)

// Delivery is one outbox row: an envelope for one peer, unsigned. The
// delivery worker signs it at send time with a fresh created time and the
// same EnvelopeID.
type Delivery struct {
	ID int64
	// EnvelopeID is the ULID the envelope carries. Rows enqueued by the
	// database itself (the updates and retractions of records already
	// shared) get theirs when first claimed; it never changes after.
	EnvelopeID string
	Peer       string
	Type       string // an envelope type, e.g. "record.create"
	RecordID   string
	Version    int
	// Payload is the envelope payload for types that do not carry a
	// record (key.rotate); record payloads are built at send time from
	// the stored version.
	Payload []byte
	// Decision is the JSON of the agreement.Decision that allowed it.
	Decision []byte
	// Body is the stored body of the record at Version (the JSON
	// json.Marshal writes for it), filled by ClaimDeliveries for
	// record.create and record.update rows so that the worker need not
	// read the record again; nil otherwise, or when that version is not
	// held.
	Body []byte
	// SignKey is the fingerprint of the key that must sign it; "" for the
	// current key.
	SignKey       string
	State         string
	Attempts      int
	LastError     string
	NextAttempt   time.Time
	Created       time.Time
	DeliveredAt   *time.Time
	RefusalReason string
	// RefusalSigned is the receiver's signed refusal, verified.
	RefusalSigned string
	// Once, on a row given to Share, leaves it unwritten when the outbox
	// already holds a delivery of the same record version and type to the
	// same peer that was not refused, and Share returns that one in its
	// place: a request for assistance sent again (a client resending its
	// creation) is queued once. Not stored.
	Once bool
}

// DeliveryQuery selects a page of outbox rows for a listing, in id order.
type DeliveryQuery struct {
	// Record, when set, selects the rows of that record only.
	Record string
	// After is the id of the last row of the previous page; 0 for the
	// first page.
	After int64
	Limit int // 1..MaxLimit; 0 is DefaultLimit
	// Restricted leaves out the rows of the records one user may not see:
	// those whose latest version is distributed to an operation
	// (distribution scope "operation") other than the Operations listed,
	// and those of records not held. Rows about no record (key
	// rotations) stay. A query that is not Restricted lists every row.
	Restricted bool
	Operations []string
}

// Checked returns q with its defaults filled in, or an Invalid error
// naming what is wrong.
func (q DeliveryQuery) Checked() (DeliveryQuery, error) {
	var err error
	if q.Limit, err = checkLimit(q.Limit); err != nil {
		return q, err
	}
	if q.After < 0 {
		return q, fault.Field("after", "must not be negative")
	}
	return q, nil
}

// DeliveryPage is one page of outbox rows. Next is the After of the
// following page, 0 on the last page.
type DeliveryPage struct {
	Deliveries []Delivery
	Next       int64
}

// DeliveryOutcome is what one attempt at a delivery found.
type DeliveryOutcome struct {
	ID    int64
	State string // DeliveryDelivered, DeliveryRefused, DeliveryFailed or DeliveryDead
	Error string
	// NextAttempt is when a failed delivery is tried again.
	NextAttempt   time.Time
	RefusalReason string
	RefusalSigned string
}

// Received is an envelope the inbox accepted, to be stored with its effect
// in one transaction.
type Received struct {
	EnvelopeID string
	From       string
	Type       string
	Signed     []byte
	// Claims, when set, is Signed's JWS payload decoded, which a store
	// that keeps Signed packed then need not decode again. It must be
	// exactly that.
	Claims []byte
	// Key is the fingerprint of the key that signed the envelope, and Via
	// the relays it came through; both are kept with its receipt.
	Key string
	Via []string
	// Record is the record version to store (create, update, retract);
	// nil for envelopes that store no record. A version not newer than the
	// one held is not stored (an older version arriving late).
	Record *intel.Record
	// Rewrite replaces the stored bodies of earlier versions of Record,
	// e.g. with their personal data purged on retraction. The envelopes
	// that carried the record here before (every type but
	// record.retract) are then kept as Detached gives them, without the
	// payload that carried those bodies, and so are the envelopes of the
	// record that this node relays (DetachedRelay): those not sent yet are
	// refused as Withdrawn instead.
	Rewrite []*intel.Record
	// Peer, when set, re-pins the sender (a key rotation).
	Peer *Peer
	// Outbox holds what this node sends because it accepted the envelope
	// (the acknowledgement of a request, a RILO's relays), and Events
	// their audit entries: written with the receipt, in its transaction,
	// and not at all when the envelope is a duplicate or refused, so that
	// nothing is sent for an envelope not held and nothing twice for one
	// delivered again.
	Outbox []Delivery
	Events []audit.Event
}

// WithDefaults returns d as an outbox row is first written: queued,
// created at now and due when created, where d does not say otherwise.
func (d Delivery) WithDefaults(now time.Time) Delivery {
	if d.State == "" {
		d.State = DeliveryQueued
	}
	if d.Created.IsZero() {
		d.Created = now
	}
	if d.NextAttempt.IsZero() {
		d.NextAttempt = d.Created
	}
	return d
}

// Detached is a compact JWS without its payload, as RFC 7515 (appendix F)
// writes a signature over detached content: "HEADER..SIGNATURE". What
// remains of a purged envelope says who signed what kind of message when,
// and with which signature, but no longer carries the record. Anything
// that is not three parts is returned as it is.
func Detached(signed []byte) []byte {
	i, j := bytes.IndexByte(signed, '.'), bytes.LastIndexByte(signed, '.')
	if i < 0 || j == i || bytes.Count(signed, []byte{'.'}) != 2 {
		return signed
	}
	out := make([]byte, 0, i+1+len(signed)-j)
	return append(append(out, signed[:i+1]...), signed[j:]...)
}

// DetachedRelay is the payload of a relay delivery ({"envelope": JWS}, see
// docs/FEDERATION.md) with the envelope it wraps Detached. Anything else is
// returned as it is.
func DetachedRelay(payload []byte) []byte {
	var p struct {
		Envelope string `json:"envelope"`
	}
	if err := json.Unmarshal(payload, &p); err != nil || p.Envelope == "" {
		return payload
	}
	p.Envelope = string(Detached([]byte(p.Envelope)))
	out, err := json.Marshal(p)
	if err != nil {
		return payload
	}
	return out
}

// RowScanner is what the rows of a query offer on either driver.
type RowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// KeyedText is a row's key and a text of it.
type KeyedText[K any] struct {
	Key  K
	Text string
}

// ReadKeyedTexts reads every row of (key, text) that rows holds; the
// caller closes rows.
func ReadKeyedTexts[K any](rows RowScanner) ([]KeyedText[K], error) {
	var out []KeyedText[K]
	for rows.Next() {
		var r KeyedText[K]
		if err := rows.Scan(&r.Key, &r.Text); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Withdrawn is the refusal reason of a delivery of a record (or a relay of
// it) that was still waiting when the record was retracted: it is never
// sent, nor retried. The stores' outbox_follow triggers write it too.
const Withdrawn = "withdrawn: the originator retracted the record before it was sent"

// MaxClaim bounds the rows one ClaimDeliveries returns: a worker sends
// them as several requests of at most envelope.MaxBatch, and a larger
// claim spreads the cost of claiming and finishing over more envelopes.
const MaxClaim = 4000

// Receipt is one envelope of an inbox batch for ReceiveBatch: an accepted
// envelope with its audit event, or, with Received nil, only the audit
// event of a refusal.
type Receipt struct {
	Received *Received
	Event    audit.Event
	// Duplicate is set by ReceiveBatch when the envelope id was already in
	// the inbox: nothing of the receipt was stored.
	Duplicate bool
	// Err is set by ReceiveBatch when the store refused the envelope (an
	// invalid record): nothing of the receipt was stored.
	Err error
	// Stored is set by ReceiveBatch when Received.Record was stored as the
	// record's latest version (not when an equal or newer version was
	// already held), so that what follows the commit can use the record
	// without reading it back.
	Stored bool
}

// EnvelopeReceipt is the stored receipt of an envelope the inbox accepted:
// who signed it, with which key, through which relays, the record version
// it carried and the audit entry that records it.
type EnvelopeReceipt struct {
	EnvelopeID string
	Type       string
	From       string
	Key        string
	Via        []string
	RecordID   string
	Version    int
	Received   time.Time
	AuditSeq   int64
	// Signed is the originator's envelope as received (compact JWS), kept
	// with its inbox row.
	Signed []byte
}

// PlainlyDelivered splits outs into the ids of the rows delivered without
// remark (no error, no refusal, no next attempt), which a store may finish
// with one statement, and the other outcomes, in order.
func PlainlyDelivered(outs []DeliveryOutcome) (ids []int64, rest []DeliveryOutcome) {
	for _, o := range outs {
		if o.State == DeliveryDelivered && o.Error == "" && o.NextAttempt.IsZero() && o.RefusalReason == "" && o.RefusalSigned == "" {
			ids = append(ids, o.ID)
			continue
		}
		rest = append(rest, o)
	}
	return ids, rest
}

// PeerRetry is when a peer found unreachable at now is tried again, given
// the outcomes of the attempt: when the first of its failed rows is due
// (now when none failed). Until then none of its rows is claimed, so that
// a peer that is down is backed off as a whole rather than row by row.
func PeerRetry(now time.Time, outs []DeliveryOutcome) time.Time {
	var at time.Time
	for _, o := range outs {
		if o.State == DeliveryFailed && (at.IsZero() || o.NextAttempt.Before(at)) {
			at = o.NextAttempt
		}
	}
	if at.IsZero() || at.Before(now) {
		return now
	}
	return at
}
