package slackbot

import (
	"context"
	"errors"

	"github.com/livespec/livespec"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives events, slash commands and button clicks over
// Slack's Socket Mode WebSocket (for workspaces the Events API cannot
// reach) and handles them like the HTTP endpoints do. It needs
// Config.AppToken and runs until ctx ends (then returns nil) or the
// connection fails for good.
func (b *Bot) RunSocketMode(ctx context.Context) error {
	if b.cfg.AppToken == "" {
		return livespec.Errorf(livespec.EINVALID, "slackbot: Socket Mode needs an app-level token (SLACK_APP_TOKEN)")
	}
	sm := socketmode.New(b.api)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return nil
			}
			return livespec.WrapError(livespec.EUNAVAILABLE, err, "slackbot: socket mode")
		case evt := <-sm.Events:
			b.handleSocketEvent(evt, func(req socketmode.Request, payload ...any) {
				if err := sm.Ack(req, payload...); err != nil {
					b.log.Warn("slack: socket mode ack failed", "err", err)
				}
			})
		}
	}
}

// handleSocketEvent acknowledges one Socket Mode envelope first and then
// hands it to the handlers the HTTP endpoints use.
func (b *Bot) handleSocketEvent(evt socketmode.Event, ack func(req socketmode.Request, payload ...any)) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if evt.Request != nil {
			ack(*evt.Request)
		}
		if !ok {
			return
		}
		retry := ""
		if evt.Request != nil && evt.Request.RetryAttempt > 0 {
			retry = evt.Request.RetryReason
		}
		b.handleEvent(ev, retry)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			if evt.Request != nil {
				ack(*evt.Request)
			}
			return
		}
		resp := b.handleCommand(cmd)
		if evt.Request != nil {
			ack(*evt.Request, resp)
		}
	case socketmode.EventTypeInteractive:
		if evt.Request != nil {
			ack(*evt.Request)
		}
		if ic, ok := evt.Data.(slack.InteractionCallback); ok {
			b.handleInteraction(ic)
		}
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello:
		b.log.Debug("slack: socket mode", "state", evt.Type)
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth, socketmode.EventTypeIncomingError,
		socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		b.log.Warn("slack: socket mode", "state", evt.Type, "data", evt.Data)
	default:
		if evt.Request != nil && evt.Request.EnvelopeID != "" {
			ack(*evt.Request)
		}
	}
}
