package slackbot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
)

// TestFallbackTextCutsBetweenLinks moves a link, and then an escaped &,
// across the place where the fallback text is cut: the text stays within
// Slack's notification length and never ends inside <url|label> or an
// entity.
func TestFallbackTextCutsBetweenLinks(t *testing.T) {
	for _, tt := range []struct {
		name, at string
	}{
		{"link", "[the coupon rules](https://git.example.com/shop/blob/a1b2c3d/specs/checkout.md#coupons-and-stacking)"},
		{"citation link", "[1]"},
		{"autolink", "<https://git.example.com/shop/blob/a1b2c3d/specs/checkout.md?plain=1&l=10>"},
		{"entity", "R&D <draft> & more"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cutAt := 0
			for pad := 2400; pad < 2600; pad++ {
				a := slackbottest.AnswerFor(slackbottest.Question)
				a.Answer = strings.Repeat("x", pad%7) + strings.Repeat(" word", pad/5) + " " + tt.at + strings.Repeat(" tail", 400)
				m := slackbot.Render(a, slackbot.RenderOptions{})
				if n := utf8.RuneCountInString(m.Text); n > 3000 {
					t.Fatalf("pad %d: fallback of %d characters", pad, n)
				}
				slackbottest.CheckMrkdwn(t, m.Text)
				if t.Failed() {
					t.Fatalf("pad %d: fallback text %q", pad, m.Text[max(len(m.Text)-400, 0):])
				}
				if strings.Contains(m.Text, "\nSources:") && !strings.Contains(m.Text, "[1] specs/checkout.md") {
					t.Fatalf("pad %d: the fallback lost its sources:\n%s", pad, m.Text[len(m.Text)-300:])
				}
				if strings.Contains(m.Text, " …") {
					cutAt++
				}
			}
			if cutAt == 0 {
				t.Fatal("no fallback text was cut: the test does not reach the limit")
			}
		})
	}
}

// TestQuestionEchoKeepsMentions checks the "Q:" line of a slash command
// answer shows a user or channel mention as Slack does, and escapes the
// rest.
func TestQuestionEchoKeepsMentions(t *testing.T) {
	a := slackbottest.AnswerFor("does <@U024BE7LH> own <#C012AB3CD> & the <refunds> spec?")
	m := slackbot.Render(a, slackbot.RenderOptions{ShowQuestion: true})
	slackbottest.ValidateBlocks(t, m.Blocks)
	text := slackbottest.BlockText(m.Blocks)
	want := "*Q:* does <@U024BE7LH> own <#C012AB3CD> &amp; the &lt;refunds&gt; spec?"
	if !strings.Contains(text, want) {
		t.Fatalf("question echo: want %q in\n%s", want, text)
	}
	// Anything else in angle brackets is text, not markup.
	a = slackbottest.AnswerFor("what about <!channel> and <https://evil.example|click>?")
	text = slackbottest.BlockText(slackbot.Render(a, slackbot.RenderOptions{ShowQuestion: true}).Blocks)
	if !strings.Contains(text, "&lt;!channel&gt;") || !strings.Contains(text, "&lt;https://evil.example|click&gt;") {
		t.Fatalf("question echo let markup through:\n%s", text)
	}
}

// TestSourceExcerptsDropMarkdownLinks checks a quoted source shows the
// text of its Markdown links and images, not their syntax.
func TestSourceExcerptsDropMarkdownLinks(t *testing.T) {
	a := slackbottest.AnswerFor(slackbottest.Question)
	a.Citations[0].Excerpt = "See [the coupon rules](#coupons), ![flow](img/flow.png \"Flow\") and <https://example.com/a>."
	m := slackbot.Render(a, slackbot.RenderOptions{})
	slackbottest.ValidateBlocks(t, m.Blocks)
	text := slackbottest.BlockText(m.Blocks)
	if want := "“See the coupon rules, flow and https://example.com/a.”"; !strings.Contains(text, want) {
		t.Fatalf("excerpt: want %q in\n%s", want, text)
	}
	if strings.Contains(text, "](") {
		t.Fatalf("Markdown link syntax in the sources:\n%s", text)
	}
}

// TestSlashAckKeepsMentions checks the "Working on it" reply to a slash
// command shows a mention in the question as Slack does, and escapes the
// rest.
func TestSlashAckKeepsMentions(t *testing.T) {
	e := slackbottest.NewEnv(t)
	w := slackbottest.Serve(e.Bot.CommandsHandler(), slackbottest.Signed(t, "/slack/commands", "application/x-www-form-urlencoded",
		slackbottest.SlashBody("does <@U024BE7LH> own the coupon rules & refunds?", e.Hooks.URL), time.Now(), slackbottest.Secret))
	var ack slack.WebhookMessage
	if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil || w.Code != 200 {
		t.Fatalf("ack: status %d body %q: %v", w.Code, w.Body.String(), err)
	}
	if want := "_does <@U024BE7LH> own the coupon rules &amp; refunds?_"; !strings.Contains(ack.Text, want) {
		t.Errorf("ack %q, want %q in it", ack.Text, want)
	}
	e.Bot.Wait()
}
