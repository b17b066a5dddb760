package sqlite

import (
	"testing"

	"liaison/internal/store"
	"liaison/internal/store/storetest"
)

func TestMatchingConformance(t *testing.T) {
	storetest.RunMatching(t, func(t *testing.T) store.Store { return MustOpenDB(t) })
}
