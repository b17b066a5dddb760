package sqlite

import (
	"testing"

	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

func TestIdempotencyConformance(t *testing.T) {
	storetest.RunIdempotency(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}
