package store

import (
	"slices"
	"testing"
	"time"

	"liaison/internal/fault"
)

func TestSearchTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"frozen", []string{"frozen"}},
		{"  frozen \t fish\n", []string{"frozen", "fish"}},
		{`"frozen fish"`, []string{"frozen", "fish"}},
		{"frozen-fish x-ray", []string{"frozen", "fish", "x", "ray"}},
		{"NEAR(frozen fish) AND text:x*", []string{"NEAR", "frozen", "fish", "AND", "text", "x"}},
		{"café cafe\u0301 香港 8000000 2.5kg", []string{"café", "cafe\u0301", "香港", "8000000", "2", "5kg"}},
		{"\u0301 \u0301\u0301", nil},
		{`" * - !!! '' ^ ( )`, nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := SearchTerms(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("SearchTerms(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRecordQueryChecked(t *testing.T) {
	tests := []struct {
		name  string
		q     RecordQuery
		limit int
		field string
	}{
		{"default limit", RecordQuery{}, DefaultLimit, ""},
		{"max limit", RecordQuery{Limit: MaxLimit}, MaxLimit, ""},
		{"limit too large", RecordQuery{Limit: MaxLimit + 1}, 0, "limit"},
		{"negative limit", RecordQuery{Limit: -5}, 0, "limit"},
		{"dates", RecordQuery{From: "2026-01-01", To: "2026-01-01"}, DefaultLimit, ""},
		{"bad from", RecordQuery{From: "2026-1-1"}, 0, "from"},
		{"bad to", RecordQuery{To: "yesterday"}, 0, "to"},
		{"to before from", RecordQuery{From: "2026-02-01", To: "2026-01-31"}, 0, "to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := tc.q.Checked()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if q.Limit != tc.limit {
					t.Errorf("limit = %d, want %d", q.Limit, tc.limit)
				}
				return
			}
			fe, ok := err.(*fault.Error)
			if !ok || fe.Kind != fault.Invalid || fe.Field != tc.field {
				t.Errorf("error = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestAuditQueryCheckedRoundsUp(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_000_500, time.UTC)
	q, err := AuditQuery{From: at, To: at.Add(time.Hour)}.Checked()
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 1, 2, 3, 4, 5, 6_001_000, time.UTC); !q.From.Equal(want) {
		t.Errorf("from = %v, want %v", q.From, want)
	}
	if q.Limit != DefaultLimit {
		t.Errorf("limit = %d, want %d", q.Limit, DefaultLimit)
	}
	if _, err := (AuditQuery{From: at, To: at.Add(-time.Second)}).Checked(); fault.KindOf(err) != fault.Invalid {
		t.Errorf("to before from: %v, want invalid", err)
	}
}

func TestCategoryBounds(t *testing.T) {
	lo, hi := CategoryBounds("drugs")
	for _, c := range []string{"drugs/cocaine", "drugs/", "drugs/zzz"} {
		if !(c >= lo && c < hi) {
			t.Errorf("%q is outside [%q, %q)", c, lo, hi)
		}
	}
	for _, c := range []string{"drugs", "drugsx", "drug/x", "drugs0", "environment/cites"} {
		if c >= lo && c < hi {
			t.Errorf("%q is inside [%q, %q)", c, lo, hi)
		}
	}
}
