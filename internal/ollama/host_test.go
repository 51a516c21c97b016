package ollama_test

import (
	"testing"

	"github.com/ollama/ollama/envconfig"

	"github.com/livespec/livespec/internal/ollama"
)

// TestHostURLMatchesOllama reads OLLAMA_HOST values as the Ollama CLI does:
// each result equals envconfig.Host's for the same variable.
func TestHostURLMatchesOllama(t *testing.T) {
	tests := []struct{ value, want string }{
		{"127.0.0.1", "http://127.0.0.1:11434"},
		{"0.0.0.0:11435", "http://0.0.0.0:11435"},
		{"gpu-box", "http://gpu-box:11434"},
		{"gpu-box:8080", "http://gpu-box:8080"},
		{"http://gpu-box", "http://gpu-box:80"},
		{"https://gpu-box", "https://gpu-box:443"},
		{"http://gpu-box:9000/ollama", "http://gpu-box:9000/ollama"},
		{"[::1]:11434", "http://[::1]:11434"},
		{"::1", "http://[::1]:11434"},
		{` "gpu-box:1234" `, "http://gpu-box:1234"},
		{"gpu-box:99999", "http://gpu-box:11434"},
		{"ollama.com", "https://ollama.com:443"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got := ollama.HostURL(tt.value)
			if got != tt.want {
				t.Errorf("HostURL(%q) = %q, want %q", tt.value, got, tt.want)
			}
			t.Setenv("OLLAMA_HOST", tt.value)
			if theirs := envconfig.Host().String(); theirs != got {
				t.Errorf("HostURL(%q) = %q, Ollama reads %q", tt.value, got, theirs)
			}
		})
	}
	if got := ollama.HostURL("  "); got != "" {
		t.Errorf("HostURL of blank = %q, want empty", got)
	}
}
