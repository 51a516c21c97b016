package slackbot_test

import (
	"testing"

	"github.com/livespec/livespec/slackbot"
)

func TestMrkdwn(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"escapes", "a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"},
		{"entities stay escaped once", "AT&amp;T", "AT&amp;amp;T"},
		{"bold", "**one coupon** per __order__", "*one coupon* per *order*"},
		{"italic", "an *important* _note_", "an _important_ _note_"},
		{"bold and italic", "**bold** and *it*", "*bold* and _it_"},
		{"strike", "~~gone~~", "~gone~"},
		{"link", "see [the spec](https://example.com/a?x=1&y=2)", "see <https://example.com/a?x=1&amp;y=2|the spec>"},
		{"link with bold label", "[**spec**](https://example.com)", "<https://example.com|*spec*>"},
		{"link label with pipe", "[a|b](https://example.com)", "<https://example.com|a¦b>"},
		{"link label with a code span", "• [`spec/auth.md` › Auth > Expiry](https://example.com/x#expiry) modified", "• <https://example.com/x#expiry|`spec/auth.md` › Auth &gt; Expiry> modified"},
		{"link syntax in a code span kept", "use `[a](https://example.com)` and [`b`](https://example.com/b)", "use `[a](https://example.com)` and <https://example.com/b|`b`>"},
		{"autolink", "<https://example.com/x>", "<https://example.com/x>"},
		{"unsafe link scheme", "[click](javascript:void)", "click"},
		{"heading", "## Coupons & discounts", "*Coupons &amp; discounts*"},
		{"bullets", "- one\n  - nested\n* two", "• one\n    ◦ nested\n• two"},
		{"ordered list kept", "1. first\n2. second", "1. first\n2. second"},
		{"quote", "> quoted <text>", ">quoted &lt;text&gt;"},
		{"code span kept", "use `a**b**<c>` here", "use `a**b**&lt;c&gt;` here"},
		{"fenced code kept", "```go\nx := a**2 < b\n```", "```\nx := a**2 &lt; b\n```"},
		{"unclosed fence closed", "```\ncode", "```\ncode\n```"},
		{"rule", "---", "──────────"},
		{"citation markers plain", "coupons [1] and [2]", "coupons [1] and [2]"},
		{"mention-like text escaped", "<@U123> <!channel>", "&lt;@U123&gt; &lt;!channel&gt;"},
		{"multiplication not italic", "2 * 3 * 4", "2 * 3 * 4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := slackbot.Mrkdwn(tt.in); got != tt.want {
				t.Errorf("Mrkdwn(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	if got := slackbot.Escape(`<a href="x">&</a>`); got != `&lt;a href="x"&gt;&amp;&lt;/a&gt;` {
		t.Fatalf("Escape = %q", got)
	}
}
