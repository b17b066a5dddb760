package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/records"
	"liaison/internal/store"
)

// recordBody is a record as the API accepts and returns it: the canonical
// JSON of intel.Record.
type recordBody = intel.Record

// recordResponse is a stored record plus the warnings its validation
// raised, present only when there are some.
type recordResponse struct {
	*intel.Record
	Warnings []intel.FieldWarning `json:"warnings,omitempty"`
}

// listResponse is one page of a record listing; Next is the cursor of the
// following page, "" on the last.
type listResponse struct {
	Records []*intel.Record `json:"records"`
	Next    string          `json:"next"`
}

// versionsResponse lists every version of a record, oldest first.
type versionsResponse struct {
	Versions []*intel.Record `json:"versions"`
}

// retractRequest is the optional body of a retraction.
type retractRequest struct {
	Reason string `json:"reason,omitempty"`
}

func withWarnings(r *intel.Record, ws []intel.FieldWarning) recordResponse {
	return recordResponse{Record: r, Warnings: ws}
}

// replayHeader marks the answer to a creation sent again under its
// idempotency key: the record is the one the first request created.
const replayHeader = "Idempotent-Replay"

// idempotencyKey returns the request's Idempotency-Key header, if it has
// one, refusing a value that is not 1 to 200 printable ASCII characters
// and a header given more than once.
func idempotencyKey(r *http.Request) (key string, ok bool, err error) {
	vs := r.Header.Values(records.KeyField)
	switch len(vs) {
	case 0:
		return "", false, nil
	case 1:
		return vs[0], true, records.CheckKey(vs[0])
	}
	return "", false, fault.Field(records.KeyField, "is given %d times; give it once", len(vs))
}

// createKeyed creates rec as Create does or, when the request carries an
// Idempotency-Key, as CreateOnce does, marking a replay in w's headers.
func (s *Server) createKeyed(w http.ResponseWriter, r *http.Request, rec *intel.Record) (*intel.Record, []intel.FieldWarning, bool, error) {
	key, keyed, err := idempotencyKey(r)
	if err != nil {
		return nil, nil, false, err
	}
	actor := userFrom(r.Context()).Name
	if !keyed {
		stored, warnings, err := s.records.Create(r.Context(), actor, rec)
		return stored, warnings, false, err
	}
	stored, warnings, replay, err := s.records.CreateOnce(r.Context(), actor, key, rec)
	if err != nil {
		return nil, nil, false, err
	}
	if replay {
		w.Header().Set(replayHeader, "true")
	}
	return stored, warnings, replay, nil
}

func (s *Server) createRecord(w http.ResponseWriter, r *http.Request) error {
	var rec intel.Record
	if err := decodeBody(w, r, s.maxBody, &rec); err != nil {
		return err
	}
	stored, warnings, _, err := s.createKeyed(w, r, &rec)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/records/"+url.PathEscape(stored.ID))
	writeJSON(w, http.StatusCreated, withWarnings(stored, warnings))
	return nil
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.records.Get(r.Context(), userFrom(r.Context()).Name, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeRecord(w, http.StatusOK, rec)
	return nil
}

// writeRecord writes one record as writeJSON would, through the record's
// own encoder (the same bytes, without reflection).
func writeRecord(w http.ResponseWriter, status int, rec *intel.Record) {
	b, err := intel.AppendJSON(make([]byte, 0, 2048), rec)
	if err != nil {
		writeJSON(w, status, rec) // answers the encoding failure as writeJSON does
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func (s *Server) listRecords(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := store.RecordQuery{
		Kind:       intel.Kind(v.Get("kind")),
		Category:   v.Get("category"),
		Text:       v.Get("q"),
		From:       v.Get("from"),
		To:         v.Get("to"),
		Originator: v.Get("originator"),
		Status:     intel.Status(v.Get("status")),
		Cursor:     v.Get("cursor"),
	}
	if err := s.checkCategory(q.Category); err != nil {
		return err
	}
	n, ferr := pageLimit(v)
	if ferr != nil {
		return ferr
	}
	q.Limit = n
	page, err := s.records.List(r.Context(), userFrom(r.Context()).Name, q)
	if err != nil {
		return err
	}
	recs := page.Records
	if recs == nil {
		recs = []*intel.Record{}
	}
	writeJSON(w, http.StatusOK, listResponse{Records: recs, Next: page.Next})
	return nil
}

func (s *Server) updateRecord(w http.ResponseWriter, r *http.Request) error {
	var rec intel.Record
	if err := decodeBody(w, r, s.maxBody, &rec); err != nil {
		return err
	}
	stored, warnings, err := s.records.Update(r.Context(), userFrom(r.Context()).Name, r.PathValue("id"), &rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withWarnings(stored, warnings))
	return nil
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.records.History(r.Context(), userFrom(r.Context()).Name, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, versionsResponse{Versions: vs})
	return nil
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return fault.Field("n", "version must be a positive integer")
	}
	rec, err := s.records.Version(r.Context(), userFrom(r.Context()).Name, r.PathValue("id"), n)
	if err != nil {
		return err
	}
	writeRecord(w, http.StatusOK, rec)
	return nil
}

func (s *Server) retractRecord(w http.ResponseWriter, r *http.Request) error {
	var req retractRequest
	if err := decodeBody(w, r, s.maxBody, &req); err != nil && !errors.Is(err, errEmptyBody) {
		return err
	}
	rec, err := s.records.Retract(r.Context(), userFrom(r.Context()).Name, r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// pageLimit reads the limit of a paged listing (GET /api/v1/records,
// /api/v1/deliveries): 0 when none is given (the store's default), else an
// integer from 1 to store.MaxLimit.
func pageLimit(v url.Values) (int, *fault.Error) {
	l := v.Get("limit")
	if l == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(l)
	switch {
	case err != nil:
		return 0, fault.Field("limit", "must be an integer")
	case n < 1 || n > store.MaxLimit:
		return 0, fault.Field("limit", "must be between 1 and %d", store.MaxLimit)
	}
	return n, nil
}
