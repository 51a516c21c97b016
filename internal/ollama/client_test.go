package ollama_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/ollama"
	"github.com/livespec/livespec/internal/ollama/ollamatest"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, want string // want "" means EINVALID
	}{
		{"", "http://127.0.0.1:11434"},
		{"  http://127.0.0.1:11434  ", "http://127.0.0.1:11434"},
		{"ollama", "http://ollama:11434"},
		{"ollama:8080", "http://ollama:8080"},
		{"0.0.0.0", "http://0.0.0.0:11434"},
		{":11434", "http://127.0.0.1:11434"},
		{"http://ollama", "http://ollama:80"},
		{"https://ollama.example.com", "https://ollama.example.com:443"},
		{"http://ollama:11434/", "http://ollama:11434"},
		{"http://proxy.local/ollama/", "http://proxy.local:80/ollama"},
		{"[::1]:11434", "http://[::1]:11434"},
		{"http://[::1]", "http://[::1]:80"},
		{"ftp://ollama", ""},
		{"http://ollama:port", ""},
		{"http://ollama:99999", ""},
		{"http://user:pw@ollama:11434", ""},
		{"http://ollama:11434/?x=1", ""},
		{"http://oll ama:11434", ""},
	}
	for _, tt := range tests {
		u, err := ollama.ParseURL(tt.in)
		switch {
		case tt.want == "" && livespec.ErrorCode(err) != livespec.EINVALID:
			t.Errorf("ParseURL(%q) = %v, %v; want EINVALID", tt.in, u, err)
		case tt.want != "" && (err != nil || u.String() != tt.want):
			t.Errorf("ParseURL(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
}

func TestNewWithBadURL(t *testing.T) {
	c := ollama.New("ftp://ollama", nil)
	ctx := context.Background()
	if err := c.Check(ctx); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("Check: %v, want EINVALID", err)
	}
	if _, err := c.Embedder(ctx, ollama.EmbedOptions{}); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("Embedder: %v, want EINVALID", err)
	}
	if _, err := c.Generator(ollama.GenerateOptions{}).Generate(ctx, evidence(), nil); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("Generate: %v, want EINVALID", err)
	}
}

func TestCheck(t *testing.T) {
	f := ollamatest.New(t)
	c := ollama.New(f.URL(), nil)
	tests := []struct {
		name   string
		models []string
		code   string
		msg    string
	}{
		{"server only", nil, "", ""},
		{"pulled models", []string{"nomic-embed-text", "llama3.2:3b", "nomic-embed-text"}, "", ""},
		{"one missing", []string{"nomic-embed-text", "llama3.1:8b"}, livespec.EUNAVAILABLE,
			`ollama: model "llama3.1:8b" is not pulled; run: ollama pull llama3.1:8b`},
		{"two missing, one error", []string{"bge-m3", "nomic-embed-text", "qwen3:8b"}, livespec.EUNAVAILABLE,
			`ollama: models "bge-m3", "qwen3:8b" are not pulled; run: ollama pull bge-m3 && ollama pull qwen3:8b`},
		{"empty name", []string{""}, livespec.EINVALID, "ollama: empty model name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Check(context.Background(), tt.models...)
			if livespec.ErrorCode(err) != tt.code || livespec.ErrorMessage(err) != tt.msg {
				t.Errorf("Check = %v (kind %q); want kind %q, message %q", err, livespec.ErrorCode(err), tt.code, tt.msg)
			}
			if err != nil && err.Error() != tt.msg {
				t.Errorf("Error() = %q; want exactly the message", err)
			}
		})
	}
}

// closedURL returns the address of a port nothing listens on.
func closedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestUnreachable(t *testing.T) {
	url := closedURL(t)
	c := ollama.New(url, nil)
	ctx := context.Background()
	checks := map[string]error{
		"Check":        c.Check(ctx, "nomic-embed-text"),
		"Check server": c.Check(ctx),
	}
	_, checks["Embedder"] = c.Embedder(ctx, ollama.EmbedOptions{Retry: fastRetry})
	_, checks["Generate"] = c.Generator(ollama.GenerateOptions{Retry: fastRetry}).Generate(ctx, evidence(), nil)
	for name, err := range checks {
		if livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
			t.Errorf("%s: %v, want EUNAVAILABLE", name, err)
			continue
		}
		want := "ollama: server " + url + " is not reachable (connection refused)"
		if msg := livespec.ErrorMessage(err); msg != want {
			t.Errorf("%s: message %q, want %q", name, msg, want)
		}
		if strings.ContainsAny(err.Error(), "\n\t") {
			t.Errorf("%s: error is not one line: %q", name, err)
		}
	}
}

func TestUnreachablePort80Hint(t *testing.T) {
	// A transport that refuses every dial stands in for "nothing on port 80".
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, strings.TrimPrefix(closedURL(t), "http://"))
	}}}
	err := ollama.New("http://ollama", hc).Check(context.Background())
	msg := livespec.ErrorMessage(err)
	if !strings.Contains(msg, "http://ollama:80 is not reachable") || !strings.Contains(msg, "http:// means port 80; Ollama listens on 11434") {
		t.Errorf("message %q should name port 80 and explain it", msg)
	}
	err = ollama.New("http://ollama:11434", hc).Check(context.Background())
	if strings.Contains(livespec.ErrorMessage(err), "means port 80") {
		t.Errorf("explicit port got the port-80 hint: %q", livespec.ErrorMessage(err))
	}
}

func TestClientURL(t *testing.T) {
	if got := ollama.New("ollama", nil).URL(); got != "http://ollama:11434" {
		t.Errorf("URL = %q", got)
	}
	if got := ollama.New("ftp://x", nil).URL(); got != "" {
		t.Errorf("URL of an invalid address = %q, want empty", got)
	}
}

func TestCheckNotOllama(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler()) // some other web server
	t.Cleanup(srv.Close)
	err := ollama.New(srv.URL, nil).Check(context.Background(), "nomic-embed-text")
	want := "ollama: " + srv.URL + " does not look like an Ollama server (/api/version answered 404)"
	if livespec.ErrorCode(err) != livespec.EUNAVAILABLE || livespec.ErrorMessage(err) != want {
		t.Errorf("Check = %v; want EUNAVAILABLE %q", err, want)
	}
}
