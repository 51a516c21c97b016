package push

import (
	"github.com/slack-go/slack"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/slackbot"
)

// Slack limits on one message.
const (
	maxBlockText = 2900 // characters in one section block (Slack allows 3000)
	maxBlocks    = 45   // blocks in one message (Slack allows 50)
	maxFallback  = 3000 // the notification text
)

// SlackMessage renders a notification for Slack: its Markdown as mrkdwn
// sections cut at line ends, and for a stale-answer notice an "Ask again"
// button carrying the question. Blocks and the fallback text are cut
// between links and entities, never inside one.
func SlackMessage(n *livespec.Notification) (string, []slack.Block) {
	md := slackbot.Mrkdwn(n.Markdown)
	var blocks []slack.Block
	for _, part := range slackbot.SplitMrkdwn(md, maxBlockText) {
		if len(blocks) == maxBlocks {
			break
		}
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, part, false, false), nil, nil))
	}
	if n.Kind == livespec.NoticeStale && n.Question != "" {
		q := clip(n.Question, 1900)
		btn := slack.NewButtonBlockElement(slackbot.ActionAskAgain, q, slack.NewTextBlockObject(slack.PlainTextType, "Ask again", false, false))
		blocks = append(blocks, slack.NewActionBlock("livespec_stale", btn))
	}
	return slackbot.CutMrkdwn(md, maxFallback-2), blocks // " …" ends a cut text
}
