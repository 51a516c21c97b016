package limit

import (
	"context"
	"sync"
)

// Gate lets at most n holders run at once and, when a slot frees, lets
// an urgent waiter in before any other, so that a short job never waits
// behind long ones for the CPU. While another waits, urgent holders take
// at most n-1 slots (when n > 1), so neither kind is shut out. Waiters of
// one kind enter in the order they came. A Gate bounds no queue: its
// callers bound theirs first (a Limiter per kind). It is safe for
// concurrent use.
type Gate struct {
	mu      sync.Mutex
	n       int
	running [2]int             // holders by kind (0: other, 1: urgent)
	waiting [2][]chan struct{} // waiters by kind, oldest first
}

// NewGate returns a Gate of n slots (at least 1).
func NewGate(n int) *Gate { return &Gate{n: max(n, 1)} }

// Enter takes a slot, urgent or not, waiting while the Gate lets others
// in first. It returns ctx's error when ctx ends while waiting. On success
// the caller must call leave exactly once when done; later calls are
// no-ops.
func (g *Gate) Enter(ctx context.Context, urgent bool) (leave func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k := 0
	if urgent {
		k = 1
	}
	w := make(chan struct{}, 1)
	g.mu.Lock()
	g.waiting[k] = append(g.waiting[k], w)
	g.admit()
	g.mu.Unlock()
	select {
	case <-w:
		return g.leaver(k), nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, x := range g.waiting[k] {
		if x == w {
			g.waiting[k] = append(g.waiting[k][:i], g.waiting[k][i+1:]...)
			return nil, ctx.Err()
		}
	}
	// Let in just as ctx ended: give the slot to the next waiter.
	g.running[k]--
	g.admit()
	return nil, ctx.Err()
}

// admit lets waiters in while slots are free: urgent ones first, but
// while another waits, urgent holders take at most n-1 slots. g.mu is
// held.
func (g *Gate) admit() {
	urgentMax := max(g.n-1, 1)
	for g.running[0]+g.running[1] < g.n {
		k := 0
		switch {
		case len(g.waiting[1]) > 0 && (len(g.waiting[0]) == 0 || g.running[1] < urgentMax):
			k = 1
		case len(g.waiting[0]) == 0:
			return
		}
		w := g.waiting[k][0]
		g.waiting[k] = g.waiting[k][1:]
		g.running[k]++
		w <- struct{}{}
	}
}

func (g *Gate) leaver(k int) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			g.running[k]--
			g.admit()
			g.mu.Unlock()
		})
	}
}

// Running returns how many holders, urgent and other, run now.
func (g *Gate) Running() (urgent, other int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.running[1], g.running[0]
}

// Waiting returns how many callers, urgent and other, wait now.
func (g *Gate) Waiting() (urgent, other int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.waiting[1]), len(g.waiting[0])
}
