//go:build corpus

// Benchmarks on the real spec histories in ../shared/corpora, built only
// with -tags corpus (they depend on package ingest and need git):
//
//	go test -tags corpus -run XXX -bench Corpus -benchtime 1x ./internal/sqlite/

package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/sqlite"
)

// recorder is a Store that keeps a copy of every batch applied to it.
type recorder struct {
	livespec.Store
	batches []*livespec.Batch
}

func (r *recorder) Apply(ctx context.Context, b *livespec.Batch) error {
	c := *b
	c.Versions = slices.Clone(b.Versions)
	c.Files = slices.Clone(b.Files)
	c.Closes = slices.Clone(b.Closes)
	c.Changes = slices.Clone(b.Changes)
	c.Vectors = slices.Clone(b.Vectors)
	if b.Checkpoint != nil {
		cp := *b.Checkpoint
		c.Checkpoint = &cp
	}
	r.batches = append(r.batches, &c)
	return r.Store.Apply(ctx, b)
}

// BenchmarkApplyCorpus replays the batches an ingest of each corpus writes
// into a new store: the store's share of a full ingest.
func BenchmarkApplyCorpus(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"oai-openapi-specification", "kubernetes-enhancements"} {
		bundle := filepath.Join("..", "..", "..", "shared", "corpora", name+".bundle")
		if _, err := os.Stat(bundle); err != nil {
			b.Logf("skip %s: %v", name, err)
			continue
		}
		dir := filepath.Join(b.TempDir(), name)
		if out, err := exec.Command("git", "clone", "--quiet", bundle, dir).CombinedOutput(); err != nil {
			b.Fatalf("clone %s: %v\n%s", name, err, out)
		}
		rec := &recorder{Store: open(b)}
		res, err := ingest.Run(ctx, rec, ingest.Options{Repo: name, Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		var versions, changes, bytes int
		texts := make(map[string]bool)
		for _, batch := range rec.batches {
			versions += len(batch.Versions)
			changes += len(batch.Changes)
			for _, v := range batch.Versions {
				if !texts[v.Hash] {
					texts[v.Hash] = true
					bytes += len(v.Text)
				}
			}
		}
		b.Logf("%s: %d commits, %d batches, %d versions, %d changes, %d distinct texts (%.1f MB); ingest took %v",
			name, res.Commits, len(rec.batches), versions, changes, len(texts), float64(bytes)/1e6, res.Elapsed)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(bytes))
			var cpu float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("x%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				cpu0 := cpuTime()
				for _, batch := range rec.batches {
					if err := s.Apply(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				cpu += (cpuTime() - cpu0).Seconds()
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(versions)*float64(b.N)/b.Elapsed().Seconds(), "versions/s")
		})
	}
}
