package e2e_test

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

// guideV is the contributing guide of TestEvolutionFoldsEditorialChanges
// with its approval rule and a link target.
func guideV(approvals, link string) string {
	return "# Contributing Guide\n\n(new spec section)\n\n```yaml\nreviewers: 2\n```\n\n| Branch | Role |\n|---|---|\n| main | releases |\n\n" +
		"Everyone may propose a change to the specification by opening a pull request.\n\n" +
		"## Pull requests\n\nEvery pull request needs " + approvals + " before it is merged. See [the process](" + link + ").\n"
}

// TestEvolutionFoldsEditorialChanges checks an evolution answer on a
// history of every kind of edit: the changes array lists every commit,
// the editorial ones are marked by kind and folded into a count, the
// changes of substance are listed under the document's title, and the
// headline quotes a prose sentence, not a placeholder, code or a table.
func TestEvolutionFoldsEditorialChanges(t *testing.T) {
	r := gittest.New(t, day(d1))
	others := map[string]string{}
	for i := range 9 {
		others[fmt.Sprintf("specs/area%d.md", i)] = fmt.Sprintf("# Area %d\n\nArea %d handles its own orders.\n", i, i)
	}
	first := map[string]string{"docs/guide.md": guideV("one approval", "process.md")}
	for p, txt := range others {
		first[p] = txt
	}
	steps := []struct {
		msg, guide string
		all        bool // the commit rewrites every file
		want       string
	}{
		{"Add the guide", "", false, ""},
		{"Fix a typo", strings.Replace(guideV("one approval", "process.md"), "propose a change", "propose a chnage", 1), false, livespec.EditTypo},
		{"Require two approvals", guideV("two approvals", "process.md"), false, ""},
		{"Wrap lines", strings.Replace(guideV("two approvals", "process.md"), "by opening a pull request", "by opening\na pull request", 1), false, livespec.EditWhitespace},
		{"Move the process page", strings.Replace(guideV("two approvals", "docs/process.md"), "by opening a pull request", "by opening\na pull request", 1), false, livespec.EditLinks},
		{"Reword every file", strings.Replace(guideV("two approvals", "docs/process.md"), "Everyone may", "Anyone may", 1), true, livespec.EditSweep},
		{"Add a review deadline", strings.Replace(guideV("two approvals", "docs/process.md"), "Everyone may", "Anyone may", 1) + "\n## Reviews\n\nReviewers answer within a week.\n", false, ""},
		{"Reword every file again and add a FAQ", strings.Replace(guideV("two approvals", "docs/process.md"), "Everyone may", "Anybody may", 1) + "\n## Reviews\n\nReviewers answer within a week.\n\n## FAQ\n\nAsk in the forum first.\n", true, ""},
	}
	var commits []string
	for i, s := range steps {
		w := map[string]string{"docs/guide.md": s.guide}
		if i == 0 {
			w = first
		}
		if s.all {
			for p, txt := range others {
				w[p] = strings.Replace(txt, "handles its own", fmt.Sprintf("takes care of (%d) its", i), 1)
			}
		}
		commits = append(commits, r.Do(gittest.Step{Date: fmt.Sprintf("2024-%02d-10T12:00:00Z", i+1), Msg: s.msg, Write: w}))
	}
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	ans := ask(t, a, "how has the contributing guide evolved?", day("2024-12-01T00:00:00Z"))

	got := map[string]string{}
	for _, c := range ans.Changes {
		if c.Path == "docs/guide.md" && c.Level == livespec.LevelFile {
			got[c.Commit] = c.Editorial
		}
	}
	for i, s := range steps {
		e, ok := got[commits[i]]
		if !ok {
			t.Errorf("changes lack commit %d %q", i, s.msg)
		} else if e != s.want {
			t.Errorf("commit %q: editorial = %q, want %q", s.msg, e, s.want)
		}
	}
	for _, want := range []string{
		"Contributing Guide",
		"may propose a change to the specification by opening a pull request.”", // the document's lead sentence
		"4 of substance (listed) and 4 editorial (1 typo fix, 1 link or anchor edit, 1 whitespace-only edit, 1 repository-wide edit)",
		"“Require two approvals”", "“Add a review deadline”", "“Reword every file again and add a FAQ”",
	} {
		if !strings.Contains(ans.Answer, want) {
			t.Errorf("answer lacks %q:\n%s", want, ans.Answer)
		}
	}
	for _, editorial := range []string{"(new spec section)", "reviewers: 2", "| main", "Fix a typo", "Wrap lines", "Move the process page", "Reword every file”"} {
		if strings.Contains(ans.Answer, editorial) {
			t.Errorf("answer shows %q:\n%s", editorial, ans.Answer)
		}
	}
}

// TestEvolutionMovedSections checks that sections carried along by a
// renamed title or file keep their history but count as moved, not as
// changes of substance.
func TestEvolutionMovedSections(t *testing.T) {
	r := gittest.New(t, day(d1))
	body := "\n\n## Checksum database\n\nThe go command checks every module against the checksum database.\n\n## Proxying\n\nA module proxy can also proxy requests to the checksum database.\n"
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Add the notary design", Write: map[string]string{"design/notary.md": "# Secure modules with a notary" + body}})
	r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "Retitle the design", Write: map[string]string{"design/notary.md": "# Secure the module ecosystem" + body}})
	r.Do(gittest.Step{Date: "2024-03-10T12:00:00Z", Msg: "Rename to sumdb", Move: [][2]string{{"design/notary.md", "design/sumdb.md"}}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	// The topic, not the design document as a whole (see
	// TestDocumentByTitle): the sections that mention it are followed.
	ans := ask(t, a, "how has the checksum database evolved?", day("2024-12-01T00:00:00Z"))
	moved := 0
	for _, c := range ans.Changes {
		if c.Editorial == livespec.EditMoved {
			moved++
		}
	}
	if moved == 0 {
		t.Errorf("no section event is marked moved:\n%s", ans.Answer)
	}
	for _, c := range ans.Changes {
		if c.Level == livespec.LevelSection && c.Kind == livespec.Renamed && c.Editorial == "" {
			t.Errorf("section %q renamed in %q with its text unchanged is counted as substance", c.Heading, c.Message)
		}
	}
	if !strings.Contains(ans.Answer, "moved unchanged") {
		t.Errorf("answer does not count the moved sections:\n%s", ans.Answer)
	}
}
