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

	"liaison/internal/fault"
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
	// Records is how many synthetic records each node is seeded with.
	Records int
	// Seed makes the synthetic data reproducible.
	Seed int64
}

// demoNodes are the administrations the demo starts, in order.
var demoNodes = []string{"HK"}

// Demo starts the demo nodes on loopback, seeds them with synthetic records,
// prints one line per node (`node CODE URL token=TOKEN`) and then `ready`, and
// serves until ctx ends.
func Demo(ctx context.Context, c Config, o DemoOptions, out io.Writer) error {
	c.fill()
	if o.Records <= 0 {
		o.Records = 300
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
	var nodes []*Node
	defer func() {
		for i := len(nodes) - 1; i >= 0; i-- {
			nodes[i].Close(context.WithoutCancel(ctx))
		}
	}()
	for i, code := range demoNodes {
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
		nodes = append(nodes, n)
		if err := n.Start(); err != nil {
			return fmt.Errorf("demo node %s: %w", code, err)
		}
		fmt.Fprintf(out, "node %s %s token=%s\n", code, n.URL(), token)
	}
	fmt.Fprintln(out, "ready")
	for _, n := range nodes {
		go func() {
			if err := n.Wait(ctx); err != nil {
				c.Logger.Error("demo node stopped", "node", n.Code, "err", err)
			}
		}()
	}
	<-ctx.Done()
	return nil
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
	count, err := n.Store.CountRecords(ctx)
	if err != nil {
		n.Close(ctx)
		return nil, "", fmt.Errorf("count records: %w", err)
	}
	if count == 0 {
		gen := synth.New(o.Seed+int64(len(code))*7919, code)
		recs := gen.Records(o.Records, c.Now())
		if _, err := n.Records.CreateBatch(ctx, "demo", recs); err != nil {
			n.Close(ctx)
			if fault.Is(err, fault.Invalid) {
				return nil, "", fmt.Errorf("synthetic records did not validate: %w", err)
			}
			return nil, "", fmt.Errorf("seed records: %w", err)
		}
	}
	return n, token, nil
}
