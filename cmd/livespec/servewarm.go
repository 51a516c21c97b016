package main

import (
	"context"
	"log/slog"
	"runtime"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
)

// warmGate keeps a server unready while it warms up (term statistics,
// the store's caches, the analyses of the versions topic pools rank):
// /readyz answers 503 until the warm-up has ended, so a load balancer, or
// a load test, sends no question that would pay for the warm-up in-line
// or compete with it for the CPU. The server listens meanwhile (/healthz
// answers). The zero value is not usable: call newWarmGate.
type warmGate struct {
	done chan struct{} // closed when the warm-up has ended
}

func newWarmGate() *warmGate { return &warmGate{done: make(chan struct{})} }

// readyCheck is the gate's required /readyz check, "warm".
func (w *warmGate) readyCheck() api.ReadyCheck {
	return api.ReadyCheck{Name: "warm", Required: true, Check: w.check}
}

// check fails while the warm-up runs.
func (w *warmGate) check(context.Context) error {
	select {
	case <-w.done:
		return nil
	default:
		return livespec.Errorf(livespec.EUNAVAILABLE, "warming up: reading the index's statistics and texts ahead of the first questions")
	}
}

// run runs warm, collects its garbage and then opens the gate, whether
// warm succeeded or not: a server that failed to warm up answers all the
// same, only its first answers are slower (the failure is logged). The
// collection sets the next one's goal from what the warm-up keeps, not
// from its peak: without it, the first collection came in the first
// second of questions, marking the warm-up's garbage while they waited
// (KEPs load mix, served: the first 500 ms answered 148-225 questions,
// 270-286 with it).
func (w *warmGate) run(ctx context.Context, warm func(context.Context) error, log *slog.Logger) {
	defer close(w.done)
	if err := warm(ctx); err != nil && ctx.Err() == nil {
		log.Warn("retrieval: warm-up failed", "err", err.Error())
	}
	runtime.GC()
}
