package cache

import (
	"context"
	"errors"

	"golang.org/x/sync/singleflight"
)

// Flight makes a value once for every caller asking for the same key at
// the same time (golang.org/x/sync/singleflight), so that the callers who
// miss a cache at once (all of them, right after a write) share one read.
// A caller whose shared call ended with another caller's context error
// (canceled, deadline) while its own context lives calls again. The zero
// Flight is ready to use.
type Flight[T any] struct {
	g singleflight.Group
}

// Do returns the value fn makes for key, made once for the callers asking
// at once; shared reports whether other callers received it too, so that
// a caller about to change it copies it first.
func (f *Flight[T]) Do(ctx context.Context, key string, fn func() (T, error)) (v T, shared bool, err error) {
	for {
		r, err, shared := f.g.Do(key, func() (any, error) { return fn() })
		if err == nil {
			return r.(T), shared, nil
		}
		if !shared || ctx.Err() != nil || !(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			var zero T
			return zero, shared, err
		}
	}
}
