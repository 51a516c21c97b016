package api

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
)

// Defaults for Config's zero values.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultAskTimeout     = 2 * time.Minute
	DefaultMaxInFlight    = 4
	DefaultMaxQueue       = 64
	// MaxBodyBytes is the largest request body the JSON routes accept.
	MaxBodyBytes = 64 << 10
	// MaxWebhookBytes is the largest webhook body accepted: push payloads
	// list commits and files and can be far larger than a question.
	MaxWebhookBytes = 4 << 20
	// MaxQuestionRunes is the longest question accepted.
	MaxQuestionRunes = livespec.MaxQuestion
)

// Historian tells the history of sections. retrieval.Assistant implements
// it.
type Historian interface {
	// Timeline returns every version and change of the sections matching
	// q, oldest first. Errors are classified: EINVALID for a query that
	// names neither a topic nor a path, ENOTFOUND for an unknown repo,
	// EUNAVAILABLE when the store is down.
	Timeline(ctx context.Context, q livespec.TimelineQuery) (*livespec.Timeline, error)
}

// ReadyCheck is one dependency /readyz reports on.
type ReadyCheck struct {
	Name string
	// Required checks make /readyz answer 503 when they fail; the others
	// are reported only (e.g. Ollama, which the extractive generator
	// replaces when it is down).
	Required bool
	// Check returns nil when the dependency is usable; its error's message
	// is shown.
	Check func(ctx context.Context) error
}

// Config configures a Server. Asker and Store are required.
type Config struct {
	Asker livespec.Asker
	// Historian serves /v1/timeline. Nil: Asker, if it implements
	// Historian; otherwise the route answers 501.
	Historian Historian
	Store     livespec.Store
	// Ingester and Repos serve /v1/ingest, the webhooks and Poll. Nil
	// Ingester: those routes answer 501.
	Ingester Ingester
	Repos    []RepoSource
	// ParsePeriod turns "last quarter" into a window at now
	// (retrieval.ParsePeriod). Nil: ?period= answers 501.
	ParsePeriod func(text string, now time.Time) (livespec.Window, error)

	// Tokens are the accepted bearer tokens. With none, every route is
	// open and CheckBind insists on a loopback address unless
	// AllowUnauthenticated is set.
	Tokens               []string
	AllowUnauthenticated bool
	// Callers, when set, authenticates bearer tokens instead of Tokens
	// (package access): it returns the caller a token names, with the
	// repositories it may read and its rights, comparing in constant
	// time. Every request then carries its caller in its context
	// (livespec.WithCaller), for the scoped store and the audit log.
	// Without it, a request's caller may read every repository.
	Callers func(token string) (livespec.Caller, bool)

	// Logger receives one structured line per request (nil: discard).
	Logger *slog.Logger
	// Registry is served at /metrics. Nil: a new registry with the Go and
	// process collectors. Metrics, when set, must be registered with
	// Registry; nil builds them there.
	Registry *prometheus.Registry
	Metrics  *Metrics

	// Limiter bounds concurrent answers; share it with the Slack bot. Nil:
	// a Limiter of MaxInFlight slots (0: DefaultMaxInFlight) and MaxQueue
	// waiters (0: DefaultMaxQueue; negative: none).
	Limiter     *limit.Limiter
	MaxInFlight int
	MaxQueue    int
	// HeavyLimiter bounds heavy answers (timelines, change reports: see
	// livespec.Weigher) apart from Limiter. Nil: a Limiter of
	// MaxHeavyInFlight slots (0: DefaultMaxHeavyInFlight) and a queue as
	// long as Limiter's.
	HeavyLimiter     *limit.Limiter
	MaxHeavyInFlight int
	// MaxRunning bounds the answers of this server computed at once, light
	// and heavy alike, once each has its slot; a light answer is let in
	// before any waiting heavy one (0: one more than the CPUs Go runs on;
	// negative: no bound beyond the limiters').
	MaxRunning int

	// RequestTimeout bounds every request but /v1/ask (0: 30s); AskTimeout
	// bounds /v1/ask, streamed or not, including its wait in the queue
	// (0: 2m).
	RequestTimeout time.Duration
	AskTimeout     time.Duration

	Webhooks Webhooks
	// IngestDefer is how long an ingest requested while answers wait for
	// a slot may wait for them (0: DefaultIngestDefer; negative: it
	// starts at once). Requests made meanwhile join it.
	IngestDefer time.Duration

	// Push serves /v1/subscriptions and /v1/watches. Nil: they answer 501.
	Push livespec.Pusher

	// ReadyChecks are extra dependencies /readyz reports (Ollama).
	ReadyChecks []ReadyCheck

	// Now is the clock for relative periods when a request gives no "now"
	// (nil: time.Now).
	Now func() time.Time
}

// Server is the HTTP API. Build it with New, serve Handler, and call
// Shutdown when done.
type Server struct {
	cfg       Config
	engine    *gin.Engine
	log       *slog.Logger
	limiter   *limit.Limiter
	heavy     *limit.Limiter // heavy answers' slots
	metrics   *Metrics
	registry  *prometheus.Registry
	historian Historian
	auth      *tokens
	jobs      *jobs
	running   limit.Group // Askers running, abandoned ones included
	answers   *answers
	hooks     *hooks
	repos     repoCache

	mu      sync.Mutex
	mounted []mountedRoute
	pages   []mountedRoute // the web page's routes
	openapi atomic.Pointer[[]byte]
}

var releaseMode sync.Once

// New checks cfg and builds a Server with every route of routes.go.
func New(cfg Config) (*Server, error) {
	if cfg.Asker == nil || cfg.Store == nil {
		return nil, livespec.Errorf(livespec.EINVALID, "api: Config needs an Asker and a Store")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.RequestTimeout = cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout)
	cfg.AskTimeout = cmp.Or(cfg.AskTimeout, DefaultAskTimeout)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger, historian: cfg.Historian}
	if s.historian == nil {
		s.historian, _ = cfg.Asker.(Historian)
	}
	s.auth = &tokens{callers: cfg.Callers}
	for _, t := range cfg.Tokens {
		if t == "" {
			return nil, livespec.Errorf(livespec.EINVALID, "api: empty API token")
		}
		s.auth.hashes = append(s.auth.hashes, hashToken(t))
	}
	seenNames := map[string]bool{}
	for _, r := range cfg.Repos {
		if r.Name == "" || seenNames[r.Name] {
			return nil, livespec.Errorf(livespec.EINVALID, "api: repository names must be non-empty and unique (%q)", r.Name)
		}
		seenNames[r.Name] = true
	}

	s.registry = cfg.Registry
	if s.registry == nil {
		if cfg.Metrics != nil {
			return nil, livespec.Errorf(livespec.EINVALID, "api: Config.Metrics needs the Registry they are registered with")
		}
		s.registry = prometheus.NewRegistry()
		s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s.metrics = cfg.Metrics
	if s.metrics == nil {
		m, err := NewMetrics(s.registry)
		if err != nil {
			return nil, err
		}
		s.metrics = m
	}
	s.limiter = cfg.Limiter
	if s.limiter == nil {
		q := cmp.Or(cfg.MaxQueue, DefaultMaxQueue)
		s.limiter = limit.New(cmp.Or(cfg.MaxInFlight, DefaultMaxInFlight), max(q, 0))
	}
	s.metrics.watchLimiter(s.registry, s.limiter)
	_, queue := s.limiter.Capacity()
	s.heavy = heavyLimiter(cfg, queue)
	watchHeavy(s.registry, s.heavy)
	s.answers = &answers{asker: cfg.Asker, admission: limit.Admission{Light: s.limiter, Heavy: s.heavy, Gate: runningGate(cfg)},
		running: &s.running, metrics: s.metrics, log: s.log}
	s.jobs = newJobs(cfg.Ingester, s.metrics, s.log)
	s.jobs.onDone = s.repos.invalidate // a first ingest adds a repo
	s.jobs.busy = func() bool { return s.limiter.Queued() > 0 || s.heavy.Queued() > 0 }
	s.jobs.wait = cmp.Or(cfg.IngestDefer, DefaultIngestDefer)
	s.hooks = &hooks{secrets: cfg.Webhooks, ingester: cfg.Ingester, repos: cfg.Repos, store: cfg.Store,
		jobs: s.jobs, seen: newDeliveries(deliveryTTL, maxDeliveries)}

	releaseMode.Do(func() {
		// Gin's debug mode prints every route at start; keep it only
		// when asked for (GIN_MODE=debug).
		if os.Getenv(gin.EnvGinMode) == "" && gin.Mode() == gin.DebugMode {
			gin.SetMode(gin.ReleaseMode)
		}
	})
	e := gin.New()
	e.ContextWithFallback = true
	e.HandleMethodNotAllowed = true
	if err := e.SetTrustedProxies(nil); err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	e.Use(s.observe, gin.CustomRecoveryWithWriter(io.Discard, s.recovered))
	e.NoRoute(func(c *gin.Context) {
		fail(c, livespec.Errorf(livespec.ENOTFOUND, "no route %s %s; the API is described at /openapi.json", c.Request.Method, clip(c.Request.URL.Path, 200)))
	})
	e.NoMethod(func(c *gin.Context) {
		fail(c, livespec.Errorf(EMETHOD, "%s is not allowed on %s", c.Request.Method, clip(c.Request.URL.Path, 200)))
	})
	s.engine = e
	for _, r := range s.routes() {
		s.handle(r)
	}
	if err := s.renderOpenAPI(); err != nil {
		return nil, err
	}
	if !s.auth.needed() {
		s.log.Warn("api: no API tokens configured: every route is open; listen on loopback only")
	}
	return s, nil
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.engine.Handler() }

// Limiter returns the answer queue, to share with the Slack bot.
func (s *Server) Limiter() *limit.Limiter { return s.limiter }

// Metrics returns the server's metrics.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Mount adds a route served by h, for surfaces that live in the same
// server (the Slack bot's /slack/* routes). Mounted routes are logged,
// measured, recovered and time-limited like the others, listed in
// /openapi.json, and left to authenticate their own requests (Slack signs
// them), so no bearer token is asked. Call Mount before serving.
func (s *Server) Mount(method, path string, h http.Handler) error {
	if method == "" || len(path) < 2 || path[0] != '/' || h == nil {
		return livespec.Errorf(livespec.EINVALID, "api: Mount needs a method, an absolute path and a handler")
	}
	for _, r := range s.engine.Routes() {
		if r.Method == method && r.Path == path {
			return livespec.Errorf(livespec.ECONFLICT, "api: %s %s is already routed", method, path)
		}
	}
	s.mu.Lock()
	s.mounted = append(s.mounted, mountedRoute{method, path})
	s.mu.Unlock()
	s.handle(route{method: method, path: path, access: mountedAccess, bodyLimit: -1, handler: gin.WrapH(h)})
	return s.renderOpenAPI()
}

// Shutdown stops running ingest jobs after their current batch, refuses
// new answers and waits until ctx ends for the jobs and every Asker still
// running (those whose request gave up on them included), so the store can
// be closed after it returns nil. Call it after the HTTP server has
// stopped.
func (s *Server) Shutdown(ctx context.Context) error {
	jerr := s.jobs.shutdown(ctx)
	if err := s.running.Close(ctx); err != nil {
		return errors.Join(jerr, livespec.WrapError(livespec.EUNAVAILABLE, err, "api: answers still running at shutdown"))
	}
	return jerr
}

// handle registers r with its middleware.
func (s *Server) handle(r route) {
	hs := []gin.HandlerFunc{s.timeout(r.timeout(s.cfg))}
	switch r.access {
	case bearer:
		hs = append(hs, s.auth.authenticate)
	case page:
		hs = append(hs, s.auth.authenticatePage)
	}
	if r.web {
		s.mu.Lock()
		s.pages = append(s.pages, mountedRoute{r.method, r.path})
		s.mu.Unlock()
	}
	hs = append(hs, checkQuery)
	switch {
	case r.bodyLimit > 0:
		hs = append(hs, limitBody(r.bodyLimit))
	case r.bodyLimit == 0:
		hs = append(hs, limitBody(MaxBodyBytes))
	}
	s.engine.Handle(r.method, r.path, append(hs, r.handler)...)
}

func (s *Server) timeout(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			fail(c, &http.MaxBytesError{Limit: n})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

const (
	requestIDKey    = "livespec.request_id"
	requestStartKey = "livespec.request_start" // time.Time the request reached the server's handlers
)

// observe gives each request an id, then logs and measures it once it is
// done.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-Id")
	if !validRequestID(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(requestIDKey, id)
	c.Set(requestStartKey, start)
	c.Header("X-Request-Id", id)
	c.Next()

	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	latency := time.Since(start)
	s.metrics.observeRequest(route, c.Request.Method, status, latency)
	attrs := []slog.Attr{
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.String("remote", c.ClientIP()),
	}
	level := slog.LevelInfo
	if status >= 500 && status != statusCancelled {
		level = slog.LevelError
	}
	if caller, ok := livespec.CallerFrom(c.Request.Context()); ok {
		attrs = append(attrs, slog.String("caller", caller.Name), slog.Any("repos", livespec.ReadRepos(c.Request.Context())))
	}
	if errs := c.Errors; len(errs) > 0 {
		attrs = append(attrs, slog.String("error", errs.Last().Err.Error()))
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// recovered answers a panic with a plain 500 and logs its stack.
func (s *Server) recovered(c *gin.Context, rec any) {
	s.log.Error("api: panic", "request_id", c.GetString(requestIDKey), "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
	if c.Writer.Written() {
		c.Abort()
		return
	}
	fail(c, errors.New("panic"))
}

func (s *Server) metricsHandler() gin.HandlerFunc {
	return gin.WrapH(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{ErrorLog: nil}))
}

// openapiHandler serves the OpenAPI document doc holds.
func openapiHandler(doc *atomic.Pointer[[]byte]) gin.HandlerFunc {
	return func(c *gin.Context) { c.Data(http.StatusOK, "application/json", *doc.Load()) }
}

// healthz serves /healthz: the process answers.
func healthz(c *gin.Context) {
	writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}

// Readiness is the body of /readyz. Checks are listed only to callers
// with a valid token when tokens are configured.
type Readiness struct {
	Ready  bool          `json:"ready"`
	Checks []CheckResult `json:"checks,omitempty"`
}

// CheckResult is one dependency's state.
type CheckResult struct {
	Name     string `json:"name"`
	OK       bool   `json:"ok"`
	Required bool   `json:"required"`
	Detail   string `json:"detail,omitempty"`
}

// readyChecks are the checks of /readyz: the store answers, the index
// holds a repository, the last ingest of each repository did not fail
// (when this server ingests), then the configured ones.
func (s *Server) readyChecks() []ReadyCheck {
	checks := []ReadyCheck{
		{Name: "store", Required: true, Check: func(ctx context.Context) error {
			_, err := s.cfg.Store.Index(ctx)
			return err
		}},
		{Name: "index", Required: true, Check: func(ctx context.Context) error {
			names, err := s.repos.names(ctx, s.cfg.Store, true)
			if err != nil {
				return err
			}
			if len(names) == 0 {
				return livespec.Errorf(livespec.ENOTFOUND, "the index holds no repository yet: run livespec ingest")
			}
			return nil
		}},
	}
	if s.cfg.Ingester != nil && len(s.cfg.Repos) > 0 {
		checks = append(checks, ReadyCheck{Name: "ingest", Required: true, Check: func(context.Context) error {
			return s.jobs.failing()
		}})
	}
	return append(checks, s.cfg.ReadyChecks...)
}

// readyzHandler serves /readyz: ready when every required check passes.
// The checks are listed only to operators (callers that showOps accepts).
func readyzHandler(checks []ReadyCheck, log *slog.Logger, showOps func(*gin.Context) bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()
		res := Readiness{Ready: true}
		for _, ch := range checks {
			r := CheckResult{Name: ch.Name, Required: ch.Required, OK: true}
			if err := ch.Check(ctx); err != nil {
				r.OK = false
				r.Detail = checkMessage(err)
				if ch.Required {
					res.Ready = false
				}
				log.Warn("readyz: check failed", "request_id", c.GetString(requestIDKey), "check", ch.Name, "required", ch.Required, "error", err.Error())
			}
			res.Checks = append(res.Checks, r)
		}
		status := http.StatusOK
		if !res.Ready {
			status = http.StatusServiceUnavailable
		}
		if !showOps(c) {
			res.Checks = nil // the state of the dependencies is for operators
		}
		writeJSON(c, status, res)
	}
}

// checkMessage is a failed check's detail: its public message (the log
// has the whole error).
func checkMessage(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time"
	}
	_, msg := livespec.PublicError(err)
	return msg
}

// writeJSON writes v with status; it exists so every success body goes
// through one encoder.
func writeJSON(c *gin.Context, status int, v any) {
	c.Render(status, jsonRender{v})
}

type jsonRender struct{ v any }

// Render writes r.v as JSON with its Content-Length, so that net/http
// sends it in one piece, not chunked (one write to the connection fewer
// for an answer past 2 KiB, and no chunk framing for the client to read).
func (r jsonRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	b := jsonBuffers.Get().(*bytes.Buffer)
	defer putJSONBuffer(b)
	if a, ok := r.v.(jsonAppender); ok {
		b.Write(append(a.AppendJSON(b.AvailableBuffer(), false), '\n'))
	} else {
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r.v); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	_, err := w.Write(b.Bytes())
	return err
}

// jsonAppender is a value that appends its own JSON, the bytes an
// Encoder with SetEscapeHTML(escapeHTML) writes for it (an answer), with
// no reflection.
type jsonAppender interface {
	AppendJSON(b []byte, escapeHTML bool) []byte
}

// jsonBuffers are the buffers JSON bodies are encoded into.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putJSONBuffer returns b to jsonBuffers, unless it grew past what an
// answer usually needs (a rare huge body is not kept).
func putJSONBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	jsonBuffers.Put(b)
}

func (r jsonRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
}
