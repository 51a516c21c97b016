package e2e_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestNamedObjectWithPeriod asks questions that name what they ask about
// ("say about X", "is there a spec that covers X", "does any spec mention
// X") and a period, in each period form Understand reads. The period is
// when, not what: an answer about a section the history holds quotes it as
// it stood then (or now), and one about a topic no version mentions says
// so naming the topic, never the period's words.
func TestNamedObjectWithPeriod(t *testing.T) {
	a, now := billingRepo(t)

	shapes := []string{
		"What did the spec say about %s %s?",
		"Is there anything about %s %s?",
		"Is there a spec that covers %s %s?",
		"Does any spec mention %s %s?",
	}
	periods := []struct {
		name, phrase string
		days         int // the refund period the spec gave then
	}{
		{"as of a written day", "as of June 1, 2024", 30},
		{"as of an ISO day", "as of 2024-06-01", 30},
		{"a month", "in March 2024", 30},
		{"the end of a month", "at the end of May 2024", 30},
		{"the end of a year", "at the end of 2023", 30},
		{"a quarter", "in Q2 2024", 30},
		{"back in a month", "back in May 2024", 30},
		{"on a day after the change", "on 2024-10-01", 14},
		{"a relative month", "last month", 14},
		{"the running year, read as current", "in 2024", 14},
		{"today", "today", 14},
	}
	for _, p := range periods {
		for _, shape := range shapes {
			q := fmt.Sprintf(shape, "refunds", p.phrase)
			t.Run(p.name+"/found/"+q, func(t *testing.T) {
				ans := ask(t, a, q, now)
				want := fmt.Sprintf("Refunds are issued within %d days", p.days)
				if !ans.Found || !strings.Contains(ans.Answer, want) {
					t.Errorf("found = %v, want the section quoted (%q):\n%s", ans.Found, want, ans.Answer)
				}
			})
			q = fmt.Sprintf(shape, "chargebacks", p.phrase)
			t.Run(p.name+"/absent/"+q, func(t *testing.T) {
				ans := ask(t, a, q, now)
				if want := "Nothing in the spec history mentions chargebacks."; ans.Found || !strings.Contains(ans.Answer, want) {
					t.Errorf("found = %v, want %q:\n%s", ans.Found, want, ans.Answer)
				}
			})
		}
	}
}

// billingRepo is a billing spec whose refunds were issued within 30 days
// from November 2023 and within 14 days from 2024-09-10, asked on
// 2024-12-01.
func billingRepo(t *testing.T) (*retrieval.Assistant, time.Time) {
	t.Helper()
	r := gittest.New(t, day("2023-11-02T12:00:00Z"))
	billing := func(days int) string {
		return fmt.Sprintf("# Billing\n\n## Invoices\n\nInvoices are sent monthly.\n\n## Refunds\n\nRefunds are issued within %d days of purchase.\n", days)
	}
	r.Do(gittest.Step{Date: "2023-11-02T12:00:00Z", Msg: "Billing", Write: map[string]string{"spec/billing.md": billing(30)}})
	r.Do(gittest.Step{Date: "2024-09-10T12:00:00Z", Msg: "Shorter refunds", Write: map[string]string{"spec/billing.md": billing(14)}})
	return &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}, day("2024-12-01T00:00:00Z")
}

// TestPredicateQuestion asks how a subject is done ("how are refunds
// handled?"): the predicate is what is asked about the subject, a word the
// specs need not use, so the subject alone decides whether the specs hold
// it; a subject no version mentions is still said to be missing, by name.
func TestPredicateQuestion(t *testing.T) {
	a, now := billingRepo(t)
	tests := []struct {
		name, question string
		says           string // the answer contains it
		found          bool
	}{
		{"a participle the specs never use", "How are refunds handled?", "Refunds are issued within 14 days", true},
		{"why, with an adjective-like participle", "Why are refunds delayed?", "Refunds are issued within 14 days", true},
		{"with a period, as of its end", "How were refunds handled in March 2024?", "Refunds are issued within 30 days", true},
		{"a subject no version mentions", "How are chargebacks handled?", "Nothing in the spec history mentions chargebacks.", false},
		{"a name no version mentions", "How is GraphQL supported?", "Nothing in the spec history mentions GraphQL.", false},
		{"a name after the predicate is still read", "How are refunds handled in GraphQL?", "Nothing in the spec history mentions", false},
		{"a predicate before a phrase", "How are refunds handled in the spec?", "Refunds are issued within 14 days", true},
		{"a predicate before a phrase, with a period", "How were refunds handled by the spec in March 2024?", "Refunds are issued within 30 days", true},
		{"a missing subject before a predicate and a phrase", "How are chargebacks handled in the spec?", "Nothing in the spec history mentions chargebacks.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if ans.Found != tc.found || !strings.Contains(ans.Answer, tc.says) {
				t.Errorf("found = %v, want %v and %q:\n%s", ans.Found, tc.found, tc.says, ans.Answer)
			}
		})
	}
}
