package retrieval_test

import (
	"slices"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestSubjectResolution names a document by number and by file name: the
// answer follows it over its rename and reports it as the subject, not the
// other documents that share its words.
func TestSubjectResolution(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	draft := r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Draft workspaces", Write: map[string]string{
		"design/draft-workspace.md": "# Proposal: Multi-module workspaces\n\nA workspace file lists modules.\n",
		"design/12000-modules.md":   "# Proposal: Modules\n\nModules and workspaces of modules.\n",
	}})
	renamed := r.Do(gittest.Step{Date: "2024-01-20T12:00:00Z", Msg: "Number the workspace proposal",
		Move: [][2]string{{"design/draft-workspace.md", "design/45713-workspace.md"}}})
	edited := r.Do(gittest.Step{Date: "2024-02-01T12:00:00Z", Msg: "Rename the directive", Write: map[string]string{
		"design/45713-workspace.md": "# Proposal: Multi-module workspaces\n\nA workspace file lists modules with use directives.\n",
		"README.md":                 "# Proposals\n\nHow proposals work.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	now := day("2024-03-01T00:00:00Z")
	tests := []struct {
		name, question string
		path           string
		paths          []string
		commits        []string
	}{
		{"by number, over the rename", "How has proposal 45713 changed since it was first drafted?", "design/45713-workspace.md",
			[]string{"design/draft-workspace.md", "design/45713-workspace.md"}, []string{draft, renamed, edited}},
		{"by a number in parentheses", "How has the workspaces proposal (45713) evolved?", "design/45713-workspace.md", nil, []string{draft, renamed, edited}},
		{"by file name", "How did README.md change?", "README.md", []string{"README.md"}, []string{edited}},
		{"by path", "What happened to design/45713-workspace.md?", "design/45713-workspace.md", nil, []string{draft, renamed, edited}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if !ans.Found || len(ans.Subjects) != 1 {
				t.Fatalf("found %v, subjects %+v; want one subject", ans.Found, ans.Subjects)
			}
			s := ans.Subjects[0]
			if s.Path != tc.path || (tc.paths != nil && !slices.Equal(s.Paths, tc.paths)) {
				t.Errorf("subject = %+v, want path %s and paths %v", s, tc.path, tc.paths)
			}
			var got []string
			for _, c := range ans.Changes {
				if !slices.Contains(got, c.Commit) {
					got = append(got, c.Commit)
				}
				if c.Path != tc.path && c.Path != "design/draft-workspace.md" {
					t.Errorf("change of another document: %+v", c)
				}
			}
			if !slices.Equal(got, tc.commits) {
				t.Errorf("commits = %v, want %v", got, tc.commits)
			}
			if ans.FirstSeen == nil || ans.FirstSeen.Commit != tc.commits[0] {
				t.Errorf("first_seen = %+v, want %s", ans.FirstSeen, tc.commits[0])
			}
		})
	}
}
