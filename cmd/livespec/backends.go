package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/qdrant"
	"github.com/livespec/livespec/internal/sqlite"
)

// storeFlags are the flags that choose and open the index.
type storeFlags struct {
	index                     *string
	store                     *string
	shards, replicas, writeCF *string
}

func addStoreFlags(f *flags) *storeFlags {
	ix, qd := f.in(groupIndex), f.in(groupQdrant)
	return &storeFlags{
		index:    ix.string("index", "", "index `DIR` for the embedded store (default: under the user cache directory, keyed by the repository)"),
		store:    ix.string("store", "sqlite", "`store`: sqlite (embedded, in --index) or qdrant://HOST:6334[?collection=NAME&tls=1] (API key in LIVESPEC_QDRANT_API_KEY)"),
		shards:   qd.string("qdrant-shards", "0", "`shards` per Qdrant collection when livespec creates it (0: one per node)"),
		replicas: qd.string("qdrant-replicas", "0", "`replicas` of each Qdrant shard when livespec creates the collection (0: 1)"),
		writeCF:  qd.string("qdrant-write-consistency", "0", "Qdrant `replicas` that must confirm a write (0: 1)"),
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
		return s.openQdrant(ctx, u)
	}
	return nil, livespec.Errorf(livespec.EINVALID, "unknown store %q: use sqlite or qdrant://HOST:6334", u)
}

func (s *storeFlags) openQdrant(ctx context.Context, u string) (livespec.Store, error) {
	var opt qdrant.Options
	for _, p := range []struct {
		name string
		val  string
		dst  *uint32
	}{
		{"--qdrant-shards", *s.shards, &opt.ShardNumber},
		{"--qdrant-replicas", *s.replicas, &opt.ReplicationFactor},
		{"--qdrant-write-consistency", *s.writeCF, &opt.WriteConsistencyFactor},
	} {
		n, err := strconv.ParseUint(p.val, 10, 32)
		if err != nil {
			return nil, livespec.Errorf(livespec.EINVALID, "%s %q: want a whole number", p.name, p.val)
		}
		*p.dst = uint32(n)
	}
	return qdrant.Open(ctx, u, opt)
}

// warnf prints a one-line notice on stderr.
func (e *env) warnf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "livespec: "+format+"\n", args...)
}
