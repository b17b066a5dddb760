// Package ui serves the officers' web interface under /ui/: server-rendered
// html/template pages with embedded CSS, no JavaScript, charts drawn as SVG
// by the server, in English, French and Traditional Chinese.
//
// The UI calls the node's services directly, never the REST API, and reads
// records through records.Service so that every read is audited as an API
// read is. Officers sign in with their API token; the session lives in the
// node's memory and ends on logout, after SessionTTL without a request, or
// when the node restarts. Every POST carries a CSRF token.
package ui

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"liaison/internal/access"
	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/intel"
	"liaison/internal/match"
	"liaison/internal/records"
	"liaison/internal/sharing"
	"liaison/internal/store"
	"liaison/internal/web/httpstatus"
)

// Matcher finds the records that share an entity with a record, best
// first, telling user only about records user may see.
type Matcher interface {
	RecordMatches(ctx context.Context, u store.User, recordID string) ([]match.Link, error)
}

// PendingMatcher is a Matcher that also says whether the links of a
// record's latest version are still being worked out, read so that a
// record whose links are being stored is never said to have none (see
// matching.Service.RecordMatchesPending).
type PendingMatcher interface {
	RecordMatchesPending(ctx context.Context, u store.User, recordID string) ([]match.Link, bool, error)
}

// Screener screens a name or identifier against the entities of the
// records user may see, best first.
type Screener interface {
	Search(ctx context.Context, u store.User, q match.Query) ([]match.Result, error)
}

// Audit actions written by the UI. Failed sign-ins use
// audit.ActionAuthFailed, as failed API authentication does.
const (
	ActionLogin  = "ui.login"
	ActionLogout = "ui.logout"
)

// DefaultSessionTTL is how long a session lasts without a request.
const DefaultSessionTTL = 8 * time.Hour

// maxSessions bounds the sessions held in memory.
const maxSessions = 10000

// Config is what a Handler needs. Node, Store, Records and Directory are
// required; without Sharing, Federation, Matcher or Screener the pages that
// need them say the function is unavailable on this node.
type Config struct {
	Node       string
	Store      store.Store
	Records    *records.Service
	Sharing    *sharing.Service
	Federation *federation.Service
	Directory  *directory.Directory
	Matcher    Matcher
	Screener   Screener
	// Logger receives one line per request; slog.Default() when nil.
	Logger *slog.Logger
	// SessionTTL is how long a session lasts without a request;
	// DefaultSessionTTL when zero.
	SessionTTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// AuditDetailFormats are the formats of the audit details written by
	// packages the UI cannot import (app.AuditDetailFormats, the node's
	// administration), which the audit page words as it does the others.
	AuditDetailFormats []string
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Handler serves the UI. It is safe for concurrent use.
type Handler struct {
	cfg      Config
	log      *slog.Logger
	cat      *catalogue
	pages    map[string]*template.Template
	sessions *sessions
	// submitted are the tokens of new-record forms already sent.
	submitted *submissions
	mux       *http.ServeMux
	static    http.Handler
}

// pageNames are the templates of templates/, each rendered inside
// layout.html with the form controls of forms.html.
var pageNames = []string{"login", "dashboard", "records", "record", "share", "deliveries", "screen",
	"directory", "administration", "agreements", "agreement", "audit", "error", "edit", "requests", "requestform", "sent"}

// maxForm bounds a form posted to the UI. A record's form carries its text
// percent-encoded (up to nine bytes for a Chinese character), so it is
// allowed more than the API's JSON body of the same record.
const maxForm = 4 << 20

// New builds a Handler. It fails when a template or a message catalogue
// does not load, or when a language lacks a message English has.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Records == nil || cfg.Directory == nil {
		return nil, errors.New("ui: store, records and directory are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cat, err := loadCatalogue(cfg.Directory)
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	if len(cfg.AuditDetailFormats) > 0 {
		if cat, err = cat.withDetails(cfg.AuditDetailFormats); err != nil {
			return nil, fmt.Errorf("ui: audit detail formats: %w", err)
		}
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, cat: cat, pages: map[string]*template.Template{},
		sessions: newSessions(cfg.SessionTTL, maxSessions), submitted: newSubmissions(), mux: http.NewServeMux()}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/forms.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("ui: parse template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("ui: static files: %w", err)
	}
	h.static = http.StripPrefix("/ui/static/", http.FileServerFS(sub))
	h.routes()
	return h, nil
}

// page is a handler of a signed-in page.
type page func(w http.ResponseWriter, r *http.Request, c *call) error

// call is what a page handler knows about its request.
type call struct {
	user  store.User
	sess  session
	sid   string
	loc   *Locale
	lang  string
	title string
}

func (h *Handler) routes() {
	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
	})
	h.mux.HandleFunc("GET /ui", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
	})
	h.mux.HandleFunc("GET /ui/static/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.static.ServeHTTP(w, r)
	})
	h.mux.HandleFunc("GET /ui/login", h.loginForm)
	h.mux.HandleFunc("POST /ui/login", h.login)
	h.handle("POST /ui/logout", "", h.logout)
	h.handle("GET /ui/{$}", access.PermRecordRead, h.dashboard)
	h.handle("GET /ui/records", access.PermRecordRead, h.recordList)
	h.handle("GET /ui/records/{id}", access.PermRecordRead, h.record)
	h.handle("GET /ui/records/new", access.PermRecordWrite, h.newRecord)
	h.handle("POST /ui/records/new", access.PermRecordWrite, h.createRecord)
	h.handle("GET /ui/records/{id}/edit", access.PermRecordWrite, h.editRecord)
	h.handle("POST /ui/records/{id}/edit", access.PermRecordWrite, h.updateRecord)
	h.handle("POST /ui/records/{id}/share", access.PermShare, h.share)
	h.handle("POST /ui/records/{id}/retract", access.PermRecordWrite, h.retract)
	h.handle("POST /ui/records/{id}/feedback", access.PermShare, h.giveFeedback)
	h.handle("POST /ui/records/{id}/answer", access.PermShare, h.answerRequest)
	h.handle("POST /ui/records/{id}/decline", access.PermShare, h.declineRequest)
	h.handle("GET /ui/requests", access.PermRecordRead, h.requestList)
	h.handle("GET /ui/requests/new", access.PermShare, h.newRequest)
	h.handle("POST /ui/requests/new", access.PermShare, h.createRequest)
	h.handle("GET /ui/deliveries", access.PermRecordRead, h.deliveries)
	h.handle("POST /ui/deliveries/{id}/retry", access.PermPeerManage, h.retryDelivery)
	h.handle("GET /ui/screen", access.PermRecordRead, h.screen)
	h.handle("GET /ui/directory", access.PermDirectoryRead, h.directoryIndex)
	h.handle("GET /ui/directory/{code}", access.PermDirectoryRead, h.administration)
	h.handle("GET /ui/agreements", access.PermDirectoryRead, h.agreementList)
	h.handle("GET /ui/agreements/{id}", access.PermDirectoryRead, h.agreement)
	h.handle("GET /ui/audit", access.PermAuditRead, h.auditLog)
	h.mux.HandleFunc("/ui/", func(w http.ResponseWriter, r *http.Request) {
		h.pageError(w, r, nil, fault.E(fault.NotFound, "no page %s", r.URL.Path))
	})
}

// ServeHTTP serves / (a redirect to the dashboard) and everything under
// /ui/.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &httpstatus.Writer{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.ErrorContext(r.Context(), "ui panic", slog.String("path", r.URL.Path),
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			if sw.Status == 0 {
				http.Error(sw, "internal error", http.StatusInternalServerError)
			}
		}
		_, pattern := h.mux.Handler(r)
		status := sw.Status
		if status == 0 {
			status = http.StatusOK
		}
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
			slog.String("route", "ui "+pattern), slog.Int("status", status), slog.Duration("duration", time.Since(start)))
	}()
	hd := sw.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(sw, r)
}

// handle registers a signed-in page: it finds the session (or sends the
// browser to the login page), the user and the language, checks the
// permission and, for a POST, the CSRF token.
func (h *Handler) handle(pattern string, perm access.Permission, p page) {
	post := strings.HasPrefix(pattern, "POST ")
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c := &call{}
		c.lang = h.language(w, r)
		c.loc = h.cat.locale(c.lang)
		ck, err := r.Cookie(sessionCookie)
		ok := false
		if err == nil {
			c.sid = ck.Value
			c.sess, ok = h.sessions.get(ck.Value, h.cfg.Now())
		}
		if !ok {
			if post {
				h.pageError(w, r, c, fault.E(fault.Forbidden, "%s", c.loc.T("error.session")))
				return
			}
			next := r.URL.Path
			if q := r.URL.Query(); len(q) > 0 {
				q.Del("lang")
				if e := q.Encode(); e != "" {
					next += "?" + e
				}
			}
			http.Redirect(w, r, "/ui/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		u, err := h.cfg.Store.UserByTokenHash(r.Context(), c.sess.tokenHash)
		switch {
		case fault.Is(err, fault.NotFound), err == nil && u.Disabled:
			h.sessions.end(c.sid)
			http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
			return
		case err != nil:
			h.pageError(w, r, c, fault.Wrap(fault.Unavailable, err, "cannot check credentials now"))
			return
		}
		c.user = u
		c.loc.titles = h.agreementTitles(r)
		if post {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					h.pageError(w, r, c, fault.E(fault.TooLarge, "form larger than %d bytes", maxForm))
					return
				}
				h.pageError(w, r, c, fault.E(fault.Invalid, "unreadable form"))
				return
			}
			if !sameToken(r.PostForm.Get("csrf"), c.sess.csrf) {
				h.pageError(w, r, c, fault.E(fault.Forbidden, "%s", c.loc.T("error.csrf")))
				return
			}
		}
		if perm != "" && !access.Allowed(u.Role, perm) {
			h.pageError(w, r, c, fault.E(fault.Forbidden, "%s", c.loc.T("error.role", c.loc.Enum("role", u.Role))))
			return
		}
		ctx := records.WithViewer(r.Context(), u)
		if err := p(w, r.WithContext(ctx), c); err != nil {
			h.pageError(w, r, c, err)
		}
	})
}

// agreementTitles reads the node's agreement registry for a page's locale
// when it first names an agreement it knows by id or English title only;
// nil without the registry.
func (h *Handler) agreementTitles(r *http.Request) *agreementTitles {
	if h.cfg.Sharing == nil {
		return nil
	}
	ctx := r.Context()
	return &agreementTitles{load: func() ([]agreement.Agreement, error) {
		as, err := h.cfg.Sharing.Agreements(ctx, "")
		if err != nil {
			h.log.WarnContext(ctx, "agreement titles", slog.Any("err", err))
		}
		return as, err
	}}
}

// language returns the UI language of a request. A valid ?lang= is also
// remembered in a cookie for the following requests.
func (h *Handler) language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); supported(l) {
		http.SetCookie(w, cookie(r, langCookie, l, "/", 365*24*3600))
		return l
	}
	explicit := ""
	if ck, err := r.Cookie(langCookie); err == nil {
		explicit = ck.Value
	}
	return h.cat.choose(explicit, r.Header.Get("Accept-Language"))
}

// navItem is a link of the navigation bar.
type navItem struct {
	Path, Label string
	Active      bool
}

// view is what every page template receives.
type view struct {
	L         *Locale
	Node      string
	NodeName  string
	User      store.User
	SignedIn  bool
	CSRF      string
	Title     string
	Nav       []navItem
	Languages []langLink
	Body      any
}

// langLink is an entry of the language switch.
type langLink struct {
	Lang, Label, URL string
	Current          bool
}

// render writes a page with status 200.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, c *call, name string, body any) error {
	return h.renderStatus(w, r, c, http.StatusOK, name, body)
}

func (h *Handler) renderStatus(w http.ResponseWriter, r *http.Request, c *call, status int, name string, body any) error {
	v := view{L: c.loc, Node: h.cfg.Node, NodeName: c.loc.Party(h.cfg.Node), User: c.user,
		SignedIn: c.user.Name != "", CSRF: c.sess.csrf, Body: body, Title: c.title}
	if v.SignedIn {
		v.Nav = h.nav(c, r.URL)
	}
	for _, l := range languages {
		q := r.URL.Query()
		q.Set("lang", l)
		v.Languages = append(v.Languages, langLink{Lang: l, Label: h.cat.msgs[l]["lang.name"],
			URL: r.URL.Path + "?" + q.Encode(), Current: l == c.lang})
	}
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Language", c.lang)
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		h.log.DebugContext(r.Context(), "write page", slog.Any("err", err))
	}
	return nil
}

// nav lists the pages the user's role may open, marking the one at u.
func (h *Handler) nav(c *call, u *url.URL) []navItem {
	path := u.Path
	items := []struct {
		path, key string
		perm      access.Permission
	}{
		{"/ui/", "nav.dashboard", access.PermRecordRead},
		{"/ui/records", "nav.records", access.PermRecordRead},
		{"/ui/records/new?kind=seizure", "nav.new", access.PermRecordWrite},
		{"/ui/records/new?kind=warning", "nav.new.warning", access.PermRecordWrite},
		{"/ui/requests", "nav.requests", access.PermRecordRead},
		{"/ui/screen", "nav.screen", access.PermRecordRead},
		{"/ui/deliveries", "nav.deliveries", access.PermRecordRead},
		{"/ui/directory", "nav.directory", access.PermDirectoryRead},
		{"/ui/agreements", "nav.agreements", access.PermDirectoryRead},
		{"/ui/audit", "nav.audit", access.PermAuditRead},
	}
	var out []navItem
	for _, it := range items {
		if !access.Allowed(c.user.Role, it.perm) {
			continue
		}
		p, q, _ := strings.Cut(it.path, "?")
		active := path == p || (p != "/ui/" && strings.HasPrefix(path, p+"/") && !(p == "/ui/records" && path == "/ui/records/new"))
		if k, ok := strings.CutPrefix(q, "kind="); ok {
			// The record form serves several kinds: the entry of the
			// kind shown is the active one, seizure when none is named.
			active = active && k == cmpOr(u.Query().Get("kind"), string(intel.KindSeizure))
		}
		out = append(out, navItem{Path: it.path, Label: c.loc.T(it.key), Active: active})
	}
	return out
}

// errorBody is the body of the error page.
type errorBody struct {
	Status  int
	Heading string
	Message string
	Field   string
	Login   bool
	// Back, when set, is the page to go back to.
	Back string
}

// pageError renders err as an error page with the status its kind maps
// to. Internal errors are logged and shown without detail.
func (h *Handler) pageError(w http.ResponseWriter, r *http.Request, c *call, err error) {
	if c == nil {
		c = &call{}
		c.lang = h.language(w, r)
		c.loc = h.cat.locale(c.lang)
	}
	kind := fault.KindOf(err)
	b := errorBody{Status: httpstatus.Of(kind), Heading: c.loc.T("error." + string(kind))}
	var fe *fault.Error
	if kind != fault.Internal && errors.As(err, &fe) {
		b.Message, b.Field = c.loc.Fault(fe), fe.Field
	}
	var fl fault.List
	if errors.As(err, &fl) && len(fl) > 0 {
		b.Message, b.Field = c.loc.Fault(fl[0]), fl[0].Field
	}
	if kind == fault.Internal || kind == fault.Unavailable {
		h.log.ErrorContext(r.Context(), "ui page failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	b.Login = c.user.Name == ""
	c.title = b.Heading
	if rerr := h.renderStatus(w, r, c, b.Status, "error", b); rerr != nil {
		h.log.ErrorContext(r.Context(), "render error page", slog.Any("err", rerr))
		http.Error(w, http.StatusText(b.Status), b.Status)
	}
}

// remoteIP is the address of the connection's peer; forwarding headers are
// not trusted.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// auditEvent appends an event that is not part of another change; a
// failure is logged, not shown, since the action itself succeeded.
func (h *Handler) auditEvent(ctx context.Context, ev audit.Event) {
	if _, err := h.cfg.Store.Audit(ctx, ev); err != nil {
		h.log.ErrorContext(ctx, "audit ui event", slog.String("action", ev.Action), slog.Any("err", err))
	}
}
