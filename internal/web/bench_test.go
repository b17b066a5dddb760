package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"liaison/internal/access"
	"liaison/internal/audit"
	"liaison/internal/intel"
	"liaison/internal/records"
	"liaison/internal/sharing"
	"liaison/internal/store"
	"liaison/internal/store/sqlite"
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
// See MustBenchNode for keeping the database between runs.
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

// MustBenchNode starts node HK for a benchmark holding n records and
// returns it with their ids. With LIAISON_BENCH_DIR set, the database in
// that directory is kept between runs: it is filled up to n records the
// first time (the ids are listed in ids.txt beside it) and reused as it is
// afterwards, so that a run at 1,000,000 records does not build them again.
func MustBenchNode(tb testing.TB, cfg web.Config, n int) (*node, []string) {
	tb.Helper()
	dir := os.Getenv("LIAISON_BENCH_DIR")
	if dir == "" {
		nd := MustNodeWith(tb, cfg)
		return nd, MustRecords(tb, nd, n)
	}
	ctx := context.Background()
	db, err := sqlite.OpenWith(ctx, dir, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	if _, err := db.Node(ctx); err != nil {
		if err := db.InitNode(ctx, store.Node{Code: "HK"}, audit.Event{Actor: "system", Action: audit.ActionNodeInit, Target: "HK"}); err != nil {
			tb.Fatalf("init node: %v", err)
		}
	}
	d := MustDirectory(tb)
	nd := &node{store: db, tokens: map[string]string{}, logs: &syncBuffer{}}
	nd.records = records.New(records.Config{Node: "HK", Store: db, Codes: d})
	nd.sharing = &sharing.Service{Store: db, Directory: d, Node: "HK"}
	cfg.Node, cfg.Store, cfg.Records, cfg.Directory, cfg.Sharing = "HK", db, nd.records, d, nd.sharing
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	nd.server = web.New(cfg)
	srv := httptest.NewServer(nd.server)
	tb.Cleanup(func() {
		srv.Close()
		db.Close()
	})
	nd.url = srv.URL
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	for _, role := range access.Roles() {
		nd.tokens[role] = MustUser(tb, db, role+"-"+suffix, role)
	}

	idsPath := filepath.Join(dir, "ids.txt")
	var ids []string
	if b, err := os.ReadFile(idsPath); err == nil {
		ids = strings.Fields(string(b))
	}
	if len(ids) < n {
		ids = append(ids, MustRecords(tb, nd, n-len(ids))...)
		if err := os.WriteFile(idsPath, []byte(strings.Join(ids, "\n")), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return nd, ids[:n]
}

// BenchmarkGetRecordHTTP measures GET /api/v1/records/{id} over a real
// loopback HTTP server on a database of benchRecords records, including
// authentication, the audited read and JSON encoding. It reports the median
// and 99th percentile latency of single requests to random records.
func BenchmarkGetRecordHTTP(b *testing.B) {
	nd, ids := MustBenchNode(b, web.Config{Logger: slog.New(slog.DiscardHandler)}, benchRecords(b))
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
