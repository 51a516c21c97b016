package sqlite

import (
	"sync"

	"github.com/livespec/livespec/internal/cache"
)

// genLRU keeps what was read at one DataVersion (gen), bounded by an
// LRU: get finds only what was kept at the DataVersion it is asked for,
// and keeping at a newer one drops the rest. What a read at an older
// DataVersion keeps is dropped. The zero value is ready to use; it is safe
// for concurrent use.
type genLRU[K comparable, V any] struct {
	mu  sync.Mutex
	gen uint64
	by  *cache.LRU[K, V]
}

// get returns what is kept as k's at gen, and whether it is.
func (c *genLRU[K, V]) get(gen uint64, k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.by == nil {
		var zero V
		return zero, false
	}
	return c.by.Get(k)
}

// keep keeps v as k's at gen; fresh makes the LRU of a newer gen.
func (c *genLRU[K, V]) keep(gen uint64, k K, v V, fresh func() *cache.LRU[K, V]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen < c.gen {
		return
	}
	if gen > c.gen || c.by == nil {
		c.gen, c.by = gen, fresh()
	}
	c.by.Add(k, v)
}
