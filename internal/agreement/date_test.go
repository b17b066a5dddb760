package agreement

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in        string
		precision Precision
		first     string
		last      string
		text      string
		wantErr   bool
	}{
		{in: "", precision: PrecisionUnknown, text: "an unknown date"},
		{in: "1999", precision: PrecisionYear, first: "1999-01-01", last: "1999-12-31", text: "1999"},
		{in: "2024-02", precision: PrecisionMonth, first: "2024-02-01", last: "2024-02-29", text: "February 2024"},
		{in: "2023-02", precision: PrecisionMonth, first: "2023-02-01", last: "2023-02-28", text: "February 2023"},
		{in: "2013-07-01", precision: PrecisionDay, first: "2013-07-01", last: "2013-07-01", text: "1 July 2013"},
		{in: "2023-02-29", wantErr: true},
		{in: "1999-13", wantErr: true},
		{in: "1999-00-10", wantErr: true},
		{in: "1999-00", wantErr: true},
		{in: "1999-05-00", wantErr: true},
		{in: "0000", wantErr: true},
		{in: "99", wantErr: true},
		{in: "1999/05", wantErr: true},
		{in: "19a9", wantErr: true},
		{in: "1999-05-1x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want an error", tt.in, d)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if d.Precision() != tt.precision {
				t.Errorf("precision = %v, want %v", d.Precision(), tt.precision)
			}
			if d.String() != tt.in {
				t.Errorf("String() = %q, want %q", d.String(), tt.in)
			}
			if d.Text() != tt.text {
				t.Errorf("Text() = %q, want %q", d.Text(), tt.text)
			}
			if tt.first != "" {
				if got := d.First().Format(time.DateOnly); got != tt.first {
					t.Errorf("First() = %s, want %s", got, tt.first)
				}
				if got := d.Last().Format(time.DateOnly); got != tt.last {
					t.Errorf("Last() = %s, want %s", got, tt.last)
				}
			} else if !d.First().IsZero() || !d.Last().IsZero() {
				t.Errorf("unknown date has bounds %v %v", d.First(), d.Last())
			}
		})
	}
}

func TestDateJSON(t *testing.T) {
	tests := []struct {
		date Date
		json string
	}{
		{Date{}, `null`},
		{Year(1991), `"1991"`},
		{YearMonth(1993, time.March), `"1993-03"`},
		{Day(2013, time.July, 1), `"2013-07-01"`},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			b, err := json.Marshal(tt.date)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.json {
				t.Errorf("marshal = %s, want %s", b, tt.json)
			}
			var back Date
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back != tt.date {
				t.Errorf("round trip = %v, want %v", back, tt.date)
			}
		})
	}
	for _, bad := range []string{`"1999-02-30"`, `1999`, `"yesterday"`} {
		var d Date
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("unmarshal %s = %v, want an error", bad, d)
		}
	}
	var d Date
	if err := json.Unmarshal([]byte(`""`), &d); err != nil || d.Known() {
		t.Errorf(`unmarshal "" = %v, %v; want unknown`, d, err)
	}
}

func TestDateOf(t *testing.T) {
	// 23:30 on 30 June in UTC-5 is already 1 July in UTC.
	t0 := time.Date(2013, time.June, 30, 23, 30, 0, 0, time.FixedZone("EST", -5*3600))
	if got := DateOf(t0); got != Day(2013, time.July, 1) {
		t.Errorf("DateOf = %v, want 2013-07-01", got)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"", "1999", "2024-02", "2024-02-29", "2023-02-29", "9999-12-31", "0001-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Errorf("ParseDate(%q).String() = %q", s, d.String())
		}
		if d.Known() && d.Last().Before(d.First()) {
			t.Errorf("%q: last %v before first %v", s, d.Last(), d.First())
		}
	})
}
