// Package cache is livespec's one bounded cache, on
// github.com/hashicorp/golang-lru/v2: LRU is a map of at most a fixed
// number of entries, or of a fixed weight (bytes, say), that forgets the
// least recently used first; TTL is a
// bounded set whose keys also expire a while after they were added; Memo
// is a bounded map for look-ups far more frequent than additions, which
// it answers without a lock (an LRU moves an entry on every look-up).
//
// TTL reads the time from its caller rather than the wall clock, and starts
// no goroutine: golang-lru's expirable variant does both (its cleanup
// goroutine cannot be stopped in v2.0.7), which neither the Slack bot's
// injected clock nor the rule that every goroutine has an owner allows.
package cache
