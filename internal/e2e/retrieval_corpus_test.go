package e2e_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/retrieval"
)

// plainStore hides the term statistics an index keeps, so that the
// assistant counts every current section itself.
type plainStore struct{ livespec.Store }

// TestStoredTermStatsAnswerAsCounted: answers read from the index's stored
// term statistics are the answers of statistics counted from every current
// section: a misspelling is corrected the same way, a topic's timeline and
// its changes cite the same versions.
func TestStoredTermStatsAnswerAsCounted(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Checkout", Write: map[string]string{
		"spec/checkout.md": "# Checkout\n\nCoupons give discounts at checkout.\n\n## Payments\n\nCards and vouchers are accepted.\n",
		"spec/returns.md":  "# Returns\n\nReturns are accepted within thirty days.\n",
	}})
	r.Do(gittest.Step{Date: "2024-03-12T12:00:00Z", Msg: "Stacking", Write: map[string]string{
		"spec/checkout.md": "# Checkout\n\nCoupons give discounts at checkout; two coupons stack.\n\n## Payments\n\nCards are accepted.\n",
	}})
	st := openIndex(t, r.Dir, nil)
	if _, ok := any(st).(livespec.TermStore); !ok {
		t.Fatal("the SQLite index keeps no term statistics")
	}
	now := day("2024-07-01T00:00:00Z")
	for _, q := range []string{
		"how do cuopons work?",
		"how have coupons evolved?",
		"what changed about coupons in March 2024?",
		"what did the spec say about vouchers on 2024-02-01?",
	} {
		t.Run(q, func(t *testing.T) {
			stored := ask(t, &retrieval.Assistant{Store: st}, q, now)
			counted := ask(t, &retrieval.Assistant{Store: plainStore{st}}, q, now)
			got, _ := json.MarshalIndent(stored, "", " ")
			want, _ := json.MarshalIndent(counted, "", " ")
			if string(got) != string(want) {
				t.Errorf("answer on stored statistics differs from counted ones:\n%s", diffLines(string(want), string(got)))
			}
			if strings.Contains(q, "cuopons") && !strings.Contains(stored.Answer, `"cuopons" as "coupons"`) {
				t.Errorf("the misspelling was not corrected:\n%s", stored.Answer)
			}
		})
	}
}

// diffLines returns the lines of got that want lacks, marked +, and the
// lines of want that got lacks, marked -.
func diffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// countingTerms is an index that records the stems and words of each
// request for term statistics.
type countingTerms struct {
	*sqlite.Store
	mu       sync.Mutex
	requests [][]string
}

func (c *countingTerms) TermCounts(ctx context.Context, stems, words []string) (livespec.TermCounts, bool, error) {
	c.mu.Lock()
	c.requests = append(c.requests, append(slices.Clone(stems), words...))
	c.mu.Unlock()
	return c.Store.TermCounts(ctx, stems, words)
}

// TestQuestionWordsCountedAtOnce checks that the statistics of a
// question's words, which spelling, "not found" and the search each ask
// for, are read from the index in one request, not one per word and step.
func TestQuestionWordsCountedAtOnce(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Checkout", Write: map[string]string{
		"spec/checkout.md": "# Checkout\n\nCoupons give discounts at checkout.\n\n## Payments\n\nCards and vouchers are accepted.\n",
		"spec/returns.md":  "# Returns\n\nReturns are accepted within thirty days.\n",
	}})
	st := &countingTerms{Store: openIndex(t, r.Dir, nil)}
	a := &retrieval.Assistant{Store: st}
	if err := a.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := day("2024-07-01T00:00:00Z")
	for _, q := range []string{
		"What does the spec say about coupons giving discounts?",
		"How did coupons give discounts as of June 1, 2024?",
	} {
		st.mu.Lock()
		st.requests = nil
		st.mu.Unlock()
		ans := ask(t, a, q, now)
		if len(ans.Citations) == 0 {
			t.Fatalf("%q: no citation", q)
		}
		st.mu.Lock()
		var asked [][]string
		for _, req := range st.requests {
			if slices.ContainsFunc(req, func(w string) bool { return strings.Contains(strings.ToLower(q), w) && len(w) > 3 }) {
				asked = append(asked, req)
			}
		}
		st.mu.Unlock()
		if len(asked) != 1 {
			t.Errorf("%q: the question's words were read in %d requests, want 1: %q", q, len(asked), asked)
		}
	}
}
