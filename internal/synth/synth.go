// Package synth generates realistic synthetic intelligence records for
// demonstrations, tests and benchmarks: seizures along real trafficking
// routes through real ports, with HS 2022 codes, ISO 6346 container numbers
// and IMO ship numbers whose check digits are valid, parties named in many
// cultures and scripts, and warnings and alerts that go with them.
//
// A Generator is deterministic: the same seed, originator and sequence of
// calls with the same times produce the same records. Records are what a
// client would POST: they carry no id, version, creation time or originator,
// which the service assigns.
//
// Some people and companies recur across records under different spellings
// (transliterations, romanisations, reordered or shortened names, typing
// slips), as in real intelligence. The pool of these identities is exposed
// by Identities, and Labelled tells which identity each party renders, so
// that name matching can be evaluated against known truth.
package synth

import (
	"math/rand/v2"
	"slices"
	"time"

	"liaison/internal/intel"
)

// Generator produces synthetic records. It is not safe for concurrent use.
type Generator struct {
	rng        *rand.Rand
	t          *tables
	home       *country // the originator's territory, nil when unknown
	candidates []candidate
	identities []*identity
	vessels    []vessel
	used       []string // pool identities already in the record being built
}

// vessel is a ship of the generator's fleet; ships recur across records.
type vessel struct {
	name, imo, flag string
	line            *line
}

// candidate is one way a flow can produce an event where the originator
// is: goods arriving (import), leaving (export) or passing through
// (transit), by one transport mode.
type candidate struct {
	flow      *flow
	mode      string
	direction string
	weight    float64
}

// New returns a generator seeded with seed for records of the given
// originator, an ISO 3166 alpha-2 code such as "HK": seizures then happen in
// that territory and are shared with its partners. With an empty or unknown
// originator, events are spread over all territories the data knows.
//
// New panics if the embedded data tables are inconsistent, which the
// package's tests rule out.
func New(seed int64, originator string) *Generator {
	t, err := loadTables()
	if err != nil {
		panic(err)
	}
	g := &Generator{
		rng:  rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x5eed_1a15_0000_c0de)),
		t:    t,
		home: t.byCode[originator],
	}
	g.candidates = g.buildCandidates()
	if len(g.candidates) == 0 {
		// Nothing can reach this territory: spread events over all.
		g.home = nil
		g.candidates = g.buildCandidates()
	}
	g.buildFleet()
	g.buildPool()
	return g
}

// Record returns one record: mostly seizures, some warnings and alerts.
func (g *Generator) Record(now time.Time) *intel.Record {
	r, _ := g.Labelled(now)
	return r
}

// Labelled returns one record, like Record, and the provenance of each of
// its parties in order (none for an alert, which names no parties).
func (g *Generator) Labelled(now time.Time) (*intel.Record, []PartyLabel) {
	switch x := g.rng.Float64(); {
	case x < 0.8:
		return g.seizure(now)
	case x < 0.92:
		return g.warning(now)
	default:
		return g.alert(now), nil
	}
}

// Records returns n records made with Record.
func (g *Generator) Records(n int, now time.Time) []*intel.Record {
	out := make([]*intel.Record, n)
	for i := range out {
		out[i] = g.Record(now)
	}
	return out
}

// Seizure returns a seizure record dated within the two years before now.
func (g *Generator) Seizure(now time.Time) *intel.Record {
	r, _ := g.seizure(now)
	return r
}

// Warning returns a warning record whose expected window lies within the
// two years before now or in the following weeks.
func (g *Generator) Warning(now time.Time) *intel.Record {
	r, _ := g.warning(now)
	return r
}

// Alert returns an alert record describing a modus operandi.
func (g *Generator) Alert(now time.Time) *intel.Record {
	return g.alert(now)
}

// Identities returns a copy of the pool of recurring identities.
func (g *Generator) Identities() []Identity {
	out := make([]Identity, len(g.identities))
	for i, id := range g.identities {
		out[i] = id.Identity.clone()
	}
	return out
}

func (g *Generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *Generator) pick(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[g.rng.IntN(len(list))]
}

// pickFlow picks a flow by weight.
func (g *Generator) pickFlow() *flow {
	total := 0.0
	for i := range g.t.flows {
		total += g.t.flows[i].Weight
	}
	x := g.rng.Float64() * total
	for i := range g.t.flows {
		if x -= g.t.flows[i].Weight; x < 0 {
			return &g.t.flows[i]
		}
	}
	return &g.t.flows[len(g.t.flows)-1]
}

// linked reports whether goods can travel between two countries by a mode:
// road and rail need a land connection, sea and air go anywhere.
func (g *Generator) linked(mode string, a, b *country) bool {
	if a == nil || b == nil || a == b {
		return false
	}
	switch mode {
	case "road":
		return g.t.roadLinks[[2]string{a.Code, b.Code}]
	case "rail":
		return g.t.railLinks[[2]string{a.Code, b.Code}]
	}
	return true
}

// usable returns the countries of codes that have a place for the mode.
func (g *Generator) usable(codes []string, mode string) []*country {
	var out []*country
	for _, code := range codes {
		if c := g.t.byCode[code]; c != nil && len(c.locodes(mode)) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// buildCandidates lists the ways each flow can touch the originator's
// territory, keeping only those for which a route exists.
func (g *Generator) buildCandidates() []candidate {
	var out []candidate
	for i := range g.t.flows {
		f := &g.t.flows[i]
		w := f.Weight / float64(len(f.Modes))
		for _, mode := range f.Modes {
			from, to := g.usable(f.From, mode), g.usable(f.To, mode)
			if g.home == nil {
				if g.anyRoute(from, to, mode) {
					out = append(out, candidate{f, mode, "import", w})
				}
				continue
			}
			if len(g.home.locodes(mode)) == 0 {
				continue
			}
			home := []*country{g.home}
			if slices.Contains(f.To, g.home.Code) && g.anyRoute(from, home, mode) {
				out = append(out, candidate{f, mode, "import", w})
			}
			if slices.Contains(f.From, g.home.Code) && g.anyRoute(home, to, mode) {
				out = append(out, candidate{f, mode, "export", w * 0.5})
			}
			if slices.Contains(f.Via, g.home.Code) && mode != "road" && mode != "rail" && g.anyRoute(without(from, g.home), without(to, g.home), mode) {
				out = append(out, candidate{f, mode, "transit", w * 0.4})
			}
		}
	}
	if len(out) == 0 && g.home != nil {
		// A territory no flow touches: report what arrives there from
		// anywhere, by sea or air.
		for i := range g.t.flows {
			f := &g.t.flows[i]
			for _, mode := range f.Modes {
				if len(g.home.locodes(mode)) > 0 && (mode != "road" && mode != "rail") && len(g.usable(f.From, mode)) > 0 {
					out = append(out, candidate{f, mode, "import", f.Weight / float64(len(f.Modes))})
				}
			}
		}
	}
	return out
}

// without returns the countries of list other than c.
func without(list []*country, c *country) []*country {
	var out []*country
	for _, x := range list {
		if x != c {
			out = append(out, x)
		}
	}
	return out
}

func (g *Generator) anyRoute(from, to []*country, mode string) bool {
	for _, a := range from {
		for _, b := range to {
			if g.linked(mode, a, b) {
				return true
			}
		}
	}
	return false
}

// buildFleet creates the ships that carry the containers of sea records.
func (g *Generator) buildFleet() {
	for i := range g.t.lines {
		l := &g.t.lines[i]
		for _, name := range l.Vessels {
			g.vessels = append(g.vessels, vessel{name: name, imo: g.imo(), flag: g.pick(l.Flags), line: l})
		}
	}
}

// route is where an event happens and the legs of the goods' journey.
type route struct {
	flow      *flow
	com       *commodity
	mode      string
	direction string
	origin    *country
	via       *country
	dest      *country
	depLoc    string
	viaLoc    string
	destLoc   string
	place     *country
	placeLoc  string
}

// plan picks a flow touching the originator and lays out its route.
func (g *Generator) plan() route {
	total := 0.0
	for _, c := range g.candidates {
		total += c.weight
	}
	for {
		x := g.rng.Float64() * total
		c := g.candidates[len(g.candidates)-1]
		for _, k := range g.candidates {
			if x -= k.weight; x < 0 {
				c = k
				break
			}
		}
		if r, ok := g.layout(c); ok {
			return r
		}
	}
}

// layout chooses the countries and places of a route for a candidate.
func (g *Generator) layout(c candidate) (route, bool) {
	f, mode := c.flow, c.mode
	r := route{flow: f, com: g.t.byCommodity[f.Commodity], mode: mode, direction: c.direction}
	from, to := g.usable(f.From, mode), g.usable(f.To, mode)
	pickLinked := func(list []*country, other *country) *country {
		var ok []*country
		for _, x := range list {
			if g.linked(mode, x, other) {
				ok = append(ok, x)
			}
		}
		if len(ok) == 0 {
			return nil
		}
		return ok[g.rng.IntN(len(ok))]
	}
	switch {
	case g.home == nil:
		r.dest = to[g.rng.IntN(len(to))]
		r.origin = pickLinked(from, r.dest)
	case c.direction == "export":
		r.origin = g.home
		r.dest = pickLinked(to, r.origin)
	case c.direction == "transit":
		r.via = g.home
		r.origin = pickLinked(from, r.via)
		if r.origin != nil {
			r.dest = pickLinked(to, r.via)
		}
		if r.dest == r.origin {
			r.dest = nil
		}
	default:
		r.dest = g.home
		r.origin = pickLinked(from, r.dest)
		if others := without(from, r.dest); r.origin == nil && len(others) > 0 {
			r.origin = others[g.rng.IntN(len(others))] // a territory no flow touches
		}
	}
	if r.origin == nil || r.dest == nil {
		return r, false
	}
	if r.via == nil && mode != "road" && mode != "rail" && len(f.Via) > 0 && g.chance(0.35) {
		if vias := g.usable(f.Via, mode); len(vias) > 0 {
			if v := vias[g.rng.IntN(len(vias))]; v != r.origin && v != r.dest {
				r.via = v
			}
		}
	}
	if r.via == nil && mode != "sea" && mode != "road" && mode != "rail" && r.origin.Region != r.dest.Region && g.chance(0.6) {
		r.via = g.hub(r)
	}
	r.depLoc = g.pick(r.origin.locodes(mode))
	r.destLoc = g.pick(r.dest.locodes(mode))
	if r.via != nil {
		r.viaLoc = g.pick(r.via.locodes(mode))
	}
	switch r.direction {
	case "export":
		r.place, r.placeLoc = r.origin, r.depLoc
	case "transit":
		r.place, r.placeLoc = r.via, r.viaLoc
	default:
		r.place, r.placeLoc = r.dest, r.destLoc
	}
	return r, true
}

// hub picks an air hub between two regions for a connecting flight: one of
// the Gulf, Istanbul or Addis Ababa, or a hub in the region of either end.
func (g *Generator) hub(r route) *country {
	var hubs []*country
	for _, code := range g.t.hubs {
		c := g.t.byCode[code]
		if c == nil || c == r.origin || c == r.dest || len(c.Air) == 0 {
			continue
		}
		switch {
		case code == "AE" || code == "QA" || code == "TR" || code == "ET", c.Region == r.origin.Region, c.Region == r.dest.Region:
			hubs = append(hubs, c)
		}
	}
	if len(hubs) == 0 {
		return nil
	}
	return hubs[g.rng.IntN(len(hubs))]
}

// legs returns the route as record legs.
func (r *route) legs() []intel.RouteLeg {
	legs := []intel.RouteLeg{{Role: "departure", Country: r.origin.Code, Locode: r.depLoc}}
	if r.via != nil {
		legs = append(legs, intel.RouteLeg{Role: "transit", Country: r.via.Code, Locode: r.viaLoc})
	}
	return append(legs, intel.RouteLeg{Role: "destination", Country: r.dest.Code, Locode: r.destLoc})
}

// countries returns the distinct countries on the route.
func (r *route) countries() []*country {
	out := []*country{r.origin}
	if r.via != nil {
		out = append(out, r.via)
	}
	if r.dest != r.origin {
		out = append(out, r.dest)
	}
	return out
}

func (g *Generator) placeName(locode string) string {
	if n := g.t.locodeNames[locode]; n != "" {
		return n
	}
	return locode
}

// today is the UTC day of now, at midnight.
func today(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// grading returns a 4x4 evaluation; facts established by the originator
// itself are graded higher than intelligence.
func (g *Generator) grading(fact bool) intel.Grading {
	src := g.weighted([]string{"A", "B", "C", "X"}, []float64{10, 50, 30, 10})
	info := g.weighted([]string{"1", "2", "3", "4"}, []float64{10, 45, 35, 10})
	if fact {
		src = g.weighted([]string{"A", "B", "C"}, []float64{40, 50, 10})
		info = g.weighted([]string{"1", "2", "3"}, []float64{55, 40, 5})
	}
	return intel.Grading{Source: src, Information: info}
}

// handling returns a handling code; H3 carries its conditions.
func (g *Generator) handling() intel.Handling {
	code := g.weighted([]string{"H0", "H1", "H2", "H3"}, []float64{40, 25, 30, 5})
	h := intel.Handling{Code: code}
	if code == "H3" {
		h.Conditions = g.pick([]string{
			"Not to be shared with private-sector partners, including carriers and port operators.",
			"For the investigation of this case only; destroy after twelve months.",
			"Not to be entered into national databases without the originator's consent.",
		})
	}
	return h
}

// distribution returns who may receive a record: mostly the partners on the
// route, sometimes the region, sometimes nobody beyond the originator.
func (g *Generator) distribution(partners []*country, bilateral, region float64) intel.Distribution {
	var recipients []string
	for _, c := range partners {
		if (g.home == nil || c != g.home) && !slices.Contains(recipients, c.Code) {
			recipients = append(recipients, c.Code)
		}
	}
	regionOf := func() string {
		if g.home != nil {
			return g.home.Region
		}
		if len(partners) > 0 {
			return partners[len(partners)-1].Region
		}
		return "AP"
	}
	x := g.rng.Float64()
	switch {
	case x < bilateral && len(recipients) > 0:
		if len(recipients) > 3 {
			recipients = recipients[:3]
		}
		return intel.Distribution{Scope: intel.ScopeBilateral, Recipients: recipients}
	case x < bilateral+region || x < bilateral:
		return intel.Distribution{Scope: intel.ScopeRegion, Region: regionOf()}
	case x < 0.95:
		return intel.Distribution{Scope: intel.ScopeOriginator}
	default:
		return intel.Distribution{Scope: intel.ScopeWCO}
	}
}

// retention sometimes sets how long the record may be kept.
func (g *Generator) retention() *intel.Retention {
	if !g.chance(0.2) {
		return nil
	}
	return &intel.Retention{Days: []int{365, 1095, 1825, 3650}[g.rng.IntN(4)]}
}

// weighted picks one of values with probability proportional to its weight.
func (g *Generator) weighted(values []string, weights []float64) string {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := g.rng.Float64() * total
	for i, w := range weights {
		if x -= w; x < 0 {
			return values[i]
		}
	}
	return values[len(values)-1]
}

// countryName returns the English name of a territory.
func (g *Generator) countryName(code string) string {
	if c := g.t.byCode[code]; c != nil {
		return c.Name
	}
	return code
}
