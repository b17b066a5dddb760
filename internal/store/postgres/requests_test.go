package postgres

import (
	"testing"

	"liaison/internal/store"
	"liaison/internal/store/pgtest"
	"liaison/internal/store/storetest"
)

func TestRequestsConformance(t *testing.T) {
	pgtest.MustSchema(t) // skip early, once, without the variable
	storetest.RunRequests(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}
