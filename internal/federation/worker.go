package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/store"
)

// Run starts the delivery workers and blocks until ctx ends and every
// worker has finished the batch it was sending (drained). A batch cut off
// by shutdown is simply delivered again later: the receiver deduplicates
// by envelope id. Each worker leases peers under its own owner name, so
// that two workers never send the same peer's rows at once.
func (s *Service) Run(ctx context.Context) {
	for i := range s.cfg.Workers {
		owner := fmt.Sprintf("%s/%d", s.owner, i)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.work(ctx, owner)
		}()
	}
	s.wg.Wait()
}

func (s *Service) work(ctx context.Context, owner string) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
		for ctx.Err() == nil {
			n, err := s.deliver(context.WithoutCancel(ctx), owner)
			if err != nil {
				s.log.Warn("delivery round failed", "err", err)
				break
			}
			if n == 0 {
				break
			}
		}
		t.Reset(s.cfg.Poll)
	}
}

// DeliverOnce claims one peer's due deliveries (and more as they are sent,
// see claim), sends them and records the outcomes. It returns how many
// deliveries it claimed (0 when nothing was due).
func (s *Service) DeliverOnce(ctx context.Context) (int, error) {
	return s.deliver(ctx, s.owner)
}

func (s *Service) deliver(ctx context.Context, owner string) (int, error) {
	now := s.now()
	peerCode, ds, err := s.cfg.Store.ClaimDeliveries(ctx, owner, now, s.cfg.Lease, s.cfg.Claim)
	if err != nil || peerCode == "" {
		return 0, err
	}
	peer, err := s.cfg.Store.Peer(ctx, peerCode)
	if err != nil {
		return 0, err
	}
	var (
		outs       []store.DeliveryOutcome
		contactErr string
	)
	if peer.State == store.PeerUnreachable {
		// A peer last found down is asked for its node document before
		// anything is signed for it: while it stays down, an attempt costs
		// one small request rather than a batch of signatures.
		if err := s.probe(ctx, peer); err != nil {
			contactErr = "peer unreachable: " + err.Error()
			outs = s.failAll(ds, contactErr, time.Time{})
		}
	}
	claimed := len(ds)
	if contactErr == "" {
		c := &claim{s: s, owner: owner, peer: peerCode, started: now, rows: ds, stop: now.Add(s.cfg.Lease / 2)}
		outs, contactErr = s.send(ctx, peer, c)
		claimed = c.claimed
	}
	// The outcomes send did not record as it went (see claim), and the
	// peer's contact; the lease is released.
	if err := s.cfg.Store.FinishDeliveries(ctx, owner, peerCode, s.now(), outs, contactErr, nil); err != nil {
		return 0, err
	}
	return claimed, nil
}

// claimFor is how long a worker goes on claiming more rows of one peer
// (ClaimMore) before it releases the peer: a backlog streams without the
// pipeline draining at every claim to record outcomes and claim again,
// and other peers' rows, when every worker is busy with a backlog, wait
// about this long for one (5 s with the default lease).
func claimFor(lease time.Duration) time.Duration { return lease / 12 }

// claim is the rows a worker holds of one peer: those claimed first, then
// more claimed while they are in flight, until the peer has nothing more
// due, the lease is lost or claimFor has passed. The outcomes of its rows
// are recorded as they come, a claim's worth at a time (RecordDeliveries),
// and the rest when the claim ends (FinishDeliveries).
type claim struct {
	s       *Service
	owner   string
	peer    string
	started time.Time
	// rows are the rows claimed last, not yet taken by next; stop is when
	// their lease is half gone: nothing of them is posted after it.
	rows    []store.Delivery
	stop    time.Time
	last    int64 // the highest row id claimed
	claimed int   // every row claimed
}

// next returns the rows claimed and not yet sent, with their stop,
// claiming more when those were all taken; none when the claim is over.
func (c *claim) next(ctx context.Context) ([]store.Delivery, time.Time) {
	if c.rows == nil && c.claimed > 0 {
		now := c.s.now()
		if now.Sub(c.started) >= claimFor(c.s.cfg.Lease) {
			return nil, time.Time{}
		}
		more, err := c.s.cfg.Store.ClaimMore(ctx, c.owner, c.peer, c.last, now, c.s.cfg.Lease, c.s.cfg.Claim)
		if err != nil {
			c.s.log.Warn("claiming more deliveries failed", "peer", c.peer, "err", err)
			return nil, time.Time{}
		}
		c.rows, c.stop = more, now.Add(c.s.cfg.Lease/2)
	}
	rows := c.rows
	c.rows = nil
	c.claimed += len(rows)
	for _, d := range rows {
		c.last = max(c.last, d.ID)
	}
	return rows, c.stop
}

// pipelineBatch is the number of envelopes of one request of a pipelined
// delivery: the next request is signed while the previous is in flight.
// Each request is a transaction on both sides, and the receiver's
// cross-matching takes what a request stored as one batch: 500 cost both
// nodes about 8 % less CPU an envelope than 250 (BenchmarkFederationThroughput),
// 1,000 no less than 500, and a request stays a megabyte or two.
const pipelineBatch = 500

// inFlight is how many requests of one delivery may be in flight at once,
// so that the receiver checks one request's signatures while it stores the
// previous one.
const inFlight = 2

// signedBatch is one request of a delivery, signed: the envelopes to post
// (sent, in claim order), the outcomes of rows that could not be built,
// and the time after which it is not posted (half its rows' lease).
type signedBatch struct {
	items [][]byte
	sent  []store.Delivery
	outs  []store.DeliveryOutcome
	stop  time.Time
}

// concurrent reports whether b may be posted while earlier requests are
// still unanswered: it carries only record versions, and none of a record
// that an unanswered request carries (open), so that the versions of a
// record arrive in the order they were made and anything else (a key
// rotation, a retraction, a relayed envelope) is stored before what
// follows it is read.
func (b signedBatch) concurrent(open map[string]int) bool {
	for _, d := range b.sent {
		if !batchable(envelope.Type(d.Type)) || d.RecordID == "" || open[d.RecordID] > 0 {
			return false
		}
	}
	return true
}

// posted is the answer to one request, as outcomes.
type posted struct {
	outs      []store.DeliveryOutcome
	msg       string
	notBefore time.Time
}

// send signs the rows of c and posts them in requests of at most
// pipelineBatch envelopes, signing the next requests (and claiming more
// rows, see claim) while earlier ones are in flight. Up to inFlight
// requests are in flight at once when they carry record versions of
// distinct records; any other request waits for every earlier one to be
// answered, and is answered before anything after it is posted. It turns
// the answers into outcomes; the string is the transport error for the
// peer's state ("" when it answered). After a request fails, the rest are
// not posted and fail with it, and nothing more is claimed. The outcomes
// are recorded as they come, s.cfg.Claim at a time while the peer
// answers; those not recorded yet are returned. Nothing is
// posted after its rows' stop (half their lease): the rows not posted get
// no outcome and stay due, so that a slow peer never keeps rows past the
// lease, when another worker could claim them.
func (s *Service) send(ctx context.Context, peer store.Peer, c *claim) ([]store.DeliveryOutcome, string) {
	first, _ := c.next(ctx)
	cur, all, _, err := s.keys(ctx)
	if err != nil {
		return s.failAll(first, err.Error(), time.Time{}), err.Error()
	}
	pub, err := identity.ParsePublic(peer.PublicKey)
	if err != nil {
		return s.failAll(first, err.Error(), time.Time{}), err.Error()
	}
	var failed atomic.Bool
	batches := make(chan signedBatch, inFlight)
	go func(cur identity.Key, all map[string]identity.Key) {
		defer close(batches)
		ds, stop := first, c.stop
		for len(ds) > 0 {
			for start := 0; start < len(ds); start += pipelineBatch {
				part := ds[start:min(start+pipelineBatch, len(ds))]
				if failed.Load() {
					batches <- signedBatch{sent: part, stop: stop}
					continue
				}
				b := s.signBatch(ctx, cur, all, part)
				b.stop = stop
				batches <- b
			}
			if failed.Load() {
				return
			}
			// The rows claimed next are signed with the keys as they are
			// then: a rotation may have happened meanwhile.
			if ds, stop = c.next(ctx); len(ds) > 0 {
				var err error
				if cur, all, _, err = s.keys(ctx); err != nil {
					s.log.Warn("reading the node's keys failed", "err", err)
					return // the rows stay due
				}
			}
		}
	}(cur, all)
	var (
		outs      []store.DeliveryOutcome
		contact   string
		notBefore time.Time
	)
	// pending are the requests in flight, oldest first; open counts the
	// rows of each record they carry.
	type request struct {
		sent []store.Delivery
		done chan posted
	}
	var pending []request
	open := map[string]int{}
	record := true // outcomes are recorded as they come, until that fails
	collect := func() {
		r := pending[0]
		pending = pending[1:]
		p := <-r.done
		for _, d := range r.sent {
			if open[d.RecordID]--; open[d.RecordID] <= 0 {
				delete(open, d.RecordID)
			}
		}
		outs = append(outs, p.outs...)
		if p.msg != "" && contact == "" {
			contact, notBefore = p.msg, p.notBefore
			failed.Store(true)
		}
		if contact == "" && record && len(outs) >= s.cfg.Claim {
			if err := s.cfg.Store.RecordDeliveries(ctx, c.peer, s.now(), outs); err != nil {
				// They are recorded with the rest when the claim ends.
				s.log.Warn("recording deliveries failed", "peer", c.peer, "err", err)
				record = false
				return
			}
			outs = outs[:0]
		}
	}
	for b := range batches {
		outs = append(outs, b.outs...)
		if len(b.sent) == 0 {
			continue
		}
		for len(pending) > 0 && contact == "" && (len(pending) >= inFlight || !b.concurrent(open)) {
			collect()
		}
		if contact != "" {
			outs = append(outs, s.failAll(b.sent, contact, notBefore)...)
			continue
		}
		if s.now().After(b.stop) {
			failed.Store(true) // nothing more to sign
			continue
		}
		r := request{sent: b.sent, done: make(chan posted, 1)}
		for _, d := range b.sent {
			open[d.RecordID]++
		}
		pending = append(pending, r)
		go func(items [][]byte) {
			o, msg, nb := s.post(ctx, peer, pub, items, r.sent)
			r.done <- posted{outs: o, msg: msg, notBefore: nb}
		}(b.items)
		if !b.concurrent(nil) {
			// Not a request of record versions only: it is answered
			// before anything after it is posted.
			collect()
		}
	}
	for len(pending) > 0 {
		collect()
	}
	return outs, contact
}

// signBatch signs the envelopes of ds on every core.
func (s *Service) signBatch(ctx context.Context, cur identity.Key, all map[string]identity.Key, ds []store.Delivery) signedBatch {
	now := s.now()
	// Rows shared under the same decision carry the same JSON: decode each
	// once.
	decisions := map[string]decodedDecision{}
	for _, d := range ds {
		if _, ok := decisions[string(d.Decision)]; !ok {
			var dd decodedDecision
			if len(d.Decision) > 0 {
				if err := json.Unmarshal(d.Decision, &dd.decision); err != nil {
					dd.err = fmt.Errorf("decode stored decision: %w", err)
				}
			}
			if dd.err == nil {
				dd.decision = envelope.Claimed(dd.decision)
				dd.encoded, dd.err = envelope.NewPayload(dd.decision)
			}
			decisions[string(d.Decision)] = dd
		}
	}
	signed := make([][]byte, len(ds))
	errs := make([]error, len(ds))
	parallel(len(ds), func(i int) {
		key := cur
		if ds[i].SignKey != "" {
			if k, ok := all[ds[i].SignKey]; ok {
				key = k
			}
		}
		signed[i], errs[i] = s.sign(ctx, key, ds[i], decisions, now)
	})
	b := signedBatch{items: make([][]byte, 0, len(ds)), sent: make([]store.Delivery, 0, len(ds))}
	for i, d := range ds {
		if errs[i] != nil {
			// The envelope cannot be built (e.g. the record version is
			// gone): it will not get better by waiting.
			b.outs = append(b.outs, store.DeliveryOutcome{ID: d.ID, State: store.DeliveryDead, Error: errs[i].Error()})
			continue
		}
		b.items = append(b.items, signed[i])
		b.sent = append(b.sent, d)
	}
	return b
}

// post sends one request and turns the answer into outcomes. The string is
// the transport error ("" when the peer answered) and the time the time
// the peer asked not to be retried before.
func (s *Service) post(ctx context.Context, peer store.Peer, pub ed25519.PublicKey, items [][]byte, sent []store.Delivery) ([]store.DeliveryOutcome, string, time.Time) {
	now := s.now()
	fail := func(msg string, notBefore time.Time) ([]store.DeliveryOutcome, string, time.Time) {
		return s.failAll(sent, msg, notBefore), msg, notBefore
	}
	n := 2
	for _, it := range items {
		n += len(it) + 3
	}
	body, err := envelope.AppendBatch(bodyPool.Get(n), items)
	if err != nil {
		return fail(err.Error(), time.Time{})
	}
	// The signed envelopes are in the body now.
	for _, it := range items {
		signedPool.Put(it)
	}
	rb := newRequestBody(body)
	defer rb.release()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, peer.URL+InboxPath, nil)
	if err != nil {
		return fail(err.Error(), time.Time{})
	}
	req.Body, req.ContentLength = rb.reader(), int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return rb.reader(), nil }
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return fail("peer unreachable: "+err.Error(), time.Time{})
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fail("reading the answer: "+err.Error(), time.Time{})
	}
	if resp.StatusCode != http.StatusOK {
		msg := fmt.Sprintf("peer answered %d: %s", resp.StatusCode, clip(string(bytes.TrimSpace(raw)), 300))
		return fail(msg, retryAfter(resp, now))
	}
	var r envelope.Response
	if err := json.Unmarshal(raw, &r); err != nil {
		return fail(fmt.Sprintf("peer's answer does not read: %s", clip(err.Error(), 200)), time.Time{})
	}
	if len(r.Results) != len(sent) {
		return fail(fmt.Sprintf("peer's answer has %d results for the %d envelopes posted", len(r.Results), len(sent)), time.Time{})
	}
	if _, err := envelope.VerifyResponse(r, body, pub); err != nil {
		return fail("answer does not verify: "+reasonOf(err), time.Time{})
	}
	outs := make([]store.DeliveryOutcome, 0, len(sent))
	for i, res := range r.Results {
		d := sent[i]
		if res.ID != d.EnvelopeID {
			outs = append(outs, s.fail(d, fmt.Sprintf("answer %d is for %s, not %s", i, res.ID, d.EnvelopeID), time.Time{}))
			continue
		}
		switch res.Status {
		case envelope.Accepted, envelope.Duplicate:
			outs = append(outs, store.DeliveryOutcome{ID: d.ID, State: store.DeliveryDelivered})
		case envelope.Refused:
			outs = append(outs, store.DeliveryOutcome{ID: d.ID, State: store.DeliveryRefused, Error: res.Reason,
				RefusalReason: res.Reason, RefusalSigned: r.Signed})
		}
	}
	return outs, "", time.Time{}
}

// decodedDecision is a stored sharing decision, decoded as it goes in a
// record payload (envelope.Claimed), and encoded.
type decodedDecision struct {
	decision agreement.Decision
	encoded  []byte
	err      error
}

// sign builds the envelope of a delivery and signs it with a fresh created
// time; the id stays the delivery's. decisions holds the stored decisions
// of the rows being signed, decoded, by their JSON.
func (s *Service) sign(ctx context.Context, key identity.Key, d store.Delivery, decisions map[string]decodedDecision, now time.Time) ([]byte, error) {
	e := envelope.Envelope{ID: d.EnvelopeID, Type: envelope.Type(d.Type), From: s.cfg.Node, To: []string{d.Peer}, Created: now}
	switch e.Type {
	case envelope.TypeRecordCreate, envelope.TypeRecordUpdate:
		if _, toRILO := s.cfg.Directory.RILORegion(d.Peer); d.Body != nil && !toRILO {
			// The payload is spliced from the stored body and the encoded
			// decision: the bytes encoding the decoded record would give.
			dd := decisions[string(d.Decision)]
			if dd.err != nil {
				return nil, dd.err
			}
			return envelope.AppendSignedParts(signedPool.Get(0), key, e, recordPayloadParts(d.Body, dd.encoded)...)
		}
		rec, err := s.cfg.Store.GetRecordVersion(ctx, d.RecordID, d.Version)
		if err != nil {
			return nil, err
		}
		dd := decisions[string(d.Decision)]
		if dd.err != nil {
			return nil, dd.err
		}
		dec := dd.decision
		if e.Payload, err = envelope.NewPayload(envelope.RecordPayload{Record: *rec, Decision: dec}); err != nil {
			return nil, err
		}
		if e.To, err = s.addressees(ctx, d.Peer, rec, false); err != nil {
			return nil, err
		}
	case envelope.TypeRecordRetract:
		rec, err := s.cfg.Store.GetRecordVersion(ctx, d.RecordID, d.Version)
		if err != nil {
			return nil, err
		}
		p := envelope.RetractPayload{RecordID: d.RecordID, Version: d.Version}
		if rec.Retraction != nil {
			p.Reason = rec.Retraction.Reason
		}
		if e.Payload, err = envelope.NewPayload(p); err != nil {
			return nil, err
		}
		if e.To, err = s.addressees(ctx, d.Peer, rec, true); err != nil {
			return nil, err
		}
	case envelope.TypeRelay:
		return s.signRelay(key, d, now)
	default:
		if len(d.Payload) == 0 {
			return nil, fault.E(fault.Invalid, "delivery %d of type %s has no payload", d.ID, d.Type)
		}
		e.Payload = d.Payload
	}
	return envelope.Sign(key, e)
}

// recordPayload writes the payload of a record envelope, as NewPayload
// writes envelope.RecordPayload, from a record's stored body (as
// json.Marshal writes it) and its decision as NewPayload writes it. The
// two encoders differ only in that json.Marshal escapes "<", ">" and "&",
// which NewPayload leaves as they are.
func recordPayload(body, decision []byte) []byte {
	return bytes.Join(recordPayloadParts(body, decision), nil)
}

// recordPayloadParts is recordPayload in parts, for
// envelope.SignCompactParts: the stored body is copied only when it has
// escapes to write out.
func recordPayloadParts(body, decision []byte) [][]byte {
	if bytes.Contains(body, []byte(`\u00`)) {
		body = appendUnescapedHTML(make([]byte, 0, len(body)), body)
	}
	return [][]byte{[]byte(`{"record":`), body, []byte(`,"decision":`), decision, []byte("}")}
}

// appendUnescapedHTML appends the JSON b with the escapes \u003c, \u003e
// and \u0026 written as the characters they stand for.
func appendUnescapedHTML(dst, b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u00`)) {
		return append(dst, b...)
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			dst = append(dst, b[i])
			continue
		}
		if b[i+1] == 'u' && i+5 < len(b) {
			switch string(b[i+2 : i+6]) {
			case "003c":
				dst, i = append(dst, '<'), i+5
				continue
			case "003e":
				dst, i = append(dst, '>'), i+5
				continue
			case "0026":
				dst, i = append(dst, '&'), i+5
				continue
			}
		}
		// Any other escape is kept whole, so that an escaped backslash is
		// not read as the start of another escape.
		dst, i = append(dst, b[i], b[i+1]), i+1
	}
	return dst
}

// probe asks peer for its node document, within ProbeTimeout.
func (s *Service) probe(ctx context.Context, peer store.Peer) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, peer.URL+NodePath, nil)
	if err != nil {
		return err
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("node document answered %d", resp.StatusCode)
	}
	return nil
}

// failAll fails every row of a request the peer did not answer (or of an
// attempt that found it down). The peer backs off as a whole: every row
// gets the same next attempt, a full-jitter backoff on the most attempts
// any of them has had, capped at ProbeCap, and the store tries none of the
// peer's rows before it (store.PeerRetry), however many are queued. A
// row failing for DeadAfter is dead.
func (s *Service) failAll(ds []store.Delivery, msg string, notBefore time.Time) []store.DeliveryOutcome {
	now := s.now()
	attempts := 0
	for _, d := range ds {
		attempts = max(attempts, d.Attempts)
	}
	next := now.Add(Backoff(attempts+1, s.cfg.BackoffBase, min(s.cfg.BackoffCap, s.cfg.ProbeCap), rand.Float64()))
	if next.Before(notBefore) {
		next = notBefore
	}
	out := make([]store.DeliveryOutcome, len(ds))
	for i, d := range ds {
		if now.Sub(d.Created) >= s.cfg.DeadAfter {
			out[i] = store.DeliveryOutcome{ID: d.ID, State: store.DeliveryDead, Error: msg}
			continue
		}
		out[i] = store.DeliveryOutcome{ID: d.ID, State: store.DeliveryFailed, Error: msg, NextAttempt: next}
	}
	return out
}

// fail schedules the next attempt of d with a full-jitter exponential
// backoff (not before notBefore, a Retry-After), or declares it dead once
// it has been failing for DeadAfter.
func (s *Service) fail(d store.Delivery, msg string, notBefore time.Time) store.DeliveryOutcome {
	now := s.now()
	if now.Sub(d.Created) >= s.cfg.DeadAfter {
		return store.DeliveryOutcome{ID: d.ID, State: store.DeliveryDead, Error: msg}
	}
	next := now.Add(Backoff(d.Attempts+1, s.cfg.BackoffBase, s.cfg.BackoffCap, rand.Float64()))
	if next.Before(notBefore) {
		next = notBefore
	}
	return store.DeliveryOutcome{ID: d.ID, State: store.DeliveryFailed, Error: msg, NextAttempt: next}
}

// Backoff is the delay before attempt n (1 for the first retry): a uniform
// draw (u in [0,1)) from zero to base·2^(n-1), capped at cap ("full
// jitter"), so that many senders retrying at once spread out.
func Backoff(n int, base, cap time.Duration, u float64) time.Duration {
	ceil := cap
	if n < 1 {
		n = 1
	}
	if n < 40 {
		if d := base << (n - 1); d > 0 && d < cap {
			ceil = d
		}
	}
	return time.Duration(u * float64(ceil))
}

// retryAfter reads a Retry-After header (seconds or an HTTP date) of a 429
// or 503 answer; zero otherwise.
func retryAfter(resp *http.Response, now time.Time) time.Time {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return time.Time{}
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return time.Time{}
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return now.Add(time.Duration(n) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return time.Time{}
}
