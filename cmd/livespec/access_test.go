package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

// accessRepos builds the two repositories of the access tests: a public
// API spec and a confidential roadmap. Everything the roadmap says is
// marked by words no request uses ("quantum", "Zephyr launch",
// "Roadmap") and by its commits.
func accessRepos(t *testing.T) (public, secret *gittest.Repo, secretCommits []string) {
	public = gittest.New(t, time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC))
	public.Write("spec/api.md", "# Public API\n\n## Rate limits\n\nClients may send 100 requests per minute.\n")
	public.Commit("Public API")
	public.When = time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)
	public.Write("spec/api.md", "# Public API\n\n## Rate limits\n\nClients may send 200 requests per minute.\n")
	public.Commit("Raise the rate limit")

	secret = gittest.New(t, time.Date(2025, 1, 7, 9, 0, 0, 0, time.UTC))
	secret.Write("spec/plan.md", "# Product Roadmap\n\n## Zephyr launch\n\nThe quantum billing engine ships in Q4 with rate limits per tenant.\n")
	secretCommits = append(secretCommits, secret.Commit("Roadmap"))
	secret.When = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	secret.Write("spec/plan.md", "# Product Roadmap\n\n## Zephyr launch\n\nThe quantum billing engine ships in Q1 with rate limits per tenant.\n")
	secretCommits = append(secretCommits, secret.Commit("Move Zephyr"))
	return public, secret, secretCommits
}

// leaks returns the secret markers body contains.
func leaks(body string, secretCommits []string) []string {
	var out []string
	for _, m := range []string{"quantum", "Zephyr launch", "Roadmap"} {
		if strings.Contains(body, m) {
			out = append(out, m)
		}
	}
	for _, c := range secretCommits {
		if strings.Contains(body, c[:7]) {
			out = append(out, "commit "+c[:7])
		}
	}
	return out
}

// slackFake records what the bot posts: Web API calls and response_url
// replies.
type slackFake struct {
	srv   *httptest.Server
	mu    sync.Mutex
	posts []string
}

func newSlackFake(t *testing.T) *slackFake {
	f := &slackFake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.posts = append(f.posts, r.URL.Path+" "+string(b))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/auth.test"):
			io.WriteString(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT"}`)
		case strings.Contains(r.URL.Path, "/conversations."):
			io.WriteString(w, `{"ok":true,"messages":[]}`)
		default:
			io.WriteString(w, `{"ok":true,"ts":"1700000000.000100","channel":"C0"}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *slackFake) all() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := strings.Join(f.posts, "\n")
	if u, err := url.QueryUnescape(s); err == nil {
		s = u
	}
	return s
}

func (f *slackFake) reset() { f.mu.Lock(); f.posts = nil; f.mu.Unlock() }

// TestServeAccessScopes serves a public and a confidential repository
// from one server with an access file, and checks every route of the API
// and the web page (as /openapi.json lists them), and every Slack entry
// point (slash command, mention, DM), with three scopes: one repository,
// both, none. No response or post for a caller without the roadmap
// contains its text, paths, titles or commits, and change totals count
// only what the caller may read.
func TestServeAccessScopes(t *testing.T) {
	public, secret, secretCommits := accessRepos(t)
	pub, sec := filepath.Base(public.Dir), filepath.Base(secret.Dir)
	accessFile := filepath.Join(t.TempDir(), "access.yaml")
	writeTestFile(t, accessFile, fmt.Sprintf(`tokens:
  - name: docs-site
    token: ${ONE_TOKEN}
    repos: [%[1]s]
  - name: staff
    token: both-token-0123456789
    repos: [%[1]s, %[2]s]
    ingest: true
  - name: nobody
    token: none-token-0123456789
    repos: []
slack:
  channels:
    C0PUBLIC1: [%[1]s]
    C0STAFF01: ["*"]
  dm: [%[1]s]
`, pub, sec))
	slackAPI := newSlackFake(t)
	addr := freeAddr(t)
	base := "http://" + addr
	env := map[string]string{
		"XDG_CACHE_HOME": t.TempDir(), "ONE_TOKEN": "one-token-0123456789",
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "slack-secret", "LIVESPEC_SLACK_API_URL": slackAPI.srv.URL + "/api/",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &lockedWriter{w: &bytes.Buffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--index", t.TempDir(), "--repo", public.Dir, "--repo", secret.Dir, "--access", accessFile},
			func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, stderr)
	}()
	call := func(token, method, path, body string, hdr ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, body := call("both-token-0123456789", "GET", "/v1/changes?since=2025-01-01", "")
		if strings.Contains(body, pub) && strings.Contains(body, sec) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the start-up ingest did not finish; log:\n%s", stderr.String())
		}
	}

	// Every operation /openapi.json lists, with requests that name the
	// roadmap (by repo, path and topic) and requests that name nothing.
	_, doc := call("", "GET", "/openapi.json", "")
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(doc), &spec); err != nil || len(spec.Paths) < 10 {
		t.Fatalf("openapi: %v", err)
	}
	type probe struct{ method, path, body string }
	var probes []probe
	param := regexp.MustCompile(`\{[a-z]+\}`)
	for p, ops := range spec.Paths {
		if strings.HasPrefix(p, "/slack/") || strings.HasPrefix(p, "/v1/webhooks/") {
			continue // signed by Slack and the forges, tested below and in api
		}
		for m := range ops {
			method := strings.ToUpper(m)
			for _, path := range []string{param.ReplaceAllString(p, "spec/plan.md"), param.ReplaceAllString(p, "spec/api.md")} {
				for _, q := range []string{"", "?since=2025-01-01", "?repo=" + sec, "?q=zephyr+billing+engine", "?q=rate+limits&period=this+year", "?path=spec/plan.md", "?at=2025-02-01"} {
					body := ""
					if method == "POST" {
						body = `{"question":"when does the zephyr billing engine ship?","repo":"` + sec + `"}`
						probes = append(probes, probe{method, path + q, `{"question":"what are the rate limits for tenants and the billing engine?"}`})
						probes = append(probes, probe{method, path + q, `{"question":"what changed since 2025-01-01?"}`})
					}
					probes = append(probes, probe{method, path + q, body})
				}
			}
		}
	}
	for _, tt := range []struct {
		name, token string
		secret      bool // may read the roadmap
	}{
		{"one repository", "one-token-0123456789", false},
		{"both repositories", "both-token-0123456789", true},
		{"no repository", "none-token-0123456789", false},
	} {
		t.Run("api/"+tt.name, func(t *testing.T) {
			seen := 0
			for _, p := range probes {
				code, body := call(tt.token, p.method, p.path, p.body)
				if code >= 500 {
					t.Errorf("%s %s: status %d: %.300s", p.method, p.path, code, body)
				}
				if l := leaks(body, secretCommits); len(l) > 0 {
					if !tt.secret {
						t.Errorf("%s %s %s: the response shows %v from outside the scope: %.400s", p.method, p.path, p.body, l, body)
					}
					seen++
				}
			}
			if tt.secret && seen == 0 {
				t.Error("a caller who may read the roadmap never saw it: the probes do not reach it")
			}
			// Change totals count only the caller's repositories.
			_, body := call(tt.token, "GET", "/v1/changes?since=2025-01-01", "")
			var page struct{ Changes []livespec.AnswerChange }
			_ = json.Unmarshal([]byte(body), &page)
			for _, c := range page.Changes {
				if c.Repo != pub && !tt.secret {
					t.Errorf("a change of another repository listed: %+v", c)
				}
			}
			if tt.name == "no repository" && len(page.Changes) != 0 {
				t.Errorf("a caller who may read nothing got %d changes", len(page.Changes))
			}
			if tt.name == "one repository" && len(page.Changes) == 0 {
				t.Error("a caller of the public repository got no changes")
			}
		})
	}
	// An explicit repository outside the scope is the same 404 as an
	// unknown one.
	c1, b1 := call("one-token-0123456789", "GET", "/v1/changes?repo="+sec, "")
	c2, b2 := call("one-token-0123456789", "GET", "/v1/changes?repo=no-such-repo", "")
	if c1 != 404 || c2 != 404 || strings.ReplaceAll(b1, sec, "X") != strings.ReplaceAll(b2, "no-such-repo", "X") {
		t.Errorf("outside the scope %d %s; unknown %d %s", c1, b1, c2, b2)
	}
	if code, _ := call("one-token-0123456789", "POST", "/v1/ingest", `{"repo":"`+pub+`"}`); code != 403 {
		t.Errorf("ingest by a token without the right: %d, want 403", code)
	}
	if code, body := call("both-token-0123456789", "POST", "/v1/ingest", `{"repo":"`+sec+`"}`); code != 202 {
		t.Errorf("ingest by a token with the right: %d %s", code, body)
	}

	// Slack: the channel (or the DM) decides what an answer may read.
	for _, tt := range []struct {
		name, channel string
		dm, secret    bool
	}{
		{"public channel", "C0PUBLIC1", false, false},
		{"staff channel", "C0STAFF01", false, true},
		{"channel without a rule", "C0OTHER01", false, false},
		{"DM", "D0DIRECT1", true, false},
	} {
		t.Run("slack/"+tt.name, func(t *testing.T) {
			slackAPI.reset()
			for i, q := range []string{"when does the zephyr billing engine ship?", "changes since January 2025", "history zephyr launch"} {
				slash(t, base, url.Values{"command": {"/spec"}, "text": {q}, "channel_id": {tt.channel}, "user_id": {"U0ASKER1"},
					"team_id": {"T1"}, "response_url": {slackAPI.srv.URL + "/respond/" + strconv.Itoa(i)}})
				inner := map[string]any{"type": "app_mention", "user": "U0ASKER1", "text": "<@UBOT> " + q, "ts": fmt.Sprintf("1700000001.%06d", i), "channel": tt.channel}
				if tt.dm {
					inner = map[string]any{"type": "message", "channel_type": "im", "user": "U0ASKER1", "text": q, "ts": fmt.Sprintf("1700000001.%06d", i), "channel": tt.channel}
				}
				event(t, base, inner, fmt.Sprintf("Ev%s%d", tt.channel, i))
			}
			var posts string
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				posts = slackAPI.all()
				if strings.Count(posts, "/respond/") >= 3 && strings.Count(posts, "chat.") >= 3 && !strings.Contains(posts[strings.LastIndex(posts, "/respond/"):], "Working on it") {
					break
				}
			}
			l := leaks(posts, secretCommits)
			switch {
			case tt.secret && len(l) == 0:
				t.Errorf("the staff channel's answers never showed the roadmap:\n%.2000s", posts)
			case !tt.secret && len(l) > 0:
				t.Errorf("Slack posts show %v from outside the scope:\n%.3000s", l, posts)
			}
		})
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
	logs := stderr.String()
	for _, want := range []string{`"caller":"docs-site"`, `"caller":"slack:U0ASKER1@C0STAFF01"`, `"repos":["` + pub + `"]`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the audit log lacks %s", want)
		}
	}
	if strings.Contains(logs, "one-token-0123456789") || strings.Contains(logs, "both-token") {
		t.Error("a token reached the logs")
	}
}

func writeTestFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// slackPost sends a request signed with the test's signing secret.
func slackPost(t *testing.T, url, contentType, body string) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte("slack-secret"))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d", url, resp.StatusCode)
	}
}

func slash(t *testing.T, base string, v url.Values) {
	slackPost(t, base+"/slack/commands", "application/x-www-form-urlencoded", v.Encode())
}

func event(t *testing.T, base string, inner map[string]any, id string) {
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T1", "event_id": id, "event_time": time.Now().Unix(), "event": inner})
	slackPost(t, base+"/slack/events", "application/json", string(b))
}

// TestServeRefusesABadAccessFile checks that serve stops at start, naming
// the fault, when the access file names a repository it neither indexes
// nor follows, or holds a malformed rule.
func TestServeRefusesABadAccessFile(t *testing.T) {
	r := specRepo(t)
	for _, tt := range []struct{ name, yaml, want string }{
		{"unknown repository", "tokens:\n  - {name: a, token: tok-0123456789, repos: [no-such-repo]}\n", `"no-such-repo"`},
		{"malformed rule", "tokens:\n  - {name: a, token: tok-0123456789}\n", "needs repos"},
		{"unknown field", "slack:\n  chanels: {}\n", "chanels"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.yaml")
			writeTestFile(t, path, tt.yaml)
			_, _, err := livespecRun(t, map[string]string{"XDG_CACHE_HOME": t.TempDir()},
				"serve", "--addr", "127.0.0.1:0", "--index", t.TempDir(), "--repo", r.Dir, "--access", path)
			if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve with a bad access file: %v, want EINVALID mentioning %s", err, tt.want)
			}
		})
	}
}
