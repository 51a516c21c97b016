package slackbot_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
)

// memPusher is an in-memory livespec.Pusher that checks schedules the
// way a reader would: only "weekly" and "daily" forms.
type memPusher struct {
	mu      sync.Mutex
	next    int64
	subs    []livespec.Subscription
	watches []livespec.Watch
	answers []livespec.CitedAnswer
}

func (m *memPusher) Subscribe(_ context.Context, s livespec.Subscription) (livespec.Subscription, error) {
	if !strings.HasPrefix(s.Schedule, "weekly") && !strings.HasPrefix(s.Schedule, "daily") {
		return s, livespec.Errorf(livespec.EINVALID, "schedule %q: not a schedule", s.Schedule)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next++
	s.ID, s.Next = m.next, time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC)
	m.subs = append(m.subs, s)
	return s, nil
}

func (m *memPusher) Subscriptions(_ context.Context, owner livespec.Destination) ([]livespec.Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []livespec.Subscription
	for _, s := range m.subs {
		if s.Dest.Channel == owner.Channel {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memPusher) Unsubscribe(_ context.Context, owner livespec.Destination, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range m.subs {
		if s.ID == id && s.Dest.Channel == owner.Channel {
			m.subs = append(m.subs[:i], m.subs[i+1:]...)
			return nil
		}
	}
	return livespec.Errorf(livespec.ENOTFOUND, "there is no subscription %d here", id)
}

func (m *memPusher) Watch(_ context.Context, w livespec.Watch) (livespec.Watch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next++
	w.ID = m.next
	m.watches = append(m.watches, w)
	return w, nil
}

func (m *memPusher) Watches(_ context.Context, owner livespec.Destination) ([]livespec.Watch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []livespec.Watch
	for _, w := range m.watches {
		if w.Dest.Channel == owner.Channel {
			out = append(out, w)
		}
	}
	return out, nil
}

func (m *memPusher) Unwatch(_ context.Context, owner livespec.Destination, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, w := range m.watches {
		if w.ID == id && w.Dest.Channel == owner.Channel {
			m.watches = append(m.watches[:i], m.watches[i+1:]...)
			return nil
		}
	}
	return livespec.Errorf(livespec.ENOTFOUND, "there is no watch %d here", id)
}

func (m *memPusher) RememberAnswer(_ context.Context, dest livespec.Destination, a *livespec.Answer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for _, c := range a.Citations {
		ids = append(ids, c.Commit)
	}
	m.answers = append(m.answers, livespec.CitedAnswer{Dest: dest, Question: a.Question, Versions: ids})
	return nil
}

// slash runs the command /spec text on e's bot and returns its acknowledgement.
func slash(t *testing.T, e *slackbottest.Env, text string) slack.WebhookMessage {
	t.Helper()
	w := slackbottest.Serve(e.Bot.CommandsHandler(), slackbottest.Signed(t, "/slack/commands", "application/x-www-form-urlencoded", slackbottest.SlashBody(text, e.Hooks.URL), time.Now(), slackbottest.Secret))
	var ack slack.WebhookMessage
	if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil || w.Code != 200 {
		t.Fatalf("/spec %s: status %d body %q", text, w.Code, w.Body)
	}
	return ack
}

func TestSlashDigestAndWatches(t *testing.T) {
	p := &memPusher{}
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) { c.Push = p })
	steps := []struct {
		text, want string
		subs, ws   int
	}{
		{"digest", "This channel gets no digest", 0, 0},
		{"digest weekly mon 09:00 Europe/Berlin", "gets a digest of the spec's changes `weekly mon 09:00 Europe/Berlin`; the first on Mon 2026-03-23 08:00 UTC", 1, 0},
		{"digest daily", "`daily`", 1, 0}, // replaces the weekly one
		{"digest", "`daily`, next on", 1, 0},
		{"digest fortnightly", "not a schedule", 1, 0},
		{"digest off", "Digest stopped", 0, 0},
		{"watch docs/checkout.md", "Watching _docs/checkout.md_", 0, 1},
		{"watch coupons", "Watching _coupons_", 0, 2},
		{"watches", "_docs/checkout.md_", 0, 2},
		{"unwatch 3", "Watch 3 stopped", 0, 1},
		{"unwatch 99", "no watch 99", 0, 1},
		{"unwatch x", "Usage: `/spec unwatch N`", 0, 1},
		{"watch", "Usage: `/spec watch", 0, 1},
	}
	for _, s := range steps {
		ack := slash(t, e, s.text)
		if ack.ResponseType != "ephemeral" || !strings.Contains(ack.Text, s.want) {
			t.Errorf("/spec %s = %+v, want ephemeral containing %q", s.text, ack, s.want)
		}
		p.mu.Lock()
		subs, ws := len(p.subs), len(p.watches)
		var dest livespec.Destination
		if len(p.watches) > 0 {
			dest = p.watches[0].Dest
		}
		p.mu.Unlock()
		if subs != s.subs || ws != s.ws {
			t.Fatalf("after /spec %s: %d subscriptions and %d watches, want %d and %d", s.text, subs, ws, s.subs, s.ws)
		}
		if ws > 0 && (dest.Kind != livespec.DestSlack || dest.Channel != slackbottest.Channel || dest.Team != slackbottest.Team || dest.User != slackbottest.Asker1) {
			t.Errorf("watch destination = %+v", dest)
		}
	}
	e.Bot.Wait()
	if n := len(e.Asker.Requests()); n != 0 {
		t.Errorf("push commands asked %d questions", n)
	}
	if help := slash(t, e, "help"); !strings.Contains(help.Text, "/spec digest weekly") || !strings.Contains(help.Text, "/spec unwatch N") {
		t.Errorf("help lacks the push commands: %s", help.Text)
	}
	t.Run("not set up", func(t *testing.T) {
		g := slackbottest.NewEnv(t)
		if ack := slash(t, g, "watch coupons"); !strings.Contains(ack.Text, "not set up") {
			t.Errorf("ack = %+v", ack)
		}
	})
}

// An answer in a thread is remembered with its citations and its thread;
// "Ask again" on a stale-answer notice answers the question again there.
func TestAnswersRememberedAndAskedAgain(t *testing.T) {
	p := &memPusher{}
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) { c.Push = p })
	e.SendEvent(t, slackbottest.EventBody("Ev20", slackbottest.Mention("1700000000.000100", "", "<@UBOT> does checkout support coupons?")), 0)
	e.Bot.Wait()
	p.mu.Lock()
	answers := append([]livespec.CitedAnswer(nil), p.answers...)
	p.mu.Unlock()
	if len(answers) != 1 || answers[0].Dest.Channel != slackbottest.Channel || answers[0].Dest.Thread != "1700000000.000100" ||
		answers[0].Question != slackbottest.Question || len(answers[0].Versions) != 2 {
		t.Fatalf("remembered = %+v", answers)
	}
	w := slackbottest.Serve(e.Bot.InteractiveHandler(), slackbottest.Signed(t, "/slack/interactive", "application/x-www-form-urlencoded",
		slackbottest.ClickBody(t, slackbot.ActionAskAgain, slackbottest.Question, "A source of this answer changed", e.Hooks.URL), time.Now(), slackbottest.Secret))
	if w.Code != 200 {
		t.Fatalf("click: status %d", w.Code)
	}
	e.Bot.Wait()
	reqs := e.Asker.Requests()
	if len(reqs) != 2 || reqs[1].Question != slackbottest.Question {
		t.Fatalf("asked %+v, want the question asked again", reqs)
	}
	posts := e.Slack.Posts()
	last := posts[len(posts)-1]
	if last.Thread != "1700000000.000100" || !strings.Contains(slackbottest.BlockText(last.Blocks), "one coupon") {
		t.Errorf("the new answer = %+v, want it in the thread", last)
	}
}
