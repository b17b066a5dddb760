package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"liaison/internal/fault"
	"liaison/internal/intel"
)

// Request states, as Requests computes them (see federation for what they
// mean).
const (
	RequestSent         = "sent"
	RequestAcknowledged = "acknowledged"
	RequestAnswered     = "answered"
	RequestDeclined     = "declined"
	RequestOverdue      = "overdue"
)

// Request directions.
const (
	RequestOutgoing = "sent"     // requests this node made
	RequestIncoming = "received" // requests made to this node
)

// RequestQuery selects requests for assistance for a listing, newest first
// (by id descending). Self and Today are required: the state of a request
// depends on who asks (a request received is acknowledged as soon as it is
// held) and on the day (a deadline passed while open makes it overdue).
type RequestQuery struct {
	Self  string // this node's code
	Today string // YYYY-MM-DD in UTC
	// ID, when set, selects that one request.
	ID string
	// Direction is RequestOutgoing, RequestIncoming or "" for both.
	Direction string
	// State is one of the request states, or "" for all.
	State string
	// Restricted limits the listing to what one user may see: requests
	// without an operation, and those of the Operations listed. A query
	// that is not Restricted lists every request (the node's own view).
	Restricted bool
	Operations []string
	Cursor     string // id of the last request of the previous page; "" for the first
	Limit      int    // 1..MaxLimit; 0 is DefaultLimit
}

// RequestRow is one request for assistance held, with its state computed
// for the query's Self and Today. Retracted requests are never listed.
type RequestRow struct {
	ID         string
	Originator string
	Requesting string
	Requested  string
	Agreement  string
	Subject    string
	Deadline   string
	// Operation is the operation the request is distributed to, "" for
	// none.
	Operation string
	State     string
	// Responses are the ids of the response records held for it, not
	// retracted, oldest first.
	Responses []string
}

// Requests lists requests for assistance and their responses from an index
// kept beside the records, so that a listing reads only the rows it shows.
type Requests interface {
	// ListRequests returns up to q.Limit requests matching q, newest
	// first. The index follows every record stored, however it was
	// stored (created, updated, received, retracted).
	ListRequests(ctx context.Context, q RequestQuery) ([]RequestRow, error)
	// FeedbackOn returns the ids of the feedback records held that answer
	// warning, retracted ones included, oldest first, from an index kept
	// the same way.
	FeedbackOn(ctx context.Context, warning string) ([]string, error)
}

// Checked returns q with its defaults filled in, or an Invalid error naming
// what is wrong.
func (q RequestQuery) Checked() (RequestQuery, error) {
	var err error
	if q.Limit, err = checkLimit(q.Limit); err != nil {
		return q, err
	}
	if q.Self == "" {
		return q, fault.Field("self", "is required")
	}
	if _, err := time.Parse(time.DateOnly, q.Today); err != nil {
		return q, fault.Field("today", "must be a date YYYY-MM-DD")
	}
	switch q.Direction {
	case "", RequestOutgoing, RequestIncoming:
	default:
		return q, fault.Field("direction", "is %s or %s", RequestOutgoing, RequestIncoming)
	}
	if q.State != "" && !slices.Contains(intel.RequestStates(), q.State) {
		return q, fault.Field("state", "is one of %s", strings.Join(intel.RequestStates(), ", "))
	}
	return q, nil
}

// RequestFacts is what the request index keeps of one record version: a
// request's listing fields, or a response's link to its request.
type RequestFacts struct {
	ID         string
	Kind       intel.Kind
	Version    int
	Originator string
	Active     bool // not retracted
	Operation  string
	// For a request.
	Requesting, Requested, Agreement, Subject, Deadline string
	Acknowledged                                        bool
	// For a response.
	Request, Outcome string
	// For feedback: the warning it answers.
	Warning string
}

// FactsOf reads the index's facts from the stored body of a record's latest
// version. ok is false for records the index does not keep: other kinds, or
// a request, response or feedback without its section.
func FactsOf(body []byte) (f RequestFacts, ok bool, err error) {
	var r intel.Record
	if err := intel.DecodeJSON(body, &r); err != nil {
		return f, false, fmt.Errorf("decode record body: %w", err)
	}
	f = RequestFacts{ID: r.ID, Kind: r.Kind, Version: r.Version, Originator: r.Originator,
		Active: r.Status != intel.StatusRetracted}
	if r.Distribution.Scope == intel.ScopeOperation {
		f.Operation = r.Distribution.Operation
	}
	switch {
	case r.Kind == intel.KindRequest && r.Request != nil:
		q := r.Request
		f.Requesting, f.Requested, f.Agreement, f.Subject, f.Deadline = q.Requesting, q.Requested, q.Agreement, q.Subject, q.Deadline
		f.Acknowledged = q.State == RequestAcknowledged
		return f, true, nil
	case r.Kind == intel.KindResponse && r.Response != nil:
		f.Request, f.Outcome = r.Response.Request, r.Response.Outcome
		return f, true, nil
	case r.Kind == intel.KindFeedback && r.Feedback != nil:
		f.Warning = r.Feedback.Warning
		return f, true, nil
	}
	return f, false, nil
}
