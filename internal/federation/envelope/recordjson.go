package envelope

import (
	"bytes"

	"liaison/internal/agreement"
	"liaison/internal/intel"
	"liaison/internal/jsonread"
)

// DecodeRecord reads e's payload into p exactly as Decode does, faster for
// the payloads senders write. A reader made for record payloads
// (intel.ReadJSON, package jsonread) takes those in the plain form the
// payload encoder gives a record of any kind and the decision that allowed
// it: no whitespace, no null, no escapes in member names, every member
// known and given once. It gives up on anything else (an unknown or
// duplicate member, a number that does not fit, a value of the wrong type,
// invalid UTF-8), and then the payload is read by Decode, so that what is
// accepted and what it holds never depend on which reader read it.
func (e Envelope) DecodeRecord(p *RecordPayload) error {
	var fast RecordPayload
	if decodeRecordPayload(e.Payload, &fast) {
		*p = fast
		return nil
	}
	*p = RecordPayload{}
	return e.Decode(p)
}

// DecodeRecordVersion reads the record of e's RecordPayload into rec: the
// record DecodeRecord reads, from a payload DecodeRecord accepts, and an
// error for one it refuses. The sender's decision is read as DecodeRecord
// reads it but not kept, for a receiver that decides for itself.
func (e Envelope) DecodeRecordVersion(rec *intel.Record) error {
	var p RecordPayload
	if readRecordPayload(e.Payload, &p, false) {
		*rec = p.Record
		return nil
	}
	p = RecordPayload{}
	if err := e.Decode(&p); err != nil {
		return err
	}
	*rec = p.Record
	return nil
}

// decodeRecordPayload reads b into p when b is in the plain form, and
// reports whether it was; p is then what the strict decoder gives.
func decodeRecordPayload(b []byte, p *RecordPayload) bool {
	return readRecordPayload(b, p, true)
}

// readRecordPayload is decodeRecordPayload, which keeps the decision in p
// only when keep is set: it takes and refuses the same payloads either way.
func readRecordPayload(b []byte, p *RecordPayload, keep bool) bool {
	const head, mid = `{"record":`, `,"decision":`
	if !bytes.HasPrefix(b, []byte(head)) {
		return false
	}
	r := &jsonread.Reader{B: b, I: len(head)}
	intel.ReadJSON(r, &p.Record)
	if r.Bad() || !bytes.HasPrefix(b[r.I:], []byte(mid)) {
		return false
	}
	r.I += len(mid)
	readDecision(r, &p.Decision, keep)
	r.Expect('}')
	return r.Done()
}

// readDecision reads a decision into d, or only checks its form when keep
// is not set.
func readDecision(r *jsonread.Reader, d *agreement.Decision, keep bool) {
	str := func(dst *string) {
		if keep {
			*dst = r.Str()
		} else {
			r.SkipStr()
		}
	}
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "allowed":
			d.Allowed = r.Bool()
		case "basis":
			b := &agreement.Basis{}
			if keep {
				d.Basis = b
			}
			r.Object(func(name []byte) bool {
				switch string(name) {
				case "kind":
					str(&b.Kind)
				case "agreement":
					str(&b.Agreement)
				case "title":
					str(&b.Title)
				case "via":
					str(&b.Via)
				case "region":
					str(&b.Region)
				default:
					return false
				}
				return true
			})
		case "reasons":
			r.Array(func() {
				if keep {
					d.Reasons = []agreement.Reason{}
				}
			}, func() {
				var x agreement.Reason
				r.Object(func(name []byte) bool {
					switch string(name) {
					case "rule":
						str(&x.Rule)
					case "met":
						x.Met = r.Bool()
					case "text":
						str(&x.Text)
					default:
						return false
					}
					return true
				})
				if keep {
					d.Reasons = append(d.Reasons, x)
				}
			})
		default:
			return false
		}
		return true
	})
}
