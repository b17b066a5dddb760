package ui

import (
	"context"
	"sync"
	"time"
)

// submissions makes the form for a new record store it once however many
// times it is sent: a double click, a resend after a slow answer, the back
// button and "send again". Each form carries a random token; the first
// request with a token stores the record, the others wait for it and are
// sent to the record it stored. A first request that stores nothing (the
// form was refused) lets the next one try. Tokens are kept an hour, in
// memory, per session.
type submissions struct {
	mu sync.Mutex
	m  map[string]*submission
}

type submission struct {
	done chan struct{} // closed once the first request has finished
	id   string        // the record it stored, "" when it stored none
	at   time.Time
}

// submissionTTL is how long a token is remembered after its record was
// stored.
const submissionTTL = time.Hour

// maxSubmissions bounds the tokens remembered; the oldest go first.
const maxSubmissions = 10000

func newSubmissions() *submissions { return &submissions{m: map[string]*submission{}} }

// begin claims key for the caller and returns its submission, or waits
// for the request that claimed it and returns the record that one stored.
// With stored == "" the caller holds the claim and must call finish.
func (s *submissions) begin(ctx context.Context, key string, now time.Time) (sub *submission, stored string, err error) {
	for {
		s.mu.Lock()
		cur, ok := s.m[key]
		if !ok {
			s.prune(now)
			cur = &submission{done: make(chan struct{}), at: now}
			s.m[key] = cur
			s.mu.Unlock()
			return cur, "", nil
		}
		s.mu.Unlock()
		select {
		case <-cur.done:
		case <-ctx.Done():
			return nil, "", ctx.Err()
		}
		if cur.id != "" {
			return nil, cur.id, nil
		}
		// The first request stored nothing and let go of the key: try to
		// claim it.
	}
}

// finish records what the claimed submission stored (id, or "" for
// nothing, which forgets the key) and wakes those waiting for it.
func (s *submissions) finish(key string, sub *submission, id string) {
	s.mu.Lock()
	sub.id = id
	if id == "" && s.m[key] == sub {
		delete(s.m, key)
	}
	s.mu.Unlock()
	close(sub.done)
}

// prune forgets tokens stored more than submissionTTL ago, and the oldest
// ones beyond maxSubmissions. The caller holds mu.
func (s *submissions) prune(now time.Time) {
	if len(s.m) < maxSubmissions {
		return
	}
	var oldest string
	var oldestAt time.Time
	for k, sub := range s.m {
		if now.Sub(sub.at) > submissionTTL {
			delete(s.m, k)
			continue
		}
		if oldest == "" || sub.at.Before(oldestAt) {
			oldest, oldestAt = k, sub.at
		}
	}
	if len(s.m) >= maxSubmissions && oldest != "" {
		delete(s.m, oldest)
	}
}
