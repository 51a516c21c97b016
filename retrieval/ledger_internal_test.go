package retrieval

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// partsStore is a store that answers SectionChanges from its events
// (livespec.SectionChangesOf) and counts the calls.
type partsStore struct {
	livespec.Store
	events []livespec.Change
	reads  int
}

func (s *partsStore) SectionChanges(_ context.Context, _ livespec.ChangeQuery, sections []livespec.Key) ([]livespec.Change, error) {
	s.reads++
	return livespec.SectionChangesOf(s.events, sections), nil
}

// TestWithAllParts checks that the events a report reads of the sections
// it asks about come with the other parts of each, so that the parts
// merge as a report of the whole file merges them: the first part's ids
// and old names.
func TestWithAllParts(t *testing.T) {
	d1, d2 := time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC), time.Date(2024, 3, 9, 12, 0, 0, 0, time.UTC)
	ev := func(id string, date time.Time, seq int64, heading string, part int, oldHeading string) livespec.Change {
		kind := livespec.Modified
		if oldHeading != "" {
			kind = livespec.Renamed
		}
		return livespec.Change{ID: id, Date: date, Seq: seq, Commit: "c" + id[:1], Repo: "r", Path: "a.md", Section: true,
			Heading: heading, Part: part, OldHeading: oldHeading, Kind: kind}
	}
	events := []livespec.Change{
		ev("1a", d1, 1, "A > New", 0, ""),        // a part with no old name
		ev("1b", d1, 1, "A > New", 1, "A > Old"), // the part that had the asked name
		ev("2a", d2, 2, "A > New", 0, ""),        // a later commit under the present name
		ev("2c", d2, 2, "A > Other", 0, ""),
	}
	tests := []struct {
		name      string
		asked     []string
		want      []string // the events' ids
		reads     int      // SectionChanges calls, the first one's included
		oldOfPart string   // the merged first event's old heading
	}{
		{"found under its name", []string{"A > New"}, []string{"1a", "1b", "2a"}, 1, ""},
		{"found from its old name on a later part", []string{"A > Old"}, []string{"1a", "1b"}, 2, ""},
		{"found under another name", []string{"A > Other"}, []string{"2c"}, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := &partsStore{events: events}
			a := &Assistant{Store: st}
			var asked []livespec.Key
			for _, h := range tc.asked {
				asked = append(asked, livespec.Key{Repo: "r", Path: "a.md", Heading: h})
			}
			cs, err := st.SectionChanges(context.Background(), livespec.ChangeQuery{}, asked)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.withAllParts(context.Background(), livespec.ChangeQuery{}, cs, asked)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tc.want) || st.reads != tc.reads {
				t.Errorf("events = %v after %d reads, want %v after %d", ids, st.reads, tc.want, tc.reads)
			}
			if m := MergeParts(got); m[0].OldHeading != tc.oldOfPart || m[0].ID != tc.want[0] {
				t.Errorf("merged first event = %s from %q, want %s from %q", m[0].ID, m[0].OldHeading, tc.want[0], tc.oldOfPart)
			}
		})
	}
}
