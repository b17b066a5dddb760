package ui

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"liaison/internal/access"
	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/intel"
	"liaison/internal/match"
	"liaison/internal/records"
	"liaison/internal/store"
)

// Limits of what one page shows.
const (
	pageSize        = 50
	latestShown     = 10
	statsPages      = 10 // pages of store.MaxLimit records the dashboard reads at most
	auditPageSize   = 100
	deliveriesShown = 200
	// deliveriesPage is how many outbox rows the deliveries page reads at a
	// time.
	deliveriesPage = 500
	maxDecisions   = 20
)

// deliveryStates are the outbox states, in the order pages show them.
var deliveryStates = []string{store.DeliveryQueued, store.DeliveryDelivered, store.DeliveryRefused,
	store.DeliveryFailed, store.DeliveryDead}

type kindCount struct {
	Kind  string
	Count int
}

type stateCount struct {
	State string
	Count int
}

type dashboardBody struct {
	Total      int64
	Scanned    int
	Capped     bool
	ByKind     []kindCount
	Latest     []*intel.Record
	Deliveries []stateCount
	Federation bool
	Chart      template.HTML
	ChartTotal int
	ChartFrom  string
	ChartTo    string
}

// dashboard shows the node, counts of records by kind (from the latest
// statsPages×1000 records the user may see), the latest records, delivery
// states and seizures per month by category section.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	c.title = c.loc.T("nav.dashboard")
	b := dashboardBody{Federation: h.cfg.Federation != nil}
	total, err := h.cfg.Store.CountRecords(ctx)
	if err != nil {
		return fault.Wrap(fault.Unavailable, err, "store unavailable")
	}
	b.Total = total
	months := lastMonths(h.cfg.Now().UTC(), chartMonths)
	var sections []string
	for _, s := range h.cfg.Directory.Categories() {
		sections = append(sections, s.Code)
	}
	chart := newMonthSeries(months, sections)
	byKind := map[intel.Kind]int{}
	q := store.RecordQuery{Limit: store.MaxLimit}
	for i := 0; ; i++ {
		if i == statsPages {
			b.Capped = true
			break
		}
		p, err := h.cfg.Records.List(ctx, c.user.Name, q)
		if err != nil {
			return err
		}
		for _, rec := range p.Records {
			b.Scanned++
			byKind[rec.Kind]++
			if len(b.Latest) < latestShown {
				b.Latest = append(b.Latest, rec)
			}
			if rec.Kind == intel.KindSeizure && rec.Status != intel.StatusRetracted {
				d := intel.EventDate(rec)
				if len(d) < 7 {
					continue
				}
				seen := map[string]bool{}
				for _, cat := range intel.Categories(rec) {
					sec, _, _ := strings.Cut(cat, "/")
					if !seen[sec] {
						seen[sec] = true
						chart.add(d[:7], sec)
					}
				}
			}
		}
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	for _, k := range intel.Kinds {
		b.ByKind = append(b.ByKind, kindCount{Kind: string(k), Count: byKind[k]})
	}
	b.ChartTotal = chart.total()
	b.ChartFrom, b.ChartTo = months[0], months[len(months)-1]
	b.Chart = chart.svg(c.loc, c.loc.T("dashboard.chart"), c.loc.Category)
	if h.cfg.Federation != nil {
		counts, err := h.cfg.Federation.DeliveryCounts(ctx)
		if err != nil {
			return err
		}
		for _, s := range deliveryStates {
			b.Deliveries = append(b.Deliveries, stateCount{State: s, Count: counts[s]})
		}
	}
	return h.render(w, r, c, "dashboard", b)
}

type option struct {
	Value, Label string
	Selected     bool
}

type recordsBody struct {
	// form holds the filter inputs, so that a problem with one is shown
	// next to it.
	form
	Q, Kind, Category, From, To string
	QIn, KindIn, CategoryIn     *input
	FromIn, ToIn                *input
	Kinds, Categories           []option
	Records                     []*intel.Record
	Next, NextURL, FirstURL     string
	Paged                       bool
	CanWrite                    bool
}

// recordList searches records with the listing filters of the API and
// cursor pagination.
func (h *Handler) recordList(w http.ResponseWriter, r *http.Request, c *call) error {
	c.title = c.loc.T("nav.records")
	v := r.URL.Query()
	b := &recordsBody{form: newForm(), Q: v.Get("q"), Kind: v.Get("kind"), Category: v.Get("category"), From: v.Get("from"),
		To: v.Get("to"), CanWrite: can(c, access.PermRecordWrite)}
	b.QIn, b.KindIn, b.CategoryIn = b.addFilter(v, "q"), b.addFilter(v, "kind"), b.addFilter(v, "category")
	b.FromIn, b.ToIn = b.addFilter(v, "from"), b.addFilter(v, "to")
	b.Kinds = append(b.Kinds, option{Value: "", Label: c.loc.T("records.any")})
	for _, k := range intel.Kinds {
		b.Kinds = append(b.Kinds, option{Value: string(k), Label: c.loc.Enum("kind", string(k)), Selected: b.Kind == string(k)})
	}
	b.Categories = append(b.Categories, option{Value: "", Label: c.loc.T("records.any")})
	for _, s := range h.cfg.Directory.Categories() {
		b.Categories = append(b.Categories, option{Value: s.Code, Label: c.loc.Category(s.Code), Selected: b.Category == s.Code})
		for _, com := range s.Commodities {
			code := s.Code + "/" + com.Code
			b.Categories = append(b.Categories, option{Value: code, Label: "— " + com.Label(c.loc.Lang), Selected: b.Category == code})
		}
	}
	q := store.RecordQuery{Kind: intel.Kind(b.Kind), Category: b.Category, Text: b.Q, From: b.From, To: b.To,
		Cursor: v.Get("cursor"), Limit: pageSize}
	p, err := store.RecordPage{}, h.checkFilters(c, b)
	if err == nil {
		p, err = h.cfg.Records.List(r.Context(), c.user.Name, q)
	}
	if err != nil {
		if fe := fieldFaults(err); len(fe) > 0 {
			// The cursor is no input: a bad one is a link to start again.
			for i, e := range fe {
				if e.Field == "cursor" {
					fe[i] = fault.Field("", "%s", c.loc.T("records.bad.cursor"))
				}
			}
			err = fe
		}
		if !b.place(err, nil, c.loc) {
			return err
		}
		fv := cloneValues(v)
		fv.Del("cursor")
		fv.Del("lang")
		b.FirstURL = "/ui/records?" + fv.Encode()
		return h.renderStatus(w, r, c, http.StatusBadRequest, "records", b)
	}
	b.Records, b.Next = p.Records, p.Next
	b.Paged = q.Cursor != ""
	if p.Next != "" {
		nv := cloneValues(v)
		nv.Set("cursor", p.Next)
		nv.Del("lang")
		b.NextURL = "/ui/records?" + nv.Encode()
	}
	fv := cloneValues(v)
	fv.Del("cursor")
	fv.Del("lang")
	b.FirstURL = "/ui/records?" + fv.Encode()
	return h.render(w, r, c, "records", b)
}

// checkFilters checks the filters of the records page that the page can
// name a problem with in the user's language; the records service checks
// them all again.
func (h *Handler) checkFilters(c *call, b *recordsBody) error {
	var errs fault.List
	bad := func(field, key string, args ...any) {
		errs = append(errs, fault.Field(field, "%s", c.loc.T(key, args...)))
	}
	for _, in := range []*input{b.QIn, b.KindIn, b.CategoryIn, b.FromIn, b.ToIn} {
		if !utf8.ValidString(in.Value) {
			bad(in.Name, "form.not.utf8")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if n := utf8.RuneCountInString(b.Q); n > records.MaxQueryText {
		bad("q", "records.bad.q", records.MaxQueryText)
	}
	if b.Kind != "" && !slices.Contains(intel.Kinds, intel.Kind(b.Kind)) {
		bad("kind", "records.bad.kind", strconv.Quote(b.Kind))
	}
	if b.Category != "" && !h.cfg.Directory.Category(b.Category) && !h.cfg.Directory.CategorySection(b.Category) {
		bad("category", "records.bad.category", strconv.Quote(b.Category))
	}
	from, fromErr := time.Parse(time.DateOnly, b.From)
	if b.From != "" && fromErr != nil {
		bad("from", "filter.date", strconv.Quote(b.From))
	}
	to, toErr := time.Parse(time.DateOnly, b.To)
	if b.To != "" && toErr != nil {
		bad("to", "filter.date", strconv.Quote(b.To))
	}
	if b.From != "" && b.To != "" && fromErr == nil && toErr == nil && to.Before(from) {
		bad("to", "records.bad.range")
	}
	return errs.Err()
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

type decisionView struct {
	Recipient string
	Decision  agreement.Decision
	Err       string
}

type deliveryView struct {
	store.Delivery
	Decision *agreement.Decision
	// Retryable is set when the user may put the delivery back in the
	// queue (see retryDelivery).
	Retryable bool
}

type recordBody struct {
	R           *intel.Record
	Versions    []*intel.Record
	Deliveries  []deliveryView
	CanRetry    bool
	Retried     *retriedNotice
	Federation  bool
	Sharing     bool
	Decisions   []decisionView
	MatchingOff bool
	Matches     []match.Link
	MatchErr    string
	// MatchPending says that the links of the record's latest version
	// are still being worked out.
	MatchPending bool
	CanShare     bool
	CanRetract   bool
	Partners     []option
	// ShareErr is why the share form sent was refused (no recipient, a
	// code that is not a partner), shown beside its boxes.
	ShareErr  string
	Retracted bool
	CanEdit   bool
	// Saved is set after the form saved the record; Warnings are then the
	// problems validation accepted but the officer should check.
	Saved    bool
	Warnings []intel.FieldWarning

	// The operational loops: the feedback held on a warning and the form
	// to give it; the state of a request, the responses held and the forms
	// to answer or decline it.
	IsWarning    bool
	Feedback     []*intel.Record
	FeedbackForm *feedbackForm
	ReqView      *federation.RequestView
	Responses    []*intel.Record
	AnswerForm   *answerForm
	DeclineForm  *declineForm
}

// record shows every field of a record, its versions, its deliveries with
// the decision stored with each, the sharing decision for each pinned
// partner, its matches and, for a warning or a request for assistance,
// its loop: the feedback or responses held and the forms to add them.
func (h *Handler) record(w http.ResponseWriter, r *http.Request, c *call) error {
	b, err := h.recordBody(r, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, c, "record", b)
}

// getRecord reads the current version of record id for the user of c,
// audited. A record not found (or hidden from the user) is said in the
// records' own words, which the catalogue translates, rather than in the
// store's, whose subject is English.
func (h *Handler) getRecord(ctx context.Context, c *call, id string) (*intel.Record, error) {
	rec, err := h.cfg.Records.Get(ctx, c.user.Name, id)
	if fault.Is(err, fault.NotFound) {
		return nil, fault.E(fault.NotFound, "record %s not found", id)
	}
	return rec, err
}

// loopKind reports the kinds that belong to an operational loop.
func loopKind(k intel.Kind) bool {
	return k == intel.KindRequest || k == intel.KindResponse || k == intel.KindFeedback
}

// recordBody reads what the page of record id shows.
func (h *Handler) recordBody(r *http.Request, c *call, id string) (*recordBody, error) {
	ctx := r.Context()
	rec, err := h.getRecord(ctx, c, id)
	if err != nil {
		return nil, err
	}
	c.title = c.loc.Enum("kind", string(rec.Kind)) + " " + rec.ID
	b := &recordBody{R: rec, Federation: h.cfg.Federation != nil, Sharing: h.cfg.Sharing != nil,
		Retracted: rec.Status == intel.StatusRetracted}
	if b.Versions, err = h.cfg.Records.History(ctx, c.user.Name, id); err != nil {
		return nil, err
	}
	slices.Reverse(b.Versions)
	b.CanRetract = can(c, access.PermRecordWrite) && rec.Originator == h.cfg.Node && !b.Retracted
	b.CanEdit = b.CanRetract && slices.Contains(formKinds, rec.Kind)
	if r.URL.Query().Get("saved") != "" {
		b.Saved = true
		b.Warnings, _ = intel.Validate(rec, h.cfg.Directory, h.cfg.Now())
	}
	if h.cfg.Federation != nil {
		ds, err := h.cfg.Federation.Deliveries(ctx, id)
		if err != nil {
			return nil, err
		}
		b.CanRetry = canRetry(c)
		b.Retried = h.retriedOf(ctx, r)
		for _, d := range ds {
			dv := deliveryView{Delivery: d, Retryable: b.CanRetry && retryable(d)}
			if len(d.Decision) > 0 {
				var dec agreement.Decision
				if json.Unmarshal(d.Decision, &dec) == nil {
					dv.Decision = &dec
				}
			}
			b.Deliveries = append(b.Deliveries, dv)
		}
		if h.cfg.Sharing != nil && !b.Retracted {
			peers, err := h.cfg.Federation.Peers(ctx)
			if err != nil {
				return nil, err
			}
			for i, p := range peers {
				if i == maxDecisions {
					break
				}
				dv := decisionView{Recipient: p.Code}
				d, err := h.cfg.Sharing.Decide(ctx, c.user.Name, id, p.Code)
				if err != nil {
					dv.Err = errMessage(err)
				} else {
					dv.Decision = d
				}
				b.Decisions = append(b.Decisions, dv)
				if err == nil && d.Allowed {
					b.Partners = append(b.Partners, option{Value: p.Code, Label: p.Code + " — " + c.loc.Party(p.Code)})
				}
			}
			// Requests, responses and feedback travel through their loops
			// (the requests page, the answer and feedback forms), which send
			// them as what they are; the plain share would send a copy.
			b.CanShare = can(c, access.PermShare) && len(b.Partners) > 0 && !loopKind(rec.Kind)
		}
	}
	if h.cfg.Matcher == nil {
		b.MatchingOff = true
	} else {
		var ms []match.Link
		var err error
		if pm, ok := h.cfg.Matcher.(PendingMatcher); ok {
			ms, b.MatchPending, err = pm.RecordMatchesPending(ctx, c.user, id)
		} else {
			ms, err = h.cfg.Matcher.RecordMatches(ctx, c.user, id)
		}
		if err != nil {
			b.MatchErr = errMessage(err)
			h.log.WarnContext(ctx, "record matches", "err", err)
		}
		b.Matches = ms
	}
	if err := h.loopsOf(ctx, c, b); err != nil {
		return nil, err
	}
	return b, nil
}

// errMessage is the client-safe message of err.
func errMessage(err error) string {
	var fe *fault.Error
	if k := fault.KindOf(err); k != fault.Internal {
		if errors.As(err, &fe) {
			return fe.Message
		}
	}
	return "unavailable"
}

type shareBody struct {
	R       *intel.Record
	Results []shareResult
}

type shareResult struct {
	Recipient string
	Allowed   bool
	Basis     *agreement.Basis
	Reasons   []agreement.Reason
	Delivery  string
}

// share decides and queues the record for the recipients ticked, and shows
// each decision.
func (h *Handler) share(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.cfg.Federation == nil {
		return fault.E(fault.Unavailable, "federation is not configured on this node")
	}
	ctx := r.Context()
	id := r.PathValue("id")
	rec, err := h.getRecord(ctx, c, id)
	if err != nil {
		return err
	}
	rs, err := h.cfg.Federation.Share(ctx, c.user.Name, id, r.PostForm["recipient"])
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Kind == fault.Invalid {
		// The record's page again, the problem beside the boxes.
		return h.recordWith(w, r, c, id, http.StatusBadRequest, fault.List{fe}, func(b *recordBody) bool {
			if !b.CanShare {
				return false
			}
			b.ShareErr = c.loc.Fault(fe)
			return true
		})
	}
	if err != nil {
		return err
	}
	c.title = c.loc.T("share.title")
	b := shareBody{R: rec}
	for _, x := range rs {
		sr := shareResult{Recipient: x.Recipient, Allowed: x.Allowed, Basis: x.Basis, Reasons: x.Reasons}
		if x.Delivery != nil {
			sr.Delivery = *x.Delivery
		}
		b.Results = append(b.Results, sr)
	}
	return h.render(w, r, c, "share", b)
}

// retract withdraws a record this node originated and goes back to it.
func (h *Handler) retract(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if _, err := h.cfg.Records.Retract(r.Context(), c.user.Name, id, reason); err != nil {
		return err
	}
	http.Redirect(w, r, "/ui/records/"+id, http.StatusSeeOther)
	return nil
}

type deliveriesBody struct {
	State      string
	States     []option
	Deliveries []deliveryView
	More       bool
	CanRetry   bool
	Retried    *retriedNotice
}

// deliveries lists outbox rows, newest first, optionally in one state,
// leaving out those of records the user may not see.
func (h *Handler) deliveries(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.cfg.Federation == nil {
		return fault.E(fault.Unavailable, "federation is not configured on this node")
	}
	c.title = c.loc.T("nav.deliveries")
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	if state != "" && !slices.Contains(deliveryStates, state) {
		return fault.Field("state", "must be one of %s", strings.Join(deliveryStates, ", "))
	}
	b := deliveriesBody{State: state, CanRetry: canRetry(c), Retried: h.retriedOf(ctx, r)}
	b.States = append(b.States, option{Value: "", Label: c.loc.T("records.any")})
	for _, s := range deliveryStates {
		b.States = append(b.States, option{Value: s, Label: c.loc.Enum("delivery", s), Selected: s == state})
	}
	// Pages of the outbox, newest first, until enough rows the user may
	// see are found: a node after an outage holds a long backlog, and
	// this page is where its administrator looks.
	visible := map[string]bool{}
	var before int64
page:
	for {
		ds, err := h.cfg.Federation.RecentDeliveries(ctx, state, before, deliveriesPage)
		if err != nil {
			return err
		}
		for _, d := range ds {
			before = d.ID
			if d.RecordID != "" {
				ok, seen := visible[d.RecordID]
				if !seen {
					ok = h.cfg.Records.CheckVisible(ctx, d.RecordID) == nil
					visible[d.RecordID] = ok
				}
				if !ok {
					continue
				}
			}
			if len(b.Deliveries) == deliveriesShown {
				b.More = true
				break page
			}
			b.Deliveries = append(b.Deliveries, deliveryView{Delivery: d, Retryable: b.CanRetry && retryable(d)})
		}
		if len(ds) < deliveriesPage {
			break
		}
	}
	return h.render(w, r, c, "deliveries", b)
}

type screenBody struct {
	// form holds the inputs, so that a problem with one is shown next to
	// it.
	form
	Off                            bool
	Name, Type, Country, BirthDate string
	NameIn, TypeIn, CountryIn      *input
	BirthDateIn                    *input
	Types                          []option
	Asked                          bool
	Results                        []match.Result
	// Building is set when the match index is still being built from
	// the store, as a node does after it starts.
	Building bool
}

// screen searches the entities of the records the user may see. A value
// that cannot be screened is shown again with the problem next to it.
func (h *Handler) screen(w http.ResponseWriter, r *http.Request, c *call) error {
	c.title = c.loc.T("nav.screen")
	v := r.URL.Query()
	b := &screenBody{form: newForm(), Off: h.cfg.Screener == nil, Name: strings.TrimSpace(v.Get("name")), Type: v.Get("type"),
		Country: strings.ToUpper(strings.TrimSpace(v.Get("country"))), BirthDate: strings.TrimSpace(v.Get("birth_date"))}
	b.NameIn, b.TypeIn = b.addFilter(v, "name"), b.addFilter(v, "type")
	b.CountryIn, b.BirthDateIn = b.addFilter(v, "country"), b.addFilter(v, "birth_date")
	b.Types = append(b.Types, option{Value: "", Label: c.loc.T("screen.type.any")})
	for _, t := range []match.Type{match.Person, match.Organisation, match.Vessel, match.Container} {
		b.Types = append(b.Types, option{Value: string(t), Label: c.loc.Enum("entity", string(t)), Selected: b.Type == string(t)})
	}
	if b.Name != "" && !b.Off {
		var errs fault.List
		if !utf8.ValidString(b.Name) {
			errs = append(errs, fault.Field("name", "%s", c.loc.T("form.not.utf8")))
		}
		if b.Type != "" && !slices.Contains(match.Types, match.Type(b.Type)) {
			errs = append(errs, fault.Field("type", "%s", c.loc.T("screen.bad.type", strconv.Quote(b.Type))))
		}
		if b.BirthDate != "" {
			if _, err := time.Parse(time.DateOnly, b.BirthDate); err != nil {
				errs = append(errs, fault.Field("birth_date", "%s", c.loc.T("filter.date", strconv.Quote(b.BirthDate))))
			}
		}
		// Records carry only ISO 3166 codes: another would find nothing.
		if b.Country != "" && (len(b.Country) != 2 || !h.cfg.Directory.Country(b.Country)) {
			errs = append(errs, fault.Field("country", "%s", c.loc.T("screen.bad.country", strconv.Quote(b.Country))))
		}
		var res []match.Result
		err := errs.Err()
		if err == nil {
			res, err = h.cfg.Screener.Search(r.Context(), c.user, match.Query{Name: b.Name, Type: match.Type(b.Type),
				Country: b.Country, BirthDate: b.BirthDate, Limit: 50})
		}
		if fault.Is(err, fault.Unavailable) {
			b.Building = true
			w.Header().Set("Retry-After", "5")
			return h.renderStatus(w, r, c, http.StatusServiceUnavailable, "screen", b)
		}
		if err != nil {
			if !b.place(err, nil, c.loc) {
				return err
			}
			return h.renderStatus(w, r, c, http.StatusBadRequest, "screen", b)
		}
		b.Asked, b.Results = true, res
	}
	return h.render(w, r, c, "screen", b)
}

type regionView struct {
	Code  string
	Admin []string
	RILOs []string
}

type directoryBody struct {
	Regions []regionView
}

func (h *Handler) directoryIndex(w http.ResponseWriter, r *http.Request, c *call) error {
	c.title = c.loc.T("nav.directory")
	var b directoryBody
	for _, reg := range h.cfg.Directory.Regions() {
		rv := regionView{Code: reg.Code}
		for _, a := range h.cfg.Directory.Administrations(reg.Code) {
			rv.Admin = append(rv.Admin, a.Code)
		}
		slices.SortFunc(rv.Admin, func(x, y string) int { return strings.Compare(c.loc.Country(x), c.loc.Country(y)) })
		for _, ri := range reg.RILOs {
			rv.RILOs = append(rv.RILOs, ri.ID)
		}
		b.Regions = append(b.Regions, rv)
	}
	return h.render(w, r, c, "directory", b)
}

type administrationBody struct {
	Code       string
	Admin      *adminView
	RILO       *riloView
	Self       bool
	Sharing    bool
	Agreements []agreement.Agreement
	Partners   []partnerView
}

type adminView struct {
	Name, Agency, ShortName, Region, WCOSince, Note string
	Blocs                                           []string
	Profile                                         []roleView
	RILOs                                           []string
}

type roleView struct {
	Title, Body, From, To, Note string
}

type riloView struct {
	Name, Region, Note string
	Hosts              []hostView
}

type hostView struct {
	Host, City, From, To, Note string
}

type partnerView struct {
	Code, Summary string
	Basis         agreement.Basis
}

// administration shows a directory entry: profile, roles and timeline, and
// the agreements between this node and it (all of this node's agreements
// and partners for the node's own entry).
func (h *Handler) administration(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	dir := h.cfg.Directory
	code := strings.ToUpper(r.PathValue("code"))
	b := administrationBody{Code: code, Self: code == h.cfg.Node, Sharing: h.cfg.Sharing != nil}
	c.title = c.loc.Party(code)
	if a, err := dir.Administration(code); err == nil {
		av := &adminView{Name: a.Name, Agency: a.Agency, ShortName: a.ShortName, Region: a.Region, WCOSince: a.WCOSince,
			Note: a.Note, Blocs: a.Blocs}
		for _, p := range a.Profile {
			av.Profile = append(av.Profile, roleView{Title: p.Title, Body: p.Body, From: p.From, To: p.To, Note: p.Note})
		}
		if rs, err := dir.RILOFor(code); err == nil {
			for _, ri := range rs {
				av.RILOs = append(av.RILOs, ri.ID)
			}
		}
		b.Admin = av
	} else if region, ok := dir.RILORegion(code); ok {
		rg, _ := dir.Region(region)
		for _, ri := range rg.RILOs {
			if ri.ID != code {
				continue
			}
			// Cities and notes in the page's language, in English where
			// the directory has no label in it.
			lang := c.loc.Lang
			rv := &riloView{Name: ri.Name, Region: region, Note: ri.NoteIn(lang)}
			for _, hs := range ri.Hosts {
				rv.Hosts = append(rv.Hosts, hostView{Host: hs.Host, City: hs.CityIn(lang), From: hs.From, To: hs.To,
					Note: hs.NoteIn(lang)})
			}
			b.RILO = rv
		}
	} else {
		return fault.E(fault.NotFound, "no administration or RILO %s in the directory", code)
	}
	if h.cfg.Sharing != nil {
		as, err := h.cfg.Sharing.Agreements(ctx, h.cfg.Node)
		if err != nil && !fault.Is(err, fault.Invalid) {
			return err
		}
		now := h.cfg.Now()
		for _, a := range as {
			if b.Self || a.Involves(code, dir, now) {
				b.Agreements = append(b.Agreements, a)
			}
		}
		if b.Admin != nil {
			ps, err := h.cfg.Sharing.Partners(ctx, code)
			if err != nil && !fault.Is(err, fault.NotFound) {
				return err
			}
			for _, p := range ps {
				if b.Self || p.Code == h.cfg.Node {
					b.Partners = append(b.Partners, partnerView{Code: p.Code, Summary: c.loc.PartnerSummary(p), Basis: p.Basis})
				}
			}
		}
	}
	return h.render(w, r, c, "administration", b)
}

type agreementsBody struct {
	Party      string
	Agreements []agreement.Agreement
}

func (h *Handler) agreementList(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.cfg.Sharing == nil {
		return fault.E(fault.Unavailable, "the agreement registry is not configured on this node")
	}
	c.title = c.loc.T("nav.agreements")
	party := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("party")))
	as, err := h.cfg.Sharing.Agreements(r.Context(), party)
	if err != nil {
		return err
	}
	return h.render(w, r, c, "agreements", agreementsBody{Party: party, Agreements: as})
}

type agreementBody struct {
	A       agreement.Agreement
	InForce bool
}

func (h *Handler) agreement(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.cfg.Sharing == nil {
		return fault.E(fault.Unavailable, "the agreement registry is not configured on this node")
	}
	id := r.PathValue("id")
	a, err := h.cfg.Sharing.Agreement(r.Context(), id)
	if fault.Is(err, fault.NotFound) {
		// The store's message names the subject in English; say it as the
		// request form does.
		return fault.E(fault.NotFound, "no agreement %q in the registry", id)
	}
	if err != nil {
		return err
	}
	c.title = c.loc.AgreementTitle(a)
	return h.render(w, r, c, "agreement", agreementBody{A: a, InForce: a.InForceOn(h.cfg.Now())})
}

type auditBody struct {
	From, To   string
	Entries    []audit.Entry
	NextURL    string
	LatestURL  string
	VerifiedOK bool
	Count      int64
	BrokenAt   int64
	Reason     string
	// Bodies is set when every stored record version was checked too
	// (?bodies=1): Versions of them, Uncovered stored before digests
	// were kept; AlteredRecord and AlteredVersion name the first that is
	// not what the audit log vouches for, with Reason saying how.
	Bodies         bool
	BodiesURL      string
	Versions       int64
	Uncovered      int64
	AlteredRecord  string
	AlteredVersion int
}

// auditLog pages through the audit log, optionally between two dates, and
// verifies the whole chain.
func (h *Handler) auditLog(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	c.title = c.loc.T("nav.audit")
	v := r.URL.Query()
	b := auditBody{From: v.Get("from"), To: v.Get("to")}
	q := store.AuditQuery{Limit: auditPageSize}
	var errs fault.List
	switch v.Get("bodies") {
	case "":
	case "1":
		b.Bodies = true
	default:
		errs = append(errs, fault.Field("bodies", "is 1 to check every stored record version too"))
	}
	if b.From != "" {
		t, err := time.Parse(time.DateOnly, b.From)
		if err != nil {
			errs = append(errs, fault.Field("from", "must be a date YYYY-MM-DD"))
		}
		q.From = t
	}
	if b.To != "" {
		t, err := time.Parse(time.DateOnly, b.To)
		if err != nil {
			errs = append(errs, fault.Field("to", "must be a date YYYY-MM-DD"))
		}
		q.To = t.AddDate(0, 0, 1)
	}
	if a := v.Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, fault.Field("after", "must be a sequence number"))
		}
		q.AfterSeq = n
	}
	if err := errs.Err(); err != nil {
		return err
	}
	es, err := h.cfg.Store.AuditEntries(ctx, q)
	if err != nil {
		return err
	}
	b.Entries = es
	if len(es) == auditPageSize {
		nv := cloneValues(v)
		nv.Set("after", strconv.FormatInt(es[len(es)-1].Seq, 10))
		nv.Del("lang")
		b.NextURL = "/ui/audit?" + nv.Encode()
	}
	// The chain and its anchor; every stored record version too when
	// asked (?bodies=1), as "audit verify" and GET /api/v1/audit/verify
	// check them, reading every version.
	verify := store.VerifyChain
	if b.Bodies {
		verify = store.VerifyAudit
	} else {
		nv := cloneValues(v)
		nv.Set("bodies", "1")
		nv.Del("lang")
		b.BodiesURL = "/ui/audit?" + nv.Encode()
	}
	rep, err := verify(ctx, h.cfg.Store, false)
	var (
		br *audit.Break
		am *audit.AnchorMismatch
		bm *audit.BodyMismatch
	)
	switch {
	case errors.As(err, &bm):
		b.AlteredRecord, b.AlteredVersion, b.Reason = bm.Record, bm.Version, bm.Reason
	case errors.As(err, &br):
		b.BrokenAt, b.Reason = br.Seq, c.loc.AuditReason(br.Format, br.Args, br.Reason)
	case errors.As(err, &am):
		b.BrokenAt, b.Reason = am.Last, c.loc.AuditReason(am.Format, am.Args, am.Reason)
	case err != nil:
		return err
	default:
		b.VerifiedOK, b.Count = true, rep.Entries
		b.Versions, b.Uncovered = rep.Versions, rep.Uncovered
		// Without a time filter the chain's length is the last sequence
		// number, so the latest page can be linked directly.
		if b.From == "" && b.To == "" && rep.Entries > auditPageSize && q.AfterSeq < rep.Entries-auditPageSize {
			b.LatestURL = "/ui/audit?after=" + strconv.FormatInt(rep.Entries-auditPageSize, 10)
		}
		if len(es) > 0 && es[len(es)-1].Seq >= rep.Entries {
			b.NextURL = ""
		}
	}
	return h.render(w, r, c, "audit", b)
}

// can reports whether the user of c holds permission p.
func can(c *call, p access.Permission) bool { return access.Allowed(c.user.Role, p) }
