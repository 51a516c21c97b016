package slackbot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
	"github.com/slack-go/slack"
)

// TestMentionOfAnotherPerson: a question that mentions someone else by
// their Slack id asks without the id, which no spec mentions and which
// would otherwise be read as what the question is about.
func TestMentionOfAnotherPerson(t *testing.T) {
	e := slackbottest.NewEnv(t)
	e.SendEvent(t, slackbottest.EventBody("EvP", slackbottest.Mention("1700000000.000200", "", "<@UBOT> does <@U024BE7LH> own the coupon rules?")), 0)
	e.Bot.Wait()
	reqs := e.Asker.Requests()
	if len(reqs) != 1 || reqs[0].Question != "does own the coupon rules?" {
		t.Fatalf("asked %+v, want one question without either mention", reqs)
	}
	if posts := e.Slack.Posts(); len(posts) != 1 {
		t.Fatalf("%d posts, want the answer", len(posts))
	}
}

func TestMentionAnswersInThreadWithCitations(t *testing.T) {
	e := slackbottest.NewEnv(t)
	e.SendEvent(t, slackbottest.EventBody("Ev1", slackbottest.Mention("1700000000.000100", "", "<@UBOT> does checkout support coupons?")), 0)
	e.Bot.Wait()

	reqs := e.Asker.Requests()
	if len(reqs) != 1 || reqs[0].Question != slackbottest.Question {
		t.Fatalf("asked %+v, want one question %q (mention stripped)", reqs, slackbottest.Question)
	}
	posts := e.Slack.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1: %+v", len(posts), posts)
	}
	p := posts[0]
	if p.Method != "chat.postMessage" || p.Channel != slackbottest.Channel || p.Thread != "1700000000.000100" {
		t.Fatalf("posted %s to %s thread %q, want a reply in thread 1700000000.000100 of %s", p.Method, p.Channel, p.Thread, slackbottest.Channel)
	}
	slackbottest.ValidateBlocks(t, p.Blocks)
	text := slackbottest.BlockText(p.Blocks)
	for _, want := range []string{
		"checkout accepts *one coupon* per order",
		"<https://git.example.com/shop/blob/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678/specs/checkout.md#coupons|specs/checkout.md › Checkout › Coupons>",
		"valid since 2025-03-04",
		"superseded on 2025-09-10",
		"`a1b2c3d`",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("answer blocks lack %q:\n%s", want, text)
		}
	}
	if !slackbottest.HasFeedbackButtons(p.Blocks) {
		t.Error("answer has no feedback buttons")
	}
	if p.Text == "" || !strings.Contains(p.Text, "specs/checkout.md") {
		t.Errorf("fallback text %q lacks the sources", p.Text)
	}
	if p.Metadata.EventType != "livespec_answer" || p.Metadata.EventPayload["question"] != slackbottest.Question {
		t.Errorf("metadata = %+v, want the answered question", p.Metadata)
	}
}

func TestDirectMessageAnswersInTheDM(t *testing.T) {
	e := slackbottest.NewEnv(t)
	e.SendEvent(t, slackbottest.EventBody("Ev2", slackbottest.Message(slackbottest.DMChan, "im", "1700000000.000200", "", "what changed last quarter?")), 0)
	e.Bot.Wait()
	posts := e.Slack.Posts()
	if len(posts) != 1 || posts[0].Channel != slackbottest.DMChan || posts[0].Thread != "" {
		t.Fatalf("posts = %+v, want one top-level answer in %s", posts, slackbottest.DMChan)
	}
	if reqs := e.Asker.Requests(); len(reqs) != 1 || reqs[0].Question != "what changed last quarter?" {
		t.Fatalf("asked %+v", reqs)
	}
}

func TestDirectMessageFollowUpCarriesRecentTurns(t *testing.T) {
	e := slackbottest.NewEnv(t)
	e.Slack.SetHistory(slackbottest.DMChan, // newest first, as Slack sends them
		slack.Message{Msg: slack.Msg{BotID: slackbottest.BotID, User: slackbottest.BotUser, Text: "Yes: one coupon per order [1].", Timestamp: "1700000000.000300",
			Metadata: slack.SlackMetadata{EventType: "livespec_answer", EventPayload: map[string]any{"question": slackbottest.Question}}}},
		slack.Message{Msg: slack.Msg{User: slackbottest.Asker1, Text: slackbottest.Question, Timestamp: "1700000000.000200"}},
	)
	e.SendEvent(t, slackbottest.EventBody("Ev3", slackbottest.Message(slackbottest.DMChan, "im", "1700000060.000100", "", "who changed it?")), 0)
	e.Bot.Wait()
	reqs := e.Asker.Requests()
	if len(reqs) != 1 || len(reqs[0].History) != 1 || reqs[0].History[0].Question != slackbottest.Question {
		t.Fatalf("asked %+v, want one earlier turn about %q", reqs, slackbottest.Question)
	}
}

func TestThreadFollowUpUsesEarlierTurns(t *testing.T) {
	for _, tt := range []struct {
		followUp, asked, readAs string
	}{
		{"and before that?", "as of 2025-03-03, does checkout support coupons?", "_Read as:_ as of 2025-03-03, does checkout support coupons?"},
		{"who changed it?", "history of does checkout support coupons", "_Read as:_ history of does checkout support coupons"},
		{"does it apply to gift cards too?", "does it apply to gift cards too?", ""},
	} {
		t.Run(tt.followUp, func(t *testing.T) {
			e := slackbottest.NewEnv(t)
			const thread = "1700000000.000100"
			e.Slack.SetReplies(slackbottest.Channel, thread,
				slack.Message{Msg: slack.Msg{User: slackbottest.Asker1, Text: "<@UBOT> does checkout support coupons?", Timestamp: thread}},
				slack.Message{Msg: slack.Msg{BotID: slackbottest.BotID, User: slackbottest.BotUser, Text: "Yes: checkout accepts one coupon per order [1].", Timestamp: "1700000001.000100", ThreadTimestamp: thread,
					Metadata: slack.SlackMetadata{EventType: "livespec_answer", EventPayload: map[string]any{
						"question": slackbottest.Question, "intent": "current", "valid_from": "2025-03-04T10:00:00Z"}}}},
				slack.Message{Msg: slack.Msg{User: slackbottest.Asker1, Text: tt.followUp, Timestamp: "1700000002.000100", ThreadTimestamp: thread}},
			)
			// The follow-up does not mention the bot.
			e.SendEvent(t, slackbottest.EventBody("Ev4", slackbottest.Message(slackbottest.Channel, "channel", "1700000002.000100", thread, tt.followUp)), 0)
			e.Bot.Wait()

			reqs := e.Asker.Requests()
			if len(reqs) != 1 {
				t.Fatalf("asked %d questions, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Question != tt.asked || len(r.History) != 1 || r.History[0].Question != slackbottest.Question ||
				r.History[0].Answer == nil || !strings.Contains(r.History[0].Answer.Answer, "one coupon per order") ||
				!r.History[0].Answer.Citations[0].ValidFrom.Equal(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)) {
				t.Fatalf("request = %+v, want %q with the earlier turn as history", r, tt.asked)
			}
			posts := e.Slack.Posts()
			if len(posts) != 1 || posts[0].Thread != thread {
				t.Fatalf("posts = %+v, want one reply in the thread", posts)
			}
			if text := slackbottest.BlockText(posts[0].Blocks); tt.readAs != "" && !strings.Contains(text, tt.readAs) || tt.readAs == "" && strings.Contains(text, "Read as") {
				t.Errorf("answer does not say how it read the follow-up (%q):\n%s", tt.readAs, text)
			}
		})
	}
}

func TestThreadReplyWhereBotDidNotAnswerIsIgnored(t *testing.T) {
	e := slackbottest.NewEnv(t)
	const thread = "1700000000.000900"
	e.Slack.SetReplies(slackbottest.Channel, thread,
		slack.Message{Msg: slack.Msg{User: "UBOB", Text: "lunch?", Timestamp: thread}},
		slack.Message{Msg: slack.Msg{User: slackbottest.Asker1, Text: "and before that?", Timestamp: "1700000002.000900", ThreadTimestamp: thread}},
	)
	e.SendEvent(t, slackbottest.EventBody("Ev5", slackbottest.Message(slackbottest.Channel, "channel", "1700000002.000900", thread, "and before that?")), 0)
	e.WantSilence(t, "a thread the bot never answered in")
}

func TestIgnoredMessages(t *testing.T) {
	for _, tt := range []struct {
		name  string
		event map[string]any
	}{
		{"bot message", func() map[string]any {
			m := slackbottest.Message(slackbottest.DMChan, "im", "1700000000.000001", "", "hello")
			m["bot_id"] = "BOTHER"
			m["subtype"] = "bot_message"
			return m
		}()},
		{"own message", func() map[string]any {
			m := slackbottest.Message(slackbottest.DMChan, "im", "1700000000.000002", "", "an answer")
			m["bot_id"] = slackbottest.BotID
			m["user"] = slackbottest.BotUser
			return m
		}()},
		{"own message without bot id", func() map[string]any {
			m := slackbottest.Message(slackbottest.DMChan, "im", "1700000000.000006", "", "an answer")
			m["user"] = slackbottest.BotUser
			return m
		}()},
		{"edit", map[string]any{"type": "message", "subtype": "message_changed", "channel": slackbottest.DMChan, "channel_type": "im", "ts": "1700000000.000003",
			"message": map[string]any{"type": "message", "user": slackbottest.Asker1, "text": "edited question?", "ts": "1700000000.000001"}}},
		{"edited mention", func() map[string]any {
			m := slackbottest.Mention("1700000000.000004", "", "<@UBOT> edited?")
			m["edited"] = map[string]any{"user": slackbottest.Asker1, "ts": "1700000001.000000"}
			return m
		}()},
		{"channel message without mention", slackbottest.Message(slackbottest.Channel, "channel", "1700000000.000005", "", "does checkout support coupons?")},
		{"channel message mentioning someone else", slackbottest.Message(slackbottest.Channel, "channel", "1700000000.000007", "", "<@UBOB> does checkout support coupons?")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := slackbottest.NewEnv(t)
			e.SendEvent(t, slackbottest.EventBody("Ev-"+tt.name, tt.event), 0)
			e.WantSilence(t, tt.name)
		})
	}
}

func TestSignatureChecks(t *testing.T) {
	body := slackbottest.EventBody("Ev6", slackbottest.Mention("1700000000.000600", "", "<@UBOT> does checkout support coupons?"))
	for _, tt := range []struct {
		name string
		req  func(t testing.TB) *http.Request
	}{
		{"forged signature", func(t testing.TB) *http.Request {
			return slackbottest.Signed(t, "/slack/events", "application/json", body, time.Now(), "not-the-secret")
		}},
		{"stale timestamp", func(t testing.TB) *http.Request {
			return slackbottest.Signed(t, "/slack/events", "application/json", body, time.Now().Add(-6*time.Minute), slackbottest.Secret)
		}},
		{"future timestamp", func(t testing.TB) *http.Request {
			return slackbottest.Signed(t, "/slack/events", "application/json", body, time.Now().Add(6*time.Minute), slackbottest.Secret)
		}},
		{"body changed after signing", func(t testing.TB) *http.Request {
			r := slackbottest.Signed(t, "/slack/events", "application/json", body, time.Now(), slackbottest.Secret)
			r.Body = http.NoBody
			return r
		}},
		{"no signature", func(t testing.TB) *http.Request {
			r := slackbottest.Signed(t, "/slack/events", "application/json", body, time.Now(), slackbottest.Secret)
			r.Header.Del("X-Slack-Signature")
			return r
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := slackbottest.NewEnv(t)
			for name, h := range map[string]http.Handler{
				"events": e.Bot.EventsHandler(), "commands": e.Bot.CommandsHandler(), "interactive": e.Bot.InteractiveHandler(),
			} {
				if w := slackbottest.Serve(h, tt.req(t)); w.Code != http.StatusUnauthorized {
					t.Errorf("%s: status %d, want 401", name, w.Code)
				}
			}
			e.WantSilence(t, tt.name)
		})
	}
}

func TestURLVerification(t *testing.T) {
	e := slackbottest.NewEnv(t)
	body := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	w := slackbottest.Serve(e.Bot.EventsHandler(), slackbottest.Signed(t, "/slack/events", "application/json", body, time.Now(), slackbottest.Secret))
	if w.Code != 200 || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("status %d body %q, want the challenge", w.Code, w.Body.String())
	}
	w = slackbottest.Serve(e.Bot.EventsHandler(), slackbottest.Signed(t, "/slack/events", "application/json", body, time.Now(), "forged"))
	if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "3eZbrw") {
		t.Fatalf("forged url_verification: status %d body %q", w.Code, w.Body.String())
	}
}

func TestUnknownEventIsAcknowledged(t *testing.T) {
	e := slackbottest.NewEnv(t)
	e.SendEvent(t, slackbottest.EventBody("Ev7", map[string]any{"type": "no_such_event_type", "ts": "1"}), 0)
	e.Bot.Wait()
	if len(e.Slack.Posts()) != 0 {
		t.Fatal("posted for an unknown event")
	}
}

func TestRetriesAnswerOnce(t *testing.T) {
	e := slackbottest.NewEnv(t)
	body := slackbottest.EventBody("Ev8", slackbottest.Mention("1700000000.000800", "", "<@UBOT> does checkout support coupons?"))
	e.SendEvent(t, body, 0)
	e.SendEvent(t, body, 1)
	e.SendEvent(t, body, 2)
	// The same message again as a message event with its own event id.
	e.SendEvent(t, slackbottest.EventBody("Ev8-message", slackbottest.Message(slackbottest.Channel, "channel", "1700000000.000800", "", "<@UBOT> does checkout support coupons?")), 0)
	e.Bot.Wait()
	if n := len(e.Asker.Requests()); n != 1 {
		t.Fatalf("asked %d times, want 1", n)
	}
	if posts := e.Slack.Posts(); len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
}

func TestMentionInMessageEventIsAnswered(t *testing.T) {
	// Only the message event arrives (the app did not subscribe to
	// app_mention): the mention is recognised from the bot's user id.
	e := slackbottest.NewEnv(t)
	e.SendEvent(t, slackbottest.EventBody("Ev9", slackbottest.Message(slackbottest.Channel, "channel", "1700000000.000900", "", "<@UBOT> does checkout support coupons?")), 0)
	e.Bot.Wait()
	posts := e.Slack.Posts()
	if len(posts) != 1 || posts[0].Thread != "1700000000.000900" {
		t.Fatalf("posts = %+v, want one threaded answer", posts)
	}
}

func TestSlashCommandAcksThenAnswersAtResponseURL(t *testing.T) {
	e := slackbottest.NewEnv(t)
	hold := make(chan struct{})
	e.Asker.Answer = func(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
		<-hold // the ack must not wait for the answer
		return slackbottest.AnswerFor(req.Question), nil
	}
	w := slackbottest.Serve(e.Bot.CommandsHandler(), slackbottest.Signed(t, "/slack/commands", "application/x-www-form-urlencoded", slackbottest.SlashBody(slackbottest.Question, e.Hooks.URL), time.Now(), slackbottest.Secret))
	var ack slack.WebhookMessage
	if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil || w.Code != 200 {
		t.Fatalf("ack: status %d body %q: %v", w.Code, w.Body.String(), err)
	}
	if ack.ResponseType != "ephemeral" || !strings.Contains(ack.Text, "Working on it") {
		t.Fatalf("ack = %+v, want an ephemeral working-on-it", ack)
	}
	if n := len(e.Hooks.Messages()); n != 0 {
		t.Fatalf("%d answers before the Asker returned", n)
	}
	close(hold)
	e.Bot.Wait()
	msgs := e.Hooks.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages at response_url, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ResponseType != "in_channel" || m.Blocks == nil {
		t.Fatalf("answer = %+v, want an in_channel message with blocks", m)
	}
	slackbottest.ValidateBlocks(t, m.Blocks.BlockSet)
	text := slackbottest.BlockText(m.Blocks.BlockSet)
	if !strings.Contains(text, "*Q:* "+slackbottest.Question) || !strings.Contains(text, "valid since 2025-03-04") {
		t.Errorf("answer blocks:\n%s", text)
	}
	if len(e.Slack.Posts()) != 0 {
		t.Error("a slash command answer went through chat.postMessage")
	}
}

func TestSlashCommandForms(t *testing.T) {
	for _, tt := range []struct {
		text     string
		asked    string // "" : nothing asked
		ackHas   string
		answered bool
	}{
		{"help", "", "/spec changes PERIOD", false},
		{"", "", "/spec history PATH-or-topic", false},
		{"history", "", "Usage: `/spec history PATH-or-topic`", false},
		{"changes last quarter", "what changed last quarter?", "Working on it", true},
		{"changes", "what changed in the last 7 days?", "Working on it", true},
		{"history coupons", "history of coupons", "Working on it", true},
		{"history specs/checkout.md", "history of specs/checkout.md", "Working on it", true},
		{"what did the refund policy say on 1 March 2025?", "what did the refund policy say on 1 March 2025?", "Working on it", true},
	} {
		t.Run(tt.text, func(t *testing.T) {
			e := slackbottest.NewEnv(t)
			w := slackbottest.Serve(e.Bot.CommandsHandler(), slackbottest.Signed(t, "/slack/commands", "application/x-www-form-urlencoded", slackbottest.SlashBody(tt.text, e.Hooks.URL), time.Now(), slackbottest.Secret))
			var ack slack.WebhookMessage
			if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil {
				t.Fatal(err)
			}
			if ack.ResponseType != "ephemeral" || !strings.Contains(ack.Text, tt.ackHas) {
				t.Fatalf("ack = %+v, want ephemeral containing %q", ack, tt.ackHas)
			}
			e.Bot.Wait()
			reqs := e.Asker.Requests()
			switch {
			case tt.asked == "" && len(reqs) != 0:
				t.Fatalf("asked %+v", reqs)
			case tt.asked != "" && (len(reqs) != 1 || reqs[0].Question != tt.asked):
				t.Fatalf("asked %+v, want %q", reqs, tt.asked)
			}
			if got := len(e.Hooks.Messages()) == 1; got != tt.answered {
				t.Fatalf("answered at response_url: %v, want %v", got, tt.answered)
			}
		})
	}
}

func TestFeedbackButtonStoresRating(t *testing.T) {
	e := slackbottest.NewEnv(t)
	e.SendEvent(t, slackbottest.EventBody("Ev10", slackbottest.Mention("1700000000.000100", "", "<@UBOT> does checkout support coupons?")), 0)
	e.Bot.Wait()
	posts := e.Slack.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	value := slackbottest.FeedbackValue(posts[0].Blocks)
	for _, action := range []string{slackbot.ActionFeedbackDown, slackbot.ActionFeedbackUp} { // the second click replaces the first
		w := slackbottest.Serve(e.Bot.InteractiveHandler(), slackbottest.Signed(t, "/slack/interactive", "application/x-www-form-urlencoded",
			slackbottest.ClickBody(t, action, value, posts[0].Text, e.Hooks.URL), time.Now(), slackbottest.Secret))
		if w.Code != 200 {
			t.Fatalf("click: status %d", w.Code)
		}
		e.Bot.Wait()
	}
	all := e.Feedback.All()
	if len(all) != 1 {
		t.Fatalf("%d ratings stored, want 1 (the same user's second click replaces the first)", len(all))
	}
	f := all[0]
	if f.Rating != 1 || f.Source != "slack" || f.User != "UCAROL" || f.Channel != slackbottest.Channel || f.Thread != "1700000000.000100" || f.Question != slackbottest.Question {
		t.Fatalf("feedback = %+v", f)
	}
	if f.Answer == nil || len(f.Answer.Citations) != 2 || f.Answer.Citations[0].Commit != "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678" {
		t.Fatalf("feedback answer = %+v, want the answer with its citations", f.Answer)
	}
	if f.Time.IsZero() {
		t.Fatal("feedback has no time")
	}
	if n := len(e.Hooks.Messages()); n != 2 {
		t.Fatalf("%d thank-you notes, want 2", n)
	}
}

func TestFeedbackForAnAnswerFromAnotherReplica(t *testing.T) {
	e := slackbottest.NewEnv(t)
	value := `{"id":"2b0c5a3e-1111-4d2a-9d5f-0123456789ab","q":"does checkout support coupons?"}`
	w := slackbottest.Serve(e.Bot.InteractiveHandler(), slackbottest.Signed(t, "/slack/interactive", "application/x-www-form-urlencoded",
		slackbottest.ClickBody(t, slackbot.ActionFeedbackDown, value, "Yes: checkout accepts one coupon per order &amp; more [1].", e.Hooks.URL), time.Now(), slackbottest.Secret))
	if w.Code != 200 {
		t.Fatalf("click: status %d", w.Code)
	}
	e.Bot.Wait()
	all := e.Feedback.All()
	if len(all) != 1 || all[0].Rating != -1 || all[0].Question != slackbottest.Question || all[0].Answer == nil ||
		all[0].Answer.Answer != "Yes: checkout accepts one coupon per order & more [1]." {
		t.Fatalf("feedback = %+v", all)
	}
}

func TestLongAnswersMakeValidBlocks(t *testing.T) {
	para := "The checkout applies **coupons** before taxes & shipping; see [the pricing spec](https://git.example.com/p?a=1&b=2) and `<code>` [1]. "
	for _, tt := range []struct {
		name  string
		chars int
	}{{"3000", 3000}, {"3500", 3500}, {"9000", 9000}, {"30000", 30000}} {
		t.Run(tt.name, func(t *testing.T) {
			var sb strings.Builder
			for i := 0; sb.Len() < tt.chars; i++ {
				sb.WriteString(para)
				if i%5 == 4 {
					sb.WriteString("\n\n")
				}
				if i == 7 {
					sb.WriteString("\n```\nfunc x() { return a < b && c > d }\n" + strings.Repeat("line of code\n", 200) + "```\n")
				}
			}
			e := slackbottest.NewEnv(t)
			e.Asker.Answer = func(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
				a := slackbottest.AnswerFor(req.Question)
				a.Answer = sb.String()
				return a, nil
			}
			e.SendEvent(t, slackbottest.EventBody("Ev-long-"+tt.name, slackbottest.Mention("1700000000.000100", "", "<@UBOT> coupons?")), 0)
			e.Bot.Wait()
			posts := e.Slack.Posts()
			if len(posts) != 1 {
				t.Fatalf("%d posts", len(posts))
			}
			slackbottest.ValidateBlocks(t, posts[0].Blocks)
			text := slackbottest.BlockText(posts[0].Blocks)
			if tt.chars <= slackbot.MaxAnswerChars && strings.Count(text, "see <https://git.example.com/p?a=1&amp;b=2|the pricing spec>") != strings.Count(sb.String(), "[the pricing spec]") {
				t.Errorf("some of the answer is missing")
			}
			if tt.chars > slackbot.MaxAnswerChars && !strings.Contains(text, "it is cut here") {
				t.Errorf("a cut answer does not say so")
			}
			if len([]rune(posts[0].Text)) > 40000 {
				t.Errorf("fallback text of %d characters", len(posts[0].Text))
			}
		})
	}
}

func TestRateLimitPerUser(t *testing.T) {
	now := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) {
		c.RatePerUser = 1
		c.Now = func() time.Time { return now }
	})
	e.SendEvent(t, slackbottest.EventBody("Ev11", slackbottest.Mention("1700000000.001100", "", "<@UBOT> coupons?")), 0)
	e.SendEvent(t, slackbottest.EventBody("Ev12", slackbottest.Mention("1700000000.001200", "", "<@UBOT> refunds?")), 0)
	e.Bot.Wait()
	if n := len(e.Asker.Requests()); n != 1 {
		t.Fatalf("asked %d, want 1", n)
	}
	// The two questions race; whichever came second gets the note, in
	// its own thread, and the other the answer.
	posts := e.Slack.Posts()
	if len(posts) != 2 {
		t.Fatalf("posts = %+v, want an answer and a note", posts)
	}
	var note, answer slackbottest.Post
	for _, p := range posts {
		if p.Method == "chat.postEphemeral" {
			note = p
		} else {
			answer = p
		}
	}
	if note.User != slackbottest.Asker1 || note.Thread == "" || note.Thread == answer.Thread || !strings.Contains(note.Text, "try again in 60 seconds") {
		t.Fatalf("posts = %+v, want an ephemeral rate-limit note to the asker in the other thread", posts)
	}
	// Another user is not limited.
	other := slackbottest.Mention("1700000000.001300", "", "<@UBOT> coupons?")
	other["user"] = "UBOB"
	e.SendEvent(t, slackbottest.EventBody("Ev13", other), 0)
	e.Bot.Wait()
	if n := len(e.Asker.Requests()); n != 2 {
		t.Fatalf("asked %d, want 2", n)
	}
	// A slash command is refused in its acknowledgement.
	w := slackbottest.Serve(e.Bot.CommandsHandler(), slackbottest.Signed(t, "/slack/commands", "application/x-www-form-urlencoded", slackbottest.SlashBody("refunds?", e.Hooks.URL), time.Now(), slackbottest.Secret))
	if !strings.Contains(w.Body.String(), "try again in") {
		t.Fatalf("ack = %s, want the rate-limit note", w.Body.String())
	}
}

func TestRateLimitPerWorkspace(t *testing.T) {
	now := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) {
		c.RatePerTeam = 2
		c.Now = func() time.Time { return now }
	})
	for i, u := range []string{"U1", "U2", "U3"} {
		m := slackbottest.Mention("1700000000.00140"+string(rune('0'+i)), "", "<@UBOT> coupons?")
		m["user"] = u
		e.SendEvent(t, slackbottest.EventBody("Ev14-"+u, m), 0)
	}
	e.Bot.Wait()
	if n := len(e.Asker.Requests()); n != 2 {
		t.Fatalf("asked %d, want 2", n)
	}
	found := false
	for _, p := range e.Slack.Posts() {
		found = found || (p.Method == "chat.postEphemeral" && strings.Contains(p.Text, "This workspace"))
	}
	if !found {
		t.Fatalf("posts = %+v, want a workspace limit note", e.Slack.Posts())
	}
}

func TestBusyQueue(t *testing.T) {
	q := limit.New(1, 0)
	release, err := q.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) { c.Queue = q })
	e.SendEvent(t, slackbottest.EventBody("Ev15", slackbottest.Mention("1700000000.001500", "", "<@UBOT> coupons?")), 0)
	e.Bot.Wait()
	posts := e.Slack.Posts()
	if len(posts) != 1 || posts[0].Thread != "1700000000.001500" || !strings.Contains(posts[0].Text, "a lot of questions") {
		t.Fatalf("posts = %+v, want a busy note in the thread", posts)
	}
	if n := len(e.Asker.Requests()); n != 0 {
		t.Fatalf("asked %d with a full queue", n)
	}
}

// TestAnswersPassTheGate: a Slack answer waits for a place at the shared
// running gate, as the HTTP API's answers do, and runs once one frees.
func TestAnswersPassTheGate(t *testing.T) {
	gate := limit.NewGate(1)
	leave, err := gate.Enter(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) { c.Gate = gate })
	e.SendEvent(t, slackbottest.EventBody("Ev16", slackbottest.Mention("1700000000.001600", "", "<@UBOT> coupons?")), 0)
	deadline := time.Now().Add(10 * time.Second)
	for urgent, _ := gate.Waiting(); urgent != 1; urgent, _ = gate.Waiting() {
		if time.Now().After(deadline) {
			t.Fatalf("the Slack answer is not waiting at the gate (asked %d)", len(e.Asker.Requests()))
		}
		time.Sleep(time.Millisecond)
	}
	if n := len(e.Asker.Requests()); n != 0 {
		t.Fatalf("asked %d while the gate was full", n)
	}
	leave()
	e.Bot.Wait()
	if n := len(e.Asker.Requests()); n != 1 {
		t.Fatalf("asked %d once the gate freed, want 1", n)
	}
	if u, o := gate.Running(); u+o != 0 {
		t.Fatalf("the answer kept its place at the gate: %d light, %d heavy running", u, o)
	}
}

func TestAskerErrorsAreReported(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
		not  string
	}{
		{"invalid", livespec.Errorf(livespec.EINVALID, "the question is too long (2100 characters, at most 2000)"), "the question is too long", ""},
		{"unavailable", livespec.WrapError(livespec.EUNAVAILABLE, errors.New("dial tcp 10.0.0.3:6334: refused"), "the store at 10.0.0.3:6334 is down"), "spec index or a service it needs is unavailable", "10.0.0.3"},
		{"unavailable, safe message", livespec.WrapPublic(livespec.EUNAVAILABLE, errors.New("authentication required"), "cannot fetch the repository specs",
			"clone https://bob:hunter2@git.example.com/specs.git"), "cannot fetch the repository specs", "hunter2"},
		{"internal", errors.New("nil pointer in /srv/secret/path"), "Something went wrong", "/srv/secret"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := slackbottest.NewEnv(t)
			e.Asker.Answer = func(context.Context, livespec.AskRequest, func(string) error) (*livespec.Answer, error) {
				return nil, tt.err
			}
			e.SendEvent(t, slackbottest.EventBody("Ev16", slackbottest.Mention("1700000000.001600", "", "<@UBOT> coupons?")), 0)
			e.Bot.Wait()
			posts := e.Slack.Posts()
			if len(posts) != 1 || !strings.Contains(posts[0].Text, tt.want) || (tt.not != "" && strings.Contains(posts[0].Text, tt.not)) {
				t.Fatalf("posts = %+v, want one note containing %q", posts, tt.want)
			}
		})
	}
}

func TestStreamedAnswerUpdatesOnePlaceholder(t *testing.T) {
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) { c.StreamInterval = 5 * time.Millisecond })
	seen := make(chan slackbottest.Post, 16)
	e.Slack.OnPost(func(p slackbottest.Post) { seen <- p })
	e.Asker.Answer = func(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
		_ = onToken("Yes: checkout ")
		if p := <-seen; p.Method != "chat.postMessage" || !strings.Contains(slackbottest.BlockText(p.Blocks), "Yes: checkout") {
			t.Errorf("first post = %+v, want the placeholder with the text so far", p)
		}
		_ = onToken("accepts **one coupon** per order [1].")
		if p := <-seen; p.Method != "chat.update" || !strings.Contains(slackbottest.BlockText(p.Blocks), "*one coupon*") {
			t.Errorf("second post = %+v, want an update with more text", p)
		}
		return slackbottest.AnswerFor(req.Question), nil
	}
	e.SendEvent(t, slackbottest.EventBody("Ev17", slackbottest.Mention("1700000000.001700", "", "<@UBOT> coupons?")), 0)
	e.Bot.Wait()
	posts := e.Slack.Posts()
	var creates int
	for _, p := range posts {
		if p.Method == "chat.postMessage" {
			creates++
		}
	}
	last := posts[len(posts)-1]
	if creates != 1 || last.Method != "chat.update" || last.TS != "1700000500.000001" || !slackbottest.HasFeedbackButtons(last.Blocks) {
		t.Fatalf("posts = %+v, want one placeholder then updates ending with the full answer", posts)
	}
	slackbottest.ValidateBlocks(t, last.Blocks)
	if last.Metadata.EventType != "livespec_answer" {
		t.Errorf("final update has no answer metadata")
	}
}

func TestCloseCancelsAnswersAndLeavesNoGoroutines(t *testing.T) {
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) { c.StreamInterval = time.Millisecond })
	started := make(chan struct{})
	e.Asker.Answer = func(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
		_ = onToken("partial ")
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	e.SendEvent(t, slackbottest.EventBody("Ev18", slackbottest.Mention("1700000000.001800", "", "<@UBOT> coupons?")), 0)
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Bot.Close(ctx); err != nil {
		t.Fatal(err)
	}
	slackbottest.NoBotGoroutines(t)
}

func TestNewChecksConfig(t *testing.T) {
	a := &slackbottest.Asker{}
	for _, tt := range []struct {
		name string
		cfg  slackbot.Config
	}{
		{"no bot token", slackbot.Config{SigningSecret: "s", Asker: a}},
		{"no secret nor app token", slackbot.Config{BotToken: "xoxb-1", Asker: a}},
		{"no asker", slackbot.Config{BotToken: "xoxb-1", SigningSecret: "s"}},
		{"bot token as app token", slackbot.Config{BotToken: "xoxb-1", AppToken: "xoxb-2", Asker: a}},
		{"bad API URL", slackbot.Config{BotToken: "xoxb-1", SigningSecret: "s", Asker: a, APIURL: "slack.example.com/api"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := slackbot.New(tt.cfg); livespec.ErrorCode(err) != livespec.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
	}
}

func TestMountRegistersThreeEndpoints(t *testing.T) {
	e := slackbottest.NewEnv(t)
	got := map[string]bool{}
	if err := e.Bot.Mount(func(method, path string, h http.Handler) error {
		got[method+" "+path] = h != nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"POST /slack/events", "POST /slack/commands", "POST /slack/interactive"} {
		if !got[want] {
			t.Errorf("%s not mounted (got %v)", want, got)
		}
	}
}

func TestEmptyMentionGetsAHint(t *testing.T) {
	e := slackbottest.NewEnv(t)
	e.SendEvent(t, slackbottest.EventBody("Ev30", slackbottest.Mention("1700000000.003000", "", "<@UBOT>")), 0)
	e.Bot.Wait()
	posts := e.Slack.Posts()
	if len(posts) != 1 || posts[0].Method != "chat.postEphemeral" || !strings.Contains(posts[0].Text, "/spec help") {
		t.Fatalf("posts = %+v, want an ephemeral hint", posts)
	}
	if n := len(e.Asker.Requests()); n != 0 {
		t.Fatalf("asked %d", n)
	}
}

func TestDirectMessageThreadReplyAnswersInThread(t *testing.T) {
	e := slackbottest.NewEnv(t)
	const thread = "1700000000.004000"
	e.Slack.SetReplies(slackbottest.DMChan, thread,
		slack.Message{Msg: slack.Msg{User: slackbottest.Asker1, Text: slackbottest.Question, Timestamp: thread}},
		slack.Message{Msg: slack.Msg{BotID: slackbottest.BotID, User: slackbottest.BotUser, Text: "Yes.", Timestamp: "1700000001.004000", ThreadTimestamp: thread}},
	)
	e.SendEvent(t, slackbottest.EventBody("Ev31", slackbottest.Message(slackbottest.DMChan, "im", "1700000002.004000", thread, "does it apply to gift cards?")), 0)
	e.Bot.Wait()
	posts := e.Slack.Posts()
	if len(posts) != 1 || posts[0].Channel != slackbottest.DMChan || posts[0].Thread != thread {
		t.Fatalf("posts = %+v, want a reply in the DM thread", posts)
	}
	// Without metadata the earlier question is the person's message before
	// the bot's answer.
	if r := e.Asker.Requests(); len(r) != 1 || len(r[0].History) != 1 || r[0].History[0].Question != slackbottest.Question {
		t.Fatalf("requests = %+v", r)
	}
}

func TestSlackRateLimitIsRetried(t *testing.T) {
	e := slackbottest.NewEnv(t)
	e.Slack.RateLimit(1)
	e.SendEvent(t, slackbottest.EventBody("Ev32", slackbottest.Mention("1700000000.003200", "", "<@UBOT> coupons?")), 0)
	e.Bot.Wait()
	if posts := e.Slack.Posts(); len(posts) != 1 || !slackbottest.HasFeedbackButtons(posts[0].Blocks) {
		t.Fatalf("posts = %+v, want the answer posted once after the 429", posts)
	}
}

func TestSlowAnswerTimesOutWithANote(t *testing.T) {
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) { c.AskTimeout = 20 * time.Millisecond })
	// Telling who the bot is takes longer than the whole answer may: the
	// mention is still answered, with the timeout note.
	e.Slack.DelayAuth(100 * time.Millisecond)
	e.Asker.Answer = func(ctx context.Context, _ livespec.AskRequest, _ func(string) error) (*livespec.Answer, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	e.SendEvent(t, slackbottest.EventBody("Ev33", slackbottest.Mention("1700000000.003300", "", "<@UBOT> coupons?")), 0)
	w := slackbottest.Serve(e.Bot.CommandsHandler(), slackbottest.Signed(t, "/slack/commands", "application/x-www-form-urlencoded", slackbottest.SlashBody("coupons?", e.Hooks.URL), time.Now(), slackbottest.Secret))
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	e.Bot.Wait()
	posts := e.Slack.Posts()
	if len(posts) != 1 || posts[0].Thread != "1700000000.003300" || !strings.Contains(posts[0].Text, "took too long") {
		t.Fatalf("posts = %+v, want a timeout note in the thread", posts)
	}
	hooks := e.Hooks.Messages()
	if len(hooks) != 1 || hooks[0].ResponseType != "ephemeral" || !strings.Contains(hooks[0].Text, "took too long") {
		t.Fatalf("response_url got %+v, want an ephemeral timeout note", hooks)
	}
}

func TestQuietThreadsAreReadOnceAMinute(t *testing.T) {
	now := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) {
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	const thread = "1700000000.005000"
	e.Slack.SetReplies(slackbottest.Channel, thread, slack.Message{Msg: slack.Msg{User: "UBOB", Text: "lunch?", Timestamp: thread}})
	calls := e.Slack.RepliesCalls
	for i, ts := range []string{"1700000001.005000", "1700000002.005000", "1700000003.005000"} {
		e.SendEvent(t, slackbottest.EventBody("Ev40-"+ts, slackbottest.Message(slackbottest.Channel, "channel", ts, thread, "sure")), 0)
		e.Bot.Wait()
		if got := calls(); got != 1 {
			t.Fatalf("after reply %d: %d conversations.replies calls, want 1", i+1, got)
		}
	}
	// A mention in the thread is answered at once, and from then on
	// follow-ups without a mention are too.
	e.SendEvent(t, slackbottest.EventBody("Ev41", slackbottest.Mention("1700000004.005000", thread, "<@UBOT> coupons?")), 0)
	e.Bot.Wait()
	e.Slack.SetReplies(slackbottest.Channel, thread,
		slack.Message{Msg: slack.Msg{User: "UBOB", Text: "lunch?", Timestamp: thread}},
		slack.Message{Msg: slack.Msg{User: slackbottest.Asker1, Text: "<@UBOT> coupons?", Timestamp: "1700000004.005000", ThreadTimestamp: thread}},
		slack.Message{Msg: slack.Msg{BotID: slackbottest.BotID, User: slackbottest.BotUser, Text: "Yes.", Timestamp: "1700000005.005000", ThreadTimestamp: thread}},
	)
	e.SendEvent(t, slackbottest.EventBody("Ev42", slackbottest.Message(slackbottest.Channel, "channel", "1700000006.005000", thread, "and gift cards?")), 0)
	e.Bot.Wait()
	if n := len(e.Asker.Requests()); n != 2 {
		t.Fatalf("asked %d, want the mention and the follow-up", n)
	}
	// A quiet thread is read again after a minute.
	e.Slack.SetReplies(slackbottest.Channel, "1700000000.006000", slack.Message{Msg: slack.Msg{User: "UBOB", Text: "hi", Timestamp: "1700000000.006000"}})
	before := calls()
	e.SendEvent(t, slackbottest.EventBody("Ev43", slackbottest.Message(slackbottest.Channel, "channel", "1700000001.006000", "1700000000.006000", "hi")), 0)
	e.Bot.Wait()
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	e.SendEvent(t, slackbottest.EventBody("Ev44", slackbottest.Message(slackbottest.Channel, "channel", "1700000002.006000", "1700000000.006000", "hi")), 0)
	e.Bot.Wait()
	if got := calls() - before; got != 2 {
		t.Fatalf("%d reads of a quiet thread over a minute apart, want 2", got)
	}
}

func TestThreadRepliesNotForTheBot(t *testing.T) {
	for _, text := range []string{"thanks!", "Thank you so much", "ok", ":+1:", ":tada: :pray:", "<@UBOB> can you confirm?"} {
		t.Run(text, func(t *testing.T) {
			e := slackbottest.NewEnv(t)
			const thread = "1700000000.007000"
			e.Slack.SetReplies(slackbottest.Channel, thread,
				slack.Message{Msg: slack.Msg{User: slackbottest.Asker1, Text: "<@UBOT> coupons?", Timestamp: thread}},
				slack.Message{Msg: slack.Msg{BotID: slackbottest.BotID, User: slackbottest.BotUser, Text: "Yes.", Timestamp: "1700000001.007000", ThreadTimestamp: thread}},
			)
			e.SendEvent(t, slackbottest.EventBody("Ev50", slackbottest.Message(slackbottest.Channel, "channel", "1700000002.007000", thread, text)), 0)
			e.WantSilence(t, "a thanks: "+text)
		})
	}
}

// TestCloseWhileEventsArrive: events that arrive while the bot closes are
// never started after Close began waiting (run with -race: starting one
// then was a WaitGroup Add racing its Wait), and Close returns in time.
func TestCloseWhileEventsArrive(t *testing.T) {
	e := slackbottest.NewEnv(t)
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			e.SendEvent(t, slackbottest.EventBody(fmt.Sprintf("EvClose%d", i), slackbottest.Mention(fmt.Sprintf("1700000001.%06d", i), "", "<@UBOT> coupons?")), 0)
		}
	}()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Bot.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	close(stop)
	<-sent
}
