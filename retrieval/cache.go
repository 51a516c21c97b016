package retrieval

import "sync"

// maxCachedDocs bounds the analysed texts kept per process.
const maxCachedDocs = 4096

// docCache keeps analysed texts: an analysis depends on the text alone, and
// the same sections come back question after question.
type docCache struct {
	mu sync.Mutex
	m  map[docKey]*lexDoc
}

type docKey struct {
	text    string
	phrases bool
}

// docs is the process's cache of analysed section texts.
var docs docCache

// analyse returns analyse(text, phrases), from the cache when it holds it.
// The returned doc is shared: callers must not change it.
func (c *docCache) analyse(text string, phrases bool) *lexDoc {
	k := docKey{text, phrases}
	c.mu.Lock()
	d := c.m[k]
	c.mu.Unlock()
	if d != nil {
		return d
	}
	d = analyse(text, phrases)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[docKey]*lexDoc)
	}
	if len(c.m) >= maxCachedDocs {
		n := 0
		for k := range c.m { // drop an eighth, at random (map order)
			delete(c.m, k)
			if n++; n >= maxCachedDocs/8 {
				break
			}
		}
	}
	c.m[k] = d
	return d
}
