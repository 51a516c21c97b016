package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// concurrentDeadline bounds testConcurrentReads: a store that deadlocks
// fails the test instead of hanging until the test binary's timeout.
const concurrentDeadline = 30 * time.Second

// testConcurrentReads runs many reads of every kind at once on a store that
// has answered no read yet (nothing prepared, nothing cached), while another
// repository's history is applied. Every read must return, without error,
// before the deadline.
func testConcurrentReads(t *testing.T, s livespec.Store) {
	loadShop(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), concurrentDeadline)
	defer cancel()
	const readers = 32
	errs := make(chan error, readers+1)
	var wg sync.WaitGroup
	wg.Add(readers + 1)
	start := make(chan struct{}) // every goroutine starts at once
	go func() {
		defer wg.Done()
		<-start
		for _, b := range docs() {
			if err := s.Apply(ctx, b); err != nil {
				errs <- fmt.Errorf("apply %s@%d: %w", b.Repo, checkpointSeq(b), err)
				return
			}
		}
	}()
	for i := range readers {
		go func() {
			defer wg.Done()
			<-start
			if err := readAll(ctx, s, i); err != nil {
				errs <- fmt.Errorf("reader %d: %w", i, err)
			}
		}()
	}
	close(start)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(concurrentDeadline + 5*time.Second):
		t.Fatalf("%d concurrent reads and an apply did not finish within %v: the store deadlocks", readers, concurrentDeadline)
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every read saw a consistent store; after the writer, docs is there.
	if cp, err := s.Checkpoint(context.Background(), "docs"); err != nil || cp.Seq != 2 {
		t.Errorf("docs checkpoint after the concurrent apply = %+v, %v; want seq 2", cp, err)
	}
}

// readAll runs one read of each kind, starting with a search (searches
// read in a transaction) of a kind that depends on i, so that concurrent
// readers need different statements at once.
func readAll(ctx context.Context, s livespec.Store, i int) error {
	reads := []func() error{
		func() error {
			_, err := s.Search(ctx, livespec.SearchQuery{Text: "coupons discount checkout", Validity: livespec.Current()})
			return err
		},
		func() error {
			_, err := s.Search(ctx, livespec.SearchQuery{Text: "zeppelin", Validity: livespec.AsOf(t2), Repos: []string{"shop"}, Paths: []string{"specs/**"}})
			return err
		},
		func() error {
			_, err := s.Search(ctx, livespec.SearchQuery{Text: "returns", Validity: livespec.AnyVersion(), Embedder: embedder, Vector: []float32{0, 1, 0}})
			return err
		},
		func() error {
			_, err := s.Versions(ctx, livespec.VersionQuery{Validity: livespec.AnyVersion(), Repos: []string{"shop"}})
			return err
		},
		func() error {
			_, err := s.Changes(ctx, livespec.ChangeQuery{Sections: true, From: t1, To: t3.Add(time.Hour)})
			return err
		},
		func() error {
			_, err := s.Files(ctx, livespec.FileQuery{Validity: livespec.Current()})
			return err
		},
		func() error {
			_, err := s.Checkpoint(ctx, "shop")
			return err
		},
		func() error {
			_, err := s.Repos(ctx)
			return err
		},
		func() error {
			_, err := s.Stats(ctx, "")
			return err
		},
		func() error {
			return s.OpenVersions(ctx, "shop", func(livespec.OpenVersion) error { return nil })
		},
	}
	first := i % 3 // the searches
	for j := range reads {
		if err := reads[(first+j)%len(reads)](); err != nil {
			return err
		}
	}
	return nil
}
