package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// The operational loops.
//
// A warning is answered with a feedback record, sent back to the warning's
// originator in a feedback envelope. A request for assistance is sent to
// the requested administration in a request envelope; the requested node
// acknowledges it at once (an ack envelope, which the requesting node
// records as a new version of its request in state acknowledged), and
// later answers or declines it with a response record in a response
// envelope. The state of a request (sent, acknowledged, answered, declined,
// overdue) is computed when read from the request and the responses held,
// on both sides, so that it cannot drift: overdue is a deadline passed
// without an answer or a refusal. The store computes it in its requests
// index (store.Requests), so that a listing reads only what it shows.

// Request states.
const (
	StateSent         = "sent"
	StateAcknowledged = "acknowledged"
	StateAnswered     = "answered"
	StateDeclined     = "declined"
	StateOverdue      = "overdue"
)

// extend registers the relay and loop handlers of the inbox.
func (s *Service) extend() {
	for _, t := range []envelope.Type{envelope.TypeRecordCreate, envelope.TypeRecordUpdate, envelope.TypeRecordRetract} {
		s.handlers[t] = s.relaying(s.handlers[t])
	}
	s.handlers[envelope.TypeFeedback] = s.relaying(s.receiveLoop(intel.KindFeedback, s.checkFeedback))
	s.handlers[envelope.TypeRequest] = s.relaying(s.receiveLoop(intel.KindRequest, s.checkRequest))
	s.handlers[envelope.TypeResponse] = s.relaying(s.receiveLoop(intel.KindResponse, s.checkResponse))
	s.handlers[envelope.TypeAck] = s.receiveAck
}

// Creator stores a new record originated by this node; records.Service is
// one.
type Creator interface {
	Create(ctx context.Context, actor string, r *intel.Record) (*intel.Record, []intel.FieldWarning, error)
}

// FeedbackInput is an answer to a warning.
type FeedbackInput struct {
	Controlled bool           `json:"controlled"`
	Result     string         `json:"result"`
	Seizure    string         `json:"seizure,omitempty"`
	Date       string         `json:"date,omitempty"`
	Narrative  string         `json:"narrative,omitempty"`
	Grading    *intel.Grading `json:"grading,omitempty"`
}

// GiveFeedback creates a feedback record answering a warning held here from
// another node and sends it back to the warning's originator (envelope type
// feedback). The record is stored even when the decision refuses sending;
// the result says why.
func (s *Service) GiveFeedback(ctx context.Context, c Creator, actor, warningID string, in FeedbackInput) (*intel.Record, ShareResult, error) {
	w, err := s.cfg.Store.GetRecord(ctx, warningID)
	if err != nil {
		return nil, ShareResult{}, fmt.Errorf("feedback on %s: %w", warningID, err)
	}
	if w.Kind != intel.KindWarning {
		return nil, ShareResult{}, fault.E(fault.Invalid, "record %s is a %s, not a warning", warningID, w.Kind)
	}
	if w.Originator == s.cfg.Node {
		return nil, ShareResult{}, fault.E(fault.Invalid, "warning %s originates from this node; feedback answers a partner's warning", warningID)
	}
	rec := &intel.Record{Kind: intel.KindFeedback, Grading: gradingOr(in.Grading), Handling: intel.Handling{Code: "H0"},
		Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{w.Originator}},
		Feedback: &intel.Feedback{Warning: warningID, Controlled: in.Controlled, Result: in.Result, Seizure: in.Seizure,
			Date: in.Date, Narrative: in.Narrative}}
	stored, _, err := c.Create(ctx, actor, rec)
	if err != nil {
		return nil, ShareResult{}, err
	}
	res, err := s.sendLoop(ctx, actor, stored, envelope.TypeFeedback, w.Originator)
	return stored, res, err
}

// SendRequest sends a request for assistance this node originated to the
// requested administration (envelope type request), under the decision's
// legal basis.
func (s *Service) SendRequest(ctx context.Context, actor, requestID string) (ShareResult, error) {
	rec, err := s.cfg.Store.GetRecord(ctx, requestID)
	if err != nil {
		return ShareResult{}, fmt.Errorf("send request %s: %w", requestID, err)
	}
	if rec.Kind != intel.KindRequest || rec.Request == nil {
		return ShareResult{}, fault.E(fault.Invalid, "record %s is a %s, not a request", requestID, rec.Kind)
	}
	if rec.Originator != s.cfg.Node {
		return ShareResult{}, fault.E(fault.Invalid, "request %s originates from %s; only the requesting node sends it", requestID, rec.Originator)
	}
	return s.sendLoop(ctx, actor, rec, envelope.TypeRequest, rec.Request.Requested)
}

// AnswerInput is the answer to a request for assistance.
type AnswerInput struct {
	// Outcome is answered or partial (Answer), declined (Decline).
	Outcome   string   `json:"outcome,omitempty"`
	Answers   []string `json:"answers,omitempty"`
	Narrative string   `json:"narrative,omitempty"`
	Reason    string   `json:"reason,omitempty"`
}

// Answer creates a response record (outcome answered or partial) to a
// request held here from the requesting node and sends it back (envelope
// type response).
func (s *Service) Answer(ctx context.Context, c Creator, actor, requestID string, in AnswerInput) (*intel.Record, ShareResult, error) {
	if in.Outcome == "" {
		in.Outcome = "answered"
	}
	if in.Outcome != "answered" && in.Outcome != "partial" {
		return nil, ShareResult{}, fault.Field("outcome", "is answered or partial; decline a request with /decline")
	}
	return s.respond(ctx, c, actor, requestID, in)
}

// Decline creates a response record declining a request held here, with
// the reason, and sends it back.
func (s *Service) Decline(ctx context.Context, c Creator, actor, requestID, reason string) (*intel.Record, ShareResult, error) {
	return s.respond(ctx, c, actor, requestID, AnswerInput{Outcome: "declined", Reason: reason})
}

func (s *Service) respond(ctx context.Context, c Creator, actor, requestID string, in AnswerInput) (*intel.Record, ShareResult, error) {
	req, err := s.cfg.Store.GetRecord(ctx, requestID)
	if err != nil {
		return nil, ShareResult{}, fmt.Errorf("answer request %s: %w", requestID, err)
	}
	if req.Kind != intel.KindRequest || req.Request == nil {
		return nil, ShareResult{}, fault.E(fault.Invalid, "record %s is a %s, not a request", requestID, req.Kind)
	}
	if req.Request.Requested != s.cfg.Node || req.Originator == s.cfg.Node {
		return nil, ShareResult{}, fault.E(fault.Invalid, "request %s is addressed to %s, not to this node", requestID, req.Request.Requested)
	}
	if req.Status == intel.StatusRetracted {
		return nil, ShareResult{}, fault.E(fault.Conflict, "request %s is retracted", requestID)
	}
	v, err := s.Request(ctx, requestID)
	if err != nil {
		return nil, ShareResult{}, err
	}
	switch v.State {
	case StateAnswered, StateDeclined:
		return nil, ShareResult{}, fault.E(fault.Conflict, "request %s is already %s", requestID, v.State)
	}
	// Checked once the request is known to be one this node may decline,
	// so that declining another node's request says that first.
	if in.Outcome == "declined" && strings.TrimSpace(in.Reason) == "" {
		return nil, ShareResult{}, fault.Field("reason", "say why the request is declined")
	}
	rec := &intel.Record{Kind: intel.KindResponse, Grading: req.Grading, Handling: intel.Handling{Code: "H0"},
		Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{req.Originator}},
		Response: &intel.Response{Request: requestID, Outcome: in.Outcome, Answers: in.Answers, Reason: in.Reason,
			Narrative: in.Narrative}}
	stored, _, err := c.Create(ctx, actor, rec)
	if err != nil {
		return nil, ShareResult{}, err
	}
	res, err := s.sendLoop(ctx, actor, stored, envelope.TypeResponse, req.Originator)
	return stored, res, err
}

func gradingOr(g *intel.Grading) intel.Grading {
	if g == nil {
		return intel.Grading{Source: "B", Information: "2"}
	}
	return *g
}

// sendLoop decides whether rec may go to its one recipient and, when
// allowed with a pinned peer, queues it as an envelope of type t, with the
// decision's audit entry, in one transaction.
func (s *Service) sendLoop(ctx context.Context, actor string, rec *intel.Record, t envelope.Type, to string) (ShareResult, error) {
	as, err := s.cfg.Store.Agreements(ctx)
	if err != nil {
		return ShareResult{}, err
	}
	cs, err := s.cfg.Store.Consents(ctx, rec.ID)
	if err != nil {
		return ShareResult{}, err
	}
	d := agreement.Decide(agreement.Input{Record: rec, Sender: s.cfg.Node, Recipient: to, On: s.now(),
		Agreements: as, Consents: cs, Directory: s.cfg.Directory})
	if d.Allowed {
		if _, err := s.cfg.Store.Peer(ctx, to); fault.Is(err, fault.NotFound) {
			d.Allowed, d.Basis = false, nil
			d.Reasons = append(d.Reasons, agreement.Reason{Rule: "peer", Met: false,
				Text: fmt.Sprintf("no pinned peer for %s: add it with `liaison peers add`", to)})
		} else if err != nil {
			return ShareResult{}, err
		}
	}
	res := ShareResult{Recipient: to, Allowed: d.Allowed, Basis: d.Basis, Reasons: d.Reasons, decision: d}
	ev := audit.Event{Actor: actor, Action: ActionShare, Target: rec.ID, Detail: string(t) + ": " + decisionDetail(to, d)}
	var ds []store.Delivery
	if d.Allowed {
		id, err := envelope.NewID(s.now())
		if err != nil {
			return ShareResult{}, err
		}
		p, err := envelope.NewPayload(envelope.RecordPayload{Record: *rec, Decision: envelope.Claimed(d)})
		if err != nil {
			return ShareResult{}, err
		}
		dj, err := json.Marshal(d)
		if err != nil {
			return ShareResult{}, fmt.Errorf("encode decision: %w", err)
		}
		// A request's envelope is queued once: a creation sent again under
		// its idempotency key while the first was queuing it finds it.
		ds = append(ds, store.Delivery{EnvelopeID: id, Peer: to, Type: string(t), RecordID: rec.ID, Version: rec.Version,
			Payload: p, Decision: dj, Once: t == envelope.TypeRequest})
	}
	stored, err := s.Enqueue(ctx, ds, []audit.Event{ev})
	if err != nil {
		return ShareResult{}, fmt.Errorf("send %s %s: %w", t, rec.ID, err)
	}
	if len(stored) == 1 {
		id := fmt.Sprint(stored[0].ID)
		res.Delivery = &id
	}
	return res, nil
}

// receiveLoop is the inbox handler of a loop envelope carrying a record of
// kind: the record must come from its originator, be new or newer here,
// pass the sharing decision from this side and pass check.
func (s *Service) receiveLoop(kind intel.Kind, check func(ctx context.Context, v envelope.Verified, rec *intel.Record) (string, error)) Handler {
	return func(ctx context.Context, v envelope.Verified) (store.Received, audit.Event, string, error) {
		e := v.Envelope
		var p envelope.RecordPayload
		if err := e.Decode(&p); err != nil {
			return store.Received{}, audit.Event{}, reasonOf(err), nil
		}
		rec := p.Record
		switch {
		case rec.Kind != kind:
			return store.Received{}, audit.Event{}, fmt.Sprintf("a %s envelope carries a %s record, not a %s", e.Type, kind, rec.Kind), nil
		case rec.ID == "" || !validULID(rec.ID):
			return store.Received{}, audit.Event{}, "the record has no valid id", nil
		case rec.Originator != e.From:
			return store.Received{}, audit.Event{}, fmt.Sprintf("record %s originates from %s, not from the sender %s", rec.ID, rec.Originator, e.From), nil
		case rec.Version < 1:
			return store.Received{}, audit.Event{}, fmt.Sprintf("record %s has no version", rec.ID), nil
		}
		if reason := s.invalidRecord(&rec); reason != "" {
			return store.Received{}, audit.Event{}, reason, nil
		}
		if held, err := s.cfg.Store.GetRecord(ctx, rec.ID); err == nil && held.Originator != e.From {
			return store.Received{}, audit.Event{}, fmt.Sprintf("record %s is held here from %s", rec.ID, held.Originator), nil
		} else if err != nil && !fault.Is(err, fault.NotFound) {
			return store.Received{}, audit.Event{}, "", err
		}
		if reason, err := check(ctx, v, &rec); err != nil || reason != "" {
			return store.Received{}, audit.Event{}, reason, err
		}
		as, err := s.cfg.Store.Agreements(ctx)
		if err != nil {
			return store.Received{}, audit.Event{}, "", err
		}
		d := agreement.Decide(agreement.Input{Record: &rec, Sender: e.From, Recipient: s.cfg.Node, On: s.now(),
			Agreements: as, Directory: s.cfg.Directory})
		if !d.Allowed {
			var texts []string
			for _, r := range d.Failed() {
				texts = append(texts, r.Text)
			}
			return store.Received{}, audit.Event{}, fmt.Sprintf("%s may not receive record %s from %s: %s", s.cfg.Node, rec.ID, e.From, strings.Join(texts, " ")), nil
		}
		rc := store.Received{Record: &rec}
		if kind == intel.KindRequest {
			ack, err := s.ack(e, rec.ID)
			if err != nil {
				return store.Received{}, audit.Event{}, "", err
			}
			rc.Outbox = append(rc.Outbox, ack)
		}
		ev := audit.Event{Actor: e.From, Action: ActionReceive, Target: rec.ID,
			Detail: fmt.Sprintf("%s %s version %d from %s (%s)", e.Type, e.ID, rec.Version, e.From, decisionDetail(s.cfg.Node, d))}
		return rc, ev, "", nil
	}
}

func (s *Service) checkFeedback(ctx context.Context, v envelope.Verified, rec *intel.Record) (string, error) {
	if rec.Feedback == nil {
		return "the feedback record has no feedback section", nil
	}
	w, err := s.cfg.Store.GetRecord(ctx, rec.Feedback.Warning)
	if fault.Is(err, fault.NotFound) {
		return fmt.Sprintf("warning %s is not held by %s", rec.Feedback.Warning, s.cfg.Node), nil
	}
	if err != nil {
		return "", err
	}
	if w.Kind != intel.KindWarning || w.Originator != s.cfg.Node {
		return fmt.Sprintf("record %s is not a warning %s issued", rec.Feedback.Warning, s.cfg.Node), nil
	}
	return "", nil
}

func (s *Service) checkRequest(_ context.Context, v envelope.Verified, rec *intel.Record) (string, error) {
	switch {
	case rec.Request == nil:
		return "the request record has no request section", nil
	case rec.Request.Requested != s.cfg.Node:
		return fmt.Sprintf("request %s is addressed to %s, not to %s", rec.ID, rec.Request.Requested, s.cfg.Node), nil
	case rec.Request.Requesting != v.Envelope.From:
		return fmt.Sprintf("request %s is made by %s, not by the sender %s", rec.ID, rec.Request.Requesting, v.Envelope.From), nil
	}
	return "", nil
}

func (s *Service) checkResponse(ctx context.Context, v envelope.Verified, rec *intel.Record) (string, error) {
	if rec.Response == nil {
		return "the response record has no response section", nil
	}
	req, err := s.cfg.Store.GetRecord(ctx, rec.Response.Request)
	if fault.Is(err, fault.NotFound) {
		return fmt.Sprintf("request %s is not held by %s", rec.Response.Request, s.cfg.Node), nil
	}
	if err != nil {
		return "", err
	}
	if req.Kind != intel.KindRequest || req.Request == nil || req.Originator != s.cfg.Node || req.Request.Requested != v.Envelope.From {
		return fmt.Sprintf("record %s is not a request %s made to %s", rec.Response.Request, s.cfg.Node, v.Envelope.From), nil
	}
	return "", nil
}

// ackPayload is the payload of the automatic acknowledgement of a request:
// envelope.AckPayload with the request's record id.
type ackPayload struct {
	Envelope string          `json:"envelope"`
	Status   envelope.Status `json:"status"`
	Record   string          `json:"record"`
}

// ack is the delivery of the signed acknowledgement of a request
// envelope, queued with the request's receipt (store.Received.Outbox).
func (s *Service) ack(e envelope.Envelope, recordID string) (store.Delivery, error) {
	p, err := envelope.NewPayload(ackPayload{Envelope: e.ID, Status: envelope.Accepted, Record: recordID})
	if err != nil {
		return store.Delivery{}, err
	}
	id, err := envelope.NewID(s.now())
	if err != nil {
		return store.Delivery{}, err
	}
	return store.Delivery{EnvelopeID: id, Peer: e.From, Type: string(envelope.TypeAck), RecordID: recordID, Payload: p}, nil
}

// receiveAck records the acknowledgement of a request this node made: the
// request's next version is in state acknowledged.
func (s *Service) receiveAck(ctx context.Context, v envelope.Verified) (store.Received, audit.Event, string, error) {
	e := v.Envelope
	var p ackPayload
	if err := e.Decode(&p); err != nil {
		return store.Received{}, audit.Event{}, reasonOf(err), nil
	}
	if reason := recordIDReason(e, p.Record); reason != "" {
		return store.Received{}, audit.Event{}, reason, nil
	}
	req, err := s.cfg.Store.GetRecord(ctx, p.Record)
	if fault.Is(err, fault.NotFound) {
		return store.Received{}, audit.Event{}, fmt.Sprintf("record %s is not held by %s", p.Record, s.cfg.Node), nil
	}
	if err != nil {
		return store.Received{}, audit.Event{}, "", err
	}
	if req.Kind != intel.KindRequest || req.Request == nil || req.Originator != s.cfg.Node || req.Request.Requested != e.From {
		return store.Received{}, audit.Event{}, fmt.Sprintf("record %s is not a request %s made to %s", p.Record, s.cfg.Node, e.From), nil
	}
	ev := audit.Event{Actor: e.From, Action: ActionReceive, Target: req.ID,
		Detail: fmt.Sprintf("%s %s from %s: request acknowledged (envelope %s)", e.Type, e.ID, e.From, p.Envelope)}
	if st := req.Request.State; st != "" && st != StateSent {
		return store.Received{}, ev, "", nil
	}
	next, err := clone(req)
	if err != nil {
		return store.Received{}, audit.Event{}, "", err
	}
	// Record times are kept to the millisecond, as the records service
	// keeps them.
	now := s.now().Truncate(time.Millisecond)
	next.Version++
	next.Updated = &now
	next.Request.State = StateAcknowledged
	return store.Received{Record: next}, ev, "", nil
}

func clone(r *intel.Record) (*intel.Record, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var out intel.Record
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) today() string { return s.now().Format("2006-01-02") }

// Feedback lists the feedback records held that answer a warning, oldest
// first.
func (s *Service) Feedback(ctx context.Context, warningID string) ([]*intel.Record, error) {
	w, err := s.cfg.Store.GetRecord(ctx, warningID)
	if err != nil {
		return nil, fmt.Errorf("feedback on %s: %w", warningID, err)
	}
	if w.Kind != intel.KindWarning {
		// Feedback answers warnings only: an empty list would read as "no
		// feedback yet".
		return nil, fault.E(fault.Invalid, "record %s is a %s, not a warning: feedback answers warnings", warningID, w.Kind)
	}
	ids, err := s.cfg.Store.FeedbackOn(ctx, warningID)
	if err != nil {
		return nil, err
	}
	out := make([]*intel.Record, 0, len(ids))
	for _, id := range ids {
		f, err := s.cfg.Store.GetRecord(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("feedback on %s: %w", warningID, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// RequestView is a request for assistance with its state as this node sees
// it.
type RequestView struct {
	ID         string `json:"id"`
	Direction  string `json:"direction"` // sent or received
	Requesting string `json:"requesting"`
	Requested  string `json:"requested"`
	Agreement  string `json:"agreement,omitempty"`
	Subject    string `json:"subject"`
	Deadline   string `json:"deadline,omitempty"`
	State      string `json:"state"`
	// Responses are the ids of the response records held, oldest first.
	Responses []string `json:"responses"`
}

// RequestQuery selects a page of requests for assistance, newest first.
type RequestQuery struct {
	// Direction is "sent", "received" or "" for both.
	Direction string
	// State is one of intel.RequestStates, or "" for all.
	State string
	// Cursor is the id of the last request of the previous page.
	Cursor string
	// Limit is 1..store.MaxLimit; 0 is store.DefaultLimit.
	Limit int
	// Restricted limits the page to what one user may see: requests not
	// distributed to an operation, and those of Operations (see
	// records.OperationsSeen).
	Restricted bool
	Operations []string
}

// RequestPage lists one page of the requests sent and received, newest
// first, with their state, reading only the requests of the page (and
// their responses) from the store's requests index.
func (s *Service) RequestPage(ctx context.Context, q RequestQuery) ([]RequestView, error) {
	rows, err := s.cfg.Store.ListRequests(ctx, store.RequestQuery{Self: s.cfg.Node, Today: s.today(),
		Direction: q.Direction, State: q.State, Cursor: q.Cursor, Limit: q.Limit, Restricted: q.Restricted,
		Operations: q.Operations})
	if err != nil {
		return nil, err
	}
	out := make([]RequestView, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.requestView(r))
	}
	return out, nil
}

func (s *Service) requestView(r store.RequestRow) RequestView {
	v := RequestView{ID: r.ID, Direction: store.RequestIncoming, Requesting: r.Requesting, Requested: r.Requested,
		Agreement: r.Agreement, Subject: r.Subject, Deadline: r.Deadline, State: r.State, Responses: r.Responses}
	if r.Originator == s.cfg.Node {
		v.Direction = store.RequestOutgoing
	}
	return v
}

// Request returns the state of one request for assistance held, or a
// not_found error when none is held under id or it is retracted.
func (s *Service) Request(ctx context.Context, id string) (RequestView, error) {
	rows, err := s.cfg.Store.ListRequests(ctx, store.RequestQuery{Self: s.cfg.Node, Today: s.today(), ID: id, Limit: 1})
	if err != nil {
		return RequestView{}, fmt.Errorf("request %s: %w", id, err)
	}
	if len(rows) == 0 {
		return RequestView{}, fault.E(fault.NotFound, "no request for assistance %s is held, or it is retracted", id)
	}
	return s.requestView(rows[0]), nil
}

// Requests lists every request sent and received that q selects, newest
// first, with their state (q's Cursor and Limit are not used).
func (s *Service) Requests(ctx context.Context, q RequestQuery) ([]RequestView, error) {
	if q.State != "" && !slices.Contains(intel.RequestStates(), q.State) {
		return nil, fault.Field("state", "is one of %s", strings.Join(intel.RequestStates(), ", "))
	}
	out := []RequestView{}
	q.Cursor, q.Limit = "", store.MaxLimit
	for {
		page, err := s.RequestPage(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < q.Limit {
			return out, nil
		}
		q.Cursor = page[len(page)-1].ID
	}
}

// Statistics are a RILO's regional statistics of the records that passed
// through it: counts of the records received, by originator, kind,
// commodity category and month of the event, and of its relays by state.
type Statistics struct {
	Node         string         `json:"node"`
	Region       string         `json:"region"`
	Records      int            `json:"records"`
	ByOriginator map[string]int `json:"by_originator"`
	ByKind       map[string]int `json:"by_kind"`
	ByCategory   map[string]int `json:"by_category"`
	ByMonth      map[string]int `json:"by_month"`
	Relays       map[string]int `json:"relays"`
	// Months lists the keys of ByMonth in order.
	Months []string `json:"months"`
}

// Statistics computes the regional statistics of a RILO node from the
// records it holds from others and its relay deliveries. Other nodes have
// none: a not_found error.
func (s *Service) Statistics(ctx context.Context) (Statistics, error) {
	region, ok := s.riloRegion()
	if !ok {
		return Statistics{}, fault.E(fault.NotFound, "%s is not a RILO: regional statistics are kept by RILO nodes", s.cfg.Node)
	}
	st := Statistics{Node: s.cfg.Node, Region: region, ByOriginator: map[string]int{}, ByKind: map[string]int{},
		ByCategory: map[string]int{}, ByMonth: map[string]int{}, Relays: map[string]int{}, Months: []string{}}
	q := store.RecordQuery{Limit: 1000}
	for {
		p, err := s.cfg.Store.ListRecords(ctx, q)
		if err != nil {
			return Statistics{}, fmt.Errorf("regional statistics: %w", err)
		}
		for _, r := range p.Records {
			if r.Originator == s.cfg.Node {
				continue
			}
			st.Records++
			st.ByOriginator[r.Originator]++
			st.ByKind[string(r.Kind)]++
			for _, c := range intel.Categories(r) {
				st.ByCategory[c]++
			}
			if d := intel.EventDate(r); len(d) >= 7 {
				st.ByMonth[d[:7]]++
			}
		}
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	ds, err := s.cfg.Store.Deliveries(ctx, "")
	if err != nil {
		return Statistics{}, fmt.Errorf("regional statistics: %w", err)
	}
	for _, d := range ds {
		if d.Type == string(envelope.TypeRelay) {
			st.Relays[d.State]++
		}
	}
	for m := range st.ByMonth {
		st.Months = append(st.Months, m)
	}
	sort.Strings(st.Months)
	return st, nil
}
