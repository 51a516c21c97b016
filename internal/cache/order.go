package cache

// ordered is the map and the recency order that LRU and TTL keep under
// their lock. Each entry's value sits in the map beside the place of its
// key in the order, and the order is a list linked by indices within one
// slice: adding an entry allocates nothing once the slice has grown, a
// look-up that leaves the order (Peek) reads the map alone, and the order
// holds no pointer for the collector to follow unless the keys do. Not
// safe for concurrent use.
type ordered[K comparable, V any] struct {
	items map[K]entry[V]
	// nodes[0] is the list's head: its next is the most recently used
	// entry, its prev the least; the other nodes are entries or free.
	nodes   []node[K]
	free    int32 // the first free node, 0 when none
	size    int   // the most entries kept
	onEvict func(K, V)
}

// entry is an entry's value and its node.
type entry[V any] struct {
	v  V
	at int32
}

// node is an entry's place in the order (or, free, the next free node).
type node[K any] struct {
	key        K
	prev, next int32
}

// newOrdered returns an empty ordered map of at most size entries (at
// least one), calling onEvict, when not nil, for each entry removed or
// pushed out (not for a value replaced by Add).
func newOrdered[K comparable, V any](size int, onEvict func(K, V)) *ordered[K, V] {
	return &ordered[K, V]{items: map[K]entry[V]{}, nodes: make([]node[K], 1), size: max(size, 1), onEvict: onEvict}
}

// Get returns the value of key and whether there is one, making it the
// most recently used.
func (o *ordered[K, V]) Get(key K) (V, bool) {
	e, ok := o.items[key]
	if ok {
		o.unlink(e.at)
		o.pushFront(e.at)
	}
	return e.v, ok
}

// Peek returns the value of key and whether there is one, leaving the
// order as it is.
func (o *ordered[K, V]) Peek(key K) (V, bool) {
	e, ok := o.items[key]
	return e.v, ok
}

// Add sets the value of key and makes it the most recently used; a new
// key pushes out the least recently used entry when there are size.
func (o *ordered[K, V]) Add(key K, v V) {
	if e, ok := o.items[key]; ok {
		o.items[key] = entry[V]{v, e.at}
		o.unlink(e.at)
		o.pushFront(e.at)
		return
	}
	if len(o.items) >= o.size {
		o.RemoveOldest() // first, so that the new entry takes its node
	}
	at := o.free
	if at != 0 {
		o.free = o.nodes[at].next
	} else {
		at = int32(len(o.nodes))
		o.nodes = append(o.nodes, node[K]{})
	}
	o.nodes[at].key = key
	o.pushFront(at)
	o.items[key] = entry[V]{v, at}
}

// Remove forgets key.
func (o *ordered[K, V]) Remove(key K) {
	if e, ok := o.items[key]; ok {
		o.remove(key, e)
	}
}

// RemoveOldest forgets the least recently used entry, if any.
func (o *ordered[K, V]) RemoveOldest() {
	if at := o.nodes[0].prev; at != 0 {
		key := o.nodes[at].key
		o.remove(key, o.items[key])
	}
}

func (o *ordered[K, V]) remove(key K, e entry[V]) {
	o.unlink(e.at)
	o.nodes[e.at] = node[K]{next: o.free} // the zero key keeps nothing alive
	o.free = e.at
	delete(o.items, key)
	if o.onEvict != nil {
		o.onEvict(key, e.v)
	}
}

// Purge forgets every entry, calling onEvict for each.
func (o *ordered[K, V]) Purge() {
	items := o.items
	o.items, o.nodes, o.free = map[K]entry[V]{}, make([]node[K], 1), 0
	if o.onEvict != nil {
		for k, e := range items {
			o.onEvict(k, e.v)
		}
	}
}

// Len is the number of entries.
func (o *ordered[K, V]) Len() int { return len(o.items) }

func (o *ordered[K, V]) unlink(at int32) {
	n := &o.nodes[at]
	o.nodes[n.prev].next = n.next
	o.nodes[n.next].prev = n.prev
}

func (o *ordered[K, V]) pushFront(at int32) {
	first := o.nodes[0].next
	o.nodes[at].prev, o.nodes[at].next = 0, first
	o.nodes[first].prev = at
	o.nodes[0].next = at
}
