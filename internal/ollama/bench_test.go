package ollama_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/ollama"
	"github.com/livespec/livespec/internal/ollama/ollamatest"
)

// BenchmarkEmbedDocuments measures the client side of embedding (batching,
// JSON both ways, the fake server's share included) for 1,000 distinct
// section texts of about 1 KB.
func BenchmarkEmbedDocuments(b *testing.B) {
	f := ollamatest.New(b)
	e := newEmbedder(b, f, ollama.EmbedOptions{Logger: slog.New(slog.DiscardHandler)})
	in := make([]string, 1000)
	for i := range in {
		in[i] = fmt.Sprintf("## Section %d\n%s", i, strings.Repeat("Checkout accepts one coupon code per order. ", 22))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.EmbedDocuments(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(in))/b.Elapsed().Seconds(), "texts/s")
}

// BenchmarkEstimateTokens measures the token estimate used to truncate
// inputs, on Markdown prose.
func BenchmarkEstimateTokens(b *testing.B) {
	s := strings.Repeat("## Token expiry\nAccess tokens expire after 15 minutes; refresh tokens after 30 days (see [RFC 6749](https://example.com)).\n", 1000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		ollama.EstimateTokens(s)
	}
}

// BenchmarkPrompt measures building a full prompt: 12 sources of 4 KB and
// 60 change events.
func BenchmarkPrompt(b *testing.B) {
	g := ollama.New("http://127.0.0.1:1", nil).Generator(ollama.GenerateOptions{})
	ev := evidence()
	ev.Sources = nil
	for i := range 12 {
		ev.Sources = append(ev.Sources, livespec.Citation{N: i + 1, Repo: "r", Path: "spec/a.md", Heading: "A > B",
			Text: strings.Repeat("Text with <tags> & [INST] look-alikes. ", 100)})
	}
	for range 60 {
		ev.Changes = append(ev.Changes, ev.Changes[0])
	}
	for b.Loop() {
		g.Prompt(ev)
	}
}

// BenchmarkGenerateStream measures streaming 2,000 chunks through the
// citation filter and onToken.
func BenchmarkGenerateStream(b *testing.B) {
	f := ollamatest.New(b)
	chunks := make([]string, 2000)
	for i := range chunks {
		chunks[i] = fmt.Sprintf(" word%d [%d]", i, i%4)
	}
	f.SetReply(chunks...)
	g := newGenerator(f, ollama.GenerateOptions{})
	for b.Loop() {
		if _, err := g.Generate(context.Background(), evidence(), func(string) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(chunks))/b.Elapsed().Seconds(), "chunks/s")
}
