package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
)

// TestMountedOnTheAPIServer mounts the bot on livespec's HTTP server, with
// the server's answer queue, and drives it through the server's handler:
// the Slack endpoints use Slack's signatures, not the API's bearer tokens.
func TestMountedOnTheAPIServer(t *testing.T) {
	store := e2e.Open(t)
	asker := &slackbottest.Asker{}
	srv, err := api.New(api.Config{Asker: asker, Store: store, Tokens: []string{"api-token"}})
	if err != nil {
		t.Fatal(err)
	}
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) {
		c.Asker = asker
		c.Queue = srv.Limiter()
	})
	if err := e.Bot.Mount(srv.Mount); err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()

	w := slackbottest.Serve(h, slackbottest.Signed(t, "/slack/events", "application/json",
		slackbottest.EventBody("EvA1", slackbottest.Mention("1700000000.008000", "", "<@UBOT> does checkout support coupons?")), time.Now(), slackbottest.Secret))
	if w.Code != http.StatusOK {
		t.Fatalf("signed event through the API server: status %d %s", w.Code, w.Body.String())
	}
	e.Bot.Wait()
	if posts := e.Slack.Posts(); len(posts) != 1 || !strings.Contains(slackbottest.BlockText(posts[0].Blocks), "valid since 2025-03-04") {
		t.Fatalf("posts = %+v", posts)
	}
	w = slackbottest.Serve(h, slackbottest.Signed(t, "/slack/events", "application/json",
		slackbottest.EventBody("EvA2", slackbottest.Mention("1700000000.008100", "", "<@UBOT> coupons?")), time.Now(), "forged"))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("forged event through the API server: status %d", w.Code)
	}
	w = slackbottest.Serve(h, slackbottest.Signed(t, "/slack/commands", "application/x-www-form-urlencoded", slackbottest.SlashBody("help", e.Hooks.URL), time.Now(), slackbottest.Secret))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "/spec history") {
		t.Fatalf("slash command through the API server: status %d %s", w.Code, w.Body.String())
	}
	// Mounting twice is refused by the server.
	if err := e.Bot.Mount(srv.Mount); err == nil {
		t.Fatal("mounting the bot twice succeeded")
	}
}
