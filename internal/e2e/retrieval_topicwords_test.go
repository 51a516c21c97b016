package e2e_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestChangesCorpusWordsAreNoTopic asks what changed with words that name
// the repository's own documents ("design documents", "the proposals",
// "edited"): every change of the period is reported, while a real topic
// still narrows the report.
func TestChangesCorpusWordsAreNoTopic(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	areas := []string{"billing", "auth", "search", "export", "import", "audit", "quota", "webhook", "retention", "locale"}
	first := map[string]string{"README.md": "# Proposals\n\nHow designs are proposed.\n"}
	for i, a := range areas {
		first[fmt.Sprintf("design/%03d-%s.md", i+1, a)] = fmt.Sprintf("# Proposal: %s\n\nThe %s service keeps its own records.\n", a, a)
	}
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: first})
	r.Do(gittest.Step{Date: "2024-03-05T12:00:00Z", Msg: "March edits", Write: map[string]string{
		"design/001-billing.md": "# Proposal: billing\n\nThe billing service keeps its own records for a year.\n",
		"design/002-auth.md":    "# Proposal: auth\n\nThe auth service keeps its own records for a day.\n",
		"README.md":             "# Proposals\n\nHow designs are proposed and reviewed.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	now := day("2024-06-01T00:00:00Z")
	all := []string{"README.md", "design/001-billing.md", "design/002-auth.md"}
	tests := []struct {
		question string
		want     []string
	}{
		{"Which design documents were edited in March 2024?", all},
		{"What changed in the proposals in March 2024?", all},
		{"Which of our docs got touched in March 2024?", all},
		{"What changed about billing in March 2024?", []string{"design/001-billing.md"}},
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if got := changedPaths(ans); !slices.Equal(got, tc.want) {
				t.Errorf("files = %v, want %v\n%s", got, tc.want, ans.Answer)
			}
		})
	}
}
