package matching

import (
	"context"

	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// Observe returns st with every change to records reported to svc once it
// is committed: records created or updated here and record versions
// received over federation (retractions included) are queued for matching.
// Everything else passes through unchanged.
func Observe(st store.Store, svc *Service) store.Store {
	return &observed{Store: st, svc: svc}
}

type observed struct {
	store.Store
	svc *Service
}

func (o *observed) CreateRecords(ctx context.Context, rs []*intel.Record, evs []audit.Event) error {
	if err := o.Store.CreateRecords(ctx, rs, evs); err != nil {
		return err
	}
	items := make([]item, len(rs))
	for i, r := range rs {
		items[i] = item{rec: r}
	}
	o.svc.notify(items)
	return nil
}

func (o *observed) UpdateRecord(ctx context.Context, r *intel.Record, ev audit.Event) error {
	if err := o.Store.UpdateRecord(ctx, r, ev); err != nil {
		return err
	}
	o.svc.notify([]item{{rec: r}})
	return nil
}

// Receive reports the received record by id: a version older than the one
// held is not stored, so the matcher reads whichever version is latest.
func (o *observed) Receive(ctx context.Context, rc store.Received, ev audit.Event) (bool, error) {
	dup, err := o.Store.Receive(ctx, rc, ev)
	if err != nil || dup {
		return dup, err
	}
	if rc.Record != nil {
		o.svc.notify([]item{{id: rc.Record.ID}})
	}
	return dup, nil
}

func (o *observed) ReceiveBatch(ctx context.Context, rs []store.Receipt) error {
	if err := o.Store.ReceiveBatch(ctx, rs); err != nil {
		return err
	}
	// A version the store kept as the latest is handed over as it is (the
	// matcher keeps the highest version of a record queued twice); one
	// that was not stored is left alone.
	var items []item
	for _, rc := range rs {
		if rc.Received == nil || rc.Received.Record == nil || !rc.Stored || rc.Duplicate || rc.Err != nil {
			continue
		}
		items = append(items, item{rec: rc.Received.Record})
	}
	o.svc.notify(items)
	return nil
}
