package ui

import (
	"testing"

	"liaison/internal/store"
)

func TestRetryableStates(t *testing.T) {
	for _, tc := range []struct {
		d    store.Delivery
		want bool
	}{
		{store.Delivery{State: store.DeliveryDead}, true},
		{store.Delivery{State: store.DeliveryFailed}, true},
		{store.Delivery{State: store.DeliveryRefused, RefusalReason: "no agreement in force"}, true},
		{store.Delivery{State: store.DeliveryRefused, RefusalReason: store.Withdrawn}, false},
		{store.Delivery{State: store.DeliveryQueued}, false},
		{store.Delivery{State: store.DeliveryDelivered}, false},
	} {
		if got := retryable(tc.d); got != tc.want {
			t.Errorf("retryable(%s %q) = %v, want %v", tc.d.State, tc.d.RefusalReason, got, tc.want)
		}
	}
}
