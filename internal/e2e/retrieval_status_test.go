package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// factLine renders a fact of an answer: path field=value since DAY prev=P.
func factLine(f livespec.AnswerFact) string {
	return fmt.Sprintf("%s %s=%s since %s prev=%s", f.Path, f.Field, f.Value, f.Since.Date.UTC().Format("2006-01-02"), f.Previous)
}

// checkStatus asks q and checks that the answer is a status answer whose
// facts are want (in any order), each with a title and a commit, and that
// every listed document is cited.
func checkStatus(t *testing.T, a *retrieval.Assistant, q string, now time.Time, want ...string) *livespec.Answer {
	t.Helper()
	ans := ask(t, a, q, now)
	if ans.Intent != livespec.IntentStatus {
		t.Fatalf("%q: intent %s, want status; answer:\n%s", q, ans.Intent, ans.Answer)
	}
	var got []string
	for _, f := range ans.Facts {
		got = append(got, factLine(f))
		if f.Title == "" || len(f.Since.Commit) != 40 {
			t.Errorf("%q: fact %s has title %q, commit %q", q, f.Path, f.Title, f.Since.Commit)
		}
		if !slices.ContainsFunc(ans.Citations, func(c livespec.Citation) bool { return c.Path == f.Path }) {
			t.Errorf("%q: %s is not cited (citations %v)", q, f.Path, ans.Citations)
		}
		if !strings.Contains(ans.Answer, f.Title) {
			t.Errorf("%q: the answer does not name %q:\n%s", q, f.Title, ans.Answer)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%q: facts\n  %s\nwant\n  %s\nanswer:\n%s", q, strings.Join(got, "\n  "), strings.Join(want, "\n  "), ans.Answer)
	}
	return ans
}

func statusAssistant(t *testing.T, r *gittest.Repo) *retrieval.Assistant {
	return &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
}

// TestStatusFrontMatter: RFCs with their status in YAML front matter.
func TestStatusFrontMatter(t *testing.T) {
	rfc := func(title, status string) string {
		return "---\nstatus: " + status + "\n---\n# " + title + "\n\nThe proposal text about " + strings.ToLower(title) + ".\n"
	}
	r := gittest.New(t, day("2023-03-01T10:00:00Z"))
	r.Do(
		gittest.Step{Date: "2023-03-01T10:00:00Z", Msg: "tokens", Write: map[string]string{"rfcs/0001-tokens.md": rfc("Token refresh", "under review")}},
		gittest.Step{Date: "2023-06-01T10:00:00Z", Msg: "billing", Write: map[string]string{"rfcs/0002-billing.md": rfc("Weekly billing", "under review")}},
		gittest.Step{Date: "2024-01-05T10:00:00Z", Msg: "sso", Write: map[string]string{"rfcs/0003-sso.md": rfc("Single sign-on", "draft")}},
		gittest.Step{Date: "2024-04-20T10:00:00Z", Msg: "no billing", Write: map[string]string{"rfcs/0002-billing.md": rfc("Weekly billing", "rejected")}},
		gittest.Step{Date: "2024-05-10T10:00:00Z", Msg: "accept tokens", Write: map[string]string{"rfcs/0001-tokens.md": rfc("Token refresh", "accepted")}},
		gittest.Step{Date: "2024-08-01T10:00:00Z", Msg: "accept sso", Write: map[string]string{"rfcs/0003-sso.md": rfc("Single sign-on", "accepted")}},
		gittest.Step{Date: "2025-02-01T10:00:00Z", Msg: "ship tokens", Write: map[string]string{"rfcs/0001-tokens.md": rfc("Token refresh", "Implemented in 2.3")}},
	)
	a := statusAssistant(t, r)
	now := day("2025-03-01T00:00:00Z")
	checkStatus(t, a, "Which proposals were accepted in Q2 2024?", now,
		"rfcs/0001-tokens.md status=accepted since 2024-05-10 prev=under review")
	checkStatus(t, a, "As of 2023, which proposals were under review?", now,
		"rfcs/0001-tokens.md status=under review since 2023-03-01 prev=",
		"rfcs/0002-billing.md status=under review since 2023-06-01 prev=")
	ans := checkStatus(t, a, "What shipped in 2.3?", now,
		"rfcs/0001-tokens.md status=Implemented in 2.3 since 2025-02-01 prev=accepted")
	if !strings.HasPrefix(ans.Answer, "1 document") {
		t.Errorf("the answer does not count first:\n%s", ans.Answer)
	}
	checkStatus(t, a, "What is the status of the single sign-on RFC?", now,
		"rfcs/0003-sso.md status=accepted since 2024-08-01 prev=draft")
}

// TestStatusSidecar: KEPs with stage and status in kep.yaml beside
// README.md, which the include globs do not match.
func TestStatusSidecar(t *testing.T) {
	kep := func(status, stage string) string {
		return "title: x\nstatus: " + status + "\nstage: " + stage + "\n"
	}
	r := gittest.New(t, day("2024-01-10T10:00:00Z"))
	r.Do(
		gittest.Step{Date: "2024-01-10T10:00:00Z", Msg: "kep 1234", Write: map[string]string{
			"keps/sig-a/1234-fast-path/README.md": "# KEP-1234: Fast path\n\nMake the path fast.\n",
			"keps/sig-a/1234-fast-path/kep.yaml":  kep("provisional", "alpha"),
			"keps/sig-b/2000-slow-path/README.md": "# KEP-2000: Slow path\n\nMake the path slow.\n",
			"keps/sig-b/2000-slow-path/kep.yaml":  kep("implementable", "alpha"),
		}},
		gittest.Step{Date: "2024-09-02T10:00:00Z", Msg: "1234 beta", Write: map[string]string{"keps/sig-a/1234-fast-path/kep.yaml": kep("implementable", "beta")}},
		gittest.Step{Date: "2025-04-15T10:00:00Z", Msg: "1234 ga", Write: map[string]string{"keps/sig-a/1234-fast-path/kep.yaml": kep("implemented", "stable")}},
	)
	a := statusAssistant(t, r)
	now := day("2025-05-01T00:00:00Z")
	checkStatus(t, a, "What is the status of KEP-1234 and when did it reach beta?", now,
		"keps/sig-a/1234-fast-path/README.md status=implemented since 2025-04-15 prev=implementable",
		"keps/sig-a/1234-fast-path/README.md stage=beta since 2024-09-02 prev=alpha")
	checkStatus(t, a, "Which KEPs are still alpha?", now,
		"keps/sig-b/2000-slow-path/README.md stage=alpha since 2024-01-10 prev=")
	// "GA" is no value of this index: it stands for stable.
	checkStatus(t, a, "What went GA this quarter?", now,
		"keps/sig-a/1234-fast-path/README.md stage=stable since 2025-04-15 prev=beta")
	checkStatus(t, a, "what went stable this quarter?", now,
		"keps/sig-a/1234-fast-path/README.md stage=stable since 2025-04-15 prev=beta")
}

// TestStatusHeaderLists: header lists in several styles.
func TestStatusHeaderLists(t *testing.T) {
	r := gittest.New(t, day("2024-02-01T10:00:00Z"))
	r.Do(
		gittest.Step{Date: "2024-02-01T10:00:00Z", Msg: "add", Write: map[string]string{
			"docs/streams.md": "# Streams\n\n* Status: **In progress**\n* Owner: Ann\n\nStreams of events.\n",
			"docs/retries.md": "Status: Proposed\n\n# Retries\n\nRetries with backoff.\n",
			"docs/queues.md":  "# Queues\n\n| Field | Value |\n|---|---|\n| Status | Proposed |\n\nQueues of work.\n",
		}},
		gittest.Step{Date: "2024-06-03T10:00:00Z", Msg: "progress", Write: map[string]string{
			"docs/streams.md": "# Streams\n\n* Status: **Implemented (v2.3)**\n* Owner: Ann\n\nStreams of events.\n",
			"docs/retries.md": "Status: Accepted\n\n# Retries\n\nRetries with backoff.\n",
		}},
		gittest.Step{Date: "2024-07-01T10:00:00Z", Msg: "rename", Move: [][2]string{{"docs/retries.md", "docs/0007-retries.md"}}},
		gittest.Step{Date: "2024-07-02T10:00:00Z", Msg: "queues", Write: map[string]string{
			"docs/queues.md": "# Queues\n\n| Field | Value |\n|---|---|\n| Status | **Stable** in 2.4 |\n\nQueues of work.\n",
		}},
	)
	a := statusAssistant(t, r)
	now := day("2024-08-01T00:00:00Z")
	checkStatus(t, a, "What shipped in 2.3?", now,
		"docs/streams.md status=Implemented (v2.3) since 2024-06-03 prev=In progress")
	checkStatus(t, a, "Which proposals were accepted in 2024?", now,
		"docs/retries.md status=Accepted since 2024-06-03 prev=Proposed")
	// The rename keeps the date the value was set.
	checkStatus(t, a, "What is the status of the retries proposal?", now,
		"docs/0007-retries.md status=Accepted since 2024-06-03 prev=Proposed")
	checkStatus(t, a, "Which documents are stable now?", now,
		"docs/queues.md status=Stable in 2.4 since 2024-07-02 prev=Proposed")

	for _, q := range []string{"what changed this quarter?", "how do retries work?", "when were streams first described?"} {
		if ans := ask(t, a, q, now); ans.Intent == livespec.IntentStatus || len(ans.Facts) != 0 {
			t.Errorf("%q: read as a status question (%d facts)", q, len(ans.Facts))
		}
	}
}

// TestStatusAfterIngest: the fields and values status questions are read
// against, and the documents holding them, are kept between questions,
// and a new ingest brings the new ones: a status first written after the
// first question is found, and so is a document first written then.
func TestStatusAfterIngest(t *testing.T) {
	rfc := func(title, status string) string {
		return "---\nstatus: " + status + "\n---\n# " + title + "\n\nThe proposal text about " + strings.ToLower(title) + ".\n"
	}
	r := gittest.New(t, day("2024-03-01T10:00:00Z"))
	r.Do(gittest.Step{Date: "2024-03-01T10:00:00Z", Msg: "tokens", Write: map[string]string{"rfcs/0001-tokens.md": rfc("Token refresh", "draft")}})
	st := openIndex(t, r.Dir, nil)
	a := &retrieval.Assistant{Store: st, AnswerCache: -1}
	now := day("2024-12-01T00:00:00Z")
	checkStatus(t, a, "Which proposals are drafts?", now, "rfcs/0001-tokens.md status=draft since 2024-03-01 prev=")
	checkStatus(t, a, "What is the status of the token refresh RFC?", now, "rfcs/0001-tokens.md status=draft since 2024-03-01 prev=")
	r.Do(gittest.Step{Date: "2024-06-01T10:00:00Z", Msg: "withdraw tokens, propose sso", Write: map[string]string{
		"rfcs/0001-tokens.md": rfc("Token refresh", "withdrawn"), "rfcs/0002-sso.md": rfc("Single sign-on", "draft")}})
	if _, err := ingest.Run(context.Background(), st, ingest.Options{Repo: "demo", Dir: r.Dir}); err != nil {
		t.Fatal(err)
	}
	checkStatus(t, a, "Which proposals were withdrawn?", now, "rfcs/0001-tokens.md status=withdrawn since 2024-06-01 prev=draft")
	checkStatus(t, a, "What is the status of the token refresh RFC?", now, "rfcs/0001-tokens.md status=withdrawn since 2024-06-01 prev=draft")
	checkStatus(t, a, "What is the status of the single sign-on RFC?", now, "rfcs/0002-sso.md status=draft since 2024-06-01 prev=")
}
