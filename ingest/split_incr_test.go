package ingest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
)

// checkIncremental parses next from a parse of prev and fails t unless the
// result, and the layout kept for the version after it, equal a full parse
// of next. It reports whether base's layout was used.
func checkIncremental(t testing.TB, filePath, prev, next string, opt ParseOptions) bool {
	t.Helper()
	base, err := ParseFile(filePath, []byte(prev), opt)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseFileFrom(filePath, []byte(next), opt, base)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseFile(filePath, []byte(next), opt)
	if err != nil {
		t.Fatal(err)
	}
	if d := parseDiff(got, want); d != "" {
		t.Fatalf("incremental parse differs from a full parse: %s\nprev: %q\nnext: %q", d, prev, next)
	}
	return got.md != nil && got.md.incremental
}

// parseDiff says how got differs from want, a full parse: in its sections,
// its metadata, or the layout kept for parsing the next version.
func parseDiff(got, want *ParsedFile) string {
	if !reflect.DeepEqual(got.Sections, want.Sections) {
		return fmt.Sprintf("sections\ngot:  %+v\nwant: %+v", got.Sections, want.Sections)
	}
	if !reflect.DeepEqual(got.Meta, want.Meta) {
		return fmt.Sprintf("meta\ngot:  %v\nwant: %v", got.Meta, want.Meta)
	}
	if (got.md == nil) != (want.md == nil) {
		return "layout kept by one parse only"
	}
	if g, w := got.md, want.md; g != nil {
		if !reflect.DeepEqual(g.heads, w.heads) || !reflect.DeepEqual(g.links, w.links) || !reflect.DeepEqual(g.refs, w.refs) ||
			g.refsOK != w.refsOK || !reflect.DeepEqual(g.secs, w.secs) || g.pre != w.pre {
			return fmt.Sprintf("layout\ngot:  %+v %+v %+v\nwant: %+v %+v %+v", g.heads, g.links, g.refs, w.heads, w.links, w.refs)
		}
	}
	return ""
}

// TestIncrementalParseIsExact edits documents in the ways that can change
// how the unchanged lines around an edit parse, and checks that the
// incremental parse equals a full one each time. reuse says whether the
// old layout should be used (false: the fallback to a full parse).
func TestIncrementalParseIsExact(t *testing.T) {
	body := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "## Part %d\n\nText %d with a [link](p%d.md) and [ref][r%d].\n\n", i, i, i, i%3)
		}
		return b.String()
	}
	refs := "[r0]: a.md\n[r1]: b.md\n[r2]: c.md\n"
	doc := "# Title\n\nIntro.\n\n" + body(6) + "## Links\n\n" + refs
	tests := []struct {
		name        string
		prev, next  string
		reuse       bool
		path        string
		maxSections int
	}{
		{name: "edit in the middle", prev: doc, next: strings.Replace(doc, "Text 3", "Text three", 1), reuse: true},
		{name: "append at the end", prev: doc, next: doc + "## More\n\nx\n", reuse: true},
		{name: "edit the preamble", prev: doc, next: strings.Replace(doc, "Intro.", "Intro, longer.", 1), reuse: true},
		{name: "rename a heading", prev: doc, next: strings.Replace(doc, "## Part 2", "## Part Two", 1), reuse: true},
		{name: "duplicate a heading", prev: doc, next: strings.Replace(doc, "## Part 2", "## Part 1", 1), reuse: true},
		{name: "change a heading's level", prev: doc, next: strings.Replace(doc, "## Part 2", "### Part 2", 1), reuse: true},
		{name: "demote the parent of the tail", prev: doc, next: strings.Replace(doc, "# Title", "## Title", 1), reuse: true},
		{name: "open a code fence over the tail", prev: doc, next: strings.Replace(doc, "Text 2 ", "```\nText 2 ", 1)},
		{name: "close a code fence", prev: strings.Replace(doc, "Text 2 ", "```\nText 2 ", 1), next: doc},
		{name: "open an HTML block over the next heading", prev: doc, next: strings.Replace(doc, "\n\n## Part 3", "\n<div>\n## Part 3", 1), reuse: true},
		{name: "open an HTML comment", prev: doc, next: strings.Replace(doc, "Text 2 ", "<!--\nText 2 ", 1)},
		{name: "turn a heading into a list item's text", prev: doc, next: strings.Replace(doc, "\n## Part 3", "\n- ## Part 3", 1), reuse: true},
		{name: "indent the next heading into code", prev: doc, next: strings.Replace(doc, "## Part 3", "    ## Part 3", 1), reuse: true},
		{name: "change a definition", prev: doc, next: strings.Replace(doc, "[r1]: b.md", "[r1]: bb.md", 1)},
		{name: "add a definition in the middle", prev: doc, next: strings.Replace(doc, "Text 2 ", "[r9]: z.md\n\nText 2 ", 1)},
		{name: "shadow a later definition", prev: doc, next: strings.Replace(doc, "Text 2 ", "[r2]: first.md\n\nText 2 ", 1)},
		{name: "define what a middle link uses", prev: strings.Replace(doc, "[r2]: c.md\n", "", 1), next: doc},
		{name: "setext heading in the edit", prev: doc, next: strings.Replace(doc, "Text 3 with", "Setext\n===\n\nText 3 with", 1), reuse: true},
		{name: "setext underline under a tail line", prev: doc, next: strings.Replace(doc, "Text 4 with a [link](p4.md) and [ref][r1].\n", "Text 4 with a [link](p4.md) and [ref][r1].\n---\n", 1), reuse: true},
		{name: "lazy continuation before a heading", prev: doc, next: strings.Replace(doc, "\n\n## Part 4", "\n> quote\n## Part 4", 1), reuse: true},
		{name: "no trailing newline", prev: strings.TrimSuffix(doc, "\n"), next: strings.TrimSuffix(strings.Replace(doc, "Text 1", "Text one", 1), "\n"), reuse: true},
		{name: "CRLF version", prev: doc, next: strings.ReplaceAll(doc, "\n", "\r\n"), reuse: true},
		{name: "front matter unchanged", prev: "---\na: 1\n---\n" + doc, next: "---\na: 1\n---\n" + strings.Replace(doc, "Text 3", "T3", 1), reuse: true},
		{name: "front matter changed", prev: "---\na: 1\n---\n" + doc, next: "---\na: 2\n---\n" + strings.Replace(doc, "Text 3", "T3", 1)},
		{name: "front matter added", prev: doc, next: "---\na: 1\n---\n" + doc},
		{name: "broken front matter unchanged", prev: "---\na: [\n---\n" + doc, next: "---\na: [\n---\n" + strings.Replace(doc, "Text 3", "T3", 1), reuse: true},
		{name: "no headings", prev: "just text\n", next: "just more text\n"},
		{name: "everything removed", prev: doc, next: ""},
		{name: "identical", prev: doc, next: doc, reuse: true},
		{name: "long sections split into parts", prev: doc + "## Long\n\n" + strings.Repeat("word ", 400) + "\n\n" + strings.Repeat("more ", 400) + "\n",
			next: strings.Replace(doc, "Text 1", "T1", 1) + "## Long\n\n" + strings.Repeat("word ", 400) + "\n\n" + strings.Repeat("more ", 400) + "\n", reuse: true, maxSections: 1000},
		{name: "heading with emphasis and a reference link", prev: doc + "## *Em* [r0]\n\nx\n", next: strings.Replace(doc, "Text 5", "T5", 1) + "## *Em* [r0]\n\nx\n", reuse: true},
		{name: "an edit inside the last heading's line", prev: doc, next: strings.Replace(doc, "## Links", "## Links!", 1), reuse: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = "docs/spec.md"
			}
			used := checkIncremental(t, path, tt.prev, tt.next, ParseOptions{MaxSectionBytes: tt.maxSections})
			if used != tt.reuse {
				t.Errorf("layout used = %v, want %v", used, tt.reuse)
			}
		})
	}
}

// TestIncrementalParseOtherDirectory checks that a version parsed for
// another directory (a rename) is not reused: relative links resolve
// differently there.
func TestIncrementalParseOtherDirectory(t *testing.T) {
	prev := "# A\n\n[x](y.md)\n\n## B\n\nz\n"
	base, _ := ParseFile("a/spec.md", []byte(prev), ParseOptions{})
	got, _ := parseFileFrom("b/spec.md", []byte(prev+"more\n"), ParseOptions{}, base)
	want, _ := ParseFile("b/spec.md", []byte(prev+"more\n"), ParseOptions{})
	if !reflect.DeepEqual(got.Sections, want.Sections) {
		t.Fatalf("got %+v, want %+v", got.Sections, want.Sections)
	}
	if got.Sections[0].Links[0] != "b/y.md" {
		t.Fatalf("link resolved against the old directory: %v", got.Sections[1].Links)
	}
}

// FuzzIncrementalParse checks that parsing a version from another one
// always equals a full parse, for any pair of documents, and for edits
// that keep a shared prefix and suffix (the case the layout is used in).
func FuzzIncrementalParse(f *testing.F) {
	seeds := [][2]string{
		{"# A\n\nx\n\n## B\n\ny\n\n# C\n\nz\n", "# A\n\nx\n\n## B\n\ny2\n\n# C\n\nz\n"},
		{"# A\n\n[r]\n\n# B\n\n[r]: x.md\n", "# A\n\n[r]\n\n[r]: y.md\n\n# B\n\n[r]: x.md\n"},
		{"# A\n\n```\n\n# B\n\n```\n# C\n", "# A\n\n\n\n# B\n\n```\n# C\n"},
		{"# A\n<!--\n# B\n-->\n# C\n", "# A\n<!-\n# B\n-->\n# C\n"},
		{"# A\n- x\n# B\n  y\n# C\n", "# A\n- xx\n# B\n  y\n# C\n"},
		{"---\na: 1\n---\n# A\nb\n# C\n", "---\na: 1\n---\n# A\nbb\n# C\n"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], "")
		f.Add(s[0], "", s[1])
	}
	f.Fuzz(func(t *testing.T, prev, next, insert string) {
		if len(prev) > 1<<14 || len(next) > 1<<14 || len(insert) > 1<<12 {
			return
		}
		checkIncremental(t, "docs/spec.md", prev, next, ParseOptions{MaxSectionBytes: 200})
		// An edit in the middle of prev: next's first half replaced by insert.
		cut := len(prev) / 2
		checkIncremental(t, "docs/spec.md", prev, prev[:cut]+insert+prev[cut:], ParseOptions{MaxSectionBytes: 200})
	})
}

// TestIncrementalParseOnCorpus ingests the real spec histories of
// ../shared/corpora and checks every parse the pipeline made from an
// earlier version against a full parse of the same content. It is slow,
// so it runs only when LIVESPEC_CORPUS_TESTS is set.
func TestIncrementalParseOnCorpus(t *testing.T) {
	forEachCorpus(t, func(t *testing.T, name string, r *gittest.Repo) {
		var mu sync.Mutex
		var parses, incremental, bad int
		parseCheck = func(path string, content []byte, base, got *ParsedFile, err error) {
			want, werr := ParseFile(path, content, ParseOptions{})
			mu.Lock()
			defer mu.Unlock()
			parses++
			if got != nil && got.md != nil && got.md.incremental {
				incremental++
			}
			d := ""
			switch {
			case (err == nil) != (werr == nil):
				d = fmt.Sprintf("error %v, full parse's %v", err, werr)
			case err == nil:
				d = parseDiff(got, want)
			}
			if d != "" {
				if bad++; bad <= 5 {
					t.Errorf("%s: parse from an earlier version differs from a full parse: %.2000s", path, d)
				}
			}
		}
		t.Cleanup(func() { parseCheck = nil })
		ingestRepo(t, discardStore{newMemStore()}, r.Dir, name, nil)
		t.Logf("%d parses, %d of them incremental, %d differ from a full parse", parses, incremental, bad)
		if incremental == 0 {
			t.Errorf("no parse started from an earlier version")
		}
	})
}

// TestIncrementalParseRandomEdits builds documents from the Markdown lines
// that change how the lines after them parse (headings, fences, HTML
// blocks, lists, quotes, definitions, setext underlines, lazy lines) and
// edits them at random: inserting, deleting and replacing lines, one place
// or several. Every version is parsed from the one before it and compared
// with a full parse.
func TestIncrementalParseRandomEdits(t *testing.T) {
	lines := []string{
		"# Top", "## Part", "### Deep", "## Part", "  ## Indented", "#No heading", "#",
		"Paragraph text with a [link](a.md).", "More text and [ref][r1].", "[r2] shortcut.", "",
		"```", "~~~", "```go", "    indented code", "<div>", "</div>", "<!--", "-->", "<pre>", "</pre>",
		"- item", "  continued", "1. one", "> quote", "> # quoted heading", "lazy line",
		"[r1]: one.md", "[r2]: two.md \"Title\"", "[r1]: shadow.md",
		"===", "---", "***", "Setext", "## *Emphasis* heading", "## Heading with [r1]",
	}
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func() string { return lines[rng.IntN(len(lines))] }
	uses := 0
	for doc := range 300 {
		var cur []string
		for range 5 + rng.IntN(60) {
			cur = append(cur, pick())
		}
		prev := strings.Join(cur, "\n") + "\n"
		for edit := range 8 {
			next := slices.Clone(cur)
			for range 1 + rng.IntN(3) { // one to three places
				i := rng.IntN(len(next) + 1)
				switch rng.IntN(3) {
				case 0:
					next = slices.Insert(next, i, pick())
				case 1:
					if i < len(next) {
						next = slices.Delete(next, i, i+1)
					}
				default:
					if i < len(next) {
						next[i] = pick()
					}
				}
			}
			text := strings.Join(next, "\n") + "\n"
			t.Run(fmt.Sprintf("doc%d/edit%d", doc, edit), func(t *testing.T) {
				if checkIncremental(t, "docs/spec.md", prev, text, ParseOptions{MaxSectionBytes: 300}) {
					uses++
				}
			})
			cur, prev = next, text
		}
	}
	t.Logf("old layout used in %d parses", uses)
	if uses < 500 {
		t.Errorf("the old layout was used in %d of 2400 parses: the test exercises too little", uses)
	}
}
