package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
)

func TestAuth(t *testing.T) {
	const token = "s3cret-token-value"
	f := newFixture(t, func(c *api.Config, _ *fixture) { c.Tokens = []string{"other", token} })
	bearer := "Bearer " + token
	for _, tt := range []struct {
		name, method, target, body, auth string
		status                           int
	}{
		{"ask without token", "POST", "/v1/ask", `{"question":"x"}`, "", 401},
		{"ask with a wrong token", "POST", "/v1/ask", `{"question":"x"}`, "Bearer nope", 401},
		{"ask with a token prefix", "POST", "/v1/ask", `{"question":"x"}`, "Bearer s3cret", 401},
		{"ask with basic auth", "POST", "/v1/ask", `{"question":"x"}`, "Basic " + token, 401},
		{"ask with the token", "POST", "/v1/ask", `{"question":"x"}`, bearer, 200},
		{"scheme is case-insensitive", "GET", "/v1/changes", "", "bearer " + token, 200},
		{"changes without token", "GET", "/v1/changes", "", "", 401},
		{"specs without token", "GET", "/v1/specs", "", "", 401},
		{"timeline without token", "GET", "/v1/timeline?q=x", "", "", 401},
		{"ingest without token", "POST", "/v1/ingest", `{"repo":"acme/shop"}`, "", 401},
		{"job without token", "GET", "/v1/ingest/x", "", "", 401},
		{"metrics without token", "GET", "/metrics", "", "", 401},
		{"metrics with the token", "GET", "/metrics", "", bearer, 200},
		{"healthz is public", "GET", "/healthz", "", "", 200},
		{"readyz is public", "GET", "/readyz", "", "", 200},
		{"openapi is public", "GET", "/openapi.json", "", "", 200},
		{"webhooks use their own secret", "POST", "/v1/webhooks/gitlab", `{"object_kind":"note"}`, "", 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			var h []string
			if tt.auth != "" {
				h = []string{"Authorization", tt.auth}
			}
			w := do(t, f.h, tt.method, tt.target, body, h...)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body.String())
			}
			if tt.status == 401 {
				if e := errorOf(t, w); e.Code != livespec.EUNAUTHORIZED {
					t.Fatalf("code %q", e.Code)
				}
				if w.Header().Get("WWW-Authenticate") == "" && tt.target != "/v1/webhooks/gitlab" {
					t.Fatal("401 without WWW-Authenticate")
				}
			}
		})
	}
	if strings.Contains(f.logs.String(), token) || strings.Contains(f.logs.String(), "s3cret") {
		t.Fatal("a token reached the logs")
	}
	if !strings.Contains(f.logs.String(), `"route":"/v1/ask"`) {
		t.Fatalf("requests were not logged: %s", f.logs.String())
	}
}

func TestRequestLogLine(t *testing.T) {
	f := newFixture(t)
	do(t, f.h, "GET", "/v1/changes?repo=acme/shop", nil, "X-Request-Id", "req-42")
	var line map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(f.logs.String()), "\n") {
		if strings.Contains(l, "req-42") {
			_ = json.Unmarshal([]byte(l), &line)
		}
	}
	if line["route"] != "/v1/changes" || line["status"] != float64(200) || line["method"] != "GET" || line["latency_ms"] == nil {
		t.Fatalf("log line = %v", line)
	}
}

func TestCheckBind(t *testing.T) {
	for _, tt := range []struct {
		addr   string
		tokens []string
		open   bool
		ok     bool
	}{
		{"127.0.0.1:8080", nil, false, true},
		{"[::1]:8080", nil, false, true},
		{"localhost:8080", nil, false, true},
		{":8080", nil, false, false},
		{"0.0.0.0:8080", nil, false, false},
		{"10.1.2.3:8080", nil, false, false},
		{"0.0.0.0:8080", []string{"t"}, false, true},
		{":8080", nil, true, true},
		{"nonsense", nil, false, false},
	} {
		err := api.CheckBind(tt.addr, tt.tokens, tt.open)
		if (err == nil) != tt.ok {
			t.Errorf("CheckBind(%q, %d tokens, open %v) = %v, want ok %v", tt.addr, len(tt.tokens), tt.open, err, tt.ok)
		}
		if err != nil && !strings.Contains(livespec.ErrorMessage(err), "LIVESPEC_API_TOKENS") && tt.addr != "nonsense" {
			t.Errorf("CheckBind(%q) message %q does not say how to fix it", tt.addr, livespec.ErrorMessage(err))
		}
	}
}

func TestTokens(t *testing.T) {
	if got := api.ParseTokens(" a, ,b ,"); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("ParseTokens = %q", got)
	}
	path := t.TempDir() + "/tokens"
	if err := writeFile(path, "# dashboards\nalpha\n\n beta \n"); err != nil {
		t.Fatal(err)
	}
	if got, err := api.ReadTokenFile(path); err != nil || !slices.Equal(got, []string{"alpha", "beta"}) {
		t.Fatalf("ReadTokenFile = %q, %v", got, err)
	}
	if err := writeFile(path, "# none\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := api.ReadTokenFile(path); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Fatalf("empty token file: %v", err)
	}
}

// TestOpenAPIMatchesRoutes checks /openapi.json against the routes gin
// serves, both ways, and that it is a 3.1 document.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t)
	if err := f.srv.Mount("POST", "/slack/commands", http.NotFoundHandler()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	w := do(t, f.h, "GET", "/openapi.json", nil)
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for m, op := range ops {
			if m == "parameters" {
				continue
			}
			documented = append(documented, strings.ToUpper(m)+" "+p)
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s documents no responses", m, p)
			}
		}
	}
	param := regexp.MustCompile(`[:*]([a-z]+)`)
	var routed []string
	for _, r := range routesOf(f.h) {
		routed = append(routed, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	sort.Strings(documented)
	sort.Strings(routed)
	if !slices.Equal(documented, routed) {
		t.Fatalf("routes and /openapi.json disagree\nrouted:     %q\ndocumented: %q", routed, documented)
	}
	// Every $ref resolves.
	var whole map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &whole)
	refs := regexp.MustCompile(`"\$ref":\s*"#/([^"]+)"`).FindAllStringSubmatch(w.Body.String(), -1)
	if len(refs) < 20 {
		t.Fatalf("only %d $refs found; the check is not reading the document", len(refs))
	}
	for _, ref := range refs {
		var node any = whole
		for _, part := range strings.Split(ref[1], "/") {
			m, _ := node.(map[string]any)
			node = m[part]
		}
		if node == nil {
			t.Errorf("$ref #/%s does not resolve", ref[1])
		}
	}
	// Every {param} of a path is declared.
	for p, ops := range doc.Paths {
		for _, m := range param.FindAllStringSubmatch(strings.NewReplacer("{", ":", "}", "").Replace(p), -1) {
			for verb, op := range ops {
				if !strings.Contains(jsonString(op["parameters"]), `"name":"`+m[1]+`"`) {
					t.Errorf("%s %s does not declare path parameter %s", verb, p, m[1])
				}
			}
		}
	}
}

func routesOf(h http.Handler) gin.RoutesInfo {
	return h.(*gin.Engine).Routes()
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := api.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(c *api.Config, _ *fixture) { c.Registry, c.Metrics = reg, m })
	do(t, f.h, "POST", "/v1/ask", `{"question":"coupons?"}`)
	do(t, f.h, "POST", "/v1/ask", `{"question":""}`)
	do(t, f.h, "GET", "/nowhere", nil)
	job := decode[api.Job](t, do(t, f.h, "POST", "/v1/ingest", `{"repo":"acme/shop"}`))
	waitJob(t, f, job.ID, api.JobSucceeded)

	if m.Generator(nil) != nil || m.Embedder(nil) != nil {
		t.Error("wrapping nil gave a non-nil generator or embedder")
	}
	gen := m.Generator(failingGenerator{})
	_, _ = gen.Generate(t.Context(), &livespec.Evidence{}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _ = failingGenerator{}.Generate(ctx, nil, nil)

	body := do(t, f.h, "GET", "/metrics", nil).Body.String()
	for _, want := range []string{
		`livespec_http_requests_total{method="POST",route="/v1/ask",status="200"} 1`,
		`livespec_http_requests_total{method="POST",route="/v1/ask",status="400"} 1`,
		`livespec_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`livespec_http_request_duration_seconds_count{method="POST",route="/v1/ask",status="200"} 1`,
		`livespec_answer_duration_seconds_count{intent="current"} 1`,
		`livespec_generator_errors_total 1`,
		`livespec_embedder_errors_total 0`,
		`livespec_ingest_progress_done{repo="acme/shop"} 3`,
		`livespec_ingest_progress_total{repo="acme/shop"} 3`,
		`livespec_ingest_runs_total{repo="acme/shop",result="succeeded"} 1`,
		`livespec_answers_in_flight 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

type failingGenerator struct{}

func (failingGenerator) Name() string { return "failing" }
func (failingGenerator) Generate(ctx context.Context, _ *livespec.Evidence, _ func(string) error) (string, error) {
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	return "", livespec.Errorf(livespec.EUNAVAILABLE, "model gone")
}

// TestServeShutdownFinishesInFlightRequests starts a real listener, begins
// a slow answer, cancels the serve context and checks the answer still
// arrives whole and Serve returns cleanly.
func TestServeShutdownFinishesInFlightRequests(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, func(_ *api.Config, f *fixture) {
		f.asker.gate = gate
		f.asker.started = make(chan struct{}, 1)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- api.Serve(ctx, ln, f.h, nil) }()

	type result struct {
		status int
		ans    livespec.Answer
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/v1/ask", "application/json", strings.NewReader(`{"question":"slow"}`))
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		var r result
		r.status, r.err = resp.StatusCode, json.NewDecoder(resp.Body).Decode(&r.ans)
		got <- r
	}()
	<-f.asker.started
	stop() // SIGTERM
	// New connections are refused once shutdown began.
	waitUntil(t, func() bool {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	close(gate)
	r := <-got
	if r.err != nil || r.status != 200 || r.ans.Question != "slow" {
		t.Fatalf("in-flight request: status %d, %v, %+v", r.status, r.err, r.ans)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// TestServeShutdownClosesSilentConnections: a connection that never sent
// a request (a client's spare pooled one) does not hold the shutdown:
// net/http alone waits 5 seconds for it.
func TestServeShutdownClosesSilentConnections(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- api.Serve(ctx, ln, f.h, nil) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	time.Sleep(50 * time.Millisecond) // the server accepts it
	start := time.Now()
	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return within 10s of shutdown")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("shutdown took %v with a connection that sent no request; want well under net/http's 5s", took.Round(time.Millisecond))
	}
	_ = silent.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := silent.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the silent connection is still open after shutdown (read %d bytes, %v)", n, err)
	}
}

func TestRunRefusesAnOpenAddressWithoutTokens(t *testing.T) {
	f := newFixture(t)
	if err := f.srv.Run(t.Context(), "0.0.0.0:0", 0); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Fatalf("Run on 0.0.0.0 without tokens: %v, want EINVALID", err)
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	f := newFixture(t)
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.srv.Run(ctx, "127.0.0.1:0", time.Millisecond) }()
	// Polling ingests both repositories while the server runs.
	waitUntil(t, func() bool { return f.ing.count("acme/shop") > 0 && f.ing.count("acme/docs") > 0 })
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(f.logs.String(), "unauthenticated, on loopback only") {
		t.Fatalf("Run did not say how it authenticates:\n%s", f.logs.String())
	}
}
