package slackbot

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/livespec/livespec"
)

// ActionAskAgain is the action id of the "Ask again" button of a
// stale-answer notice; its value is the question.
const ActionAskAgain = "livespec_ask_again"

// PushHelp is the part of the help about digests and watches.
const PushHelp = `• ` + "`/spec digest weekly`" + ` — a weekly digest of the spec's changes in this channel (` + "`weekly mon 09:00 Europe/Berlin`" + `, ` + "`daily`" + `, a cron expression); ` + "`/spec digest`" + ` shows it, ` + "`/spec digest off`" + ` stops it
• ` + "`/spec watch TOPIC-document-or-path`" + ` — tell this channel of every change to it: ` + "`/spec watch coupons`" + `, ` + "`/spec watch docs/checkout.md`" + `, ` + "`/spec watch 'api/**'`" + `; ` + "`/spec watches`" + ` lists them, ` + "`/spec unwatch N`" + ` stops one`

// pushTimeout bounds a slash command's push work (Slack waits 3 s).
const pushTimeout = 2 * time.Second

// pushCommand handles /spec digest, watch, watches and unwatch. It
// returns false for other commands.
func (b *Bot) pushCommand(cmd slack.SlashCommand) (*slack.WebhookMessage, bool) {
	text := strings.TrimSpace(plainFromSlack(cmd.Text, nil))
	word, rest, _ := strings.Cut(text, " ")
	rest = strings.Trim(strings.TrimSpace(rest), "'\"`")
	word = strings.ToLower(word)
	switch word {
	case "digest", "watch", "watches", "unwatch":
	default:
		return nil, false
	}
	if b.cfg.Push == nil {
		return ephemeral(":warning: Digests and watches are not set up on this server."), true
	}
	ctx, cancel := context.WithTimeout(b.ctx, pushTimeout)
	defer cancel()
	owner := livespec.Destination{Kind: livespec.DestSlack, Team: cmd.TeamID, Channel: cmd.ChannelID, User: cmd.UserID}
	var reply string
	var err error
	switch word {
	case "digest":
		reply, err = b.digestCommand(ctx, owner, rest)
	case "watch":
		reply, err = b.watchCommand(ctx, owner, rest)
	case "watches":
		reply, err = b.listWatches(ctx, owner)
	case "unwatch":
		reply, err = b.unwatchCommand(ctx, owner, rest)
	}
	if err != nil {
		b.log.Warn("slack: push command failed", "command", word, "channel", cmd.ChannelID, "err", err)
		return ephemeral(failureText(err)), true
	}
	return ephemeral(reply), true
}

func ephemeral(text string) *slack.WebhookMessage {
	return &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

// digestCommand sets up (SCHEDULE), shows ("") or stops ("off") this
// channel's digest.
func (b *Bot) digestCommand(ctx context.Context, owner livespec.Destination, rest string) (string, error) {
	subs, err := b.cfg.Push.Subscriptions(ctx, owner)
	if err != nil {
		return "", err
	}
	switch strings.ToLower(rest) {
	case "":
		if len(subs) == 0 {
			return "This channel gets no digest. `/spec digest weekly` sets one up.", nil
		}
		var lines []string
		for _, s := range subs {
			lines = append(lines, fmt.Sprintf("• `%s`, next on %s", Escape(s.Schedule), s.Next.UTC().Format("Mon 2006-01-02 15:04 UTC")))
		}
		return "This channel's digest:\n" + strings.Join(lines, "\n") + "\n`/spec digest off` stops it.", nil
	case "off", "stop", "none":
		for _, s := range subs {
			if err := b.cfg.Push.Unsubscribe(ctx, owner, s.ID); err != nil {
				return "", err
			}
		}
		if len(subs) == 0 {
			return "This channel gets no digest.", nil
		}
		return ":white_check_mark: Digest stopped for this channel.", nil
	}
	s, err := b.cfg.Push.Subscribe(ctx, livespec.Subscription{Dest: owner, Schedule: rest, Repos: b.cfg.Repos})
	if err != nil {
		return "", err
	}
	for _, old := range subs { // one digest per channel: the new one replaces it
		if err := b.cfg.Push.Unsubscribe(ctx, owner, old.ID); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf(":white_check_mark: This channel gets a digest of the spec's changes `%s`; the first on %s. A period with no changes sends nothing.",
		Escape(s.Schedule), s.Next.UTC().Format("Mon 2006-01-02 15:04 UTC")), nil
}

func (b *Bot) watchCommand(ctx context.Context, owner livespec.Destination, target string) (string, error) {
	if target == "" {
		return "Usage: `/spec watch TOPIC-document-or-path`, for example `/spec watch coupons` or `/spec watch docs/checkout.md`.", nil
	}
	w, err := b.cfg.Push.Watch(ctx, livespec.Watch{Dest: owner, Target: target, Repos: b.cfg.Repos})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(":eyes: Watching _%s_ (watch %d): every new change to it will be posted here, once per commit.", Escape(w.Target), w.ID), nil
}

func (b *Bot) listWatches(ctx context.Context, owner livespec.Destination) (string, error) {
	ws, err := b.cfg.Push.Watches(ctx, owner)
	if err != nil {
		return "", err
	}
	if len(ws) == 0 {
		return "Nothing is watched here. `/spec watch TOPIC-document-or-path` starts a watch.", nil
	}
	var lines []string
	for _, w := range ws {
		lines = append(lines, fmt.Sprintf("%d. _%s_ (since %s)", w.ID, Escape(w.Target), w.Created.UTC().Format("2006-01-02")))
	}
	return "Watched here:\n" + strings.Join(lines, "\n") + "\n`/spec unwatch N` stops one.", nil
}

func (b *Bot) unwatchCommand(ctx context.Context, owner livespec.Destination, rest string) (string, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(rest, "#"), 10, 64)
	if err != nil {
		return "Usage: `/spec unwatch N`, with N from `/spec watches`.", nil
	}
	if err := b.cfg.Push.Unwatch(ctx, owner, id); err != nil {
		return "", err
	}
	return fmt.Sprintf(":white_check_mark: Watch %d stopped.", id), nil
}

// remember keeps an answer given in a conversation with its cited
// versions, so that a later change to one of them is told there.
func (b *Bot) remember(ctx context.Context, q question, ans *livespec.Answer) {
	if b.cfg.Push == nil || q.command {
		return
	}
	dest := livespec.Destination{Kind: livespec.DestSlack, Team: q.team, Channel: q.channel, Thread: q.thread, User: q.user}
	if err := b.cfg.Push.RememberAnswer(ctx, dest, ans); err != nil {
		b.log.Warn("slack: cannot remember the answer's sources", "channel", q.channel, "err", err)
	}
}

// askAgain answers the question of a stale-answer notice again, in the
// notice's thread.
func (b *Bot) askAgain(ic slack.InteractionCallback, a *slack.BlockAction) {
	q := question{
		team: ic.Team.ID, user: ic.User.ID, channel: cmp.Or(ic.Channel.ID, ic.Container.ChannelID),
		text:   a.Value,
		thread: cmp.Or(ic.Container.ThreadTs, ic.Message.ThreadTimestamp, ic.Container.MessageTs),
	}
	if q.channel == "" || strings.TrimSpace(q.text) == "" {
		return
	}
	if note, ok := b.admit(q); !ok {
		b.spawn(func(ctx context.Context) { b.notify(ctx, q, note) })
		return
	}
	b.spawn(func(ctx context.Context) { b.respond(ctx, q, q.text, nil) })
}
