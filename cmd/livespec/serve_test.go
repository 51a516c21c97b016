package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/push"
	"github.com/livespec/livespec/slackbot/slackbottest"
)

// freeAddr returns a loopback address with a port free at the time of asking.
func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestServe runs `livespec serve` following a repository by URL, and uses it
// as a client would: ingest on start, ask (plain and streamed), changes, a
// signed GitHub push that ingests a new commit, metrics, the Slack
// endpoint, and a clean shutdown.
func TestServe(t *testing.T) {
	r := specRepo(t)
	addr := freeAddr(t)
	base := "http://" + addr
	env := map[string]string{
		"XDG_CACHE_HOME":       t.TempDir(),
		"LIVESPEC_API_TOKENS":  "t0ken",
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_SIGNING_SECRET": "slack-secret",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &lockedWriter{w: &bytes.Buffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--index", t.TempDir(), "--repo-url", r.Dir, "--github-secret", "gh-secret"},
			func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, stderr)
	}()

	call := func(method, path, body string, hdr map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t0ken")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if ok() {
				return
			}
		}
		t.Fatalf("timed out waiting for %s; server log:\n%s", what, stderr.String())
	}
	name := filepath.Base(r.Dir)
	changesOf := func(since string) []livespec.AnswerChange {
		code, body := call("GET", "/v1/changes?since="+since+"&repo="+name, "", nil)
		if code != 200 {
			return nil
		}
		var page struct{ Changes []livespec.AnswerChange }
		json.Unmarshal([]byte(body), &page)
		return page.Changes
	}
	waitFor("the start-up ingest", func() bool { return len(changesOf("2025-01-01")) > 0 })

	if code, _ := call("GET", "/v1/changes?since=2025-01-01", "", map[string]string{"Authorization": "Bearer wrong"}); code != 401 {
		t.Errorf("wrong token: status %d, want 401", code)
	}

	code, body := call("POST", "/v1/ask", `{"question":"How long do access tokens last?","now":"2025-09-01T00:00:00Z"}`, nil)
	var ans livespec.Answer
	if err := json.Unmarshal([]byte(body), &ans); code != 200 || err != nil || len(ans.Citations) == 0 || ans.Citations[0].Path != "spec/auth.md" {
		t.Fatalf("ask: %d %s", code, body)
	}

	code, body = call("POST", "/v1/ask", `{"question":"what changed in May 2025?"}`, map[string]string{"Accept": "text/event-stream"})
	if code != 200 || !strings.Contains(body, "event: answer") || !strings.Contains(body, "spec/payments.md") {
		t.Errorf("streamed ask: %d %s", code, body)
	}

	// A watch on spec/auth.md, delivered to a signed outgoing webhook.
	var hookMu sync.Mutex
	var hooked []livespec.Notification
	var hookBodies [][]byte
	var hookHeaders []http.Header
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var n livespec.Notification
		_ = json.Unmarshal(b, &n)
		hookMu.Lock()
		hooked, hookBodies, hookHeaders = append(hooked, n), append(hookBodies, b), append(hookHeaders, r.Header.Clone())
		hookMu.Unlock()
	}))
	defer hook.Close()
	code, body = call("POST", "/v1/watches", `{"webhook_url":"`+hook.URL+`","target":"spec/auth.md"}`, nil)
	var created struct{ Secret string }
	if err := json.Unmarshal([]byte(body), &created); code != 201 || err != nil || created.Secret == "" {
		t.Fatalf("watch: %d %s", code, body)
	}

	// A push: a new commit, announced by a signed GitHub webhook.
	r.When = time.Date(2025, 9, 2, 12, 0, 0, 0, time.UTC)
	r.Write("spec/auth.md", "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 15 minutes.\n")
	newCommit := r.Commit("Even shorter tokens")
	payload := fmt.Sprintf(`{"ref":"refs/heads/main","repository":{"full_name":%q}}`, name)
	mac := hmac.New(sha256.New, []byte("gh-secret"))
	mac.Write([]byte(payload))
	code, body = call("POST", "/v1/webhooks/github", payload, map[string]string{
		"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1", "X-Hub-Signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil)),
	})
	if code != 202 {
		t.Fatalf("webhook: %d %s", code, body)
	}
	waitFor("the pushed commit", func() bool {
		for _, c := range changesOf("2025-09-02") {
			if c.Commit == newCommit {
				return true
			}
		}
		return false
	})

	waitFor("the watch notification", func() bool { hookMu.Lock(); defer hookMu.Unlock(); return len(hooked) > 0 })
	hookMu.Lock()
	if n := hooked[0]; n.Kind != livespec.NoticeWatch || n.Commit == nil || n.Commit.Commit != newCommit ||
		!push.Verify(created.Secret, hookHeaders[0], hookBodies[0], time.Now(), time.Hour) {
		t.Errorf("watch notification = %+v", n)
	}
	hookMu.Unlock()

	// A push to a branch the index does not follow starts no ingest,
	// although serve was given no --branch: it follows HEAD's branch.
	featurePush := fmt.Sprintf(`{"ref":"refs/heads/feature","repository":{"full_name":%q}}`, name)
	fmac := hmac.New(sha256.New, []byte("gh-secret"))
	fmac.Write([]byte(featurePush))
	code, body = call("POST", "/v1/webhooks/github", featurePush, map[string]string{
		"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-2", "X-Hub-Signature-256": "sha256=" + hex.EncodeToString(fmac.Sum(nil)),
	})
	if code != 200 || !strings.Contains(body, `"ignored"`) {
		t.Errorf("push to an untracked branch: %d %s, want 200 ignored", code, body)
	}

	code, body = call("GET", "/metrics", "", nil)
	if code != 200 || !strings.Contains(body, "livespec_") {
		t.Errorf("metrics: %d", code)
	}

	// The Slack bot is mounted and verifies signatures.
	slackBody := `{"type":"url_verification","challenge":"ch4llenge"}`
	ts, sig := slackbottest.Sign("slack-secret", time.Now(), []byte(slackBody))
	code, body = call("POST", "/slack/events", slackBody, map[string]string{
		"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig,
	})
	if code != 200 || !strings.Contains(body, "ch4llenge") {
		t.Errorf("slack url_verification: %d %s", code, body)
	}
	if code, _ = call("POST", "/slack/events", slackBody, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=00"}); code != 401 {
		t.Errorf("forged slack request: %d, want 401", code)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	// Every goroutine serve started has ended: the warm-up, the ingest
	// jobs, the answers, the HTTP server.
	slackbottest.NoGoroutines(t, "github.com/livespec/livespec/")
	// Logs are structured and never show the token.
	sc := bufio.NewScanner(strings.NewReader(stderr.String()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "t0ken") {
			t.Errorf("token logged: %s", sc.Text())
		}
	}
}

func TestServeRefusesOpenBind(t *testing.T) {
	_, _, err := livespecRun(t, map[string]string{"HOME": t.TempDir()}, "serve", "--addr", "0.0.0.0:0", "--index", t.TempDir())
	if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), "token") {
		t.Errorf("serve on 0.0.0.0 without tokens: %v", err)
	}
}

func TestServeRefusesBadIngestDefer(t *testing.T) {
	for _, v := range []string{"soon", "-1s"} {
		_, _, err := livespecRun(t, map[string]string{"HOME": t.TempDir()}, "serve", "--index", t.TempDir(), "--ingest-defer", v)
		if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), "--ingest-defer") {
			t.Errorf("serve --ingest-defer %s: %v", v, err)
		}
	}
}

func TestServeRefusesBadMaxRunning(t *testing.T) {
	_, _, err := livespecRun(t, map[string]string{"HOME": t.TempDir()}, "serve", "--index", t.TempDir(), "--max-running", "few")
	if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), "--max-running") {
		t.Errorf("serve --max-running few: %v", err)
	}
}

// lockedWriter serialises writes from the server's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
