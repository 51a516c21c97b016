package slackbot

import (
	"cmp"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Escape escapes the three characters Slack's mrkdwn reserves: & < and >.
func Escape(s string) string {
	return mrkdwnEscaper.Replace(s)
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

var (
	fenceRe     = regexp.MustCompile("^\\s*(```|~~~)")
	headingRe   = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	quoteRe     = regexp.MustCompile(`^\s{0,3}>\s?(.*)$`)
	bulletRe    = regexp.MustCompile(`^(\s*)[-*+]\s+(.*)$`)
	ruleRe      = regexp.MustCompile(`^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$`)
	linkRe      = regexp.MustCompile(`\[([^\[\]]+)\]\(\s*<?([^\s()<>]+)>?(?:\s+"[^"]*")?\s*\)|<(https?://[^\s<>]+)>`)
	boldRe      = regexp.MustCompile(`\*\*([^*\n]+?)\*\*|__([^_\n]+?)__`)
	italicRe    = regexp.MustCompile(`(^|[^\w*])\*([^*\s](?:[^*\n]*?[^*\s])?)\*`)
	strikeRe    = regexp.MustCompile(`~~([^~\n]+?)~~`)
	markerRe    = regexp.MustCompile(`\[(\d{1,3})\]`)
	boldMark    = "\x00"
	slackLinkRe = regexp.MustCompile(`<([^<>|\s]+)(?:\|([^<>]*))?>`)
)

// Mrkdwn converts the Markdown livespec answers are written in to Slack's
// mrkdwn: **bold** and __bold__ become *bold*, *italic* becomes _italic_,
// ~~strike~~ becomes ~strike~, [text](url) becomes <url|text>, headings
// become bold lines, bullets become •, and &, < and > are escaped
// everywhere but in the link syntax itself. Code spans and fenced code
// blocks keep their text (escaped, not reformatted).
func Mrkdwn(markdown string) string {
	return mrkdwn(markdown, nil)
}

// mrkdwn is Mrkdwn with [n] citation markers linked to cite(n) when it
// returns a URL.
func mrkdwn(markdown string, cite func(n int) string) string {
	lines := strings.Split(strings.ReplaceAll(markdown, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	inFence := false
	for _, line := range lines {
		if fenceRe.MatchString(line) {
			inFence = !inFence
			out = append(out, "```")
			continue
		}
		if inFence {
			out = append(out, Escape(line))
			continue
		}
		switch {
		case ruleRe.MatchString(line):
			out = append(out, "──────────")
		case headingRe.MatchString(line):
			m := headingRe.FindStringSubmatch(line)
			out = append(out, "*"+strings.Trim(inline(m[1], cite), "*")+"*")
		case quoteRe.MatchString(line):
			m := quoteRe.FindStringSubmatch(line)
			out = append(out, ">"+inline(m[1], cite))
		case bulletRe.MatchString(line):
			m := bulletRe.FindStringSubmatch(line)
			depth := len(strings.ReplaceAll(m[1], "\t", "    ")) / 2
			bullet := "•"
			if depth > 0 {
				bullet = "◦"
			}
			out = append(out, strings.Repeat("    ", min(depth, 4))+bullet+" "+inline(m[2], cite))
		default:
			out = append(out, inline(line, cite))
		}
	}
	if inFence {
		out = append(out, "```")
	}
	return strings.Join(out, "\n")
}

// inline converts one line outside code blocks: Markdown links are found
// first, so that a label holding a code span ([`a.md` › Intro](url)) is a
// link too; code spans are kept, the rest is linked, escaped and restyled.
func inline(s string, cite func(int) string) string {
	var b strings.Builder
	last := 0
	for _, m := range linkRe.FindAllStringSubmatchIndex(s, -1) {
		if m[2] < 0 || !strings.Contains(s[m[2]:m[3]], "`") || strings.Count(s[:m[0]], "`")%2 == 1 {
			continue // styled links these, and keeps a link inside a code span as code
		}
		b.WriteString(spans(s[last:m[0]], cite))
		b.WriteString(Link(s[m[4]:m[5]], strings.ReplaceAll(spans(s[m[2]:m[3]], nil), "|", "¦")))
		last = m[1]
	}
	b.WriteString(spans(s[last:], cite))
	return b.String()
}

// spans converts text whose code spans are kept as they are.
func spans(s string, cite func(int) string) string {
	var b strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			b.WriteString(styled(s, cite))
			break
		}
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 {
			b.WriteString(styled(s, cite))
			break
		}
		b.WriteString(styled(s[:i], cite))
		b.WriteString("`" + Escape(s[i+1:i+1+j]) + "`")
		s = s[i+2+j:]
	}
	return b.String()
}

// styled converts text without code spans.
func styled(s string, cite func(int) string) string {
	var b strings.Builder
	last := 0
	for _, m := range linkRe.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(restyle(Escape(s[last:m[0]]), cite))
		if m[2] < 0 { // <https://…>
			url := s[m[6]:m[7]]
			b.WriteString(cmp.Or(Link(url, ""), Escape(url)))
		} else {
			text, url := s[m[2]:m[3]], s[m[4]:m[5]]
			b.WriteString(Link(url, restyle(strings.ReplaceAll(Escape(text), "|", "¦"), nil)))
		}
		last = m[1]
	}
	b.WriteString(restyle(Escape(s[last:]), cite))
	return b.String()
}

// restyle turns Markdown emphasis into mrkdwn emphasis and links citation
// markers.
func restyle(s string, cite func(int) string) string {
	s = boldRe.ReplaceAllStringFunc(s, func(m string) string {
		return boldMark + m[2:len(m)-2] + boldMark
	})
	s = italicRe.ReplaceAllString(s, "${1}_${2}_")
	s = strikeRe.ReplaceAllString(s, "~${1}~")
	s = strings.ReplaceAll(s, boldMark, "*")
	if cite != nil {
		s = markerRe.ReplaceAllStringFunc(s, func(m string) string {
			n, _ := strconv.Atoi(m[1 : len(m)-1])
			if u := cite(n); u != "" {
				return Link(u, m)
			}
			return m
		})
	}
	return s
}

// Link returns a mrkdwn link to url labelled text (already mrkdwn). A URL
// that is not http(s) or mailto gives the label alone.
func Link(url, text string) string {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "mailto:") {
		return text // "" for an autolink: the caller shows the URL as text
	}
	url = strings.NewReplacer("|", "%7C", " ", "%20").Replace(Escape(strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(url)))
	if text == "" {
		return "<" + url + ">"
	}
	return "<" + url + "|" + text + ">"
}

// mentionRe matches the user and channel mentions Slack sends in message
// text without a label (<@U024BE7LH>, <#C012AB3CD>).
var mentionRe = regexp.MustCompile(`<(?:@[UW]|#C)[A-Z0-9]{2,20}>`)

// escapeKeepingMentions escapes s for mrkdwn but keeps the user and
// channel mentions it carries, so echoing a question shows them as Slack
// does instead of as &lt;@U…&gt;.
func escapeKeepingMentions(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range mentionRe.FindAllStringIndex(s, -1) {
		b.WriteString(Escape(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(Escape(s[last:]))
	return b.String()
}

// mdLinkRe matches a Markdown link or image: [text](target "title").
var mdLinkRe = regexp.MustCompile(`!?\[([^\[\]]*)\]\(\s*<?[^\s()<>]*>?(?:\s+"[^"]*")?\s*\)`)

// plainLinks replaces Markdown links and images in a quoted source text
// by their text (an in-page [x](#anchor) means nothing in Slack), and
// <https://…> autolinks by their address.
func plainLinks(s string) string {
	s = mdLinkRe.ReplaceAllString(s, "$1")
	return autolinkRe.ReplaceAllString(s, "$1")
}

var autolinkRe = regexp.MustCompile(`<((?:https?://|mailto:)[^\s<>]+)>`)

// userIDRe matches a user mention Slack left as a bare id (<@U024BE7LH>).
var userIDRe = regexp.MustCompile(`\s*<@[UW][A-Z0-9]{2,20}>`)

// withoutUserIDs returns a question without the bare user ids it mentions:
// an id names nobody the spec could mention, and the question's reader
// would take it for what the question is about ("does <@U024BE7LH> own
// the coupon rules?" asks about the coupon rules). The question shown
// keeps them.
func withoutUserIDs(q string) string {
	return strings.TrimSpace(userIDRe.ReplaceAllString(q, ""))
}

// plainFromSlack turns the text of an incoming Slack message into plain
// text: <url|label> becomes label, <url> url, mentions are dropped when
// drop reports true for the id, and &amp; &lt; &gt; are unescaped.
func plainFromSlack(s string, drop func(id string) bool) string {
	s = slackLinkRe.ReplaceAllStringFunc(s, func(m string) string {
		sm := slackLinkRe.FindStringSubmatch(m)
		target, label := sm[1], sm[2]
		switch {
		case strings.HasPrefix(target, "@"):
			if drop != nil && drop(target[1:]) {
				return ""
			}
			if label != "" {
				return "@" + label
			}
			return m
		case strings.HasPrefix(target, "#"), strings.HasPrefix(target, "!"):
			if label != "" {
				return label
			}
			return m
		case label != "":
			return label
		}
		return target
	})
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// clip shortens s to at most n runes, ending with … when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max(n-1, 0)])) + "…"
}
