package limit

import (
	"context"
	"sync"
	"time"
)

// Admission admits answers, the one way every surface does (the HTTP API,
// its web page, the Slack bot): a slot of Light, or of Heavy for a heavy
// answer (timelines, change reports), then, when Gate is set, a place at
// the Gate, which lets light answers in before waiting heavy ones.
type Admission struct {
	Light *Limiter
	// Heavy bounds heavy answers apart from Light (nil: they take Light's
	// slots).
	Heavy *Limiter
	// Gate bounds the answers computed at once, light and heavy alike
	// (nil: no bound beyond the limiters').
	Gate *Gate
}

// Waits is how long one admission waited: for a limiter's slot (Queue)
// and then for a place at the Gate.
type Waits struct {
	Queue, Gate time.Duration
}

// Admit takes what an answer, heavy or not, needs to run, waiting while
// others hold it. It returns ErrFull when the limiter's queue is full and
// ctx's error when ctx ends while waiting. On success the caller must
// call release once when the answer is done; later calls are no-ops.
func (a Admission) Admit(ctx context.Context, heavy bool) (release func(), w Waits, err error) {
	l := a.Light
	if heavy && a.Heavy != nil {
		l = a.Heavy
	}
	start := time.Now()
	free, err := l.Acquire(ctx)
	w.Queue = time.Since(start)
	if err != nil || a.Gate == nil {
		return free, w, err
	}
	leave, err := a.Gate.Enter(ctx, !heavy)
	w.Gate = time.Since(start) - w.Queue
	if err != nil {
		free()
		return nil, w, err
	}
	return sync.OnceFunc(func() { leave(); free() }), w, nil
}
