package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// TestChangedSectionsKeepsWindows checks that ChangedSections answers
// from a window's kept names (changedNames) as the name indexes answer
// (a window of more events than the limit), after a write too: in the
// window, a section renamed in place, a file moved with its section, an
// old name recorded on a later part alone (not the event's name), two
// commits on one section, a heading holding a NUL byte renamed from
// another (read as columns, not packed); before and after it, other
// events. A window's names are kept, however they were read.
func TestChangedSectionsKeepsWindows(t *testing.T) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2024, 3, d, 9, 0, 0, 0, time.UTC) }
	ev := func(commit string, d int, path, heading string, part int, oldPath, oldHeading string) livespec.Change {
		kind := livespec.Modified
		if oldPath != "" || oldHeading != "" {
			kind = livespec.Renamed
		}
		return livespec.Change{ID: commit + path + "#" + heading + string(rune('0'+part)), Repo: "r", Commit: commit, Seq: int64(d),
			Date: day(d), Section: true, Path: path, Heading: heading, Part: part, Kind: kind, OldPath: oldPath, OldHeading: oldHeading}
	}
	s := openTemp(t)
	apply := func(cs ...livespec.Change) {
		t.Helper()
		if err := s.Apply(ctx, &livespec.Batch{Repo: "r", Changes: cs}); err != nil {
			t.Fatal(err)
		}
	}
	apply(ev("c1", 1, "a.md", "A", 0, "", ""),
		ev("c2", 10, "a.md", "New", 0, "", "Old"),
		ev("c2", 10, "b.md", "Intro", 0, "old.md", ""),
		ev("c2", 10, "a.md", "Long", 0, "", ""),
		ev("c2", 10, "a.md", "Long", 1, "", "Former"),
		ev("c3", 12, "a.md", "New", 0, "", ""),
		ev("c3", 12, "a.md", "Nul\x00here", 0, "", "Was\x00nul"),
		ev("c4", 20, "c.md", "Late", 0, "", ""))
	key := func(path, heading string) livespec.Key { return livespec.Key{Repo: "r", Path: path, Heading: heading} }
	asked := []livespec.Key{key("c.md", "Late"), key("a.md", "A"), key("a.md", "New"), key("a.md", "Old"), key("old.md", "Intro"),
		key("b.md", "Intro"), key("a.md", "Long"), key("a.md", "Former"), key("q.md", "A"), key("a.md", "Nul\x00here"), key("a.md", "Was\x00nul")}
	nul := []livespec.Key{key("a.md", "Nul\x00here"), key("a.md", "Was\x00nul")}
	window := livespec.ChangeQuery{From: day(5), To: day(15)}
	ask := func(q livespec.ChangeQuery, limit int) []livespec.Key {
		t.Helper()
		w := &s.mem().windows
		if limit != 0 { // asked anew, what was kept left as it was
			kept := w.by
			w.by, w.limit = nil, limit
			defer func() { w.by, w.limit = kept, 0 }()
		}
		got, err := s.ChangedSections(ctx, q, asked)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, tt := range []struct {
		name  string
		q     livespec.ChangeQuery
		write []livespec.Change // before asking
		want  []livespec.Key
	}{
		{"window", window, nil, append([]livespec.Key{key("a.md", "New"), key("a.md", "Old"), key("old.md", "Intro"), key("b.md", "Intro"), key("a.md", "Long")}, nul...)},
		{"other repository", livespec.ChangeQuery{Repos: []string{"q"}, From: day(5), To: day(15)}, nil, nil},
		{"open window", livespec.ChangeQuery{}, nil, append([]livespec.Key{key("c.md", "Late"), key("a.md", "A"), key("a.md", "New"), key("a.md", "Old"),
			key("old.md", "Intro"), key("b.md", "Intro"), key("a.md", "Long")}, nul...)},
		{"after a write in the window", window, []livespec.Change{ev("c5", 14, "a.md", "A", 0, "", "")},
			append([]livespec.Key{key("a.md", "A"), key("a.md", "New"), key("a.md", "Old"), key("old.md", "Intro"), key("b.md", "Intro"), key("a.md", "Long")}, nul...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.write != nil {
				apply(tt.write...)
			}
			// Kept: read once, then asked again from what was kept.
			for i := range 2 {
				if got := ask(tt.q, 0); !slices.Equal(got, tt.want) {
					t.Errorf("kept names (ask %d) = %v, want %v", i+1, got, tt.want)
				}
			}
			if len(tt.want) > 0 {
				gen, err := s.DataVersion(ctx)
				if err != nil {
					t.Fatal(err)
				}
				from, to, _ := changeWindow(tt.q)
				if names, _ := s.mem().windows.get(gen, windowKey(from, to)); names == nil {
					t.Errorf("the window's names are not kept")
				}
			}
			if got := ask(tt.q, 1); !slices.Equal(got, tt.want) {
				t.Errorf("name indexes = %v, want %v", got, tt.want)
			}
		})
	}
}
