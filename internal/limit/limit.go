package limit

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/livespec/livespec"
)

// ErrFull is returned by Acquire when every slot is taken and the queue is
// full. Its kind is livespec.ERATELIMIT, so surfaces answer 429 or "busy".
var ErrFull error = livespec.Errorf(livespec.ERATELIMIT, "too many questions in progress; try again shortly")

// Limiter admits at most MaxInFlight holders at once and lets at most
// MaxQueue more wait for a slot. It is safe for concurrent use.
type Limiter struct {
	sem      chan struct{}
	maxQueue int64
	waiting  atomic.Int64
}

// New returns a Limiter with maxInFlight slots (at least 1) and a queue of
// maxQueue waiters (0: no waiting, refuse as soon as every slot is taken).
func New(maxInFlight, maxQueue int) *Limiter {
	maxInFlight = max(maxInFlight, 1)
	maxQueue = max(maxQueue, 0)
	return &Limiter{sem: make(chan struct{}, maxInFlight), maxQueue: int64(maxQueue)}
}

// Acquire takes a slot, waiting in the queue while every slot is taken. It
// returns ErrFull at once when the queue is full too, and ctx's error
// (wrapped) when ctx ends while waiting. On success the caller must call
// release exactly once when done; later calls are no-ops.
func (l *Limiter) Acquire(ctx context.Context) (release func(), err error) {
	return l.AcquireNotify(ctx, nil)
}

// AcquireNotify is Acquire that calls busy (when not nil) once, before it
// starts to wait in the queue.
func (l *Limiter) AcquireNotify(ctx context.Context, busy func()) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case l.sem <- struct{}{}:
		return l.releaser(), nil
	default:
	}
	if l.waiting.Add(1) > l.maxQueue {
		l.waiting.Add(-1)
		return nil, ErrFull
	}
	defer l.waiting.Add(-1)
	if busy != nil {
		busy()
	}
	select {
	case l.sem <- struct{}{}:
		return l.releaser(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *Limiter) releaser() func() {
	var once sync.Once
	return func() { once.Do(func() { <-l.sem }) }
}

// InFlight returns how many slots are taken now.
func (l *Limiter) InFlight() int { return len(l.sem) }

// Queued returns how many callers wait for a slot now.
func (l *Limiter) Queued() int { return int(l.waiting.Load()) }

// Capacity returns the number of slots and the queue length.
func (l *Limiter) Capacity() (inFlight, queue int) { return cap(l.sem), int(l.maxQueue) }
