package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"liaison/internal/audit"
	"liaison/internal/jsonread"
)

// AuditReader is what VerifyAudit reads of a store.
type AuditReader interface {
	WalkAudit(ctx context.Context, fn func(audit.Entry) error) error
	// AuditAnchor returns the anchor, or an error wrapping ErrNoAnchor
	// when its row is gone.
	AuditAnchor(ctx context.Context) (audit.Anchor, error)
	// WalkRecordBodies hands fn every record's stored versions and the
	// entries vouching for them, then, in the same snapshot, returns the
	// HeadMismatch of the first record whose row does not say what its
	// latest stored version says.
	WalkRecordBodies(ctx context.Context, fn func(audit.RecordBodies) error) error
}

// ErrNoAnchor is what AuditAnchor returns, wrapped, when the database
// holds the anchor's table but not the anchor: its one row was deleted.
var ErrNoAnchor = errors.New("the audit anchor (table audit_head) has no row")

// NoAnchorFormat is the reason VerifyChain gives, with the number of the
// last entry found, for a chain whose anchor was deleted.
const NoAnchorFormat = "the node's record of where the audit log ends (audit_head) was deleted; the log ends at entry %d, and entries after it may have been deleted too"

// AuditReport says what VerifyAudit checked.
type AuditReport struct {
	// Entries counts the entries verified and Head is the hash of the last
	// (audit.Genesis for an empty log).
	Entries int64
	Head    string
	// Anchor is what the node records of the chain's end, compared with it.
	Anchor audit.Anchor
	// Versions counts the stored record versions checked: Covered those
	// whose body matches the digest an audit entry vouches for, Uncovered
	// those stored before digests were kept, which no entry vouches for.
	Versions, Covered, Uncovered int64
}

// VerifyAudit checks a store's audit log and what it vouches for: the
// chain link by link (an *audit.Break at the first broken entry), its end
// against the node's anchor (an *audit.AnchorMismatch when entries were
// cut off the end, the anchored entry was replaced or the anchor itself
// deleted), every stored record version's body against the digest its
// audit entry carries and every record's row against its latest version
// (an *audit.BodyMismatch naming the record and version). With exact, the
// store is not written meanwhile (a backup) and the chain must end exactly
// at the anchor; otherwise entries appended while it is verified are
// accepted after it.
func VerifyAudit(ctx context.Context, r AuditReader, exact bool) (AuditReport, error) {
	rep, err := VerifyChain(ctx, r, exact)
	if err != nil {
		return rep, err
	}
	var bc audit.BodyCheck
	err = r.WalkRecordBodies(ctx, bc.Add)
	rep.Versions, rep.Covered, rep.Uncovered = bc.Versions, bc.Covered, bc.Uncovered
	if err != nil {
		return rep, err
	}
	return rep, nil
}

// VerifyChain is the first part of VerifyAudit: the chain link by link and
// its end against the anchor, without reading record bodies (a check cheap
// enough for a page that shows the log).
func VerifyChain(ctx context.Context, r AuditReader, exact bool) (AuditReport, error) {
	var rep AuditReport
	// Read first: entries appended during the walk then come after it.
	anchor, err := r.AuditAnchor(ctx)
	missing := errors.Is(err, ErrNoAnchor)
	if err != nil && !missing {
		return rep, fmt.Errorf("read the audit anchor: %w", err)
	}
	rep.Anchor, rep.Head = anchor, audit.Genesis
	var (
		v    audit.Verifier
		last int64
	)
	ac := audit.AnchorCheck{Anchor: anchor}
	err = r.WalkAudit(ctx, func(e audit.Entry) error {
		if err := v.Add(e); err != nil {
			return err
		}
		ac.Add(e)
		rep.Head, last = e.Hash, e.Seq
		return nil
	})
	rep.Entries = v.Count
	if err != nil {
		return rep, err
	}
	if missing {
		// The anchor is moved by every append and never removed: without
		// it, entries cut off the end would go unnoticed.
		return rep, &audit.AnchorMismatch{Last: last, Reason: fmt.Sprintf(NoAnchorFormat, last),
			Format: NoAnchorFormat, Args: []any{last}}
	}
	if err := ac.Check(exact); err != nil {
		return rep, err
	}
	return rep, nil
}

// RecordRow is what a store says of a record's latest version: in its
// row in the table of records held, which listings, filters and searches
// read, or in the body of its latest stored version. Version 0 is a record
// the table or the stored versions do not hold.
type RecordRow struct {
	Version                  int
	Status, Kind, Originator string
}

// HeadMismatch reports a record whose row in the table of records held
// does not say what its latest stored version says (head what the row
// says, latest what the version does), or nil when both agree. A driver's
// WalkRecordBodies returns it for the first such record: the bodies are
// vouched for by the audit chain, and the row must follow them, or a
// retracted record would be listed as active, say, without any body
// changed.
func HeadMismatch(id string, head, latest RecordRow) *audit.BodyMismatch {
	switch {
	case head == latest:
		return nil
	case head.Version == 0:
		return &audit.BodyMismatch{Record: id, Version: latest.Version, Reason: "the version is stored but the record " +
			"has no row in the table of records held, so it is neither listed nor found (deleted)"}
	case latest.Version == 0:
		return &audit.BodyMismatch{Record: id, Version: head.Version, Reason: "the table of records held lists the " +
			"record at this version, but no version of it is stored (deleted)"}
	}
	return &audit.BodyMismatch{Record: id, Version: latest.Version, Reason: fmt.Sprintf(
		"the table of records held says version %d, %s %s of %s, but the latest version stored is %d, %s %s of %s (altered)",
		head.Version, head.Status, head.Kind, head.Originator, latest.Version, latest.Status, latest.Kind, latest.Originator)}
}

// MergeBodies turns two streams sorted by record id in byte order, the
// stored versions (each with its record id and digest, versions of a
// record in order) and the entries vouching for bodies (by Record, then
// sequence), into one audit.RecordBodies a record to fn. Each next reports
// false at its end. A stream out of order is an error rather than a
// mismatch reported for the wrong record.
func MergeBodies(nextVersion func() (string, audit.Digest, bool, error), nextEntry func() (audit.Entry, bool, error), fn func(audit.RecordBodies) error) error {
	vid, vd, vok, err := nextVersion()
	if err != nil {
		return fmt.Errorf("read record versions: %w", err)
	}
	e, eok, err := nextEntry()
	if err != nil {
		return fmt.Errorf("read audit entries: %w", err)
	}
	last := ""
	for first := true; vok || eok; first = false {
		id := vid
		if !vok || (eok && e.Record < vid) {
			id = e.Record
		}
		if !first && id <= last {
			return fmt.Errorf("record %s comes after %s: record versions or audit entries are not in id order", id, last)
		}
		last = id
		rb := audit.RecordBodies{Record: id}
		for vok && vid == id {
			rb.Stored = append(rb.Stored, vd)
			if vid, vd, vok, err = nextVersion(); err != nil {
				return fmt.Errorf("read record versions: %w", err)
			}
		}
		for eok && e.Record == id {
			rb.Entries = append(rb.Entries, e)
			if e, eok, err = nextEntry(); err != nil {
				return fmt.Errorf("read audit entries: %w", err)
			}
		}
		if err := fn(rb); err != nil {
			return err
		}
	}
	return nil
}

// HeadCheck compares every record's row in the table of records held with
// its latest stored version while a driver's WalkRecordBodies streams the
// versions, so that the bodies are read once: Version notes each version
// as it is read (its body's version, status, kind and originator), Record
// compares the rows up to a record whose bodies were just checked, End
// the rows after the last. rows gives the table's rows in the order of the
// walk (record id in byte order); it reports false at its end.
type HeadCheck struct {
	rows   func() (string, RecordRow, bool, error)
	id     string
	head   RecordRow
	more   bool
	read   bool
	latest map[string]RecordRow // versions read ahead of their record's check
	unread map[string]*audit.BodyMismatch
}

// NewHeadCheck returns a HeadCheck over the rows rows gives.
func NewHeadCheck(rows func() (string, RecordRow, bool, error)) *HeadCheck {
	return &HeadCheck{rows: rows, latest: map[string]RecordRow{}, unread: map[string]*audit.BodyMismatch{}}
}

// Version notes a stored version of record id, read in version order.
func (c *HeadCheck) Version(id string, version int, body []byte) error {
	row, err := RowOfBody(body)
	if err != nil {
		// Said once the body has been compared with its digest, which
		// names an altered body first.
		c.unread[id] = &audit.BodyMismatch{Record: id, Version: version, Reason: err.Error()}
	} else {
		delete(c.unread, id) // only the latest version is compared with the row
	}
	row.Version = version
	c.latest[id] = row
	return nil
}

// Record compares the rows of the records up to id, whose versions have
// all been noted, with their latest versions, and returns the
// HeadMismatch of the first that differs.
func (c *HeadCheck) Record(id string) error {
	latest := c.latest[id]
	delete(c.latest, id)
	if m := c.unread[id]; m != nil {
		return m
	}
	if err := c.before(id, true); err != nil {
		return err
	}
	var head RecordRow
	if c.more && c.id == id {
		head = c.head
		c.read = false
	}
	if m := HeadMismatch(id, head, latest); m != nil {
		return m
	}
	return nil
}

// End compares the rows after the last record walked: records with no
// version stored.
func (c *HeadCheck) End() error { return c.before("", false) }

// before reports the first row, before id (bounded) or to the end, of a
// record with no version stored, and leaves the row at id, if any, read.
func (c *HeadCheck) before(id string, bounded bool) error {
	for {
		if !c.read {
			var err error
			c.id, c.head, c.more, err = c.rows()
			if err != nil {
				return fmt.Errorf("read the table of records held: %w", err)
			}
			c.read = true
		}
		if !c.more || (bounded && c.id >= id) {
			return nil
		}
		if m := HeadMismatch(c.id, c.head, RecordRow{}); m != nil {
			return m
		}
		c.read = false
	}
}

// RowOfBody reads what a stored body says of its record's row: version,
// status, kind and originator (each "" when absent), its other members
// skipped.
func RowOfBody(body []byte) (RecordRow, error) {
	var row RecordRow
	r := jsonread.New(body)
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "version":
			row.Version = int(r.Int())
		case "status":
			row.Status = r.Str()
		case "kind":
			row.Kind = r.Str()
		case "originator":
			row.Originator = r.Str()
		default:
			r.Skip()
		}
		return true
	})
	if !r.Bad() {
		return row, nil
	}
	// Not in the canonical form the stores write (the reader above takes
	// no spaces, say): read it as any JSON.
	var v struct {
		Version                  int
		Status, Kind, Originator string
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return RecordRow{}, fmt.Errorf("the stored body is not a JSON record: %w", err)
	}
	return RecordRow{Version: v.Version, Status: v.Status, Kind: v.Kind, Originator: v.Originator}, nil
}
