package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder records what reaches one kind of push destination: webhook
// bodies by receiver, Slack posts by channel.
type recorder struct {
	mu  sync.Mutex
	got map[string][]string
}

func (r *recorder) add(key, body string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.got == nil {
		r.got = map[string][]string{}
	}
	r.got[key] = append(r.got[key], body)
}

func (r *recorder) all(key string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.got[key], "\n")
}

// pushSlackFake is a Slack Web API recording each chat.postMessage under
// its channel (Slack sends forms; the text and blocks are unescaped).
func pushSlackFake(t *testing.T, rec *recorder) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/auth.test"):
			io.WriteString(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT"}`)
			return
		case strings.Contains(r.URL.Path, "/conversations."):
			io.WriteString(w, `{"ok":true,"messages":[]}`)
			return
		}
		form, _ := url.ParseQuery(string(b))
		ch := form.Get("channel")
		rec.add(ch, r.URL.Path+" "+form.Get("thread_ts")+" "+form.Get("text")+" "+form.Get("blocks"))
		fmt.Fprintf(w, `{"ok":true,"ts":"1700000000.%06d","channel":%q}`, time.Now().Nanosecond()/1000, ch)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestServeAccessPush combines an access file with every push path:
// digests, watches and stale-answer notices, set up through API tokens
// (webhooks) and in Slack channels. A subscriber scoped to the public
// repository never receives the roadmap's text, titles, paths or commits
// through any of them, while it does receive the public repository's news;
// a subscriber who may read both receives the roadmap's (so the test sees
// a leak when there is one), and one who may read nothing receives nothing.
func TestServeAccessPush(t *testing.T) {
	public, secret, secretCommits := accessRepos(t)
	pub, sec := filepath.Base(public.Dir), filepath.Base(secret.Dir)
	accessFile := filepath.Join(t.TempDir(), "access.yaml")
	writeTestFile(t, accessFile, fmt.Sprintf(`tokens:
  - name: docs-site
    token: one-token-0123456789
    repos: [%[1]s]
    subscribe: true
  - name: staff
    token: both-token-0123456789
    repos: [%[1]s, %[2]s]
    ingest: true
    subscribe: true
  - name: nobody
    token: none-token-0123456789
    repos: []
    subscribe: true
slack:
  channels:
    C0PUBLIC1: [%[1]s]
    C0STAFF01: ["*"]
  dm: [%[1]s]
`, pub, sec))
	hooks, posts := &recorder{}, &recorder{}
	hook := func(name string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			hooks.add(name, string(b))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	slackAPI := pushSlackFake(t, posts)
	addr := freeAddr(t)
	base := "http://" + addr
	env := map[string]string{
		"XDG_CACHE_HOME": t.TempDir(), "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "slack-secret",
		"LIVESPEC_SLACK_API_URL": slackAPI.URL + "/api/",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &lockedWriter{w: &bytes.Buffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--index", t.TempDir(), "--repo", public.Dir, "--repo", secret.Dir,
			"--access", accessFile, "--push-interval", "1s"},
			func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, stderr)
	}()
	call := func(token, method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitFor := func(what string, d time.Duration, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(d); !ok(); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: timed out; log:\n%s", what, stderr.String())
			}
		}
	}
	waitFor("start-up ingest", 60*time.Second, func() bool {
		_, body := call("both-token-0123456789", "GET", "/v1/changes?since=2025-01-01", "")
		return strings.Contains(body, pub) && strings.Contains(body, sec)
	})

	// Set up every push path, for a subscriber of the public repository
	// and for one of both. The watch target matches paths in both.
	const everyMinute = "* * * * *"
	for _, s := range []struct{ token, hook string }{{"one-token-0123456789", hook("one")}, {"both-token-0123456789", hook("both")}, {"none-token-0123456789", hook("none")}} {
		for _, p := range []struct{ path, body string }{
			{"/v1/subscriptions", `{"webhook_url":"` + s.hook + `","schedule":"` + everyMinute + `"}`},
			{"/v1/watches", `{"webhook_url":"` + s.hook + `","target":"spec/**"}`},
			{"/v1/watches", `{"webhook_url":"` + s.hook + `","target":"rate limits"}`},
		} {
			if code, body := call(s.token, "POST", p.path, p.body); code != http.StatusCreated {
				t.Fatalf("POST %s %s: %d %s", p.path, p.body, code, body)
			}
		}
	}
	for i, ch := range []string{"C0PUBLIC1", "C0STAFF01", "D0DIRECT1"} {
		for _, cmd := range []string{"digest " + everyMinute, "watch spec/**", "watch rate limits"} {
			slash(t, base, url.Values{"command": {"/spec"}, "text": {cmd}, "channel_id": {ch}, "user_id": {"U0ASKER1"}, "team_id": {"T1"},
				"response_url": {slackAPI.URL + "/respond/" + ch}})
		}
		// Answers the bot remembers for stale-answer notices: one about
		// each repository's rate limits.
		for j, q := range []string{"what are the rate limits?", "what rate limits does the zephyr billing engine have?"} {
			inner := map[string]any{"type": "app_mention", "user": "U0ASKER1", "text": "<@UBOT> " + q, "ts": fmt.Sprintf("1700000001.%03d%03d", i, j), "channel": ch}
			if strings.HasPrefix(ch, "D") {
				inner = map[string]any{"type": "message", "channel_type": "im", "user": "U0ASKER1", "text": q, "ts": fmt.Sprintf("1700000001.%03d%03d", i, j), "channel": ch}
			}
			event(t, base, inner, fmt.Sprintf("Ev%s%d", ch, j))
		}
	}
	waitFor("the bot's answers", 60*time.Second, func() bool {
		for _, ch := range []string{"C0PUBLIC1", "C0STAFF01", "D0DIRECT1"} {
			if strings.Count(posts.all(ch), "chat.postMessage") < 2 {
				return false
			}
		}
		return true
	})
	time.Sleep(time.Second) // the answers are remembered after they are posted

	// Both repositories change, in commits dated inside the minute whose
	// end the digests are due at, and are ingested before it ends.
	now := time.Now().UTC()
	due := now.Truncate(time.Minute).Add(time.Minute)
	if due.Sub(now) < 40*time.Second {
		due = due.Add(time.Minute)
	}
	when := due.Add(-10 * time.Second).Format(time.RFC3339)
	public.Write("spec/api.md", "# Public API\n\n## Rate limits\n\nClients may send 300 requests per minute.\n")
	public.CommitAt(when, "Raise the rate limit again")
	secret.Write("spec/plan.md", "# Product Roadmap\n\n## Zephyr launch\n\nThe quantum billing engine ships in Q2 with rate limits per tenant.\n")
	secretCommits = append(secretCommits, secret.CommitAt(when, "Zephyr slips"))
	for _, r := range []string{pub, sec} {
		if code, body := call("both-token-0123456789", "POST", "/v1/ingest", `{"repo":"`+r+`"}`); code != http.StatusAccepted {
			t.Fatalf("ingest %s: %d %s", r, code, body)
		}
	}
	waitFor("the new commits ingested", 30*time.Second, func() bool {
		_, body := call("both-token-0123456789", "GET", "/v1/changes?since="+due.Add(-time.Minute).Format(time.DateOnly), "")
		return strings.Contains(body, "Raise the rate limit again") && strings.Contains(body, "Zephyr slips")
	})
	if time.Now().After(due) {
		t.Fatalf("the commits were ingested after the digests were due (%s); the machine is too slow for this test", due)
	}

	// What reaches the subscriber of both repositories: the roadmap's
	// news through every path.
	waitFor("the staff's notifications", 2*time.Minute, func() bool {
		h, s := hooks.all("both"), posts.all("C0STAFF01")
		return strings.Count(h, `"kind":"digest"`) > 0 && strings.Count(h, `"kind":"watch"`) >= 2 &&
			strings.Contains(s, "quantum billing engine ships in Q2") && strings.Contains(s, "Spec digest") && strings.Contains(s, "A source of this answer changed")
	})
	if l := leaks(hooks.all("both"), secretCommits); len(l) == 0 {
		t.Error("the webhook of a token that may read the roadmap never got its news")
	}
	// What reaches the subscribers of the public repository: its news, and
	// nothing of the roadmap.
	waitFor("the public subscribers' notifications", 30*time.Second, func() bool {
		h := hooks.all("one")
		if !strings.Contains(h, `"kind":"digest"`) || !strings.Contains(h, `"kind":"watch"`) || !strings.Contains(h, "300 requests") {
			return false
		}
		for _, ch := range []string{"C0PUBLIC1", "D0DIRECT1"} {
			p := posts.all(ch)
			if !strings.Contains(p, "Spec digest") || !strings.Contains(p, "300 requests") || !strings.Contains(p, "A source of this answer changed") {
				return false
			}
		}
		return true
	})
	time.Sleep(3 * time.Second) // anything sent late would be sent by now
	if got := hooks.all("none"); got != "" {
		t.Errorf("the webhook of a token that may read nothing received:\n%.2000s", got)
	}
	for name, got := range map[string]string{
		"webhook of the public token": hooks.all("one"),
		"public Slack channel":        posts.all("C0PUBLIC1"),
		"DM":                          posts.all("D0DIRECT1"),
	} {
		if l := leaks(got, secretCommits); len(l) > 0 || strings.Contains(got, "plan.md") {
			t.Errorf("the %s received %v of the roadmap:\n%.4000s", name, l, got)
		}
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
}
