package web

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"liaison/internal/access"
	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/store"
)

// DefaultTokenCacheTTL is how long a successful token lookup is reused. It
// is short so that a disabled user loses access within seconds, yet long
// enough to spare the store a query on most requests of a busy client.
const DefaultTokenCacheTTL = 10 * time.Second

// maxTokenLen bounds what is hashed and looked up as a token.
const maxTokenLen = 512

// authenticate returns the user holding the request's bearer token. A
// missing, malformed or unknown token is an Unauthorized fault, and an
// auth.failed audit event records the remote address and the reason, never
// the token.
func (s *Server) authenticate(r *http.Request) (store.User, error) {
	token, reason := bearerToken(r)
	if reason != "" {
		return store.User{}, s.authFailed(r, reason)
	}
	hash := access.HashToken(token)
	if u, ok := s.tokens.get(hash, time.Now()); ok {
		return u, nil
	}
	u, err := s.store.UserByTokenHash(r.Context(), hash)
	switch {
	case fault.Is(err, fault.NotFound):
		return store.User{}, s.authFailed(r, "unknown token")
	case err != nil:
		return store.User{}, fault.Wrap(fault.Unavailable, err, "cannot check credentials now")
	case u.Disabled:
		return store.User{}, s.authFailed(r, "user disabled")
	}
	s.tokens.put(hash, u, time.Now())
	return u, nil
}

// bearerToken extracts the token of an "Authorization: Bearer TOKEN"
// header, or says why there is none.
func bearerToken(r *http.Request) (token, reason string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", "missing token"
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", "not a bearer token"
	}
	tok = strings.TrimSpace(tok)
	// The shape is not checked beyond length: tokens are opaque to the
	// server, which only compares hashes.
	if tok == "" || len(tok) > maxTokenLen {
		return "", "malformed token"
	}
	return tok, ""
}

// authFailed audits a failed authentication and returns the fault sent to
// the client.
func (s *Server) authFailed(r *http.Request, reason string) error {
	ev := audit.Event{Actor: "anonymous", Action: audit.ActionAuthFailed,
		Detail: "remote " + remoteIP(r) + ": " + reason}
	if _, err := s.store.Audit(r.Context(), ev); err != nil {
		s.log.ErrorContext(r.Context(), "audit failed authentication", slog.Any("err", err))
	}
	return fault.E(fault.Unauthorized, "authentication required: %s", reason)
}

// remoteIP is the address of the connection's peer. Forwarding headers are
// not trusted: a proxy in front of the node is not assumed.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tokenCache remembers recent successful token lookups by token hash. A nil
// *tokenCache caches nothing.
type tokenCache struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	entries map[string]cachedUser
}

type cachedUser struct {
	user    store.User
	expires time.Time
}

func newTokenCache(ttl time.Duration, max int) *tokenCache {
	return &tokenCache{ttl: ttl, max: max, entries: make(map[string]cachedUser)}
}

func (c *tokenCache) get(hash string, now time.Time) (store.User, bool) {
	if c == nil {
		return store.User{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok {
		return store.User{}, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, hash)
		return store.User{}, false
	}
	return e.user, true
}

func (c *tokenCache) put(hash string, u store.User, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[hash] = cachedUser{user: u, expires: now.Add(c.ttl)}
}
