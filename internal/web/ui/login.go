package ui

import (
	"net/http"
	"strings"

	"liaison/internal/access"
	"liaison/internal/audit"
	"liaison/internal/fault"
)

// maxTokenLen bounds what is hashed and looked up as a token.
const maxTokenLen = 512

// loginBody is the body of the login page.
type loginBody struct {
	CSRF  string
	Next  string
	Error string
}

// safeNext returns next when it is a path of the UI, else the dashboard:
// the login page must not send anyone to another site.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/ui/") && !strings.HasPrefix(next, "/ui//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/ui/"
}

func (h *Handler) loginCall(w http.ResponseWriter, r *http.Request) *call {
	c := &call{}
	c.lang = h.language(w, r)
	c.loc = h.cat.locale(c.lang)
	c.title = c.loc.T("login.title")
	return c
}

// loginForm shows the sign-in form with a fresh CSRF token, also set in a
// cookie that the form's POST must match (there is no session yet).
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	c := h.loginCall(w, r)
	h.showLogin(w, r, c, http.StatusOK, "")
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, c *call, status int, msg string) {
	tok, err := randomToken()
	if err != nil {
		h.pageError(w, r, c, err)
		return
	}
	http.SetCookie(w, cookie(r, loginCookie, tok, "/ui/login", 3600))
	body := loginBody{CSRF: tok, Next: safeNext(r.FormValue("next")), Error: msg}
	if err := h.renderStatus(w, r, c, status, "login", body); err != nil {
		h.pageError(w, r, c, err)
	}
}

// login checks the token and starts a session. A wrong token is audited
// as a failed API authentication is, with the remote address and the
// reason, never the token.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	c := h.loginCall(w, r)
	if err := r.ParseForm(); err != nil {
		h.pageError(w, r, c, fault.E(fault.Invalid, "unreadable form"))
		return
	}
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostForm.Get("csrf"), ck.Value) {
		h.pageError(w, r, c, fault.E(fault.Forbidden, "%s", c.loc.T("error.csrf")))
		return
	}
	token := strings.TrimSpace(r.PostForm.Get("token"))
	reason := ""
	switch {
	case token == "":
		reason = "missing token"
	case len(token) > maxTokenLen:
		reason = "malformed token"
	}
	if reason == "" {
		hash := access.HashToken(token)
		u, err := h.cfg.Store.UserByTokenHash(r.Context(), hash)
		switch {
		case fault.Is(err, fault.NotFound):
			reason = "unknown token"
		case err != nil:
			h.pageError(w, r, c, fault.Wrap(fault.Unavailable, err, "cannot check credentials now"))
			return
		case u.Disabled:
			reason = "user disabled"
		default:
			sid, _, err := h.sessions.create(hash, h.cfg.Now())
			if err != nil {
				h.pageError(w, r, c, err)
				return
			}
			h.auditEvent(r.Context(), audit.Event{Actor: u.Name, Action: ActionLogin, Detail: "remote " + remoteIP(r)})
			http.SetCookie(w, cookie(r, loginCookie, "", "/ui/login", -1))
			http.SetCookie(w, cookie(r, sessionCookie, sid, "/ui/", 0))
			http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
			return
		}
	}
	h.auditEvent(r.Context(), audit.Event{Actor: "anonymous", Action: audit.ActionAuthFailed,
		Detail: "remote " + remoteIP(r) + ": ui login: " + reason})
	h.showLogin(w, r, c, http.StatusUnauthorized, c.loc.T("login.failed"))
}

// logout ends the session.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, c *call) error {
	h.sessions.end(c.sid)
	h.auditEvent(r.Context(), audit.Event{Actor: c.user.Name, Action: ActionLogout, Detail: "remote " + remoteIP(r)})
	http.SetCookie(w, cookie(r, sessionCookie, "", "/ui/", -1))
	http.Redirect(w, r, "/ui/login?lang="+c.lang, http.StatusSeeOther)
	return nil
}
