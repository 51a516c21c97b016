package e2e_test

import (
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/push"
)

// replica opens the push state file again and builds a second service on
// it under another lease owner, as a second API replica sharing the state
// volume would.
func (e *env) replica(owner string) (*push.Service, *sqlite.PushStore) {
	e.t.Helper()
	st, err := sqlite.OpenPush(e.ctx, e.state)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { st.Close() })
	cfg := push.Config{Store: st, Index: e.index, Assistant: e.asst, Slack: e.slack.client(), Now: e.clock.Now, Owner: owner,
		Permalink: "https://example.test/{commit}/{path}#{anchor}"}
	svc, err := push.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return svc, st
}

// TestReplicasSendEachNotificationOnce runs three services on one push
// state file, stepping at the same time, as three API replicas would: a
// watch notice, a stale-answer notice and a scheduled digest each reach
// Slack exactly once.
func TestReplicasSendEachNotificationOnce(t *testing.T) {
	e := newEnv(t, nil)
	replicas := []*push.Service{e.svc}
	for _, owner := range []string{"replica-b", "replica-c"} {
		svc, _ := e.replica(owner)
		replicas = append(replicas, svc)
	}
	if _, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest("CWATCH", ""), Target: "spec/auth.md"}); err != nil {
		t.Fatal(err)
	}
	if _, err := replicas[1].Subscribe(e.ctx, livespec.Subscription{Dest: slackDest("CDIGEST", ""), Schedule: "daily 09:00"}); err != nil {
		t.Fatal(err)
	}
	ans, err := e.asst.Ask(e.ctx, livespec.AskRequest{Question: "when do access tokens expire?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := replicas[2].RememberAnswer(e.ctx, slackDest("CQA", "1700000000.000001"), ans); err != nil {
		t.Fatal(err)
	}
	e.repo.When = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	e.commit("Auth: one-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour.\n\n## Login\n\nUsers log in with email and password.\n"})
	e.clock.Set(time.Date(2026, 3, 3, 9, 0, 1, 0, time.UTC)) // the digest is due
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		errs := make([]error, len(replicas))
		for i, svc := range replicas {
			wg.Go(func() { errs[i] = svc.Step(e.ctx) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, replica %d: %v", round, i, err)
			}
		}
	}
	got := map[string]int{}
	for _, p := range e.slack.Posts() {
		got[p.Channel]++
	}
	if want := map[string]int{"CWATCH": 1, "CDIGEST": 1, "CQA": 1}; len(got) != len(want) || got["CWATCH"] != 1 || got["CDIGEST"] != 1 || got["CQA"] != 1 {
		t.Errorf("posts per channel %v, want %v", got, want)
	}
}

// TestLeaseOfADeadReplica: a delivery claimed by a replica that dies
// before sending it is not sent by another while the lease holds (two
// minutes), and is sent once, by another, after it expires.
func TestLeaseOfADeadReplica(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.svc.Watch(e.ctx, livespec.Watch{Dest: slackDest("CW", ""), Target: "spec/auth.md"}); err != nil {
		t.Fatal(err)
	}
	e.commit("Auth: one-hour tokens", map[string]string{"spec/auth.md": "# Authentication\n\n## Token expiry\n\nAccess tokens expire after 1 hour.\n"})
	if err := e.svc.ProcessChanges(e.ctx); err != nil {
		t.Fatal(err)
	}
	_, dead := e.replica("dead")
	claimed, err := dead.Claim(e.ctx, "dead", e.clock.Now(), 2*time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("the dead replica claimed %d deliveries (%v), want 1", len(claimed), err)
	}
	t0 := e.clock.Now()
	for _, s := range []struct {
		after time.Duration
		posts int
	}{{0, 0}, {time.Minute + 59*time.Second, 0}, {2*time.Minute + time.Second, 1}, {10 * time.Minute, 1}} {
		e.clock.Set(t0.Add(s.after))
		e.step()
		if n := len(e.slack.Posts()); n != s.posts {
			t.Fatalf("%v after the dead replica's claim: %d posts, want %d", s.after, n, s.posts)
		}
	}
}
