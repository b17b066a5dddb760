package synth

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"liaison/internal/intel"
)

// warning builds a warning: a shipment or traveller the originator asks
// partners to control, with targets from the identity pool.
func (g *Generator) warning(now time.Time) (*intel.Record, []PartyLabel) {
	g.used = g.used[:0]
	r := g.plan()
	day := today(now)
	from := day.AddDate(0, 0, g.rng.IntN(731)-700)
	to := from.AddDate(0, 0, 2+g.rng.IntN(20))
	w := &intel.Warning{
		Route:           r.legs(),
		ExpectedFrom:    from.Format(time.DateOnly),
		ExpectedTo:      to.Format(time.DateOnly),
		Category:        r.com.Category,
		Transport:       r.mode,
		SuggestedAction: g.weighted([]string{"check", "discreet-surveillance", "report-sighting"}, []float64{60, 25, 15}),
	}
	vals := map[string]string{
		"label": r.com.Label, "from": g.placeName(r.depLoc), "to": g.placeName(r.destLoc),
		"origin": r.origin.Name, "destination": r.dest.Name, "mode": r.mode,
		"expected_from": w.ExpectedFrom, "expected_to": w.ExpectedTo,
	}
	class := modeClass(r.mode)
	switch r.mode {
	case "sea":
		if g.chance(0.7) {
			v := g.vessels[g.rng.IntN(len(g.vessels))]
			w.Conveyance = &intel.Conveyance{VesselIMO: v.imo, VesselName: v.name, Flag: v.flag}
			vals["vessel"] = v.name
			if g.chance(0.6) {
				owner := g.pick(v.line.Owners)
				if g.chance(0.3) {
					owner = g.pick(g.t.lessors)
				}
				w.Containers = []string{g.container(owner)}
				vals["container"] = w.Containers[0]
			}
		}
	case "air", "passenger":
		f := g.flight(&r)
		w.Conveyance = &intel.Conveyance{Flight: f}
		vals["flight"] = f
	case "road":
		if plates := r.origin.Plates; len(plates) > 0 && g.chance(0.7) {
			p := g.fill(g.pick(plates))
			w.Conveyance = &intel.Conveyance{Vehicle: p}
			vals["vehicle"] = p
		}
	}
	key := class
	switch {
	case class == "cargo" && len(w.Containers) == 0:
		key = "cargo-bulk"
	case class == "road" && w.Conveyance == nil:
		key = "road-fleet"
	}
	w.Subject = upperFirst(expand(g.pick(g.t.narrative.WarningSubject[key]), vals))

	var labels []PartyLabel
	for i := range 1 + g.rng.IntN(3) {
		path := fmt.Sprintf("warning.targets[%d]", i)
		var m member
		if (class == "passenger" && i == 0) || g.chance(0.6) {
			role := "suspected organiser"
			if class == "passenger" || class == "road" {
				role = "suspected courier"
			}
			m = g.person(role, g.travellerNationality(&r), r.com.ID, path, 0.8)
		} else {
			role, c := "consignee", r.dest
			if g.chance(0.4) {
				role, c = "consignor", r.origin
			}
			m = g.organisation(role, c, r.com.ID, path, 0.8)
		}
		w.Targets = append(w.Targets, m.party)
		labels = append(labels, m.label)
	}
	for n, try := 2+g.rng.IntN(2), 0; len(w.Indicators) < n && try < 20; try++ {
		if ind := g.indicator(r.com, class); !slices.Contains(w.Indicators, ind) {
			w.Indicators = append(w.Indicators, ind)
		}
	}
	text := []string{expand(g.pick(g.t.narrative.WarningText), vals)}
	if g.chance(0.6) {
		text = append(text, expand(g.pick(g.t.narrative.WarningTargets), vals))
	}
	text = append(text, g.t.narrative.WarningAction[w.SuggestedAction])
	w.Narrative = strings.Join(text, " ")

	var partners []*country
	for _, c := range r.countries() {
		if c != g.home {
			partners = append(partners, c)
		}
	}
	return &intel.Record{
		Kind:         intel.KindWarning,
		Language:     "en",
		Title:        w.Subject,
		Grading:      g.grading(false),
		Handling:     g.handling(),
		Distribution: g.distribution(partners, 0.8, 0.15),
		Retention:    g.retention(),
		Warning:      w,
	}, labels
}

// alert builds a general notice on a modus operandi relevant to the
// originator's flows.
func (g *Generator) alert(now time.Time) *intel.Record {
	var com *commodity
	var f *flow
	for range 20 {
		if r := g.plan(); len(r.com.Alerts) > 0 {
			com, f = r.com, r.flow
			break
		}
	}
	if com == nil {
		for _, c := range g.t.commodities {
			if len(c.Alerts) > 0 {
				com = c
				break
			}
		}
		for i := range g.t.flows {
			if g.t.flows[i].Commodity == com.ID {
				f = &g.t.flows[i]
				break
			}
		}
	}
	a := com.Alerts[g.rng.IntN(len(com.Alerts))]
	day := today(now)
	var seen []*country
	for _, code := range append(append([]string{}, f.To...), f.Via...) {
		if c := g.t.byCode[code]; c != nil && c != g.home {
			seen = append(seen, c)
		}
	}
	g.rng.Shuffle(len(seen), func(i, j int) { seen[i], seen[j] = seen[j], seen[i] })
	seen = seen[:min(len(seen), 2+g.rng.IntN(2))]
	var names []string
	for _, c := range seen {
		names = append(names, c.Name)
	}
	vals := map[string]string{
		"since":     day.AddDate(0, 0, -60-g.rng.IntN(480)).Format("January 2006"),
		"countries": joinAnd(names),
	}
	al := &intel.Alert{
		Subject:    a.Subject,
		Category:   com.Category,
		Summary:    a.Summary,
		Indicators: g.pickN(com.Indicators, min(3, len(com.Indicators))),
		ModusOp:    a.MO,
		ValidUntil: day.AddDate(0, 0, 90+g.rng.IntN(276)).Format(time.DateOnly),
	}
	if len(names) > 0 {
		al.Narrative = expand(g.pick(g.t.narrative.AlertText), vals)
	}
	dist := g.distribution(seen, 0.25, 0.5)
	if dist.Scope == intel.ScopeOriginator {
		dist = intel.Distribution{Scope: intel.ScopeWCO}
	}
	return &intel.Record{
		Kind:         intel.KindAlert,
		Language:     "en",
		Title:        a.Subject,
		Grading:      g.grading(false),
		Handling:     intel.Handling{Code: g.weighted([]string{"H0", "H1", "H2"}, []float64{50, 30, 20})},
		Distribution: dist,
		Alert:        al,
	}
}

// pickN returns up to n distinct items of list in random order.
func (g *Generator) pickN(list []string, n int) []string {
	idx := g.rng.Perm(len(list))
	out := make([]string, 0, n)
	for _, i := range idx[:min(n, len(idx))] {
		out = append(out, list[i])
	}
	return out
}

// joinAnd joins names as English prose: "A, B and C".
func joinAnd(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
