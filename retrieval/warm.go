package retrieval

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/livespec/livespec"
)

// maxWarmVersions bounds the versions a warm-up reads to analyse: an index
// with more has only the first of them analysed ahead (the others are
// analysed when a question first needs them, as in a process that never
// warmed up).
const maxWarmVersions = 100_000

// warmAnalysisShare is the share of the analysis cache a warm-up fills,
// in quarters, leaving the rest to the analyses questions make: three
// quarters (96 MB) hold a pool analysis of every version of the KEPs
// history (79 MB), half of it left a fresh server's first 300 questions
// of the load mix 2,736 old versions to analyse in-line (~0.12 s of CPU).
const warmAnalysisShare = 3

// warmBatch is how many versions a warm-up worker analyses at a time.
const warmBatch = 256

// warmAnalyses analyses, under the keys a topic pool looks them up by
// (versionDocs), as many versions of the index as fill warmAnalysisShare
// quarters of the analysis cache: the current ones first, then the others
// from the newest. A fresh server's first timelines and change
// reports would otherwise analyse their pools' texts in-line, each costing
// several times what it does once the cache holds them. The analyses are
// made on every CPU at once.
func (a *Assistant) warmAnalyses(ctx context.Context) error {
	vs, err := a.Store.Versions(ctx, livespec.VersionQuery{Validity: livespec.AnyVersion(), Limit: maxWarmVersions})
	if err != nil {
		return storeError("read versions to warm", err)
	}
	slices.SortStableFunc(vs, func(x, y livespec.Version) int {
		if cx, cy := x.Current(), y.Current(); cx != cy {
			if cx {
				return -1
			}
			return 1
		}
		return cmp.Compare(y.ValidFrom.UnixNano(), x.ValidFrom.UnixNano())
	})
	var room atomic.Int64
	room.Store(docs.max / 4 * warmAnalysisShare)
	var next atomic.Int64 // the first version of the next batch
	g, ctx := errgroup.WithContext(ctx)
	for range runtime.GOMAXPROCS(0) {
		g.Go(func() error {
			for room.Load() > 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				start := int(next.Add(warmBatch)) - warmBatch
				if start >= len(vs) {
					return nil
				}
				batch := vs[start:min(start+warmBatch, len(vs))]
				for _, d := range versionDocs(len(batch), func(i int) *livespec.Version { return &batch[i] }) {
					room.Add(-d.size())
				}
			}
			return nil
		})
	}
	return g.Wait()
}
