package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"liaison/internal/app"
	"liaison/internal/federation"
)

func cmdPeers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: liaison peers add URL [--fingerprint FP] | liaison peers list")
	}
	switch args[0] {
	case "add":
		f := newFlags("peers add", stderr)
		fp := f.fs.String("fingerprint", "", "expected key fingerprint (SHA256:…); pins without asking")
		pos, err := f.parse(args[1:], stderr)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return exitError{code: 2, msg: "usage: liaison peers add URL [--fingerprint FP]"}
		}
		var confirm func(federation.NodeInfo) bool
		if *fp == "" {
			if !isTerminal(os.Stdin) {
				return exitError{code: 2, msg: "not a terminal: give --fingerprint FP to pin non-interactively"}
			}
			confirm = func(info federation.NodeInfo) bool {
				fmt.Fprintf(stdout, "node %s at %s\nfingerprint %s\npin this key? [y/N] ", info.Code, pos[0], info.Fingerprint)
				line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
				return strings.EqualFold(strings.TrimSpace(line), "y") || strings.EqualFold(strings.TrimSpace(line), "yes")
			}
		}
		p, err := app.PinPeer(ctx, f.cfg, pos[0], *fp, confirm)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "pinned %s %s %s\n", p.Code, p.URL, p.Fingerprint)
		return nil
	case "list":
		f := newFlags("peers list", stderr)
		pos, err := f.parse(args[1:], stderr)
		if err != nil {
			return err
		}
		if err := noArgs(pos, "peers list"); err != nil {
			return err
		}
		ps, err := app.Peers(ctx, f.cfg)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tURL\tFINGERPRINT\tSTATE\tLAST CONTACT\tQUEUED\tLAST ERROR")
		for _, p := range ps {
			last := "never"
			if p.LastContact != nil {
				last = p.LastContact.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", p.Code, p.URL, p.Fingerprint, p.State, last, p.Queued, p.LastError)
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown peers command %q (add, list)", args[0])
}

// isTerminal reports whether f is a terminal someone can answer at:
// /dev/null and other character devices are not.
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

func cmdDeliveries(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "retry" {
		f := newFlags("deliveries retry", stderr)
		pos, err := f.parse(args[1:], stderr)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return exitError{code: 2, msg: "usage: liaison deliveries retry ID"}
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return exitError{code: 2, msg: fmt.Sprintf("delivery id %q is not a number", pos[0])}
		}
		if err := app.RetryDelivery(ctx, f.cfg, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "delivery %d queued again\n", id)
		return nil
	}
	if len(args) > 0 && args[0] == "list" {
		args = args[1:]
	}
	f := newFlags("deliveries", stderr)
	record := f.fs.String("record", "", "only the deliveries of this record")
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "deliveries"); err != nil {
		return err
	}
	ds, err := app.Deliveries(ctx, f.cfg, *record)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECIPIENT\tTYPE\tRECORD\tVERSION\tSTATE\tATTEMPTS\tLAST ERROR")
	for _, d := range ds {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%d\t%s\n", d.ID, d.Peer, d.Type, d.RecordID, d.Version, d.State, d.Attempts, d.LastError)
	}
	return tw.Flush()
}

func cmdKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("usage: liaison keys rotate")
	}
	f := newFlags("keys rotate", stderr)
	pos, err := f.parse(args[1:], stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "keys rotate"); err != nil {
		return err
	}
	k, err := app.RotateKey(ctx, f.cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new key %s; the rotation is queued for every pinned peer\n", k.Fingerprint)
	return nil
}
