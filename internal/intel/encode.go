package intel

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"liaison/internal/jsonenc"
)

// AppendJSON appends the canonical JSON of r to dst and returns the extended
// buffer. The bytes are exactly those json.Marshal(r) produces (field order,
// omitted empty fields, HTML-safe string escaping, number and time formats),
// written without reflection or intermediate allocations; a record
// json.Marshal refuses (a NaN or infinite number, a time outside years
// 0–9999) gets json.Marshal's error. A nil r encodes as null.
func AppendJSON(dst []byte, r *Record) ([]byte, error) {
	if r == nil {
		return append(dst, "null"...), nil
	}
	e := recordEncoder{b: dst}
	e.record(r)
	if e.bad {
		// Let encoding/json produce the error it would have given.
		b, err := json.Marshal(r)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	}
	return e.b, nil
}

// recordEncoder writes a Record's JSON into b. bad is set when a value
// cannot be encoded (see AppendJSON); the rest of b is then meaningless.
type recordEncoder struct {
	b   []byte
	bad bool
}

// key starts a member: a comma unless the object has just been opened, then
// the quoted name and a colon. name must need no escaping.
func (e *recordEncoder) key(name string) {
	if n := len(e.b); n > 0 && e.b[n-1] != '{' {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, '"')
	e.b = append(e.b, name...)
	e.b = append(e.b, '"', ':')
}

// str writes member name with value s.
func (e *recordEncoder) str(name, s string) {
	e.key(name)
	e.b = jsonenc.AppendString(e.b, s)
}

// optStr writes member name unless s is empty (omitempty).
func (e *recordEncoder) optStr(name, s string) {
	if s != "" {
		e.str(name, s)
	}
}

// strs writes member name with the array ss, null when ss is nil.
func (e *recordEncoder) strs(name string, ss []string) {
	e.key(name)
	if ss == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '[')
	for i, s := range ss {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = jsonenc.AppendString(e.b, s)
	}
	e.b = append(e.b, ']')
}

// optStrs writes member name unless ss is empty (omitempty).
func (e *recordEncoder) optStrs(name string, ss []string) {
	if len(ss) > 0 {
		e.strs(name, ss)
	}
}

func (e *recordEncoder) int(name string, n int64) {
	e.key(name)
	e.b = strconv.AppendInt(e.b, n, 10)
}

func (e *recordEncoder) optInt(name string, n int64) {
	if n != 0 {
		e.int(name, n)
	}
}

// float writes member name with f formatted as encoding/json formats a
// float64: like ES6 number-to-string, %f between 1e-6 and 1e21, %e outside
// with the exponent unpadded.
func (e *recordEncoder) float(name string, f float64) {
	e.key(name)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.bad = true
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		if n := len(e.b); n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// time writes member name with t as time.Time.MarshalJSON does.
func (e *recordEncoder) time(name string, t time.Time) {
	e.key(name)
	if y := t.Year(); y < 0 || y > 9999 {
		e.bad = true
		return
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		e.bad = true
		return
	}
	e.b = append(e.b, '"')
	e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	e.b = append(e.b, '"')
}

func (e *recordEncoder) open(name string) {
	e.key(name)
	e.b = append(e.b, '{')
}

func (e *recordEncoder) close() { e.b = append(e.b, '}') }

func (e *recordEncoder) record(r *Record) {
	e.b = append(e.b, '{')
	e.optStr("id", r.ID)
	e.str("kind", string(r.Kind))
	e.optStr("originator", r.Originator)
	e.optInt("version", int64(r.Version))
	if r.Created != nil {
		e.time("created", *r.Created)
	}
	if r.Updated != nil {
		e.time("updated", *r.Updated)
	}
	e.optStr("status", string(r.Status))
	e.optStr("language", r.Language)
	e.optStr("title", r.Title)

	e.open("grading")
	e.str("source", r.Grading.Source)
	e.str("information", r.Grading.Information)
	e.close()

	e.open("handling")
	e.str("code", r.Handling.Code)
	e.optStr("conditions", r.Handling.Conditions)
	e.close()

	d := &r.Distribution
	e.open("distribution")
	e.str("scope", d.Scope)
	e.optStrs("recipients", d.Recipients)
	e.optStr("operation", d.Operation)
	e.optStr("region", d.Region)
	e.close()

	if p := r.Retention; p != nil {
		e.open("retention")
		e.optStr("until", p.Until)
		e.optInt("days", int64(p.Days))
		e.close()
	}
	if p := r.Retraction; p != nil {
		e.open("retraction")
		e.time("at", p.At)
		e.optStr("reason", p.Reason)
		e.close()
	}
	if s := r.Seizure; s != nil {
		e.seizure(s)
	}
	if w := r.Warning; w != nil {
		e.warning(w)
	}
	if f := r.Feedback; f != nil {
		e.feedback(f)
	}
	if q := r.Request; q != nil {
		e.request(q)
	}
	if p := r.Response; p != nil {
		e.response(p)
	}
	if a := r.Alert; a != nil {
		e.alert(a)
	}
	e.close()
}

func (e *recordEncoder) seizure(s *Seizure) {
	e.open("seizure")
	e.str("date", s.Date)
	e.open("place")
	e.str("country", s.Place.Country)
	e.optStr("locode", s.Place.Locode)
	e.optStr("office", s.Place.Office)
	e.close()
	e.str("direction", s.Direction)
	e.optStr("detection", s.Detection)
	e.optStr("transport", s.Transport)
	e.conveyance(s.Conveyance)
	e.optStrs("containers", s.Containers)
	e.route(s.Route)
	e.key("goods")
	if s.Goods == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i := range s.Goods {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.goods(&s.Goods[i])
		}
		e.b = append(e.b, ']')
	}
	e.optStr("concealment", s.Concealment)
	e.parties("parties", s.Parties)
	e.optStr("narrative", s.Narrative)
	if len(s.Attachments) > 0 {
		e.key("attachments")
		e.b = append(e.b, '[')
		for i := range s.Attachments {
			a := &s.Attachments[i]
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = append(e.b, '{')
			e.str("name", a.Name)
			e.str("media_type", a.MediaType)
			e.str("sha256", a.SHA256)
			e.int("size", a.Size)
			e.optStr("caption", a.Caption)
			e.close()
		}
		e.b = append(e.b, ']')
	}
	e.close()
}

func (e *recordEncoder) goods(g *Goods) {
	e.b = append(e.b, '{')
	e.str("category", g.Category)
	e.optStr("description", g.Description)
	e.optStr("hs", g.HS)
	e.float("quantity", g.Quantity)
	e.str("unit", g.Unit)
	if v := g.Value; v != nil {
		e.open("value")
		e.float("amount", v.Amount)
		e.str("currency", v.Currency)
		e.close()
	}
	e.close()
}

func (e *recordEncoder) conveyance(c *Conveyance) {
	if c == nil {
		return
	}
	e.open("conveyance")
	e.optStr("vessel_imo", c.VesselIMO)
	e.optStr("vessel_name", c.VesselName)
	e.optStr("flight", c.Flight)
	e.optStr("vehicle", c.Vehicle)
	e.optStr("flag", c.Flag)
	e.close()
}

func (e *recordEncoder) route(legs []RouteLeg) {
	if len(legs) == 0 {
		return
	}
	e.key("route")
	e.b = append(e.b, '[')
	for i := range legs {
		l := &legs[i]
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, '{')
		e.str("role", l.Role)
		e.str("country", l.Country)
		e.optStr("locode", l.Locode)
		e.close()
	}
	e.b = append(e.b, ']')
}

// parties writes member name with ps, omitted when empty (every Party list
// is omitempty).
func (e *recordEncoder) parties(name string, ps []Party) {
	if len(ps) == 0 {
		return
	}
	e.key(name)
	e.b = append(e.b, '[')
	for i := range ps {
		p := &ps[i]
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, '{')
		e.str("type", p.Type)
		e.optStr("role", p.Role)
		e.str("name", p.Name)
		e.optStrs("aliases", p.Aliases)
		e.optStr("birth_date", p.BirthDate)
		e.optStr("nationality", p.Nationality)
		e.optStr("gender", p.Gender)
		if d := p.Document; d != nil {
			e.open("document")
			e.str("type", d.Type)
			e.str("number", d.Number)
			e.optStr("country", d.Country)
			e.close()
		}
		e.optStr("country", p.Country)
		e.optStr("registration", p.Registration)
		e.optStr("address", p.Address)
		e.optStrs("phones", p.Phones)
		e.optStrs("emails", p.Emails)
		e.close()
	}
	e.b = append(e.b, ']')
}

func (e *recordEncoder) warning(w *Warning) {
	e.open("warning")
	e.str("subject", w.Subject)
	e.parties("targets", w.Targets)
	e.conveyance(w.Conveyance)
	e.optStrs("containers", w.Containers)
	e.route(w.Route)
	e.optStr("expected_from", w.ExpectedFrom)
	e.optStr("expected_to", w.ExpectedTo)
	e.optStr("category", w.Category)
	e.optStr("transport", w.Transport)
	e.str("suggested_action", w.SuggestedAction)
	e.optStrs("indicators", w.Indicators)
	e.optStr("narrative", w.Narrative)
	e.close()
}

func (e *recordEncoder) feedback(f *Feedback) {
	e.open("feedback")
	e.str("warning", f.Warning)
	e.key("controlled")
	e.b = strconv.AppendBool(e.b, f.Controlled)
	e.str("result", f.Result)
	e.optStr("seizure", f.Seizure)
	e.optStr("date", f.Date)
	e.optStr("narrative", f.Narrative)
	e.close()
}

func (e *recordEncoder) request(q *Request) {
	e.open("request")
	e.str("requesting", q.Requesting)
	e.str("requested", q.Requested)
	e.optStr("agreement", q.Agreement)
	e.str("subject", q.Subject)
	e.strs("questions", q.Questions)
	e.parties("parties", q.Parties)
	e.optStr("facts", q.Facts)
	e.optStr("urgency", q.Urgency)
	e.optStr("deadline", q.Deadline)
	e.optStr("state", q.State)
	e.optStrs("related", q.Related)
	e.optStr("related_seizure", q.RelatedSeized)
	e.close()
}

func (e *recordEncoder) response(p *Response) {
	e.open("response")
	e.str("request", p.Request)
	e.str("outcome", p.Outcome)
	e.optStrs("answers", p.Answers)
	e.optStr("reason", p.Reason)
	e.parties("parties", p.Parties)
	e.optStr("narrative", p.Narrative)
	e.close()
}

func (e *recordEncoder) alert(a *Alert) {
	e.open("alert")
	e.str("subject", a.Subject)
	e.optStr("category", a.Category)
	e.str("summary", a.Summary)
	e.optStrs("indicators", a.Indicators)
	e.optStr("modus_operandi", a.ModusOp)
	e.optStr("valid_until", a.ValidUntil)
	e.optStr("narrative", a.Narrative)
	e.close()
}
