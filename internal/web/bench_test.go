package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"liaison/internal/intel"
	"liaison/internal/store"
	"liaison/internal/web"
)

// MustRecords stores n variants of the canonical seizure through the record
// service, in batches of 1,000, and returns their ids.
func MustRecords(tb testing.TB, nd *node, n int) []string {
	tb.Helper()
	var base intel.Record
	if err := json.Unmarshal(canonical(tb), &base); err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for start := 0; start < n; start += 1000 {
		batch := make([]*intel.Record, 0, 1000)
		for i := start; i < n && i < start+1000; i++ {
			r := base
			s := *base.Seizure
			s.Narrative = fmt.Sprintf("Declared as frozen fish; shipment %d.", i)
			r.Seizure = &s
			batch = append(batch, &r)
		}
		stored, err := nd.records.CreateBatch(context.Background(), "bench", batch)
		if err != nil {
			tb.Fatalf("store records: %v", err)
		}
		for _, r := range stored {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// benchRecords is how many records BenchmarkGetRecordHTTP stores: 10,000 by
// default, LIAISON_BENCH_RECORDS when set (`make bench` sets 1,000,000).
func benchRecords(tb testing.TB) int {
	v := os.Getenv("LIAISON_BENCH_RECORDS")
	if v == "" {
		return 10000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		tb.Fatalf("LIAISON_BENCH_RECORDS=%q: want a positive number", v)
	}
	return n
}

// BenchmarkGetRecordHTTP measures GET /api/v1/records/{id} over a real
// loopback HTTP server on a database of benchRecords records, including
// authentication, the audited read and JSON encoding. It reports the median
// and 99th percentile latency of single requests to random records.
func BenchmarkGetRecordHTTP(b *testing.B) {
	nd := MustNodeWith(b, web.Config{Logger: slog.New(slog.DiscardHandler)})
	ids := MustRecords(b, nd, benchRecords(b))
	b.ReportMetric(float64(len(ids)), "records")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	auth := "Bearer " + nd.tokens[store.RoleAnalyst]
	get := func(id string) time.Duration {
		req, err := http.NewRequest("GET", nd.url+"/api/v1/records/"+id, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d %v", id, resp.StatusCode, err)
		}
		return d
	}
	get(ids[0]) // warm the connection and the token cache

	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		lat = append(lat, get(ids[(i*7919)%len(ids)]))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds())
	}
	b.ReportMetric(pct(0.50), "p50-us")
	b.ReportMetric(pct(0.99), "p99-us")
}
