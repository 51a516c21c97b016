package storetest

import (
	"context"
	"sync"

	"github.com/livespec/livespec"
)

// Embedder is a fake livespec.Embedder of three dimensions: the vector of
// a text is (its length, 1, 0). It counts how often it embedded each text
// in Seen and the requests it served in Requests. A request of more than
// MaxBatch texts (when MaxBatch > 0) fails with EINVALID, and every request
// after the first FailAfter (when FailAfter > 0) with EUNAVAILABLE, as when
// the model server goes away; a failed request counts in neither.
type Embedder struct {
	Name                string // its ID
	MaxBatch, FailAfter int

	mu       sync.Mutex
	calls    int
	Seen     map[string]int
	Requests int
}

// ID returns e.Name.
func (e *Embedder) ID() string { return e.Name }

// Dimensions returns 3.
func (e *Embedder) Dimensions() int { return 3 }

// EmbedDocuments returns a vector per text, or fails as the fields say.
func (e *Embedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls++
	if e.FailAfter > 0 && e.calls > e.FailAfter {
		return nil, livespec.Errorf(livespec.EUNAVAILABLE, "model server unreachable")
	}
	if e.MaxBatch > 0 && len(texts) > e.MaxBatch {
		return nil, livespec.Errorf(livespec.EINVALID, "batch of %d texts", len(texts))
	}
	e.Requests++
	if e.Seen == nil {
		e.Seen = map[string]int{}
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		e.Seen[t]++
		out[i] = []float32{float32(len(t)), 1, 0}
	}
	return out, nil
}

// EmbedQuery returns (1, 1, 1).
func (e *Embedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	return []float32{1, 1, 1}, nil
}
