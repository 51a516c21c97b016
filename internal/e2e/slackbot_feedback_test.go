package e2e_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
)

// TestExportFeedbackFromSQLite rates an answer with its thumbs-up button,
// stored in SQLite, and exports the rating as one JSON line that carries
// the question and the answer's citations.
func TestExportFeedbackFromSQLite(t *testing.T) {
	ctx := t.Context()
	store := e2e.Open(t)
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) { c.Feedback = store })
	e.SendEvent(t, slackbottest.EventBody("Ev20", slackbottest.Mention("1700000000.002000", "", "<@UBOT> does checkout support coupons?")), 0)
	e.Bot.Wait()
	value := slackbottest.FeedbackValue(e.Slack.Posts()[0].Blocks)
	w := slackbottest.Serve(e.Bot.InteractiveHandler(), slackbottest.Signed(t, "/slack/interactive", "application/x-www-form-urlencoded",
		slackbottest.ClickBody(t, slackbot.ActionFeedbackUp, value, "", e.Hooks.URL), time.Now(), slackbottest.Secret))
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	e.Bot.Wait()

	var out bytes.Buffer
	if err := slackbot.ExportFeedback(ctx, store, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1:\n%s", len(lines), out.String())
	}
	var f livespec.Feedback
	if err := json.Unmarshal([]byte(lines[0]), &f); err != nil {
		t.Fatal(err)
	}
	if f.Rating != 1 || f.Question != slackbottest.Question || f.Answer == nil || len(f.Answer.Citations) != 2 ||
		f.Answer.Citations[0].URL == "" || !f.Answer.Citations[1].ValidTo.Equal(slackbottest.Sept) {
		t.Fatalf("exported %s", lines[0])
	}
}
