package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/ollama/ollamatest"
	"github.com/livespec/livespec/internal/qdrant/qdranttest"
)

// backends are the production backends, played by stand-in servers: a
// Qdrant (in-process gRPC) and an Ollama (httptest) with nomic-embed-text
// and llama3.2:3b pulled.
type backends struct {
	store  string // --store URL
	ollama *ollamatest.Server
}

func startBackends(t testing.TB, opts ...ollamatest.Option) *backends {
	t.Helper()
	return &backends{store: qdranttest.New(t), ollama: ollamatest.New(t, opts...)}
}

// run runs the CLI with --store and --ollama-url pointing at the backends,
// and an empty cache, so nothing can fall back to a SQLite index.
func (b *backends) run(t testing.TB, args ...string) (string, string, error) {
	t.Helper()
	args = append(args, "--store", b.store, "--ollama-url", b.ollama.URL())
	return livespecRun(t, map[string]string{"XDG_CACHE_HOME": t.TempDir()}, args...)
}

// summaryCounts reads "N distinct texts" and ", M embedded" from an ingest
// summary line.
func summaryCounts(t testing.TB, summary string) (distinct, embedded int) {
	t.Helper()
	m := regexp.MustCompile(`(\d+) distinct texts(?:, (\d+) embedded)?`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("summary %q has no distinct-text count", summary)
	}
	distinct, _ = strconv.Atoi(m[1])
	embedded, _ = strconv.Atoi(m[2])
	return distinct, embedded
}

// TestBackendsEndToEnd runs ingest, ask (streamed and JSON), changes and
// eval through the CLI with Qdrant as the store and Ollama as embedder
// and generator.
func TestBackendsEndToEnd(t *testing.T) {
	r := specRepo(t)
	b := startBackends(t)
	const now = "2025-09-01"

	out, _, err := b.run(t, "ingest", "--repo", r.Dir)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if !strings.HasPrefix(out, filepath.Base(r.Dir)+": 6 commits, ") {
		t.Errorf("ingest summary = %q", out)
	}
	distinct, embedded := summaryCounts(t, out)
	st := b.ollama.Stats()
	if distinct == 0 || embedded != distinct || len(st.Inputs) != distinct {
		t.Errorf("summary says %d distinct texts, %d embedded; Ollama embedded %d texts", distinct, embedded, len(st.Inputs))
	}
	for text, n := range b.ollama.Embedded() {
		if n != 1 {
			t.Errorf("embedded %d times: %q", n, text)
		}
		if !strings.HasPrefix(text, "search_document: ") {
			t.Errorf("document embedded without nomic's task prefix: %q", text)
		}
	}
	if !slices.ContainsFunc(st.Inputs, func(s string) bool { return strings.Contains(s, "Access tokens expire after 1 hour") }) ||
		!slices.ContainsFunc(st.Inputs, func(s string) bool { return strings.Contains(s, "Access tokens expire after 24 hours") }) {
		t.Errorf("the current and the superseded token expiry were not both embedded: %q", st.Inputs)
	}

	out, _, err = b.run(t, "ingest", "--repo", r.Dir)
	if err != nil || !strings.Contains(out, "up to date") {
		t.Errorf("second ingest = %q, %v; want up to date", out, err)
	}
	if n := len(b.ollama.Stats().Inputs); n != distinct {
		t.Errorf("the second ingest embedded %d more texts", n-distinct)
	}

	reply := strings.Join(ollamatest.DefaultReply, "")
	t.Run("ask streams the model's answer", func(t *testing.T) {
		q := "How long do access tokens last before they expire?"
		out, _, err := b.run(t, "ask", "--now", now, q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, reply) {
			t.Errorf("output does not start with the streamed reply %q:\n%s", reply, out)
		}
		for _, want := range []string{"Sources:", "[1] spec/auth.md › Authentication > Token expiry",
			"\nSearch: keywords (BM25) and meaning (nomic-embed-text). Answer: written by llama3.2:3b from the sources above.\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if b.ollama.Embedded()["search_query: "+q] != 1 {
			t.Errorf("the question was not embedded as a nomic query; inputs %q", b.ollama.Stats().Inputs)
		}
		chat := b.ollama.LastChat(t)
		if chat.Model != "llama3.2:3b" || len(chat.Messages) != 2 || chat.Messages[0].Role != "system" || chat.Messages[1].Role != "user" {
			t.Fatalf("chat request: model %q, %d messages", chat.Model, len(chat.Messages))
		}
		if chat.Stream != nil && !*chat.Stream {
			t.Error("chat request asked for no streaming")
		}
		user := chat.Messages[1].Content
		for _, want := range []string{`<source n="1" `, `path="spec/auth.md"`, "Access tokens expire after 1 hour", "Question: " + q} {
			if !strings.Contains(user, want) {
				t.Errorf("the prompt lacks %q:\n%s", want, user)
			}
		}
		if !strings.Contains(chat.Messages[0].Content, "Cite every claim") {
			t.Errorf("the system prompt does not ask for citations:\n%s", chat.Messages[0].Content)
		}
	})

	t.Run("a terminal gets the model's answer rendered", func(t *testing.T) {
		stdout, stderr := &ttyBuffer{width: 90}, &ttyBuffer{width: 90}
		args := []string{"ask", "--now", now, "--store", b.store, "--ollama-url", b.ollama.URL(), "How long do access tokens last?"}
		if err := run(t.Context(), args, func(string) string { return "" }, strings.NewReader(""), stdout, stderr); err != nil {
			t.Fatal(err)
		}
		out := stripANSI(stdout.String())
		if !strings.Contains(out, reply) || !strings.Contains(out, "written by llama3.2:3b") || !strings.Contains(out, "1. spec/auth.md") {
			t.Errorf("rendered answer:\n%s", out)
		}
		if !strings.HasPrefix(stderr.String(), "llama3.2:3b is writing the answer…") || !strings.HasSuffix(stderr.String(), "\r\x1b[K") {
			t.Errorf("stderr = %q, want a status line cleared at the end", stderr.String())
		}
	})

	t.Run("ask json names the models and pins citations", func(t *testing.T) {
		out, _, err := b.run(t, "ask", "--now", now, "--json", "As of March 1, 2025, how long did access tokens last before they expired?")
		if err != nil {
			t.Fatal(err)
		}
		var a livespec.Answer
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if a.Model.Embedder != "ollama/nomic-embed-text@768" || a.Model.Generator != "ollama/llama3.2:3b" {
			t.Errorf("model = %+v", a.Model)
		}
		if a.Answer != reply || a.Intent != livespec.IntentAsOf || len(a.Citations) == 0 {
			t.Fatalf("answer = %q, intent %s, %d citations", a.Answer, a.Intent, len(a.Citations))
		}
		c := a.Citations[0]
		first := strings.Fields(r.Git("rev-list", "--max-parents=0", "HEAD"))[0]
		if c.N != 1 || c.Path != "spec/auth.md" || c.Current || c.Commit != first || !strings.Contains(c.Excerpt, "24 hours") ||
			!c.ValidTo.Equal(time.Date(2025, 4, 10, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("top citation = %+v, want the 24-hour text of commit %s, superseded on 2025-04-10", c, first)
		}
		if user := b.ollama.LastChat(t).Messages[1].Content; !strings.Contains(user, "As of: 2025-03-01") {
			t.Errorf("the prompt does not carry the as-of date:\n%s", user)
		}
	})

	t.Run("changes json equals git", func(t *testing.T) {
		// changes reads the ledger only: no model flags.
		out, _, err := livespecRun(t, map[string]string{}, "changes", "--store", b.store, "--since", "2025-04-01", "--until", "2025-06-30", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Changes []livespec.AnswerChange }
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		files, want := changedFiles(got.Changes), r.Touched(q2, ".md")
		if len(want) == 0 || !slices.Equal(files, want) {
			t.Errorf("files = %v, git says %v", files, want)
		}
	})

	t.Run("eval prints per-kind scores", func(t *testing.T) {
		shas := strings.Fields(r.Git("rev-list", "--reverse", "--first-parent", "HEAD"))
		qs := []map[string]any{
			{"id": "cur-1", "kind": "current", "question": "How long do access tokens last before they expire?",
				"gold_paths": []string{"spec/auth.md"}, "gold_heading": "Token expiry"},
			{"id": "cur-2", "kind": "current", "question": "How are invoices sent to the account owner?",
				"gold_paths": []string{"spec/payments.md"}, "gold_heading": "Invoices"},
			{"id": "asof-1", "kind": "as_of", "question": "As of March 1, 2025, how long did access tokens last?",
				"as_of": "2025-03-01", "gold_path": "spec/auth.md", "gold_commit": shas[0],
				"expected_fact": "Access tokens expire after 24 hours.", "head_fact": "Access tokens expire after 1 hour"},
			{"id": "chg-1", "kind": "changes", "question": "What changed in the spec in May 2025?", "from": "2025-05-01", "to": "2025-05-31"},
		}
		var lines []string
		for _, q := range qs {
			line, err := json.Marshal(q)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, string(line))
		}
		file := filepath.Join(t.TempDir(), "questions.jsonl")
		if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		chats := b.ollama.Stats().ChatCalls
		out, _, err := b.run(t, "eval", file, "--repo", r.Dir, "--now", now)
		if err != nil {
			t.Fatalf("eval: %v\n%s", err, out)
		}
		// Every question passes: retrieval, not the model's prose, decides.
		for _, want := range []string{"kind", "questions", "full marks", "score"} {
			if !strings.Contains(out, want) {
				t.Errorf("eval output lacks the %q column:\n%s", want, out)
			}
		}
		for kind, row := range map[string]string{"current": `current\s+2\s+2\s+1\.000`, "as_of": `as_of\s+1\s+1\s+1\.000`, "changes": `changes\s+1\s+1\s+1\.000`} {
			if !regexp.MustCompile(`(?m)^` + row + `\s*$`).MatchString(out) {
				t.Errorf("eval output lacks a full-marks %s row:\n%s", kind, out)
			}
		}
		if n := b.ollama.Stats().ChatCalls - chats; n != len(qs) {
			t.Errorf("eval made %d chat calls for %d questions", n, len(qs))
		}
	})

	t.Run("another embedder is a mismatch naming --reembed", func(t *testing.T) {
		for _, args := range [][]string{
			{"ingest", "--repo", r.Dir, "--embed-model", "mxbai-embed-large"},
			{"ask", "--repo", r.Dir, "--embed-model", "mxbai-embed-large", "--now", now, "How long do tokens last?"},
		} {
			_, _, err := b.run(t, args...)
			if livespec.ErrorCode(err) != livespec.EMISMATCH || !strings.Contains(err.Error(), "livespec ingest --reembed") {
				t.Errorf("%s with mxbai-embed-large: %v, want EMISMATCH naming `livespec ingest --reembed`", args[0], err)
			}
		}
		// The index is untouched: the default embedder still answers.
		out, _, err := b.run(t, "ask", "--now", now, "--json", "How long do access tokens last?")
		if err != nil || !strings.Contains(out, `"embedder": "ollama/nomic-embed-text@768"`) {
			t.Errorf("ask after the refused switch: %v\n%s", err, out)
		}
	})

	t.Run("ingest --reembed switches the embedder", func(t *testing.T) {
		b.ollama.ResetStats()
		out, stderr, err := b.run(t, "ingest", "--repo", r.Dir, "--embed-model", "mxbai-embed-large", "--reembed")
		if err != nil {
			t.Fatalf("ingest --reembed: %v\n%s", err, stderr)
		}
		if !strings.Contains(stderr, "re-embedded with ollama/mxbai-embed-large@1024") {
			t.Errorf("stderr = %q, want the warning that every repository must be re-embedded", stderr)
		}
		distinct, embedded := summaryCounts(t, out)
		if embedded != distinct || len(b.ollama.Stats().Inputs) != distinct {
			t.Errorf("summary %q; Ollama embedded %d texts; want every distinct text once", out, len(b.ollama.Stats().Inputs))
		}
		for text, n := range b.ollama.Embedded() {
			if n != 1 || strings.HasPrefix(text, "search_document: ") {
				t.Errorf("embedded %d times with nomic's prefix or more than once: %q", n, text)
			}
		}
		out, _, err = b.run(t, "ask", "--embed-model", "mxbai-embed-large", "--now", now, "--json", "How long do access tokens last?")
		var a livespec.Answer
		if err != nil || json.Unmarshal([]byte(out), &a) != nil {
			t.Fatalf("ask with the new embedder: %v\n%s", err, out)
		}
		if a.Model.Embedder != "ollama/mxbai-embed-large@1024" || len(a.Citations) == 0 || a.Citations[0].Path != "spec/auth.md" {
			t.Errorf("answer model %+v, citations %+v", a.Model, a.Citations)
		}
		// Now the old embedder is the mismatch.
		if _, _, err := b.run(t, "ask", "--now", now, "How long do access tokens last?"); livespec.ErrorCode(err) != livespec.EMISMATCH {
			t.Errorf("ask with nomic-embed-text after the switch: %v, want EMISMATCH", err)
		}
	})

	t.Run("ollama down falls back with qdrant", func(t *testing.T) {
		down := ollamatest.NewServer()
		down.Close()
		out, stderr, err := livespecRun(t, map[string]string{"XDG_CACHE_HOME": t.TempDir()},
			"ask", "--store", b.store, "--ollama-url", down.URL(), "--now", now, "--json", "How long do access tokens last before they expire?")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "not reachable") || !strings.Contains(stderr, "using BM25 search and extractive answers") {
			t.Errorf("stderr = %q, want one line saying Ollama is not reachable", stderr)
		}
		var a livespec.Answer
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if a.Model.Embedder != "none (BM25 only)" || a.Model.Generator != "extractive" {
			t.Errorf("model = %+v", a.Model)
		}
		if len(a.Citations) == 0 || a.Citations[0].Path != "spec/auth.md" || !strings.Contains(a.Citations[0].Excerpt, "1 hour") {
			t.Errorf("citations from Qdrant = %+v", a.Citations)
		}
	})
}

// TestBackendsMissingModel checks that a reachable Ollama without the
// configured models gives one error naming the `ollama pull` to run, before
// anything is written.
func TestBackendsMissingModel(t *testing.T) {
	r := specRepo(t)
	tests := []struct {
		name  string
		args  []string
		model string
	}{
		{"ingest, embedding model", []string{"ingest", "--repo", r.Dir, "--embed-model", "bge-m3"}, "bge-m3"},
		{"ask, chat model", []string{"ask", "--repo", r.Dir, "--chat-model", "qwen3:8b", "How long do tokens last?"}, "qwen3:8b"},
		{"ask, default chat model not pulled", []string{"ask", "--repo", r.Dir, "How long do tokens last?"}, "llama3.2:3b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []ollamatest.Option
			if tt.model == "llama3.2:3b" {
				opts = append(opts, ollamatest.WithoutModel(tt.model))
			}
			b := startBackends(t, opts...)
			out, _, err := b.run(t, tt.args...)
			if err == nil {
				t.Fatalf("no error; output %q", out)
			}
			if want := "ollama pull " + tt.model; !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line naming %q", err, want)
			}
			if livespec.ErrorCode(err) != livespec.EINVALID {
				t.Errorf("code = %s, want %s", livespec.ErrorCode(err), livespec.EINVALID)
			}
			if st := b.ollama.Stats(); st.EmbedCalls != 0 || st.ChatCalls != 0 {
				t.Errorf("Ollama got %d embed and %d chat calls before the error", st.EmbedCalls, st.ChatCalls)
			}
			// Nothing was ingested.
			_, _, err = livespecRun(t, map[string]string{}, "changes", "--store", b.store, "--since", "2025-01-01")
			if livespec.ErrorCode(err) != livespec.ENOTFOUND {
				t.Errorf("changes after the failed command: %v, want ENOTFOUND (empty index)", err)
			}
		})
	}
}

// TestOllamaHost checks that OLLAMA_HOST, written as Ollama users write it
// (host:port, no scheme), selects the Ollama when LIVESPEC_OLLAMA_URL is
// unset, and that LIVESPEC_OLLAMA_URL and --ollama-url win over it.
func TestOllamaHost(t *testing.T) {
	r := specRepo(t)
	live := ollamatest.New(t)
	down := ollamatest.NewServer()
	down.Close()
	hostport := strings.TrimPrefix(live.URL(), "http://")
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		generator string
	}{
		{"OLLAMA_HOST alone", map[string]string{"OLLAMA_HOST": hostport}, nil, "ollama/llama3.2:3b"},
		{"LIVESPEC_OLLAMA_URL=none wins", map[string]string{"OLLAMA_HOST": hostport, "LIVESPEC_OLLAMA_URL": "none"}, nil, "extractive"},
		{"LIVESPEC_OLLAMA_URL wins", map[string]string{"OLLAMA_HOST": hostport, "LIVESPEC_OLLAMA_URL": down.URL()}, nil, "extractive"},
		{"flag wins", map[string]string{"OLLAMA_HOST": hostport}, []string{"--ollama-url", "none"}, "extractive"},
		{"neither", map[string]string{}, nil, "extractive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["XDG_CACHE_HOME"] = t.TempDir()
			args := append([]string{"ask", "--repo", r.Dir, "--json", "--now", "2025-09-01", "How long do access tokens last?"}, tt.args...)
			out, _, err := livespecRun(t, tt.env, args...)
			if err != nil {
				t.Fatal(err)
			}
			var a livespec.Answer
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if a.Model.Generator != tt.generator {
				t.Errorf("generator = %q, want %q", a.Model.Generator, tt.generator)
			}
		})
	}
}
