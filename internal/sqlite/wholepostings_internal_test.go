package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"testing"
)

// TestWarmedStoreScoresFromKeptPostings checks that a warmed Store
// keeps the largest lists scored (here all of them), and scores every
// stored term from the postings it keeps, reading none of them from the
// index, exactly as FTS5's bm25() scores it, from one
// chunk or more; and that after a write (another state of all_fts) it reads them
// from the index again, the new texts with them.
func TestWarmedStoreScoresFromKeptPostings(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	a := wordyHistory("a", 3, 30)
	applyAll(t, s, a[:20]...)
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	lists, most := storedLists(t, s.r)
	if most < 2 {
		t.Fatalf("no term has more than one chunk: the chunks' bounds went untested")
	}
	terms := slices.Sorted(func(yield func(string) bool) {
		for term := range lists {
			if storedTerm(term) && !yield(term) {
				return
			}
		}
	})
	if len(terms) < 20 {
		t.Fatalf("%d stored terms: too few to test", len(terms))
	}
	// Warm scored every list (fewer contributions than warmPostings).
	state, _, err := ftsState(ctx, s.r, "all_fts")
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range terms {
		l := s.termCache("all_fts").get(term)
		if l == nil || l.at.state != state {
			t.Fatalf("the list of %q is not kept scored at the warmed state", term)
		}
		want, err := termScores(ctx, s.r, "all_fts", term, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(l.ps, want) {
			t.Errorf("warmed scores of %q = %v, want %v", term, l.ps, want)
		}
	}
	if n := keptScoresRead(t, s, terms); n != 0 {
		t.Errorf("warmed: %d terms' postings read from the index, want 0", n)
	}
	applyAll(t, s, a[20:]...)
	if n := keptScoresRead(t, s, terms); n != len(terms) {
		t.Errorf("after a write: %d terms' postings read from the index, want %d", n, len(terms))
	}
}

// keptScoresRead scores each of terms as a search at s's DataVersion
// does, nothing kept of earlier searches, asserts that the scores are
// bm25()'s, ids and scores bit for bit, and returns how many terms'
// postings were read from the index.
func keptScoresRead(t *testing.T, s *Store, terms []string) int {
	t.Helper()
	ctx := context.Background()
	gen, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	read := countPostingReads(t)
	tc := s.termCache("all_fts")
	tc.mu.Lock()
	tc.lists, tc.entries = nil, 0 // the row sizes are kept
	tc.mu.Unlock()
	for _, term := range terms {
		scoresAreBM25(t, s, tx, term, s.mem().search.view(gen), "kept")
	}
	return *read
}
