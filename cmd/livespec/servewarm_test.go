package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"testing"

	"github.com/livespec/livespec"
)

func TestWarmGateIsReadyOnceTheWarmUpEnds(t *testing.T) {
	tests := []struct {
		name string
		err  error // what the warm-up returns
	}{
		{"warmed", nil},
		{"warm-up failed", errors.New("disk read error")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWarmGate()
			check := w.readyCheck()
			if !check.Required || check.Name != "warm" {
				t.Fatalf("readyCheck = %q required %v, want the required check \"warm\"", check.Name, check.Required)
			}
			release, ran := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(ran)
				w.run(context.Background(), func(context.Context) error { <-release; return tt.err }, slog.New(slog.NewTextHandler(io.Discard, nil)))
			}()
			if err := check.Check(context.Background()); livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
				t.Fatalf("check while warming = %v, want an %s error", err, livespec.EUNAVAILABLE)
			}
			close(release)
			<-ran
			if err := check.Check(context.Background()); err != nil {
				t.Fatalf("check after the warm-up = %v, want ready", err)
			}
		})
	}
}

// TestWarmGateCollectsTheWarmUpsGarbage checks that the gate opens with
// the warm-up's garbage collected: 64 MB the warm-up dropped are no
// longer on the heap when the server says it is ready.
func TestWarmGateCollectsTheWarmUpsGarbage(t *testing.T) {
	const garbage = 64 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w := newWarmGate()
	w.run(context.Background(), func(context.Context) error {
		chunks := make([][]byte, 0, 64)
		for range 64 {
			chunks = append(chunks, make([]byte, garbage/64))
		}
		runtime.KeepAlive(chunks)
		return nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > garbage/2 {
		t.Errorf("the heap holds %d MB more once ready, want the warm-up's %d MB of garbage collected", grew>>20, garbage>>20)
	}
	if err := w.check(context.Background()); err != nil {
		t.Errorf("check after the warm-up = %v, want ready", err)
	}
}
