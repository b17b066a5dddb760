package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"liaison/internal/agreement"
	"liaison/internal/audit"
	"liaison/internal/federation/envelope"
	"liaison/internal/intel"
	"liaison/internal/procstat"
	"liaison/internal/store"
	"liaison/internal/store/storetest"
	"liaison/internal/synth"
)

// The federation benchmarks run two whole nodes, Hong Kong and Japan, in
// this process on loopback with their own SQLite databases and keys: every
// envelope is signed by HK, sent over HTTP, verified, re-checked and stored
// durably by JP, whose signed answer HK verifies and records.

// benchNode initialises and starts a node in dir listening on listen.
func benchNode(tb testing.TB, dir, code, listen string) *Node {
	tb.Helper()
	return benchNodeWith(tb, dir, code, listen, nil)
}

// benchNodeWith is benchNode with the configuration changed by with.
func benchNodeWith(tb testing.TB, dir, code, listen string, with func(*Config)) *Node {
	tb.Helper()
	ctx := context.Background()
	c := Config{DataDir: dir, Listen: listen, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		DeliveryPoll: 50 * time.Millisecond}
	if with != nil {
		with(&c)
	}
	if _, err := os.Stat(dir + "/liaison.db"); err != nil {
		if _, err := Init(ctx, c, code); err != nil {
			tb.Fatalf("init %s: %v", code, err)
		}
	}
	n, err := Open(ctx, c)
	if err != nil {
		tb.Fatalf("open %s: %v", code, err)
	}
	if err := n.Start(); err != nil {
		tb.Fatalf("start %s: %v", code, err)
	}
	return n
}

func closeNode(tb testing.TB, n *Node) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		tb.Errorf("close %s: %v", n.Code, err)
	}
}

// pinEachOther pins a on b and b on a by their published fingerprints.
func pinEachOther(tb testing.TB, a, b *Node) {
	tb.Helper()
	ctx := context.Background()
	for _, p := range [][2]*Node{{a, b}, {b, a}} {
		info, err := p[1].Federation.Info(ctx, p[1].URL())
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := p[0].Federation.PinPeer(ctx, "admin", p[1].URL(), info.Fingerprint, nil); err != nil {
			tb.Fatalf("pin %s on %s: %v", p[1].Code, p[0].Code, err)
		}
	}
}

// The corpora the federation benchmarks send. Synthetic records are the
// generator's realistic mix (seizures, warnings and alerts of many parties,
// routes and goods; people and companies recurring under variant spellings),
// as the other benchmarks use. Identical records are one seizure stored n
// times under n ids: the worst case for the receiver's cross-matching, since
// every record shares its person, passport, vessel, container and company
// with every other.
const (
	corpusSynthetic = "synthetic"
	corpusIdentical = "identical"
)

// benchCorpora are the corpora a benchmark runs on: both, unless
// LIAISON_BENCH_CORPUS names one.
func benchCorpora() []string {
	switch c := os.Getenv("LIAISON_BENCH_CORPUS"); c {
	case corpusSynthetic, corpusIdentical:
		return []string{c}
	}
	return []string{corpusSynthetic, corpusIdentical}
}

// benchRecords stores n records of the corpus on hk, each distributed
// bilaterally to JP, and returns one record.create delivery to JP per
// record, each with the decision that allows it.
func benchRecords(tb testing.TB, hk *Node, n int, corpus string) []store.Delivery {
	tb.Helper()
	ctx := context.Background()
	rs := make([]*intel.Record, 0, n)
	switch corpus {
	case corpusIdentical:
		for range n {
			rs = append(rs, storetest.NewRecord(tb))
		}
	default:
		now := time.Now().UTC().Truncate(time.Millisecond)
		for _, r := range synth.New(7, "HK").Records(n, now) {
			r.ID, r.Originator, r.Version, r.Status = ulid.Make().String(), "HK", 1, intel.StatusActive
			r.Created, r.Updated = &now, &now
			r.Distribution = intel.Distribution{Scope: intel.ScopeBilateral, Recipients: []string{"JP"}}
			rs = append(rs, r)
		}
	}
	as, err := hk.Store.Agreements(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	decisions := make([][]byte, len(rs))
	for i, r := range rs {
		d := agreement.Decide(agreement.Input{Record: r, Sender: "HK", Recipient: "JP", On: time.Now(),
			Agreements: as, Directory: hk.Directory})
		if !d.Allowed {
			tb.Fatalf("HK may not share benchmark record %d (%s, handling %s) with JP: %+v", i, r.Kind, r.Handling.Code, d.Reasons)
		}
		if decisions[i], err = json.Marshal(d); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 0; i < n; i += 1000 {
		chunk := rs[i:min(i+1000, n)]
		evs := make([]audit.Event, len(chunk))
		for j, r := range chunk {
			evs[j] = storetest.CreateEvent(r)
		}
		if err := hk.Store.CreateRecords(ctx, chunk, evs); err != nil {
			tb.Fatal(err)
		}
	}
	ds := make([]store.Delivery, 0, n)
	for i, r := range rs {
		id, err := envelope.NewID(time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		ds = append(ds, store.Delivery{EnvelopeID: id, Peer: "JP", Type: string(envelope.TypeRecordCreate),
			RecordID: r.ID, Version: 1, Decision: decisions[i]})
	}
	return ds
}

// enqueue writes ds to hk's outbox in transactions of 1,000 rows and
// returns the id of the last row written.
func enqueue(tb testing.TB, hk *Node, ds []store.Delivery) (last int64) {
	tb.Helper()
	for i := 0; i < len(ds); i += 1000 {
		out, err := hk.Federation.Enqueue(context.Background(), ds[i:min(i+1000, len(ds))], nil)
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range out {
			last = max(last, d.ID)
		}
	}
	return last
}

// waitMatched waits until n's cross-matching has matched what n holds:
// on HK, the records benchRecords stored (matching them is part of storing
// them, which the benchmarks do not time, and it would otherwise hold HK's
// writer while deliveries are claimed and finished); on JP, what it
// received.
func waitMatched(tb testing.TB, n *Node) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := n.Matching.Idle(ctx); err != nil {
		tb.Fatalf("%s's matching did not catch up: %v", n.Code, err)
	}
}

// waitDelivered waits until hk has nothing queued for JP and checks that
// JP holds exactly n records and n inbox rows. When last, the outbox row
// enqueued last, is known (not 0), it is watched until it is no longer
// queued before what is queued is counted: HK claims rows in id order,
// and reading one row costs the nodes nothing, where counting reads the
// whole backlog.
func waitDelivered(tb testing.TB, hk, jp *Node, n int, last int64, limit time.Duration) {
	tb.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(limit)
	for last > 0 {
		d, err := hk.Store.Delivery(ctx, last)
		if err != nil {
			tb.Fatal(err)
		}
		if d.State != store.DeliveryQueued && d.State != store.DeliveryFailed {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("delivery %d still %s after %s (last error %q)", last, d.State, limit, d.LastError)
		}
		time.Sleep(waitPoll)
	}
	for {
		p, err := hk.Store.Peer(ctx, "JP")
		if err != nil {
			tb.Fatal(err)
		}
		if p.Queued == 0 {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d deliveries still queued after %s (last error %q)", p.Queued, limit, p.LastError)
		}
		// Counting what is queued reads the whole backlog: polled more
		// often, the count takes CPU from the nodes it measures.
		time.Sleep(waitPoll)
	}
	if got, err := jp.Store.CountRecords(ctx); err != nil || got != int64(n) {
		tb.Fatalf("JP holds %d records (%v), want %d", got, err, n)
	}
}

// waitPoll is how often the benchmarks look at HK's queue: a tenth of a
// second at most is added to a figure of many seconds.
const waitPoll = 100 * time.Millisecond

// written is what the process has handed the kernel to write so far.
func written(tb testing.TB) int64 {
	n, err := procstat.Written()
	if err != nil {
		tb.Skip(err)
	}
	return n
}

// allocated is the bytes the process has allocated on its heap so far.
func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// profileTimed writes a CPU profile of the timed span, and of JP's
// matching after it, to the file LIAISON_BENCH_CPUPROFILE names (the test
// binary's own -cpuprofile also covers setting up both nodes).
func profileTimed(tb testing.TB) (stop func()) {
	return procstat.Record(tb, "LIAISON_BENCH_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// traceTimed writes an execution trace of the timed span to the file
// LIAISON_BENCH_TRACE names: where the processors wait, which a CPU
// profile does not show.
func traceTimed(tb testing.TB) (stop func()) {
	return procstat.Record(tb, "LIAISON_BENCH_TRACE", trace.Start, trace.Stop)
}

func benchSize(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkFederationThroughput measures envelopes per second from HK to
// JP, from the moment LIAISON_BENCH_ENVELOPES (default 20,000) deliveries
// are enqueued to the moment the last is recorded delivered. Storing the
// records on HK is not timed.
func BenchmarkFederationThroughput(b *testing.B) {
	n := benchSize("LIAISON_BENCH_ENVELOPES", 20000)
	for _, corpus := range benchCorpora() {
		b.Run(corpus, func(b *testing.B) { benchThroughput(b, n, corpus) })
	}
}

func benchThroughput(b *testing.B, n int, corpus string) {
	for b.Loop() {
		b.StopTimer()
		hk := benchNode(b, b.TempDir(), "HK", "127.0.0.1:0")
		jp := benchNode(b, b.TempDir(), "JP", "127.0.0.1:0")
		pinEachOther(b, hk, jp)
		ds := benchRecords(b, hk, n, corpus)
		waitMatched(b, hk)
		b.StartTimer()
		stopProfile, stopTrace := profileTimed(b), traceTimed(b)
		start, use0 := time.Now(), procstat.Now()
		alloc0, w0 := allocated(), written(b)
		last := enqueue(b, hk, ds)
		waitDelivered(b, hk, jp, n, last, 30*time.Minute)
		el, use := time.Since(start), procstat.Now()
		stopTrace()
		cpu := use.CPU - use0.CPU
		alloc, wrote := allocated()-alloc0, written(b)-w0
		b.StopTimer()
		b.ReportMetric(float64(n)/el.Seconds(), "envelopes/s")
		// The process's CPU time over the same span, both nodes'
		// (JP's cross-matching of what it received included as far as it
		// got): steadier than the rate on a shared machine.
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/envelope")
		// Of which in the kernel, and the page faults taken.
		b.ReportMetric(float64((use.System-use0.System).Microseconds())/float64(n), "sys-µs/envelope")
		b.ReportMetric(float64(use.Faults-use0.Faults)/float64(n), "faults/envelope")
		// And the memory allocated, which the host's speed does not move.
		b.ReportMetric(float64(alloc)/1024/float64(n), "alloc-KiB/envelope")
		// And what both nodes handed the kernel to write: their
		// databases' WAL and checkpoints, the requests and answers.
		b.ReportMetric(float64(wrote)/1024/float64(n), "written-KiB/envelope")
		// And once JP has matched all it received: the whole work of an
		// envelope, however far behind the matching was when the last
		// delivery was recorded.
		waitMatched(b, jp)
		b.ReportMetric(float64((procstat.CPUTime()-use0.CPU).Microseconds())/float64(n), "matched-cpu-µs/envelope")
		stopProfile()
		closeNode(b, hk)
		closeNode(b, jp)
		b.StartTimer()
	}
}

// BenchmarkFederationBacklog builds a backlog of LIAISON_BENCH_BACKLOG
// envelopes (default 100,000) on HK while JP is down, until HK has found
// JP unreachable with all of them queued (reported as build-s, from the
// first enqueue), then restarts JP on the same address and measures how
// long the backlog takes to drain (drain-s). It is long: it runs only when
// LIAISON_BENCH_BACKLOG is set.
func BenchmarkFederationBacklog(b *testing.B) {
	if os.Getenv("LIAISON_BENCH_BACKLOG") == "" {
		b.Skip("set LIAISON_BENCH_BACKLOG (e.g. 100000) to run the backlog benchmark")
	}
	n := benchSize("LIAISON_BENCH_BACKLOG", 100000)
	for _, corpus := range benchCorpora() {
		b.Run(corpus, func(b *testing.B) { benchBacklog(b, n, corpus) })
	}
}

func benchBacklog(b *testing.B, n int, corpus string) {
	for b.Loop() {
		b.StopTimer()
		jpDir := b.TempDir()
		hk := benchNode(b, b.TempDir(), "HK", "127.0.0.1:0")
		jp := benchNode(b, jpDir, "JP", "127.0.0.1:0")
		pinEachOther(b, hk, jp)
		addr := jp.URL()[len("http://"):]
		closeNode(b, jp)
		ds := benchRecords(b, hk, n, corpus)
		built := time.Now()
		last := enqueue(b, hk, ds)
		waitBacklog(b, hk, n)
		b.ReportMetric(time.Since(built).Seconds(), "build-s")
		waitMatched(b, hk)
		b.StartTimer()
		start := time.Now()
		jp = benchNode(b, jpDir, "JP", addr)
		waitDelivered(b, hk, jp, n, last, 30*time.Minute)
		el := time.Since(start)
		b.StopTimer()
		b.ReportMetric(el.Seconds(), "drain-s")
		b.ReportMetric(float64(n)/el.Seconds(), "envelopes/s")
		closeNode(b, hk)
		closeNode(b, jp)
		b.StartTimer()
	}
}

// waitBacklog waits until hk has all n deliveries queued for JP and has
// found JP unreachable, so that the backlog is one HK is backing off.
func waitBacklog(tb testing.TB, hk *Node, n int) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		p, err := hk.Store.Peer(context.Background(), "JP")
		if err != nil {
			tb.Fatal(err)
		}
		if p.Queued == n && p.State == store.PeerUnreachable {
			return
		}
		time.Sleep(waitPoll)
	}
	tb.Fatalf("the backlog was not built within 30 minutes")
}
