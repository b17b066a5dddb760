package federation

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/oklog/ulid/v2"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// Receive answers the body of POST /federation/v1/inbox: one compact JWS or
// a batch. Each envelope is opened with the pinned keys (signature, key,
// window, addressee), deduplicated by id, checked by its type's handler
// (for records: the sharing decision from this side) and, when accepted,
// stored with its effect and audit entry in one transaction before it is
// answered. Every answer is signed. An error is returned only when the
// batch itself does not read or the node cannot answer at all.
//
// Signatures are checked and answers signed on every core at once; the
// envelopes are applied one after another in batch order, so that versions
// of one record and a key rotation take effect in the order sent. An
// envelope that follows an accepted key.rotate in the same batch is opened
// again with the key the rotation pinned.
func (s *Service) Receive(ctx context.Context, body []byte) (envelope.Response, error) {
	items, err := envelope.DecodeBatch(body, envelope.MaxBatch)
	if err != nil {
		return envelope.Response{}, err
	}
	key, _, _, err := s.keys(ctx)
	if err != nil {
		return envelope.Response{}, err
	}
	policy, err := s.inboxPolicy(ctx)
	if err != nil {
		return envelope.Response{}, err
	}
	opened := make([]openedEnvelope, len(items))
	parallel(len(items), func(i int) {
		opened[i].v, opened[i].err = envelope.Open(items[i], policy)
	})
	ctx = withBatch(ctx)
	results := make([]envelope.Result, len(items))
	tos := make([]string, len(items))
	repinned := false
	for i, it := range items {
		o := opened[i]
		if repinned {
			policy.Now = s.now()
			o.v, o.err = envelope.Open(it, policy)
		}
		r, to, err := s.receiveOne(ctx, o, policy)
		if err != nil {
			return envelope.Response{}, err
		}
		results[i], tos[i] = r, to
		if r.Status == envelope.Refused {
			s.log.InfoContext(ctx, "envelope refused", "id", r.ID, "from", to)
		}
		if r.Status == envelope.Accepted && o.err == nil && o.v.Envelope.Type == envelope.TypeKeyRotate {
			if policy, err = s.inboxPolicy(ctx); err != nil {
				return envelope.Response{}, err
			}
			repinned = true
		}
	}
	now := s.now()
	errs := make([]error, len(items))
	parallel(len(items), func(i int) {
		results[i], errs[i] = envelope.SignResult(key, s.cfg.Node, tos[i], results[i], now)
	})
	for _, err := range errs {
		if err != nil {
			return envelope.Response{}, err
		}
	}
	return envelope.Response{Results: results}, nil
}

// inboxPolicy is what envelope.Open checks against: this node, its region,
// the window and the keys pinned now.
func (s *Service) inboxPolicy(ctx context.Context) (envelope.Policy, error) {
	peers, err := s.cfg.Store.Peers(ctx)
	if err != nil {
		return envelope.Policy{}, err
	}
	return envelope.Policy{Self: s.cfg.Node, Region: s.region, Window: s.cfg.Window, Now: s.now(),
		Key: pinnedKeys(peers), Relay: s.cfg.Relay}, nil
}

// openedEnvelope is what envelope.Open made of one envelope of a batch.
type openedEnvelope struct {
	v   envelope.Verified
	err error
}

// parallel calls fn(0)…fn(n-1) on as many goroutines as there are cores
// and returns when every call has.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// batchState is what the envelopes of one inbox batch share: the
// agreement registry, read once per batch rather than once per envelope.
type batchState struct {
	agreements []agreement.Agreement
	loaded     bool
}

type batchKey struct{}

func withBatch(ctx context.Context) context.Context {
	return context.WithValue(ctx, batchKey{}, &batchState{})
}

// agreements returns the registry, from the batch when one is being
// received.
func (s *Service) agreements(ctx context.Context) ([]agreement.Agreement, error) {
	b, _ := ctx.Value(batchKey{}).(*batchState)
	if b == nil {
		return s.cfg.Store.Agreements(ctx)
	}
	if !b.loaded {
		as, err := s.cfg.Store.Agreements(ctx)
		if err != nil {
			return nil, err
		}
		b.agreements, b.loaded = as, true
	}
	return b.agreements, nil
}

// receiveOne handles one opened envelope. It returns the result and the
// node the answer goes to; an error means the store failed and nothing was
// answered.
func (s *Service) receiveOne(ctx context.Context, o openedEnvelope, p envelope.Policy) (envelope.Result, string, error) {
	v, err := o.v, o.err
	if err != nil {
		id, from := v.Hop.ID, v.Hop.From
		if id != "" && !validULID(id) {
			id = ""
		}
		if _, ok := p.Key(from); !ok {
			from = ""
		}
		return s.refuse(ctx, id, from, reasonOf(err))
	}
	e := v.Envelope
	// The answer names the envelope as delivered: a relay's wrapper is
	// answered with its own id, a direct envelope with the originator's.
	ans := v.Hop.ID
	dup, err := s.cfg.Store.Received(ctx, e.ID)
	if err != nil {
		return envelope.Result{}, "", err
	}
	if dup {
		return envelope.Result{ID: ans, Status: envelope.Duplicate}, v.Hop.From, nil
	}
	h, ok := s.handler(e.Type)
	if !ok {
		return s.refuse(ctx, ans, v.Hop.From, fmt.Sprintf("%s does not accept %s envelopes", s.cfg.Node, e.Type))
	}
	rc, ev, reason, err := h(ctx, v)
	if err != nil {
		return envelope.Result{}, "", err
	}
	if reason != "" {
		return s.refuse(ctx, ans, v.Hop.From, reason)
	}
	rc.EnvelopeID, rc.From, rc.Type, rc.Signed = e.ID, e.From, string(e.Type), v.Signed
	dup, err = s.cfg.Store.Receive(ctx, rc, ev)
	if err != nil {
		return envelope.Result{}, "", err
	}
	if dup {
		return envelope.Result{ID: ans, Status: envelope.Duplicate}, v.Hop.From, nil
	}
	return envelope.Result{ID: ans, Status: envelope.Accepted}, v.Hop.From, nil
}

func validULID(id string) bool {
	_, err := ulid.ParseStrict(id)
	return err == nil
}

// refuse audits a refusal (the reason, never the content) and answers it.
func (s *Service) refuse(ctx context.Context, id, from, reason string) (envelope.Result, string, error) {
	target := id
	if target == "" {
		target = "unreadable envelope"
	}
	detail := reason
	if from != "" {
		detail = "from " + from + ": " + reason
	}
	if _, err := s.cfg.Store.Audit(ctx, audit.Event{Actor: "federation", Action: ActionRefuse, Target: target,
		Detail: clip(detail, 500)}); err != nil {
		return envelope.Result{}, "", err
	}
	return envelope.Result{ID: id, Status: envelope.Refused, Reason: reason}, from, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// reasonOf turns an error of envelope.Open into a sentence for the sender.
func reasonOf(err error) string {
	var fe *fault.Error
	if errors.As(err, &fe) {
		msg := fe.Message
		if fe.Field != "" {
			msg = fe.Field + ": " + msg
		}
		return msg
	}
	return "envelope does not verify"
}

// receiveRecord checks a record envelope from the receiver's side: the
// sender must be the record's originator, and agreement.Decide, asked
// whether the sender may give the record to this node under this node's
// own registry, must allow it (an agreement in force linking both, scope
// covering the kind and any personal data, distribution including this
// node, handling permitting it).
func (s *Service) receiveRecord(ctx context.Context, v envelope.Verified) (store.Received, audit.Event, string, error) {
	e := v.Envelope
	var p envelope.RecordPayload
	if err := e.Decode(&p); err != nil {
		return store.Received{}, audit.Event{}, reasonOf(err), nil
	}
	rec := p.Record
	switch {
	case rec.ID == "" || !validULID(rec.ID):
		return store.Received{}, audit.Event{}, "the record has no valid id", nil
	case rec.Originator != e.From:
		return store.Received{}, audit.Event{}, fmt.Sprintf("record %s originates from %s, not from the sender %s", rec.ID, rec.Originator, e.From), nil
	case rec.Version < 1:
		return store.Received{}, audit.Event{}, fmt.Sprintf("record %s has no version", rec.ID), nil
	case rec.Status == intel.StatusRetracted:
		return store.Received{}, audit.Event{}, fmt.Sprintf("record %s is retracted: send record.retract", rec.ID), nil
	}
	if held, err := s.cfg.Store.GetRecord(ctx, rec.ID); err == nil {
		if held.Originator != e.From {
			return store.Received{}, audit.Event{}, fmt.Sprintf("record %s is held here from %s", rec.ID, held.Originator), nil
		}
		if held.Status == intel.StatusRetracted {
			return store.Received{}, audit.Event{}, fmt.Sprintf("record %s was retracted", rec.ID), nil
		}
	} else if !fault.Is(err, fault.NotFound) {
		return store.Received{}, audit.Event{}, "", err
	}
	as, err := s.agreements(ctx)
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
	ev := audit.Event{Actor: e.From, Action: ActionReceive, Target: rec.ID,
		Detail: fmt.Sprintf("%s %s version %d from %s (%s)", e.Type, e.ID, rec.Version, e.From, decisionDetail(s.cfg.Node, d))}
	return store.Received{Record: &rec}, ev, "", nil
}

// receiveRetract marks a held record retracted at the version the
// originator gives, with its personal data purged from every stored
// version.
func (s *Service) receiveRetract(ctx context.Context, v envelope.Verified) (store.Received, audit.Event, string, error) {
	e := v.Envelope
	var p envelope.RetractPayload
	if err := e.Decode(&p); err != nil {
		return store.Received{}, audit.Event{}, reasonOf(err), nil
	}
	hist, err := s.cfg.Store.RecordHistory(ctx, p.RecordID)
	if fault.Is(err, fault.NotFound) || (err == nil && len(hist) == 0) {
		return store.Received{}, audit.Event{}, fmt.Sprintf("record %s is not held by %s", p.RecordID, s.cfg.Node), nil
	}
	if err != nil {
		return store.Received{}, audit.Event{}, "", err
	}
	cur := hist[len(hist)-1]
	if cur.Originator != e.From {
		return store.Received{}, audit.Event{}, fmt.Sprintf("record %s originates from %s, not from %s", p.RecordID, cur.Originator, e.From), nil
	}
	note := fmt.Sprintf("personal data purged by %s on %s on retraction by %s", s.cfg.Node, s.now().Format("2006-01-02"), e.From)
	next := *cur
	Purge(&next)
	next.Status = intel.StatusRetracted
	at := e.Created
	next.Updated = &at
	next.Version = max(p.Version, cur.Version+1)
	reason := note
	if p.Reason != "" {
		reason = p.Reason + " (" + note + ")"
	}
	next.Retraction = &intel.Retraction{At: e.Created, Reason: reason}
	rewrite := make([]*intel.Record, 0, len(hist))
	for _, h := range hist {
		Purge(h)
		rewrite = append(rewrite, h)
	}
	ev := audit.Event{Actor: e.From, Action: ActionReceive, Target: p.RecordID,
		Detail: fmt.Sprintf("%s %s from %s: retracted at version %d, %s", e.Type, e.ID, e.From, next.Version, note)}
	return store.Received{Record: &next, Rewrite: rewrite}, ev, "", nil
}

// Purge removes the personal data of a record in place: parties, targets,
// their documents, phones and e-mails, and the free-text narratives and
// attachments that may name them.
func Purge(r *intel.Record) {
	if x := r.Seizure; x != nil {
		x.Parties, x.Narrative, x.Attachments = nil, "", nil
	}
	if x := r.Warning; x != nil {
		x.Targets, x.Narrative = nil, ""
	}
	if x := r.Request; x != nil {
		x.Parties, x.Facts = nil, ""
	}
	if x := r.Response; x != nil {
		x.Parties, x.Narrative = nil, ""
	}
	if x := r.Feedback; x != nil {
		x.Narrative = ""
	}
	if x := r.Alert; x != nil {
		x.Narrative = ""
	}
}

// receiveRotation re-pins a peer that announces its next key, after
// verifying the statement against the key pinned for it (which also signed
// the envelope).
func (s *Service) receiveRotation(ctx context.Context, v envelope.Verified) (store.Received, audit.Event, string, error) {
	e := v.Envelope
	var p envelope.RotatePayload
	if err := e.Decode(&p); err != nil {
		return store.Received{}, audit.Event{}, reasonOf(err), nil
	}
	peer, err := s.cfg.Store.Peer(ctx, e.From)
	if err != nil {
		return store.Received{}, audit.Event{}, "", err
	}
	old, err := identity.ParsePublic(peer.PublicKey)
	if err != nil {
		return store.Received{}, audit.Event{}, "", err
	}
	rot, err := identity.VerifyRotation(p.Statement, old)
	if err != nil {
		return store.Received{}, audit.Event{}, reasonOf(err), nil
	}
	if rot.Node != e.From {
		return store.Received{}, audit.Event{}, fmt.Sprintf("rotation statement is for %s, not %s", rot.Node, e.From), nil
	}
	peer.PublicKey, peer.Fingerprint = identity.EncodePublic(rot.NewKey), identity.Fingerprint(rot.NewKey)
	ev := audit.Event{Actor: e.From, Action: ActionPeerRepin, Target: e.From, Detail: "re-pinned to " + peer.Fingerprint}
	return store.Received{Peer: &peer}, ev, "", nil
}
