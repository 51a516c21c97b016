package retrieval_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sha is a stable fake commit hash.
func sha(name string) string {
	s := sha1.Sum([]byte(name))
	return hex.EncodeToString(s[:])
}

func at(s string) livespec.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return livespec.Time{Time: t}
}

func cite(n int, path, heading, commit, from, to, text string) livespec.Citation {
	c := livespec.Citation{
		N: n, Repo: "openapi", Path: path, Heading: heading, Commit: sha(commit),
		Date: at(from), ValidFrom: at(from), Current: to == "",
		Excerpt: text, Text: "## " + heading + "\n\n" + text,
	}
	if to != "" {
		c.ValidTo = at(to)
	}
	return c
}

func change(commit, date, msg, path, heading string, kind livespec.ChangeKind) livespec.AnswerChange {
	return livespec.AnswerChange{
		Repo: "openapi", Commit: sha(commit), Date: at(date), Author: "Ada", Message: msg,
		Path: path, Heading: heading, Kind: kind,
	}
}

func windowOf(from, to string) *livespec.Window {
	w := win(from, to)
	return &w
}

// evidence holds one fixture per rendering the extractive generator knows.
func evidence() map[string]*livespec.Evidence {
	tlsText := "The type of the security scheme is one of apiKey, http, oauth2 and openIdConnect. " +
		"A security scheme of type mutualTLS requires the client to present a certificate. " +
		"The server MUST validate it against its trust store."
	current := &livespec.Evidence{
		Question: "Does the spec support mutual TLS?", Intent: livespec.IntentCurrent, Topic: "mutual TLS",
		Sources: []livespec.Citation{
			cite(1, "versions/3.1.0.md", "Security Scheme Object > Fixed Fields", "c31", "2021-02-15 17:00:00", "", tlsText),
			cite(2, "versions/3.0.3.md", "Security Scheme Object", "c303", "2020-02-20 10:00:00", "2021-02-15 17:00:00",
				"Defines a security scheme that can be used by the operations. Supported schemes are HTTP authentication, an API key and OAuth2."),
			cite(3, "proposals/2019-mtls.md", "", "p1", "2019-05-01 09:00:00", "", "# Mutual TLS\n\nThis proposal adds mutualTLS as a security scheme type."),
		},
	}
	asOf := &livespec.Evidence{
		Question: "As of June 1, 2024, what approval did a specification change need?", Intent: livespec.IntentAsOf,
		AsOf: &livespec.Time{Time: time.Date(2024, 6, 1, 23, 59, 59, 0, time.UTC)}, Topic: "approval did a specification change need",
		Sources: []livespec.Citation{
			cite(1, "CONTRIBUTING.md", "Reviewers", "r1", "2023-03-01 12:00:00", "2024-09-10 08:00:00",
				"All pull requests need one approval from a TSC member or maintainer. Changes to the specification need approval from two TSC members. Reviewers look for clarity."),
			cite(2, "GOVERNANCE.md", "TSC", "g1", "2022-01-01 12:00:00", "", "The TSC approves changes to the specification by majority vote."),
		},
	}
	asOfLater := &livespec.Evidence{
		Question: "As of 2019, what did the spec say about mutual TLS?", Intent: livespec.IntentAsOf, Topic: "mutual TLS",
		AsOf:    &livespec.Time{Time: time.Date(2019, 12, 31, 23, 59, 59, 0, time.UTC)},
		Sources: current.Sources[:1],
	}
	changes := &livespec.Evidence{
		Question: "What changed in the specs in September 2025?", Intent: livespec.IntentChanges,
		Window: windowOf("2025-09-01", "2025-10-01"),
		Changes: []livespec.AnswerChange{
			change("a1", "2025-09-02 10:00:00", "Add SSE support", "versions/3.2.0.md", "", livespec.Modified),
			change("a1", "2025-09-02 10:00:00", "Add SSE support", "versions/3.2.0.md", "Media Types > Server-Sent Events", livespec.Added),
			change("a1", "2025-09-02 10:00:00", "Add SSE support", "versions/3.2.0.md", "Media Types > Sequential Media Types", livespec.Added),
			change("a1", "2025-09-02 10:00:00", "Add SSE support", "versions/3.2.0.md", "Media Types", livespec.Modified),
			change("a2", "2025-09-05 14:00:00", "Clarify querystring parameters\n\nLonger body that is not shown.", "versions/3.2.0.md", "", livespec.Modified),
			change("a2", "2025-09-05 14:00:00", "Clarify querystring parameters\n\nLonger body that is not shown.", "versions/3.2.0.md", "Parameter Locations", livespec.Modified),
			change("a3", "2025-09-09 09:00:00", "Tidy wording", "versions/3.2.0.md", "", livespec.Modified),
			change("a3", "2025-09-09 09:00:00", "Tidy wording", "versions/3.2.0.md", "Info Object", livespec.Modified),
			change("a3", "2025-09-09 09:00:00", "Tidy wording", "versions/3.2.0.md", "Contact Object", livespec.Modified),
			change("a3", "2025-09-09 09:00:00", "Tidy wording", "versions/3.2.0.md", "License Object", livespec.Modified),
			change("a3", "2025-09-09 09:00:00", "Tidy wording", "versions/3.2.0.md", "Server Object", livespec.Modified),
			change("a3", "2025-09-09 09:00:00", "Tidy wording", "versions/3.2.0.md", "Server Variable Object", livespec.Modified),
			change("a4", "2025-09-12 09:00:00", "Drop obsolete note", "versions/3.2.0.md", "", livespec.Modified),
			change("a4", "2025-09-12 09:00:00", "Drop obsolete note", "versions/3.2.0.md", "Appendix > Obsolete", livespec.Removed),
			change("a5", "2025-09-20 09:00:00", "Fix typo", "versions/3.2.0.md", "", livespec.Modified),
			change("a5", "2025-09-20 09:00:00", "Fix typo", "versions/3.2.0.md", "Paths Object", livespec.Modified),
			change("a2", "2025-09-05 14:00:00", "Clarify querystring parameters", "CONTRIBUTING.md", "", livespec.Modified),
			change("a2", "2025-09-05 14:00:00", "Clarify querystring parameters", "CONTRIBUTING.md", "Reviewers", livespec.Modified),
			change("a6", "2025-09-15 11:00:00", "Move the style guide", "style-guide.md", "", livespec.Renamed),
			change("a7", "2025-09-16 11:00:00", "Add the AI policy", "AI.md", "", livespec.Added),
			change("a7", "2025-09-16 11:00:00", "Add the AI policy", "AI.md", "AI Policy", livespec.Added),
			change("a7", "2025-09-16 11:00:00", "Add the AI policy", "AI.md", "AI Policy > Disclosure and Accountability", livespec.Added),
			change("a8", "2025-09-17 11:00:00", "Retire the old FAQ", "FAQ.md", "", livespec.Removed),
		},
		Sources: []livespec.Citation{
			cite(1, "versions/3.2.0.md", "Media Types > Server-Sent Events", "a1", "2025-09-02 10:00:00", "", "Server-Sent Events payloads are described with the parsed event data."),
			cite(2, "AI.md", "AI Policy > Disclosure and Accountability", "a7", "2025-09-16 11:00:00", "", "Disclose use of AI tools in the pull request."),
		},
	}
	changes.Changes[18].OldPath = "STYLE.md"
	// Many files, to show the cap.
	for i := range 9 {
		p := fmt.Sprintf("proposals/2025-09-%02d-idea.md", i+1)
		changes.Changes = append(changes.Changes,
			change(fmt.Sprintf("b%d", i), fmt.Sprintf("2025-09-%02d 08:00:00", i+1), "Propose an idea", p, "", livespec.Added),
			change(fmt.Sprintf("b%d", i), fmt.Sprintf("2025-09-%02d 08:00:00", i+1), "Propose an idea", p, "Idea", livespec.Added))
	}
	empty := &livespec.Evidence{
		Question: "What changed in authentication last quarter?", Intent: livespec.IntentChanges, Topic: "authentication",
		Window: windowOf("2025-07-01", "2025-10-01"),
	}
	timeline := &livespec.Evidence{
		Question: "When was the Callback Object first described?", Intent: livespec.IntentTimeline, Topic: "Callback Object",
		Changes: []livespec.AnswerChange{
			change("t1", "2016-08-01 10:00:00", "Add callbacks", "versions/3.0.0.md", "Callback Object", livespec.Added),
			change("t2", "2016-11-03 10:00:00", "Callbacks: runtime expressions", "versions/3.0.0.md", "Callback Object", livespec.Modified),
			change("t3", "2017-07-26 10:00:00", "Release 3.0.0", "versions/3.0.0.md", "Callback Object", livespec.Modified),
			change("t4", "2019-01-10 10:00:00", "Move draft callbacks", "versions/3.0.0.md", "Callback Object > Draft Notes", livespec.Added),
			change("t5", "2020-01-10 10:00:00", "Remove draft notes", "versions/3.0.0.md", "Callback Object > Draft Notes", livespec.Removed),
		},
		Sources: []livespec.Citation{
			cite(1, "versions/3.0.0.md", "Callback Object", "t1", "2016-08-01 10:00:00", "2016-11-03 10:00:00", "A map of possible out-of band callbacks related to the parent operation."),
			cite(2, "versions/3.0.0.md", "Callback Object", "t3", "2017-07-26 10:00:00", "", "A map of possible out-of band callbacks related to the parent operation. Each value describes a request."),
		},
	}
	timeline.Changes[1].Summary = "+3 −1 lines"
	timeline.Changes[2].Summary = "reworded the first paragraph"
	long := &livespec.Evidence{
		Question: "How has the README changed over time?", Intent: livespec.IntentTimeline, Topic: "README",
	}
	for i := range 30 {
		kind := livespec.Modified
		if i == 0 {
			kind = livespec.Added
		}
		c := change(fmt.Sprintf("l%d", i), "2010-01-01 12:00:00", fmt.Sprintf("Update README (%d)", i+1), "README.md", "", kind)
		c.Date = livespec.Time{Time: c.Date.AddDate(0, 4*i, 0)}
		long.Changes = append(long.Changes, c)
	}
	windowed := &livespec.Evidence{
		Question: "What happened to the contributing guide during 2025?", Intent: livespec.IntentTimeline, Topic: "contributing guide",
		Window: windowOf("2025-01-01", "2026-01-01"),
		Changes: []livespec.AnswerChange{
			change("w1", "2025-02-03 10:00:00", "Add the 3.2 branch", "CONTRIBUTING.md", "Active branches", livespec.Modified),
			change("w2", "2025-06-11 10:00:00", "Require two TSC approvals", "CONTRIBUTING.md", "Reviewers", livespec.Modified),
		},
	}
	notes := &livespec.Evidence{
		Question: "What did the spec say the other day about retries?", Intent: livespec.IntentCurrent, Topic: "retries",
		Notes: []string{`could not understand the period "the other day"`, "Nothing in the specs matches the question."},
	}
	timelineNone := &livespec.Evidence{
		Question: "When was GraphQL support added?", Intent: livespec.IntentTimeline, Topic: "GraphQL support",
	}
	// A report with exact totals beyond its listed events and quotes of
	// what the notable changes did.
	quoted := &livespec.Evidence{
		Question: "What changed in the specs in Q1 2025?", Intent: livespec.IntentChanges, Window: windowOf("2025-01-01", "2025-04-01"),
		Changes: []livespec.AnswerChange{
			change("q1", "2025-02-20 10:00:00", "Publish schemas from main", "CONTRIBUTING.md", "", livespec.Modified),
			change("q1", "2025-02-20 10:00:00", "Publish schemas from main", "CONTRIBUTING.md", "Contributing > Publishing", livespec.Modified),
			change("q2", "2025-03-20 10:00:00", "Clean up schemas", "schemas/README.md", "", livespec.Removed),
			change("q2", "2025-03-20 10:00:00", "Clean up schemas", "schemas/README.md", "Schemas", livespec.Removed),
		},
		Totals: &livespec.ChangeTotals{Files: 23, Sections: 361, Commits: 20, Added: 200, Modified: 150, Removed: 11},
		Sources: []livespec.Citation{
			cite(1, "CONTRIBUTING.md", "Contributing > Publishing", "q1", "2025-02-20 10:00:00", "", "Schemas are published from the main branch by a workflow."),
		},
	}
	for i := range quoted.Changes {
		quoted.Changes[i].Level = livespec.LevelSection
		if quoted.Changes[i].Heading == "" {
			quoted.Changes[i].Level = livespec.LevelFile
		}
	}
	quoted.Quotes = []livespec.ChangeQuote{
		{Change: quoted.Changes[1], Now: "Schemas are published from the main branch by a workflow.", Before: "Schemas are published by hand from each release branch."},
		{Change: quoted.Changes[3], Before: "This directory holds the YAML sources of the schemas."},
	}
	quiet := &livespec.Evidence{
		Question: "What changed this month?", Intent: livespec.IntentChanges, Window: windowOf("2026-12-01", "2027-01-01"),
		Earlier: []livespec.AnswerChange{
			change("e1", "2026-11-21 10:00:00", "Weekly invoices", "specs/billing.md", "", livespec.Modified),
			change("e1", "2026-11-21 10:00:00", "Weekly invoices", "specs/billing.md", "Billing > Invoices", livespec.Modified),
			change("e2", "2026-11-21 15:00:00", "Late fees", "specs/billing.md", "Billing > Late fees", livespec.Added),
		},
	}
	// A history over two documents, one renamed, with editorial changes
	// folded into counts.
	evolved := &livespec.Evidence{
		Question: "How has the contributing guide evolved?", Intent: livespec.IntentTimeline, Topic: "contributing guide",
		Titles: []livespec.DocTitle{{Repo: "openapi", Path: "CONTRIBUTING.md", Title: "Contribute to the OpenAPI Specification"}},
		Sources: []livespec.Citation{
			cite(1, "CONTRIBUTING.md", "Contribute to the OpenAPI Specification", "g1", "2024-08-02 10:00:00", "",
				"(new spec section)\n\n| Branch | Role |\n|---|---|\n| main | releases |\n\nWe welcome new contributors to the project. Read on."),
		},
	}
	for _, e := range []struct {
		commit, date, msg, path, old, heading, edit string
		kind                                        livespec.ChangeKind
	}{
		{"g1", "2024-08-02 10:00:00", "Add a contributing guide", "CONTRIBUTING.md", "", "", "", livespec.Added},
		{"g2", "2024-09-01 10:00:00", "Fix a typo", "CONTRIBUTING.md", "", "", livespec.EditTypo, livespec.Modified},
		{"g3", "2024-10-01 10:00:00", "Require two approvals", "CONTRIBUTING.md", "", "", "", livespec.Modified},
		{"g4", "2024-11-01 10:00:00", "Reformat every file", "CONTRIBUTING.md", "", "", livespec.EditSweep, livespec.Modified},
		{"g5", "2024-12-01 10:00:00", "Fix links", "CONTRIBUTING.md", "", "", livespec.EditLinks, livespec.Modified},
		{"g6", "2025-01-01 10:00:00", "Move the style guide out", "docs/style.md", "STYLE.md", "", "", livespec.Renamed},
		{"g7", "2025-02-01 10:00:00", "Prefer sample over example", "docs/style.md", "", "Style > Wording", "", livespec.Modified},
		{"g8", "2025-03-01 10:00:00", "Wrap lines", "docs/style.md", "", "Style > Wording", livespec.EditWhitespace, livespec.Modified},
	} {
		c := change(e.commit, e.date, e.msg, e.path, e.heading, e.kind)
		c.OldPath, c.Editorial, c.Level = e.old, e.edit, livespec.LevelFile
		if e.heading != "" {
			c.Level = livespec.LevelSection
		}
		evolved.Changes = append(evolved.Changes, c)
	}
	evolved.Changes[0].Summary = "file added, 18 sections added"
	return map[string]*livespec.Evidence{
		"timeline_evolved": evolved,
		"changes_quoted":   quoted, "changes_quiet_period": quiet,
		"current": current, "as_of": asOf, "as_of_no_text_then": asOfLater, "changes": changes, "changes_empty": empty,
		"timeline": timeline, "timeline_long": long, "timeline_window": windowed, "notes_nothing_found": notes, "timeline_nothing_found": timelineNone,
	}
}

func TestExtractiveGolden(t *testing.T) {
	for name, ev := range evidence() {
		t.Run(name, func(t *testing.T) {
			got, err := retrieval.Extractive{}.Generate(context.Background(), ev, nil)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "extractive", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Generate differs from %s (run go test -update and review the diff):\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

var markerRe = regexp.MustCompile(`\[(\d+)\]`)

// TestExtractiveCitesOnlySources checks what a reader relies on: every
// [n] names an existing source, notes come first, and nothing is invented
// when there is no evidence.
func TestExtractiveCitesOnlySources(t *testing.T) {
	for name, ev := range evidence() {
		t.Run(name, func(t *testing.T) {
			got, err := retrieval.Extractive{}.Generate(context.Background(), ev, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range markerRe.FindAllStringSubmatch(got, -1) {
				n, _ := strconv.Atoi(m[1])
				if n < 1 || n > len(ev.Sources) {
					t.Errorf("marker [%d] but only %d sources", n, len(ev.Sources))
				}
			}
			if len(ev.Notes) > 0 && !strings.HasPrefix(strings.ToLower(got), strings.ToLower(ev.Notes[0])) {
				t.Errorf("answer does not start with the first note %q:\n%s", ev.Notes[0], got)
			}
			for _, n := range ev.Notes {
				if !strings.Contains(strings.ToLower(got), strings.ToLower(n)) {
					t.Errorf("note %q missing", n)
				}
			}
			if len(ev.Sources) == 0 && len(ev.Changes) == 0 && ev.Intent != livespec.IntentChanges &&
				!strings.Contains(got, "Nothing relevant was found") && !strings.Contains(got, "Nothing in the spec history mentions") {
				t.Errorf("no evidence, but the answer does not say nothing was found:\n%s", got)
			}
		})
	}
}

func TestExtractiveStatement(t *testing.T) {
	ev := evidence()["current"]
	got, err := retrieval.Extractive{}.Generate(context.Background(), ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(got, "\n")
	// The sentence that mentions the topic, not the first one of the excerpt.
	if !strings.Contains(first, "type mutualTLS requires the client to present a certificate") || !strings.HasSuffix(first, "[1]") {
		t.Errorf("statement = %q, want source 1's sentence about mutual TLS with [1]", first)
	}
	if !strings.Contains(got, "(superseded on 2021-02-15)") {
		t.Errorf("superseded source 2 not marked:\n%s", got)
	}

	asOf, err := retrieval.Extractive{}.Generate(context.Background(), evidence()["as_of"], nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(asOf, "As of 2024-06-01, **CONTRIBUTING.md › Reviewers** said: “Changes to the specification need approval from two TSC members.") {
		t.Errorf("as-of statement:\n%s", asOf)
	}
	// A source whose text came later is not presented as what the spec said then.
	later, err := retrieval.Extractive{}.Generate(context.Background(), evidence()["as_of_no_text_then"], nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(later, "As of") || !strings.Contains(later, "text from 2021-02-15") {
		t.Errorf("as-of statement from a later text:\n%s", later)
	}
}

// TestExtractiveExcerpts checks sentences glued by joined lines and the cap
// on listed excerpts.
func TestExtractiveExcerpts(t *testing.T) {
	ev := &livespec.Evidence{Question: "How many TSC approvals does a pull request that changes src/oas.md need?",
		Intent: livespec.IntentCurrent, Topic: "TSC approvals does a pull request that changes src/oas.md need"}
	ev.Sources = append(ev.Sources, cite(1, "CONTRIBUTING.md", "Reviewers", "r1", "2024-12-17 10:00:00", "",
		"… Reviews from other contributors are always welcome.Additionally, all pull requests that change the specification file `src/oas.md` must be approved by two TSC members.Reviews requesting changes should be addressed."))
	for i := 2; i <= 7; i++ {
		ev.Sources = append(ev.Sources, cite(i, fmt.Sprintf("doc%d.md", i), "", fmt.Sprintf("d%d", i), "2024-01-01 10:00:00", "", "Unrelated text."))
	}
	got, err := retrieval.Extractive{}.Generate(context.Background(), ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(got, "\n")
	if want := "According to **CONTRIBUTING.md › Reviewers**: “Additionally, all pull requests that change the specification file `src/oas.md` must be approved by two TSC members.” [1]"; first != want {
		t.Errorf("statement = %q\nwant        %q", first, want)
	}
	if !strings.Contains(got, "welcome. Additionally") {
		t.Errorf("glued sentences not separated in the excerpt list:\n%s", got)
	}
	if !strings.Contains(got, "[5]") || strings.Contains(got, "[6]") || !strings.HasSuffix(got, "- and 2 more sources") {
		t.Errorf("want 5 excerpts and a count of the rest:\n%s", got)
	}
}

// TestExtractiveQuoteCleanup checks that quotes read as text: no HTML
// anchors, no link targets, no list numbers, no bare headings.
func TestExtractiveQuoteCleanup(t *testing.T) {
	tests := []struct{ name, excerpt, text, want string }{
		{"anchor in a table row", `| <a name="tag-parent"></a>parent | ` + "`string`" + ` | The name of a tag that this tag is nested under. |`, "",
			"According to **spec.md › Tags**: “| parent | `string` | The name of a tag that this tag is nested under. |” [1]"},
		{"link", "Start a [GitHub Discussion](https://github.com/x/y/discussions/) about tag nesting.", "",
			"According to **spec.md › Tags**: “Start a GitHub Discussion about tag nesting.” [1]"},
		{"glued list number", "Use example, not sample.4. Use tag nesting with care.", "",
			"According to **spec.md › Tags**: “Use tag nesting with care.” [1]"},
		{"prose over a code fragment", "```yaml\ntags:\n  nested: true\n```\nnested tags:\nA tag can name its parent tag, so tags nest.", "",
			"According to **spec.md › Tags**: “A tag can name its parent tag, so tags nest.” [1]"},
		{"heading only", "# Tags", "# Tags",
			"The most relevant section is **spec.md › Tags** [1]."},
		{"excerpt empty, text has it", "", "# Tags\n\nTags can be nested.",
			"According to **spec.md › Tags**: “Tags can be nested.” [1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cite(1, "spec.md", "Tags", "x", "2024-01-01 00:00:00", "", tt.excerpt)
			c.Text = tt.text
			ev := &livespec.Evidence{Question: "Can tags be nested?", Topic: "tags nested", Intent: livespec.IntentCurrent, Sources: []livespec.Citation{c}}
			got, err := retrieval.Extractive{}.Generate(context.Background(), ev, nil)
			if err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(got, "\n"); first != tt.want {
				t.Errorf("statement = %q\nwant        %q", first, tt.want)
			}
		})
	}
}

func TestExtractiveChangeCounts(t *testing.T) {
	ev := &livespec.Evidence{
		Intent: livespec.IntentChanges, Window: windowOf("2025-09-01", "2025-10-01"),
		Changes: []livespec.AnswerChange{
			// One file-level event and its two section events: two changes, not three.
			change("c1", "2025-09-02 10:00:00", "Edit auth", "auth.md", "", livespec.Modified),
			change("c1", "2025-09-02 10:00:00", "Edit auth", "auth.md", "Tokens", livespec.Modified),
			change("c1", "2025-09-02 10:00:00", "Edit auth", "auth.md", "Scopes", livespec.Added),
			change("c2", "2025-09-03 10:00:00", "Split auth", "auth.md", "", livespec.Modified),
			change("c2", "2025-09-03 10:00:00", "Split auth", "auth.md", "Legacy", livespec.Removed),
			// A renamed file with no section change counts once.
			change("c2", "2025-09-03 10:00:00", "Split auth", "login.md", "", livespec.Renamed),
			// The file event and the change to the text before its first
			// heading look alike; a file with only those counts one change.
			change("c3", "2025-09-04 10:00:00", "Fix the intro", "README.md", "", livespec.Modified),
			change("c3", "2025-09-04 10:00:00", "Fix the intro", "README.md", "", livespec.Modified),
			// A whitespace-only edit of a file with section changes: its
			// commit counts, though the edit adds no section change.
			change("c4", "2025-09-05 10:00:00", "Reflow", "auth.md", "", livespec.Modified),
		},
	}
	got, err := retrieval.Extractive{}.Generate(context.Background(), ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "**5 changes to 3 files in 4 commits between 2025-09-01 and 2025-09-30:** 1 added, 2 modified, 1 removed, 1 renamed."
	if first, _, _ := strings.Cut(got, "\n"); first != want {
		t.Errorf("headline = %q\nwant       %q", first, want)
	}
	if i, j := strings.Index(got, "auth.md"), strings.Index(got, "login.md"); i < 0 || j < 0 || i > j {
		t.Errorf("the most-changed file should come first:\n%s", got)
	}
	if !strings.Contains(got, "- **README.md** — 1 change\n") || strings.Count(got, "modified the file") != 1 {
		t.Errorf("README.md should show one modification:\n%s", got)
	}
	if !strings.Contains(got, "“Edit auth” — added *Scopes*; modified *Tokens*") {
		t.Errorf("commit line does not group its sections by kind:\n%s", got)
	}

	ev.Changes = nil
	got, err = retrieval.Extractive{}.Generate(context.Background(), ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != "No spec changes between 2025-09-01 and 2025-09-30." {
		t.Errorf("empty window = %q", got)
	}
}

func TestExtractiveStream(t *testing.T) {
	for name, ev := range evidence() {
		t.Run(name, func(t *testing.T) {
			var chunks []string
			got, err := retrieval.Extractive{}.Generate(context.Background(), ev, func(s string) error {
				chunks = append(chunks, s)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(chunks, "") != got {
				t.Errorf("streamed text differs from the returned text")
			}
			if strings.Count(got, "\n") > 0 && len(chunks) < 2 {
				t.Errorf("a %d-line answer came in %d chunk(s)", strings.Count(got, "\n")+1, len(chunks))
			}
		})
	}
	stop := errors.New("client went away")
	calls := 0
	_, err := retrieval.Extractive{}.Generate(context.Background(), evidence()["changes"], func(string) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Errorf("after onToken failed: err = %v, calls = %d; want the onToken error after 2 calls", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (retrieval.Extractive{}).Generate(ctx, evidence()["changes"], nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
	unnumbered := &livespec.Evidence{Question: "Can tags nest?", Intent: livespec.IntentCurrent,
		Sources: []livespec.Citation{{Path: "a.md", Excerpt: "Tags can nest."}, {Path: "b.md", Excerpt: "Tags have names."}}}
	if got, _ := (retrieval.Extractive{}).Generate(context.Background(), unnumbered, nil); !strings.Contains(got, "[1]") || !strings.Contains(got, "[2]") || strings.Contains(got, "[0]") {
		t.Errorf("unnumbered sources:\n%s", got)
	}
	if _, err := (retrieval.Extractive{}).Generate(context.Background(), nil, nil); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("nil evidence: err = %v, want EINVALID", err)
	}
}

func TestExtractiveDeterministic(t *testing.T) {
	for name, ev := range evidence() {
		a, _ := retrieval.Extractive{}.Generate(context.Background(), ev, nil)
		for range 5 {
			if b, _ := (retrieval.Extractive{}).Generate(context.Background(), ev, nil); a != b {
				t.Fatalf("%s: output differs between runs", name)
			}
		}
	}
	if n := (retrieval.Extractive{}).Name(); n != "extractive" {
		t.Errorf("Name() = %q", n)
	}
}

func ExampleExtractive() {
	ev := &livespec.Evidence{
		Question: "When was the Callback Object first described?",
		Intent:   livespec.IntentTimeline,
		Topic:    "Callback Object",
		Changes: []livespec.AnswerChange{{
			Commit: "3b1f0e2c9d4a", Date: livespec.Time{Time: time.Date(2016, 8, 1, 10, 0, 0, 0, time.UTC)},
			Message: "Add callbacks", Path: "versions/3.0.0.md", Heading: "Callback Object", Kind: livespec.Added,
		}},
		Sources: []livespec.Citation{{
			N: 1, Path: "versions/3.0.0.md", Heading: "Callback Object", Commit: "3b1f0e2c9d4a", Current: true,
			Excerpt: "A map of possible out-of band callbacks related to the parent operation.",
		}},
	}
	text, err := retrieval.Extractive{}.Generate(context.Background(), ev, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	// Output:
	// “Callback Object” first appeared on 2016-08-01 in **versions/3.0.0.md › Callback Object** [1] (commit 3b1f0e2): “A map of possible out-of band callbacks related to the parent operation.”
	//
	// - 2016-08-01 · added *Callback Object* — “Add callbacks” (3b1f0e2) [1]
	//
	// It is still in the current spec: **versions/3.0.0.md › Callback Object** [1].
}

func BenchmarkExtractiveChanges(b *testing.B) {
	ev := evidence()["changes"]
	for b.Loop() {
		if _, err := (retrieval.Extractive{}).Generate(context.Background(), ev, nil); err != nil {
			b.Fatal(err)
		}
	}
}
