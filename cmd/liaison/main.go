// Command liaison runs and administers a Liaison node: the software customs
// administrations use to exchange enforcement intelligence under their
// agreements. See README.md for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"liaison/internal/app"
	"liaison/internal/audit"
	"liaison/internal/durable"
	"liaison/internal/fault"
	"liaison/internal/intel"
	"liaison/internal/store"
)

const usage = `liaison — customs intelligence exchange node

Usage:
  liaison init --data DIR --node CODE          create a node; prints the admin token once
  liaison serve --data DIR [--db URL] [--listen ADDR]
  liaison demo [--data DIR] [--listen HOST:PORT] [--records N]
  liaison user add NAME --role admin|liaison|analyst|auditor [--operation OP]...
  liaison refdata load [--hs FILE] [--countries FILE]
  liaison import FILE [--format jsonl|csv]
  liaison export [--format jsonl|csv] [--out FILE] [--kind KIND]
  liaison audit verify
  liaison agreements list [--party CODE] | show ID | add FILE.json
  liaison peers add URL [--fingerprint FP] | peers list
  liaison deliveries [--record ID] | deliveries retry ID
  liaison keys rotate
  liaison backup --out FILE | backup verify FILE
  liaison restore FILE                          into an empty --data DIR (or --db URL)

Every command takes --data DIR and --db URL (or LIAISON_DATA, LIAISON_DB).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // -h: the command's flags were printed
	}
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "liaison:", ee.msg)
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "liaison:", oneLine(err.Error()))
		os.Exit(1)
	}
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "init":
		return cmdInit(ctx, rest, stdout, stderr)
	case "serve":
		return cmdServe(ctx, rest, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "user":
		if len(rest) > 0 && rest[0] == "add" {
			return cmdUserAdd(ctx, rest[1:], stdout, stderr)
		}
		return errors.New("usage: liaison user add NAME --role admin|liaison|analyst|auditor")
	case "refdata":
		if len(rest) > 0 && rest[0] == "load" {
			return cmdRefdataLoad(ctx, rest[1:], stdout, stderr)
		}
		return errors.New("usage: liaison refdata load [--hs FILE] [--countries FILE]")
	case "import":
		return cmdImport(ctx, rest, stdout, stderr)
	case "export":
		return cmdExport(ctx, rest, stdout, stderr)
	case "audit":
		if len(rest) > 0 && rest[0] == "verify" {
			return cmdAuditVerify(ctx, rest[1:], stdout, stderr)
		}
		return errors.New("usage: liaison audit verify")
	case "agreements":
		return cmdAgreements(ctx, rest, stdout, stderr)
	case "peers":
		return cmdPeers(ctx, rest, stdout, stderr)
	case "deliveries":
		return cmdDeliveries(ctx, rest, stdout, stderr)
	case "keys":
		return cmdKeys(ctx, rest, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q (run `liaison help`)", cmd)
}

// flags is a flag set with the options every command shares.
type flags struct {
	fs  *flag.FlagSet
	cfg app.Config
	log string
}

func newFlags(name string, stderr io.Writer) *flags {
	f := &flags{fs: flag.NewFlagSet(name, flag.ContinueOnError), cfg: app.FromEnv()}
	// A bad flag is reported in one line by parse, not with the whole
	// flag list; -h prints the list.
	f.fs.SetOutput(io.Discard)
	f.fs.Usage = func() {}
	f.fs.StringVar(&f.cfg.DataDir, "data", f.cfg.DataDir, "node data folder (SQLite database and files)")
	f.fs.StringVar(&f.cfg.DB, "db", f.cfg.DB, "PostgreSQL URL; SQLite in --data when empty")
	f.fs.StringVar(&f.log, "log", "info", "log level: debug, info, warn, error")
	return f
}

// parse parses flags wherever they appear among the arguments, so that
// `liaison user add NAME --role analyst` works, and returns the positional
// arguments.
func (f *flags) parse(args []string, stderr io.Writer) ([]string, error) {
	var pos []string
	rest := args
	for {
		if err := f.fs.Parse(rest); errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "Usage of liaison %s:\n", f.fs.Name())
			f.fs.SetOutput(stderr)
			f.fs.PrintDefaults()
			return nil, err
		} else if err != nil {
			return nil, exitError{code: 2, msg: oneLine(f.fs.Name() + ": " + err.Error() + " (run `liaison help`)")}
		}
		rest = f.fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		rest = rest[1:]
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.log)); err != nil {
		return nil, exitError{code: 2, msg: fmt.Sprintf("--log %q: want debug, info, warn or error", f.log)}
	}
	f.cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	return pos, nil
}

func noArgs(pos []string, cmd string) error {
	if len(pos) > 0 {
		return exitError{code: 2, msg: fmt.Sprintf("%s takes no arguments, got %q", cmd, strings.Join(pos, " "))}
	}
	return nil
}

func cmdInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("init", stderr)
	node := f.fs.String("node", "", "administration code of this node (ISO 3166 alpha-2, e.g. HK)")
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "init"); err != nil {
		return err
	}
	if *node == "" {
		return exitError{code: 2, msg: "init needs --node CODE (e.g. --node HK)"}
	}
	token, err := app.Init(ctx, f.cfg, *node)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "node %s initialised\n", strings.ToUpper(*node))
	fmt.Fprintf(stdout, "admin token: %s\n", token)
	return nil
}

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	f := newFlags("serve", stderr)
	f.fs.StringVar(&f.cfg.Listen, "listen", f.cfg.Listen, "HTTP listen address")
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "serve"); err != nil {
		return err
	}
	n, err := app.Open(ctx, f.cfg)
	if err != nil {
		return err
	}
	if err := n.Start(); err != nil {
		n.Close(context.Background())
		return err
	}
	waitErr := n.Wait(ctx)
	f.cfg.Logger.Info("shutting down", "node", n.Code)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return errors.Join(waitErr, n.Close(shutdownCtx))
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("demo", stderr)
	var o app.DemoOptions
	f.fs.StringVar(&o.Listen, "listen", "127.0.0.1:8470", "address of the first node; the others take the next ports (port 0: any free port)")
	f.fs.IntVar(&o.Records, "records", 300, "synthetic records per node")
	f.fs.Int64Var(&o.Seed, "seed", 1987, "seed of the synthetic data")
	f.log = "warn"
	f.fs.Lookup("log").DefValue = "warn"
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "demo"); err != nil {
		return err
	}
	if f.fs.Lookup("data") != nil && isSet(f.fs, "data") {
		o.DataDir = f.cfg.DataDir
	}
	return app.Demo(ctx, f.cfg, o, stdout)
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == name {
			set = true
		}
	})
	return set
}

func cmdUserAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("user add", stderr)
	role := f.fs.String("role", "", "admin, liaison, analyst or auditor")
	var ops []string
	f.fs.Func("operation", "an operation the user is a member of (repeatable): records distributed to an operation are shown only to its members, administrators and auditors", func(v string) error {
		ops = append(ops, v)
		return nil
	})
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return exitError{code: 2, msg: "usage: liaison user add NAME --role admin|liaison|analyst|auditor"}
	}
	if *role == "" {
		return exitError{code: 2, msg: "user add needs --role admin|liaison|analyst|auditor"}
	}
	token, err := app.AddUser(ctx, f.cfg, pos[0], *role, ops...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s) token: %s\n", pos[0], *role, token)
	return nil
}

func cmdRefdataLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("refdata load", stderr)
	hs := f.fs.String("hs", "", "HS nomenclature CSV (section,hscode,description,parent,level)")
	countries := f.fs.String("countries", "", "ISO 3166 country CSV (country-codes.csv shape)")
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "refdata load"); err != nil {
		return err
	}
	sum, err := app.LoadRefdata(ctx, f.cfg, *hs, *countries)
	if err != nil {
		return err
	}
	if *hs != "" {
		fmt.Fprintf(stdout, "HS loaded: %d chapters, %d headings, %d subheadings\n", sum.HSChapters, sum.HSHeadings, sum.HSSubheadings)
	}
	if *countries != "" {
		fmt.Fprintf(stdout, "countries loaded: %d\n", sum.Countries)
	}
	return nil
}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("import", stderr)
	format := f.fs.String("format", "", "jsonl or csv (default: from the file extension)")
	quiet := f.fs.Bool("quiet", false, "no progress bar")
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return exitError{code: 2, msg: "usage: liaison import FILE [--format jsonl|csv]"}
	}
	n, err := app.Import(ctx, f.cfg, pos[0], *format, newProgress(stderr, *quiet))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d records\n", n)
	return nil
}

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("export", stderr)
	format := f.fs.String("format", app.FormatJSONL, "jsonl or csv")
	out := f.fs.String("out", "", "output file (default: standard output)")
	kind := f.fs.String("kind", "", "only records of this kind")
	quiet := f.fs.Bool("quiet", false, "no progress bar")
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "export"); err != nil {
		return err
	}
	if *format != app.FormatJSONL && *format != app.FormatCSV {
		return exitError{code: 2, msg: fmt.Sprintf("--format %q: use jsonl or csv", *format)}
	}
	w := stdout
	var file *os.File
	if *out != "" {
		if err := checkOut(*out); err != nil {
			return err
		}
		// Write to a temporary file and rename, so a failed export never
		// leaves a truncated file under the requested name.
		if file, err = os.CreateTemp(filepath.Dir(*out), ".liaison-export-*"); err != nil {
			return fmt.Errorf("--out %s: %w", *out, err)
		}
		defer os.Remove(file.Name())
		w = file
	}
	n, err := app.Export(ctx, f.cfg, w, *format, store.RecordQuery{Kind: intel.Kind(*kind)}, newProgress(stderr, *quiet || *out == ""))
	if err != nil {
		if file != nil {
			file.Close()
		}
		return err
	}
	if file != nil {
		// The data reaches the disk before the file takes its name, so a
		// crash cannot leave an empty or partial file under it.
		if err := file.Sync(); err != nil {
			file.Close()
			return fmt.Errorf("write %s: %w", *out, err)
		}
		if err := file.Close(); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		if err := os.Rename(file.Name(), *out); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		if err := durable.SyncDir(filepath.Dir(*out)); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		fmt.Fprintf(stderr, "exported %d records to %s\n", n, *out)
	}
	return nil
}

// checkOut refuses an --out path that cannot take a file (app.CheckOut):
// one naming a folder is a usage error.
func checkOut(out string) error {
	err := app.CheckOut(out, true)
	var fe *fault.Error
	if errors.As(err, &fe) {
		code := 1
		if fe.Kind == fault.Invalid {
			code = 2
		}
		return exitError{code: code, msg: fe.Message}
	}
	return err
}

func cmdAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("audit verify", stderr)
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "audit verify"); err != nil {
		return err
	}
	rep, err := app.VerifyAudit(ctx, f.cfg)
	var (
		br *audit.Break
		am *audit.AnchorMismatch
		bm *audit.BodyMismatch
	)
	switch {
	case errors.As(err, &br):
		fmt.Fprintf(stdout, "audit chain BROKEN: %d entries verified before entry %d\n", rep.Entries, br.Seq)
		return exitError{code: 1, msg: br.Error()}
	case errors.As(err, &am):
		switch {
		case am.Format == store.NoAnchorFormat:
			fmt.Fprintf(stdout, "audit log ANCHOR DELETED: %d entries verified, the node's record of where the log ends is gone\n", rep.Entries)
		case am.Last < am.Anchor.Entries:
			fmt.Fprintf(stdout, "audit log CUT SHORT: %d entries verified, the node records %d\n", rep.Entries, am.Anchor.Entries)
		default:
			fmt.Fprintf(stdout, "audit log REWRITTEN: %d entries verified, entry %d is not the one the node recorded as the head of the chain\n",
				rep.Entries, am.Anchor.Entries)
		}
		return exitError{code: 1, msg: am.Error()}
	case errors.As(err, &bm):
		fmt.Fprintf(stdout, "record ALTERED: %d audit entries verified; record %s version %d differs from what the audit log vouches for\n",
			rep.Entries, bm.Record, bm.Version)
		return exitError{code: 1, msg: bm.Error()}
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "audit chain intact: %d entries verified, ending at the node's anchor (entry %d, head %s)\n",
		rep.Entries, rep.Anchor.Entries, rep.Head)
	fmt.Fprintf(stdout, "record bodies: %d versions checked, %d match their audit entries, %d not covered (stored before body digests were kept)\n",
		rep.Versions, rep.Covered, rep.Uncovered)
	return nil
}
