package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
)

// storeFlags are the flags that choose and open the index.
type storeFlags struct {
	index *string
	store *string
}

func addStoreFlags(f *flags) *storeFlags {
	return &storeFlags{
		index: f.string("index", "", "index directory for the embedded store (default: under the user cache directory, keyed by the repository)"),
		store: f.string("store", "sqlite", "store: sqlite (embedded, in --index) or qdrant://HOST:6334"),
	}
}

// open opens the store; root is the repository whose default index to use
// when --index is not given ("" for none).
func (s *storeFlags) open(ctx context.Context, e *env, root string) (livespec.Store, error) {
	u := strings.TrimSpace(*s.store)
	switch {
	case u == "" || u == "sqlite":
		path, err := indexFile(e.getenv, *s.index, root)
		if err != nil {
			return nil, err
		}
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		return st, nil
	case strings.HasPrefix(u, "qdrant://"):
		return openQdrant(ctx, e, u)
	}
	return nil, livespec.Errorf(livespec.EINVALID, "unknown store %q: use sqlite or qdrant://HOST:6334", u)
}

func openQdrant(ctx context.Context, e *env, u string) (livespec.Store, error) {
	return nil, livespec.Errorf(livespec.EINVALID, "store %s: the Qdrant store is not built into this version yet", u)
}

// warnf prints a one-line notice on stderr.
func (e *env) warnf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "livespec: "+format+"\n", args...)
}
