package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"liaison/internal/audit"
	"liaison/internal/fault"
)

func TestConcurrentAuditCallsFormOneChain(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	const callers, perCaller = 16, 25
	got := make([][]audit.Entry, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range perCaller {
				evs := []audit.Event{{Actor: fmt.Sprintf("user%d", c), Action: audit.ActionRecordRead, Target: fmt.Sprintf("r%d", i)}}
				if i%5 == 0 { // some calls carry several events
					evs = append(evs, audit.Event{Actor: evs[0].Actor, Action: audit.ActionRecordSearch, Detail: "second"})
				}
				es, err := db.Audit(ctx, evs...)
				if err != nil {
					errs[c] = err
					return
				}
				if len(es) != len(evs) {
					errs[c] = fmt.Errorf("%d entries for %d events", len(es), len(evs))
					return
				}
				for j, e := range es {
					if e.Actor != evs[j].Actor || e.Target != evs[j].Target || e.Detail != evs[j].Detail {
						errs[c] = fmt.Errorf("entry %d is %+v, not the event %+v", j, e, evs[j])
						return
					}
					if j > 0 && e.Seq != es[j-1].Seq+1 {
						errs[c] = fmt.Errorf("one call's entries are not consecutive: %d after %d", e.Seq, es[j-1].Seq)
						return
					}
				}
				got[c] = append(got[c], es...)
			}
		})
	}
	wg.Wait()
	for c, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", c, err)
		}
	}
	returned := map[int64]audit.Entry{}
	for _, es := range got {
		for _, e := range es {
			if _, dup := returned[e.Seq]; dup {
				t.Fatalf("entry %d returned to two calls", e.Seq)
			}
			returned[e.Seq] = e
		}
	}
	var v audit.Verifier
	stored := 0
	err := db.WalkAudit(ctx, func(e audit.Entry) error {
		if err := v.Add(e); err != nil {
			return err
		}
		if r, ok := returned[e.Seq]; ok {
			stored++
			if r.Hash != e.Hash {
				return fmt.Errorf("entry %d: returned hash %s, stored %s", e.Seq, r.Hash, e.Hash)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	if stored != len(returned) {
		t.Fatalf("%d of the %d entries returned are stored", stored, len(returned))
	}
}

func TestAuditWithEndedContextStoresNothing(t *testing.T) {
	db := MustOpenDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Audit(ctx, audit.Event{Actor: "a", Action: audit.ActionRecordRead, Target: "x"}); err == nil {
		t.Fatal("Audit with an ended context succeeded")
	}
	n := 0
	if err := db.WalkAudit(context.Background(), func(e audit.Entry) error {
		if e.Target == "x" {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d entries stored for a call whose context had ended", n)
	}
}

func TestAuditAfterCloseIsUnavailable(t *testing.T) {
	db := MustOpenDB(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := db.Audit(context.Background(), audit.Event{Actor: "a", Action: audit.ActionRecordRead})
	if !fault.Is(err, fault.Unavailable) {
		t.Fatalf("Audit after Close: %v, want unavailable", err)
	}
}
