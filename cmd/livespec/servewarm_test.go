package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
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
