package audit

import (
	"fmt"
)

// Anchor is what a node records of its chain's end, in the same
// transaction as every append: the number of the last entry, which in a
// chain numbered from 1 without gaps is how many entries it has, and that
// entry's hash (Genesis when there is none). A chain cut short still
// verifies link by link; its anchor is what tells.
type Anchor struct {
	Entries int64
	Head    string
}

// AnchorMismatch says that the chain does not end where the node's anchor
// says it does.
type AnchorMismatch struct {
	// Last is the number of the last entry found, Anchor what the node
	// records.
	Last   int64
	Anchor Anchor
	Reason string
	// Format and Args are what Reason was made of (Reason is
	// fmt.Sprintf(Format, Args...), Format one of ReasonFormats), for a
	// user interface that words the reason in its user's language.
	Format string
	Args   []any
}

func (m *AnchorMismatch) Error() string { return m.Reason }

// mismatch is the AnchorMismatch of a chain whose last entry is last, for
// the reason format says of args.
func mismatch(last int64, a Anchor, format string, args ...any) *AnchorMismatch {
	return &AnchorMismatch{Last: last, Anchor: a, Reason: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// AnchorCheck follows a chain as a Verifier accepts it, entry by entry, and
// then compares its end with an anchor. The anchor is read before the walk
// begins, so that on a node that keeps appending the entries added
// meanwhile are not taken for entries that should not be there.
type AnchorCheck struct {
	Anchor Anchor
	last   int64
	hashAt string // the hash of entry Anchor.Entries, once seen
}

// Add notes an entry the Verifier accepted.
func (c *AnchorCheck) Add(e Entry) {
	c.last = e.Seq
	if e.Seq == c.Anchor.Entries {
		c.hashAt = e.Hash
	}
}

// Check compares the end of the chain with the anchor: the chain must
// reach the anchored entry and that entry must be the one anchored. With
// exact (a database nobody writes, such as a backup) the chain must also
// end there.
func (c *AnchorCheck) Check(exact bool) error {
	a := c.Anchor
	switch {
	case c.last < a.Entries:
		return mismatch(c.last, a,
			"the audit log ends at entry %d but the node records %d entries; entries after %d were deleted",
			c.last, a.Entries, c.last)
	case a.Entries == 0 && a.Head != Genesis:
		return mismatch(c.last, a, "the node records no audit entries but a head hash %s", a.Head)
	case a.Entries > 0 && c.hashAt != a.Head:
		return mismatch(c.last, a,
			"audit entry %d is not the one the node recorded as the head of the chain (hash %s, recorded %s); the entries up to it were rewritten",
			a.Entries, c.hashAt, a.Head)
	case exact && c.last > a.Entries:
		return mismatch(c.last, a,
			"the audit log ends at entry %d but the node records %d entries; entries after %d were added without the node recording them",
			c.last, a.Entries, a.Entries)
	}
	return nil
}

// RecordBodies is what checking one record's bodies reads: the digest of
// every stored version, computed from the bytes stored, in version order,
// and the entries that vouch for the record's bodies (Entry.Record), in
// sequence order. Either may be empty.
type RecordBodies struct {
	Record  string
	Stored  []Digest
	Entries []Entry
}

// BodyMismatch says that a stored version of a record is not what the
// audit chain vouches for.
type BodyMismatch struct {
	Record  string
	Version int
	// Seq is the entry that vouches for the version, 0 when none does.
	Seq    int64
	Reason string
}

func (m *BodyMismatch) Error() string {
	return fmt.Sprintf("record %s version %d: %s", m.Record, m.Version, m.Reason)
}

// BodyCheck compares records' stored bodies with the digests the chain
// vouches for, a record at a time, and counts what it compared. The entry
// with the highest sequence number that vouches for a version is the one
// that counts: a purge vouches anew for the bodies it rewrote.
type BodyCheck struct {
	// Versions counts the stored versions checked; Covered those whose
	// body matches its digest, Uncovered those no entry vouches for (stored
	// before digests were kept).
	Versions, Covered, Uncovered int64
}

// Add checks one record. It returns a *BodyMismatch naming the first
// version that differs from its digest, that an entry vouches for but is
// not stored, or that no entry vouches for although entries vouch for an
// earlier version of the record (versions stored since digests were kept
// all have one); and a *Break for an entry whose own hash or digests are
// wrong.
func (c *BodyCheck) Add(rb RecordBodies) error {
	type vouched struct {
		sha string
		seq int64
	}
	want := make(map[int]vouched)
	oldest := 0 // the lowest version an entry vouches for
	for _, e := range rb.Entries {
		if Hash(e) != e.Hash {
			return broken(e.Seq, "entry content does not match its hash (altered)")
		}
		ds, err := ParseDigests(e.Digests)
		if err != nil {
			return broken(e.Seq, "body digests of record %s do not parse: %v", rb.Record, err)
		}
		for _, d := range ds {
			if w, ok := want[d.Version]; !ok || e.Seq > w.seq {
				want[d.Version] = vouched{sha: d.SHA256, seq: e.Seq}
			}
			if oldest == 0 || d.Version < oldest {
				oldest = d.Version
			}
		}
	}
	for _, d := range rb.Stored {
		c.Versions++
		w, ok := want[d.Version]
		switch {
		case ok && w.sha != d.SHA256:
			return &BodyMismatch{Record: rb.Record, Version: d.Version, Seq: w.seq, Reason: fmt.Sprintf(
				"the stored body does not match the digest in audit entry %d (altered)", w.seq)}
		case ok:
			c.Covered++
			delete(want, d.Version)
		case oldest > 0 && d.Version > oldest:
			return &BodyMismatch{Record: rb.Record, Version: d.Version, Reason: fmt.Sprintf(
				"no audit entry vouches for this version, though entries vouch for version %d before it (added behind the node's back)",
				oldest)}
		default:
			c.Uncovered++
		}
	}
	if len(want) > 0 {
		first := 0
		for v := range want {
			if first == 0 || v < first {
				first = v
			}
		}
		w := want[first]
		return &BodyMismatch{Record: rb.Record, Version: first, Seq: w.seq, Reason: fmt.Sprintf(
			"audit entry %d vouches for this version, which is not stored (deleted)", w.seq)}
	}
	return nil
}
