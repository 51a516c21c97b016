package slackbot

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/livespec/livespec"
	"github.com/slack-go/slack"
)

// HelpText is what /spec help (and /spec with no text) shows.
const HelpText = `*livespec* answers questions about the product spec, citing the file, the section and the commit of every claim.
• ` + "`/spec QUESTION`" + ` — for example ` + "`/spec does checkout support coupons?`" + ` or ` + "`/spec what did the refund policy say on 1 March?`" + `
• ` + "`/spec changes PERIOD`" + ` — what changed, grouped by file: ` + "`/spec changes last quarter`" + `, ` + "`this week`" + `, ` + "`since March`" + `, ` + "`Q3 2025`" + `
• ` + "`/spec history PATH-or-topic`" + ` — when a section appeared and how it changed: ` + "`/spec history coupons`" + `
` + PushHelp + `
• ` + "`/spec help`" + ` — this message
You can also mention me in a channel (I answer in a thread), send me a direct message, and reply in a thread I answered in to follow up without mentioning me: _and before that?_, _who changed it?_`

// CommandsHandler serves the slash command endpoint (/slack/commands): it
// verifies the request and answers within Slack's 3 seconds with an
// ephemeral "working on it" (or the help), then posts the answer to the
// command's response_url.
func (b *Bot) CommandsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verify(w, r)
		if !ok {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		cmd, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, "cannot parse the slash command", http.StatusBadRequest)
			return
		}
		writeJSON(w, b.handleCommand(cmd))
	})
}

// commandQuestion turns /spec's text into a question, or "" with ok for
// help, or a usage note.
func commandQuestion(text string) (q string, usage string) {
	text = strings.TrimSpace(plainFromSlack(text, nil))
	word, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(word) {
	case "", "help", "-h", "--help", "?":
		if rest == "" {
			return "", HelpText
		}
	case "changes", "changed":
		if rest == "" {
			return "what changed in the last 7 days?", ""
		}
		return "what changed " + strings.TrimSuffix(rest, "?") + "?", ""
	case "history", "timeline":
		if rest == "" {
			return "", "Usage: `/spec history PATH-or-topic`, for example `/spec history coupons` or `/spec history docs/checkout.md`."
		}
		return "history of " + strings.TrimSuffix(rest, "?"), ""
	}
	return text, ""
}

// handleCommand handles one /spec command (from HTTP or Socket Mode) and
// returns the immediate, ephemeral response.
func (b *Bot) handleCommand(cmd slack.SlashCommand) *slack.WebhookMessage {
	if msg, ok := b.pushCommand(cmd); ok {
		return msg
	}
	text, usage := commandQuestion(cmd.Text)
	if usage != "" {
		return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: usage}
	}
	q := question{
		team: cmd.TeamID, user: cmd.UserID, channel: cmd.ChannelID, text: text,
		responseURL: cmd.ResponseURL, command: true,
	}
	if cmd.ResponseURL == "" {
		return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: ":warning: Slack sent no response URL; I cannot answer this command."}
	}
	if cmd.TriggerID != "" && !b.seen.Claim(b.cfg.Now(), "cmd:"+cmd.TriggerID) {
		return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: "Already working on it…"}
	}
	if note, ok := b.admit(q); !ok {
		return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: note}
	}
	b.spawn(func(ctx context.Context) { b.respond(ctx, q, text, nil) })
	return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: ":mag: Working on it: _" + escapeKeepingMentions(clip(text, 200)) + "_"}
}

// webhook posts msg to a response_url.
func (b *Bot) webhook(ctx context.Context, url string, msg *slack.WebhookMessage) error {
	if url == "" {
		return livespec.Errorf(livespec.EINVALID, "slackbot: no response_url")
	}
	return slack.PostWebhookCustomHTTPContext(ctx, url, b.http, msg)
}
