package slackbot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
	"github.com/slack-go/slack"
)

// answerMessage answers a message event (a mention, a DM or a thread
// reply) in the background, deciding first whether it is for the bot.
func (b *Bot) answerMessage(ctx context.Context, q question) {
	// Who the bot is is asked once and is no part of the answer's time: a
	// slow first auth.test must not drop the question unanswered.
	idCtx, cancel := context.WithTimeout(b.ctx, identityTimeout)
	self, err := b.whoami(idCtx)
	cancel()
	if err != nil {
		b.log.Error("slack: cannot tell who the bot is", "err", err)
		return
	}
	if q.user == self.userID {
		return
	}
	if q.mentionMaybe && isMention(q.text, self.userID) {
		q.mention = true
		q.thread = cmp.Or(q.thread, q.ts)
	}
	if !q.dm && !q.mention && (q.thread == "" || q.mentionMaybe || smallTalk.MatchString(plainFromSlack(q.text, nil))) {
		// Channel messages need a mention, or to be a follow-up in a
		// thread: not addressed to someone else, not a mere "thanks".
		return
	}
	var history []livespec.Turn
	switch {
	case q.thread != "" && q.thread != q.ts:
		key := q.channel + "/" + q.thread
		if !q.mention && !q.dm && b.quiet.Has(key, b.cfg.Now()) {
			return
		}
		msgs, err := b.threadMessages(ctx, q.channel, q.thread)
		if err != nil {
			b.log.Warn("slack: cannot read the thread", "channel", q.channel, "thread", q.thread, "err", err)
			if !q.mention && !q.dm {
				return // cannot tell whether the bot answered here
			}
		}
		if !q.mention && !q.dm && !participated(msgs, self) {
			b.quiet.Add(key, b.cfg.Now())
			return
		}
		history = turnsFrom(msgs, self, q.ts, b.cfg.HistoryTurns)
	case q.dm:
		msgs, err := b.dmMessages(ctx, q.channel, q.ts)
		if err != nil {
			b.log.Warn("slack: cannot read the DM history", "channel", q.channel, "err", err)
		}
		history = turnsFrom(msgs, self, q.ts, b.cfg.HistoryTurns)
	}
	text := plainFromSlack(q.text, func(id string) bool { return id == self.userID })
	if text == "" {
		b.notify(ctx, q, "Ask me anything about the spec, for example _does checkout support coupons?_ or _what changed last quarter?_ Type `/spec help` for more.")
		return
	}
	if note, ok := b.admit(q); !ok {
		b.notify(ctx, q, note)
		return
	}
	b.respond(ctx, q, text, history)
}

// smallTalk matches thread replies that need no answer.
var smallTalk = regexp.MustCompile(`(?i)^(?:(?:thanks?|thank you|thx|ty|ok(?:ay)?|cool|great|nice|got it|perfect|awesome|makes sense|lol|yes|no|yep|nope)\b[\s!.,]*(?:a lot|so much|again)?[\s!.]*|(?::[a-z0-9_+'-]+:\s*)+)$`)

// admit applies the per-user and per-workspace rate limits; when one is
// exceeded it returns a friendly note saying when to try again.
func (b *Bot) admit(q question) (string, bool) {
	now := b.cfg.Now()
	if ok, wait := b.users.Allow(q.team+"/"+q.user, now); !ok {
		return fmt.Sprintf(":hourglass: You're asking faster than I can keep up with. Please try again in %s.", waitText(wait)), false
	}
	if ok, wait := b.teams.Allow(q.team, now); !ok {
		return fmt.Sprintf(":hourglass: This workspace is asking a lot of questions right now. Please try again in %s.", waitText(wait)), false
	}
	return "", true
}

func waitText(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	switch {
	case s <= 1:
		return "a second"
	case s < 90:
		return fmt.Sprintf("%d seconds", s)
	}
	return fmt.Sprintf("%d minutes", (s+59)/60)
}

// respond asks the question (waiting in the shared queue), streams the
// text while it is generated, and posts the answer.
func (b *Bot) respond(ctx context.Context, q question, text string, history []livespec.Turn) {
	caller := b.caller(ctx, q)
	if caller.Scope.Empty() {
		if b.cfg.OnDenied != nil {
			b.cfg.OnDenied()
		}
		b.log.Info("slack: refused", "caller", caller.Name, "reason", "no repository in scope")
		b.notify(ctx, q, noAccess)
		return
	}
	ctx = livespec.WithCaller(ctx, caller)
	release, err := b.answerSlot(ctx, text)
	if err != nil {
		b.fail(ctx, q, "", err)
		return
	}
	defer release()

	var out *stream
	var onToken func(string) error
	if !q.command { // a response_url takes 5 posts at most: no streaming
		out = b.newStream(ctx, q)
		onToken = out.add
	}
	asked, rewritten := followUp(text, history)
	ans, err := b.cfg.Asker.Ask(ctx, livespec.AskRequest{Question: withoutUserIDs(asked), Repos: b.cfg.Repos, History: history}, onToken)
	placeholder := out.stop()
	if err != nil {
		b.fail(ctx, q, placeholder, err)
		return
	}
	if ans.Question != asked { // shown as written, with any mention; the answer may be shared
		shown := *ans
		shown.Question = asked
		ans = &shown
	}
	id := uuid.NewString()
	b.answers.Add(id, ans)
	opt := RenderOptions{ShowQuestion: q.command, PublicURL: b.cfg.PublicURL}
	if rewritten {
		opt.ReadAs = asked
	}
	if b.cfg.Feedback != nil {
		opt.AnswerID = id
	}
	msg := Render(ans, opt)
	if err := b.deliver(ctx, q, placeholder, msg, answerMetadata(id, ans)); err != nil {
		b.log.Error("slack: cannot post the answer", "channel", q.channel, "err", err)
		return
	}
	b.remember(ctx, q, ans)
	b.log.Info("slack: answered", "caller", caller.Name, "channel", q.channel, "user", q.user, "intent", ans.Intent,
		"citations", len(ans.Citations), "repos", livespec.ReadRepos(ctx))
}

// answerMetadata marks a message as an answer, so a later follow-up in the
// thread knows what was asked, what kind of answer it was and since when
// its first source's text was in force.
func answerMetadata(id string, a *livespec.Answer) *slack.SlackMetadata {
	p := map[string]any{"answer_id": id, "question": clip(a.Question, 500), "intent": string(a.Intent)}
	if since := sourceSince(a); !since.IsZero() {
		p["valid_from"] = since.UTC().Format(time.RFC3339)
	}
	return &slack.SlackMetadata{EventType: metadataEventType, EventPayload: p}
}

// deliver posts msg where q was asked: at the slash command's response_url,
// over the streamed placeholder, or as a new message (in the thread). When
// Slack refuses the blocks it retries with the plain text.
func (b *Bot) deliver(ctx context.Context, q question, placeholder string, msg Message, meta *slack.SlackMetadata) error {
	if q.command {
		return b.webhook(ctx, q.responseURL, &slack.WebhookMessage{
			ResponseType: slack.ResponseTypeInChannel, Text: msg.Text, Blocks: &slack.Blocks{BlockSet: msg.Blocks},
		})
	}
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...), slack.MsgOptionDisableLinkUnfurl()}
	if meta != nil {
		opts = append(opts, slack.MsgOptionMetadata(*meta))
	}
	err := b.post(ctx, q, placeholder, opts...)
	if err != nil && (strings.Contains(err.Error(), "invalid_blocks") || strings.Contains(err.Error(), "msg_too_long")) {
		b.log.Warn("slack: blocks refused, posting plain text", "err", err)
		opts = []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks()}
		if meta != nil {
			opts = append(opts, slack.MsgOptionMetadata(*meta))
		}
		err = b.post(ctx, q, placeholder, opts...)
	}
	return err
}

// post updates the placeholder, or posts a new message in q's thread.
func (b *Bot) post(ctx context.Context, q question, placeholder string, opts ...slack.MsgOption) error {
	if placeholder != "" {
		_, _, _, err := b.api.UpdateMessageContext(ctx, q.channel, placeholder, opts...)
		return err
	}
	if q.thread != "" {
		opts = append(opts, slack.MsgOptionTS(q.thread))
		b.quiet.Remove(q.channel + "/" + q.thread)
	}
	_, _, err := b.api.PostMessageContext(ctx, q.channel, opts...)
	return err
}

// notify tells the asker something short (a limit, an empty question): an
// ephemeral reply to slash commands and in channels, a message in DMs.
func (b *Bot) notify(ctx context.Context, q question, text string) {
	var err error
	switch {
	case q.command:
		err = b.webhook(ctx, q.responseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: text})
	case q.dm:
		err = b.post(ctx, q, "", slack.MsgOptionText(text, false))
	default:
		opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
		if q.thread != "" {
			opts = append(opts, slack.MsgOptionTS(q.thread))
		}
		_, err = b.api.PostEphemeralContext(ctx, q.channel, q.user, opts...)
	}
	if err != nil {
		b.log.Warn("slack: cannot notify", "channel", q.channel, "user", q.user, "err", err)
	}
}

// fail reports an error to the asker in words that fit its kind; the
// detail goes to the log only.
func (b *Bot) fail(ctx context.Context, q question, placeholder string, err error) {
	text := failureText(err)
	level := slog.LevelWarn
	if livespec.ErrorCode(err) == livespec.EINTERNAL && !errors.Is(err, context.DeadlineExceeded) {
		level = slog.LevelError
	}
	b.log.Log(ctx, level, "slack: cannot answer", "channel", q.channel, "user", q.user, "err", err)
	if b.ctx.Err() != nil {
		return // shutting down: nobody to tell
	}
	// The answer's own deadline may be what failed: report on a fresh one.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if q.command {
		b.notify(ctx, q, text)
		return
	}
	// Visible where the answer would have been (replacing the streamed
	// placeholder if there is one).
	if err := b.post(ctx, q, placeholder, slack.MsgOptionText(text, false), slack.MsgOptionBlocks()); err != nil {
		b.log.Warn("slack: cannot report the failure", "err", err)
	}
}

func failureText(err error) string {
	switch {
	case errors.Is(err, limit.ErrFull) || livespec.ErrorCode(err) == livespec.ERATELIMIT:
		return ":hourglass: I'm answering a lot of questions right now. Please ask again in a minute."
	case errors.Is(err, context.DeadlineExceeded):
		return ":hourglass: That took too long to answer. Try a narrower question, or ask again in a minute."
	}
	kind, msg := livespec.PublicError(err)
	switch kind {
	case livespec.EINVALID, livespec.ENOTFOUND, livespec.ETOOLARGE, livespec.EMISMATCH:
		return ":warning: " + Escape(msg)
	case livespec.EUNAVAILABLE:
		return ":warning: I can't answer right now (" + Escape(msg) + "). Please try again in a minute."
	}
	return ":warning: Something went wrong while answering; it has been logged."
}

// stream shows a generated answer while it is written: about once every
// StreamInterval it posts (then updates) a placeholder with the text so
// far. A generator that finishes within the first interval causes no
// placeholder at all.
type stream struct {
	b   *Bot
	ctx context.Context
	q   question

	mu      sync.Mutex
	text    strings.Builder
	dirty   bool
	started bool
	done    chan struct{}
	wg      sync.WaitGroup
	ts      string
}

func (b *Bot) newStream(ctx context.Context, q question) *stream {
	return &stream{b: b, ctx: ctx, q: q, done: make(chan struct{})}
}

// add takes the next piece of text.
func (s *stream) add(tok string) error {
	s.mu.Lock()
	s.text.WriteString(tok)
	s.dirty = true
	start := !s.started
	s.started = true
	s.mu.Unlock()
	if start {
		s.wg.Add(1)
		go s.loop()
	}
	return nil
}

func (s *stream) loop() {
	defer s.wg.Done()
	t := time.NewTicker(s.b.cfg.StreamInterval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		text, dirty := s.text.String(), s.dirty
		s.dirty = false
		s.mu.Unlock()
		if !dirty {
			continue
		}
		msg := streamingMessage(text)
		opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...), slack.MsgOptionDisableLinkUnfurl()}
		if s.ts == "" {
			q := s.q
			if q.thread != "" {
				opts = append(opts, slack.MsgOptionTS(q.thread))
				s.b.quiet.Remove(q.channel + "/" + q.thread)
			}
			_, ts, err := s.b.api.PostMessageContext(s.ctx, q.channel, opts...)
			if err != nil {
				s.b.log.Warn("slack: cannot post the placeholder", "err", err)
				return
			}
			s.ts = ts
			continue
		}
		if _, _, _, err := s.b.api.UpdateMessageContext(s.ctx, s.q.channel, s.ts, opts...); err != nil {
			s.b.log.Warn("slack: cannot update the streamed answer", "err", err)
		}
	}
}

// stop ends the streaming and returns the placeholder's timestamp ("" if
// none was posted). A nil stream is fine.
func (s *stream) stop() string {
	if s == nil {
		return ""
	}
	close(s.done)
	s.wg.Wait()
	return s.ts
}

// streamingMessage shows the end of the text written so far.
func streamingMessage(text string) Message {
	md := mrkdwn(text, nil)
	if n := len([]rune(md)); n > MaxTextChars-100 {
		md = "…" + string([]rune(md)[n-(MaxTextChars-100):])
		if i := strings.IndexByte(md, '\n'); i > 0 && i < 500 {
			md = "…" + md[i:]
		} else if gt, lt := strings.IndexByte(md, '>'), strings.IndexByte(md, '<'); gt >= 0 && (lt < 0 || gt < lt) {
			md = "…" + md[gt+1:]
		}
		if strings.Count(md, "```")%2 == 1 {
			md = "```" + md
		}
	}
	if strings.TrimSpace(md) == "" {
		md = "…"
	}
	return Message{
		Blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwnText(md), nil, nil),
			slack.NewContextBlock("", mrkdwnText("_writing…_")),
		},
		Text: clipMrkdwn(md, maxFallback),
	}
}
