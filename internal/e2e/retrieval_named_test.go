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

// TestNamedThingCitesTheSectionNamingIt asks what the spec says about
// things whose words 120 short notes hold apart, many times each, so that
// BM25 ranks every note above the sections that name the things: a
// section headed by the thing, a section whose heading holds it in a
// longer heading, and sections whose text holds its words side by side.
// The answer quotes the section whose heading names the thing first,
// then the one whose text does, asked now and as of a date.
func TestNamedThingCitesTheSectionNamingIt(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	files := map[string]string{}
	for i := range 120 {
		files[fmt.Sprintf("abc/notes/%03d.md", i)] = fmt.Sprintf("# Note %d\n\nKube kube kube clusters run. Queues feed the scheduler scheduler scheduler.\n"+
			"Graduation graduation needs work. Tests cover requirements requirements.\n"+
			"Production production lines run. Readiness readiness is checked. Review review each.\n", i)
	}
	long := strings.Repeat("Loops and branches and registers and caches. ", 30)
	files["abc/ABC-0001-plugins.md"] = "# Plugins\n\n" + long + "The kube-scheduler loads plugins.\n"
	files["abc/ABC-0002-scheduling.md"] = "# Scheduling\n\nPods are placed.\n\n## Kube Scheduler\n\n" + long + "It places pods on nodes.\n"
	files["abc/ABC-0003-tracing.md"] = "# Tracing\n\n" + long + "The graduation requirements follow.\n\n## Graduation Requirements\n\n" + long + "Alpha: unit tests.\n"
	files["abc/ABC-0004-widgets.md"] = "# Widgets\n\nWidgets render.\n\n## Design Details\n\n" + long + "A production readiness review is needed.\n\n" +
		"## Production Readiness Review Questionnaire\n\n" + long + "Answer every question.\n"
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: files})
	st := openIndex(t, r.Dir, nil)
	for _, text := range []string{"kube scheduler", "graduation requirements", "production readiness review"} {
		hits, err := st.Search(context.Background(), livespec.SearchQuery{Text: text, Validity: livespec.Current(), Limit: 30})
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(hits, func(h livespec.Hit) bool { return !strings.HasPrefix(h.Version.Path, "abc/notes/") }); i >= 0 {
			t.Fatalf("%s ranks %d for %q; the test needs the notes above it", hits[i].Version.Path, i, text)
		}
	}
	a := &retrieval.Assistant{Store: st}
	tests := []struct {
		name, question string
		want           []string // the first citations: path › heading
	}{
		{"a heading that is the thing, then a text holding it", "What does the spec say about Kube Scheduler?",
			[]string{"abc/ABC-0002-scheduling.md › Scheduling > Kube Scheduler", "abc/ABC-0001-plugins.md › Plugins"}},
		{"as of a date", "What did the spec say about kube scheduler as of June 1, 2024?",
			[]string{"abc/ABC-0002-scheduling.md › Scheduling > Kube Scheduler", "abc/ABC-0001-plugins.md › Plugins"}},
		{"a heading only", "What does the spec say about Graduation Requirements?",
			[]string{"abc/ABC-0003-tracing.md › Tracing > Graduation Requirements", "abc/ABC-0003-tracing.md › Tracing"}},
		{"a longer heading holding the thing, then a section under another heading", "What does the spec say about Production Readiness Review?",
			[]string{"abc/ABC-0004-widgets.md › Widgets > Production Readiness Review Questionnaire", "abc/ABC-0004-widgets.md › Widgets > Design Details"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, day("2024-07-01T00:00:00Z"))
			var got []string
			for _, c := range ans.Citations {
				got = append(got, c.Path+" › "+c.Heading)
			}
			if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) {
				t.Errorf("citations = %q, want first %q", got, tc.want)
			}
		})
	}
}
