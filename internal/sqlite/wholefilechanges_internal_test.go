package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// TestChangesFromKeptFileEvents checks, on random histories of section-
// and file-level events, that a warmed Store answers Changes of
// file-level events with no path filter or cursor from the events it
// keeps, exactly as an unwarmed Store of the same file reads them (in
// full and briefly, of one repository or more, windows of any bounds,
// some on an event's date, with a limit at times), and asks the index for any other query.
func TestChangesFromKeptFileEvents(t *testing.T) {
	ctx := context.Background()
	for seed := range 8 {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 23))
			history, _ := randomHistory(rng, 40+rng.IntN(40))
			for _, b := range history {
				b.Changes = append(b.Changes, fileEvents(rng, b)...)
			}
			s, plain := warmedAndPlain(t, history)
			for i := range 40 {
				q := randomWindow(rng)
				if rng.IntN(3) == 0 { // bounds on an event's date
					q.From = history[rng.IntN(len(history))].Changes[0].Date
					q.To = q.From.Add(time.Duration(rng.IntN(3)) * 24 * time.Hour)
				}
				q.Brief, q.Limit = rng.IntN(2) == 0, []int{0, 0, 1, 5}[rng.IntN(4)]
				if rng.IntN(4) == 0 {
					q.Repos = []string{"q", "r"}
				}
				wantKept := true
				switch rng.IntN(6) {
				case 0:
					q.Sections, wantKept = true, false
				case 1:
					q.Paths, wantKept = []string{"a.md"}, false
				}
				kept := false
				was := keptFileChanges
				keptFileChanges = func(w *wholeFileChanges, q livespec.ChangeQuery) ([]livespec.Change, bool) {
					kept = true
					return was(w, q)
				}
				got, err := s.Changes(ctx, q)
				keptFileChanges = was
				if err != nil {
					t.Fatal(err)
				}
				want, err := plain.Changes(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("query %d %+v: warmed %s, read %s", i, q, changeIDs(got), changeIDs(want))
				}
				if kept != wantKept {
					t.Errorf("query %d %+v: answered from the kept events: %v, want %v", i, q, kept, wantKept)
				}
			}
			// After a write, the events are read from the index, the new one with them.
			later := &livespec.Batch{Repo: "r", Changes: []livespec.Change{{ID: "late", Repo: "r", Commit: "late", Seq: 1000,
				Date: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Path: "a.md", Kind: livespec.Modified}}}
			if err := plain.Apply(ctx, later); err != nil {
				t.Fatal(err)
			}
			was := keptFileChanges
			keptFileChanges = func(w *wholeFileChanges, q livespec.ChangeQuery) ([]livespec.Change, bool) {
				t.Error("after a write: answered from the kept events")
				return was(w, q)
			}
			defer func() { keptFileChanges = was }()
			got, err := s.Changes(ctx, livespec.ChangeQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || got[len(got)-1].ID != "late" {
				t.Errorf("after a write: the new event is not read (%d events)", len(got))
			}
		})
	}
}

// fileEvents returns a file-level event of b's commit for each file its
// section events changed, some renamed from another path.
func fileEvents(rng *rand.Rand, b *livespec.Batch) []livespec.Change {
	var out []livespec.Change
	seen := map[string]bool{}
	for _, c := range b.Changes {
		if seen[c.Path] {
			continue
		}
		seen[c.Path] = true
		f := livespec.Change{ID: c.Commit + c.Path + "#file", Repo: c.Repo, Commit: c.Commit, Seq: c.Seq, Date: c.Date,
			Path: c.Path, Kind: livespec.Modified, Author: "ann", AuthorDate: c.Date.Add(-time.Hour), Message: "edit " + c.Commit,
			Summary: "+1 -0"}
		if rng.IntN(4) == 0 {
			f.Kind, f.OldPath = livespec.Renamed, "was-"+c.Path
		}
		out = append(out, f)
	}
	return out
}
