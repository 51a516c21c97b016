package api

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// countingListener counts the writes its connections make.
type countingListener struct {
	net.Listener
	writes *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestAnswerHasContentLength: an answer of several KiB comes with its
// Content-Length, not chunked, in at most two writes to the connection.
func TestAnswerHasContentLength(t *testing.T) {
	srv, err := New(Config{Asker: cannedAsker{cannedAnswer()}, Store: emptyStore{}, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var writes atomic.Int64
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Listener = countingListener{ts.Listener, &writes}
	ts.Start()
	defer ts.Close()
	resp, err := http.Post(ts.URL+"/v1/ask", "application/json", strings.NewReader(`{"question":"What does the spec say about Graduation Criteria?"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v: %s", resp.StatusCode, err, body)
	}
	if len(body) < 4096 {
		t.Fatalf("the answer is %d bytes; the test wants one past net/http's buffers", len(body))
	}
	if resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) > 0 {
		t.Errorf("Content-Length %d, Transfer-Encoding %v for a body of %d bytes, want its length and no chunking", resp.ContentLength, resp.TransferEncoding, len(body))
	}
	if n := writes.Load(); n > 2 {
		t.Errorf("the server wrote the answer in %d writes, want at most 2", n)
	}
}
