package store

import (
	"context"
	"fmt"

	"liaison/internal/audit"
)

// AuditReader is what VerifyAudit reads of a store.
type AuditReader interface {
	WalkAudit(ctx context.Context, fn func(audit.Entry) error) error
	AuditAnchor(ctx context.Context) (audit.Anchor, error)
	WalkRecordBodies(ctx context.Context, fn func(audit.RecordBodies) error) error
}

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
// cut off the end or the anchored entry was replaced), and every stored
// record version's body against the digest its audit entry carries (an
// *audit.BodyMismatch naming the record and version). With exact, the
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
	if err != nil {
		return rep, fmt.Errorf("read the audit anchor: %w", err)
	}
	rep.Anchor, rep.Head = anchor, audit.Genesis
	var v audit.Verifier
	ac := audit.AnchorCheck{Anchor: anchor}
	err = r.WalkAudit(ctx, func(e audit.Entry) error {
		if err := v.Add(e); err != nil {
			return err
		}
		ac.Add(e)
		rep.Head = e.Hash
		return nil
	})
	rep.Entries = v.Count
	if err != nil {
		return rep, err
	}
	if err := ac.Check(exact); err != nil {
		return rep, err
	}
	return rep, nil
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
