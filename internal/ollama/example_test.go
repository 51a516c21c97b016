package ollama_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/ollama"
	"github.com/livespec/livespec/internal/ollama/ollamatest"
)

func Example() {
	// srv stands in for `ollama serve` with nomic-embed-text and llama3.2:3b pulled.
	srv := ollamatest.NewServer(ollamatest.WithReply("Checkout accepts", " one coupon", " per order [1]", " [4]."))
	defer srv.Close()
	ctx := context.Background()

	c := ollama.New(srv.URL(), nil) // e.g. --ollama / LIVESPEC_OLLAMA_URL
	if err := c.Check(ctx, "llama3.1:8b"); err != nil {
		// The CLI prints this one line and falls back to BM25 + extractive.
		fmt.Println(livespec.ErrorCode(err), livespec.ErrorMessage(err))
	}
	if err := c.Check(ctx, ollama.DefaultEmbedModel, ollama.DefaultChatModel); err != nil {
		fmt.Println(err)
		return
	}

	emb, err := c.Embedder(ctx, ollama.EmbedOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	vecs, err := emb.EmbedDocuments(ctx, []string{"## Coupons\nOne coupon code per order.", "## Payment\nCards only."})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(emb.ID(), len(vecs), len(vecs[0]))

	gen := c.Generator(ollama.GenerateOptions{})
	ev := &livespec.Evidence{
		Question: "does checkout support coupons?",
		Intent:   livespec.IntentCurrent,
		Sources: []livespec.Citation{{N: 1, Repo: "shop", Path: "spec/checkout.md", Heading: "Checkout > Coupons",
			Commit: "0123456789abcdef0123456789abcdef01234567", Text: "## Coupons\nOne coupon code per order."}},
	}
	var streamed []string
	answer, err := gen.Generate(ctx, ev, func(tok string) error {
		streamed = append(streamed, tok)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(gen.Name())
	fmt.Printf("%q\n", streamed)
	fmt.Println(answer == strings.Join(streamed, ""))
	fmt.Println(answer)
	// Output:
	// unavailable ollama: model "llama3.1:8b" is not pulled; run: ollama pull llama3.1:8b
	// ollama/nomic-embed-text@768 2 768
	// ollama/llama3.2:3b
	// ["Checkout accepts" " one coupon" " per order [1]" "." "\n\n(removed citation [4]: no such source)"]
	// true
	// Checkout accepts one coupon per order [1].
	//
	// (removed citation [4]: no such source)
}
