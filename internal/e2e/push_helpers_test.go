package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/push"
	"github.com/livespec/livespec/retrieval"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// slackPost is one chat.postMessage the service sent.
type slackPost struct {
	Channel, Thread, Text string
	Blocks                []slack.Block
}

// fakeSlack is a slacktest server recording chat.postMessage; limited
// posts are first answered with 429 and Retry-After: 1.
type fakeSlack struct {
	srv     *slacktest.Server
	mu      sync.Mutex
	posts   []slackPost
	limited int
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			f.mu.Lock()
			limited := f.limited > 0
			if limited {
				f.limited--
			}
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			if limited {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
				return
			}
			p := slackPost{Channel: r.Form.Get("channel"), Thread: r.Form.Get("thread_ts"), Text: r.Form.Get("text")}
			var bs slack.Blocks
			if err := json.Unmarshal([]byte(r.Form.Get("blocks")), &bs); err == nil {
				p.Blocks = bs.BlockSet
			}
			f.mu.Lock()
			f.posts = append(f.posts, p)
			f.mu.Unlock()
			_, _ = w.Write([]byte(`{"ok":true,"channel":"` + p.Channel + `","ts":"1700000000.000100"}`))
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) client() *slack.Client {
	return slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL()))
}

func (f *fakeSlack) Posts() []slackPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]slackPost(nil), f.posts...)
}

// env is an index of a repository, a push state file and a service over
// them with a settable clock.
type env struct {
	t       testing.TB
	ctx     context.Context
	repo    *gittest.Repo
	index   *sqlite.Store
	asst    *retrieval.Assistant
	state   string // push state file
	store   *sqlite.PushStore
	slack   *fakeSlack
	clock   *clock
	sleeps  []time.Duration
	svc     *push.Service
	mutateC func(*push.Config)
}

// newEnv builds a repository with spec/auth.md and spec/billing.md,
// ingests it and starts the service's cursor at its head.
func newEnv(t *testing.T, mutate func(*push.Config)) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	r := gittest.New(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	r.Write("spec/auth.md", "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 24 hours.\n\n## Login\n\nUsers log in with email and password.\n")
	r.Write("spec/billing.md", "# Billing\n\n## Invoices\n\nInvoices are sent monthly by email to the account owner.\n")
	r.Commit("Initial spec")
	dir := t.TempDir()
	idx, err := sqlite.Open(ctx, filepath.Join(dir, "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	e := &env{t: t, ctx: ctx, repo: r, index: idx, state: filepath.Join(dir, sqlite.PushFile), slack: newFakeSlack(t),
		clock: &clock{t: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}, mutateC: mutate}
	e.asst = &retrieval.Assistant{Store: idx, Now: e.clock.Now, AnswerCache: -1}
	e.ingest()
	e.open()
	if err := e.svc.ProcessChanges(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}

// open (re)opens the push state and builds a new service on it, as a
// restarted process would.
func (e *env) open() {
	e.t.Helper()
	st, err := sqlite.OpenPush(e.ctx, e.state)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { st.Close() })
	e.store = st
	cfg := push.Config{Store: st, Index: e.index, Assistant: e.asst, Slack: e.slack.client(), Now: e.clock.Now,
		Sleep:     func(ctx context.Context, d time.Duration) error { e.sleeps = append(e.sleeps, d); return nil },
		Permalink: "https://example.test/{commit}/{path}#{anchor}"}
	if e.mutateC != nil {
		e.mutateC(&cfg)
	}
	svc, err := push.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.svc = svc
}

func (e *env) ingest() {
	e.t.Helper()
	if _, err := ingest.Run(e.ctx, e.index, ingest.Options{Repo: "demo", Dir: e.repo.Dir}); err != nil {
		e.t.Fatal(err)
	}
}

// commit writes files, commits at the repository's clock and ingests.
func (e *env) commit(msg string, files map[string]string) string {
	e.t.Helper()
	for p, c := range files {
		e.repo.Write(p, c)
	}
	sha := e.repo.Commit(msg)
	e.ingest()
	return sha
}

func (e *env) step() {
	e.t.Helper()
	if err := e.svc.Step(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func slackDest(channel, thread string) livespec.Destination {
	return livespec.Destination{Kind: livespec.DestSlack, Team: "T1", Channel: channel, Thread: thread, User: "UALICE"}
}

func blocksText(bs []slack.Block) string {
	var b strings.Builder
	for _, x := range bs {
		switch v := x.(type) {
		case *slack.SectionBlock:
			if v.Text != nil {
				b.WriteString(v.Text.Text + "\n")
			}
		case *slack.ActionBlock:
			for _, el := range v.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					b.WriteString("[button " + btn.ActionID + " " + btn.Value + "]\n")
				}
			}
		}
	}
	return b.String()
}
