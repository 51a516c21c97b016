package ingest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// benchCorpus clones a corpus bundle of ../shared/corpora into a temporary
// directory, or skips when it is absent.
func benchCorpus(b *testing.B, name string) string {
	b.Helper()
	bundle := filepath.Join("..", "..", "shared", "corpora", name+".bundle")
	if _, err := os.Stat(bundle); err != nil {
		b.Skipf("corpus %s not available", bundle)
	}
	dir := filepath.Join(b.TempDir(), name)
	if out, err := exec.Command("git", "clone", "-q", bundle, dir).CombinedOutput(); err != nil {
		b.Fatalf("clone %s: %v\n%s", bundle, err, out)
	}
	return dir
}

// BenchmarkIngest measures a full ingest of real spec histories into a
// SQLite store, and an incremental ingest of one new commit.
func BenchmarkIngest(b *testing.B) {
	for _, name := range []string{"oai-openapi-specification", "kubernetes-enhancements"} {
		b.Run(name, func(b *testing.B) {
			dir := benchCorpus(b, name)
			ctx := context.Background()
			var res *Result
			b.Run("full", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					store := openSQLite(b)
					b.StartTimer()
					var err error
					res, err = Run(ctx, store, Options{Repo: name, Dir: dir})
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
				for b.Loop() {
					if _, err := Run(ctx, discardStore{newMemStore()}, Options{Repo: name, Dir: dir}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("incremental", func(b *testing.B) {
				store := openSQLite(b)
				if _, err := Run(ctx, store, Options{Repo: name, Dir: dir}); err != nil {
					b.Fatal(err)
				}
				r := &testRepo{tb: b, Dir: dir, Author: "Bench", n: int(time.Since(baseTime).Hours())}
				for i := 0; b.Loop(); i++ {
					b.StopTimer()
					r.write("bench-new.md", sectionDoc("Bench", "Run", time.Now().String()))
					r.commit("bench commit")
					b.StartTimer()
					res, err := Run(ctx, store, Options{Repo: name, Dir: dir})
					if err != nil || res.Commits != 1 {
						b.Fatalf("incremental: %+v %v", res, err)
					}
				}
			})
		})
	}
}

// discardStore drops every batch.
type discardStore struct{ *memStore }

func (discardStore) Apply(ctx context.Context, b *livespec.Batch) error { return ctx.Err() }
