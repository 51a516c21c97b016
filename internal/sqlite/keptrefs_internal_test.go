package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// manyVersionsStore returns an index where one text ("swap memory on
// nodes") is carried by the section S of each of files files, a few of
// which change it in a second commit, and another text by three
// versions; its file; and the time between the two commits.
func manyVersionsStore(tb testing.TB, files int) (*Store, string, time.Time) {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "x.db")
	s := openAt(tb, path)
	first, later := map[string][]livespec.Section{}, map[string][]livespec.Section{}
	for i := range files {
		p := fmt.Sprintf("f%03d.md", i)
		first[p] = []livespec.Section{storetest.Sec("S", "## S\nswap memory on nodes\n"),
			storetest.Sec("T", fmt.Sprintf("## T\nswap %s memory\n", slices.Repeat([]string{"swap"}, i%3+1)))}
		if i%9 == 4 {
			later[p] = []livespec.Section{storetest.Sec("S", "## S\nswap no more\n")}
		}
		if i < 3 {
			first[p] = append(first[p], storetest.Sec("P", "## P\npressure eviction on nodes\n"))
		}
	}
	for _, b := range wordyBatches("r", 1, []map[string][]livespec.Section{first, later}) {
		if err := s.Apply(ctx, b); err != nil {
			tb.Fatal(err)
		}
	}
	return s, path, time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC)
}

// TestSearchManyVersionsOfATextKept checks searches whose few hits fall
// inside the versions of a text that many versions carry: with every
// validity, read and then kept, each returns the first hits of the same
// search with a limit above every match by a Store that keeps nothing,
// in the same order with the same scores.
func TestSearchManyVersionsOfATextKept(t *testing.T) {
	ctx := context.Background()
	s, path, between := manyVersionsStore(t, 120)
	fresh := openAt(t, path)
	fresh.mem().search.off = true
	validities := []struct {
		name string
		v    livespec.Validity
	}{
		{"current", livespec.Validity{}},
		{"as of", livespec.AsOf(between)},
		{"any", livespec.AnyVersion()},
	}
	for _, step := range []string{"read", "kept"} {
		for _, v := range validities {
			for _, q := range []livespec.SearchQuery{
				{Text: "swap memory nodes"},
				{Text: "swap memory nodes", Repos: []string{"r"}, Paths: []string{"f00*.md", "f1*.md"}},
			} {
				q.Validity = v.v
				all := q
				all.Limit = 1000
				full, err := fresh.Search(ctx, all)
				if err != nil {
					t.Fatal(err)
				}
				for _, limit := range []int{1, 2, 5, 13} {
					t.Run(fmt.Sprint(step, "/", v.name, "/", q.Paths, "/", limit), func(t *testing.T) {
						q.Limit = limit
						got, err := s.Search(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						want := full[:min(limit, len(full))]
						if !slices.EqualFunc(got, want, func(a, b livespec.Hit) bool {
							return a.Version.ID == b.Version.ID && a.Version.Key == b.Version.Key && a.Score == b.Score && a.Version.Text == b.Version.Text
						}) {
							t.Errorf("got  %v\nwant %v", hitKeys(got), hitKeys(want))
						}
					})
				}
			}
		}
	}
}

func hitKeys(hs []livespec.Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = fmt.Sprintf("%s %s %s %v", h.Version.Path, h.Version.Heading, h.Version.ID, h.Score)
	}
	return out
}

// TestSearchBuildsOnlyTheRefsItKeeps checks what a search with one hit
// allocates when its best text is kept and carried by many versions: no
// more than when it is carried by three. A search built a ref (about
// 100 bytes) for every passing version of every candidate text and kept
// the first few.
func TestSearchBuildsOnlyTheRefsItKeeps(t *testing.T) {
	ctx := context.Background()
	s, _, _ := manyVersionsStore(t, 400)
	allocated := func(text string) uint64 {
		q := livespec.SearchQuery{Text: text, Validity: livespec.AnyVersion(), Limit: 1}
		if _, err := s.Search(ctx, q); err != nil { // read and keep
			t.Fatal(err)
		}
		const runs = 20
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range runs {
			if _, err := s.Search(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / runs
	}
	few, many := allocated("pressure eviction"), allocated("nodes on memory")
	t.Logf("bytes a search: best text of 3 versions %d, of 400 %d", few, many)
	if many > few+4<<10 {
		t.Errorf("a search whose best text has 400 versions allocates %d bytes, %d more than with 3", many, many-few)
	}
}
