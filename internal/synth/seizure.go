package synth

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"liaison/internal/intel"
)

// modeClass groups transport modes by the way a narrative describes them.
func modeClass(mode string) string {
	switch mode {
	case "air":
		return "air"
	case "passenger":
		return "passenger"
	case "postal", "express-courier":
		return "mail"
	case "road":
		return "road"
	}
	return "cargo"
}

// seizure builds a seizure report and the provenance of its parties.
func (g *Generator) seizure(now time.Time) (*intel.Record, []PartyLabel) {
	g.used = g.used[:0]
	r := g.plan()
	date := today(now).AddDate(0, 0, -g.rng.IntN(731))
	goods, phrase, title := g.goods(&r)
	s := &intel.Seizure{
		Date:      date.Format(time.DateOnly),
		Place:     intel.Place{Country: r.place.Code, Locode: r.placeLoc},
		Direction: r.direction,
		Transport: r.mode,
		Route:     r.legs(),
		Goods:     goods,
	}
	vals := g.conveyance(&r, s)
	s.Concealment = g.pick(r.com.Conceal[r.mode])
	s.Detection = g.detection(&r)
	members := g.seizureParties(&r)
	labels := make([]PartyLabel, len(members))
	for i, m := range members {
		s.Parties = append(s.Parties, m.party)
		labels[i] = m.label
	}
	vals["goods"] = phrase
	s.Narrative = g.narrate(&r, s, vals, members, date)

	var partners []*country
	for _, c := range r.countries() {
		if c != r.place {
			partners = append(partners, c)
		}
	}
	rec := &intel.Record{
		Kind:         intel.KindSeizure,
		Language:     "en",
		Title:        title + " at " + g.placeName(r.placeLoc),
		Grading:      g.grading(true),
		Handling:     g.handling(),
		Distribution: g.distribution(partners, 0.7, 0.15),
		Retention:    g.retention(),
		Seizure:      s,
	}
	return rec, labels
}

// goods returns the goods lines of a seizure, the phrase naming them in the
// narrative and a short title.
func (g *Generator) goods(r *route) ([]intel.Goods, string, string) {
	com := r.com
	var eligible []*product
	for i := range com.Products {
		p := &com.Products[i]
		if len(p.From) == 0 || slices.Contains(p.From, r.origin.Code) {
			eligible = append(eligible, p)
		}
	}
	if len(eligible) == 0 {
		for i := range com.Products {
			eligible = append(eligible, &com.Products[i])
		}
	}
	n := 1
	switch {
	case com.ID == "counterfeit":
		n = 1 + g.rng.IntN(3)
	case len(eligible) > 1 && g.chance(0.1):
		n = 2
	}
	g.rng.Shuffle(len(eligible), func(i, j int) { eligible[i], eligible[j] = eligible[j], eligible[i] })
	var chosen []*product
	for _, p := range eligible {
		if len(chosen) < n && !slices.ContainsFunc(chosen, func(o *product) bool { return o.Short == p.Short && o.Desc[:4] == p.Desc[:4] }) {
			chosen = append(chosen, p)
		}
	}

	var lines []intel.Goods
	var phrases []string
	var title string
	for _, p := range chosen {
		unit := p.Unit
		if unit == "" {
			unit = com.Unit
			if len(com.Units) > 0 {
				unit = g.pick(com.Units)
			}
		}
		q := com.Qty[r.mode]
		qty := roundQty(g.logUniform(q[0], q[1]), unit, com.Step)
		currency := r.place.Currency
		if g.chance(0.2) {
			currency = "USD"
		}
		var amount float64
		if p.Cash != "" {
			currency = p.Cash
			amount = qty * p.Denom
		} else {
			usd := com.USD
			if len(p.USD) == 2 {
				usd = [2]float64{p.USD[0], p.USD[1]}
			}
			amount = round3(qty * (usd[0] + g.rng.Float64()*(usd[1]-usd[0])) * g.t.perUSD[currency])
		}
		line := intel.Goods{
			Category:    com.Category,
			Description: p.Desc,
			HS:          p.HS,
			Quantity:    qty,
			Unit:        unit,
			Value:       &intel.Money{Amount: amount, Currency: currency},
		}
		lines = append(lines, line)
		phrases = append(phrases, goodsPhrase(line, p))
		title = goodsTitle(line, p, com)
	}
	if len(lines) > 1 {
		title = upperFirst(com.Label)
	}
	return lines, strings.Join(phrases, " and "), title
}

// countUnit reports whether a unit counts whole items.
func countUnit(unit string) bool {
	switch unit {
	case "piece", "stick", "pair", "set", "bottle", "head", "carton", "pack", "box", "unit":
		return true
	}
	return false
}

// unitWord is the English word for a unit in running text.
func unitWord(unit string, qty float64) string {
	if !countUnit(unit) || unit == "head" {
		return unit
	}
	if qty == 1 {
		return unit
	}
	if unit == "box" {
		return "boxes"
	}
	return unit + "s"
}

func goodsPhrase(l intel.Goods, p *product) string {
	if p.Cash != "" {
		return fmt.Sprintf("%s %s in banknotes", l.Value.Currency, formatNum(l.Value.Amount))
	}
	name := p.Desc
	if p.Short != "" {
		name = p.Short
	}
	switch l.Unit {
	case "piece", "stick", "head", "unit":
		if l.Quantity == 1 && p.One != "" {
			return "one " + p.One
		}
		return formatNum(l.Quantity) + " " + name
	}
	return fmt.Sprintf("%s %s of %s", formatNum(l.Quantity), unitWord(l.Unit, l.Quantity), name)
}

func goodsTitle(l intel.Goods, p *product, com *commodity) string {
	if p.Cash != "" {
		return fmt.Sprintf("%s %s in undeclared cash", l.Value.Currency, formatNum(l.Value.Amount))
	}
	return fmt.Sprintf("%s %s of %s", formatNum(l.Quantity), unitWord(l.Unit, l.Quantity), com.Label)
}

// logUniform draws between lo and hi with small values as likely as large
// ones in relative terms, as seizure sizes are.
func (g *Generator) logUniform(lo, hi float64) float64 {
	if lo <= 0 || hi <= lo {
		return max(lo, hi)
	}
	return math.Exp(math.Log(lo) + g.rng.Float64()*(math.Log(hi)-math.Log(lo)))
}

// roundQty rounds a quantity as an officer would report it: whole items,
// or whole steps (such as cartons of 200 cigarettes) for large counts,
// weights and volumes to a sensible precision.
func roundQty(q float64, unit string, step float64) float64 {
	if countUnit(unit) {
		n := math.Max(1, math.Round(q))
		if step > 1 && n >= 5*step {
			n = math.Round(n/step) * step
		}
		return n
	}
	switch {
	case q < 1:
		return math.Max(0.001, math.Round(q*1000)/1000)
	case q < 10:
		return math.Round(q*100) / 100
	case q < 1000:
		return math.Round(q*10) / 10
	}
	return math.Round(q)
}

// round3 keeps three significant digits of an amount.
func round3(v float64) float64 {
	if v <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v))-2)
	return math.Round(v/p) * p
}

// formatNum writes a number with thousands separators and without
// trailing zeros: 8000000 as "8,000,000", 1.25 as "1.25".
func formatNum(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		if len(frac) > 3 {
			frac = frac[:3]
		}
		b.WriteString("." + frac)
	}
	return b.String()
}

// conveyance fills the conveyance and containers of a seizure and returns
// the identifiers the narrative refers to.
func (g *Generator) conveyance(r *route, s *intel.Seizure) map[string]string {
	vals := map[string]string{"vessel": "the vessel", "flight": "an inbound flight", "vehicle": "the vehicle"}
	containerOwner := func(l *line) string {
		if l != nil && g.chance(0.7) {
			return g.pick(l.Owners)
		}
		return g.pick(g.t.lessors)
	}
	switch r.mode {
	case "sea":
		v := g.vessels[g.rng.IntN(len(g.vessels))]
		s.Conveyance = &intel.Conveyance{VesselIMO: v.imo, VesselName: v.name, Flag: v.flag}
		vals["vessel"] = v.name
		n := 1
		if x := g.rng.Float64(); x > 0.9 {
			n = 3 + g.rng.IntN(2)
		} else if x > 0.7 {
			n = 2
		}
		for range n {
			s.Containers = append(s.Containers, g.container(containerOwner(v.line)))
		}
	case "rail":
		vals["vessel"] = "train"
		for range 1 + g.rng.IntN(2) {
			s.Containers = append(s.Containers, g.container(containerOwner(nil)))
		}
	case "air", "passenger":
		f := g.flight(r)
		s.Conveyance = &intel.Conveyance{Flight: f}
		vals["flight"] = f
		vals["awb"] = g.awb(g.pick(g.t.awbPrefixes))
	case "road":
		plates := r.origin.Plates
		if len(plates) == 0 || g.chance(0.4) && len(r.dest.Plates) > 0 {
			plates = r.dest.Plates
		}
		if len(plates) > 0 {
			p := g.fill(g.pick(plates))
			s.Conveyance = &intel.Conveyance{Vehicle: p}
			vals["vehicle"] = p
		}
		if g.chance(0.15) {
			s.Containers = append(s.Containers, g.container(containerOwner(nil)))
		}
	case "postal":
		vals["item"] = "postal item"
		vals["tracking"] = g.s10(g.pick(g.t.postal), r.origin.Code)
	case "express-courier":
		vals["item"] = "express consignment"
		vals["awb"] = g.awb(g.pick(g.t.awbPrefixes))
		vals["tracking"] = vals["awb"]
		if g.chance(0.3) {
			f := g.flight(r)
			s.Conveyance = &intel.Conveyance{Flight: f}
			vals["flight"] = f
		}
	}
	vals["container"] = "the container"
	if len(s.Containers) > 0 {
		vals["container"] = s.Containers[0]
	}
	return vals
}

// flight returns a flight number ("CX 251") of an airline flying the leg
// that touches the place of the event, or of a hub carrier.
func (g *Generator) flight(r *route) string {
	var leg []*country
	switch {
	case r.direction == "transit":
		leg = []*country{r.via}
	case r.via != nil && r.direction == "export":
		leg = []*country{r.origin, r.via}
	case r.via != nil:
		leg = []*country{r.via, r.dest}
	default:
		leg = []*country{r.origin, r.dest}
	}
	longHaul := leg[0].Region != leg[len(leg)-1].Region
	var codes []string
	for _, c := range leg {
		for _, a := range g.t.airlines {
			if a.Country == c.Code && !(a.ShortHaul && longHaul) {
				codes = append(codes, a.Code)
			}
		}
	}
	if len(codes) == 0 {
		for _, a := range g.t.airlines {
			if slices.Contains(g.t.hubs, a.Country) {
				codes = append(codes, a.Code)
			}
		}
	}
	return fmt.Sprintf("%s %d", g.pick(codes), 1+g.rng.IntN(999))
}

// detection picks how the goods were found; a controlled delivery only
// makes sense for goods arriving.
func (g *Generator) detection(r *route) string {
	for {
		d := g.pick(r.com.Detect)
		if d != "controlled-delivery" || r.direction == "import" {
			return d
		}
	}
}

// seizureParties returns the people and companies involved, by transport
// mode: shippers and consignees of cargo, drivers, passengers, senders and
// addressees of mail.
func (g *Generator) seizureParties(r *route) []member {
	var ms []member
	trade := r.com.ID
	path := func() string { return fmt.Sprintf("seizure.parties[%d]", len(ms)) }
	addPerson := func(role string, nat *country, p float64) { ms = append(ms, g.person(role, nat, trade, path(), p)) }
	addOrg := func(role string, c *country) { ms = append(ms, g.organisation(role, c, trade, path(), poolOrgP)) }
	switch modeClass(r.mode) {
	case "cargo", "air":
		addOrg("consignor", r.origin)
		addOrg("consignee", r.dest)
		if g.chance(0.35) {
			addPerson(g.pick([]string{"director of the consignee", "contact person of the consignee", "importer"}), r.dest, poolPersonP)
		}
		if g.chance(0.15) {
			fc := r.origin
			if r.via != nil {
				fc = r.via
			}
			addOrg("freight forwarder", fc)
		}
		if g.chance(0.1) {
			addOrg("customs broker", r.place)
		}
	case "road":
		addPerson("driver", g.travellerNationality(r), poolPersonP)
		if g.chance(0.6) {
			addOrg("consignee", r.dest)
		}
		if g.chance(0.4) {
			addOrg("consignor", r.origin)
		}
	case "passenger":
		addPerson("passenger", g.travellerNationality(r), poolPersonP)
		if g.chance(0.15) {
			addPerson("accompanying passenger", g.travellerNationality(r), poolPersonP)
		}
	case "mail":
		if g.chance(0.6) {
			addPerson("sender", r.origin, poolPersonP)
		} else {
			addOrg("sender", r.origin)
		}
		if g.chance(0.8) {
			addPerson("addressee", r.dest, poolPersonP)
		} else {
			addOrg("addressee", r.dest)
		}
	}
	return ms
}

// travellerNationality picks the nationality of a courier or driver: most
// often of a country at either end of the route.
func (g *Generator) travellerNationality(r *route) *country {
	switch x := g.rng.Float64(); {
	case x < 0.4:
		return r.origin
	case x < 0.75:
		return r.dest
	}
	return g.flowCountry(r.flow)
}

// narrate writes the narrative of a seizure from its fields: how it was
// detected, what was declared and what was found where, and what followed.
func (g *Generator) narrate(r *route, s *intel.Seizure, vals map[string]string, ms []member, date time.Time) string {
	class := modeClass(r.mode)
	n := &g.t.narrative
	vals["from"] = g.placeName(r.depLoc)
	vals["to"] = g.placeName(r.destLoc)
	vals["origin"] = r.origin.Name
	vals["place"] = g.placeName(r.placeLoc)
	partner := r.origin
	if r.via != nil && r.via != r.place {
		partner = r.via
	}
	if partner == r.place {
		partner = r.dest
	}
	vals["partner"] = partner.Name
	vals["indicator"] = lowerFirst(g.indicator(r.com, class))
	cover := g.pick(r.com.Covers[r.mode])
	if cover == "" {
		cover = map[string]string{"mail": "gifts", "passenger": "personal effects"}[class]
		if cover == "" {
			cover = "general cargo"
		}
	}
	vals["cover"] = cover
	vals["n"] = g.pick([]string{"two", "three", "four", "five"})
	vals["nationality"], vals["age"] = "", ""
	for _, m := range ms {
		if m.party.Type == "person" {
			vals["nationality"] = g.countryName(m.nationality)
			vals["age"] = strconv.Itoa(age(m.birthDate, date))
			break
		}
	}

	var opening string
	switch r.direction {
	case "export", "transit":
		table := n.Export
		if r.direction == "transit" {
			table = n.Transit
		}
		vals["reason"] = expand(n.Reasons[s.Detection], vals)
		opening = g.pick(table[class])
	default:
		opening = g.pickKeyed(n.Detection, s.Detection+"/"+class, s.Detection)
	}
	found := g.pickKeyed(n.Found, s.Concealment+"/"+class, s.Concealment)
	var outcome string
	if s.Detection == "controlled-delivery" {
		outcome = g.pick(n.Outcome["controlled-delivery"])
	} else {
		outcome = g.pick(n.Outcome[class])
	}
	var sentences []string
	for _, t := range []string{opening, found, outcome} {
		if t != "" {
			sentences = append(sentences, upperFirst(expand(t, vals)))
		}
	}
	return strings.Join(sentences, " ")
}

// indicator picks a risk indicator of the commodity that fits the
// transport mode, or a general one for the mode.
func (g *Generator) indicator(com *commodity, class string) string {
	var fit []string
	for _, s := range com.Indicators {
		if indicatorClass(s) == class || indicatorClass(s) == "cargo" && class == "air" {
			fit = append(fit, s)
		}
	}
	if len(fit) == 0 || g.chance(0.2) {
		fit = g.t.narrative.Indicators[class]
	}
	return g.pick(fit)
}

// indicatorClass tells which kind of movement an indicator is about, from
// the words it uses.
func indicatorClass(s string) string {
	l := strings.ToLower(s)
	has := func(words ...string) bool {
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(l, w) })
	}
	switch {
	case has("passenger", "traveller", "courier", "ticket"):
		return "passenger"
	case has("vehicle", "truck", "driver", "tank"):
		return "road"
	case has("parcel", "express", "sender", "small "):
		return "mail"
	}
	return "cargo"
}

// pickKeyed picks a template under the first key that has any.
func (g *Generator) pickKeyed(m map[string][]string, keys ...string) string {
	for _, k := range keys {
		if list := m[k]; len(list) > 0 {
			return g.pick(list)
		}
	}
	return ""
}

// expand replaces each {name} in a template by its value.
func expand(tpl string, vals map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:i])
		key := tpl[i+1 : i+j]
		if v, ok := vals[key]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(tpl[i : i+j+1])
		}
		tpl = tpl[i+j+1:]
	}
}

// age returns the age in whole years on a date of a person born on birth
// (YYYY-MM-DD).
func age(birth string, on time.Time) int {
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		return 0
	}
	a := on.Year() - b.Year()
	if on.Month() < b.Month() || on.Month() == b.Month() && on.Day() < b.Day() {
		a--
	}
	return a
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// lowerFirst lower-cases the first letter of s unless it starts an
// acronym ("CITES").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	if next, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
