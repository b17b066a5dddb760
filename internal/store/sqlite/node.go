package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"liaison/internal/audit"
	"liaison/internal/fault"
	"liaison/internal/store"
)

const (
	sqlInsertNode = `INSERT INTO node (id, code, created) VALUES (1, ?, ?)`
	sqlNode       = `SELECT code, created FROM node WHERE id = 1`

	sqlInsertUser  = `INSERT INTO users (name, role, token_hash, created, disabled, operations) VALUES (?, ?, ?, ?, ?, ?)`
	sqlUserColumns = `SELECT name, role, token_hash, created, disabled, operations FROM users`
	sqlUserByToken = sqlUserColumns + ` WHERE token_hash = ? AND disabled = 0`
	sqlUsers       = sqlUserColumns + ` ORDER BY name`

	sqlPutRefdata = `INSERT INTO refdata (name, data, loaded) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET data = excluded.data, loaded = excluded.loaded`
	sqlRefdata = `SELECT data FROM refdata WHERE name = ?`
)

// InitNode records the node identity; a second call is a Conflict.
func (db *DB) InitNode(ctx context.Context, n store.Node, ev audit.Event) error {
	if n.Code == "" {
		return fault.Field("code", "is required")
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		created := n.Created
		if created.IsZero() {
			created = db.now()
		}
		if _, err := tx.ExecContext(ctx, sqlInsertNode, n.Code, formatTime(created)); err != nil {
			return mapErr(err, "node identity")
		}
		_, err := db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return fmt.Errorf("init node %s: %w", n.Code, err)
	}
	return nil
}

// Node returns the node identity, or NotFound before InitNode.
func (db *DB) Node(ctx context.Context) (store.Node, error) {
	var n store.Node
	var created string
	if err := db.queryRow(ctx, []any{&n.Code, &created}, sqlNode); err != nil {
		return store.Node{}, fmt.Errorf("read node: %w", mapErr(err, "node identity"))
	}
	var err error
	if n.Created, err = parseTime(created); err != nil {
		return store.Node{}, fmt.Errorf("read node: %w", err)
	}
	return n, nil
}

// CreateUser adds a user; an existing name or token hash is a Conflict.
func (db *DB) CreateUser(ctx context.Context, u store.User, ev audit.Event) error {
	if err := u.Check(); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		created := u.Created
		if created.IsZero() {
			created = db.now()
		}
		if _, err := tx.ExecContext(ctx, sqlInsertUser, u.Name, u.Role, u.TokenHash, formatTime(created), u.Disabled, strings.Join(u.Operations, ",")); err != nil {
			return mapErr(err, "user "+u.Name)
		}
		_, err := db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	return nil
}

// UserByTokenHash finds the enabled user holding a token.
func (db *DB) UserByTokenHash(ctx context.Context, hash string) (store.User, error) {
	us, err := db.queryUsers(ctx, sqlUserByToken, hash)
	if err != nil {
		return store.User{}, fmt.Errorf("find user by token: %w", err)
	}
	if len(us) == 0 {
		return store.User{}, fault.E(fault.NotFound, "no enabled user holds this token")
	}
	return us[0], nil
}

// Users lists users by name.
func (db *DB) Users(ctx context.Context) ([]store.User, error) {
	us, err := db.queryUsers(ctx, sqlUsers)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

func (db *DB) queryUsers(ctx context.Context, query string, args ...any) ([]store.User, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, "users")
	}
	defer rows.Close()
	var us []store.User
	for rows.Next() {
		var u store.User
		var created, ops string
		if err := rows.Scan(&u.Name, &u.Role, &u.TokenHash, &created, &u.Disabled, &ops); err != nil {
			return nil, err
		}
		if ops != "" {
			u.Operations = strings.Split(ops, ",")
		}
		if u.Created, err = parseTime(created); err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "users")
	}
	return us, nil
}

// PutRefdata replaces a reference list.
func (db *DB) PutRefdata(ctx context.Context, set string, data []byte, ev audit.Event) error {
	if set == "" {
		return fault.Field("set", "is required")
	}
	if data == nil {
		data = []byte{}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, sqlPutRefdata, set, data, formatTime(db.now())); err != nil {
			return mapErr(err, "reference list "+set)
		}
		_, err := db.appendAudit(ctx, tx, []audit.Event{ev})
		return err
	})
	if err != nil {
		return fmt.Errorf("put reference list %s: %w", set, err)
	}
	return nil
}

// Refdata returns a reference list, or NotFound.
func (db *DB) Refdata(ctx context.Context, set string) ([]byte, error) {
	var data []byte
	if err := db.queryRow(ctx, []any{&data}, sqlRefdata, set); err != nil {
		return nil, fmt.Errorf("read reference list %s: %w", set, mapErr(err, "reference list "+set))
	}
	return data, nil
}
