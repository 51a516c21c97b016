package retrieval_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// manySections is a spec of n sections, each saying its number and the
// word of one version.
func manySections(n int, word string) string {
	var b strings.Builder
	b.WriteString("# Catalogue\n\nEvery item of the catalogue has its own section.\n")
	for i := range n {
		fmt.Fprintf(&b, "\n## Item %d\n\nItem %d is sold %s in every store of the chain.\n", i, i, word)
	}
	return b.String()
}

// TestChangesTotalsPastTheListCap checks that a report's totals count
// every change of the window, beyond the section events it lists: three
// commits rewriting 120 sections each make 360 section changes.
func TestChangesTotalsPastTheListCap(t *testing.T) {
	r := gittest.New(t, day(d1))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Catalogue", Write: map[string]string{
		"specs/catalogue.md": manySections(120, "singly"), "specs/other.md": "# Other\n\nNothing else.\n"}})
	for i, w := range []string{"in pairs", "in dozens", "by weight"} {
		r.Do(gittest.Step{Date: fmt.Sprintf("2024-02-%02dT12:00:00Z", 10+i), Msg: "Sell " + w, Write: map[string]string{"specs/catalogue.md": manySections(120, w)}})
	}
	r.Do(gittest.Step{Date: "2024-02-20T12:00:00Z", Msg: "Other", Write: map[string]string{"specs/other.md": "# Other\n\nNothing else at all, ever.\n"}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	ans := ask(t, a, "what changed in February 2024?", day("2024-03-01T00:00:00Z"))

	want := livespec.ChangeTotals{Files: 2, Sections: 361, Commits: 4, Modified: 361}
	if ans.Totals == nil || *ans.Totals != want {
		t.Fatalf("totals = %+v, want %+v", ans.Totals, want)
	}
	if !strings.Contains(ans.Answer, "361 changes to 2 files in 4 commits") {
		t.Errorf("answer does not state the exact totals:\n%s", ans.Answer)
	}
	sections, files := 0, map[string]bool{}
	for _, c := range ans.Changes {
		if c.Level == livespec.LevelSection {
			sections++
		} else {
			files[c.Path] = true
		}
	}
	if sections >= 361 || len(files) != 2 {
		t.Errorf("changes list %d section events and files %v: want the capped list with every file", sections, files)
	}
}

// TestChangesEmptyPeriod checks that a quiet period says so and shows
// the latest changes before it.
func TestChangesEmptyPeriod(t *testing.T) {
	f := newFixture(t)
	ans := ask(t, f.assistant(), "what changed in October 2024?", day("2024-11-15T00:00:00Z"))
	if len(ans.Changes) != 0 {
		t.Fatalf("changes = %d, want none in the period", len(ans.Changes))
	}
	for _, want := range []string{
		"No spec changes between 2024-10-01 and 2024-10-31.",
		"The last change before it was on 2024-07-03",
		"specs/billing.md",
		"Billing: invoices go out weekly",
	} {
		if !strings.Contains(ans.Answer, want) {
			t.Errorf("answer lacks %q:\n%s", want, ans.Answer)
		}
	}
	if strings.Contains(ans.Answer, "specs/auth.md") {
		t.Errorf("answer lists a change older than the latest day:\n%s", ans.Answer)
	}
}

// TestChangesQuoteWhatChanged checks that a report quotes what a changed
// section says now and what it said before, and passes over an editorial
// edit of the same file for a change of substance.
func TestChangesQuoteWhatChanged(t *testing.T) {
	r := gittest.New(t, day(d1))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Billing", Write: map[string]string{"specs/billing.md": `# Billing

## Invoices

Invoices are sent on the first day of each month. Each invoice lists every order.

## Reminders

A reminder goes out after 14 days.
`}})
	r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "Weekly invoices", Write: map[string]string{"specs/billing.md": `# Billing

### Invoices

Invoices are sent every Monday. Each invoice lists every order.

## Reminders

A reminder goes out after 14 days.

## Late fees

A late fee of 2% applies to invoices unpaid after 30 days.
`}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	ans := ask(t, a, "what changed in February 2024?", day("2024-03-01T00:00:00Z"))
	for _, want := range []string{
		"now says: “Invoices are sent every Monday.”",
		"before: “Invoices are sent on the first day of each month.”",
	} {
		if !strings.Contains(ans.Answer, want) {
			t.Errorf("answer lacks %q:\n%s", want, ans.Answer)
		}
	}
	if strings.Contains(ans.Answer, "Each invoice lists every order.”") {
		t.Errorf("answer quotes a sentence that did not change:\n%s", ans.Answer)
	}
}

// TestAnswerChangeLevels checks the contract of change events: a level on
// each, the text before the first heading apart from the file-level
// event, and null for empty optional strings.
func TestAnswerChangeLevels(t *testing.T) {
	r := gittest.New(t, day(d1))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Add", Write: map[string]string{"spec.md": "Intro text.\n\n# Title\n\nBody.\n"}})
	r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "Edit intro", Write: map[string]string{"spec.md": "Intro text, longer now.\n\n# Title\n\nBody.\n"}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	ans := ask(t, a, "what changed in February 2024?", day("2024-03-01T00:00:00Z"))
	b, err := json.Marshal(ans)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Changes []map[string]any `json:"changes"`
		Cites   []map[string]any `json:"citations"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var levels []string
	for _, c := range got.Changes {
		levels = append(levels, fmt.Sprintf("%v:%v", c["level"], c["heading"]))
		if c["old_path"] != nil {
			t.Errorf("old_path = %#v, want null", c["old_path"])
		}
	}
	if want := fmt.Sprint([]string{"file:<nil>", "section:" + livespec.PreambleHeading}); fmt.Sprint(levels) != want {
		t.Errorf("level:heading = %v, want %v", levels, want)
	}
	for _, c := range got.Cites {
		if v, ok := c["url"]; !ok || v != nil {
			t.Errorf("citation url = %#v (present %v), want null without a permalink template", v, ok)
		}
	}
}
