package slackbot

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/livespec/livespec"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds a Slack request body.
const maxBody = 1 << 20

// verify reads r's body and checks its Slack signature before anything
// else looks at it. On failure it answers (401, or 413 for a body over
// maxBody) and returns false.
func (b *Bot) verify(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if b.cfg.SigningSecret == "" {
		b.log.Warn("slack request refused: no signing secret configured", "path", r.URL.Path)
		http.Error(w, "slack signing secret not configured", http.StatusUnauthorized)
		return nil, false
	}
	sv, err := slack.NewSecretsVerifier(r.Header, b.cfg.SigningSecret)
	if err != nil {
		b.log.Warn("slack request refused", "path", r.URL.Path, "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "cannot read body", http.StatusBadRequest)
		}
		return nil, false
	}
	if _, err := sv.Write(body); err != nil {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	if err := sv.Ensure(); err != nil {
		b.log.Warn("slack request refused", "path", r.URL.Path, "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// EventsHandler serves the Events API endpoint (/slack/events): it
// verifies the request, answers url_verification, acknowledges callbacks
// at once and handles them in the background.
func (b *Bot) EventsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verify(w, r)
		if !ok {
			return
		}
		ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			// Unknown inner event types fail to parse; a non-200 would only
			// make Slack retry them.
			b.log.Debug("slack event not handled", "err", err)
			w.WriteHeader(http.StatusOK)
			return
		}
		switch ev.Type {
		case slackevents.URLVerification:
			ch, _ := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
			if ch == nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, ch.Challenge)
		case slackevents.CallbackEvent:
			w.WriteHeader(http.StatusOK)
			b.handleEvent(ev, r.Header.Get("X-Slack-Retry-Num"))
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
}

// question is one question to answer, wherever it came from.
type question struct {
	team, user, channel string
	text                string // as typed, Slack-formatted
	ts                  string // the asking message
	thread              string // the thread to answer in ("" : top level)
	dm                  bool
	mention             bool   // the bot was mentioned (app_mention)
	mentionMaybe        bool   // a message mentioning someone, maybe the bot
	responseURL         string // slash commands: answer here
	command             bool
}

// handleEvent routes one Events API callback (from HTTP or Socket Mode).
// It returns at once; answers are produced in the background.
func (b *Bot) handleEvent(ev slackevents.EventsAPIEvent, retry string) {
	cb, _ := ev.Data.(*slackevents.EventsAPICallbackEvent)
	eventID := ""
	if cb != nil {
		eventID = cb.EventID
	}
	q, ok := b.questionOf(ev)
	if !ok {
		return
	}
	keys := []string{"msg:" + q.channel + ":" + q.ts}
	if eventID != "" {
		keys = append(keys, "event:"+eventID)
	}
	if !b.seen.Claim(b.cfg.Now(), keys...) {
		b.log.Debug("slack event already handled", "event_id", eventID, "retry", retry)
		return
	}
	b.spawn(func(ctx context.Context) { b.answerMessage(ctx, q) })
}

// questionOf extracts the question an event asks, or false when the bot
// should stay silent: messages from bots (itself included), edits, deletions
// and other subtypes, and channel messages outside a thread that do not
// mention it.
func (b *Bot) questionOf(ev slackevents.EventsAPIEvent) (question, bool) {
	team := ev.TeamID
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.Edited != nil || e.User == "" {
			return question{}, false
		}
		return question{
			team: cmp.Or(e.UserTeam, team), user: e.User, channel: e.Channel, text: e.Text, ts: e.TimeStamp,
			thread: cmp.Or(e.ThreadTimeStamp, e.TimeStamp), mention: true,
		}, true
	case *slackevents.MessageEvent:
		if e.BotID != "" || e.User == "" || (e.SubType != "" && e.SubType != "thread_broadcast") {
			return question{}, false
		}
		q := question{team: cmp.Or(e.UserTeam, team), user: e.User, channel: e.Channel, text: e.Text, ts: e.TimeStamp}
		if e.ThreadTimeStamp != e.TimeStamp {
			q.thread = e.ThreadTimeStamp
		}
		if e.ChannelType == "im" {
			q.dm = true
			return q, true
		}
		// In channels: a reply in a thread (the bot checks it answered
		// there), or a message mentioning the bot (also delivered as
		// app_mention; the (channel, ts) key keeps one).
		if strings.Contains(e.Text, "<@") {
			q.mentionMaybe = true
			return q, true
		}
		return q, q.thread != ""
	}
	return question{}, false
}

// isMention reports whether text mentions the user id.
func isMention(text, userID string) bool {
	return userID != "" && (strings.Contains(text, "<@"+userID+">") || strings.Contains(text, "<@"+userID+"|"))
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, livespec.ErrorMessage(err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
}
