package qdrant

import (
	"context"
	"sync/atomic"
)

// DataVersion returns a new, larger number on every call: Qdrant keeps no
// transaction or write counter that every replica and writer shares, so
// the store cannot tell that nothing was written, and caches keyed on the
// number never hit (see livespec.DataVersioner).
func (s *Store) DataVersion(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return dataVersions.Add(1), nil
}

// dataVersions numbers DataVersion calls across the process.
var dataVersions atomic.Uint64

// Warm does nothing: the store keeps nothing in memory for its searches
// to read ahead (see livespec.Warmer).
func (s *Store) Warm(ctx context.Context) error { return ctx.Err() }
