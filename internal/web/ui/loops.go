package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"liaison/internal/access"
	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/intel"
	"liaison/internal/records"
)

// The operational loops in the UI: feedback on a partner's warning, and
// requests for assistance sent, answered and declined. The handlers make
// the same service calls as the API routes (federation.Service's
// GiveFeedback, SendRequest, Answer and Decline) under the same
// permission, and show each form again with its problems next to the
// inputs when the input is refused.

// feedbackForm is the form answering a partner's warning.
type feedbackForm struct {
	form
	Controlled, Result, Seizure, Date, Narrative *input
}

func (h *Handler) newFeedbackForm(c *call, v url.Values) *feedbackForm {
	l := c.loc
	f := &feedbackForm{form: newForm()}
	f.Controlled = f.add(v, "feedback.controlled", []option{{Value: "yes", Label: l.T("yes")}, {Value: "no", Label: l.T("no")}})
	results := []option{{Value: "", Label: l.T("form.choose")}}
	for _, s := range intel.FeedbackResults() {
		results = append(results, option{Value: s, Label: l.Enum("result", s)})
	}
	f.Result = f.add(v, "feedback.result", results)
	f.Seizure = f.add(v, "feedback.seizure", nil)
	f.Date = f.add(v, "feedback.date", nil)
	f.Narrative = f.add(v, "feedback.narrative", nil)
	return f
}

// answerForm answers a request for assistance received.
type answerForm struct {
	form
	Outcome, Answers, Narrative *input
}

func (h *Handler) newAnswerForm(c *call, v url.Values) *answerForm {
	l := c.loc
	f := &answerForm{form: newForm()}
	f.alias["outcome"] = "response.outcome"
	if v.Get("response.outcome") == "" {
		v = cloneValues(v)
		v.Set("response.outcome", "answered")
	}
	f.Outcome = f.add(v, "response.outcome", []option{{Value: "answered", Label: l.Enum("outcome", "answered")},
		{Value: "partial", Label: l.Enum("outcome", "partial")}})
	f.Answers = f.add(v, "response.answers", nil)
	f.Narrative = f.add(v, "response.narrative", nil)
	return f
}

// declineForm declines a request for assistance received.
type declineForm struct {
	form
	Reason *input
}

func (h *Handler) newDeclineForm(v url.Values) *declineForm {
	f := &declineForm{form: newForm()}
	f.alias["reason"] = "response.reason"
	f.Reason = f.add(v, "response.reason", nil)
	return f
}

// loopsOf adds to a record's page what the loops show about it: the
// feedback on a warning and the form to give it, the state of a request,
// its responses and the forms to answer or decline it.
func (h *Handler) loopsOf(ctx context.Context, c *call, b *recordBody) error {
	fed := h.cfg.Federation
	rec := b.R
	if fed == nil {
		return nil
	}
	mayAnswer := can(c, access.PermShare) && !b.Retracted && rec.Originator != h.cfg.Node
	switch rec.Kind {
	case intel.KindWarning:
		fs, err := fed.Feedback(ctx, rec.ID)
		if err != nil {
			return err
		}
		b.IsWarning = true
		if b.Feedback, err = h.readAll(ctx, c, fs); err != nil {
			return err
		}
		if mayAnswer {
			b.FeedbackForm = h.newFeedbackForm(c, url.Values{})
		}
	case intel.KindRequest:
		if rec.Request == nil {
			return nil
		}
		rv, err := h.requestView(ctx, rec.ID)
		if err != nil {
			return err
		}
		b.ReqView = rv
		if rv == nil {
			return nil
		}
		var held []*intel.Record
		for _, id := range rv.Responses {
			held = append(held, &intel.Record{ID: id})
		}
		if b.Responses, err = h.readAll(ctx, c, held); err != nil {
			return err
		}
		open := rv.State != federation.StateAnswered && rv.State != federation.StateDeclined
		if mayAnswer && open && rec.Request.Requested == h.cfg.Node {
			b.AnswerForm = h.newAnswerForm(c, url.Values{})
			b.DeclineForm = h.newDeclineForm(url.Values{})
		}
	}
	return nil
}

// readAll reads the current version of each record through the records
// service, so that each read is audited, leaving out those the user may
// not see.
func (h *Handler) readAll(ctx context.Context, c *call, rs []*intel.Record) ([]*intel.Record, error) {
	var out []*intel.Record
	for _, r := range rs {
		got, err := h.cfg.Records.Get(ctx, c.user.Name, r.ID)
		if fault.Is(err, fault.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got)
	}
	return out, nil
}

// requestView returns the state of request id as the API's request list
// gives it, nil when the list does not hold it (a retracted request).
func (h *Handler) requestView(ctx context.Context, id string) (*federation.RequestView, error) {
	v, err := h.cfg.Federation.Request(ctx, id)
	if fault.Is(err, fault.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// recordWith renders the page of record id with a form of the loops shown
// again (set puts it in place, and reports false when the page offers no
// such form, in which case errs are shown as an error page).
func (h *Handler) recordWith(w http.ResponseWriter, r *http.Request, c *call, id string, status int, errs fault.List, set func(*recordBody) bool) error {
	b, err := h.recordBody(r, c, id)
	if err != nil {
		return err
	}
	if !set(b) {
		return errs
	}
	return h.renderStatus(w, r, c, status, "record", b)
}

// sentBody is the page shown after a loop created a record and decided on
// sending it.
type sentBody struct {
	Heading string
	R       *intel.Record // the record created
	About   *intel.Record // the warning or request it answers, nil for a new request
	Result  shareResult
}

func (h *Handler) renderSent(w http.ResponseWriter, r *http.Request, c *call, heading string, rec, about *intel.Record, res federation.ShareResult) error {
	b := sentBody{Heading: heading, R: rec, About: about,
		Result: shareResult{Recipient: res.Recipient, Allowed: res.Allowed, Basis: res.Basis, Reasons: res.Reasons}}
	if res.Delivery != nil {
		b.Result.Delivery = *res.Delivery
	}
	c.title = heading
	return h.render(w, r, c, "sent", b)
}

func (h *Handler) needFederation() error {
	if h.cfg.Federation == nil {
		return fault.E(fault.Unavailable, "federation is not configured on this node")
	}
	return nil
}

// giveFeedback answers a partner's warning with a feedback record sent
// back to the warning's originator.
func (h *Handler) giveFeedback(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.needFederation(); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	warning, err := h.getRecord(ctx, c, id)
	if err != nil {
		return err
	}
	switch {
	case warning.Kind != intel.KindWarning:
		return fault.E(fault.Invalid, "record %s is a %s, not a warning", id, warning.Kind)
	case warning.Originator == h.cfg.Node:
		return fault.E(fault.Invalid, "warning %s originates from this node; feedback answers a partner's warning", id)
	}
	v := r.PostForm
	f := &formReader{v: v, rows: rowMap{}}
	in := federation.FeedbackInput{Result: f.get("feedback.result"), Seizure: f.upper("feedback.seizure"),
		Date: f.get("feedback.date"), Narrative: f.text("feedback.narrative")}
	switch f.get("feedback.controlled") {
	case "yes":
		in.Controlled = true
	case "no":
	default:
		f.errs = append(f.errs, fault.Field("feedback.controlled", "say whether the shipment, vehicle or traveller was controlled"))
	}
	// The record GiveFeedback will create, validated first so that every
	// problem is shown at once.
	draft := &intel.Record{Kind: intel.KindFeedback, Grading: intel.Grading{Source: "B", Information: "2"},
		Handling:     intel.Handling{Code: "H0"},
		Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{warning.Originator}},
		Feedback: &intel.Feedback{Warning: id, Controlled: in.Controlled, Result: in.Result, Seizure: in.Seizure,
			Date: in.Date, Narrative: in.Narrative}}
	return h.sendLoop(w, r, c, id, draft, f.errs, c.loc.T("sent.feedback"), warning,
		func() (*intel.Record, federation.ShareResult, error) {
			return h.cfg.Federation.GiveFeedback(ctx, h.cfg.Records, c.user.Name, id, in)
		},
		func(b *recordBody, errs fault.List) bool {
			if b.FeedbackForm == nil {
				return false
			}
			b.FeedbackForm = h.newFeedbackForm(c, v)
			b.FeedbackForm.place(errs, f.rows, c.loc)
			return true
		})
}

// sendLoop validates draft, the record a loop's call will create, together
// with the form's own errors, so that every problem shows at once; when
// there is none it makes the call (send) and shows what was sent. Otherwise,
// or when the call refuses a field, the record page is shown again with the
// form filled in and the errors in place (reshow).
func (h *Handler) sendLoop(w http.ResponseWriter, r *http.Request, c *call, id string, draft *intel.Record, formErrs fault.List,
	heading string, about *intel.Record, send func() (*intel.Record, federation.ShareResult, error),
	reshow func(b *recordBody, errs fault.List) bool) error {
	errs := h.withValidation(draft, formErrs)
	if len(errs) == 0 {
		rec, res, err := send()
		if err == nil {
			return h.renderSent(w, r, c, heading, rec, about, res)
		}
		if errs = fieldFaults(err); errs == nil {
			return err
		}
	}
	return h.recordWith(w, r, c, id, http.StatusBadRequest, errs, func(b *recordBody) bool { return reshow(b, errs) })
}

// answerRequest answers a request for assistance received with a response
// record sent back to the requesting node.
func (h *Handler) answerRequest(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.needFederation(); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	req, err := h.received(ctx, c, id)
	if err != nil {
		return err
	}
	v := r.PostForm
	f := &formReader{v: v, rows: rowMap{}}
	in := federation.AnswerInput{Outcome: f.get("response.outcome"), Narrative: f.text("response.narrative")}
	in.Answers = f.lines("response.answers", "response.answers", plainLine)
	if len(in.Answers) == 0 && in.Narrative == "" {
		f.errs = append(f.errs, fault.Field("response.answers", "give at least one answer, or say in the narrative what was found"))
	}
	draft := &intel.Record{Kind: intel.KindResponse, Grading: req.Grading, Handling: intel.Handling{Code: "H0"},
		Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{req.Originator}},
		Response:     &intel.Response{Request: id, Outcome: cmpOr(in.Outcome, "answered"), Answers: in.Answers, Narrative: in.Narrative}}
	return h.sendLoop(w, r, c, id, draft, f.errs, c.loc.T("sent.answer"), req,
		func() (*intel.Record, federation.ShareResult, error) {
			return h.cfg.Federation.Answer(ctx, h.cfg.Records, c.user.Name, id, in)
		},
		func(b *recordBody, errs fault.List) bool {
			if b.AnswerForm == nil {
				return false
			}
			b.AnswerForm = h.newAnswerForm(c, v)
			b.AnswerForm.place(errs, f.rows, c.loc)
			return true
		})
}

// declineRequest declines a request for assistance received, with the
// reason sent back as a response record.
func (h *Handler) declineRequest(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.needFederation(); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	req, err := h.received(ctx, c, id)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(strings.ReplaceAll(r.PostForm.Get("response.reason"), "\r\n", "\n"))
	rec, res, err := h.cfg.Federation.Decline(ctx, h.cfg.Records, c.user.Name, id, reason)
	if err == nil {
		return h.renderSent(w, r, c, c.loc.T("sent.decline"), rec, req, res)
	}
	errs := fieldFaults(err)
	if errs == nil {
		return err
	}
	form := h.newDeclineForm(r.PostForm)
	form.place(errs, nil, c.loc)
	return h.recordWith(w, r, c, id, http.StatusBadRequest, errs, func(b *recordBody) bool {
		if b.DeclineForm == nil {
			return false
		}
		b.DeclineForm = form
		return true
	})
}

// received returns a request for assistance addressed to this node by
// another, which this node may answer or decline.
func (h *Handler) received(ctx context.Context, c *call, id string) (*intel.Record, error) {
	req, err := h.getRecord(ctx, c, id)
	if err != nil {
		return nil, err
	}
	switch {
	case req.Kind != intel.KindRequest || req.Request == nil:
		return nil, fault.E(fault.Invalid, "record %s is a %s, not a request", id, req.Kind)
	case req.Request.Requested != h.cfg.Node || req.Originator == h.cfg.Node:
		return nil, fault.E(fault.Invalid, "request %s is addressed to %s, not to this node", id, req.Request.Requested)
	}
	return req, nil
}

// fieldFaults returns the field faults of a validation failure, nil when
// err is another kind of error.
func fieldFaults(err error) fault.List {
	var fl fault.List
	var fe *fault.Error
	switch {
	case errors.As(err, &fl):
		return fl
	case errors.As(err, &fe) && fe.Kind == fault.Invalid && fe.Field != "":
		return fault.List{fe}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// requestRow is a line of the requests page.
type requestRow struct {
	federation.RequestView
	Partner string
}

// requestsShown bounds the requests each section of the requests page
// lists, newest first.
const requestsShown = 200

type requestsBody struct {
	State    string
	States   []option
	Received []requestRow
	Sent     []requestRow
	// More is set when a section holds more than requestsShown requests.
	More    bool
	Shown   int
	CanSend bool
}

// requestList lists the requests for assistance received and sent, newest
// first (the latest requestsShown of each that the user may see), with
// their state as the API gives it, optionally in one state. Each section
// asks the store for one page of its rows, filtered by state and by what
// the user may see, rather than reading every request held.
func (h *Handler) requestList(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.needFederation(); err != nil {
		return err
	}
	ctx := r.Context()
	c.title = c.loc.T("nav.requests")
	state := r.URL.Query().Get("state")
	if state != "" && !slices.Contains(intel.RequestStates(), state) {
		return fault.Field("state", "is one of %s", strings.Join(intel.RequestStates(), ", "))
	}
	b := requestsBody{State: state, Shown: requestsShown, CanSend: can(c, access.PermShare)}
	b.States = append(b.States, option{Value: "", Label: c.loc.T("records.any")})
	for _, s := range intel.RequestStates() {
		b.States = append(b.States, option{Value: s, Label: c.loc.Enum("reqstate", s), Selected: s == state})
	}
	restricted, ops := records.OperationsSeen(ctx)
	for _, sec := range []struct {
		direction string
		list      *[]requestRow
	}{{"received", &b.Received}, {"sent", &b.Sent}} {
		rs, err := h.cfg.Federation.RequestPage(ctx, federation.RequestQuery{Direction: sec.direction, State: state,
			Limit: requestsShown + 1, Restricted: restricted, Operations: ops})
		if err != nil {
			return err
		}
		if len(rs) > requestsShown {
			rs, b.More = rs[:requestsShown], true
		}
		for _, v := range rs {
			partner := v.Requesting
			if v.Direction == "sent" {
				partner = v.Requested
			}
			*sec.list = append(*sec.list, requestRow{RequestView: v, Partner: partner})
		}
	}
	return h.render(w, r, c, "requests", b)
}

// requestForm is the form of a new request for assistance.
type requestForm struct {
	form
	Requested, Agreement, Urgency, Deadline, Subject, Facts, Questions *input
	Source, Information, Handling, Conditions                          *input
	NoPeers                                                            bool
}

// newRequestForm builds the request form; the recipients offered are the
// pinned partner nodes that are administrations, the legal bases the
// agreements of this node in force.
func (h *Handler) newRequestForm(ctx context.Context, c *call, v url.Values) (*requestForm, error) {
	l := c.loc
	f := &requestForm{form: newForm()}
	f.alias["distribution"] = "request.requested"
	f.alias["request.requesting"] = "request.requested"
	choose := option{Value: "", Label: l.T("form.choose")}
	peers, err := h.cfg.Federation.Peers(ctx)
	if err != nil {
		return nil, err
	}
	partners := []option{choose}
	for _, p := range peers {
		if _, err := h.cfg.Directory.Administration(p.Code); err != nil || p.Code == h.cfg.Node {
			continue
		}
		partners = append(partners, option{Value: p.Code, Label: p.Code + " — " + l.Party(p.Code)})
	}
	f.NoPeers = len(partners) == 1
	f.Requested = f.add(v, "request.requested", partners)
	bases := []option{{Value: "", Label: l.T("form.none")}}
	if h.cfg.Sharing != nil {
		as, err := h.cfg.Sharing.Agreements(ctx, h.cfg.Node)
		if err != nil && !fault.Is(err, fault.Invalid) {
			return nil, err
		}
		now := h.cfg.Now()
		for _, a := range as {
			if a.InForceOn(now) {
				bases = append(bases, option{Value: a.ID, Label: a.ID + " — " + l.AgreementTitle(a)})
			}
		}
	}
	f.Agreement = f.add(v, "request.agreement", bases)
	urg := []option{{Value: "", Label: l.T("form.none")}}
	for _, s := range intel.Urgencies() {
		urg = append(urg, option{Value: s, Label: l.Enum("urgency", s)})
	}
	f.Urgency = f.add(v, "request.urgency", urg)
	f.Deadline = f.add(v, "request.deadline", nil)
	f.Subject = f.add(v, "request.subject", nil)
	f.Facts = f.add(v, "request.facts", nil)
	f.Questions = f.add(v, "request.questions", nil)
	enum := func(group string, values []string) []option {
		out := []option{choose}
		for _, s := range values {
			out = append(out, option{Value: s, Label: s + " — " + l.Enum(group, s)})
		}
		return out
	}
	if v.Get("grading.source") == "" && v.Get("grading.information") == "" && v.Get("handling.code") == "" {
		v = cloneValues(v)
		v.Set("grading.source", "B")
		v.Set("grading.information", "2")
		v.Set("handling.code", "H0")
	}
	f.Source = f.add(v, "grading.source", enum("source", intel.GradingSources()))
	f.Information = f.add(v, "grading.information", enum("information", intel.GradingInformation()))
	f.Handling = f.add(v, "handling.code", enum("handling", intel.HandlingCodes()))
	f.Conditions = f.add(v, "handling.conditions", nil)
	return f, nil
}

func (h *Handler) renderRequestForm(w http.ResponseWriter, r *http.Request, c *call, status int, f *requestForm) error {
	c.title = c.loc.T("request.new")
	return h.renderStatus(w, r, c, status, "requestform", f)
}

// newRequest shows the form of a new request for assistance.
func (h *Handler) newRequest(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.needFederation(); err != nil {
		return err
	}
	f, err := h.newRequestForm(r.Context(), c, url.Values{})
	if err != nil {
		return err
	}
	return h.renderRequestForm(w, r, c, http.StatusOK, f)
}

// createRequest stores a request for assistance from the form and sends
// it to the requested administration, as POST /api/v1/requests does. The
// sharing decision is taken before anything is stored, so that a request
// that may not go to its recipient is refused on the form rather than
// kept unsent.
func (h *Handler) createRequest(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.needFederation(); err != nil {
		return err
	}
	ctx := r.Context()
	v := r.PostForm
	f := &formReader{v: v, rows: rowMap{}}
	q := &intel.Request{Requesting: h.cfg.Node, Requested: f.upper("request.requested"), Agreement: f.get("request.agreement"),
		Subject: f.get("request.subject"), Facts: f.text("request.facts"), Urgency: f.get("request.urgency"),
		Deadline: f.get("request.deadline"), State: federation.StateSent}
	q.Questions = f.lines("request.questions", "request.questions", plainLine)
	rec := &intel.Record{Kind: intel.KindRequest, Request: q,
		Grading:  intel.Grading{Source: f.get("grading.source"), Information: f.get("grading.information")},
		Handling: intel.Handling{Code: f.get("handling.code"), Conditions: f.get("handling.conditions")}}
	if q.Requested != "" {
		rec.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{q.Requested}}
	} else {
		rec.Distribution = intel.Distribution{Scope: intel.ScopeBilateral}
	}
	today := h.cfg.Now().UTC().Format(time.DateOnly)
	if _, err := time.Parse(time.DateOnly, q.Deadline); err == nil && q.Deadline < today {
		f.errs = append(f.errs, fault.Field("request.deadline", "deadline %s is already past; give a date from %s on", q.Deadline, today))
	}
	errs := h.withValidation(rec, f.errs)
	if len(errs) == 0 {
		more, err := h.checkRequest(ctx, rec)
		if err != nil {
			return err
		}
		errs = more
	}
	if len(errs) == 0 {
		stored, _, err := h.cfg.Records.Create(ctx, c.user.Name, rec)
		if err == nil {
			res, err := h.cfg.Federation.SendRequest(ctx, c.user.Name, stored.ID)
			if err != nil {
				return err
			}
			return h.renderSent(w, r, c, c.loc.T("sent.request"), stored, nil, res)
		}
		if errs = fieldFaults(err); errs == nil {
			return err
		}
	}
	form, err := h.newRequestForm(ctx, c, v)
	if err != nil {
		return err
	}
	form.place(errs, f.rows, c.loc)
	return h.renderRequestForm(w, r, c, http.StatusBadRequest, form)
}

// checkRequest finds what would stop a valid request from going to its
// recipient: a recipient that is not a pinned partner, a legal basis that
// does not bind it, or a sharing decision that refuses it.
func (h *Handler) checkRequest(ctx context.Context, rec *intel.Record) (fault.List, error) {
	q := rec.Request
	to := q.Requested
	if _, err := h.cfg.Store.Peer(ctx, to); fault.Is(err, fault.NotFound) {
		return fault.List{fault.Field("request.requested", "%s is not a pinned partner node, so nothing can be sent to it", to)}, nil
	} else if err != nil {
		return nil, err
	}
	as, err := h.cfg.Store.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	now := h.cfg.Now()
	var errs fault.List
	if q.Agreement != "" {
		i := slices.IndexFunc(as, func(a agreement.Agreement) bool { return a.ID == q.Agreement })
		switch {
		case i < 0:
			errs = append(errs, fault.Field("request.agreement", "no agreement %q in the registry", q.Agreement))
		case !as[i].InForceOn(now):
			errs = append(errs, fault.Field("request.agreement", "agreement %s is not in force", q.Agreement))
		case !as[i].Involves(to, h.cfg.Directory, now) || !as[i].Involves(h.cfg.Node, h.cfg.Directory, now):
			errs = append(errs, fault.Field("request.agreement", "agreement %s does not bind both %s and %s", q.Agreement, h.cfg.Node, to))
		}
	}
	d := agreement.Decide(agreement.Input{Record: rec, Sender: h.cfg.Node, Recipient: to, On: now, Agreements: as,
		Directory: h.cfg.Directory})
	if !d.Allowed {
		errs = append(errs, fault.Field("request.requested", "this request may not be sent to %s: %s", to, failedReasons(d.Failed())))
	}
	return errs, nil
}

// failedReasons are the reasons a decision refuses, as the argument of an
// error message: in English in the message, in the page's language on it.
type failedReasons []agreement.Reason

func (rs failedReasons) String() string {
	texts := make([]string, len(rs))
	for i, r := range rs {
		texts[i] = r.Text
	}
	return strings.Join(texts, " ")
}

func (rs failedReasons) in(l *Locale) string {
	texts := make([]string, len(rs))
	for i, r := range rs {
		texts[i] = l.Reason(r)
	}
	return strings.Join(texts, " ")
}
