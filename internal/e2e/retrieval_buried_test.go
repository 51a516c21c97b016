package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestNamedThingBuriedBelowTheBestHits asks about named things whose words
// are common apart: 120 short notes hold "kube", "scheduler", "graduation"
// and "requirements" many times each, never side by side, and rank above
// every section that holds a thing as written, one named only in a
// heading ("Graduation Requirements") and one only hyphenated
// ("kube-scheduler"). Each is found, asked now and as of a date; a thing
// whose words only ever meet the other way round is not.
func TestNamedThingBuriedBelowTheBestHits(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	files := map[string]string{}
	for i := range 120 {
		files[fmt.Sprintf("abc/notes/%03d.md", i)] = fmt.Sprintf("# Note %d\n\nKube kube kube clusters run. Queues feed the scheduler scheduler scheduler.\n"+
			"Graduation graduation needs review. Tests cover requirements requirements.\n", i)
	}
	long := strings.Repeat("Loops and branches and registers and caches. ", 30)
	files["abc/ABC-0001-plugins.md"] = "# Plugins\n\n" + long + "The kube-scheduler loads plugins.\n"
	files["abc/ABC-0002-tracing.md"] = "# Tracing\n\nSpans are exported.\n\n## Graduation Requirements\n\n" + long + "Alpha: unit tests.\n"
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: files})
	st := openIndex(t, r.Dir, nil)
	for text, path := range map[string]string{"kube scheduler": "abc/ABC-0001-plugins.md", "graduation requirements": "abc/ABC-0002-tracing.md"} {
		hits, err := st.Search(context.Background(), livespec.SearchQuery{Text: text, Validity: livespec.AnyVersion(), Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(hits, func(h livespec.Hit) bool { return h.Version.Path == path }); i >= 0 {
			t.Fatalf("%s ranks %d for %q; the test needs it below the first 100 hits", path, i, text)
		}
	}
	a := &retrieval.Assistant{Store: st}
	now := day("2024-07-01T00:00:00Z")
	tests := []struct {
		name, question string
		found          bool
	}{
		{"hyphenated only", "What does the spec say about Kube Scheduler?", true},
		{"hyphenated only, as of a date", "What did the spec say about Kube Scheduler as of June 1, 2024?", true},
		{"a heading only", "What does the spec say about Graduation Requirements?", true},
		{"a heading only, as of a date", "What did the spec say about graduation requirements as of March 3, 2024?", true},
		{"an existence question", "Is there an ABC that adds a kube scheduler?", true},
		{"words that meet only the other way round", "What does the spec say about scheduler queues?", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if ans.Found != tc.found {
				t.Fatalf("found = %v, want %v: %s", ans.Found, tc.found, ans.Answer)
			}
			if !tc.found && ans.Answer != "Nothing in the spec history mentions scheduler queues." {
				t.Errorf("answer = %q", ans.Answer)
			}
		})
	}
}
