package livespec

import "context"

// WriteLocker serialises the writers of an index: ingest holds the
// index's writer lock for a whole run, so two runs on one index, or a run
// and a --rebuild, never interleave. Every store has it (it is part of
// Store). The SQLite store's lock is shared by every process and every
// store opened on the same index file. The Qdrant store's lock is shared
// only by the writers of one Store value (one process): Qdrant has no lock
// that every process writing a collection would share, so two processes
// must not ingest into one collection at once.
type WriteLocker interface {
	// LockWrites takes the index's writer lock. When another writer holds
	// it, LockWrites calls busy (if not nil) once, then waits until the
	// lock is free or ctx ends, when it returns an ECONFLICT error saying
	// that another ingest is running on this index (and ctx's error in its
	// chain). The returned func releases the lock; calling it again does
	// nothing.
	LockWrites(ctx context.Context, busy func()) (unlock func(), err error)
}
