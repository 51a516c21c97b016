package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/storetest"
)

// factMap renders facts as "field=value[@release]" for comparison.
func factMap(fs []rawFact) string {
	var parts []string
	for _, f := range fs {
		s := f.field + "=" + f.value
		if f.release != "" {
			s += "@" + f.release
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func TestMarkdownFacts(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"bold names in a star list", "# Type aliases\n\n* **Type**: Design proposal\n* **Status**: Stable in 1.1\n\nDiscussion of this proposal is in [this issue](https://x/4).\n\nNote: not in the header\n",
			"type=Design proposal; status=Stable in 1.1@1.1"},
		{"colon inside the bold", "# Literals\n\n* **Status:** Experimental since Kotlin 2.4.0\n",
			"status=Experimental since Kotlin 2.4.0@2.4.0"},
		{"bold value with release in parentheses", "# Thing\n\n* Status: **Implemented (v2.3)**\n",
			"status=Implemented (v2.3)@2.3"},
		{"dash list with dates and links", "# RFC\n\n- Start Date: 2018-04-01\n- Tracking issue: [#2000](https://github.com/x/y/issues/2000)\n",
			"start date=2018-04-01; tracking issue=#2000"},
		{"plain lines before the heading", "Status: Accepted\nAuthor: Ann\n\n# Title\n\nBody: not a field, it is after the header.\n",
			"status=Accepted; author=Ann"},
		{"plain line right after the heading", "# Title\n\nStatus: Accepted\n\n## Motivation\n\nStatus: ignored\n",
			"status=Accepted"},
		{"table", "# Proposal\n\n| Field | Value |\n|---|---|\n| Status | Under review |\n| Owner | `bo` |\n",
			"field=Value; status=Under review; owner=bo"},
		{"front matter then header, first value wins", "---\nstatus: accepted\nstage: beta\nreviewers: [a, b]\nnested: {x: 1}\n---\n# T\n\n* Status: Rejected\n* Owner: Cy\n",
			"reviewers=a, b; stage=beta; status=accepted; owner=Cy"},
		{"prose is not a field", "# Title\n\nThis proposal: makes things better. It is long.\n\n* Note that: a list later on\n",
			""},
		{"sentences after the heading stop the scan", "# Title\n\nIntro paragraph one.\n\nIntro two.\n\nIntro three.\n\nIntro four.\n\nStatus: late\n",
			""},
		{"code fence ends the scan", "# Title\n\n```\nStatus: code\n```\n", ""},
		{"go proposal style", "# Proposal: X\n\nAuthor(s): Ann\n\nLast updated: 2019-01-01\n\n- Discussion at https://golang.org/issue/1\n\nDiscussion at https://golang.org/issue/1.\n",
			"author=Ann; last updated=2019-01-01"},
		{"badges before the fields", "# T\n\n[![ci](https://x/b.svg)](https://x)\n\n- Status: Beta\n", "status=Beta"},
		{"an item's value on continuation lines", "# Collection Literals\n\n* **Type**: Design proposal\n* **Contributors**:\n  Ann,\n  Bo\n* **Reviewers**: Cy,\nDee\n* **Issue:** [KT-1](https://x)\n* A note, no field\n* **Status:** Experimental since Kotlin 2.4.0\n\n## Motivation\n",
			"type=Design proposal; contributors=Ann, Bo; reviewers=Cy, Dee; issue=KT-1; status=Experimental since Kotlin 2.4.0@2.4.0"},
		{"setext heading", "Title\n=====\n\n* Status: Draft\n", "status=Draft"},
		{"a header list on lines 78 to 80", "# T\n\n" + strings.Repeat("* Owner: A\n", 75) + "* Status: Draft\n* Stage: beta\n* Area: x\n* Phase: late\n\nBody.\n",
			"owner=A; status=Draft; stage=beta; area=x"},
		{"an item's continuation after the 80th line is not read", "# T\n\n" + strings.Repeat("* Owner: A\n", 77) + "* Status:\n  Draft\n",
			"owner=A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf, err := ParseFile("doc.md", []byte(tt.doc), ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := factMap(markdownFacts([]byte(tt.doc), pf.Meta)); got != tt.want {
				t.Errorf("facts:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeValueAndRelease(t *testing.T) {
	tests := []struct{ raw, value, release string }{
		{"[Declined](https://example.com/x#y)", "Declined", ""},
		{"**Stable** in `1.5.0`", "Stable in 1.5.0", "1.5.0"},
		{"Experimental in 1.6.20-M1", "Experimental in 1.6.20-M1", "1.6.20-M1"},
		{"implementable (v1.27)", "implementable (v1.27)", "1.27"},
		{"_Accepted_ <br/> see <https://x.y>", "Accepted see https://x.y", ""},
		{"2018-04-01", "2018-04-01", ""},
		{"  implementable   in\tv1.27 ", "implementable in v1.27", "1.27"},
		{"Under consideration", "Under consideration", ""},
	}
	for _, tt := range tests {
		v := NormalizeValue(tt.raw)
		if v != tt.value || ReleaseOf(v) != tt.release {
			t.Errorf("%q: got %q @%q, want %q @%q", tt.raw, v, ReleaseOf(v), tt.value, tt.release)
		}
	}
}

// factsOf returns the store's facts as "path field=value since=DAY prev=P
// [open]" lines, in the store's order.
func factsOf(t *testing.T, s livespec.Store, repo string, v livespec.Validity) []string {
	t.Helper()
	fs, err := s.Facts(t.Context(), livespec.FactQuery{Repos: []string{repo}, Validity: v})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s=%s since=%s prev=%s", f.Path, f.Field, f.Value, f.Since.Format("01-02T15"), f.Previous))
	}
	return out
}

// eachStyleRepo is a repository with facts in each style: a kep.yaml
// sidecar, front matter and a header list, changed, renamed and removed.
func eachStyleRepo(tb testing.TB) *gittest.Repo {
	tb.Helper()
	return gittest.New(tb, baseTime,
		gittest.Step{Msg: "add", Write: map[string]string{
			"keps/sig-x/1234-thing/README.md": "# KEP-1234: Thing\n\nText.\n",
			"keps/sig-x/1234-thing/kep.yaml":  "title: Thing\nstatus: provisional\nstage: alpha\nlatest-milestone: \"v1.27\"\n",
			"rfcs/0001-fm.md":                 "---\nstatus: draft\n---\n# FM\n\nBody.\n",
			"proposals/p.md":                  "# P\n\n* **Status**: Under review\n* **Author**: Ann\n\nBody.\n",
		}},
		gittest.Step{Msg: "beta", Write: map[string]string{
			"keps/sig-x/1234-thing/kep.yaml": "title: Thing\nstatus: implementable\nstage: beta\nlatest-milestone: \"v1.28\"\n",
			"proposals/p.md":                 "# P\n\n* **Status**: Accepted\n* **Author**: Ann\n\nBody.\n",
		}},
		gittest.Step{Msg: "rename", Move: [][2]string{{"proposals/p.md", "proposals/0002-p.md"}}},
		gittest.Step{Msg: "stable", Write: map[string]string{
			"proposals/0002-p.md": "# P\n\n* **Status**: Implemented in 2.3\n\nBody.\n",
			"rfcs/0001-fm.md":     "# FM\n\nBody.\n",
		}},
	)
}

func TestPipelineFactsEachStyle(t *testing.T) {
	r := eachStyleRepo(t)
	store := newMemStore()
	res, _ := ingestRepo(t, store, r.Dir, "r", nil)
	if res.Files != 3 {
		t.Errorf("files = %d, want 3 (kep.yaml is read for facts, not indexed)", res.Files)
	}
	got := strings.Join(factsOf(t, store, "r", livespec.Current()), "\n")
	want := strings.Join([]string{
		"keps/sig-x/1234-thing/README.md latest milestone=v1.28 since=01-06T11 prev=v1.27",
		"keps/sig-x/1234-thing/README.md stage=beta since=01-06T11 prev=alpha",
		"keps/sig-x/1234-thing/README.md status=implementable since=01-06T11 prev=provisional",
		"keps/sig-x/1234-thing/README.md title=Thing since=01-06T10 prev=",
		"proposals/0002-p.md status=Implemented in 2.3 since=01-06T13 prev=Accepted",
	}, "\n")
	if got != want {
		t.Errorf("current facts:\n%s\nwant:\n%s", got, want)
	}
	// As of the rename, the status kept the date it was set, not the
	// rename's.
	asOf := factsOf(t, store, "r", livespec.AsOf(baseTime.Add(2*3600e9+1)))
	if !containsLine(asOf, "proposals/0002-p.md status=Accepted since=01-06T11 prev=Under review") {
		t.Errorf("as of the rename:\n%s", strings.Join(asOf, "\n"))
	}
	chs, _ := store.FactChanges(t.Context(), livespec.FactChangeQuery{})
	var kinds []string
	for _, c := range chs {
		if c.Field == "status" || c.Source == "rfcs/0001-fm.md" {
			kinds = append(kinds, fmt.Sprintf("%s %s %s→%s", c.Path, c.Kind, c.Previous, c.Value))
		}
	}
	wantKinds := []string{
		"keps/sig-x/1234-thing/README.md added →provisional",
		"proposals/p.md added →Under review",
		"rfcs/0001-fm.md added →draft",
		"keps/sig-x/1234-thing/README.md modified provisional→implementable",
		"proposals/p.md modified Under review→Accepted",
		"proposals/0002-p.md renamed Accepted→Accepted",
		"proposals/0002-p.md modified Accepted→Implemented in 2.3",
		"rfcs/0001-fm.md removed draft→",
	}
	if strings.Join(kinds, "\n") != strings.Join(wantKinds, "\n") {
		t.Errorf("fact changes:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(wantKinds, "\n"))
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// TestPipelineFactsIncremental checks that ingesting a history commit by
// commit, and with no sidecars configured, stores what one run stores.
func TestPipelineFactsIncremental(t *testing.T) {
	steps := []gittest.Step{
		{Msg: "a", Write: map[string]string{"d/README.md": "# D\n", "d/kep.yaml": "status: provisional\n", "x.md": "# X\n\n- Status: Draft\n"}},
		{Msg: "b", Write: map[string]string{"d/kep.yaml": "status: implementable\n", "x.md": "# X\n\n- Status: Final\n"}},
		{Msg: "c", Remove: []string{"d/kep.yaml"}},
		{Msg: "d", Write: map[string]string{"x.md": "# X\n\n- Status: Withdrawn\n"}},
	}
	full := gittest.New(t, baseTime, steps...)
	one := newMemStore()
	ingestRepo(t, one, full.Dir, "r", nil)

	inc := gittest.New(t, baseTime)
	many := newMemStore()
	for _, s := range steps {
		inc.Do(s)
		ingestRepo(t, many, inc.Dir, "r", nil)
	}
	for _, v := range []livespec.Validity{livespec.AnyVersion(), livespec.Current()} {
		a, b := factsOf(t, one, "r", v), factsOf(t, many, "r", v)
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("%s: one run:\n%s\ncommit by commit:\n%s", v.Mode, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	}
	if got := factsOf(t, one, "r", livespec.Current()); len(got) != 1 || !strings.HasPrefix(got[0], "x.md status=Withdrawn") {
		t.Errorf("current: %q", got)
	}

	none := newMemStore()
	ingestRepo(t, none, full.Dir, "r", func(o *Options) { o.Sidecars = []SidecarPair{} })
	for _, f := range factsOf(t, none, "r", livespec.AnyVersion()) {
		if strings.HasPrefix(f, "d/") {
			t.Errorf("no sidecars configured, yet %s", f)
		}
	}
}

// TestNoFactsBaseline checks the baseline BenchmarkIngestFacts compares
// with: an ingest that reads no facts stores the same files, sections and
// changes, and no fact.
func TestNoFactsBaseline(t *testing.T) {
	r := eachStyleRepo(t)
	with, without := newMemStore(), newMemStore()
	ingestRepo(t, with, r.Dir, "r", nil)
	res, _ := ingestRepo(t, without, r.Dir, "r", func(o *Options) { o.Tuning.NoFacts = true })
	if res.Facts != 0 {
		t.Errorf("the baseline wrote %d facts", res.Facts)
	}
	sectionsOnly := func(s livespec.Store) (kept, facts []string) {
		for _, l := range strings.Split(storetest.Snapshot(t.Context(), t, s, "r"), "\n") {
			if strings.HasPrefix(l, "fact ") {
				facts = append(facts, l)
			} else {
				kept = append(kept, l)
			}
		}
		return kept, facts
	}
	a, facts := sectionsOnly(with)
	b, none := sectionsOnly(without)
	if len(facts) == 0 || len(none) != 0 {
		t.Errorf("%d fact lines with facts, %d without; want some and none", len(facts), len(none))
	}
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("the baseline stores other sections:\n%s\nwant:\n%s", strings.Join(b, "\n"), strings.Join(a, "\n"))
	}
}

// factReads is a Store that records the documents each read of facts asks
// for ("*" for the whole repository).
type factReads struct {
	livespec.Store
	asked []string
}

func (s *factReads) Facts(ctx context.Context, q livespec.FactQuery) ([]livespec.Fact, error) {
	if len(q.Paths) == 0 {
		s.asked = append(s.asked, "*")
	} else {
		s.asked = append(s.asked, strings.Join(q.Paths, ","))
	}
	return s.Store.Facts(ctx, q)
}

// TestIncrementalReadsTouchedFacts checks that a short incremental ingest
// (the one a server runs after each push) reads the open facts of the
// documents its commits touch, not every document's, and that the facts
// it writes are those of a single run over the whole history.
func TestIncrementalReadsTouchedFacts(t *testing.T) {
	steps := []gittest.Step{
		{Msg: "a", Write: map[string]string{"d/README.md": "# D\n", "d/kep.yaml": "status: provisional\n", "x.md": "# X\n\n- Status: Draft\n", "y.md": "# Y\n\n- Owner: Ann\n"}},
		{Msg: "b", Write: map[string]string{"d/kep.yaml": "status: implementable\n"}},
		{Msg: "c", Write: map[string]string{"x.md": "# X\n\n- Status: Final\n", "d/kep.yaml": "status: implemented\n"}},
	}
	full := gittest.New(t, baseTime, steps...)
	one := newMemStore()
	ingestRepo(t, one, full.Dir, "r", nil)

	inc := gittest.New(t, baseTime, steps[0])
	store := &factReads{Store: newMemStore()}
	ingestRepo(t, store, inc.Dir, "r", nil)
	for i, s := range steps[1:] {
		inc.Do(s)
		store.asked = nil
		ingestRepo(t, store, inc.Dir, "r", nil)
		for _, a := range store.asked {
			if a == "*" || strings.Contains(a, "y.md") {
				t.Errorf("commit %s: the ingest read facts of %q, want only the documents it touches", steps[i+1].Msg, a)
			}
		}
	}
	a, b := factsOf(t, one, "r", livespec.AnyVersion()), factsOf(t, store, "r", livespec.AnyVersion())
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("one run:\n%s\ncommit by commit:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}
