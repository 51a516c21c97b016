package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// TestSearchByPathSharedTexts checks a search narrowed to literal paths
// when one text is carried by several versions, of the named files and of
// others, so that the hit limit falls inside a text's versions: it
// returns what the same search over every path returns for those paths,
// in the same order.
func TestSearchByPathSharedTexts(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	shared := func(h string) livespec.Section { return storetest.Sec(h, "## "+h+"\nswap memory on nodes\n") }
	other := func(h, words string) livespec.Section { return storetest.Sec(h, "## "+h+"\n"+words+"\n") }
	commits := []map[string][]livespec.Section{
		{
			"a.md": {shared("S"), other("T", "swap swap memory")},
			"b.md": {shared("S"), other("U", "memory pressure")},
			"c.md": {shared("S"), shared("S2")},
		},
		{
			"a.md": {shared("S"), other("T", "swap swap memory nodes")},
			"b.md": {other("S", "pods"), other("U", "memory pressure")},
		},
	}
	for _, b := range wordyBatches("r", 1, commits) {
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Search(ctx, livespec.SearchQuery{Text: "swap memory", Validity: livespec.AnyVersion(), Repos: []string{"r"}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, paths := range [][]string{{"a.md"}, {"b.md", "c.md"}, {"a.md", "c.md"}} {
		for limit := 1; limit <= 8; limit++ {
			t.Run(fmt.Sprint(paths, limit), func(t *testing.T) {
				got, err := s.Search(ctx, livespec.SearchQuery{Text: "swap memory", Validity: livespec.AnyVersion(), Repos: []string{"r"}, Paths: paths, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				var want, ids []string
				for _, h := range all {
					if slices.Contains(paths, h.Version.Path) && len(want) < limit {
						want = append(want, fmt.Sprintf("%s %s %v", h.Version.Path, h.Version.Heading, h.Score))
					}
				}
				for _, h := range got {
					ids = append(ids, fmt.Sprintf("%s %s %v", h.Version.Path, h.Version.Heading, h.Score))
				}
				if !slices.Equal(ids, want) {
					t.Errorf("got  %v\nwant %v", ids, want)
				}
			})
		}
	}
}

// TestSearchManyPathsKept checks a search of any version narrowed to more
// literal paths than maxByPath, as a change report searches the files a
// busy month changed: it returns what the same search over every path
// returns for those paths, in the same order, when the paths' versions
// are read, when they are kept from an earlier search, and after a write
// adds a version to one of them.
func TestSearchManyPathsKept(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	files := map[string][]livespec.Section{}
	var paths []string
	for i := range maxByPath + 6 {
		p := fmt.Sprintf("f%03d.md", i)
		words := strings.Repeat("swap ", i%4+1) + strings.Repeat("memory ", i%3+1) + "nodes"
		files[p] = []livespec.Section{storetest.Sec("S", "## S\n"+words+"\n"), storetest.Sec("T", "## T\nswap memory on nodes\n")}
		if i%7 != 3 {
			paths = append(paths, p)
		}
	}
	later := map[string][]livespec.Section{paths[5]: {storetest.Sec("S", "## S\nswap swap swap swap swap memory memory memory\n")}}
	batches := wordyBatches("r", 1, []map[string][]livespec.Section{files, later})
	if err := s.Apply(ctx, batches[0]); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"read", "kept", "after a write"} {
		if step == "after a write" {
			if err := s.Apply(ctx, batches[1]); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.Search(ctx, livespec.SearchQuery{Text: "swap memory", Validity: livespec.AnyVersion(), Repos: []string{"r"}, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{1, 7, 60, 300} {
			t.Run(fmt.Sprint(step, limit), func(t *testing.T) {
				got, err := s.Search(ctx, livespec.SearchQuery{Text: "swap memory", Validity: livespec.AnyVersion(), Repos: []string{"r"}, Paths: paths, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				var want, ids []string
				for _, h := range all {
					if slices.Contains(paths, h.Version.Path) && len(want) < limit {
						want = append(want, fmt.Sprintf("%s %s %s %v", h.Version.Path, h.Version.Heading, h.Version.ID, h.Score))
					}
				}
				for _, h := range got {
					ids = append(ids, fmt.Sprintf("%s %s %s %v", h.Version.Path, h.Version.Heading, h.Version.ID, h.Score))
				}
				if !slices.Equal(ids, want) {
					t.Errorf("got  %v\nwant %v", ids, want)
				}
			})
		}
	}
}
