package qdrant

import (
	"context"
	"fmt"
	"math"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
)

// newWriteLock is a Store's writer lock: one holder, any number waiting.
func newWriteLock() *limit.Limiter { return limit.New(1, math.MaxInt32) }

// LockWrites implements livespec.WriteLocker for the writers of this
// Store: one holds the lock at a time. Qdrant has no lock that every
// process writing a collection would share, so the lock does not reach
// other processes or other Stores: run one ingest per collection at a
// time.
func (s *Store) LockWrites(ctx context.Context, busy func()) (func(), error) {
	unlock, err := s.writer.AcquireNotify(ctx, busy)
	if err != nil {
		return nil, fmt.Errorf("qdrant: lock writes: %w", livespec.WrapPublic(livespec.ECONFLICT, err,
			"another ingest is running on this index", "another ingest is running on the collections %s_*", s.cfg.Collection))
	}
	return unlock, nil
}
