package e2e_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// gatedChanges counts the change reads of a store; while gate is set, each
// read waits for it to close.
type gatedChanges struct {
	livespec.Store
	reads atomic.Int32
	gate  chan struct{}
}

func (s *gatedChanges) Changes(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	s.reads.Add(1)
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.Store.Changes(ctx, q)
}

// TestHeavyAnswerComputedOnce: a change report asked again while its
// answer is computed is answered by that computation, not a second one, and
// both askers get the same answer.
func TestHeavyAnswerComputedOnce(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Checkout", Write: map[string]string{
		"spec/checkout.md": "# Checkout\n\nCoupons give discounts.\n"}})
	r.Do(gittest.Step{Date: "2024-03-12T12:00:00Z", Msg: "Stacking", Write: map[string]string{
		"spec/checkout.md": "# Checkout\n\nCoupons give discounts; two coupons stack.\n"}})
	st := &gatedChanges{Store: openIndex(t, r.Dir, nil)}
	a := &retrieval.Assistant{Store: st, AnswerCache: -1}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := livespec.AskRequest{Question: "what changed in March 2024?", Now: day("2024-07-01T00:00:00Z")}
	if !a.Heavy(req) {
		t.Fatalf("%q is not weighed heavy", req.Question)
	}
	want, err := a.Ask(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	once := st.reads.Swap(0)
	if once == 0 {
		t.Fatal("a change report read no changes")
	}
	st.gate = make(chan struct{})
	var wg sync.WaitGroup
	answers := make([]*livespec.Answer, 2)
	for i := range answers {
		wg.Go(func() {
			ans, err := a.Ask(ctx, req, nil)
			if err != nil {
				t.Error(err)
			}
			answers[i] = ans
		})
		// The first computation is under way before the second asks.
		for i == 0 && st.reads.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	// A second computation would read changes too: give it the time to.
	for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline) && st.reads.Load() <= once; {
		time.Sleep(5 * time.Millisecond)
	}
	close(st.gate)
	wg.Wait()
	if got := st.reads.Load(); got != once {
		t.Errorf("two concurrent askers read changes %d times, one answer reads them %d times", got, once)
	}
	for i, ans := range answers {
		if ans == nil || ans.Answer != want.Answer {
			t.Errorf("asker %d got %+v, want %q", i, ans, want.Answer)
		}
	}
	if answers[0] == answers[1] {
		t.Error("both askers got the same *Answer; each needs its own copy")
	}
}
