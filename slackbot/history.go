package slackbot

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"github.com/slack-go/slack"
)

// maxThreadPages bounds how many pages of a long thread are read.
const maxThreadPages = 5

// dmWindow is how far back a direct message's earlier messages count as
// the same conversation.
const dmWindow = 30 * time.Minute

// threadMessages reads a thread, oldest first, with message metadata.
func (b *Bot) threadMessages(ctx context.Context, channel, thread string) ([]slack.Message, error) {
	var all []slack.Message
	cursor := ""
	for range maxThreadPages {
		msgs, more, next, err := b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: thread, Cursor: cursor, Limit: 200, IncludeAllMetadata: true,
		})
		if err != nil {
			return all, err
		}
		all = append(all, msgs...)
		if !more || next == "" {
			break
		}
		cursor = next
	}
	return all, nil
}

// dmMessages reads the direct messages shortly before ts, oldest first.
func (b *Bot) dmMessages(ctx context.Context, channel, ts string) ([]slack.Message, error) {
	res, err := b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channel, Latest: ts, Limit: 4 * b.cfg.HistoryTurns, IncludeAllMetadata: true,
	})
	if err != nil {
		return nil, err
	}
	at := tsTime(ts)
	var msgs []slack.Message
	for _, m := range res.Messages {
		if !at.IsZero() && at.Sub(tsTime(m.Timestamp)) > dmWindow {
			continue
		}
		msgs = append(msgs, m)
	}
	slices.SortStableFunc(msgs, func(x, y slack.Message) int { return tsTime(x.Timestamp).Compare(tsTime(y.Timestamp)) })
	return msgs, nil
}

// fromSelf reports whether m was posted by the bot.
func fromSelf(m slack.Message, self identity) bool {
	return (self.botID != "" && m.BotID == self.botID) || (self.userID != "" && m.User == self.userID)
}

// participated reports whether the bot posted in msgs.
func participated(msgs []slack.Message, self identity) bool {
	return slices.ContainsFunc(msgs, func(m slack.Message) bool { return fromSelf(m, self) })
}

// turnsFrom rebuilds the earlier turns of a conversation from its messages
// (oldest first) before the message at ts: each answer of the bot with the
// question it answered (from its metadata, else the person's message
// before it). It keeps the last n turns.
func turnsFrom(msgs []slack.Message, self identity, ts string, n int) []livespec.Turn {
	var turns []livespec.Turn
	pending := ""
	before := tsTime(ts)
	for _, m := range msgs {
		if m.Timestamp == ts || (!before.IsZero() && !tsTime(m.Timestamp).Before(before)) {
			break
		}
		if fromSelf(m, self) {
			a := answerOf(m)
			a.Question = cmp.Or(a.Question, pending)
			pending = ""
			if a.Question == "" {
				continue
			}
			turns = append(turns, livespec.Turn{Question: a.Question, Answer: a})
			continue
		}
		if m.BotID != "" || (m.SubType != "" && m.SubType != "thread_broadcast") {
			continue
		}
		if t := plainFromSlack(m.Text, func(id string) bool { return id == self.userID }); t != "" {
			pending = t
		}
	}
	if len(turns) > n {
		turns = turns[len(turns)-n:]
	}
	return turns
}

// answerOf rebuilds what a message of the bot says about its answer: the
// text, and from the metadata the question, the intent and when the first
// source took effect.
func answerOf(m slack.Message) *livespec.Answer {
	a := &livespec.Answer{Answer: plainFromSlack(m.Text, nil)}
	if m.Metadata.EventType != metadataEventType {
		return a
	}
	p := m.Metadata.EventPayload
	a.Question, _ = p["question"].(string)
	if intent, ok := p["intent"].(string); ok {
		a.Intent = livespec.Intent(intent)
	}
	if s, ok := p["valid_from"].(string); ok {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			a.Citations = []livespec.Citation{{N: 1, ValidFrom: livespec.Time{Time: t}, Date: livespec.Time{Time: t}}}
		}
	}
	return a
}

// tsTime reads a Slack timestamp ("1700000000.000100"); zero if it is not
// one.
func tsTime(ts string) time.Time {
	secs, frac, _ := strings.Cut(ts, ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || sec <= 0 || len(frac) > 9 {
		return time.Time{}
	}
	var nsec int64
	if frac != "" {
		if nsec, err = strconv.ParseInt((frac + "000000000")[:9], 10, 64); err != nil {
			return time.Time{}
		}
	}
	return time.Unix(sec, nsec).UTC()
}
