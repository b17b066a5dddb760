// Package match finds the same person, company, vessel, container or other
// entity across intelligence records, in any script. Extract lists the
// entities a record mentions; an Index holds them in memory with compact
// posting lists and answers fuzzy name queries and exact identifier
// lookups with scored, explained results; Compare scores two entities. It
// does no I/O: the caller rebuilds the index from the store at start,
// feeds it on every ingest and applies visibility through the filter it
// passes.
package match

import (
	"strconv"
	"strings"

	"liaison/internal/intel"
	"liaison/internal/match/norm"
)

// Type is the kind of an entity.
type Type string

// Entity types (DESIGN §2).
const (
	Person       Type = "person"
	Organisation Type = "organisation"
	Vessel       Type = "vessel"
	Container    Type = "container"
	Vehicle      Type = "vehicle"
	Flight       Type = "flight"
	Address      Type = "address"
	Phone        Type = "phone"
	Email        Type = "email"
	Document     Type = "document"
)

// Types lists the entity types in a stable order.
var Types = []Type{Person, Organisation, Vessel, Container, Vehicle, Flight, Address, Phone, Email, Document}

// named reports whether entities of type t are matched by name (fuzzy)
// rather than by an identifier value (exact).
func (t Type) named() bool { return t == Person || t == Organisation || t == Vessel }

// Entity is one thing a record mentions. Persons and organisations carry a
// Name and the facts that add or subtract evidence; identifiers carry
// their canonical Value (a vessel has both: its name and its IMO number).
type Entity struct {
	Type Type `json:"type"`
	// Path is where the entity is in the record's JSON, e.g.
	// "seizure.parties[0]" or "seizure.containers[1]".
	Path string `json:"path"`
	Name string `json:"name,omitempty"`
	// Value is the canonical identifier: an ISO 6346 container number,
	// the seven digits of an IMO number, an E.164 phone number, a
	// lower-case e-mail address, "COUNTRY:NUMBER" for a travel document,
	// a plate or flight number without separators, a folded address.
	Value        string `json:"value,omitempty"`
	BirthDate    string `json:"birth_date,omitempty"`
	Nationality  string `json:"nationality,omitempty"`
	Country      string `json:"country,omitempty"`
	Document     string `json:"document,omitempty"`     // person: "COUNTRY:NUMBER"
	Registration string `json:"registration,omitempty"` // organisation: "COUNTRY:NUMBER"
}

// Extract returns the entities a record mentions, in the order they appear
// in its JSON: parties (persons and organisations, with their aliases,
// documents, phones, e-mail addresses and addresses), warning targets,
// request and response parties, vessels, containers, vehicles and flights.
// Identifiers that fail validation (a container with a wrong check digit,
// an impossible phone number) are left out rather than matched wrongly;
// validation of the record itself reports them. A phone number without a
// country code is read as a number of the party's country or nationality.
func Extract(r *intel.Record) []Entity {
	return appendEntities(make([]Entity, 0, extractCap(r)), r)
}

// appendEntities appends the entities Extract returns to out.
func appendEntities(out []Entity, r *intel.Record) []Entity {
	switch {
	case r.Seizure != nil:
		s := r.Seizure
		out = parties(out, &seizureParties, s.Parties)
		out = conveyance(out, &seizureConveyance, s.Conveyance)
		out = containers(out, &seizureContainers, s.Containers)
	case r.Warning != nil:
		w := r.Warning
		out = parties(out, &warningTargets, w.Targets)
		out = conveyance(out, &warningConveyance, w.Conveyance)
		out = containers(out, &warningContainers, w.Containers)
	case r.Request != nil:
		out = parties(out, &requestParties, r.Request.Parties)
	case r.Response != nil:
		out = parties(out, &responseParties, r.Response.Parties)
	}
	return out
}

// The paths of the entities of the first parties and containers of a
// record are made once, rather than for every record.
var (
	seizureParties    = newPartyPaths("seizure.parties")
	warningTargets    = newPartyPaths("warning.targets")
	requestParties    = newPartyPaths("request.parties")
	responseParties   = newPartyPaths("response.parties")
	seizureConveyance = conveyancePaths{"seizure.conveyance", "seizure.conveyance.flight", "seizure.conveyance.vehicle"}
	warningConveyance = conveyancePaths{"warning.conveyance", "warning.conveyance.flight", "warning.conveyance.vehicle"}
	seizureContainers = newListPaths("seizure.containers", 64)
	warningContainers = newListPaths("warning.containers", 64)
)

// listPaths are the paths of the elements of a list: base + "[i]".
type listPaths struct {
	base  string
	paths []string // of the first elements
}

func newListPaths(base string, n int) listPaths {
	l := listPaths{base: base, paths: make([]string, n)}
	for i := range l.paths {
		l.paths[i] = indexed(base, i)
	}
	return l
}

func (l *listPaths) at(i int) string {
	if i < len(l.paths) {
		return l.paths[i]
	}
	return indexed(l.base, i)
}

// partyPaths are the paths of the entities of the parties of a list.
type partyPaths struct {
	listPaths
	first []paths // of the first parties
}

// paths are the paths of the entities of one party.
type paths struct {
	party, document, address string
	aliases, phones, emails  listPaths
}

// Paths are made in advance for this many parties of a record and this
// many aliases, phones and e-mail addresses of each.
const (
	pathParties = 32
	pathItems   = 8
)

func newPartyPaths(base string) partyPaths {
	pp := partyPaths{listPaths: newListPaths(base, pathParties), first: make([]paths, pathParties)}
	for i := range pp.first {
		pp.first[i] = partyPath(pp.paths[i], pathItems)
	}
	return pp
}

func partyPath(party string, n int) paths {
	return paths{
		party: party, document: party + ".document", address: party + ".address",
		aliases: newListPaths(party+".aliases", n), phones: newListPaths(party+".phones", n), emails: newListPaths(party+".emails", n),
	}
}

// party returns the paths of party i, made now if it is not among the
// first.
func (pp *partyPaths) party(i int) *paths {
	if i < len(pp.first) {
		return &pp.first[i]
	}
	p := partyPath(pp.at(i), 0)
	return &p
}

// extractCap is the most entities Extract can find in r, so that it
// allocates once and no more than it may need.
func extractCap(r *intel.Record) int {
	n := 0
	count := func(ps []intel.Party) {
		for _, p := range ps {
			n += 1 + len(p.Aliases) + len(p.Phones) + len(p.Emails)
			if p.Document != nil {
				n++
			}
			if p.Address != "" {
				n++
			}
		}
	}
	conveyance := func(c *intel.Conveyance) {
		if c != nil {
			n += 3
		}
	}
	switch {
	case r.Seizure != nil:
		count(r.Seizure.Parties)
		conveyance(r.Seizure.Conveyance)
		n += len(r.Seizure.Containers)
	case r.Warning != nil:
		count(r.Warning.Targets)
		conveyance(r.Warning.Conveyance)
		n += len(r.Warning.Containers)
	case r.Request != nil:
		count(r.Request.Parties)
	case r.Response != nil:
		count(r.Response.Parties)
	}
	return n
}

// indexed is base + "[i]", without the cost of fmt.
func indexed(base string, i int) string {
	var b [64]byte
	s := append(b[:0], base...)
	s = append(s, '[')
	s = strconv.AppendInt(s, int64(i), 10)
	return string(append(s, ']'))
}

func parties(out []Entity, pp *partyPaths, ps []intel.Party) []Entity {
	for i := range ps {
		p := &ps[i]
		path := pp.party(i)
		e := Entity{Path: path.party, Name: strings.TrimSpace(p.Name)}
		region := p.Country
		switch p.Type {
		case "organisation":
			e.Type = Organisation
			e.Country = p.Country
			if p.Registration != "" {
				if reg := norm.Identifier(p.Registration); reg != "" {
					e.Registration = strings.ToUpper(p.Country) + ":" + reg
				}
			}
		default:
			e.Type = Person
			e.BirthDate = p.BirthDate
			e.Nationality = p.Nationality
			if region == "" {
				region = p.Nationality
			}
			if d := p.Document; d != nil {
				if v, err := norm.Document(d.Country, d.Number); err == nil {
					e.Document = v
				}
			}
		}
		if e.Name != "" {
			out = append(out, e)
			for j, a := range p.Aliases {
				if a = strings.TrimSpace(a); a != "" {
					alias := e
					alias.Path = path.aliases.at(j)
					alias.Name = a
					out = append(out, alias)
				}
			}
		}
		if e.Document != "" {
			out = append(out, Entity{Type: Document, Path: path.document, Value: e.Document})
		}
		for j, ph := range p.Phones {
			if v, err := norm.Phone(ph, region); err == nil {
				out = append(out, Entity{Type: Phone, Path: path.phones.at(j), Value: v})
			}
		}
		for j, em := range p.Emails {
			if v, err := norm.Email(em); err == nil {
				out = append(out, Entity{Type: Email, Path: path.emails.at(j), Value: v})
			}
		}
		if a := addressValue(p.Address); a != "" {
			out = append(out, Entity{Type: Address, Path: path.address, Name: strings.TrimSpace(p.Address), Value: a, Country: p.Country})
		}
	}
	return out
}

// minAddress is the length of the shortest address compared, folded,
// separators included: shorter ones ("HK", "Rm 1") say too little.
const minAddress = 6

// addressValue folds an address to lower-case words without punctuation,
// so that "12/F, 88 Queen's Road" and "12/f 88 queens road" compare equal.
func addressValue(s string) string {
	if s == "" {
		return ""
	}
	if allASCII(s) {
		return asciiAddressValue(s)
	}
	return foldedAddressValue(s)
}

// foldedAddressValue is addressValue for any text.
func foldedAddressValue(s string) string {
	f := norm.Fold(s)
	var b strings.Builder
	b.Grow(len(f))
	space := false
	for _, r := range f {
		switch {
		case r == '\'' || r == '.':
			continue
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	if b.Len() < minAddress {
		return ""
	}
	return b.String()
}

// asciiAddressValue is addressValue for text in ASCII, which folds to
// itself in lower case: the letters are lowered as they are copied, into
// one string of the size of the result.
func asciiAddressValue(s string) string {
	var stack [128]byte
	b := stack[:0]
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch {
		case c == '\'' || c == '.':
			continue
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, c)
		default:
			space = true
		}
	}
	if len(b) < minAddress {
		return ""
	}
	return string(b)
}

func allASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// conveyancePaths are the paths of the entities of a conveyance.
type conveyancePaths struct{ vessel, flight, vehicle string }

func conveyance(out []Entity, cp *conveyancePaths, c *intel.Conveyance) []Entity {
	if c == nil {
		return out
	}
	if c.VesselIMO != "" || c.VesselName != "" {
		e := Entity{Type: Vessel, Path: cp.vessel, Name: strings.TrimSpace(c.VesselName), Country: c.Flag}
		if c.VesselIMO != "" {
			if v, err := norm.IMO(c.VesselIMO); err == nil {
				e.Value = v
			}
		}
		if e.Value != "" || e.Name != "" {
			out = append(out, e)
		}
	}
	// An empty flight or vehicle is no identifier: not worth the error
	// that norm.Flight makes to say so.
	if c.Flight != "" {
		if v, err := norm.Flight(c.Flight); err == nil {
			out = append(out, Entity{Type: Flight, Path: cp.flight, Value: v})
		}
	}
	if c.Vehicle != "" {
		if v := norm.Identifier(c.Vehicle); len(v) >= 3 {
			out = append(out, Entity{Type: Vehicle, Path: cp.vehicle, Value: v})
		}
	}
	return out
}

func containers(out []Entity, lp *listPaths, cs []string) []Entity {
	for i, c := range cs {
		if v, err := norm.Container(c); err == nil {
			out = append(out, Entity{Type: Container, Path: lp.at(i), Value: v})
		}
	}
	return out
}
