package slackbot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
)

// TestSocketMode drives the bot over a Socket Mode WebSocket: an app
// mention, its redelivery, a slash command and a button click, each
// acknowledged by envelope id, answered through the same handlers as the
// Events API.
func TestSocketMode(t *testing.T) {
	e := slackbottest.NewEnv(t, func(c *slackbot.Config) {
		c.SigningSecret = "" // Socket Mode needs no signing secret
		c.AppToken = "xapp-test"
	})
	acks := make(chan map[string]any, 8)
	ctx, cancel := context.WithCancel(t.Context())
	e.Slack.OnSocket(func(c *websocket.Conn) {
		send := func(v any) {
			if err := c.WriteJSON(v); err != nil {
				t.Errorf("socket write: %v", err)
			}
		}
		send(map[string]any{"type": "hello", "num_connections": 1})
		var ev map[string]any
		if err := json.Unmarshal(slackbottest.EventBody("EvS1", slackbottest.Mention("1700000000.002100", "", "<@UBOT> does checkout support coupons?")), &ev); err != nil {
			t.Fatal(err)
		}
		send(map[string]any{"type": "events_api", "envelope_id": "env-1", "payload": ev, "accepts_response_payload": false})
		send(map[string]any{"type": "events_api", "envelope_id": "env-2", "payload": ev, "retry_attempt": 1, "retry_reason": "timeout"})
		send(map[string]any{"type": "slash_commands", "envelope_id": "env-3", "accepts_response_payload": true, "payload": map[string]any{
			"team_id": slackbottest.Team, "channel_id": slackbottest.Channel, "user_id": slackbottest.Asker1, "command": "/spec", "text": "help", "response_url": e.Hooks.URL,
		}})
		send(map[string]any{"type": "interactive", "envelope_id": "env-4", "payload": map[string]any{
			"type": "block_actions", "user": map[string]any{"id": "UCAROL"}, "channel": map[string]any{"id": slackbottest.Channel},
			"message": map[string]any{"type": "message", "ts": "1700000500.000009", "text": "Yes, one coupon."},
			"actions": []map[string]any{{"type": "button", "block_id": "livespec_feedback", "action_id": slackbot.ActionFeedbackUp, "value": `{"id":"a-1","q":"coupons?"}`}},
		}})
		go func() { // read the acks until the connection closes
			for {
				var m map[string]any
				if err := c.ReadJSON(&m); err != nil {
					return
				}
				acks <- m
			}
		}()
		<-ctx.Done()
	})

	done := make(chan error, 1)
	go func() { done <- e.Bot.RunSocketMode(ctx) }()
	got := map[string]map[string]any{}
	for len(got) < 4 {
		m := <-acks
		got[m["envelope_id"].(string)] = m
	}
	// The help text is the slash command's acknowledgement payload.
	payload, _ := json.Marshal(got["env-3"]["payload"])
	if !strings.Contains(string(payload), "/spec history PATH-or-topic") {
		t.Errorf("slash command ack payload = %s, want the help", payload)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunSocketMode: %v", err)
	}
	e.Bot.Wait()
	posts := e.Slack.Posts()
	if len(posts) != 1 || posts[0].Thread != "1700000000.002100" || !strings.Contains(slackbottest.BlockText(posts[0].Blocks), "valid since 2025-03-04") {
		t.Fatalf("posts = %+v, want one threaded answer (the redelivery dropped)", posts)
	}
	if n := len(e.Asker.Requests()); n != 1 {
		t.Fatalf("asked %d times, want 1", n)
	}
	if fb := e.Feedback.All(); len(fb) != 1 || fb[0].Rating != 1 || fb[0].Question != "coupons?" || fb[0].User != "UCAROL" {
		t.Fatalf("feedback = %+v, want the click stored", fb)
	}
	slackbottest.NoBotGoroutines(t)
}

func TestSocketModeNeedsAppToken(t *testing.T) {
	e := slackbottest.NewEnv(t)
	if err := e.Bot.RunSocketMode(t.Context()); err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
		t.Fatalf("err = %v, want a missing app token error", err)
	}
}
