package cache

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// LRU is a map of at most a fixed number of entries, safe for concurrent
// use; adding to a full one forgets the least recently used entry. The
// zero value is not usable: call NewLRU.
type LRU[K comparable, V any] struct {
	c *lru.Cache[K, V]
}

// NewLRU returns an empty LRU of at most size entries (at least one).
func NewLRU[K comparable, V any](size int) *LRU[K, V] {
	c, err := lru.New[K, V](max(size, 1))
	if err != nil {
		panic(err) // only for a size below one
	}
	return &LRU[K, V]{c: c}
}

// Get returns the value of key and whether there is one.
func (c *LRU[K, V]) Get(key K) (V, bool) { return c.c.Get(key) }

// Add sets the value of key.
func (c *LRU[K, V]) Add(key K, v V) { c.c.Add(key, v) }

// Remove forgets key.
func (c *LRU[K, V]) Remove(key K) { c.c.Remove(key) }

// Purge forgets every entry.
func (c *LRU[K, V]) Purge() { c.c.Purge() }

// Len is the number of entries.
func (c *LRU[K, V]) Len() int { return c.c.Len() }

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
