package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/push"
	"github.com/livespec/livespec/slackbot"
)

// A weekly digest at 09:00 Europe/Berlin fires at 08:00 UTC before the
// switch to summer time (29 March 2026) and at 07:00 UTC after it, covers
// the week between, and a digest of an empty week is sent only when asked.
func TestScheduledDigestAcrossDST(t *testing.T) {
	e := newEnv(t, nil)
	e.clock.Set(time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC))
	e.repo.When = time.Date(2026, 3, 25, 10, 0, 0, 0, time.UTC)
	e.commit("Shorter tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour.\n\n## Login\n\nUsers log in with email and password.\n"})

	sub, err := e.svc.Subscribe(e.ctx, livespec.Subscription{Dest: slackDest("CDIGEST", ""), Schedule: "weekly mon 09:00 Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC); !sub.Next.Equal(want) {
		t.Fatalf("first digest due %v, want %v (09:00 CET)", sub.Next, want)
	}
	quiet, err := e.svc.Subscribe(e.ctx, livespec.Subscription{Dest: slackDest("CQUIET", ""), Schedule: "weekly mon 09:00 Europe/Berlin", Paths: []string{"spec/billing.md"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = quiet
	steps := []struct {
		at    time.Time
		posts int
	}{
		{time.Date(2026, 3, 23, 7, 59, 0, 0, time.UTC), 0},
		{time.Date(2026, 3, 23, 8, 0, 5, 0, time.UTC), 0},  // due, but nothing changed in the week before: not sent
		{time.Date(2026, 3, 30, 6, 59, 0, 0, time.UTC), 0}, // 08:59 CEST
		{time.Date(2026, 3, 30, 7, 0, 5, 0, time.UTC), 1},  // 09:00 CEST: the week with the token change
		{time.Date(2026, 3, 30, 7, 30, 0, 0, time.UTC), 1},
	}
	for _, s := range steps {
		e.clock.Set(s.at)
		e.step()
		if got := len(e.slack.Posts()); got != s.posts {
			t.Fatalf("at %v: %d posts, want %d: %+v", s.at, got, s.posts, e.slack.Posts())
		}
	}
	p := e.slack.Posts()[0]
	if p.Channel != "CDIGEST" || !strings.Contains(p.Text, "Spec digest: 2026-03-23 08:00 to 2026-03-30 07:00 UTC") ||
		!strings.Contains(p.Text, "1 commit changed 1 document") || !strings.Contains(p.Text, "1 hour") {
		t.Errorf("digest post = %+v", p)
	}
	subs, err := e.svc.Subscriptions(e.ctx, livespec.Destination{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if want := time.Date(2026, 4, 6, 7, 0, 0, 0, time.UTC); !s.Next.Equal(want) {
			t.Errorf("subscription %d next due %v, want %v", s.ID, s.Next, want)
		}
	}

	t.Run("an empty digest is sent when asked", func(t *testing.T) {
		if _, err := e.svc.Subscribe(e.ctx, livespec.Subscription{Dest: slackDest("CEMPTY", ""), Schedule: "daily 09:00", SendEmpty: true}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(time.Date(2026, 3, 31, 9, 0, 1, 0, time.UTC))
		e.step()
		ps := e.slack.Posts()
		if len(ps) != 2 || ps[1].Channel != "CEMPTY" || !strings.Contains(ps[1].Text, "No spec changes.") {
			t.Errorf("posts = %+v", ps)
		}
	})
}

// A watch on a path posts once for the commit that changes a matching
// file, with the text before and after, and nothing for other commits; a
// watch on a topic uses the answers' topic matching.
func TestWatches(t *testing.T) {
	e := newEnv(t, nil)
	pathW, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest("CPATH", ""), Target: "spec/auth.md"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest("CTOPIC", ""), Target: "invoices"}); err != nil {
		t.Fatal(err)
	}
	e.repo.When = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	e.commit("Billing: invoices weekly", map[string]string{"spec/billing.md": "# Billing\n\n## Invoices\n\nInvoices are sent weekly by email to the account owner.\n"})
	e.step()
	ps := e.slack.Posts()
	if len(ps) != 1 || ps[0].Channel != "CTOPIC" {
		t.Fatalf("after the billing commit: posts %+v, want one to the topic watch", ps)
	}
	sha := e.commit("Auth: one-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour.\n\n## Login\n\nUsers log in with email and password.\n"})
	e.step()
	e.step()
	ps = e.slack.Posts()
	if len(ps) != 2 || ps[1].Channel != "CPATH" {
		t.Fatalf("after the auth commit: posts %+v, want one more, to the path watch", ps)
	}
	text := blocksText(ps[1].Blocks)
	for _, want := range []string{sha[:7], "Token expiry", "before: “Access tokens expire after 24 hours.”", "now: “Access tokens expire after 1 hour.”", "<https://example.test/" + sha} {
		if !strings.Contains(text, want) {
			t.Errorf("watch message lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "](") || strings.Contains(ps[1].Text, "](") {
		t.Errorf("watch message shows Markdown link syntax, which Slack does not read:\n%s", text)
	}

	t.Run("list and unwatch by owner", func(t *testing.T) {
		ws, err := e.svc.Watches(e.ctx, slackDest("CPATH", ""))
		if err != nil || len(ws) != 1 || ws[0].ID != pathW.ID {
			t.Fatalf("watches = %+v, %v", ws, err)
		}
		if err := e.svc.Unwatch(e.ctx, slackDest("CTOPIC", ""), pathW.ID); livespec.ErrorCode(err) != livespec.ENOTFOUND {
			t.Errorf("another channel's unwatch = %v, want ENOTFOUND", err)
		}
		if err := e.svc.Unwatch(e.ctx, slackDest("CPATH", ""), pathW.ID); err != nil {
			t.Fatal(err)
		}
		e.commit("Auth: two-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 2 hours.\n"})
		e.step()
		if n := len(e.slack.Posts()); n != 2 {
			t.Errorf("%d posts after unwatching, want 2", n)
		}
	})
	for _, bad := range []string{"", "docs/[unclosed.md"} {
		if _, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest("C1", ""), Target: bad}); livespec.ErrorCode(err) != livespec.EINVALID {
			t.Errorf("Watch(%q) = %v, want EINVALID", bad, err)
		}
	}
}

// An answer in a thread citing a section gets one notice in that thread
// after the section changes, none after an unrelated commit, and the
// notice carries "Ask again".
func TestStaleAnswerNotice(t *testing.T) {
	e := newEnv(t, nil)
	ans, err := e.asst.Ask(e.ctx, livespec.AskRequest{Question: "when do access tokens expire?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cited := false
	for _, c := range ans.Citations {
		cited = cited || (c.Path == "spec/auth.md" && strings.Contains(c.Heading, "Token expiry"))
	}
	if !cited {
		t.Fatalf("the answer does not cite Token expiry: %+v", ans.Citations)
	}
	if err := e.svc.RememberAnswer(e.ctx, slackDest("CQA", "1700000000.000001"), ans); err != nil {
		t.Fatal(err)
	}
	e.repo.When = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	e.commit("Billing: invoices weekly", map[string]string{"spec/billing.md": "# Billing\n\n## Invoices\n\nInvoices are sent weekly.\n"})
	e.step()
	if ps := e.slack.Posts(); len(ps) != 0 {
		t.Fatalf("an unrelated commit caused posts: %+v", ps)
	}
	sha := e.commit("Auth: one-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour.\n\n## Login\n\nUsers log in with email and password.\n"})
	e.step()
	e.step()
	ps := e.slack.Posts()
	if len(ps) != 1 {
		t.Fatalf("posts = %+v, want one notice", ps)
	}
	p := ps[0]
	text := blocksText(p.Blocks)
	if p.Channel != "CQA" || p.Thread != "1700000000.000001" {
		t.Errorf("notice posted to %s/%s, want the answer's thread", p.Channel, p.Thread)
	}
	for _, want := range []string{"A source of this answer changed", sha[:7], "2026-03-10", "Token expiry", "now: “Access tokens expire after 1 hour.”", "[button " + slackbot.ActionAskAgain + " when do access tokens expire?]"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q:\n%s", want, text)
		}
	}

	t.Run("retention forgets old answers", func(t *testing.T) {
		now, err := e.asst.Ask(e.ctx, livespec.AskRequest{Question: "when do access tokens expire?"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RememberAnswer(e.ctx, slackDest("COLD", "1.2"), now); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(e.clock.Now().Add(push.DefaultRetention + time.Hour))
		if err := e.svc.RememberAnswer(e.ctx, slackDest("CNEW", "3.4"), now); err != nil {
			t.Fatal(err)
		}
		e.step()
		e.commit("Auth: two-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 2 hours.\n"})
		e.step()
		ps := e.slack.Posts()
		if len(ps) != 2 || ps[1].Channel != "CNEW" {
			t.Errorf("posts = %+v; want one more, to the answer within the retention only", ps)
		}
	})
}

// A restart after the ingest but before the delivery neither loses nor
// duplicates the notification, whether the changes were already turned
// into deliveries or not.
func TestRestartBetweenIngestAndDelivery(t *testing.T) {
	for _, tc := range []struct {
		name     string
		enqueued bool
	}{{"after enqueue", true}, {"before enqueue", false}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			if _, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest("CW", ""), Target: "spec/*.md"}); err != nil {
				t.Fatal(err)
			}
			e.commit("Auth: one-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour.\n"})
			if tc.enqueued {
				if err := e.svc.ProcessChanges(e.ctx); err != nil {
					t.Fatal(err)
				}
			}
			e.store.Close() // the process dies here
			e.open()
			e.step()
			e.step()
			e.open() // and once more, after delivering
			e.step()
			if ps := e.slack.Posts(); len(ps) != 1 {
				t.Errorf("posts = %d, want exactly 1", len(ps))
			}
		})
	}
}

// An outgoing webhook's body is signed (HMAC-SHA256 over timestamp and
// body); a failing endpoint is retried with backoff until it answers, and
// one that keeps failing is given up after the last attempt, recorded as
// failed with its cause.
func TestWebhookSignedAndRetried(t *testing.T) {
	const secret = "s3cret"
	var mu sync.Mutex
	fail := 2
	var got []livespec.Notification
	verified := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if push.Verify(secret, r.Header, body, time.Unix(mustInt(r.Header.Get(push.HeaderTimestamp)), 0), 5*time.Minute) {
			verified++
		}
		if fail > 0 {
			fail--
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		var n livespec.Notification
		_ = json.Unmarshal(body, &n)
		got = append(got, n)
	}))
	t.Cleanup(hook.Close)
	e := newEnv(t, func(c *push.Config) { c.HTTP = hook.Client(); c.Backoff = time.Minute; c.MaxAttempts = 3 })
	dest := livespec.Destination{Kind: livespec.DestWebhook, URL: hook.URL + "/hook", Secret: secret}
	if _, err := e.svc.Subscribe(e.ctx, livespec.Subscription{Dest: dest, Schedule: "daily 13:00", SendEmpty: true}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 13, 0, 1, 0, time.UTC)
	for i, at := range []time.Time{t0, t0.Add(30 * time.Second), t0.Add(61 * time.Second), t0.Add(3*time.Minute + 2*time.Second)} {
		e.clock.Set(at)
		e.step()
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if want := map[int]int{0: 0, 1: 0, 2: 0, 3: 1}[i]; n != want {
			t.Fatalf("step %d at %v: %d received, want %d", i, at, n, want)
		}
	}
	mu.Lock()
	if verified != 3 || got[0].Kind != livespec.NoticeDigest || got[0].Digest == nil {
		t.Errorf("verified %d of 3 attempts; received %+v", verified, got)
	}
	if push.Verify("wrong", http.Header{push.HeaderTimestamp: {"1"}, push.HeaderSignature: {push.Sign(secret, 1, []byte("x"))}}, []byte("x"), time.Unix(1, 0), time.Minute) {
		t.Error("a signature verified with the wrong secret")
	}
	fail = 100
	mu.Unlock()

	t.Run("given up after the last attempt", func(t *testing.T) {
		at := time.Date(2026, 3, 3, 13, 0, 1, 0, time.UTC)
		for i := 0; i < 6; i++ {
			e.clock.Set(at.Add(time.Duration(i) * 10 * time.Minute))
			e.step()
		}
		ds, err := e.store.Deliveries(e.ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if ds[0].State != livespec.DeliveryFailed || ds[0].Attempts != 3 || !strings.Contains(ds[0].LastError, "502") {
			t.Errorf("latest delivery = %+v", ds[0])
		}
	})
}

// A Slack rate limit is waited out as Slack asks (Retry-After), and the
// message is posted once.
func TestSlackRateLimit(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest("CW", ""), Target: "spec/auth.md"}); err != nil {
		t.Fatal(err)
	}
	e.slack.mu.Lock()
	e.slack.limited = 2
	e.slack.mu.Unlock()
	e.commit("Auth: one-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour.\n"})
	e.step()
	if ps := e.slack.Posts(); len(ps) != 1 {
		t.Fatalf("posts = %d, want 1", len(ps))
	}
	if len(e.sleeps) != 2 || e.sleeps[0] != time.Second {
		t.Errorf("waits = %v, want two of 1s", e.sleeps)
	}
}

// Run steps until its context ends, and returns.
func TestRunStops(t *testing.T) {
	e := newEnv(t, func(c *push.Config) { c.Interval = 5 * time.Millisecond; c.Now = time.Now })
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()
	e.svc.Kick()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func mustInt(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

// A repository's first ingest, written batch by batch while push runs, is
// history, not news: the cursor starts once no ingest of it runs.
func TestFirstIngestIsNotNews(t *testing.T) {
	var busy atomic.Bool
	busy.Store(true)
	e := newEnv(t, func(c *push.Config) { c.Ingesting = func(string) bool { return busy.Load() } })
	if _, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest("CW", ""), Target: "spec/*.md"}); err != nil {
		t.Fatal(err)
	}
	e.commit("More of the first ingest", map[string]string{"spec/auth.md": "# Authentication\n\nAccess tokens expire after 1 hour.\n"})
	e.step()
	busy.Store(false)
	e.step()
	if ps := e.slack.Posts(); len(ps) != 0 {
		t.Fatalf("the first ingest's history was posted: %+v", ps)
	}
	e.commit("News", map[string]string{"spec/auth.md": "# Authentication\n\nAccess tokens expire after 2 hours.\n"})
	e.step()
	if ps := e.slack.Posts(); len(ps) != 1 {
		t.Errorf("posts = %d after a new commit, want 1", len(ps))
	}
}

// TestAccessChecked: a watch or stale notice is queued only for a
// destination that may see the repository (Config.Allow), and a queued
// notification is checked again when it is sent: a destination whose
// access was withdrawn in between gets nothing (the delivery is denied).
func TestAccessChecked(t *testing.T) {
	var mu sync.Mutex
	allowed := map[string]bool{"CYES": true, "CLATER": true}
	e := newEnv(t, func(c *push.Config) {
		c.Allow = func(_ context.Context, d livespec.Destination, repo string) bool {
			mu.Lock()
			defer mu.Unlock()
			return repo == "demo" && allowed[d.Channel]
		}
	})
	for _, ch := range []string{"CYES", "CNO", "CLATER"} {
		if _, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest(ch, ""), Target: "spec/auth.md"}); err != nil {
			t.Fatal(err)
		}
	}
	e.repo.When = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	e.commit("Auth: one-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour.\n\n## Login\n\nUsers log in with email and password.\n"})
	if err := e.svc.ProcessChanges(e.ctx); err != nil {
		t.Fatal(err)
	}
	queued := func() map[string]string {
		ds, err := e.store.Deliveries(e.ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, d := range ds {
			out[d.Dest.Channel] = string(d.State)
		}
		return out
	}
	if q := queued(); len(q) != 2 || q["CNO"] != "" {
		t.Fatalf("queued %v; want CYES and CLATER only", q)
	}
	mu.Lock()
	allowed["CLATER"] = false // access withdrawn before the send
	mu.Unlock()
	e.step()
	if ps := e.slack.Posts(); len(ps) != 1 || ps[0].Channel != "CYES" {
		t.Fatalf("posts %+v; want one, to CYES", ps)
	}
	if q := queued(); q["CLATER"] != string(livespec.DeliveryDenied) || q["CYES"] != string(livespec.DeliverySent) {
		t.Errorf("delivery states %v; want CLATER denied, CYES sent", q)
	}
}

// TestRetentionIsConfigurable: with a retention of 7 days, an answer
// remembered 8 days before a change gets no notice and one remembered 6
// days before does; each is remembered across a restart.
func TestRetentionIsConfigurable(t *testing.T) {
	const week = 7 * 24 * time.Hour
	e := newEnv(t, func(c *push.Config) { c.Retention = week })
	ans, err := e.asst.Ask(e.ctx, livespec.AskRequest{Question: "when do access tokens expire?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := e.clock.Now()
	for _, a := range []struct {
		channel string
		age     time.Duration
	}{{"COLD", 8 * 24 * time.Hour}, {"CYOUNG", 6 * 24 * time.Hour}} {
		e.clock.Set(t0.Add(10*24*time.Hour - a.age))
		if err := e.svc.RememberAnswer(e.ctx, slackDest(a.channel, "1.2"), ans); err != nil {
			t.Fatal(err)
		}
	}
	e.open() // a restart keeps both
	e.clock.Set(t0.Add(10 * 24 * time.Hour))
	e.repo.When = e.clock.Now()
	e.commit("Auth: one-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour.\n"})
	e.step()
	ps := e.slack.Posts()
	if len(ps) != 1 || ps[0].Channel != "CYOUNG" {
		t.Errorf("posts %+v; want one notice, to the answer younger than the retention", ps)
	}
}

// countsForbidden is an index whose Repos (every repository with its
// counts of files, versions and changes, a scan of the whole index)
// fails: push has no use for the counts.
type countsForbidden struct{ *sqlite.Store }

func (countsForbidden) Repos(context.Context) ([]livespec.RepoInfo, error) {
	return nil, errors.New("push counted every version and change of the index")
}

// TestChangesReadWithoutCounting checks that looking for new changes after
// an ingest reads the repositories' checkpoints, not their counts: it runs
// after every ingest, while questions are answered.
func TestChangesReadWithoutCounting(t *testing.T) {
	e := newEnv(t, func(c *push.Config) { c.Index = countsForbidden{c.Index.(*sqlite.Store)} })
	if _, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest("CBILL", ""), Target: "spec/billing.md"}); err != nil {
		t.Fatal(err)
	}
	e.repo.When = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	e.commit("Billing: invoices weekly", map[string]string{"spec/billing.md": "# Billing\n\n## Invoices\n\nInvoices are sent weekly by email to the account owner.\n"})
	e.step()
	if ps := e.slack.Posts(); len(ps) != 1 || ps[0].Channel != "CBILL" {
		t.Fatalf("after the billing commit: posts %+v, want one to the watch", ps)
	}
}
