package ollamatest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/ollama/ollama/api"
)

// Model is a model the server has "pulled".
type Model struct {
	Arch    string // general.architecture, e.g. "nomic-bert"
	Dims    int    // embedding length /api/show reports; 0: none reported (embeddings then have 384)
	Context int    // context length in tokens
	// Capabilities as /api/show lists them: "embedding", "completion", ...
	Capabilities []string
}

// DefaultModels are the models a new Server has, by full name.
func DefaultModels() map[string]Model {
	return map[string]Model{
		"nomic-embed-text:latest":  {Arch: "nomic-bert", Dims: 768, Context: 2048, Capabilities: []string{"embedding"}},
		"mxbai-embed-large:latest": {Arch: "bert", Dims: 1024, Context: 512, Capabilities: []string{"embedding"}},
		"all-minilm:latest":        {Arch: "bert", Dims: 0, Context: 256, Capabilities: []string{"embedding"}},
		"llama3.2:3b":              {Arch: "llama", Context: 131072, Capabilities: []string{"completion", "tools"}},
	}
}

// DefaultReply is what chat streams unless scripted otherwise: an answer
// in pieces that cites source [1].
var DefaultReply = []string{"According to", " the spec,", " this is", " covered [1]."}

// Reset, as a scripted status, closes the client's connection without an
// HTTP answer.
const Reset = -1

// ChatMode scripts how a chat stream ends.
type ChatMode int

const (
	ChatDone      ChatMode = iota // the reply, then a done message
	ChatDrop                      // the reply, then the connection ends without a done message
	ChatMalformed                 // the reply, then a truncated JSON line
	ChatError                     // the reply, then an error line (a crashed runner)
	ChatHang                      // the reply, then wait for the client to go away (see HangDone)
)

// Server is a stand-in Ollama server. Its methods are safe for concurrent
// use.
type Server struct {
	srv *httptest.Server

	mu     sync.Mutex
	cond   *sync.Cond
	models map[string]Model

	// embed
	embedCalls  int
	embedInputs []string // every input embedded, in arrival order
	embedReqs   []api.EmbedRequest
	embedStatus []int // statuses to answer successive embed calls with (consumed); 0 = OK, Reset = reset the connection
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
	chatMode   ChatMode
	doneReason string
	hangDone   chan struct{} // closed when a hanging stream saw its client go away
	hangOnce   sync.Once
}

// An Option configures a new Server.
type Option func(*Server)

// WithModel adds (or replaces) a pulled model; a name without a tag means
// ":latest", as in Ollama.
func WithModel(name string, m Model) Option {
	return func(s *Server) { s.models[fullName(name)] = m }
}

// WithoutModel removes a model, as if it had never been pulled.
func WithoutModel(name string) Option {
	return func(s *Server) { delete(s.models, fullName(name)) }
}

// WithReply sets the pieces chat streams (see SetReply).
func WithReply(chunks ...string) Option {
	return func(s *Server) { s.chunks = slices.Clone(chunks) }
}

// New starts a Server closed when tb ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := NewServer(opts...)
	tb.Cleanup(s.Close)
	return s
}

// NewServer starts a Server; the caller closes it.
func NewServer(opts ...Option) *Server {
	s := &Server{models: DefaultModels(), chunks: slices.Clone(DefaultReply), hangDone: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	s.cond = sync.NewCond(&s.mu)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"version": "0.17.4"})
	})
	mux.HandleFunc("POST /api/show", s.show)
	mux.HandleFunc("POST /api/embed", s.embed)
	mux.HandleFunc("POST /api/chat", s.chat)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the server's base URL, for ollama.New or --ollama-url.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// SetReply sets the content pieces chat streams, one NDJSON line each.
func (s *Server) SetReply(chunks ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chunks = slices.Clone(chunks)
}

// SetChatMode sets how chat streams end.
func (s *Server) SetChatMode(m ChatMode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatMode = m
}

// SetDoneReason sets the done_reason of the final chat message ("" means
// "stop"; "length" says the answer was cut at the token limit).
func (s *Server) SetDoneReason(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.doneReason = reason
}

// FailEmbeds scripts the answers to the next embed calls, one status each:
// 0 answers normally, Reset closes the connection, 503 answers Ollama's
// "server busy", any other status a JSON error.
func (s *Server) FailEmbeds(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedStatus = slices.Clone(statuses)
}

// FailChats is FailEmbeds for chat calls.
func (s *Server) FailChats(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatStatus = slices.Clone(statuses)
}

// HoldEmbeds makes each embed call wait until n calls were in flight at
// once (for at most 5 seconds, so a sequential client fails its test
// instead of hanging it); 0 turns it off.
func (s *Server) HoldEmbeds(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.barrier = n
}

// HangEmbeds makes embed calls never answer: they wait for the client to
// go away.
func (s *Server) HangEmbeds() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedHang = true
}

// SetMaxInput makes embed calls with an input longer than n bytes fail
// with Ollama's "input length exceeds the context length" (0: no limit).
func (s *Server) SetMaxInput(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxInput = n
}

// HangDone is closed once a chat stream in ChatHang mode saw its client go
// away.
func (s *Server) HangDone() <-chan struct{} { return s.hangDone }

// Stats is a snapshot of what the server received.
type Stats struct {
	EmbedCalls    int                // embed requests, failed ones included
	Inputs        []string           // every input embedded (not those of failed calls), in arrival order
	EmbedRequests []api.EmbedRequest // every embed request
	MaxInflight   int                // most embed calls in flight at once
	ChatCalls     int
	ChatRequests  []api.ChatRequest
}

// Stats returns what the server received so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{s.embedCalls, slices.Clone(s.embedInputs), slices.Clone(s.embedReqs), s.maxInflight, s.chatCalls, slices.Clone(s.chatReqs)}
}

// ResetStats forgets what the server received.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedCalls, s.embedInputs, s.embedReqs, s.maxInflight = 0, nil, nil, 0
	s.chatCalls, s.chatReqs = 0, nil
}

// Embedded counts, by input text (task prefix included), how many times
// each text was embedded.
func (s *Server) Embedded() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := map[string]int{}
	for _, in := range s.embedInputs {
		n[in]++
	}
	return n
}

// LastChat returns the last chat request received, failing tb if there is
// none.
func (s *Server) LastChat(tb testing.TB) api.ChatRequest {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.chatReqs) == 0 {
		tb.Fatal("ollamatest: the server received no chat request")
	}
	return s.chatReqs[len(s.chatReqs)-1]
}

// Models lists the names of the pulled models, sorted.
func (s *Server) Models() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.models))
}

func fullName(name string) string {
	if !strings.Contains(name, ":") {
		name += ":latest"
	}
	return name
}

// lookup finds a model by name, with ":latest" implied as Ollama does.
func (s *Server) lookup(name string) (Model, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.models[fullName(name)]
	return m, ok
}

// Vector is the embedding the server returns for text with dims
// dimensions: each word (a maximal run of letters and digits, lower-cased)
// adds ±1 to a coordinate chosen by its hash, and the sum is normalised to
// length 1. Texts sharing words are near by cosine; a text without words
// gets a unit vector chosen by the hash of the whole text.
func Vector(text string, dims int) []float32 {
	v := make([]float64, dims)
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		h := hash(w)
		sign := 1.0
		if h>>63 == 1 {
			sign = -1
		}
		v[h%uint64(dims)] += sign
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	if norm == 0 {
		v[hash(text)%uint64(dims)], norm = 1, 1
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dims)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
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
		panic("ollamatest: no hijacker")
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

func (s *Server) show(w http.ResponseWriter, r *http.Request) {
	var req api.ShowRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	m, ok := s.lookup(req.Model)
	if !ok {
		writeJSON(w, 404, map[string]string{"error": fmt.Sprintf("model '%s' not found", req.Model)})
		return
	}
	info := map[string]any{"general.architecture": m.Arch, m.Arch + ".context_length": m.Context}
	if m.Dims > 0 {
		info[m.Arch+".embedding_length"] = m.Dims
	}
	writeJSON(w, 200, map[string]any{"model_info": info, "capabilities": m.Capabilities, "details": map[string]any{"family": m.Arch}})
}

func (s *Server) embed(w http.ResponseWriter, r *http.Request) {
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
			str, ok := v.(string)
			if !ok {
				writeJSON(w, 400, map[string]string{"error": "invalid input type"})
				return
			}
			inputs = append(inputs, str)
		}
	default:
		writeJSON(w, 400, map[string]string{"error": "invalid input type"})
		return
	}

	s.mu.Lock()
	s.embedCalls++
	status := pop(&s.embedStatus)
	s.embedReqs = append(s.embedReqs, req)
	s.inflight++
	s.maxInflight = max(s.maxInflight, s.inflight)
	s.cond.Broadcast()
	if s.barrier > 0 {
		// Wait until the barrier was reached once; the timer only keeps a
		// broken (sequential) client from hanging the test.
		deadline := time.AfterFunc(5*time.Second, func() { s.mu.Lock(); s.barrier = 0; s.cond.Broadcast(); s.mu.Unlock() })
		for s.barrier > 0 && s.maxInflight < s.barrier {
			s.cond.Wait()
		}
		deadline.Stop()
	}
	s.inflight--
	hang, maxInput := s.embedHang, s.maxInput
	tooLong := false
	for _, in := range inputs {
		tooLong = tooLong || maxInput > 0 && len(in) > maxInput
	}
	m, known := s.models[fullName(req.Model)]
	if status == 0 && !tooLong && known && !hang {
		s.embedInputs = append(s.embedInputs, inputs...)
	}
	s.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return
	}

	if failWith(w, status) {
		return
	}
	if !known {
		writeJSON(w, 404, map[string]string{"error": fmt.Sprintf("model '%s' not found", req.Model)})
		return
	}
	if tooLong {
		// What servers whose truncate option fails answer (ollama#14186).
		writeJSON(w, 400, map[string]string{"error": "the input length exceeds the context length"})
		return
	}
	dims := m.Dims
	if dims == 0 {
		dims = 384
	}
	if req.Dimensions > 0 && req.Dimensions < dims {
		dims = req.Dimensions
	}
	res := api.EmbedResponse{Model: req.Model, Embeddings: make([][]float32, len(inputs))}
	for i, in := range inputs {
		res.Embeddings[i] = Vector(in, dims)
	}
	writeJSON(w, 200, res)
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req api.ChatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	s.mu.Lock()
	s.chatCalls++
	s.chatReqs = append(s.chatReqs, req)
	status := pop(&s.chatStatus)
	chunks, mode, reason := s.chunks, s.chatMode, s.doneReason
	s.mu.Unlock()
	if failWith(w, status) {
		return
	}
	if _, ok := s.lookup(req.Model); !ok {
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
	case ChatDrop:
		return // the connection ends without a done message
	case ChatMalformed:
		bw.WriteString("{\"message\": {\"content\": \"x\"\n")
		bw.Flush()
		return
	case ChatError:
		line(map[string]string{"error": "llama runner process has terminated: exit status 2"})
		return
	case ChatHang:
		<-r.Context().Done()
		s.hangOnce.Do(func() { close(s.hangDone) })
		return
	}
	if reason == "" {
		reason = "stop"
	}
	line(api.ChatResponse{Model: req.Model, CreatedAt: time.Unix(0, 0).UTC(), Message: api.Message{Role: "assistant"}, Done: true, DoneReason: reason})
}
