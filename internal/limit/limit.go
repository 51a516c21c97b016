package limit

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/livespec/livespec"
)

// ErrFull is returned by Acquire when every slot is taken and the queue is
// full. Its kind is livespec.ERATELIMIT, so surfaces answer 429 or "busy".
var ErrFull error = livespec.Errorf(livespec.ERATELIMIT, "too many questions in progress; try again shortly")

// Limiter admits at most MaxInFlight holders at once and lets at most
// MaxQueue more wait for a slot. A freed slot goes to the waiter that came
// first, or, in a Limiter made by NewNewestFirst, to the one that came
// last unless the first has waited too long. It is safe for concurrent
// use.
type Limiter struct {
	mu       sync.Mutex
	slots    int
	held     int
	maxQueue int
	queue    []*waiter // oldest first
	// newestFirst, when positive, gives a freed slot to the newest waiter
	// while the oldest has waited less than it.
	newestFirst time.Duration
}

// waiter is a caller waiting for a slot; ready is closed when one is
// handed to it.
type waiter struct {
	since time.Time
	ready chan struct{}
}

// New returns a Limiter with maxInFlight slots (at least 1) and a queue of
// maxQueue waiters (0: no waiting, refuse as soon as every slot is taken),
// whose waiters get slots in the order they came.
func New(maxInFlight, maxQueue int) *Limiter {
	return &Limiter{slots: max(maxInFlight, 1), maxQueue: max(maxQueue, 0)}
}

// NewNewestFirst is New for a Limiter whose freed slot goes to the newest
// waiter, unless the oldest has waited maxWait or longer (then to the
// oldest): under a steady queue, the questions that came last are answered
// at once instead of after all the others, while no question waits much
// longer than maxWait plus the time the queue takes to serve the ones that
// waited as long. The mean wait is the same as in arrival order; far more
// answers come quickly, and the longest waits hardly grow.
func NewNewestFirst(maxInFlight, maxQueue int, maxWait time.Duration) *Limiter {
	l := New(maxInFlight, maxQueue)
	l.newestFirst = max(maxWait, time.Nanosecond)
	return l
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
	l.mu.Lock()
	if l.held < l.slots {
		l.held++
		l.mu.Unlock()
		return l.releaser(), nil
	}
	if len(l.queue) >= l.maxQueue {
		l.mu.Unlock()
		return nil, ErrFull
	}
	w := &waiter{since: time.Now(), ready: make(chan struct{})}
	l.queue = append(l.queue, w)
	l.mu.Unlock()
	if busy != nil {
		busy()
	}
	select {
	case <-w.ready:
		return l.releaser(), nil
	case <-ctx.Done():
	}
	l.mu.Lock()
	if i := slices.Index(l.queue, w); i >= 0 {
		l.queue = slices.Delete(l.queue, i, i+1)
		l.mu.Unlock()
		return nil, ctx.Err()
	}
	l.mu.Unlock()
	// Handed a slot just as ctx ended: pass it on.
	l.release()
	return nil, ctx.Err()
}

func (l *Limiter) releaser() func() {
	var once sync.Once
	return func() { once.Do(l.release) }
}

// release frees a slot, or hands it to the next waiter (see next).
func (l *Limiter) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) == 0 {
		l.held--
		return
	}
	i := l.next(time.Now())
	w := l.queue[i]
	l.queue = slices.Delete(l.queue, i, i+1)
	close(w.ready)
}

// next is the index of the waiter a freed slot goes to at now: the oldest,
// unless the Limiter serves the newest first and the oldest has waited
// less than newestFirst. l.mu is held and the queue is not empty.
func (l *Limiter) next(now time.Time) int {
	if l.newestFirst > 0 && now.Sub(l.queue[0].since) < l.newestFirst {
		return len(l.queue) - 1
	}
	return 0
}

// InFlight returns how many slots are taken now.
func (l *Limiter) InFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

// Queued returns how many callers wait for a slot now.
func (l *Limiter) Queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}

// Capacity returns the number of slots and the queue length.
func (l *Limiter) Capacity() (inFlight, queue int) { return l.slots, l.maxQueue }
