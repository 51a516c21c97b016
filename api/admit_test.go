package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// weighingAsker weighs questions starting with "how has" heavy; heavy
// answers tell started and wait for a token on gate, light ones answer at
// once. Every answer says its question on began, when began is not nil.
type weighingAsker struct {
	started chan struct{}
	gate    chan struct{}
	began   chan string
}

func (a weighingAsker) Heavy(req livespec.AskRequest) bool {
	return strings.HasPrefix(req.Question, "how has")
}

func (a weighingAsker) Ask(ctx context.Context, req livespec.AskRequest, _ func(string) error) (*livespec.Answer, error) {
	if a.began != nil {
		a.began <- req.Question
	}
	if a.Heavy(req) {
		if a.started != nil {
			a.started <- struct{}{}
		}
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

// TestLightAnswersRunBeforeWaitingHeavyOnes: when every running place is
// taken, a light question that comes after a waiting heavy one is answered
// first once a place frees.
func TestLightAnswersRunBeforeWaitingHeavyOnes(t *testing.T) {
	a := weighingAsker{began: make(chan string, 4), gate: make(chan struct{})}
	srv, err := New(Config{Asker: a, Store: emptyStore{}, MaxRunning: 1, MaxHeavyInFlight: 2})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	statuses := make(chan int, 3)
	post := func(q string) {
		resp, err := client.Post(ts.URL+"/v1/ask", "application/json", strings.NewReader(`{"question":"`+q+`"}`))
		if err != nil {
			t.Error(err)
			statuses <- 0
			return
		}
		resp.Body.Close()
		statuses <- resp.StatusCode
	}
	began := func() string {
		select {
		case q := <-a.began:
			return q
		case <-time.After(10 * time.Second):
			t.Fatal("no answer began")
			return ""
		}
	}
	waiting := func(urgent, other int) {
		deadline := time.Now().Add(10 * time.Second)
		for u, o := srv.Gate().Waiting(); u != urgent || o != other; u, o = srv.Gate().Waiting() {
			if time.Now().After(deadline) {
				t.Fatalf("waiting at the gate: %d light, %d heavy; want %d, %d", u, o, urgent, other)
			}
			time.Sleep(time.Millisecond)
		}
	}
	go post("how has checkout evolved?")
	if q := began(); q != "how has checkout evolved?" {
		t.Fatalf("first answer began: %q", q)
	}
	go post("how has returns evolved?")
	waiting(0, 1)
	go post("how do coupons work?")
	waiting(1, 1)
	a.gate <- struct{}{} // the first heavy answer ends
	if q := began(); q != "how do coupons work?" {
		t.Fatalf("after the first heavy answer, %q began; want the light question, which waited less", q)
	}
	if q := began(); q != "how has returns evolved?" {
		t.Fatalf("then %q began; want the waiting heavy question", q)
	}
	a.gate <- struct{}{}
	for range 3 {
		if got := <-statuses; got != http.StatusOK {
			t.Errorf("status %d, want 200", got)
		}
	}
}

// TestAnswerSaysWhereItsTimeWent: an answer's Server-Timing header says
// how long it waited for a slot and for the running gate, how long it
// took and how long the server had the request, so a slow answer can be
// told from a queued one and from a slow server or network.
func TestAnswerSaysWhereItsTimeWent(t *testing.T) {
	srv, err := New(Config{Asker: weighingAsker{}, Store: emptyStore{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, accept := range []string{"application/json", "text/event-stream"} {
		req := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{"question":"how do coupons work?"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", accept, w.Code, w.Body)
		}
		want := regexp.MustCompile(`^queue;dur=[0-9.]+, gate;dur=[0-9.]+(, answer;dur=[0-9.]+, total;dur=[0-9.]+)?$`)
		got := w.Header().Get("Server-Timing")
		if !want.MatchString(got) || (accept == "application/json") != strings.Contains(got, "total;") {
			t.Errorf("%s: Server-Timing %q, want the queue and gate waits (and the answer's and the request's time when not streamed)", accept, got)
		}
	}
}
