package audit

import (
	"errors"
	"testing"
	"time"
)

func chain(n int) []Entry {
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	var out []Entry
	var prev *Entry
	for i := 0; i < n; i++ {
		e := Next(prev, Event{Actor: "alice", Action: ActionRecordRead, Target: "01J0000000000000000000000" + string(rune('A'+i))}, t0.Add(time.Duration(i)*time.Second))
		out = append(out, e)
		prev = &out[len(out)-1]
	}
	return out
}

func verify(es []Entry) error {
	var v Verifier
	for _, e := range es {
		if err := v.Add(e); err != nil {
			return err
		}
	}
	return nil
}

func TestNextLinksEntries(t *testing.T) {
	es := chain(3)
	if es[0].Seq != 1 || es[0].Prev != Genesis {
		t.Fatalf("first entry: seq %d prev %s", es[0].Seq, es[0].Prev)
	}
	for i := 1; i < len(es); i++ {
		if es[i].Seq != es[i-1].Seq+1 || es[i].Prev != es[i-1].Hash {
			t.Fatalf("entry %d does not link to %d", es[i].Seq, es[i-1].Seq)
		}
	}
	if err := verify(es); err != nil {
		t.Fatalf("untouched chain: %v", err)
	}
}

func TestVerifierFindsFirstBrokenLink(t *testing.T) {
	tests := []struct {
		name    string
		edit    func([]Entry) []Entry
		wantSeq int64
	}{
		{"altered field", func(es []Entry) []Entry { es[2].Actor = "mallory"; return es }, 3},
		{"altered time", func(es []Entry) []Entry { es[1].Time = es[1].Time.Add(time.Second); return es }, 2},
		{"rehashed entry breaks the next link", func(es []Entry) []Entry {
			es[1].Detail = "forged"
			es[1].Hash = Hash(es[1])
			return es
		}, 3},
		{"deleted entry", func(es []Entry) []Entry { return append(es[:2], es[3:]...) }, 3},
		{"reordered entries", func(es []Entry) []Entry { es[1], es[2] = es[2], es[1]; return es }, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := verify(tc.edit(chain(5)))
			var br *Break
			if !errors.As(err, &br) {
				t.Fatalf("got %v, want a *Break", err)
			}
			if br.Seq != tc.wantSeq {
				t.Fatalf("broken at %d (%s), want %d", br.Seq, br.Reason, tc.wantSeq)
			}
		})
	}
}

func TestHashIsStableAcrossTimeZones(t *testing.T) {
	e := chain(1)[0]
	local := e
	local.Time = e.Time.In(time.FixedZone("HKT", 8*3600))
	if Hash(local) != e.Hash {
		t.Fatal("the same instant in another zone hashes differently")
	}
}

func BenchmarkNext(b *testing.B) {
	prev := chain(1)[0]
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		prev = Next(&prev, Event{Actor: "alice", Action: ActionRecordRead, Target: "01J00000000000000000000000"}, t0)
	}
}
