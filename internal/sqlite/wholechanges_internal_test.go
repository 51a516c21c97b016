package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// TestSectionChangesKept checks that a warmed Store answers SectionChanges
// from the events it keeps exactly as the name indexes answer (a Store
// of the same file, not warmed), asking the index nothing: events
// under a name and from an old path or heading, later parts, two commits
// on one section, an event found both under and from a name (read once),
// other repositories and a window's bounds; a name that is not valid
// UTF-8 is asked of the index. After a write, the events are read from
// the index again, the new one with them.
func TestSectionChangesKept(t *testing.T) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2024, 3, d, 9, 0, 0, 0, time.UTC) }
	ev := func(repo, commit string, d int, path, heading string, part int, oldPath, oldHeading string) livespec.Change {
		kind := livespec.Modified
		if oldPath != "" || oldHeading != "" {
			kind = livespec.Renamed
		}
		return livespec.Change{ID: repo + commit + path + "#" + heading + string(rune('0'+part)), Repo: repo, Commit: commit, Seq: int64(d),
			Date: day(d), Section: true, Path: path, Heading: heading, Part: part, Kind: kind, OldPath: oldPath, OldHeading: oldHeading,
			Author: "ann", Message: "edit " + commit, Summary: "+1 -0", Before: "b", After: "a"}
	}
	path := filepath.Join(t.TempDir(), "x.db")
	s, plain := openAt(t, path), openAt(t, path)
	apply := func(cs ...livespec.Change) {
		t.Helper()
		if err := s.Apply(ctx, &livespec.Batch{Repo: cs[0].Repo, Changes: cs}); err != nil {
			t.Fatal(err)
		}
	}
	apply(ev("r", "c1", 1, "a.md", "A", 0, "", ""),
		ev("r", "c2", 10, "a.md", "New", 0, "", "Old"),
		ev("r", "c2", 10, "b.md", "Intro", 0, "old.md", ""),
		ev("r", "c2", 10, "a.md", "Long", 0, "", ""),
		ev("r", "c2", 10, "a.md", "Long", 1, "", "Former"),
		ev("r", "c3", 12, "a.md", "New", 0, "", ""),
		ev("r", "c3", 12, "a.md", "Same", 0, "", "Same"),
		ev("r", "c4", 20, "c.md", "Late", 0, "", ""))
	apply(ev("q", "d1", 11, "a.md", "New", 0, "", ""))
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	key := func(path, heading string) livespec.Key { return livespec.Key{Repo: "r", Path: path, Heading: heading} }
	all := []livespec.Key{key("c.md", "Late"), key("a.md", "A"), key("a.md", "New"), key("a.md", "Old"), key("old.md", "Intro"),
		key("b.md", "Intro"), key("a.md", "Long"), key("a.md", "Former"), key("a.md", "Same"), key("z.md", "A"),
		{Repo: "q", Path: "a.md", Heading: "New"}}
	window := livespec.ChangeQuery{From: day(10), To: day(12)}
	for _, tt := range []struct {
		name     string
		q        livespec.ChangeQuery
		sections []livespec.Key
		write    *livespec.Change // before asking
		kept     bool             // answered from the kept events
		want     int              // events
	}{
		{"every name, any time", livespec.ChangeQuery{}, all, nil, true, 9},
		{"window", window, all, nil, true, 5},
		{"old names", livespec.ChangeQuery{}, []livespec.Key{key("old.md", "Intro"), key("a.md", "Old"), key("a.md", "Former")}, nil, true, 3},
		{"one repository", livespec.ChangeQuery{Repos: []string{"q"}}, all, nil, true, 1},
		{"renamed to itself", livespec.ChangeQuery{}, []livespec.Key{key("a.md", "Same")}, nil, true, 1},
		{"no event", livespec.ChangeQuery{}, []livespec.Key{key("z.md", "A")}, nil, true, 0},
		{"not UTF-8", livespec.ChangeQuery{}, []livespec.Key{key("a.md", "\xffA"), key("a.md", "A")}, nil, false, 1},
		{"after a write", livespec.ChangeQuery{}, all, &livespec.Change{}, false, 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.write != nil {
				apply(ev("r", "c5", 14, "a.md", "A", 0, "", ""))
			}
			fromKept := false
			was := keptSectionChanges
			keptSectionChanges = func(w *wholeChanges, names [][3]string, from, to int64) ([]livespec.Change, bool) {
				out, ok := was(w, names, from, to)
				fromKept = ok
				return out, ok
			}
			defer func() { keptSectionChanges = was }()
			got, err := s.SectionChanges(ctx, tt.q, tt.sections)
			if err != nil {
				t.Fatal(err)
			}
			want, err := plain.SectionChanges(ctx, tt.q, tt.sections)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) || len(got) != tt.want {
				t.Errorf("warmed store: %d events %v, want %d %v", len(got), changeIDs(got), tt.want, changeIDs(want))
			}
			if fromKept != tt.kept {
				t.Errorf("answered from the kept events: %v, want %v", fromKept, tt.kept)
			}
		})
	}
}

// changeIDs returns the ids of cs, joined.
func changeIDs(cs []livespec.Change) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.ID + " ")
	}
	return b.String()
}
