package api

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
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

func (s *Server) ask(c *gin.Context) {
	req, err := s.askRequest(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	release, err := s.limiter.Acquire(ctx)
	if err != nil {
		fail(c, err)
		return
	}
	defer release()

	start := time.Now()
	if !wantsEventStream(c.GetHeader("Accept")) {
		ans, err := s.cfg.Asker.Ask(ctx, req, nil)
		if err != nil {
			fail(c, err)
			return
		}
		s.metrics.ObserveAnswer(ans.Intent, time.Since(start))
		writeJSON(c, http.StatusOK, ans)
		return
	}
	s.streamAnswer(c, req, start)
}

// askRequest validates the body of /v1/ask.
func (s *Server) askRequest(c *gin.Context) (livespec.AskRequest, error) {
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
	now, err := s.now(b.Now)
	if err != nil {
		return livespec.AskRequest{}, err
	}
	repos := b.Repos
	if b.Repo != "" {
		repos = append([]string{b.Repo}, repos...)
	}
	if err := s.checkRepos(c.Request.Context(), repos); err != nil {
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

// streamAnswer sends the answer as Server-Sent Events: "token" events with
// the text as it is generated, then one "answer" event with the whole
// answer object, or an "error" event. Until the first event, a failure is
// an ordinary JSON error with its status. The client going away cancels
// the request context, which stops the Asker.
func (s *Server) streamAnswer(c *gin.Context, req livespec.AskRequest, start time.Time) {
	w := c.Writer
	rc := http.NewResponseController(w)
	defer rc.SetWriteDeadline(time.Time{}) // the connection may serve other requests
	started := false
	begin := func() {
		h := w.Header()
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		started = true
	}
	send := func(event, data string) error {
		if !started {
			begin()
		}
		_ = rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
		if _, err := w.WriteString(formatEvent(event, data)); err != nil {
			return err
		}
		return rc.Flush()
	}
	ans, err := s.cfg.Asker.Ask(c.Request.Context(), req, func(tok string) error {
		if tok == "" {
			return nil
		}
		return send("token", tok)
	})
	if err != nil {
		if !started {
			fail(c, err)
			return
		}
		_ = c.Error(err)
		code, msg := classify(err)
		if code == ECANCELED {
			return
		}
		b, _ := json.Marshal(ErrorBody{ErrorDetail{Code: code, Message: msg}})
		_ = send("error", string(b))
		return
	}
	s.metrics.ObserveAnswer(ans.Intent, time.Since(start))
	b, err := json.Marshal(ans)
	if err != nil {
		fail(c, err)
		return
	}
	_ = send("answer", string(b))
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
