package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/store"
)

const (
	sqlKeyCurrentOff = `UPDATE node_keys SET current = 0, retired = coalesce(retired, ?) WHERE current = 1`
	sqlInsertKey     = `INSERT INTO node_keys (fingerprint, private, public, created, retired, current, rotation)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlKeys = `SELECT fingerprint, private, public, created, retired, current, rotation FROM node_keys
		ORDER BY created, fingerprint`

	sqlUpsertPeer = `INSERT INTO peers (code, url, public_key, fingerprint, state, added) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET url = excluded.url, public_key = excluded.public_key,
			fingerprint = excluded.fingerprint, state = excluded.state`
	sqlPeerColumns = `SELECT p.code, p.url, p.public_key, p.fingerprint, p.state, p.added, p.last_contact, p.last_error,
		(SELECT count(*) FROM outbox o WHERE o.peer = p.code AND o.state IN ('queued', 'failed')) FROM peers p`
	sqlPeers = sqlPeerColumns + ` ORDER BY p.code`
	sqlPeer  = sqlPeerColumns + ` WHERE p.code = ?`

	sqlInsertDelivery = `INSERT INTO outbox (envelope_id, peer, type, record_id, version, payload, decision, sign_key,
		state, next_attempt, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlDeliveryColumns = `SELECT id, coalesce(envelope_id, ''), peer, type, record_id, version, payload, decision, sign_key,
		state, attempts, last_error, next_attempt, created, delivered_at, refusal_reason, refusal_signed FROM outbox`
	sqlDeliveriesAll    = sqlDeliveryColumns + ` ORDER BY id`
	sqlDeliveriesRecord = sqlDeliveryColumns + ` WHERE record_id = ? ORDER BY id`
	sqlDelivery         = sqlDeliveryColumns + ` WHERE id = ?`

	sqlDuePeer = `SELECT p.code FROM peers p WHERE (p.lease_until < ? OR p.lease_owner = ?)
		AND EXISTS (SELECT 1 FROM outbox o WHERE o.peer = p.code AND o.state IN ('queued', 'failed') AND o.next_attempt <= ?)
		ORDER BY p.lease_until, p.code LIMIT 1`
	sqlLeasePeer = `UPDATE peers SET lease_owner = ?, lease_until = ? WHERE code = ?`
	sqlDueRows   = sqlDeliveryColumns + ` WHERE peer = ? AND state IN ('queued', 'failed') AND next_attempt <= ?
		ORDER BY type <> 'key.rotate', id LIMIT ?`
	sqlSetEnvelopeID = `UPDATE outbox SET envelope_id = ? WHERE id = ? AND envelope_id IS NULL`
	sqlReleasePeer   = `UPDATE peers SET lease_owner = '', lease_until = '' WHERE code = ? AND lease_owner = ?`
	sqlPeerContact   = `UPDATE peers SET state = ?, last_contact = coalesce(?, last_contact), last_error = ? WHERE code = ?`
	sqlFinishRow     = `UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt = ?,
		delivered_at = ?, refusal_reason = ?, refusal_signed = ?
		WHERE id = ? AND state IN ('queued', 'failed')`
	// A peer that answers has recovered: its rows waiting out a backoff
	// are due at once, so that a backlog built during an outage drains
	// as soon as the peer is back rather than over the backoff period.
	sqlPeerRecovered = `UPDATE outbox SET next_attempt = ? WHERE peer = ? AND state = 'failed' AND next_attempt > ?`
	sqlRetryRow      = `UPDATE outbox SET state = 'queued', next_attempt = ?, last_error = '', attempts = 0,
		refusal_reason = '', refusal_signed = '', created = ? WHERE id = ? AND state <> 'delivered'`

	sqlInboxInsert = `INSERT INTO inbox (envelope_id, sender, type, record_id, version, signed, received)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (envelope_id) DO NOTHING`
	sqlInboxHas      = `SELECT count(*) FROM inbox WHERE envelope_id = ?`
	sqlInboxAmong    = `SELECT envelope_id FROM inbox WHERE envelope_id IN (SELECT value FROM json_each(?))`
	sqlHeldVersion   = `SELECT version FROM records WHERE id = ?`
	sqlReceiveUpdate = `UPDATE records SET kind = ?, originator = ?, version = ?, status = ?, event_date = ?,
		created = ?, updated = ? WHERE id = ?`
	sqlReceiveInsert = `INSERT INTO records (id, kind, originator, version, status, event_date, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlReceiveVersion  = `INSERT INTO record_versions (id, version, body) VALUES (?, ?, ?)`
	sqlRewriteVersion  = `UPDATE record_versions SET body = ? WHERE id = ? AND version = ?`
	sqlReceiveCategory = `INSERT INTO record_categories (id, category) VALUES (?, ?)`
	sqlReceiveChanges  = `UPDATE record_changes SET seq = seq + 1`
)

// PutNodeKey stores a key; a current key retires the others.
func (db *DB) PutNodeKey(ctx context.Context, k store.NodeKey, ev audit.Event) error {
	if k.Fingerprint == "" || len(k.Private) == 0 || k.Public == "" {
		return fault.E(fault.Invalid, "node key needs a fingerprint, a private and a public key")
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		cur := 0
		if k.Current {
			cur = 1
			if _, err := tx.ExecContext(ctx, sqlKeyCurrentOff, formatTime(k.Created)); err != nil {
				return mapErr(err, "node keys")
			}
		}
		if _, err := tx.ExecContext(ctx, sqlInsertKey, k.Fingerprint, string(k.Private), k.Public, formatTime(k.Created),
			nullTime(k.Retired), cur, string(k.Rotation)); err != nil {
			return mapErr(err, "node key "+k.Fingerprint)
		}
		_, err := db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return fmt.Errorf("put node key: %w", err)
	}
	return nil
}

// NodeKeys lists the node's keys, oldest first.
func (db *DB) NodeKeys(ctx context.Context) ([]store.NodeKey, error) {
	rows, err := db.query(ctx, sqlKeys)
	if err != nil {
		return nil, fmt.Errorf("list node keys: %w", mapErr(err, "node keys"))
	}
	defer rows.Close()
	out := []store.NodeKey{}
	for rows.Next() {
		var (
			k                      store.NodeKey
			priv, created, rotated string
			retired                sql.NullString
			cur                    int
		)
		if err := rows.Scan(&k.Fingerprint, &priv, &k.Public, &created, &retired, &cur, &rotated); err != nil {
			return nil, fmt.Errorf("list node keys: %w", err)
		}
		k.Private, k.Current, k.Rotation = []byte(priv), cur == 1, []byte(rotated)
		if len(k.Rotation) == 0 {
			k.Rotation = nil
		}
		if k.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		if k.Retired, err = optTime(retired); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list node keys: %w", mapErr(err, "node keys"))
	}
	return out, nil
}

func optTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// PutPeer pins or re-pins a peer.
func (db *DB) PutPeer(ctx context.Context, p store.Peer, ev audit.Event) error {
	if p.Code == "" || p.URL == "" || p.PublicKey == "" || p.Fingerprint == "" {
		return fault.E(fault.Invalid, "peer needs a code, a URL, a public key and a fingerprint")
	}
	if p.State == "" {
		p.State = store.PeerActive
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := putPeer(ctx, tx, p, db.now()); err != nil {
			return err
		}
		_, err := db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return fmt.Errorf("pin peer %s: %w", p.Code, err)
	}
	return nil
}

func putPeer(ctx context.Context, tx *sql.Tx, p store.Peer, now time.Time) error {
	added := p.Added
	if added.IsZero() {
		added = now
	}
	if p.State == "" {
		p.State = store.PeerActive
	}
	_, err := tx.ExecContext(ctx, sqlUpsertPeer, p.Code, p.URL, p.PublicKey, p.Fingerprint, p.State, formatTime(added))
	return mapErr(err, "peer "+p.Code)
}

// Peers lists the pinned peers by code.
func (db *DB) Peers(ctx context.Context) ([]store.Peer, error) {
	ps, err := db.queryPeers(ctx, sqlPeers)
	if err != nil {
		return nil, fmt.Errorf("list peers: %w", err)
	}
	return ps, nil
}

// Peer returns one pinned peer.
func (db *DB) Peer(ctx context.Context, code string) (store.Peer, error) {
	ps, err := db.queryPeers(ctx, sqlPeer, code)
	if err != nil {
		return store.Peer{}, fmt.Errorf("read peer %s: %w", code, err)
	}
	if len(ps) == 0 {
		return store.Peer{}, fault.E(fault.NotFound, "peer %s is not pinned", code)
	}
	return ps[0], nil
}

func (db *DB) queryPeers(ctx context.Context, query string, args ...any) ([]store.Peer, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, "peers")
	}
	defer rows.Close()
	out := []store.Peer{}
	for rows.Next() {
		var (
			p       store.Peer
			added   string
			contact sql.NullString
		)
		if err := rows.Scan(&p.Code, &p.URL, &p.PublicKey, &p.Fingerprint, &p.State, &added, &contact, &p.LastError, &p.Queued); err != nil {
			return nil, err
		}
		if p.Added, err = parseTime(added); err != nil {
			return nil, err
		}
		if p.LastContact, err = optTime(contact); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, mapErr(rows.Err(), "peers")
}

// Share writes outbox rows and audit events in one transaction.
func (db *DB) Share(ctx context.Context, ds []store.Delivery, evs []audit.Event) ([]store.Delivery, error) {
	for _, d := range ds {
		if d.EnvelopeID == "" || d.Peer == "" || d.Type == "" {
			return nil, fault.E(fault.Invalid, "a delivery needs an envelope id, a peer and a type")
		}
	}
	out := make([]store.Delivery, len(ds))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		for i, d := range ds {
			if d.State == "" {
				d.State = store.DeliveryQueued
			}
			if d.Created.IsZero() {
				d.Created = now
			}
			if d.NextAttempt.IsZero() {
				d.NextAttempt = d.Created
			}
			err := tx.QueryRowContext(ctx, sqlInsertDelivery, d.EnvelopeID, d.Peer, d.Type, d.RecordID, d.Version,
				string(d.Payload), string(d.Decision), d.SignKey, d.State, formatTime(d.NextAttempt),
				formatTime(d.Created)).Scan(&d.ID)
			if err != nil {
				return mapErr(err, "delivery "+d.EnvelopeID)
			}
			out[i] = d
		}
		if len(evs) == 0 {
			return nil
		}
		_, err := db.appendAudit(ctx, tx, evs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("share: %w", err)
	}
	return out, nil
}

// Deliveries lists the outbox rows of a record.
func (db *DB) Deliveries(ctx context.Context, recordID string) ([]store.Delivery, error) {
	var (
		ds  []store.Delivery
		err error
	)
	if recordID == "" {
		ds, err = scanDeliveries(db.query(ctx, sqlDeliveriesAll))
	} else {
		ds, err = scanDeliveries(db.query(ctx, sqlDeliveriesRecord, recordID))
	}
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return ds, nil
}

// Delivery returns one outbox row.
func (db *DB) Delivery(ctx context.Context, id int64) (store.Delivery, error) {
	ds, err := scanDeliveries(db.query(ctx, sqlDelivery, id))
	if err != nil {
		return store.Delivery{}, fmt.Errorf("read delivery %d: %w", id, err)
	}
	if len(ds) == 0 {
		return store.Delivery{}, fault.E(fault.NotFound, "delivery %d not found", id)
	}
	return ds[0], nil
}

func scanDeliveries(rows *sql.Rows, err error) ([]store.Delivery, error) {
	if err != nil {
		return nil, mapErr(err, "deliveries")
	}
	defer rows.Close()
	out := []store.Delivery{}
	for rows.Next() {
		var (
			d                       store.Delivery
			payload, decision, next string
			created                 string
			delivered               sql.NullString
		)
		if err := rows.Scan(&d.ID, &d.EnvelopeID, &d.Peer, &d.Type, &d.RecordID, &d.Version, &payload, &decision,
			&d.SignKey, &d.State, &d.Attempts, &d.LastError, &next, &created, &delivered, &d.RefusalReason,
			&d.RefusalSigned); err != nil {
			return nil, err
		}
		if payload != "" {
			d.Payload = []byte(payload)
		}
		if decision != "" {
			d.Decision = []byte(decision)
		}
		if d.NextAttempt, err = parseTime(next); err != nil {
			return nil, err
		}
		if d.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		if d.DeliveredAt, err = optTime(delivered); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, mapErr(rows.Err(), "deliveries")
}

// ClaimDeliveries leases a due peer and returns its due rows. SQLite
// serialises writers, so the lease check and the lease are one step.
func (db *DB) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, max int) (string, []store.Delivery, error) {
	if max <= 0 || max > envelope.MaxBatch {
		max = envelope.MaxBatch
	}
	var (
		peer string
		ds   []store.Delivery
	)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		n := formatTime(now)
		switch err := tx.QueryRowContext(ctx, sqlDuePeer, n, owner, n).Scan(&peer); {
		case errors.Is(err, sql.ErrNoRows):
			peer = ""
			return nil
		case err != nil:
			return mapErr(err, "peers")
		}
		if _, err := tx.ExecContext(ctx, sqlLeasePeer, owner, formatTime(now.Add(lease)), peer); err != nil {
			return mapErr(err, "peer "+peer)
		}
		var err error
		ds, err = scanDeliveries(tx.QueryContext(ctx, sqlDueRows, peer, n, max))
		if err != nil {
			return err
		}
		for i := range ds {
			if ds[i].EnvelopeID != "" {
				continue
			}
			id, err := envelope.NewID(now)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, sqlSetEnvelopeID, id, ds[i].ID); err != nil {
				return mapErr(err, "delivery")
			}
			ds[i].EnvelopeID = id
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return peer, ds, nil
}

// FinishDeliveries records outcomes and releases the lease.
func (db *DB) FinishDeliveries(ctx context.Context, owner, peer string, now time.Time, outs []store.DeliveryOutcome, errMsg string, evs []audit.Event) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if errMsg == "" {
			n := formatTime(now)
			if _, err := tx.ExecContext(ctx, sqlPeerRecovered, n, peer, n); err != nil {
				return mapErr(err, "peer "+peer)
			}
		}
		finish, err := tx.PrepareContext(ctx, sqlFinishRow)
		if err != nil {
			return mapErr(err, "delivery")
		}
		defer finish.Close()
		for _, o := range outs {
			var delivered any
			if o.State == store.DeliveryDelivered {
				delivered = formatTime(now)
			}
			next := o.NextAttempt
			if next.IsZero() {
				next = now
			}
			if _, err := finish.ExecContext(ctx, o.State, o.Error, formatTime(next), delivered,
				o.RefusalReason, o.RefusalSigned, o.ID); err != nil {
				return mapErr(err, "delivery")
			}
		}
		state, contact := store.PeerActive, any(formatTime(now))
		if errMsg != "" {
			state, contact = store.PeerUnreachable, nil
		}
		if _, err := tx.ExecContext(ctx, sqlPeerContact, state, contact, errMsg, peer); err != nil {
			return mapErr(err, "peer "+peer)
		}
		if _, err := tx.ExecContext(ctx, sqlReleasePeer, peer, owner); err != nil {
			return mapErr(err, "peer "+peer)
		}
		if len(evs) == 0 {
			return nil
		}
		_, err = db.appendAudit(ctx, tx, evs)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish deliveries to %s: %w", peer, err)
	}
	return nil
}

// RetryDelivery re-queues a row that is not delivered.
func (db *DB) RetryDelivery(ctx context.Context, id int64, now time.Time, ev audit.Event) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlRetryRow, formatTime(now), formatTime(now), id)
		if err != nil {
			return mapErr(err, "delivery")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var state string
			if err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state); err != nil {
				return mapErr(err, fmt.Sprintf("delivery %d", id))
			}
			return fault.E(fault.Conflict, "delivery %d is %s and cannot be retried", id, state)
		}
		_, err = db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return fmt.Errorf("retry delivery %d: %w", id, err)
	}
	return nil
}

// Received reports whether an envelope id is in the inbox.
func (db *DB) Received(ctx context.Context, envelopeID string) (bool, error) {
	var n int
	if err := db.queryRow(ctx, []any{&n}, sqlInboxHas, envelopeID); err != nil {
		return false, fmt.Errorf("read inbox: %w", mapErr(err, "inbox"))
	}
	return n > 0, nil
}

// Receive stores an accepted envelope and its effect in one transaction.
// The full-text index is derived: the bumped change count makes the next
// search bring it up to date with the received version.
func (db *DB) Receive(ctx context.Context, rc store.Received, ev audit.Event) (bool, error) {
	var (
		rid string
		ver int
	)
	if rc.Record != nil {
		if err := checkRecord(rc.Record); err != nil {
			return false, fmt.Errorf("receive envelope %s: %w", rc.EnvelopeID, err)
		}
		rid, ver = rc.Record.ID, rc.Record.Version
	}
	dup := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlInboxInsert, rc.EnvelopeID, rc.From, rc.Type, rid, ver, string(rc.Signed),
			formatTime(db.now()))
		if err != nil {
			return mapErr(err, "envelope "+rc.EnvelopeID)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			dup = true
			return nil
		}
		if rc.Record != nil {
			st, err := prepareReceive(ctx, tx)
			if err != nil {
				return err
			}
			defer st.Close()
			stored, err := receiveRecord(ctx, tx, st, rc.Record, rc.Rewrite)
			if err != nil {
				return err
			}
			if stored {
				if _, err := tx.ExecContext(ctx, sqlReceiveChanges); err != nil {
					return mapErr(err, "record changes")
				}
			}
		}
		if rc.Peer != nil {
			if err := putPeer(ctx, tx, *rc.Peer, db.now()); err != nil {
				return err
			}
		}
		_, err = db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return false, fmt.Errorf("receive envelope %s: %w", rc.EnvelopeID, err)
	}
	return dup, nil
}

// ReceivedAmong returns which of ids are in the inbox.
func (db *DB) ReceivedAmong(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(ids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("read inbox: %w", err)
	}
	rows, err := db.query(ctx, sqlInboxAmong, string(list))
	if err != nil {
		return nil, fmt.Errorf("read inbox: %w", mapErr(err, "inbox"))
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read inbox: %w", err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read inbox: %w", mapErr(err, "inbox"))
	}
	return out, nil
}

// ReceiveBatch stores the receipts of one inbox batch in one transaction,
// with one append to the audit chain and one bump of the change count.
func (db *DB) ReceiveBatch(ctx context.Context, rs []store.Receipt) error {
	for i := range rs {
		rs[i].Duplicate, rs[i].Err = false, nil
		if rc := rs[i].Received; rc != nil && rc.Record != nil {
			if err := checkRecord(rc.Record); err != nil {
				rs[i].Err = fmt.Errorf("receive envelope %s: %w", rc.EnvelopeID, err)
			}
		}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		inbox, err := tx.PrepareContext(ctx, sqlInboxInsert)
		if err != nil {
			return mapErr(err, "inbox")
		}
		defer inbox.Close()
		st, err := prepareReceive(ctx, tx)
		if err != nil {
			return err
		}
		defer st.Close()
		received := formatTime(db.now())
		evs := make([]audit.Event, 0, len(rs))
		changed := false
		for i := range rs {
			r := &rs[i]
			r.Duplicate = false
			if r.Err != nil {
				continue
			}
			rc := r.Received
			if rc == nil {
				evs = append(evs, r.Event)
				continue
			}
			var (
				rid string
				ver int
			)
			if rc.Record != nil {
				rid, ver = rc.Record.ID, rc.Record.Version
			}
			res, err := inbox.ExecContext(ctx, rc.EnvelopeID, rc.From, rc.Type, rid, ver, string(rc.Signed), received)
			if err != nil {
				return mapErr(err, "envelope "+rc.EnvelopeID)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				r.Duplicate = true
				continue
			}
			if rc.Record != nil {
				stored, err := receiveRecord(ctx, tx, st, rc.Record, rc.Rewrite)
				if err != nil {
					return err
				}
				changed = changed || stored
			}
			if rc.Peer != nil {
				if err := putPeer(ctx, tx, *rc.Peer, db.now()); err != nil {
					return err
				}
			}
			evs = append(evs, r.Event)
		}
		if changed {
			if _, err := tx.ExecContext(ctx, sqlReceiveChanges); err != nil {
				return mapErr(err, "record changes")
			}
		}
		if len(evs) == 0 {
			return nil
		}
		_, err = db.appendAudit(ctx, tx, evs)
		return err
	})
	if err != nil {
		for i := range rs {
			rs[i].Duplicate = false
		}
		return fmt.Errorf("receive batch of %d envelopes: %w", len(rs), err)
	}
	return nil
}

// receiveStmts are the statements that store received records, prepared
// once per transaction.
type receiveStmts struct {
	held, insert, update, version, delCat, insCat *sql.Stmt
}

func prepareReceive(ctx context.Context, tx *sql.Tx) (*receiveStmts, error) {
	st := &receiveStmts{}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&st.held, sqlHeldVersion}, {&st.insert, sqlReceiveInsert}, {&st.update, sqlReceiveUpdate},
		{&st.version, sqlReceiveVersion}, {&st.delCat, sqlDeleteCategory}, {&st.insCat, sqlReceiveCategory},
	} {
		stmt, err := tx.PrepareContext(ctx, p.query)
		if err != nil {
			st.Close()
			return nil, mapErr(err, "records")
		}
		*p.dst = stmt
	}
	return st, nil
}

// Close closes the statements prepared.
func (st *receiveStmts) Close() {
	for _, stmt := range []*sql.Stmt{st.held, st.insert, st.update, st.version, st.delCat, st.insCat} {
		if stmt != nil {
			_ = stmt.Close()
		}
	}
}

// receiveRecord stores r if it is newer than the version held and reports
// whether it did; the caller bumps the change count.
func receiveRecord(ctx context.Context, tx *sql.Tx, st *receiveStmts, r *intel.Record, rewrite []*intel.Record) (bool, error) {
	var held int
	switch err := st.held.QueryRowContext(ctx, r.ID).Scan(&held); {
	case errors.Is(err, sql.ErrNoRows):
		held = 0
	case err != nil:
		return false, mapErr(err, "record "+r.ID)
	}
	if r.Version <= held {
		return false, nil // an older version arriving late: the inbox row is enough
	}
	body, err := json.Marshal(r)
	if err != nil {
		return false, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	args := []any{string(r.Kind), r.Originator, r.Version, string(r.Status), intel.EventDate(r), nullTime(r.Created),
		nullTime(r.Updated), r.ID}
	if held == 0 {
		_, err = st.insert.ExecContext(ctx, append([]any{r.ID}, args[:len(args)-1]...)...)
	} else {
		_, err = st.update.ExecContext(ctx, args...)
	}
	if err != nil {
		return false, mapErr(err, "record "+r.ID)
	}
	if _, err := st.version.ExecContext(ctx, r.ID, r.Version, string(body)); err != nil {
		return false, mapErr(err, "record "+r.ID)
	}
	if _, err := st.delCat.ExecContext(ctx, r.ID); err != nil {
		return false, mapErr(err, "record "+r.ID)
	}
	for _, c := range intel.Categories(r) {
		if _, err := st.insCat.ExecContext(ctx, r.ID, c); err != nil {
			return false, mapErr(err, "record "+r.ID)
		}
	}
	for _, old := range rewrite {
		if old.ID != r.ID || old.Version >= r.Version {
			continue
		}
		b, err := json.Marshal(old)
		if err != nil {
			return false, fmt.Errorf("encode record %s: %w", old.ID, err)
		}
		if _, err := tx.ExecContext(ctx, sqlRewriteVersion, string(b), old.ID, old.Version); err != nil {
			return false, mapErr(err, "record "+old.ID)
		}
	}
	return true, nil
}
