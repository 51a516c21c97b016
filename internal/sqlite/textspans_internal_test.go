package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// TestSpannedSearchesAsFresh checks that a Store that has read the spans
// of texts (after spansAfter searches) finds, in searches of current and
// as-of validity, with and without filters, what a Store that keeps
// nothing finds, and that an as-of search then reads the versions of
// fewer texts: those none of whose versions is valid at its date are
// dropped before any is read.
func TestSpannedSearchesAsFresh(t *testing.T) {
	path := t.TempDir() + "/x.db"
	s, fresh := openAt(t, path), openAt(t, path)
	fresh.mem().search.off = true
	applyAll(t, s, wordyHistory("a", 3, 60)...)
	applyAll(t, s, wordyHistory("b", 4, 20)...)
	read := 0
	readVersionsOfTexts = func(s *Store, ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) error {
		read += len(ids)
		return s.readTextVersions(ctx, tx, ids, view)
	}
	t.Cleanup(func() { readVersionsOfTexts = (*Store).readTextVersions })
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	asOf := livespec.AsOf(t0.Add(90 * time.Minute))
	q := livespec.SearchQuery{Text: "memory pressure", Validity: asOf, Limit: 3}
	// The first searches of the index read without spans.
	search(t, s, q)
	unspanned := read
	for range spansAfter {
		search(t, s, livespec.SearchQuery{Text: "pod", Limit: 1})
	}
	if s.mem().search.spans == nil {
		t.Fatalf("no spans read after %d searches", spansAfter+1)
	}
	s.mem().search.versions.Purge() // read again what the first search read
	read = 0
	if got, want := search(t, s, q), search(t, fresh, q); !reflect.DeepEqual(got, want) {
		t.Fatalf("spanned as-of search found %v, a fresh store %v", ids(got), ids(want))
	}
	if read*2 > unspanned {
		t.Errorf("a spanned as-of search read the versions of %d texts, %d before spans", read, unspanned)
	}
	validities := []livespec.Validity{livespec.Current()}
	for h := -1; h <= 61; h += 4 {
		validities = append(validities, livespec.AsOf(t0.Add(time.Duration(h)*time.Hour+30*time.Minute)))
	}
	for _, v := range validities {
		for _, repos := range [][]string{nil, {"a"}, {"b"}} {
			for _, paths := range [][]string{nil, {"f1.md", "f3.md"}, {"f[13].md"}} {
				for _, text := range []string{"pod", "memory pressure", "sidecar container graduation beta alpha", "absent swap"} {
					for _, limit := range []int{1, 5, 40} {
						q := livespec.SearchQuery{Text: text, Validity: v, Repos: repos, Paths: paths, Limit: limit}
						if got, want := search(t, s, q), search(t, fresh, q); !reflect.DeepEqual(got, want) {
							t.Fatalf("%v %v %v %q top %d: spanned store found %v, a fresh one %v", v, repos, paths, text, limit, ids(got), ids(want))
						}
					}
				}
			}
		}
	}
}

// TestWarmReadsSpans checks that a warmed Store's first as-of search
// finds what a Store that keeps nothing finds, reading the versions of
// fewer texts than an unwarmed Store's first search: no search pays for
// the spans of texts. A Store that keeps nothing reads none.
func TestWarmReadsSpans(t *testing.T) {
	path := t.TempDir() + "/x.db"
	ctx := context.Background()
	cold, warm, fresh := openAt(t, path), openAt(t, path), openAt(t, path)
	fresh.mem().search.off = true
	applyAll(t, cold, wordyHistory("a", 3, 60)...)
	read := 0
	readVersionsOfTexts = func(s *Store, ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) error {
		read += len(ids)
		return s.readTextVersions(ctx, tx, ids, view)
	}
	t.Cleanup(func() { readVersionsOfTexts = (*Store).readTextVersions })
	for _, s := range []*Store{warm, fresh} {
		if err := s.Warm(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if fresh.mem().search.spans != nil {
		t.Error("a Store that keeps nothing kept the spans of texts")
	}
	q := livespec.SearchQuery{Text: "memory pressure", Validity: livespec.AsOf(time.Date(2024, 1, 1, 1, 30, 0, 0, time.UTC)), Limit: 3}
	search(t, cold, q)
	unwarmed := read
	read = 0
	if got, want := search(t, warm, q), search(t, fresh, q); !reflect.DeepEqual(got, want) {
		t.Fatalf("warmed as-of search found %v, a fresh store %v", ids(got), ids(want))
	}
	if read*2 > unwarmed {
		t.Errorf("a warmed Store's first as-of search read the versions of %d texts, an unwarmed one's %d", read, unwarmed)
	}
}

// search returns st's hits for q.
func search(t *testing.T, st *Store, q livespec.SearchQuery) []livespec.Hit {
	t.Helper()
	hits, err := st.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// ids returns the version ids and scores of hits.
func ids(hits []livespec.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, fmt.Sprintf("%s %v", h.Version.ID, h.Score))
	}
	return out
}
