package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// cannedAsker answers every question at once with one answer of the size
// a current answer on the KEPs has (eight cited sections).
type cannedAsker struct{ ans *livespec.Answer }

func (a cannedAsker) Ask(context.Context, livespec.AskRequest, func(string) error) (*livespec.Answer, error) {
	return a.ans, nil
}

func cannedAnswer() *livespec.Answer {
	at := livespec.Time{Time: time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)}
	ans := &livespec.Answer{Question: "What does the spec say about Graduation Criteria?", Intent: livespec.IntentCurrent, Found: true,
		Answer: strings.Repeat("The enhancement graduates to beta once the criteria below are met [1]. ", 20)}
	for i := range 8 {
		ans.Citations = append(ans.Citations, livespec.Citation{N: i + 1, Repo: "keps", Path: fmt.Sprintf("keps/sig-node/%d-feature/README.md", 1000+i),
			Heading: "Design Details > Graduation Criteria", Commit: strings.Repeat("a1b2c3d4", 5), Date: at, ValidFrom: at, Current: true,
			Excerpt: strings.Repeat("Alpha: feature implemented behind a feature gate; ", 12)})
	}
	return ans
}

// BenchmarkAskHandler is the server's own cost of one POST /v1/ask: the
// middleware, the body, admission, the Asker's goroutine, the JSON answer
// and the JSON log line, with an Asker that costs nothing.
func BenchmarkAskHandler(b *testing.B) {
	srv, err := New(Config{Asker: cannedAsker{cannedAnswer()}, Store: emptyStore{}, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	body := `{"question":"What does the spec say about Graduation Criteria?","now":"2026-11-21T12:00:00Z"}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
