package sqlite

import (
	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

// Every answer asks Checkpoint whether its term statistics are still
// those of the repositories' checkpoints: a statement on the read pool
// that cost about 100 µs a question on the KEPs (2.6% of a server's CPU),
// five times a DataVersion's. Each repository's checkpoint is kept, read
// once per DataVersion (perStore.checkpoints).

// maxKeptCheckpoints bounds the repositories whose checkpoints are kept.
const maxKeptCheckpoints = 256

// keptCheckpoint is a repository's checkpoint, and whether it has one.
type keptCheckpoint struct {
	cp    livespec.Checkpoint
	found bool
}

// newKeptCheckpoints returns the LRU of a DataVersion's checkpoints, by
// repository; a repository never ingested is kept with found false.
func newKeptCheckpoints() *cache.LRU[string, keptCheckpoint] {
	return cache.NewLRU[string, keptCheckpoint](maxKeptCheckpoints)
}
