package audit

import (
	"bytes"
	"encoding/json"
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

// TestHashInputIsJSON holds hashInput to the encoding the chain was defined
// with, json.Marshal of the fields as an array, on entries with every kind
// of character a field may carry, so that chains written before and after
// the encoder changed verify alike.
func TestHashInputIsJSON(t *testing.T) {
	fields := []string{"", "alice", "record.create", "01JD0000000000000000000000", "version 2",
		`quote " backslash \ slash /`, "<script>&amp;</script>", "tab\tnew\nline\rcr\b\f",
		"\x00\x01\x1f\x7f", "陳大文 Чан Тай Ман عبد", "line\u2028sep\u2029para", "bad \xff\xfe utf8 \xe2\x80",
		"emoji 🚢 and combining é", Genesis}
	times := []time.Time{
		time.Date(2026, 11, 27, 5, 40, 1, 123456000, time.UTC),
		time.Date(1999, 1, 2, 3, 4, 5, 0, time.FixedZone("HKT", 8*3600)),
		time.Date(2026, 1, 1, 0, 0, 0, 999999999, time.UTC),
	}
	n := 0
	for i, a := range fields {
		for j, b := range fields {
			e := Entry{Seq: int64(i*1000 + j - 5), Time: times[(i+j)%len(times)], Actor: a, Action: b,
				Target: fields[(i+1)%len(fields)], Detail: fields[(j+3)%len(fields)], Prev: fields[(i+j)%len(fields)]}
			want, err := json.Marshal([]any{e.Seq, e.Time.UTC().Format("2006-01-02T15:04:05.000000Z"),
				e.Actor, e.Action, e.Target, e.Detail, e.Prev})
			if err != nil {
				t.Fatal(err)
			}
			if got := hashInput(nil, e); !bytes.Equal(got, want) {
				t.Fatalf("entry %+v:\n got %s\nwant %s", e, got, want)
			}
			n++
		}
	}
	if n < 100 {
		t.Fatalf("only %d entries compared", n)
	}
}

func FuzzHashInputIsJSON(f *testing.F) {
	f.Add(int64(1), int64(1764220801), "alice", "record.read", "01JD", "version 2", Genesis)
	f.Add(int64(-7), int64(0), "<&>", "\u2028", "\xff", "\"\\", "")
	f.Fuzz(func(t *testing.T, seq, unix int64, actor, action, target, detail, prev string) {
		e := Entry{Seq: seq, Time: time.Unix(unix%253402300799, 0), Actor: actor, Action: action, Target: target,
			Detail: detail, Prev: prev}
		want, err := json.Marshal([]any{e.Seq, e.Time.UTC().Format("2006-01-02T15:04:05.000000Z"),
			e.Actor, e.Action, e.Target, e.Detail, e.Prev})
		if err != nil {
			t.Skip()
		}
		if got := hashInput(nil, e); !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}
