package postgres

import (
	"fmt"
	"testing"

	"liaison/internal/store"
	"liaison/internal/store/pgtest"
	"liaison/internal/store/storetest"
)

func TestIdempotencyConformance(t *testing.T) {
	pgtest.MustSchema(t) // skip early, once, without the variable
	storetest.RunIdempotency(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}

// TestIdempotencyAcrossReplicas creates records under one key at once
// through two stores on one database, as two servers sharing it would:
// the database lets exactly one of them store its record.
func TestIdempotencyAcrossReplicas(t *testing.T) {
	pgtest.MustSchema(t) // skip early, once, without the variable
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			url := pgtest.MustSchema(t)
			storetest.ConcurrentSameKey(t, mustOpenAt(t, url), mustOpenAt(t, url))
		})
	}
}
