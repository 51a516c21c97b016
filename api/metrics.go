package api

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
)

// Metrics are the Prometheus series the API exports. Build them with
// NewMetrics before the Assistant when you want generator and embedder
// errors counted (wrap them with Generator and Embedder), and pass them in
// Config.Metrics with the same Config.Registry.
type Metrics struct {
	requests        *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	answers         *prometheus.HistogramVec
	generatorErrors prometheus.Counter
	embedderErrors  prometheus.Counter
	ingestDone      *prometheus.GaugeVec
	ingestTotal     *prometheus.GaugeVec
	ingestRunning   *prometheus.GaugeVec
	ingestRuns      *prometheus.CounterVec
	denials         *prometheus.CounterVec
}

// NewMetrics registers the API's series with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "livespec_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "livespec_http_request_duration_seconds", Help: "HTTP request latency by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"route", "method", "status"}),
		answers: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "livespec_answer_duration_seconds", Help: "Time to answer a question, by intent.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"intent"}),
		generatorErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "livespec_generator_errors_total", Help: "Generator calls that failed (cancellations excluded).",
		}),
		embedderErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "livespec_embedder_errors_total", Help: "Embedder calls that failed (cancellations excluded).",
		}),
		ingestDone: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "livespec_ingest_progress_done", Help: "Units (commits) the running ingest of a repo has done.",
		}, []string{"repo"}),
		ingestTotal: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "livespec_ingest_progress_total", Help: "Units (commits) the running ingest of a repo has to do.",
		}, []string{"repo"}),
		ingestRunning: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "livespec_ingest_running", Help: "1 while an ingest of the repo runs.",
		}, []string{"repo"}),
		ingestRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "livespec_ingest_runs_total", Help: "Finished ingest runs by repo and result (succeeded, failed, canceled).",
		}, []string{"repo", "result"}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "livespec_access_denials_total", Help: "Requests refused by the access rules, by surface (api, web, slack) and reason (repo, ingest, scope).",
		}, []string{"surface", "reason"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.answers, m.generatorErrors, m.embedderErrors,
		m.ingestDone, m.ingestTotal, m.ingestRunning, m.ingestRuns, m.denials} {
		if err := reg.Register(c); err != nil {
			return nil, livespec.WrapError(livespec.EINVALID, err, "api: registering metrics")
		}
	}
	return m, nil
}

// watchLimiter exports the answer queue's occupancy. A second server on the
// same registry keeps the first one's gauges.
func (m *Metrics) watchLimiter(reg prometheus.Registerer, l *limit.Limiter) {
	_ = reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "livespec_answers_in_flight", Help: "Answers being generated now.",
	}, func() float64 { return float64(l.InFlight()) }))
	_ = reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "livespec_answers_queued", Help: "Questions waiting for a generation slot.",
	}, func() float64 { return float64(l.Queued()) }))
}

func (m *Metrics) observeRequest(route, method string, status int, d time.Duration) {
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, s).Inc()
	m.latency.WithLabelValues(route, method, s).Observe(d.Seconds())
}

// ObserveAnswer records how long an answer of intent took. The API calls
// it for /v1/ask; the Slack bot may call it for its answers.
func (m *Metrics) ObserveAnswer(intent livespec.Intent, d time.Duration) {
	m.answers.WithLabelValues(string(cmp.Or(intent, "unknown"))).Observe(d.Seconds())
}

// Generator returns g counting its failures in
// livespec_generator_errors_total; nil stays nil (the Assistant's default).
func (m *Metrics) Generator(g livespec.Generator) livespec.Generator {
	if g == nil {
		return nil
	}
	return countingGenerator{g, m.generatorErrors}
}

// Embedder returns e counting its failures in livespec_embedder_errors_total;
// nil stays nil (BM25 only).
func (m *Metrics) Embedder(e livespec.Embedder) livespec.Embedder {
	if e == nil {
		return nil
	}
	return countingEmbedder{e, m.embedderErrors}
}

func countFailure(c prometheus.Counter, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		c.Inc()
	}
}

type countingGenerator struct {
	livespec.Generator
	errs prometheus.Counter
}

func (g countingGenerator) Generate(ctx context.Context, ev *livespec.Evidence, onToken func(string) error) (string, error) {
	s, err := g.Generator.Generate(ctx, ev, onToken)
	countFailure(g.errs, err)
	return s, err
}

type countingEmbedder struct {
	livespec.Embedder
	errs prometheus.Counter
}

func (e countingEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	v, err := e.Embedder.EmbedDocuments(ctx, texts)
	countFailure(e.errs, err)
	return v, err
}

func (e countingEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	v, err := e.Embedder.EmbedQuery(ctx, text)
	countFailure(e.errs, err)
	return v, err
}

// Denied counts one request the access rules refused: surface is api,
// web or slack; reason is repo (a repository outside the caller's scope),
// ingest (no right to start ingests) or scope (a caller that may read no
// repository at all).
func (m *Metrics) Denied(surface, reason string) {
	m.denials.WithLabelValues(surface, reason).Inc()
}
