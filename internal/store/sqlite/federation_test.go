package sqlite

import (
	"testing"

	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

func TestFederationConformance(t *testing.T) {
	storetest.RunFederation(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}
