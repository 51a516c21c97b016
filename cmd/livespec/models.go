package main

import (
	"context"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/ollama"
)

// modelFlags choose the embedder and the generator.
type modelFlags struct {
	ollama, embedModel, chatModel *string
}

func addModelFlags(f *flags) *modelFlags {
	// Without LIVESPEC_OLLAMA_URL, the OLLAMA_HOST every Ollama user has
	// set counts, read as Ollama reads it.
	def := ""
	if f.e.getenv(envName("ollama-url")) == "" {
		def = ollama.HostURL(f.e.getenv("OLLAMA_HOST"))
	}
	return &modelFlags{
		ollama:     f.in(groupIndex).string("ollama-url", def, "Ollama base `URL`, e.g. http://127.0.0.1:11434; OLLAMA_HOST counts when the variable in brackets is unset (default: none: BM25 search and extractive answers)"),
		embedModel: f.in(groupOllama).string("embed-model", ollama.DefaultEmbedModel, "Ollama embedding `model`, or none"),
		chatModel:  f.in(groupOllama).string("chat-model", ollama.DefaultChatModel, "Ollama chat `model` for answers, or none for extractive answers"),
	}
}

// models are the embedder and generator in use; nil means the embedded
// default (BM25 only, extractive answers).
type models struct {
	embedder  livespec.Embedder
	generator livespec.Generator
}

func isNone(s string) bool { s = strings.TrimSpace(s); return s == "" || s == "none" }

// open connects to the configured models. An unreachable Ollama falls back
// to the embedded defaults with a one-line notice; a reachable Ollama
// without the models is an error naming the `ollama pull` to run.
// withGenerator is false for commands that only embed.
func (m *modelFlags) open(ctx context.Context, e *env, withGenerator bool) (models, error) {
	if isNone(*m.ollama) {
		return models{}, nil
	}
	c := ollama.New(*m.ollama, nil)
	if err := c.Check(ctx); err != nil {
		if livespec.ErrorCode(err) == livespec.EUNAVAILABLE {
			e.warnf("%s; using BM25 search and extractive answers", livespec.ErrorMessage(err))
			return models{}, nil
		}
		return models{}, err
	}
	var need []string
	if !isNone(*m.embedModel) {
		need = append(need, *m.embedModel)
	}
	if withGenerator && !isNone(*m.chatModel) {
		need = append(need, *m.chatModel)
	}
	if err := c.Check(ctx, need...); err != nil {
		// A configuration to fix (pull the model), keeping the cause.
		return models{}, livespec.WrapError(livespec.EINVALID, err, "")
	}
	var out models
	if !isNone(*m.embedModel) {
		emb, err := c.Embedder(ctx, ollama.EmbedOptions{Model: *m.embedModel})
		if err != nil {
			return models{}, err
		}
		out.embedder = emb
	}
	if withGenerator && !isNone(*m.chatModel) {
		out.generator = c.Generator(ollama.GenerateOptions{Model: *m.chatModel})
	}
	return out, nil
}
