package retrieval_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

func TestAnchor(t *testing.T) {
	tests := []struct {
		name, heading, want string
	}{
		{"preamble", "", ""},
		{"front matter", livespec.FrontMatterHeading, ""},
		{"last heading of the path", "Design > Auth > Token expiry", "token-expiry"},
		{"punctuation dropped", "1. The establishment of roles (and duties)!", "1-the-establishment-of-roles-and-duties"},
		{"code and underscores kept", "The `snake_case` rule", "the-snake_case-rule"},
		{"hyphens kept", "Server-Sent Events", "server-sent-events"},
		{"unicode letters kept", "Über Größe", "über-größe"},
		{"second occurrence", "API > Examples (2)", "examples-1"},
		{"third occurrence", "API > Examples (3)", "examples-2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := retrieval.Anchor(tc.heading); got != tc.want {
				t.Errorf("Anchor(%q) = %q, want %q", tc.heading, got, tc.want)
			}
		})
	}
}

func TestPermalink(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name, template, path, heading, want string
	}{
		{"no template", "", "a.md", "A", ""},
		{"github", "https://github.com/org/{repo}/blob/{commit}/{path}#{anchor}", "specs/auth.md", "Auth > Token expiry",
			"https://github.com/org/demo/blob/" + commit + "/specs/auth.md#token-expiry"},
		{"no anchor for the preamble", "https://x/{commit}/{path}#{anchor}", "a.md", "", "https://x/" + commit + "/a.md"},
		{"path segments escaped", "https://x/{commit}/{path}#{anchor}", "proposals/001_Alternative Schema Proposal.md", "Intro",
			"https://x/" + commit + "/proposals/001_Alternative%20Schema%20Proposal.md#intro"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := retrieval.Permalink(tc.template, "demo", commit, tc.path, tc.heading); got != tc.want {
				t.Errorf("Permalink = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	long := "# Limits\n\n" + strings.Repeat("Requests are logged for audit purposes. ", 8) +
		"Clients may send at most 100 requests per minute per token. " +
		strings.Repeat("Logs are kept for a year and then deleted. ", 8)
	tests := []struct {
		name, text, query string
		contains          string
		notContains       string
	}{
		{"short text whole, heading dropped", "# Sessions\n\nSessions expire after 30 minutes.\n", "sessions", "Sessions expire after 30 minutes.", "#"},
		{"heading only", "## Empty", "x", "## Empty", ""},
		{"relevant sentence of a long text", long, "how many requests per minute may a client send", "at most 100 requests per minute", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := retrieval.Excerpt(tc.text, tc.query)
			if !strings.Contains(got, tc.contains) {
				t.Errorf("Excerpt = %q, want it to contain %q", got, tc.contains)
			}
			if tc.notContains != "" && strings.Contains(got, tc.notContains) {
				t.Errorf("Excerpt = %q, should not contain %q", got, tc.notContains)
			}
			if n := utf8.RuneCountInString(got); n > 310 {
				t.Errorf("excerpt is %d runes long", n)
			}
		})
	}
	t.Run("line breaks after sentence ends are kept", func(t *testing.T) {
		text := strings.Repeat("Filler sentence about nothing much at all. ", 8) + "Changes go to `dev` first.\n* `vX.Y-dev` is the release line.\n" + strings.Repeat("More filler follows here. ", 8)
		got := retrieval.Excerpt(text, "release line dev")
		if !strings.Contains(got, "first.\n* `vX.Y-dev`") {
			t.Errorf("excerpt %q glued the lines", got)
		}
	})
	// Passages between fillers: the excerpt is around the one named.
	passages := []struct {
		name, first, second, query, want, notWant string
	}{
		{"the first passage sharing every term wins", "Tokens expire hourly. ", "Tokens expire daily. ", "when do tokens expire", "Tokens expire hourly.", "daily"},
		{"words read in one passage count again in the next", "The tokens of a client. ", "A client's tokens expire. ", "when do client tokens expire", "A client's tokens expire.", ""},
		// "says" is a stop word; "saying" is not, and both stem to "say".
		{"a stop word stemmed as a term counts for nothing", "He says so, twice. ", "The saying goes. ", "the saying", "The saying goes.", ""},
	}
	for _, tc := range passages {
		t.Run(tc.name, func(t *testing.T) {
			filler := strings.Repeat("Filler sentence about nothing much at all. ", 10)
			got := retrieval.Excerpt(filler+tc.first+filler+tc.second+filler, tc.query)
			if !strings.Contains(got, tc.want) || (tc.notWant != "" && strings.Contains(got, tc.notWant)) {
				t.Errorf("excerpt %q is not around %q", got, tc.want)
			}
		})
	}
	t.Run("invalid UTF-8 gives a valid excerpt", func(t *testing.T) {
		text := strings.Repeat("Bad \xff bytes \xc3 here. ", 20) + "Clients may send 100 requests per minute. " + strings.Repeat("More \xfe filler. ", 20)
		got := retrieval.Excerpt(text, "requests per minute")
		if !utf8.ValidString(got) || !strings.Contains(got, "100 requests per minute") {
			t.Errorf("excerpt %q", got)
		}
	})
	t.Run("cut at sentence boundaries", func(t *testing.T) {
		got := retrieval.Excerpt(long, "requests per minute")
		body := strings.Trim(got, "… ")
		if !strings.HasSuffix(body, ".") {
			t.Errorf("excerpt %q does not end at a sentence end", got)
		}
		if !strings.HasPrefix(got, "… ") || !strings.HasSuffix(got, " …") {
			t.Errorf("excerpt %q does not mark the cuts", got)
		}
	})
}

func TestCite(t *testing.T) {
	from := time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC)
	to := time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)
	v := livespec.Version{
		ID: "v1", Key: livespec.Key{Repo: "demo", Path: "specs/auth.md", Heading: "Auth > Token expiry"},
		Text: "## Token expiry\n\nTokens expire after 30 minutes.", Commit: "c1", ValidFrom: from,
		EndCommit: "c2", ValidTo: to,
	}
	c := retrieval.Cite(v, 3, "token expiry", "https://x/{commit}/{path}#{anchor}")
	want := livespec.Citation{
		N: 3, Repo: "demo", Path: "specs/auth.md", Heading: "Auth > Token expiry", Commit: "c1",
		Date: livespec.Time{Time: from}, ValidFrom: livespec.Time{Time: from}, ValidTo: livespec.Time{Time: to},
		Current: false, URL: "https://x/c1/specs/auth.md#token-expiry", Excerpt: "Tokens expire after 30 minutes.",
		VersionID: "v1", Text: v.Text,
	}
	if c != want {
		t.Errorf("Cite =\n%+v\nwant\n%+v", c, want)
	}
}
