package limit_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livespec/livespec/internal/limit"
)

// gateRun is a test's view of callers entering a Gate: each waits in its
// own goroutine and, once in, says its name on in.
type gateRun struct {
	t  *testing.T
	g  *limit.Gate
	in chan string
	mu sync.Mutex
	// leave holds each caller's leave func by name, once it is in.
	leave map[string]func()
}

func newGateRun(t *testing.T, n int) *gateRun {
	return &gateRun{t: t, g: limit.NewGate(n), in: make(chan string, 16), leave: map[string]func(){}}
}

// enter starts caller name and waits until it is in the Gate or queued.
func (r *gateRun) enter(name string, urgent bool) {
	r.t.Helper()
	u0, o0 := r.g.Waiting()
	ur0, or0 := r.g.Running()
	go func() {
		leave, err := r.g.Enter(r.t.Context(), urgent)
		if err != nil {
			return
		}
		r.mu.Lock()
		r.leave[name] = leave
		r.mu.Unlock()
		r.in <- name
	}()
	waitFor(r.t, func() bool {
		u, o := r.g.Waiting()
		ur, or := r.g.Running()
		return u+o+ur+or == u0+o0+ur0+or0+1
	})
}

// next returns the name of the next caller let in.
func (r *gateRun) next() string {
	r.t.Helper()
	select {
	case name := <-r.in:
		return name
	case <-time.After(10 * time.Second):
		r.t.Fatal("nobody was let in")
		return ""
	}
}

// none checks that nobody more is let in now.
func (r *gateRun) none() {
	r.t.Helper()
	select {
	case name := <-r.in:
		r.t.Fatalf("%s was let in, want nobody", name)
	case <-time.After(20 * time.Millisecond):
	}
}

// out makes caller name leave.
func (r *gateRun) out(name string) {
	r.mu.Lock()
	leave := r.leave[name]
	r.mu.Unlock()
	leave()
}

func TestGateLetsUrgentCallersInFirst(t *testing.T) {
	r := newGateRun(t, 2)
	r.enter("heavy1", false)
	r.enter("heavy2", false)
	r.next()
	r.next()
	r.enter("heavy3", false) // waits
	r.enter("light1", true)  // waits, after heavy3
	r.enter("light2", true)
	r.none()
	r.out("heavy1")
	if got := r.next(); got != "light1" {
		t.Fatalf("first in after a slot freed: %s, want light1 (urgent callers before others, in their order)", got)
	}
	r.none()
	r.out("heavy2")
	// light1 holds n-1 slots and heavy3 waits: the last slot is heavy3's.
	if got := r.next(); got != "heavy3" {
		t.Fatalf("second in: %s, want heavy3 (urgent callers take at most n-1 slots while another waits)", got)
	}
	r.out("light1")
	if got := r.next(); got != "light2" {
		t.Fatalf("third in: %s, want light2", got)
	}
}

func TestGateUrgentFillsEverySlotWhenNobodyElseWaits(t *testing.T) {
	r := newGateRun(t, 3)
	for _, name := range []string{"light1", "light2", "light3"} {
		r.enter(name, true)
		r.next()
	}
	r.enter("light4", true)
	r.none()
	if u, o := r.g.Running(); u != 3 || o != 0 {
		t.Fatalf("Running = %d urgent, %d other; want 3, 0", u, o)
	}
	r.out("light2")
	if got := r.next(); got != "light4" {
		t.Fatalf("in: %s, want light4", got)
	}
}

func TestGateEnterCancelledWhileWaiting(t *testing.T) {
	g := limit.NewGate(1)
	leave, err := g.Enter(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan error, 1)
	go func() {
		_, err := g.Enter(ctx, true)
		got <- err
	}()
	waitFor(t, func() bool { u, _ := g.Waiting(); return u == 1 })
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Enter: err = %v, want context.Canceled", err)
	}
	if u, o := g.Waiting(); u+o != 0 {
		t.Fatalf("Waiting after the cancel = %d, %d; want nobody", u, o)
	}
	leave()
	leave() // a second call is a no-op
	l2, err := g.Enter(canceled(t), false)
	if err == nil || l2 != nil {
		t.Fatalf("Enter with an ended context: err = %v, want its error", err)
	}
	if u, o := g.Running(); u+o != 0 {
		t.Fatalf("Running after every holder left = %d, %d; want 0", u, o)
	}
	l3, err := g.Enter(t.Context(), true)
	if err != nil {
		t.Fatalf("Enter after the slot freed: %v", err)
	}
	l3()
}

func TestGateNeverRunsMoreThanItsSlots(t *testing.T) {
	const slots = 3
	g := limit.NewGate(slots)
	var running, most atomic.Int64
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), time.Duration(i%7)*time.Millisecond+time.Millisecond)
			defer cancel()
			leave, err := g.Enter(ctx, i%2 == 0)
			if err != nil {
				return
			}
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(100 * time.Microsecond)
			running.Add(-1)
			leave()
		})
	}
	wg.Wait()
	if m := most.Load(); m > slots || m == 0 {
		t.Fatalf("at most %d ran at once, want 1..%d", m, slots)
	}
	if u, o := g.Running(); u+o != 0 {
		t.Fatalf("Running at the end = %d, %d; want 0 (a cancelled caller kept a slot)", u, o)
	}
}
