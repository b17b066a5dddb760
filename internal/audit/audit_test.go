package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// TestEntriesWithoutDigestsHashAsBefore holds the hash of entries that
// vouch for no body to the values the chain had before digests were kept,
// so that logs written then still verify.
func TestEntriesWithoutDigestsHashAsBefore(t *testing.T) {
	es := chain(3)
	want := []string{
		"1f71415b02ddb0632f649d1203c645b9cc3bd39eac619227553a7500c30021a0",
		"e59af0bb7e105d0c2ad42271f63fc7b3266d2f34a237f1dc55e075d2de3993a0",
		"c4069f76443f0f1f71682a285a3116783ad92da3344a26c1d27b45cdd35b1de2",
	}
	for i, e := range es {
		if e.Hash != want[i] {
			t.Errorf("entry %d hashes to %s, want %s as before", e.Seq, e.Hash, want[i])
		}
	}
	e := NextVouching(&es[2], Event{Actor: "HK", Action: "envelope.receive", Target: "01J00000000000000000000000",
		Detail: "record.create é \"q\" version 1"}, Vouch{Record: "01J00000000000000000000000"},
		time.Date(2026, 11, 26, 9, 0, 3, 123456789, time.UTC))
	if e.Record != "" || e.Digests != "" || e.Hash != "656b559fe6361bded979d58db28c44ccc6a8a6fe6f1e95463e0ebecfdd2cdaa2" {
		t.Errorf("an entry vouching for no digest: record %q digests %q hash %s, want none and the hash as before", e.Record, e.Digests, e.Hash)
	}
}

// TestDigestsAreHashed checks that an entry's record and digests are
// covered by its hash: changing either, or removing both, breaks it.
func TestDigestsAreHashed(t *testing.T) {
	es := chain(1)
	body := []byte(`{"id":"01J0000000000000000000000A","version":2}`)
	v := Vouch{Record: "01J0000000000000000000000A", Digests: []Digest{DigestOf(1, []byte("{}")), DigestOf(2, body)}}
	e := NextVouching(&es[0], Event{Actor: "alice", Action: ActionRecordUpdate, Target: v.Record, Detail: "version 2"}, v,
		time.Date(2026, 11, 26, 9, 0, 1, 0, time.UTC))
	sum := sha256.Sum256(body)
	if got, want := e.Digests, "1:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a;2:"+hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("digests %q, want %q", got, want)
	}
	if err := verify([]Entry{es[0], e}); err != nil {
		t.Fatalf("untouched: %v", err)
	}
	for name, edit := range map[string]func(*Entry){
		"other digest":  func(e *Entry) { e.Digests = e.Digests[:len(e.Digests)-1] + flip(e.Digests[len(e.Digests)-1:]) },
		"other record":  func(e *Entry) { e.Record = "01J0000000000000000000000B" },
		"digests gone":  func(e *Entry) { e.Record, e.Digests = "", "" },
		"version moved": func(e *Entry) { e.Digests = strings.Replace(e.Digests, "2:", "3:", 1) },
	} {
		t.Run(name, func(t *testing.T) {
			x := e
			edit(&x)
			var br *Break
			if err := verify([]Entry{es[0], x}); !errors.As(err, &br) || br.Seq != 2 {
				t.Fatalf("got %v, want a break at entry 2", err)
			}
		})
	}
}

func flip(hexDigit string) string {
	if hexDigit == "0" {
		return "1"
	}
	return "0"
}

// TestHashInputWithDigestsIsJSON holds the hash input of an entry that
// vouches for bodies to json.Marshal of its fields with record and digests
// after prev.
func TestHashInputWithDigestsIsJSON(t *testing.T) {
	for _, rec := range []string{"01JD0000000000000000000000", `odd "id" \ é`, ""} {
		e := Entry{Seq: 7, Time: time.Date(2026, 11, 27, 5, 40, 1, 123456000, time.UTC), Actor: "HK", Action: "envelope.receive",
			Target: "01JE", Detail: "record.retract", Prev: Genesis, Record: rec, Digests: "1:" + strings.Repeat("a", 64)}
		want, err := json.Marshal([]any{e.Seq, "2026-11-27T05:40:01.123456Z", e.Actor, e.Action, e.Target, e.Detail, e.Prev,
			e.Record, e.Digests})
		if err != nil {
			t.Fatal(err)
		}
		if got := hashInput(nil, e); !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	}
}

func TestParseDigests(t *testing.T) {
	h := strings.Repeat("ab", 32)
	ds := []Digest{{Version: 1, SHA256: h}, {Version: 12, SHA256: strings.Repeat("0", 64)}}
	got, err := ParseDigests(FormatDigests(ds))
	if err != nil || len(got) != 2 || got[0] != ds[0] || got[1] != ds[1] {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	for _, bad := range []string{"", "1", "1:" + h + ";", "0:" + h, "-1:" + h, "01:" + h, "x:" + h, "1:" + h[:63],
		"1:" + strings.ToUpper(h), "1:" + h + ";1:" + h, "1:" + h + "0"} {
		if _, err := ParseDigests(bad); err == nil {
			t.Errorf("ParseDigests(%q) accepted it", bad)
		}
	}
}

func TestWithDigest(t *testing.T) {
	d := func(v int, c string) Digest { return Digest{Version: v, SHA256: strings.Repeat(c, 64)} }
	ds := []Digest{d(3, "c")}
	ds = WithDigest(ds, d(1, "a"))
	ds = WithDigest(ds, d(2, "b"))
	ds = WithDigest(ds, d(1, "f"))
	if got, want := FormatDigests(ds), FormatDigests([]Digest{d(1, "f"), d(2, "b"), d(3, "c")}); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func vouching(prev *Entry, record string, ds ...Digest) Entry {
	return NextVouching(prev, Event{Actor: "HK", Action: ActionRecordUpdate, Target: record}, Vouch{Record: record, Digests: ds},
		time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
}

func TestBodyCheck(t *testing.T) {
	const id = "01J0000000000000000000000A"
	b1, b1purged, b2 := []byte(`{"v":1,"name":"Chan"}`), []byte(`{"v":1}`), []byte(`{"v":2}`)
	create := vouching(nil, id, DigestOf(1, b1))
	update := vouching(&create, id, DigestOf(2, b2))
	purge := vouching(&update, id, DigestOf(1, b1purged), DigestOf(2, b2))
	tests := []struct {
		name      string
		rb        RecordBodies
		wantVer   int   // 0: no mismatch
		wantSeq   int64 // the entry named
		covered   int64
		uncovered int64
	}{
		{"as vouched", RecordBodies{Record: id, Stored: []Digest{DigestOf(1, b1), DigestOf(2, b2)}, Entries: []Entry{create, update}},
			0, 0, 2, 0},
		{"altered", RecordBodies{Record: id, Stored: []Digest{DigestOf(1, b1purged), DigestOf(2, b2)}, Entries: []Entry{create, update}},
			1, create.Seq, 0, 0},
		{"purged, the purge vouching", RecordBodies{Record: id, Stored: []Digest{DigestOf(1, b1purged), DigestOf(2, b2)},
			Entries: []Entry{create, update, purge}}, 0, 0, 2, 0},
		{"purged data put back", RecordBodies{Record: id, Stored: []Digest{DigestOf(1, b1), DigestOf(2, b2)},
			Entries: []Entry{create, update, purge}}, 1, purge.Seq, 0, 0},
		{"deleted version", RecordBodies{Record: id, Stored: []Digest{DigestOf(1, b1)}, Entries: []Entry{create, update}},
			2, update.Seq, 1, 0},
		{"record deleted", RecordBodies{Record: id, Entries: []Entry{create}}, 1, create.Seq, 0, 0},
		{"stored before digests", RecordBodies{Record: id, Stored: []Digest{DigestOf(1, b1), DigestOf(2, b2)}}, 0, 0, 0, 2},
		{"old versions, new one vouched", RecordBodies{Record: id, Stored: []Digest{DigestOf(1, b1), DigestOf(2, b2)},
			Entries: []Entry{vouching(nil, id, DigestOf(2, b2))}}, 0, 0, 1, 1},
		{"version added after a vouched one", RecordBodies{Record: id,
			Stored: []Digest{DigestOf(1, b1), DigestOf(2, b2)}, Entries: []Entry{create}}, 2, 0, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c BodyCheck
			err := c.Add(tc.rb)
			if tc.wantVer == 0 {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				var bm *BodyMismatch
				if !errors.As(err, &bm) || bm.Record != id || bm.Version != tc.wantVer || bm.Seq != tc.wantSeq {
					t.Fatalf("got %v, want a mismatch of version %d naming entry %d", err, tc.wantVer, tc.wantSeq)
				}
				if !strings.Contains(err.Error(), fmt.Sprintf("record %s version %d", id, tc.wantVer)) {
					t.Errorf("error %q does not name the record and version", err)
				}
			}
			if c.Covered != tc.covered || c.Uncovered != tc.uncovered {
				t.Errorf("covered %d, not covered %d; want %d, %d", c.Covered, c.Uncovered, tc.covered, tc.uncovered)
			}
		})
	}
	var c BodyCheck
	forged := update
	forged.Digests = FormatDigests([]Digest{DigestOf(2, []byte(`{"v":"forged"}`))})
	var br *Break
	if err := c.Add(RecordBodies{Record: id, Stored: []Digest{DigestOf(2, []byte(`{"v":"forged"}`))}, Entries: []Entry{forged}}); !errors.As(err, &br) || br.Seq != forged.Seq {
		t.Errorf("an entry whose digest was changed: %v, want a break at entry %d", err, forged.Seq)
	}
}

func TestAnchorCheck(t *testing.T) {
	es := chain(5)
	anchorAt := func(n int) Anchor { return Anchor{Entries: es[n-1].Seq, Head: es[n-1].Hash} }
	tests := []struct {
		name   string
		walked int
		anchor Anchor
		exact  bool
		want   string // "" for none
	}{
		{"at the anchor", 5, anchorAt(5), true, ""},
		{"empty", 0, Anchor{Head: Genesis}, true, ""},
		{"appended while walking", 5, anchorAt(3), false, ""},
		{"last entries deleted", 3, anchorAt(5), false,
			"the audit log ends at entry 3 but the node records 5 entries; entries after 3 were deleted"},
		{"all deleted", 0, anchorAt(5), false,
			"the audit log ends at entry 0 but the node records 5 entries; entries after 0 were deleted"},
		{"appended behind the node's back", 5, anchorAt(3), true,
			"the audit log ends at entry 5 but the node records 3 entries; entries after 3 were added without the node recording them"},
		{"anchored entry replaced", 5, Anchor{Entries: 5, Head: es[3].Hash}, false, "audit entry 5 is not the one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := AnchorCheck{Anchor: tc.anchor}
			for _, e := range es[:tc.walked] {
				c.Add(e)
			}
			err := c.Check(tc.exact)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var am *AnchorMismatch
			if !errors.As(err, &am) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %v, want a mismatch saying %q", err, tc.want)
			}
		})
	}
}
