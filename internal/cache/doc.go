// Package cache is livespec's one bounded cache: LRU is a map of at most
// a fixed number of entries, or of a fixed weight (bytes, say), that
// forgets the least recently used first; TTL is a bounded set whose keys
// also expire a while after they were added; Memo is a bounded map for
// look-ups far more frequent than additions, which it answers without a
// lock (an LRU moves an entry on every look-up).
//
// LRU and TTL keep their entries' values in one map and their order in a
// list linked by indices within one slice (order.go), not in an object
// per entry: an entry costs no allocation and the collector has no list
// to follow. TTL reads the time from its caller rather than the wall
// clock, and starts no goroutine (the Slack bot's clock is injected, and
// every goroutine has an owner).
package cache
