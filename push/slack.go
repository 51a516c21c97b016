package push

import (
	"strings"

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
// button carrying the question.
func SlackMessage(n *livespec.Notification) (string, []slack.Block) {
	md := slackbot.Mrkdwn(n.Markdown)
	var blocks []slack.Block
	for _, part := range cutLines(md, maxBlockText) {
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
	return clip(md, maxFallback), blocks
}

// cutLines cuts s into parts of at most n runes, at line ends when it can.
func cutLines(s string, n int) []string {
	var parts []string
	var cur strings.Builder
	size := 0
	for _, line := range strings.SplitAfter(s, "\n") {
		l := len([]rune(line))
		if size+l > n && size > 0 {
			parts = append(parts, strings.TrimRight(cur.String(), "\n"))
			cur.Reset()
			size = 0
		}
		for l > n { // one over-long line
			r := []rune(line)
			parts = append(parts, string(r[:n]))
			line = string(r[n:])
			l -= n
		}
		cur.WriteString(line)
		size += l
	}
	if strings.TrimSpace(cur.String()) != "" {
		parts = append(parts, strings.TrimRight(cur.String(), "\n"))
	}
	return parts
}
