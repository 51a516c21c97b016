package storetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// changeIndexBatches are the events testChangeIndex asks about: in repo
// r, a section edited before the window (a.md#A); in the window (t2) a
// section renamed in place (Old to New), a file moved with its section
// (old.md to b.md), a long section whose later part alone records an old
// name (Long, Former), a file-level event alone (d.md); after it (t3)
// c.md#Late; and in repo q, x.md#A in the window.
func changeIndexBatches() []*livespec.Batch {
	ev := func(repo, commit string, at time.Time, path, heading string, part int, kind livespec.ChangeKind, oldPath, oldHeading string) livespec.Change {
		return livespec.Change{ID: repo + commit + path + "#" + heading + string(rune('0'+part)), Repo: repo, Commit: commit, Seq: at.Unix(),
			Date: at, Section: heading != "", Path: path, Heading: heading, Part: part, Kind: kind, OldPath: oldPath, OldHeading: oldHeading}
	}
	return []*livespec.Batch{
		{Repo: "r", Changes: []livespec.Change{
			ev("r", "c1", t1, "a.md", "", 0, livespec.Modified, "", ""),
			ev("r", "c1", t1, "a.md", "A", 0, livespec.Modified, "", ""),
			ev("r", "c2", t2, "a.md", "New", 0, livespec.Renamed, "", "Old"),
			ev("r", "c2", t2, "b.md", "", 0, livespec.Renamed, "old.md", ""),
			ev("r", "c2", t2, "b.md", "Intro", 0, livespec.Renamed, "old.md", ""),
			ev("r", "c2", t2, "a.md", "Long", 0, livespec.Modified, "", ""),
			ev("r", "c2", t2, "a.md", "Long", 1, livespec.Renamed, "", "Former"),
			ev("r", "c2", t2, "d.md", "", 0, livespec.Modified, "", ""),
			ev("r", "c3", t3, "c.md", "Late", 0, livespec.Added, "", ""),
		}},
		{Repo: "q", Changes: []livespec.Change{ev("q", "c9", t2, "x.md", "A", 0, livespec.Modified, "", "")}},
	}
}

// testChangeIndex checks ChangedFiles and ChangedSections against what
// the window's events say, and the helpers that read them from events.
func testChangeIndex(t *testing.T, s livespec.Store) {
	apply(t, s, changeIndexBatches()...)
	ctx := context.Background()
	key := func(repo, path, heading string) livespec.Key {
		return livespec.Key{Repo: repo, Path: path, Heading: heading}
	}
	asked := []livespec.Key{key("r", "a.md", "A"), key("r", "a.md", "New"), key("r", "a.md", "Old"), key("r", "old.md", "Intro"),
		key("r", "b.md", "Intro"), key("r", "a.md", "Long"), key("r", "a.md", "Former"), key("r", "c.md", "Late"), key("q", "x.md", "A")}
	window := livespec.ChangeQuery{From: t2, To: t3}
	for _, tt := range []struct {
		name     string
		q        livespec.ChangeQuery
		files    []livespec.Key
		sections []livespec.Key
	}{
		{"window", window, []livespec.Key{key("q", "x.md", ""), key("r", "a.md", ""), key("r", "b.md", "")},
			[]livespec.Key{key("r", "a.md", "New"), key("r", "a.md", "Old"), key("r", "old.md", "Intro"), key("r", "b.md", "Intro"), key("r", "a.md", "Long"), key("q", "x.md", "A")}},
		{"one repository", livespec.ChangeQuery{Repos: []string{"r"}, From: t2, To: t3}, []livespec.Key{key("r", "a.md", ""), key("r", "b.md", "")},
			[]livespec.Key{key("r", "a.md", "New"), key("r", "a.md", "Old"), key("r", "old.md", "Intro"), key("r", "b.md", "Intro"), key("r", "a.md", "Long")}},
		{"open window", livespec.ChangeQuery{Repos: []string{"r"}}, []livespec.Key{key("r", "a.md", ""), key("r", "b.md", ""), key("r", "c.md", "")},
			[]livespec.Key{key("r", "a.md", "A"), key("r", "a.md", "New"), key("r", "a.md", "Old"), key("r", "old.md", "Intro"), key("r", "b.md", "Intro"), key("r", "a.md", "Long"), key("r", "c.md", "Late")}},
		{"empty window", livespec.ChangeQuery{From: t2, To: t2}, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files := query(t, "changed files", s.ChangedFiles, tt.q)
			secs, err := s.ChangedSections(ctx, tt.q, asked)
			if err != nil {
				t.Fatalf("changed sections: %v", err)
			}
			if !slices.Equal(files, tt.files) || !slices.Equal(secs, tt.sections) {
				t.Errorf("changed files %v, sections %v; want %v and %v", files, secs, tt.files, tt.sections)
			}
			tt.q.Sections = true
			cs := changes(t, s, tt.q)
			if of := livespec.ChangedFilesOf(cs); !slices.Equal(of, tt.files) {
				t.Errorf("ChangedFilesOf the window's events = %v, want %v", of, tt.files)
			}
			if of := livespec.ChangedSectionsOf(cs, asked); !slices.Equal(of, tt.sections) {
				t.Errorf("ChangedSectionsOf the window's events = %v, want %v", of, tt.sections)
			}
		})
	}
}

// testSectionChanges checks that SectionChanges returns a section's
// events under its name and those that renamed or moved it away, on any
// part, in Changes order, within q's repositories and window, as the
// helper that reads them from the files' events does.
func testSectionChanges(t *testing.T, s livespec.Store) {
	apply(t, s, changeIndexBatches()...)
	ctx := context.Background()
	key := func(repo, path, heading string) livespec.Key {
		return livespec.Key{Repo: repo, Path: path, Heading: heading}
	}
	for _, tt := range []struct {
		name     string
		q        livespec.ChangeQuery
		sections []livespec.Key
		want     []string // ids
	}{
		{"renamed from its old name", livespec.ChangeQuery{}, []livespec.Key{key("r", "a.md", "Old")}, []string{"rc2a.md#New0"}},
		{"under its new name", livespec.ChangeQuery{}, []livespec.Key{key("r", "a.md", "New")}, []string{"rc2a.md#New0"}},
		{"moved with its file", livespec.ChangeQuery{}, []livespec.Key{key("r", "old.md", "Intro")}, []string{"rc2b.md#Intro0"}},
		{"old name on a later part", livespec.ChangeQuery{}, []livespec.Key{key("r", "a.md", "Former")}, []string{"rc2a.md#Long1"}},
		{"every part", livespec.ChangeQuery{}, []livespec.Key{{Repo: "r", Path: "a.md", Heading: "Long", Part: 3}}, []string{"rc2a.md#Long0", "rc2a.md#Long1"}},
		{"in Changes order, each once", livespec.ChangeQuery{}, []livespec.Key{key("q", "x.md", "A"), key("r", "a.md", "New"), key("r", "a.md", "A"), key("r", "a.md", "Old")},
			[]string{"rc1a.md#A0", "qc9x.md#A0", "rc2a.md#New0"}},
		{"one repository", livespec.ChangeQuery{Repos: []string{"r"}}, []livespec.Key{key("q", "x.md", "A"), key("r", "a.md", "A")}, []string{"rc1a.md#A0"}},
		{"window", livespec.ChangeQuery{From: t2, To: t3}, []livespec.Key{key("r", "a.md", "A"), key("r", "c.md", "Late"), key("q", "x.md", "A")}, []string{"qc9x.md#A0"}},
		{"no file-level events", livespec.ChangeQuery{}, []livespec.Key{key("r", "d.md", ""), key("r", "b.md", "")}, nil},
		{"unknown section", livespec.ChangeQuery{}, []livespec.Key{key("r", "a.md", "Missing")}, nil},
		{"no sections", livespec.ChangeQuery{}, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := s.SectionChanges(ctx, tt.q, tt.sections)
			if err != nil {
				t.Fatalf("section changes: %v", err)
			}
			if got := changeIDs(cs); !slices.Equal(got, tt.want) {
				t.Errorf("section changes = %v, want %v", got, tt.want)
			}
			if len(tt.sections) == 0 {
				return
			}
			fq := tt.q
			fq.Paths, fq.Sections = livespec.SectionPaths(tt.sections), true
			if got := changeIDs(livespec.SectionChangesOf(changes(t, s, fq), tt.sections)); !slices.Equal(got, tt.want) {
				t.Errorf("SectionChangesOf the files' events = %v, want %v", got, tt.want)
			}
		})
	}
}

func changeIDs(cs []livespec.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// testChangedFilesDays checks that ChangedFiles names the files of a
// window's section events for windows that start and end anywhere around
// midnight or before 1970, as written, after an event is written again on
// another day (changes are upserted by id) and after a repository is
// deleted.
func testChangedFilesDays(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	mid := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	times := []time.Time{mid.Add(-25 * time.Hour), mid.Add(-time.Nanosecond), mid, mid.Add(time.Nanosecond), mid.Add(13 * time.Hour),
		mid.Add(48 * time.Hour), time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(1970, 1, 1, 1, 0, 0, 0, time.UTC)}
	ev := func(repo, path string, at time.Time, section bool) livespec.Change {
		heading := ""
		if section {
			heading = "S"
		}
		return livespec.Change{ID: repo + path + heading, Repo: repo, Commit: "c" + path, Seq: 1, Date: at, Section: section, Path: path, Heading: heading, Kind: livespec.Modified}
	}
	r := &livespec.Batch{Repo: "r", Changes: []livespec.Change{ev("r", "g.md", mid, false)}}
	for i, at := range times {
		r.Changes = append(r.Changes, ev("r", fmt.Sprintf("f%d.md", i), at, true))
	}
	q := &livespec.Batch{Repo: "q", Changes: []livespec.Change{ev("q", "q.md", mid, true)}}
	apply(t, s, r, q)
	edges := []time.Time{{}}
	for _, at := range append(times, mid.Add(24*time.Hour), mid.Add(-24*time.Hour)) {
		edges = append(edges, at.Add(-time.Nanosecond), at, at.Add(time.Nanosecond))
	}
	check := func(when string) {
		t.Helper()
		for _, from := range edges {
			for _, to := range edges {
				w := livespec.ChangeQuery{From: from, To: to}
				if !to.IsZero() && to.Before(from) {
					continue
				}
				got, err := s.ChangedFiles(ctx, w)
				if err != nil {
					t.Fatalf("%s: changed files of [%s, %s): %v", when, from, to, err)
				}
				w.Sections = true
				if want := livespec.ChangedFilesOf(changes(t, s, w)); !slices.Equal(got, want) {
					t.Fatalf("%s: changed files of [%s, %s) = %v, want %v", when, from, to, got, want)
				}
			}
		}
	}
	check("as written")
	moved := ev("r", "f2.md", mid.Add(48*time.Hour), true) // same id, two days later
	apply(t, s, &livespec.Batch{Repo: "r", Changes: []livespec.Change{moved}})
	if got := query(t, "changed files", s.ChangedFiles, livespec.ChangeQuery{From: mid, To: mid.Add(time.Hour)}); slices.Contains(got, livespec.Key{Repo: "r", Path: "f2.md"}) {
		t.Errorf("f2.md still changed on its old day after its event moved: %v", got)
	}
	check("after an event moved")
	if err := s.DeleteRepo(ctx, "q"); err != nil {
		t.Fatal(err)
	}
	check("after deleting q")
}

// testCountChanges checks that CountChanges counts the events of q's
// window per repository as a report merges them (each file-level event;
// a commit's events on the parts of one section once, the text before a
// file's first heading being a section of its own), as the helper that
// counts the window's events does.
func testCountChanges(t *testing.T, s livespec.Store) {
	ev := func(repo, commit string, at time.Time, section bool, path, heading string, part int) livespec.Change {
		id := fmt.Sprintf("%s%s%s#%s%d%t", repo, commit, path, heading, part, section)
		return livespec.Change{ID: id, Repo: repo, Commit: commit, Seq: at.Unix(), Date: at, Section: section,
			Path: path, Heading: heading, Part: part, Kind: livespec.Modified}
	}
	apply(t, s, &livespec.Batch{Repo: "r", Changes: []livespec.Change{
		ev("r", "c1", t1, true, "a.md", "A", 0),
		ev("r", "c2", t2, false, "a.md", "", 0),
		ev("r", "c2", t2, true, "a.md", "", 0),
		ev("r", "c2", t2, true, "a.md", "A", 0),
		ev("r", "c2", t2, true, "a.md", "A", 1),
		ev("r", "c2", t2, true, "a.md", "A", 2),
		ev("r", "c2", t2, true, "b.md", "A", 0),
		ev("r", "c3", t2.Add(time.Hour), true, "a.md", "A", 0),
		ev("r", "c4", t3, false, "c.md", "", 0),
	}}, &livespec.Batch{Repo: "q", Changes: []livespec.Change{
		ev("q", "c9", t2, true, "x.md", "A", 0),
		ev("q", "c9", t2, true, "x.md", "A", 1),
	}})
	for _, tt := range []struct {
		name string
		q    livespec.ChangeQuery
		want map[string]int
	}{
		{"window", livespec.ChangeQuery{From: t2, To: t3}, map[string]int{"r": 5, "q": 1}},
		{"one repository", livespec.ChangeQuery{Repos: []string{"q"}, From: t2, To: t3}, map[string]int{"q": 1}},
		{"open window", livespec.ChangeQuery{Repos: []string{"r"}}, map[string]int{"r": 7}},
		{"window ends at an event", livespec.ChangeQuery{From: t1, To: t2}, map[string]int{"r": 1}},
		{"empty window", livespec.ChangeQuery{From: t2, To: t2}, map[string]int{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.CountChanges(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("count changes: %v", err)
			}
			if !maps.Equal(n, tt.want) {
				t.Errorf("count changes = %v, want %v", n, tt.want)
			}
			tt.q.Sections = true
			if of := livespec.CountChangesOf(changes(t, s, tt.q)); !maps.Equal(of, tt.want) {
				t.Errorf("CountChangesOf the window's events = %v, want %v", of, tt.want)
			}
		})
	}
}
