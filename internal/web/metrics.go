package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"liaison/internal/match"
)

// metrics holds a Server's own Prometheus registry. Labels are route
// patterns ("GET /api/v1/records/{id}") and statuses, never raw paths, so
// they carry no identifiers and their number stays bounded.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liaison_http_requests_total",
			Help: "HTTP requests served, by route pattern and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "liaison_http_request_duration_seconds",
			Help:    "HTTP request latency, by route pattern and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "status"}),
	}
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return m
}

// watchMatching adds the state of the match index: whether it is built,
// how many records its build has read, and the memory it holds outside
// the Go heap.
func (m *metrics) watchMatching(st func() (ready bool, read int64)) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "liaison_match_index_ready",
		Help: "1 once the match index is built from the store, 0 while it is being built.",
	}, func() float64 {
		if ready, _ := st(); ready {
			return 1
		}
		return 0
	}), prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "liaison_match_index_build_records_read",
		Help: "Records read by the last or current build of the match index.",
	}, func() float64 {
		_, read := st()
		return float64(read)
	}), prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "liaison_match_index_offheap_bytes",
		Help: "Memory the match index has mapped outside the Go heap for its large tables (resident once written): not in the go_memstats heap figures nor under GOMEMLIMIT.",
	}, func() float64 {
		return float64(match.OffHeapBytes())
	}))
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, code).Inc()
	m.latency.WithLabelValues(route, code).Observe(d.Seconds())
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}
