package synth

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"liaison/internal/intel"
)

// Identity is the "true identity" behind parties that recur across records:
// one person or company whose name different records spell differently, as
// happens in intelligence. Variants[0] is the canonical name (in native
// script where the culture has one); the others are transliterations,
// romanisations, reorderings, shortened forms and typing slips of the same
// name. Every record that draws the identity uses one of the Variants and,
// when it states them, the same birth date, nationality, document,
// registration, phones and e-mail addresses.
type Identity struct {
	ID       string   `json:"id"`
	Type     string   `json:"type"` // person | organisation
	Variants []string `json:"variants"`
	// Culture is the naming tradition: for persons e.g. "zh-HK", "ru",
	// "es"; for organisations the company-name conventions of a country or
	// group, e.g. "hk", "cn", "latam".
	Culture string `json:"culture,omitempty"`
	// Persons.
	BirthDate       string `json:"birth_date,omitempty"` // YYYY-MM-DD, 1950-2004
	Gender          string `json:"gender,omitempty"`     // male | female
	Nationality     string `json:"nationality,omitempty"`
	Document        string `json:"document,omitempty"`         // passport number
	DocumentCountry string `json:"document_country,omitempty"` // issuing country of Document
	// Organisations.
	Country      string `json:"country,omitempty"`
	Registration string `json:"registration,omitempty"`
	Address      string `json:"address,omitempty"`
	// Both.
	Phones []string `json:"phones,omitempty"` // E.164
	Emails []string `json:"emails,omitempty"`
}

func (id Identity) clone() Identity {
	id.Variants = slices.Clone(id.Variants)
	id.Phones = slices.Clone(id.Phones)
	id.Emails = slices.Clone(id.Emails)
	return id
}

// PartyLabel says where a party of a generated record came from. It is kept
// outside the record so that the record stays what a client would send.
type PartyLabel struct {
	// Path is the party's place in the record's JSON, e.g.
	// "seizure.parties[1]" or "warning.targets[0]".
	Path string `json:"path"`
	// Identity is the ID of the pool identity the party renders, or "" for
	// a fresh party: a person or company that appears nowhere else, even
	// when its name happens to equal another's.
	Identity string `json:"identity,omitempty"`
	// Variant is the index in the identity's Variants of the name used, or
	// -1 for a fresh party.
	Variant int `json:"variant"`
}

// identity is a pool entry with what the generator needs beyond the
// exported view.
type identity struct {
	Identity
	latin int    // index of the usual Latin variant
	trade string // commodity id the identity is involved in
}

// Sizes of the identity pool.
const (
	poolPersons = 160
	poolOrgs    = 80
	// Probabilities that a party is drawn from the pool rather than made up.
	poolPersonP = 0.3
	poolOrgP    = 0.35
)

// buildPool creates the recurring identities, spread over the countries and
// trades of the trafficking flows.
func (g *Generator) buildPool() {
	for i := range poolPersons {
		f := g.pickFlow()
		nat := g.flowCountry(f)
		if g.home != nil && g.chance(0.2) {
			nat = g.home
		}
		gender := "male"
		if g.chance(0.25) {
			gender = "female"
		}
		cul := nat.Cultures[g.rng.IntN(len(nat.Cultures))]
		ns := g.personName(cul, gender[:1])
		id := &identity{
			Identity: Identity{
				ID: fmt.Sprintf("P%04d", i+1), Type: "person", Variants: ns.variants, Culture: cul,
				BirthDate: g.birthDate(), Gender: gender, Nationality: nat.Code,
				Document: g.fill(g.pick(nat.Passport)), DocumentCountry: nat.Code,
			},
			latin: ns.latin, trade: f.Commodity,
		}
		if g.chance(0.55) {
			id.Phones = append(id.Phones, g.fill(g.pick(nat.Mobile)))
			if g.chance(0.2) {
				other := g.t.byCode[g.pick(append(slices.Clone(f.To), f.From...))]
				id.Phones = append(id.Phones, g.fill(g.pick(other.Mobile)))
			}
		}
		if g.chance(0.3) {
			id.Emails = append(id.Emails, g.personalEmail(ns))
		}
		g.identities = append(g.identities, id)
	}
	for i := range poolOrgs {
		f := g.pickFlow()
		list := f.From
		if g.chance(0.5) {
			list = f.To
		}
		c := g.t.byCode[g.pick(list)]
		if g.home != nil && g.chance(0.2) {
			c = g.home
		}
		ns, slug := g.orgName(c)
		id := &identity{
			Identity: Identity{
				ID: fmt.Sprintf("O%04d", i+1), Type: "organisation", Variants: ns.variants, Culture: c.Org,
				Country: c.Code, Registration: g.fill(g.pick(c.Registration)),
			},
			latin: ns.latin, trade: f.Commodity,
		}
		if len(c.Addresses) > 0 && g.chance(0.8) {
			id.Address = g.fill(g.pick(c.Addresses))
		}
		if g.chance(0.4) {
			id.Phones = append(id.Phones, g.fill(g.pick(c.Mobile)))
		}
		if g.chance(0.35) {
			id.Emails = append(id.Emails, g.pick([]string{"info", "sales", "trade", "admin", "ops"})+"@"+slug+".example")
		}
		g.identities = append(g.identities, id)
	}
}

// flowCountry picks a country on a flow, mostly at its ends.
func (g *Generator) flowCountry(f *flow) *country {
	var list []string
	switch r := g.rng.Float64(); {
	case r < 0.45:
		list = f.From
	case r < 0.8 || len(f.Via) == 0:
		list = f.To
	default:
		list = f.Via
	}
	return g.t.byCode[g.pick(list)]
}

// birthDate returns a date between 1950 and 2004, most often in the 1970s
// to 1990s.
func (g *Generator) birthDate() string {
	year := 1950 + (g.rng.IntN(55)+g.rng.IntN(55))/2
	d := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(365))
	return d.Format(time.DateOnly)
}

// personalEmail makes an address from a name, under reserved example
// domains so that no real mailbox is named.
func (g *Generator) personalEmail(ns nameSet) string {
	given, family := slugify(ns.given), slugify(ns.family)
	given, family = strings.ReplaceAll(given, "-", ""), strings.ReplaceAll(family, "-", "")
	var local string
	switch g.rng.IntN(4) {
	case 0:
		local = given + "." + family
	case 1:
		local = family + given + fmt.Sprint(g.rng.IntN(100))
	case 2:
		local = given[:min(1, len(given))] + family + fmt.Sprint(1950+g.rng.IntN(55))
	default:
		local = family + "." + given + fmt.Sprint(g.rng.IntN(1000))
	}
	local = strings.Trim(local, ".")
	if local == "" {
		local = "contact" + fmt.Sprint(g.rng.IntN(10000))
	}
	return local + "@" + g.pick([]string{"mail.example", "example.com", "example.net", "inbox.example", "post.example"})
}

// member is a party together with what the narrative needs to know about
// it, whether or not the record states it.
type member struct {
	party       intel.Party
	label       PartyLabel
	nationality string
	birthDate   string
}

// person returns a person party in a role, drawn from the pool with
// probability p (matching the trade) or made up with the given nationality.
func (g *Generator) person(role string, nat *country, trade, path string, p float64) member {
	if g.chance(p) {
		var cands []*identity
		for _, id := range g.identities {
			if id.Type == "person" && id.trade == trade && !slices.Contains(g.used, id.ID) {
				cands = append(cands, id)
			}
		}
		if len(cands) > 0 {
			return g.personFrom(cands[g.rng.IntN(len(cands))], role, path)
		}
	}
	gender := "male"
	if g.chance(0.25) {
		gender = "female"
	}
	cul := nat.Cultures[g.rng.IntN(len(nat.Cultures))]
	ns := g.personName(cul, gender[:1])
	name := ns.variants[ns.latin]
	if r := g.rng.Float64(); r < 0.15 {
		name = ns.variants[0]
	} else if r < 0.25 {
		name = g.pick(ns.variants)
	}
	m := member{
		party:       intel.Party{Type: "person", Role: role, Name: name},
		label:       PartyLabel{Path: path, Variant: -1},
		nationality: nat.Code,
		birthDate:   g.birthDate(),
	}
	if g.chance(0.75) {
		m.party.BirthDate = m.birthDate
	}
	if g.chance(0.8) {
		m.party.Nationality = nat.Code
	}
	if g.chance(0.5) {
		m.party.Document = &intel.Document{Type: "passport", Number: g.fill(g.pick(nat.Passport)), Country: nat.Code}
	}
	if g.chance(0.3) {
		m.party.Gender = gender
	}
	if g.chance(0.15) {
		m.party.Phones = []string{g.fill(g.pick(nat.Mobile))}
	}
	if g.chance(0.08) {
		m.party.Emails = []string{g.personalEmail(ns)}
	}
	return m
}

// pickVariant chooses which spelling of an identity a record uses.
func (g *Generator) pickVariant(id *identity) int {
	switch r := g.rng.Float64(); {
	case r < 0.2:
		return 0
	case r < 0.55:
		return id.latin
	default:
		return g.rng.IntN(len(id.Variants))
	}
}

func (g *Generator) personFrom(id *identity, role, path string) member {
	g.used = append(g.used, id.ID)
	v := g.pickVariant(id)
	m := member{
		party:       intel.Party{Type: "person", Role: role, Name: id.Variants[v]},
		label:       PartyLabel{Path: path, Identity: id.ID, Variant: v},
		nationality: id.Nationality,
		birthDate:   id.BirthDate,
	}
	if g.chance(0.8) {
		m.party.BirthDate = id.BirthDate
	}
	if g.chance(0.85) {
		m.party.Nationality = id.Nationality
	}
	if g.chance(0.6) {
		m.party.Document = &intel.Document{Type: "passport", Number: id.Document, Country: id.DocumentCountry}
	}
	if g.chance(0.4) {
		m.party.Gender = id.Gender
	}
	if len(id.Phones) > 0 && g.chance(0.6) {
		m.party.Phones = slices.Clone(id.Phones)
	}
	if len(id.Emails) > 0 && g.chance(0.6) {
		m.party.Emails = slices.Clone(id.Emails)
	}
	if len(id.Variants) > 1 && g.chance(0.12) {
		if a := g.rng.IntN(len(id.Variants)); a != v {
			m.party.Aliases = []string{id.Variants[a]}
		}
	}
	return m
}

// organisation returns a company party in a role, registered in country c:
// drawn from the pool with probability p (same country, preferably the same
// trade) or made up.
func (g *Generator) organisation(role string, c *country, trade, path string, p float64) member {
	if g.chance(p) {
		var same, other []*identity
		for _, id := range g.identities {
			if id.Type != "organisation" || id.Country != c.Code || slices.Contains(g.used, id.ID) {
				continue
			}
			if id.trade == trade {
				same = append(same, id)
			} else {
				other = append(other, id)
			}
		}
		if len(same) == 0 || (len(other) > 0 && g.chance(0.2)) {
			same = other
		}
		if len(same) > 0 {
			return g.organisationFrom(same[g.rng.IntN(len(same))], role, path)
		}
	}
	ns, slug := g.orgName(c)
	name := ns.variants[ns.latin]
	if r := g.rng.Float64(); r < 0.15 {
		name = ns.variants[0]
	} else if r < 0.25 {
		name = g.pick(ns.variants)
	}
	m := member{
		party: intel.Party{Type: "organisation", Role: role, Name: name, Country: c.Code},
		label: PartyLabel{Path: path, Variant: -1},
	}
	if g.chance(0.6) {
		m.party.Registration = g.fill(g.pick(c.Registration))
	}
	if len(c.Addresses) > 0 && g.chance(0.4) {
		m.party.Address = g.fill(g.pick(c.Addresses))
	}
	if g.chance(0.1) {
		m.party.Emails = []string{"info@" + slug + ".example"}
	}
	return m
}

func (g *Generator) organisationFrom(id *identity, role, path string) member {
	g.used = append(g.used, id.ID)
	v := g.pickVariant(id)
	m := member{
		party: intel.Party{Type: "organisation", Role: role, Name: id.Variants[v], Country: id.Country},
		label: PartyLabel{Path: path, Identity: id.ID, Variant: v},
	}
	if g.chance(0.65) {
		m.party.Registration = id.Registration
	}
	if id.Address != "" && g.chance(0.5) {
		m.party.Address = id.Address
	}
	if len(id.Phones) > 0 && g.chance(0.5) {
		m.party.Phones = slices.Clone(id.Phones)
	}
	if len(id.Emails) > 0 && g.chance(0.5) {
		m.party.Emails = slices.Clone(id.Emails)
	}
	return m
}
