package e2e_test

import (
	"slices"
	"strings"
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

// TestDocumentByTitle names documents by their title or name with a noun
// for a kind of document ("the Overlays proposal"), or by what they are
// about ("the checksum database design"): the answer follows the document
// over its rename, not the other files that share the words.
func TestDocumentByTitle(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	created := r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: map[string]string{
		"proposals/004_Overlays.md": "# Overlays\n\n## Summary\n\nAn overlay changes a description without editing it.\n",
		"proposals/001_Tags.md":     "# Tag groups\n\n## Summary\n\nTags can be grouped. Overlays may add tags.\n\n## Overlays\n\nAn overlay adds tags.\n",
		"versions/1.2.md":           "# Swagger RESTful API Documentation Specification\n\n## Resource Listing\n\nThe listing of resources.\n",
		"versions/2.0.md":           "# OpenAPI Specification\n\n## Paths\n\nSwagger 1.2 used resource listings; 2.0 has paths.\n",
		"README.md":                 "# The Swagger Specification\n\n## Swagger 1.2 Specification\n\nSwagger 1.2 is the current version.\n\n## Swagger 1.2 tools\n\nTools for Swagger 1.2.\n",
		"design/draft-notary.md": "# Proposal: Secure the module ecosystem\n\n## Abstract\n\nA checksum database for modules.\n\n" +
			"## Checksum database\n\nThe checksum database serves hashes.\n\n## Proxying a checksum database\n\nProxies serve the checksum database.\n\n" +
			"## Privacy\n\nThe checksum database sees lookups.\n",
		"design/go-install.md":                "# go install\n\n## Rationale\n\ngo.sum is checked against the checksum database.\n",
		"design/go2draft-type-parameters.md":  "# Type Parameters - Draft Design\n\nType parameters for functions.\n",
		"design/43651-type-parameters.md":     "# Type Parameters Proposal\n\nType parameters for types and functions.\n",
		"proposals/002_Specification_Docs.md": "# Docs\n\nHow docs are built.\n",
	}})
	edited := r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "Edit", Write: map[string]string{
		"proposals/004_Overlays.md":          "# Overlays\n\n## Summary\n\nAn overlay changes a description without editing it, in order.\n",
		"versions/1.2.md":                    "# Swagger RESTful API Documentation Specification\n\n## Resource Listing\n\nThe listing of all resources.\n",
		"design/draft-notary.md":             "# Proposal: Secure the module ecosystem\n\n## Abstract\n\nA checksum database for all modules.\n\n## Checksum database\n\nThe checksum database serves hashes.\n\n## Proxying a checksum database\n\nProxies serve the checksum database.\n\n## Privacy\n\nThe checksum database sees lookups.\n",
		"design/go2draft-type-parameters.md": "# Type Parameters - Draft Design\n\nType parameters for functions and types.\n",
	}})
	renamed := r.Do(gittest.Step{Date: "2024-03-10T12:00:00Z", Msg: "Rename", Move: [][2]string{
		{"proposals/004_Overlays.md", "proposals/2019-12-24-Overlays.md"},
		{"design/draft-notary.md", "design/25530-sumdb.md"},
	}})
	later := r.Do(gittest.Step{Date: "2024-04-10T12:00:00Z", Msg: "Edit again", Write: map[string]string{
		"proposals/2019-12-24-Overlays.md": "# Overlays\n\n## Summary\n\nAn overlay changes a description without editing it, in a given order.\n",
		"proposals/001_Tags.md":            "# Tag groups\n\n## Summary\n\nTags can be grouped. Overlays may add or remove tags.\n\n## Overlays\n\nAn overlay adds tags.\n",
		"README.md":                        "# The Swagger Specification\n\n## Swagger 1.2 Specification\n\nSwagger 1.2 was the current version.\n\n## Swagger 1.2 tools\n\nTools for Swagger 1.2.\n",
		"design/25530-sumdb.md":            "# Proposal: Secure the module ecosystem\n\n## Abstract\n\nA checksum database for all modules, served by proxies.\n\n## Checksum database\n\nThe checksum database serves hashes.\n\n## Proxying a checksum database\n\nProxies serve the checksum database.\n\n## Privacy\n\nThe checksum database sees lookups.\n",
		"design/go-install.md":             "# go install\n\n## Rationale\n\ngo.sum is checked against the checksum database, always.\n",
	}})
	pointer := r.Do(gittest.Step{Date: "2024-04-20T12:00:00Z", Msg: "Point the old name at the new one", Write: map[string]string{
		"design/draft-notary.md": "# Moved\n\nSee 25530-sumdb.md.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	now := day("2024-05-01T00:00:00Z")
	tests := []struct {
		name, question string
		path           string
		paths          []string
		commits        []string
	}{
		{"an old path written again is another document", "How did design/draft-notary.md change?", "design/draft-notary.md",
			[]string{"design/draft-notary.md"}, []string{pointer}},
		{"by title with a kind noun, over the rename", "How has the Overlays proposal evolved?", "proposals/2019-12-24-Overlays.md",
			[]string{"proposals/004_Overlays.md", "proposals/2019-12-24-Overlays.md"}, []string{created, edited, renamed, later}},
		{"by title and file name", "How did the Swagger 1.2 specification document change over its lifetime?", "versions/1.2.md",
			[]string{"versions/1.2.md"}, []string{created, edited}},
		{"the title word that tells two documents apart", "How did the type parameters draft design change?", "design/go2draft-type-parameters.md",
			[]string{"design/go2draft-type-parameters.md"}, []string{created, edited}},
		{"by what it is about, over the rename", "How has the module checksum database design evolved?", "design/25530-sumdb.md",
			[]string{"design/draft-notary.md", "design/25530-sumdb.md"}, []string{created, edited, renamed, later}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if !ans.Found || len(ans.Subjects) != 1 {
				t.Fatalf("found %v, subjects %+v; want one subject", ans.Found, ans.Subjects)
			}
			if s := ans.Subjects[0]; s.Path != tc.path || !slices.Equal(s.Paths, tc.paths) {
				t.Errorf("subject = %+v, want path %s and paths %v", s, tc.path, tc.paths)
			}
			var got []string
			for _, c := range ans.Changes {
				if !slices.Contains(got, c.Commit) {
					got = append(got, c.Commit)
				}
				if !slices.Contains(tc.paths, c.Path) {
					t.Errorf("change of another document: %+v", c)
				}
			}
			if !slices.Equal(got, tc.commits) {
				t.Errorf("commits = %v, want %v", got, tc.commits)
			}
		})
	}
	t.Run("a window tied to the subject's life starts at its first landing", func(t *testing.T) {
		for _, q := range []string{"How has the Overlays proposal evolved since it was added?", "How did the Overlays proposal change over its lifetime?"} {
			ans := ask(t, a, q, now)
			if !strings.Contains(ans.Answer, "from 2024-01-10") || len(ans.Changes) == 0 || ans.Changes[0].Commit != created {
				t.Errorf("%s: answer does not run from the first landing (2024-01-10, %s):\n%s", q, created, ans.Answer)
			}
		}
		ans := ask(t, a, "How has the Overlays proposal evolved since March 2024?", now)
		if strings.Contains(ans.Answer, "when it first appeared") {
			t.Errorf("a calendar period read as the subject's life:\n%s", ans.Answer)
		}
	})
	t.Run("a topic without a kind noun is not a document", func(t *testing.T) {
		ans := ask(t, a, "How has the checksum database evolved?", now)
		if len(ans.Subjects) != 0 {
			t.Errorf("subjects = %+v, want none: the topic names sections, not a document", ans.Subjects)
		}
	})
}

// TestAppositiveName asks when a name with its description first appeared
// ("Moonwalk, the effort toward version 4"): the name's first mention
// counts, not an older section that shares the description's words.
func TestAppositiveName(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Conduct", Write: map[string]string{
		"CONDUCT.md": "# Conduct\n\n## 4. Permanent ban\n\nThe effort toward a safe community may ban a person for good.\n",
	}})
	named := r.Do(gittest.Step{Date: "2024-02-08T12:00:00Z", Msg: "SIGs", Write: map[string]string{
		"SIGS.md": "# Special interest groups\n\n## Moonwalk\n\nWorking group for the next major version.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	ans := ask(t, a, "When did the documents first mention Moonwalk, the effort toward version 4?", day("2024-03-01T00:00:00Z"))
	if !ans.Found || ans.FirstSeen == nil || ans.FirstSeen.Commit != named || ans.FirstSeen.Path != "SIGS.md" {
		t.Errorf("first_seen = %+v, want SIGS.md at %s:\n%s", ans.FirstSeen, named, ans.Answer)
	}
}
