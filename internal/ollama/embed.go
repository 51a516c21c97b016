package ollama

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/ollama/ollama/api"
)

// DefaultEmbedModel is the embedding model used when EmbedOptions.Model is empty.
const DefaultEmbedModel = "nomic-embed-text"

// Prefix holds the task prefixes an embedding model expects before a
// document and before a search query.
type Prefix struct {
	Document string
	Query    string
}

// knownModel is what we know of a common embedding model without asking
// the server.
type knownModel struct {
	dims, context int
	prefix        Prefix
}

var knownModels = map[string]knownModel{
	"nomic-embed-text":  {768, 8192, Prefix{Document: "search_document: ", Query: "search_query: "}},
	"mxbai-embed-large": {1024, 512, Prefix{Query: "Represent this sentence for searching relevant passages: "}},
	"all-minilm":        {384, 256, Prefix{}},
}

// baseModel strips the tag and namespace: "library/nomic-embed-text:v1.5"
// → "nomic-embed-text".
func baseModel(m string) string {
	m, _, _ = strings.Cut(strings.TrimSpace(m), ":")
	return path.Base(m)
}

// DefaultPrefix returns the task prefixes model was trained with:
// "search_document: " and "search_query: " for nomic-embed-text, the query
// instruction of mxbai-embed-large, none for other models.
func DefaultPrefix(model string) Prefix {
	return knownModels[baseModel(model)].prefix
}

// EmbedOptions configures an Embedder. The zero value embeds with
// nomic-embed-text, 32 texts per request, 2 requests at a time.
type EmbedOptions struct {
	// Model is the Ollama model name. Empty means DefaultEmbedModel.
	Model string
	// Dimensions asks the server to shorten each vector (Matryoshka models
	// such as nomic-embed-text); 0 keeps the model's full length.
	Dimensions int
	// Prefix overrides the model's task prefixes; nil means DefaultPrefix(Model).
	Prefix *Prefix
	// BatchSize is the number of texts per /api/embed request. Zero means 32.
	BatchSize int
	// Concurrency is the number of requests in flight at once. Zero means 2.
	Concurrency int
	// ContextTokens caps the tokens of one input. Zero means the model's
	// context length as /api/show reports it (or a known default).
	ContextTokens int
	// KeepAlive is how long the server keeps the model loaded after a
	// request; zero leaves the server's default.
	KeepAlive time.Duration
	// RequestTimeout bounds one /api/embed request (loading the model
	// included). Zero means 5 minutes. A timed-out request is not retried.
	RequestTimeout time.Duration
	// Retry is the policy for transient failures (busy server, 5xx,
	// refused or reset connections).
	Retry Retry
	// Logger receives a warning for each truncated input. Nil means slog.Default().
	Logger *slog.Logger
}

// Embedder embeds texts with an Ollama model through /api/embed. It
// implements livespec.Embedder and is safe for concurrent use.
type Embedder struct {
	c         *Client
	model     string
	id        string
	dims      int
	reqDims   int
	prefix    Prefix
	batch     int
	conc      int
	ctxTokens int
	keepAlive *api.Duration
	timeout   time.Duration
	retry     Retry
	log       *slog.Logger

	requests  atomic.Int64
	truncated atomic.Int64
}

var _ livespec.Embedder = (*Embedder)(nil)

// Embedder returns an embedder for opts.Model after asking the server about
// the model (/api/show): its vector length ("<arch>.embedding_length", or
// the length of a first probe embedding) and its context length. A model
// that is not pulled is an EUNAVAILABLE error saying which `ollama pull` to
// run; a model that cannot embed, or a Dimensions larger than the model's,
// is EINVALID.
func (c *Client) Embedder(ctx context.Context, opts EmbedOptions) (*Embedder, error) {
	if c.err != nil {
		return nil, c.err
	}
	e := &Embedder{
		c:       c,
		model:   strings.TrimSpace(opts.Model),
		reqDims: opts.Dimensions,
		batch:   opts.BatchSize,
		conc:    opts.Concurrency,
		timeout: opts.RequestTimeout,
		retry:   opts.Retry,
		log:     opts.Logger,
	}
	if e.timeout <= 0 {
		e.timeout = 5 * time.Minute
	}
	if e.model == "" {
		e.model = DefaultEmbedModel
	}
	if e.batch <= 0 {
		e.batch = 32
	}
	if e.conc <= 0 {
		e.conc = 2
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if opts.KeepAlive != 0 {
		e.keepAlive = &api.Duration{Duration: opts.KeepAlive}
	}
	if opts.Dimensions < 0 {
		return nil, livespec.Errorf(livespec.EINVALID, "ollama: embedding dimensions must not be negative (got %d)", opts.Dimensions)
	}
	known := knownModels[baseModel(e.model)]
	e.prefix = known.prefix
	if opts.Prefix != nil {
		e.prefix = *opts.Prefix
	}

	show, err := c.show(ctx, e.model)
	if err != nil {
		return nil, err
	}
	if !hasCapability(show, "embedding") {
		return nil, livespec.Errorf(livespec.EINVALID, "ollama: model %q cannot embed text (capabilities: %v); choose an embedding model such as %s", e.model, show.Capabilities, DefaultEmbedModel)
	}
	arch, _ := show.ModelInfo["general.architecture"].(string)
	full := infoInt(show.ModelInfo, arch+".embedding_length")
	ctxLen := infoInt(show.ModelInfo, arch+".context_length")
	switch {
	case ctxLen > 0:
		e.ctxTokens = ctxLen
	case known.context > 0:
		e.ctxTokens = known.context
	default:
		e.ctxTokens = 512
	}
	if opts.ContextTokens > 0 {
		e.ctxTokens = min(e.ctxTokens, opts.ContextTokens)
	}
	switch {
	case opts.Dimensions > 0 && full > 0 && opts.Dimensions > full:
		return nil, livespec.Errorf(livespec.EINVALID, "ollama: model %q has %d dimensions; cannot ask for %d", e.model, full, opts.Dimensions)
	case opts.Dimensions > 0:
		e.dims = opts.Dimensions
	default:
		e.dims = full
	}
	if e.dims == 0 {
		vecs, err := e.embedBatch(ctx, []string{e.prefix.Query + "dimension probe"})
		if err != nil {
			return nil, err
		}
		e.dims = len(vecs[0])
		if e.dims == 0 {
			return nil, livespec.Errorf(livespec.EUNAVAILABLE, "ollama: model %q returned an empty embedding", e.model)
		}
	}
	e.id = fmt.Sprintf("ollama/%s@%d", modelName(e.model), e.dims)
	if e.prefix != known.prefix {
		sum := sha256.Sum256([]byte(e.prefix.Document + "\x00" + e.prefix.Query))
		e.id += "+p" + hex.EncodeToString(sum[:4])
	}
	return e, nil
}

// infoInt reads a number from /api/show's model_info (JSON numbers decode
// as float64).
func infoInt(info map[string]any, key string) int {
	switch v := info[key].(type) {
	case float64:
		return int(v)
	case int:
		return v
	case int64:
		return int(v)
	}
	return 0
}

// ID returns "ollama/<model>@<dimensions>" (":latest" dropped), with a
// "+p<hash>" suffix when the task prefixes differ from the model's default,
// since other prefixes give other vectors.
func (e *Embedder) ID() string { return e.id }

// Dimensions returns the length of every vector the embedder returns.
func (e *Embedder) Dimensions() int { return e.dims }

// Model returns the Ollama model name.
func (e *Embedder) Model() string { return e.model }

// ContextTokens returns the token limit inputs are truncated to.
func (e *Embedder) ContextTokens() int { return e.ctxTokens }

// Stats returns the number of /api/embed requests sent (retries included)
// and of inputs truncated so far.
func (e *Embedder) Stats() (requests, truncated int64) {
	return e.requests.Load(), e.truncated.Load()
}

// EmbedDocuments returns one vector per text, in order, each embedded with
// the model's document prefix. Identical texts are sent once. Texts go in
// batches of BatchSize, Concurrency requests at a time; transient failures
// are retried with backoff; the first lasting failure cancels the rest.
// A text longer than the model's context is truncated (by an estimate of
// its tokens) and logged, never dropped.
func (e *Embedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return [][]float32{}, nil
	}
	// Distinct texts, in first-seen order.
	index := make([]int, len(texts))
	seen := make(map[string]int, len(texts))
	var uniq []string
	for i, t := range texts {
		j, ok := seen[t]
		if !ok {
			j = len(uniq)
			seen[t] = j
			uniq = append(uniq, t)
		}
		index[i] = j
	}
	vecs := make([][]float32, len(uniq))

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for range min(e.conc, (len(uniq)+e.batch-1)/e.batch) {
		wg.Go(func() {
			for start := range batches {
				end := min(start+e.batch, len(uniq))
				out, err := e.embedTexts(ctx, uniq[start:end], e.prefix.Document)
				if err != nil {
					once.Do(func() { firstErr = err; cancel(err) })
					continue
				}
				copy(vecs[start:end], out)
			}
		})
	}
feed:
	for start := 0; start < len(uniq); start += e.batch {
		select {
		case batches <- start:
		case <-ctx.Done():
			break feed
		}
	}
	close(batches)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ollama: embed: %w", context.Cause(ctx))
	}
	out := make([][]float32, len(texts))
	used := make([]bool, len(vecs))
	for i, j := range index {
		if used[j] {
			out[i] = append([]float32(nil), vecs[j]...)
			continue
		}
		used[j] = true
		out[i] = vecs[j]
	}
	return out, nil
}

// EmbedQuery returns the vector of a search query, embedded with the
// model's query prefix. An empty query is EINVALID.
func (e *Embedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if strings.TrimSpace(text) == "" {
		return nil, livespec.Errorf(livespec.EINVALID, "ollama: empty query")
	}
	vecs, err := e.embedTexts(ctx, []string{text}, e.prefix.Query)
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

// embedBatch sends one /api/embed request (retrying transient failures)
// and checks the answer's shape.
func (e *Embedder) embedBatch(ctx context.Context, inputs []string) ([][]float32, error) {
	var res *api.EmbedResponse
	truncate := true
	err := e.retry.do(ctx, func() error {
		e.requests.Add(1)
		rctx, cancel := context.WithTimeoutCause(ctx, e.timeout, errTimeout)
		defer cancel()
		var err error
		res, err = e.c.api.Embed(rctx, &api.EmbedRequest{
			Model:      e.model,
			Input:      inputs,
			Truncate:   &truncate,
			Dimensions: e.reqDims,
			KeepAlive:  e.keepAlive,
			Options:    map[string]any{"num_ctx": e.ctxTokens},
		})
		if err != nil && ctx.Err() == nil && errors.Is(context.Cause(rctx), errTimeout) {
			return timeoutError{e.timeout, err}
		}
		return err
	})
	var te timeoutError
	if errors.As(err, &te) {
		return nil, livespec.WrapError(livespec.EUNAVAILABLE, cause{te.err}, "ollama: model %q did not answer an embed request within %v", e.model, te.d)
	}
	if err != nil {
		return nil, e.c.classify(ctx, err, e.model)
	}
	if len(res.Embeddings) != len(inputs) {
		return nil, livespec.Errorf(livespec.EUNAVAILABLE, "ollama: model %q returned %d embeddings for %d inputs", e.model, len(res.Embeddings), len(inputs))
	}
	for _, v := range res.Embeddings {
		if e.dims != 0 && len(v) != e.dims {
			return nil, livespec.Errorf(livespec.EMISMATCH, "ollama: model %q returned a %d-dimensional vector, expected %d", e.model, len(v), e.dims)
		}
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, livespec.Errorf(livespec.EUNAVAILABLE, "ollama: model %q returned an embedding with NaN or Inf values", e.model)
			}
		}
	}
	return res.Embeddings, nil
}

var errTimeout = errors.New("request timed out")

// timeoutError marks a request that ran out of its own time (not the
// caller's); it is not retried.
type timeoutError struct {
	d   time.Duration
	err error
}

func (e timeoutError) Error() string { return e.err.Error() }

// embedTexts embeds one batch of texts with prefix, each cut to the
// model's context by the token estimate. Should the server still find an
// input too long for its context (the estimate fell short, or the server
// ignored "truncate"), it cuts the batch's texts to half and tries again,
// down to 64 tokens.
func (e *Embedder) embedTexts(ctx context.Context, texts []string, prefix string) ([][]float32, error) {
	// Room for the special tokens ([CLS], [SEP]) and a 10% margin for the
	// estimate's error.
	budget := max(e.ctxTokens*9/10-2-EstimateTokens(prefix), 1)
	first := true
	for {
		inputs := make([]string, len(texts))
		for i, t := range texts {
			inputs[i] = e.prepare(t, prefix, budget, first)
		}
		vecs, err := e.embedBatch(ctx, inputs)
		if err == nil || !tooLong(err) || budget <= 64 {
			return vecs, err
		}
		budget = max(budget/2, 64)
		first = false
		e.log.Warn("ollama: the server found an input longer than the model's context; cutting the batch shorter",
			"model", e.model, "limit", budget)
	}
}

// tooLong reports whether the server rejected an input as longer than the
// model's context.
func tooLong(err error) bool {
	var se api.StatusError
	return errors.As(err, &se) && se.StatusCode == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(se.ErrorMessage), "context length")
}

// prepare prefixes text and cuts it to budget estimated tokens, counting
// and logging the cut when warn is set.
func (e *Embedder) prepare(text, prefix string, budget int, warn bool) string {
	cut, n := truncateTokens(text, budget)
	if len(cut) < len(text) && warn {
		e.truncated.Add(1)
		e.log.Warn("ollama: text longer than the model's context; embedding its beginning",
			"model", e.model, "estimated_tokens", n, "limit", budget,
			"kept_bytes", len(cut), "bytes", len(text))
	}
	return prefix + cut
}

// EstimateTokens estimates, on the generous side, how many tokens a
// WordPiece or BPE tokenizer makes of s: a run of ASCII letters and digits
// counts one token per three characters (rounded up), every other letter
// or digit one token, every punctuation mark or symbol one token,
// whitespace nothing. English prose comes out about 1.3 times its real
// count; identifiers, hashes and non-Latin scripts closer to it.
func EstimateTokens(s string) int {
	_, n := truncateTokens(s, math.MaxInt)
	return n
}

// truncateTokens returns the longest prefix of s whose estimate is at most
// budget (cut at a space when one is near), and the estimate of all of s.
func truncateTokens(s string, budget int) (string, int) {
	total, cut, lastSpace := 0, -1, -1
	run := 0 // length of the current ASCII alphanumeric run
	for i, r := range s {
		if unicode.IsSpace(r) {
			run = 0
			if cut < 0 {
				lastSpace = i
			}
			continue
		}
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			if run%3 == 0 {
				total++
			}
			run++
		} else {
			run = 0
			total++
		}
		if total > budget && cut < 0 {
			cut = i
		}
	}
	if cut < 0 {
		return s, total
	}
	// Prefer a word boundary within the last fifth of what we keep.
	if lastSpace > 0 && lastSpace >= cut*4/5 {
		cut = lastSpace
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace), total
}
