package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/matching"
	"liaison/internal/records"
	"liaison/internal/sharing"
	"liaison/internal/store"
	"liaison/internal/web"
	"liaison/internal/web/ui"
)

// Node is one running Liaison node: its store, directory, services (records,
// sharing) and HTTP server. Open builds it, Start serves it, Close stops it.
type Node struct {
	Config    Config
	Code      string
	Store     store.Store
	Directory *directory.Directory
	Records   *records.Service
	Sharing   *sharing.Service
	// Federation keeps peers, the outbox and the inbox; its delivery
	// workers run from Start to Close.
	Federation *federation.Service
	// Matching cross-matches every record stored or received; Start
	// rebuilds its index before serving and runs it until Close.
	Matching *matching.Service
	Web      *web.Server
	// UI is the officers' web interface, which Web serves under /ui/.
	UI *ui.Handler

	stopWorkers context.CancelFunc
	workersDone chan struct{}

	ln     net.Listener
	server *http.Server
	done   chan error
}

// Open opens the store of an initialised node and builds its services. It
// fails with a clear message when the node was never initialised.
func Open(ctx context.Context, c Config) (*Node, error) {
	c.fill()
	st, err := openExisting(ctx, c)
	if err != nil {
		return nil, err
	}
	n, err := build(ctx, c, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	return n, nil
}

func build(ctx context.Context, c Config, st store.Store) (*Node, error) {
	info, err := st.Node(ctx)
	if fault.Is(err, fault.NotFound) {
		return nil, fmt.Errorf("node not initialised in %s: run `liaison init --data %s --node CODE` first", where(c), c.DataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("read node identity: %w", err)
	}
	dir, err := loadDirectory(ctx, st)
	if err != nil {
		return nil, err
	}
	ms, err := matching.New(matching.Config{Store: st, Logger: c.Logger})
	if err != nil {
		return nil, err
	}
	// Every record written through the services is matched once committed.
	st = matching.Observe(st, ms)
	rs := records.New(records.Config{Node: info.Code, Store: st, Codes: dir, Now: c.Now})
	sh := &sharing.Service{Store: st, Directory: dir, Node: info.Code, Now: c.Now}
	fed := federation.New(federation.Config{Node: info.Code, Store: st, Directory: dir, Logger: c.Logger, Now: c.Now,
		DeadAfter: c.DeadAfter, Poll: c.DeliveryPoll, Claim: c.DeliveryClaim, Relay: federation.RegionRelay(dir, info.Code)})
	officers, err := ui.New(ui.Config{Node: info.Code, Store: st, Records: rs, Sharing: sh, Federation: fed,
		Directory: dir, Matcher: ms, Screener: ms, Logger: c.Logger, Now: c.Now, AuditDetailFormats: AuditDetailFormats()})
	if err != nil {
		return nil, fmt.Errorf("build web ui: %w", err)
	}
	w := web.New(web.Config{Node: info.Code, Store: st, Records: rs, Directory: dir, Sharing: sh, Federation: fed,
		Matching: ms, Logger: c.Logger, MaxBody: c.MaxBody, UI: officers})
	return &Node{Config: c, Code: info.Code, Store: st, Directory: dir, Records: rs, Sharing: sh, Federation: fed,
		Matching: ms, Web: w, UI: officers}, nil
}

func where(c Config) string {
	if c.DB != "" {
		return "the PostgreSQL database"
	}
	return c.DataDir
}

// loadDirectory returns the embedded directory with any official lists that
// `liaison refdata load` stored in the database applied on top.
func loadDirectory(ctx context.Context, st store.Store) (*directory.Directory, error) {
	dir, err := directory.Load()
	if err != nil {
		return nil, fmt.Errorf("load directory: %w", err)
	}
	if b, err := st.Refdata(ctx, refdataHS); err == nil {
		var l directory.HSList
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("decode stored hs list: %w", err)
		}
		dir = dir.WithHS(l)
	} else if !fault.Is(err, fault.NotFound) {
		return nil, fmt.Errorf("read stored hs list: %w", err)
	}
	if b, err := st.Refdata(ctx, refdataCountries); err == nil {
		var l []directory.Country
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("decode stored country list: %w", err)
		}
		dir = dir.WithCountries(l)
	} else if !fault.Is(err, fault.NotFound) {
		return nil, fmt.Errorf("read stored country list: %w", err)
	}
	return dir, nil
}

// Start listens on Config.Listen and serves in the background. URL reports
// the address actually bound (useful with port 0). The match index is
// built from the store in the background meanwhile (Matching.WaitReady
// waits for it).
func (n *Node) Start() error {
	ln, err := net.Listen("tcp", n.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", n.Config.Listen, err)
	}
	n.ln = ln
	n.server = &http.Server{
		Handler:           n.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	n.done = make(chan error, 1)
	go func() {
		err := n.server.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		n.done <- err
	}()
	wctx, cancel := context.WithCancel(context.Background())
	n.stopWorkers, n.workersDone = cancel, make(chan struct{})
	go func() {
		defer close(n.workersDone)
		matched := make(chan struct{})
		go func() {
			defer close(matched)
			n.Matching.Run(wctx)
		}()
		n.Federation.Run(wctx)
		<-matched
	}()
	n.Config.Logger.Info("node serving", "node", n.Code, "addr", ln.Addr().String())
	return nil
}

// URL is the base URL the node serves on, once started.
func (n *Node) URL() string {
	if n.ln == nil {
		return ""
	}
	return "http://" + n.ln.Addr().String()
}

// Wait blocks until the server stops on its own (an error) or ctx ends.
func (n *Node) Wait(ctx context.Context) error {
	select {
	case err := <-n.done:
		return err
	case <-ctx.Done():
		return nil
	}
}

// Close stops accepting requests, lets those in flight finish (up to the
// context's deadline), and closes the store.
func (n *Node) Close(ctx context.Context) error {
	var errs []error
	if n.server != nil {
		if err := n.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down http server: %w", err))
		}
		<-n.done
	}
	if n.stopWorkers != nil {
		n.stopWorkers()
		select {
		case <-n.workersDone:
		case <-ctx.Done():
			errs = append(errs, errors.New("delivery workers did not finish before the deadline"))
		}
	}
	if err := n.Store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close store: %w", err))
	}
	return errors.Join(errs...)
}
