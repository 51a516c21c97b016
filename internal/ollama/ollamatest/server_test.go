package ollamatest_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/ollama"
	"github.com/livespec/livespec/internal/ollama/ollamatest"
)

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func TestVector(t *testing.T) {
	const dims = 768
	tokens := ollamatest.Vector("Access tokens expire after one hour.", dims)
	if len(tokens) != dims {
		t.Fatalf("%d dimensions, want %d", len(tokens), dims)
	}
	var norm float64
	for _, x := range tokens {
		norm += float64(x) * float64(x)
	}
	if math.Abs(norm-1) > 1e-5 {
		t.Errorf("squared norm %v, want 1", norm)
	}
	if cosine(tokens, ollamatest.Vector("access TOKENS expire after one hour", dims)) < 0.9999 {
		t.Error("case and punctuation change the vector")
	}
	near := cosine(tokens, ollamatest.Vector("When do access tokens expire?", dims))
	far := cosine(tokens, ollamatest.Vector("Invoices are sent monthly by email.", dims))
	if near <= far || near < 0.3 {
		t.Errorf("cosine to a text sharing words %.3f, to an unrelated one %.3f", near, far)
	}
	empty := ollamatest.Vector("", 16)
	if cosine(empty, empty) < 0.9999 || cosine(empty, ollamatest.Vector("--", 16)) > 0.9999 && cosine(empty, ollamatest.Vector("?!", 16)) > 0.9999 {
		t.Error("texts without words do not get distinct unit vectors")
	}
}

func TestCountsAndScript(t *testing.T) {
	srv := ollamatest.New(t, ollamatest.WithoutModel("llama3.2:3b"), ollamatest.WithModel("qwen3:8b", ollamatest.Model{Arch: "qwen3", Context: 40960, Capabilities: []string{"completion"}}))
	ctx := context.Background()
	c := ollama.New(srv.URL(), nil)
	if err := c.Check(ctx, "llama3.2:3b"); err == nil || !strings.Contains(err.Error(), "ollama pull llama3.2:3b") {
		t.Errorf("Check of a removed model: %v", err)
	}
	if err := c.Check(ctx, "qwen3:8b", "nomic-embed-text"); err != nil {
		t.Errorf("Check of an added model: %v", err)
	}
	emb, err := c.Embedder(ctx, ollama.EmbedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range [][]string{{"a b"}, {"a b", "c d"}} {
		if _, err := emb.EmbedDocuments(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Embedded(); got["search_document: a b"] != 2 || got["search_document: c d"] != 1 || len(got) != 2 {
		t.Errorf("Embedded = %v", got)
	}
	srv.SetReply("Yes", " [1].")
	srv.SetDoneReason("length")
	var streamed []string
	_, err = c.Generator(ollama.GenerateOptions{Model: "qwen3:8b"}).Generate(ctx, &livespec.Evidence{
		Question: "coupons?", Sources: []livespec.Citation{{N: 1, Path: "spec/checkout.md", Text: "One coupon per order."}},
	}, func(s string) error { streamed = append(streamed, s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(streamed, ""); !strings.HasPrefix(got, "Yes [1].") {
		t.Errorf("streamed %q", got)
	}
	if st := srv.Stats(); st.ChatCalls != 1 || st.ChatRequests[0].Model != "qwen3:8b" || srv.LastChat(t).Model != "qwen3:8b" {
		t.Errorf("chat stats %+v", st)
	}
	srv.ResetStats()
	if st := srv.Stats(); st.EmbedCalls != 0 || len(st.Inputs) != 0 || st.ChatCalls != 0 {
		t.Errorf("after ResetStats: %+v", st)
	}
}

func TestFailures(t *testing.T) {
	srv := ollamatest.New(t)
	srv.FailEmbeds(503, ollamatest.Reset)
	ctx := context.Background()
	c := ollama.New(srv.URL(), nil)
	emb, err := c.Embedder(ctx, ollama.EmbedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emb.EmbedDocuments(ctx, []string{"x"}); err != nil {
		t.Fatalf("after a busy answer and a reset the client should retry: %v", err)
	}
	if st := srv.Stats(); st.EmbedCalls != 3 || len(st.Inputs) != 1 {
		t.Errorf("%d calls, %d inputs embedded; want 3 calls, the failed ones not counted as embedded", st.EmbedCalls, len(st.Inputs))
	}
}

// Example stands the server in for `ollama serve` and uses it through
// livespec's Ollama adapter.
func ExampleNewServer() {
	srv := ollamatest.NewServer(ollamatest.WithReply("Checkout accepts", " one coupon", " per order [1]."))
	defer srv.Close()
	ctx := context.Background()
	c := ollama.New(srv.URL(), nil)
	emb, err := c.Embedder(ctx, ollama.EmbedOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := emb.EmbedDocuments(ctx, []string{"## Coupons\nOne coupon code per order."}); err != nil {
		fmt.Println(err)
		return
	}
	st := srv.Stats()
	fmt.Println(emb.ID(), st.EmbedCalls, st.Inputs)
	// Output:
	// ollama/nomic-embed-text@768 1 [search_document: ## Coupons
	// One coupon code per order.]
}
