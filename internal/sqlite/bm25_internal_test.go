package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// ftsRanking is what FTS5 itself ranks for terms: the k best rows of the OR
// query with their scores (minus bm25()).
func ftsRanking(t testing.TB, q queryer, table string, terms []string, k int) []posting {
	t.Helper()
	out, err := readFTSRanking(q, table, terms, k)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readFTSRanking(q queryer, table string, terms []string, k int) ([]posting, error) {
	rows, err := q.QueryContext(context.Background(), `SELECT rowid, bm25(`+table+`) FROM `+table+` WHERE `+table+` MATCH ? ORDER BY rank, rowid LIMIT ?`, matchExpr(terms), k)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []posting
	for rows.Next() {
		var p posting
		if err := rows.Scan(&p.id, &p.score); err != nil {
			return nil, err
		}
		p.score = -p.score
		out = append(out, p)
	}
	return out, rows.Err()
}

// ourRanking is the ranking Search uses: per-term contributions, cached.
func ourRanking(t testing.TB, s *Store, table string, terms []string, k int) []posting {
	t.Helper()
	ctx := context.Background()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ranked, err := s.rankTexts(ctx, tx, table, terms, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return topK(ranked, k)
}

// sameRanking asserts that our ranking is FTS5's, ids and scores bit for bit.
func sameRanking(t *testing.T, s *Store, when string, queries [][]string) {
	t.Helper()
	for _, table := range []string{"all_fts"} {
		for _, terms := range queries {
			for _, k := range []int{1, 7, 64, 100000} {
				want := ftsRanking(t, s.r, table, terms, k)
				got := ourRanking(t, s, table, terms, k)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: %s %q top %d:\n got %v\nwant %v", when, table, terms, k, got, want)
				}
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] { // fmt rounds; compare the bits too
						t.Errorf("%s: %s %q top %d: rank %d is %v, want %v", when, table, terms, k, i, got[i], want[i])
						break
					}
				}
			}
		}
	}
}

// wordyHistory returns batches of files whose sections are drawn from a
// small vocabulary, so that terms overlap, repeat and tie, and whose later
// commits rewrite and remove sections.
func wordyHistory(repo string, seed uint64, commits int) []*livespec.Batch {
	return wordyBatches(repo, seed, wordyCommits(seed, commits))
}

// wordyCommits returns the files of wordyHistory's commits, in order.
func wordyCommits(seed uint64, commits int) []map[string][]livespec.Section {
	rng := rand.New(rand.NewPCG(seed, 7))
	words := strings.Fields("pod node kubelet memory pressure evict swap volume snapshot restore gate feature alpha beta graduation sidecar container ephemeral debug topology spread affinity readiness rollback running runs")
	text := func(h string) string {
		var b strings.Builder
		b.WriteString("## " + h + "\n")
		for range 3 + rng.IntN(40) {
			b.WriteString(words[rng.IntN(len(words))] + " ")
		}
		return b.String()
	}
	var out []map[string][]livespec.Section
	for c := range commits {
		files := map[string][]livespec.Section{}
		for f := range 3 {
			var secs []livespec.Section
			for i := range 2 + rng.IntN(5) {
				h := fmt.Sprintf("S%d", i)
				secs = append(secs, storetest.Sec(h, text(h)))
			}
			files[fmt.Sprintf("f%d.md", (c+f)%7)] = secs
		}
		out = append(out, files)
	}
	return out
}

// wordyBatches returns the batches of repo's commits of files, an hour apart.
func wordyBatches(repo string, seed uint64, commits []map[string][]livespec.Section) []*livespec.Batch {
	h := storetest.NewHistory(repo)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []*livespec.Batch
	for c, files := range commits {
		out = append(out, h.Commit(storetest.Commit{SHA: fmt.Sprintf("%040x", seed*1000+uint64(c)),
			Time: t0.Add(time.Duration(c) * time.Hour), Author: "A", Message: "m", Files: files}))
	}
	return out
}

var wordyQueries = [][]string{
	{"pod"}, {"memory", "pressure"}, {"kubelet", "evict", "memory", "pressure"}, {"running", "runs"},
	{"sidecar", "container", "graduation", "beta", "alpha"}, {"absent"}, {"absent", "swap"}, {"swap", "absent"},
}

func TestRankingIsFTS5s(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	s := openAt(t, path)
	batches := wordyHistory("a", 1, 60)
	for _, b := range batches[:40] {
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	sameRanking(t, s, "first", wordyQueries)
	sameRanking(t, s, "cached", wordyQueries)

	// Writes through this store, then through another store on the same
	// file (as another process writes), must not leave a cached list behind.
	for _, b := range batches[40:50] {
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	sameRanking(t, s, "after a write", wordyQueries)
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches[50:] {
		if err := other.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	sameRanking(t, s, "after another store's write", wordyQueries)
	if err := other.DeleteRepo(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	other.Close()
	sameRanking(t, s, "after another store's delete", wordyQueries)
	if got := ourRanking(t, s, "all_fts", []string{"pod"}, 10); len(got) != 0 {
		t.Errorf("after deleting every repo: %v", got)
	}
}

// TestListsReadAgainAfterWrites: after rows are written or deleted, by
// this store or another, every kept list is read again from its stored
// postings (never by bm25()) and ranks as FTS5 does, also when the texts
// written since reuse the deleted rowids with the same row and token
// counts.
func TestListsReadAgainAfterWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	s := openAt(t, path)
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var scored, stored int
	readTermScores = func(ctx context.Context, tx queryer, table, term string, after int64) ([]posting, error) {
		scored++
		return termScores(ctx, tx, table, term, after)
	}
	readTermPostings = func(ctx context.Context, q queryer, term string) ([]termPosting, error) {
		stored++
		return readPostings(ctx, q, term)
	}
	t.Cleanup(func() { readTermScores, readTermPostings = termScores, readPostings })
	apply := func(st *Store, bs []*livespec.Batch) {
		t.Helper()
		for _, b := range bs {
			if err := st.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	terms := map[string]bool{}
	for _, q := range wordyQueries {
		for _, term := range q {
			terms[term] = true
		}
	}
	check := func(when string) {
		t.Helper()
		scored, stored = 0, 0
		sameRanking(t, s, when, wordyQueries)
		if scored != 0 || stored != len(terms) {
			t.Errorf("%s: %d lists read from postings and %d by bm25(), want %d and 0", when, stored, scored, len(terms))
		}
	}
	a := wordyHistory("a", 1, 60)
	apply(s, a[:40])
	check("first")
	apply(s, a[40:45])
	check("after a write")
	apply(other, a[45:50])
	check("after another store's write")
	apply(s, a[50:52])
	apply(other, a[52:54]) // two writes between searches
	check("after two writes")

	// b is written last, so its texts hold the largest rowids; written
	// again in reverse order, its texts take the same rowids and counts.
	commits := wordyCommits(9, 12)
	apply(other, wordyBatches("b", 9, commits))
	check("after another repo")
	if err := other.DeleteRepo(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(commits)
	apply(other, wordyBatches("b", 9, commits))
	check("after another store deleted and rewrote a repo")
	apply(s, a[54:])
	check("after a write again")
	if err := s.DeleteRepo(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	check("after a delete")
}

// envIndex opens the index LIVESPEC_BENCH_INDEX names (migrating it in
// place), closed when the test ends; it skips the test when unset.
func envIndex(t *testing.T) *Store {
	t.Helper()
	p := os.Getenv("LIVESPEC_BENCH_INDEX")
	if p == "" {
		t.Skip("set LIVESPEC_BENCH_INDEX to a livespec.db")
	}
	// Open would make an empty index of a path that names nothing.
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("LIVESPEC_BENCH_INDEX: %v (a relative path is relative to the package directory)", err)
	}
	return openAt(t, p)
}

// TestRankingIsFTS5sOnIndex compares the rankings on a real index
// (LIVESPEC_BENCH_INDEX) for the words of real questions.
func TestRankingIsFTS5sOnIndex(t *testing.T) {
	s := envIndex(t)
	var qs [][]string
	for _, q := range []string{
		"How does the kubelet decide when to evict pods under memory pressure?",
		"What are the graduation criteria for sidecar containers?",
		"Which feature gate controls in-place pod resize?",
		"How are volume snapshots restored?",
		"What is the production readiness review?",
		"What changed in 2023 about API priority and fairness?",
	} {
		qs = append(qs, Terms(q))
	}
	sameRanking(t, s, "index", qs)
}

// TestSearchWidens: a search whose filters pass few candidates widens until
// it has its limit, and returns the head of what a search of every
// candidate returns.
func TestSearchWidens(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	applyAll(t, s, wordyHistory("a", 4, 80)...)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []livespec.Validity{livespec.Current(), livespec.AnyVersion(),
		livespec.AsOf(t0.Add(90 * time.Minute)), livespec.AsOf(t0.Add(5 * time.Hour)), livespec.AsOf(t0.Add(40 * time.Hour))} {
		for _, text := range []string{"memory pressure", "sidecar graduation beta", "pod", "runs"} {
			all, err := s.Search(ctx, livespec.SearchQuery{Text: text, Validity: v, Limit: 100000})
			if err != nil {
				t.Fatal(err)
			}
			for _, limit := range []int{1, 5, 30, 100, 300} {
				got, err := s.Search(ctx, livespec.SearchQuery{Text: text, Validity: v, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				want := all[:min(limit, len(all))]
				if len(got) != len(want) {
					t.Fatalf("%v %q limit %d: %d hits, want %d", v, text, limit, len(got), len(want))
				}
				for i := range got {
					if got[i].Version.ID != want[i].Version.ID || got[i].Score != want[i].Score {
						t.Fatalf("%v %q limit %d: hit %d is %s %v, want %s %v", v, text, limit, i, got[i].Version.ID, got[i].Score, want[i].Version.ID, want[i].Score)
					}
				}
			}
		}
	}
}

// TestSumScoresAddsInListOrder checks that summing by position gives
// every id the same sum, to the bit, as merging the lists: scores whose
// sum depends on the order of addition, ids dense and sparse.
func TestSumScoresAddsInListOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	scores := []float64{1e16, 1, -1e16, 0.1, 0.2, 0.3, -0.0, 3.5}
	for _, tt := range []struct {
		name  string
		lists int
		span  int64
	}{
		{"one list", 1, 100}, {"dense ids", 5, 500}, {"many lists", 32, 2000}, {"sparse ids are merged", 3, 1 << 40},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lists := make([][]posting, tt.lists)
			total := 0
			for i := range lists {
				seen := map[int64]bool{}
				for range 1 + rng.IntN(300) {
					id := 1 + rng.Int64N(tt.span)
					if !seen[id] {
						seen[id] = true
						lists[i] = append(lists[i], posting{id: id, score: scores[rng.IntN(len(scores))]})
					}
				}
				slices.SortFunc(lists[i], func(a, b posting) int { return cmpInt64(a.id, b.id) })
				total += len(lists[i])
			}
			got := sumScores(nil, lists)
			slices.SortFunc(got, func(a, b posting) int { return cmpInt64(a.id, b.id) })
			want := mergeScores(nil, lists, total)
			if len(got) != len(want) {
				t.Fatalf("%d sums, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].id != want[i].id || math.Float64bits(got[i].score) != math.Float64bits(want[i].score) {
					t.Fatalf("sum %d: %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}

func TestTopK(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 40 {
		ps := make([]posting, n)
		for i := range ps {
			ps[i] = posting{id: int64(rng.IntN(1000)), score: float64(rng.IntN(5))}
		}
		all := slices.Clone(ps) // FTS5's ORDER BY rank, rowid
		slices.SortStableFunc(all, func(a, b posting) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.id, b.id)) })
		for k := range n + 2 {
			got := topK(ps, k)
			if want := all[:min(k, n)]; len(got) != len(want) || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("n=%d k=%d: got %v, want %v", n, k, got, want)
			}
		}
	}
}

// TestSearchByPath checks that a search narrowed to literal paths returns
// what the same search over every path returns for those paths.
func TestSearchByPath(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	applyAll(t, s, wordyHistory("a", 5, 40)...)
	for _, v := range []livespec.Validity{livespec.Current(), livespec.AnyVersion(), livespec.AsOf(time.Date(2024, 1, 1, 20, 0, 0, 0, time.UTC))} {
		for _, paths := range [][]string{{"f1.md"}, {"f2.md", "f5.md"}, {"none.md"}} {
			for _, text := range []string{"memory pressure", "sidecar graduation beta", "running"} {
				for _, limit := range []int{1, 3, 50} {
					got, err := s.Search(ctx, livespec.SearchQuery{Text: text, Validity: v, Repos: []string{"a"}, Paths: paths, Limit: limit})
					if err != nil {
						t.Fatal(err)
					}
					all, err := s.Search(ctx, livespec.SearchQuery{Text: text, Validity: v, Repos: []string{"a"}, Limit: 100000})
					if err != nil {
						t.Fatal(err)
					}
					var want []string
					for _, h := range all {
						if slices.Contains(paths, h.Version.Path) && len(want) < limit {
							want = append(want, fmt.Sprintf("%s %v", h.Version.ID, h.Score))
						}
					}
					var ids []string
					for _, h := range got {
						ids = append(ids, fmt.Sprintf("%s %v", h.Version.ID, h.Score))
					}
					if !slices.Equal(ids, want) {
						t.Errorf("%v %v %q top %d:\n got %v\nwant %v", v, paths, text, limit, ids, want)
					}
				}
			}
		}
	}
}

// TestSearchAsFreshAfterWrites checks that a Store that searched before
// writes (its own, or another Store's on the same file) finds what a Store
// that keeps nothing finds, version for version, in every validity mode
// and with filters on paths, though it keeps the versions and texts its
// searches read.
func TestSearchAsFreshAfterWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	s, other, fresh := openAt(t, path), openAt(t, path), openAt(t, path)
	fresh.mem().search.off = true
	at := time.Date(2024, 1, 1, 3, 30, 0, 0, time.UTC)
	modes := map[string]livespec.Validity{"any": livespec.AnyVersion(), "current": livespec.Current(), "as of": livespec.AsOf(at)}
	search := func(st *Store, q livespec.SearchQuery) []livespec.Hit {
		hits, err := st.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	for i, b := range wordyHistory("a", 5, 12) {
		writer := s
		if i%2 == 1 {
			writer = other
		}
		applyAll(t, writer, b)
		for _, terms := range wordyQueries {
			for name, v := range modes {
				for _, paths := range [][]string{nil, {"f1.md", "f3.md"}, {"f[13].md"}} {
					q := livespec.SearchQuery{Text: strings.Join(terms, " "), Validity: v, Repos: []string{"a"}, Paths: paths, Limit: 40}
					got, want := search(s, q), search(fresh, q)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("after batch %d, %s search %q in %v: the searched store found %d hits, a fresh one %d, or other versions",
							i, name, q.Text, paths, len(got), len(want))
					}
				}
			}
		}
	}
}
