package e2e_test

import (
	"strings"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestDocumentHistoryQuotesItsOpening asks how a document named by number
// changed, where the title section holds only author lines: the answer
// cites the sections that open the document, in the document's order, and
// quotes its summary as what first appeared, not the acknowledgements that
// sort first by name.
func TestDocumentHistoryQuotesItsOpening(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Propose widgets", Write: map[string]string{
		"design/4242-widgets.md": "# Widget groups\n\nJane Doe\\\nMay 2024\n\n## Summary\n\nWidget groups let users gather items under one name.\n\n" +
			"## Design\n\nA group is a list of item identifiers.\n\n## Acknowledgements\n\nWe thank the reviewers of earlier drafts for their feedback.\n",
	}})
	r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "Nested groups", Write: map[string]string{
		"design/4242-widgets.md": "# Widget groups\n\nJane Doe\\\nMay 2024\n\n## Summary\n\nWidget groups let users gather items under one name.\n\n" +
			"## Design\n\nA group is a list of item identifiers or other groups.\n\n## Acknowledgements\n\nWe thank the reviewers of earlier drafts for their feedback.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	ans := ask(t, a, "How has proposal 4242 changed?", day("2024-03-01T00:00:00Z"))
	if !ans.Found {
		t.Fatalf("not found: %s", ans.Answer)
	}
	if !strings.Contains(ans.Answer, "gather items under one name") || strings.Contains(ans.Answer, "We thank the reviewers") {
		t.Errorf("answer does not quote the summary as what first appeared:\n%s", ans.Answer)
	}
	var headings []string
	for _, s := range ans.Citations {
		headings = append(headings, s.Heading)
	}
	if got := strings.Join(headings, " | "); !strings.HasPrefix(got, "Widget groups | Widget groups > Summary | Widget groups > Design") {
		t.Errorf("sources %q, want the title, Summary and Design first", got)
	}
}
