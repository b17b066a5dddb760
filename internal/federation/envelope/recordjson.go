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

// decodeRecordPayload reads b into p when b is in the plain form, and
// reports whether it was; p is then what the strict decoder gives.
func decodeRecordPayload(b []byte, p *RecordPayload) bool {
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
	readDecision(r, &p.Decision)
	r.Expect('}')
	return r.Done()
}

func readDecision(r *jsonread.Reader, d *agreement.Decision) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "allowed":
			d.Allowed = r.Bool()
		case "basis":
			b := &agreement.Basis{}
			d.Basis = b
			r.Object(func(name []byte) bool {
				switch string(name) {
				case "kind":
					b.Kind = r.Str()
				case "agreement":
					b.Agreement = r.Str()
				case "title":
					b.Title = r.Str()
				case "via":
					b.Via = r.Str()
				case "region":
					b.Region = r.Str()
				default:
					return false
				}
				return true
			})
		case "reasons":
			r.Array(func() { d.Reasons = []agreement.Reason{} }, func() {
				var x agreement.Reason
				r.Object(func(name []byte) bool {
					switch string(name) {
					case "rule":
						x.Rule = r.Str()
					case "met":
						x.Met = r.Bool()
					case "text":
						x.Text = r.Str()
					default:
						return false
					}
					return true
				})
				d.Reasons = append(d.Reasons, x)
			})
		default:
			return false
		}
		return true
	})
}
