package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestTermReadOnceForConcurrentSearches: searches that miss a term at
// once (right after a write, every search does) read its contributions
// once between them, and each ranks as FTS5 does.
func TestTermReadOnceForConcurrentSearches(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := openTemp(t)
	applyAll(t, s, wordyHistory("a", 3, 20)...)
	want := ftsRanking(t, s.r, "all_fts", []string{"pod"}, 100000)
	calls, gate := make(chan struct{}, 16), make(chan struct{})
	readTermPostings = func(ctx context.Context, q queryer, term string) ([]termPosting, error) {
		calls <- struct{}{}
		<-gate
		return readPostings(ctx, q, term)
	}
	t.Cleanup(func() { readTermPostings = readPostings })
	const searches = readers
	var wg sync.WaitGroup
	got := make(chan []posting, searches)
	for range searches {
		wg.Go(func() {
			tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
			if err != nil {
				t.Error(err)
				return
			}
			defer tx.Rollback()
			ranked, err := s.rankTexts(ctx, tx, "all_fts", []string{"pod"}, nil, nil)
			if err != nil {
				t.Error(err)
				return
			}
			got <- topK(ranked, 100000)
		})
	}
	// The read is let go once every search reads (each its own) or after
	// a while (the others wait for the one read).
	reads := 0
	select {
	case <-calls:
		reads++
	case <-ctx.Done():
		t.Fatal("no search read the term")
	}
	wait := time.After(300 * time.Millisecond)
collect:
	for reads < searches {
		select {
		case <-calls:
			reads++
		case <-wait:
			break collect
		}
	}
	close(gate)
	wg.Wait()
	close(got)
	reads += len(calls)
	for g := range got {
		if len(g) != len(want) || len(g) == 0 || g[0] != want[0] || g[len(g)-1] != want[len(want)-1] {
			t.Fatalf("a search ranked %d texts (first %v), FTS5 %d (first %v)", len(g), g[:min(1, len(g))], len(want), want[:min(1, len(want))])
		}
	}
	if reads != 1 {
		t.Fatalf("%d searches missing one term at once read it %d times, want once", searches, reads)
	}
}

// TestRankingWhileWriting: searches that run while another connection
// writes read their lists from the stored postings of their own snapshot
// and rank as FTS5 does in the same transaction.
func TestRankingWhileWriting(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	s := openTemp(t)
	batches := wordyHistory("a", 5, 60)
	for _, b := range batches[:20] {
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	var stored atomic.Int64
	readTermPostings = func(ctx context.Context, q queryer, term string) ([]termPosting, error) {
		stored.Add(1)
		return readPostings(ctx, q, term)
	}
	t.Cleanup(func() { readTermPostings = readPostings })
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for _, b := range batches[20:] {
			if err := s.Apply(ctx, b); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var searches atomic.Int64
	for range readers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				terms := wordyQueries[i%len(wordyQueries)]
				tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
				if err != nil {
					t.Error(err)
					return
				}
				ranked, err := s.rankTexts(ctx, tx, "all_fts", terms, nil, nil)
				if err != nil {
					tx.Rollback()
					t.Error(err)
					return
				}
				got := topK(ranked, 100000)
				want, err := readFTSRanking(tx, "all_fts", terms, 100000)
				tx.Rollback()
				if err != nil {
					t.Error(err)
					return
				}
				if !slices.Equal(got, want) {
					t.Errorf("%q: ranked %d texts (first %v), FTS5 %d (first %v)", terms, len(got), got[:min(1, len(got))], len(want), want[:min(1, len(want))])
					return
				}
				searches.Add(1)
			}
		})
	}
	wg.Wait()
	if searches.Load() < readers || stored.Load() == 0 {
		t.Errorf("%d searches while writing read %d stored lists", searches.Load(), stored.Load())
	}
}
