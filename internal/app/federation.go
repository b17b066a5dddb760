package app

import (
	"context"

	"liaison/internal/federation"
	"liaison/internal/store"
)

// PinPeer fetches the node document at url and pins it: with fingerprint
// set only if it matches, otherwise if confirm approves it.
func PinPeer(ctx context.Context, c Config, url, fingerprint string, confirm func(federation.NodeInfo) bool) (store.Peer, error) {
	c.fill()
	var p store.Peer
	err := withNode(ctx, c, func(n *Node) error {
		var err error
		p, err = n.Federation.PinPeer(ctx, "cli", url, fingerprint, confirm)
		return err
	})
	return p, err
}

// Peers lists the pinned peers.
func Peers(ctx context.Context, c Config) ([]store.Peer, error) {
	c.fill()
	var ps []store.Peer
	err := withNode(ctx, c, func(n *Node) error {
		var err error
		ps, err = n.Federation.Peers(ctx)
		return err
	})
	return ps, err
}

// Deliveries lists the deliveries of a record ("" for all).
func Deliveries(ctx context.Context, c Config, record string) ([]store.Delivery, error) {
	c.fill()
	var ds []store.Delivery
	err := withNode(ctx, c, func(n *Node) error {
		var err error
		ds, err = n.Federation.Deliveries(ctx, record)
		return err
	})
	return ds, err
}

// RetryDelivery re-queues a dead, failed or refused delivery.
func RetryDelivery(ctx context.Context, c Config, id int64) error {
	c.fill()
	return withNode(ctx, c, func(n *Node) error { return n.Federation.Retry(ctx, "cli", id) })
}

// RotateKey makes a new identity key and announces it to every peer.
func RotateKey(ctx context.Context, c Config) (store.NodeKey, error) {
	c.fill()
	var k store.NodeKey
	err := withNode(ctx, c, func(n *Node) error {
		var err error
		k, err = n.Federation.RotateKey(ctx, "cli")
		return err
	})
	return k, err
}
