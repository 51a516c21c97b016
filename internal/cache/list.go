package cache

// list is the entries of an LRU or a TTL in the order of their use, the
// most recent first: one slice of nodes linked by their indices (node 0
// is the root of the ring: its next is the most recent entry, its prev
// the oldest) and a map from key to index. A long-lived cache of many
// entries costs the garbage collector what it holds, not what holds it:
// the entries are one object to scan, not one each, a map whose keys and
// int32 indices hold no pointer is not scanned at all, and moving an
// entry writes indices, not pointers (no write barrier while a collection
// marks). The zero list is not usable: call newList.
type list[K comparable, V any] struct {
	at    map[K]int32
	nodes []node[K, V]
	free  int32 // the first free node (the others linked by next); 0: none
}

// node is an entry of a list, or a free node (zero key and value).
type node[K comparable, V any] struct {
	key        K
	val        V
	prev, next int32
}

// newList returns an empty list.
func newList[K comparable, V any]() list[K, V] {
	return list[K, V]{at: map[K]int32{}, nodes: make([]node[K, V], 1)}
}

// len is the number of entries.
func (l *list[K, V]) len() int { return len(l.at) }

// peek returns the value of key and whether there is one.
func (l *list[K, V]) peek(key K) (V, bool) {
	if i, ok := l.at[key]; ok {
		return l.nodes[i].val, true
	}
	var zero V
	return zero, false
}

// get returns the value of key and whether there is one, and makes it
// the most recent.
func (l *list[K, V]) get(key K) (V, bool) {
	i, ok := l.at[key]
	if !ok {
		var zero V
		return zero, false
	}
	l.unlink(i)
	l.pushFront(i)
	return l.nodes[i].val, true
}

// add sets the value of key and makes it the most recent; it returns
// the value it replaced and whether there was one.
func (l *list[K, V]) add(key K, v V) (old V, replaced bool) {
	if i, ok := l.at[key]; ok {
		old, l.nodes[i].val = l.nodes[i].val, v
		l.unlink(i)
		l.pushFront(i)
		return old, true
	}
	i := l.free
	if i != 0 {
		l.free = l.nodes[i].next
	} else {
		i = int32(len(l.nodes))
		l.nodes = append(l.nodes, node[K, V]{})
	}
	l.nodes[i].key, l.nodes[i].val = key, v
	l.at[key] = i
	l.pushFront(i)
	return old, false
}

// remove forgets key; it returns its value and whether there was one.
func (l *list[K, V]) remove(key K) (V, bool) {
	i, ok := l.at[key]
	if !ok {
		var zero V
		return zero, false
	}
	v := l.nodes[i].val
	l.drop(i)
	return v, true
}

// removeOldest forgets the least recently used entry and returns it;
// ok is false when the list is empty.
func (l *list[K, V]) removeOldest() (key K, v V, ok bool) {
	i := l.nodes[0].prev
	if i == 0 {
		return key, v, false
	}
	key, v = l.nodes[i].key, l.nodes[i].val
	l.drop(i)
	return key, v, true
}

// purge forgets every entry, and the room they took.
func (l *list[K, V]) purge() { *l = newList[K, V]() }

// drop unlinks node i, forgets its key and frees it.
func (l *list[K, V]) drop(i int32) {
	l.unlink(i)
	delete(l.at, l.nodes[i].key)
	l.nodes[i] = node[K, V]{next: l.free} // drops what the entry referred to
	l.free = i
}

// unlink takes node i out of the ring.
func (l *list[K, V]) unlink(i int32) {
	n := &l.nodes[i]
	l.nodes[n.prev].next, l.nodes[n.next].prev = n.next, n.prev
}

// pushFront links node i in as the most recent.
func (l *list[K, V]) pushFront(i int32) {
	first := l.nodes[0].next
	l.nodes[i].prev, l.nodes[i].next = 0, first
	l.nodes[first].prev, l.nodes[0].next = i, i
}
