package slackbot_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/slackbot"
)

// TestMountedOnTheAPIServer mounts the bot on livespec's HTTP server, with
// the server's answer queue, and drives it through the server's handler:
// the Slack endpoints use Slack's signatures, not the API's bearer tokens.
func TestMountedOnTheAPIServer(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	asker := &fakeAsker{}
	srv, err := api.New(api.Config{Asker: asker, Store: store, Tokens: []string{"api-token"}})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *slackbot.Config) {
		c.Asker = asker
		c.Queue = srv.Limiter()
	})
	if err := e.bot.Mount(srv.Mount); err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()

	w := serve(h, signed(t, "/slack/events", "application/json",
		eventBody("EvA1", mention("1700000000.008000", "", "<@UBOT> does checkout support coupons?")), time.Now(), secret))
	if w.Code != http.StatusOK {
		t.Fatalf("signed event through the API server: status %d %s", w.Code, w.Body.String())
	}
	e.bot.Wait()
	if posts := e.slack.Posts(); len(posts) != 1 || !strings.Contains(blockText(posts[0].Blocks), "valid since 2025-03-04") {
		t.Fatalf("posts = %+v", posts)
	}
	w = serve(h, signed(t, "/slack/events", "application/json",
		eventBody("EvA2", mention("1700000000.008100", "", "<@UBOT> coupons?")), time.Now(), "forged"))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("forged event through the API server: status %d", w.Code)
	}
	w = serve(h, signed(t, "/slack/commands", "application/x-www-form-urlencoded", slashBody("help", e.hooks.URL), time.Now(), secret))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "/spec history") {
		t.Fatalf("slash command through the API server: status %d %s", w.Code, w.Body.String())
	}
	// Mounting twice is refused by the server.
	if err := e.bot.Mount(srv.Mount); err == nil {
		t.Fatal("mounting the bot twice succeeded")
	}
}
