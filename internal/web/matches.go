package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"liaison/internal/fault"
	"liaison/internal/match"
	"liaison/internal/store"
)

var errNoMatching = fault.E(fault.Unavailable, "cross-matching is not available on this server")

// needMatching answers 503 when the server has no matching service.
func (s *Server) needMatching(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.matching == nil {
			return errNoMatching
		}
		return h(w, r)
	}
}

// retryWhileBuilding tells a client refused while the match index is
// being built when to ask again.
func (s *Server) retryWhileBuilding(w http.ResponseWriter) {
	if !s.matching.State().Ready {
		w.Header().Set("Retry-After", "5")
	}
}

// matchesResponse is the body of GET /api/v1/records/{id}/matches.
type matchesResponse struct {
	Matches []match.Link `json:"matches"`
	// Pending says that the links of the record's latest version are
	// still being worked out, so that the list may grow.
	Pending bool `json:"pending,omitempty"`
}

// searchResponse is the body of GET /api/v1/entities/search.
type searchResponse struct {
	Results []match.Result `json:"results"`
}

// overcorrelatedResponse lists the values shared by too many records.
type overcorrelatedResponse struct {
	Values []match.KeyStat `json:"values"`
}

// exclusionBody is an administrator's exclusion as the API shows it.
type exclusionBody struct {
	ID      int64     `json:"id"`
	Type    string    `json:"type"`
	Value   string    `json:"value"`
	Reason  string    `json:"reason,omitempty"`
	Actor   string    `json:"actor"`
	Created time.Time `json:"created"`
}

type exclusionsResponse struct {
	Exclusions []exclusionBody `json:"exclusions"`
}

// exclusionRequest is the body of POST /api/v1/matching/exclusions.
type exclusionRequest struct {
	Type   string `json:"type"`
	Value  string `json:"value"`
	Reason string `json:"reason,omitempty"`
}

func toExclusion(x store.MatchExclusion) exclusionBody {
	return exclusionBody{ID: x.ID, Type: x.Type, Value: x.Value, Reason: x.Reason, Actor: x.Actor, Created: x.Created}
}

func (s *Server) recordMatches(w http.ResponseWriter, r *http.Request) error {
	ls, pending, err := s.matching.RecordMatchesPending(r.Context(), userFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, matchesResponse{Matches: ls, Pending: pending})
	return nil
}

func (s *Server) searchEntities(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := match.Query{Name: v.Get("name"), Type: match.Type(v.Get("type")), Country: v.Get("country"), BirthDate: v.Get("birth_date")}
	var errs fault.List
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			errs = append(errs, fault.Field("limit", "must be an integer from 1 to 100"))
		} else {
			q.Limit = n
		}
	}
	if m := v.Get("min_score"); m != "" {
		f, err := strconv.ParseFloat(m, 64)
		// Written so that NaN, which compares false with everything, fails.
		if err != nil || !(f > 0 && f <= 1) {
			errs = append(errs, fault.Field("min_score", "must be a number above 0 and at most 1"))
		} else {
			q.MinScore = f
		}
	}
	// Records carry only ISO 3166 codes: another pair of capitals would
	// find nothing, which would read as "no match".
	if c := q.Country; len(c) == 2 && c == strings.ToUpper(c) && !s.dir.Country(c) {
		errs = append(errs, fault.Field("country", "%q is not an ISO 3166 country code", c))
	}
	if len(errs) > 0 {
		return errs
	}
	res, err := s.matching.Search(r.Context(), userFrom(r.Context()), q)
	if err != nil {
		s.retryWhileBuilding(w)
		return err
	}
	writeJSON(w, http.StatusOK, searchResponse{Results: res})
	return nil
}

func (s *Server) listOvercorrelated(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.matching.Overcorrelated()
	if err != nil {
		s.retryWhileBuilding(w)
		return err
	}
	writeJSON(w, http.StatusOK, overcorrelatedResponse{Values: vs})
	return nil
}

func (s *Server) listExclusions(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.matching.Exclusions(r.Context())
	if err != nil {
		return err
	}
	out := exclusionsResponse{Exclusions: make([]exclusionBody, len(xs))}
	for i, x := range xs {
		out.Exclusions[i] = toExclusion(x)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createExclusion(w http.ResponseWriter, r *http.Request) error {
	var req exclusionRequest
	if err := decodeBody(w, r, s.maxBody, &req); err != nil {
		return err
	}
	x, err := s.matching.Exclude(r.Context(), userFrom(r.Context()).Name, match.Type(req.Type), req.Value, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toExclusion(x))
	return nil
}

func (s *Server) deleteExclusion(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return fault.Field("id", "%q is not an exclusion id", r.PathValue("id"))
	}
	if id < 1 {
		return fault.E(fault.NotFound, "match exclusion %d not found", id)
	}
	if err := s.matching.Include(r.Context(), userFrom(r.Context()).Name, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
