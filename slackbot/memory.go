package slackbot

import (
	"container/list"
	"sync"
	"time"

	"github.com/livespec/livespec"
	"golang.org/x/time/rate"
)

// dedup remembers keys for a while so that a redelivered event is handled
// once. It holds at most max keys, forgetting the oldest first.
type dedup struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	seen  map[string]time.Time
	order *list.List // of string, oldest first
}

func newDedup(ttl time.Duration, max int) *dedup {
	return &dedup{ttl: ttl, max: max, seen: map[string]time.Time{}, order: list.New()}
}

// First reports whether none of keys was seen within the TTL, and
// remembers them all. Empty keys are ignored.
func (d *dedup) First(now time.Time, keys ...string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for e := d.order.Front(); e != nil; {
		k := e.Value.(string)
		if now.Sub(d.seen[k]) < d.ttl && d.order.Len() <= d.max {
			break
		}
		next := e.Next()
		d.order.Remove(e)
		delete(d.seen, k)
		e = next
	}
	first := true
	for _, k := range keys {
		if k == "" {
			continue
		}
		if _, ok := d.seen[k]; ok {
			first = false
			continue
		}
		d.seen[k] = now
		d.order.PushBack(k)
	}
	return first
}

// keyedLimiter is a token bucket per key (user, workspace): perMinute
// questions a minute with a burst of as many. Idle buckets are dropped.
type keyedLimiter struct {
	mu        sync.Mutex
	perMinute int
	buckets   map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

func newKeyedLimiter(perMinute int) *keyedLimiter {
	return &keyedLimiter{perMinute: perMinute, buckets: map[string]*bucket{}}
}

// Allow takes one token from key's bucket. When there is none it returns
// false and how long until there is.
func (k *keyedLimiter) Allow(key string, now time.Time) (bool, time.Duration) {
	if k.perMinute < 0 || key == "" {
		return true, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.buckets) > 10000 {
		for key, b := range k.buckets {
			if now.Sub(b.used) > 2*time.Minute {
				delete(k.buckets, key)
			}
		}
	}
	b := k.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(k.perMinute)/60), max(k.perMinute, 1))}
		k.buckets[key] = b
	}
	b.used = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// answerCache keeps the most recent answers by id, so that a rating can be
// stored with the whole answer and its citations.
type answerCache struct {
	mu    sync.Mutex
	max   int
	byID  map[string]*livespec.Answer
	order *list.List
}

func newAnswerCache(max int) *answerCache {
	return &answerCache{max: max, byID: map[string]*livespec.Answer{}, order: list.New()}
}

func (c *answerCache) Put(id string, a *livespec.Answer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byID[id]; ok {
		c.byID[id] = a
		return
	}
	c.byID[id] = a
	c.order.PushBack(id)
	for c.order.Len() > c.max {
		e := c.order.Front()
		delete(c.byID, e.Value.(string))
		c.order.Remove(e)
	}
}

func (c *answerCache) Get(id string) *livespec.Answer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID[id]
}

// ttlSet remembers keys for a while, at most max of them (the oldest are
// dropped first).
type ttlSet struct {
	mu   sync.Mutex
	ttl  time.Duration
	max  int
	keys map[string]time.Time
}

func newTTLSet(ttl time.Duration, max int) *ttlSet {
	return &ttlSet{ttl: ttl, max: max, keys: map[string]time.Time{}}
}

// Has reports whether key was added less than the TTL before now.
func (s *ttlSet) Has(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.keys[key]
	return ok && now.Sub(t) < s.ttl
}

// Add remembers key from now on.
func (s *ttlSet) Add(key string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) >= s.max {
		for k, t := range s.keys {
			if now.Sub(t) >= s.ttl {
				delete(s.keys, k)
			}
		}
		for k := range s.keys {
			if len(s.keys) < s.max {
				break
			}
			delete(s.keys, k)
		}
	}
	s.keys[key] = now
}

// Delete forgets key.
func (s *ttlSet) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, key)
}
