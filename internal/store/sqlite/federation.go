package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"liaison/internal/audit"
	"liaison/internal/bufpool"
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

	sqlMaxOutboxID     = `SELECT coalesce(max(id), 0) FROM outbox`
	sqlDeliveryColumns = `SELECT id, coalesce(envelope_id, ''), peer, type, record_id, version, payload,
		coalesce((SELECT j.json FROM decisions j WHERE j.id = outbox.decision_id), decision), sign_key,
		state, attempts, last_error, next_attempt, created, delivered_at, refusal_reason,
		CASE WHEN refusal_answer > 0 THEN (SELECT a.signed FROM answers a WHERE a.id = outbox.refusal_answer)
			ELSE refusal_signed END FROM outbox`
	sqlDeliveriesAll    = sqlDeliveryColumns + ` ORDER BY id`
	sqlDeliveriesRecord = sqlDeliveryColumns + ` WHERE record_id = ? ORDER BY id`
	sqlDelivery         = sqlDeliveryColumns + ` WHERE id = ?`
	// The delivery a row given with Once would repeat.
	sqlDeliveryHeld = sqlDeliveryColumns + ` WHERE record_id = ? AND version = ? AND type = ? AND peer = ?
		AND state <> 'refused' ORDER BY id LIMIT 1`
	sqlRecentDeliveries = sqlDeliveryColumns + ` WHERE id < ? AND (? = '' OR state = ?) ORDER BY id DESC LIMIT ?`
	sqlDeliveryCounts   = `SELECT state, count(*) FROM outbox GROUP BY state`

	sqlDuePeer = `SELECT p.code FROM peers p WHERE (p.lease_until < ? OR p.lease_owner = ?) AND p.retry_at <= ?
		AND EXISTS (SELECT 1 FROM outbox o WHERE o.peer = p.code AND o.state IN ('queued', 'failed') AND o.next_attempt <= ?)
		ORDER BY p.lease_until, p.code LIMIT 1`
	sqlLeasePeer = `UPDATE peers SET lease_owner = ?, lease_until = ? WHERE code = ?`
	// A lease is extended only while its owner still holds it.
	sqlExtendLease = `UPDATE peers SET lease_until = ? WHERE code = ? AND lease_owner = ?`
	// The due rows of a peer, each with the body of the record version it
	// sends (record.create and record.update). The rows are chosen first by
	// id alone, so that picking a few thousand of a large backlog sorts
	// ids rather than every due row with its body and signed answer.
	// Ids above the fourth argument only: 0 for a new claim, the last row
	// claimed for ClaimMore.
	sqlDueRows = `WITH due AS (SELECT id, type <> 'key.rotate' AS later FROM outbox
			WHERE peer = ? AND state IN ('queued', 'failed') AND next_attempt <= ? AND id > ?
			ORDER BY later, id LIMIT ?)
		SELECT o.id, coalesce(o.envelope_id, ''), o.peer, o.type, o.record_id, o.version, o.payload, o.decision,
		o.sign_key, o.state, o.attempts, o.last_error, o.next_attempt, o.created, o.delivered_at, o.refusal_reason,
		CASE WHEN o.refusal_answer > 0 THEN (SELECT a.signed FROM answers a WHERE a.id = o.refusal_answer)
			ELSE o.refusal_signed END,
		CASE WHEN o.type IN ('record.create', 'record.update') THEN
			(SELECT v.body FROM record_versions v WHERE v.id = o.record_id AND v.version = o.version) END,
		coalesce(o.decision_id, 0)
		FROM due JOIN outbox o ON o.id = due.id
		ORDER BY due.later, due.id`
	sqlSetEnvelopeID = `UPDATE outbox SET envelope_id = ? WHERE id = ? AND envelope_id IS NULL`
	sqlReleasePeer   = `UPDATE peers SET lease_owner = '', lease_until = '' WHERE code = ? AND lease_owner = ?`
	sqlPeerContact   = `UPDATE peers SET state = ?, last_contact = coalesce(?, last_contact), last_error = ?, retry_at = ?
		WHERE code = ?`
	sqlPeerRetryNow = `UPDATE peers SET retry_at = '' WHERE code = (SELECT peer FROM outbox WHERE id = ?)`
	sqlFinishRow    = `UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt = ?,
		delivered_at = ?, refusal_reason = ?, refusal_signed = '', refusal_answer = ?
		WHERE id = ? AND state IN ('queued', 'failed')`
	// The rows delivered without remark, all at once: what sqlFinishRow
	// writes for each of them.
	sqlFinishDelivered = `UPDATE outbox SET state = 'delivered', attempts = attempts + 1, last_error = '', next_attempt = ?,
		delivered_at = ?, refusal_reason = '', refusal_signed = '', refusal_answer = 0
		WHERE id IN (SELECT value FROM json_each(?)) AND state IN ('queued', 'failed')`
	// A signed answer that refused deliveries, kept once for all of them.
	sqlInsertAnswer = `INSERT INTO answers (peer, signed, received) VALUES (?, ?, ?) RETURNING id`
	// A peer that answers has recovered: its rows waiting out a backoff
	// are due at once, so that a backlog built during an outage drains
	// as soon as the peer is back rather than over the backoff period.
	sqlPeerRecovered = `UPDATE outbox SET next_attempt = ? WHERE peer = ? AND state = 'failed' AND next_attempt > ?`
	sqlRetryRow      = `UPDATE outbox SET state = 'queued', next_attempt = ?, last_error = '', attempts = 0,
		refusal_reason = '', refusal_signed = '', refusal_answer = 0, created = ? WHERE id = ? AND state IN ('dead', 'failed', 'refused')
		AND refusal_reason <> ?`

	sqlInboxInsert = `INSERT INTO inbox (envelope_id, sender, type, record_id, version, signed, received)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (envelope_id) DO NOTHING`
	sqlInboxHas    = `SELECT count(*) FROM inbox WHERE envelope_id = ?`
	sqlInboxAmong  = `SELECT envelope_id FROM inbox WHERE envelope_id IN (SELECT value FROM json_each(?))`
	sqlHeldVersion = `SELECT version FROM records WHERE id = ?`
	sqlHeldAmong   = `SELECT id, version FROM records WHERE id IN (SELECT value FROM json_each(?))`
	sqlReceipts    = `SELECT r.envelope_id, r.record_id, r.version, r.type, r.sender, r.key, r.via, r.received, r.audit_seq,
		coalesce(i.signed, '') FROM receipts r LEFT JOIN inbox i ON i.envelope_id = r.envelope_id
		WHERE r.record_id = ? ORDER BY r.seq`
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
	if err := checkDeliveries(ds); err != nil {
		return nil, err
	}
	var out []store.Delivery
	// The rows are written on the transaction's driver connection (see
	// inserter), with statements kept prepared from one call to the next.
	err := db.inConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		var err error
		if out, err = db.insertDeliveries(ctx, conn, tx, ds); err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		linked, err := db.linkAudit(ctx, tx, evs)
		if err != nil {
			return err
		}
		return db.insertAudit(ctx, tx, conn, linked())
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

// insertDeliveries writes outbox rows inside tx and returns them with
// their ids and defaults (queued, due when created, created now).
func (db *DB) insertDeliveries(ctx context.Context, conn *sql.Conn, tx *sql.Tx, ds []store.Delivery) ([]store.Delivery, error) {
	out := make([]store.Delivery, len(ds))
	if len(ds) == 0 {
		return out, nil
	}
	now := db.now()
	// Rows get their ids here, after the largest in the table (what
	// SQLite would give them), so that they are written many to a
	// statement and still returned with their ids.
	var last int64
	if err := tx.QueryRowContext(ctx, sqlMaxOutboxID).Scan(&last); err != nil {
		return nil, mapErr(err, "outbox")
	}
	ins := newInserter(tx, conn, chunkRows, "outbox", "id", "envelope_id", "peer", "type", "record_id", "version",
		"payload", "decision_id", "sign_key", "state", "next_attempt", "created")
	ins.cache = &db.wstmts
	defer ins.close()
	var decisions decisionIDs
	for i, d := range ds {
		if d.Once {
			held, err := scanDeliveries(tx.QueryContext(ctx, sqlDeliveryHeld, d.RecordID, int64(d.Version), d.Type, d.Peer))
			if err != nil {
				return nil, fmt.Errorf("deliveries of %s: %w", d.RecordID, err)
			}
			if len(held) > 0 {
				out[i] = held[0]
				continue
			}
		}
		d = d.WithDefaults(now)
		last++
		d.ID = last
		decision, err := decisions.id(ctx, tx, d.Decision)
		if err != nil {
			return nil, err
		}
		if err := ins.add(ctx, d.ID, d.EnvelopeID, d.Peer, d.Type, d.RecordID, int64(d.Version), textOf(d.Payload),
			decision, d.SignKey, d.State, formatTime(d.NextAttempt), formatTime(d.Created)); err != nil {
			return nil, mapErr(err, "delivery")
		}
		out[i] = d
	}
	if err := ins.flush(ctx); err != nil {
		return nil, mapErr(err, "delivery")
	}
	return out, nil
}

const (
	sqlDecisionID     = `SELECT id FROM decisions WHERE hash = ?`
	sqlInsertDecision = `INSERT INTO decisions (hash, json) VALUES (?, ?) RETURNING id`
)

const sqlDecisionsByID = `SELECT id, json FROM decisions WHERE id IN (SELECT value FROM json_each(?))`

// readDecisions gives each claimed row with a decision id (ids[i] for
// ds[i], 0 for none) its decision, read once for all the rows naming it
// and shared by them.
func readDecisions(ctx context.Context, tx *sql.Tx, ds []store.Delivery, ids []int64) error {
	var want []int64
	for _, id := range ids {
		if id != 0 && !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil
	}
	list, err := json.Marshal(want)
	if err != nil {
		return fmt.Errorf("decisions: %w", err)
	}
	rows, err := tx.QueryContext(ctx, sqlDecisionsByID, string(list))
	if err != nil {
		return mapErr(err, "decisions")
	}
	found, err := store.ReadKeyedTexts[int64](rows)
	rows.Close()
	if err != nil {
		return mapErr(err, "decisions")
	}
	byID := make(map[int64][]byte, len(found))
	for _, f := range found {
		byID[f.Key] = []byte(f.Text)
	}
	for i, id := range ids {
		if id == 0 {
			continue
		}
		d, ok := byID[id]
		if !ok {
			return fmt.Errorf("delivery %d names decision %d, which is not stored", ds[i].ID, id)
		}
		ds[i].Decision = d
	}
	return nil
}

// decisionIDs gives the rows of one transaction the ids of their decisions
// in the decisions table, storing those it does not hold yet. The rows of
// a batch share a few decisions, most often one after another.
type decisionIDs struct {
	last   []byte
	lastID any
	seen   map[[sha256.Size]byte]int64
}

// id is the decision_id of an outbox row shared under decision: NULL for
// none.
func (c *decisionIDs) id(ctx context.Context, tx *sql.Tx, decision []byte) (any, error) {
	if len(decision) == 0 {
		return nil, nil
	}
	if c.lastID != nil && bytes.Equal(decision, c.last) {
		return c.lastID, nil
	}
	h := sha256.Sum256(decision)
	id, ok := c.seen[h]
	if !ok {
		switch err := tx.QueryRowContext(ctx, sqlDecisionID, h[:]).Scan(&id); {
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.QueryRowContext(ctx, sqlInsertDecision, h[:], textOf(decision)).Scan(&id); err != nil {
				return nil, mapErr(err, "decision")
			}
		case err != nil:
			return nil, mapErr(err, "decision")
		}
		if c.seen == nil {
			c.seen = map[[sha256.Size]byte]int64{}
		}
		c.seen[h] = id
	}
	c.last, c.lastID = decision, id
	return id, nil
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

// sqlDeliveryVisible keeps the outbox rows of the records a restricted
// user may see (see store.DeliveryQuery): rows about no record, and rows of
// a record held whose latest version is not distributed to an operation,
// or to one of those listed in the JSON array bound to it.
const sqlDeliveryVisible = `(outbox.record_id = '' OR EXISTS (SELECT 1 FROM records r
	JOIN record_versions v ON v.id = r.id AND v.version = r.version
	WHERE r.id = outbox.record_id AND (
		coalesce(json_extract(v.body, '$.distribution.scope'), '') <> 'operation'
		OR coalesce(json_extract(v.body, '$.distribution.operation'), '') = ''
		OR json_extract(v.body, '$.distribution.operation') IN (SELECT value FROM json_each(?)))))`

// ListDeliveries returns a page of outbox rows in id order. One row more
// than the page is read, to tell whether another page follows.
func (db *DB) ListDeliveries(ctx context.Context, q store.DeliveryQuery) (store.DeliveryPage, error) {
	q, err := q.Checked()
	if err != nil {
		return store.DeliveryPage{}, err
	}
	query := sqlDeliveryColumns + ` WHERE outbox.id > ?`
	args := []any{q.After}
	if q.Record != "" {
		query += ` AND outbox.record_id = ?`
		args = append(args, q.Record)
	}
	if q.Restricted {
		ops, err := json.Marshal(append([]string{}, q.Operations...))
		if err != nil {
			return store.DeliveryPage{}, fmt.Errorf("list deliveries: %w", err)
		}
		query += ` AND ` + sqlDeliveryVisible
		args = append(args, string(ops))
	}
	query += ` ORDER BY outbox.id LIMIT ?`
	args = append(args, q.Limit+1)
	ds, err := scanDeliveries(db.query(ctx, query, args...))
	if err != nil {
		return store.DeliveryPage{}, fmt.Errorf("list deliveries: %w", mapErr(err, "deliveries"))
	}
	page := store.DeliveryPage{Deliveries: ds}
	if len(ds) > q.Limit {
		page.Deliveries = ds[:q.Limit]
		page.Next = ds[q.Limit-1].ID
	}
	return page, nil
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

// RecentDeliveries lists a page of outbox rows, newest first.
func (db *DB) RecentDeliveries(ctx context.Context, state string, before int64, limit int) ([]store.Delivery, error) {
	if limit <= 0 {
		return nil, fault.Field("limit", "must be positive")
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	ds, err := scanDeliveries(db.query(ctx, sqlRecentDeliveries, before, state, state, limit))
	if err != nil {
		return nil, fmt.Errorf("list recent deliveries: %w", err)
	}
	return ds, nil
}

// DeliveryCounts counts the outbox rows in each state.
func (db *DB) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.query(ctx, sqlDeliveryCounts)
	if err != nil {
		return nil, fmt.Errorf("count deliveries: %w", mapErr(err, "deliveries"))
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count deliveries: %w", err)
		}
		out[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count deliveries: %w", mapErr(err, "deliveries"))
	}
	return out, nil
}

func scanDeliveries(rows *sql.Rows, err error) ([]store.Delivery, error) {
	return scanOutbox(rows, err, nil)
}

// scanOutbox reads outbox rows. With claimed set, each row ends with the
// body of its record version (NULL when none) and the id of its decision
// (0 when the row holds its own), appended to *claimed.
func scanOutbox(rows *sql.Rows, err error, claimed *[]int64) ([]store.Delivery, error) {
	if err != nil {
		return nil, mapErr(err, "deliveries")
	}
	defer rows.Close()
	out := []store.Delivery{}
	// Rows shared under one decision carry the same JSON, a kilobyte or
	// two: consecutive rows with the same one are given the same bytes.
	var lastDecision []byte
	for rows.Next() {
		var (
			d                       store.Delivery
			payload, decision, next string
			created                 string
			delivered               sql.NullString
		)
		dst := []any{&d.ID, &d.EnvelopeID, &d.Peer, &d.Type, &d.RecordID, &d.Version, &payload, &decision,
			&d.SignKey, &d.State, &d.Attempts, &d.LastError, &next, &created, &delivered, &d.RefusalReason,
			&d.RefusalSigned}
		var decisionID int64
		if claimed != nil {
			dst = append(dst, &d.Body, &decisionID)
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		if payload != "" {
			d.Payload = []byte(payload)
		}
		if decision != "" {
			if decision != string(lastDecision) {
				lastDecision = []byte(decision)
			}
			d.Decision = lastDecision
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
		if claimed != nil {
			*claimed = append(*claimed, decisionID)
		}
		out = append(out, d)
	}
	return out, mapErr(rows.Err(), "deliveries")
}

// ClaimDeliveries leases a due peer and returns its due rows. SQLite
// serialises writers, so the lease check and the lease are one step.
func (db *DB) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, max int) (string, []store.Delivery, error) {
	var (
		peer string
		ds   []store.Delivery
	)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		n := formatTime(now)
		switch err := tx.QueryRowContext(ctx, sqlDuePeer, n, owner, n, n).Scan(&peer); {
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
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlExtendLease, formatTime(now.Add(lease)), peer, owner)
		if err != nil {
			return mapErr(err, "peer "+peer)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return mapErr(err, "peer "+peer)
		}
		if n == 0 {
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

// claimRows returns up to max due rows of peer with ids above after, with
// their decisions, having given an envelope id to any row without one.
func claimRows(ctx context.Context, tx *sql.Tx, peer string, now time.Time, after int64, max int) ([]store.Delivery, error) {
	if max <= 0 || max > store.MaxClaim {
		max = store.MaxClaim
	}
	var decisions []int64
	rows, err := tx.QueryContext(ctx, sqlDueRows, peer, formatTime(now), after, max)
	ds, err := scanOutbox(rows, err, &decisions)
	if err != nil {
		return nil, err
	}
	if err := readDecisions(ctx, tx, ds, decisions); err != nil {
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
		if _, err := tx.ExecContext(ctx, sqlSetEnvelopeID, id, ds[i].ID); err != nil {
			return nil, mapErr(err, "delivery")
		}
		ds[i].EnvelopeID = id
	}
	return ds, nil
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
		if err := recordOutcomes(ctx, tx, peer, now, outs); err != nil {
			return err
		}
		state, contact, retry := store.PeerActive, any(formatTime(now)), ""
		if errMsg != "" {
			state, contact, retry = store.PeerUnreachable, nil, formatTime(store.PeerRetry(now, outs))
		}
		if _, err := tx.ExecContext(ctx, sqlPeerContact, state, contact, errMsg, retry, peer); err != nil {
			return mapErr(err, "peer "+peer)
		}
		if _, err := tx.ExecContext(ctx, sqlReleasePeer, peer, owner); err != nil {
			return mapErr(err, "peer "+peer)
		}
		if len(evs) == 0 {
			return nil
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
	if err := db.inTx(ctx, func(tx *sql.Tx) error { return recordOutcomes(ctx, tx, peer, now, outs) }); err != nil {
		return fmt.Errorf("record deliveries to %s: %w", peer, err)
	}
	return nil
}

// recordOutcomes writes the outcomes of an attempt to their rows.
func recordOutcomes(ctx context.Context, tx *sql.Tx, peer string, now time.Time, outs []store.DeliveryOutcome) error {
	finish, err := tx.PrepareContext(ctx, sqlFinishRow)
	if err != nil {
		return mapErr(err, "delivery")
	}
	defer finish.Close()
	answers := map[string]int64{}
	delivered, rest := store.PlainlyDelivered(outs)
	if len(delivered) > 0 {
		list, err := json.Marshal(delivered)
		if err != nil {
			return fmt.Errorf("delivered rows: %w", err)
		}
		n := formatTime(now)
		if _, err := tx.ExecContext(ctx, sqlFinishDelivered, n, n, string(list)); err != nil {
			return mapErr(err, "delivery")
		}
	}
	for _, o := range rest {
		var answer int64
		if o.RefusalSigned != "" {
			var ok bool
			if answer, ok = answers[o.RefusalSigned]; !ok {
				if err := tx.QueryRowContext(ctx, sqlInsertAnswer, peer, o.RefusalSigned, formatTime(now)).Scan(&answer); err != nil {
					return mapErr(err, "answer")
				}
				answers[o.RefusalSigned] = answer
			}
		}
		var delivered any
		if o.State == store.DeliveryDelivered {
			delivered = formatTime(now)
		}
		next := o.NextAttempt
		if next.IsZero() {
			next = now
		}
		if _, err := finish.ExecContext(ctx, o.State, o.Error, formatTime(next), delivered,
			o.RefusalReason, answer, o.ID); err != nil {
			return mapErr(err, "delivery")
		}
	}
	return nil
}

// RetryDelivery re-queues a dead, failed or refused row.
func (db *DB) RetryDelivery(ctx context.Context, id int64, now time.Time, ev audit.Event) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlRetryRow, formatTime(now), formatTime(now), id, store.Withdrawn)
		if err != nil {
			return mapErr(err, "delivery")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var state, reason string
			if err := tx.QueryRowContext(ctx, `SELECT state, refusal_reason FROM outbox WHERE id = ?`, id).Scan(&state, &reason); err != nil {
				return mapErr(err, fmt.Sprintf("delivery %d", id))
			}
			if reason == store.Withdrawn {
				return fault.E(fault.Conflict, "delivery %d was %s, and cannot be retried", id, reason)
			}
			return fault.E(fault.Conflict, "delivery %d is %s and cannot be retried", id, state)
		}
		if _, err := tx.ExecContext(ctx, sqlPeerRetryNow, id); err != nil {
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
	var n int
	if err := db.queryRow(ctx, []any{&n}, sqlInboxHas, envelopeID); err != nil {
		return false, fmt.Errorf("read inbox: %w", mapErr(err, "inbox"))
	}
	return n > 0, nil
}

// Receive stores an accepted envelope and its effect in one transaction,
// as a batch of one (see ReceiveBatch). The full-text index is derived: the
// bumped change count makes the next search bring it up to date with the
// received version.
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
// Envelope ids already in the inbox are found with one query and records
// not held yet are written many rows to a statement; each accepted
// envelope gets its inbox row (with the signed envelope) and its receipt,
// which names its audit entry.
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
	// The rows are written on the transaction's driver connection (see
	// inserter), with statements kept prepared from one batch to the next.
	bodies := bodyArenas.Get(0)
	defer func() { bodyArenas.Put(bodies) }()
	err := db.inConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		for i := range rs {
			rs[i].Duplicate, rs[i].Stored = false, false
		}
		if err := markDuplicates(ctx, tx, rs); err != nil {
			return err
		}
		held, bulk, err := heldVersions(ctx, tx, rs)
		if err != nil {
			return err
		}
		var st *receiveStmts
		defer func() {
			if st != nil {
				st.Close()
			}
		}()
		inbox := newInserter(tx, conn, chunkRows, "inbox", "envelope_id", "sender", "type", "record_id", "version",
			"signed", "received")
		recs, vers, cats := recordInserter(tx, conn), versionInserter(tx, conn), categoryInserter(tx, conn)
		for _, in := range []*inserter{inbox, recs, vers, cats} {
			in.cache = &db.wstmts
			defer in.close()
		}
		received := formatTime(db.now())
		evs := make([]audit.Event, 0, len(rs))
		vs := make([]audit.Vouch, 0, len(rs)) // what the entry of each event vouches for
		accepted := make([]int, 0, len(rs))   // the receipt of each event, -1 for a refusal
		// The records' bodies, encoded one after the other: the rows
		// queued refer to them until they are written.
		arena := bodies[:0]
		defer func() { bodies = arena }()
		changed := false
		var purged []*intel.Record // records whose earlier versions were rewritten
		var (
			outbox []store.Delivery // what the accepted envelopes have this node send
			extra  []audit.Event    // and its audit entries
		)
		for i := range rs {
			r := &rs[i]
			if r.Err != nil || r.Duplicate {
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
			// The envelope is kept packed (see packSigned), in the
			// arena the batch's bodies are encoded in.
			var signed any = textOf(rc.Signed)
			at := len(arena)
			if a, ok := packSigned(arena, rc.Signed, rc.Claims); ok {
				arena, signed = a, a[at:len(a):len(a)]
			}
			if err := inbox.add(ctx, rc.EnvelopeID, rc.From, rc.Type, rid, int64(ver), signed, received); err != nil {
				return mapErr(err, "envelope "+rc.EnvelopeID)
			}
			var vouch audit.Vouch
			if rec := rc.Record; rec != nil {
				stored := false
				switch h, ok := held[rec.ID]; {
				case bulk && !ok:
					var d audit.Digest
					if arena, d, err = addRecord(ctx, recs, vers, cats, rec, arena); err != nil {
						return err
					}
					stored, vouch = true, audit.Vouch{Record: rec.ID, Digests: []audit.Digest{d}}
				case bulk && h >= rec.Version:
					// An older version arriving late: the inbox row is enough.
				default:
					if st == nil {
						if st, err = prepareReceive(ctx, tx); err != nil {
							return err
						}
					}
					if stored, vouch, err = receiveRecord(ctx, tx, st, rec, rc.Rewrite); err != nil {
						return err
					}
					if stored && len(rc.Rewrite) > 0 {
						purged = append(purged, rec)
					}
				}
				changed = changed || stored
				r.Stored = stored
			}
			if rc.Peer != nil {
				if err := putPeer(ctx, tx, *rc.Peer, db.now()); err != nil {
					return err
				}
			}
			evs, vs, accepted = append(evs, r.Event), append(vs, vouch), append(accepted, i)
			outbox, extra = append(outbox, rc.Outbox...), append(extra, rc.Events...)
		}
		for _, in := range []*inserter{inbox, recs, vers, cats} {
			if err := in.flush(ctx); err != nil {
				return mapErr(err, "received envelopes")
			}
		}
		// What the accepted envelopes have this node send, after the
		// records they carry are stored (a retraction withdraws what
		// was queued of the record before it, not what it queues).
		if _, err := db.insertDeliveries(ctx, conn, tx, outbox); err != nil {
			return err
		}
		for _, ev := range extra {
			evs, vs, accepted = append(evs, ev), append(vs, audit.Vouch{}), append(accepted, -1)
		}
		if changed {
			if _, err := tx.ExecContext(ctx, sqlReceiveChanges); err != nil {
				return mapErr(err, "record changes")
			}
		}
		if len(evs) == 0 {
			return nil
		}
		linked, err := db.linkAuditWith(ctx, tx, evs, vouchesOf(vs))
		if err != nil {
			return err
		}
		l := linked()
		if err := db.insertAudit(ctx, tx, conn, l); err != nil {
			return err
		}
		if err := insertReceipts(ctx, tx, conn, &db.wstmts, rs, accepted, l.es, received); err != nil {
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

const (
	sqlReceivedCarrying = `SELECT DISTINCT i.envelope_id, i.signed FROM receipts r JOIN inbox i ON i.envelope_id = r.envelope_id
		WHERE r.record_id = ? AND r.type <> 'record.retract'`
	sqlDetachSigned   = `UPDATE inbox SET signed = ? WHERE envelope_id = ?`
	sqlRelaysCarrying = `SELECT id, payload FROM outbox WHERE record_id = ? AND type = 'relay' AND version < ?`
	sqlDetachRelay    = `UPDATE outbox SET payload = ? WHERE id = ?`
)

// detachRelays keeps the relay deliveries of record id's versions before
// version (this node relayed them) with the envelopes they wrap detached
// from their payloads (store.DetachedRelay). Those not sent yet were
// withdrawn by outbox_follow as the retraction was stored.
func detachRelays(ctx context.Context, tx *sql.Tx, id string, version int) error {
	rows, err := tx.QueryContext(ctx, sqlRelaysCarrying, id, version)
	if err != nil {
		return fmt.Errorf("purge relays of %s: %w", id, mapErr(err, "outbox"))
	}
	relays, err := store.ReadKeyedTexts[int64](rows)
	rows.Close()
	if err != nil {
		return fmt.Errorf("purge relays of %s: %w", id, mapErr(err, "outbox"))
	}
	for _, r := range relays {
		if _, err := tx.ExecContext(ctx, sqlDetachRelay, string(store.DetachedRelay([]byte(r.Text))), r.Key); err != nil {
			return fmt.Errorf("purge relay %d: %w", r.Key, mapErr(err, "outbox"))
		}
	}
	return nil
}

// detachReceived keeps the envelopes that carried record id here, found by
// their receipts, without their payloads (store.Detached): the record's
// stored versions were purged of personal data, which the payloads carry.
func detachReceived(ctx context.Context, tx *sql.Tx, id string) error {
	rows, err := tx.QueryContext(ctx, sqlReceivedCarrying, id)
	if err != nil {
		return fmt.Errorf("purge envelopes of %s: %w", id, mapErr(err, "inbox"))
	}
	kept, err := store.ReadKeyedTexts[string](rows)
	rows.Close()
	if err != nil {
		return fmt.Errorf("purge envelopes of %s: %w", id, mapErr(err, "inbox"))
	}
	for _, r := range kept {
		signed, err := unpackSigned([]byte(r.Text))
		if err != nil {
			return fmt.Errorf("purge envelope %s: %w", r.Key, err)
		}
		if d := string(store.Detached(signed)); d != r.Text {
			if _, err := tx.ExecContext(ctx, sqlDetachSigned, d, r.Key); err != nil {
				return fmt.Errorf("purge envelope %s: %w", r.Key, mapErr(err, "inbox"))
			}
		}
	}
	return nil
}

// markDuplicates sets Duplicate on the receipts whose envelope id is in the
// inbox or earlier in rs, with one query.
func markDuplicates(ctx context.Context, tx *sql.Tx, rs []store.Receipt) error {
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		if r.Received != nil && r.Err == nil {
			ids = append(ids, r.Received.EnvelopeID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	known, err := among(ctx, tx, sqlInboxAmong, ids)
	if err != nil {
		return mapErr(err, "inbox")
	}
	for i := range rs {
		if rc := rs[i].Received; rc != nil && rs[i].Err == nil {
			if _, dup := known[rc.EnvelopeID]; dup {
				rs[i].Duplicate = true
			}
			known[rc.EnvelopeID] = 0
		}
	}
	return nil
}

// heldVersions returns the versions held of the records the new receipts
// of rs carry, with one query, and whether they may be written in bulk:
// no record comes twice and none rewrites earlier versions.
func heldVersions(ctx context.Context, tx *sql.Tx, rs []store.Receipt) (map[string]int, bool, error) {
	ids := make([]string, 0, len(rs))
	seen := make(map[string]bool, len(rs))
	bulk := true
	for _, r := range rs {
		rc := r.Received
		if rc == nil || rc.Record == nil || r.Err != nil || r.Duplicate {
			continue
		}
		if seen[rc.Record.ID] || len(rc.Rewrite) > 0 {
			bulk = false
		}
		seen[rc.Record.ID] = true
		ids = append(ids, rc.Record.ID)
	}
	if !bulk || len(ids) == 0 {
		return nil, bulk, nil
	}
	held, err := among(ctx, tx, sqlHeldAmong, ids)
	if err != nil {
		return nil, false, mapErr(err, "records")
	}
	return held, true, nil
}

// among runs query, which selects an id (and an optional integer) for the
// ids of a JSON array, and returns them by id.
func among(ctx context.Context, tx *sql.Tx, query string, ids []string) (map[string]int, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, query, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]int, len(ids))
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var (
			id string
			n  int
		)
		dst := []any{&id}
		if len(cols) > 1 {
			dst = append(dst, &n)
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// addRecord queues the rows of a record not held yet and returns the
// digest of the body it stores. Its body is encoded at the end of arena,
// which addRecord returns grown by it: the queued row refers to it (see
// textOf), so arena is only appended to until the rows are written.
func addRecord(ctx context.Context, recs, vers, cats *inserter, r *intel.Record, arena []byte) ([]byte, audit.Digest, error) {
	at := len(arena)
	arena, err := intel.AppendJSON(arena, r)
	if err != nil {
		return arena[:at], audit.Digest{}, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	body := arena[at:]
	if err := recs.add(ctx, r.ID, string(r.Kind), r.Originator, int64(r.Version), string(r.Status), intel.EventDate(r),
		nullTime(r.Created), nullTime(r.Updated)); err != nil {
		return arena, audit.Digest{}, mapErr(err, "record "+r.ID)
	}
	if err := vers.add(ctx, r.ID, int64(r.Version), textOf(body)); err != nil {
		return arena, audit.Digest{}, mapErr(err, "record "+r.ID)
	}
	for _, c := range intel.Categories(r) {
		if err := cats.add(ctx, r.ID, c); err != nil {
			return arena, audit.Digest{}, mapErr(err, "record "+r.ID)
		}
	}
	return arena, audit.DigestOf(r.Version, body), nil
}

// bodyArenas keeps the memory ReceiveBatch encodes a batch's records and
// packs its envelopes in (a few MiB for a request of 500), for the next
// batch. Two are kept for good, as many as batches a receiver stores at
// once (one storing, the next waiting for the writer): in a sync.Pool,
// which every garbage collection may empty, the arena was made anew for
// most batches, zeroed and faulted in page by page.
var bodyArenas = bufpool.Pool{Max: 16 << 20, Keep: 2}

// insertReceipts writes the receipts of the accepted envelopes of rs, each
// with its audit entry: accepted[k] is the receipt of entries[k] (-1 for a
// refusal, which has none).
func insertReceipts(ctx context.Context, tx *sql.Tx, conn *sql.Conn, cache *stmtCache, rs []store.Receipt, accepted []int, entries []audit.Entry, received string) error {
	ins := newInserter(tx, conn, chunkRows, "receipts", "envelope_id", "record_id", "version", "type", "sender", "key",
		"via", "received", "audit_seq")
	ins.cache = cache
	defer ins.close()
	for k, i := range accepted {
		if i < 0 || k >= len(entries) {
			continue
		}
		rc := rs[i].Received
		var (
			rid string
			ver int
		)
		if rc.Record != nil {
			rid, ver = rc.Record.ID, rc.Record.Version
		}
		if err := ins.add(ctx, rc.EnvelopeID, rid, int64(ver), rc.Type, rc.From, rc.Key, strings.Join(rc.Via, ","),
			received, entries[k].Seq); err != nil {
			return mapErr(err, "receipt of "+rc.EnvelopeID)
		}
	}
	return mapErr(ins.flush(ctx), "receipts")
}

// Receipts lists the stored receipts of a record's envelopes, oldest first.
func (db *DB) Receipts(ctx context.Context, recordID string) ([]store.EnvelopeReceipt, error) {
	rows, err := db.query(ctx, sqlReceipts, recordID)
	if err != nil {
		return nil, fmt.Errorf("receipts of %s: %w", recordID, mapErr(err, "receipts"))
	}
	defer rows.Close()
	out := []store.EnvelopeReceipt{}
	for rows.Next() {
		var (
			r             store.EnvelopeReceipt
			via, received string
			signed        []byte
		)
		if err := rows.Scan(&r.EnvelopeID, &r.RecordID, &r.Version, &r.Type, &r.From, &r.Key, &via, &received,
			&r.AuditSeq, &signed); err != nil {
			return nil, fmt.Errorf("receipts of %s: %w", recordID, err)
		}
		if via != "" {
			r.Via = strings.Split(via, ",")
		}
		if r.Signed, err = unpackSigned(signed); err != nil {
			return nil, fmt.Errorf("receipts of %s: envelope %s: %w", recordID, r.EnvelopeID, err)
		}
		if r.Received, err = parseTime(received); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("receipts of %s: %w", recordID, mapErr(err, "receipts"))
	}
	return out, nil
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

// receiveRecord stores r if it is newer than the version held, with the
// rewritten bodies of the earlier versions held, and reports whether it
// did and the digests of every body it wrote; the caller bumps the change
// count.
func receiveRecord(ctx context.Context, tx *sql.Tx, st *receiveStmts, r *intel.Record, rewrite []*intel.Record) (bool, audit.Vouch, error) {
	var held int
	switch err := st.held.QueryRowContext(ctx, r.ID).Scan(&held); {
	case errors.Is(err, sql.ErrNoRows):
		held = 0
	case err != nil:
		return false, audit.Vouch{}, mapErr(err, "record "+r.ID)
	}
	if r.Version <= held {
		return false, audit.Vouch{}, nil // an older version arriving late: the inbox row is enough
	}
	body, err := json.Marshal(r)
	if err != nil {
		return false, audit.Vouch{}, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	v := audit.Vouch{Record: r.ID, Digests: []audit.Digest{audit.DigestOf(r.Version, body)}}
	args := []any{string(r.Kind), r.Originator, r.Version, string(r.Status), intel.EventDate(r), nullTime(r.Created),
		nullTime(r.Updated), r.ID}
	if held == 0 {
		_, err = st.insert.ExecContext(ctx, append([]any{r.ID}, args[:len(args)-1]...)...)
	} else {
		_, err = st.update.ExecContext(ctx, args...)
	}
	if err != nil {
		return false, audit.Vouch{}, mapErr(err, "record "+r.ID)
	}
	if _, err := st.version.ExecContext(ctx, r.ID, r.Version, string(body)); err != nil {
		return false, audit.Vouch{}, mapErr(err, "record "+r.ID)
	}
	if _, err := st.delCat.ExecContext(ctx, r.ID); err != nil {
		return false, audit.Vouch{}, mapErr(err, "record "+r.ID)
	}
	for _, c := range intel.Categories(r) {
		if _, err := st.insCat.ExecContext(ctx, r.ID, c); err != nil {
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
		res, err := tx.ExecContext(ctx, sqlRewriteVersion, string(b), old.ID, old.Version)
		if err != nil {
			return false, audit.Vouch{}, mapErr(err, "record "+old.ID)
		}
		// The purge is audited with the bodies it leaves: the entry of
		// the retraction vouches for them, superseding the entries that
		// vouched for the bodies it replaced. A version not held is not
		// written, and not vouched for.
		if n, err := res.RowsAffected(); err != nil {
			return false, audit.Vouch{}, mapErr(err, "record "+old.ID)
		} else if n > 0 {
			v.Digests = audit.WithDigest(v.Digests, audit.DigestOf(old.Version, b))
		}
	}
	return true, v, nil
}
