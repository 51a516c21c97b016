package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
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

// TestScorePassingIsSumScores checks that scoring only the passing texts
// gives each the score, to the bit, that summing every list gives it:
// random lists of several terms, passing sets from none to every id.
func TestScorePassingIsSumScores(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for round := range 200 {
		lists := make([][]posting, 1+rng.IntN(4))
		for i := range lists {
			for id := int64(rng.IntN(5)); id < 400; id += 1 + int64(rng.IntN(1+rng.IntN(60))) {
				lists[i] = append(lists[i], posting{id: id, score: rng.Float64() * 1e-6 * float64(1+rng.IntN(1e6))})
			}
		}
		var ids []int64
		for id := int64(0); id < 420; id++ {
			if rng.IntN(1+round%20) == 0 {
				for range 1 + rng.IntN(3) {
					ids = append(ids, id)
				}
			}
		}
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		passing := countIDs(slices.Clone(ids))
		total := 0
		for _, l := range lists {
			total += len(l)
		}
		var want []posting
		for _, p := range sumScores(nil, lists, total) {
			if slices.Contains(ids, p.id) {
				want = append(want, p)
			}
		}
		slices.SortFunc(want, func(a, b posting) int { return cmpInt64(a.id, b.id) })
		if got := scorePassing(lists, passing); !slices.Equal(got, want) {
			t.Fatalf("round %d: got %v\nwant %v", round, got, want)
		}
		for _, p := range passing {
			if n := len(slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id != p.id })); n != p.n {
				t.Fatalf("round %d: text %d counted %d times, carried %d", round, p.id, p.n, n)
			}
		}
	}
}

// TestSearchManyLiteralPaths checks a search of any validity narrowed to
// more literal paths than maxByPath (a busy month's change report): it
// returns what the same search over every path returns for those paths,
// in the same order, the first time and once the files are kept.
func TestSearchManyLiteralPaths(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	rng := rand.New(rand.NewPCG(3, 5))
	words := strings.Fields("pod node kubelet memory pressure evict swap volume snapshot restore gate")
	var commits []map[string][]livespec.Section
	for range 4 {
		files := map[string][]livespec.Section{}
		for f := range maxByPath + 16 {
			var b strings.Builder
			for range 2 + rng.IntN(12) {
				b.WriteString(words[rng.IntN(len(words))] + " ")
			}
			files[fmt.Sprintf("f%02d.md", f)] = []livespec.Section{storetest.Sec("S", "## S\n"+b.String()+"\n")}
		}
		commits = append(commits, files)
	}
	for _, b := range wordyBatches("r", 2, commits) {
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	var paths []string
	for f := 0; f < maxByPath+16; f += 1 + f%5/4 {
		paths = append(paths, fmt.Sprintf("f%02d.md", f))
	}
	if len(paths) <= maxByPath {
		t.Fatalf("%d paths: not more than maxByPath", len(paths))
	}
	for _, text := range []string{"swap memory", "kubelet", "evict pod node"} {
		all, err := s.Search(ctx, livespec.SearchQuery{Text: text, Validity: livespec.AnyVersion(), Repos: []string{"r"}, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{1, 7, 60, 300} {
			var want []string
			for _, h := range all {
				if slices.Contains(paths, h.Version.Path) && len(want) < limit {
					want = append(want, fmt.Sprintf("%s %s %v", h.Version.Path, h.Version.ID, h.Score))
				}
			}
			for round := range 2 {
				got, err := s.Search(ctx, livespec.SearchQuery{Text: text, Validity: livespec.AnyVersion(), Repos: []string{"r"}, Paths: paths, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, h := range got {
					ids = append(ids, fmt.Sprintf("%s %s %v", h.Version.Path, h.Version.ID, h.Score))
				}
				if !slices.Equal(ids, want) {
					t.Errorf("%q limit %d round %d:\ngot  %v\nwant %v", text, limit, round, ids, want)
				}
			}
		}
	}
}
