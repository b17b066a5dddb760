package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
// stored with its effect and audit entry before it is answered. The answer
// is signed once, over every result of the batch and the digest of body.
// An error is returned only when the batch itself does not read or the
// node cannot answer at all (then nothing is answered and the sender
// delivers the batch again).
//
// Signatures are checked on every core at once. The envelopes are decided one after another in batch order, and the accepted
// record versions of a batch are stored together in one transaction, with
// the audit entries of its refusals, before anything is answered. An
// envelope that depends on one still pending (the same envelope id or
// record) or of any other type (retraction, key rotation, loops) is
// decided only after what precedes it is stored, so that versions of one
// record and a key rotation take effect in the order sent. An envelope
// that follows an accepted key.rotate in the same batch is opened again
// with the key the rotation pinned.
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
	ids := make([]string, 0, len(items))
	for _, o := range opened {
		if o.err == nil {
			ids = append(ids, o.v.Envelope.ID)
		}
	}
	known, err := s.cfg.Store.ReceivedAmong(ctx, ids)
	if err != nil {
		return envelope.Response{}, err
	}
	_, rilo := s.riloRegion()
	b := &inboxBatch{s: s, known: known, results: make([]envelope.Result, len(items)), tos: make([]string, len(items)),
		envelopes: map[string]bool{}, records: map[string]bool{}}
	ctx = withBatch(ctx)
	// Record versions are decided on every core before anything of the
	// batch is stored; such a decision reads the store as it was before the
	// batch, so it is used only while nothing of the batch is stored yet.
	var early []*decision
	if !rilo {
		if _, err := s.agreements(ctx); err != nil {
			return envelope.Response{}, err
		}
		if err := s.prefetchHeads(ctx, opened); err != nil {
			return envelope.Response{}, err
		}
		early = make([]*decision, len(items))
		errs := make([]error, len(items))
		parallel(len(items), func(i int) {
			if o := opened[i]; o.err == nil && batchable(o.v.Envelope.Type) {
				d, err := s.decide(ctx, o, policy, known)
				early[i], errs[i] = &d, err
			}
		})
		for _, err := range errs {
			if err != nil {
				return envelope.Response{}, err
			}
		}
		// The heads read before the batch are not used by what is decided
		// once part of it is stored.
		dropHeads(ctx)
	}
	repinned := false
	for i, it := range items {
		o := opened[i]
		if repinned {
			policy.Now = s.now()
			o.v, o.err = envelope.Open(it, policy)
		}
		// At a RILO, a retraction's relays go where the record's earlier
		// relays went, which are stored with their receipts; types other
		// than record versions read what earlier envelopes stored: they
		// are decided alone, after everything before them is stored.
		alone := rilo || (o.err == nil && !batchable(o.v.Envelope.Type))
		if alone || (o.err == nil && b.envelopes[o.v.Envelope.ID]) {
			if err := b.flush(ctx); err != nil {
				return envelope.Response{}, err
			}
		}
		var d decision
		if early != nil && early[i] != nil && b.flushes == 0 && !repinned {
			d = *early[i]
		} else if d, err = s.decide(ctx, o, policy, b.known); err != nil {
			return envelope.Response{}, err
		}
		if d.receipt.Received != nil && d.receipt.Received.Record != nil && b.records[d.receipt.Received.Record.ID] {
			// The decision read the record before a pending version of it
			// was stored: store that version and decide again.
			if err := b.flush(ctx); err != nil {
				return envelope.Response{}, err
			}
			if d, err = s.decide(ctx, o, policy, b.known); err != nil {
				return envelope.Response{}, err
			}
		}
		b.add(i, d)
		if alone {
			if err := b.flush(ctx); err != nil {
				return envelope.Response{}, err
			}
		}
		if b.results[i].Status == envelope.Accepted && o.err == nil && o.v.Envelope.Type == envelope.TypeKeyRotate {
			if policy, err = s.inboxPolicy(ctx); err != nil {
				return envelope.Response{}, err
			}
			repinned = true
		}
	}
	if err := b.flush(ctx); err != nil {
		return envelope.Response{}, err
	}
	return envelope.SignResponse(key, s.cfg.Node, answered(b.tos), body, b.results, s.now())
}

// answered lists the distinct known senders of a batch, sorted: the
// addressees of its signed answer.
func answered(tos []string) []string {
	var out []string
	for _, to := range tos {
		if to != "" {
			out = append(out, to)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// batchable reports whether envelopes of type t may be decided while
// earlier envelopes of the batch are not yet stored: record versions, whose
// decision reads only the record they carry.
func batchable(t envelope.Type) bool {
	return t == envelope.TypeRecordCreate || t == envelope.TypeRecordUpdate
}

// decision is what the inbox decided for one envelope: the answer, the
// node it goes to and what to store (the accepted envelope, or only the
// audit event of a refusal; nothing for a duplicate).
type decision struct {
	result  envelope.Result
	to      string
	receipt store.Receipt
	store   bool
}

// inboxBatch holds the decided envelopes of a batch not yet stored.
type inboxBatch struct {
	s       *Service
	known   map[string]bool // envelope ids in the inbox
	results []envelope.Result
	tos     []string
	pending []store.Receipt
	index   []int // the batch position of each pending receipt
	// envelopes and records are the envelope and record ids pending.
	envelopes, records map[string]bool
	// flushes counts the transactions stored so far.
	flushes int
}

func (b *inboxBatch) add(i int, d decision) {
	b.results[i], b.tos[i] = d.result, d.to
	if d.result.Status == envelope.Refused {
		b.s.log.Info("envelope refused", "id", d.result.ID, "from", d.to)
	}
	if !d.store {
		return
	}
	b.pending = append(b.pending, d.receipt)
	b.index = append(b.index, i)
	if rc := d.receipt.Received; rc != nil {
		b.envelopes[rc.EnvelopeID] = true
		if rc.Record != nil {
			b.records[rc.Record.ID] = true
		}
	}
}

// flush stores the pending receipts in one transaction and turns the
// answers of those the store found duplicate or refused.
func (b *inboxBatch) flush(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	if err := b.s.cfg.Store.ReceiveBatch(ctx, b.pending); err != nil {
		return err
	}
	b.flushes++
	var refusals []audit.Event
	queued := false
	for k, r := range b.pending {
		i := b.index[k]
		if rc := r.Received; rc != nil && r.Err == nil && !r.Duplicate && len(rc.Outbox) > 0 {
			queued = true
		}
		switch {
		case r.Err != nil:
			reason := reasonOf(r.Err)
			b.results[i] = envelope.Result{ID: b.results[i].ID, Status: envelope.Refused, Reason: reason}
			refusals = append(refusals, refusalEvent(b.results[i].ID, b.tos[i], reason))
		case r.Duplicate:
			b.results[i].Status = envelope.Duplicate
		}
		if rc := r.Received; rc != nil && r.Err == nil {
			b.known[rc.EnvelopeID] = true
		}
	}
	if queued {
		// Acknowledgements and relays were queued with their receipts.
		b.s.Wake()
	}
	if len(refusals) > 0 {
		if _, err := b.s.cfg.Store.Audit(ctx, refusals...); err != nil {
			return err
		}
	}
	b.pending, b.index = b.pending[:0], b.index[:0]
	clear(b.envelopes)
	clear(b.records)
	return nil
}

// inboxPolicy is what envelope.Open checks against: this node, its region,
// the window and the keys pinned now.
func (s *Service) inboxPolicy(ctx context.Context) (envelope.Policy, error) {
	peers, err := s.cfg.Store.Peers(ctx)
	if err != nil {
		return envelope.Policy{}, err
	}
	key := pinnedKeys(peers)
	return envelope.Policy{Self: s.cfg.Node, Region: s.region, Window: s.cfg.Window, Now: s.now(),
		Key: key, Verifier: preparedKeys(key), Relay: s.cfg.Relay}, nil
}

// preparedKeys returns the keys of key prepared for verifying the many
// envelopes of a batch, each prepared when first asked for. It is safe for
// concurrent use.
func preparedKeys(key func(string) (ed25519.PublicKey, bool)) func(string) (identity.Verifier, bool) {
	var (
		mu       sync.Mutex
		prepared = map[string]identity.Verifier{}
	)
	return func(node string) (identity.Verifier, bool) {
		mu.Lock()
		defer mu.Unlock()
		if v, ok := prepared[node]; ok {
			return v, true
		}
		pub, ok := key(node)
		if !ok {
			return identity.Verifier{}, false
		}
		v := identity.NewVerifier(pub)
		prepared[node] = v
		return v, true
	}
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
// agreement registry, read once per batch rather than once per envelope,
// and, while nothing of the batch is stored, the heads of the records its
// envelopes carry, read with one query.
type batchState struct {
	agreements []agreement.Agreement
	loaded     bool
	// deciders decide the records of one sender to this node on one day
	// under the registry of the batch, by sender and day.
	mu       sync.Mutex
	deciders map[string]*agreement.Decider
	// heads holds, for every record id asked for, its head and whether it
	// is held; nil when the heads are not (or no longer) to be used.
	heads map[string]heldHead
}

// heldHead is a record's head as read for a batch, or held false when the
// record was not held.
type heldHead struct {
	head store.RecordHead
	held bool
}

// prefetchHeads reads, with one query, the heads of the records that the
// record versions among opened carry, for the decisions made before
// anything of the batch is stored. The ids are taken from the payloads
// without decoding them (recordID); a payload in another form is simply
// not prefetched, and its record is looked up alone.
func (s *Service) prefetchHeads(ctx context.Context, opened []openedEnvelope) error {
	b, _ := ctx.Value(batchKey{}).(*batchState)
	if b == nil {
		return nil
	}
	ids := make([]string, 0, len(opened))
	for _, o := range opened {
		if o.err != nil || !batchable(o.v.Envelope.Type) {
			continue
		}
		if id, ok := recordID(o.v.Envelope.Payload); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	heads, err := s.cfg.Store.RecordHeads(ctx, ids)
	if err != nil {
		return err
	}
	b.heads = make(map[string]heldHead, len(ids))
	for _, id := range ids {
		h, held := heads[id]
		b.heads[id] = heldHead{head: h, held: held}
	}
	return nil
}

// dropHeads stops the decisions of the batch in ctx from using the heads
// prefetchHeads read.
func dropHeads(ctx context.Context) {
	if b, _ := ctx.Value(batchKey{}).(*batchState); b != nil {
		b.heads = nil
	}
}

// recordID returns the record id a record payload starts with, in the form
// the payload encoder writes: {"record":{"id":"…". It is only a hint for
// prefetchHeads: the decision looks a head up by the id the decoded record
// carries.
func recordID(payload []byte) (string, bool) {
	const head = `{"record":{"id":"`
	if !bytes.HasPrefix(payload, []byte(head)) {
		return "", false
	}
	rest := payload[len(head):]
	end := bytes.IndexByte(rest[:min(len(rest), 64)], '"')
	if end <= 0 {
		return "", false
	}
	return string(rest[:end]), true
}

// recordHead returns the head of record id: from the heads read for the
// batch in ctx when it was among them, otherwise from the store.
func (s *Service) recordHead(ctx context.Context, id string) (store.RecordHead, error) {
	if b, _ := ctx.Value(batchKey{}).(*batchState); b != nil && b.heads != nil {
		if h, ok := b.heads[id]; ok {
			if !h.held {
				return store.RecordHead{}, fault.E(fault.NotFound, "record %s is not held", id)
			}
			return h.head, nil
		}
	}
	return s.cfg.Store.RecordHead(ctx, id)
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

// recordDecider returns what decides whether sender may give records to
// this node today under the registry: one for the batch in ctx per sender
// and day (the decisions of a batch share the work that depends only on
// those), a new one otherwise.
func (s *Service) recordDecider(ctx context.Context, sender string) (*agreement.Decider, error) {
	as, err := s.agreements(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	in := agreement.Input{Sender: sender, Recipient: s.cfg.Node, On: now, Agreements: as, Directory: s.cfg.Directory}
	b, _ := ctx.Value(batchKey{}).(*batchState)
	if b == nil {
		return agreement.NewDecider(in), nil
	}
	key := sender + " " + now.Format(time.DateOnly)
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.deciders[key]
	if !ok {
		if b.deciders == nil {
			b.deciders = map[string]*agreement.Decider{}
		}
		d = agreement.NewDecider(in)
		b.deciders[key] = d
	}
	return d, nil
}

// decide handles one opened envelope; known holds the envelope ids already
// received. An error means the store failed and nothing is answered.
func (s *Service) decide(ctx context.Context, o openedEnvelope, p envelope.Policy, known map[string]bool) (decision, error) {
	v, err := o.v, o.err
	if err != nil {
		id, from := v.Hop.ID, v.Hop.From
		if id != "" && !validULID(id) {
			id = ""
		}
		if _, ok := p.Key(from); !ok {
			from = ""
		}
		return refusal(id, from, reasonOf(err)), nil
	}
	e := v.Envelope
	// The answer names the envelope as delivered: a relay's wrapper is
	// answered with its own id, a direct envelope with the originator's.
	ans := v.Hop.ID
	if known[e.ID] {
		return decision{result: envelope.Result{ID: ans, Status: envelope.Duplicate}, to: v.Hop.From}, nil
	}
	h, ok := s.handler(e.Type)
	if !ok {
		return refusal(ans, v.Hop.From, fmt.Sprintf("%s does not accept %s envelopes", s.cfg.Node, e.Type)), nil
	}
	rc, ev, reason, err := h(ctx, v)
	if err != nil {
		return decision{}, err
	}
	if reason != "" {
		return refusal(ans, v.Hop.From, reason), nil
	}
	rc.EnvelopeID, rc.From, rc.Type, rc.Signed, rc.Claims, rc.Key, rc.Via = e.ID, e.From, string(e.Type), v.Signed, v.Claims, e.Key, e.Via
	return decision{result: envelope.Result{ID: ans, Status: envelope.Accepted}, to: v.Hop.From,
		receipt: store.Receipt{Received: &rc, Event: ev}, store: true}, nil
}

// recordIDReason refuses the record id a payload of e names when it is
// missing or not a ULID, and returns "" when it is one.
func recordIDReason(e envelope.Envelope, id string) string {
	switch {
	case id == "":
		return fmt.Sprintf("record: the %s envelope %s names no record", e.Type, e.ID)
	case !validULID(id):
		return fmt.Sprintf("record: %q in %s envelope %s is not a record id", clip(id, 64), e.Type, e.ID)
	}
	return ""
}

func validULID(id string) bool {
	_, err := ulid.ParseStrict(id)
	return err == nil
}

// refusal answers a refusal and audits it (the reason, never the content).
func refusal(id, from, reason string) decision {
	return decision{result: envelope.Result{ID: id, Status: envelope.Refused, Reason: reason}, to: from,
		receipt: store.Receipt{Event: refusalEvent(id, from, reason)}, store: true}
}

// refusalEvent is the audit event of a refusal.
func refusalEvent(id, from, reason string) audit.Event {
	target := id
	if target == "" {
		target = "unreadable envelope"
	}
	detail := reason
	if from != "" {
		detail = "from " + from + ": " + reason
	}
	return audit.Event{Actor: "federation", Action: ActionRefuse, Target: target, Detail: clip(detail, 500)}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// reasonOf turns an error of envelope.Open into a sentence for the sender.
// An invalid envelope's reason ends with what the decoder found wrong in
// the sender's bytes (e.g. "json: duplicate key 'from' in object"), as
// docs/FEDERATION.md shows it.
func reasonOf(err error) string {
	var fe *fault.Error
	if errors.As(err, &fe) {
		msg := fe.Message
		if fe.Field != "" {
			msg = fe.Field + ": " + msg
		}
		var inner *fault.Error
		if fe.Kind == fault.Invalid && fe.Err != nil && !errors.As(fe.Err, &inner) {
			msg += ": " + clip(fe.Err.Error(), 300)
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
	// The sender's decision is checked for its form but not kept: the
	// decision that counts here is this node's own, below.
	var rec intel.Record
	if err := e.DecodeRecordVersion(&rec); err != nil {
		return store.Received{}, audit.Event{}, reasonOf(err), nil
	}
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
	if reason := s.invalidRecord(&rec); reason != "" {
		return store.Received{}, audit.Event{}, reason, nil
	}
	if held, err := s.recordHead(ctx, rec.ID); err == nil {
		if held.Originator != e.From {
			return store.Received{}, audit.Event{}, fmt.Sprintf("record %s is held here from %s", rec.ID, held.Originator), nil
		}
		if held.Status == intel.StatusRetracted {
			return store.Received{}, audit.Event{}, fmt.Sprintf("record %s was retracted", rec.ID), nil
		}
	} else if !fault.Is(err, fault.NotFound) {
		return store.Received{}, audit.Event{}, "", err
	}
	decider, err := s.recordDecider(ctx, e.From)
	if err != nil {
		return store.Received{}, audit.Event{}, "", err
	}
	d := decider.Decide(&rec)
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

// maxReasonProblems bounds the invalid fields a refusal lists.
const maxReasonProblems = 5

// invalidRecord checks a received record as a record this node creates is
// checked (intel.Validate against this node's directory) and returns the
// refusal reason naming the fields that fail, or "" when the record is
// valid. Dates are allowed up to the end of the accepted window ahead of
// this node's clock, as the sender's day may already have begun.
func (s *Service) invalidRecord(rec *intel.Record) string {
	_, err := intel.Validate(rec, s.cfg.Directory, s.now().Add(s.cfg.Window))
	if err == nil {
		return ""
	}
	var problems []string
	var list fault.List
	if errors.As(err, &list) {
		for _, e := range list {
			problems = append(problems, e.Error())
		}
	} else {
		problems = append(problems, reasonOf(err))
	}
	if n := len(problems) - maxReasonProblems; n > 0 {
		return fmt.Sprintf("record %s is invalid: %s; and %d more", rec.ID, strings.Join(problems[:maxReasonProblems], "; "), n)
	}
	return fmt.Sprintf("record %s is invalid: %s", rec.ID, strings.Join(problems, "; "))
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
	if reason := recordIDReason(e, p.RecordID); reason != "" {
		return store.Received{}, audit.Event{}, reason, nil
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
