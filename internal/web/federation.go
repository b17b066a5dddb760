package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"liaison/internal/bufpool"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/records"
	"liaison/internal/store"
)

// needFed serves h when federation is configured. The inbox answers a
// batch with its message when it is not (federation.BatchErrorFormats).
func (s *Server) needFed(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.fed == nil {
			return fault.E(fault.Unavailable, "federation is not available on this server")
		}
		return h(w, r)
	}
}

// shareRequest is the body of POST /api/v1/records/{id}/share.
type shareRequest struct {
	Recipients []string `json:"recipients"`
}

// shareResponse answers it per recipient: the decision and the delivery id
// (null when refused).
type shareResponse struct {
	Record  string                   `json:"record"`
	Results []federation.ShareResult `json:"results"`
}

// deliveryBody is one delivery as the API shows it.
type deliveryBody struct {
	Delivery      string     `json:"delivery"`
	Envelope      string     `json:"envelope"`
	Recipient     string     `json:"recipient"`
	Type          string     `json:"type"`
	Record        string     `json:"record,omitempty"`
	Version       int        `json:"version"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error"`
	NextAttempt   *time.Time `json:"next_attempt"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	RefusalReason string     `json:"refusal_reason"`
	Created       time.Time  `json:"created"`
}

// deliveriesResponse is one page of deliveries; Next is the cursor of the
// following page, "" on the last.
type deliveriesResponse struct {
	Deliveries []deliveryBody `json:"deliveries"`
	Next       string         `json:"next"`
}

func deliveryView(d store.Delivery) deliveryBody {
	b := deliveryBody{Delivery: strconv.FormatInt(d.ID, 10), Envelope: d.EnvelopeID, Recipient: d.Peer, Type: d.Type,
		Record: d.RecordID, Version: d.Version, State: d.State, Attempts: d.Attempts, LastError: d.LastError,
		DeliveredAt: d.DeliveredAt, RefusalReason: d.RefusalReason, Created: d.Created}
	if d.State == store.DeliveryQueued || d.State == store.DeliveryFailed {
		t := d.NextAttempt
		b.NextAttempt = &t
	}
	return b
}

// peerRequest is the body of POST /api/v1/peers.
type peerRequest struct {
	URL         string `json:"url"`
	Fingerprint string `json:"fingerprint"`
}

// peerBody is a pinned peer as the API shows it.
type peerBody struct {
	Code        string     `json:"code"`
	URL         string     `json:"url"`
	Fingerprint string     `json:"fingerprint"`
	State       string     `json:"state"`
	LastContact *time.Time `json:"last_contact"`
	LastError   string     `json:"last_error"`
	Queued      int        `json:"queued"`
}

type peersResponse struct {
	Peers []peerBody `json:"peers"`
}

func peerView(p store.Peer) peerBody {
	return peerBody{Code: p.Code, URL: p.URL, Fingerprint: p.Fingerprint, State: p.State, LastContact: p.LastContact,
		LastError: p.LastError, Queued: p.Queued}
}

// inboxResponse is the answer of POST /federation/v1/inbox.
type inboxResponse = envelope.Response

func (s *Server) shareRecord(w http.ResponseWriter, r *http.Request) error {
	var req shareRequest
	if err := decodeBody(w, r, s.maxBody, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	res, err := s.fed.Share(r.Context(), userFrom(r.Context()).Name, id, req.Recipients)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shareResponse{Record: id, Results: res})
	return nil
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := r.URL.Query()
	q := store.DeliveryQuery{Record: v.Get("record")}
	var errs fault.List
	if q.Record != "" && !intel.ULIDValid(q.Record) {
		errs = append(errs, fault.Field("record", "%q is not a record id (a ULID: 26 characters of Crockford's base32 in upper case)", fault.Clip(q.Record, 40)))
	}
	if c := v.Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n < 1 || strconv.FormatInt(n, 10) != c {
			errs = append(errs, fault.Field("cursor", "is not a cursor this server returned"))
		}
		q.After = n
	}
	n, ferr := pageLimit(v)
	if ferr != nil {
		errs = append(errs, ferr)
	}
	q.Limit = n
	if err := errs.Err(); err != nil {
		return err
	}
	// The deliveries of records the user may not see are left out, as
	// those records are (the record asked for is checked already), by the
	// store, so that a page is full whenever more visible rows follow.
	q.Restricted, q.Operations = records.OperationsSeen(ctx)
	// One record's deliveries without a limit (or with an empty one, which
	// is no limit everywhere else too) are all of them, as the route always
	// answered: each recipient's state at a glance. They are read a page
	// at a time.
	whole := q.Record != "" && v.Get("limit") == ""
	if whole {
		q.Limit = store.MaxLimit
	}
	out := deliveriesResponse{Deliveries: []deliveryBody{}}
	for {
		page, err := s.store.ListDeliveries(ctx, q)
		if err != nil {
			return err
		}
		for _, d := range page.Deliveries {
			out.Deliveries = append(out.Deliveries, deliveryView(d))
		}
		if page.Next == 0 {
			break
		}
		if !whole {
			out.Next = strconv.FormatInt(page.Next, 10)
			break
		}
		q.After = page.Next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) retryDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return fault.Field("id", "%q is not a delivery id", r.PathValue("id"))
	}
	if err := s.fed.Retry(r.Context(), userFrom(r.Context()).Name, id); err != nil {
		return err
	}
	ds, err := s.store.Delivery(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deliveryView(ds))
	return nil
}

func (s *Server) listPeers(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.fed.Peers(r.Context())
	if err != nil {
		return err
	}
	out := peersResponse{Peers: make([]peerBody, 0, len(ps))}
	for _, p := range ps {
		out.Peers = append(out.Peers, peerView(p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) addPeer(w http.ResponseWriter, r *http.Request) error {
	var req peerRequest
	if err := decodeBody(w, r, s.maxBody, &req); err != nil {
		return err
	}
	if req.Fingerprint == "" {
		return fault.Field("fingerprint", "is required: compare it with the peer's administrator first")
	}
	p, err := s.fed.PinPeer(r.Context(), userFrom(r.Context()).Name, req.URL, req.Fingerprint, nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, peerView(p))
	return nil
}

func (s *Server) nodeDocument(w http.ResponseWriter, r *http.Request) error {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	info, err := s.fed.Info(r.Context(), fmt.Sprintf("%s://%s", scheme, r.Host))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

// inbox answers POST /federation/v1/inbox. What it answers a request it
// does not take at all with (a body too large or cut short, a batch that
// does not read) is of federation.BatchErrorFormats.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) error {
	limit := s.fed.MaxInbox()
	body, err := readBody(http.MaxBytesReader(w, r.Body, limit), r.ContentLength, limit)
	// Nothing of what Receive returns or keeps refers to the body (what it
	// stores is copied by the store), so it is read into memory kept for
	// the next request: a batch is megabytes, a few kilobytes an envelope.
	defer inboxBodies.Put(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fault.E(fault.TooLarge, "inbox request larger than %d bytes", limit)
		}
		return fault.Wrap(fault.Invalid, err, "read request body")
	}
	resp, err := s.fed.Receive(r.Context(), body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// readBody reads a request body whole. When the request announces its
// length (within limit), the body is read into a buffer of that size at
// once, from inboxBodies, rather than grown by doubling: a batch of
// envelopes is several megabytes. The server ends the body at the
// announced length, so a shorter one is an error.
func readBody(rd io.Reader, length, limit int64) ([]byte, error) {
	if length <= 0 || length > limit {
		return io.ReadAll(rd)
	}
	buf := inboxBodies.Get(int(length))[:length]
	if _, err := io.ReadFull(rd, buf); err != nil {
		inboxBodies.Put(buf)
		return nil, err
	}
	return buf, nil
}

// inboxBodies keeps the buffers inbox requests are read into, two of them
// for good (a peer sends two requests at a time).
var inboxBodies = bufpool.Pool{Max: 16 << 20, Keep: 2}
