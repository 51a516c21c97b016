package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

// ttyBuffer is a stdout that says it is a terminal of the given width.
type ttyBuffer struct {
	bytes.Buffer
	width int
}

func (b *ttyBuffer) TerminalWidth() (int, bool) { return b.width, true }

// runOn runs the program with stdout being w.
func runOn(t testing.TB, w interface {
	Write([]byte) (int, error)
	String() string
}, env map[string]string, args ...string) string {
	t.Helper()
	var errb bytes.Buffer
	if err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), w, &errb); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, errb.String())
	}
	return w.String()
}

// TestAnswerRendering checks what a reader sees: on a terminal the answer
// is rendered (styles, no Markdown marks), with the sources as a numbered
// list of short commits and dates and a footer in words; piped, or with
// --plain, it is plain Markdown; --json is the contract either way.
func TestAnswerRendering(t *testing.T) {
	r := specRepo(t)
	index := t.TempDir()
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	if _, _, err := livespecRun(t, env, "ingest", "--repo", r.Dir, "--index", index); err != nil {
		t.Fatal(err)
	}
	shas := strings.Fields(r.Git("rev-list", "--reverse", "--first-parent", "HEAD"))
	changes := []string{"ask", "--index", index, "--now", "2025-07-15", "what changed last quarter?"}
	current := []string{"ask", "--index", index, "--now", "2025-09-01", "How long do access tokens last?"}
	footer := "Search: keywords (BM25). Answer: quoted from the spec, no model."
	// On a terminal the two sentences of the footer are two lines.
	hasFooter := func(out string) bool {
		return strings.Contains(out, "Search: keywords (BM25).") && strings.Contains(out, "Answer: quoted from the spec, no model.")
	}

	t.Run("terminal", func(t *testing.T) {
		out := runOn(t, &ttyBuffer{width: 80}, env, changes...)
		if !strings.Contains(out, "\x1b[") {
			t.Errorf("no terminal styles in:\n%s", out)
		}
		plain := stripANSI(out)
		if strings.Contains(plain, "**") || strings.Contains(plain, "`") {
			t.Errorf("Markdown marks shown literally:\n%s", plain)
		}
		if !hasFooter(plain) {
			t.Errorf("footer missing:\n%s", plain)
		}
		for _, line := range strings.Split(plain, "\n") {
			if w := len([]rune(strings.TrimRight(line, " "))); w > 80 {
				t.Errorf("line of %d columns on an 80-column terminal: %q", w, line)
			}
		}
		out = stripANSI(runOn(t, &ttyBuffer{width: 120}, env, current...))
		// The shorter token lifetime landed in the second first-parent commit.
		want := "1. spec/auth.md › Authentication > Token expiry · " + shas[1][:7] + " · 2025-04-10"
		if !strings.Contains(out, want) {
			t.Errorf("sources lack %q:\n%s", want, out)
		}
	})
	t.Run("piped", func(t *testing.T) {
		out := runOn(t, &bytes.Buffer{}, env, changes...)
		if strings.Contains(out, "\x1b[") || !strings.Contains(out, "**") {
			t.Errorf("piped output is not plain Markdown:\n%s", out)
		}
		if !strings.Contains(out, "\n"+footer+"\n") {
			t.Errorf("footer missing:\n%s", out)
		}
	})
	t.Run("plain on a terminal", func(t *testing.T) {
		tty := runOn(t, &ttyBuffer{width: 80}, env, append(changes, "--plain")...)
		piped := runOn(t, &bytes.Buffer{}, env, changes...)
		if tty != piped {
			t.Errorf("--plain on a terminal differs from piped output:\n%s\n---\n%s", tty, piped)
		}
	})
	t.Run("json on a terminal", func(t *testing.T) {
		out := runOn(t, &ttyBuffer{width: 80}, env, append(current, "--json")...)
		var a livespec.Answer
		if err := json.Unmarshal([]byte(out), &a); err != nil || len(a.Citations) == 0 {
			t.Errorf("--json on a terminal: %v\n%s", err, out)
		}
	})
	t.Run("no color", func(t *testing.T) {
		out := runOn(t, &ttyBuffer{width: 80}, map[string]string{"NO_COLOR": "1"}, current...)
		if strings.Contains(out, "\x1b[38;") || !hasFooter(stripANSI(out)) {
			t.Errorf("NO_COLOR output has colours or lacks the answer:\n%q", out)
		}
	})
}

func TestModelInWords(t *testing.T) {
	tests := []struct {
		model livespec.ModelInfo
		want  string
	}{
		{livespec.ModelInfo{Embedder: "none (BM25 only)", Generator: "extractive"}, "Search: keywords (BM25). Answer: quoted from the spec, no model."},
		{livespec.ModelInfo{Embedder: "ollama/nomic-embed-text@768", Generator: "ollama/llama3.2:3b"},
			"Search: keywords (BM25) and meaning (nomic-embed-text). Answer: written by llama3.2:3b from the sources above."},
		{livespec.ModelInfo{Embedder: "ollama/nomic-embed-text@768", Generator: "extractive"},
			"Search: keywords (BM25) and meaning (nomic-embed-text). Answer: quoted from the spec, no model."},
	}
	for _, tt := range tests {
		if got := modelInWords(tt.model); got != tt.want {
			t.Errorf("modelInWords(%+v) = %q, want %q", tt.model, got, tt.want)
		}
	}
}

// stripANSI drops terminal escape sequences.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
