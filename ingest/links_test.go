package ingest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

func TestCoversGlobs(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       []string
	}{
		{"one glob", "## Routes\n\n<!-- livespec: covers api/** -->\nText.", []string{"api/**"}},
		{"several, cleaned", "<!-- livespec: covers /api/*.go ./cmd/serve.go api/*.go -->", []string{"api/*.go", "cmd/serve.go"}},
		{"two comments", "<!-- livespec: covers a.go -->\n<!--livespec:covers b/** -->", []string{"a.go", "b/**"}},
		{"shown in a code span", "Write `<!-- livespec: covers api/** -->` in a section.", nil},
		{"shown in a fence", "```md\n<!-- livespec: covers api/** -->\n```\n", nil},
		{"another comment", "<!-- todo: covers api/** -->", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := CoversGlobs(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("CoversGlobs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSpecComments(t *testing.T) {
	src := "package api\n\n// spec: spec/api.md#token-expiry\nfunc A() {}\n\n" +
		"# spec: ../docs/tools.markdown\n/* spec: a.md */\n-- spec: b.md#x.y\n; spec: c.md\n" +
		"var s = \"spec: not-a-comment.md\"\n// spec: notes.txt\n"
	var got []string
	for _, c := range SpecComments([]byte(src)) {
		got = append(got, fmt.Sprintf("%d %s#%s", c.Line, c.Target, c.Anchor))
	}
	want := []string{"3 spec/api.md#token-expiry", "6 ../docs/tools.markdown#", "7 a.md#", "8 b.md#x.y", "9 c.md#"}
	if !slices.Equal(got, want) {
		t.Errorf("SpecComments:\n got %q\nwant %q", got, want)
	}
}

// TestSpecCommentsPrefilter checks that files the quick look passes over
// hold no comment the full search would find, and that it looks at every
// "spec:" of a file, not only the first.
func TestSpecCommentsPrefilter(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      int
	}{
		{"inside a word", "return fmt.Errorf(\"livespec: %w\", err) // see x.md", 0},
		{"in a string", "var s = \"spec: a.md\"", 0},
		{"after a word", "// spec: a.md is new: spec: b.md", 1},
		{"marker on the line before", "//\n\t spec: a.md", 1},
		{"second one counts", "x := \"livespec: \"\n# spec: a.md#b", 1},
		{"no markdown target", "// spec: a.txt", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SpecComments([]byte(tc.src))
			full := specComment.FindAllSubmatchIndex([]byte(tc.src), -1)
			if len(got) != tc.want || len(full) != tc.want {
				t.Errorf("SpecComments(%q) = %d comments, the full search %d; want %d", tc.src, len(got), len(full), tc.want)
			}
		})
	}
}

// linksOf describes the links of repo that pass v, one line each.
func linksOf(tb testing.TB, s livespec.Store, repo string, v livespec.Validity) []string {
	tb.Helper()
	ls, err := s.Links(tb.Context(), livespec.LinkQuery{Repos: []string{repo}, Validity: v})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		end := "open"
		if !l.Current() {
			end = l.ValidTo.Format("01-02T15")
		}
		out = append(out, fmt.Sprintf("%s %s#%s → %s#%s %s..%s", l.Kind, l.Path, l.Heading, l.Target, l.Anchor,
			l.ValidFrom.Format("01-02T15"), end))
	}
	return out
}

// linkSteps is a history of links: sections covering code, code pointing
// at sections, and each of them moved or removed later.
func linkSteps() []gittest.Step {
	api := "# API\n\n## Routes\n\n<!-- livespec: covers api/** -->\nThe routes. Write `<!-- livespec: covers web/** -->` to cover the web page.\n\n## Errors\n\nCodes.\n"
	return []gittest.Step{
		{Msg: "api", Write: map[string]string{
			"spec/api.md":        api,
			"api/routes.go":      "package api\n\n// spec: spec/api.md#routes\n// spec: missing.md\nfunc Routes() {}\n",
			"api/logo.png":       "\x89PNG spec: spec/api.md",
			"api/routes_test.go": "package api\n\n// spec: spec/api.md#errors\n",
			"tools/gen.py":       "# spec: ../spec/api.md\nprint(1)\n",
		}},
		{Msg: "edit code", Write: map[string]string{
			"api/routes.go": "package api\n\n// spec: spec/api.md#routes\nfunc Routes() { _ = 1 }\n",
		}},
		{Msg: "rename section, drop a comment", Write: map[string]string{
			"spec/api.md":   strings.Replace(api, "## Routes", "## HTTP routes", 1),
			"api/routes.go": "package api\n\nfunc Routes() { _ = 1 }\n",
		}},
		{Msg: "remove the tool", Remove: []string{"tools/gen.py"}},
	}
}

func TestPipelineLinksHistory(t *testing.T) {
	r := gittest.New(t, baseTime, linkSteps()...)
	store := newMemStore()
	ingestRepo(t, store, r.Dir, "r", nil)
	want := []string{
		"spec api/routes.go# → spec/api.md#routes 01-06T10..01-06T12",
		"covers spec/api.md#API > HTTP routes → api/**# 01-06T12..open",
		"covers spec/api.md#API > Routes → api/**# 01-06T10..01-06T12",
		"spec tools/gen.py# → spec/api.md# 01-06T10..01-06T13",
	}
	if got := linksOf(t, store, "r", livespec.AnyVersion()); !slices.Equal(got, want) {
		t.Errorf("every link version:\n got %q\nwant %q", got, want)
	}
	if got := linksOf(t, store, "r", livespec.Current()); !slices.Equal(got, want[1:2]) {
		t.Errorf("current links: %q, want %q", got, want[1:2])
	}
	asOf := linksOf(t, store, "r", livespec.AsOf(baseTime.Add(90*time.Minute)))
	if !slices.Equal(asOf, []string{want[0], want[2], want[3]}) {
		t.Errorf("links as of the code edit: %q", asOf)
	}
}

func TestPipelineLinksIncrementalEqualsFull(t *testing.T) {
	steps := linkSteps()
	full := gittest.New(t, baseTime, steps...)
	whole := newMemStore()
	ingestRepo(t, whole, full.Dir, "r", nil)

	inc := gittest.New(t, baseTime)
	parts := newMemStore()
	for _, s := range steps {
		inc.Do(s)
		ingestRepo(t, parts, inc.Dir, "r", nil)
	}
	for _, v := range []livespec.Validity{livespec.AnyVersion(), livespec.Current()} {
		a, b := linksOf(t, whole, "r", v), linksOf(t, parts, "r", v)
		if !slices.Equal(a, b) {
			t.Errorf("%s links: one run %q, commit by commit %q", v.Mode, a, b)
		}
	}
	ids := func(s *memStore) []string {
		ls, _ := s.Links(t.Context(), livespec.LinkQuery{Validity: livespec.AnyVersion()})
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
		}
		return out
	}
	if a, b := ids(whole), ids(parts); !slices.Equal(a, b) || len(a) != 4 {
		t.Errorf("link ids: one run %q, commit by commit %q", a, b)
	}
}

func TestRebuildReasonNamesWhatChanged(t *testing.T) {
	opt := Options{Repo: "specs"}.withDefaults()
	same := livespec.Checkpoint{Config: "v1:old\n" + strings.SplitN(configOf("v1:new", false, opt), "\n", 2)[1]}
	if got := rebuildReason(same, opt); !strings.Contains(got, "this livespec reads more of each commit than the one that last ingested specs") {
		t.Errorf("same settings, older ingest: %q", got)
	}
	other := opt
	other.Include = []string{"docs/**"}
	moved := livespec.Checkpoint{Config: configOf("v1:old", false, other)}
	if got := rebuildReason(moved, opt); !strings.Contains(got, "settings changed since the last ingest of specs (include docs/** → ") {
		t.Errorf("other settings: %q", got)
	}
}
