package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
)

func TestAskJSON(t *testing.T) {
	f := newFixture(t)
	w := do(t, f.h, "POST", "/v1/ask", `{"question":"  does checkout take coupons? ","now":"2025-06-01","repo":"acme/shop"}`)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	ans := decode[livespec.Answer](t, w)
	if ans.Answer != "One coupon per order [1].\n\nDone." || len(ans.Citations) != 1 || ans.Citations[0].Commit != "c2" {
		t.Fatalf("answer = %+v", ans)
	}
	req := f.asker.lastRequest()
	if req.Question != "does checkout take coupons?" || !req.Now.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) ||
		len(req.Repos) != 1 || req.Repos[0] != "acme/shop" {
		t.Fatalf("the Asker got %+v", req)
	}
	// The contract's null fields stay null.
	var raw map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &raw)
	if _, ok := raw["as_of"]; !ok || raw["as_of"] != nil {
		t.Fatalf("as_of = %v, want null", raw["as_of"])
	}
}

func TestAskDefaultsNowToTheServerClock(t *testing.T) {
	f := newFixture(t)
	do(t, f.h, "POST", "/v1/ask", `{"question":"what changed this quarter?"}`)
	if got := f.asker.lastRequest().Now; !got.Equal(day("2025-05-15")) {
		t.Fatalf("Now = %v, want the server clock", got)
	}
}

func TestAskErrors(t *testing.T) {
	long := strings.Repeat("é", api.MaxQuestionRunes+1)
	for _, tt := range []struct {
		name     string
		body     string
		ctype    string
		asker    *fakeAsker
		status   int
		code     string
		mentions []string
	}{
		{name: "bad JSON", body: `{"question":`, status: 400, code: livespec.EINVALID, mentions: []string{"body", "JSON"}},
		{name: "syntax error", body: `{"question" "x"}`, status: 400, code: livespec.EINVALID, mentions: []string{"byte"}},
		{name: "not an object", body: `["x"]`, status: 400, code: livespec.EINVALID},
		{name: "wrong type", body: `{"question":42}`, status: 400, code: livespec.EINVALID, mentions: []string{"question", "string"}},
		{name: "unknown field", body: `{"question":"x","qestion":"y"}`, status: 400, code: livespec.EINVALID, mentions: []string{"qestion"}},
		{name: "trailing data", body: `{"question":"x"} {}`, status: 400, code: livespec.EINVALID, mentions: []string{"after"}},
		{name: "empty body", body: ``, status: 400, code: livespec.EINVALID, mentions: []string{"empty"}},
		{name: "missing question", body: `{}`, status: 400, code: livespec.EINVALID, mentions: []string{"question", "required"}},
		{name: "blank question", body: `{"question":"  \n "}`, status: 400, code: livespec.EINVALID, mentions: []string{"question"}},
		{name: "question too long", body: `{"question":"` + long + `"}`, status: 400, code: livespec.EINVALID, mentions: []string{"2001", "2000"}},
		{name: "bad now", body: `{"question":"x","now":"yesterday"}`, status: 400, code: livespec.EINVALID, mentions: []string{"now", "yesterday"}},
		{name: "unknown repo", body: `{"question":"x","repo":"acme/nope"}`, status: 404, code: livespec.ENOTFOUND, mentions: []string{"acme/nope"}},
		{name: "wrong content type", body: `question=x`, ctype: "application/x-www-form-urlencoded", status: 415, code: api.ECONTENTTYPE},
		{name: "no content type", body: `{"question":"x"}`, ctype: "-", status: 415, code: api.ECONTENTTYPE},
		{name: "body too large", body: `{"question":"` + strings.Repeat("a", api.MaxBodyBytes) + `"}`, status: 413, code: livespec.ETOOLARGE},
		{name: "store down", body: `{"question":"x"}`, asker: &fakeAsker{err: livespec.WrapError(livespec.EUNAVAILABLE, errors.New("disk I/O error"), "cannot read the index /var/secret/livespec.db")},
			status: 503, code: livespec.EUNAVAILABLE, mentions: []string{"unavailable"}},
		{name: "store down, with a safe message", body: `{"question":"x"}`, asker: &fakeAsker{err: livespec.WrapPublic(livespec.EUNAVAILABLE, errors.New("dial tcp 10.0.0.7:6334: refused"), "the store is unreachable", "qdrant at 10.0.0.7:6334 is unreachable")},
			status: 503, code: livespec.EUNAVAILABLE, mentions: []string{"unreachable"}},
		{name: "index mismatch", body: `{"question":"x"}`, asker: &fakeAsker{err: livespec.Errorf(livespec.EMISMATCH, "re-embed with livespec ingest --reembed")},
			status: 503, code: livespec.EMISMATCH},
		{name: "asker refuses", body: `{"question":"x"}`, asker: &fakeAsker{err: livespec.Errorf(livespec.EINVALID, "question: no words")},
			status: 400, code: livespec.EINVALID, mentions: []string{"no words"}},
		{name: "unclassified failure", body: `{"question":"x"}`, asker: &fakeAsker{err: errors.New("sql: database is locked at /var/secret")},
			status: 500, code: livespec.EINTERNAL, mentions: []string{"internal error"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *api.Config, _ *fixture) {
				if tt.asker != nil {
					c.Asker = tt.asker
				}
			})
			req := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(tt.body))
			switch tt.ctype {
			case "":
				req.Header.Set("Content-Type", "application/json; charset=utf-8")
			case "-":
			default:
				req.Header.Set("Content-Type", tt.ctype)
			}
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, req)
			wantError(t, w, tt.status, tt.code, tt.mentions...)
			if strings.Contains(w.Body.String(), "/var/secret") || strings.Contains(w.Body.String(), "10.0.0.7") {
				t.Fatal("an internal error detail reached the client")
			}
		})
	}
}

func TestAskQuestionAtTheLimitIsAccepted(t *testing.T) {
	f := newFixture(t)
	q := strings.Repeat("é", api.MaxQuestionRunes)
	if w := do(t, f.h, "POST", "/v1/ask", `{"question":"`+q+`"}`); w.Code != 200 {
		t.Fatalf("a %d-character question: %d %s", api.MaxQuestionRunes, w.Code, w.Body.String())
	}
}

func TestAskQueueFullIs429(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, func(c *api.Config, f *fixture) {
		f.asker.gate = gate
		f.asker.started = make(chan struct{}, 4)
		c.MaxInFlight, c.MaxQueue = 1, -1 // one answer at a time, nobody waits
	})
	done := make(chan int)
	go func() { done <- do(t, f.h, "POST", "/v1/ask", `{"question":"first"}`).Code }()
	<-f.asker.started
	w := do(t, f.h, "POST", "/v1/ask", `{"question":"second"}`)
	wantError(t, w, 429, livespec.ERATELIMIT)
	if w.Header().Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	close(gate)
	if code := <-done; code != 200 {
		t.Fatalf("the first question: %d", code)
	}
	if w := do(t, f.h, "POST", "/v1/ask", `{"question":"third"}`); w.Code != 200 {
		t.Fatalf("after the slot freed: %d", w.Code)
	}
}

func TestAskBoundsConcurrency(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, func(c *api.Config, f *fixture) {
		f.asker.gate = gate
		c.MaxInFlight, c.MaxQueue = 2, 20
	})
	var wg sync.WaitGroup
	codes := make(chan int, 10)
	for range 10 {
		wg.Go(func() { codes <- do(t, f.h, "POST", "/v1/ask", `{"question":"q"}`).Code })
	}
	waitUntil(t, func() bool { return f.srv.Limiter().Queued() == 8 })
	close(gate)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Fatalf("a queued question got %d", c)
		}
	}
	if p := f.asker.peak.Load(); p > 2 {
		t.Fatalf("%d answers ran at once; the limit is 2", p)
	}
}

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct{ name, data string }

// readEvents parses an event stream the way a browser's EventSource does.
func readEvents(t testing.TB, r io.Reader) []sseEvent {
	t.Helper()
	var out []sseEvent
	var ev sseEvent
	var data []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data != nil {
				ev.data = strings.Join(data, "\n")
				out = append(out, ev)
			}
			ev, data = sseEvent{}, nil
		case strings.HasPrefix(line, "event:"):
			ev.name = strings.TrimPrefix(strings.TrimPrefix(line, "event:"), " ")
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	return out
}

func streamRequest(t testing.TB, ctx context.Context, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/v1/ask", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestAskStream(t *testing.T) {
	f := newFixture(t)
	f.asker.tokens = []string{"One", " coupon", " per order [1].\n\n", "- a\r\n- b", " "}
	ts := httptest.NewServer(f.h)
	defer ts.Close()
	resp := streamRequest(t, t.Context(), ts.URL, `{"question":"coupons?"}`)
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" ||
		resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	events := readEvents(t, resp.Body)
	if len(events) != len(f.asker.tokens)+1 {
		t.Fatalf("got %d events, want %d tokens and the answer: %+v", len(events), len(f.asker.tokens), events)
	}
	var text strings.Builder
	for i, tok := range f.asker.tokens {
		if events[i].name != "token" {
			t.Fatalf("event %d is %q, want token", i, events[i].name)
		}
		if want := strings.ReplaceAll(tok, "\r\n", "\n"); events[i].data != want {
			t.Fatalf("token %d = %q, want %q", i, events[i].data, want)
		}
		text.WriteString(events[i].data)
	}
	last := events[len(events)-1]
	if last.name != "answer" {
		t.Fatalf("last event %q, want answer", last.name)
	}
	var ans livespec.Answer
	if err := json.Unmarshal([]byte(last.data), &ans); err != nil {
		t.Fatalf("answer event: %v", err)
	}
	if ans.Question != "coupons?" || len(ans.Citations) != 1 || ans.Answer != strings.Join(f.asker.tokens, "") {
		t.Fatalf("answer event = %+v", ans)
	}
}

func TestAskStreamErrorAfterTokens(t *testing.T) {
	f := newFixture(t)
	f.asker.err = livespec.WrapPublic(livespec.EUNAVAILABLE, errors.New("EOF"), "ollama stopped answering", "ollama at http://10.0.0.7:11434 stopped answering")
	ts := httptest.NewServer(f.h)
	defer ts.Close()
	resp := streamRequest(t, t.Context(), ts.URL, `{"question":"coupons?"}`)
	defer resp.Body.Close()
	events := readEvents(t, resp.Body)
	last := events[len(events)-1]
	var e api.ErrorBody
	if last.name != "error" || json.Unmarshal([]byte(last.data), &e) != nil || e.Error.Code != livespec.EUNAVAILABLE ||
		!strings.Contains(e.Error.Message, "ollama stopped") {
		t.Fatalf("last event = %+v, want an error event", last)
	}
}

func TestAskStreamErrorBeforeTokensKeepsItsStatus(t *testing.T) {
	f := newFixture(t, func(c *api.Config, _ *fixture) {
		c.Asker = &fakeAsker{err: livespec.Errorf(livespec.EUNAVAILABLE, "the store is unreachable")}
	})
	ts := httptest.NewServer(f.h)
	defer ts.Close()
	resp := streamRequest(t, t.Context(), ts.URL, `{"question":"coupons?"}`)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || !strings.Contains(string(b), `"unavailable"`) {
		t.Fatalf("status %d body %s, want a 503 JSON error", resp.StatusCode, b)
	}
}

func TestAskStreamWithRecorder(t *testing.T) {
	// A plain ResponseRecorder has no CloseNotify; the stream must not
	// depend on it.
	f := newFixture(t)
	w := do(t, f.h, "POST", "/v1/ask", `{"question":"coupons?"}`, "Accept", "text/event-stream")
	events := readEvents(t, strings.NewReader(w.Body.String()))
	if w.Code != 200 || len(events) != 4 || events[3].name != "answer" {
		t.Fatalf("status %d events %+v", w.Code, events)
	}
	if !strings.HasPrefix(w.Body.String(), "event: token\ndata: One coupon\n\n") {
		t.Fatalf("framing: %q", w.Body.String()[:40])
	}
}

// TestCancelledStreamsStopTheAskerAndLeakNothing opens many streams, drops
// each after its first token, and checks every Ask saw its context end and
// the goroutine count returns to where it was.
func TestCancelledStreamsStopTheAskerAndLeakNothing(t *testing.T) {
	f := newFixture(t, func(c *api.Config, f *fixture) {
		f.asker.block = true
		f.asker.tokens = []string{"thinking"}
		c.MaxInFlight, c.MaxQueue = 8, 100
	})
	ts := httptest.NewServer(f.h)
	defer ts.Close()
	http.DefaultClient.CloseIdleConnections()
	before := settledGoroutines(0)

	const streams = 50
	var wg sync.WaitGroup
	for range streams {
		wg.Go(func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			resp := streamRequest(t, ctx, ts.URL, `{"question":"slow"}`)
			defer resp.Body.Close()
			line, err := bufio.NewReader(resp.Body).ReadString('\n')
			if err != nil || line != "event: token\n" {
				t.Errorf("first line %q, %v", line, err)
			}
			cancel()
		})
	}
	wg.Wait()
	waitUntil(t, func() bool { return f.asker.canceled.Load() == streams })
	waitUntil(t, func() bool { return f.srv.Limiter().InFlight() == 0 })
	ts.CloseClientConnections()
	http.DefaultClient.CloseIdleConnections()
	if after := settledGoroutines(before); after > before {
		t.Fatalf("goroutines: %d before, %d after %d cancelled streams\n%s", before, after, streams, goroutineDump())
	}
}

// settledGoroutines waits for the goroutine count to drop to target (or
// to stop changing) and returns it.
func settledGoroutines(target int) int {
	n := runtime.NumGoroutine()
	for range 200 {
		time.Sleep(10 * time.Millisecond)
		m := runtime.NumGoroutine()
		if (target > 0 && m <= target) || (target == 0 && m == n) {
			return m
		}
		n = m
	}
	return n
}

func goroutineDump() string {
	b := make([]byte, 1<<16)
	return string(b[:runtime.Stack(b, true)])
}

func TestStreamTimeoutStopsAHungGenerator(t *testing.T) {
	f := newFixture(t, func(c *api.Config, f *fixture) {
		f.asker.block = true
		c.AskTimeout = 50 * time.Millisecond
	})
	ts := httptest.NewServer(f.h)
	defer ts.Close()
	resp := streamRequest(t, t.Context(), ts.URL, `{"question":"slow"}`)
	defer resp.Body.Close()
	events := readEvents(t, resp.Body) // returns because the server ends the stream
	last := events[len(events)-1]
	if last.name != "error" || !strings.Contains(last.data, api.ETIMEOUT) {
		t.Fatalf("last event = %+v, want a timeout error", last)
	}
}
