package sqlite

import (
	"testing"

	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

func TestRequestsConformance(t *testing.T) {
	storetest.RunRequests(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}
