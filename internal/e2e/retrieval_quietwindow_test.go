package e2e_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestChangesAboutATopicTheChangedTextNeverSays asks what changed about a
// topic in a month whose changed sections never say the topic's words:
// a file the topic names by its file name or its title still reports its
// changes, and a topic only an unchanged file mentions keeps none and
// says how many changes landed.
func TestChangesAboutATopicTheChangedTextNeverSays(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: map[string]string{
		"docs/widget-setup-guide.md": "# Widgets\n\n## Install\n\nRun the installer.\n\n## Colours\n\nBlue and green.\n",
		"docs/tiles.md":              "# Gadget Repair Manual\n\n## Tools\n\nA small screwdriver.\n",
		"docs/notes.md":              "# Notes\n\n## Setup\n\nThe widget setup takes a minute; see the gadget repair manual and the sprocket tuning.\n",
	}})
	r.Do(gittest.Step{Date: "2024-03-05T12:00:00Z", Msg: "March edits", Write: map[string]string{
		"docs/widget-setup-guide.md": "# Widgets\n\n## Install\n\nRun the installer.\n\n## Colours\n\nBlue, green and red.\n",
		"docs/tiles.md":              "# Gadget Repair Manual\n\n## Tools\n\nA small screwdriver and pliers.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	now := day("2024-06-01T00:00:00Z")
	tests := []struct {
		name, question string
		want           []string
		note           string
	}{
		{"named by its file name", "What changed about the widget setup guide in March 2024?", []string{"docs/widget-setup-guide.md"}, ""},
		{"named by its title", "What changed about the gadget repair manual in March 2024?", []string{"docs/tiles.md"}, ""},
		{"mentioned only by an unchanged file", "What changed about sprocket tuning in March 2024?", nil,
			"4 changes landed in the period, none of them about \"sprocket tuning\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := ask(t, a, tc.question, now)
			if got := changedPaths(ans); !slices.Equal(got, tc.want) {
				t.Errorf("files = %v, want %v\n%s", got, tc.want, ans.Answer)
			}
			if !strings.Contains(ans.Answer, tc.note) {
				t.Errorf("answer lacks %q:\n%s", tc.note, ans.Answer)
			}
		})
	}
}

// changedPaths returns the paths of ans's changes, each once, sorted.
func changedPaths(ans *livespec.Answer) []string {
	var got []string
	for _, c := range ans.Changes {
		if !slices.Contains(got, c.Path) {
			got = append(got, c.Path)
		}
	}
	slices.Sort(got)
	return got
}
