package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
)

func waitJob(t testing.TB, f *fixture, id, state string) api.Job {
	t.Helper()
	var job api.Job
	waitUntil(t, func() bool {
		job = decode[api.Job](t, do(t, f.h, "GET", "/v1/ingest/"+id, nil))
		return job.State == state
	})
	return job
}

func TestIngest(t *testing.T) {
	f := newFixture(t)
	w := do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`)
	if w.Code != 202 {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	job := decode[api.Job](t, w)
	if job.ID == "" || job.Repo != "acme/shop" || job.Trigger != "api" || w.Header().Get("Location") != "/v1/ingest/"+job.ID {
		t.Fatalf("job %+v, Location %q", job, w.Header().Get("Location"))
	}
	done := waitJob(t, f, job.ID, api.JobSucceeded)
	if done.Done != 3 || done.Total != 3 || done.Finished.IsZero() || done.Summary == nil {
		t.Fatalf("finished job = %+v", done)
	}
}

func TestIngestOneRunAtATimePerRepo(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, func(_ *api.Config, f *fixture) { f.ing.gate = gate })
	first := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	second := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	third := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	other := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/docs"}`))
	if first.State != api.JobRunning || second.State != api.JobQueued || third.ID != second.ID || other.State != api.JobRunning {
		t.Fatalf("jobs: first %s, second %s, third %s (same as second: %v), other repo %s",
			first.State, second.State, third.State, third.ID == second.ID, other.State)
	}
	// The running job reports the Ingester's progress.
	waitUntil(t, func() bool {
		j := decode[api.Job](t, do(t, f.h, "GET", "/v1/ingest/"+first.ID, nil))
		return j.State == api.JobRunning && j.Done == 1 && j.Total == 3
	})
	close(gate)
	waitJob(t, f, second.ID, api.JobSucceeded)
	waitJob(t, f, other.ID, api.JobSucceeded)
	if n := f.ing.count("acme/shop"); n != 2 || f.ing.overlapped() {
		t.Fatalf("acme/shop ran %d times (overlapping: %v), want 2 runs one at a time", n, f.ing.overlapped())
	}
}

func TestIngestErrors(t *testing.T) {
	f := newFixture(t)
	wantError(t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/nope"}`), 404, livespec.ENOTFOUND, "acme/nope")
	wantError(t, do(t, f.h, "POST", "/v1/ingest", ""), 400, livespec.EINVALID, "repo", "2 repositories")
	wantError(t, do(t, f.h, "POST", "/v1/ingest", `{"repo":1}`), 400, livespec.EINVALID, "repo")
	wantError(t, do(t, f.h, "GET", "/v1/ingest/no-such-job", nil), 404, livespec.ENOTFOUND, "no-such-job")

	one := newFixture(t, func(c *api.Config, _ *fixture) { c.Repos = c.Repos[:1] })
	if w := do(t, one.h, "POST", "/v1/ingest", nil); w.Code != 202 {
		t.Fatalf("empty body with one repository: %d %s", w.Code, w.Body.String())
	}
	off := newFixture(t, func(c *api.Config, _ *fixture) { c.Ingester = nil })
	wantError(t, do(t, off.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`), 501, api.ENOTCONFIGURED)
	// The request is checked first: a body that is not JSON is 415 whether
	// or not ingest is on.
	for _, srv := range []*fixture{f, off} {
		wantError(t, do(t, srv.h, "POST", "/v1/ingest", "repo=acme/shop", "Content-Type", "text/plain"), 415, api.ECONTENTTYPE, "text/plain")
	}

	failing := newFixture(t, func(_ *api.Config, f *fixture) {
		f.ing.err = livespec.WrapPublic(livespec.EUNAVAILABLE, errors.New("authentication required"), "git fetch failed",
			"fetch https://bob:hunter2@git.example.com/shop.git")
	})
	w := do(t, failing.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`)
	job := decode[api.Job](t, w)
	got := waitJob(t, failing, job.ID, api.JobFailed)
	if got.Error == nil || got.Error.Code != livespec.EUNAVAILABLE || !strings.Contains(got.Error.Message, "git fetch") {
		t.Fatalf("failed job = %+v", got)
	}
	// The clone URL and its credentials never reach the client.
	body := do(t, failing.h, "GET", "/v1/ingest/"+job.ID, nil).Body.String()
	for _, leak := range []string{"hunter2", "git.example.com"} {
		if strings.Contains(body, leak) {
			t.Errorf("GET /v1/ingest/%s shows %q: %s", job.ID, leak, body)
		}
	}
}

func TestShutdownCancelsRunningIngest(t *testing.T) {
	f := newFixture(t, func(_ *api.Config, f *fixture) { f.ing.gate = make(chan struct{}) })
	job := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	queued := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	if err := f.srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := decode[api.Job](t, do(t, f.h, "GET", "/v1/ingest/"+job.ID, nil)); got.State != api.JobCanceled {
		t.Fatalf("running job after Shutdown: %s", got.State)
	}
	if got := decode[api.Job](t, do(t, f.h, "GET", "/v1/ingest/"+queued.ID, nil)); got.State != api.JobCanceled {
		t.Fatalf("queued job after Shutdown: %s", got.State)
	}
	wantError(t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`), 503, livespec.EUNAVAILABLE)
}

const shopPush = `{"ref":"refs/heads/main","repository":{"full_name":"Acme/Shop-Mirror","clone_url":"https://github.com/ACME/shop.git","ssh_url":"git@github.com:acme/shop.git"},"commits":[]}`

func TestGitHubWebhook(t *testing.T) {
	f := newFixture(t)
	w := githubPush(t, f.h, "gh-secret", "d-1", shopPush)
	if w.Code != 202 {
		t.Fatalf("valid push: %d %s", w.Code, w.Body.String())
	}
	res := decode[api.HookResult](t, w)
	if res.Status != "accepted" || len(res.Jobs) != 1 || res.Jobs[0].Repo != "acme/shop" || res.Jobs[0].Trigger != "github" {
		t.Fatalf("result = %+v", res)
	}
	waitJob(t, f, res.Jobs[0].ID, api.JobSucceeded)
	if f.ing.count("acme/shop") != 1 {
		t.Fatal("the push did not ingest acme/shop")
	}

	wantError(t, githubPush(t, f.h, "gh-secret", "d-1", shopPush), 409, livespec.ECONFLICT, "d-1") // replayed
	wantError(t, githubPush(t, f.h, "wrong-secret", "d-2", shopPush), 401, livespec.EUNAUTHORIZED, "X-Hub-Signature-256")
	wantError(t, do(t, f.h, "POST", "/v1/webhooks/github", shopPush, "X-GitHub-Event", "push", "X-GitHub-Delivery", "d-3"),
		401, livespec.EUNAUTHORIZED)
	wantError(t, githubPush(t, f.h, "gh-secret", "d-4", shopPush, "X-Hub-Signature-256", "sha256=zz"), 401, livespec.EUNAUTHORIZED)
	wantError(t, githubPush(t, f.h, "gh-secret", "", shopPush), 400, livespec.EINVALID, "X-GitHub-Delivery")
	// A signed body that is then altered fails.
	wantError(t, githubPush(t, f.h, "gh-secret", "d-5", strings.Replace(shopPush, "main", "evil", 1),
		"X-Hub-Signature-256", githubSignature("gh-secret", shopPush)), 401, livespec.EUNAUTHORIZED)

	unknown := `{"ref":"refs/heads/main","repository":{"full_name":"other/repo","clone_url":"https://github.com/other/repo.git"}}`
	wantError(t, githubPush(t, f.h, "gh-secret", "d-6", unknown), 404, livespec.ENOTFOUND, "other/repo")
	wantError(t, githubPush(t, f.h, "gh-secret", "d-6", unknown), 404, livespec.ENOTFOUND) // not remembered: a retry is no replay

	other := strings.Replace(shopPush, "refs/heads/main", "refs/heads/feature", 1)
	if res := decode[api.HookResult](t, githubPush(t, f.h, "gh-secret", "d-7", other)); res.Status != "ignored" {
		t.Fatalf("push to another branch: %+v", res)
	}
	if res := decode[api.HookResult](t, githubPush(t, f.h, "gh-secret", "d-8", `{"zen":"hi"}`, "X-GitHub-Event", "ping")); res.Status != "pong" {
		t.Fatalf("ping: %+v", res)
	}
	if res := decode[api.HookResult](t, githubPush(t, f.h, "gh-secret", "d-9", `{}`, "X-GitHub-Event", "issues")); res.Status != "ignored" {
		t.Fatalf("issues event: %+v", res)
	}
	// A replayed ping or ignored event is refused like a replayed push.
	wantError(t, githubPush(t, f.h, "gh-secret", "d-8", `{"zen":"hi"}`, "X-GitHub-Event", "ping"), 409, livespec.ECONFLICT, "d-8")
	wantError(t, githubPush(t, f.h, "gh-secret", "d-9", `{}`, "X-GitHub-Event", "issues"), 409, livespec.ECONFLICT, "d-9")
	wantError(t, githubPush(t, f.h, "gh-secret", "d-10", `{"ref":`), 400, livespec.EINVALID)
	big := `{"ref":"refs/heads/main","pad":"` + strings.Repeat("x", api.MaxWebhookBytes) + `"}`
	wantError(t, githubPush(t, f.h, "gh-secret", "d-11", big), 413, livespec.ETOOLARGE)

	form := "payload=" + url.QueryEscape(shopPush)
	w = githubPush(t, f.h, "gh-secret", "d-12", form, "Content-Type", "application/x-www-form-urlencoded")
	if w.Code != 202 {
		t.Fatalf("form-encoded push: %d %s", w.Code, w.Body.String())
	}
}

func TestGitLabWebhook(t *testing.T) {
	f := newFixture(t)
	push := `{"object_kind":"push","ref":"refs/heads/main","project":{"path_with_namespace":"acme/docs-mirror","git_ssh_url":"ssh://git@gitlab.example.com:22/Acme/docs.git"}}`
	w := do(t, f.h, "POST", "/v1/webhooks/gitlab", push, "X-Gitlab-Token", "gl-token", "X-Gitlab-Event-UUID", "u-1")
	res := decode[api.HookResult](t, w)
	if w.Code != 202 || len(res.Jobs) != 1 || res.Jobs[0].Repo != "acme/docs" {
		t.Fatalf("valid push: %d %+v", w.Code, res)
	}
	wantError(t, do(t, f.h, "POST", "/v1/webhooks/gitlab", push, "X-Gitlab-Token", "gl-token", "X-Gitlab-Event-UUID", "u-1"),
		409, livespec.ECONFLICT)
	wantError(t, do(t, f.h, "POST", "/v1/webhooks/gitlab", push, "X-Gitlab-Token", "gl-tokem"), 401, livespec.EUNAUTHORIZED, "X-Gitlab-Token")
	wantError(t, do(t, f.h, "POST", "/v1/webhooks/gitlab", push), 401, livespec.EUNAUTHORIZED)
	if res := decode[api.HookResult](t, do(t, f.h, "POST", "/v1/webhooks/gitlab", `{"object_kind":"issue"}`, "X-Gitlab-Token", "gl-token")); res.Status != "ignored" {
		t.Fatalf("issue event: %+v", res)
	}
	issue := func() *httptest.ResponseRecorder {
		return do(t, f.h, "POST", "/v1/webhooks/gitlab", `{"object_kind":"issue"}`, "X-Gitlab-Token", "gl-token", "X-Gitlab-Event-UUID", "u-2")
	}
	if w := issue(); w.Code != 200 {
		t.Fatalf("issue event with an id: %d %s", w.Code, w.Body.String())
	}
	wantError(t, issue(), 409, livespec.ECONFLICT, "u-2") // replayed, like a push
	req := httptest.NewRequest("POST", "/v1/webhooks/gitlab", strings.NewReader(push))
	req.Header.Set("X-Gitlab-Token", "gl-token")
	req.Header.Set("Content-Type", "text/plain")
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	wantError(t, rec, 415, api.ECONTENTTYPE)
}

func TestWebhooksOffWithoutSecrets(t *testing.T) {
	f := newFixture(t, func(c *api.Config, _ *fixture) { c.Webhooks = api.Webhooks{} })
	wantError(t, githubPush(t, f.h, "", "d-1", shopPush), 501, api.ENOTCONFIGURED)
	wantError(t, do(t, f.h, "POST", "/v1/webhooks/gitlab", "{}", "X-Gitlab-Token", ""), 501, api.ENOTCONFIGURED)
}

func TestPoll(t *testing.T) {
	f := newFixture(t)
	errc := make(chan error, 1)
	ctx, stop := context.WithCancel(t.Context())
	go func() { errc <- f.srv.Poll(ctx, time.Millisecond) }()
	waitUntil(t, func() bool { return f.ing.count("acme/shop") >= 2 && f.ing.count("acme/docs") >= 2 })
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if f.ing.overlapped() {
		t.Fatal("polling ran two ingests of one repo at once")
	}
	if err := f.srv.Poll(t.Context(), 0); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Fatalf("Poll with no interval: %v", err)
	}
}

func TestIngestPanicFailsTheJob(t *testing.T) {
	f := newFixture(t, func(c *api.Config, _ *fixture) {
		c.Ingester = api.IngestFunc(func(context.Context, string, func(int, int)) (any, error) { panic("ingest bug") })
	})
	job := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	got := waitJob(t, f, job.ID, api.JobFailed)
	if got.Error == nil || got.Error.Code != livespec.EINTERNAL || strings.Contains(got.Error.Message, "ingest bug") {
		t.Fatalf("job = %+v, want an internal error without the detail", got)
	}
	// The repo is free again.
	next := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	waitJob(t, f, next.ID, api.JobFailed)
}

// busyFixture is a server with one answer slot taken by a question that
// waits for gate and a second question waiting for that slot; ingests
// requested meanwhile may wait up to wait. The test closes gate.
func busyFixture(t *testing.T, wait time.Duration) (f *fixture, gate chan struct{}, answered chan int) {
	t.Helper()
	gate = make(chan struct{})
	f = newFixture(t, func(c *api.Config, f *fixture) {
		c.MaxInFlight, c.IngestDefer = 1, wait
		f.asker.gate, f.asker.started = gate, make(chan struct{}, 2)
	})
	answered = make(chan int, 2)
	for _, q := range []string{"how do coupons work?", "how do refunds work?"} {
		go func() { answered <- do(t, f.h, "POST", "/v1/ask", `{"question":"`+q+`"}`).Code }()
	}
	waitUntil(t, func() bool { return f.srv.Limiter().InFlight() == 1 && f.srv.Limiter().Queued() == 1 })
	return f, gate, answered
}

// TestIngestWaitsForQueuedAnswers: an ingest requested while questions
// wait for a slot stays queued until they are answered, and the pushes
// made meanwhile join it: one run for all of them, after the answers.
func TestIngestWaitsForQueuedAnswers(t *testing.T) {
	f, gate, answered := busyFixture(t, time.Hour)
	first := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	second := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	if first.State != api.JobQueued || second.ID != first.ID {
		t.Fatalf("ingests requested while a question waits: first %s, second joins it: %v; want one queued job", first.State, second.ID == first.ID)
	}
	if got := decode[api.Job](t, do(t, f.h, "GET", "/v1/ingest/"+first.ID, nil)); got.State != api.JobQueued || f.ing.count("acme/shop") != 0 {
		t.Fatalf("while the question waits: job %s, %d runs; want queued, 0 runs", got.State, f.ing.count("acme/shop"))
	}
	close(gate)
	for range 2 {
		if code := <-answered; code != 200 {
			t.Fatalf("question: status %d", code)
		}
	}
	waitJob(t, f, first.ID, api.JobSucceeded)
	if n := f.ing.count("acme/shop"); n != 1 {
		t.Fatalf("acme/shop ran %d times for two requests, want 1", n)
	}
}

// TestIngestWaitIsBounded: answers that keep waiting delay an ingest by
// IngestDefer at most; it then runs while they still wait.
func TestIngestWaitIsBounded(t *testing.T) {
	f, gate, answered := busyFixture(t, 50*time.Millisecond)
	asked := time.Now()
	job := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	waitJob(t, f, job.ID, api.JobSucceeded)
	if q, after := f.srv.Limiter().Queued(), time.Since(asked); q != 1 || after < 50*time.Millisecond {
		t.Fatalf("ingest done %v after its request with %d questions waiting; want after 50ms, while 1 waits", after, q)
	}
	close(gate)
	<-answered
	<-answered
}

// TestShutdownCancelsDeferredIngest: an ingest waiting for answers at
// shutdown ends canceled, never run.
func TestShutdownCancelsDeferredIngest(t *testing.T) {
	f, gate, answered := busyFixture(t, time.Hour)
	job := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	stopped := make(chan error, 1)
	go func() { stopped <- f.srv.Shutdown(t.Context()) }()
	waitJob(t, f, job.ID, api.JobCanceled)
	close(gate)
	<-answered
	<-answered
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if n := f.ing.count("acme/shop"); n != 0 {
		t.Fatalf("the deferred ingest ran %d times", n)
	}
}
