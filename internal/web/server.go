// Package web serves the node's REST API under /api/v1 (DESIGN §4), its
// OpenAPI description at /api/openapi.json and Prometheus metrics at
// /metrics. Every route is declared once in a route table from which both the
// request multiplexer and the OpenAPI document are built, so the two cannot
// drift apart.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"liaison/internal/access"
	"liaison/internal/agreement"
	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/matching"
	"liaison/internal/records"
	"liaison/internal/sharing"
	"liaison/internal/store"
	"liaison/internal/web/httpstatus"
)

// DefaultMaxBody is the request body limit when Config.MaxBody is zero.
const DefaultMaxBody = 1 << 20

// Config is what a Server needs. Store, Records, Directory and Sharing are
// required.
type Config struct {
	// Node is the code of the administration running this node, e.g. "HK".
	Node      string
	Store     store.Store
	Records   *records.Service
	Directory *directory.Directory
	// Sharing serves the agreement registry, the sharing decision and
	// consents. Without it those routes answer 503 and administrations are
	// shown without agreements.
	Sharing *sharing.Service
	// Federation serves peers, sharing, deliveries and the federation
	// endpoints. Without it those routes answer 503.
	Federation *federation.Service
	// Matching serves record matches, entity search and the matching
	// administration. Without it those routes answer 503.
	Matching *matching.Service
	// Logger receives one line per request; slog.Default() when nil.
	Logger *slog.Logger
	// MaxBody bounds request bodies in bytes; DefaultMaxBody when zero.
	MaxBody int64
	// Version is the software version reported by health; taken from the
	// build information when empty.
	Version string
	// TokenCacheTTL is how long a successful token lookup is reused
	// without asking the store again; 0 means DefaultTokenCacheTTL and a
	// negative value disables the cache.
	TokenCacheTTL time.Duration
	// UI serves the officers' web interface: "/" and everything under
	// "/ui/". Without it those paths answer like any unknown route.
	UI http.Handler
}

// Server is the node's HTTP API. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	node      string
	store     store.Store
	records   *records.Service
	dir       *directory.Directory
	sharing   *sharing.Service
	fed       *federation.Service
	matching  *matching.Service
	log       *slog.Logger
	maxBody   int64
	version   string
	routes    []route
	mux       *http.ServeMux
	metrics   *metrics
	tokens    *tokenCache
	openapi   []byte
	startTime time.Time
	ui        http.Handler
}

// New builds a Server from cfg. It panics if the route table is
// inconsistent, which is a programming error caught by any test.
func New(cfg Config) *Server {
	s := &Server{
		node:      cfg.Node,
		store:     cfg.Store,
		records:   cfg.Records,
		dir:       cfg.Directory,
		sharing:   cfg.Sharing,
		fed:       cfg.Federation,
		matching:  cfg.Matching,
		log:       cfg.Logger,
		maxBody:   cfg.MaxBody,
		version:   cfg.Version,
		mux:       http.NewServeMux(),
		metrics:   newMetrics(),
		startTime: time.Now(),
		ui:        cfg.UI,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if m := s.matching; m != nil {
		s.metrics.watchMatching(func() (bool, int64) { st := m.State(); return st.Ready, st.RecordsRead })
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBody
	}
	if s.version == "" {
		s.version = buildVersion()
	}
	ttl := cfg.TokenCacheTTL
	if ttl == 0 {
		ttl = DefaultTokenCacheTTL
	}
	if ttl > 0 {
		s.tokens = newTokenCache(ttl, 4096)
	}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.key(), s.wrap(rt))
	}
	doc, err := openAPIDocument(s.routes, s.version)
	if err != nil {
		panic(fmt.Sprintf("web: build openapi document: %v", err))
	}
	s.openapi = doc
	return s
}

// buildVersion returns the main module's version from the build
// information, or "dev".
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// handlerFunc is a route handler. A returned error is sent as a JSON error
// response; a handler that returns nil has written its response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one entry of the route table: what is served and what the
// OpenAPI document says about it.
type route struct {
	method  string
	pattern string            // ServeMux path pattern, e.g. /api/v1/records/{id}
	perm    access.Permission // "" for public routes
	handler handlerFunc
	// For the OpenAPI document.
	id       string // operationId
	summary  string
	tag      string
	query    []param
	request  any    // sample request body type, nil if none
	optional bool   // the request body may be omitted
	status   int    // success status
	response any    // sample response body type, nil for non-JSON responses
	content  string // response media type when not JSON
	extra    []int  // error statuses beyond those implied by the route's shape
	// keyed says that the route takes an Idempotency-Key header.
	keyed bool
}

// param is a documented query parameter.
type param struct {
	name, typ, desc string
}

func (rt route) key() string { return rt.method + " " + rt.pattern }

// ServeHTTP routes the request. Requests no route matches get a JSON 404
// or 405 instead of the multiplexer's plain text.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.ui != nil && uiPath(r.URL.Path) {
		s.ui.ServeHTTP(w, r)
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.serveUnmatched(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// uiPath reports whether a path belongs to the web UI rather than to the
// API: the root and everything under /ui.
func uiPath(p string) bool {
	return p == "/" || p == "/ui" || strings.HasPrefix(p, "/ui/")
}

// serveUnmatched answers a request that matches no route, letting the
// multiplexer decide between 404 and 405 (and set Allow) but writing the
// body as a JSON error.
func (s *Server) serveUnmatched(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h, _ := s.mux.Handler(r)
	uw := &unmatchedWriter{ResponseWriter: w, method: r.Method, path: r.URL.Path}
	h.ServeHTTP(uw, r)
	s.observe(r, "unmatched", uw.status, start, "")
}

// unmatchedWriter replaces the multiplexer's plain-text 404 and 405 bodies
// by JSON errors, keeping the status and the Allow header.
type unmatchedWriter struct {
	http.ResponseWriter
	method, path string
	status       int
}

func (w *unmatchedWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	w.Header().Del("Content-Length")
	body := errorBody{Error: errorDetail{Code: string(fault.NotFound), Message: "no route for " + w.method + " " + w.path}}
	if code == http.StatusMethodNotAllowed {
		body.Error = errorDetail{Code: codeMethodNotAllowed,
			Message: fmt.Sprintf("method %s is not allowed here; allowed: %s", w.method, w.Header().Get("Allow"))}
	}
	writeJSON(w.ResponseWriter, code, body)
}

func (w *unmatchedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return len(b), nil
}

type ctxKey int

const userKey ctxKey = 0

// userFrom returns the authenticated user of a request; the zero User on
// public routes.
func userFrom(ctx context.Context) store.User {
	u, _ := ctx.Value(userKey).(store.User)
	return u
}

// wrap returns the handler served for rt: panic recovery, authentication
// and authorisation, error responses, metrics and the request log line.
func (s *Server) wrap(rt route) http.Handler {
	label := rt.key()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &httpstatus.Writer{ResponseWriter: w}
		role := ""
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "handler panic", slog.String("route", label),
					slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				if sw.Status == 0 {
					s.writeError(sw, r, fmt.Errorf("panic in %s: %v", label, v))
				}
			}
			s.observe(r, label, sw.Status, start, role)
		}()
		if rt.perm != "" {
			u, err := s.authenticate(r)
			if err != nil {
				s.writeError(sw, r, err)
				return
			}
			role = u.Role
			if !access.Allowed(u.Role, rt.perm) {
				s.writeError(sw, r, fault.E(fault.Forbidden, "role %s may not %s", u.Role, access.Describe(rt.perm)))
				return
			}
			r = r.WithContext(records.WithViewer(context.WithValue(r.Context(), userKey, u), u))
			// Query parameters other than the route's, and any given
			// more than once, are refused by name: a filter misspelt or
			// repeated would otherwise be dropped, and the answer would
			// not be the one asked for.
			if err := checkQuery(r, rt.query); err != nil {
				s.writeError(sw, r, err)
				return
			}
			if err := checkKeyHeader(r, rt); err != nil {
				s.writeError(sw, r, err)
				return
			}
			if err := s.checkRecordVisible(r, rt); err != nil {
				s.writeError(sw, r, err)
				return
			}
		}
		if err := rt.handler(sw, r); err != nil {
			s.writeError(sw, r, err)
		}
	})
}

// observe records metrics and writes the request log line. It logs neither
// bodies, nor names, nor query strings.
func (s *Server) observe(r *http.Request, label string, status int, start time.Time, role string) {
	if status == 0 {
		status = http.StatusOK
	}
	d := time.Since(start)
	s.metrics.observe(label, status, d)
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("route", label),
		slog.Int("status", status),
		slog.Duration("duration", d),
	}
	if role != "" {
		attrs = append(attrs, slog.String("role", role))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

// Routes lists the served routes as "METHOD /pattern", in table order.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.key()
	}
	return out
}

// routeTable is the single declaration of every route.
func (s *Server) routeTable() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/health", handler: s.health, tag: "node",
			id: "getHealth", summary: "Liveness, node code, software version and record count",
			status: 200, response: healthResponse{}},
		{method: "GET", pattern: "/api/openapi.json", handler: s.serveOpenAPI, tag: "node",
			id: "getOpenAPI", summary: "This OpenAPI document",
			status: 200, content: "application/json"},
		{method: "GET", pattern: "/metrics", handler: s.serveMetrics, tag: "node",
			id: "getMetrics", summary: "Prometheus metrics: request counts and latency by route pattern and status",
			status: 200, content: "text/plain"},

		{method: "GET", pattern: "/api/v1/directory/regions", perm: access.PermDirectoryRead, handler: s.listRegions,
			tag: "directory", id: "listRegions", summary: "WCO regions with their RILOs",
			status: 200, response: regionsResponse{}},
		{method: "GET", pattern: "/api/v1/directory/administrations", perm: access.PermDirectoryRead, handler: s.listAdministrations,
			tag: "directory", id: "listAdministrations", summary: "Customs administrations, optionally of one WCO region",
			query:  []param{{"region", "string", "WCO region code"}},
			status: 200, response: administrationsResponse{}},
		{method: "GET", pattern: "/api/v1/directory/administrations/{code}", perm: access.PermDirectoryRead, handler: s.getAdministration,
			tag: "directory", id: "getAdministration", summary: "One administration with its profile, roles, timeline, agreements in force and partners with the basis for each",
			status: 200, response: administrationResponse{}},
		{method: "GET", pattern: "/api/v1/directory/codes/{list}", perm: access.PermDirectoryRead, handler: s.getCodeList,
			tag: "directory", id: "getCodeList",
			summary: "A code list: " + strings.Join(codeListNames(), ", "),
			status:  200, response: codeListResponse{}},

		{method: "POST", pattern: "/api/v1/records", perm: access.PermRecordWrite, handler: s.createRecord,
			tag: "records", id: "createRecord", summary: "Create a record; the server assigns id, originator, version, times and status. With an Idempotency-Key, the same request sent again returns the record the first created (Idempotent-Replay: true)",
			request: recordBody{}, status: 201, response: recordResponse{}, keyed: true, extra: []int{409}},
		{method: "GET", pattern: "/api/v1/records", perm: access.PermRecordRead, handler: s.listRecords,
			tag: "records", id: "listRecords", summary: "Search records, newest first, with cursor pagination",
			query: []param{
				{"kind", "string", "record kind"},
				{"category", "string", "commodity category or section, e.g. drugs or drugs/cocaine"},
				{"q", "string", "words searched in the record's free text"},
				{"from", "string", "earliest event date, YYYY-MM-DD"},
				{"to", "string", "latest event date, YYYY-MM-DD"},
				{"originator", "string", "originating administration code"},
				{"status", "string", "active or retracted"},
				{"cursor", "string", "the next value of the previous page"},
				{"limit", "integer", "page size, 1 to 1000 (default 50)"},
			},
			status: 200, response: listResponse{}},
		{method: "GET", pattern: "/api/v1/records/{id}", perm: access.PermRecordRead, handler: s.getRecord,
			tag: "records", id: "getRecord", summary: "The latest version of a record",
			status: 200, response: recordBody{}},
		{method: "PUT", pattern: "/api/v1/records/{id}", perm: access.PermRecordWrite, handler: s.updateRecord,
			tag: "records", id: "updateRecord", summary: "Store a new version of a record this node originated; a non-zero version must be the current one",
			request: recordBody{}, status: 200, response: recordResponse{}, extra: []int{409}},
		{method: "GET", pattern: "/api/v1/records/{id}/versions", perm: access.PermRecordRead, handler: s.listVersions,
			tag: "records", id: "listRecordVersions", summary: "Every version of a record, oldest first",
			status: 200, response: versionsResponse{}},
		{method: "GET", pattern: "/api/v1/records/{id}/versions/{n}", perm: access.PermRecordRead, handler: s.getVersion,
			tag: "records", id: "getRecordVersion", summary: "One version of a record",
			status: 200, response: recordBody{}},
		{method: "POST", pattern: "/api/v1/records/{id}/retract", perm: access.PermRecordWrite, handler: s.retractRecord,
			tag: "records", id: "retractRecord", summary: "Retract a record this node originated (a new version with status retracted)",
			request: retractRequest{}, optional: true, status: 200, response: recordBody{}, extra: []int{409}},

		{method: "GET", pattern: "/api/v1/records/{id}/decision", perm: access.PermRecordRead, handler: s.needSharing(s.decideRecord),
			tag: "sharing", id: "decideRecord",
			summary: "May this node give the record to a recipient now? The answer, its legal basis and every rule checked as a sentence; the question is audited",
			query:   []param{{"recipient", "string", "administration code (e.g. JP) or RILO id (e.g. RILO-AP)"}},
			status:  200, response: decisionResponse{}},
		{method: "POST", pattern: "/api/v1/records/{id}/consents", perm: access.PermConsent, handler: s.needSharing(s.createConsent),
			tag: "sharing", id: "createConsent",
			summary: "Record the originator's consent to pass a received record on to a recipient (or * for any); audited",
			request: consentRequest{}, status: 201, response: consentBody{}},
		{method: "GET", pattern: "/api/v1/records/{id}/consents", perm: access.PermRecordRead, handler: s.needSharing(s.listConsents),
			tag: "sharing", id: "listConsents", summary: "The originators' consents on file for a record, oldest first",
			status: 200, response: consentsResponse{}},

		{method: "GET", pattern: "/api/v1/agreements", perm: access.PermDirectoryRead, handler: s.needSharing(s.listAgreements),
			tag: "agreements", id: "listAgreements", summary: "The agreement registry, optionally only the agreements a party is in today",
			query:  []param{{"party", "string", "administration, bloc or RILO code; bloc members count as parties"}},
			status: 200, response: agreementsResponse{}},
		{method: "GET", pattern: "/api/v1/agreements/{id}", perm: access.PermDirectoryRead, handler: s.needSharing(s.getAgreement),
			tag: "agreements", id: "getAgreement", summary: "One agreement, with what its source does not state listed in unknown",
			status: 200, response: agreement.Agreement{}},
		{method: "POST", pattern: "/api/v1/agreements", perm: access.PermAgreementWrite, handler: s.needSharing(s.createAgreement),
			tag: "agreements", id: "createAgreement", summary: "Add an agreement to the registry; audited",
			request: agreementRequest{}, status: 201, response: agreement.Agreement{}, extra: []int{409}},

		{method: "POST", pattern: "/api/v1/records/{id}/share", perm: access.PermShare, handler: s.needFed(s.shareRecord),
			tag: "federation", id: "shareRecord",
			summary: "Decide for each recipient and queue a signed delivery to each allowed recipient with a pinned peer; decisions and queueing are one audited transaction",
			request: shareRequest{}, status: 200, response: shareResponse{}},
		{method: "GET", pattern: "/api/v1/deliveries", perm: access.PermRecordRead, handler: s.needFed(s.listDeliveries),
			tag: "federation", id: "listDeliveries", summary: "Per-recipient delivery state of envelopes (queued, delivered, refused, failed, dead), in id order, with cursor pagination; only those of records the user may see",
			query: []param{
				{"record", "string", "only the deliveries of this record id"},
				{"cursor", "string", "the next value of the previous page"},
				{"limit", "integer", "page size, 1 to 1000 (default 50)"},
			},
			status: 200, response: deliveriesResponse{}, extra: []int{404}},
		{method: "POST", pattern: "/api/v1/deliveries/{id}/retry", perm: access.PermPeerManage, handler: s.needFed(s.retryDelivery),
			tag: "federation", id: "retryDelivery", summary: "Put a dead, failed or refused delivery back in the queue",
			status: 200, response: deliveryBody{}, extra: []int{409}},
		{method: "GET", pattern: "/api/v1/peers", perm: access.PermDirectoryRead, handler: s.needFed(s.listPeers),
			tag: "federation", id: "listPeers", summary: "Pinned peers with state, last contact, last error and queued count",
			status: 200, response: peersResponse{}},
		{method: "POST", pattern: "/api/v1/peers", perm: access.PermPeerManage, handler: s.needFed(s.addPeer),
			tag: "federation", id: "addPeer", summary: "Fetch a node's document and pin it if its fingerprint is the one given",
			request: peerRequest{}, status: 201, response: peerBody{}},
		{method: "GET", pattern: "/api/v1/records/{id}/receipts", perm: access.PermRecordRead, handler: s.needFed(s.listReceipts),
			tag: "federation", id: "listReceipts", summary: "Envelopes of a record this node accepted: originator, signing key and the relays (via) it came through",
			query:  []param{{"signed", "boolean", "true: each receipt also carries the envelope as its sender signed it (an audited read of the record)"}},
			status: 200, response: receiptsResponse{}},
		{method: "POST", pattern: "/api/v1/records/{id}/feedback", perm: access.PermShare, handler: s.needFed(s.giveFeedback),
			tag: "loops", id: "giveFeedback", summary: "Answer a partner's warning: create a feedback record and send it back to the warning's originator",
			request: federation.FeedbackInput{}, status: 201, response: loopResponse{}},
		{method: "GET", pattern: "/api/v1/records/{id}/feedback", perm: access.PermRecordRead, handler: s.needFed(s.listFeedback),
			tag: "loops", id: "listFeedback", summary: "The feedback records held that answer a warning, oldest first",
			status: 200, response: feedbackResponse{}},
		{method: "POST", pattern: "/api/v1/requests", perm: access.PermShare, handler: s.needFed(s.createRequest),
			tag: "loops", id: "createRequest", summary: "Create a request for assistance (requesting, requested, agreement, deadline) and send it to the requested administration. With an Idempotency-Key, the same request sent again returns the request the first created (Idempotent-Replay: true)",
			request: recordBody{}, status: 201, response: loopResponse{}, keyed: true, extra: []int{409}},
		{method: "GET", pattern: "/api/v1/requests", perm: access.PermRecordRead, handler: s.needFed(s.listRequests),
			tag: "loops", id: "listRequests", summary: "Requests for assistance sent and received with their state (sent, acknowledged, answered, declined, overdue)",
			query:  []param{{"state", "string", "only requests in this state"}},
			status: 200, response: requestsResponse{}},
		{method: "POST", pattern: "/api/v1/records/{id}/answer", perm: access.PermShare, handler: s.needFed(s.answerRequest),
			tag: "loops", id: "answerRequest", summary: "Answer a request for assistance received: create a response record (answered or partial) and send it back",
			request: federation.AnswerInput{}, status: 201, response: loopResponse{}, extra: []int{409}},
		{method: "POST", pattern: "/api/v1/records/{id}/decline", perm: access.PermShare, handler: s.needFed(s.declineRequest),
			tag: "loops", id: "declineRequest", summary: "Decline a request for assistance received, with the reason, sent back as a response record",
			request: declineRequest{}, status: 201, response: loopResponse{}, extra: []int{409}},
		{method: "GET", pattern: "/api/v1/rilo/statistics", perm: access.PermRecordRead, handler: s.needFed(s.riloStatistics),
			tag: "rilo", id: "riloStatistics", summary: "A RILO's regional statistics of what passed through it: records by originator, kind, category and month, relays by state",
			status: 200, response: federation.Statistics{}},
		{method: "GET", pattern: "/federation/v1/node", handler: s.needFed(s.nodeDocument),
			tag: "federation", id: "getNodeDocument", summary: "This node's code, public key, fingerprint, endpoints and key rotations",
			status: 200, response: federation.NodeInfo{}},
		{method: "POST", pattern: "/federation/v1/inbox", handler: s.needFed(s.inbox),
			tag: "federation", id: "postInbox",
			summary: "One signed envelope (compact JWS) or a JSON array of them; answers accepted, duplicate or refused per envelope, signed, after storing",
			request: []string{}, status: 200, response: inboxResponse{}, extra: []int{413}},

		{method: "GET", pattern: "/api/v1/records/{id}/matches", perm: access.PermRecordRead, handler: s.needMatching(s.recordMatches),
			tag: "matching", id: "listRecordMatches",
			summary: "Links cross-matching found between the record's entities and those of other records the user may see, best first, each with its score and reasons; audited",
			status:  200, response: matchesResponse{}},
		{method: "GET", pattern: "/api/v1/entities/search", perm: access.PermRecordRead, handler: s.needMatching(s.searchEntities),
			tag: "matching", id: "searchEntities",
			summary: "Ad-hoc screening: entities of records the user may see matching a name or identifier, best first, only at or above the match threshold (or min_score); an empty list means no match; audited",
			query: []param{
				{"name", "string", "the name, or the identifier for an identifier type (required)"},
				{"type", "string", "person, organisation, vessel, container, vehicle, flight, address, phone, email or document; persons and organisations when empty"},
				{"country", "string", "a person's nationality or an organisation's country, ISO 3166 alpha-2"},
				{"birth_date", "string", "a person's birth date, YYYY-MM-DD"},
				{"limit", "integer", "at most this many results, 1 to 100 (default 10)"},
				{"min_score", "number", "lowest score returned, above 0 and at most 1 (default the match threshold)"},
			},
			status: 200, response: searchResponse{}},
		{method: "GET", pattern: "/api/v1/matching/overcorrelated", perm: access.PermMatchManage, handler: s.needMatching(s.listOvercorrelated),
			tag: "matching", id: "listOvercorrelated",
			summary: "Administrators only: values and names shared by too many records, no longer used to link them, most shared first",
			status:  200, response: overcorrelatedResponse{}},
		{method: "GET", pattern: "/api/v1/matching/exclusions", perm: access.PermMatchManage, handler: s.needMatching(s.listExclusions),
			tag: "matching", id: "listMatchExclusions", summary: "Administrators only: values excluded from matching, with who excluded them, when and why",
			status: 200, response: exclusionsResponse{}},
		{method: "POST", pattern: "/api/v1/matching/exclusions", perm: access.PermMatchManage, handler: s.needMatching(s.createExclusion),
			tag: "matching", id: "createMatchExclusion",
			summary: "Administrators only: stop a value (an identifier, or a whole name) from linking records, at once and after restarts; audited",
			request: exclusionRequest{}, status: 201, response: exclusionBody{}, extra: []int{409}},
		{method: "DELETE", pattern: "/api/v1/matching/exclusions/{id}", perm: access.PermMatchManage, handler: s.needMatching(s.deleteExclusion),
			tag: "matching", id: "deleteMatchExclusion",
			summary: "Administrators only: remove an exclusion; the index is rebuilt in the background, until then the value stays excluded; audited",
			status:  204},

		{method: "GET", pattern: "/api/v1/users", perm: access.PermUserManage, handler: s.listUsers,
			tag: "users", id: "listUsers", summary: "Users of this node",
			status: 200, response: usersResponse{}},
		{method: "POST", pattern: "/api/v1/users", perm: access.PermUserManage, handler: s.createUser,
			tag: "users", id: "createUser", summary: "Create a user; the response carries its token, which is never shown again",
			request: createUserRequest{}, status: 201, response: createUserResponse{}, extra: []int{409}},

		{method: "GET", pattern: "/api/v1/audit", perm: access.PermAuditRead, handler: s.listAudit,
			tag: "audit", id: "listAudit", summary: "Audit entries in sequence order",
			query: []param{
				{"from", "string", "earliest time, RFC 3339 or YYYY-MM-DD"},
				{"to", "string", "latest time, RFC 3339 or YYYY-MM-DD (the whole day)"},
				{"after", "integer", "only entries with a greater sequence number"},
				{"limit", "integer", "at most this many entries, 1 to 1000 (default 100)"},
			},
			status: 200, response: auditResponse{}},
		{method: "GET", pattern: "/api/v1/audit/verify", perm: access.PermAuditRead, handler: s.verifyAudit,
			tag: "audit", id: "verifyAudit", summary: "Verify the hash chain of the whole audit log",
			status: 200, response: verifyResponse{}},
	}
}

// healthResponse is the body of GET /api/v1/health.
type healthResponse struct {
	Status  string `json:"status"`
	Node    string `json:"node"`
	Version string `json:"version"`
	Records int64  `json:"records"`
	// MatchIndex is left out on a server without cross-matching.
	MatchIndex *matchIndexHealth `json:"match_index,omitempty"`
}

// matchIndexHealth says whether the match index is built ("ready") or
// being built from the store ("building", with the records read so far).
type matchIndexHealth struct {
	State       string `json:"state"`
	RecordsRead *int64 `json:"records_read,omitempty"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	n, err := s.store.CountRecords(r.Context())
	if err != nil {
		return fault.Wrap(fault.Unavailable, err, "store unavailable")
	}
	h := healthResponse{Status: "ok", Node: s.node, Version: s.version, Records: n}
	if s.matching != nil {
		h.MatchIndex = &matchIndexHealth{State: "ready"}
		if st := s.matching.State(); !st.Ready {
			h.MatchIndex = &matchIndexHealth{State: "building", RecordsRead: &st.RecordsRead}
		}
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(s.openapi)
	if err != nil {
		s.log.DebugContext(r.Context(), "write openapi document", slog.Any("err", err))
	}
	return nil
}

// checkQuery refuses a query string that does not parse, a parameter
// that is not one of ps and one given more than once, naming it.
func checkQuery(r *http.Request, ps []param) error {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return fault.E(fault.Invalid, "malformed query string: %v", err)
	}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names)
	var errs fault.List
	for _, name := range names {
		known := slices.ContainsFunc(ps, func(p param) bool { return p.name == name })
		switch {
		case !known && len(ps) == 0:
			errs = append(errs, fault.Field(name, "unknown parameter; this route takes none"))
		case !known:
			errs = append(errs, fault.Field(name, "unknown parameter; this route takes %s", paramNames(ps)))
		case len(v[name]) > 1:
			errs = append(errs, fault.Field(name, "is given %d times; give it once", len(v[name])))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkKeyHeader refuses a malformed Idempotency-Key on a route that takes
// one, and the header on any other POST: a client relying on it would
// otherwise create twice what it meant to create once.
func checkKeyHeader(r *http.Request, rt route) error {
	if rt.keyed {
		_, _, err := idempotencyKey(r)
		return err
	}
	if r.Method != http.MethodPost || len(r.Header.Values(records.KeyField)) == 0 {
		return nil
	}
	return fault.Field(records.KeyField, "is not taken by POST %s, which would not honour it; only POST /api/v1/records and POST /api/v1/requests take it", rt.pattern)
}

// paramNames lists the names of ps, separated by commas.
func paramNames(ps []param) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.name
	}
	return strings.Join(names, ", ")
}

// checkRecordVisible answers "not found" for a route about a record (its
// sub-resources under /records/{id}/, or ?record= on a listing) when the
// user may not see that record, so that no route reveals a hidden record.
// The record routes themselves are checked by the records service.
func (s *Server) checkRecordVisible(r *http.Request, rt route) error {
	if strings.Contains(rt.pattern, "/records/{id}/") {
		return s.records.CheckVisible(r.Context(), r.PathValue("id"))
	}
	if id := r.URL.Query().Get("record"); id != "" && r.Method == http.MethodGet {
		return s.records.CheckVisible(r.Context(), id)
	}
	return nil
}
