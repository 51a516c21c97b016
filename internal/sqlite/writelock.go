package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/livespec/livespec"
)

// lockRetry is how often a waiting writer tries the lock file again.
const lockRetry = 100 * time.Millisecond

// writeLock is a store's writer semaphore: one LockWrites holder per store
// (flock alone would let a second caller of the same process through).
type writeLock struct {
	once sync.Once
	sem  chan struct{}
}

func (l *writeLock) ch() chan struct{} {
	l.once.Do(func() { l.sem = make(chan struct{}, 1) })
	return l.sem
}

// LockPath returns the path of the file whose advisory lock (flock) the
// index's writer holds: the index file's path with ".lock" appended.
func (s *Store) LockPath() string { return s.path + ".lock" }

// LockWrites implements livespec.WriteLocker: it takes this store's writer
// semaphore, then an exclusive advisory lock on LockPath, which every
// process (and every other store opened on the same index) contends for.
// The operating system releases the lock of a process that dies.
func (s *Store) LockWrites(ctx context.Context, busy func()) (func(), error) {
	var once sync.Once
	wait := func() {
		once.Do(func() {
			if busy != nil {
				busy()
			}
		})
	}
	sem := s.wlock.ch()
	select {
	case sem <- struct{}{}:
	default:
		wait()
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, s.lockBusy(ctx.Err())
		}
	}
	fl := flock.New(s.LockPath())
	ok, err := fl.TryLock()
	if err == nil && !ok {
		wait()
		ok, err = fl.TryLockContext(ctx, lockRetry)
	}
	if err != nil || !ok {
		fl.Close()
		<-sem
		if cerr := ctx.Err(); cerr != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return nil, s.lockBusy(cmpErr(cerr, err))
		}
		return nil, fmt.Errorf("sqlite: lock writes: %w", livespec.WrapPublic(livespec.EUNAVAILABLE, err,
			"cannot lock the index", "cannot lock the index %s", s.path))
	}
	var done sync.Once
	return func() {
		done.Do(func() {
			fl.Close()
			<-sem
		})
	}, nil
}

// lockBusy is the error of a writer that gave up waiting for the lock.
func (s *Store) lockBusy(cause error) error {
	return fmt.Errorf("sqlite: lock writes: %w", livespec.WrapPublic(livespec.ECONFLICT, cause,
		"another ingest is running on this index", "another ingest is running on the index %s", s.path))
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
