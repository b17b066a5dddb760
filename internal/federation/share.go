package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/store"
)

// ShareResult is the outcome of sharing a record with one recipient.
type ShareResult struct {
	Recipient string             `json:"recipient"`
	Allowed   bool               `json:"allowed"`
	Basis     *agreement.Basis   `json:"basis"`
	Reasons   []agreement.Reason `json:"reasons"`
	Delivery  *string            `json:"delivery"`
	decision  agreement.Decision
}

// Share decides, for each recipient, whether the record may go to it and,
// for each allowed recipient with a pinned peer, writes an outbox row, all
// with the decisions' audit entries in one transaction. A recipient without
// a pinned peer is refused with a reason saying how to pin it.
func (s *Service) Share(ctx context.Context, actor, recordID string, recipients []string) ([]ShareResult, error) {
	if len(recipients) == 0 {
		return nil, fault.Field("recipients", "name at least one recipient, e.g. [\"JP\"]")
	}
	if len(recipients) > envelope.MaxRecipients {
		return nil, fault.Field("recipients", "at most %d recipients", envelope.MaxRecipients)
	}
	rec, err := s.cfg.Store.GetRecord(ctx, recordID)
	if err != nil {
		return nil, fmt.Errorf("share record %s: %w", recordID, err)
	}
	as, err := s.cfg.Store.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.cfg.Store.Consents(ctx, recordID)
	if err != nil {
		return nil, err
	}
	peers, err := s.cfg.Store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	pinned := map[string]bool{}
	for _, p := range peers {
		pinned[p.Code] = true
	}
	now := s.now()
	var (
		out []ShareResult
		ds  []store.Delivery
		evs []audit.Event
		idx []int
	)
	seen := map[string]bool{}
	for _, raw := range recipients {
		to := strings.ToUpper(strings.TrimSpace(raw))
		if to == "" || seen[to] {
			continue
		}
		seen[to] = true
		if _, err := s.cfg.Directory.Administration(to); err != nil {
			if _, ok := s.cfg.Directory.RILORegion(to); !ok {
				return nil, fault.Field("recipients", "%q is not an administration or a RILO in the directory", raw)
			}
		}
		d := agreement.Decide(agreement.Input{Record: rec, Sender: s.cfg.Node, Recipient: to, On: now,
			Agreements: as, Consents: cs, Directory: s.cfg.Directory})
		if d.Allowed && !pinned[to] {
			d.Allowed = false
			d.Basis = nil
			d.Reasons = append(d.Reasons, agreement.Reason{Rule: "peer", Met: false,
				Text: fmt.Sprintf("no pinned peer for %s: add it with `liaison peers add`", to)})
		}
		if d.Reasons == nil {
			d.Reasons = []agreement.Reason{}
		}
		r := ShareResult{Recipient: to, Allowed: d.Allowed, Basis: d.Basis, Reasons: d.Reasons, decision: d}
		evs = append(evs, audit.Event{Actor: actor, Action: ActionShare, Target: recordID, Detail: decisionDetail(to, d)})
		if d.Allowed {
			id, err := envelope.NewID(now)
			if err != nil {
				return nil, err
			}
			dj, err := json.Marshal(d)
			if err != nil {
				return nil, fmt.Errorf("encode decision: %w", err)
			}
			ds = append(ds, store.Delivery{EnvelopeID: id, Peer: to, Type: string(envelope.TypeRecordCreate),
				RecordID: rec.ID, Version: rec.Version, Decision: dj})
			idx = append(idx, len(out))
		}
		out = append(out, r)
	}
	stored, err := s.Enqueue(ctx, ds, evs)
	if err != nil {
		return nil, fmt.Errorf("share record %s: %w", recordID, err)
	}
	for i, d := range stored {
		id := fmt.Sprint(d.ID)
		out[idx[i]].Delivery = &id
	}
	return out, nil
}

// Deliveries lists the deliveries of a record, oldest first.
func (s *Service) Deliveries(ctx context.Context, recordID string) ([]store.Delivery, error) {
	return s.cfg.Store.Deliveries(ctx, recordID)
}

// RecentDeliveries lists a page of outbox rows, newest first (see
// store.Store.RecentDeliveries).
func (s *Service) RecentDeliveries(ctx context.Context, state string, before int64, limit int) ([]store.Delivery, error) {
	return s.cfg.Store.RecentDeliveries(ctx, state, before, limit)
}

// DeliveryCounts counts the outbox rows in each state.
func (s *Service) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	return s.cfg.Store.DeliveryCounts(ctx)
}

// Retry puts a dead, failed or refused delivery back in the queue.
func (s *Service) Retry(ctx context.Context, actor string, id int64) error {
	ev := audit.Event{Actor: actor, Action: ActionRetry, Target: fmt.Sprint(id)}
	if err := s.cfg.Store.RetryDelivery(ctx, id, s.now(), ev); err != nil {
		return err
	}
	s.Wake()
	return nil
}

// FetchNode reads a node's document from base + NodePath.
func FetchNode(ctx context.Context, client *http.Client, base string) (NodeInfo, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(base), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return NodeInfo{}, fault.Field("url", "%q is not an http(s) URL of a node", base)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return NodeInfo{}, fault.Field("url", "%q has a query or fragment; give the node's base URL, e.g. https://liaison.customs.example", base)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String()+NodePath, nil)
	if err != nil {
		return NodeInfo{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return NodeInfo{}, fault.Wrap(fault.Unavailable, err, "fetch %s: node does not answer", u.String()+NodePath)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return NodeInfo{}, fault.E(fault.Unavailable, "fetch %s: status %d", u.String()+NodePath, resp.StatusCode)
	}
	var info NodeInfo
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&info); err != nil {
		return NodeInfo{}, fault.Wrap(fault.Invalid, err, "node document of %s does not read", base)
	}
	if !envelope.ValidNode(info.Code) {
		return NodeInfo{}, fault.E(fault.Invalid, "node document of %s gives code %q, which is not a node code such as JP or RILO-AP", base, clip(info.Code, 64))
	}
	pub, err := identity.ParsePublic(info.PublicKey)
	if err != nil {
		return NodeInfo{}, fmt.Errorf("node document of %s: %w", base, err)
	}
	if fp := identity.Fingerprint(pub); fp != info.Fingerprint {
		return NodeInfo{}, fault.E(fault.Invalid, "node document of %s gives fingerprint %s for a key whose fingerprint is %s", base, info.Fingerprint, fp)
	}
	info.Endpoints = map[string]string{"inbox": u.String() + InboxPath}
	return info, nil
}

// PinPeer pins the node at base. With want set it pins only when the node's
// fingerprint is want, and refuses a mismatch showing both; with confirm set
// it asks confirm (an operator at a terminal) first. One of the two is
// required.
func (s *Service) PinPeer(ctx context.Context, actor, base, want string, confirm func(NodeInfo) bool) (store.Peer, error) {
	info, err := FetchNode(ctx, s.cfg.Client, base)
	if err != nil {
		return store.Peer{}, err
	}
	switch {
	case want != "":
		fp, err := identity.ParseFingerprint(want)
		if err != nil {
			return store.Peer{}, err
		}
		if fp != info.Fingerprint {
			return store.Peer{}, fault.E(fault.Forbidden, "fingerprint mismatch for %s at %s: expected %s, node presents %s; not pinned",
				info.Code, base, fp, info.Fingerprint)
		}
	case confirm != nil:
		if !confirm(info) {
			return store.Peer{}, fault.E(fault.Forbidden, "not pinned: fingerprint of %s not confirmed", info.Code)
		}
	default:
		return store.Peer{}, fault.Field("fingerprint", "is required to pin %s non-interactively; it presents %s", info.Code, info.Fingerprint)
	}
	if info.Code == s.cfg.Node {
		return store.Peer{}, fault.E(fault.Invalid, "%s is this node itself", base)
	}
	p := store.Peer{Code: info.Code, URL: strings.TrimRight(strings.TrimSpace(base), "/"), PublicKey: info.PublicKey,
		Fingerprint: info.Fingerprint, State: store.PeerActive}
	ev := audit.Event{Actor: actor, Action: ActionPeerPin, Target: info.Code, Detail: info.Fingerprint}
	if err := s.cfg.Store.PutPeer(ctx, p, ev); err != nil {
		return store.Peer{}, err
	}
	return s.cfg.Store.Peer(ctx, info.Code)
}

// Peers lists the pinned peers.
func (s *Service) Peers(ctx context.Context) ([]store.Peer, error) { return s.cfg.Store.Peers(ctx) }
