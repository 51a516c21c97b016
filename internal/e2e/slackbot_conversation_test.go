package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
	"github.com/slack-go/slack"
)

// checkoutAssistant builds a git repository whose checkout spec first refused
// coupons (2025-01-10, by Ada) and then accepted one per order
// (2025-03-04, by Bo), and indexes it in SQLite.
func checkoutAssistant(t *testing.T) *retrieval.Assistant {
	t.Helper()
	r := gittest.New(t, time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC))
	r.Author = "Ada"
	r.Do(gittest.Step{Date: "2025-01-10T12:00:00Z", Msg: "Add checkout",
		Write: map[string]string{"checkout.md": "# Checkout\n\n## Coupons\n\nCheckout does not accept coupons.\n"}})
	r.Author = "Bo"
	r.Do(gittest.Step{Date: "2025-03-04T12:00:00Z", Msg: "Coupons at checkout",
		Write: map[string]string{"checkout.md": "# Checkout\n\n## Coupons\n\nCheckout accepts one coupon per order.\n"}})

	st := e2e.Index(t, ingest.Options{Repo: "shop", Dir: r.Dir})
	return &retrieval.Assistant{Store: st, Permalink: "https://git.example.com/shop/blob/{commit}/{path}",
		Now: func() time.Time { return time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC) }}
}

// TestConversationWithTheRealAssistant asks in a channel, then follows up
// twice in the thread without mentioning the bot, with the real ingest and
// retrieval pipeline behind the bot. The fake Slack keeps the thread as
// Slack would, so each follow-up reads the earlier turns from it.
func TestConversationWithTheRealAssistant(t *testing.T) {
	assistant := checkoutAssistant(t)
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) { c.Asker = assistant })
	const thread = "1700000000.000100"
	var thread_ []slack.Message
	say := func(ts, text string, event map[string]any) string {
		t.Helper()
		thread_ = append(thread_, slack.Message{Msg: slack.Msg{User: slackbottest.Asker1, Text: text, Timestamp: ts, ThreadTimestamp: thread}})
		e.Slack.SetReplies(slackbottest.Channel, thread, thread_...)
		before := len(e.Slack.Posts())
		e.SendEvent(t, slackbottest.EventBody("Ev-"+ts, event), 0)
		e.Bot.Wait()
		posts := e.Slack.Posts()
		if len(posts) != before+1 {
			t.Fatalf("after %q: %d new posts, want 1", text, len(posts)-before)
		}
		p := posts[len(posts)-1]
		if p.Thread != thread {
			t.Fatalf("answer to %q posted outside the thread: %+v", text, p)
		}
		slackbottest.ValidateBlocks(t, p.Blocks)
		// Slack keeps the answer in the thread, with its metadata.
		thread_ = append(thread_, slack.Message{Msg: slack.Msg{BotID: slackbottest.BotID, User: slackbottest.BotUser, Text: p.Text,
			Timestamp: ts + "1", ThreadTimestamp: thread, Metadata: p.Metadata}})
		return slackbottest.BlockText(p.Blocks)
	}

	first := say(thread, "<@UBOT> does checkout support coupons?", slackbottest.Mention(thread, "", "<@UBOT> does checkout support coupons?"))
	for _, want := range []string{"one coupon per order", "<https://git.example.com/shop/blob/", "valid since 2025-03-04"} {
		if !strings.Contains(first, want) {
			t.Errorf("first answer lacks %q:\n%s", want, first)
		}
	}

	before := say("1700000100.000100", "and before that?", slackbottest.Message(slackbottest.Channel, "channel", "1700000100.000100", thread, "and before that?"))
	for _, want := range []string{"does not accept coupons", "superseded on 2025-03-04", "_Read as:_ as of 2025-03-03"} {
		if !strings.Contains(before, want) {
			t.Errorf("\"and before that?\" answer lacks %q:\n%s", want, before)
		}
	}

	who := say("1700000200.000100", "who changed it?", slackbottest.Message(slackbottest.Channel, "channel", "1700000200.000100", thread, "who changed it?"))
	for _, want := range []string{"added · `checkout.md`", "— Ada · `", "modified · `checkout.md`", "— Bo · `", "2 changes by 2 authors"} {
		if !strings.Contains(who, want) {
			t.Errorf("\"who changed it?\" answer lacks %q:\n%s", want, who)
		}
	}
}
