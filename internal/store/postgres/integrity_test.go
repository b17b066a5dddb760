package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/pgtest"
	"liaison/internal/store/storetest"
)

func TestIntegrity(t *testing.T) {
	pgtest.MustSchema(t) // skip early, once, without the variable
	storetest.RunIntegrity(t, func(t *testing.T) (store.Store, storetest.Tamper) {
		db := MustOpenDB(t)
		return db, tamperer(db)
	})
}

// tamperer changes the database behind db's back, as storetest.Tamper asks.
func tamperer(db *DB) storetest.Tamper {
	ctx := context.Background()
	return storetest.Tamper{
		SetBody: func(id string, version int, body string) error {
			tag, err := db.pool.Exec(ctx, `UPDATE record_versions SET body = $1::json WHERE id = $2 AND version = $3`, body, id, version)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("record %s version %d is not stored", id, version)
			}
			return nil
		},
		DeleteAuditAfter: func(seq int64) error {
			_, err := db.pool.Exec(ctx, `DELETE FROM audit WHERE seq > $1`, seq)
			return err
		},
		ReplaceAudit: func(es []audit.Entry) error {
			return db.inTx(ctx, func(tx pgx.Tx) error { return replaceAudit(ctx, tx, es) })
		},
		DeleteAnchor: func() error {
			_, err := db.pool.Exec(ctx, `DELETE FROM audit_head`)
			return err
		},
		SetRow: func(id string, version int, status intel.Status) error {
			_, err := db.pool.Exec(ctx, `UPDATE records SET version = $1, status = $2 WHERE id = $3`, version, string(status), id)
			return err
		},
	}
}

// replaceAudit writes es as the whole audit log inside tx, as a release
// before body digests wrote it, anchored at its last entry.
func replaceAudit(ctx context.Context, tx pgx.Tx, es []audit.Entry) error {
	if _, err := tx.Exec(ctx, `DELETE FROM audit`); err != nil {
		return err
	}
	for _, e := range es {
		if _, err := tx.Exec(ctx, `INSERT INTO audit (seq, time, actor, action, target, detail, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			e.Seq, e.Time, e.Actor, e.Action, e.Target, e.Detail, e.Prev, e.Hash); err != nil {
			return err
		}
	}
	head := audit.Entry{Hash: audit.Genesis}
	if len(es) > 0 {
		head = es[len(es)-1]
	}
	_, err := tx.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, head.Seq, head.Hash)
	return err
}

// TestUpgradeVerifiesTheExistingChain migrates the database of a node
// written by a release before body digests (migrations up to 0008): its
// audit_head, kept since the first migration, anchors the chain as it is;
// the log verifies with every earlier version counted as not covered, and
// new versions are covered.
func TestUpgradeVerifiesTheExistingChain(t *testing.T) {
	url := pgtest.MustSchema(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := c.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	exec(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)`)
	const before = 8 // the last migration before 0009_audit_anchor.sql
	for _, m := range ms[:before] {
		exec(m.SQL)
		exec(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`, m.Version)
	}
	var es []audit.Entry
	at := storetest.Base()
	log := func(action, target string) {
		var prev *audit.Entry
		if len(es) > 0 {
			prev = &es[len(es)-1]
		}
		at = at.Add(time.Second)
		e := audit.Next(prev, audit.Event{Actor: "analyst1", Action: action, Target: target}, at)
		exec(`INSERT INTO audit (seq, time, actor, action, target, detail, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			e.Seq, e.Time, e.Actor, e.Action, e.Target, e.Detail, e.Prev, e.Hash)
		exec(`UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, e.Seq, e.Hash)
		es = append(es, e)
	}
	exec(`INSERT INTO node (id, code, created) VALUES (1, 'HK', $1)`, storetest.Base())
	log(audit.ActionNodeInit, "HK")
	rs := []*intel.Record{storetest.NewRecord(t), storetest.NewRecord(t)}
	for _, r := range rs {
		body, err := intel.AppendJSON(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO records (id, kind, originator, version, status, event_date, created, updated, search)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_tsvector('simple', ''))`,
			r.ID, string(r.Kind), r.Originator, r.Version, string(r.Status), intel.EventDate(r), r.Created, r.Updated)
		exec(`INSERT INTO record_versions (id, version, body) VALUES ($1, $2, $3::json)`, r.ID, r.Version, string(body))
		log(audit.ActionRecordCreate, r.ID)
	}
	log(audit.ActionRecordRead, rs[0].ID)

	db := mustOpenAt(t, url)
	last := es[len(es)-1]
	rep, err := store.VerifyAudit(ctx, db, true)
	if err != nil {
		t.Fatalf("verify the upgraded node: %v", err)
	}
	if rep.Anchor != (audit.Anchor{Entries: last.Seq, Head: last.Hash}) || rep.Entries != int64(len(es)) ||
		rep.Versions != 2 || rep.Covered != 0 || rep.Uncovered != 2 {
		t.Fatalf("upgraded node: %+v; want anchored at entry %d, 2 versions not covered", rep, last.Seq)
	}
	v2 := storetest.NextVersion(t, rs[0], storetest.Narrative("Stored after the upgrade."))
	if err := db.UpdateRecord(ctx, v2, audit.Event{Actor: "analyst1", Action: audit.ActionRecordUpdate, Target: v2.ID}); err != nil {
		t.Fatal(err)
	}
	if rep, err := store.VerifyAudit(ctx, db, true); err != nil || rep.Covered != 1 || rep.Uncovered != 2 {
		t.Fatalf("after a new version: %+v, %v; want 1 covered, 2 not", rep, err)
	}
}
