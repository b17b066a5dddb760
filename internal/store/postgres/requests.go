package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"liaison/internal/intel"
	"liaison/internal/store"
)

// The requests index (migration 0007): request_index and request_responses
// are brought up to date from request_log before each listing. Replicas
// update it one at a time (an advisory lock), so that one waits for the
// other's update rather than listing before it.

// requestsLock is the advisory lock key held while the index is updated.
const requestsLock int64 = 0x6c6961697371

const (
	sqlRequestLogAny  = `SELECT EXISTS (SELECT 1 FROM request_log)`
	sqlRequestLogTake = `DELETE FROM request_log WHERE seq IN (SELECT seq FROM request_log ORDER BY seq LIMIT $1) RETURNING id`
	sqlRequestPut     = `INSERT INTO request_index (id, version, originator, requesting, requested, agreement, subject,
		deadline, acknowledged, operation, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, originator = excluded.originator,
			requesting = excluded.requesting, requested = excluded.requested, agreement = excluded.agreement,
			subject = excluded.subject, deadline = excluded.deadline, acknowledged = excluded.acknowledged,
			operation = excluded.operation, active = excluded.active
		WHERE excluded.version >= request_index.version`
	sqlResponsePut = `INSERT INTO request_responses (id, version, request, outcome, active) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, request = excluded.request,
			outcome = excluded.outcome, active = excluded.active
		WHERE excluded.version >= request_responses.version`
	sqlFeedbackPut = `INSERT INTO feedback_index (id, version, warning, active) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, warning = excluded.warning, active = excluded.active
		WHERE excluded.version >= feedback_index.version`
	sqlFeedbackDrop = `DELETE FROM feedback_index WHERE id = $1`
	sqlFeedbackOn   = `SELECT id FROM feedback_index WHERE warning = $1 ORDER BY id`
	sqlRequestDrop  = `DELETE FROM request_index WHERE id = $1`
	sqlResponseDrop = `DELETE FROM request_responses WHERE id = $1`
	sqlResponsesOf  = `SELECT request, id FROM request_responses WHERE active AND request = ANY($1::text[]) ORDER BY request, id`
	requestLogChunk = 500
)

// ListRequests lists requests for assistance from the requests index.
func (db *DB) ListRequests(ctx context.Context, q store.RequestQuery) ([]store.RequestRow, error) {
	q, err := q.Checked()
	if err != nil {
		return nil, err
	}
	if err := db.syncRequests(ctx); err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	args := []any{q.Today, q.Self}
	where := []string{"q.active"}
	add := func(cond string, a any) {
		args = append(args, a)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if q.ID != "" {
		add("q.id = $?", q.ID)
	}
	switch q.Direction {
	case store.RequestOutgoing:
		add("q.originator = $?", q.Self)
	case store.RequestIncoming:
		add("q.originator <> $?", q.Self)
	}
	if q.Cursor != "" {
		add("q.id < $?", q.Cursor)
	}
	if q.Restricted {
		add("(q.operation = '' OR q.operation = ANY($?::text[]))", append([]string{}, q.Operations...))
	}
	query := `SELECT id, originator, requesting, requested, agreement, subject, deadline, operation, state FROM (
		SELECT q.id, q.originator, q.requesting, q.requested, q.agreement, q.subject, q.deadline, q.operation,
			CASE
			WHEN EXISTS (SELECT 1 FROM request_responses s WHERE s.request = q.id AND s.active AND s.outcome IN ('answered', 'partial')) THEN 'answered'
			WHEN EXISTS (SELECT 1 FROM request_responses s WHERE s.request = q.id AND s.active AND s.outcome = 'declined') THEN 'declined'
			WHEN q.deadline <> '' AND q.deadline < $1 THEN 'overdue'
			WHEN q.originator <> $2 OR q.acknowledged THEN 'acknowledged'
			ELSE 'sent' END AS state
		FROM request_index q WHERE ` + strings.Join(where, " AND ") + `) listed`
	if q.State != "" {
		args = append(args, q.State)
		query += ` WHERE state = $` + strconv.Itoa(len(args))
	}
	args = append(args, q.Limit)
	query += ` ORDER BY id DESC LIMIT $` + strconv.Itoa(len(args))
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", mapErr(err, "requests"))
	}
	out := []store.RequestRow{}
	at := map[string]int{}
	for rows.Next() {
		var r store.RequestRow
		if err := rows.Scan(&r.ID, &r.Originator, &r.Requesting, &r.Requested, &r.Agreement, &r.Subject, &r.Deadline,
			&r.Operation, &r.State); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list requests: %w", mapErr(err, "requests"))
		}
		r.Responses = []string{}
		at[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list requests: %w", mapErr(err, "requests"))
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]string, len(out))
	for i, r := range out {
		ids[i] = r.ID
	}
	rs, err := db.pool.Query(ctx, sqlResponsesOf, ids)
	if err != nil {
		return nil, fmt.Errorf("list responses: %w", mapErr(err, "responses"))
	}
	defer rs.Close()
	for rs.Next() {
		var req, id string
		if err := rs.Scan(&req, &id); err != nil {
			return nil, fmt.Errorf("list responses: %w", mapErr(err, "responses"))
		}
		r := &out[at[req]]
		r.Responses = append(r.Responses, id)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list responses: %w", mapErr(err, "responses"))
	}
	return out, nil
}

// FeedbackOn lists the feedback answering a warning from the feedback
// index.
func (db *DB) FeedbackOn(ctx context.Context, warning string) ([]string, error) {
	if err := db.syncRequests(ctx); err != nil {
		return nil, fmt.Errorf("feedback on %s: %w", warning, err)
	}
	rows, err := db.pool.Query(ctx, sqlFeedbackOn, warning)
	if err != nil {
		return nil, fmt.Errorf("feedback on %s: %w", warning, mapErr(err, "feedback"))
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("feedback on %s: %w", warning, mapErr(err, "feedback"))
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feedback on %s: %w", warning, mapErr(err, "feedback"))
	}
	return ids, nil
}

// syncRequests brings the requests index (and the feedback index) up to date with the requests and
// responses logged since it last was, reading only their latest bodies.
func (db *DB) syncRequests(ctx context.Context) error {
	var pending bool
	if err := db.pool.QueryRow(ctx, sqlRequestLogAny).Scan(&pending); err != nil {
		return fmt.Errorf("read request log: %w", mapErr(err, "request log"))
	}
	if !pending {
		return nil
	}
	for {
		done := false
		err := db.inTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, requestsLock); err != nil {
				return fmt.Errorf("lock requests index: %w", mapErr(err, "requests index"))
			}
			rows, err := tx.Query(ctx, sqlRequestLogTake, requestLogChunk)
			if err != nil {
				return mapErr(err, "request log")
			}
			n := 0
			seen := map[string]bool{}
			var order []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return mapErr(err, "request log")
				}
				n++
				if !seen[id] {
					seen[id] = true
					order = append(order, id)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return mapErr(err, "request log")
			}
			for _, id := range order {
				if err := indexRequest(ctx, tx, id); err != nil {
					return err
				}
			}
			done = n < requestLogChunk
			return nil
		})
		if err != nil {
			return fmt.Errorf("update requests index: %w", err)
		}
		if done {
			return nil
		}
	}
}

// indexRequest puts the latest version of record id in the requests index.
func indexRequest(ctx context.Context, tx pgx.Tx, id string) error {
	var body []byte
	err := tx.QueryRow(ctx, sqlGetRecord, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return mapErr(err, "record "+id)
	}
	f, ok, err := store.FactsOf(body)
	if err != nil {
		return fmt.Errorf("record %s: %w", id, err)
	}
	if !ok {
		if _, err := tx.Exec(ctx, sqlRequestDrop, id); err != nil {
			return mapErr(err, "request")
		}
		if _, err := tx.Exec(ctx, sqlFeedbackDrop, id); err != nil {
			return mapErr(err, "feedback")
		}
		_, err := tx.Exec(ctx, sqlResponseDrop, id)
		return mapErr(err, "response")
	}
	switch f.Kind {
	case intel.KindFeedback:
		_, err = tx.Exec(ctx, sqlFeedbackPut, id, f.Version, f.Warning, f.Active)
		return mapErr(err, "feedback "+id)
	case intel.KindRequest:
		_, err = tx.Exec(ctx, sqlRequestPut, id, f.Version, f.Originator, f.Requesting, f.Requested, f.Agreement,
			f.Subject, f.Deadline, f.Acknowledged, f.Operation, f.Active)
		return mapErr(err, "request "+id)
	}
	_, err = tx.Exec(ctx, sqlResponsePut, id, f.Version, f.Request, f.Outcome, f.Active)
	return mapErr(err, "response "+id)
}
