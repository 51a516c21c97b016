package e2e_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
	"golang.org/x/sync/errgroup"
)

// TestChangeReportsOfOnePeriodSeeEachWrite asks reports about several
// topics of one period on one assistant, which keeps what it read of the
// period, then lands an edit in that period: every report must be what a
// fresh assistant says, the ones asked at once and the ones after the
// edit included.
func TestChangeReportsOfOnePeriodSeeEachWrite(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: map[string]string{
		"docs/widgets.md": "# Widgets\n\n## Install\n\nRun the installer.\n\n## Colours\n\nBlue and green.\n",
		"docs/notes.md":   "# Notes\n\n## Setup\n\nThe sprocket tuning takes a minute.\n\n## Gears\n\nGears mesh.\n",
	}})
	r.Do(gittest.Step{Date: "2024-03-05T12:00:00Z", Msg: "March edits", Write: map[string]string{
		"docs/widgets.md": "# Widgets\n\n## Install\n\nRun the installer.\n\n## Colours\n\nBlue, green and red.\n",
		"docs/notes.md":   "# Notes\n\n## Setup\n\nThe sprocket tuning takes a minute.\n\n## Gears\n\nGears mesh well.\n",
	}})
	st := openIndex(t, r.Dir, nil)
	a := &retrieval.Assistant{Store: st, AnswerCache: -1}
	now := day("2024-06-01T00:00:00Z")
	check := func(t *testing.T, question string, want []string, note string) {
		t.Helper()
		got := ask(t, a, question, now)
		if paths := changedPaths(got); !slices.Equal(paths, want) {
			t.Errorf("%q: files = %v, want %v\n%s", question, paths, want, got.Answer)
		}
		if !strings.Contains(got.Answer, note) {
			t.Errorf("%q: answer lacks %q:\n%s", question, note, got.Answer)
		}
		if fresh := ask(t, &retrieval.Assistant{Store: st, AnswerCache: -1}, question, now); !reflect.DeepEqual(got, fresh) {
			t.Errorf("%q: the answer differs from a fresh assistant's:\n%s\n---\n%s", question, got.Answer, fresh.Answer)
		}
	}
	const sprocket, colours, gears = "What changed about sprocket tuning in March 2024?",
		"What changed about the widget colours in March 2024?", "What changed about gears meshing in March 2024?"
	t.Run("before the edit", func(t *testing.T) {
		check(t, sprocket, nil, "4 changes landed in the period, none of them about \"sprocket tuning\"")
		check(t, colours, []string{"docs/widgets.md"}, "")
		check(t, gears, []string{"docs/notes.md"}, "")
		check(t, sprocket, nil, "4 changes landed in the period")
	})
	t.Run("asked at once", func(t *testing.T) {
		shared := &retrieval.Assistant{Store: st, AnswerCache: -1}
		qs := []string{sprocket, colours, gears, sprocket, colours, gears}
		got := make([]*livespec.Answer, len(qs))
		var g errgroup.Group
		for i, q := range qs {
			g.Go(func() (err error) {
				got[i], err = shared.Ask(ctx, livespec.AskRequest{Question: q, Now: now}, nil)
				return err
			})
		}
		if err := g.Wait(); err != nil {
			t.Fatal(err)
		}
		for i, q := range qs {
			if want := ask(t, &retrieval.Assistant{Store: st, AnswerCache: -1}, q, now); !reflect.DeepEqual(got[i], want) {
				t.Errorf("%q asked beside others: the answer differs from a fresh assistant's:\n%s\n---\n%s", q, got[i].Answer, want.Answer)
			}
		}
	})
	r.Do(gittest.Step{Date: "2024-03-20T12:00:00Z", Msg: "Slower tuning", Write: map[string]string{
		"docs/notes.md": "# Notes\n\n## Setup\n\nThe sprocket tuning takes an hour.\n\n## Gears\n\nGears mesh well.\n",
	}})
	if _, err := ingest.Run(ctx, st, ingest.Options{Repo: "demo", Dir: r.Dir}); err != nil {
		t.Fatal(err)
	}
	t.Run("after the edit", func(t *testing.T) {
		check(t, sprocket, []string{"docs/notes.md"}, "")
		check(t, colours, []string{"docs/widgets.md"}, "")
	})
}

// TestTimelineTitlesOfRemovedFilesSeeWrites asks a timeline whose events
// are on a file since removed, named by the title of its last version,
// then lands a new version of that file under another title and removes
// it again: the timeline must name it by the new title, as a fresh
// assistant does.
func TestTimelineTitlesOfRemovedFilesSeeWrites(t *testing.T) {
	ctx := context.Background()
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Start", Write: map[string]string{
		"docs/old.md": "# Old Guide\n\n## Sprockets\n\nSprocket tuning takes a minute.\n",
	}})
	r.Do(gittest.Step{Date: "2024-02-10T12:00:00Z", Msg: "Retire the old guide", Remove: []string{"docs/old.md"}, Write: map[string]string{
		"docs/new.md": "# New Guide\n\n## Gears\n\nGears mesh.\n",
	}})
	st := openIndex(t, r.Dir, nil)
	a := &retrieval.Assistant{Store: st, AnswerCache: -1}
	now := day("2024-06-01T00:00:00Z")
	const question = "How has sprocket tuning evolved?"
	check := func(t *testing.T, title string) {
		t.Helper()
		got := ask(t, a, question, now)
		if !strings.Contains(got.Answer, title+" (docs/old.md)") {
			t.Errorf("the timeline does not name docs/old.md %q:\n%s", title, got.Answer)
		}
		if fresh := ask(t, &retrieval.Assistant{Store: st, AnswerCache: -1}, question, now); !reflect.DeepEqual(got, fresh) {
			t.Errorf("the answer differs from a fresh assistant's:\n%s\n---\n%s", got.Answer, fresh.Answer)
		}
	}
	check(t, "Old Guide")
	check(t, "Old Guide")
	r.Do(gittest.Step{Date: "2024-03-10T12:00:00Z", Msg: "Bring it back", Write: map[string]string{
		"docs/old.md": "# Legacy Notes\n\n## Sprockets\n\nSprocket tuning takes an hour.\n",
	}})
	r.Do(gittest.Step{Date: "2024-04-10T12:00:00Z", Msg: "Retire it again", Remove: []string{"docs/old.md"}})
	if _, err := ingest.Run(ctx, st, ingest.Options{Repo: "demo", Dir: r.Dir}); err != nil {
		t.Fatal(err)
	}
	check(t, "Legacy Notes")
}
