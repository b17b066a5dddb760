package sqlite

import (
	"testing"

	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

func TestAgreementsConformance(t *testing.T) {
	storetest.RunAgreements(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}
