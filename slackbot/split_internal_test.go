package slackbot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitMrkdwn(t *testing.T) {
	const max = 200
	long := strings.Repeat("word <https://example.com/x?a=1&amp;b=2|a link> &amp; more ", 20)
	for _, tt := range []struct {
		name string
		text string
	}{
		{"short", "one line"},
		{"many lines", strings.Repeat("a line of some length\n", 40)},
		{"one long line", long},
		{"code block across pieces", "intro\n```\n" + strings.Repeat("code line\n", 60) + "```\noutro"},
		{"line just under the budget in a code block", "```\n" + strings.Repeat("x", max-4) + "\n" + strings.Repeat("y", max-5) + "\n```"},
		{"long line in a code block", "```\n" + long + "\n```"},
		{"no spaces", strings.Repeat("é", 1000)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pieces := SplitMrkdwn(tt.text, max)
			if len(pieces) == 0 {
				t.Fatal("no pieces")
			}
			var got []string
			for i, p := range pieces {
				if n := utf8.RuneCountInString(p); n > max || strings.TrimSpace(p) == "" {
					t.Errorf("piece %d has %d runes: %q", i, n, p)
				}
				if strings.Count(p, "```")%2 != 0 {
					t.Errorf("piece %d has an unbalanced code fence: %q", i, p)
				}
				if strings.Count(p, "<") != strings.Count(p, ">") {
					t.Errorf("piece %d splits a link: %q", i, p)
				}
				if strings.HasSuffix(p, "&amp") || strings.HasSuffix(p, "&") {
					t.Errorf("piece %d splits an entity: %q", i, p)
				}
				got = append(got, strings.ReplaceAll(p, "```", ""))
			}
			// Nothing is lost: the text's characters all come back in order.
			squash := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "```", "")), "") }
			if squash(strings.Join(got, "")) != squash(tt.text) {
				t.Errorf("the pieces do not add up to the text")
			}
		})
	}
}

func TestCutMrkdwnKeepsLinksWhole(t *testing.T) {
	text := strings.Repeat("see <https://example.com/a|the spec> ", 100)
	for n := 10; n < 400; n += 7 {
		got := CutMrkdwn(text, n)
		if strings.Count(got, "<") != strings.Count(got, ">") || utf8.RuneCountInString(got) > n+2 {
			t.Fatalf("CutMrkdwn(_, %d) = %q", n, got)
		}
	}
}

func TestPlainFromSlack(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"<@UBOT> does checkout support coupons?", "does checkout support coupons?"},
		{"<@UBOT|livespec> what about <@UBOB|bob>?", "what about @bob?"},
		{"history of <https://git.example.com/a.md|a.md> &amp; <#C1|general>", "history of a.md & general"},
		{"a &lt;b&gt; c", "a <b> c"},
		{"  spaced\n\nout  ", "spaced out"},
	} {
		if got := plainFromSlack(tt.in, func(id string) bool { return id == "UBOT" }); got != tt.want {
			t.Errorf("plainFromSlack(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTSTime(t *testing.T) {
	if got := tsTime("1700000000.000100"); got.Unix() != 1700000000 || got.Nanosecond() != 100000 {
		t.Fatalf("tsTime = %v", got)
	}
	for _, bad := range []string{"", "x", "-1.0", "1.2345678901"} {
		if !tsTime(bad).IsZero() {
			t.Errorf("tsTime(%q) not zero", bad)
		}
	}
}
