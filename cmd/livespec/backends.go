package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

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
	case s.isSQLite():
		path, err := indexFile(e.getenv, *s.index, root)
		if err != nil {
			return nil, err
		}
		mp := &migrationProgress{w: e.stderr}
		st, err := sqlite.OpenWith(ctx, path, sqlite.Options{Progress: mp.update})
		mp.end()
		if err != nil {
			return nil, err
		}
		return st, nil
	case strings.HasPrefix(u, "qdrant://"):
		return s.openQdrant(ctx, u, false)
	}
	return nil, livespec.Errorf(livespec.EINVALID, "unknown store %q: use sqlite or qdrant://HOST:6334", u)
}

// openExisting opens the index for a command that only reads it: it never
// creates one. A missing or empty index is an ENOTFOUND error naming where
// it looked and the ingest command that fills it.
func (s *storeFlags) openExisting(ctx context.Context, e *env, root string) (livespec.Store, error) {
	where, fill := "the index", "livespec ingest --repo DIR --store "+*s.store
	if s.isSQLite() {
		path, err := indexFile(e.getenv, *s.index, root)
		if err != nil {
			return nil, err
		}
		where, fill = "the index at "+path, fillCommand(*s.index, root)
		if !indexExists(path) {
			return nil, livespec.Errorf(livespec.ENOTFOUND, "no index at %s: run `%s` first", path, fill)
		}
	}
	var st livespec.Store
	var err error
	if u := strings.TrimSpace(*s.store); strings.HasPrefix(u, "qdrant://") {
		st, err = s.openQdrant(ctx, u, true)
		if livespec.ErrorCode(err) == livespec.ENOTFOUND {
			return nil, livespec.WrapError(livespec.ENOTFOUND, err, "%s is empty: run `%s` first", where, fill)
		}
	} else {
		st, err = s.open(ctx, e, root)
	}
	if err != nil {
		return nil, err
	}
	infos, err := livespec.Checkpoints(ctx, st)
	if err == nil && len(infos) == 0 {
		err = livespec.Errorf(livespec.ENOTFOUND, "%s is empty: run `%s` first", where, fill)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func (s *storeFlags) isSQLite() bool {
	u := strings.TrimSpace(*s.store)
	return u == "" || u == "sqlite"
}

// indexExists tells whether an SQLite index file holds anything: the file
// or its write-ahead log is not empty.
func indexExists(path string) bool {
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			return true
		}
	}
	return false
}

// fillCommand is the ingest command that fills the index a read command
// looked for: --index DIR as given, or the default index of root.
func fillCommand(index, root string) string {
	switch {
	case index != "" && root != "":
		return fmt.Sprintf("livespec ingest --repo %s --index %s", root, index)
	case index != "":
		return "livespec ingest --repo DIR --index " + index
	case root != "":
		return "livespec ingest --repo " + root
	}
	return "livespec ingest --repo DIR"
}

// openQdrant opens the Qdrant store at u; readOnly opens an existing index
// only, creating no collection.
func (s *storeFlags) openQdrant(ctx context.Context, u string, readOnly bool) (livespec.Store, error) {
	opt := qdrant.Options{NoCreate: readOnly}
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

// migrationProgress tells on w how the migration of an older index goes,
// as ingest tells its progress: nothing for a quick one; after rateAfter
// a line naming the schemas and the step, another every 5 seconds, and
// one when it has ended.
type migrationProgress struct {
	w     io.Writer
	mu    sync.Mutex
	at    sqlite.Migration
	start time.Time
	said  bool
	stop  chan struct{}
	wg    sync.WaitGroup
	// first and every space the lines (0: rateAfter and 5 seconds).
	first, every time.Duration
}

// update is sqlite.Options.Progress: it keeps the step and starts the
// lines at the first call.
func (p *migrationProgress) update(m sqlite.Migration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at = m
	if p.stop == nil {
		p.start, p.stop = time.Now(), make(chan struct{})
		p.wg.Go(p.tell)
	}
}

// tell writes a line after rateAfter, then every 5 seconds, until stopped.
func (p *migrationProgress) tell() {
	every := cmp.Or(p.every, 5*time.Second)
	for wait := cmp.Or(p.first, rateAfter); ; wait = every {
		select {
		case <-p.stop:
			return
		case <-time.After(wait):
		}
		p.mu.Lock()
		fmt.Fprintf(p.w, "migrating the index from schema %d to %d (%s): %s\n", p.at.From, p.at.To, p.at.Step, time.Since(p.start).Round(time.Second))
		p.said = true
		p.mu.Unlock()
	}
}

// end stops the lines, once the open has returned, and says how long the
// migration took when a line was written.
func (p *migrationProgress) end() {
	p.mu.Lock()
	stop := p.stop
	p.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	p.wg.Wait()
	if p.said {
		fmt.Fprintf(p.w, "index migrated to schema %d in %s\n", p.at.To, time.Since(p.start).Round(100*time.Millisecond))
	}
}
