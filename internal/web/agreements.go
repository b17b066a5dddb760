package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/sharing"
)

// agreementsResponse is the body of GET /api/v1/agreements.
type agreementsResponse struct {
	Agreements []agreement.Agreement `json:"agreements"`
}

// agreementRequest is the body of POST /api/v1/agreements: an agreement as
// GET returns it, its dates given as strings.
type agreementRequest = sharing.AgreementInput

// decisionResponse is the body of GET /api/v1/records/{id}/decision: the
// question asked and Decide's answer.
type decisionResponse struct {
	Record    string `json:"record"`
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	agreement.Decision
}

// consentRequest is the body of POST /api/v1/records/{id}/consents.
type consentRequest struct {
	// Recipient is the administration or RILO the record may be passed on
	// to, or "*" for any recipient the other rules allow.
	Recipient string `json:"recipient"`
	// By names the person at the originator who consented.
	By string `json:"by"`
	// Reference is the originator's letter or message granting consent.
	Reference string `json:"reference,omitempty"`
	Note      string `json:"note,omitempty"`
}

// consentBody is a consent on file as the API shows it. By is the person at
// the originator who consented; RecordedBy the user who recorded it here.
type consentBody struct {
	Record     string    `json:"record"`
	Originator string    `json:"originator"`
	Recipient  string    `json:"recipient"`
	Given      time.Time `json:"given"`
	By         string    `json:"by"`
	Reference  string    `json:"reference,omitempty"`
	Note       string    `json:"note,omitempty"`
	RecordedBy string    `json:"recorded_by"`
}

// consentsResponse is the body of GET /api/v1/records/{id}/consents.
type consentsResponse struct {
	Consents []consentBody `json:"consents"`
}

func consentView(c agreement.Consent) consentBody {
	return consentBody{Record: c.Record, Originator: c.Originator, Recipient: c.Recipient, Given: c.Given,
		By: c.GrantedBy, Reference: c.Reference, Note: c.Note, RecordedBy: c.By}
}

func (s *Server) listAgreements(w http.ResponseWriter, r *http.Request) error {
	as, err := s.sharing.Agreements(r.Context(), r.URL.Query().Get("party"))
	if err != nil {
		return err
	}
	if as == nil {
		as = []agreement.Agreement{}
	}
	writeJSON(w, http.StatusOK, agreementsResponse{Agreements: as})
	return nil
}

func (s *Server) getAgreement(w http.ResponseWriter, r *http.Request) error {
	a, err := s.sharing.Agreement(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) createAgreement(w http.ResponseWriter, r *http.Request) error {
	var in agreementRequest
	if err := decodeBody(w, r, s.maxBody, &in); err != nil {
		return err
	}
	a, err := in.Agreement()
	if err != nil {
		return err
	}
	stored, err := s.sharing.AddAgreement(r.Context(), userFrom(r.Context()).Name, a)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/agreements/"+url.PathEscape(stored.ID))
	writeJSON(w, http.StatusCreated, stored)
	return nil
}

func (s *Server) decideRecord(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	to := r.URL.Query().Get("recipient")
	d, err := s.sharing.Decide(r.Context(), userFrom(r.Context()).Name, id, to)
	if err != nil {
		return err
	}
	if d.Reasons == nil {
		d.Reasons = []agreement.Reason{}
	}
	writeJSON(w, http.StatusOK, decisionResponse{Record: id, Sender: s.node,
		Recipient: strings.ToUpper(strings.TrimSpace(to)), Decision: d})
	return nil
}

func (s *Server) createConsent(w http.ResponseWriter, r *http.Request) error {
	var req consentRequest
	if err := decodeBody(w, r, s.maxBody, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	c, err := s.sharing.RecordConsent(r.Context(), userFrom(r.Context()).Name, id, req.Recipient, req.By, req.Reference, req.Note)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/records/"+url.PathEscape(id)+"/consents")
	writeJSON(w, http.StatusCreated, consentView(c))
	return nil
}

func (s *Server) listConsents(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.sharing.Consents(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]consentBody, len(cs))
	for i, c := range cs {
		out[i] = consentView(c)
	}
	writeJSON(w, http.StatusOK, consentsResponse{Consents: out})
	return nil
}

// administrationAgreements returns the agreements in force today that code
// is in and its partners with their bases, for the directory page.
func (s *Server) administrationAgreements(r *http.Request, code string) ([]agreement.Agreement, []sharing.Partner, error) {
	if s.sharing == nil {
		return []agreement.Agreement{}, []sharing.Partner{}, nil
	}
	as, err := s.sharing.AgreementsInForce(r.Context(), code)
	if err != nil {
		return nil, nil, err
	}
	ps, err := s.sharing.Partners(r.Context(), code)
	if err != nil {
		return nil, nil, err
	}
	if ps == nil {
		ps = []sharing.Partner{}
	}
	return as, ps, nil
}

// errNoSharing answers the agreement routes of a server built without a
// sharing service.
var errNoSharing = fault.E(fault.Unavailable, "the agreement registry is not available on this server")

// needSharing wraps a handler that needs the sharing service.
func (s *Server) needSharing(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.sharing == nil {
			return errNoSharing
		}
		return h(w, r)
	}
}
