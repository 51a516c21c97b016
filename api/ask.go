package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
)

// AskBody is the body of POST /v1/ask.
type AskBody struct {
	Question string `json:"question"`
	// Now is the clock for relative periods ("this quarter"), RFC 3339 or
	// YYYY-MM-DD; empty: the server's time.
	Now string `json:"now,omitempty"`
	// Repo limits the answer to one repository; Repos to several.
	Repo  string   `json:"repo,omitempty"`
	Repos []string `json:"repos,omitempty"`
}

// sseWriteTimeout bounds each event write: a client that stops reading is
// dropped instead of holding a generation slot.
const sseWriteTimeout = 30 * time.Second

// askAbandonAfter is how long the API waits for an Asker to return once
// the request's context has ended, before answering without it.
var askAbandonAfter = 5 * time.Second

// answers runs the Asker for POST /v1/ask and the web page's form: it
// takes a slot for each question (admit.go), runs the Asker in the running
// group and records how long the answer took.
type answers struct {
	asker     livespec.Asker
	admission limit.Admission
	running   *limit.Group // Askers running, abandoned ones included
	metrics   *Metrics
	log       *slog.Logger
}

// askHandler serves POST /v1/ask: the answer as JSON, or streamed as
// Server-Sent Events when the Accept header asks for them.
func askHandler(a *answers, qs queries) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		req, err := qs.askRequest(c)
		if err != nil {
			return err
		}
		release, waits, err := a.admit(c.Request.Context(), req)
		if err != nil {
			return err
		}
		if wantsEventStream(c.GetHeader("Accept")) {
			c.Header("Server-Timing", serverTiming(waits, -1, -1))
			return a.stream(c, req, release)
		}
		start := time.Now()
		ans, err := a.answer(c.Request.Context(), req, nil, release)
		if err != nil {
			return err
		}
		total := time.Duration(-1)
		if t, ok := c.Get(requestStartKey); ok {
			total = time.Since(t.(time.Time))
		}
		c.Header("Server-Timing", serverTiming(waits, time.Since(start), total))
		writeJSON(c, http.StatusOK, ans)
		return nil
	})
}

// serverTiming is the Server-Timing header of an answer: how long it
// waited for its slot (queue) and for a place at the running gate (gate),
// how long it took to compute (answer) and how long the server had the
// request until its answer was ready to be written (total: from the
// handlers' start, so total minus the others is the server's own HTTP,
// JSON and scheduling time); answer and total are left out when negative.
func serverTiming(w limit.Waits, answer, total time.Duration) string {
	b := make([]byte, 0, 80)
	b = appendTiming(b, "queue", w.Queue)
	b = append(b, ", "...)
	b = appendTiming(b, "gate", w.Gate)
	if answer >= 0 {
		b = append(b, ", "...)
		b = appendTiming(b, "answer", answer)
	}
	if total >= 0 {
		b = append(b, ", "...)
		b = appendTiming(b, "total", total)
	}
	return string(b)
}

func appendTiming(b []byte, name string, d time.Duration) []byte {
	b = append(b, name...)
	b = append(b, ";dur="...)
	return strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', -1, 64)
}

// askResult is what an Asker returned.
type askResult struct {
	ans *livespec.Answer
	err error
}

// call runs the Asker for req, turning a panic into an error.
func (a *answers) call(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (r askResult) {
	defer func() {
		if rec := recover(); rec != nil {
			a.log.Error("api: Asker panicked", "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			r = askResult{err: fmt.Errorf("api: Asker panicked: %v", rec)}
		}
	}()
	ans, err := a.asker.Ask(ctx, req, onToken)
	if err == nil && ans == nil {
		err = fmt.Errorf("api: Asker returned no answer and no error")
	}
	return askResult{ans, err}
}

// answer runs the Asker for req, admitted with release (see run), and
// records the answer's time; onToken, when not nil, receives the text as
// it is generated.
func (a *answers) answer(ctx context.Context, req livespec.AskRequest, onToken func(string) error, release func()) (*livespec.Answer, error) {
	start := time.Now()
	ans, err := a.run(ctx, req, onToken, release)
	if err != nil {
		return nil, err
	}
	a.metrics.ObserveAnswer(ans.Intent, time.Since(start))
	return ans, nil
}

// run calls the Asker in its own goroutine, which holds the generation
// slot until the Asker returns and then calls release, before the answer
// is handed over: a client asking again as soon as it has its answer
// finds the slot free. The request waits for it, but not forever: once
// ctx has ended, an Asker that does not return within askAbandonAfter is
// left behind (still holding its slot, so the bound on concurrent
// generation holds) and the request ends with ctx's error.
func (a *answers) run(ctx context.Context, req livespec.AskRequest, onToken func(string) error, release func()) (*livespec.Answer, error) {
	done := make(chan askResult, 1)
	started := a.running.Go(func() {
		r := a.call(ctx, req, onToken)
		release()
		done <- r
	})
	if !started {
		release()
		return nil, livespec.Errorf(livespec.EUNAVAILABLE, "the server is shutting down")
	}
	select {
	case r := <-done:
		return r.ans, r.err
	case <-ctx.Done():
	}
	t := time.NewTimer(askAbandonAfter)
	defer t.Stop()
	select {
	case r := <-done:
		return r.ans, r.err
	case <-t.C:
		a.log.Error("api: the Asker ignored its cancelled context; answering without it", "question_chars", len(req.Question))
		return nil, ctx.Err()
	}
}

// askRequest validates the body of /v1/ask.
func (qs queries) askRequest(c *gin.Context) (livespec.AskRequest, error) {
	var b AskBody
	if err := decodeJSON(c, &b, false); err != nil {
		return livespec.AskRequest{}, err
	}
	q := strings.TrimSpace(b.Question)
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		return livespec.AskRequest{}, invalid("question", "required: the question to answer")
	case n > MaxQuestionRunes:
		return livespec.AskRequest{}, invalid("question", "%d characters; the limit is %d", n, MaxQuestionRunes)
	}
	now, err := qs.now(b.Now)
	if err != nil {
		return livespec.AskRequest{}, err
	}
	repos := b.Repos
	if b.Repo != "" {
		repos = append([]string{b.Repo}, repos...)
	}
	if err := qs.checkRepos(c.Request.Context(), repos); err != nil {
		return livespec.AskRequest{}, err
	}
	return livespec.AskRequest{Question: q, Now: now, Repos: repos}, nil
}

// wantsEventStream reports whether the Accept header asks for SSE.
func wantsEventStream(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

// sseHeartbeat is how long a stream may stay silent before a comment line
// is sent, so proxies with idle timeouts keep it open while retrieval or a
// slow model works.
var sseHeartbeat = 15 * time.Second

// stream sends the answer to req, admitted with release, as Server-Sent
// Events: "token" events with
// the text as it is generated, then one "answer" event with the whole
// answer object, or an "error" event. Until the first event, a failure is
// returned, to become an ordinary JSON error with its status. The client
// going away cancels the request context, which stops the Asker.
func (a *answers) stream(c *gin.Context, req livespec.AskRequest, release func()) error {
	ctx := c.Request.Context()
	st := &sseStream{w: c.Writer, rc: http.NewResponseController(c.Writer), last: time.Now(), tokens: true}
	defer st.rc.SetWriteDeadline(time.Time{}) // the connection may serve other requests
	stopHeartbeat := st.heartbeat(ctx)
	ans, err := a.answer(ctx, req, st.token, release)
	stopHeartbeat()
	st.endTokens()
	if err != nil {
		if !st.started {
			return err
		}
		_ = c.Error(err)
		code, msg := classify(err)
		if code == ECANCELED {
			return nil
		}
		b, _ := json.Marshal(ErrorBody{ErrorDetail{Code: code, Message: msg}})
		_ = st.send(formatEvent("error", string(b)))
		return nil
	}
	_ = st.send(formatEvent("answer", string(ans.AppendJSON(nil, true))))
	return nil
}

// sseStream writes events to one response; the Asker's callback and the
// heartbeat share it.
type sseStream struct {
	w  gin.ResponseWriter
	rc *http.ResponseController

	mu      sync.Mutex
	started bool
	tokens  bool      // token events are accepted (until the Asker is done or left behind)
	last    time.Time // of the last write
}

// errStreamClosed refuses tokens from an Asker that outlived its request.
var errStreamClosed = errors.New("api: the answer stream has ended")

// token sends one piece of answer text as a "token" event.
func (st *sseStream) token(tok string) error {
	if tok == "" {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.tokens {
		return errStreamClosed
	}
	return st.sendLocked(formatEvent("token", tok))
}

// endTokens refuses further tokens: the handler is about to write the last
// event and return.
func (st *sseStream) endTokens() {
	st.mu.Lock()
	st.tokens = false
	st.mu.Unlock()
}

// send writes one framed event (or comment) and flushes it, starting the
// response first if need be. Each write has its own deadline, so a client
// that stops reading is dropped.
func (st *sseStream) send(frame string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sendLocked(frame)
}

func (st *sseStream) sendLocked(frame string) error {
	if !st.started {
		h := st.w.Header()
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		st.w.WriteHeader(http.StatusOK)
		st.started = true
	}
	_ = st.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	st.last = time.Now()
	if _, err := st.w.WriteString(frame); err != nil {
		return err
	}
	return st.rc.Flush()
}

// heartbeat sends a comment whenever the stream has been silent for
// sseHeartbeat, until the returned stop is called (which waits for it).
func (st *sseStream) heartbeat(ctx context.Context) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(sseHeartbeat / 2)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				st.mu.Lock()
				silent := time.Since(st.last) >= sseHeartbeat
				st.mu.Unlock()
				if silent && st.send(": keep-alive\n\n") != nil {
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(quit); <-done }) }
}

// formatEvent frames one Server-Sent Event. Every line of data gets its
// own "data: " field (the space keeps a leading space of the text), so
// clients rebuild the text exactly, newlines included.
func formatEvent(event, data string) string {
	var b strings.Builder
	b.Grow(len(event) + len(data) + 16)
	b.WriteString("event: ")
	b.WriteString(event)
	b.WriteByte('\n')
	data = strings.ReplaceAll(data, "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	for line := range strings.SplitSeq(data, "\n") {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.String()
}
