package ollama_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/ollama"
	"github.com/livespec/livespec/internal/ollama/ollamatest"
)

// fastRetry keeps retry tests quick.
var fastRetry = ollama.Retry{Attempts: 3, Base: time.Millisecond, Max: 2 * time.Millisecond}

func newEmbedder(t testing.TB, f *ollamatest.Server, opts ollama.EmbedOptions) *ollama.Embedder {
	t.Helper()
	if opts.Retry == (ollama.Retry{}) {
		opts.Retry = fastRetry
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e, err := ollama.New(f.URL(), nil).Embedder(context.Background(), opts)
	if err != nil {
		t.Fatalf("Embedder: %v", err)
	}
	return e
}

func texts(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("Section %d: checkout supports coupon code %d.", i, i*7)
	}
	return s
}

func TestEmbedderIdentity(t *testing.T) {
	f := ollamatest.New(t)
	tests := []struct {
		name    string
		opts    ollama.EmbedOptions
		id      string
		dims    int
		context int
	}{
		{"default model, dims from show", ollama.EmbedOptions{}, "ollama/nomic-embed-text@768", 768, 2048},
		{"latest tag is the same model", ollama.EmbedOptions{Model: "nomic-embed-text:latest"}, "ollama/nomic-embed-text@768", 768, 2048},
		{"matryoshka dimensions", ollama.EmbedOptions{Dimensions: 256}, "ollama/nomic-embed-text@256", 256, 2048},
		{"mxbai", ollama.EmbedOptions{Model: "mxbai-embed-large"}, "ollama/mxbai-embed-large@1024", 1024, 512},
		{"dims from the first embedding", ollama.EmbedOptions{Model: "all-minilm"}, "ollama/all-minilm@384", 384, 256},
		{"context capped by option", ollama.EmbedOptions{ContextTokens: 100}, "ollama/nomic-embed-text@768", 768, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEmbedder(t, f, tt.opts)
			if e.ID() != tt.id || e.Dimensions() != tt.dims || e.ContextTokens() != tt.context {
				t.Errorf("ID, Dimensions, ContextTokens = %q, %d, %d; want %q, %d, %d",
					e.ID(), e.Dimensions(), e.ContextTokens(), tt.id, tt.dims, tt.context)
			}
			v, err := e.EmbedQuery(context.Background(), "coupons?")
			if err != nil {
				t.Fatal(err)
			}
			if len(v) != tt.dims {
				t.Errorf("query vector has %d dimensions, want %d", len(v), tt.dims)
			}
		})
	}
}

func TestEmbedderCustomPrefixChangesID(t *testing.T) {
	f := ollamatest.New(t)
	e := newEmbedder(t, f, ollama.EmbedOptions{Prefix: &ollama.Prefix{Document: "passage: ", Query: "query: "}})
	if !strings.HasPrefix(e.ID(), "ollama/nomic-embed-text@768+p") {
		t.Errorf("ID = %q, want the default ID with a prefix hash suffix", e.ID())
	}
	if _, err := e.EmbedDocuments(context.Background(), []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if got := f.Stats().Inputs[len(f.Stats().Inputs)-1]; got != "passage: a" {
		t.Errorf("input = %q, want the custom document prefix", got)
	}
}

func TestEmbedPrefixes(t *testing.T) {
	tests := []struct {
		model     string
		doc, quer string
	}{
		{"nomic-embed-text", "search_document: spec text", "search_query: coupons?"},
		{"mxbai-embed-large", "spec text", "Represent this sentence for searching relevant passages: coupons?"},
		{"all-minilm", "spec text", "coupons?"},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			f := ollamatest.New(t)
			e := newEmbedder(t, f, ollama.EmbedOptions{Model: tt.model})
			f.ResetStats() // drop a dimension probe
			ctx := context.Background()
			dv, err := e.EmbedDocuments(ctx, []string{"spec text"})
			if err != nil {
				t.Fatal(err)
			}
			qv, err := e.EmbedQuery(ctx, "coupons?")
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{tt.doc, tt.quer}; !slices.Equal(f.Stats().Inputs, want) {
				t.Errorf("server received %q, want %q", f.Stats().Inputs, want)
			}
			// The vectors are those of the prefixed texts, in order.
			if !slices.Equal(dv[0], ollamatest.Vector(tt.doc, e.Dimensions())) || !slices.Equal(qv, ollamatest.Vector(tt.quer, e.Dimensions())) {
				t.Error("vectors do not belong to the prefixed texts")
			}
		})
	}
}

func TestEmbedDocumentsBatches(t *testing.T) {
	for _, n := range []int{1, 31, 32, 33, 64, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := ollamatest.New(t)
			e := newEmbedder(t, f, ollama.EmbedOptions{})
			in := texts(n)
			vecs, err := e.EmbedDocuments(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if want := (n + 31) / 32; f.Stats().EmbedCalls != want {
				t.Errorf("%d texts took %d embed calls, want %d", n, f.Stats().EmbedCalls, want)
			}
			for _, r := range f.Stats().EmbedRequests {
				if got := r.Input.([]any); len(got) > 32 {
					t.Errorf("a request carried %d inputs, more than the batch size 32", len(got))
				}
				if r.Options["num_ctx"] != float64(2048) {
					t.Errorf("num_ctx = %v, want the model's context 2048", r.Options["num_ctx"])
				}
			}
			// Each text sent exactly once, each vector the one of its text.
			seen := map[string]int{}
			for _, s := range f.Stats().Inputs {
				seen[s]++
			}
			if len(f.Stats().Inputs) != n {
				t.Errorf("server received %d inputs, want %d", len(f.Stats().Inputs), n)
			}
			for i, s := range in {
				p := "search_document: " + s
				if seen[p] != 1 {
					t.Errorf("text %d was sent %d times", i, seen[p])
				}
				if !slices.Equal(vecs[i], ollamatest.Vector(p, 768)) {
					t.Errorf("vector %d is not the vector of text %d", i, i)
				}
			}
		})
	}
}

func TestEmbedDocumentsSendsDuplicatesOnce(t *testing.T) {
	f := ollamatest.New(t)
	e := newEmbedder(t, f, ollama.EmbedOptions{BatchSize: 4})
	distinct := texts(5)
	var in []string
	for range 8 {
		in = append(in, distinct...)
	}
	vecs, err := e.EmbedDocuments(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stats().Inputs) != 5 || f.Stats().EmbedCalls != 2 {
		t.Errorf("sent %d inputs in %d calls, want 5 in 2", len(f.Stats().Inputs), f.Stats().EmbedCalls)
	}
	if len(vecs) != len(in) {
		t.Fatalf("got %d vectors for %d texts", len(vecs), len(in))
	}
	for i := range in {
		if !slices.Equal(vecs[i], vecs[i%5]) {
			t.Errorf("vector %d differs from the vector of the same text", i)
		}
	}
	vecs[0][0] = 42 // callers own their vectors
	if vecs[5][0] == 42 {
		t.Error("duplicate texts share one backing slice")
	}
}

func TestEmbedDocumentsConcurrencyIsBounded(t *testing.T) {
	for _, conc := range []int{1, 3} {
		t.Run(fmt.Sprint(conc), func(t *testing.T) {
			f := ollamatest.New(t)
			e := newEmbedder(t, f, ollama.EmbedOptions{BatchSize: 2, Concurrency: conc})
			f.HoldEmbeds(conc) // each call waits until conc calls were in flight together
			if _, err := e.EmbedDocuments(context.Background(), texts(20)); err != nil {
				t.Fatal(err)
			}
			if f.Stats().MaxInflight != conc {
				t.Errorf("at most %d requests were in flight, want exactly %d", f.Stats().MaxInflight, conc)
			}
		})
	}
}

func TestEmbedTruncatesLongTexts(t *testing.T) {
	f := ollamatest.New(t)
	var logs bytes.Buffer
	e := newEmbedder(t, f, ollama.EmbedOptions{ContextTokens: 64, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	long := strings.Repeat("The checkout page accepts coupon codes. ", 200)
	short := "Coupons stack."
	vecs, err := e.EmbedDocuments(context.Background(), []string{long, short})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 2 || len(vecs[0]) != 768 {
		t.Fatalf("the long text was not embedded: %d vectors", len(vecs))
	}
	got := f.Stats().Inputs[0]
	if !strings.HasPrefix(got, "search_document: The checkout page") || len(got) >= len(long) {
		t.Errorf("long input sent as %d bytes starting %.40q; want its beginning, cut", len(got), got)
	}
	if n := ollama.EstimateTokens(strings.TrimPrefix(got, "search_document: ")); n > 64 {
		t.Errorf("truncated input is about %d tokens, over the 64-token context", n)
	}
	if f.Stats().Inputs[1] != "search_document: "+short {
		t.Errorf("short text changed: %q", f.Stats().Inputs[1])
	}
	if !strings.Contains(logs.String(), "level=WARN") || strings.Count(logs.String(), "\n") != 1 {
		t.Errorf("want one warning for one truncated text, got log:\n%s", logs.String())
	}
	if _, truncated := e.Stats(); truncated != 1 {
		t.Errorf("Stats truncated = %d, want 1", truncated)
	}
}

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		text     string
		min, max int
	}{
		{"", 0, 0},
		{"the", 1, 1},
		{"Coupons are applied at checkout.", 7, 14},
		{"func main() { fmt.Println(\"hi\") }", 12, 24},
		{"日本語のテキスト", 8, 8},
	}
	for _, tt := range tests {
		if n := ollama.EstimateTokens(tt.text); n < tt.min || n > tt.max {
			t.Errorf("EstimateTokens(%q) = %d, want %d..%d", tt.text, n, tt.min, tt.max)
		}
	}
}

func TestEmbedRetries(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		calls    int    // embed calls the server sees
		code     string // "" for success
	}{
		{"503 busy then success", []int{503}, 2, ""},
		{"500 twice then success", []int{500, 502}, 3, ""},
		{"connection reset then success", []int{-1}, 2, ""},
		{"busy on every attempt", []int{503, 503, 503}, 3, livespec.EUNAVAILABLE},
		{"400 is not retried", []int{400}, 1, livespec.EINVALID},
		{"404 is not retried", []int{404}, 1, livespec.EUNAVAILABLE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ollamatest.New(t)
			e := newEmbedder(t, f, ollama.EmbedOptions{})
			f.FailEmbeds(tt.statuses...)
			vecs, err := e.EmbedDocuments(context.Background(), []string{"a", "b"})
			if f.Stats().EmbedCalls != tt.calls {
				t.Errorf("server saw %d calls, want %d", f.Stats().EmbedCalls, tt.calls)
			}
			if got := livespec.ErrorCode(err); got != tt.code {
				t.Fatalf("error %v has kind %q, want %q", err, got, tt.code)
			}
			if err != nil {
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error is not one line: %q", err)
				}
				return
			}
			if len(vecs) != 2 || !slices.Equal(vecs[1], ollamatest.Vector("search_document: b", 768)) {
				t.Error("wrong vectors after retry")
			}
			if req, _ := e.Stats(); req != int64(tt.calls) {
				t.Errorf("Stats requests = %d, want %d", req, tt.calls)
			}
		})
	}
}

func TestEmbedModelNotPulled(t *testing.T) {
	f := ollamatest.New(t)
	_, err := ollama.New(f.URL(), nil).Embedder(context.Background(), ollama.EmbedOptions{Model: "bge-m3"})
	if livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE", err)
	}
	if got, want := livespec.ErrorMessage(err), `ollama: model "bge-m3" is not pulled; run: ollama pull bge-m3`; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestEmbedderRejectsBadModels(t *testing.T) {
	f := ollamatest.New(t)
	c := ollama.New(f.URL(), nil)
	tests := []struct {
		name string
		opts ollama.EmbedOptions
		want string
	}{
		{"chat model", ollama.EmbedOptions{Model: "llama3.2:3b"}, "cannot embed"},
		{"too many dimensions", ollama.EmbedOptions{Dimensions: 1024}, "has 768 dimensions"},
		{"negative dimensions", ollama.EmbedOptions{Dimensions: -1}, "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Embedder(context.Background(), tt.opts)
			if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

func TestEmbedQueryRejectsEmpty(t *testing.T) {
	f := ollamatest.New(t)
	e := newEmbedder(t, f, ollama.EmbedOptions{})
	if _, err := e.EmbedQuery(context.Background(), "  "); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("err = %v, want EINVALID", err)
	}
}

func TestEmbedDocumentsStopsOnFailure(t *testing.T) {
	f := ollamatest.New(t)
	e := newEmbedder(t, f, ollama.EmbedOptions{BatchSize: 2, Concurrency: 1})
	f.FailEmbeds(0, 400) // the second batch is rejected
	_, err := e.EmbedDocuments(context.Background(), texts(20))
	if livespec.ErrorCode(err) != livespec.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	if f.Stats().EmbedCalls != 2 {
		t.Errorf("server saw %d calls after a lasting failure on the 2nd; want 2", f.Stats().EmbedCalls)
	}
}

func TestEmbedCancelled(t *testing.T) {
	f := ollamatest.New(t)
	e := newEmbedder(t, f, ollama.EmbedOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := f.Stats().EmbedCalls
	_, err := e.EmbedDocuments(ctx, texts(40))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if f.Stats().EmbedCalls != calls {
		t.Errorf("a cancelled context still sent %d calls", f.Stats().EmbedCalls-calls)
	}
	if _, err := e.EmbedQuery(ctx, "q"); !errors.Is(err, context.Canceled) {
		t.Errorf("EmbedQuery err = %v, want context.Canceled", err)
	}
}

func TestEmbedEmpty(t *testing.T) {
	f := ollamatest.New(t)
	e := newEmbedder(t, f, ollama.EmbedOptions{})
	calls := f.Stats().EmbedCalls
	vecs, err := e.EmbedDocuments(context.Background(), nil)
	if err != nil || len(vecs) != 0 || f.Stats().EmbedCalls != calls {
		t.Errorf("EmbedDocuments(nil) = %d vectors, %v, %d calls; want none", len(vecs), err, f.Stats().EmbedCalls-calls)
	}
}

func TestEmbedRequestTimeout(t *testing.T) {
	f := ollamatest.New(t)
	e := newEmbedder(t, f, ollama.EmbedOptions{RequestTimeout: 20 * time.Millisecond})
	f.HangEmbeds()
	_, err := e.EmbedDocuments(context.Background(), []string{"a"})
	if livespec.ErrorCode(err) != livespec.EUNAVAILABLE || !strings.Contains(livespec.ErrorMessage(err), "did not answer an embed request within 20ms") {
		t.Errorf("err = %v, want EUNAVAILABLE saying the request timed out", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Error("a request timeout looks like the caller's cancellation")
	}
	if calls := f.Stats().EmbedCalls; calls != 1 {
		t.Errorf("a timed-out request was retried: %d calls", calls)
	}
}

func TestEmbedShortensWhenServerSaysTooLong(t *testing.T) {
	f := ollamatest.New(t)
	e := newEmbedder(t, f, ollama.EmbedOptions{})
	f.SetMaxInput(1500)
	long := strings.Repeat("Refunds go back to the original card. ", 300) // ~11 KB: cut to about 5 KB by the estimate, still too long here
	vecs, err := e.EmbedDocuments(context.Background(), []string{long, "short"})
	if err != nil {
		t.Fatal(err)
	}
	st := f.Stats()
	if len(vecs) != 2 || len(st.Inputs) != 2 {
		t.Fatalf("got %d vectors, server embedded %d inputs; want 2 and 2", len(vecs), len(st.Inputs))
	}
	if got := st.Inputs[0]; len(got) > 1500 || !strings.HasPrefix(got, "search_document: Refunds go back") {
		t.Errorf("long input embedded as %d bytes; want its beginning within the server's limit", len(got))
	}
	if st.Inputs[1] != "search_document: short" {
		t.Errorf("short input changed to %q", st.Inputs[1])
	}
	if st.EmbedCalls < 2 {
		t.Errorf("%d embed calls; want the rejected one and a shorter retry", st.EmbedCalls)
	}

	f.SetMaxInput(10) // nothing fits: give up with a clear error
	_, err = e.EmbedDocuments(context.Background(), []string{long})
	if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), "context length") {
		t.Errorf("err = %v, want EINVALID about the context length", err)
	}
}
