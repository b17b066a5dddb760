package intel

import (
	"encoding/json"

	"liaison/internal/jsonread"
)

// DecodePlainJSON reads b into x when b is a record in the plain form
// AppendJSON writes (see package jsonread), and reports whether it was;
// x then holds exactly what encoding/json reads from b. On false, x is
// left in an unspecified state and b should be read by a general decoder.
func DecodePlainJSON(b []byte, x *Record) bool {
	r := jsonread.New(b)
	ReadJSON(r, x)
	return r.Done()
}

// DecodeJSON reads the record b holds into x: by DecodePlainJSON when
// b is in the plain form (as stored bodies are), otherwise by
// encoding/json, which reads the same values from what both take.
func DecodeJSON(b []byte, x *Record) error {
	if DecodePlainJSON(b, x) {
		return nil
	}
	*x = Record{}
	return json.Unmarshal(b, x)
}

// ReadJSON reads a record in the plain form at r's position (see
// DecodePlainJSON), for readers of documents that hold records.
func ReadJSON(r *jsonread.Reader, x *Record) { readRecord(r, x) }

// readHead reads the members of a record both of its readers read: its
// id, kind, originator, version, status and distribution. It returns false
// for any other name.
func readHead(r *jsonread.Reader, name []byte, x *Record) bool {
	switch string(name) {
	case "id":
		x.ID = r.Str()
	case "kind":
		x.Kind = Kind(r.Str())
	case "originator":
		x.Originator = r.Str()
	case "version":
		x.Version = int(r.Int())
	case "status":
		x.Status = Status(r.Str())
	case "distribution":
		readDistribution(r, &x.Distribution)
	default:
		return false
	}
	return true
}

func readRecord(r *jsonread.Reader, x *Record) {
	r.Object(func(name []byte) bool {
		if readHead(r, name, x) {
			return true
		}
		switch string(name) {
		case "created":
			t := r.Time()
			x.Created = &t
		case "updated":
			t := r.Time()
			x.Updated = &t
		case "language":
			x.Language = r.Str()
		case "title":
			x.Title = r.Str()
		case "grading":
			r.Object(func(name []byte) bool {
				switch string(name) {
				case "source":
					x.Grading.Source = r.Str()
				case "information":
					x.Grading.Information = r.Str()
				default:
					return false
				}
				return true
			})
		case "handling":
			r.Object(func(name []byte) bool {
				switch string(name) {
				case "code":
					x.Handling.Code = r.Str()
				case "conditions":
					x.Handling.Conditions = r.Str()
				default:
					return false
				}
				return true
			})
		case "retention":
			x.Retention = &Retention{}
			r.Object(func(name []byte) bool {
				switch string(name) {
				case "until":
					x.Retention.Until = r.Str()
				case "days":
					x.Retention.Days = int(r.Int())
				default:
					return false
				}
				return true
			})
		case "retraction":
			x.Retraction = &Retraction{}
			r.Object(func(name []byte) bool {
				switch string(name) {
				case "at":
					x.Retraction.At = r.Time()
				case "reason":
					x.Retraction.Reason = r.Str()
				default:
					return false
				}
				return true
			})
		case "seizure":
			x.Seizure = &Seizure{}
			readSeizure(r, x.Seizure)
		case "warning":
			x.Warning = &Warning{}
			readWarning(r, x.Warning)
		case "feedback":
			x.Feedback = &Feedback{}
			readFeedback(r, x.Feedback)
		case "request":
			x.Request = &Request{}
			readRequest(r, x.Request)
		case "response":
			x.Response = &Response{}
			readResponse(r, x.Response)
		case "alert":
			x.Alert = &Alert{}
			readAlert(r, x.Alert)
		default:
			return false
		}
		return true
	})
}

func readDistribution(r *jsonread.Reader, d *Distribution) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "scope":
			d.Scope = r.Str()
		case "recipients":
			d.Recipients = r.Strs()
		case "operation":
			d.Operation = r.Str()
		case "region":
			d.Region = r.Str()
		default:
			return false
		}
		return true
	})
}

// DecodeMatchJSON reads into x what cross-matching reads of the record b
// holds: its id, kind, originator, version, status and distribution, and
// the parties, conveyance and containers of a seizure or warning, or the
// parties of a request or response, each exactly as DecodeJSON reads
// them. The rest (narratives, goods, routes and so on, most of a body) is
// stepped over without being kept. An input outside the plain form is
// read whole by DecodeJSON.
func DecodeMatchJSON(b []byte, x *Record) error {
	r := jsonread.New(b)
	readMatchRecord(r, x)
	if r.Done() {
		return nil
	}
	*x = Record{}
	return DecodeJSON(b, x)
}

func readMatchRecord(r *jsonread.Reader, x *Record) {
	r.Object(func(name []byte) bool {
		if readHead(r, name, x) {
			return true
		}
		switch string(name) {
		case "seizure":
			x.Seizure = &Seizure{}
			readMatched(r, "parties", &x.Seizure.Parties, &x.Seizure.Conveyance, &x.Seizure.Containers)
		case "warning":
			x.Warning = &Warning{}
			readMatched(r, "targets", &x.Warning.Targets, &x.Warning.Conveyance, &x.Warning.Containers)
		case "request":
			x.Request = &Request{}
			var cv *Conveyance
			var cs []string
			readMatched(r, "parties", &x.Request.Parties, &cv, &cs)
		case "response":
			x.Response = &Response{}
			var cv *Conveyance
			var cs []string
			readMatched(r, "parties", &x.Response.Parties, &cv, &cs)
		default:
			r.Skip()
		}
		return true
	})
}

// readMatched reads the members of a seizure, warning, request or
// response that matching reads: the parties (named parties), conveyance and
// containers; it steps over the others. A request or response has no
// conveyance or containers: the general decoder, which ignores members a
// type lacks, would read none.
func readMatched(r *jsonread.Reader, parties string, ps *[]Party, cv **Conveyance, cs *[]string) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case parties:
			*ps = readParties(r)
		case "conveyance":
			*cv = &Conveyance{}
			readConveyance(r, *cv)
		case "containers":
			*cs = r.Strs()
		default:
			r.Skip()
		}
		return true
	})
}

func readWarning(r *jsonread.Reader, w *Warning) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "subject":
			w.Subject = r.Str()
		case "targets":
			w.Targets = readParties(r)
		case "conveyance":
			w.Conveyance = &Conveyance{}
			readConveyance(r, w.Conveyance)
		case "containers":
			w.Containers = r.Strs()
		case "route":
			w.Route = readRoute(r)
		case "expected_from":
			w.ExpectedFrom = r.Str()
		case "expected_to":
			w.ExpectedTo = r.Str()
		case "category":
			w.Category = r.Str()
		case "transport":
			w.Transport = r.Str()
		case "suggested_action":
			w.SuggestedAction = r.Str()
		case "indicators":
			w.Indicators = r.Strs()
		case "narrative":
			w.Narrative = r.Str()
		default:
			return false
		}
		return true
	})
}

func readFeedback(r *jsonread.Reader, f *Feedback) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "warning":
			f.Warning = r.Str()
		case "controlled":
			f.Controlled = r.Bool()
		case "result":
			f.Result = r.Str()
		case "seizure":
			f.Seizure = r.Str()
		case "date":
			f.Date = r.Str()
		case "narrative":
			f.Narrative = r.Str()
		default:
			return false
		}
		return true
	})
}

func readRequest(r *jsonread.Reader, q *Request) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "requesting":
			q.Requesting = r.Str()
		case "requested":
			q.Requested = r.Str()
		case "agreement":
			q.Agreement = r.Str()
		case "subject":
			q.Subject = r.Str()
		case "questions":
			q.Questions = r.Strs()
		case "parties":
			q.Parties = readParties(r)
		case "facts":
			q.Facts = r.Str()
		case "urgency":
			q.Urgency = r.Str()
		case "deadline":
			q.Deadline = r.Str()
		case "state":
			q.State = r.Str()
		case "related":
			q.Related = r.Strs()
		case "related_seizure":
			q.RelatedSeized = r.Str()
		default:
			return false
		}
		return true
	})
}

func readResponse(r *jsonread.Reader, p *Response) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "request":
			p.Request = r.Str()
		case "outcome":
			p.Outcome = r.Str()
		case "answers":
			p.Answers = r.Strs()
		case "reason":
			p.Reason = r.Str()
		case "parties":
			p.Parties = readParties(r)
		case "narrative":
			p.Narrative = r.Str()
		default:
			return false
		}
		return true
	})
}

func readAlert(r *jsonread.Reader, a *Alert) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "subject":
			a.Subject = r.Str()
		case "category":
			a.Category = r.Str()
		case "summary":
			a.Summary = r.Str()
		case "indicators":
			a.Indicators = r.Strs()
		case "modus_operandi":
			a.ModusOp = r.Str()
		case "valid_until":
			a.ValidUntil = r.Str()
		case "narrative":
			a.Narrative = r.Str()
		default:
			return false
		}
		return true
	})
}

// parties reads an array of parties.
func readParties(r *jsonread.Reader) []Party {
	var out []Party
	r.Array(func() { out = []Party{} }, func() {
		var p Party
		readParty(r, &p)
		out = append(out, p)
	})
	return out
}

// route reads an array of route legs.
func readRoute(r *jsonread.Reader) []RouteLeg {
	var out []RouteLeg
	r.Array(func() { out = []RouteLeg{} }, func() {
		var l RouteLeg
		r.Object(func(name []byte) bool {
			switch string(name) {
			case "role":
				l.Role = r.Str()
			case "country":
				l.Country = r.Str()
			case "locode":
				l.Locode = r.Str()
			default:
				return false
			}
			return true
		})
		out = append(out, l)
	})
	return out
}

func readSeizure(r *jsonread.Reader, s *Seizure) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "date":
			s.Date = r.Str()
		case "place":
			r.Object(func(name []byte) bool {
				switch string(name) {
				case "country":
					s.Place.Country = r.Str()
				case "locode":
					s.Place.Locode = r.Str()
				case "office":
					s.Place.Office = r.Str()
				default:
					return false
				}
				return true
			})
		case "direction":
			s.Direction = r.Str()
		case "detection":
			s.Detection = r.Str()
		case "transport":
			s.Transport = r.Str()
		case "conveyance":
			s.Conveyance = &Conveyance{}
			readConveyance(r, s.Conveyance)
		case "containers":
			s.Containers = r.Strs()
		case "route":
			s.Route = readRoute(r)
		case "goods":
			r.Array(func() { s.Goods = []Goods{} }, func() {
				var g Goods
				readGoods(r, &g)
				s.Goods = append(s.Goods, g)
			})
		case "concealment":
			s.Concealment = r.Str()
		case "parties":
			s.Parties = readParties(r)
		case "narrative":
			s.Narrative = r.Str()
		case "attachments":
			r.Array(func() { s.Attachments = []Attachment{} }, func() {
				var a Attachment
				r.Object(func(name []byte) bool {
					switch string(name) {
					case "name":
						a.Name = r.Str()
					case "media_type":
						a.MediaType = r.Str()
					case "sha256":
						a.SHA256 = r.Str()
					case "size":
						a.Size = r.Int()
					case "caption":
						a.Caption = r.Str()
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

func readConveyance(r *jsonread.Reader, c *Conveyance) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "vessel_imo":
			c.VesselIMO = r.Str()
		case "vessel_name":
			c.VesselName = r.Str()
		case "flight":
			c.Flight = r.Str()
		case "vehicle":
			c.Vehicle = r.Str()
		case "flag":
			c.Flag = r.Str()
		default:
			return false
		}
		return true
	})
}

func readGoods(r *jsonread.Reader, g *Goods) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "category":
			g.Category = r.Str()
		case "description":
			g.Description = r.Str()
		case "hs":
			g.HS = r.Str()
		case "quantity":
			g.Quantity = r.Float()
		case "unit":
			g.Unit = r.Str()
		case "value":
			g.Value = &Money{}
			r.Object(func(name []byte) bool {
				switch string(name) {
				case "amount":
					g.Value.Amount = r.Float()
				case "currency":
					g.Value.Currency = r.Str()
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

func readParty(r *jsonread.Reader, p *Party) {
	r.Object(func(name []byte) bool {
		switch string(name) {
		case "type":
			p.Type = r.Str()
		case "role":
			p.Role = r.Str()
		case "name":
			p.Name = r.Str()
		case "aliases":
			p.Aliases = r.Strs()
		case "birth_date":
			p.BirthDate = r.Str()
		case "nationality":
			p.Nationality = r.Str()
		case "gender":
			p.Gender = r.Str()
		case "document":
			p.Document = &Document{}
			r.Object(func(name []byte) bool {
				switch string(name) {
				case "type":
					p.Document.Type = r.Str()
				case "number":
					p.Document.Number = r.Str()
				case "country":
					p.Document.Country = r.Str()
				default:
					return false
				}
				return true
			})
		case "country":
			p.Country = r.Str()
		case "registration":
			p.Registration = r.Str()
		case "address":
			p.Address = r.Str()
		case "phones":
			p.Phones = r.Strs()
		case "emails":
			p.Emails = r.Strs()
		default:
			return false
		}
		return true
	})
}
