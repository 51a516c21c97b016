package sqlite

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

// maxDecoded bounds each cache of decoded JSON columns.
const maxDecoded = 16384

// decodeCache keeps the decoded form of JSON column values: a file
// version's outline and metadata never change, and listing the current
// files (as every timeline question does) would otherwise decode all of
// them again. Callers get copies, so the cached values never change.
type decodeCache[T any] struct {
	c *cache.LRU[string, T]
}

func newDecodeCache[T any]() decodeCache[T] {
	return decodeCache[T]{cache.NewLRU[string, T](maxDecoded)}
}

func (c decodeCache[T]) decode(raw string, copyOf func(T) T) (T, error) {
	if v, ok := c.c.Get(raw); ok {
		return copyOf(v), nil
	}
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, err
	}
	c.c.Add(raw, v)
	return copyOf(v), nil
}

var (
	outlines = newDecodeCache[[]livespec.SectionRef]()
	metas    = newDecodeCache[map[string]any]()
)

// copyJSON returns a deep copy of a value decoded from JSON into any.
func copyJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copyMeta(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = copyJSON(x)
		}
		return out
	}
	return v // string, float64, bool, nil
}

func copyMeta(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := maps.Clone(m)
	for k, v := range out {
		switch v.(type) {
		case map[string]any, []any:
			out[k] = copyJSON(v)
		}
	}
	return out
}

func copyOutline(o []livespec.SectionRef) []livespec.SectionRef { return slices.Clone(o) }
