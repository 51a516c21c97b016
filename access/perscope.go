package access

import (
	"context"
	"sync"

	"github.com/livespec/livespec"
)

// maxScopes bounds the values PerScope keeps; past it, each further scope
// gets a fresh value per call (nothing cached across its requests).
const maxScopes = 256

// PerScope keeps one value per scope, so that whatever a value caches
// (an Assistant's answers, term statistics, file titles) is only ever
// served to callers of the scope it was computed for.
type PerScope[T any] struct {
	make func() T

	mu sync.Mutex
	m  map[string]T
}

// NewPerScope returns a PerScope building values with mk.
func NewPerScope[T any](mk func() T) *PerScope[T] {
	return &PerScope[T]{make: mk, m: map[string]T{}}
}

// For returns the value of the scope of ctx's caller.
func (p *PerScope[T]) For(ctx context.Context) T {
	key := livespec.ScopeFrom(ctx).Key()
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.m[key]; ok {
		return v
	}
	v := p.make()
	if len(p.m) < maxScopes {
		p.m[key] = v
	}
	return v
}
