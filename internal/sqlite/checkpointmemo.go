package sqlite

import (
	"sync"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

// Every answer asks Checkpoint whether its term statistics are still
// those of the repositories' checkpoints: a statement on the read pool
// that cost about 100 µs a question on the KEPs (2.6% of a server's CPU),
// five times a DataVersion's. keptCheckpoints keeps each repository's
// checkpoint, read once per DataVersion.

// maxKeptCheckpoints bounds the repositories whose checkpoints are kept.
const maxKeptCheckpoints = 256

// keptCheckpoints keeps the checkpoints read at one DataVersion, by
// repository; a repository never ingested is kept with found false.
type keptCheckpoints struct {
	mu  sync.Mutex
	gen uint64
	by  *cache.LRU[string, keptCheckpoint]
}

// keptCheckpoint is a repository's checkpoint, and whether it has one.
type keptCheckpoint struct {
	cp    livespec.Checkpoint
	found bool
}

// get returns repo's checkpoint kept at gen, and whether it is kept.
func (k *keptCheckpoints) get(gen uint64, repo string) (keptCheckpoint, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gen != gen || k.by == nil {
		return keptCheckpoint{}, false
	}
	return k.by.Get(repo)
}

// keep keeps cp as repo's checkpoint at gen.
func (k *keptCheckpoints) keep(gen uint64, repo string, cp keptCheckpoint) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if gen < k.gen {
		return
	}
	if gen > k.gen || k.by == nil {
		k.gen, k.by = gen, cache.NewLRU[string, keptCheckpoint](maxKeptCheckpoints)
	}
	k.by.Add(repo, cp)
}
