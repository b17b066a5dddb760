package app

import (
	"context"
	"errors"
	"fmt"
	"os"

	"liaison/internal/agreement"
	"liaison/internal/fault"
	"liaison/internal/sharing"
)

// cliActor is the audit actor of changes made with the command line.
const cliActor = "cli"

// withNode opens the initialised node of c, runs fn with it and closes it.
func withNode(ctx context.Context, c Config, fn func(n *Node) error) error {
	c.fill()
	n, err := Open(ctx, c)
	if err != nil {
		return err
	}
	err = fn(n)
	if cerr := n.Close(ctx); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// plain returns the client-safe message of a classified error (its field
// and message, without the driver's details) so that the command prints one
// readable line; other errors pass unchanged.
func plain(err error) error {
	var fe *fault.Error
	if err == nil || !errors.As(err, &fe) || fe.Kind == fault.Internal || fe.Kind == "" {
		return err
	}
	var l fault.List
	if errors.As(err, &l) {
		return err
	}
	return &fault.Error{Kind: fe.Kind, Field: fe.Field, Message: fe.Message}
}

// ListAgreements returns the node's agreement registry ordered by id; with a
// party, only the agreements that administration, bloc or RILO is in today
// (bloc members count as parties).
func ListAgreements(ctx context.Context, c Config, party string) ([]agreement.Agreement, error) {
	var as []agreement.Agreement
	err := withNode(ctx, c, func(n *Node) error {
		var err error
		as, err = n.Sharing.Agreements(ctx, party)
		return plain(err)
	})
	return as, err
}

// ShowAgreement returns one agreement of the node's registry.
func ShowAgreement(ctx context.Context, c Config, id string) (agreement.Agreement, error) {
	var a agreement.Agreement
	err := withNode(ctx, c, func(n *Node) error {
		var err error
		a, err = n.Sharing.Agreement(ctx, id)
		return plain(err)
	})
	return a, err
}

// AddAgreement reads one agreement as JSON from the file at path (the shape
// POST /api/v1/agreements takes), validates it and adds it to the registry,
// audited. Bad input is an error naming the file and the field; nothing is
// stored then.
func AddAgreement(ctx context.Context, c Config, path string) (agreement.Agreement, error) {
	f, err := os.Open(path)
	if err != nil {
		return agreement.Agreement{}, fmt.Errorf("agreement file: %w", err) // the error names the path
	}
	a, err := sharing.DecodeAgreement(f)
	f.Close()
	if err != nil {
		return agreement.Agreement{}, fmt.Errorf("%s: %w", path, err)
	}
	var stored agreement.Agreement
	err = withNode(ctx, c, func(n *Node) error {
		var err error
		if stored, err = n.Sharing.AddAgreement(ctx, cliActor, a); err != nil {
			return fmt.Errorf("%s: %w", path, plain(err))
		}
		return nil
	})
	return stored, err
}
