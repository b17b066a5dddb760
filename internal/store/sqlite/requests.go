package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"liaison/internal/intel"
	"liaison/internal/store"
)

// The requests index (migration 0008): request_index and request_responses
// are brought up to date from request_log before each listing.

const (
	sqlRequestLogAny  = `SELECT EXISTS (SELECT 1 FROM request_log)`
	sqlRequestLogRead = `SELECT seq, id FROM request_log ORDER BY seq LIMIT ?`
	sqlRequestLogDrop = `DELETE FROM request_log WHERE seq <= ?`
	sqlRequestPut     = `INSERT INTO request_index (id, version, originator, requesting, requested, agreement, subject,
		deadline, acknowledged, operation, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, originator = excluded.originator,
			requesting = excluded.requesting, requested = excluded.requested, agreement = excluded.agreement,
			subject = excluded.subject, deadline = excluded.deadline, acknowledged = excluded.acknowledged,
			operation = excluded.operation, active = excluded.active
		WHERE excluded.version >= request_index.version`
	sqlResponsePut = `INSERT INTO request_responses (id, version, request, outcome, active) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, request = excluded.request,
			outcome = excluded.outcome, active = excluded.active
		WHERE excluded.version >= request_responses.version`
	sqlFeedbackPut = `INSERT INTO feedback_index (id, version, warning, active) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, warning = excluded.warning, active = excluded.active
		WHERE excluded.version >= feedback_index.version`
	sqlFeedbackDrop  = `DELETE FROM feedback_index WHERE id = ?`
	sqlFeedbackOn    = `SELECT id FROM feedback_index WHERE warning = ? ORDER BY id`
	sqlRequestDrop   = `DELETE FROM request_index WHERE id = ?`
	sqlResponseDrop  = `DELETE FROM request_responses WHERE id = ?`
	sqlResponsesOf   = `SELECT request, id FROM request_responses WHERE active = 1 AND request IN (SELECT value FROM json_each(?)) ORDER BY request, id`
	requestLogChunk  = 500
	requestStateCase = `CASE
		WHEN EXISTS (SELECT 1 FROM request_responses s WHERE s.request = q.id AND s.active = 1 AND s.outcome IN ('answered', 'partial')) THEN 'answered'
		WHEN EXISTS (SELECT 1 FROM request_responses s WHERE s.request = q.id AND s.active = 1 AND s.outcome = 'declined') THEN 'declined'
		WHEN q.deadline <> '' AND q.deadline < ? THEN 'overdue'
		WHEN q.originator <> ? OR q.acknowledged = 1 THEN 'acknowledged'
		ELSE 'sent' END`
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
	var where []string
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	add("q.active = 1")
	if q.ID != "" {
		add("q.id = ?", q.ID)
	}
	switch q.Direction {
	case store.RequestOutgoing:
		add("q.originator = ?", q.Self)
	case store.RequestIncoming:
		add("q.originator <> ?", q.Self)
	}
	if q.Cursor != "" {
		add("q.id < ?", q.Cursor)
	}
	if q.Restricted {
		ops, err := json.Marshal(append([]string{}, q.Operations...))
		if err != nil {
			return nil, fmt.Errorf("list requests: %w", err)
		}
		add("(q.operation = '' OR q.operation IN (SELECT value FROM json_each(?)))", string(ops))
	}
	query := `SELECT id, originator, requesting, requested, agreement, subject, deadline, operation, state FROM (
		SELECT q.id, q.originator, q.requesting, q.requested, q.agreement, q.subject, q.deadline, q.operation,
			` + requestStateCase + ` AS state
		FROM request_index q WHERE ` + strings.Join(where, " AND ") + `)`
	if q.State != "" {
		query += ` WHERE state = ?`
		args = append(args, q.State)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, q.Limit)
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", mapErr(err, "requests"))
	}
	defer rows.Close()
	out := []store.RequestRow{}
	at := map[string]int{}
	for rows.Next() {
		var r store.RequestRow
		if err := rows.Scan(&r.ID, &r.Originator, &r.Requesting, &r.Requested, &r.Agreement, &r.Subject, &r.Deadline,
			&r.Operation, &r.State); err != nil {
			return nil, fmt.Errorf("list requests: %w", mapErr(err, "requests"))
		}
		r.Responses = []string{}
		at[r.ID] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list requests: %w", mapErr(err, "requests"))
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]string, len(out))
	for i, r := range out {
		ids[i] = r.ID
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	rs, err := db.query(ctx, sqlResponsesOf, string(list))
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
	rows, err := db.query(ctx, sqlFeedbackOn, warning)
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
	if err := db.queryRow(ctx, []any{&pending}, sqlRequestLogAny); err != nil {
		return fmt.Errorf("read request log: %w", mapErr(err, "request log"))
	}
	if !pending {
		return nil
	}
	for {
		done := false
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, sqlRequestLogRead, requestLogChunk)
			if err != nil {
				return mapErr(err, "request log")
			}
			var last int64
			n := 0
			ids := map[string]bool{}
			var order []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&last, &id); err != nil {
					rows.Close()
					return mapErr(err, "request log")
				}
				n++
				if !ids[id] {
					ids[id] = true
					order = append(order, id)
				}
			}
			if err := rows.Close(); err != nil {
				return mapErr(err, "request log")
			}
			if len(order) == 0 {
				done = true
				return nil
			}
			st, err := prepareIndex(ctx, tx)
			if err != nil {
				return err
			}
			defer st.close()
			for _, id := range order {
				if err := st.index(ctx, id); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, sqlRequestLogDrop, last); err != nil {
				return mapErr(err, "request log")
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

// indexStmts are the statements of one update of the requests index,
// prepared once for all the records it reads.
type indexStmts struct {
	get, putRequest, putResponse, putFeedback, dropRequest, dropResponse, dropFeedback *sql.Stmt
}

func prepareIndex(ctx context.Context, tx *sql.Tx) (*indexStmts, error) {
	st := &indexStmts{}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{{&st.get, sqlGetRecord}, {&st.putRequest, sqlRequestPut}, {&st.putResponse, sqlResponsePut},
		{&st.putFeedback, sqlFeedbackPut}, {&st.dropRequest, sqlRequestDrop}, {&st.dropResponse, sqlResponseDrop},
		{&st.dropFeedback, sqlFeedbackDrop}} {
		stmt, err := tx.PrepareContext(ctx, p.query)
		if err != nil {
			st.close()
			return nil, mapErr(err, "requests index")
		}
		*p.dst = stmt
	}
	return st, nil
}

func (st *indexStmts) close() {
	for _, s := range []*sql.Stmt{st.get, st.putRequest, st.putResponse, st.putFeedback, st.dropRequest, st.dropResponse, st.dropFeedback} {
		if s != nil {
			s.Close()
		}
	}
}

// index puts the latest version of record id in the requests index, or
// the feedback index.
func (st *indexStmts) index(ctx context.Context, id string) error {
	var body []byte
	err := st.get.QueryRowContext(ctx, id).Scan(&body)
	if err == sql.ErrNoRows {
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
		if _, err := st.dropRequest.ExecContext(ctx, id); err != nil {
			return mapErr(err, "request")
		}
		if _, err := st.dropFeedback.ExecContext(ctx, id); err != nil {
			return mapErr(err, "feedback")
		}
		_, err := st.dropResponse.ExecContext(ctx, id)
		return mapErr(err, "response")
	}
	switch f.Kind {
	case intel.KindFeedback:
		_, err = st.putFeedback.ExecContext(ctx, id, f.Version, f.Warning, f.Active)
		return mapErr(err, "feedback "+id)
	case intel.KindRequest:
		_, err = st.putRequest.ExecContext(ctx, id, f.Version, f.Originator, f.Requesting, f.Requested, f.Agreement,
			f.Subject, f.Deadline, f.Acknowledged, f.Operation, f.Active)
		return mapErr(err, "request "+id)
	}
	_, err = st.putResponse.ExecContext(ctx, id, f.Version, f.Request, f.Outcome, f.Active)
	return mapErr(err, "response "+id)
}
