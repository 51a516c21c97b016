package ollama_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
)

// fakeModel is a model the fake server has "pulled".
type fakeModel struct {
	arch    string
	dims    int // 0: /api/show does not report the embedding length
	context int
	caps    []string
}

// fakeOllama is an httptest server that speaks Ollama's JSON and NDJSON for
// /api/show, /api/embed, /api/chat and /api/version. Tests script failures
// and streams through its fields (guarded by mu).
type fakeOllama struct {
	srv *httptest.Server

	mu     sync.Mutex
	cond   *sync.Cond
	models map[string]fakeModel

	// embed
	embedCalls  int
	embedInputs []string // every input received, in arrival order
	embedReqs   []api.EmbedRequest
	embedStatus []int // statuses to answer successive embed calls with (consumed); 0 = OK, -1 = reset the connection
	inflight    int
	maxInflight int
	barrier     int  // hold each embed call until this many were in flight at once (0: no barrier)
	embedHang   bool // never answer embed calls; wait for the client to go away
	maxInput    int  // reject an input longer than this many bytes as over the context (0: no limit)

	// chat
	chatCalls  int
	chatReqs   []api.ChatRequest
	chatStatus []int    // like embedStatus, for chat calls
	chunks     []string // content pieces streamed by chat
	chatMode   string   // "" (normal), "drop" (no done message), "malformed", "error", "hang" (stream chunks, then wait for the client to go away)
	doneReason string
	hangDone   chan struct{} // closed when a hanging stream saw its client go away
}

func newFakeOllama() *fakeOllama {
	f := &fakeOllama{
		models: map[string]fakeModel{
			"nomic-embed-text:latest":  {arch: "nomic-bert", dims: 768, context: 2048, caps: []string{"embedding"}},
			"mxbai-embed-large:latest": {arch: "bert", dims: 1024, context: 512, caps: []string{"embedding"}},
			"all-minilm:latest":        {arch: "bert", dims: 0, context: 256, caps: []string{"embedding"}},
			"llama3.2:3b":              {arch: "llama", context: 131072, caps: []string{"completion", "tools"}},
		},
		hangDone: make(chan struct{}),
	}
	f.cond = sync.NewCond(&f.mu)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"version": "0.17.4"})
	})
	mux.HandleFunc("POST /api/show", f.show)
	mux.HandleFunc("POST /api/embed", f.embed)
	mux.HandleFunc("POST /api/chat", f.chat)
	f.srv = httptest.NewServer(mux)
	return f
}

// startFake starts a fake server closed when the test ends.
func startFake(t testing.TB) *fakeOllama {
	t.Helper()
	f := newFakeOllama()
	t.Cleanup(f.Close)
	return f
}

func (f *fakeOllama) URL() string { return f.srv.URL }
func (f *fakeOllama) Close()      { f.srv.Close() }

// lookup finds a model by name, with ":latest" implied as Ollama does.
func (f *fakeOllama) lookup(name string) (fakeModel, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !strings.Contains(name, ":") {
		name += ":latest"
	}
	m, ok := f.models[name]
	return m, ok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// reset closes the client's connection without an HTTP answer.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// failWith answers a scripted failure and reports whether it did.
func failWith(w http.ResponseWriter, status int) bool {
	switch {
	case status == 0:
		return false
	case status < 0:
		reset(w)
	case status == http.StatusServiceUnavailable:
		writeJSON(w, status, map[string]string{"error": "server busy, please try again.  maximum pending requests exceeded"})
	default:
		writeJSON(w, status, map[string]string{"error": fmt.Sprintf("scripted failure %d", status)})
	}
	return true
}

func pop(s *[]int) int {
	if len(*s) == 0 {
		return 0
	}
	v := (*s)[0]
	*s = (*s)[1:]
	return v
}

func (f *fakeOllama) show(w http.ResponseWriter, r *http.Request) {
	var req api.ShowRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	m, ok := f.lookup(req.Model)
	if !ok {
		writeJSON(w, 404, map[string]string{"error": fmt.Sprintf("model '%s' not found", req.Model)})
		return
	}
	info := map[string]any{"general.architecture": m.arch, m.arch + ".context_length": m.context}
	if m.dims > 0 {
		info[m.arch+".embedding_length"] = m.dims
	}
	writeJSON(w, 200, map[string]any{"model_info": info, "capabilities": m.caps, "details": map[string]any{"family": m.arch}})
}

// fakeVector is the vector the fake server returns for one input: a
// function of the text, so tests can check which text a vector belongs to.
func fakeVector(input string, dims int) []float32 {
	v := make([]float32, dims)
	h := fnv.New64a()
	h.Write([]byte(input))
	seed := h.Sum64()
	for i := range v {
		seed = seed*6364136223846793005 + 1442695040888963407
		v[i] = float32(seed>>40) / float32(1<<24)
	}
	return v
}

func (f *fakeOllama) embed(w http.ResponseWriter, r *http.Request) {
	var req api.EmbedRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	var inputs []string
	switch in := req.Input.(type) {
	case string:
		inputs = []string{in}
	case []any:
		for _, v := range in {
			s, ok := v.(string)
			if !ok {
				writeJSON(w, 400, map[string]string{"error": "invalid input type"})
				return
			}
			inputs = append(inputs, s)
		}
	default:
		writeJSON(w, 400, map[string]string{"error": "invalid input type"})
		return
	}

	f.mu.Lock()
	f.embedCalls++
	status := pop(&f.embedStatus)
	f.embedReqs = append(f.embedReqs, req)
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	f.cond.Broadcast()
	if f.barrier > 0 {
		// Wait until the barrier was reached once; the timer only keeps a
		// broken (sequential) client from hanging the test.
		deadline := time.AfterFunc(5*time.Second, func() { f.mu.Lock(); f.barrier = 0; f.cond.Broadcast(); f.mu.Unlock() })
		for f.barrier > 0 && f.maxInflight < f.barrier {
			f.cond.Wait()
		}
		deadline.Stop()
	}
	f.inflight--
	hang, maxInput := f.embedHang, f.maxInput
	tooLong := false
	for _, in := range inputs {
		tooLong = tooLong || maxInput > 0 && len(in) > maxInput
	}
	if status == 0 && !tooLong {
		f.embedInputs = append(f.embedInputs, inputs...)
	}
	f.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return
	}

	if failWith(w, status) {
		return
	}
	m, ok := f.lookup(req.Model)
	if !ok {
		writeJSON(w, 404, map[string]string{"error": fmt.Sprintf("model '%s' not found", req.Model)})
		return
	}
	if tooLong {
		// What servers whose truncate option fails answer (ollama#14186).
		writeJSON(w, 400, map[string]string{"error": "the input length exceeds the context length"})
		return
	}
	dims := m.dims
	if dims == 0 {
		dims = 384
	}
	if req.Dimensions > 0 && req.Dimensions < dims {
		dims = req.Dimensions
	}
	res := api.EmbedResponse{Model: req.Model, Embeddings: make([][]float32, len(inputs))}
	for i, in := range inputs {
		res.Embeddings[i] = fakeVector(in, dims)
	}
	writeJSON(w, 200, res)
}

func (f *fakeOllama) chat(w http.ResponseWriter, r *http.Request) {
	var req api.ChatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	f.mu.Lock()
	f.chatCalls++
	f.chatReqs = append(f.chatReqs, req)
	status := pop(&f.chatStatus)
	chunks, mode, reason := f.chunks, f.chatMode, f.doneReason
	f.mu.Unlock()
	if failWith(w, status) {
		return
	}
	if _, ok := f.lookup(req.Model); !ok {
		// Ollama answers a missing chat model with a 404 JSON body, which
		// the client reads as one NDJSON line.
		writeJSON(w, 404, map[string]string{"error": fmt.Sprintf("model '%s' not found", req.Model)})
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(200)
	bw := bufio.NewWriter(w)
	line := func(v any) {
		b, _ := json.Marshal(v)
		bw.Write(b)
		bw.WriteByte('\n')
		bw.Flush()
		w.(http.Flusher).Flush()
	}
	for _, c := range chunks {
		line(api.ChatResponse{Model: req.Model, CreatedAt: time.Unix(0, 0).UTC(), Message: api.Message{Role: "assistant", Content: c}})
	}
	switch mode {
	case "drop":
		return // the connection ends without a done message
	case "malformed":
		bw.WriteString("{\"message\": {\"content\": \"x\"\n")
		bw.Flush()
		return
	case "error":
		line(map[string]string{"error": "llama runner process has terminated: exit status 2"})
		return
	case "hang":
		<-r.Context().Done()
		close(f.hangDone)
		return
	}
	line(api.ChatResponse{Model: req.Model, CreatedAt: time.Unix(0, 0).UTC(), Message: api.Message{Role: "assistant"}, Done: true, DoneReason: cmpOr(reason, "stop")})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// lastChat returns the last chat request received.
func (f *fakeOllama) lastChat(t testing.TB) api.ChatRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.chatReqs) == 0 {
		t.Fatal("the server received no chat request")
	}
	return f.chatReqs[len(f.chatReqs)-1]
}

// fakeStats is a snapshot of what the fake server received.
type fakeStats struct {
	embedCalls  int
	embedInputs []string
	embedReqs   []api.EmbedRequest
	maxInflight int
	chatCalls   int
}

func (f *fakeOllama) stats() fakeStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeStats{f.embedCalls, slices.Clone(f.embedInputs), slices.Clone(f.embedReqs), f.maxInflight, f.chatCalls}
}

// script sets fields of the fake under its lock.
func (f *fakeOllama) script(fn func(f *fakeOllama)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}
