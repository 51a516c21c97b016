package e2e_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestChangesOfNamedDocument asks what changed in a document named by its
// file name, its path or its number, in RFC-like layout where numbers
// look like years ("2094-nll.md"): the report covers that document over
// its rename and names it as the subject, not the other files that share
// its words or a year 2094; a capitalised name's version ("Windows 95")
// names no document numbered 95.
func TestChangesOfNamedDocument(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	draft := r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Draft lifetimes", Write: map[string]string{
		"text/0000-nll.md":       "# Summary\n\nNon-lexical lifetimes for the borrow checker.\n",
		"text/0095-windows.md":   "# Summary\n\nBuild scripts on Windows hosts.\n",
		"text/2025-two-phase.md": "# Summary\n\nTwo-phase borrows, see text/2094-nll.md for lifetimes.\n",
	}})
	renamed := r.Do(gittest.Step{Date: "2024-02-01T12:00:00Z", Msg: "Number the lifetimes RFC",
		Move: [][2]string{{"text/0000-nll.md", "text/2094-nll.md"}}})
	r.Do(gittest.Step{Date: "2024-02-15T12:00:00Z", Msg: "Mention lifetimes elsewhere", Write: map[string]string{
		"text/2025-two-phase.md": "# Summary\n\nTwo-phase borrows, see text/2094-nll.md for non-lexical lifetimes.\n",
	}})
	edited := r.Do(gittest.Step{Date: "2024-03-01T12:00:00Z", Msg: "Edit lifetimes", Write: map[string]string{
		"text/2094-nll.md": "# Summary\n\nNon-lexical lifetimes for the borrow checker, based on the control-flow graph.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	now := day("2024-04-01T00:00:00Z")
	for _, tc := range []struct{ name, question string }{
		{"by file name", "What changed in 2094-nll.md in 2024?"},
		{"by path", "What changed in text/2094-nll.md since January?"},
		{"by number", "What changed in RFC 2094 this year?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if ans.Window == nil || ans.Window.From.Year() != 2024 {
				t.Fatalf("window %+v, want one starting in 2024", ans.Window)
			}
			if len(ans.Subjects) != 1 || ans.Subjects[0].Path != "text/2094-nll.md" ||
				!slices.Equal(ans.Subjects[0].Paths, []string{"text/0000-nll.md", "text/2094-nll.md"}) {
				t.Fatalf("subjects %+v, want text/2094-nll.md with its old path", ans.Subjects)
			}
			var commits []string
			for _, c := range ans.Changes {
				if c.Path != "text/2094-nll.md" && c.Path != "text/0000-nll.md" {
					t.Errorf("change of another file: %+v", c)
				}
				if !slices.Contains(commits, c.Commit) {
					commits = append(commits, c.Commit)
				}
			}
			slices.Sort(commits)
			want := []string{draft, renamed, edited}
			slices.Sort(want)
			if !slices.Equal(commits, want) {
				t.Errorf("commits %v, want %v", commits, want)
			}
		})
	}
	t.Run("a name's version is no document number", func(t *testing.T) {
		ans := ask(t, a, "When was support for Windows 95 introduced?", now)
		if ans.Found || len(ans.Subjects) != 0 {
			t.Errorf("found %v, subjects %+v; want nothing found (no text mentions Windows 95)", ans.Found, ans.Subjects)
		}
	})
}

// TestTemplateHeadingIsNoTitle: documents written from one template open
// with the same section heading ("Summary" beside "Motivation"): that
// heading is no document's title, so a subject is named by its path, while
// a heading that stands alone over several files ("Language Spec" over
// each version) stays their title.
func TestTemplateHeadingIsNoTitle(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	files := map[string]string{}
	for _, n := range []string{"1001-alpha", "1002-beta", "1003-gamma"} {
		files["text/"+n+".md"] = "# Summary\n\nThe " + n[5:] + " feature.\n\n# Motivation\n\nUsers want " + n[5:] + ".\n"
	}
	for _, v := range []string{"1.0", "2.0", "3.0"} {
		files["versions/"+v+".md"] = "# Language Spec\n\n## Version " + v + "\n\nVersion " + v + " of the language.\n"
	}
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: files})
	r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "Edit beta", Write: map[string]string{
		"text/1002-beta.md": "# Summary\n\nThe beta feature, revised.\n\n# Motivation\n\nUsers want beta.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	now := day("2024-03-01T00:00:00Z")
	ans := ask(t, a, "How has RFC 1002 changed?", now)
	if len(ans.Subjects) != 1 || ans.Subjects[0].Path != "text/1002-beta.md" || ans.Subjects[0].Title != "" {
		t.Fatalf("subjects %+v, want text/1002-beta.md without a title", ans.Subjects)
	}
	if strings.Contains(ans.Answer, "**Summary**") {
		t.Errorf("the answer names the document by its template heading:\n%s", ans.Answer)
	}
	ans = ask(t, a, "How has versions/2.0.md changed?", now)
	if len(ans.Subjects) != 1 || ans.Subjects[0].Title != "Language Spec" {
		t.Errorf("subjects %+v, want the title Language Spec", ans.Subjects)
	}
}

// TestChangesInTheCorpusOwnDocuments: in a repository of KEPs, "the
// enhancement proposals" spells the repository's own kind of document
// (KEP) and narrows nothing, and "the networking proposals" is a set of
// documents, not the one whose title holds "network".
func TestChangesInTheCorpusOwnDocuments(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	files := map[string]string{"keps/README.md": "# Kubernetes Enhancement Proposals (KEPs)\n\nHow KEPs work.\n"}
	for i, name := range []string{"node-swap", "pod-resize", "sidecars", "cron-jobs", "job-retry", "csi-migration", "volume-limits", "network-proxy", "api-priority", "crd-validation"} {
		files[fmt.Sprintf("keps/sig-x/%d-%s/README.md", 1000+i, name)] = fmt.Sprintf("# KEP-%d: %s\n\n## Summary\n\nAbout %s.\n", 1000+i, name, strings.ReplaceAll(name, "-", " "))
	}
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: files})
	r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "Edit two", Write: map[string]string{
		"keps/sig-x/1000-node-swap/README.md": "# KEP-1000: node-swap\n\n## Summary\n\nAbout node swap, revised.\n",
		"keps/sig-x/1002-sidecars/README.md":  "# KEP-1002: sidecars\n\n## Summary\n\nAbout sidecars, revised.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	now := day("2024-03-01T00:00:00Z")
	ans := ask(t, a, "What changed in the enhancement proposals in February 2024?", now)
	paths := map[string]bool{}
	for _, c := range ans.Changes {
		paths[c.Path] = true
	}
	if len(ans.Subjects) != 0 || len(paths) != 2 || !paths["keps/sig-x/1000-node-swap/README.md"] || !paths["keps/sig-x/1002-sidecars/README.md"] {
		t.Errorf("subjects %+v, files %v; want both edited KEPs and no subject", ans.Subjects, paths)
	}
	ans = ask(t, a, "What changed in the networking proposals in February 2024?", now)
	if len(ans.Subjects) != 0 {
		t.Errorf("subjects %+v; a plural names no one document", ans.Subjects)
	}
}
