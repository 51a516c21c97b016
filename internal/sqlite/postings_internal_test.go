package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// storedLists returns every stored list by term, and the most chunks of
// any term.
func storedLists(t testing.TB, q queryer) (map[string][]termPosting, int) {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), `SELECT term, data FROM postings ORDER BY term, chunk`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]termPosting{}
	chunks := map[string]int{}
	most := 0
	for rows.Next() {
		var term string
		var data []byte
		if err := rows.Scan(&term, &data); err != nil {
			t.Fatal(err)
		}
		if out[term], err = decodeChunk(out[term], data); err != nil {
			t.Fatal(err)
		}
		chunks[term]++
		most = max(most, chunks[term])
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out, most
}

// ftsLists returns what all_fts itself indexes: every token's texts with
// its frequency in each (fts5vocab, a table of its own: db writes).
func ftsLists(t testing.TB, db *sql.DB) map[string][]termPosting {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.check_v USING fts5vocab(main, all_fts, instance)`); err != nil {
		t.Fatal(err)
	}
	l := postingLists{}
	if err := l.addVocab(ctx, conn, `SELECT term, doc FROM temp.check_v`); err != nil {
		t.Fatal(err)
	}
	return l
}

// samePostings asserts that the stored lists are all_fts's, term for
// term, that a term has at most maxChunks chunks, and that every term's
// scores from its stored postings are FTS5's bm25() bit for bit.
func samePostings(t *testing.T, s *Store, when string) {
	t.Helper()
	got, most := storedLists(t, s.r)
	want := ftsLists(t, s.w) // the readers are query-only
	if most > maxChunks {
		t.Errorf("%s: a term has %d chunks, want at most %d", when, most, maxChunks)
	}
	for term, ps := range want {
		if !slices.Equal(got[term], ps) {
			t.Errorf("%s: postings of %q = %v, want %v", when, term, got[term], ps)
		}
	}
	for term := range got {
		if _, ok := want[term]; !ok {
			t.Errorf("%s: stored postings of %q, which all_fts does not hold", when, term)
		}
	}
	sameScores(t, s, when, slices.Sorted(func(yield func(string) bool) {
		for term := range want {
			if !yield(term) {
				return
			}
		}
	}))
}

// sameScores asserts that each term's contributions are bm25()'s, ids and
// scores bit for bit, and that the stored terms were read from postings.
func sameScores(t *testing.T, s *Store, when string, terms []string) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	stored := countPostingReads(t)
	s.termCache("all_fts").drop()
	wantStored := 0
	for _, term := range terms {
		if storedTerm(term) {
			wantStored++
		}
		scoresAreBM25(t, s, tx, term, nil, when)
	}
	if *stored != wantStored {
		t.Errorf("%s: %d terms read from stored postings, want %d", when, *stored, wantStored)
	}
}

// countPostingReads counts, until the test ends, the terms whose stored
// postings searches read from the index.
func countPostingReads(tb testing.TB) *int {
	tb.Helper()
	n := new(int)
	readTermPostings = func(ctx context.Context, q queryer, term string) ([]termPosting, error) {
		*n++
		return readPostings(ctx, q, term)
	}
	tb.Cleanup(func() { readTermPostings = readPostings })
	return n
}

// scoresAreBM25 asserts that a search in tx (of view, when set) ranks
// the texts holding term with bm25()'s contributions, ids and scores bit
// for bit.
func scoresAreBM25(tb testing.TB, s *Store, tx *sql.Tx, term string, view *searchView, when string) {
	tb.Helper()
	ctx := context.Background()
	got, err := s.rankTexts(ctx, tx, "all_fts", []string{term}, nil, view)
	if err != nil {
		tb.Fatal(err)
	}
	want, err := termScores(ctx, tx, "all_fts", term, 0)
	if err != nil {
		tb.Fatal(err)
	}
	slices.SortFunc(got, func(a, b posting) int { return cmpInt64(a.id, b.id) })
	if !slices.Equal(got, want) {
		tb.Errorf("%s: scores of %q = %v, want %v", when, term, got, want)
	}
}

// day is noon UTC of day d of March 2025.
func day(d int) time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d-1) }

// oddSections are texts whose FTS forms are not plain ASCII words: other
// scripts, combining marks, symbols, upper case, a long symbol.
func oddSections(word string) map[string][]livespec.Section {
	return map[string][]livespec.Section{
		"odd.md": {
			storetest.Sec("Units", "## Units\n\nKäldström measured 12µs and 1020μs on к8s, pod "+word+".\n"),
			storetest.Sec("Marks", "## Marks\n\nCafe\u0301 naïve ÜBER straße ǅemal ﬁle pod 😀 `$ref` {id} "+word+"\n"),
			storetest.Sec("Long", "## Long\n\n`"+strings.Repeat("x.", 300)+"` and pod pod pod "+word+"\n"),
		},
	}
}

// TestStoredPostingsAreFTS5s: after every kind of write (batches that add
// texts, another store's writes, a repository deleted, its texts' ids
// taken again), the stored postings are what all_fts indexes, and every
// term's scores from them are FTS5's.
func TestStoredPostingsAreFTS5s(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	s := openAt(t, path)
	a := wordyHistory("a", 1, 30)
	applyAll(t, s, a[:20]...)
	odd := storetest.NewHistory("odd")
	applyAll(t, s, odd.Commit(storetest.Commit{SHA: "o1", Time: day(1), Files: oddSections("swap")}))
	samePostings(t, s, "first")
	if got, _ := storedLists(t, s.r); !slices.ContainsFunc(slices.Collect(maps.Keys(got)), func(term string) bool { return !storedTerm(term) }) {
		t.Error("no stored term is other than ASCII: the texts FTS5 tokenises went untested")
	}

	other := openAt(t, path)
	applyAll(t, other, a[20:]...)
	applyAll(t, other, odd.Commit(storetest.Commit{SHA: "o2", Time: day(2), Files: oddSections("gate")}))
	samePostings(t, s, "after another store's writes")

	commits := wordyCommits(9, 12)
	applyAll(t, s, wordyBatches("b", 9, commits)...)
	if err := other.DeleteRepo(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	samePostings(t, s, "after a repo was deleted")
	slices.Reverse(commits)
	applyAll(t, s, wordyBatches("b", 9, commits)...)
	samePostings(t, s, "after its texts took the deleted ids")
	for _, repo := range []string{"a", "b", "odd"} {
		if err := s.DeleteRepo(ctx, repo); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := storedLists(t, s.r); len(got) != 0 {
		t.Errorf("after every repo was deleted, %d terms have postings", len(got))
	}
}

// TestChunksMerged: a term written by many batches keeps at most
// maxChunks chunks, and its list is whole.
func TestChunksMerged(t *testing.T) {
	s := openTemp(t)
	h := storetest.NewHistory("r")
	for i := range 3 * maxChunks {
		applyAll(t, s, h.Commit(storetest.Commit{SHA: fmt.Sprint("c", i), Time: day(i + 1), Files: map[string][]livespec.Section{
			fmt.Sprintf("f%d.md", i): {storetest.Sec("Pods", fmt.Sprintf("## Pods\n\nEvery pod %d.\n", i))},
		}}))
	}
	got, most := storedLists(t, s.r)
	if most > maxChunks || len(got["pod"]) != 3*maxChunks {
		t.Errorf("pod: %d texts in up to %d chunks, want %d texts in at most %d", len(got["pod"]), most, 3*maxChunks, maxChunks)
	}
	samePostings(t, s, "after many batches")
}

// schema13 turns an index back into schema 13: no stored postings.
const schema13 = `DROP TABLE postings; PRAGMA user_version = 13;`

// TestMigrateBuildsPostings: opening an index of schema 13 fills its
// postings from all_fts, and searches score from them as FTS5 does.
func TestMigrateBuildsPostings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	applyAll(t, s, wordyHistory("a", 2, 12)...)
	applyAll(t, s, storetest.NewHistory("odd").Commit(storetest.Commit{SHA: "o1", Time: day(1), Files: oddSections("swap")}))
	if _, err := s.w.ExecContext(ctx, schema13); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openMigrated(t, path)
	var ver int
	if err := s.r.QueryRowContext(ctx, `SELECT user_version FROM pragma_user_version`).Scan(&ver); err != nil {
		t.Fatal(err)
	}
	if ver != len(migrations) {
		t.Errorf("schema %d after Open, want %d", ver, len(migrations))
	}
	samePostings(t, s, "migrated")
	sameRanking(t, s, "migrated", wordyQueries)
}

// TestPostingsOnIndex checks the stored postings and scores of every term
// of a real index (LIVESPEC_BENCH_INDEX, opened and so migrated in place).
func TestPostingsOnIndex(t *testing.T) {
	samePostings(t, envIndex(t), "index")
}

// TestDocSizes: a row's size is found by its rowid, dense or sparse, and a
// rowid with no row has none.
func TestDocSizes(t *testing.T) {
	tests := []struct {
		name string
		ids  []int64
	}{
		{"dense", []int64{1, 2, 3, 5, 8}},
		{"sparse", []int64{1, 2, 1 << 40, 1<<40 + 7}},
		{"sparse after dense", []int64{3, 4, 1 << 20, 1<<20 + 1, 1 << 21}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d docSizes
			for i, id := range tc.ids {
				d.add(id, int32(i))
			}
			for i, id := range tc.ids {
				if got, ok := d.size(id); !ok || got != int32(i) {
					t.Errorf("size(%d) = %d, %v; want %d, true", id, got, ok, i)
				}
				if _, ok := d.size(id + 1); ok && !slices.Contains(tc.ids, id+1) {
					t.Errorf("size(%d) found a row that is not there", id+1)
				}
			}
			if _, ok := d.size(0); ok {
				t.Error("size(0) found a row that is not there")
			}
		})
	}
}

// TestASCIITokensAreFTS5s: the postings of FTS forms split in Go are those
// FTS5's tokenizer gives the same strings, and a form Go does not split
// (other than ASCII, or with a token FTS5 truncates) is left to FTS5.
func TestASCIITokensAreFTS5s(t *testing.T) {
	long := strings.Repeat("ab", maxToken/2+1)
	tests := []struct {
		name  string
		fts   string
		split bool
	}{
		{"words", "pod pod node zx24726566", true},
		{"upper case", "Pod POD pOd node", true},
		{"punctuation", "a-b a.b a_b (a) a/b", true},
		{"digits", "v1 1v 12 v1beta1", true},
		{"control and spaces", "a\tb\nc  d\x00e", true},
		{"longest token", strings.Repeat("c", maxToken), true},
		{"other script", "käldström pod", false},
		{"truncated token", long + " pod", false},
	}
	ctx := context.Background()
	s := openTemp(t)
	for _, q := range []string{sqlTokCreate, sqlTokVocab} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := postingLists{}
			if split := got.addASCII(7, tc.fts); split != tc.split {
				t.Fatalf("split %v, want %v", split, tc.split)
			}
			if !tc.split {
				return
			}
			for _, q := range []string{sqlTokClear, `INSERT INTO temp.postings_tok (rowid, text) VALUES (7, ?)`} {
				args := []any{}
				if strings.Contains(q, "?") {
					args = append(args, tc.fts)
				}
				if _, err := s.w.ExecContext(ctx, q, args...); err != nil {
					t.Fatal(err)
				}
			}
			want := postingLists{}
			if err := want.addVocab(ctx, s.w, `SELECT term, doc FROM temp.postings_tok_v`); err != nil {
				t.Fatal(err)
			}
			if !maps.EqualFunc(got, want, slices.Equal) {
				t.Errorf("postings %v, want FTS5's %v", got, want)
			}
		})
	}
}

// TestChunkPostings checks that chunkPostings counts the postings a
// chunk decodes to, with frequencies and gaps of one to several bytes.
func TestChunkPostings(t *testing.T) {
	for _, tc := range []struct {
		name string
		ps   []termPosting
	}{
		{"none", nil},
		{"one, once", []termPosting{{id: 1, tf: 1}}},
		{"one, often", []termPosting{{id: 7, tf: 300}}},
		{"wide gaps and frequencies", []termPosting{{id: 3, tf: 1}, {id: 200, tf: 2}, {id: 1 << 20, tf: 1}, {id: 1<<20 + 1, tf: 1 << 16}, {id: 1 << 40, tf: 1}}},
		{"a frequency after a gap of two bytes", []termPosting{{id: 64, tf: 1}, {id: 64 + 129, tf: 5}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := appendChunk(nil, tc.ps)
			got, err := decodeChunk(nil, b)
			if err != nil {
				t.Fatal(err)
			}
			if n := chunkPostings(b); n != len(got) || n != len(tc.ps) {
				t.Errorf("chunkPostings = %d, the chunk decodes to %d postings of %d", n, len(got), len(tc.ps))
			}
		})
	}
}
