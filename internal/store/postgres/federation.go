package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/store"
)

const (
	sqlKeyCurrentOff = `UPDATE node_keys SET current = false, retired = coalesce(retired, $1) WHERE current`
	sqlInsertKey     = `INSERT INTO node_keys (fingerprint, private, public, created, retired, current, rotation)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`
	sqlKeys = `SELECT fingerprint, private, public, created, retired, current, rotation FROM node_keys
		ORDER BY created, fingerprint`

	sqlUpsertPeer = `INSERT INTO peers (code, url, public_key, fingerprint, state, added) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (code) DO UPDATE SET url = excluded.url, public_key = excluded.public_key,
			fingerprint = excluded.fingerprint, state = excluded.state`
	sqlPeerColumns = `SELECT p.code, p.url, p.public_key, p.fingerprint, p.state, p.added, p.last_contact, p.last_error,
		(SELECT count(*) FROM outbox o WHERE o.peer = p.code AND o.state IN ('queued', 'failed')) FROM peers p`
	sqlPeers = sqlPeerColumns + ` ORDER BY p.code`
	sqlPeer  = sqlPeerColumns + ` WHERE p.code = $1`

	sqlInsertDelivery = `INSERT INTO outbox (envelope_id, peer, type, record_id, version, payload, decision, sign_key,
		state, next_attempt, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`
	sqlDeliveryColumns = `SELECT id, coalesce(envelope_id, ''), peer, type, record_id, version, payload, decision, sign_key,
		state, attempts, last_error, next_attempt, created, delivered_at, refusal_reason,
		CASE WHEN refusal_answer > 0 THEN (SELECT a.signed FROM answers a WHERE a.id = outbox.refusal_answer)
			ELSE refusal_signed END FROM outbox`
	sqlDeliveriesAll    = sqlDeliveryColumns + ` ORDER BY id`
	sqlDeliveriesRecord = sqlDeliveryColumns + ` WHERE record_id = $1 ORDER BY id`
	sqlDelivery         = sqlDeliveryColumns + ` WHERE id = $1`
	// The delivery a row given with Once would repeat.
	sqlDeliveryHeld = sqlDeliveryColumns + ` WHERE record_id = $1 AND version = $2 AND type = $3 AND peer = $4
		AND state <> 'refused' ORDER BY id LIMIT 1`
	sqlRecentDeliveries = sqlDeliveryColumns + ` WHERE id < $1 AND ($2 = '' OR state = $2) ORDER BY id DESC LIMIT $3`
	sqlDeliveryCounts   = `SELECT state, count(*) FROM outbox GROUP BY state`

	// The peer row is locked while its lease is taken; SKIP LOCKED lets
	// another replica pass over a peer being claimed and take the next.
	sqlDuePeer = `SELECT p.code FROM peers p WHERE (p.lease_until < $1 OR p.lease_owner = $2) AND p.retry_at <= $1
		AND EXISTS (SELECT 1 FROM outbox o WHERE o.peer = p.code AND o.state IN ('queued', 'failed') AND o.next_attempt <= $1)
		ORDER BY p.lease_until, p.code LIMIT 1 FOR UPDATE SKIP LOCKED`
	sqlLeasePeer = `UPDATE peers SET lease_owner = $1, lease_until = $2 WHERE code = $3`
	// Ids above $3 only: 0 for a new claim, the last row claimed for
	// ClaimMore.
	sqlDueRows = sqlDeliveryColumns + ` WHERE peer = $1 AND state IN ('queued', 'failed') AND next_attempt <= $2
		AND id > $3 ORDER BY type <> 'key.rotate', id LIMIT $4 FOR UPDATE SKIP LOCKED`
	// A lease is extended only while its owner still holds it.
	sqlExtendLease   = `UPDATE peers SET lease_until = $1 WHERE code = $2 AND lease_owner = $3`
	sqlSetEnvelopeID = `UPDATE outbox SET envelope_id = $1 WHERE id = $2 AND envelope_id IS NULL`
	sqlReleasePeer   = `UPDATE peers SET lease_owner = '', lease_until = '-infinity' WHERE code = $1 AND lease_owner = $2`
	sqlPeerContact   = `UPDATE peers SET state = $1, last_contact = coalesce($2, last_contact), last_error = $3,
		retry_at = coalesce($5::timestamptz, '-infinity') WHERE code = $4`
	sqlPeerRetryNow = `UPDATE peers SET retry_at = '-infinity' WHERE code = (SELECT peer FROM outbox WHERE id = $1)`
	sqlFinishRow    = `UPDATE outbox SET state = $1, attempts = attempts + 1, last_error = $2, next_attempt = $3,
		delivered_at = $4, refusal_reason = $5, refusal_signed = '', refusal_answer = $6
		WHERE id = $7 AND state IN ('queued', 'failed')`
	// The rows delivered without remark, all at once: what sqlFinishRow
	// writes for each of them.
	sqlFinishDelivered = `UPDATE outbox SET state = 'delivered', attempts = attempts + 1, last_error = '', next_attempt = $1,
		delivered_at = $2, refusal_reason = '', refusal_signed = '', refusal_answer = 0
		WHERE id = ANY($3) AND state IN ('queued', 'failed')`
	// A signed answer that refused deliveries, kept once for all of them.
	sqlInsertAnswer = `INSERT INTO answers (peer, signed, received) VALUES ($1, $2, $3) RETURNING id`
	// A peer that answers has recovered: its rows waiting out a backoff
	// are due at once, so that a backlog built during an outage drains
	// as soon as the peer is back rather than over the backoff period.
	sqlPeerRecovered = `UPDATE outbox SET next_attempt = $1 WHERE peer = $2 AND state = 'failed' AND next_attempt > $1`
	sqlRetryRow      = `UPDATE outbox SET state = 'queued', next_attempt = $1, last_error = '', attempts = 0,
		refusal_reason = '', refusal_signed = '', refusal_answer = 0, created = $1 WHERE id = $2 AND state IN ('dead', 'failed', 'refused')
		AND refusal_reason <> $3`

	sqlInboxInsert = `INSERT INTO inbox (envelope_id, sender, type, record_id, version, signed, received)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (envelope_id) DO NOTHING`
	sqlInboxHas       = `SELECT count(*) FROM inbox WHERE envelope_id = $1`
	sqlInsertReceipts = `INSERT INTO receipts (envelope_id, record_id, version, type, sender, key, via, received, audit_seq)
		SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::text[],
			$8::timestamptz[], $9::bigint[])`
	sqlReceipts = `SELECT r.envelope_id, r.record_id, r.version, r.type, r.sender, r.key, r.via, r.received, r.audit_seq,
		coalesce(i.signed, '') FROM receipts r LEFT JOIN inbox i ON i.envelope_id = r.envelope_id
		WHERE r.record_id = $1 ORDER BY r.audit_seq`
	sqlInboxAmong    = `SELECT envelope_id FROM inbox WHERE envelope_id = ANY($1)`
	sqlHeldVersion   = `SELECT version FROM records WHERE id = $1 FOR UPDATE`
	sqlReceiveUpdate = `UPDATE records SET kind = $2, originator = $3, version = $4, status = $5, event_date = $6,
		created = $7, updated = $8, search = to_tsvector('simple', $9) WHERE id = $1`
	sqlReceiveInsert = `INSERT INTO records (id, kind, originator, version, status, event_date, created, updated, search)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_tsvector('simple', $9))`
	sqlReceiveVersion  = `INSERT INTO record_versions (id, version, body) VALUES ($1, $2, $3::json)`
	sqlRewriteVersion  = `UPDATE record_versions SET body = $1::json WHERE id = $2 AND version = $3`
	sqlReceiveCategory = `INSERT INTO record_categories (id, category) VALUES ($1, $2)`
)

// PutNodeKey stores a key; a current key retires the others.
func (db *DB) PutNodeKey(ctx context.Context, k store.NodeKey, ev audit.Event) error {
	if k.Fingerprint == "" || len(k.Private) == 0 || k.Public == "" {
		return fault.E(fault.Invalid, "node key needs a fingerprint, a private and a public key")
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if k.Current {
			if _, err := tx.Exec(ctx, sqlKeyCurrentOff, k.Created); err != nil {
				return mapErr(err, "node keys")
			}
		}
		if _, err := tx.Exec(ctx, sqlInsertKey, k.Fingerprint, string(k.Private), k.Public, k.Created, k.Retired,
			k.Current, string(k.Rotation)); err != nil {
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
	rows, err := db.pool.Query(ctx, sqlKeys)
	if err != nil {
		return nil, fmt.Errorf("list node keys: %w", mapErr(err, "node keys"))
	}
	defer rows.Close()
	out := []store.NodeKey{}
	for rows.Next() {
		var (
			k             store.NodeKey
			priv, rotated string
		)
		if err := rows.Scan(&k.Fingerprint, &priv, &k.Public, &k.Created, &k.Retired, &k.Current, &rotated); err != nil {
			return nil, fmt.Errorf("list node keys: %w", err)
		}
		k.Private = []byte(priv)
		k.Created = k.Created.UTC()
		if rotated != "" {
			k.Rotation = []byte(rotated)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list node keys: %w", mapErr(err, "node keys"))
	}
	return out, nil
}

// PutPeer pins or re-pins a peer.
func (db *DB) PutPeer(ctx context.Context, p store.Peer, ev audit.Event) error {
	if p.Code == "" || p.URL == "" || p.PublicKey == "" || p.Fingerprint == "" {
		return fault.E(fault.Invalid, "peer needs a code, a URL, a public key and a fingerprint")
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
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

func putPeer(ctx context.Context, tx pgx.Tx, p store.Peer, now time.Time) error {
	added := p.Added
	if added.IsZero() {
		added = now
	}
	if p.State == "" {
		p.State = store.PeerActive
	}
	_, err := tx.Exec(ctx, sqlUpsertPeer, p.Code, p.URL, p.PublicKey, p.Fingerprint, p.State, added)
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
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, "peers")
	}
	defer rows.Close()
	out := []store.Peer{}
	for rows.Next() {
		var (
			p store.Peer
			n int64
		)
		if err := rows.Scan(&p.Code, &p.URL, &p.PublicKey, &p.Fingerprint, &p.State, &p.Added, &p.LastContact,
			&p.LastError, &n); err != nil {
			return nil, err
		}
		p.Queued, p.Added = int(n), p.Added.UTC()
		if p.LastContact != nil {
			t := p.LastContact.UTC()
			p.LastContact = &t
		}
		out = append(out, p)
	}
	return out, mapErr(rows.Err(), "peers")
}

// Share writes outbox rows and audit events in one transaction.
func (db *DB) Share(ctx context.Context, ds []store.Delivery, evs []audit.Event) ([]store.Delivery, error) {
	if err := checkDeliveries(ds); err != nil {
		return nil, err
	}
	var out []store.Delivery
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if out, err = db.insertDeliveries(ctx, tx, ds); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, evs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("share: %w", err)
	}
	return out, nil
}

// checkDeliveries refuses outbox rows without what every row needs.
func checkDeliveries(ds []store.Delivery) error {
	for _, d := range ds {
		if d.EnvelopeID == "" || d.Peer == "" || d.Type == "" {
			return fault.E(fault.Invalid, "a delivery needs an envelope id, a peer and a type")
		}
	}
	return nil
}

// sqlLockOutboxOrder takes the lock a transaction holds from the moment it
// takes an outbox id until it ends, here and in the outbox_follow trigger
// (migration 0012): the audit chain's head, which the transaction's audit
// entries lock anyway. Ids are then taken in the order their rows are
// committed, so that a listing paged by id (ListDeliveries) never passes
// the id of a row still to be committed: a client that had been shown a
// later row would never be shown it.
const sqlLockOutboxOrder = sqlLockAuditHead

// insertDeliveries writes outbox rows inside tx and returns them with
// their ids and defaults (queued, due when created, created now).
func (db *DB) insertDeliveries(ctx context.Context, tx pgx.Tx, ds []store.Delivery) ([]store.Delivery, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	if _, err := tx.Exec(ctx, sqlLockOutboxOrder); err != nil {
		return nil, mapErr(err, "outbox")
	}
	out := make([]store.Delivery, len(ds))
	now := db.now()
	for i, d := range ds {
		if d.Once {
			// Read under the lock above, which every transaction
			// queuing deliveries takes first: no other can queue the
			// same row meanwhile.
			held, err := scanDeliveries(tx.Query(ctx, sqlDeliveryHeld, d.RecordID, d.Version, d.Type, d.Peer))
			if err != nil {
				return nil, fmt.Errorf("deliveries of %s: %w", d.RecordID, err)
			}
			if len(held) > 0 {
				out[i] = held[0]
				continue
			}
		}
		d = d.WithDefaults(now)
		err := tx.QueryRow(ctx, sqlInsertDelivery, d.EnvelopeID, d.Peer, d.Type, d.RecordID, d.Version,
			string(d.Payload), string(d.Decision), d.SignKey, d.State, d.NextAttempt, d.Created).Scan(&d.ID)
		if err != nil {
			return nil, mapErr(err, "delivery "+d.EnvelopeID)
		}
		out[i] = d
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
		ds, err = scanDeliveries(db.pool.Query(ctx, sqlDeliveriesAll))
	} else {
		ds, err = scanDeliveries(db.pool.Query(ctx, sqlDeliveriesRecord, recordID))
	}
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return ds, nil
}

// sqlDeliveryVisible keeps the outbox rows of the records a restricted
// user may see (see store.DeliveryQuery): rows about no record, and rows of
// a record held whose latest version is not distributed to an operation,
// or to one of those in the array bound to it.
const sqlDeliveryVisible = `(outbox.record_id = '' OR EXISTS (SELECT 1 FROM records r
	JOIN record_versions v ON v.id = r.id AND v.version = r.version
	WHERE r.id = outbox.record_id AND (
		coalesce(v.body->'distribution'->>'scope', '') <> 'operation'
		OR coalesce(v.body->'distribution'->>'operation', '') = ''
		OR v.body->'distribution'->>'operation' = ANY(%s::text[]))))`

// ListDeliveries returns a page of outbox rows in id order. One row more
// than the page is read, to tell whether another page follows.
func (db *DB) ListDeliveries(ctx context.Context, q store.DeliveryQuery) (store.DeliveryPage, error) {
	q, err := q.Checked()
	if err != nil {
		return store.DeliveryPage{}, err
	}
	args := []any{q.After}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	query := sqlDeliveryColumns + ` WHERE outbox.id > $1`
	if q.Record != "" {
		query += ` AND outbox.record_id = ` + arg(q.Record)
	}
	if q.Restricted {
		query += ` AND ` + fmt.Sprintf(sqlDeliveryVisible, arg(append([]string{}, q.Operations...)))
	}
	query += ` ORDER BY outbox.id LIMIT ` + arg(q.Limit+1)
	ds, err := scanDeliveries(db.pool.Query(ctx, query, args...))
	if err != nil {
		return store.DeliveryPage{}, fmt.Errorf("list deliveries: %w", err)
	}
	page := store.DeliveryPage{Deliveries: ds}
	if len(ds) > q.Limit {
		page.Deliveries = ds[:q.Limit]
		page.Next = ds[q.Limit-1].ID
	}
	return page, nil
}

// RecentDeliveries lists a page of outbox rows, newest first.
func (db *DB) RecentDeliveries(ctx context.Context, state string, before int64, limit int) ([]store.Delivery, error) {
	if limit <= 0 {
		return nil, fault.Field("limit", "must be positive")
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	ds, err := scanDeliveries(db.pool.Query(ctx, sqlRecentDeliveries, before, state, limit))
	if err != nil {
		return nil, fmt.Errorf("list recent deliveries: %w", err)
	}
	return ds, nil
}

// DeliveryCounts counts the outbox rows in each state.
func (db *DB) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.pool.Query(ctx, sqlDeliveryCounts)
	if err != nil {
		return nil, fmt.Errorf("count deliveries: %w", mapErr(err, "deliveries"))
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count deliveries: %w", err)
		}
		out[s] = int(n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count deliveries: %w", mapErr(err, "deliveries"))
	}
	return out, nil
}

// Delivery returns one outbox row.
func (db *DB) Delivery(ctx context.Context, id int64) (store.Delivery, error) {
	ds, err := scanDeliveries(db.pool.Query(ctx, sqlDelivery, id))
	if err != nil {
		return store.Delivery{}, fmt.Errorf("read delivery %d: %w", id, err)
	}
	if len(ds) == 0 {
		return store.Delivery{}, fault.E(fault.NotFound, "delivery %d not found", id)
	}
	return ds[0], nil
}

func scanDeliveries(rows pgx.Rows, err error) ([]store.Delivery, error) {
	if err != nil {
		return nil, mapErr(err, "deliveries")
	}
	defer rows.Close()
	out := []store.Delivery{}
	for rows.Next() {
		var (
			d                 store.Delivery
			payload, decision string
		)
		if err := rows.Scan(&d.ID, &d.EnvelopeID, &d.Peer, &d.Type, &d.RecordID, &d.Version, &payload, &decision,
			&d.SignKey, &d.State, &d.Attempts, &d.LastError, &d.NextAttempt, &d.Created, &d.DeliveredAt,
			&d.RefusalReason, &d.RefusalSigned); err != nil {
			return nil, err
		}
		if payload != "" {
			d.Payload = []byte(payload)
		}
		if decision != "" {
			d.Decision = []byte(decision)
		}
		d.NextAttempt, d.Created = d.NextAttempt.UTC(), d.Created.UTC()
		if d.DeliveredAt != nil {
			t := d.DeliveredAt.UTC()
			d.DeliveredAt = &t
		}
		out = append(out, d)
	}
	return out, mapErr(rows.Err(), "deliveries")
}

// ClaimDeliveries leases a due peer with FOR UPDATE SKIP LOCKED and returns
// its due rows.
func (db *DB) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, max int) (string, []store.Delivery, error) {
	var (
		peer string
		ds   []store.Delivery
	)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		switch err := tx.QueryRow(ctx, sqlDuePeer, now, owner).Scan(&peer); {
		case errors.Is(err, pgx.ErrNoRows):
			peer = ""
			return nil
		case err != nil:
			return mapErr(err, "peers")
		}
		if _, err := tx.Exec(ctx, sqlLeasePeer, owner, now.Add(lease), peer); err != nil {
			return mapErr(err, "peer "+peer)
		}
		var err error
		ds, err = claimRows(ctx, tx, peer, now, 0, max)
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return peer, ds, nil
}

// ClaimMore continues owner's claim on peer (see store.Outbox).
func (db *DB) ClaimMore(ctx context.Context, owner, peer string, after int64, now time.Time, lease time.Duration, max int) ([]store.Delivery, error) {
	var ds []store.Delivery
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlExtendLease, now.Add(lease), peer, owner)
		if err != nil {
			return mapErr(err, "peer "+peer)
		}
		if tag.RowsAffected() == 0 {
			return nil // the lease was lost: nothing more
		}
		ds, err = claimRows(ctx, tx, peer, now, after, max)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim more deliveries to %s: %w", peer, err)
	}
	return ds, nil
}

// claimRows returns up to max due rows of peer with ids above after,
// locking them, having given an envelope id to any row without one.
func claimRows(ctx context.Context, tx pgx.Tx, peer string, now time.Time, after int64, max int) ([]store.Delivery, error) {
	if max <= 0 || max > store.MaxClaim {
		max = store.MaxClaim
	}
	ds, err := scanDeliveries(tx.Query(ctx, sqlDueRows, peer, now, after, max))
	if err != nil {
		return nil, err
	}
	for i := range ds {
		if ds[i].EnvelopeID != "" {
			continue
		}
		id, err := envelope.NewID(now)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, sqlSetEnvelopeID, id, ds[i].ID); err != nil {
			return nil, mapErr(err, "delivery")
		}
		ds[i].EnvelopeID = id
	}
	return ds, nil
}

// FinishDeliveries records outcomes and releases the lease.
func (db *DB) FinishDeliveries(ctx context.Context, owner, peer string, now time.Time, outs []store.DeliveryOutcome, errMsg string, evs []audit.Event) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if errMsg == "" {
			if _, err := tx.Exec(ctx, sqlPeerRecovered, now, peer); err != nil {
				return mapErr(err, "peer "+peer)
			}
		}
		if err := recordOutcomes(ctx, tx, peer, now, outs); err != nil {
			return err
		}
		state, contact, retry := store.PeerActive, &now, (*time.Time)(nil)
		if errMsg != "" {
			at := store.PeerRetry(now, outs)
			state, contact, retry = store.PeerUnreachable, nil, &at
		}
		if _, err := tx.Exec(ctx, sqlPeerContact, state, contact, errMsg, peer, retry); err != nil {
			return mapErr(err, "peer "+peer)
		}
		if _, err := tx.Exec(ctx, sqlReleasePeer, peer, owner); err != nil {
			return mapErr(err, "peer "+peer)
		}
		_, err := db.appendAudit(ctx, tx, evs)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish deliveries to %s: %w", peer, err)
	}
	return nil
}

// RecordDeliveries records outcomes of a claim still held (see store.Outbox).
func (db *DB) RecordDeliveries(ctx context.Context, peer string, now time.Time, outs []store.DeliveryOutcome) error {
	if len(outs) == 0 {
		return nil
	}
	if err := db.inTx(ctx, func(tx pgx.Tx) error { return recordOutcomes(ctx, tx, peer, now, outs) }); err != nil {
		return fmt.Errorf("record deliveries to %s: %w", peer, err)
	}
	return nil
}

// recordOutcomes writes the outcomes of an attempt to their rows.
func recordOutcomes(ctx context.Context, tx pgx.Tx, peer string, now time.Time, outs []store.DeliveryOutcome) error {
	answers := map[string]int64{}
	delivered, rest := store.PlainlyDelivered(outs)
	if len(delivered) > 0 {
		if _, err := tx.Exec(ctx, sqlFinishDelivered, now, now, delivered); err != nil {
			return mapErr(err, "delivery")
		}
	}
	for _, o := range rest {
		var answer int64
		if o.RefusalSigned != "" {
			var ok bool
			if answer, ok = answers[o.RefusalSigned]; !ok {
				if err := tx.QueryRow(ctx, sqlInsertAnswer, peer, o.RefusalSigned, now).Scan(&answer); err != nil {
					return mapErr(err, "answer")
				}
				answers[o.RefusalSigned] = answer
			}
		}
		var delivered *time.Time
		if o.State == store.DeliveryDelivered {
			delivered = &now
		}
		next := o.NextAttempt
		if next.IsZero() {
			next = now
		}
		if _, err := tx.Exec(ctx, sqlFinishRow, o.State, o.Error, next, delivered, o.RefusalReason,
			answer, o.ID); err != nil {
			return mapErr(err, "delivery")
		}
	}
	return nil
}

// RetryDelivery re-queues a dead, failed or refused row.
func (db *DB) RetryDelivery(ctx context.Context, id int64, now time.Time, ev audit.Event) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlRetryRow, now, id, store.Withdrawn)
		if err != nil {
			return mapErr(err, "delivery")
		}
		if tag.RowsAffected() == 0 {
			var state, reason string
			if err := tx.QueryRow(ctx, `SELECT state, refusal_reason FROM outbox WHERE id = $1`, id).Scan(&state, &reason); err != nil {
				return mapErr(err, fmt.Sprintf("delivery %d", id))
			}
			if reason == store.Withdrawn {
				return fault.E(fault.Conflict, "delivery %d was %s, and cannot be retried", id, reason)
			}
			return fault.E(fault.Conflict, "delivery %d is %s and cannot be retried", id, state)
		}
		if _, err := tx.Exec(ctx, sqlPeerRetryNow, id); err != nil {
			return mapErr(err, "delivery")
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
	var n int64
	if err := db.pool.QueryRow(ctx, sqlInboxHas, envelopeID).Scan(&n); err != nil {
		return false, fmt.Errorf("read inbox: %w", mapErr(err, "inbox"))
	}
	return n > 0, nil
}

// Receive stores an accepted envelope and its effect in one transaction.
// Two replicas receiving the same envelope at once serialise on the inbox
// key: the second finds it and reports a duplicate.
func (db *DB) Receive(ctx context.Context, rc store.Received, ev audit.Event) (bool, error) {
	rs := []store.Receipt{{Received: &rc, Event: ev}}
	if err := db.ReceiveBatch(ctx, rs); err != nil {
		return false, fmt.Errorf("receive envelope %s: %w", rc.EnvelopeID, err)
	}
	if rs[0].Err != nil {
		return false, rs[0].Err
	}
	return rs[0].Duplicate, nil
}

// ReceivedAmong returns which of ids are in the inbox.
func (db *DB) ReceivedAmong(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, sqlInboxAmong, ids)
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

// ReceiveBatch stores the receipts of one inbox batch in one transaction
// with one append to the audit chain. Two replicas receiving the same
// envelope at once serialise on the inbox key: the second finds it and
// marks it a duplicate.
func (db *DB) ReceiveBatch(ctx context.Context, rs []store.Receipt) error {
	for i := range rs {
		rs[i].Duplicate, rs[i].Err, rs[i].Stored = false, nil, false
		if rc := rs[i].Received; rc != nil && rc.Record != nil {
			if err := checkRecord(rc.Record); err != nil {
				rs[i].Err = fmt.Errorf("receive envelope %s: %w", rc.EnvelopeID, err)
			}
		}
		if rc := rs[i].Received; rc != nil && rs[i].Err == nil {
			if err := checkDeliveries(rc.Outbox); err != nil {
				rs[i].Err = fmt.Errorf("receive envelope %s: %w", rc.EnvelopeID, err)
			}
		}
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		received := db.now()
		evs := make([]audit.Event, 0, len(rs))
		vs := make([]audit.Vouch, 0, len(rs)) // what the entry of each event vouches for
		accepted := make([]int, 0, len(rs))   // the receipt of each event, -1 for a refusal
		var purged []*intel.Record            // records whose earlier versions were rewritten
		var (
			outbox []store.Delivery // what the accepted envelopes have this node send
			extra  []audit.Event    // and its audit entries
		)
		for i := range rs {
			r := &rs[i]
			r.Duplicate, r.Stored = false, false
			if r.Err != nil {
				continue
			}
			rc := r.Received
			if rc == nil {
				evs, vs, accepted = append(evs, r.Event), append(vs, audit.Vouch{}), append(accepted, -1)
				continue
			}
			var (
				rid string
				ver int
			)
			if rc.Record != nil {
				rid, ver = rc.Record.ID, rc.Record.Version
			}
			tag, err := tx.Exec(ctx, sqlInboxInsert, rc.EnvelopeID, rc.From, rc.Type, rid, ver, string(rc.Signed), received)
			if err != nil {
				return mapErr(err, "envelope "+rc.EnvelopeID)
			}
			if tag.RowsAffected() == 0 {
				r.Duplicate = true
				continue
			}
			var vouch audit.Vouch
			if rc.Record != nil {
				if r.Stored, vouch, err = receiveRecord(ctx, tx, rc.Record, rc.Rewrite); err != nil {
					return err
				}
				if r.Stored && len(rc.Rewrite) > 0 {
					purged = append(purged, rc.Record)
				}
			}
			if rc.Peer != nil {
				if err := putPeer(ctx, tx, *rc.Peer, db.now()); err != nil {
					return err
				}
			}
			evs, vs, accepted = append(evs, r.Event), append(vs, vouch), append(accepted, i)
			outbox, extra = append(outbox, rc.Outbox...), append(extra, rc.Events...)
		}
		// What the accepted envelopes have this node send, after the
		// records they carry are stored (a retraction withdraws what
		// was queued of the record before it, not what it queues).
		if _, err := db.insertDeliveries(ctx, tx, outbox); err != nil {
			return err
		}
		for _, ev := range extra {
			evs, vs, accepted = append(evs, ev), append(vs, audit.Vouch{}), append(accepted, -1)
		}
		entries, err := db.appendAuditVouching(ctx, tx, evs, vs)
		if err != nil {
			return err
		}
		if err := insertReceipts(ctx, tx, rs, accepted, entries, received); err != nil {
			return err
		}
		// Last, so that envelopes of the same batch are among them.
		for _, r := range purged {
			if err := detachReceived(ctx, tx, r.ID); err != nil {
				return err
			}
			if err := detachRelays(ctx, tx, r.ID, r.Version); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for i := range rs {
			rs[i].Duplicate, rs[i].Stored = false, false
		}
		return fmt.Errorf("receive batch of %d envelopes: %w", len(rs), err)
	}
	return nil
}

// insertReceipts writes the receipts of the accepted envelopes of rs in
// one statement, each with its audit entry: accepted[k] is the receipt of
// entries[k] (-1 for a refusal, which has none).
func insertReceipts(ctx context.Context, tx pgx.Tx, rs []store.Receipt, accepted []int, entries []audit.Entry, received time.Time) error {
	var (
		ids, records, types, senders, keys, vias []string
		versions                                 []int32
		seqs                                     []int64
		times                                    []time.Time
	)
	for k, i := range accepted {
		if i < 0 || k >= len(entries) {
			continue
		}
		rc := rs[i].Received
		rid, ver := "", 0
		if rc.Record != nil {
			rid, ver = rc.Record.ID, rc.Record.Version
		}
		ids, records, versions = append(ids, rc.EnvelopeID), append(records, rid), append(versions, int32(ver))
		types, senders, keys = append(types, rc.Type), append(senders, rc.From), append(keys, rc.Key)
		vias, times, seqs = append(vias, strings.Join(rc.Via, ",")), append(times, received), append(seqs, entries[k].Seq)
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, sqlInsertReceipts, ids, records, versions, types, senders, keys, vias, times, seqs)
	return mapErr(err, "receipts")
}

// Receipts lists the stored receipts of a record's envelopes, oldest first.
func (db *DB) Receipts(ctx context.Context, recordID string) ([]store.EnvelopeReceipt, error) {
	rows, err := db.pool.Query(ctx, sqlReceipts, recordID)
	if err != nil {
		return nil, fmt.Errorf("receipts of %s: %w", recordID, mapErr(err, "receipts"))
	}
	defer rows.Close()
	out := []store.EnvelopeReceipt{}
	for rows.Next() {
		var (
			r        store.EnvelopeReceipt
			via      string
			signed   string
			received time.Time
		)
		if err := rows.Scan(&r.EnvelopeID, &r.RecordID, &r.Version, &r.Type, &r.From, &r.Key, &via, &received,
			&r.AuditSeq, &signed); err != nil {
			return nil, fmt.Errorf("receipts of %s: %w", recordID, err)
		}
		if via != "" {
			r.Via = strings.Split(via, ",")
		}
		r.Signed, r.Received = []byte(signed), received.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("receipts of %s: %w", recordID, mapErr(err, "receipts"))
	}
	return out, nil
}

const (
	sqlReceivedCarrying = `SELECT DISTINCT i.envelope_id, i.signed FROM receipts r JOIN inbox i ON i.envelope_id = r.envelope_id
		WHERE r.record_id = $1 AND r.type <> 'record.retract'`
	sqlDetachSigned   = `UPDATE inbox SET signed = $1 WHERE envelope_id = $2`
	sqlRelaysCarrying = `SELECT id, payload FROM outbox WHERE record_id = $1 AND type = 'relay' AND version < $2`
	sqlDetachRelay    = `UPDATE outbox SET payload = $1 WHERE id = $2`
)

// detachRelays keeps the relay deliveries of record id's versions before
// version (this node relayed them) with the envelopes they wrap detached
// from their payloads (store.DetachedRelay). Those not sent yet were
// withdrawn by outbox_follow as the retraction was stored.
func detachRelays(ctx context.Context, tx pgx.Tx, id string, version int) error {
	rows, err := tx.Query(ctx, sqlRelaysCarrying, id, version)
	if err != nil {
		return fmt.Errorf("purge relays of %s: %w", id, mapErr(err, "outbox"))
	}
	relays, err := store.ReadKeyedTexts[int64](rows)
	rows.Close()
	if err != nil {
		return fmt.Errorf("purge relays of %s: %w", id, mapErr(err, "outbox"))
	}
	for _, r := range relays {
		if _, err := tx.Exec(ctx, sqlDetachRelay, string(store.DetachedRelay([]byte(r.Text))), r.Key); err != nil {
			return fmt.Errorf("purge relay %d: %w", r.Key, mapErr(err, "outbox"))
		}
	}
	return nil
}

// detachReceived keeps the envelopes that carried record id here, found by
// their receipts, without their payloads (store.Detached): the record's
// stored versions were purged of personal data, which the payloads carry.
func detachReceived(ctx context.Context, tx pgx.Tx, id string) error {
	rows, err := tx.Query(ctx, sqlReceivedCarrying, id)
	if err != nil {
		return fmt.Errorf("purge envelopes of %s: %w", id, mapErr(err, "inbox"))
	}
	kept, err := store.ReadKeyedTexts[string](rows)
	rows.Close()
	if err != nil {
		return fmt.Errorf("purge envelopes of %s: %w", id, mapErr(err, "inbox"))
	}
	for _, r := range kept {
		if d := string(store.Detached([]byte(r.Text))); d != r.Text {
			if _, err := tx.Exec(ctx, sqlDetachSigned, d, r.Key); err != nil {
				return fmt.Errorf("purge envelope %s: %w", r.Key, mapErr(err, "inbox"))
			}
		}
	}
	return nil
}

// receiveRecord stores r if it is newer than the version held, with the
// rewritten bodies of the earlier versions held, and reports whether it
// did and the digests of every body it wrote.
func receiveRecord(ctx context.Context, tx pgx.Tx, r *intel.Record, rewrite []*intel.Record) (bool, audit.Vouch, error) {
	var held int
	switch err := tx.QueryRow(ctx, sqlHeldVersion, r.ID).Scan(&held); {
	case errors.Is(err, pgx.ErrNoRows):
		held = 0
	case err != nil:
		return false, audit.Vouch{}, mapErr(err, "record "+r.ID)
	}
	if r.Version <= held {
		return false, audit.Vouch{}, nil // an older version arriving late: the inbox row is enough
	}
	w, err := encode(r)
	if err != nil {
		return false, audit.Vouch{}, err
	}
	v := audit.Vouch{Record: r.ID, Digests: []audit.Digest{w.sum}}
	args := []any{r.ID, string(r.Kind), r.Originator, r.Version, string(r.Status), w.eventDate, r.Created, r.Updated, w.words}
	if held == 0 {
		_, err = tx.Exec(ctx, sqlReceiveInsert, args...)
	} else {
		_, err = tx.Exec(ctx, sqlReceiveUpdate, args...)
	}
	if err != nil {
		return false, audit.Vouch{}, mapErr(err, "record "+r.ID)
	}
	if _, err := tx.Exec(ctx, sqlReceiveVersion, r.ID, r.Version, w.body); err != nil {
		return false, audit.Vouch{}, mapErr(err, "record "+r.ID)
	}
	if _, err := tx.Exec(ctx, sqlDeleteCategories, r.ID); err != nil {
		return false, audit.Vouch{}, mapErr(err, "record "+r.ID)
	}
	for _, c := range w.cats {
		if _, err := tx.Exec(ctx, sqlReceiveCategory, r.ID, c); err != nil {
			return false, audit.Vouch{}, mapErr(err, "record "+r.ID)
		}
	}
	for _, old := range rewrite {
		if old.ID != r.ID || old.Version >= r.Version {
			continue
		}
		b, err := json.Marshal(old)
		if err != nil {
			return false, audit.Vouch{}, fmt.Errorf("encode record %s: %w", old.ID, err)
		}
		tag, err := tx.Exec(ctx, sqlRewriteVersion, string(b), old.ID, old.Version)
		if err != nil {
			return false, audit.Vouch{}, mapErr(err, "record "+old.ID)
		}
		// The purge is audited with the bodies it leaves: the entry of
		// the retraction vouches for them, superseding the entries that
		// vouched for the bodies it replaced. A version not held is not
		// written, and not vouched for.
		if tag.RowsAffected() > 0 {
			v.Digests = audit.WithDigest(v.Digests, audit.DigestOf(old.Version, b))
		}
	}
	return true, v, nil
}
