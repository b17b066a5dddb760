package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

func TestIntegrity(t *testing.T) {
	storetest.RunIntegrity(t, func(t *testing.T) (store.Store, storetest.Tamper) {
		db := MustOpenDB(t)
		return db, tamperer(db.write)
	})
}

// tamperer changes the database behind w's back, as storetest.Tamper asks.
func tamperer(w *sql.DB) storetest.Tamper {
	return storetest.Tamper{
		SetBody: func(id string, version int, body string) error {
			res, err := w.Exec(`UPDATE record_versions SET body = ? WHERE id = ? AND version = ?`, body, id, version)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("record %s version %d is not stored", id, version)
			}
			return nil
		},
		DeleteAuditAfter: func(seq int64) error {
			_, err := w.Exec(`DELETE FROM audit WHERE seq > ?`, seq)
			return err
		},
		ReplaceAudit: func(es []audit.Entry) error {
			return inTxOn(context.Background(), w, func(tx *sql.Tx) error {
				return replaceAudit(tx, es)
			})
		},
		DeleteAnchor: func() error {
			_, err := w.Exec(`DELETE FROM audit_head`)
			return err
		},
		SetRow: func(id string, version int, status intel.Status) error {
			_, err := w.Exec(`UPDATE records SET version = ?, status = ? WHERE id = ?`, version, string(status), id)
			return err
		},
	}
}

// replaceAudit writes es as the whole audit log inside tx, as a release
// before body digests wrote it, anchored at its last entry.
func replaceAudit(tx *sql.Tx, es []audit.Entry) error {
	if _, err := tx.Exec(`DELETE FROM audit`); err != nil {
		return err
	}
	for _, e := range es {
		if _, err := tx.Exec(`INSERT INTO audit (seq, time, actor, action, target, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, formatTime(e.Time), e.Actor, e.Action, e.Target, e.Detail, e.Prev, e.Hash); err != nil {
			return err
		}
	}
	head := audit.Entry{Hash: audit.Genesis}
	if len(es) > 0 {
		head = es[len(es)-1]
	}
	_, err := tx.Exec(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, head.Seq, head.Hash)
	return err
}
