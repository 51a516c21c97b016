package cache

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Memo remembers values by key, at most a fixed number of them, for
// look-ups made far more often than additions (a word's stem, say, asked
// for each word of each text). A look-up of a key added a while ago takes
// no lock and moves nothing: such keys sit in a map that is only read,
// replaced by a larger copy as additions build up (which costs a few
// copies per addition over time). When the bound would be passed, the
// memo starts again from the keys added since the last copy. Safe for
// concurrent use; the zero value is not usable: call NewMemo.
type Memo[K comparable, V any] struct {
	size int
	read atomic.Pointer[map[K]V] // never changed once stored
	mu   sync.Mutex
	new  map[K]V // added since read was stored
}

// NewMemo returns an empty memo of at most size keys (at least one).
func NewMemo[K comparable, V any](size int) *Memo[K, V] {
	m := &Memo[K, V]{size: max(size, 1), new: map[K]V{}}
	m.read.Store(&map[K]V{})
	return m
}

// Get returns the value of key and whether there is one.
func (m *Memo[K, V]) Get(key K) (V, bool) {
	if v, ok := (*m.read.Load())[key]; ok {
		return v, true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.new[key]
	return v, ok
}

// Add sets the value of key.
func (m *Memo[K, V]) Add(key K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.new[key] = v
	read := *m.read.Load()
	if len(m.new) < max(memoMinCopy, len(read)/4) && len(read)+len(m.new) < m.size {
		return
	}
	next := m.new
	if len(read)+len(m.new) <= m.size {
		next = maps.Clone(read)
		maps.Copy(next, m.new)
	}
	m.read.Store(&next)
	m.new = map[K]V{}
}

// memoMinCopy is the fewest additions that make a Memo copy its map.
const memoMinCopy = 64

// Len is the number of keys held.
func (m *Memo[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(*m.read.Load())
	for k := range m.new {
		if _, ok := (*m.read.Load())[k]; !ok {
			n++
		}
	}
	return n
}
