package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// moreRun is the history of one ingest run of repo as batches, every one
// but the last marked More, and the word that only the text of each version
// holds (version id → word).
func moreRun(repo string) ([]*livespec.Batch, map[string]string) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	h := storetest.NewHistory(repo)
	words := make(map[string]string)
	var batches []*livespec.Batch
	for i := range 9 {
		word := fmt.Sprintf("%sword%dx", repo, i)
		files := map[string][]livespec.Section{
			fmt.Sprintf("f%d.md", i%3): {
				storetest.Sec("", "# Title\nshared preamble"),
				storetest.Sec("Body", "## Body\nrevision "+word),
			},
		}
		var deleted []string
		if i == 6 {
			files = nil
			deleted = []string{"f1.md"}
		}
		b := h.Commit(storetest.Commit{SHA: fmt.Sprintf("%s%039d", repo[:1], i), Time: t0.Add(time.Duration(i) * time.Hour),
			Author: "a", Message: "m", Files: files, Deleted: deleted})
		for _, v := range b.Versions {
			if v.Heading == "Body" {
				words[v.ID] = word
			}
		}
		b.More = true
		batches = append(batches, b)
	}
	batches[len(batches)-1].More = false
	return batches, words
}

// openTemp opens a new index in a temporary directory, closed when the
// test ends.
func openTemp(tb testing.TB) *Store {
	tb.Helper()
	return openAt(tb, filepath.Join(tb.TempDir(), "x.db"))
}

// openAt opens the index at path, closed when the test ends.
func openAt(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// applyAll applies batches to s in order.
func applyAll(tb testing.TB, s *Store, batches ...*livespec.Batch) {
	tb.Helper()
	for _, b := range batches {
		if err := s.Apply(context.Background(), b); err != nil {
			tb.Fatal(err)
		}
	}
}

// searchIDs returns the ids of the versions a search for word finds.
func searchIDs(t *testing.T, s *Store, word string, v livespec.Validity) []string {
	t.Helper()
	hits, err := s.Search(context.Background(), livespec.SearchQuery{Text: word, Validity: v, Limit: 50})
	if err != nil {
		t.Fatalf("search %q: %v", word, err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.Version.ID)
	}
	slices.Sort(ids)
	return ids
}

// checkSearches asserts what a reader sees: every version's word finds it
// among all versions, and a current search finds it exactly when it is
// open.
func checkSearches(t *testing.T, s *Store, words map[string]string, when string) {
	t.Helper()
	for id, word := range words {
		v, err := s.Version(context.Background(), id)
		if err != nil {
			t.Fatalf("%s: version %s: %v", when, id, err)
		}
		if got := searchIDs(t, s, word, livespec.AnyVersion()); !slices.Equal(got, []string{id}) {
			t.Errorf("%s: any-version search for %q found %v, want [%s]", when, word, got, id)
		}
		cur := searchIDs(t, s, word, livespec.Current())
		switch {
		case !v.Current() && len(cur) > 0:
			t.Errorf("%s: current search for %q (closed version %s) found %v", when, word, id, cur)
		case v.Current() && !slices.Equal(cur, []string{id}):
			t.Errorf("%s: current search for %q found %v, want [%s]", when, word, cur, id)
		}
	}
}

// TestCurrentSearchDuringARun checks that a current search is complete
// after every batch of a run, More or not (the store defers nothing), also
// after a run killed mid-way and resumed, after DeleteRepo, and with two
// repos' runs interleaved.
func TestCurrentSearchDuringARun(t *testing.T) {
	ctx := context.Background()
	batches, words := moreRun("repo")

	t.Run("complete after every batch", func(t *testing.T) {
		s := openTemp(t)
		for i, b := range batches {
			applyAll(t, s, b)
			checkFTS(t, s, fmt.Sprintf("after batch %d", i))
			seen := make(map[string]string)
			for _, bb := range batches[:i+1] {
				for _, v := range bb.Versions {
					if w, ok := words[v.ID]; ok {
						seen[v.ID] = w
					}
				}
			}
			checkSearches(t, s, seen, fmt.Sprintf("after batch %d", i))
		}
	})

	t.Run("killed mid-run and resumed", func(t *testing.T) {
		clean := openTemp(t)
		applyAll(t, clean, batches...)
		for k := 1; k < len(batches); k++ {
			path := filepath.Join(t.TempDir(), "x.db")
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			applyAll(t, s, batches[:k]...)
			// The process dies: the committed batches stay, nothing else.
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s, err = Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			// The resumed run replays from the checkpoint on; the first
			// of its batches may repeat the last one applied.
			applyAll(t, s, batches[k-1:]...)
			checkFTS(t, s, fmt.Sprintf("killed after batch %d, resumed", k))
			checkSearches(t, s, words, fmt.Sprintf("killed after batch %d, resumed", k))
			if got, want := storetest.Snapshot(ctx, t, s, "repo"), storetest.Snapshot(ctx, t, clean, "repo"); got != want {
				t.Errorf("killed after batch %d and resumed: the store differs from a clean run's", k)
			}
		}
	})

	t.Run("DeleteRepo mid-run", func(t *testing.T) {
		s := openTemp(t)
		other, otherWords := moreRun("other")
		applyAll(t, s, other...)
		applyAll(t, s, batches[:5]...)
		if err := s.DeleteRepo(ctx, "repo"); err != nil {
			t.Fatal(err)
		}
		checkFTS(t, s, "after deleting a repo mid-run")
		checkSearches(t, s, otherWords, "after deleting a repo mid-run")
	})

	t.Run("another repo's run in between", func(t *testing.T) {
		s := openTemp(t)
		other, otherWords := moreRun("other")
		applyAll(t, s, batches[:5]...)
		applyAll(t, s, other...)
		checkFTS(t, s, "after another repo's run")
		checkSearches(t, s, otherWords, "after another repo's run")
		applyAll(t, s, batches[5:]...)
		checkFTS(t, s, "after both runs")
		checkSearches(t, s, words, "after both runs")
	})
}
