package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/procstat"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

// TestInspectFindsWhatAChainAloneMisses alters a backup copy in the ways a
// hash chain alone does not notice (a letter of a record's body, the last
// audit entries deleted) and in one it would not either (a valid entry
// appended without the anchor): Inspect refuses each, naming the record
// and version or where the log ends, and Restore refuses them whole.
func TestInspectFindsWhatAChainAloneMisses(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	db := nodeWithRecords(t, src, 5)
	r := storetest.NewRecord(t, storetest.Narrative("Found behind the spare tyre."))
	if err := db.CreateRecords(ctx, []*intel.Record{r}, createEvents([]*intel.Record{r})); err != nil {
		t.Fatal(err)
	}
	v2 := storetest.NextVersion(t, r, storetest.Narrative("Found behind the spare tyre and under the seats."))
	if err := db.UpdateRecord(ctx, v2, audit.Event{Actor: "analyst1", Action: audit.ActionRecordUpdate, Target: r.ID}); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "good.backup")
	snap, err := Backup(ctx, src, good)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Anchored || snap.Covered != snap.Versions || snap.Uncovered != 0 || snap.Versions != 7 {
		t.Fatalf("snapshot %+v: want anchored, all 7 versions covered", snap)
	}
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	copyWith := func(name, stmt string, args ...any) string {
		t.Helper()
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		h, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		res, err := h.Exec(stmt, args...)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s changed nothing", stmt)
		}
		return p
	}
	last := snap.AuditEntries
	appended := audit.Next(&audit.Entry{Seq: last, Hash: snap.AuditHead},
		audit.Event{Actor: "mallory", Action: audit.ActionRecordRead, Target: r.ID}, storetest.Base())
	cases := []struct {
		name, file string
		check      func(error) bool
		want       string
	}{
		{"a letter of a body", copyWith("body.backup",
			`UPDATE record_versions SET body = replace(body, 'spare tyre.', 'spare tyrE.') WHERE id = ? AND version = 1`, r.ID),
			func(err error) bool {
				var bm *audit.BodyMismatch
				return errors.As(err, &bm) && bm.Record == r.ID && bm.Version == 1
			},
			fmt.Sprintf("record %s version 1: the stored body does not match the digest in audit entry", r.ID)},
		{"the last audit entry", copyWith("cut.backup", `DELETE FROM audit WHERE seq = ?`, last),
			func(err error) bool {
				var am *audit.AnchorMismatch
				return errors.As(err, &am) && am.Last == last-1 && am.Anchor.Entries == last
			},
			fmt.Sprintf("the audit log ends at entry %d but the node records %d entries; entries after %d were deleted", last-1, last, last-1)},
		{"an entry appended", copyWith("added.backup",
			`INSERT INTO audit (seq, time, actor, action, target, detail, prev, hash) VALUES (?, ?, ?, ?, ?, '', ?, ?)`,
			appended.Seq, formatTime(appended.Time), appended.Actor, appended.Action, appended.Target, appended.Prev, appended.Hash),
			func(err error) bool {
				var am *audit.AnchorMismatch
				return errors.As(err, &am) && am.Last == last+1
			},
			"were added without the node recording them"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Inspect(ctx, c.file)
			if !c.check(err) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Inspect: %v, want an error saying %q", err, c.want)
			}
			target := filepath.Join(t.TempDir(), "node")
			if _, err := Restore(ctx, c.file, target); !c.check(err) {
				t.Fatalf("Restore: %v, want it refused as Inspect refuses it", err)
			}
			if _, err := os.Stat(filepath.Join(target, FileName)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a refused restore left a database: %v", err)
			}
		})
	}
}

// legacyNode writes, at path, the database of a node as a release before
// the audit anchor left it: migrations up to 0010, node HK, the records rs
// (one version each) and a second version of the first, and an audit log of
// entries without digests. It returns the log.
func legacyNode(t *testing.T, path string, rs []*intel.Record) []audit.Entry {
	t.Helper()
	h, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	h.SetMaxOpenConns(1)
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := h.Exec(q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`)
	for _, m := range ms[:anchorSchema-1] {
		exec(m.SQL)
		exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.Version, formatTime(storetest.Base()))
	}
	at := storetest.Base()
	var es []audit.Entry
	log := func(action, target, detail string) {
		var prev *audit.Entry
		if len(es) > 0 {
			prev = &es[len(es)-1]
		}
		at = at.Add(time.Second)
		e := audit.Next(prev, audit.Event{Actor: "analyst1", Action: action, Target: target, Detail: detail}, at)
		exec(`INSERT INTO audit (seq, time, actor, action, target, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, formatTime(e.Time), e.Actor, e.Action, e.Target, e.Detail, e.Prev, e.Hash)
		es = append(es, e)
	}
	exec(`INSERT INTO node (id, code, created) VALUES (1, 'HK', ?)`, formatTime(storetest.Base()))
	log(audit.ActionNodeInit, "HK", "")
	put := func(r *intel.Record, update bool) {
		body, err := intel.AppendJSON(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		if update {
			exec(`UPDATE records SET version = ? WHERE id = ?`, r.Version, r.ID)
		} else {
			exec(`INSERT INTO records (id, kind, originator, version, status, event_date, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				r.ID, string(r.Kind), r.Originator, r.Version, string(r.Status), intel.EventDate(r), nullTime(r.Created), nullTime(r.Updated))
		}
		exec(`INSERT INTO record_versions (id, version, body) VALUES (?, ?, ?)`, r.ID, r.Version, string(body))
		log(audit.ActionRecordCreate, r.ID, fmt.Sprintf("version %d", r.Version))
	}
	for _, r := range rs {
		put(r, false)
	}
	put(storetest.NextVersion(t, rs[0], storetest.Narrative("Second version, stored by the earlier release.")), true)
	log(audit.ActionRecordRead, rs[1].ID, "")
	return es
}

// TestUpgradeAnchorsTheExistingChain opens the database of a node written
// by a release before the anchor: the migration anchors the chain where it
// ends, the log verifies with every earlier version counted as not
// covered, new versions are covered, and a deletion of the last entries
// from then on is found. A backup of that release is inspected and
// restored too, and the restored node verifies.
func TestUpgradeAnchorsTheExistingChain(t *testing.T) {
	ctx := context.Background()
	rs := []*intel.Record{storetest.NewRecord(t), storetest.NewRecord(t), storetest.NewRecord(t)}

	// A backup of the earlier release is a database file of its schema.
	old := filepath.Join(t.TempDir(), "old.backup")
	legacyNode(t, old, rs)
	snap, err := Inspect(ctx, old)
	if err != nil {
		t.Fatalf("Inspect a backup of the earlier release: %v", err)
	}
	if snap.Schema != anchorSchema-1 || snap.Anchored || snap.Versions != 4 || snap.Uncovered != 4 || snap.AuditEntries != 6 {
		t.Fatalf("snapshot of the earlier release's backup: %+v", snap)
	}
	restoredDir := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, old, restoredDir); err != nil {
		t.Fatal(err)
	}
	restored := mustOpenIn(t, restoredDir)
	if rep, err := store.VerifyAudit(ctx, restored, true); err != nil || rep.Uncovered != 4 || rep.Anchor.Entries != 6 {
		t.Fatalf("restored node of the earlier release: %+v, %v", rep, err)
	}

	dir := t.TempDir()
	es := legacyNode(t, filepath.Join(dir, FileName), rs)
	db := mustOpenIn(t, dir)
	last := es[len(es)-1]
	a, err := db.AuditAnchor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a != (audit.Anchor{Entries: last.Seq, Head: last.Hash}) {
		t.Fatalf("anchor after the upgrade %+v, want entry %d with hash %s", a, last.Seq, last.Hash)
	}
	rep, err := store.VerifyAudit(ctx, db, true)
	if err != nil {
		t.Fatalf("verify the upgraded node: %v", err)
	}
	if rep.Entries != int64(len(es)) || rep.Versions != 4 || rep.Covered != 0 || rep.Uncovered != 4 {
		t.Fatalf("upgraded node: %+v, want %d entries, 4 versions none covered", rep, len(es))
	}
	v3 := storetest.NextVersion(t, storetest.NextVersion(t, rs[0], storetest.Narrative("Second version, stored by the earlier release.")),
		storetest.Narrative("Third version, stored after the upgrade."))
	if err := db.UpdateRecord(ctx, v3, audit.Event{Actor: "analyst1", Action: audit.ActionRecordUpdate, Target: v3.ID}); err != nil {
		t.Fatal(err)
	}
	rep, err = store.VerifyAudit(ctx, db, true)
	if err != nil || rep.Covered != 1 || rep.Uncovered != 4 || rep.Entries != int64(len(es))+1 {
		t.Fatalf("after a new version: %+v, %v; want 1 covered, 4 not", rep, err)
	}
	if _, err := db.write.Exec(`DELETE FROM audit WHERE seq = ?`, rep.Entries); err != nil {
		t.Fatal(err)
	}
	_, err = store.VerifyAudit(ctx, db, false)
	var am *audit.AnchorMismatch
	if !errors.As(err, &am) || am.Last != rep.Entries-1 {
		t.Fatalf("verify after deleting the last entry: %v, want an anchor mismatch at entry %d", err, rep.Entries-1)
	}
}

// BenchmarkAuditAppendOne appends one entry at a time, as an audited read
// does when no other is being committed: the cost of a small append's
// transaction, the anchor's update included (one more page in the WAL),
// with the bytes handed to the kernel to write (WAL and checkpoints).
func BenchmarkAuditAppendOne(b *testing.B) {
	db := MustOpenDB(b)
	ctx := context.Background()
	ev := audit.Event{Actor: "analyst1", Action: audit.ActionRecordRead, Target: "01JD0000000000000000000000"}
	w0, err := procstat.Written()
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, err := db.Audit(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	if w, err := procstat.Written(); err == nil {
		b.ReportMetric(float64(w-w0)/1024/float64(b.N), "written-KiB/op")
	}
}
