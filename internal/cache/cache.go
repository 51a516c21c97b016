package cache

import (
	"math"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// LRU is a map of at most a fixed number of entries, or of entries
// whose weights add up to at most a fixed weight (see NewWeighed), safe
// for concurrent use; adding to a full one forgets the least recently used
// entries. The zero value is not usable: call NewLRU or NewWeighed.
type LRU[K comparable, V any] struct {
	mu sync.Mutex
	c  *simplelru.LRU[K, V]
	// weigh, when set, weighs each entry; weight is what the entries
	// weigh together, at most max.
	weigh       func(K, V) int64
	weight, max int64
}

// NewLRU returns an empty LRU of at most size entries (at least one).
func NewLRU[K comparable, V any](size int) *LRU[K, V] {
	c := &LRU[K, V]{}
	c.c = newSimple[K, V](size, nil)
	return c
}

// NewWeighed returns an empty LRU whose entries weigh at most max
// together, each weighed by weigh when it is added (the size in bytes of
// what it holds, say; the same for the same entry). An entry that weighs
// more than max alone is not kept.
func NewWeighed[K comparable, V any](max int64, weigh func(K, V) int64) *LRU[K, V] {
	c := &LRU[K, V]{weigh: weigh, max: max}
	c.c = newSimple(math.MaxInt, func(k K, v V) { c.weight -= weigh(k, v) })
	return c
}

func newSimple[K comparable, V any](size int, onEvict simplelru.EvictCallback[K, V]) *simplelru.LRU[K, V] {
	c, err := simplelru.NewLRU(max(size, 1), onEvict)
	if err != nil {
		panic(err) // only for a size below one
	}
	return c
}

// Get returns the value of key and whether there is one.
func (c *LRU[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c.Get(key)
}

// PeekMany returns the values of those of keys that have one, taking the
// lock once. Unlike Get it does not make them the most recently used: a
// cache read far more often than written (so that moving entries costs
// more than finding them) forgets in the order it was written.
func (c *LRU[K, V]) PeekMany(keys []K) map[K]V { return c.many(keys, c.c.Peek) }

// PeekAll returns the value of each of keys (the zero value where there
// is none) and whether there is one, taking the lock once and, like
// PeekMany, leaving the order of the entries as it is.
func (c *LRU[K, V]) PeekAll(keys []K) ([]V, []bool) {
	vals, found := make([]V, len(keys)), make([]bool, len(keys))
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, k := range keys {
		vals[i], found[i] = c.c.Peek(k)
	}
	return vals, found
}

// GetMany returns the values of those of keys that have one, taking the
// lock once, and makes them the most recently used, as Get does.
func (c *LRU[K, V]) GetMany(keys []K) map[K]V { return c.many(keys, c.c.Get) }

// many returns the values get finds for those of keys that have one,
// taking the lock once.
func (c *LRU[K, V]) many(keys []K, get func(K) (V, bool)) map[K]V {
	out := make(map[K]V, len(keys))
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if v, ok := get(k); ok {
			out[k] = v
		}
	}
	return out
}

// Add sets the value of key.
func (c *LRU[K, V]) Add(key K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.weigh == nil {
		c.c.Add(key, v)
		return
	}
	c.c.Remove(key) // its weight goes with it
	c.c.Add(key, v)
	c.weight += c.weigh(key, v)
	for c.weight > c.max && c.c.Len() > 0 {
		c.c.RemoveOldest()
	}
}

// Remove forgets key.
func (c *LRU[K, V]) Remove(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.c.Remove(key)
}

// Purge forgets every entry.
func (c *LRU[K, V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.c.Purge()
}

// Len is the number of entries.
func (c *LRU[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c.Len()
}

// Weight is what the entries weigh together (0 for an LRU made by
// NewLRU).
func (c *LRU[K, V]) Weight() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.weight
}

// TTL is a set of at most a fixed number of keys, each remembered for ttl
// after it was added; adding to a full set forgets the oldest key. Times
// come from the caller. Safe for concurrent use.
type TTL[K comparable] struct {
	ttl time.Duration
	mu  sync.Mutex
	c   *simplelru.LRU[K, time.Time] // key → when it was added
}

// NewTTL returns an empty set of at most size keys (at least one) that
// expire ttl after they are added.
func NewTTL[K comparable](size int, ttl time.Duration) *TTL[K] {
	c, err := simplelru.NewLRU[K, time.Time](max(size, 1), nil)
	if err != nil {
		panic(err) // only for a size below one
	}
	return &TTL[K]{ttl: ttl, c: c}
}

// Has reports whether key was added less than ttl before now.
func (s *TTL[K]) Has(key K, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live(key, now)
}

func (s *TTL[K]) live(key K, now time.Time) bool {
	at, ok := s.c.Peek(key)
	return ok && now.Sub(at) < s.ttl
}

// Add remembers key from now on.
func (s *TTL[K]) Add(key K, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.c.Add(key, now)
}

// Claim reports whether none of keys is in the set at now, and adds those
// that are not (their time stays that of their first adding while they
// live). It is one step: of two concurrent claims of a key, one wins.
func (s *TTL[K]) Claim(now time.Time, keys ...K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := true
	for _, k := range keys {
		if s.live(k, now) {
			first = false
			continue
		}
		s.c.Add(k, now)
	}
	return first
}

// Remove forgets key.
func (s *TTL[K]) Remove(key K) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.c.Remove(key)
}

// Len is the number of keys held, expired ones included until they are
// pushed out.
func (s *TTL[K]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.Len()
}
