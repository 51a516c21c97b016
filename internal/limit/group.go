package limit

import (
	"context"
	"sync"
)

// Group owns goroutines started while work is accepted and lets their
// owner stop accepting and wait for them, with a deadline. Unlike a
// sync.WaitGroup, starting a goroutine never races with the wait (Go
// refuses once Close has been called), and a wait that times out leaves no
// goroutine behind. The zero Group is ready to use.
type Group struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{} // closed when n drops to 0 (made on demand)
}

// Go runs fn in a new goroutine owned by g and reports true, or reports
// false without running it once Close has been called.
func (g *Group) Go(fn func()) bool {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return false
	}
	g.n++
	g.mu.Unlock()
	go func() {
		defer g.done()
		fn()
	}()
	return true
}

func (g *Group) done() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n--
	if g.n == 0 && g.idle != nil {
		close(g.idle)
		g.idle = nil
	}
}

// Running returns how many of g's goroutines are running.
func (g *Group) Running() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// Wait waits until none of g's goroutines runs, or ctx ends (then it
// returns ctx's error). Goroutines may still be started meanwhile.
func (g *Group) Wait(ctx context.Context) error {
	g.mu.Lock()
	if g.n == 0 {
		g.mu.Unlock()
		return nil
	}
	if g.idle == nil {
		g.idle = make(chan struct{})
	}
	idle := g.idle
	g.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops g from starting goroutines and waits for the running ones
// as Wait does.
func (g *Group) Close(ctx context.Context) error {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	return g.Wait(ctx)
}
