package limit_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
)

func TestAcquireFillsSlotsThenQueueThenRefuses(t *testing.T) {
	l := limit.New(2, 1)
	ctx := t.Context()
	r1, err := l.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := l.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.InFlight(); got != 2 {
		t.Fatalf("InFlight = %d, want 2", got)
	}

	// The third caller waits in the queue until a slot frees.
	got := make(chan error, 1)
	go func() {
		r, err := l.Acquire(ctx)
		if err == nil {
			defer r()
		}
		got <- err
	}()
	waitFor(t, func() bool { return l.Queued() == 1 })

	// The fourth finds the queue full.
	if _, err := l.Acquire(ctx); !errors.Is(err, limit.ErrFull) {
		t.Fatalf("Acquire with full queue: err = %v, want ErrFull", err)
	}
	if code := livespec.ErrorCode(limit.ErrFull); code != livespec.ERATELIMIT {
		t.Fatalf("ErrFull kind = %q, want %q", code, livespec.ERATELIMIT)
	}

	r1()
	if err := <-got; err != nil {
		t.Fatalf("queued Acquire: %v", err)
	}
	r2()
	waitFor(t, func() bool { return l.InFlight() == 0 })
}

func TestAcquireCancelledWhileQueued(t *testing.T) {
	l := limit.New(1, 1)
	r, err := l.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer r()
	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan error, 1)
	go func() {
		_, err := l.Acquire(ctx)
		got <- err
	}()
	waitFor(t, func() bool { return l.Queued() == 1 })
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if q := l.Queued(); q != 0 {
		t.Fatalf("Queued after cancel = %d, want 0", q)
	}
	// The freed queue place is usable again: a new caller waits rather
	// than being refused.
	ctx2, cancel2 := context.WithCancel(t.Context())
	go func() {
		_, err := l.Acquire(ctx2)
		got <- err
	}()
	waitFor(t, func() bool { return l.Queued() == 1 })
	cancel2()
	<-got
	// An already cancelled context is refused before taking anything.
	if _, err := l.Acquire(canceled(t)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire with a cancelled context: err = %v", err)
	}
}

func TestReleaseTwiceFreesOneSlot(t *testing.T) {
	l := limit.New(1, 0)
	r, err := l.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r()
	r()
	r2, err := l.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer r2()
	if _, err := l.Acquire(t.Context()); !errors.Is(err, limit.ErrFull) {
		t.Fatalf("a double release freed a second slot: err = %v", err)
	}
}

func TestNewClampsArguments(t *testing.T) {
	for _, tt := range []struct {
		name             string
		slots, queue     int
		wantSlots, wantQ int
	}{
		{"zero", 0, 0, 1, 0},
		{"negative", -3, -1, 1, 0},
		{"given", 4, 16, 4, 16},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, q := limit.New(tt.slots, tt.queue).Capacity()
			if s != tt.wantSlots || q != tt.wantQ {
				t.Fatalf("Capacity = %d, %d; want %d, %d", s, q, tt.wantSlots, tt.wantQ)
			}
		})
	}
}

// TestConcurrencyNeverExceedsSlots hammers a Limiter and checks the bound
// holds and every caller is either admitted or refused.
func TestConcurrencyNeverExceedsSlots(t *testing.T) {
	const slots, queue, callers = 3, 5, 200
	l := limit.New(slots, queue)
	var inside, peak, admitted, refused atomic.Int64
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			r, err := l.Acquire(t.Context())
			if errors.Is(err, limit.ErrFull) {
				refused.Add(1)
				return
			}
			if err != nil {
				t.Error(err)
				return
			}
			defer r()
			admitted.Add(1)
			n := inside.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			inside.Add(-1)
		})
	}
	wg.Wait()
	if p := peak.Load(); p > slots {
		t.Fatalf("peak concurrency %d exceeds %d slots", p, slots)
	}
	if a, r := admitted.Load(), refused.Load(); a+r != callers || a < slots {
		t.Fatalf("admitted %d + refused %d, want %d in all and at least %d admitted", a, r, callers, slots)
	}
	if l.InFlight() != 0 || l.Queued() != 0 {
		t.Fatalf("after all released: InFlight %d, Queued %d", l.InFlight(), l.Queued())
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for range 10000 {
		if cond() {
			return
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
	t.Fatal("condition not reached")
}

func canceled(t testing.TB) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

func Example() {
	answers := limit.New(4, 32) // 4 generations at once, 32 waiting
	release, err := answers.Acquire(context.Background())
	if err != nil {
		fmt.Println(livespec.ErrorCode(err)) // "rate_limited" when full
		return
	}
	defer release()
	fmt.Println("in flight:", answers.InFlight())
	// Output: in flight: 1
}

func BenchmarkAcquireRelease(b *testing.B) {
	l := limit.New(8, 64)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := l.Acquire(ctx)
			if err == nil {
				r()
			}
		}
	})
}

// TestFreedSlotOrder: a New Limiter hands a freed slot to the waiter that
// came first; a NewNewestFirst one to the one that came last while the
// first has waited less than its bound, and to the first once it has.
func TestFreedSlotOrder(t *testing.T) {
	tests := []struct {
		name string
		l    *limit.Limiter
		want string // the waiter the freed slot goes to
	}{
		{"arrival order", limit.New(1, 3), "a"},
		{"newest first", limit.NewNewestFirst(1, 3, time.Hour), "c"},
		{"oldest past the bound", limit.NewNewestFirst(1, 3, time.Nanosecond), "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hold, err := tt.l.Acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan string, 3)
			var releases sync.Map
			for i, name := range []string{"a", "b", "c"} {
				go func() {
					r, err := tt.l.Acquire(t.Context())
					if err != nil {
						got <- "error: " + err.Error()
						return
					}
					releases.Store(name, r)
					got <- name
				}()
				waitFor(t, func() bool { return tt.l.Queued() == i+1 })
			}
			hold()
			if first := <-got; first != tt.want {
				t.Fatalf("the freed slot went to %q, want %q", first, tt.want)
			}
			// Let the other two through.
			for range 2 {
				releases.Range(func(_, r any) bool { r.(func())(); return true })
				<-got
			}
			releases.Range(func(_, r any) bool { r.(func())(); return true })
			waitFor(t, func() bool { return tt.l.InFlight() == 0 && tt.l.Queued() == 0 })
		})
	}
}
