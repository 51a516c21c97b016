package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// weighingAsker weighs questions starting with "how has" heavy; heavy
// answers tell started and wait for gate, light ones answer at once.
type weighingAsker struct {
	started chan struct{}
	gate    chan struct{}
}

func (a weighingAsker) Heavy(req livespec.AskRequest) bool {
	return strings.HasPrefix(req.Question, "how has")
}

func (a weighingAsker) Ask(ctx context.Context, req livespec.AskRequest, _ func(string) error) (*livespec.Answer, error) {
	if a.Heavy(req) {
		a.started <- struct{}{}
		select {
		case <-a.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &livespec.Answer{Question: req.Question, Answer: "done"}, nil
}

// TestHeavyAnswersLeaveLightSlots: while heavy answers take every slot of
// their own, a light question is still answered, and another heavy one is
// refused as busy rather than taking a light slot.
func TestHeavyAnswersLeaveLightSlots(t *testing.T) {
	a := weighingAsker{started: make(chan struct{}, 1), gate: make(chan struct{})}
	srv, err := New(Config{Asker: a, Store: emptyStore{}, MaxInFlight: 1, MaxQueue: -1, MaxHeavyInFlight: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(q string) int {
		resp, err := client.Post(ts.URL+"/v1/ask", "application/json", strings.NewReader(`{"question":"`+q+`"}`))
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	heavy := make(chan int, 1)
	go func() { heavy <- post("how has checkout evolved?") }()
	select {
	case <-a.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the heavy answer never started")
	}
	if got := post("how do coupons work?"); got != http.StatusOK {
		t.Errorf("light question while a heavy answer runs: status %d, want 200", got)
	}
	if got := post("how has returns evolved?"); got != http.StatusTooManyRequests {
		t.Errorf("second heavy question with no heavy slot or queue: status %d, want 429", got)
	}
	close(a.gate)
	if got := <-heavy; got != http.StatusOK {
		t.Errorf("heavy question: status %d, want 200", got)
	}
}
