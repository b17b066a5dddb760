// Package store declares how a node keeps its data. The sqlite and postgres
// sub-packages implement Store with hand-written SQL and embedded migrations;
// storetest holds the conformance suite both must pass.
//
// Errors are *fault.Error values: fault.NotFound when a row does not exist,
// fault.Conflict for a version or uniqueness conflict. Every mutating method
// appends its audit events in the same transaction as the change, so a change
// is never stored without its audit entry or the other way round.
package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/intel"
)

// Node is the identity of the node a database belongs to.
type Node struct {
	Code    string // administration code, e.g. "HK"
	Created time.Time
}

// Roles of users.
const (
	RoleAdmin   = "admin"
	RoleLiaison = "liaison"
	RoleAnalyst = "analyst"
	RoleAuditor = "auditor"
)

// User is a person or system allowed to call the API. The token itself is
// never stored, only its hash.
type User struct {
	Name      string
	Role      string
	TokenHash string
	Created   time.Time
	Disabled  bool
	// Operations are the ids of the operations the user is a member of;
	// records distributed to an operation are shown only to its members
	// (see records.CanSee).
	Operations []string
}

// RecordHead is what a record's latest version says about whose it is and
// where it stands, as a receiver checks before taking a new version.
type RecordHead struct {
	Originator string
	Status     intel.Status
	Version    int
}

// RecordQuery filters and pages a record listing. Results are ordered by id
// descending (newest first, ids being ULIDs).
type RecordQuery struct {
	Kind       intel.Kind
	Category   string // exact category, or a section ("drugs") matching all below it
	Text       string // full-text query over intel.SearchText
	From, To   string // inclusive bounds on intel.EventDate, YYYY-MM-DD
	Originator string
	Status     intel.Status
	Cursor     string // id of the last record of the previous page; "" for the first
	Limit      int    // 1..1000
}

// RecordPage is one page of a listing. Next is "" on the last page.
type RecordPage struct {
	Records []*intel.Record
	Next    string
}

// AuditQuery selects audit entries by time, in sequence order.
type AuditQuery struct {
	From, To time.Time // zero means unbounded
	AfterSeq int64
	Limit    int
}

// Store is everything a node persists.
type Store interface {
	// InitNode records the node identity once; a second call is a conflict.
	InitNode(ctx context.Context, n Node, ev audit.Event) error
	// Node returns the node identity, or NotFound before InitNode.
	Node(ctx context.Context) (Node, error)

	// CreateRecords stores new records at the version they carry (1), with
	// one audit event each (evs[i] for rs[i]), all in one transaction.
	// A record whose id exists is a Conflict and nothing is stored.
	CreateRecords(ctx context.Context, rs []*intel.Record, evs []audit.Event) error
	// UpdateRecord stores r as a new version. r.Version must be exactly one
	// more than the stored version, otherwise Conflict. Earlier versions stay
	// readable.
	UpdateRecord(ctx context.Context, r *intel.Record, ev audit.Event) error
	// GetRecord returns the latest version.
	GetRecord(ctx context.Context, id string) (*intel.Record, error)
	// RecordHead returns the originator, status and version of a record's
	// latest version without reading its body (NotFound when not held).
	RecordHead(ctx context.Context, id string) (RecordHead, error)
	// RecordHeads returns RecordHead of each of ids that is held, by id, in
	// one read; ids not held are absent from the map.
	RecordHeads(ctx context.Context, ids []string) (map[string]RecordHead, error)
	// GetRecordVersion returns one version.
	GetRecordVersion(ctx context.Context, id string, version int) (*intel.Record, error)
	// RecordHistory returns every version, oldest first.
	RecordHistory(ctx context.Context, id string) ([]*intel.Record, error)
	// ListRecords filters and pages records.
	ListRecords(ctx context.Context, q RecordQuery) (RecordPage, error)
	// CountRecords returns how many records are stored.
	CountRecords(ctx context.Context) (int64, error)

	// CreateUser adds a user; an existing name is a Conflict.
	CreateUser(ctx context.Context, u User, ev audit.Event) error
	// UserByTokenHash finds the enabled user holding a token.
	UserByTokenHash(ctx context.Context, hash string) (User, error)
	// Users lists users by name.
	Users(ctx context.Context) ([]User, error)

	// Audit appends events that are not part of another change (reads,
	// failed authentication) and returns the entries written.
	Audit(ctx context.Context, evs ...audit.Event) ([]audit.Entry, error)
	// AuditEntries lists entries in sequence order.
	AuditEntries(ctx context.Context, q AuditQuery) ([]audit.Entry, error)
	// WalkAudit streams every entry in sequence order to fn, stopping at the
	// first error fn returns.
	WalkAudit(ctx context.Context, fn func(audit.Entry) error) error
	// AuditAnchor returns what the node records of the end of its audit
	// chain, written in the same transaction as every append; an error
	// wrapping ErrNoAnchor when that record was deleted.
	AuditAnchor(ctx context.Context) (audit.Anchor, error)
	// WalkRecordBodies streams to fn, a record at a time in id order (byte
	// order), the digest of every stored version's body, computed from
	// the bytes stored, beside the entries that vouch for the record's
	// bodies, all read in one snapshot, and stops at the first error fn
	// returns. A record that entries name but that has no stored version
	// comes too. Every method that stores a record version (CreateRecords,
	// UpdateRecord, Receive, ReceiveBatch, a rewrite included) vouches
	// for the bytes it writes in the audit entry of its event. Once fn has
	// had every record, it compares, in the same snapshot, each record's
	// row in the table of records held with its latest stored version, and
	// returns the HeadMismatch of the first that differs.
	WalkRecordBodies(ctx context.Context, fn func(audit.RecordBodies) error) error

	// PutRefdata replaces a loaded reference list (e.g. "hs", "countries").
	PutRefdata(ctx context.Context, set string, data []byte, ev audit.Event) error
	// Refdata returns a loaded reference list, or NotFound.
	Refdata(ctx context.Context, set string) ([]byte, error)

	// Agreements and consents: the legal bases of exchange and the
	// originators' consents to onward transmission.

	// PutAgreement adds an agreement to the registry with its audit event,
	// in one transaction. An existing id is a Conflict and nothing is
	// written. Agreements are stored as given; callers validate them.
	PutAgreement(ctx context.Context, a agreement.Agreement, ev audit.Event) error
	// Agreement returns one agreement, or NotFound.
	Agreement(ctx context.Context, id string) (agreement.Agreement, error)
	// Agreements lists the registry ordered by id (byte order).
	Agreements(ctx context.Context) ([]agreement.Agreement, error)
	// SeedAgreements adds several agreements and one audit event, all in one
	// transaction: if any id exists already (or repeats) it is a Conflict
	// naming that id and nothing is written. An empty list writes nothing.
	SeedAgreements(ctx context.Context, as []agreement.Agreement, ev audit.Event) error
	// AddConsent stores an originator's consent with its audit event in one
	// transaction. A consent for a record the store does not hold is
	// NotFound.
	AddConsent(ctx context.Context, c agreement.Consent, ev audit.Event) error
	// Consents lists the consents on file for a record in the order they
	// were recorded; none is an empty list, not an error.
	Consents(ctx context.Context, recordID string) ([]agreement.Consent, error)

	// Federation keeps keys, peers, the outbox and the inbox.
	Federation

	// Matching keeps the links cross-matching found between records, the
	// record versions already matched and the values administrators
	// excluded from matching.
	Matching

	// Requests lists requests for assistance from an index kept beside
	// the records.
	Requests

	// Idempotency keeps the keys clients send so that a record creation
	// sent twice stores one record.
	Idempotency

	Close() error
}

// Federation: the node's keys, its pinned peers, the outbox of deliveries
// and the inbox of envelopes received. See docs/FEDERATION.md.
type Federation interface {
	// PutNodeKey stores a key of this node with its audit event in one
	// transaction. A Current key makes every other key non-current and
	// retired at k.Created. A fingerprint already stored is a Conflict.
	PutNodeKey(ctx context.Context, k NodeKey, ev audit.Event) error
	// NodeKeys lists the node's keys, oldest first; none is an empty list.
	NodeKeys(ctx context.Context) ([]NodeKey, error)

	// PutPeer pins a peer (or re-pins it with a new URL or key) with its
	// audit event in one transaction.
	PutPeer(ctx context.Context, p Peer, ev audit.Event) error
	// Peers lists the pinned peers by code, each with its Queued count.
	Peers(ctx context.Context) ([]Peer, error)
	// Peer returns one pinned peer, or NotFound.
	Peer(ctx context.Context, code string) (Peer, error)

	// Share writes outbox rows and audit events in one transaction and
	// returns the rows with their ids. Rows without an EnvelopeID are
	// refused as Invalid. Either list may be empty.
	Share(ctx context.Context, ds []Delivery, evs []audit.Event) ([]Delivery, error)
	// Deliveries lists the outbox rows of a record in id order ("" lists
	// every row).
	Deliveries(ctx context.Context, recordID string) ([]Delivery, error)
	// ListDeliveries returns one page of the outbox rows q selects, in
	// id order, filtered in the database so that a page is full whenever
	// more rows are there to fill it.
	ListDeliveries(ctx context.Context, q DeliveryQuery) (DeliveryPage, error)
	// RecentDeliveries lists up to limit outbox rows, newest first, with
	// ids below before (0: from the newest) and, unless state is "", in
	// that state: a page of a listing that never reads the whole outbox.
	RecentDeliveries(ctx context.Context, state string, before int64, limit int) ([]Delivery, error)
	// DeliveryCounts counts the outbox rows in each state.
	DeliveryCounts(ctx context.Context) (map[string]int, error)
	// Delivery returns one outbox row, or NotFound.
	Delivery(ctx context.Context, id int64) (Delivery, error)
	// ClaimDeliveries leases one peer with deliveries due at now to owner
	// for lease, and returns up to max of its due rows (queued or failed,
	// NextAttempt reached) in id order, having given an EnvelopeID to any
	// row without one. A peer leased to another owner whose lease has not
	// ended is skipped, so that replicas sharing one database never send
	// the same row at once; a crashed owner's lease simply runs out.
	// No due peer returns "" and no rows.
	ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, max int) (string, []Delivery, error)
	// ClaimMore continues owner's claim on peer, so that a worker can
	// claim the next rows while the ones before are still in flight:
	// while owner holds the peer's lease it extends the lease to
	// now+lease and returns up to max of the peer's due rows with ids
	// above after (the rows claimed so far), ordered and given envelope
	// ids as ClaimDeliveries does. A lease lost to another owner (or
	// released) returns no rows, as does a peer with nothing more due.
	// The claim still ends with FinishDeliveries.
	ClaimMore(ctx context.Context, owner, peer string, after int64, now time.Time, lease time.Duration, max int) ([]Delivery, error)
	// FinishDeliveries records the outcomes of an attempt, the peer's
	// contact (errMsg "" for a successful exchange) and audit events, and
	// releases owner's lease on the peer, in one transaction. An outcome
	// for a row already delivered or refused is ignored.
	FinishDeliveries(ctx context.Context, owner, peer string, now time.Time, outs []DeliveryOutcome, errMsg string, evs []audit.Event) error
	// RecordDeliveries records the outcomes of rows of a claim still held
	// (an attempt going on, see ClaimMore), as FinishDeliveries records
	// them, without touching the peer's state or lease: a long claim shows
	// what it delivered as it goes.
	RecordDeliveries(ctx context.Context, peer string, now time.Time, outs []DeliveryOutcome) error
	// RetryDelivery puts a dead, failed or refused row back in the queue,
	// due at once, with its audit event. A delivered row is a Conflict, and
	// so is a queued one (it is due already, or on its way); nothing is
	// written then.
	RetryDelivery(ctx context.Context, id int64, now time.Time, ev audit.Event) error

	// Receive stores an accepted envelope: its id in the inbox, its
	// record version (if newer than the one held), rewritten earlier
	// versions, a re-pinned peer and its audit event, all in one
	// transaction. An envelope id already received stores nothing and
	// reports duplicate.
	Receive(ctx context.Context, rc Received, ev audit.Event) (duplicate bool, err error)
	// Received reports whether an envelope id is in the inbox.
	Received(ctx context.Context, envelopeID string) (bool, error)
	// ReceivedAmong returns the envelope ids of ids that are in the inbox,
	// in one query.
	ReceivedAmong(ctx context.Context, ids []string) (map[string]bool, error)
	// ReceiveBatch stores the receipts of one inbox batch in their order,
	// all in one transaction: for each accepted envelope what Receive
	// stores (older versions arriving late keep only their inbox row),
	// and every receipt's audit event, linked to the chain in order. A
	// receipt whose envelope id is already in the inbox stores nothing
	// and gets Duplicate; one the store itself refuses (an invalid record)
	// stores nothing and gets Err, without affecting the others. An error
	// returned means nothing of the batch was stored.
	ReceiveBatch(ctx context.Context, rs []Receipt) error
	// Receipts lists the receipts of the envelopes carrying a record that
	// the inbox accepted, oldest first, each with the audit entry that
	// records it.
	Receipts(ctx context.Context, recordID string) ([]EnvelopeReceipt, error)
}

// MatchLink is a link between an entity of one record (Record, Entity) and
// an entity of another (Other, Matched), with its score and reasons. The
// audiences are the matching service's encoding of who may see each record
// when the link was found; the store keeps them as given, so that a link is
// filtered by visibility without reading either record. Of the entities the
// store keeps only their Path in their record (Entity.Path, Matched.Path):
// the matching service reads the entities back from the records, so that a
// stored link stays a few dozen bytes however often a value recurs.
type MatchLink struct {
	Record         string
	Other          string
	RecordAudience string
	OtherAudience  string
	Score          float64
	EntityPath     string // where the entity of Record is in its JSON
	MatchedPath    string // where the entity of Other is in its JSON
	Reasons        []string
	Created        time.Time
}

// MatchSet is the outcome of matching one version of a record: every link
// it has (each with Record set to the set's Record), replacing those it had.
type MatchSet struct {
	Record  string
	Version int
	Links   []MatchLink
	// Purged says that the record was retracted and its personal data
	// purged: the links of other records to it, which name its entities
	// in their reasons, are deleted as well, not only left to no longer
	// count.
	Purged bool
}

// MatchMark says that a record was matched at Version; Seq orders the
// marks by when they were written (a higher Seq was written later).
type MatchMark struct {
	ID      string
	Version int
	Seq     int64
}

// MatchExclusion is a value an administrator excluded from matching: an
// identifier of Type or, for persons, organisations and vessels, a whole
// name.
type MatchExclusion struct {
	ID      int64
	Type    string
	Value   string
	Reason  string
	Actor   string
	Created time.Time
}

// Matching is what cross-matching persists. See internal/matching.
type Matching interface {
	// WalkRecords streams the latest version of every record to fn,
	// retracted ones included, without holding them all in memory, and
	// stops at the first error fn returns. A record holds what
	// cross-matching reads of it (DecodeForMatching); the rest may be
	// left out.
	WalkRecords(ctx context.Context, fn func(*intel.Record) error) error
	// PutMatches stores sets in one transaction. For each set, unless the
	// record is already marked matched at a newer version (the set is
	// then stale and skipped), every link involving the record, on either
	// side, is deleted, the set's links are inserted (a link repeating
	// the same two records and entity paths is kept once) and the record
	// is marked matched at the set's version with a new Seq. A set
	// without a Record, or with a link without an Other, is refused as
	// Invalid naming the field, and nothing is stored.
	PutMatches(ctx context.Context, sets []MatchSet) error
	// Matches returns the links involving a record, on either side,
	// oriented so that Record is recordID, best first (then by Other).
	// A record without links gives an empty list, not an error.
	Matches(ctx context.Context, recordID string) ([]MatchLink, error)
	// Unmatched returns up to limit ids of records whose latest version is
	// not the one marked matched, in id order, from the first id after
	// after ("" for the first page): a caller pages on from the last id it
	// was given, and reads every record once however many are matched.
	Unmatched(ctx context.Context, after string, limit int) ([]string, error)
	// MatchedVersion returns the version of a record marked matched: the
	// one whose links are stored, 0 when none is.
	MatchedVersion(ctx context.Context, recordID string) (int, error)
	// MatchMarks returns up to limit marks with Seq above after, in Seq
	// order.
	MatchMarks(ctx context.Context, after int64, limit int) ([]MatchMark, error)
	// AddMatchExclusion stores an exclusion with its audit event in one
	// transaction and returns it with its ID and Created time. The same
	// type and value twice is a Conflict.
	AddMatchExclusion(ctx context.Context, x MatchExclusion, ev audit.Event) (MatchExclusion, error)
	// MatchExclusions lists the exclusions in ID order.
	MatchExclusions(ctx context.Context) ([]MatchExclusion, error)
	// DeleteMatchExclusion removes an exclusion with its audit event in one
	// transaction; an unknown id is NotFound.
	DeleteMatchExclusion(ctx context.Context, id int64, ev audit.Event) error
}

// SortLinks orders links as Matches returns them: best score first, then
// by the other record's id and the entities' paths, so that the order is
// the same on every backend.
func SortLinks(ls []MatchLink) {
	slices.SortStableFunc(ls, func(a, b MatchLink) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := strings.Compare(a.Other, b.Other); c != 0 {
			return c
		}
		if c := strings.Compare(a.EntityPath, b.EntityPath); c != 0 {
			return c
		}
		return strings.Compare(a.MatchedPath, b.MatchedPath)
	})
}
