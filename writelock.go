package livespec

import "context"

// WriteLocker is implemented by stores that several writers (processes, or
// stores opened on the same index) can share: ingest holds the index's
// writer lock for a whole run, so two runs on one index, or a run and a
// --rebuild, never interleave. Stores without it rely on their callers to
// run one writer at a time.
type WriteLocker interface {
	// LockWrites takes the index's writer lock. When another writer holds
	// it, LockWrites calls busy (if not nil) once, then waits until the
	// lock is free or ctx ends, when it returns an ECONFLICT error saying
	// that another ingest is running on this index (and ctx's error in its
	// chain). The returned func releases the lock; calling it again does
	// nothing.
	LockWrites(ctx context.Context, busy func()) (unlock func(), err error)
}
