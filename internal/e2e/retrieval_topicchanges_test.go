package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/retrieval"
)

// eventCountingStore counts the change events the store's change reads
// return.
type eventCountingStore struct {
	*sqlite.Store
	events atomic.Int64
}

func (s *eventCountingStore) Changes(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	cs, err := s.Store.Changes(ctx, q)
	s.events.Add(int64(len(cs)))
	return cs, err
}

func (s *eventCountingStore) SectionChanges(ctx context.Context, q livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Change, error) {
	cs, err := s.Store.SectionChanges(ctx, q, sections)
	s.events.Add(int64(len(cs)))
	return cs, err
}

// gearbox returns a spec of n sections, each saying what edit says,
// and one about sprocket tuning saying what tuning says.
func gearbox(n int, edit, tuning string) string {
	var b strings.Builder
	b.WriteString("# Gearbox\n\n")
	for i := range n {
		fmt.Fprintf(&b, "## Gear %d\n\nGear %d has %d teeth %s.\n\n", i, i, i+10, edit)
	}
	fmt.Fprintf(&b, "## Sprocket tuning\n\nThe sprocket tuning takes %s.\n", tuning)
	return b.String()
}

// TestTopicChangesReadTheirOwnEvents asks what changed about a topic that
// one section of a large file mentions, in a month whose commits edit
// every section of that file: the report lists that section's event and
// its commit's file-level event, and reads the events of the sections
// about the topic and the file-level events of their commits, not every
// event of the file.
func TestTopicChangesReadTheirOwnEvents(t *testing.T) {
	const gears = 40
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: map[string]string{
		"docs/gearbox.md": gearbox(gears, "when new", "a minute"),
		"docs/notes.md":   "# Notes\n\n## Oil\n\nChange the oil yearly.\n",
	}})
	r.Do(gittest.Step{Date: "2024-03-05T12:00:00Z", Msg: "Worn gears; slower tuning", Write: map[string]string{
		"docs/gearbox.md": gearbox(gears, "when worn", "an hour"),
	}})
	r.Do(gittest.Step{Date: "2024-03-12T12:00:00Z", Msg: "Polished gears", Write: map[string]string{
		"docs/gearbox.md": gearbox(gears, "when polished", "an hour"),
		"docs/notes.md":   "# Notes\n\n## Oil\n\nChange the oil twice a year.\n",
	}})
	st := &eventCountingStore{Store: openIndex(t, r.Dir, nil)}
	a := &retrieval.Assistant{Store: st, AnswerCache: -1}
	ans := ask(t, a, "What changed about sprocket tuning in March 2024?", day("2024-06-01T00:00:00Z"))
	var got []string
	for _, c := range ans.Changes {
		got = append(got, fmt.Sprintf("%s %s %s %s", c.Date.Format("2006-01-02"), c.Level, c.Kind, c.Heading))
	}
	want := []string{"2024-03-05 file modified ", "2024-03-05 section modified Gearbox > Sprocket tuning"}
	if !slices.Equal(got, want) {
		t.Errorf("changes = %q, want %q\n%s", got, want, ans.Answer)
	}
	// The month has 2 file-level and 81 section events; the report needs
	// the sprocket section's and its commit's file-level event.
	if n := st.events.Load(); n > 10 {
		t.Errorf("the report read %d change events, want at most 10", n)
	}
}
