package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// The RILO relay.
//
// A member shares a record whose distribution is `region` with its region's
// RILO like any recipient. When the worker signs that envelope it addresses
// it, under the originator's signature, to the RILO and to every member of
// the region that the originator's own sharing decision allows (Decide from
// the originator to each member, under the originator's registry); see
// addressees. The signed To is therefore the list of nodes the RILO may pass
// the envelope on to, and it cannot widen it.
//
// The RILO's inbox checks and stores the record as usual (its regional
// view), then queues one relay delivery per addressee it has pinned, each
// carrying the originator's envelope exactly as signed. Its worker wraps it
// with envelope.Relay; members open it with a Policy that accepts their
// region's RILO as relay (RegionRelay) and verify the originator's
// signature end to end, so a RILO that alters a record is refused.
// Retractions and updates of a relayed record follow the same way.

// ActionRelay is the audit action of a RILO queueing relays of an envelope.
const ActionRelay = "envelope.relay"

// RegionRelay returns the Config.Relay of node: only the RILO of node's WCO
// region may relay envelopes to it. A node outside any region, or a RILO
// itself, accepts no relays.
func RegionRelay(dir *directory.Directory, node string) func(string) bool {
	region, ok := dir.RegionOf(node)
	return func(relay string) bool {
		if !ok {
			return false
		}
		r, isRILO := dir.RILORegion(relay)
		return isRILO && r == region
	}
}

// riloRegion returns the region this node serves as a RILO.
func (s *Service) riloRegion() (string, bool) {
	return s.cfg.Directory.RILORegion(s.cfg.Node)
}

// addressees returns the signed To of a record envelope for peer: the peer
// alone, except for a record with region distribution sent to a RILO, which
// is addressed to the RILO and to every member of its region the
// originator's decision allows now (for a retraction, to the whole region,
// since the RILO relays it only to the members it gave the record to).
func (s *Service) addressees(ctx context.Context, peer string, rec *intel.Record, retract bool) ([]string, error) {
	region, isRILO := s.cfg.Directory.RILORegion(peer)
	if !isRILO || rec.Distribution.Scope != intel.ScopeRegion || rec.Originator != s.cfg.Node {
		return []string{peer}, nil
	}
	if retract {
		return []string{peer, envelope.RegionPrefix + region}, nil
	}
	as, err := s.cfg.Store.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.cfg.Store.Consents(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	to := []string{peer}
	now := s.now()
	for _, m := range s.cfg.Directory.Administrations(region) {
		if m.Code == s.cfg.Node || len(to) >= envelope.MaxRecipients {
			continue
		}
		d := agreement.Decide(agreement.Input{Record: rec, Sender: s.cfg.Node, Recipient: m.Code, On: now,
			Agreements: as, Consents: cs, Directory: s.cfg.Directory})
		if d.Allowed {
			to = append(to, m.Code)
		}
	}
	return to, nil
}

// relayPayload is what a relay delivery keeps in the outbox: the
// originator's envelope as signed.
type relayPayload struct {
	Envelope string `json:"envelope"`
}

// signRelay wraps the originator's envelope of a relay delivery for its
// peer, signed by this node.
func (s *Service) signRelay(key identity.Key, d store.Delivery, now time.Time) ([]byte, error) {
	var p relayPayload
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Envelope == "" {
		return nil, fmt.Errorf("relay delivery %d has no envelope", d.ID)
	}
	hop := envelope.Envelope{ID: d.EnvelopeID, From: s.cfg.Node, To: []string{d.Peer}, Created: now}
	return envelope.Relay(key, hop, []byte(p.Envelope))
}

// relaying wraps a record handler (create, update, retract): what it
// accepts is noted with the relay it came through and the key that signed
// it, and, on a RILO, relayed on to the addressees it has pinned before the
// envelope is answered. A crash between queueing the relays and storing the
// envelope makes the sender deliver it again and the RILO relay it again,
// which members answer as a duplicate.
func (s *Service) relaying(h Handler) Handler {
	return func(ctx context.Context, v envelope.Verified) (store.Received, audit.Event, string, error) {
		rc, ev, reason, err := h(ctx, v)
		if err != nil || reason != "" {
			return rc, ev, reason, err
		}
		e := v.Envelope
		ev.Detail += fmt.Sprintf("; signed by %s key %s", e.From, e.Key)
		if len(e.Via) > 0 {
			ev.Detail += "; via " + strings.Join(e.Via, ",")
			return rc, ev, "", nil
		}
		region, ok := s.riloRegion()
		if !ok {
			return rc, ev, "", nil
		}
		sent, err := s.relays(ctx, region, v, &rc)
		if err != nil {
			return store.Received{}, audit.Event{}, "", err
		}
		if len(sent) > 0 {
			ev.Detail += "; relayed to " + strings.Join(sent, ",")
		}
		return rc, ev, "", nil
	}
}

// relays adds to rc's outbox the originator's envelope for each member of
// region it is addressed to and this RILO has pinned, with the audit entry
// saying so, and returns their codes: they are queued with the envelope's
// receipt. A retraction goes to the members the record was relayed to.
func (s *Service) relays(ctx context.Context, region string, v envelope.Verified, rc *store.Received) ([]string, error) {
	e := v.Envelope
	peers, err := s.cfg.Store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	pinned := map[string]bool{}
	for _, p := range peers {
		pinned[p.Code] = true
	}
	recordID, version := "", 0
	if rc.Record != nil {
		recordID, version = rc.Record.ID, rc.Record.Version
	}
	var targets []string
	if e.Type == envelope.TypeRecordRetract {
		ds, err := s.cfg.Store.Deliveries(ctx, recordID)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if d.Type == string(envelope.TypeRelay) && d.State != store.DeliveryRefused && !slices.Contains(targets, d.Peer) {
				targets = append(targets, d.Peer)
			}
		}
	} else {
		for _, to := range e.To {
			if to == s.cfg.Node || to == e.From || strings.HasPrefix(to, envelope.RegionPrefix) {
				continue
			}
			if r, ok := s.cfg.Directory.RegionOf(to); ok && r == region && !slices.Contains(targets, to) {
				targets = append(targets, to)
			}
		}
	}
	payload, err := json.Marshal(relayPayload{Envelope: string(v.Signed)})
	if err != nil {
		return nil, err
	}
	var (
		ds      []store.Delivery
		sent    []string
		skipped []string
	)
	now := s.now()
	for _, to := range targets {
		if !pinned[to] {
			skipped = append(skipped, to)
			continue
		}
		id, err := envelope.NewID(now)
		if err != nil {
			return nil, err
		}
		ds = append(ds, store.Delivery{EnvelopeID: id, Peer: to, Type: string(envelope.TypeRelay),
			RecordID: recordID, Version: version, Payload: payload})
		sent = append(sent, to)
	}
	if len(ds) == 0 && len(skipped) == 0 {
		return nil, nil
	}
	detail := fmt.Sprintf("%s %s from %s relayed to %s", e.Type, e.ID, e.From, strings.Join(sent, ","))
	if len(skipped) > 0 {
		detail += "; not pinned here: " + strings.Join(skipped, ",")
	}
	ev := audit.Event{Actor: "federation", Action: ActionRelay, Target: recordID, Detail: clip(detail, 500)}
	rc.Outbox, rc.Events = append(rc.Outbox, ds...), append(rc.Events, ev)
	return sent, nil
}

// Receipt is one envelope of a record this node accepted: who signed it,
// with which key, and the relays it came through.
type Receipt struct {
	Envelope string    `json:"envelope"`
	Type     string    `json:"type"`
	From     string    `json:"from"`
	Key      string    `json:"key"`
	Via      []string  `json:"via"`
	Version  int       `json:"version"`
	Received time.Time `json:"received"`
	// Seq is the audit entry that records the receipt.
	Seq int64 `json:"audit_seq"`
	// Signed is the envelope as its sender signed it (a compact JWS that
	// the sender's key verifies), or, once a retraction purged the
	// record's personal data here, the same without its payload
	// ("HEADER..SIGNATURE"). Empty for a receipt read back from the audit
	// log.
	Signed string `json:"signed,omitempty"`
}

var receiptRE = regexp.MustCompile(`^(\S+) (\S+)(?: version (\d+))? from ([A-Z0-9-]+).*?; signed by \S+ key ([^;\s]+)(?:; via ([^;\s]+))?`)

// Receipts lists the envelopes of a record this node accepted, oldest
// first, each with the audit entry that records it, from the store's
// receipts. A store that kept none for the record (one migrated from
// before receipts had their own table) has them read back from the audit
// log.
func (s *Service) Receipts(ctx context.Context, recordID string) ([]Receipt, error) {
	stored, err := s.cfg.Store.Receipts(ctx, recordID)
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		return s.auditReceipts(ctx, recordID)
	}
	out := make([]Receipt, 0, len(stored))
	for _, r := range stored {
		via := r.Via
		if via == nil {
			via = []string{}
		}
		out = append(out, Receipt{Envelope: r.EnvelopeID, Type: r.Type, From: r.From, Key: r.Key, Via: via,
			Version: r.Version, Received: r.Received, Seq: r.AuditSeq, Signed: string(r.Signed)})
	}
	return out, nil
}

// auditReceipts reads a record's receipts back from the audit log (each
// receipt's entry is chained there with the record it stored).
func (s *Service) auditReceipts(ctx context.Context, recordID string) ([]Receipt, error) {
	out := []Receipt{}
	err := s.cfg.Store.WalkAudit(ctx, func(en audit.Entry) error {
		if en.Action != ActionReceive || en.Target != recordID {
			return nil
		}
		m := receiptRE.FindStringSubmatch(en.Detail)
		if m == nil {
			return nil
		}
		r := Receipt{Type: m[1], Envelope: m[2], From: m[4], Key: m[5], Via: []string{}, Received: en.Time, Seq: en.Seq}
		fmt.Sscan(m[3], &r.Version)
		if m[6] != "" {
			r.Via = strings.Split(m[6], ",")
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("receipts of %s: %w", recordID, err)
	}
	return out, nil
}
