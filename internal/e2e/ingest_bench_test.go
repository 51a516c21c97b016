package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/internal/gittest"
)

// benchCorpus clones a corpus bundle of ../shared/corpora (beside the
// repository) into a temporary directory, or skips when it is absent.
func benchCorpus(b *testing.B, name string) string {
	b.Helper()
	bundle := filepath.Join("..", "..", "..", "shared", "corpora", name+".bundle")
	if _, err := os.Stat(bundle); err != nil {
		b.Skipf("corpus %s not available", bundle)
	}
	return gittest.Clone(b, bundle).Dir
}

// BenchmarkIngest measures a full ingest of real spec histories into a
// SQLite store, and an incremental ingest of one new commit.
func BenchmarkIngest(b *testing.B) {
	for _, name := range []string{"oai-openapi-specification", "kubernetes-enhancements"} {
		b.Run(name, func(b *testing.B) {
			dir := benchCorpus(b, name)
			ctx := context.Background()
			var res *ingest.Result
			b.Run("full", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					store := e2e.Open(b)
					b.StartTimer()
					var err error
					res, err = ingest.Run(ctx, store, ingest.Options{Repo: name, Dir: dir})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(res.Commits), "commits")
				b.ReportMetric(float64(res.Versions), "versions")
				b.ReportMetric(float64(res.Changes), "changes")
			})
			// The pipeline alone: a store that discards what it is given.
			b.Run("full-discard", func(b *testing.B) {
				store := discardStore{e2e.Open(b)} // stays empty
				for b.Loop() {
					if _, err := ingest.Run(ctx, store, ingest.Options{Repo: name, Dir: dir}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("incremental", func(b *testing.B) {
				// A clone of its own, whose clock starts after the corpus head.
				r := gittest.Clone(b, dir)
				r.Author = "Bench"
				store := e2e.Open(b)
				if _, err := ingest.Run(ctx, store, ingest.Options{Repo: name, Dir: r.Dir}); err != nil {
					b.Fatal(err)
				}
				for i := 0; b.Loop(); i++ {
					b.StopTimer()
					r.Write("bench-new.md", gittest.SectionDoc("Bench", "Run", time.Now().String()))
					r.Commit("bench commit")
					b.StartTimer()
					res, err := ingest.Run(ctx, store, ingest.Options{Repo: name, Dir: r.Dir})
					if err != nil || res.Commits != 1 {
						b.Fatalf("incremental: %+v %v", res, err)
					}
				}
			})
		})
	}
}

// discardStore drops every batch: its reads find an empty index.
type discardStore struct{ livespec.Store }

func (discardStore) Apply(ctx context.Context, b *livespec.Batch) error { return ctx.Err() }

// BenchmarkIngestFacts measures what lifecycle facts cost a full ingest:
// "facts" is a full ingest into a fresh SQLite index with the command
// line's defaults, "nofacts" the same with no facts read (no sidecars, no
// fields of documents). The repository is LIVESPEC_BENCH_REPO (a clone) or
// else the Kubernetes KEPs corpus. bench/ingest.sh (FACTS=1) runs the two
// in alternation, one process each, and reports their medians and ratio.
func BenchmarkIngestFacts(b *testing.B) {
	dir := os.Getenv("LIVESPEC_BENCH_REPO")
	if dir == "" {
		dir = benchCorpus(b, "kubernetes-enhancements")
	}
	for _, noFacts := range []bool{false, true} {
		name := "facts"
		if noFacts {
			name = "nofacts"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			var res *ingest.Result
			for b.Loop() {
				b.StopTimer()
				store := e2e.Open(b)
				b.StartTimer()
				var err error
				res, err = ingest.Run(ctx, store, ingest.Options{Repo: "bench", Dir: dir, Exclude: ingest.DefaultExclude, Tuning: ingest.Tuning{NoFacts: noFacts}})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Versions), "versions")
			b.ReportMetric(float64(res.Facts), "facts")
		})
	}
}
