package envelope

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"

	"liaison/internal/agreement"
	"liaison/internal/intel"
)

// DecodeRecord reads e's payload into p exactly as Decode does, faster for
// the payloads senders write. A reader made for record payloads takes
// those in the plain form the payload encoder gives a record of any kind
// and the decision that allowed it: no whitespace, no escapes in strings,
// no null, every member known and given once. It gives up on anything else
// (an unknown or duplicate member, an escape, a number that does not fit,
// a value of the wrong type), and then the payload is read by Decode,
// so that what is accepted and what it holds never depend on which reader
// read it.
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
	r := reader{b: b, i: len(head)}
	r.record(&p.Record)
	if r.bad || !bytes.HasPrefix(b[r.i:], []byte(mid)) {
		return false
	}
	r.i += len(mid)
	r.decision(&p.Decision)
	r.expect('}')
	return !r.bad && r.i == len(b)
}

// reader reads the plain form of record payloads. Any departure from it
// sets bad and ends the reading.
type reader struct {
	b   []byte
	i   int
	bad bool
}

func (r *reader) fail() {
	r.bad = true
	r.i = len(r.b)
}

// next consumes c if it comes next.
func (r *reader) next(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *reader) expect(c byte) {
	if !r.next(c) {
		r.fail()
	}
}

// raw reads a string without escapes or control characters, in valid
// UTF-8, and returns its content (the decoders agree that its value is
// those bytes).
func (r *reader) raw() []byte {
	if !r.next('"') {
		r.fail()
		return nil
	}
	start := r.i
	ascii := true
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			if !ascii && !utf8.Valid(s) {
				r.fail()
				return nil
			}
			return s
		case c == '\\' || c < 0x20:
			r.fail()
			return nil
		case c >= 0x80:
			ascii = false
		}
		r.i++
	}
	r.fail()
	return nil
}

func (r *reader) str() string { return string(r.raw()) }

func (r *reader) boolean() bool {
	switch {
	case bytes.HasPrefix(r.b[r.i:], []byte("true")):
		r.i += 4
		return true
	case bytes.HasPrefix(r.b[r.i:], []byte("false")):
		r.i += 5
	default:
		r.fail()
	}
	return false
}

// number reads a JSON number and returns its text.
func (r *reader) number() string {
	start := r.i
	r.next('-')
	switch {
	case r.next('0'):
	case r.i < len(r.b) && r.b[r.i] >= '1' && r.b[r.i] <= '9':
		r.digits()
	default:
		r.fail()
		return ""
	}
	if r.next('.') {
		if !r.digits() {
			r.fail()
			return ""
		}
	}
	if r.next('e') || r.next('E') {
		if !r.next('+') {
			r.next('-')
		}
		if !r.digits() {
			r.fail()
			return ""
		}
	}
	return string(r.b[start:r.i])
}

func (r *reader) digits() bool {
	start := r.i
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
	}
	return r.i > start
}

func (r *reader) integer() int64 {
	n, err := strconv.ParseInt(r.number(), 10, 64)
	if err != nil {
		r.fail()
	}
	return n
}

func (r *reader) float() float64 {
	f, err := strconv.ParseFloat(r.number(), 64)
	if err != nil {
		r.fail()
	}
	return f
}

// time reads a string as time.Time's own UnmarshalJSON does, which is what
// the strict decoder calls.
func (r *reader) time() time.Time {
	start := r.i
	r.raw()
	var t time.Time
	if r.bad || t.UnmarshalJSON(r.b[start:r.i]) != nil {
		r.fail()
	}
	return t
}

// object reads an object, calling member for each member's name; member
// reads the value and returns false for a name it does not know. A name
// given twice ends the reading.
func (r *reader) object(member func(name string) bool) {
	if !r.next('{') {
		r.fail()
		return
	}
	if r.next('}') {
		return
	}
	var seen [24]string
	n := 0
	for !r.bad {
		name := r.raw()
		r.expect(':')
		if r.bad {
			return
		}
		for _, s := range seen[:n] {
			if s == string(name) {
				r.fail()
				return
			}
		}
		if n == len(seen) {
			r.fail()
			return
		}
		seen[n] = string(name)
		n++
		if !member(seen[n-1]) {
			r.fail()
			return
		}
		if r.next('}') {
			return
		}
		r.expect(',')
	}
}

// array reads an array, calling elem for each element. An empty array is
// an empty, not a nil, slice in the strict decoder: start is called first.
func (r *reader) array(start func(), elem func()) {
	if !r.next('[') {
		r.fail()
		return
	}
	start()
	if r.next(']') {
		return
	}
	for !r.bad {
		elem()
		if r.next(']') {
			return
		}
		r.expect(',')
	}
}

func (r *reader) strs() []string {
	var out []string
	r.array(func() { out = []string{} }, func() { out = append(out, r.str()) })
	return out
}

func (r *reader) record(x *intel.Record) {
	r.object(func(name string) bool {
		switch name {
		case "id":
			x.ID = r.str()
		case "kind":
			x.Kind = intel.Kind(r.str())
		case "originator":
			x.Originator = r.str()
		case "version":
			x.Version = int(r.integer())
		case "created":
			t := r.time()
			x.Created = &t
		case "updated":
			t := r.time()
			x.Updated = &t
		case "status":
			x.Status = intel.Status(r.str())
		case "language":
			x.Language = r.str()
		case "title":
			x.Title = r.str()
		case "grading":
			r.object(func(name string) bool {
				switch name {
				case "source":
					x.Grading.Source = r.str()
				case "information":
					x.Grading.Information = r.str()
				default:
					return false
				}
				return true
			})
		case "handling":
			r.object(func(name string) bool {
				switch name {
				case "code":
					x.Handling.Code = r.str()
				case "conditions":
					x.Handling.Conditions = r.str()
				default:
					return false
				}
				return true
			})
		case "distribution":
			d := &x.Distribution
			r.object(func(name string) bool {
				switch name {
				case "scope":
					d.Scope = r.str()
				case "recipients":
					d.Recipients = r.strs()
				case "operation":
					d.Operation = r.str()
				case "region":
					d.Region = r.str()
				default:
					return false
				}
				return true
			})
		case "retention":
			x.Retention = &intel.Retention{}
			r.object(func(name string) bool {
				switch name {
				case "until":
					x.Retention.Until = r.str()
				case "days":
					x.Retention.Days = int(r.integer())
				default:
					return false
				}
				return true
			})
		case "retraction":
			x.Retraction = &intel.Retraction{}
			r.object(func(name string) bool {
				switch name {
				case "at":
					x.Retraction.At = r.time()
				case "reason":
					x.Retraction.Reason = r.str()
				default:
					return false
				}
				return true
			})
		case "seizure":
			x.Seizure = &intel.Seizure{}
			r.seizure(x.Seizure)
		case "warning":
			x.Warning = &intel.Warning{}
			r.warning(x.Warning)
		case "feedback":
			x.Feedback = &intel.Feedback{}
			r.feedback(x.Feedback)
		case "request":
			x.Request = &intel.Request{}
			r.request(x.Request)
		case "response":
			x.Response = &intel.Response{}
			r.response(x.Response)
		case "alert":
			x.Alert = &intel.Alert{}
			r.alert(x.Alert)
		default:
			return false
		}
		return true
	})
}

func (r *reader) warning(w *intel.Warning) {
	r.object(func(name string) bool {
		switch name {
		case "subject":
			w.Subject = r.str()
		case "targets":
			w.Targets = r.parties()
		case "conveyance":
			w.Conveyance = &intel.Conveyance{}
			r.conveyance(w.Conveyance)
		case "containers":
			w.Containers = r.strs()
		case "route":
			w.Route = r.route()
		case "expected_from":
			w.ExpectedFrom = r.str()
		case "expected_to":
			w.ExpectedTo = r.str()
		case "category":
			w.Category = r.str()
		case "transport":
			w.Transport = r.str()
		case "suggested_action":
			w.SuggestedAction = r.str()
		case "indicators":
			w.Indicators = r.strs()
		case "narrative":
			w.Narrative = r.str()
		default:
			return false
		}
		return true
	})
}

func (r *reader) feedback(f *intel.Feedback) {
	r.object(func(name string) bool {
		switch name {
		case "warning":
			f.Warning = r.str()
		case "controlled":
			f.Controlled = r.boolean()
		case "result":
			f.Result = r.str()
		case "seizure":
			f.Seizure = r.str()
		case "date":
			f.Date = r.str()
		case "narrative":
			f.Narrative = r.str()
		default:
			return false
		}
		return true
	})
}

func (r *reader) request(q *intel.Request) {
	r.object(func(name string) bool {
		switch name {
		case "requesting":
			q.Requesting = r.str()
		case "requested":
			q.Requested = r.str()
		case "agreement":
			q.Agreement = r.str()
		case "subject":
			q.Subject = r.str()
		case "questions":
			q.Questions = r.strs()
		case "parties":
			q.Parties = r.parties()
		case "facts":
			q.Facts = r.str()
		case "urgency":
			q.Urgency = r.str()
		case "deadline":
			q.Deadline = r.str()
		case "state":
			q.State = r.str()
		case "related":
			q.Related = r.strs()
		case "related_seizure":
			q.RelatedSeized = r.str()
		default:
			return false
		}
		return true
	})
}

func (r *reader) response(p *intel.Response) {
	r.object(func(name string) bool {
		switch name {
		case "request":
			p.Request = r.str()
		case "outcome":
			p.Outcome = r.str()
		case "answers":
			p.Answers = r.strs()
		case "reason":
			p.Reason = r.str()
		case "parties":
			p.Parties = r.parties()
		case "narrative":
			p.Narrative = r.str()
		default:
			return false
		}
		return true
	})
}

func (r *reader) alert(a *intel.Alert) {
	r.object(func(name string) bool {
		switch name {
		case "subject":
			a.Subject = r.str()
		case "category":
			a.Category = r.str()
		case "summary":
			a.Summary = r.str()
		case "indicators":
			a.Indicators = r.strs()
		case "modus_operandi":
			a.ModusOp = r.str()
		case "valid_until":
			a.ValidUntil = r.str()
		case "narrative":
			a.Narrative = r.str()
		default:
			return false
		}
		return true
	})
}

// parties reads an array of parties.
func (r *reader) parties() []intel.Party {
	var out []intel.Party
	r.array(func() { out = []intel.Party{} }, func() {
		var p intel.Party
		r.party(&p)
		out = append(out, p)
	})
	return out
}

// route reads an array of route legs.
func (r *reader) route() []intel.RouteLeg {
	var out []intel.RouteLeg
	r.array(func() { out = []intel.RouteLeg{} }, func() {
		var l intel.RouteLeg
		r.object(func(name string) bool {
			switch name {
			case "role":
				l.Role = r.str()
			case "country":
				l.Country = r.str()
			case "locode":
				l.Locode = r.str()
			default:
				return false
			}
			return true
		})
		out = append(out, l)
	})
	return out
}

func (r *reader) seizure(s *intel.Seizure) {
	r.object(func(name string) bool {
		switch name {
		case "date":
			s.Date = r.str()
		case "place":
			r.object(func(name string) bool {
				switch name {
				case "country":
					s.Place.Country = r.str()
				case "locode":
					s.Place.Locode = r.str()
				case "office":
					s.Place.Office = r.str()
				default:
					return false
				}
				return true
			})
		case "direction":
			s.Direction = r.str()
		case "detection":
			s.Detection = r.str()
		case "transport":
			s.Transport = r.str()
		case "conveyance":
			s.Conveyance = &intel.Conveyance{}
			r.conveyance(s.Conveyance)
		case "containers":
			s.Containers = r.strs()
		case "route":
			s.Route = r.route()
		case "goods":
			r.array(func() { s.Goods = []intel.Goods{} }, func() {
				var g intel.Goods
				r.goods(&g)
				s.Goods = append(s.Goods, g)
			})
		case "concealment":
			s.Concealment = r.str()
		case "parties":
			s.Parties = r.parties()
		case "narrative":
			s.Narrative = r.str()
		case "attachments":
			r.array(func() { s.Attachments = []intel.Attachment{} }, func() {
				var a intel.Attachment
				r.object(func(name string) bool {
					switch name {
					case "name":
						a.Name = r.str()
					case "media_type":
						a.MediaType = r.str()
					case "sha256":
						a.SHA256 = r.str()
					case "size":
						a.Size = r.integer()
					case "caption":
						a.Caption = r.str()
					default:
						return false
					}
					return true
				})
				s.Attachments = append(s.Attachments, a)
			})
		default:
			return false
		}
		return true
	})
}

func (r *reader) conveyance(c *intel.Conveyance) {
	r.object(func(name string) bool {
		switch name {
		case "vessel_imo":
			c.VesselIMO = r.str()
		case "vessel_name":
			c.VesselName = r.str()
		case "flight":
			c.Flight = r.str()
		case "vehicle":
			c.Vehicle = r.str()
		case "flag":
			c.Flag = r.str()
		default:
			return false
		}
		return true
	})
}

func (r *reader) goods(g *intel.Goods) {
	r.object(func(name string) bool {
		switch name {
		case "category":
			g.Category = r.str()
		case "description":
			g.Description = r.str()
		case "hs":
			g.HS = r.str()
		case "quantity":
			g.Quantity = r.float()
		case "unit":
			g.Unit = r.str()
		case "value":
			g.Value = &intel.Money{}
			r.object(func(name string) bool {
				switch name {
				case "amount":
					g.Value.Amount = r.float()
				case "currency":
					g.Value.Currency = r.str()
				default:
					return false
				}
				return true
			})
		default:
			return false
		}
		return true
	})
}

func (r *reader) party(p *intel.Party) {
	r.object(func(name string) bool {
		switch name {
		case "type":
			p.Type = r.str()
		case "role":
			p.Role = r.str()
		case "name":
			p.Name = r.str()
		case "aliases":
			p.Aliases = r.strs()
		case "birth_date":
			p.BirthDate = r.str()
		case "nationality":
			p.Nationality = r.str()
		case "gender":
			p.Gender = r.str()
		case "document":
			p.Document = &intel.Document{}
			r.object(func(name string) bool {
				switch name {
				case "type":
					p.Document.Type = r.str()
				case "number":
					p.Document.Number = r.str()
				case "country":
					p.Document.Country = r.str()
				default:
					return false
				}
				return true
			})
		case "country":
			p.Country = r.str()
		case "registration":
			p.Registration = r.str()
		case "address":
			p.Address = r.str()
		case "phones":
			p.Phones = r.strs()
		case "emails":
			p.Emails = r.strs()
		default:
			return false
		}
		return true
	})
}

func (r *reader) decision(d *agreement.Decision) {
	r.object(func(name string) bool {
		switch name {
		case "allowed":
			d.Allowed = r.boolean()
		case "basis":
			b := &agreement.Basis{}
			d.Basis = b
			r.object(func(name string) bool {
				switch name {
				case "kind":
					b.Kind = r.str()
				case "agreement":
					b.Agreement = r.str()
				case "title":
					b.Title = r.str()
				case "via":
					b.Via = r.str()
				case "region":
					b.Region = r.str()
				default:
					return false
				}
				return true
			})
		case "reasons":
			r.array(func() { d.Reasons = []agreement.Reason{} }, func() {
				var x agreement.Reason
				r.object(func(name string) bool {
					switch name {
					case "rule":
						x.Rule = r.str()
					case "met":
						x.Met = r.boolean()
					case "text":
						x.Text = r.str()
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
