package store

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"liaison/internal/intel"
)

// TestWalkDecoded checks that WalkDecoded gives fn the records in the
// order of their bodies, each once, and stops exactly where a plain loop
// would: at an error of fn, of decoding or of reading, the records before
// it given to fn and none after.
func TestWalkDecoded(t *testing.T) {
	const n = 10_000
	decode := func(b []byte) (*intel.Record, error) {
		if string(b) == "bad" {
			return nil, errors.New("bad body")
		}
		return &intel.Record{ID: string(b)}, nil
	}
	bodies := func(n int, bad int, readErr int) func() ([]byte, bool, error) {
		i := 0
		return func() ([]byte, bool, error) {
			if i == readErr {
				return nil, false, errors.New("read failed")
			}
			if i == n {
				return nil, false, nil
			}
			i++
			if i-1 == bad {
				return []byte("bad"), true, nil
			}
			return []byte(strconv.Itoa(i - 1)), true, nil
		}
	}
	for _, tc := range []struct {
		name         string
		n, bad, read int
		stopAt       int // fn fails on this record
		wantCalls    int
		wantErr      string
	}{
		{name: "all", n: n, bad: -1, read: -1, stopAt: -1, wantCalls: n},
		{name: "none", n: 0, bad: -1, read: -1, stopAt: -1, wantCalls: 0},
		{name: "fewer than a chunk", n: 7, bad: -1, read: -1, stopAt: -1, wantCalls: 7},
		{name: "fn stops", n: n, bad: -1, read: -1, stopAt: 4321, wantCalls: 4322, wantErr: "stop at 4321"},
		{name: "fn stops at once", n: n, bad: -1, read: -1, stopAt: 0, wantCalls: 1, wantErr: "stop at 0"},
		{name: "bad body", n: n, bad: 5000, read: -1, stopAt: -1, wantCalls: 5000, wantErr: "bad body"},
		{name: "read fails", n: n, bad: -1, read: 777, stopAt: -1, wantCalls: 777, wantErr: "read failed"},
		{name: "bad body before read fails", n: n, bad: 700, read: 777, stopAt: -1, wantCalls: 700, wantErr: "bad body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := WalkDecoded(bodies(tc.n, tc.bad, tc.read), decode, func(r *intel.Record) error {
				if r.ID != strconv.Itoa(calls) {
					return fmt.Errorf("record %s given as number %d", r.ID, calls)
				}
				calls++
				if calls-1 == tc.stopAt {
					return fmt.Errorf("stop at %d", tc.stopAt)
				}
				return nil
			})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if calls != tc.wantCalls {
				t.Fatalf("fn called %d times, want %d", calls, tc.wantCalls)
			}
		})
	}
}
