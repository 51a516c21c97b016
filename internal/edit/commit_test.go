package edit

import (
	"errors"
	"slices"
	"testing"

	"github.com/livespec/livespec"
)

func sec(path, heading string, kind livespec.ChangeKind, text string) Event {
	return Event{Section: true, Kind: kind, Path: path, Heading: heading, Text: text}
}

func file(path string, kind livespec.ChangeKind) Event {
	return Event{Kind: kind, Path: path}
}

func TestCommit(t *testing.T) {
	const typo, links = livespec.EditTypo, livespec.EditLinks
	mod, add, ren := livespec.Modified, livespec.Added, livespec.Renamed
	sweepFiles := func(kind livespec.ChangeKind, text string) []Event {
		var evs []Event
		for _, p := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
			evs = append(evs, file(p+".md", kind), sec(p+".md", "H", mod, text))
		}
		return evs
	}
	tests := []struct {
		name     string
		evs      []Event
		standing int
		want     []string
	}{
		{"a typo fix marks the section and its file", []Event{file("a.md", mod), sec("a.md", "A", mod, typo)}, 1,
			[]string{typo, typo}},
		{"a file takes its sections' most telling kind", []Event{file("a.md", mod), sec("a.md", "A", mod, livespec.EditWhitespace), sec("a.md", "B", mod, links)}, 1,
			[]string{links, livespec.EditWhitespace, links}},
		{"one change of substance makes the file substance", []Event{file("a.md", mod), sec("a.md", "A", mod, typo), sec("a.md", "B", mod, "")}, 1,
			[]string{"", typo, ""}},
		{"an added section makes the file substance", []Event{file("a.md", mod), sec("a.md", "A", mod, typo), sec("a.md", "B", add, "")}, 1,
			[]string{"", typo, ""}},
		{"a file whose sections did not change is whitespace", []Event{file("a.md", mod)}, 1,
			[]string{livespec.EditWhitespace}},
		{"parts of one section are classified together", []Event{file("a.md", mod), sec("a.md", "A", mod, typo), sec("a.md", "A", mod, "")}, 1,
			[]string{"", "", ""}},
		{"other files' sections do not count", []Event{file("a.md", mod), sec("a.md", "A", mod, typo), file("b.md", mod), sec("b.md", "A", mod, "")}, 2,
			[]string{typo, typo, "", ""}},
		{"a renamed section that kept its text moved", []Event{file("a.md", mod), sec("a.md", "A > B", ren, livespec.EditMoved)}, 1,
			[]string{livespec.EditMoved, livespec.EditMoved}},
		{"additions and file renames are never editorial", []Event{file("a.md", ren), sec("a.md", "A", ren, livespec.EditMoved), file("b.md", add), sec("b.md", "B", add, "")}, 1,
			[]string{"", livespec.EditMoved, "", ""}},
		{"eight of ten files modified is a sweep", sweepFiles(mod, ""), 10,
			slices.Repeat([]string{livespec.EditSweep}, 16)},
		{"eight of twenty files modified is no sweep", sweepFiles(mod, ""), 20,
			slices.Repeat([]string{""}, 16)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Commit(tc.evs, func() (int, error) { return tc.standing, nil })
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Commit = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCommitCountsFilesOnlyForLargeCommits(t *testing.T) {
	broken := errors.New("no count")
	called := false
	count := func() (int, error) { called = true; return 0, broken }
	if _, err := Commit([]Event{file("a.md", livespec.Modified)}, count); err != nil || called {
		t.Errorf("a one-file commit: err %v, counted %v; want neither", err, called)
	}
	var evs []Event
	for range SweepMinFiles {
		evs = append(evs, file("x.md", livespec.Modified))
	}
	if _, err := Commit(evs, count); !errors.Is(err, broken) {
		t.Errorf("a large commit's count failing: err %v, want %v", err, broken)
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name          string
		kind          livespec.ChangeKind
		before, after string
		want          string
	}{
		{"a typo fix", livespec.Modified, "Teh token.\n", "The token.\n", livespec.EditTypo},
		{"a rename that kept the text moved", livespec.Renamed, "# B\n\nText.\n", "# B\n\nText.\n", livespec.EditMoved},
		{"a rename that changed the heading level", livespec.Renamed, "# B\n\nText.\n", "## B\n\nText.\n", livespec.EditHeading},
		{"an addition is substance", livespec.Added, "", "New.\n", ""},
		{"a new rule is substance", livespec.Modified, "Tokens last a day.\n", "Tokens last a week.\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.kind, tc.before, tc.after); got != tc.want {
				t.Errorf("Text(%s, %q, %q) = %q, want %q", tc.kind, tc.before, tc.after, got, tc.want)
			}
		})
	}
}
