package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFlightSharesOneCall: callers asking for a key while it is being
// made wait for that one call and get its value.
func TestFlightSharesOneCall(t *testing.T) {
	var f Flight[int]
	var calls atomic.Int32
	gate := make(chan struct{})
	started := make(chan struct{}, 1)
	const callers = 8
	var wg sync.WaitGroup
	got := make(chan int, callers)
	for range callers {
		wg.Go(func() {
			v, _, err := f.Do(t.Context(), "k", func() (int, error) {
				calls.Add(1)
				started <- struct{}{}
				<-gate
				return 42, nil
			})
			if err != nil {
				t.Error(err)
			}
			got <- v
		})
	}
	<-started
	time.Sleep(50 * time.Millisecond) // the others reach Do meanwhile, or call fn after: counted
	close(gate)
	wg.Wait()
	close(got)
	for v := range got {
		if v != 42 {
			t.Fatalf("value %d, want 42", v)
		}
	}
	if n := calls.Load(); n >= callers {
		t.Fatalf("%d callers at once made the value %d times", callers, n)
	}
}

// TestFlightRetriesAfterOthersCancel: a caller that joined a call which
// ended with another caller's cancellation makes the value itself.
func TestFlightRetriesAfterOthersCancel(t *testing.T) {
	var f Flight[string]
	ctx, cancel := context.WithCancel(t.Context())
	inFirst := make(chan struct{})
	joined := make(chan struct{})
	firstErr := make(chan error, 1)
	go func() {
		_, _, err := f.Do(ctx, "k", func() (string, error) {
			close(inFirst)
			<-joined
			cancel()
			return "", ctx.Err()
		})
		firstErr <- err
	}()
	<-inFirst
	done := make(chan struct{})
	var v string
	var err error
	go func() {
		defer close(done)
		v, _, err = f.Do(t.Context(), "k", func() (string, error) { return "mine", nil })
	}()
	time.Sleep(50 * time.Millisecond) // let the second caller join the first call
	close(joined)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the second caller never returned")
	}
	if e := <-firstErr; !errors.Is(e, context.Canceled) {
		t.Fatalf("first caller: %v, want its cancellation", e)
	}
	if err != nil || v != "mine" {
		t.Fatalf("second caller: %q, %v; want its own value", v, err)
	}
}
