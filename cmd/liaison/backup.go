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

// backupError says plainly that a backup's audit log or a record it
// vouches for was altered.
func backupError(err error) error {
	if tampered(err) {
		return exitError{code: 1, msg: oneLine(err.Error())}
	}
	return err
}

// tampered reports whether err says that verification found the audit log
// or a record altered, rather than that it could not verify.
func tampered(err error) bool {
	var (
		br *audit.Break
		am *audit.AnchorMismatch
		bm *audit.BodyMismatch
	)
	return errors.As(err, &br) || errors.As(err, &am) || errors.As(err, &bm)
}

// printReport says what a backup, a check of one or a restore found: the
// node and its records, then the audit log (its entry count and head hash,
// which an operator may record elsewhere to compare later backups with)
// and the record bodies checked against it.
func printReport(w io.Writer, what string, r app.BackupReport) {
	node := r.Node
	if node == "" {
		node = "-"
	}
	switch r.Format {
	case "sqlite":
		fmt.Fprintf(w, "%s: node %s, %d records (%d versions), %d bytes\n", what, node, r.Records, r.Versions, r.Bytes)
	default:
		fmt.Fprintf(w, "%s: %s archive, node %s, %d bytes", what, r.Format, node, r.Bytes)
		if r.AuditChainVerified {
			fmt.Fprintf(w, ", %d records (%d versions)", r.Records, r.Versions)
		}
		fmt.Fprintln(w)
	}
	if !r.AuditChainVerified {
		return
	}
	anchor := fmt.Sprintf("ends at the node's anchor (entry %d)", r.AuditEntries)
	if !r.Anchored {
		anchor = "no anchor to compare (made before anchors were kept)"
	}
	fmt.Fprintf(w, "  audit log: %d audit entries, chain verified, %s, head %s\n", r.AuditEntries, anchor, r.AuditHead)
	fmt.Fprintf(w, "  record bodies: %d match their audit entries, %d not covered (stored before body digests were kept)\n",
		r.Covered, r.Uncovered)
}
