package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/synth"
)

// DemoOptions configure `liaison demo`.
type DemoOptions struct {
	// DataDir keeps the demo's databases; empty means a temporary folder that
	// is removed when the demo stops.
	DataDir string
	// Listen is the first node's address; later nodes take the following
	// ports. Port 0 picks free ports.
	Listen string
	// Records is how many synthetic records each administration's node is
	// seeded with (the RILO holds only what its members send it).
	Records int
	// Seed makes the synthetic data reproducible.
	Seed int64
	// Every is how often Hong Kong shares a new seizure with Japan while
	// the demo runs (30s when 0; negative for never).
	Every time.Duration
}

// demoNodes are the nodes the demo starts, in order: Hong Kong, the RILO
// Asia/Pacific, Japan, France and China.
func demoNodes() []string { return []string{"HK", "RILO-AP", "JP", "FR", "CN"} }

const demoActor = "demo"

// Demo starts the demo federation on loopback: each node with its own
// SQLite database and key, seeded with synthetic records (originated by the
// node) and the agreements `liaison init` seeds, pinned to each other (the
// RILO to its region's members, the members to the RILO). It prints one line
// per node (`node CODE URL token=TOKEN`), each followed by the address of
// its web UI's login page (`ui CODE URL/ui/login`), then `ready`, and serves
// until ctx ends. Meanwhile the nodes exchange live: seizures shared bilaterally,
// region reports sent to the RILO and relayed to the members their
// originators' decisions allow, a warning answered with feedback and a
// request for assistance acknowledged and answered.
func Demo(ctx context.Context, c Config, o DemoOptions, out io.Writer) error {
	c.fill()
	if o.Records <= 0 {
		o.Records = 300
	}
	if o.Every == 0 {
		o.Every = 30 * time.Second
	}
	if o.Listen == "" {
		o.Listen = DefaultListen
	}
	host, portStr, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return fmt.Errorf("--listen %q: want HOST:PORT: %w", o.Listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return fmt.Errorf("--listen %q: port must be a number from 0 to 65535", o.Listen)
	}
	root := o.DataDir
	if root == "" {
		if root, err = os.MkdirTemp("", "liaison-demo-"); err != nil {
			return fmt.Errorf("create demo folder: %w", err)
		}
		defer os.RemoveAll(root)
	}
	nodes := map[string]*Node{}
	var order []*Node
	defer func() {
		for i := len(order) - 1; i >= 0; i-- {
			order[i].Close(context.WithoutCancel(ctx))
		}
	}()
	tokens := map[string]string{}
	for i, code := range demoNodes() {
		nc := c
		nc.DB = ""
		nc.DataDir = filepath.Join(root, strings.ToLower(code))
		nc.Listen = net.JoinHostPort(host, "0")
		if port != 0 {
			nc.Listen = net.JoinHostPort(host, strconv.Itoa(port+i))
		}
		n, token, err := demoNode(ctx, nc, code, o)
		if err != nil {
			return fmt.Errorf("demo node %s: %w", code, err)
		}
		order = append(order, n)
		nodes[code] = n
		tokens[code] = token
		if err := n.Start(); err != nil {
			return fmt.Errorf("demo node %s: %w", code, err)
		}
	}
	if err := pinDemo(ctx, order); err != nil {
		return err
	}
	ex := &exchange{nodes: nodes, now: c.Now, gen: synth.New(o.Seed+101, "HK")}
	if err := ex.start(ctx); err != nil {
		return err
	}
	// The records seeded so far are cross-matched before the demo says it
	// is ready, so that the first look at a record shows its matches;
	// what arrives later is matched as it arrives.
	for _, n := range order {
		if n.Matching == nil {
			continue
		}
		ictx, cancel := context.WithTimeout(ctx, time.Minute)
		err := n.Matching.Idle(ictx)
		cancel()
		if err != nil {
			return fmt.Errorf("demo node %s: wait for cross-matching: %w", n.Code, err)
		}
	}
	for _, n := range order {
		fmt.Fprintf(out, "node %s %s token=%s\n", n.Code, n.URL(), tokens[n.Code])
		// The officers' UI signs in with the same token.
		fmt.Fprintf(out, "ui %s %s/ui/login\n", n.Code, n.URL())
	}
	fmt.Fprintln(out, "ready")
	for _, n := range order {
		go func() {
			if err := n.Wait(ctx); err != nil {
				c.Logger.Error("demo node stopped", "node", n.Code, "err", err)
			}
		}()
	}
	ex.loops(ctx, c, o.Every)
	<-ctx.Done()
	return nil
}

// pinDemo pins every pair of demo nodes that exchange: the administrations
// with each other, and each RILO with the members of its region.
func pinDemo(ctx context.Context, nodes []*Node) error {
	fps := map[string]string{}
	for _, n := range nodes {
		info, err := n.Federation.Info(ctx, n.URL())
		if err != nil {
			return fmt.Errorf("demo node %s: %w", n.Code, err)
		}
		fps[n.Code] = info.Fingerprint
	}
	for _, a := range nodes {
		for _, b := range nodes {
			if a == b || !demoLinked(a, b) {
				continue
			}
			if _, err := a.Federation.PinPeer(ctx, demoActor, b.URL(), fps[b.Code], nil); err != nil {
				return fmt.Errorf("demo: pin %s on %s: %w", b.Code, a.Code, err)
			}
		}
	}
	return nil
}

// demoLinked reports whether two demo nodes pin each other: two
// administrations always, a RILO and an administration only within the
// RILO's region.
func demoLinked(a, b *Node) bool {
	ra, aRILO := a.Directory.RILORegion(a.Code)
	rb, bRILO := b.Directory.RILORegion(b.Code)
	switch {
	case aRILO && bRILO:
		return false
	case aRILO:
		r, ok := a.Directory.RegionOf(b.Code)
		return ok && r == ra
	case bRILO:
		r, ok := b.Directory.RegionOf(a.Code)
		return ok && r == rb
	}
	return true
}

// demoNode initialises (or reopens) one demo node, seeds it when empty and
// returns it with a fresh administrator token.
func demoNode(ctx context.Context, c Config, code string, o DemoOptions) (*Node, string, error) {
	token, err := Init(ctx, c, code)
	if err != nil {
		// An existing demo folder is reused: mint a new token for this run.
		st, openErr := OpenStore(ctx, c)
		if openErr != nil {
			return nil, "", openErr
		}
		info, nodeErr := st.Node(ctx)
		st.Close()
		if nodeErr != nil || info.Code != code {
			return nil, "", err
		}
		if token, err = AddUser(ctx, c, "demo-"+strconv.FormatInt(c.Now().UnixNano(), 36), store.RoleAdmin); err != nil {
			return nil, "", err
		}
	}
	n, err := Open(ctx, c)
	if err != nil {
		return nil, "", err
	}
	if _, rilo := n.Directory.RILORegion(code); rilo {
		return n, token, nil
	}
	count, err := n.Store.CountRecords(ctx)
	if err != nil {
		n.Close(ctx)
		return nil, "", fmt.Errorf("count records: %w", err)
	}
	if count == 0 {
		gen := synth.New(o.Seed+int64(len(code))*7919+int64(code[0]), code)
		recs := gen.Records(o.Records, c.Now())
		if _, err := n.Records.CreateBatch(ctx, demoActor, recs); err != nil {
			n.Close(ctx)
			if fault.Is(err, fault.Invalid) {
				return nil, "", fmt.Errorf("synthetic records did not validate: %w", err)
			}
			return nil, "", fmt.Errorf("seed records: %w", err)
		}
	}
	return n, token, nil
}

// exchange drives the demo's live traffic.
type exchange struct {
	nodes map[string]*Node
	now   func() time.Time
	gen   *synth.Generator
	// warning and request are Hong Kong's warning to Japan and request for
	// assistance to Japan, answered by the loops.
	warning, request string
}

// start queues the first exchanges: seizures shared bilaterally (HK to JP
// and FR, CN and JP to HK), region reports of HK, JP and CN to the RILO, a
// warning and a request for assistance from HK to JP.
func (ex *exchange) start(ctx context.Context) error {
	bilateral := []struct {
		from string
		to   []string
		n    int
	}{{"HK", []string{"JP", "FR"}, 3}, {"CN", []string{"HK"}, 2}, {"JP", []string{"HK"}, 2}, {"FR", []string{"HK"}, 1}}
	for _, b := range bilateral {
		gen := synth.New(int64(len(b.from))*31+int64(b.from[0]), b.from)
		for range b.n {
			r := gen.Seizure(ex.now())
			r.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: b.to}
			if err := ex.createAndShare(ctx, b.from, r, b.to); err != nil {
				return err
			}
		}
	}
	for _, from := range []string{"HK", "JP", "CN"} {
		gen := synth.New(int64(from[1])*17+int64(from[0]), from)
		for range 3 {
			r := gen.Seizure(ex.now())
			federation.Purge(r) // region membership carries non-personal data only
			r.Distribution = intel.Distribution{Scope: intel.ScopeRegion, Region: "AP"}
			if err := ex.createAndShare(ctx, from, r, []string{"RILO-AP"}); err != nil {
				return err
			}
		}
	}
	if err := ex.sameEntities(ctx); err != nil {
		return err
	}
	hk := ex.nodes["HK"]
	w := ex.gen.Warning(ex.now())
	w.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}}
	stored, _, err := hk.Records.Create(ctx, demoActor, w)
	if err != nil {
		return fmt.Errorf("demo warning: %w", err)
	}
	if _, err := hk.Federation.Share(ctx, demoActor, stored.ID, []string{"JP"}); err != nil {
		return fmt.Errorf("demo warning: %w", err)
	}
	ex.warning = stored.ID
	req := &intel.Record{Kind: intel.KindRequest, Grading: intel.Grading{Source: "B", Information: "2"},
		Handling:     intel.Handling{Code: "H0"},
		Distribution: intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}},
		Request: &intel.Request{Requesting: "HK", Requested: "JP", Agreement: agreement.SeedArrangementID("JP"),
			Subject:   "Consignee of a cigarette shipment through Tokyo",
			Questions: []string{"Is the consignee company registered in Japan?", "Has it imported tobacco before?"},
			Urgency:   "routine", Deadline: ex.now().AddDate(0, 0, 30).Format(time.DateOnly), State: federation.StateSent}}
	if stored, _, err = hk.Records.Create(ctx, demoActor, req); err != nil {
		return fmt.Errorf("demo request: %w", err)
	}
	if _, err := hk.Federation.SendRequest(ctx, demoActor, stored.ID); err != nil {
		return fmt.Errorf("demo request: %w", err)
	}
	ex.request = stored.ID
	return nil
}

// sameEntities stores the records cross-matching is shown with: China
// reports a person under his name in Han characters and France a
// Russian-registered company in Latin letters, both shared with Hong Kong,
// and a Hong Kong seizure names the person in Hong Kong romanisation and the
// company in Cyrillic. Hong Kong links its seizure to both reports.
func (ex *exchange) sameEntities(ctx context.Context) error {
	cn := synth.New(8613, "CN").Seizure(ex.now())
	cn.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"HK"}}
	cn.Seizure.Parties = []intel.Party{{Type: "person", Role: "consignee", Name: "陳大文", BirthDate: "1975-03-02",
		Nationality: "CN"}}
	if err := ex.createAndShare(ctx, "CN", cn, []string{"HK"}); err != nil {
		return err
	}
	fr := synth.New(3301, "FR").Seizure(ex.now())
	fr.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"HK"}}
	fr.Seizure.Parties = []intel.Party{{Type: "organisation", Role: "consignor", Name: "Severny Put LLC", Country: "RU"}}
	if err := ex.createAndShare(ctx, "FR", fr, []string{"HK"}); err != nil {
		return err
	}
	hk := synth.New(85201, "HK").Seizure(ex.now())
	hk.Distribution = intel.Distribution{Scope: intel.ScopeOriginator}
	hk.Seizure.Parties = []intel.Party{
		{Type: "person", Role: "consignee", Name: "Chan Tai Man", BirthDate: "1975-03-02", Nationality: "HK"},
		{Type: "organisation", Role: "consignor", Name: "ООО «Северный путь»", Country: "RU"},
	}
	if _, _, err := ex.nodes["HK"].Records.Create(ctx, demoActor, hk); err != nil {
		return fmt.Errorf("demo record of HK: %w", err)
	}
	return nil
}

func (ex *exchange) createAndShare(ctx context.Context, from string, r *intel.Record, to []string) error {
	n := ex.nodes[from]
	stored, _, err := n.Records.Create(ctx, demoActor, r)
	if err != nil {
		return fmt.Errorf("demo record of %s: %w", from, err)
	}
	if _, err := n.Federation.Share(ctx, demoActor, stored.ID, to); err != nil {
		return fmt.Errorf("demo share of %s: %w", from, err)
	}
	return nil
}

// loops answers, in the background, Hong Kong's warning with Japan's
// feedback and its request with Japan's answer once Japan holds them, and
// keeps Hong Kong sharing a new seizure with Japan every so often.
func (ex *exchange) loops(ctx context.Context, c Config, every time.Duration) {
	jp := ex.nodes["JP"]
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		feedback, answered := false, false
		for !(feedback && answered) {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if !feedback {
				if _, err := jp.Store.GetRecord(ctx, ex.warning); err == nil {
					_, _, err := jp.Federation.GiveFeedback(ctx, jp.Records, demoActor, ex.warning, federation.FeedbackInput{
						Controlled: true, Result: "nothing-found", Date: ex.now().Format(time.DateOnly),
						Narrative: "Container examined on arrival; nothing found."})
					if err != nil {
						c.Logger.Warn("demo feedback", "err", err)
					}
					feedback = true
				}
			}
			if !answered {
				if _, err := jp.Store.GetRecord(ctx, ex.request); err == nil {
					_, _, err := jp.Federation.Answer(ctx, jp.Records, demoActor, ex.request, federation.AnswerInput{
						Outcome: "answered", Answers: []string{"Registered in Osaka since 2019.", "Three tobacco imports in 2025."}})
					if err != nil {
						c.Logger.Warn("demo answer", "err", err)
					}
					answered = true
				}
			}
		}
	}()
	if every < 0 {
		return
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			r := ex.gen.Seizure(ex.now())
			r.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}}
			if err := ex.createAndShare(ctx, "HK", r, []string{"JP"}); err != nil {
				c.Logger.Warn("demo live share", "err", err)
			}
		}
	}()
}
