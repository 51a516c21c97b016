package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// foundRepo is a small API spec whose history has a plain "ref" long
// before the `$ref` keyword, webhooks, and never gRPC.
func foundRepo(t *testing.T) (*retrieval.Assistant, map[string]string) {
	t.Helper()
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	commits := map[string]string{}
	commits["webhooks"] = r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Initial spec", Write: map[string]string{
		"spec/api.md": "# API\n\n## Webhooks\n\nWebhooks notify subscribers of events. Every client must support them.\n\n## References\n\nA ref names another object.\n",
	}})
	commits["$ref"] = r.Do(gittest.Step{Date: "2024-03-05T12:00:00Z", Msg: "Add $ref", Write: map[string]string{
		"spec/api.md": "# API\n\n## Webhooks\n\nWebhooks notify subscribers of events. Every client must support them.\n\n## References\n\nA ref names another object.\nUse `$ref` to point at a schema.\n",
	}})
	commits["retries"] = r.Do(gittest.Step{Date: "2024-06-20T12:00:00Z", Msg: "Retries", Write: map[string]string{
		"spec/delivery.md": "# Delivery\n\nFailed deliveries are retried with exponential backoff.\n",
	}})
	return &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}, commits
}

// foundCase is a question with whether it is found, where it first
// appeared and what the answer says.
type foundCase struct {
	name, question string
	found          bool
	firstSeen      string   // commit of first_seen, "" for none
	says           []string // the answer contains each
}

func TestFound(t *testing.T) {
	a, commits := foundRepo(t)
	checkFound(t, a, day("2024-07-01T00:00:00Z"), []foundCase{
		{"a lookalike whose key term no version holds is not found", "When was gRPC support introduced?", false, "",
			[]string{"Nothing in the spec history mentions gRPC."}},
		{"a question about the text of something never covered", "What does the spec say about GDPR?", false, "",
			[]string{"Nothing in the spec history mentions GDPR."}},
		{"a misspelt word never seen, with no clear correction, is not found", "When was websokcet support added?", false, "",
			[]string{"Nothing in the spec history mentions websokcet."}},
		{"a symbol is a term: first_seen is where it appears, not where its word does", "When was `$ref` first mentioned?", true, commits["$ref"], nil},
		{"the plain word's first appearance is older", "When was ref first mentioned?", true, commits["webhooks"], nil},
		{"a misspelling with one clear correction is corrected and said", "When were webhoks first described?", true, commits["webhooks"],
			[]string{`Read "webhoks" as "webhooks"`}},
	})
}

// checkFound asks each question of a at now and checks its answer.
func checkFound(t *testing.T, a *retrieval.Assistant, now time.Time, tests []foundCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if ans.Found != tc.found {
				t.Fatalf("found = %v, want %v: %s", ans.Found, tc.found, ans.Answer)
			}
			switch {
			case tc.firstSeen == "" && ans.FirstSeen != nil:
				t.Errorf("first_seen = %+v, want none", ans.FirstSeen)
			case tc.firstSeen != "" && (ans.FirstSeen == nil || ans.FirstSeen.Commit != tc.firstSeen):
				t.Errorf("first_seen = %+v, want commit %s", ans.FirstSeen, tc.firstSeen)
			}
			if !tc.found && (len(ans.Citations) > 0 || len(ans.Changes) > 0) {
				t.Errorf("a not-found answer cites %d sources and %d changes", len(ans.Citations), len(ans.Changes))
			}
			// It says so once, plainly, whichever check found nothing.
			if n := strings.Count(ans.Answer, "Nothing in the spec history mentions"); !tc.found && n != 1 {
				t.Errorf("a not-found answer says it %d times:\n%s", n, ans.Answer)
			}
			if ans.Subjects == nil {
				t.Error("subjects is null, want a list")
			}
			for _, s := range tc.says {
				if !strings.Contains(ans.Answer, s) {
					t.Errorf("answer lacks %q:\n%s", s, ans.Answer)
				}
			}
		})
	}
}

func TestDidYouMean(t *testing.T) {
	a, _ := foundRepo(t)
	// A name written with capitals is never corrected; the nearest words
	// are offered.
	ans := ask(t, a, "When was Webhokcs support introduced?", day("2024-07-01T00:00:00Z"))
	if ans.Found {
		t.Fatalf("found a term no version holds: %s", ans.Answer)
	}
	if !strings.Contains(ans.Answer, "Did you mean webhooks?") {
		t.Errorf("answer offers no close term:\n%s", ans.Answer)
	}
}

func TestRecently(t *testing.T) {
	a, _ := foundRepo(t)
	ans := ask(t, a, "What changed recently?", day("2024-07-10T09:00:00Z"))
	if ans.Intent != livespec.IntentChanges || ans.Window == nil {
		t.Fatalf("intent %s, window %v; want changes in a window", ans.Intent, ans.Window)
	}
	if got, want := ans.Window.From, day("2024-06-11T00:00:00Z"); !got.Equal(want) {
		t.Errorf("window from %v, want %v (30 days ending today)", got, want)
	}
	if len(ans.Changes) == 0 || ans.Changes[0].Path != "spec/delivery.md" {
		t.Errorf("changes = %+v, want the delivery spec", ans.Changes)
	}
	if !strings.Contains(ans.Answer, "last 30 days") {
		t.Errorf("answer does not say how it read \"recently\":\n%s", ans.Answer)
	}
}

func TestWholeLife(t *testing.T) {
	u := retrieval.Understand("How did the delivery spec change over its lifetime?", day("2024-07-01T00:00:00Z"))
	if u.Intent != livespec.IntentTimeline || u.Window != nil || strings.Contains(u.Topic, "lifetime") {
		t.Errorf("intent %s, window %v, topic %q; want a timeline over all history about the delivery spec", u.Intent, u.Window, u.Topic)
	}
}

// TestPeriodWordsAreNotCorrected: a month name is the period, not a topic
// word, even where the specs hold a word one edit from it ("match").
func TestPeriodWordsAreNotCorrected(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Routing", Write: map[string]string{
		"spec/routing.md": "# Routing\n\nPaths match exactly.\n",
	}})
	r.Do(gittest.Step{Date: "2024-03-12T12:00:00Z", Msg: "Methods", Write: map[string]string{
		"spec/methods.md": "# Methods\n\nEvery route names its methods.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	ans := ask(t, a, "What changed in the spec in March 2024?", day("2024-07-01T00:00:00Z"))
	if !ans.Found || ans.Intent != livespec.IntentChanges {
		t.Fatalf("found %v, intent %s: %s", ans.Found, ans.Intent, ans.Answer)
	}
	if ans.Window == nil || !ans.Window.From.Equal(day("2024-03-01T00:00:00Z")) {
		t.Errorf("window = %+v, want March 2024", ans.Window)
	}
	if strings.Contains(ans.Answer, `Read "March"`) {
		t.Errorf("the month was corrected as a misspelling:\n%s", ans.Answer)
	}
	if len(ans.Changes) == 0 || ans.Changes[0].Path != "spec/methods.md" {
		t.Errorf("changes = %+v, want spec/methods.md", ans.Changes)
	}
}

// TestNamedThingPresence asks about things a question names ("say about
// X", "is there an ABC that adds X", "does any ABC specify X") on a
// repository whose words occur, but never together: a named thing appears
// only where all its words meet, one pair of them side by side, and an
// alternative ("X or Y") is found only when one alternative is.
func TestNamedThingPresence(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	files := map[string]string{
		"abc/ABC-0001-guards.md": "# Guards\n\nA conditional guard uses an operator in when branches. Retention of the old syntax is kept.\n",
		"abc/ABC-0002-deps.md":   "# Modules\n\nA module may list a dependency. Code injection is blocked, depending on the framework.\n",
		"abc/ABC-0003-data.md":   "# Data\n\nPersonal settings hold user data.\n",
		"abc/ABC-0004-vector.md": "# Vector API\n\nThe Vector API supports vectorized arithmetic on arrays.\n",
	}
	for i := 5; i <= 10; i++ {
		files[fmt.Sprintf("abc/ABC-%04d-misc.md", i)] = fmt.Sprintf("# Misc %d\n\nNotes on topic %d.\n", i, i)
	}
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: files})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	now := day("2024-07-01T00:00:00Z")
	tests := []struct {
		name, question string
		found          bool
	}{
		{"one alternative's name never occurs, the other's words never meet", "What does the spec say about GDPR or the retention of personal data?", false},
		{"a compound whose words occur apart", "What do the docs say about dependency injection frameworks?", false},
		{"an existence question about a kind of document, with a code example", "Is there an ABC that adds a ternary conditional operator (cond ? a : b)?", false},
		{"a named thing whose words meet", "Does any ABC specify vectorized arithmetic for the Vector API?", true},
		{"a named thing found as written", "What does the spec say about conditional guards?", true},
		{"a question about the text is read leniently", "Is there a way to keep the old syntax in guards?", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if ans.Found != tc.found {
				t.Errorf("found = %v, want %v: %s", ans.Found, tc.found, ans.Answer)
			}
		})
	}
}

// TestNamedThingFoundBelowTheBestHits asks about a named thing whose words
// meet, side by side, only in a version that ranks below the first ten
// hits of a history search: versions holding its words apart rank above
// it. The thing is found, as when every hit of the pool is read at once.
func TestNamedThingFoundBelowTheBestHits(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	files := map[string]string{}
	for i := 1; i <= 12; i++ {
		files[fmt.Sprintf("abc/ABC-%04d-kernels.md", i)] = fmt.Sprintf("# Kernels %d\n\nVector vector vector units run here. Arithmetic arithmetic arithmetic is slow.\n", i)
	}
	for i := 13; i <= 40; i++ {
		files[fmt.Sprintf("abc/ABC-%04d-misc.md", i)] = fmt.Sprintf("# Misc %d\n\nNotes on topic %d.\n", i, i)
	}
	long := strings.Repeat("Loops and branches and registers and caches. ", 30)
	files["abc/ABC-0041-long.md"] = "# Long\n\n" + long + "Vector arithmetic is supported.\n"
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: files})
	st := openIndex(t, r.Dir, nil)
	hits, err := st.Search(context.Background(), livespec.SearchQuery{Text: "vector arithmetic", Validity: livespec.AnyVersion(), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	rank := slices.IndexFunc(hits, func(h livespec.Hit) bool { return h.Version.Path == "abc/ABC-0041-long.md" })
	if rank < 10 {
		t.Fatalf("the version holding the pair ranks %d of %d; the test needs it below the first ten", rank, len(hits))
	}
	a := &retrieval.Assistant{Store: st}
	for _, q := range []string{"What does the spec say about vector arithmetic?", "What does the spec say about arithmetic vectors?"} {
		ans := ask(t, a, q, day("2024-07-01T00:00:00Z"))
		if want := strings.Contains(q, "vector arithmetic"); ans.Found != want {
			t.Errorf("%q: found = %v, want %v: %s", q, ans.Found, want, ans.Answer)
		}
	}
}
