// Package audit defines the hash-chained audit log: each entry's hash covers
// its own fields and the previous entry's hash, so altering, inserting or
// deleting any entry breaks every link after it. An entry written with a
// stored record version also carries the SHA-256 of that version's body
// (see Vouch), so that the chain covers what the records say and not only
// that they changed. The package is pure; the store persists entries,
// serialises appends and keeps the chain's anchor (the number and hash of
// its last entry), which tells a chain cut short from a complete one.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"liaison/internal/jsonenc"
)

// Actions recorded in the log.
const (
	ActionRecordCreate  = "record.create"
	ActionRecordUpdate  = "record.update"
	ActionRecordRetract = "record.retract"
	ActionRecordRead    = "record.read"
	ActionRecordSearch  = "record.search"
	ActionRecordExport  = "record.export"
	ActionAuthFailed    = "auth.failed"
	ActionUserCreate    = "user.create"
	ActionNodeInit      = "node.init"
	ActionRefdataLoad   = "refdata.load"
	ActionNodeBackup    = "node.backup"
	ActionNodeRestore   = "node.restore"
)

// Genesis is the previous-hash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is what a caller asks to record. It must not carry personal data in
// Detail beyond identifiers of records and users.
type Event struct {
	Actor  string // user name, "system", or "anonymous"
	Action string
	Target string // record id, user name, …
	Detail string // short, free text, e.g. "version 2" or a remote address
}

// Entry is one link of the chain.
type Entry struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"`
	Prev   string    `json:"prev"`
	Hash   string    `json:"hash"`
	// Record and Digests are set on an entry written with stored versions
	// of a record: its id and, in FormatDigests' form, the SHA-256 of the
	// exact bytes of each version's body as stored. Both are "" on every
	// other entry, and on every entry written before digests were kept;
	// those hash exactly as they did then.
	Record  string `json:"record,omitempty"`
	Digests string `json:"digests,omitempty"`
}

// Vouch is what an entry vouches for of a record's stored versions: the
// digests of the bodies the change wrote. A change that rewrites bodies
// already stored (the personal data purged from a retracted record's
// versions) vouches for the new bodies, and its entry supersedes the
// entries that vouched for the old ones.
type Vouch struct {
	Record  string
	Digests []Digest
}

// Digest is the SHA-256, in lower-case hex, of the body of one version of
// a record as stored.
type Digest struct {
	Version int
	SHA256  string
}

// DigestOf computes the digest of a version's body from the bytes stored.
func DigestOf(version int, body []byte) Digest {
	sum := sha256.Sum256(body)
	return Digest{Version: version, SHA256: hex.EncodeToString(sum[:])}
}

// WithDigest returns ds with d in it, in version order: d replaces a digest
// of the same version (the body last written is the one stored).
func WithDigest(ds []Digest, d Digest) []Digest {
	for i := range ds {
		switch {
		case ds[i].Version == d.Version:
			ds[i] = d
			return ds
		case ds[i].Version > d.Version:
			return slices.Insert(ds, i, d)
		}
	}
	return append(ds, d)
}

// FormatDigests writes digests as an entry carries them:
// "VERSION:HEX" for each, separated by ";", in the order given.
func FormatDigests(ds []Digest) string {
	b := make([]byte, 0, len(ds)*(sha256.Size*2+4))
	for i, d := range ds {
		if i > 0 {
			b = append(b, ';')
		}
		b = strconv.AppendInt(b, int64(d.Version), 10)
		b = append(b, ':')
		b = append(b, d.SHA256...)
	}
	return string(b)
}

// ParseDigests reads what FormatDigests writes. It refuses anything else:
// an empty list, a version that is not a positive number or appears twice,
// a digest that is not 64 lower-case hex digits.
func ParseDigests(s string) ([]Digest, error) {
	if s == "" {
		return nil, fmt.Errorf("no digests")
	}
	parts := strings.Split(s, ";")
	out := make([]Digest, 0, len(parts))
	for _, p := range parts {
		v, h, ok := strings.Cut(p, ":")
		if !ok {
			return nil, fmt.Errorf("digest %q is not VERSION:SHA256", p)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || strconv.Itoa(n) != v {
			return nil, fmt.Errorf("digest %q: version %q is not a positive number", p, v)
		}
		if !isHexDigest(h) {
			return nil, fmt.Errorf("digest %q: %q is not a SHA-256 in lower-case hex", p, h)
		}
		for _, d := range out {
			if d.Version == n {
				return nil, fmt.Errorf("version %d has two digests", n)
			}
		}
		out = append(out, Digest{Version: n, SHA256: h})
	}
	return out, nil
}

func isHexDigest(h string) bool {
	if len(h) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Next builds the entry that follows prev (nil for the first entry) for ev at
// time t, with its hash computed.
func Next(prev *Entry, ev Event, t time.Time) Entry {
	return NextVouching(prev, ev, Vouch{}, t)
}

// NextVouching is Next for an entry that vouches for stored versions of a
// record (a zero v vouches for nothing, as Next).
func NextVouching(prev *Entry, ev Event, v Vouch, t time.Time) Entry {
	e := Entry{Seq: 1, Time: t.UTC().Truncate(time.Microsecond), Actor: ev.Actor, Action: ev.Action,
		Target: ev.Target, Detail: ev.Detail, Prev: Genesis}
	if prev != nil {
		e.Seq = prev.Seq + 1
		e.Prev = prev.Hash
	}
	if len(v.Digests) > 0 {
		e.Record, e.Digests = v.Record, FormatDigests(v.Digests)
	}
	e.Hash = Hash(e)
	return e
}

// Hash computes the hash of an entry from its fields and its Prev link. The
// encoding is fixed: JSON of an array of the fields, time in RFC 3339 with
// microseconds in UTC; Record and Digests follow Prev only when either is
// set, so that an entry without them hashes as entries always have.
func Hash(e Entry) string {
	var buf [1024]byte
	sum := sha256.Sum256(hashInput(buf[:0], e))
	return hex.EncodeToString(sum[:])
}

// hashInput appends the bytes Hash digests: exactly those of
// json.Marshal([]any{seq, time, actor, action, target, detail, prev}),
// with record and digests appended to the array when either is set,
// written without reflection (TestHashInputIsJSON holds the two together).
func hashInput(dst []byte, e Entry) []byte {
	dst = append(dst, '[')
	dst = strconv.AppendInt(dst, e.Seq, 10)
	dst = append(dst, ',', '"')
	dst = e.Time.UTC().AppendFormat(dst, timeLayout)
	dst = append(dst, '"')
	for _, s := range [...]string{e.Actor, e.Action, e.Target, e.Detail, e.Prev} {
		dst = append(dst, ',')
		dst = jsonenc.AppendString(dst, s)
	}
	if e.Record != "" || e.Digests != "" {
		dst = append(dst, ',')
		dst = jsonenc.AppendString(dst, e.Record)
		dst = append(dst, ',')
		dst = jsonenc.AppendString(dst, e.Digests)
	}
	return append(dst, ']')
}

// timeLayout is how an entry's time enters its hash.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Break describes the first broken link found by a Verifier.
type Break struct {
	Seq    int64
	Reason string
	// Format and Args are what Reason was made of (Reason is
	// fmt.Sprintf(Format, Args...), Format one of ReasonFormats), for a
	// user interface that words the reason in its user's language.
	Format string
	Args   []any
}

// broken is the Break at entry seq for the reason format says of args.
func broken(seq int64, format string, args ...any) *Break {
	return &Break{Seq: seq, Reason: fmt.Sprintf(format, args...), Format: format, Args: args}
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", b.Seq, b.Reason)
}

// Verifier checks a chain one entry at a time, in sequence order, so that a
// log of any length can be verified while streaming it from the store.
type Verifier struct {
	prev  *Entry
	Count int64
}

// Add checks the next entry. It returns a *Break for the first entry whose
// sequence, link or hash is wrong.
func (v *Verifier) Add(e Entry) error {
	wantSeq, wantPrev := int64(1), Genesis
	if v.prev != nil {
		wantSeq, wantPrev = v.prev.Seq+1, v.prev.Hash
	}
	switch {
	case e.Seq != wantSeq:
		return broken(wantSeq, "expected entry %d, found %d (an entry is missing or out of order)", wantSeq, e.Seq)
	case e.Prev != wantPrev:
		return broken(e.Seq, "link to the previous entry does not match its hash")
	case Hash(e) != e.Hash:
		return broken(e.Seq, "entry content does not match its hash (altered)")
	}
	if err := checkVouch(e); err != nil {
		return err
	}
	cp := e
	v.prev = &cp
	v.Count++
	return nil
}

// checkVouch refuses an entry whose record and digests do not go together:
// digests without a record, a record without digests, digests that do not
// parse. The store never writes such an entry.
func checkVouch(e Entry) error {
	switch {
	case e.Record == "" && e.Digests == "":
		return nil
	case e.Record == "":
		return broken(e.Seq, "entry carries body digests but names no record")
	}
	if _, err := ParseDigests(e.Digests); err != nil {
		return broken(e.Seq, "body digests of record %s do not parse: %v", e.Record, err)
	}
	return nil
}
