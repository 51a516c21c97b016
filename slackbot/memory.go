package slackbot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

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
