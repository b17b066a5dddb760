package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"liaison/internal/access"
	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/store"
)

// userInfo is a user as the API shows it; the token hash never leaves the
// server.
type userInfo struct {
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	Created  time.Time `json:"created"`
	Disabled bool      `json:"disabled,omitempty"`
	// Operations are the operations the user is a member of.
	Operations []string `json:"operations,omitempty"`
}

type usersResponse struct {
	Users []userInfo `json:"users"`
}

type createUserRequest struct {
	Name       string   `json:"name"`
	Role       string   `json:"role"`
	Operations []string `json:"operations,omitempty"`
}

// createUserResponse carries the new user's token: the only time it is
// ever shown.
type createUserResponse struct {
	Name       string   `json:"name"`
	Role       string   `json:"role"`
	Operations []string `json:"operations,omitempty"`
	Token      string   `json:"token"`
}

// maxUserName bounds user names.
const maxUserName = 64

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	out := usersResponse{Users: make([]userInfo, len(us))}
	for i, u := range us {
		out.Users[i] = userInfo{Name: u.Name, Role: u.Role, Created: u.Created, Disabled: u.Disabled, Operations: u.Operations}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var req createUserRequest
	if err := decodeBody(w, r, s.maxBody, &req); err != nil {
		return err
	}
	if err := checkUserName(req.Name); err != nil {
		return err
	}
	if !access.ValidRole(req.Role) {
		return fault.Field("role", "must be one of %s", strings.Join(access.Roles(), ", "))
	}
	ops, err := checkOperations(req.Operations)
	if err != nil {
		return err
	}
	token, err := access.GenerateToken()
	if err != nil {
		return err
	}
	u := store.User{Name: req.Name, Role: req.Role, TokenHash: access.HashToken(token),
		Created: time.Now().UTC().Truncate(time.Millisecond), Operations: ops}
	detail := "role " + req.Role
	if len(ops) > 0 {
		detail += fmt.Sprintf("; %d operations", len(ops))
	}
	ev := audit.Event{Actor: userFrom(r.Context()).Name, Action: audit.ActionUserCreate, Target: req.Name,
		Detail: detail}
	if err := s.store.CreateUser(r.Context(), u, ev); err != nil {
		if fault.Is(err, fault.Conflict) {
			return &fault.Error{Kind: fault.Conflict, Field: "name", Message: "a user with this name exists", Err: err}
		}
		return err
	}
	writeJSON(w, http.StatusCreated, createUserResponse{Name: u.Name, Role: u.Role, Operations: u.Operations, Token: token})
	return nil
}

// checkUserName accepts 1 to 64 letters, digits and . _ - @ characters,
// enough for account names and e-mail addresses, nothing that needs
// escaping in a log or a path.
func checkUserName(name string) error {
	if name == "" {
		return fault.Field("name", "is required")
	}
	if len(name) > maxUserName {
		return fault.Field("name", "must be at most %d characters", maxUserName)
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-', c == '@':
		default:
			return fault.Field("name", "may only hold letters, digits and . _ - @")
		}
	}
	return nil
}

type auditResponse struct {
	Entries []audit.Entry `json:"entries"`
}

// verifyResponse reports the audit check (store.VerifyAudit): Entries and
// the versions checked when it holds; when it does not, Problem says what
// failed ("chain", "anchor" or "body"), BrokenAt the entry concerned (the
// broken one, the last found when entries were cut off the end, the one
// vouching for an altered body) and Record and Version an altered body.
type verifyResponse struct {
	OK        bool   `json:"ok"`
	Entries   *int64 `json:"entries,omitempty"`
	Head      string `json:"head,omitempty"`
	Versions  *int64 `json:"versions,omitempty"`
	Uncovered *int64 `json:"versions_not_covered,omitempty"`
	Problem   string `json:"problem,omitempty"`
	BrokenAt  int64  `json:"broken_at,omitempty"`
	Record    string `json:"record,omitempty"`
	Version   int    `json:"version,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// Audit listing limits.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	var q store.AuditQuery
	var errs fault.List
	var err error
	if q.From, err = parseTime(v.Get("from"), false); err != nil {
		errs = append(errs, fault.Field("from", "must be an RFC 3339 time or a date YYYY-MM-DD"))
	}
	if q.To, err = parseTime(v.Get("to"), true); err != nil {
		errs = append(errs, fault.Field("to", "must be an RFC 3339 time or a date YYYY-MM-DD"))
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		errs = append(errs, fault.Field("to", "must not be before from"))
	}
	if a := v.Get("after"); a != "" {
		if q.AfterSeq, err = strconv.ParseInt(a, 10, 64); err != nil || q.AfterSeq < 0 {
			errs = append(errs, fault.Field("after", "must be a sequence number"))
		}
	}
	q.Limit = defaultAuditLimit
	if l := v.Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit < 1 || q.Limit > maxAuditLimit {
			errs = append(errs, fault.Field("limit", "must be between 1 and %d", maxAuditLimit))
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	es, err := s.store.AuditEntries(r.Context(), q)
	if err != nil {
		return err
	}
	if es == nil {
		es = []audit.Entry{}
	}
	writeJSON(w, http.StatusOK, auditResponse{Entries: es})
	return nil
}

// parseTime parses an RFC 3339 time or a date. A date given as an upper
// bound stands for the whole day: the store treats To as exclusive, so the
// bound becomes the next midnight.
func parseTime(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, err
	}
	if end {
		return d.AddDate(0, 0, 1), nil
	}
	return d, nil
}

// verifyWriteTime bounds how long GET /api/v1/audit/verify may take to
// answer. It reads every audit entry and every stored record version,
// which on a node of millions of records takes longer than the server's
// write timeout for other routes: without it the connection would be cut
// with no answer.
const verifyWriteTime = time.Hour

func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	// A ResponseWriter without deadlines (a test's recorder) has nothing to
	// extend.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(verifyWriteTime))
	rep, err := store.VerifyAudit(r.Context(), s.store, false)
	var (
		br *audit.Break
		am *audit.AnchorMismatch
		bm *audit.BodyMismatch
	)
	switch {
	case errors.As(err, &br):
		writeJSON(w, http.StatusOK, verifyResponse{Problem: "chain", BrokenAt: br.Seq, Reason: br.Reason})
		return nil
	case errors.As(err, &am):
		writeJSON(w, http.StatusOK, verifyResponse{Problem: "anchor", BrokenAt: am.Last, Reason: am.Reason})
		return nil
	case errors.As(err, &bm):
		writeJSON(w, http.StatusOK, verifyResponse{Problem: "body", BrokenAt: bm.Seq, Record: bm.Record, Version: bm.Version, Reason: bm.Error()})
		return nil
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusOK, verifyResponse{OK: true, Entries: &rep.Entries, Head: rep.Head, Versions: &rep.Versions, Uncovered: &rep.Uncovered})
	return nil
}

// checkOperations trims and deduplicates operation ids, refusing empty ones,
// ones over 200 characters and ones with commas or control characters.
func checkOperations(in []string) ([]string, error) {
	var out []string
	for i, op := range in {
		op = strings.TrimSpace(op)
		if op == "" || len(op) > 200 || strings.Contains(op, ",") || strings.IndexFunc(op, unicode.IsControl) >= 0 {
			return nil, fault.Field(fmt.Sprintf("operations[%d]", i), "must be 1 to 200 characters without commas or control characters")
		}
		if !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	return out, nil
}
