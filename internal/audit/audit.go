// Package audit defines the hash-chained audit log: each entry's hash covers
// its own fields and the previous entry's hash, so altering, inserting or
// deleting any entry breaks every link after it. The package is pure; the
// store persists entries and serialises appends.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
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
}

// Next builds the entry that follows prev (nil for the first entry) for ev at
// time t, with its hash computed.
func Next(prev *Entry, ev Event, t time.Time) Entry {
	e := Entry{Seq: 1, Time: t.UTC().Truncate(time.Microsecond), Actor: ev.Actor, Action: ev.Action,
		Target: ev.Target, Detail: ev.Detail, Prev: Genesis}
	if prev != nil {
		e.Seq = prev.Seq + 1
		e.Prev = prev.Hash
	}
	e.Hash = Hash(e)
	return e
}

// Hash computes the hash of an entry from its fields and its Prev link. The
// encoding is fixed: JSON of an array of the fields, time in RFC 3339 with
// microseconds in UTC.
func Hash(e Entry) string {
	var buf [512]byte
	sum := sha256.Sum256(hashInput(buf[:0], e))
	return hex.EncodeToString(sum[:])
}

// hashInput appends the bytes Hash digests: exactly those of
// json.Marshal([]any{seq, time, actor, action, target, detail, prev}),
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
	return append(dst, ']')
}

// timeLayout is how an entry's time enters its hash.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Break describes the first broken link found by a Verifier.
type Break struct {
	Seq    int64
	Reason string
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
		return &Break{Seq: wantSeq, Reason: fmt.Sprintf("expected entry %d, found %d (an entry is missing or out of order)", wantSeq, e.Seq)}
	case e.Prev != wantPrev:
		return &Break{Seq: e.Seq, Reason: "link to the previous entry does not match its hash"}
	case Hash(e) != e.Hash:
		return &Break{Seq: e.Seq, Reason: "entry content does not match its hash (altered)"}
	}
	cp := e
	v.prev = &cp
	v.Count++
	return nil
}
