package api_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/internal/apitest"
)

func init() { gin.SetMode(gin.TestMode) }

// fixture is a Server over fakes.
type fixture struct {
	srv     *api.Server
	h       http.Handler
	store   *memStore
	asker   *fakeAsker
	hist    *fakeHistorian
	ing     *fakeIngester
	logs    *syncBuffer
	periods []string // texts passed to ParsePeriod
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// newFixture builds a Server over the fixture store; edit adjusts the
// Config first.
func newFixture(t testing.TB, edit ...func(*api.Config, *fixture)) *fixture {
	t.Helper()
	f := &fixture{store: fixtureStore(), asker: &fakeAsker{tokens: []string{"One coupon", " per order [1].\n", "\nDone."}},
		hist: &fakeHistorian{}, ing: &fakeIngester{}, logs: &syncBuffer{}}
	cfg := api.Config{
		Asker: f.asker, Historian: f.hist, Store: f.store, Ingester: f.ing,
		Repos: []api.RepoSource{
			{Name: "acme/shop", URLs: []string{"https://github.com/acme/shop.git"}, Branch: "main"},
			{Name: "acme/docs", URLs: []string{"git@gitlab.example.com:acme/docs.git"}},
		},
		ParsePeriod: func(text string, now time.Time) (livespec.Window, error) {
			f.periods = append(f.periods, text)
			if text == "last quarter" {
				return livespec.Window{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}, nil
			}
			return livespec.Window{}, livespec.Errorf(livespec.EINVALID, "cannot parse %q", text)
		},
		Logger:   slog.New(slog.NewJSONHandler(f.logs, nil)),
		Webhooks: api.Webhooks{GitHubSecret: "gh-secret", GitLabToken: "gl-token"},
		Now:      func() time.Time { return day("2025-05-15") },
	}
	for _, e := range edit {
		e(&cfg, f)
	}
	srv := apitest.Serve(t, cfg)
	f.srv, f.h = srv, srv.Handler()
	return f
}

func TestHealthz(t *testing.T) {
	f := newFixture(t)
	w := do(t, f.h, "GET", "/healthz", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"ok"`) {
		t.Fatalf("healthz: %d %s", w.Code, w.Body.String())
	}
	if w.Header().Get("X-Request-Id") == "" {
		t.Fatal("no X-Request-Id on the response")
	}
}

func TestReadyz(t *testing.T) {
	ollamaDown := func(c *api.Config, _ *fixture) {
		c.ReadyChecks = []api.ReadyCheck{{Name: "ollama", Check: func(context.Context) error {
			return livespec.WrapPublic(livespec.EUNAVAILABLE, errors.New("dial tcp 10.0.0.7:11434: connection refused"),
				"the model server is not reachable (connection refused)", "ollama: http://10.0.0.7:11434 is not reachable")
		}}}
	}
	t.Run("ready, optional check failing", func(t *testing.T) {
		f := newFixture(t, ollamaDown)
		w := do(t, f.h, "GET", "/readyz", nil)
		r := decode[api.Readiness](t, w)
		if w.Code != 200 || !r.Ready {
			t.Fatalf("readyz = %d %+v, want 200 ready", w.Code, r)
		}
		if len(r.Checks) != 4 || r.Checks[2].Name != "ingest" || !r.Checks[2].OK ||
			r.Checks[3].Name != "ollama" || r.Checks[3].OK || !strings.Contains(r.Checks[3].Detail, "refused") {
			t.Fatalf("checks = %+v, want store, index, ingest, and ollama failing", r.Checks)
		}
	})
	t.Run("store down", func(t *testing.T) {
		f := newFixture(t)
		f.store.setDown(true)
		w := do(t, f.h, "GET", "/readyz", nil)
		r := decode[api.Readiness](t, w)
		if w.Code != 503 || r.Ready || r.Checks[0].OK {
			t.Fatalf("readyz = %d %+v, want 503 with the store failing", w.Code, r)
		}
	})
	t.Run("tokens: status only without one, no internals with one", func(t *testing.T) {
		f := newFixture(t, func(c *api.Config, _ *fixture) {
			c.Tokens = []string{"tok"}
			c.Store = failingIndex{c.Store}
		})
		for _, tt := range []struct {
			name   string
			header []string
			checks bool
		}{
			{"no token", nil, false},
			{"wrong token", []string{"Authorization", "Bearer nope"}, false},
			{"valid token", []string{"Authorization", "Bearer tok"}, true},
		} {
			w := do(t, f.h, "GET", "/readyz", nil, tt.header...)
			r := decode[api.Readiness](t, w)
			if w.Code != 503 || r.Ready || (len(r.Checks) > 0) != tt.checks {
				t.Errorf("%s: readyz = %d %+v, want 503, checks listed %v", tt.name, w.Code, r, tt.checks)
			}
			if strings.Contains(w.Body.String(), "/srv/secret") {
				t.Errorf("%s: readyz shows the index path: %s", tt.name, w.Body.String())
			}
		}
	})
	t.Run("every ingest failing", func(t *testing.T) {
		f := newFixture(t)
		f.ing.err = livespec.WrapPublic(livespec.EUNAVAILABLE, errors.New("write /srv/secret/livespec.db: no space left on device"),
			"cannot write the index", "cannot write the index /srv/secret/livespec.db")
		ready := func(want bool, detail string) {
			t.Helper()
			w := do(t, f.h, "GET", "/readyz", nil)
			r := decode[api.Readiness](t, w)
			var ing api.CheckResult
			for _, c := range r.Checks {
				if c.Name == "ingest" {
					ing = c
				}
			}
			if r.Ready != want || (w.Code == 200) != want || ing.OK != want || !ing.Required || !strings.Contains(ing.Detail, detail) {
				t.Fatalf("readyz = %d %+v, want ready %v with the ingest check saying %q", w.Code, r, want, detail)
			}
			if strings.Contains(w.Body.String(), "/srv/secret") {
				t.Fatalf("readyz shows the index path: %s", w.Body.String())
			}
		}
		ready(true, "")
		run := func(repo, state string) {
			t.Helper()
			job := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"`+repo+`"}`))
			waitJob(t, f, job.ID, state)
		}
		run("acme/shop", api.JobFailed)
		ready(false, "the last ingest of acme/shop failed: cannot write the index")
		run("acme/docs", api.JobFailed)
		ready(false, "the last ingest of acme/docs, acme/shop failed: ")
		f.ing.mu.Lock()
		f.ing.err = nil
		f.ing.mu.Unlock()
		run("acme/docs", api.JobSucceeded)
		ready(true, "") // one repository is kept up to date: the loop works
	})
	t.Run("empty index", func(t *testing.T) {
		f := newFixture(t)
		f.store.repos = nil
		w := do(t, f.h, "GET", "/readyz", nil)
		r := decode[api.Readiness](t, w)
		if w.Code != 503 || r.Checks[1].OK || !strings.Contains(r.Checks[1].Detail, "livespec ingest") {
			t.Fatalf("readyz = %d %+v, want 503 naming livespec ingest", w.Code, r)
		}
	})
}

func TestUnknownRouteAndMethod(t *testing.T) {
	f := newFixture(t)
	wantError(t, do(t, f.h, "GET", "/v2/nothing", nil), 404, livespec.ENOTFOUND, "/v2/nothing")
	wantError(t, do(t, f.h, "DELETE", "/v1/ask", nil), 405, api.EMETHOD, "DELETE")
}

func TestPanicIsAPlain500(t *testing.T) {
	f := newFixture(t)
	if err := f.srv.Mount("GET", "/boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret detail") })); err != nil {
		t.Fatal(err)
	}
	w := do(t, f.h, "GET", "/boom", nil)
	wantError(t, w, 500, livespec.EINTERNAL)
	if strings.Contains(w.Body.String(), "secret detail") || strings.Contains(w.Body.String(), "goroutine") {
		t.Fatalf("panic detail leaked: %s", w.Body.String())
	}
	if !strings.Contains(f.logs.String(), "secret detail") {
		t.Fatal("the panic was not logged")
	}
}

func TestMount(t *testing.T) {
	f := newFixture(t, func(c *api.Config, _ *fixture) { c.Tokens = []string{"tok"} })
	err := f.srv.Mount("POST", "/slack/events", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "slack ok")
	}))
	if err != nil {
		t.Fatal(err)
	}
	w := do(t, f.h, "POST", "/slack/events", "{}")
	if w.Code != 200 || w.Body.String() != "slack ok" {
		t.Fatalf("mounted route without a bearer token: %d %q", w.Code, w.Body.String())
	}
	if err := f.srv.Mount("POST", "/slack/events", http.NotFoundHandler()); livespec.ErrorCode(err) != livespec.ECONFLICT {
		t.Fatalf("mounting twice: err = %v, want a conflict", err)
	}
	if !strings.Contains(do(t, f.h, "GET", "/openapi.json", nil).Body.String(), `"/slack/events"`) {
		t.Fatal("/openapi.json does not list the mounted route")
	}
}

func TestRequestTimeout(t *testing.T) {
	f := newFixture(t, func(c *api.Config, f *fixture) {
		c.RequestTimeout = time.Millisecond
		f.store.block = make(chan struct{}) // never released: the store hangs
	})
	wantError(t, do(t, f.h, "GET", "/v1/changes", nil), 504, api.ETIMEOUT)
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  api.Config
	}{
		{"no asker", api.Config{Store: &memStore{}}},
		{"no store", api.Config{Asker: &fakeAsker{}}},
		{"empty token", api.Config{Asker: &fakeAsker{}, Store: &memStore{}, Tokens: []string{""}}},
		{"duplicate repo", api.Config{Asker: &fakeAsker{}, Store: &memStore{}, Repos: []api.RepoSource{{Name: "a"}, {Name: "a"}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := api.New(tt.cfg); livespec.ErrorCode(err) != livespec.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
	}
}

func TestChunkedBodyOverTheLimitIs413(t *testing.T) {
	f := newFixture(t)
	body := `{"question":"` + strings.Repeat("a", api.MaxBodyBytes) + `"}`
	req := httptest.NewRequest("POST", "/v1/ask", io.MultiReader(strings.NewReader(body))) // no length known
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	wantError(t, w, 413, livespec.ETOOLARGE, "65536")
}

// failingIndex is a store whose Index fails with an unclassified error
// naming its file.
type failingIndex struct{ livespec.Store }

func (failingIndex) Index(context.Context) (livespec.IndexInfo, error) {
	return livespec.IndexInfo{}, errors.New("sqlite: read index: open /srv/secret/livespec.db: disk I/O error")
}

// The request helpers shared with the end-to-end tests.
var (
	do              = apitest.Do
	waitUntil       = apitest.WaitUntil
	githubPush      = apitest.GitHubPush
	githubSignature = apitest.GitHubSignature
	errorOf         = apitest.ErrorOf
	wantError       = apitest.WantError
)

func decode[T any](t testing.TB, w *httptest.ResponseRecorder) T {
	t.Helper()
	return apitest.Decode[T](t, w)
}
