package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"fieldops/internal/db"
)

// metrics are what /metrics reports: requests by route pattern (chi's, never the raw path — a token never becomes a
// label) and status class, their latency, the database pool, the queues, and Go's runtime.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(database *db.DB) *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fieldops_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status class."}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fieldops_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and method (chat streams, which stay open, left out).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"route", "method"})
	m.registry.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		poolCollector{database}, queueCollector{database})
	return m
}

// routeOf is the route pattern that answered r ("/jobs/{id}"), or "unmatched".
func routeOf(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
		return rc.RoutePattern()
	}
	return "unmatched"
}

// observe records one answered request.
func (m *metrics) observe(r *http.Request, status int, took time.Duration) {
	route := routeOf(r)
	if status == 0 {
		status = http.StatusOK
	}
	m.requests.WithLabelValues(route, r.Method, strconv.Itoa(status/100)+"xx").Inc()
	if route != "/chat/stream" {
		m.latency.WithLabelValues(route, r.Method).Observe(took.Seconds())
	}
}

// Metrics is the /metrics handler, in the Prometheus text format: for its own listener (METRICS_ADDR), never the
// public port.
func (s *Server) Metrics() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

var (
	poolConns = prometheus.NewDesc("fieldops_db_pool_connections", "Database pool connections, by state.", []string{"state"}, nil)
	poolMax   = prometheus.NewDesc("fieldops_db_pool_max_connections", "The database pool's size.", nil, nil)
	poolWaits = prometheus.NewDesc("fieldops_db_pool_waits_total", "Acquires that had to wait for a connection.", nil, nil)
	poolWait  = prometheus.NewDesc("fieldops_db_pool_wait_seconds_total", "Time spent waiting for a connection.", nil, nil)
)

// poolCollector reports the database pool as it is at the scrape.
type poolCollector struct{ db *db.DB }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConns, poolMax, poolWaits, poolWait} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.db.Pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(st.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(st.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(st.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(st.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(st.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, st.AcquireDuration().Seconds())
}

var (
	queueSize     = prometheus.NewDesc("fieldops_queue_items", "Emails, texts and reminders waiting or failed, by queue and status (sent ones are not counted).", []string{"queue", "status"}, nil)
	queueOldest   = prometheus.NewDesc("fieldops_queue_oldest_seconds", "Age of the oldest item in each queue and status.", []string{"queue", "status"}, nil)
	queueAttempts = prometheus.NewDesc("fieldops_queue_attempts", "Send attempts spent on the items still in each queue and status (retries piling up).", []string{"queue", "status"}, nil)
	queueUp       = prometheus.NewDesc("fieldops_queue_stats_up", "1 when the queues could be counted at this scrape.", nil, nil)
)

// queueCollector counts the outbox, the SMS outbox and the reminders due at each scrape (ops_queue_stats).
type queueCollector struct{ db *db.DB }

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queueSize, queueOldest, queueAttempts, queueUp} {
		ch <- d
	}
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	rows, _ := c.db.Pool.Query(ctx, `select queue, status, n, oldest_seconds, attempts from ops_queue_stats()`)
	type stat struct {
		Queue, Status string
		N             int64
		OldestSeconds float64
		Attempts      int64
	}
	stats, err := pgx.CollectRows(rows, pgx.RowToStructByName[stat])
	up := 1.0
	if err != nil {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, up)
	for _, s := range stats {
		ch <- prometheus.MustNewConstMetric(queueSize, prometheus.GaugeValue, float64(s.N), s.Queue, s.Status)
		ch <- prometheus.MustNewConstMetric(queueOldest, prometheus.GaugeValue, s.OldestSeconds, s.Queue, s.Status)
		ch <- prometheus.MustNewConstMetric(queueAttempts, prometheus.GaugeValue, float64(s.Attempts), s.Queue, s.Status)
	}
}
