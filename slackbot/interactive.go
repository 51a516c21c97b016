package slackbot

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/livespec/livespec"
	"github.com/slack-go/slack"
)

// InteractiveHandler serves the interactivity endpoint
// (/slack/interactive): it verifies the request, acknowledges it at once,
// and stores 👍/👎 clicks as feedback.
func (b *Bot) InteractiveHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verify(w, r)
		if !ok {
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("payload") == "" {
			http.Error(w, "no interaction payload", http.StatusBadRequest)
			return
		}
		var ic slack.InteractionCallback
		if err := json.Unmarshal([]byte(form.Get("payload")), &ic); err != nil {
			http.Error(w, "cannot parse the interaction payload", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
		b.handleInteraction(ic)
	})
}

// handleInteraction stores the feedback of a button click in the
// background; other interactions are ignored.
func (b *Bot) handleInteraction(ic slack.InteractionCallback) {
	if ic.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, a := range ic.ActionCallback.BlockActions {
		if a.ActionID == ActionAskAgain {
			b.askAgain(ic, a)
			continue
		}
		if b.cfg.Feedback == nil {
			continue
		}
		rating := 0
		switch a.ActionID {
		case ActionFeedbackUp:
			rating = 1
		case ActionFeedbackDown:
			rating = -1
		default:
			continue
		}
		var v feedbackValue
		if err := json.Unmarshal([]byte(a.Value), &v); err != nil || v.ID == "" {
			b.log.Warn("slack: feedback button without an answer id", "value", clip(a.Value, 100))
			continue
		}
		f := b.feedbackOf(ic, v, rating)
		b.spawn(func(ctx context.Context) {
			if err := b.cfg.Feedback.AddFeedback(ctx, f); err != nil {
				b.log.Error("slack: cannot store feedback", "id", f.ID, "err", err)
				return
			}
			b.log.Info("slack: feedback stored", "id", f.ID, "rating", f.Rating)
			if ic.ResponseURL != "" {
				thanks := "Thanks for the feedback :pray:"
				if rating < 0 {
					thanks = "Thanks, noted :pray: A better answer may need a more specific question, or the spec may not say."
				}
				if err := b.webhook(ctx, ic.ResponseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: thanks}); err != nil {
					b.log.Warn("slack: cannot thank for feedback", "err", err)
				}
			}
		})
	}
}

// feedbackOf builds the rating of one click. The answer comes from this
// process's memory of recent answers; when another replica answered, from
// the question in the button and the text of the rated message.
func (b *Bot) feedbackOf(ic slack.InteractionCallback, v feedbackValue, rating int) livespec.Feedback {
	ans, _ := b.answers.Get(v.ID)
	if ans == nil {
		q := v.Question
		if p, ok := ic.Message.Metadata.EventPayload["question"].(string); ok && q == "" {
			q = p
		}
		ans = &livespec.Answer{Question: q, Answer: plainFromSlack(ic.Message.Text, nil)}
	}
	channel := cmp.Or(ic.Channel.ID, ic.Container.ChannelID)
	return livespec.Feedback{
		ID:       v.ID + ":" + ic.User.ID,
		Time:     b.cfg.Now().UTC(),
		Source:   "slack",
		User:     ic.User.ID,
		Channel:  channel,
		Thread:   cmp.Or(ic.Container.ThreadTs, ic.Message.ThreadTimestamp, ic.Container.MessageTs),
		Rating:   rating,
		Question: cmp.Or(ans.Question, v.Question),
		Answer:   ans,
	}
}
