package slackbot_test

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
	"github.com/slack-go/slack"
)

// Example wires the bot into an HTTP server: the settings come from the
// environment, the answers from an Asker, and the three Slack endpoints are
// mounted on the server's router (api.Server.Mount in livespec serve).
func Example() {
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-example", "SLACK_SIGNING_SECRET": "example-secret"}
	cfg, enabled, err := slackbot.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || !enabled {
		fmt.Println("Slack bot off:", err)
		return
	}
	cfg.Asker = &slackbottest.Asker{}       // retrieval.Assistant in livespec serve
	cfg.Feedback = &slackbottest.Feedback{} // the SQLite store
	cfg.Queue = limit.New(4, 32)            // shared with the HTTP API
	cfg.PublicURL = "https://livespec.example.com"
	bot, err := slackbot.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bot.Close(context.Background())

	mux := http.NewServeMux()
	err = bot.Mount(func(method, path string, h http.Handler) error {
		mux.Handle(method+" "+path, h)
		fmt.Println(method, path)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// POST /slack/events
	// POST /slack/commands
	// POST /slack/interactive
}

// ExampleRender shows the Block Kit message of an answer: the answer in
// mrkdwn, then its sources pinned to commits with their validity.
func ExampleRender() {
	a := &livespec.Answer{
		Question: "does checkout support coupons?",
		Intent:   livespec.IntentCurrent,
		Answer:   "Yes: **one coupon** per order [1].",
		Citations: []livespec.Citation{{
			N: 1, Path: "specs/checkout.md", Heading: "Checkout > Coupons", Commit: "a1b2c3d4e5f6",
			ValidFrom: livespec.Time{Time: slackbottest.March}, Current: true, URL: "https://git.example.com/blob/a1b2c3d4e5f6/specs/checkout.md",
		}},
		Model: livespec.ModelInfo{Generator: "extractive", Embedder: "none (BM25 only)"},
	}
	m := slackbot.Render(a, slackbot.RenderOptions{})
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			fmt.Println(b.Text.Text)
		case *slack.ContextBlock:
			fmt.Println(b.ContextElements.Elements[0].(*slack.TextBlockObject).Text)
		}
	}
	// Output:
	// Yes: *one coupon* per order <https://git.example.com/blob/a1b2c3d4e5f6/specs/checkout.md|[1]>.
	// *Sources*
	// [1] <https://git.example.com/blob/a1b2c3d4e5f6/specs/checkout.md|specs/checkout.md › Checkout › Coupons> · `a1b2c3d` · valid since 2025-03-04
	// _answered by extractive · search: none (BM25 only)_
}

func ExampleExportFeedback() {
	store := &slackbottest.Feedback{}
	_ = store.AddFeedback(context.Background(), livespec.Feedback{ID: "a1:U1", Source: "slack", User: "U1", Rating: 1, Question: "coupons?"})
	if err := slackbot.ExportFeedback(context.Background(), store, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"id":"a1:U1","time":"0001-01-01T00:00:00Z","source":"slack","user":"U1","rating":1,"question":"coupons?"}
}
