package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

// TestHoldingReadsTermsOffLists checks that a search filtered by words
// keeps the texts the full-text index matches for every term and one
// phrase, asking the index for the phrases alone (the texts holding every
// term are read off the terms' lists) and, without phrases, for nothing.
func TestHoldingReadsTermsOffLists(t *testing.T) {
	s := openAt(t, t.TempDir()+"/x.db")
	applyAll(t, s, wordyHistory("a", 5, 40)...)
	ctx := context.Background()
	var asked []string
	readMatches = func(ctx context.Context, tx *sql.Tx, expr string) ([]int64, error) {
		asked = append(asked, expr)
		return matches(ctx, tx, expr)
	}
	t.Cleanup(func() { readMatches = matches })
	for _, tc := range []struct {
		name    string
		q       livespec.SearchQuery
		phrases string // the only query the index is asked
		kept    bool   // some text passes
	}{
		{"every term", livespec.SearchQuery{Text: "memory pressure evict", All: true}, "", true},
		{"every term, one absent", livespec.SearchQuery{Text: "memory absent", All: true}, "", false},
		{"a phrase", livespec.SearchQuery{Text: "memory pressure", Phrases: []string{"memory pressure"}}, `"memori pressur"`, true},
		{"every term and one of two phrases", livespec.SearchQuery{Text: "memory pressure pod", All: true, Phrases: []string{"memory pressure", "pod node"}},
			`"memori pressur" OR "pod node"`, true},
		{"every term and a phrase none holds", livespec.SearchQuery{Text: "swap pod", All: true, Phrases: []string{"swap swap swap swap"}}, `"swap swap swap swap"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked = nil
			f, err := newSearchFilter(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			terms := Terms(tc.q.Text)
			lists, err := s.termLists(ctx, tx, "all_fts", terms, nil)
			if err != nil {
				t.Fatal(err)
			}
			ranked := sumScores(nil, lists)
			want := wholeHolding(t, tx, slices.Clone(ranked), terms, tc.q)
			got, err := f.keepHolding(ctx, tx, ranked, lists)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) > 0 != tc.kept {
				t.Fatalf("the full-text index's query keeps %d texts: the test needs another query", len(want))
			}
			if !slices.Equal(got, want) {
				t.Errorf("kept %v, the full-text index's query keeps %v", got, want)
			}
			var wantAsked []string
			if tc.phrases != "" {
				wantAsked = []string{tc.phrases}
			}
			if !slices.Equal(asked, wantAsked) {
				t.Errorf("asked the index %q, want %q", asked, wantAsked)
			}
		})
	}
}

// wholeHolding returns the postings of ranked whose texts match, in
// the full-text index, every term (when q.All) and one of q.Phrases.
func wholeHolding(t *testing.T, tx *sql.Tx, ranked []posting, terms []string, q livespec.SearchQuery) []posting {
	t.Helper()
	var parts []string
	if q.All {
		for _, term := range terms {
			parts = append(parts, ftsPhrase([]string{term}))
		}
	}
	if p, _ := phrasesExpr(q.Phrases); p != "" {
		parts = append(parts, "("+p+")")
	}
	ids, err := matches(context.Background(), tx, strings.Join(parts, " AND "))
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(ranked, func(p posting) bool { return !slices.Contains(ids, p.id) })
}
