package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
)

// Ingester brings the index of one configured repository up to date with
// its branch. cmd/livespec adapts the ingest package to it.
type Ingester interface {
	// Ingest runs one incremental ingest of repo (a RepoSource name). It
	// calls progress (which may be nil) with the work done and the total
	// as it goes, and returns a JSON-encodable summary. When ctx ends it
	// stops after the batch in progress, leaves the index consistent and
	// returns ctx's error. The API never runs two ingests of one repo at
	// once.
	Ingest(ctx context.Context, repo string, progress func(done, total int)) (summary any, err error)
}

// IngestFunc adapts a function to Ingester.
type IngestFunc func(ctx context.Context, repo string, progress func(done, total int)) (summary any, err error)

// Ingest calls f.
func (f IngestFunc) Ingest(ctx context.Context, repo string, progress func(done, total int)) (any, error) {
	return f(ctx, repo, progress)
}

// RepoSource is a repository the server can ingest.
type RepoSource struct {
	Name string // the repo name in the index
	// URLs are its remote addresses (https, ssh or scp-like); a webhook
	// push from any of them, or naming Name as its full name, ingests it.
	URLs []string
	// Branch, when set, limits webhook-triggered ingests to pushes to it.
	Branch string
}

// Job states.
const (
	JobQueued    = "queued" // waiting for the repo's running ingest to end
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobCanceled  = "canceled"
)

// Job is one ingest run as GET /v1/ingest/{id} reports it.
type Job struct {
	ID       string        `json:"id"`
	Repo     string        `json:"repo"`
	Trigger  string        `json:"trigger"` // api, github, gitlab, poll
	State    string        `json:"state"`
	Done     int           `json:"done"`
	Total    int           `json:"total"`
	Created  livespec.Time `json:"created"`
	Started  livespec.Time `json:"started"`
	Finished livespec.Time `json:"finished"`
	Summary  any           `json:"summary,omitempty"`
	Error    *ErrorDetail  `json:"error,omitempty"`
}

// IngestBody is the body of POST /v1/ingest.
type IngestBody struct {
	Repo string `json:"repo"` // may be empty when one repository is configured
}

const maxFinishedJobs = 200

// DefaultIngestDefer is how long an ingest waits for queued answers when
// Config.IngestDefer is zero.
const DefaultIngestDefer = 10 * time.Second

// deferPoll is how often a deferred ingest looks whether answers still
// wait.
const deferPoll = 20 * time.Millisecond

// jobs runs ingest jobs: at most one per repo at a time, and at most one
// more queued behind it, which every further request joins (a push during
// a run is never lost, and a burst of pushes costs one extra run). A job
// requested while answers wait for a slot (busy) stays queued until none
// waits, but no longer than wait after it was requested: the pushes of
// that time join it, so a busy server writes its index once for them, and
// the answers waiting are not slowed by the write.
type jobs struct {
	ing     Ingester
	metrics *Metrics
	log     *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	runs    limit.Group
	onDone  func()
	busy    func() bool // answers wait for a slot; nil: never
	wait    time.Duration

	mu       sync.Mutex
	byID     map[string]*Job
	finished []string // ids, oldest first
	repos    map[string]*repoRuns
	closed   bool
}

// repoRuns are a repo's running and queued jobs, and its last finished
// one (succeeded or failed; a canceled run says nothing of its health).
type repoRuns struct{ running, queued, last *Job }

func newJobs(ing Ingester, m *Metrics, log *slog.Logger) *jobs {
	ctx, cancel := context.WithCancel(context.Background())
	return &jobs{ing: ing, metrics: m, log: log, ctx: ctx, cancel: cancel,
		byID: map[string]*Job{}, repos: map[string]*repoRuns{}}
}

// start runs an ingest of repo now, or queues one behind the running one,
// or joins the queued one. It returns a snapshot of the job.
func (j *jobs) start(repo, trigger string) (Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return Job{}, livespec.Errorf(livespec.EUNAVAILABLE, "the server is shutting down")
	}
	rr := j.repos[repo]
	if rr == nil {
		rr = &repoRuns{}
		j.repos[repo] = rr
	}
	if rr.queued != nil {
		return *rr.queued, nil
	}
	job := &Job{ID: uuid.NewString(), Repo: repo, Trigger: trigger, State: JobQueued, Created: livespec.Time{Time: time.Now().UTC()}}
	j.byID[job.ID] = job
	if rr.running != nil {
		rr.queued = job
		return *job, nil
	}
	if j.deferring() {
		rr.queued = job // run promotes it once answers stop waiting
	} else {
		j.promote(rr, job)
	}
	j.runs.Go(func() { j.run(job) }) // refused only after shutdown, checked above
	return *job, nil
}

// deferring reports whether a job should wait for queued answers.
func (j *jobs) deferring() bool { return j.busy != nil && j.wait > 0 && j.busy() }

// promote marks job, queued for rr, running; j.mu is held.
func (j *jobs) promote(rr *repoRuns, job *Job) {
	if rr.queued == job {
		rr.queued = nil
	}
	rr.running = job
	job.State = JobRunning
	job.Started = livespec.Time{Time: time.Now().UTC()}
}

// hold keeps the queued job queued while answers wait, for at most j.wait
// after it was requested, then promotes it and reports true; at shutdown
// it cancels the job instead and reports false.
func (j *jobs) hold(job *Job) bool {
	deadline := job.Created.Add(j.wait)
	t := time.NewTicker(deferPoll)
	defer t.Stop()
	for j.ctx.Err() == nil && time.Now().Before(deadline) && j.deferring() {
		select {
		case <-j.ctx.Done():
		case <-t.C:
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	rr := j.repos[job.Repo]
	if j.ctx.Err() != nil {
		rr.queued = nil
		j.cancelQueued(job, livespec.Time{Time: time.Now().UTC()})
		return false
	}
	j.promote(rr, job)
	return true
}

// cancelQueued ends a job that never ran because the server shuts down;
// j.mu is held.
func (j *jobs) cancelQueued(job *Job, at livespec.Time) {
	job.State = JobCanceled
	job.Finished = at
	job.Error = &ErrorDetail{Code: ECANCELED, Message: "not started: the server is shutting down"}
	j.retire(job)
}

// run runs job, then whatever was queued behind it, each once hold lets
// it.
func (j *jobs) run(job *Job) {
	for job != nil {
		if job.State == JobQueued && !j.hold(job) {
			return
		}
		j.metrics.ingestRunning.WithLabelValues(job.Repo).Set(1)
		summary, err := j.ingest(job)
		j.metrics.ingestRunning.WithLabelValues(job.Repo).Set(0)
		job = j.finish(job, summary, err)
	}
}

// ingest runs the Ingester for job, reporting its progress into the job
// and the metrics. A panic fails the job instead of the server.
func (j *jobs) ingest(job *Job) (summary any, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			j.log.Error("api: ingest panicked", "job", job.ID, "repo", job.Repo, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			summary, err = nil, fmt.Errorf("api: ingest panicked: %v", rec)
		}
	}()
	return j.ing.Ingest(j.ctx, job.Repo, func(done, total int) {
		j.mu.Lock()
		job.Done, job.Total = done, total
		j.mu.Unlock()
		j.metrics.ingestDone.WithLabelValues(job.Repo).Set(float64(done))
		j.metrics.ingestTotal.WithLabelValues(job.Repo).Set(float64(total))
	})
}

// finish records job's outcome and returns the next job of its repo, if
// any, still queued.
func (j *jobs) finish(job *Job, summary any, err error) *Job {
	j.mu.Lock()
	defer j.mu.Unlock()
	job.Finished = livespec.Time{Time: time.Now().UTC()}
	job.Summary = summary
	switch {
	case err == nil:
		job.State = JobSucceeded
	case j.ctx.Err() != nil:
		job.State = JobCanceled
		job.Error = &ErrorDetail{Code: ECANCELED, Message: "stopped by a server shutdown after the batch in progress"}
	default:
		job.State = JobFailed
		code, msg := classify(err)
		job.Error = &ErrorDetail{Code: code, Message: msg}
		j.log.Error("api: ingest failed", "job", job.ID, "repo", job.Repo, "error", err.Error())
	}
	j.metrics.ingestRuns.WithLabelValues(job.Repo, job.State).Inc()
	j.retire(job)
	if job.State != JobCanceled {
		j.repos[job.Repo].last = job
	}
	if j.onDone != nil && err == nil {
		j.onDone()
	}
	rr := j.repos[job.Repo]
	next := rr.queued
	rr.running = nil
	if next == nil {
		return nil
	}
	if j.ctx.Err() != nil {
		rr.queued = nil
		j.cancelQueued(next, job.Finished)
		return nil
	}
	return next // still queued: further requests join it until run promotes it
}

// failing returns an EUNAVAILABLE error when the ingest loop is failing:
// the last finished ingest of every repository that finished one failed.
// Its message, safe for remote users, names the repositories and the
// first one's error.
func (j *jobs) failing() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var failed []*Job
	for _, rr := range j.repos {
		switch {
		case rr.last == nil:
		case rr.last.State != JobFailed:
			return nil
		default:
			failed = append(failed, rr.last)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	slices.SortFunc(failed, func(a, b *Job) int { return strings.Compare(a.Repo, b.Repo) })
	names := make([]string, len(failed))
	for i, f := range failed {
		names[i] = f.Repo
	}
	msg := fmt.Sprintf("the last ingest of %s failed: %s", strings.Join(names, ", "), failed[0].Error.Message)
	return &livespec.Error{Code: livespec.EUNAVAILABLE, Message: msg, Public: msg}
}

// retire remembers a finished job, forgetting the oldest beyond the limit.
func (j *jobs) retire(job *Job) {
	j.finished = append(j.finished, job.ID)
	for len(j.finished) > maxFinishedJobs {
		delete(j.byID, j.finished[0])
		j.finished = j.finished[1:]
	}
}

// get returns a snapshot of the job with id.
func (j *jobs) get(id string) (Job, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.byID[id]
	if !ok {
		return Job{}, false
	}
	return *job, true
}

// shutdown refuses new jobs, asks the running ones to stop after their
// batch, and waits for them until ctx ends.
func (j *jobs) shutdown(ctx context.Context) error {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.cancel()
	if err := j.runs.Close(ctx); err != nil {
		return livespec.WrapError(livespec.EUNAVAILABLE, err, "api: ingest jobs still running at shutdown")
	}
	return nil
}

// startIngestHandler serves POST /v1/ingest: it starts a job on js of
// one of repos; 501 without ing. The request is checked before the
// server's configuration, as on every route: a body that is not JSON is
// 415 (or 400, 413) even where ingest is switched off (501).
func startIngestHandler(ing Ingester, js *jobs, repos []RepoSource, m *Metrics) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		var b IngestBody
		if err := decodeJSON(c, &b, true); err != nil {
			return err
		}
		if ing == nil {
			return livespec.Errorf(ENOTCONFIGURED, "ingest is not configured on this server")
		}
		ctx := c.Request.Context()
		if caller, ok := livespec.CallerFrom(ctx); ok && !caller.Ingest {
			m.Denied("api", "ingest")
			return livespec.Errorf(EFORBIDDEN, "this token may not start ingests")
		}
		repo, err := sourceNamed(repos, m, b.Repo, callerScope(ctx))
		if err != nil {
			return err
		}
		job, err := js.start(repo.Name, "api")
		if err != nil {
			return err
		}
		c.Header("Location", "/v1/ingest/"+job.ID)
		writeJSON(c, http.StatusAccepted, job)
		return nil
	})
}

// sourceNamed returns the repository of repos called name, or the only
// one when name is empty. Only repositories in scope count: one outside
// it is as unknown (and counted as denied in m).
func sourceNamed(repos []RepoSource, m *Metrics, name string, scope livespec.Scope) (RepoSource, error) {
	var visible []RepoSource
	for _, r := range repos {
		if scope.Allows(r.Name) {
			visible = append(visible, r)
		} else if r.Name == name {
			m.Denied("api", "repo")
		}
	}
	if name == "" {
		if len(visible) == 1 {
			return visible[0], nil
		}
		return RepoSource{}, invalid("repo", "required: this server ingests %d repositories", len(visible))
	}
	for _, r := range visible {
		if r.Name == name {
			return r, nil
		}
	}
	return RepoSource{}, livespec.Errorf(livespec.ENOTFOUND, "repo: %q is not a repository this server ingests", clip(name, 100))
}

// ingestJobHandler serves GET /v1/ingest/{id} from js: a job of a
// repository in the caller's scope.
func ingestJobHandler(js *jobs) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		job, ok := js.get(c.Param("id"))
		if !ok || !callerScope(c.Request.Context()).Allows(job.Repo) {
			return livespec.Errorf(livespec.ENOTFOUND, "no ingest job %q (finished jobs are kept for a while only)", clip(c.Param("id"), 64))
		}
		writeJSON(c, http.StatusOK, job)
		return nil
	})
}

// Poll starts an ingest of every configured repository at once and then
// every interval until ctx ends, for repositories without push webhooks. A
// run still in progress is not doubled: the new request joins the queued
// one.
// IngestAll starts one ingest job of every configured repository (joining
// any already queued) and returns without waiting for them: `livespec
// serve` catches up with its repositories this way at start.
func (s *Server) IngestAll() error {
	if s.cfg.Ingester == nil || len(s.cfg.Repos) == 0 {
		return livespec.Errorf(livespec.EINVALID, "api: ingest needs an Ingester and repositories")
	}
	return s.ingestAll("start")
}

func (s *Server) ingestAll(reason string) error {
	for _, r := range s.cfg.Repos {
		if _, err := s.jobs.start(r.Name, reason); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) Poll(ctx context.Context, every time.Duration) error {
	if s.cfg.Ingester == nil || len(s.cfg.Repos) == 0 {
		return livespec.Errorf(livespec.EINVALID, "api: polling needs an Ingester and repositories")
	}
	if every <= 0 {
		return livespec.Errorf(livespec.EINVALID, "api: poll interval must be positive")
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.ingestAll("poll"); err != nil {
			return nil // shutting down
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
