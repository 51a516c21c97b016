package sqlite

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// countReads counts, until the test ends, the texts whose versions and
// whose text the searches of every Store read from the index.
func countReads(tb testing.TB) (versions, texts *int) {
	tb.Helper()
	versions, texts = new(int), new(int)
	readVersionsOfTexts = func(s *Store, ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) error {
		*versions += len(ids)
		return s.readTextVersions(ctx, tx, ids, view)
	}
	readTextsOf = func(s *Store, ctx context.Context, tx *sql.Tx, ids []int64, view *searchView) error {
		*texts += len(ids)
		return s.readTexts(ctx, tx, ids, view)
	}
	tb.Cleanup(func() {
		readVersionsOfTexts = (*Store).readTextVersions
		readTextsOf = (*Store).readTexts
	})
	return versions, texts
}

// warmQueries returns searches of every validity, with and without
// filters, over wordyHistory's words.
func warmQueries() []livespec.SearchQuery {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	validities := []livespec.Validity{livespec.Current(), livespec.AnyVersion()}
	for h := -1; h <= 61; h += 8 {
		validities = append(validities, livespec.AsOf(t0.Add(time.Duration(h)*time.Hour+30*time.Minute)))
	}
	var qs []livespec.SearchQuery
	for _, v := range validities {
		for _, repos := range [][]string{nil, {"a"}, {"b"}} {
			for _, paths := range [][]string{nil, {"f1.md", "f3.md"}, {"f[13].md"}} {
				for _, text := range []string{"pod", "memory pressure", "sidecar container graduation beta alpha", "absent swap"} {
					for _, limit := range []int{1, 40} {
						qs = append(qs, livespec.SearchQuery{Text: text, Validity: v, Repos: repos, Paths: paths, Limit: limit})
					}
				}
			}
		}
	}
	return qs
}

// TestWarmedSearchesReadNoTextOrVersion checks that the searches of a
// warmed Store find what those of a Store that keeps nothing find without
// reading any text or version of the index, by text or by file (Warm
// read them all), and
// that after a write they find what the index then holds.
func TestWarmedSearchesReadNoTextOrVersion(t *testing.T) {
	path := t.TempDir() + "/x.db"
	ctx := context.Background()
	warm, fresh := openAt(t, path), openAt(t, path)
	fresh.mem().search.off = true
	applyAll(t, warm, wordyHistory("a", 3, 60)...)
	applyAll(t, warm, wordyHistory("b", 4, 20)...)
	if err := warm.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	versions, texts := countReads(t)
	files := 0
	readFilesOf = func(ctx context.Context, tx *sql.Tx, keys []fileKey) (map[fileKey][]fileVersion, error) {
		files += len(keys)
		return readFileVersions(ctx, tx, keys)
	}
	t.Cleanup(func() { readFilesOf = readFileVersions })
	for _, q := range warmQueries() {
		if got, want := search(t, warm, q), search(t, fresh, q); !reflect.DeepEqual(got, want) {
			t.Fatalf("%+v: warmed store found %v, a fresh one %v", q, ids(got), ids(want))
		}
	}
	if *versions > 0 || *texts > 0 || files > 0 {
		t.Errorf("a warmed Store's searches read the versions of %d texts, %d texts and the versions of %d files", *versions, *texts, files)
	}
	applyAll(t, warm, wordyHistory("c", 5, 10)...)
	for _, q := range warmQueries() {
		if got, want := search(t, warm, q), search(t, fresh, q); !reflect.DeepEqual(got, want) {
			t.Fatalf("after a write, %+v: warmed store found %v, a fresh one %v", q, ids(got), ids(want))
		}
	}
}

// TestWholeSpansAreReadSpans checks that the spans of texts Warm derives
// from every version are those readSpans reads, for texts with open,
// closed and no versions.
func TestWholeSpansAreReadSpans(t *testing.T) {
	s := openAt(t, t.TempDir()+"/x.db")
	applyAll(t, s, wordyHistory("a", 3, 60)...)
	applyAll(t, s, wordyHistory("b", 4, 20)...)
	ctx := context.Background()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	want, err := readSpans(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	w, err := readWhole(ctx, txQuerier{s, tx})
	if err != nil || w == nil {
		t.Fatalf("readWhole: %v, %v", w, err)
	}
	got := w.spans()
	f := &searchFilter{validity: livespec.Current()}
	for id := range max(len(got.from), len(want.from)) + 2 {
		for h := -1; h <= 81; h++ {
			f.validity = livespec.AsOf(time.Date(2024, 1, 1, h, 30, 0, 0, time.UTC))
			f.at = clampNanos(f.validity.At)
			if g, w := got.mayPass(int64(id), f), want.mayPass(int64(id), f); g != w {
				t.Fatalf("text %d as of %v: may pass %v, readSpans's %v", id, f.validity.At, g, w)
			}
		}
	}
}

// TestWarmReadsRowSizes checks that Warm leaves the row sizes of the
// full-text index, at its state, to the searches that score stored
// postings, so that the first of them does not read them (every search
// asking meanwhile waiting), and that they find what a Store that keeps
// nothing finds.
func TestWarmReadsRowSizes(t *testing.T) {
	path := t.TempDir() + "/x.db"
	ctx := context.Background()
	warm, fresh := openAt(t, path), openAt(t, path)
	fresh.mem().search.off = true
	applyAll(t, warm, wordyHistory("a", 3, 30)...)
	if err := warm.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	tc := warm.termCache("all_fts")
	sizes := tc.sizes
	if sizes == nil {
		t.Fatal("no row sizes after Warm")
	}
	for _, q := range warmQueries()[:40] {
		if got, want := search(t, warm, q), search(t, fresh, q); !reflect.DeepEqual(got, want) {
			t.Fatalf("%+v: warmed store found %v, a fresh one %v", q, ids(got), ids(want))
		}
	}
	if tc.sizes != sizes {
		t.Error("a warmed Store's searches read the row sizes again")
	}
}
