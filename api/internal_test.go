package api

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

func TestFormatEvent(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"plain", "Hello", "event: token\ndata: Hello\n\n"},
		{"leading space kept", " world", "event: token\ndata:  world\n\n"},
		{"newline", "a\nb", "event: token\ndata: a\ndata: b\n\n"},
		{"lone newline", "\n", "event: token\ndata: \ndata: \n\n"},
		{"CRLF and CR", "a\r\nb\rc", "event: token\ndata: a\ndata: b\ndata: c\n\n"},
		{"empty", "", "event: token\ndata: \n\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatEvent("token", tt.data); got != tt.want {
				t.Fatalf("formatEvent(%q) = %q, want %q", tt.data, got, tt.want)
			}
		})
	}
}

func TestNormalizeRemote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://github.com/Acme/Shop.git", "github.com/acme/shop"},
		{"https://github.com/acme/shop/", "github.com/acme/shop"},
		{"http://user:pw@github.com/acme/shop", "github.com/acme/shop"},
		{"git@github.com:acme/shop.git", "github.com/acme/shop"},
		{"ssh://git@github.com:22/acme/shop.git", "github.com/acme/shop"},
		{"git://github.com/acme/shop.git", "github.com/acme/shop"},
		{"https://gitlab.example.com/group/sub/project", "gitlab.example.com/group/sub/project"},
		{"github.com/acme/shop", "github.com/acme/shop"},
		{"", ""},
		{"https://github.com/", ""},
		{"not a url", ""},
	} {
		if got := normalizeRemote(tt.in); got != tt.want {
			t.Errorf("normalizeRemote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDeliveriesExpireAndStayBounded(t *testing.T) {
	d := newDeliveries(time.Hour, 3)
	if !d.claim("a") || d.claim("a") {
		t.Fatal("a delivery was not refused the second time")
	}
	d.forget("a")
	if !d.claim("a") {
		t.Fatal("a forgotten delivery was refused")
	}
	d.claim("b")
	d.claim("c")
	d.claim("d") // evicts the oldest, a
	if d.ids.Len() > 3 || !d.claim("a") {
		t.Fatalf("bound not kept: %d remembered", d.ids.Len())
	}
	short := newDeliveries(time.Nanosecond, 10)
	short.claim("x")
	time.Sleep(time.Millisecond)
	if !short.claim("x") {
		t.Fatal("an expired delivery was refused")
	}
}

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"kind", livespec.Errorf(livespec.ENOTFOUND, "x"), 404, livespec.ENOTFOUND},
		{"wrapped kind", fmt.Errorf("ctx: %w", livespec.Errorf(livespec.ECONFLICT, "x")), 409, livespec.ECONFLICT},
		{"deadline inside a kind", livespec.WrapError(livespec.EUNAVAILABLE, context.DeadlineExceeded, "slow"), 504, ETIMEOUT},
		{"cancelled", fmt.Errorf("x: %w", context.Canceled), statusCancelled, ECANCELED},
		{"too large", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 10}), 413, livespec.ETOOLARGE},
		{"unclassified", errors.New("boom"), 500, livespec.EINTERNAL},
		{"rate", livespec.Errorf(livespec.ERATELIMIT, "x"), 429, livespec.ERATELIMIT},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := classify(tt.err)
			if code != tt.code || statusOf(code) != tt.status || msg == "" {
				t.Fatalf("classify = %q (%d) %q, want %q (%d)", code, statusOf(code), msg, tt.code, tt.status)
			}
		})
	}
}

func TestParseTimes(t *testing.T) {
	mid := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		f    func() (time.Time, error)
		want time.Time
	}{
		{"since date", func() (time.Time, error) { return parseTime("since", "2025-03-01", false) }, mid},
		{"until date includes the day", func() (time.Time, error) { return parseTime("until", "2025-03-01", true) }, mid.AddDate(0, 0, 1)},
		{"at date is the day's last instant", func() (time.Time, error) { return parseAt("at", "2025-03-01") }, mid.AddDate(0, 0, 1).Add(-time.Nanosecond)},
		{"at RFC 3339", func() (time.Time, error) { return parseAt("at", "2025-03-01T00:00:00Z") }, mid},
		{"offset", func() (time.Time, error) { return parseTime("since", "2025-03-01T02:00:00+02:00", false) }, mid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f()
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// gatedAsker waits for gate before its one token.
type gatedAsker struct{ gate chan struct{} }

func (a gatedAsker) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	select {
	case <-a.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := onToken("done"); err != nil {
		return nil, err
	}
	return &livespec.Answer{Question: req.Question, Answer: "done"}, nil
}

type emptyStore struct{ livespec.Store }

func TestStreamHeartbeat(t *testing.T) {
	old := sseHeartbeat
	sseHeartbeat = 5 * time.Millisecond
	defer func() { sseHeartbeat = old }()
	gate := make(chan struct{})
	srv, err := New(Config{Asker: gatedAsker{gate}, Store: emptyStore{}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/v1/ask", strings.NewReader(`{"question":"slow"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// The headers and keep-alive comments arrive while the Asker waits.
	br := bufio.NewReader(resp.Body)
	first, err := br.ReadString('\n')
	if err != nil || first != ": keep-alive\n" || resp.StatusCode != 200 {
		t.Fatalf("status %d, first line %q (%v), want a keep-alive comment", resp.StatusCode, first, err)
	}
	close(gate)
	b, _ := io.ReadAll(br)
	if body := string(b); !strings.Contains(body, "event: token\ndata: done\n\n") || !strings.Contains(body, "event: answer\n") {
		t.Fatalf("rest of the stream = %q, want the token and the answer", body)
	}
}

// stubbornAsker ignores its context: it waits for gate, then tries to
// stream a token and answers.
type stubbornAsker struct {
	gate    chan struct{}
	tokErr  chan error
	started chan struct{}
}

func (a stubbornAsker) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	a.started <- struct{}{}
	<-a.gate
	if onToken != nil {
		a.tokErr <- onToken("late")
	}
	return &livespec.Answer{Question: req.Question}, nil
}

func TestAskerIgnoringItsContextIsLeftBehind(t *testing.T) {
	old := askAbandonAfter
	askAbandonAfter = time.Millisecond
	defer func() { askAbandonAfter = old }()
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			a := stubbornAsker{gate: make(chan struct{}), tokErr: make(chan error, 1), started: make(chan struct{}, 1)}
			srv, err := New(Config{Asker: a, Store: emptyStore{}, AskTimeout: 20 * time.Millisecond, MaxInFlight: 1, MaxQueue: -1})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{"question":"q"}`))
			req.Header.Set("Content-Type", "application/json")
			if stream {
				req.Header.Set("Accept", "text/event-stream")
			}
			w := httptest.NewRecorder()
			srv.Handler().ServeHTTP(w, req) // returns although the Asker does not
			<-a.started
			if w.Code != http.StatusGatewayTimeout {
				t.Fatalf("status %d, want 504: %s", w.Code, w.Body.String())
			}
			if srv.Limiter().InFlight() != 1 {
				t.Fatal("the abandoned Asker's generation slot was freed while it still runs")
			}
			close(a.gate)
			if stream {
				if err := <-a.tokErr; err == nil {
					t.Fatal("a token after the request ended was accepted")
				}
			}
			eventually(t, "the abandoned Asker's slot is freed", func() bool { return srv.Limiter().InFlight() == 0 })
		})
	}
}

type panickyAsker struct{}

func (panickyAsker) Ask(context.Context, livespec.AskRequest, func(string) error) (*livespec.Answer, error) {
	panic("bug in the assistant")
}

func TestAskerPanicIsA500AndFreesTheSlot(t *testing.T) {
	srv, err := New(Config{Asker: panickyAsker{}, Store: emptyStore{}, MaxInFlight: 1})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{"question":"q"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, req)
	if w.Code != 500 || strings.Contains(w.Body.String(), "bug in") {
		t.Fatalf("status %d body %s", w.Code, w.Body.String())
	}
	eventually(t, "the panicking Asker's slot is freed", func() bool { return srv.Limiter().InFlight() == 0 })
}

// eventually waits for cond, failing t if it does not hold within 10s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestShutdownWaitsForAbandonedAskers: an Asker its request gave up on
// still reads the store, so Shutdown waits for it (bounded by its
// context) before the store may close, and refuses new answers.
func TestShutdownWaitsForAbandonedAskers(t *testing.T) {
	old := askAbandonAfter
	askAbandonAfter = time.Millisecond
	defer func() { askAbandonAfter = old }()
	a := stubbornAsker{gate: make(chan struct{}), tokErr: make(chan error, 1), started: make(chan struct{}, 1)}
	srv, err := New(Config{Asker: a, Store: emptyStore{}, AskTimeout: 300 * time.Millisecond, MaxInFlight: 2})
	if err != nil {
		t.Fatal(err)
	}
	ask := func() int {
		req := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{"question":"q"}`))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		return w.Code
	}
	if code := ask(); code != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504", code)
	}
	select {
	case <-a.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the Asker never started")
	}
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(short); err == nil {
		t.Fatal("Shutdown returned nil while an abandoned Asker still runs")
	}
	if code := ask(); code != http.StatusServiceUnavailable {
		t.Errorf("an answer during shutdown: status %d, want 503", code)
	}
	close(a.gate)
	long, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := srv.Shutdown(long); err != nil {
		t.Fatalf("Shutdown after the Asker returned: %v", err)
	}
}

func TestTimesOutsideYears1To9999AreInvalid(t *testing.T) {
	for _, tt := range []struct{ name, v string }{
		{"the last day, end of day", "9999-12-31"},
		{"year 0 with an offset", "0001-01-01T00:00:00+01:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTime("until", tt.v, true)
			if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), "9999") {
				t.Errorf("parseTime(%q) = %v, want an invalid error naming the range", tt.v, err)
			}
		})
	}
	if _, err := parseTime("until", "9999-12-30", true); err != nil {
		t.Errorf("9999-12-30: %v", err)
	}
}
