package retrieval_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

func TestUnderstand(t *testing.T) {
	type want struct {
		intent   livespec.Intent
		window   *livespec.Window
		asOf     string // RFC 3339, "" for zero
		topic    string
		period   string
		problems []string
	}
	w := func(from, to string) *livespec.Window { x := win(from, to); return &x }
	tests := []struct {
		name, q string
		want    want
	}{
		// current
		{"current question", "Does checkout support coupons?",
			want{intent: livespec.IntentCurrent, topic: "checkout support coupons"}},
		{"current with how many", "How many TSC approvals does a pull request need?",
			want{intent: livespec.IntentCurrent, topic: "TSC approvals does a pull request need"}},
		{"present-tense when is current", "When do the weekly community calls take place?",
			want{intent: livespec.IntentCurrent, topic: "weekly community calls take place"}},
		{"may is a verb", "May a pull request change two files at once?",
			want{intent: livespec.IntentCurrent, topic: "pull request change two files at once"}},
		{"lower-case may is a verb", "Which reviewers may approve a change in June?",
			want{intent: livespec.IntentAsOf, asOf: "2025-06-30T23:59:59Z", topic: "reviewers may approve a change", period: "June"}},
		{"version numbers are not dates", "Does JSON Schema draft 2020-12 allow $dynamicRef in OpenAPI 3.1?",
			want{intent: livespec.IntentCurrent, topic: "JSON Schema draft 2020-12 allow $dynamicRef in OpenAPI 3.1"}},
		{"running period stays current", "Who are the TSC members this year?",
			want{intent: livespec.IntentCurrent, topic: "TSC members", period: ""}},

		// as_of
		{"as of a day", "As of June 1, 2024, what approval did a specification change need?",
			want{intent: livespec.IntentAsOf, asOf: "2024-06-01T23:59:59Z", topic: "approval did a specification change need", period: "As of June 1, 2024"}},
		{"as of the end of a month", "As of the end of June 2025, which version was in development?",
			want{intent: livespec.IntentAsOf, asOf: "2025-06-30T23:59:59Z", topic: "version was in development", period: "As of the end of June 2025"}},
		{"as of a month", "As of December 2022, which testing tools were listed?",
			want{intent: livespec.IntentAsOf, asOf: "2022-12-31T23:59:59Z", topic: "testing tools were listed", period: "As of December 2022"}},
		{"as of wins over when did", "As of January 1, 2021, through when did the board members serve?",
			want{intent: livespec.IntentAsOf, asOf: "2021-01-01T23:59:59Z", topic: "board members serve", period: "As of January 1, 2021"}},
		{"on a day", "What did the auth spec require on 2024-06-01?",
			want{intent: livespec.IntentAsOf, asOf: "2024-06-01T23:59:59Z", topic: "auth spec", period: "2024-06-01"}},
		{"on June 1", "What was the token lifetime on June 1?",
			want{intent: livespec.IntentAsOf, asOf: "2025-06-01T23:59:59Z", topic: "token lifetime", period: "June 1"}},
		{"what did X say in a year", "What did the README say about versions in 2023?",
			want{intent: livespec.IntentAsOf, asOf: "2023-12-31T23:59:59Z", topic: "README versions", period: "2023"}},
		{"what did the docs say about", "What did the docs say about webhooks in March 2023?",
			want{intent: livespec.IntentAsOf, asOf: "2023-03-31T23:59:59Z", topic: "webhooks", period: "March 2023"}},
		{"at the start of", "what was the retry policy at the start of 2023",
			want{intent: livespec.IntentAsOf, asOf: "2023-01-01T23:59:59Z", topic: "retry policy", period: "at the start of 2023"}},
		{"as of today", "Is SSO required for enterprise plans as of today?",
			want{intent: livespec.IntentAsOf, asOf: "2025-11-19T23:59:59Z", topic: "SSO required for enterprise plans", period: "as of today"}},
		{"back in", "How were refunds handled back in March 2024?",
			want{intent: livespec.IntentAsOf, asOf: "2024-03-31T23:59:59Z", topic: "refunds handled", period: "back in March 2024"}},
		{"at the end of a year", "Who maintained the spec at the end of 2023?",
			want{intent: livespec.IntentAsOf, asOf: "2023-12-31T23:59:59Z", topic: "maintained the spec", period: "at the end of 2023"}},
		{"yesterday", "What did the login flow look like yesterday?",
			want{intent: livespec.IntentAsOf, asOf: "2025-11-18T23:59:59Z", topic: "login flow", period: "yesterday"}},

		// changes
		{"changes this quarter", "what changed in authentication this quarter",
			want{intent: livespec.IntentChanges, window: w("2025-10-01", "2026-01-01"), topic: "authentication", period: "this quarter"}},
		{"changes in the specs", "What changed in the specs in September 2025?",
			want{intent: livespec.IntentChanges, window: w("2025-09-01", "2025-10-01"), period: "September 2025"}},
		{"changes between days", "What changed in the specs between October 1 and December 31, 2024?",
			want{intent: livespec.IntentChanges, window: w("2024-10-01", "2025-01-01"), period: "between October 1 and December 31, 2024"}},
		{"changes in a half", "What changed in the specs in the second half of 2017?",
			want{intent: livespec.IntentChanges, window: w("2017-07-01", "2018-01-01"), period: "the second half of 2017"}},
		{"what's new", "What's new in payments since March?",
			want{intent: livespec.IntentChanges, window: w("2025-03-01", "2025-11-20"), topic: "payments", period: "since March"}},
		{"what was added", "What was added to the API spec last month?",
			want{intent: livespec.IntentChanges, window: w("2025-10-01", "2025-11-01"), topic: "API spec", period: "last month"}},
		{"what was removed", "what was removed last week?",
			want{intent: livespec.IntentChanges, window: w("2025-11-10", "2025-11-17"), period: "last week"}},
		{"changelog", "Changelog for Q3 2025",
			want{intent: livespec.IntentChanges, window: w("2025-07-01", "2025-10-01"), period: "Q3 2025"}},
		{"release notes", "release notes for the last 30 days",
			want{intent: livespec.IntentChanges, window: w("2025-10-21", "2025-11-20"), period: "the last 30 days"}},
		{"changes without a period", "What changed in the billing spec?",
			want{intent: livespec.IntentChanges, topic: "billing spec"}},
		{"window with state wording", "Which sections mention webhooks since 2025-04-01?",
			want{intent: livespec.IntentChanges, window: w("2025-04-01", "2025-11-20"), topic: "sections mention webhooks", period: "since 2025-04-01"}},
		{"next-to-last quarter", "What was updated in the next-to-last quarter?",
			want{intent: livespec.IntentChanges, window: w("2025-04-01", "2025-07-01"), period: "the next-to-last quarter"}},
		{"ISO range", "changes 2024-01-01..2024-03-31",
			want{intent: livespec.IntentChanges, window: w("2024-01-01", "2024-04-01"), period: "2024-01-01..2024-03-31"}},

		{"past month with what's changed", "what's changed in the checkout flow over the past month?",
			want{intent: livespec.IntentChanges, window: w("2025-10-20", "2025-11-20"), topic: "checkout flow", period: "the past month"}},
		{"abbreviated months range", "show me changes to the auth spec from Jan 1 to Mar 31 2025",
			want{intent: livespec.IntentChanges, window: w("2025-01-01", "2025-04-01"), topic: "auth spec", period: "from Jan 1 to Mar 31 2025"}},
		{"any updates", "Any updates to rate limits in the last 2 weeks?",
			want{intent: livespec.IntentChanges, window: w("2025-11-06", "2025-11-20"), topic: "rate limits", period: "the last 2 weeks"}},
		{"before a year", "What changed before 2020?",
			want{intent: livespec.IntentChanges, window: w("", "2020-01-01"), period: "before 2020"}},
		{"changes on a day", "what changed on 2024-06-01",
			want{intent: livespec.IntentChanges, window: w("2024-06-01", "2024-06-02"), period: "2024-06-01"}},
		{"did anything change", "Did anything change in the data retention policy last month?",
			want{intent: livespec.IntentChanges, window: w("2025-10-01", "2025-11-01"), topic: "data retention policy", period: "last month"}},

		{"event verb with a period", "Which KEPs graduated to stable in Q2 2023?",
			want{intent: livespec.IntentChanges, window: w("2023-04-01", "2023-07-01"), topic: "KEPs graduated to stable", period: "Q2 2023"}},
		{"event verb this year", "Which RFCs were accepted this year?",
			want{intent: livespec.IntentChanges, window: w("2025-01-01", "2026-01-01"), topic: "RFCs were accepted", period: "this year"}},
		{"what did we ship", "What did we ship in Q3?",
			want{intent: livespec.IntentChanges, window: w("2025-07-01", "2025-10-01"), period: "Q3"}},
		{"state in a past year is as of", "Who were the TSC members in 2023?",
			want{intent: livespec.IntentAsOf, asOf: "2023-12-31T23:59:59Z", topic: "TSC members", period: "2023"}},
		{"said in the running year is as of today", "What did the spec say about refunds in 2025?",
			want{intent: livespec.IntentAsOf, asOf: "2025-11-19T23:59:59Z", topic: "refunds", period: "2025"}},
		{"said in the running quarter is as of today", "What did the spec say about refunds this quarter?",
			want{intent: livespec.IntentAsOf, asOf: "2025-11-19T23:59:59Z", topic: "refunds", period: "this quarter"}},
		{"a day after today is as of today, said", "What did the spec say about refunds as of June 1, 2030?",
			want{intent: livespec.IntentAsOf, asOf: "2025-11-19T23:59:59Z", topic: "refunds", period: "as of June 1, 2030",
				problems: []string{`read "as of June 1, 2030" as of today, 2025-11-19: the date is after the newest history`}}},
		{"tomorrow is after today", "What did the spec say about refunds on 2025-11-20?",
			want{intent: livespec.IntentAsOf, asOf: "2025-11-19T23:59:59Z", topic: "refunds", period: "2025-11-20",
				problems: []string{`read "2025-11-20" as of today, 2025-11-19: the date is after the newest history`}}},
		{"said in a past month is as of its end", "What did the spec say about refunds in March 2025?",
			want{intent: livespec.IntentAsOf, asOf: "2025-03-31T23:59:59Z", topic: "refunds", period: "March 2025"}},
		{"a bare symbol is a term", "When was the ? operator introduced?",
			want{intent: livespec.IntentTimeline, topic: "`?` operator"}},
		{"a bare symbol in a current question", "What does the ~ mean in a version constraint?",
			want{intent: livespec.IntentCurrent, topic: "`~` mean in a version constraint"}},
		{"an ordinal week of a month", "What changed in the first week of May 2025?",
			want{intent: livespec.IntentChanges, window: w("2025-05-01", "2025-05-08"), period: "the first week of May 2025"}},
		{"the last week of a month", "what was added in the last week of February 2024?",
			want{intent: livespec.IntentChanges, window: w("2024-02-23", "2024-03-01"), period: "the last week of February 2024"}},
		{"a year in a file name is no period", "What changed in 2094-nll.md?",
			want{intent: livespec.IntentChanges, topic: "2094-nll.md"}},
		{"a number after an identifier prefix is no period", "How has KEP-2021 changed since 2023?",
			want{intent: livespec.IntentTimeline, window: w("2023-01-01", "2025-11-20"), topic: "KEP-2021", period: "since 2023"}},
		{"a year glued to a quarter stays a period", "What changed in 2024-Q3?",
			want{intent: livespec.IntentChanges, window: w("2024-07-01", "2024-10-01"), period: "2024-Q3"}},
		{"version ranges are not dates", "Does the 3.0-3.1 migration guide cover webhooks?",
			want{intent: livespec.IntentCurrent, topic: "3.0-3.1 migration guide cover webhooks"}},

		{"rough period", "What changed in late 2023?",
			want{intent: livespec.IntentChanges, window: w("2023-01-01", "2024-01-01"), period: "late 2023",
				problems: []string{`read "late 2023" as 2023-01-01 to 2023-12-31`}}},
		{"rough month", "what was added in early March 2024",
			want{intent: livespec.IntentChanges, window: w("2024-03-01", "2024-04-01"), period: "early March 2024",
				problems: []string{`read "early March 2024" as 2024-03-01 to 2024-03-31`}}},

		{"updates in the past quarter", "what were the main spec updates in the past quarter",
			want{intent: livespec.IntentChanges, window: w("2025-08-20", "2025-11-20"), period: "the past quarter"}},
		{"year range", "What changed in 2015-2016?",
			want{intent: livespec.IntentChanges, window: w("2015-01-01", "2017-01-01"), period: "2015-2016"}},
		{"week of", "what changed the week of March 3, 2025",
			want{intent: livespec.IntentChanges, window: w("2025-03-03", "2025-03-10"), period: "the week of March 3, 2025"}},

		// timeline
		{"when did we drop", "When did we drop support for API keys?",
			want{intent: livespec.IntentTimeline, topic: "support for API keys"}},
		{"when did the spec start", "When did the spec start requiring 2FA?",
			want{intent: livespec.IntentTimeline, topic: "2FA"}},
		{"timeline of", "Timeline of the webhooks spec",
			want{intent: livespec.IntentTimeline, topic: "webhooks spec"}},
		{"when was X introduced", "When was the Callback Object first described in the specs?",
			want{intent: livespec.IntentTimeline, topic: "Callback Object"}},
		{"when did the spec first", "When did the spec first describe mutual TLS as a security scheme type?",
			want{intent: livespec.IntentTimeline, topic: "mutual TLS as a security scheme type"}},
		{"when was X removed", "When was the legacy token endpoint removed?",
			want{intent: livespec.IntentTimeline, topic: "legacy token endpoint"}},
		{"when did X first appear in the docs", "When did `~int`-style constraints first appear in the design docs?",
			want{intent: livespec.IntentTimeline, topic: "`~int`-style constraints"}},
		{"when did X show up for Y", "When did retries first show up for webhooks?",
			want{intent: livespec.IntentTimeline, topic: "retries for webhooks"}},
		{"when did X start", "When did the contribution rules start requiring two approvals?",
			want{intent: livespec.IntentTimeline, topic: "contribution rules requiring two approvals"}},
		{"how has X evolved", "How has the TSC governance document changed over time?",
			want{intent: livespec.IntentTimeline, topic: "TSC governance document"}},
		{"history of X", "Show me the history of rate limiting",
			want{intent: livespec.IntentTimeline, topic: "rate limiting"}},
		{"what happened to X during", "What happened to the contributing guide during 2025?",
			want{intent: livespec.IntentTimeline, window: w("2025-01-01", "2026-01-01"), topic: "contributing guide", period: "2025"}},
		{"what happened over the last years", "What happened to the repository README over the last two years?",
			want{intent: livespec.IntentTimeline, window: w("2023-11-20", "2025-11-20"), topic: "repository README", period: "the last two years"}},
		{"since it was created", "How has the security considerations document evolved since it was created?",
			want{intent: livespec.IntentTimeline, topic: "security considerations document", period: "since it was created"}},

		// problems
		{"vague period", "What changed the other day?",
			want{intent: livespec.IntentChanges, problems: []string{`could not understand the period "the other day"`}}},
		{"launch as period", "changes since v2 launch",
			want{intent: livespec.IntentChanges, problems: []string{`could not understand the period "since v2 launch"`}}},
		{"event as period", "what changed since the big refactor",
			want{intent: livespec.IntentChanges, problems: []string{`could not understand the period "since the big refactor"`}}},
		{"versions are not a period", "What changed between 3.0 and 3.1?",
			want{intent: livespec.IntentChanges, problems: []string{`could not understand the period "between 3.0 and 3.1"`}}},
		{"impossible date", "What did the spec say on 2024-02-30?",
			want{intent: livespec.IntentCurrent, problems: []string{`could not understand the period "on 2024-02-30"`}}},
		{"as of something", "As of the last release, what was the default timeout?",
			want{intent: livespec.IntentCurrent, topic: "default timeout", problems: []string{`could not understand the period "As of the last release"`}}},
		{"a few days is a duration, not a period", "Do tokens expire after a few days?",
			want{intent: livespec.IntentCurrent, topic: "tokens expire after a few days"}},
		{"the past few weeks is vague", "What changed over the past few weeks?",
			want{intent: livespec.IntentChanges, problems: []string{`could not understand the period "over the past few weeks"`}}},
		{"from is not a period", "What was removed from the API?",
			want{intent: livespec.IntentChanges, topic: "API"}},
		{"causal since is not a period", "Since the schema is nullable, is null a valid value?",
			want{intent: livespec.IntentCurrent, topic: "schema is nullable, is null a valid value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := retrieval.Understand(tt.q, now)
			if u.Intent != tt.want.intent {
				t.Errorf("Intent = %q, want %q", u.Intent, tt.want.intent)
			}
			switch {
			case tt.want.window == nil && u.Window != nil:
				t.Errorf("Window = %s, want nil", fmtWindow(*u.Window))
			case tt.want.window != nil && u.Window == nil:
				t.Errorf("Window = nil, want %s", fmtWindow(*tt.want.window))
			case tt.want.window != nil && (!u.Window.From.Equal(tt.want.window.From) || !u.Window.To.Equal(tt.want.window.To)):
				t.Errorf("Window = %s, want %s", fmtWindow(*u.Window), fmtWindow(*tt.want.window))
			}
			gotAsOf := ""
			if !u.AsOf.IsZero() {
				gotAsOf = u.AsOf.Format(time.RFC3339)
			}
			if gotAsOf != tt.want.asOf {
				t.Errorf("AsOf = %q, want %q", gotAsOf, tt.want.asOf)
			}
			if u.Topic != tt.want.topic {
				t.Errorf("Topic = %q, want %q", u.Topic, tt.want.topic)
			}
			if u.Period != tt.want.period {
				t.Errorf("Period = %q, want %q", u.Period, tt.want.period)
			}
			if !slices.Equal(u.Problems, tt.want.problems) {
				t.Errorf("Problems = %q, want %q", u.Problems, tt.want.problems)
			}
		})
	}
}

// TestUnderstandClock checks that periods follow the injected clock, not
// the machine's.
func TestUnderstandClock(t *testing.T) {
	q := "What changed last quarter?"
	a := retrieval.Understand(q, time.Date(2024, 5, 5, 0, 0, 0, 0, time.UTC))
	b := retrieval.Understand(q, time.Date(2024, 8, 5, 0, 0, 0, 0, time.UTC))
	if a.Window == nil || b.Window == nil {
		t.Fatalf("no window: %+v %+v", a, b)
	}
	if !a.Window.From.Equal(d("2024-01-01")) || !b.Window.From.Equal(d("2024-04-01")) {
		t.Errorf("last quarter from 2024-05-05 = %s, from 2024-08-05 = %s", fmtWindow(*a.Window), fmtWindow(*b.Window))
	}
	// A clock in another zone is read in UTC.
	east := time.FixedZone("UTC+10", 10*3600)
	c := retrieval.Understand("what changed today", time.Date(2025, 11, 20, 5, 0, 0, 0, east)) // 2025-11-19 19:00 UTC
	if c.Window == nil || !c.Window.From.Equal(d("2025-11-19")) {
		t.Errorf("today in UTC+10 = %+v, want the UTC day 2025-11-19", c.Window)
	}
}

// TestUnderstandDeterministic asks the same questions twice.
func TestUnderstandDeterministic(t *testing.T) {
	for _, q := range []string{"what changed in auth since March", "When was SSE first described?", "As of June 1, 2024, who reviewed PRs?"} {
		a, b := retrieval.Understand(q, now), retrieval.Understand(q, now)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("Understand(%q) differs between calls: %+v vs %+v", q, a, b)
		}
	}
}

func ExampleUnderstand() {
	now := time.Date(2025, 11, 19, 15, 30, 0, 0, time.UTC)
	u := retrieval.Understand("What changed in authentication this quarter?", now)
	fmt.Println(u.Intent, u.Topic, u.Period)
	fmt.Println(u.Window.From.Format("2006-01-02"), "to", u.Window.To.Format("2006-01-02"))

	u = retrieval.Understand("As of June 1, 2024, how long did tokens last?", now)
	fmt.Println(u.Intent, u.AsOf.Format(time.RFC3339))

	u = retrieval.Understand("What changed since the big refactor?", now)
	fmt.Println(strings.Join(u.Problems, "; "))
	// Output:
	// changes authentication this quarter
	// 2025-10-01 to 2026-01-01
	// as_of 2024-06-01T23:59:59Z
	// could not understand the period "since the big refactor"
}
