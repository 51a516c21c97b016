package storetest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// WriteLock runs the contract of livespec.WriteLocker for a store whose
// lock reaches every store opened on the same index. open returns two
// stores opened on the same index (as two processes would), closed when
// tb ends. (Run covers the writers of one store.)
func WriteLock(t *testing.T, open func(tb testing.TB) (a, b livespec.Store)) {
	writeLock(t, open)
}

// writeLock runs the writer-lock tests on the writers a and b that open
// returns: two stores on one index, or one store twice.
func writeLock(t *testing.T, open func(tb testing.TB) (a, b livespec.Store)) {
	t.Run("SecondWriterWaitsThenGivesUp", func(t *testing.T) {
		a, b := open(t)
		unlock := lock(t, a, nil)
		defer unlock()
		var busy atomic.Int32
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		u, err := b.LockWrites(ctx, func() { busy.Add(1) })
		if err == nil {
			u()
			t.Fatal("a second store took the writer lock another store holds")
		}
		if got := livespec.ErrorCode(err); got != livespec.ECONFLICT {
			t.Errorf("kind %q (%v), want %q", got, err, livespec.ECONFLICT)
		}
		if k, msg := livespec.PublicError(err); k != livespec.ECONFLICT || msg != "another ingest is running on this index" {
			t.Errorf("users see %s %q, want conflict %q", k, msg, "another ingest is running on this index")
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v does not keep the context's deadline", err)
		}
		if busy.Load() != 1 {
			t.Errorf("busy called %d times, want once", busy.Load())
		}
		if time.Since(start) < 250*time.Millisecond {
			t.Errorf("gave up after %s, before the context's deadline", time.Since(start))
		}
	})
	t.Run("SecondWriterGetsTheLockWhenTheFirstEnds", func(t *testing.T) {
		a, b := open(t)
		unlock := lock(t, a, nil)
		got := make(chan error, 1)
		var busy atomic.Int32
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			u, err := b.LockWrites(ctx, func() { busy.Add(1) })
			if err == nil {
				u()
				u() // a second release does nothing
			}
			got <- err
		}()
		time.Sleep(200 * time.Millisecond)
		select {
		case err := <-got:
			t.Fatalf("the second writer did not wait for the first: %v", err)
		default:
		}
		unlock()
		unlock()
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("second writer after the first ended: %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Fatal("the second writer never got the lock")
		}
		if busy.Load() != 1 {
			t.Errorf("busy called %d times, want once", busy.Load())
		}
		lock(t, a, nil)() // free again for the first store
	})
	t.Run("WritesUnderTheLock", func(t *testing.T) {
		a, b := open(t)
		unlock := lock(t, a, nil)
		h := NewHistory("locked")
		apply(t, a, h.Commit(Commit{SHA: sha("locked", 1), Time: t1, Author: "Ada", Message: "alpha",
			Files: map[string][]livespec.Section{"a.md": {Sec("A", "# A\nalpha text")}}}))
		unlock()
		if _, err := b.Checkpoint(context.Background(), "locked"); err != nil {
			t.Fatalf("the other store does not see the locked writer's batch: %v", err)
		}
	})
}

func lock(t *testing.T, l livespec.WriteLocker, busy func()) func() {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, err := l.LockWrites(ctx, busy)
	if err != nil {
		t.Fatalf("lock a free index: %v", err)
	}
	return u
}
