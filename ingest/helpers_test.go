package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/storetest"
)

// baseTime is the landing time of the first commit of every test
// repository (gittest.New); each further commit lands one hour later, so
// tests are deterministic.
var baseTime = time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)

// ingestRepo runs Run on the repository at dir into store with opts
// adjusted by fn, and returns the result and the warnings.
func ingestRepo(tb testing.TB, store livespec.Store, dir, repo string, fn func(*Options)) (*Result, []string) {
	tb.Helper()
	var warnings []string
	opt := Options{Repo: repo, Dir: dir, Warn: func(m string) { warnings = append(warnings, m) }}
	if fn != nil {
		fn(&opt)
	}
	res, err := Run(context.Background(), store, opt)
	if err != nil {
		tb.Fatalf("ingest %s: %v", repo, err)
	}
	return res, warnings
}

// sectionDoc builds a Markdown document from heading/body pairs.
var sectionDoc = gittest.SectionDoc

// genRepo builds a generated history (gittest.Generate) whose first commit
// lands at baseTime.
func genRepo(tb testing.TB, seed uint64, commits int) *gittest.Repo {
	tb.Helper()
	return gittest.Generate(tb, baseTime, seed, commits)
}

// newEmbedder is a fake embedder named id that refuses a batch larger than
// ingest may send.
func newEmbedder(id string) *storetest.Embedder {
	return &storetest.Embedder{Name: id, MaxBatch: embedBatch}
}

func snapshot(tb testing.TB, s livespec.Store, repo string) string {
	tb.Helper()
	return storetest.Snapshot(context.Background(), tb, s, repo)
}
