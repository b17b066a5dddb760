package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"liaison/internal/app"
	"liaison/internal/audit"
)

// cmdBackup: liaison backup --out FILE, or liaison backup verify FILE.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "verify" {
		return cmdBackupVerify(ctx, args[1:], stdout, stderr)
	}
	f := newFlags("backup", stderr)
	out := f.fs.String("out", "", "file to write the backup to (must not exist)")
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if err := noArgs(pos, "backup"); err != nil {
		return err
	}
	if *out == "" {
		return exitError{code: 2, msg: "backup needs --out FILE"}
	}
	rep, err := app.Backup(ctx, f.cfg, *out)
	if err != nil {
		return err
	}
	printReport(stdout, "backup "+*out, rep)
	return nil
}

func cmdBackupVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("backup verify", stderr)
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return exitError{code: 2, msg: "usage: liaison backup verify FILE"}
	}
	rep, err := app.InspectBackup(ctx, pos[0])
	if err != nil {
		return backupError(err)
	}
	printReport(stdout, "backup "+pos[0]+" is intact", rep)
	return nil
}

// cmdRestore: liaison restore FILE --data DIR (or --db URL).
func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("restore", stderr)
	pos, err := f.parse(args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return exitError{code: 2, msg: "usage: liaison restore FILE --data DIR (or --db URL)"}
	}
	rep, err := app.Restore(ctx, f.cfg, pos[0])
	if err != nil {
		return backupError(err)
	}
	printReport(stdout, "restored "+pos[0], rep)
	return nil
}

// backupError says plainly that a backup's audit chain is broken.
func backupError(err error) error {
	var br *audit.Break
	if errors.As(err, &br) {
		return exitError{code: 1, msg: oneLine(err.Error())}
	}
	return err
}

func printReport(w io.Writer, what string, r app.BackupReport) {
	switch r.Format {
	case "sqlite":
		fmt.Fprintf(w, "%s: node %s, %d records (%d versions), %d audit entries, chain verified, head %s, %d bytes\n",
			what, r.Node, r.Records, r.Versions, r.AuditEntries, r.AuditHead, r.Bytes)
	default:
		node := r.Node
		if node == "" {
			node = "-"
		}
		fmt.Fprintf(w, "%s: %s archive, node %s, %d bytes", what, r.Format, node, r.Bytes)
		if r.AuditChainVerified {
			fmt.Fprintf(w, ", %d records, %d audit entries, chain verified", r.Records, r.AuditEntries)
		}
		fmt.Fprintln(w)
	}
}
