package federation

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"liaison/internal/federation/envelope"
	"liaison/internal/federation/identity"
	"liaison/internal/store"
)

func TestBackoff(t *testing.T) {
	base, cap := time.Second, 10*time.Minute
	tests := []struct {
		name string
		n    int
		u    float64
		want time.Duration
	}{
		{"first retry, top of the range", 1, 0.999999, 999999 * time.Microsecond},
		{"first retry, bottom of the range", 1, 0, 0},
		{"second retry doubles the ceiling", 2, 0.5, time.Second},
		{"fifth retry", 5, 0.5, 8 * time.Second},
		{"ceiling below the cap", 10, 0.5, 256 * time.Second},
		{"ceiling reaches the cap", 11, 0.5, 5 * time.Minute},
		{"far beyond the cap", 60, 0.5, 5 * time.Minute},
		{"attempt 0 counts as the first", 0, 0.5, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Backoff(tt.n, base, cap, tt.u); got != tt.want {
				t.Errorf("Backoff(%d, u=%v) = %v, want %v", tt.n, tt.u, got, tt.want)
			}
		})
	}
	t.Run("full jitter stays within [0, min(cap, base·2^(n-1)))", func(t *testing.T) {
		for n := 1; n <= 30; n++ {
			ceil := min(cap, base<<(n-1))
			for _, u := range []float64{0, 0.1, 0.5, 0.9, 0.999999} {
				d := Backoff(n, base, cap, u)
				if d < 0 || d >= ceil {
					t.Fatalf("Backoff(%d, u=%v) = %v, outside [0, %v)", n, u, d, ceil)
				}
			}
		}
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 10, 14, 9, 30, 0, 0, time.UTC)
	at := now.Add(90 * time.Second)
	tests := []struct {
		name   string
		status int
		header string
		want   time.Time
	}{
		{"seconds on 503", http.StatusServiceUnavailable, "120", now.Add(2 * time.Minute)},
		{"seconds on 429", http.StatusTooManyRequests, "5", now.Add(5 * time.Second)},
		{"HTTP date on 503", http.StatusServiceUnavailable, at.Format(http.TimeFormat), at},
		{"ignored on 500", http.StatusInternalServerError, "120", time.Time{}},
		{"absent", http.StatusServiceUnavailable, "", time.Time{}},
		{"unreadable", http.StatusServiceUnavailable, "soon", time.Time{}},
		{"negative", http.StatusServiceUnavailable, "-3", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{}}
			if tt.header != "" {
				resp.Header.Set("Retry-After", tt.header)
			}
			if got := retryAfter(resp, now); !got.Equal(tt.want) {
				t.Errorf("retryAfter(%d %q) = %v, want %v", tt.status, tt.header, got, tt.want)
			}
		})
	}
}

func TestFail(t *testing.T) {
	now := time.Date(2026, 10, 14, 9, 30, 0, 0, time.UTC)
	s := &Service{cfg: Config{Now: func() time.Time { return now }, DeadAfter: 3 * 24 * time.Hour,
		BackoffBase: time.Second, BackoffCap: 10 * time.Minute}}
	t.Run("retried with backoff before N days", func(t *testing.T) {
		d := store.Delivery{ID: 1, Attempts: 3, Created: now.Add(-3*24*time.Hour + time.Minute)}
		o := s.fail(d, "peer unreachable", time.Time{})
		if o.State != store.DeliveryFailed || o.Error != "peer unreachable" {
			t.Fatalf("outcome = %+v, want failed with the error", o)
		}
		if o.NextAttempt.Before(now) || !o.NextAttempt.Before(now.Add(8*time.Second)) {
			t.Errorf("next attempt %v, want within the 4th retry's 8 s", o.NextAttempt.Sub(now))
		}
	})
	t.Run("dead after N days", func(t *testing.T) {
		d := store.Delivery{ID: 1, Attempts: 300, Created: now.Add(-3 * 24 * time.Hour)}
		if o := s.fail(d, "peer unreachable", time.Time{}); o.State != store.DeliveryDead || o.Error != "peer unreachable" {
			t.Errorf("outcome = %+v, want dead with the last error", o)
		}
	})
	t.Run("Retry-After is a floor", func(t *testing.T) {
		d := store.Delivery{ID: 1, Attempts: 0, Created: now}
		nb := now.Add(time.Hour)
		if o := s.fail(d, "busy", nb); !o.NextAttempt.Equal(nb) {
			t.Errorf("next attempt %v, want the Retry-After time %v", o.NextAttempt, nb)
		}
	})
}

func TestFailAllBacksOffThePeerAsAWhole(t *testing.T) {
	now := time.Date(2026, 10, 14, 9, 30, 0, 0, time.UTC)
	s := &Service{cfg: Config{Now: func() time.Time { return now }, DeadAfter: 3 * 24 * time.Hour,
		BackoffBase: time.Second, BackoffCap: 10 * time.Minute, ProbeCap: 5 * time.Second}}
	ds := []store.Delivery{
		{ID: 1, Attempts: 30, Created: now.Add(-time.Hour)},
		{ID: 2, Attempts: 0, Created: now},
		{ID: 3, Attempts: 1, Created: now.Add(-3 * 24 * time.Hour)},
	}
	t.Run("one next attempt for every row, within the probe cap", func(t *testing.T) {
		outs := s.failAll(ds, "peer unreachable", time.Time{})
		next := outs[0].NextAttempt
		if next.Before(now) || !next.Before(now.Add(5*time.Second)) {
			t.Errorf("next attempt in %v, want within the 5 s cap", next.Sub(now))
		}
		for _, o := range outs[:2] {
			if o.State != store.DeliveryFailed || !o.NextAttempt.Equal(next) || o.Error != "peer unreachable" {
				t.Errorf("outcome %+v, want failed at %v like the others", o, next)
			}
		}
		if outs[2].State != store.DeliveryDead {
			t.Errorf("row failing for DeadAfter: %+v, want dead", outs[2])
		}
		if got := store.PeerRetry(now, outs); !got.Equal(next) {
			t.Errorf("peer retried at %v, want %v", got, next)
		}
	})
	t.Run("Retry-After is a floor", func(t *testing.T) {
		nb := now.Add(time.Hour)
		for _, o := range s.failAll(ds[:2], "busy", nb) {
			if !o.NextAttempt.Equal(nb) {
				t.Errorf("next attempt %v, want the Retry-After time %v", o.NextAttempt, nb)
			}
		}
	})
}

// TestPostNamesWhatIsWrongWithTheAnswer posts one envelope to peers that
// answer badly and checks that every row fails, to be tried again, with an
// error that says what was wrong with the answer.
func TestPostNamesWhatIsWrongWithTheAnswer(t *testing.T) {
	now := time.Now().UTC()
	peerKey, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	self, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	id, err := envelope.NewID(now)
	if err != nil {
		t.Fatal(err)
	}
	// answerWith signs results as the peer's answer to the body posted.
	answerWith := func(results ...envelope.Result) func(body []byte) []byte {
		return func(body []byte) []byte {
			p, err := envelope.NewPayload(envelope.ResultsPayload{Batch: envelope.BatchDigest(body), Results: results})
			if err != nil {
				t.Fatal(err)
			}
			rid, err := envelope.NewID(now)
			if err != nil {
				t.Fatal(err)
			}
			signed, err := envelope.Sign(peerKey, envelope.Envelope{ID: rid, Type: envelope.TypeResults, From: "JP", Created: now, Payload: p})
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(envelope.Response{Results: results, Signed: string(signed)})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	tests := []struct {
		name   string
		answer func(body []byte) []byte
		want   string
	}{
		{"not JSON", func([]byte) []byte { return []byte("<html>proxy error</html>") }, "peer's answer does not read: invalid character '<'"},
		{"too few results", func([]byte) []byte { return []byte(`{"results":[],"signed":""}`) }, "peer's answer has 0 results for the 1 envelopes posted"},
		{"signed status that is none", answerWith(envelope.Result{ID: id, Status: "maybe"}), `results[0].status: "maybe" is not accepted, duplicate or refused`},
		{"signed refusal without reason", answerWith(envelope.Result{ID: id, Status: envelope.Refused}), "results[0].reason: a refusal gives its reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					t.Error(err)
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write(tt.answer(body))
			}))
			defer srv.Close()
			s := &Service{cfg: Config{Node: "HK", Client: srv.Client(), Now: func() time.Time { return now }, DeadAfter: 24 * time.Hour,
				BackoffBase: time.Second, BackoffCap: time.Minute, ProbeCap: 5 * time.Second}}
			p, err := envelope.NewPayload(envelope.RetractPayload{RecordID: id, Version: 2})
			if err != nil {
				t.Fatal(err)
			}
			signed, err := envelope.Sign(self, envelope.Envelope{ID: id, Type: envelope.TypeRecordRetract, From: "HK", To: []string{"JP"}, Created: now, Payload: p})
			if err != nil {
				t.Fatal(err)
			}
			sent := []store.Delivery{{ID: 1, EnvelopeID: id, Peer: "JP", Created: now}}
			outs, msg, _ := s.post(context.Background(), store.Peer{Code: "JP", URL: srv.URL}, peerKey.Public, [][]byte{signed}, sent)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want it to say %q", msg, tt.want)
			}
			if len(outs) != 1 || outs[0].State != store.DeliveryFailed || outs[0].Error != msg {
				t.Fatalf("outcomes %+v, want the row failed with the error", outs)
			}
		})
	}
}
