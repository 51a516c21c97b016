package ingest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/livespec/livespec"
)

// sec is the part of a livespec.Section a table test checks.
type sec struct {
	Heading string
	Level   int
	Text    string
}

func secs(pf *ParsedFile) []sec {
	var out []sec
	for _, s := range pf.Sections {
		out = append(out, sec{s.Heading, s.Level, s.Text})
	}
	return out
}

// parse parses a file and checks the invariants every result must hold.
func parse(t testing.TB, path, src string, opt ParseOptions) *ParsedFile {
	t.Helper()
	pf, err := ParseFile(path, []byte(src), opt)
	if err != nil {
		t.Fatalf("ParseFile(%q): %v", path, err)
	}
	checkInvariants(t, pf, opt)
	return pf
}

// checkInvariants checks what holds for every parsed file: unique keys,
// hashes of the texts, normalised texts, clean links.
func checkInvariants(t testing.TB, pf *ParsedFile, opt ParseOptions) {
	t.Helper()
	type key struct {
		h string
		p int
	}
	seen := map[key]bool{}
	for i, s := range pf.Sections {
		k := key{s.Heading, s.Part}
		if seen[k] {
			t.Errorf("section %d: duplicate key %q part %d", i, s.Heading, s.Part)
		}
		seen[k] = true
		if s.Hash != livespec.ContentHash(s.Text) {
			t.Errorf("section %q: hash does not match text", s.Heading)
		}
		if NormalizeText(s.Text) != s.Text {
			t.Errorf("section %q: text not normalised: %q", s.Heading, s.Text)
		}
		if s.Part > 0 && (i == 0 || pf.Sections[i-1].Heading != s.Heading || pf.Sections[i-1].Part != s.Part-1) {
			t.Errorf("section %q part %d does not follow part %d", s.Heading, s.Part, s.Part-1)
		}
		for _, l := range s.Links {
			if l == "" || strings.HasPrefix(l, "/") || l == ".." || strings.HasPrefix(l, "../") || strings.Contains(l, "/../") || strings.ContainsAny(l, "#?") {
				t.Errorf("section %q: unclean link %q", s.Heading, l)
			}
		}
	}
}

func TestParseFileMarkdown(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []sec
		meta map[string]any
	}{
		{
			name: "empty file",
			src:  "",
			want: nil,
		},
		{
			name: "blank file",
			src:  "\n  \n\t\n",
			want: nil,
		},
		{
			name: "preamble only",
			src:  "Just text.\n\nMore text.\n",
			want: []sec{{"", 0, "Just text.\n\nMore text."}},
		},
		{
			name: "ATX headings and preamble",
			src:  "Intro.\n\n# Title\n\nBody.\n\n## Sub\n\nSub body.\n",
			want: []sec{
				{"", 0, "Intro."},
				{"Title", 1, "# Title\n\nBody."},
				{"Title > Sub", 2, "## Sub\n\nSub body."},
			},
		},
		{
			name: "setext headings",
			src:  "Title\n=====\n\nBody.\n\nSub\n---\n\nSub body.\n",
			want: []sec{
				{"Title", 1, "Title\n=====\n\nBody."},
				{"Title > Sub", 2, "Sub\n---\n\nSub body."},
			},
		},
		{
			name: "setext heading after link definitions",
			src:  "intro\n\n[a]: b.md\n[c]: d.md\nTitle\nmore\n---\nbody\n",
			want: []sec{
				{"", 0, "intro\n\n[a]: b.md\n[c]: d.md"},
				{"Title more", 2, "Title\nmore\n---\nbody"},
			},
		},
		{
			name: "multi-line setext heading",
			src:  "Long\ntitle\n===\nBody.\n",
			want: []sec{{"Long title", 1, "Long\ntitle\n===\nBody."}},
		},
		{
			name: "nested paths pop to the right level",
			src:  "# A\n## B\n### C\n## D\n#### E\n# F\n### G\n",
			want: []sec{
				{"A", 1, "# A"},
				{"A > B", 2, "## B"},
				{"A > B > C", 3, "### C"},
				{"A > D", 2, "## D"},
				{"A > D > E", 4, "#### E"},
				{"F", 1, "# F"},
				{"F > G", 3, "### G"},
			},
		},
		{
			name: "first heading below level 1",
			src:  "### Deep\n## Shallower\n",
			want: []sec{
				{"Deep", 3, "### Deep"},
				{"Shallower", 2, "## Shallower"},
			},
		},
		{
			name: "hash lines in code blocks are not headings",
			src:  "# Real\n\n```sh\n# a comment\n## another\n```\n\n~~~\n# tilde fence\n~~~\n\n    # indented code\n\nEnd.\n",
			want: []sec{{"Real", 1, "# Real\n\n```sh\n# a comment\n## another\n```\n\n~~~\n# tilde fence\n~~~\n\n    # indented code\n\nEnd."}},
		},
		{
			name: "unclosed fence runs to the end",
			src:  "# Real\n\n```\n# not a heading\n\n# still code\n",
			want: []sec{{"Real", 1, "# Real\n\n```\n# not a heading\n\n# still code"}},
		},
		{
			name: "headings in block quotes, lists and HTML are body text",
			src:  "# Real\n\n> # Quoted\n\n- # In a list\n\n<div>\n# In HTML\n</div>\n",
			want: []sec{{"Real", 1, "# Real\n\n> # Quoted\n\n- # In a list\n\n<div>\n# In HTML\n</div>"}},
		},
		{
			name: "not ATX without a space",
			src:  "#hashtag\n\n####### seven\n",
			want: []sec{{"", 0, "#hashtag\n\n####### seven"}},
		},
		{
			name: "heading text is plain text",
			src:  "# The *big* `Token` [expiry](x.md) &amp; \\*more\\* <b>bold</b> ###\n",
			want: []sec{{"The big Token expiry & *more* bold", 1, "# The *big* `Token` [expiry](x.md) &amp; \\*more\\* <b>bold</b> ###"}},
		},
		{
			name: "heading separator inside a heading",
			src:  "# Input > Output\n## Child\n",
			want: []sec{
				{"Input › Output", 1, "# Input > Output"},
				{"Input › Output > Child", 2, "## Child"},
			},
		},
		{
			name: "long heading is cut",
			src:  "# " + strings.Repeat("é", 200) + "\n",
			want: []sec{{strings.Repeat("é", 150) + "…", 1, "# " + strings.Repeat("é", 200)}},
		},
		{
			name: "control characters and invalid UTF-8 in a heading",
			src:  "# a\x00b\x7fc \xff d >\x01 e\n",
			want: []sec{{"abc \uFFFD d › e", 1, "# a\x00b\x7fc \xff d >\x01 e"}},
		},
		{
			name: "indented ATX heading",
			src:  "   ## Indented\nBody\n",
			want: []sec{{"Indented", 2, "   ## Indented\nBody"}},
		},
		{
			name: "empty heading",
			src:  "#\nBody\n",
			want: []sec{{"(untitled)", 1, "#\nBody"}},
		},
		{
			name: "duplicate headings get suffixes and children inherit them",
			src:  "# A\n## Notes\none\n## Notes\ntwo\n### Detail\n## Notes\nthree\n",
			want: []sec{
				{"A", 1, "# A"},
				{"A > Notes", 2, "## Notes\none"},
				{"A > Notes (2)", 2, "## Notes\ntwo"},
				{"A > Notes (2) > Detail", 3, "### Detail"},
				{"A > Notes (3)", 2, "## Notes\nthree"},
			},
		},
		{
			name: "duplicate suffix skips a literal heading of that name",
			src:  "# X (2)\n# X\n# X\n",
			want: []sec{
				{"X (2)", 1, "# X (2)"},
				{"X", 1, "# X"},
				{"X (3)", 1, "# X"},
			},
		},
		{
			name: "same heading under different parents is no duplicate",
			src:  "# A\n## Goals\n# B\n## Goals\n",
			want: []sec{
				{"A", 1, "# A"},
				{"A > Goals", 2, "## Goals"},
				{"B", 1, "# B"},
				{"B > Goals", 2, "## Goals"},
			},
		},
		{
			name: "normalisation: CRLF, trailing spaces, blank runs",
			src:  "# T  \r\n\r\n\r\n\r\nline one   \r\nline two\t\r\n\r\n\r\n",
			want: []sec{{"T", 1, "# T\n\nline one\nline two"}},
		},
		{
			name: "lone CR line endings",
			src:  "# T\rbody\r",
			want: []sec{{"T", 1, "# T\nbody"}},
		},
		{
			name: "byte order mark",
			src:  "\ufeff# T\n",
			want: []sec{{"T", 1, "# T"}},
		},
		{
			name: "front matter",
			src:  "---\ntitle: Checkout\ntags: [a, b]\ncreated: 2024-03-01\n---\nIntro.\n# H\n",
			want: []sec{
				{livespec.FrontMatterHeading, 0, "title: Checkout\ntags: [a, b]\ncreated: 2024-03-01"},
				{"", 0, "Intro."},
				{"H", 1, "# H"},
			},
			meta: map[string]any{"title": "Checkout", "tags": []any{"a", "b"}, "created": "2024-03-01T00:00:00Z"},
		},
		{
			name: "front matter closed by dots, with CRLF",
			src:  "---\r\nowner: team-a\r\n...\r\n# H\r\n",
			want: []sec{
				{livespec.FrontMatterHeading, 0, "owner: team-a"},
				{"H", 1, "# H"},
			},
			meta: map[string]any{"owner": "team-a"},
		},
		{
			name: "empty front matter",
			src:  "---\n---\n# H\n",
			want: []sec{{"H", 1, "# H"}},
		},
		{
			name: "broken front matter stays in the preamble",
			src:  "---\ntitle: [unclosed\n---\nIntro.\n# H\nBody\n",
			want: []sec{
				{"", 0, "---\ntitle: [unclosed\n---\nIntro."},
				{"H", 1, "# H\nBody"},
			},
		},
		{
			name: "front matter that is not a mapping stays in the preamble",
			src:  "---\nJust a sentence\n---\n# H\n",
			want: []sec{
				{"", 0, "---\nJust a sentence\n---"},
				{"H", 1, "# H"},
			},
		},
		{
			name: "unclosed front matter is Markdown",
			src:  "---\ntitle: x\n\n# H\nBody\n",
			want: []sec{
				{"", 0, "---\ntitle: x"},
				{"H", 1, "# H\nBody"},
			},
		},
		{
			name: "a heading named like the front matter section",
			src:  "---\na: 1\n---\n# (front matter)\n",
			want: []sec{
				{livespec.FrontMatterHeading, 0, "a: 1"},
				{"(front matter) (2)", 1, "# (front matter)"},
			},
			meta: map[string]any{"a": 1},
		},
		{
			name: "thematic break later in the file is no front matter",
			src:  "Intro\n\n---\n\n# H\n",
			want: []sec{
				{"", 0, "Intro\n\n---"},
				{"H", 1, "# H"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf := parse(t, "docs/spec.md", tt.src, ParseOptions{})
			if got := secs(pf); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("sections:\n got %#v\nwant %#v", got, tt.want)
			}
			if !reflect.DeepEqual(pf.Meta, tt.meta) {
				t.Errorf("meta: got %#v, want %#v", pf.Meta, tt.meta)
			}
		})
	}
}

func TestParseFileExtensions(t *testing.T) {
	for _, p := range []string{"a.md", "a.markdown", "A.MD", "notes.txt", "README"} {
		pf := parse(t, p, "# H\n", ParseOptions{})
		if len(pf.Sections) != 1 || pf.Sections[0].Heading != "H" {
			t.Errorf("%s: not parsed as Markdown: %#v", p, secs(pf))
		}
	}
}

func TestParseFileLinks(t *testing.T) {
	tests := []struct {
		name string
		path string
		src  string
		want []string
	}{
		{"relative with anchor", "keps/sig-auth/1-a/README.md", "[x](../2-b/README.md#expiry)", []string{"keps/sig-auth/2-b/README.md"}},
		{"same directory", "docs/a.md", "[x](b.md) [y](./c.md?plain=1)", []string{"docs/b.md", "docs/c.md"}},
		{"root file", "README.md", "[x](docs/a.md)", []string{"docs/a.md"}},
		{"repository root", "docs/deep/a.md", "[x](/spec/b.md)", []string{"spec/b.md"}},
		{"image", "docs/a.md", "![diagram](img/flow.png)", []string{"docs/img/flow.png"}},
		{"reference link", "docs/a.md", "See [the token][tok].\n\n[tok]: ../auth/token.md#expiry \"Token\"", []string{"auth/token.md"}},
		{"percent-encoded", "docs/a.md", "[x](my%20file.md)", []string{"docs/my file.md"}},
		{"angle brackets", "docs/a.md", "[x](<my file.md>)", []string{"docs/my file.md"}},
		{"duplicates once", "docs/a.md", "[x](b.md) [y](b.md#two) [z](./b.md)", []string{"docs/b.md"}},
		{"absolute URL ignored", "docs/a.md", "[x](https://example.com/a.md) [y](HTTP://x)", nil},
		{"protocol-relative ignored", "docs/a.md", "[x](//example.com/a.md)", nil},
		{"mailto ignored", "docs/a.md", "[x](mailto:a@example.com)", nil},
		{"pure anchor ignored", "docs/a.md", "[x](#goals)", nil},
		{"escaping the repository ignored", "docs/a.md", "[x](../../outside.md) [y](/../z.md)", nil},
		{"link to the root ignored", "docs/a.md", "[x](..)", nil},
		{"directory link kept", "docs/a.md", "[x](../spec/)", []string{"spec"}},
		{"link in code ignored", "docs/a.md", "`[x](b.md)`\n\n```\n[y](c.md)\n```", nil},
		{"autolink ignored", "docs/a.md", "<https://example.com>", nil},
		{"colon after a slash is a path", "docs/a.md", "[x](dir/a:b.md)", []string{"docs/dir/a:b.md"}},
		{"paragraphs without links around links", "docs/a.md",
			"Plain text.\n\n- item\n- [x](b.md)\n\n> quote\n> [y](c.md)\n\nplain\n[z](d.md) on a second line\n\nlast plain",
			[]string{"docs/b.md", "docs/c.md", "docs/d.md"}},
		{"link in a setext heading", "docs/a.md", "Plain\n[T](t.md)\n===\n\nbody\n\nTitle\n---\n", []string{"docs/t.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf := parse(t, tt.path, tt.src, ParseOptions{})
			var got []string
			for _, s := range pf.Sections {
				got = append(got, s.Links...)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("links: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFileLinksBelongToTheirSection(t *testing.T) {
	src := "Intro [p](p.md)\n# A\n[a](a.md)\n## B [h](h.md)\n[b](b.md)\n\n[ref]: r.md\n# C\nuses [r][ref]\n"
	pf := parse(t, "x.md", src, ParseOptions{})
	got := map[string][]string{}
	for _, s := range pf.Sections {
		got[s.Heading] = s.Links
	}
	want := map[string][]string{"": {"p.md"}, "A": {"a.md"}, "A > B h": {"h.md", "b.md"}, "C": {"r.md"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("links: got %q, want %q", got, want)
	}
}

func TestResolveLink(t *testing.T) {
	if p, ok := ResolveLink("keps/sig-node/README.md", "../sig-auth/1-x/README.md#a"); !ok || p != "keps/sig-auth/1-x/README.md" {
		t.Errorf("ResolveLink = %q, %v", p, ok)
	}
	if _, ok := ResolveLink("a.md", "../b.md"); ok {
		t.Errorf("ResolveLink resolved a link that escapes the repository")
	}
}

// body returns a section text without its heading lines.
func body(s livespec.Section) string {
	_, b := splitSectionHead(&s)
	return b
}

func TestParseFileParts(t *testing.T) {
	para := func(i int) string {
		return "Paragraph " + strings.Repeat("word ", 18) + "end " + string(rune('a'+i%26)) + "."
	}
	var paras []string
	for i := range 40 {
		paras = append(paras, para(i))
	}
	long := strings.Join(paras, "\n\n")
	const max = 1000
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, parts []livespec.Section)
	}{
		{
			name: "paragraph boundaries",
			src:  "# Intro\nshort\n## Long [l](l.md)\n\n" + long + "\n\n[z](z.md)\n# After\n",
			check: func(t *testing.T, parts []livespec.Section) {
				var bodies []string
				for _, p := range parts {
					if !strings.HasPrefix(p.Text, "## Long [l](l.md)\n\n") {
						t.Errorf("part %d does not start with the heading line: %.40q", p.Part, p.Text)
					}
					for b := range strings.SplitSeq(body(p), "\n\n") {
						if !strings.HasPrefix(b, "Paragraph ") && b != "[z](z.md)" {
							t.Errorf("part %d split inside a paragraph: %.40q", p.Part, b)
						}
					}
					bodies = append(bodies, body(p))
					if !reflect.DeepEqual(p.Links[:1], []string{"l.md"}) {
						t.Errorf("part %d: heading link missing: %q", p.Part, p.Links)
					}
				}
				if got := strings.Join(bodies, "\n\n"); got != long+"\n\n[z](z.md)" {
					t.Errorf("parts do not add up to the section body")
				}
				last := parts[len(parts)-1]
				if !reflect.DeepEqual(last.Links, []string{"l.md", "z.md"}) || len(parts[0].Links) != 1 {
					t.Errorf("body link not in its part: first %q, last %q", parts[0].Links, last.Links)
				}
			},
		},
		{
			name: "no split at blank lines inside a code fence",
			src:  "# Code\n\n" + strings.Repeat("text line here\n", 40) + "\n```\n" + strings.Repeat("code\n\n", 100) + "```\n\n" + strings.Repeat("tail line\n", 40),
			check: func(t *testing.T, parts []livespec.Section) {
				found := false
				for _, p := range parts {
					if strings.Contains(p.Text, "```\ncode\n\ncode") {
						found = true
						if strings.Count(p.Text, "```") != 2 {
							t.Errorf("part %d holds half a code block", p.Part)
						}
					}
				}
				if !found {
					t.Errorf("code block missing")
				}
			},
		},
		{
			name: "one huge paragraph splits at lines",
			src:  "# P\n\n" + strings.Repeat("a line of a huge paragraph\n", 200),
			check: func(t *testing.T, parts []livespec.Section) {
				for _, p := range parts {
					for l := range strings.SplitSeq(body(p), "\n") {
						if l != "a line of a huge paragraph" {
							t.Errorf("part %d has a broken line %q", p.Part, l)
						}
					}
				}
			},
		},
		{
			name: "one huge line splits on rune boundaries",
			src:  "# L\n\n" + strings.Repeat("héllo wörld ✓ ", 400),
			check: func(t *testing.T, parts []livespec.Section) {
				var all strings.Builder
				for _, p := range parts {
					if !utf8.ValidString(p.Text) {
						t.Errorf("part %d is not valid UTF-8", p.Part)
					}
					all.WriteString(body(p))
				}
				// Pieces lose the spaces at their ends, nothing else.
				if nospace(all.String()) != nospace(strings.Repeat("héllo wörld ✓ ", 400)) {
					t.Errorf("line pieces do not add up to the line")
				}
			},
		},
		{
			name: "long preamble",
			src:  long,
			check: func(t *testing.T, parts []livespec.Section) {
				if !strings.HasPrefix(parts[1].Text, "Paragraph") {
					t.Errorf("preamble part has a heading: %.30q", parts[1].Text)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := ParseOptions{MaxSectionBytes: max}
			pf := parse(t, "x.md", tt.src, opt)
			byHeading := map[string][]livespec.Section{}
			multi, split := "", false
			for _, s := range pf.Sections {
				if len(s.Text) > max {
					t.Errorf("section %q part %d has %d bytes > %d", s.Heading, s.Part, len(s.Text), max)
				}
				byHeading[s.Heading] = append(byHeading[s.Heading], s)
				if s.Part == 1 {
					multi, split = s.Heading, true
				}
			}
			if !split {
				t.Fatalf("no section was split: %#v", secs(pf))
			}
			for h, ss := range byHeading {
				if h != multi && len(ss) != 1 {
					t.Errorf("short section %q split", h)
				}
			}
			tt.check(t, byHeading[multi])
		})
	}
}

func TestParseFileDefaultMaxSectionBytes(t *testing.T) {
	small := "# S\n\n" + strings.Repeat("x ", 2900)
	if pf := parse(t, "x.md", small, ParseOptions{}); len(pf.Sections) != 1 {
		t.Errorf("a %d-byte section was split", len(small))
	}
	big := "# S\n\n" + strings.Repeat("word ", 1000) + "\n\n" + strings.Repeat("word ", 1000)
	if pf := parse(t, "x.md", big, ParseOptions{}); len(pf.Sections) != 2 {
		t.Errorf("a %d-byte section gave %d parts, want 2", len(big), len(pf.Sections))
	}
}

func TestParseFileSidecar(t *testing.T) {
	tests := []struct {
		name string
		path string
		src  string
		want []sec
		meta map[string]any
	}{
		{
			name: "kep.yaml",
			path: "keps/sig-auth/1-x/kep.yaml",
			src: `title: Bound tokens # the title
kep-number: 1205
authors:
  - "@alice"
  - "@bob"
status: implementable
creation-date: 2019-01-22
latest-milestone: "v1.22"
stage: stable
milestone:
  alpha: "v1.13"
  beta: "v1.21"
disable-supported: true
`,
			want: []sec{
				{"title", 1, "title: Bound tokens"},
				{"kep-number", 1, "kep-number: 1205"},
				{"authors", 1, "authors:\n  - '@alice'\n  - '@bob'"},
				{"status", 1, "status: implementable"},
				{"creation-date", 1, "creation-date: 2019-01-22"},
				{"latest-milestone", 1, "latest-milestone: v1.22"},
				{"stage", 1, "stage: stable"},
				{"milestone", 1, "milestone:\n  alpha: v1.13\n  beta: v1.21"},
				{"disable-supported", 1, "disable-supported: true"},
			},
			meta: map[string]any{
				"title": "Bound tokens", "kep-number": 1205, "authors": []any{"@alice", "@bob"},
				"status": "implementable", "creation-date": "2019-01-22T00:00:00Z", "latest-milestone": "v1.22",
				"stage": "stable", "milestone": map[string]any{"alpha": "v1.13", "beta": "v1.21"}, "disable-supported": true,
			},
		},
		{
			name: "quoted values keep their type",
			path: "a.yml",
			src:  "a: \"123\"\nb: 'true'\nc: null\n",
			want: []sec{{"a", 1, `a: "123"`}, {"b", 1, `b: "true"`}, {"c", 1, "c: null"}},
			meta: map[string]any{"a": "123", "b": "true", "c": nil},
		},
		{
			name: "aliases are expanded",
			path: "a.yaml",
			src:  "base: &b {x: 1}\nother: *b\n",
			want: []sec{{"base", 1, "base:\n  x: 1"}, {"other", 1, "other:\n  x: 1"}},
			meta: map[string]any{"base": map[string]any{"x": 1}, "other": map[string]any{"x": 1}},
		},
		{
			name: "JSON keeps key order and renders as YAML",
			path: "api/meta.json",
			src:  `{"zeta": {"b": 1, "a": [true, "x", null, 1.5]}, "alpha": "two\nlines", "zeta2": 12345678901}`,
			want: []sec{
				{"zeta", 1, "zeta:\n  b: 1\n  a:\n    - true\n    - x\n    - null\n    - 1.5"},
				{"alpha", 1, "alpha: |-\n  two\n  lines"},
				{"zeta2", 1, "zeta2: 12345678901"},
			},
			meta: map[string]any{"zeta": map[string]any{"b": 1, "a": []any{true, "x", nil, 1.5}}, "alpha": "two\nlines", "zeta2": 12345678901},
		},
		{
			name: "JSON repeated key keeps the last value",
			path: "a.json",
			src:  `{"a": 1, "b": 2, "a": 3}`,
			want: []sec{{"a", 1, "a: 3"}, {"b", 1, "b: 2"}},
			meta: map[string]any{"a": 3, "b": 2},
		},
		{
			name: "non-mapping document",
			path: "list.yaml",
			src:  "- one\n- two\n",
			want: []sec{{"", 0, "- one\n- two"}},
		},
		{
			name: "JSON array",
			path: "list.json",
			src:  `[1, 2]`,
			want: []sec{{"", 0, "- 1\n- 2"}},
		},
		{
			name: "empty YAML",
			path: "empty.yaml",
			src:  "",
		},
		{
			name: "comments only",
			path: "c.yaml",
			src:  "# nothing here\n",
		},
		{
			name: "keys are cleaned like headings",
			path: "a.yaml",
			src:  "\"in > out\": 1\n\"\": 2\n",
			want: []sec{{"in › out", 1, "in > out: 1"}, {"(untitled)", 1, `"": 2`}},
			meta: map[string]any{"in > out": 1, "": 2},
		},
		{
			name: "first document only",
			path: "multi.yaml",
			src:  "a: 1\n---\nb: 2\n",
			want: []sec{{"a", 1, "a: 1"}},
			meta: map[string]any{"a": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf := parse(t, tt.path, tt.src, ParseOptions{})
			if got := secs(pf); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("sections:\n got %#v\nwant %#v", got, tt.want)
			}
			if !reflect.DeepEqual(pf.Meta, tt.meta) {
				t.Errorf("meta:\n got %#v\nwant %#v", pf.Meta, tt.meta)
			}
			// A sidecar read for its facts only has the same fields.
			mf, err := parseSidecarMeta(tt.path, []byte(tt.src))
			if err != nil {
				t.Fatalf("meta-only parse: %v", err)
			}
			if !reflect.DeepEqual(mf.Meta, tt.meta) || len(mf.Sections) != 0 {
				t.Errorf("meta-only parse:\n got %#v, %d sections\nwant %#v, none", mf.Meta, len(mf.Sections), tt.meta)
			}
		})
	}
}

func TestParseFileSidecarErrors(t *testing.T) {
	tests := []struct {
		name, path, src, msg string
	}{
		{"broken YAML", "keps/x/kep.yaml", "title: x\nauthors: [unclosed\n", "keps/x/kep.yaml: invalid YAML: line 1: did not find expected ',' or ']'"},
		{"duplicate YAML key", "a.yaml", "a: 1\na: 2\n", `a.yaml: invalid YAML: line 2: mapping key "a" already defined at line 1`},
		{"tab indentation", "a.yaml", "a:\n\t- b\n", "a.yaml: invalid YAML: line 2: found character that cannot start any token"},
		{"broken JSON", "a.json", "{\n\"a\": 1,\n}", "a.json: invalid JSON: line 3: invalid character '}' looking for beginning of object key string"},
		{"trailing JSON", "a.json", `{"a": 1} {"b": 2}`, "a.json: invalid JSON: json: unexpected data after the top-level value"},
		{"truncated JSON", "a.json", `{"a": [1, 2`, "a.json: invalid JSON: unexpected end of input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf, err := ParseFile(tt.path, []byte(tt.src), ParseOptions{})
			if err == nil {
				t.Fatalf("no error; got %#v", pf)
			}
			if livespec.ErrorCode(err) != livespec.EINVALID {
				t.Errorf("error kind %q, want %q (%v)", livespec.ErrorCode(err), livespec.EINVALID, err)
			}
			var e *livespec.Error
			if !errors.As(err, &e) || e.Message != tt.msg {
				t.Errorf("error %q, want message %q", err, tt.msg)
			}
			// A sidecar read for its facts only fails alike.
			if _, merr := parseSidecarMeta(tt.path, []byte(tt.src)); merr == nil || merr.Error() != err.Error() {
				t.Errorf("meta-only parse error %v, want %v", merr, err)
			}
		})
	}
}

func TestParseFileHugeInputs(t *testing.T) {
	tests := []struct {
		name string
		path string
		src  string
	}{
		{"many headings", "a.md", strings.Repeat("## H\ntext\n", 50000)},
		{"deep block quotes", "a.md", strings.Repeat(">", 100000) + " # x\n"},
		{"deep lists", "a.md", strings.Repeat("- ", 20000) + "x\n"},
		{"many brackets", "a.md", strings.Repeat("[", 100000) + strings.Repeat("](x.md)", 1000)},
		{"many emphasis markers", "a.md", "# " + strings.Repeat("*_", 50000) + "\n"},
		{"one long line", "a.md", strings.Repeat("x", 5<<20)},
		{"many link reference definitions", "a.md", func() string {
			var b strings.Builder
			for i := range 100000 {
				fmt.Fprintf(&b, "[a%d]: x%d.md\n", i, i)
			}
			return b.String() + "[a5][a5] and [a99999][]"
		}()},
		{"binary junk", "a.md", string([]byte{0, 0xff, 0xfe, '#', ' ', 0x80, '\n', '#', ' ', 0xc3, '\n'})},
		{"deep YAML", "a.yaml", strings.Repeat("[", 5000) + strings.Repeat("]", 5000)},
		{"deep JSON", "a.json", strings.Repeat("[", 5000) + strings.Repeat("]", 5000)},
		{"YAML alias bomb", "a.yaml", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := ParseOptions{}
			pf, err := ParseFile(tt.path, []byte(tt.src), opt)
			if err != nil {
				if livespec.ErrorCode(err) != livespec.EINVALID {
					t.Errorf("error kind %q: %v", livespec.ErrorCode(err), err)
				}
				return
			}
			checkInvariants(t, pf, opt)
		})
	}
}

func nospace(s string) string { return strings.ReplaceAll(s, " ", "") }

func TestParseFileConcurrent(t *testing.T) {
	inputs := map[string]string{
		"a.md":      "---\na: 1\n---\n# A *b*\n[x](y.md)\n## C\n" + strings.Repeat("text\n\n", 50),
		"kep.yaml":  "title: x\nauthors: [\"@a\"]\n",
		"meta.json": `{"a": [1, 2]}`,
	}
	want := map[string]*ParsedFile{}
	for p, src := range inputs {
		want[p] = parse(t, p, src, ParseOptions{MaxSectionBytes: 100})
	}
	done := make(chan error)
	for range 8 {
		go func() {
			for range 20 {
				for p, src := range inputs {
					got, err := ParseFile(p, []byte(src), ParseOptions{MaxSectionBytes: 100})
					if err != nil || !reflect.DeepEqual(got, want[p]) {
						done <- errors.New("concurrent parse of " + p + " differs")
						return
					}
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestParseFileLongRunOfLinkDefinitions(t *testing.T) {
	var b strings.Builder
	b.WriteString("See [first][d0] and [last][d1499].\n\n")
	for i := range 1500 {
		fmt.Fprintf(&b, "[d%d]: docs/d%d.md\n", i, i)
	}
	b.WriteString("# After\n")
	pf := parse(t, "x.md", b.String(), ParseOptions{MaxSectionBytes: 1 << 20})
	if len(pf.Sections) != 2 || pf.Sections[1].Heading != "After" {
		t.Fatalf("sections: %#v", secs(pf))
	}
	if want := []string{"docs/d0.md", "docs/d1499.md"}; !reflect.DeepEqual(pf.Sections[0].Links, want) {
		t.Errorf("links %q, want %q", pf.Sections[0].Links, want)
	}
}
