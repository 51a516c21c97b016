package retrieval

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// stallingCheckpoints is a Store of one repository whose Checkpoint reads
// stall while stall is set, until release closes.
type stallingCheckpoints struct {
	livespec.Store
	stall   atomic.Bool
	stalled chan struct{} // closed when a read stalls
	release chan struct{}
}

func (s *stallingCheckpoints) Checkpoint(ctx context.Context, repo string) (livespec.Checkpoint, error) {
	if s.stall.CompareAndSwap(true, false) {
		close(s.stalled)
		select {
		case <-s.release:
		case <-ctx.Done():
			return livespec.Checkpoint{}, ctx.Err()
		}
	}
	return livespec.Checkpoint{Repo: repo, Commit: "c1"}, nil
}

func (s *stallingCheckpoints) Checkpoints(context.Context) ([]livespec.Checkpoint, error) {
	return []livespec.Checkpoint{{Repo: "r", Commit: "c1"}}, nil
}

func (s *stallingCheckpoints) Versions(context.Context, livespec.VersionQuery) ([]livespec.Version, error) {
	return []livespec.Version{{Key: livespec.Key{Repo: "r", Path: "a.md", Heading: "Alpha"}, Text: "alpha beta"}}, nil
}

// TestCorpusReadDoesNotHoldOthers checks that a question whose read of the
// index stalls (a busy connection, a write in progress) does not hold up
// the other questions' term statistics.
func TestCorpusReadDoesNotHoldOthers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := &stallingCheckpoints{stalled: make(chan struct{}), release: make(chan struct{})}
	defer close(st.release)
	a := &Assistant{Store: st}
	first, err := a.corpus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.stall.Store(true)
	stalled := make(chan error, 1)
	go func() {
		_, err := a.corpus(ctx)
		stalled <- err
	}()
	<-st.stalled
	other := make(chan *corpusStats, 1)
	go func() {
		cs, err := a.corpus(ctx)
		if err != nil {
			t.Error(err)
		}
		other <- cs
	}()
	select {
	case cs := <-other:
		if cs != first {
			t.Error("the other question made the statistics anew though the index did not change")
		}
	case <-stalled:
		t.Fatal("the stalled read ended before the other question's")
	case <-ctx.Done():
		t.Fatal("the other question waited for the stalled read")
	}
}
