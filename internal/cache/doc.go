// Package cache is livespec's one bounded cache: LRU is a map of at most
// a fixed number of entries, or of a fixed weight (bytes, say), that
// forgets the least recently used first; TTL is a
// bounded set whose keys also expire a while after they were added; Memo
// is a bounded map for look-ups far more frequent than additions, which
// it answers without a lock (an LRU moves an entry on every look-up).
//
// LRU and TTL keep their entries in one slice linked by indices, with a
// map from key to index, rather than one list element per entry
// (golang-lru's layout): a server's caches hold a few hundred thousand
// entries for its whole life, which the garbage collector then scans as
// a few objects, not as twice that many, and adding to a full cache
// allocates nothing.
//
// TTL reads the time from its caller rather than the wall clock, and starts
// no goroutine: golang-lru's expirable variant does both (its cleanup
// goroutine cannot be stopped in v2.0.7), which neither the Slack bot's
// injected clock nor the rule that every goroutine has an owner allows.
package cache
