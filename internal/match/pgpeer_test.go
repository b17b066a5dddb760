package match

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchTrigramPeer is the peer of issue 5: the corpus's named entities in
// a PostgreSQL table with a GIN trigram index (pg_trgm, gin_trgm_ops), and
// the same queries as top-10 by trigram similarity among names similar
// above pg_trgm's default threshold (0.3):
//
//	SELECT record, path FROM names WHERE name % $1
//	ORDER BY similarity(name, $1) DESC LIMIT 10
//
// It reports latency, top-5 and top-10 recall as BenchmarkFuzzy/latency
// does (names alone: the table has no birth dates), and the time to load
// and index the names. It is skipped when LIAISON_TEST_POSTGRES is unset.
// The table lives in a schema of its own, dropped at the end.
func benchTrigramPeer(b *testing.B, c *benchCorpus) {
	dsn := os.Getenv("LIAISON_TEST_POSTGRES")
	if dsn == "" {
		b.Skip("LIAISON_TEST_POSTGRES is not set: the pg_trgm peer is not measured")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("match_peer_%d", os.Getpid())
	table := schema + ".names"
	mustExec := func(sql string) {
		b.Helper()
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	mustExec("CREATE EXTENSION IF NOT EXISTS pg_trgm")
	mustExec("CREATE SCHEMA " + schema)
	defer func() {
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			b.Errorf("drop schema: %v", err)
		}
	}()
	mustExec("CREATE TABLE " + table + " (record text NOT NULL, path text NOT NULL, name text NOT NULL)")
	t0 := time.Now()
	rows := c.rows
	n, err := conn.CopyFrom(ctx, pgx.Identifier{schema, "names"}, []string{"record", "path", "name"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			return []any{rows[i].record, rows[i].path, rows[i].name}, nil
		}))
	if err != nil || int(n) != len(rows) {
		b.Fatalf("copy: %d of %d rows: %v", n, len(rows), err)
	}
	load := time.Since(t0)
	t0 = time.Now()
	mustExec("CREATE INDEX ON " + table + " USING gin (name gin_trgm_ops)")
	mustExec("ANALYZE " + table)
	build := time.Since(t0)
	query := "SELECT record, path FROM " + table + " WHERE name % $1 ORDER BY similarity(name, $1) DESC LIMIT 10"

	durs := make([]time.Duration, 0, b.N)
	var top5, top10 int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := c.queries[i%len(c.queries)]
		t0 := time.Now()
		rs, err := conn.Query(ctx, query, q.e.Name)
		if err != nil {
			b.Fatalf("query: %v", err)
		}
		rank := 10
		k := 0
		for rs.Next() {
			var rec, path string
			if err := rs.Scan(&rec, &path); err != nil {
				b.Fatalf("scan: %v", err)
			}
			if rank == 10 && c.labels[rec+" "+path] == q.identity {
				rank = k
			}
			k++
		}
		if err := rs.Err(); err != nil {
			b.Fatalf("query: %v", err)
		}
		durs = append(durs, time.Since(t0))
		if i < len(c.queries) {
			switch {
			case rank < 5:
				top5++
			case rank < 10:
				top10++
			}
		}
	}
	b.StopTimer()
	m := min(b.N, len(c.queries))
	b.ReportMetric(percentile(durs, 0.5), "p50-ms")
	b.ReportMetric(percentile(durs, 0.99), "p99-ms")
	b.ReportMetric(float64(top5)/float64(m), "top5-recall")
	b.ReportMetric(float64(top5+top10)/float64(m), "top10-recall")
	b.ReportMetric(load.Seconds(), "load-s")
	b.ReportMetric(build.Seconds(), "index-s")
	b.ReportMetric(float64(len(rows)), "names")
}
