package api

import (
	"cmp"
	"context"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
)

// DefaultMaxHeavyInFlight is how many heavy answers (timelines, change
// reports) run at once when Config sets no HeavyLimiter: apart from the
// light ones' slots, so that a burst of them never holds every slot.
const DefaultMaxHeavyInFlight = 2

// heavyMaxWait is how long the oldest heavy question may wait before it
// is served ahead of newer ones: until then a freed heavy slot goes to the
// newest (limit.NewNewestFirst), so that under a steady queue many heavy
// answers come at once and none waits much longer than in arrival order.
const heavyMaxWait = 150 * time.Millisecond

// admit takes an answer slot for req (limit.Admission): one of the heavy
// answers' when the Asker weighs req heavy (livespec.Weigher), else one
// of the shared limiter's; then, when the server has one, a place at the
// running gate, which lets light answers in before heavy ones. It
// reports how long each took. The caller releases it once.
func (a *answers) admit(ctx context.Context, req livespec.AskRequest) (func(), limit.Waits, error) {
	w, ok := a.asker.(livespec.Weigher)
	return a.admission.Admit(ctx, ok && w.Heavy(req))
}

// Gate returns the running gate (nil when MaxRunning is negative), to
// share with the Slack bot.
func (s *Server) Gate() *limit.Gate { return s.answers.admission.Gate }

// runningGate returns the Gate of cfg.MaxRunning slots (0: one more than
// the CPUs Go runs on), or nil when MaxRunning is negative.
func runningGate(cfg Config) *limit.Gate {
	if cfg.MaxRunning < 0 {
		return nil
	}
	return limit.NewGate(cmp.Or(cfg.MaxRunning, runtime.GOMAXPROCS(0)+1))
}

// heavyLimiter returns cfg.HeavyLimiter, or a Limiter of
// MaxHeavyInFlight slots (0: DefaultMaxHeavyInFlight) and a queue as long
// as the shared one's, newest first while the oldest has waited less than
// heavyMaxWait.
func heavyLimiter(cfg Config, queue int) *limit.Limiter {
	if cfg.HeavyLimiter != nil {
		return cfg.HeavyLimiter
	}
	n := cfg.MaxHeavyInFlight
	if n <= 0 {
		n = DefaultMaxHeavyInFlight
	}
	return limit.NewNewestFirst(n, queue, heavyMaxWait)
}

// watchHeavy exports the heavy answers' slots and queue.
func watchHeavy(reg prometheus.Registerer, l *limit.Limiter) {
	_ = reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "livespec_heavy_answers_in_flight", Help: "Heavy answers (timelines, change reports) being generated now.",
	}, func() float64 { return float64(l.InFlight()) }))
	_ = reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "livespec_heavy_answers_queued", Help: "Heavy questions waiting for a slot of their own.",
	}, func() float64 { return float64(l.Queued()) }))
}

// HeavyLimiter returns the Limiter of heavy answers, to share with the
// Slack bot.
func (s *Server) HeavyLimiter() *limit.Limiter { return s.heavy }
