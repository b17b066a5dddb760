package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"liaison/internal/store/pgtest"
)

// importOne imports the canonical seizure into the node in dir and returns
// its id.
func importOne(t *testing.T, dir string, db []string) string {
	t.Helper()
	line, err := json.Marshal(canonical(t))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "one.jsonl")
	if err := os.WriteFile(file, append(line, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	mustLiaison(t, append([]string{"import", file, "--data", dir}, db...)...)
	out := mustLiaison(t, append([]string{"export", "--data", dir}, db...)...)
	var r struct{ ID string }
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &r); err != nil || r.ID == "" {
		t.Fatalf("export: %q (%v)", out, err)
	}
	return r.ID
}

var entriesRE = regexp.MustCompile(`audit chain intact: (\d+) entries verified`)

// TestAuditVerifyNamesAlteredRecordAndCutLog runs `liaison audit verify` on
// a node whose record body was changed behind its back, and on one whose
// last audit entry was deleted: each exits 1 naming the record and version,
// or where the log ends.
func TestAuditVerifyNamesAlteredRecordAndCutLog(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			db := b.db(t, dir)
			initNode(t, dir, "HK", db...)
			id := importOne(t, dir, db)
			verify := append([]string{"audit", "verify", "--data", dir}, db...)
			out := mustLiaison(t, verify...)
			m := entriesRE.FindStringSubmatch(out)
			if m == nil || !strings.Contains(out, "1 match their audit entries, 0 not covered") {
				t.Fatalf("audit verify: %q", out)
			}
			var n int
			fmt.Sscan(m[1], &n)

			run := func(sqlite string, pg string, args ...any) {
				t.Helper()
				if db == nil {
					h, err := sql.Open("sqlite", filepath.Join(dir, "liaison.db"))
					if err != nil {
						t.Fatal(err)
					}
					defer h.Close()
					if _, err := h.Exec(sqlite, args...); err != nil {
						t.Fatal(err)
					}
					return
				}
				pgtest.Exec(t, db[1], pg, args...)
			}
			// A letter of the narrative.
			run(`UPDATE record_versions SET body = replace(body, 'frozen', 'frozeN') WHERE id = ?`,
				`UPDATE record_versions SET body = replace(body::text, 'frozen', 'frozeN')::json WHERE id = $1`, id)
			out, errOut, code := liaison(t, verify...)
			if code != 1 || !strings.Contains(errOut, "record "+id+" version 1") || !strings.Contains(errOut, "altered") ||
				!strings.Contains(out, "record ALTERED") {
				t.Fatalf("verify after altering a body: exit %d, stdout %q, stderr %q; want exit 1 naming record %s version 1", code, out, errOut, id)
			}
			run(`UPDATE record_versions SET body = replace(body, 'frozeN', 'frozen') WHERE id = ?`,
				`UPDATE record_versions SET body = replace(body::text, 'frozeN', 'frozen')::json WHERE id = $1`, id)
			mustLiaison(t, verify...)

			// The last entry.
			run(`DELETE FROM audit WHERE seq = ?`, `DELETE FROM audit WHERE seq = $1`, n)
			out, errOut, code = liaison(t, verify...)
			want := fmt.Sprintf("the audit log ends at entry %d but the node records %d entries; entries after %d were deleted", n-1, n, n-1)
			if code != 1 || !strings.Contains(errOut, want) || !strings.Contains(out, "CUT SHORT") {
				t.Fatalf("verify after deleting the last entry: exit %d, stdout %q, stderr %q; want exit 1 saying %q", code, out, errOut, want)
			}
		})
	}
}

// TestAuditVerifyNamesRewrittenAndDeletedAnchor runs `liaison audit verify`
// on a node whose anchor no longer names the last entry's hash, then on
// one whose anchor was deleted with its last entry: each exits 1, its
// summary saying what was found (not "cut short" for a log that ends where
// the anchor says), and the reason naming it.
func TestAuditVerifyNamesRewrittenAndDeletedAnchor(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			db := b.db(t, dir)
			initNode(t, dir, "HK", db...)
			importOne(t, dir, db)
			verify := append([]string{"audit", "verify", "--data", dir}, db...)
			m := entriesRE.FindStringSubmatch(mustLiaison(t, verify...))
			if m == nil {
				t.Fatal("audit verify printed no count")
			}
			var n int
			fmt.Sscan(m[1], &n)
			run := func(sqlite string, pg string) {
				t.Helper()
				if db == nil {
					h, err := sql.Open("sqlite", filepath.Join(dir, "liaison.db"))
					if err != nil {
						t.Fatal(err)
					}
					defer h.Close()
					if _, err := h.Exec(sqlite); err != nil {
						t.Fatal(err)
					}
					return
				}
				pgtest.Exec(t, db[1], pg)
			}
			// The first digit changed, whatever it was (a hash may start
			// with any of them).
			rewrite := `UPDATE audit_head SET hash = CASE WHEN substr(hash, 1, 1) = '0' THEN '1' ELSE '0' END || substr(hash, 2)`
			run(rewrite, rewrite)
			out, errOut, code := liaison(t, verify...)
			if code != 1 || !strings.Contains(out, "REWRITTEN") || strings.Contains(out, "CUT SHORT") ||
				!strings.Contains(errOut, fmt.Sprintf("audit entry %d is not the one the node recorded as the head of the chain", n)) {
				t.Fatalf("verify after rewriting the anchor: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			run(`DELETE FROM audit_head`, `DELETE FROM audit_head`)
			run(fmt.Sprintf(`DELETE FROM audit WHERE seq = %d`, n), fmt.Sprintf(`DELETE FROM audit WHERE seq = %d`, n))
			out, errOut, code = liaison(t, verify...)
			want := fmt.Sprintf("the node's record of where the audit log ends (audit_head) was deleted; the log ends at entry %d", n-1)
			if code != 1 || !strings.Contains(out, "ANCHOR DELETED") || !strings.Contains(errOut, want) {
				t.Fatalf("verify after deleting the anchor: exit %d, stdout %q, stderr %q; want exit 1 saying %q", code, out, errOut, want)
			}
		})
	}
}

// TestBackupVerifyNamesAlteredRecord checks a backup copy in which a letter
// of a record's body was changed: `liaison backup verify` exits 1 naming the
// record and version, and `liaison restore` refuses it.
func TestBackupVerifyNamesAlteredRecord(t *testing.T) {
	dir := t.TempDir()
	initNode(t, dir, "HK")
	id := importOne(t, dir, nil)
	file := filepath.Join(t.TempDir(), "hk.backup")
	out := mustLiaison(t, "backup", "--data", dir, "--out", file)
	if !regexp.MustCompile(`audit log: (\d+) audit entries, chain verified, ends at the node's anchor \(entry (\d+)\), head [0-9a-f]{64}`).MatchString(out) ||
		!strings.Contains(out, "1 match their audit entries, 0 not covered") {
		t.Fatalf("backup printed %q", out)
	}
	h, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Exec(`UPDATE record_versions SET body = replace(body, 'frozen', 'frozeN') WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	h.Close()
	_, errOut, code := liaison(t, "backup", "verify", file)
	if code != 1 || !strings.Contains(errOut, "record "+id+" version 1: the stored body does not match the digest in audit entry") {
		t.Fatalf("verify of a backup with an altered body: exit %d, %q", code, errOut)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if _, errOut, code := liaison(t, "restore", file, "--data", empty); code != 1 || !strings.Contains(errOut, "record "+id+" version 1") {
		t.Fatalf("restore of a backup with an altered body: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(empty, "liaison.db")); err == nil {
		t.Fatal("a refused restore left a database behind")
	}
}
