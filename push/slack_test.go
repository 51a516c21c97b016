package push_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/push"
)

// wellFormedMrkdwn fails when s ends inside a <url|label> link or has an
// & that starts no entity: what Slack shows as broken text.
func wellFormedMrkdwn(t testing.TB, what, s string) {
	t.Helper()
	rest := regexp.MustCompile(`<[^<>]*>`).ReplaceAllString(s, "")
	if strings.ContainsAny(rest, "<>") {
		t.Errorf("%s has an unclosed link: …%s", what, s[max(len(s)-200, 0):])
	}
	if strings.Contains(regexp.MustCompile(`&(amp|lt|gt);`).ReplaceAllString(s, ""), "&") {
		t.Errorf("%s has a cut entity: …%s", what, s[max(len(s)-200, 0):])
	}
}

// TestSlackMessageCutsBetweenLinks moves a permalink, and then an escaped
// &, across the places where a long digest is cut (the 3,000-character
// fallback text and the 2,900-character blocks): each piece stays within
// Slack's limits and never ends inside a link or an entity.
func TestSlackMessageCutsBetweenLinks(t *testing.T) {
	for _, tt := range []struct{ name, at string }{
		{"link", "[KEP-1287: In-place Update of Pod Resources](https://git.example.com/k/e/blob/a1b2c3d4e5f6/keps/sig-node/1287-in-place-update-pod-resources/README.md?plain=1&l=10#summary)"},
		{"entity", "R&D <draft> & more"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cuts := 0
			for pad := 0; pad < 160; pad++ {
				md := "# Spec digest: 2026-04-01 to 2026-06-30\n\n" + strings.Repeat("x", pad) + "\n" +
					strings.Repeat("- "+tt.at+" changed\n", 3200/len(tt.at)+2)
				text, blocks := push.SlackMessage(&livespec.Notification{Kind: livespec.NoticeDigest, Markdown: md})
				if n := utf8.RuneCountInString(text); n > 3000 {
					t.Fatalf("pad %d: fallback text of %d characters", pad, n)
				}
				if strings.HasSuffix(text, " …") {
					cuts++
				}
				wellFormedMrkdwn(t, "the fallback text", text)
				for i, b := range blocks {
					s := b.(*slack.SectionBlock).Text.Text
					if n := utf8.RuneCountInString(s); n > 3000 {
						t.Fatalf("pad %d: block %d of %d characters", pad, i, n)
					}
					wellFormedMrkdwn(t, "a block", s)
				}
				if t.Failed() {
					t.Fatalf("pad %d", pad)
				}
			}
			if cuts == 0 {
				t.Fatal("no fallback text was cut: the test does not reach the limit")
			}
		})
	}
}
