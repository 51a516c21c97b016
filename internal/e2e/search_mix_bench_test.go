package e2e_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/loadmix"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/retrieval"
)

// searchRecorder is a store that keeps the searches asked of it.
type searchRecorder struct {
	*sqlite.Store
	mu sync.Mutex
	qs []livespec.SearchQuery
}

func (r *searchRecorder) Search(ctx context.Context, q livespec.SearchQuery) ([]livespec.Hit, error) {
	r.mu.Lock()
	r.qs = append(r.qs, q)
	r.mu.Unlock()
	return r.Store.Search(ctx, q)
}

// BenchmarkSearchMix measures the store's searches alone, as a busy
// server's answers make them: it records the searches that the answers to
// 200 questions of each kind of BenchmarkAskMix make, then replays each
// kind's searches on a freshly opened store, twice: cold (every term's
// BM25 list read from the index as its first search needs it) and warm
// (the lists kept). It reports the CPU time of each per answer.
func BenchmarkSearchMix(b *testing.B) {
	p := os.Getenv("LIVESPEC_BENCH_INDEX")
	if p == "" {
		b.Skip("set LIVESPEC_BENCH_INDEX to a livespec.db (the KEPs index) to replay its searches")
	}
	st := benchIndex(b)
	ctx := context.Background()
	qs, now, err := loadmix.Questions(ctx, st, 800, loadmix.Clock)
	if err != nil {
		b.Fatal(err)
	}
	byKind := map[string][]livespec.SearchQuery{}
	answers := map[string]int{}
	rec := &searchRecorder{Store: st}
	a := &retrieval.Assistant{Store: rec, AnswerCache: -1}
	for _, q := range qs {
		n := len(rec.qs)
		if _, err := a.Ask(ctx, livespec.AskRequest{Question: q.Text, Now: now}, nil); err != nil {
			b.Fatal(err)
		}
		byKind[q.Kind] = append(byKind[q.Kind], rec.qs[n:]...)
		answers[q.Kind]++
	}
	for _, kind := range loadmix.Kinds {
		b.Run(kind, func(b *testing.B) {
			var cold, warm time.Duration
			for range b.N {
				fresh, err := sqlite.Open(ctx, p)
				if err != nil {
					b.Fatal(err)
				}
				cold += replay(b, fresh, byKind[kind])
				warm += replay(b, fresh, byKind[kind])
				fresh.Close()
			}
			per := func(d time.Duration) float64 {
				return float64(d.Microseconds()) / 1000 / float64(b.N) / float64(answers[kind])
			}
			b.ReportMetric(per(cold), "cold-cpu-ms/answer")
			b.ReportMetric(per(warm), "warm-cpu-ms/answer")
			b.ReportMetric(float64(len(byKind[kind]))/float64(answers[kind]), "searches/answer")
		})
	}
}

// replay runs qs on st in turn and returns the CPU time they took.
func replay(b *testing.B, st *sqlite.Store, qs []livespec.SearchQuery) time.Duration {
	b.Helper()
	ctx := context.Background()
	c0 := processCPU()
	for _, q := range qs {
		if _, err := st.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	return processCPU() - c0
}
