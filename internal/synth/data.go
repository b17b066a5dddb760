package synth

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// dataFiles holds the tables the generator draws from. They are authored for
// Liaison and each states its sources and "as of" date.
//
//go:embed data/*.json
var dataFiles embed.FS

// country is one country or customs territory the generator can place
// events, people and companies in.
type country struct {
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Region       string   `json:"region"`
	Currency     string   `json:"currency"`
	Sea          []string `json:"sea"`
	Air          []string `json:"air"`
	Road         []string `json:"road"`
	Rail         []string `json:"rail"`
	Cultures     []string `json:"cultures"`
	Org          string   `json:"org"`
	Passport     []string `json:"passport"`
	Mobile       []string `json:"mobile"`
	Plates       []string `json:"plates"`
	Registration []string `json:"registration"`
	Addresses    []string `json:"addresses"`
}

// locodes returns the UN/LOCODEs of the country usable with a transport
// mode: seaports for sea, airports for air, passengers, mail and express,
// road and rail points for road and rail.
func (c *country) locodes(mode string) []string {
	switch mode {
	case "sea":
		return c.Sea
	case "road":
		return c.Road
	case "rail":
		return c.Rail
	default:
		return c.Air
	}
}

type product struct {
	Desc  string    `json:"desc"`
	Short string    `json:"short"` // name in running text
	One   string    `json:"one"`   // name of a single item
	HS    string    `json:"hs"`
	Unit  string    `json:"unit"`
	USD   []float64 `json:"usd"`
	From  []string  `json:"from"`
	Cash  string    `json:"cash"`
	Denom float64   `json:"denom"`
}

type alertText struct {
	Subject string `json:"subject"`
	Summary string `json:"summary"`
	MO      string `json:"mo"`
}

type commodity struct {
	ID         string                `json:"id"`
	Category   string                `json:"category"`
	Label      string                `json:"label"`
	Unit       string                `json:"unit"`
	Units      []string              `json:"units"`
	Products   []product             `json:"products"`
	Qty        map[string][2]float64 `json:"qty"`
	USD        [2]float64            `json:"usd"`
	Conceal    map[string][]string   `json:"conceal"`
	Covers     map[string][]string   `json:"covers"`
	Detect     []string              `json:"detect"`
	Indicators []string              `json:"indicators"`
	Alerts     []alertText           `json:"alerts"`
	// Step is the counting step of the goods, e.g. 200 cigarettes to a
	// carton; 0 means single items.
	Step float64 `json:"step"`
}

type flow struct {
	Commodity string   `json:"commodity"`
	From      []string `json:"from"`
	Via       []string `json:"via"`
	To        []string `json:"to"`
	Modes     []string `json:"modes"`
	Weight    float64  `json:"weight"`
}

type line struct {
	Name    string   `json:"name"`
	Owners  []string `json:"owners"`
	Flags   []string `json:"flags"`
	Vessels []string `json:"vessels"`
}

type airline struct {
	Code      string `json:"code"`
	Country   string `json:"country"`
	ShortHaul bool   `json:"short_haul"`
}

type hanChar struct {
	T, S, Yue, Py, Wg, G string
}

type kanaName struct {
	N string   `json:"n"`
	L string   `json:"l"`
	V []string `json:"v"`
	K string   `json:"k"`
}

type cyrillicNames struct {
	Male       []string    `json:"male"`
	Female     []string    `json:"female"`
	Patronymic [][2]string `json:"patronymic"`
	Family     [][2]string `json:"family"`
}

// culture is a naming tradition: how names are built and written.
type culture struct {
	ID        string   `json:"id"`
	Pattern   string   `json:"pattern"`
	MiddleP   float64  `json:"middle_p"`
	SameAs    string   `json:"same_as"`
	LatinOnly bool     `json:"latin_only"`
	FamilyRaw []string `json:"family"`
	MaleRaw   []string `json:"male"`
	FemaleRaw []string `json:"female"`
	MidMRaw   []string `json:"middle_m"`
	MidFRaw   []string `json:"middle_f"`

	family, male, female, midM, midF []token
}

// orgCulture is how company names are built in one country or group of
// countries.
type orgCulture struct {
	ID          string   `json:"id"`
	Sep         *string  `json:"sep"`
	Order       []string `json:"order"`
	NativeOrder []string `json:"native_order"`
	Translit    string   `json:"translit"`
	CitiesRaw   []string `json:"cities"`
	NamesRaw    []string `json:"names"`
	BusinessRaw []string `json:"business"`
	FormsRaw    []string `json:"forms"`

	cities, names, business, forms []token
}

// token is one name part: its native form, its usual Latin rendering and
// other Latin renderings met in documents.
type token struct {
	native string
	latin  string
	alts   []string
}

// parseToken reads "native|latin|alternative|…". An empty or missing latin
// part means the native form is Latin already.
func parseToken(s string) token {
	parts := strings.Split(s, "|")
	t := token{native: parts[0], latin: parts[0]}
	if len(parts) > 1 && parts[1] != "" {
		t.latin = parts[1]
	}
	for _, a := range parts[min(2, len(parts)):] {
		if a != "" && a != t.latin && !slices.Contains(t.alts, a) {
			t.alts = append(t.alts, a)
		}
	}
	return t
}

func parseTokens(list []string) []token {
	out := make([]token, len(list))
	for i, s := range list {
		out[i] = parseToken(s)
	}
	return out
}

type narrative struct {
	Detection      map[string][]string `json:"detection"`
	Found          map[string][]string `json:"found"`
	Outcome        map[string][]string `json:"outcome"`
	Reasons        map[string]string   `json:"reasons"`
	Export         map[string][]string `json:"export"`
	Transit        map[string][]string `json:"transit"`
	WarningSubject map[string][]string `json:"warning_subject"`
	WarningText    []string            `json:"warning_text"`
	WarningTargets []string            `json:"warning_targets"`
	WarningAction  map[string]string   `json:"warning_action"`
	AlertText      []string            `json:"alert_text"`
	Indicators     map[string][]string `json:"indicators"`
}

// tables are the parsed data files. They are read-only once loaded.
type tables struct {
	countries   []*country
	byCode      map[string]*country
	locodeNames map[string]string
	commodities []*commodity
	byCommodity map[string]*commodity
	flows       []flow
	lines       []line
	lessors     []string
	airlines    []airline
	hubs        []string
	postal      []string
	awbPrefixes []string
	roadLinks   map[[2]string]bool
	railLinks   map[[2]string]bool
	perUSD      map[string]float64

	han struct {
		Surnames      []hanChar `json:"surnames"`
		Given         []hanChar `json:"given"`
		EnglishMale   []string  `json:"english_male"`
		EnglishFemale []string  `json:"english_female"`
	}
	japanese struct {
		Family []kanaName `json:"family"`
		Male   []kanaName `json:"male"`
		Female []kanaName `json:"female"`
	}
	cyrillic  map[string]cyrillicNames
	cultures  map[string]*culture
	orgs      map[string]*orgCulture
	narrative narrative
	tr        *transliterator
}

func readJSON(name string, v any) error {
	b, err := dataFiles.ReadFile("data/" + name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	return nil
}

// loadTables parses the embedded data files and checks that they refer to
// each other consistently.
func loadTables() (*tables, error) {
	t := &tables{byCode: map[string]*country{}, byCommodity: map[string]*commodity{}, tr: newTransliterator()}

	var countries struct {
		Countries []*country `json:"countries"`
	}
	if err := readJSON("countries.json", &countries); err != nil {
		return nil, err
	}
	t.countries = countries.Countries
	for _, c := range t.countries {
		t.byCode[c.Code] = c
	}

	var loc struct {
		Names map[string]string `json:"names"`
	}
	if err := readJSON("locodes.json", &loc); err != nil {
		return nil, err
	}
	t.locodeNames = loc.Names

	var com struct {
		Commodities []*commodity `json:"commodities"`
	}
	if err := readJSON("commodities.json", &com); err != nil {
		return nil, err
	}
	t.commodities = com.Commodities
	for _, c := range t.commodities {
		t.byCommodity[c.ID] = c
	}

	var fl struct {
		Flows []flow `json:"flows"`
	}
	if err := readJSON("flows.json", &fl); err != nil {
		return nil, err
	}
	t.flows = fl.Flows

	var conv struct {
		Lines       []line      `json:"lines"`
		Lessors     []string    `json:"lessors"`
		Airlines    []airline   `json:"airlines"`
		Hubs        []string    `json:"hubs"`
		Postal      []string    `json:"postal_services"`
		AWBPrefixes []string    `json:"awb_prefixes"`
		RoadLinks   [][2]string `json:"road_links"`
		RailLinks   [][2]string `json:"rail_links"`
	}
	if err := readJSON("conveyance.json", &conv); err != nil {
		return nil, err
	}
	t.lines, t.lessors, t.airlines = conv.Lines, conv.Lessors, conv.Airlines
	t.hubs, t.postal, t.awbPrefixes = conv.Hubs, conv.Postal, conv.AWBPrefixes
	t.roadLinks = links(conv.RoadLinks)
	t.railLinks = links(conv.RailLinks)

	var money struct {
		PerUSD map[string]float64 `json:"per_usd"`
	}
	if err := readJSON("money.json", &money); err != nil {
		return nil, err
	}
	t.perUSD = money.PerUSD

	var names struct {
		Han      json.RawMessage          `json:"han"`
		Japanese json.RawMessage          `json:"japanese"`
		Cyrillic map[string]cyrillicNames `json:"cyrillic"`
		Cultures []*culture               `json:"cultures"`
	}
	if err := readJSON("names.json", &names); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(names.Han, &t.han); err != nil {
		return nil, fmt.Errorf("parse names.json han: %w", err)
	}
	if err := json.Unmarshal(names.Japanese, &t.japanese); err != nil {
		return nil, fmt.Errorf("parse names.json japanese: %w", err)
	}
	t.cyrillic = names.Cyrillic
	t.cultures = map[string]*culture{}
	for _, c := range names.Cultures {
		t.cultures[c.ID] = c
	}
	for _, c := range names.Cultures {
		src := c
		if c.SameAs != "" {
			if src = t.cultures[c.SameAs]; src == nil {
				return nil, fmt.Errorf("names.json: culture %s copies unknown culture %s", c.ID, c.SameAs)
			}
		}
		c.family, c.male, c.female = parseTokens(src.FamilyRaw), parseTokens(src.MaleRaw), parseTokens(src.FemaleRaw)
		c.midM, c.midF = parseTokens(src.MidMRaw), parseTokens(src.MidFRaw)
	}

	var orgs struct {
		Orgs []*orgCulture `json:"orgs"`
	}
	if err := readJSON("orgs.json", &orgs); err != nil {
		return nil, err
	}
	t.orgs = map[string]*orgCulture{}
	for _, o := range orgs.Orgs {
		o.cities, o.names = parseTokens(o.CitiesRaw), parseTokens(o.NamesRaw)
		o.business, o.forms = parseTokens(o.BusinessRaw), parseTokens(o.FormsRaw)
		t.orgs[o.ID] = o
	}

	if err := readJSON("narrative.json", &t.narrative); err != nil {
		return nil, err
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("synthetic data tables: %w", err)
	}
	return t, nil
}

func links(pairs [][2]string) map[[2]string]bool {
	m := make(map[[2]string]bool, 2*len(pairs))
	for _, p := range pairs {
		m[p] = true
		m[[2]string{p[1], p[0]}] = true
	}
	return m
}

// check verifies the cross-references between tables, so that generation
// never meets a dangling code.
func (t *tables) check() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	knownCulture := func(id string) bool {
		switch id {
		case "zh-HK", "zh-CN", "zh-TW", "ja", "ru", "uk":
			return true
		}
		return t.cultures[id] != nil
	}
	for _, c := range t.countries {
		if _, ok := t.perUSD[c.Currency]; !ok {
			bad("country %s: no exchange rate for %s", c.Code, c.Currency)
		}
		if t.orgs[c.Org] == nil {
			bad("country %s: unknown organisation culture %q", c.Code, c.Org)
		}
		if len(c.Cultures) == 0 || len(c.Passport) == 0 || len(c.Mobile) == 0 || len(c.Registration) == 0 {
			bad("country %s: cultures, passport, mobile and registration formats are required", c.Code)
		}
		for _, id := range c.Cultures {
			if !knownCulture(id) {
				bad("country %s: unknown culture %q", c.Code, id)
			}
		}
		for _, mode := range []string{"sea", "air", "road", "rail"} {
			for _, l := range c.locodes(mode) {
				if len(l) != 5 || l[:2] != c.Code {
					bad("country %s: UN/LOCODE %q is not in the country", c.Code, l)
				}
				if t.locodeNames[l] == "" {
					bad("country %s: UN/LOCODE %s has no name", c.Code, l)
				}
			}
		}
	}
	for _, f := range t.flows {
		com := t.byCommodity[f.Commodity]
		if com == nil {
			bad("flow: unknown commodity %q", f.Commodity)
			continue
		}
		for _, list := range [][]string{f.From, f.Via, f.To} {
			for _, c := range list {
				if t.byCode[c] == nil {
					bad("flow %s: unknown country %q", f.Commodity, c)
				}
			}
		}
		for _, m := range f.Modes {
			if _, ok := com.Qty[m]; !ok {
				bad("flow %s: no quantities for mode %s", f.Commodity, m)
			}
			if len(com.Conceal[m]) == 0 {
				bad("flow %s: no concealment for mode %s", f.Commodity, m)
			}
		}
	}
	for _, c := range t.commodities {
		if len(c.Products) == 0 || len(c.Detect) == 0 {
			bad("commodity %s: products and detection methods are required", c.ID)
		}
		for _, p := range c.Products {
			if p.Cash != "" {
				if _, ok := t.perUSD[p.Cash]; !ok {
					bad("commodity %s: no exchange rate for %s", c.ID, p.Cash)
				}
			}
		}
	}
	for _, a := range t.airlines {
		if t.byCode[a.Country] == nil {
			bad("airline %s: unknown country %q", a.Code, a.Country)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}
