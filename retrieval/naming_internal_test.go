package retrieval

import (
	"testing"

	"github.com/livespec/livespec"
)

// TestNamingTier checks how sections name a thing a question names: a
// heading that is its words, a heading that holds them side by side, a
// text that does (a compound's parts too), and texts and headings that
// hold them apart or another way round.
func TestNamingTier(t *testing.T) {
	tests := []struct {
		name, thing, heading, text string
		want                       int
	}{
		{"the heading is the thing", "Graduation Requirements", "Tracing > Graduation requirements", "## Graduation requirements\n\nAlpha: unit tests.", namedByHeading},
		{"the heading holds the thing", "Production Readiness Review", "Widgets > Production Readiness Review Questionnaire", "## Production Readiness Review Questionnaire\n\nAnswer it.", namedInHeading},
		{"a hyphenated heading holds the thing", "Kube Scheduler", "Profiles > Kube-Scheduler implementation", "### Kube-Scheduler implementation\n\nIt loads plugins.", namedInHeading},
		{"the text holds the thing as a compound", "Kube Scheduler", "Plugins", "# Plugins\n\nThe kube-scheduler loads plugins.", namedInText},
		{"the text holds the words apart", "Kube Scheduler", "Notes", "# Notes\n\nKube clusters run. Queues feed the scheduler.", notNaming},
		{"the heading holds the words the other way round", "Scheduler Queues", "Notes > Queues of the scheduler", "## Queues of the scheduler\n\nThey feed it.", notNaming},
		{"a heading of one word is the thing", "Labels", "Backlog > Labels", "## Labels\n\nUse them.", namedByHeading},
		{"a heading above the section holds the thing", "Production Readiness", "Widgets > Production Readiness Review Questionnaire > Rollback Planning", "### Rollback Planning\n\nDisable the gate to roll back.", namedInText},
		{"a pair never spans two headings", "Questionnaire Rollback", "Widgets > Production Readiness Review Questionnaire > Rollback Planning", "### Rollback Planning\n\nDisable the gate.", notNaming},
		{"an alternative named by a heading ranks after the whole thing", "GDPR or personal data", "Privacy > Personal data", "## Personal data\n\nIt is kept.", namedByHeading + namedNot},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &candidate{v: livespec.Version{ID: "v", Key: livespec.Key{Heading: tc.heading}, Text: tc.text}}
			if got := newNamer(namingOf(tc.thing)).tier(c); got != tc.want {
				t.Errorf("tier = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestNamerOrder checks that sections naming a thing come first, those
// whose heading names it before those whose text does, each in the
// search's order, and that sections holding its words apart keep theirs.
func TestNamerOrder(t *testing.T) {
	var cands []*candidate
	for _, v := range []livespec.Version{
		{ID: "apart", Key: livespec.Key{Heading: "Notes"}, Text: "# Notes\n\nKube clusters run. Queues feed the scheduler."},
		{ID: "text", Key: livespec.Key{Heading: "Plugins"}, Text: "# Plugins\n\nThe kube-scheduler loads plugins."},
		{ID: "apart2", Key: livespec.Key{Heading: "More notes"}, Text: "# More notes\n\nKube runs. The scheduler waits."},
		{ID: "heading", Key: livespec.Key{Heading: "Scheduling > Kube Scheduler"}, Text: "## Kube Scheduler\n\nIt places pods."},
	} {
		cands = append(cands, &candidate{v: v})
	}
	newNamer(namingOf("Kube Scheduler")).order(cands, 8)
	var got []string
	for _, c := range cands {
		got = append(got, c.v.ID)
	}
	want := []string{"heading", "text", "apart", "apart2"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order = %v, want %v", got, want)
		}
	}
}
