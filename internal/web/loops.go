package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/records"
	"liaison/internal/store"
)

// loopResponse is a record created by a loop (feedback, request, response)
// and the decision and delivery of sending it.
type loopResponse struct {
	Record *intel.Record          `json:"record"`
	Result federation.ShareResult `json:"result"`
}

// feedbackResponse lists the feedback on a warning.
type feedbackResponse struct {
	Warning  string          `json:"warning"`
	Feedback []*intel.Record `json:"feedback"`
}

// requestsResponse lists requests for assistance with their state.
type requestsResponse struct {
	Requests []federation.RequestView `json:"requests"`
}

// declineRequest is the body of POST /api/v1/records/{id}/decline.
type declineRequest struct {
	Reason string `json:"reason"`
}

// receiptsResponse lists the envelopes of a record this node accepted.
type receiptsResponse struct {
	Record   string               `json:"record"`
	Receipts []federation.Receipt `json:"receipts"`
}

func (s *Server) giveFeedback(w http.ResponseWriter, r *http.Request) error {
	var in federation.FeedbackInput
	if err := decodeBody(w, r, s.maxBody, &in); err != nil {
		return err
	}
	rec, res, err := s.fed.GiveFeedback(r.Context(), s.records, userFrom(r.Context()).Name, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/records/"+url.PathEscape(rec.ID))
	writeJSON(w, http.StatusCreated, loopResponse{Record: rec, Result: res})
	return nil
}

func (s *Server) listFeedback(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	fs, err := s.fed.Feedback(r.Context(), id)
	if err != nil {
		return err
	}
	// Feedback distributed to an operation is shown only to those who may
	// see it, as every listing does (the warning itself is checked
	// already): anyone may store feedback on a warning with any
	// distribution, and the index lists it whoever asks.
	visible := make([]*intel.Record, 0, len(fs))
	for _, f := range fs {
		if records.Visible(r.Context(), f) {
			visible = append(visible, f)
		}
	}
	writeJSON(w, http.StatusOK, feedbackResponse{Warning: id, Feedback: visible})
	return nil
}

func (s *Server) createRequest(w http.ResponseWriter, r *http.Request) error {
	var rec intel.Record
	if err := decodeBody(w, r, s.maxBody, &rec); err != nil {
		return err
	}
	if rec.Kind == "" {
		rec.Kind = intel.KindRequest
	}
	if rec.Kind != intel.KindRequest || rec.Request == nil {
		return fault.Field("request", "a request for assistance has kind request and a request section")
	}
	if rec.Request.Requesting == "" {
		rec.Request.Requesting = s.node
	}
	if rec.Request.Requesting != s.node {
		return fault.Field("request.requesting", "is this node, %s", s.node)
	}
	rec.Request.State = federation.StateSent
	if rec.Distribution.Scope == "" {
		rec.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{rec.Request.Requested}}
	}
	actor := userFrom(r.Context()).Name
	stored, _, replay, err := s.createKeyed(w, r, &rec)
	if err != nil {
		return err
	}
	var res federation.ShareResult
	sent := false
	if replay {
		// The request was created by the first request under this key;
		// it was sent then, unless that request ended before sending it.
		if res, sent, err = s.sentRequest(r.Context(), stored.ID); err != nil {
			return err
		}
	}
	if !sent {
		if res, err = s.fed.SendRequest(r.Context(), actor, stored.ID); err != nil {
			return err
		}
	}
	w.Header().Set("Location", "/api/v1/records/"+url.PathEscape(stored.ID))
	writeJSON(w, http.StatusCreated, loopResponse{Record: stored, Result: res})
	return nil
}

// sentRequest returns the outcome of sending request id as its delivery
// to the requested administration shows it, and whether there is one.
func (s *Server) sentRequest(ctx context.Context, id string) (federation.ShareResult, bool, error) {
	page, err := s.store.ListDeliveries(ctx, store.DeliveryQuery{Record: id})
	if err != nil {
		return federation.ShareResult{}, false, err
	}
	for _, d := range page.Deliveries {
		if d.Type != string(envelope.TypeRequest) || d.Version != 1 {
			continue
		}
		var dec agreement.Decision
		if err := json.Unmarshal(d.Decision, &dec); err != nil {
			return federation.ShareResult{}, false, fmt.Errorf("decision of delivery %d: %w", d.ID, err)
		}
		if dec.Reasons == nil {
			dec.Reasons = []agreement.Reason{}
		}
		delivery := strconv.FormatInt(d.ID, 10)
		return federation.ShareResult{Recipient: d.Peer, Allowed: true, Basis: dec.Basis, Reasons: dec.Reasons,
			Delivery: &delivery}, true, nil
	}
	return federation.ShareResult{}, false, nil
}

func (s *Server) listRequests(w http.ResponseWriter, r *http.Request) error {
	restricted, ops := records.OperationsSeen(r.Context())
	rs, err := s.fed.Requests(r.Context(), federation.RequestQuery{State: r.URL.Query().Get("state"),
		Restricted: restricted, Operations: ops})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, requestsResponse{Requests: rs})
	return nil
}

func (s *Server) answerRequest(w http.ResponseWriter, r *http.Request) error {
	var in federation.AnswerInput
	if err := decodeBody(w, r, s.maxBody, &in); err != nil {
		return err
	}
	rec, res, err := s.fed.Answer(r.Context(), s.records, userFrom(r.Context()).Name, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, loopResponse{Record: rec, Result: res})
	return nil
}

func (s *Server) declineRequest(w http.ResponseWriter, r *http.Request) error {
	var in declineRequest
	if err := decodeBody(w, r, s.maxBody, &in); err != nil {
		return err
	}
	rec, res, err := s.fed.Decline(r.Context(), s.records, userFrom(r.Context()).Name, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, loopResponse{Record: rec, Result: res})
	return nil
}

func (s *Server) riloStatistics(w http.ResponseWriter, r *http.Request) error {
	st, err := s.fed.Statistics(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) listReceipts(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	signed := false
	switch v := r.URL.Query().Get("signed"); v {
	case "", "false":
	case "true":
		signed = true
	default:
		return fault.E(fault.Invalid, "signed: %q is not true or false", v)
	}
	if _, err := s.store.GetRecord(r.Context(), id); err != nil {
		return err
	}
	rs, err := s.fed.Receipts(r.Context(), id)
	if err != nil {
		return err
	}
	if signed {
		// The envelopes carry the record: reading them is a read of the
		// record, in the log before they are returned.
		if err := s.records.AuditEnvelopesRead(r.Context(), userFrom(r.Context()).Name, id); err != nil {
			return err
		}
	} else {
		for i := range rs {
			rs[i].Signed = ""
		}
	}
	writeJSON(w, http.StatusOK, receiptsResponse{Record: id, Receipts: rs})
	return nil
}
