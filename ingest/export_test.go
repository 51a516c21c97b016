package ingest

import "github.com/livespec/livespec"

// NewMemStore returns the in-memory store of ingest's tests, for the
// scenarios (ingesttest) that run from package ingest_test.
func NewMemStore() livespec.Store { return newMemStore() }
