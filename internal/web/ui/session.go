package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Cookie names.
const (
	sessionCookie = "liaison_session"
	loginCookie   = "liaison_login"
	langCookie    = "liaison_lang"
)

// session is one signed-in browser. It holds the hash of the token the
// officer signed in with, never the token, so that every request finds the
// user again in the store and a disabled user loses access at once.
type session struct {
	tokenHash string
	csrf      string
	expires   time.Time
}

// sessions keeps sessions in memory: they end when the node restarts, and
// logging out ends one for good. Replicas behind a load balancer do not
// share them, so sessions need sticky routing there.
type sessions struct {
	ttl time.Duration
	max int

	mu sync.Mutex
	m  map[string]session
}

func newSessions(ttl time.Duration, max int) *sessions {
	return &sessions{ttl: ttl, max: max, m: map[string]session{}}
}

// randomToken returns 32 random bytes in unpadded base64url.
func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// create starts a session for a token hash and returns its id.
func (s *sessions) create(tokenHash string, now time.Time) (string, session, error) {
	id, err := randomToken()
	if err != nil {
		return "", session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", session{}, err
	}
	ss := session{tokenHash: tokenHash, csrf: csrf, expires: now.Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= s.max {
		for k, v := range s.m {
			if !now.Before(v.expires) {
				delete(s.m, k)
			}
		}
		if len(s.m) >= s.max {
			// Rather than grow without bound, end the session closest to
			// expiry.
			var oldest string
			for k, v := range s.m {
				if oldest == "" || v.expires.Before(s.m[oldest].expires) {
					oldest = k
				}
			}
			delete(s.m, oldest)
		}
	}
	s.m[id] = ss
	return id, ss, nil
}

// get returns a live session and extends it: the lifetime is counted from
// the last request.
func (s *sessions) get(id string, now time.Time) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.m[id]
	if !ok {
		return session{}, false
	}
	if !now.Before(ss.expires) {
		delete(s.m, id)
		return session{}, false
	}
	ss.expires = now.Add(s.ttl)
	s.m[id] = ss
	return ss, true
}

func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// sameToken compares two secrets in constant time; an empty one never
// matches.
func sameToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// cookie returns a cookie the UI sets: HttpOnly, SameSite=Strict, and
// Secure when the request came over TLS.
func cookie(r *http.Request, name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
}
