package retrieval

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

func TestGroupChanges(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	file := func(d int, path string) livespec.Change {
		return livespec.Change{ID: fmt.Sprint(d, path), Repo: "r", Commit: fmt.Sprint("c", d), Date: at(d), Path: path, Kind: livespec.Modified}
	}
	sec := func(d int, path, heading string) livespec.Change {
		c := file(d, path)
		c.ID += heading
		c.Heading, c.Section = heading, true
		return c
	}
	// In store order: by date, file-level before section-level.
	in := []livespec.Change{
		file(1, "b.md"), sec(1, "b.md", "B > One"),
		file(2, "a.md"), sec(2, "a.md", "A > Two"), sec(2, "a.md", "A > One"),
		file(3, "b.md"), sec(3, "b.md", "B > Two"), sec(3, "b.md", "B > One"),
	}
	var got []string
	for _, c := range groupChanges(in) {
		got = append(got, c.Path+"#"+c.Heading+"@"+c.Commit)
	}
	want := []string{
		"b.md#@c1", "b.md#@c3", "b.md#B > One@c1", "b.md#B > One@c3", "b.md#B > Two@c3",
		"a.md#@c2", "a.md#A > Two@c2", "a.md#A > One@c2",
	}
	if !slices.Equal(got, want) {
		t.Errorf("grouped =\n%v\nwant\n%v", got, want)
	}

	t.Run("section events are capped, file events are not", func(t *testing.T) {
		var many []livespec.Change
		for d := 1; d <= 28; d++ {
			many = append(many, file(d, "a.md"))
			for i := 0; i < 10; i++ {
				many = append(many, sec(d, "a.md", fmt.Sprint("S", i)))
			}
		}
		files, sections := 0, 0
		for _, c := range groupChanges(many) {
			if c.Section {
				sections++
			} else {
				files++
			}
		}
		if files != 28 || sections != maxSectionEvents {
			t.Errorf("kept %d file and %d section events, want 28 and %d", files, sections, maxSectionEvents)
		}
	})
}

func TestUsefulTopic(t *testing.T) {
	tests := []struct {
		topic string
		want  bool
	}{
		{"", false},
		{"the specs", false},
		{"the specification documents", false},
		{"authentication", true},
		{"the contributing guide", true},
	}
	for _, tc := range tests {
		t.Run(tc.topic, func(t *testing.T) {
			if got := usefulTopic(tc.topic); got != tc.want {
				t.Errorf("usefulTopic(%q) = %v, want %v", tc.topic, got, tc.want)
			}
		})
	}
}
