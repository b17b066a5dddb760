// Package federation exchanges records between nodes: the node's identity
// keys, its pinned peers, sharing into a durable outbox, the delivery
// workers that sign and send it in batches, and the inbox that verifies,
// re-checks and stores what peers send. The wire format is package envelope;
// docs/FEDERATION.md describes both.
//
// Seams for what builds on it: Config.Relay decides which nodes may relay
// to this one (a RILO), Service.Enqueue puts any envelope type in the
// outbox, and Service.Handle (the inbox's per-type handler table) can be
// extended by registering a Handler for a type on the Service before it is
// served.
package federation

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"

	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/store"
)

// Audit actions written by this package.
const (
	ActionKeyCreate  = "key.create"
	ActionKeyRotate  = "key.rotate"
	ActionPeerPin    = "peer.pin"
	ActionShare      = "record.share"
	ActionDeliver    = "delivery.attempt"
	ActionRetry      = "delivery.retry"
	ActionReceive    = "envelope.receive"
	ActionRefuse     = "envelope.refuse"
	ActionPeerRepin  = "peer.repin"
	ActionPurge      = "record.purge"
	defaultDeadAfter = 7 * 24 * time.Hour
)

// Defaults of Config.
const (
	DefaultBackoffBase = time.Second
	DefaultBackoffCap  = 10 * time.Minute
	DefaultLease       = time.Minute
	DefaultPoll        = time.Second
	DefaultWorkers     = 2
	// DefaultProbeCap caps how long a peer found unreachable waits before
	// it is tried again: trying costs one small request, and a backlog
	// should start draining soon after the peer returns.
	DefaultProbeCap     = 5 * time.Second
	DefaultProbeTimeout = 5 * time.Second
	// DefaultMaxInbox caps the body of POST /federation/v1/inbox.
	DefaultMaxInbox = 64 << 20
)

// Config is what a Service needs. Node, Store and Directory are required.
type Config struct {
	Node      string
	Store     store.Store
	Directory *directory.Directory
	Logger    *slog.Logger
	Now       func() time.Time
	// Client sends deliveries and fetches peers' node documents.
	Client *http.Client
	// DeadAfter is how long a delivery is retried before it is dead
	// (7 days when 0).
	DeadAfter time.Duration
	// Window is the accepted clock difference of envelopes received
	// (envelope.Window when 0).
	Window time.Duration
	// MaxInbox caps the inbox request body (DefaultMaxInbox when 0).
	MaxInbox int64
	// BackoffBase and BackoffCap shape the retry delays: a full-jitter
	// exponential backoff.
	BackoffBase, BackoffCap time.Duration
	// ProbeCap caps the backoff of a peer found unreachable (all its rows
	// wait together), and ProbeTimeout bounds the request that asks such a
	// peer for its node document before anything is signed for it.
	ProbeCap, ProbeTimeout time.Duration
	// Lease is how long a worker holds a peer while delivering to it.
	Lease time.Duration
	// Poll is how often idle workers look for due deliveries.
	Poll time.Duration
	// Claim is how many rows a worker claims at a time, first and each
	// time it claims more (store.MaxClaim when 0 or above it).
	Claim int
	// Workers is the number of delivery goroutines.
	Workers int
	// Relay reports whether a node may relay envelopes to this one (a
	// RILO). Nil refuses every relayed envelope.
	Relay func(node string) bool
}

// Handler applies one verified envelope type at the inbox. It returns the
// Received to store (with its audit event), or a refusal reason.
type Handler func(ctx context.Context, v envelope.Verified) (store.Received, audit.Event, string, error)

// Service is a node's federation service. It is safe for concurrent use.
type Service struct {
	cfg      Config
	log      *slog.Logger
	owner    string
	region   string
	wake     chan struct{}
	mu       sync.Mutex
	handlers map[envelope.Type]Handler
	wg       sync.WaitGroup
}

// New returns a Service for cfg with defaults filled in.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.DeadAfter <= 0 {
		cfg.DeadAfter = defaultDeadAfter
	}
	if cfg.Window <= 0 {
		cfg.Window = envelope.Window
	}
	if cfg.MaxInbox <= 0 {
		cfg.MaxInbox = DefaultMaxInbox
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = DefaultBackoffBase
	}
	if cfg.BackoffCap <= 0 {
		cfg.BackoffCap = DefaultBackoffCap
	}
	if cfg.ProbeCap <= 0 {
		cfg.ProbeCap = DefaultProbeCap
	}
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = DefaultProbeTimeout
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Claim <= 0 || cfg.Claim > store.MaxClaim {
		cfg.Claim = store.MaxClaim
	}
	s := &Service{cfg: cfg, log: cfg.Logger, owner: ownerID(), wake: make(chan struct{}, 1)}
	if r, ok := cfg.Directory.RILORegion(cfg.Node); ok {
		s.region = r
	} else if r, ok := cfg.Directory.RegionOf(cfg.Node); ok {
		s.region = r
	}
	s.handlers = map[envelope.Type]Handler{
		envelope.TypeRecordCreate:  s.receiveRecord,
		envelope.TypeRecordUpdate:  s.receiveRecord,
		envelope.TypeRecordRetract: s.receiveRetract,
		envelope.TypeKeyRotate:     s.receiveRotation,
	}
	s.extend()
	return s
}

// Handle registers the inbox handler of an envelope type, replacing any.
func (s *Service) Handle(t envelope.Type, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[t] = h
}

func (s *Service) handler(t envelope.Type) (Handler, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.handlers[t]
	return h, ok
}

// MaxInbox is the inbox body limit in bytes.
func (s *Service) MaxInbox() int64 { return s.cfg.MaxInbox }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// ownerID names this process as a lease owner: host, pid and a random part.
func ownerID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// CreateIdentity generates the node's first Ed25519 key and stores it as
// the current key. It is what `liaison init` calls.
func CreateIdentity(ctx context.Context, st store.Store, actor string, now time.Time) (store.NodeKey, error) {
	k, err := identity.Generate()
	if err != nil {
		return store.NodeKey{}, err
	}
	nk, err := nodeKey(k, now)
	if err != nil {
		return store.NodeKey{}, err
	}
	ev := audit.Event{Actor: actor, Action: ActionKeyCreate, Target: nk.Fingerprint}
	if err := st.PutNodeKey(ctx, nk, ev); err != nil {
		return store.NodeKey{}, fmt.Errorf("store node key: %w", err)
	}
	return nk, nil
}

func nodeKey(k identity.Key, now time.Time) (store.NodeKey, error) {
	pem, err := identity.MarshalPrivate(k)
	if err != nil {
		return store.NodeKey{}, err
	}
	return store.NodeKey{Fingerprint: k.Fingerprint(), Private: pem, Public: identity.EncodePublic(k.Public),
		Created: now.UTC(), Current: true}, nil
}

// keys returns the node's signing key and every key by fingerprint.
func (s *Service) keys(ctx context.Context) (identity.Key, map[string]identity.Key, []store.NodeKey, error) {
	nks, err := s.cfg.Store.NodeKeys(ctx)
	if err != nil {
		return identity.Key{}, nil, nil, err
	}
	var cur identity.Key
	all := make(map[string]identity.Key, len(nks))
	for _, nk := range nks {
		k, err := identity.ParsePrivate(nk.Private)
		if err != nil {
			return identity.Key{}, nil, nil, fmt.Errorf("read node key %s: %w", nk.Fingerprint, err)
		}
		all[nk.Fingerprint] = k
		if nk.Current {
			cur = k
		}
	}
	if cur.Private == nil {
		return identity.Key{}, nil, nil, fault.E(fault.Unavailable, "node %s has no identity key: it was initialised before federation; run `liaison keys rotate` to create one", s.cfg.Node)
	}
	return cur, all, nks, nil
}

// NodeInfo is the document of GET /federation/v1/node.
type NodeInfo struct {
	Code        string            `json:"code"`
	PublicKey   string            `json:"public_key"`
	Fingerprint string            `json:"fingerprint"`
	Endpoints   map[string]string `json:"endpoints"`
	// Rotations are the signed rotation statements, oldest first, by which
	// the node moved from its first key to the current one.
	Rotations []string `json:"rotations"`
}

// Info returns the node's document, with its inbox under base (the URL it
// is reached at).
func (s *Service) Info(ctx context.Context, base string) (NodeInfo, error) {
	cur, _, nks, err := s.keys(ctx)
	if err != nil {
		return NodeInfo{}, err
	}
	info := NodeInfo{Code: s.cfg.Node, PublicKey: identity.EncodePublic(cur.Public), Fingerprint: cur.Fingerprint(),
		Endpoints: map[string]string{"inbox": strings.TrimRight(base, "/") + InboxPath}, Rotations: []string{}}
	for _, nk := range nks {
		if len(nk.Rotation) > 0 {
			info.Rotations = append(info.Rotations, string(nk.Rotation))
		}
	}
	return info, nil
}

// Paths of the federation endpoints.
const (
	NodePath  = "/federation/v1/node"
	InboxPath = "/federation/v1/inbox"
)

// RotateKey makes a new current key, keeps the old one for verifying, and
// enqueues a key.rotate envelope, signed by the old key, to every pinned
// peer, in one transaction with its audit event.
func (s *Service) RotateKey(ctx context.Context, actor string) (store.NodeKey, error) {
	old, _, _, err := s.keys(ctx)
	if err != nil {
		return store.NodeKey{}, err
	}
	next, err := identity.Generate()
	if err != nil {
		return store.NodeKey{}, err
	}
	now := s.now()
	stmt, err := identity.SignRotation(old, next, s.cfg.Node, now)
	if err != nil {
		return store.NodeKey{}, err
	}
	nk, err := nodeKey(next, now)
	if err != nil {
		return store.NodeKey{}, err
	}
	nk.Rotation = stmt
	ev := audit.Event{Actor: actor, Action: ActionKeyRotate, Target: nk.Fingerprint, Detail: "replaces " + old.Fingerprint()}
	if err := s.cfg.Store.PutNodeKey(ctx, nk, ev); err != nil {
		return store.NodeKey{}, fmt.Errorf("rotate key: %w", err)
	}
	peers, err := s.cfg.Store.Peers(ctx)
	if err != nil {
		return store.NodeKey{}, err
	}
	payload, err := envelope.NewPayload(envelope.RotatePayload{Statement: stmt})
	if err != nil {
		return store.NodeKey{}, err
	}
	var ds []store.Delivery
	for _, p := range peers {
		id, err := envelope.NewID(now)
		if err != nil {
			return store.NodeKey{}, err
		}
		ds = append(ds, store.Delivery{EnvelopeID: id, Peer: p.Code, Type: string(envelope.TypeKeyRotate),
			Payload: payload, SignKey: old.Fingerprint()})
	}
	if len(ds) > 0 {
		if _, err := s.Enqueue(ctx, ds, nil); err != nil {
			return store.NodeKey{}, err
		}
	}
	return nk, nil
}

// Enqueue writes outbox rows (with audit events) in one transaction and
// wakes the workers. It is the seam for other envelope types.
func (s *Service) Enqueue(ctx context.Context, ds []store.Delivery, evs []audit.Event) ([]store.Delivery, error) {
	out, err := s.cfg.Store.Share(ctx, ds, evs)
	if err != nil {
		return nil, err
	}
	s.Wake()
	return out, nil
}

// Wake tells idle workers to look for due deliveries now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pinnedKey returns the key pinned for node, for envelope.Policy.
func pinnedKeys(peers []store.Peer) func(string) (ed25519.PublicKey, bool) {
	m := make(map[string]ed25519.PublicKey, len(peers))
	for _, p := range peers {
		if pub, err := identity.ParsePublic(p.PublicKey); err == nil {
			m[p.Code] = pub
		}
	}
	return func(node string) (ed25519.PublicKey, bool) {
		pub, ok := m[node]
		return pub, ok
	}
}

// decisionDetail summarises a decision for the audit log.
func decisionDetail(to string, d agreement.Decision) string {
	if d.Allowed && d.Basis != nil {
		if d.Basis.Kind == agreement.BasisRegion {
			return fmt.Sprintf("allowed to %s through membership of WCO region %s", to, d.Basis.Region)
		}
		return fmt.Sprintf("allowed to %s under %s", to, d.Basis.Agreement)
	}
	var rules []string
	for _, r := range d.Failed() {
		rules = append(rules, r.Rule)
	}
	return fmt.Sprintf("refused to %s: %s not met", to, strings.Join(rules, ", "))
}
