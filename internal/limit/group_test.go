package limit

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func TestGroupCloseWaitsAndRefuses(t *testing.T) {
	var g Group
	release := make(chan struct{})
	var ran atomic.Int32
	for range 3 {
		if !g.Go(func() { <-release; ran.Add(1) }) {
			t.Fatal("Go refused before Close")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := g.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close with running goroutines = %v, want the deadline", err)
	}
	if g.Go(func() { ran.Add(100) }) {
		t.Fatal("Go accepted after Close")
	}
	close(release)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := g.Close(ctx2); err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 3 || g.Running() != 0 {
		t.Fatalf("ran %d, running %d; want 3 and 0", ran.Load(), g.Running())
	}
}

// TestGroupWaitLeaksNothing: a Wait that times out leaves no goroutine
// waiting behind it.
func TestGroupWaitLeaksNothing(t *testing.T) {
	var g Group
	release := make(chan struct{})
	g.Go(func() { <-release })
	before := runtime.NumGoroutine()
	for range 50 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Microsecond)
		_ = g.Wait(ctx)
		cancel()
	}
	// Goroutines of other tests and of the runtime may still be ending, so
	// a leak is a count that stays high, not one sample above.
	deadline := time.Now().Add(5 * time.Second)
	after := runtime.NumGoroutine()
	for after > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		after = runtime.NumGoroutine()
	}
	if after > before {
		t.Fatalf("goroutines: %d before 50 timed-out waits, %d after", before, after)
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestGroupGoRacesClose: Go and Close called at once never race (run
// with -race); every goroutine Go accepted has ended when Close returns.
func TestGroupGoRacesClose(t *testing.T) {
	for range 100 {
		var g Group
		var started, ended atomic.Int32
		go func() {
			for range 10 {
				if g.Go(func() { ended.Add(1) }) {
					started.Add(1)
				}
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := g.Close(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		if s, e := started.Load(), ended.Load(); e < s-int32(g.Running()) {
			t.Fatalf("started %d, ended %d", s, e)
		}
	}
}
