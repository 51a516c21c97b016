package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/internal/storetest"
)

// indexStore opens the index named by LIVESPEC_BENCH_INDEX (a livespec.db
// file, e.g. of the Kubernetes KEPs) or skips.
func indexStore(b *testing.B) *sqlite.Store {
	b.Helper()
	p := os.Getenv("LIVESPEC_BENCH_INDEX")
	if p == "" {
		b.Skip("set LIVESPEC_BENCH_INDEX to a livespec.db to benchmark reads of a real index")
	}
	// Open would make an empty index of a path that names nothing.
	if _, err := os.Stat(p); err != nil {
		b.Fatalf("LIVESPEC_BENCH_INDEX: %v (a relative path is relative to the package directory)", err)
	}
	st, err := sqlite.Open(context.Background(), p)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// newestChange returns the landing time of the newest change in st.
func newestChange(b *testing.B, st *sqlite.Store) time.Time {
	b.Helper()
	chs, err := st.Changes(context.Background(), livespec.ChangeQuery{})
	if err != nil || len(chs) == 0 {
		b.Fatalf("changes: %v (%d)", err, len(chs))
	}
	return chs[len(chs)-1].Date
}

// BenchmarkChangesIndex reads the pages bench/apiload asks /v1/changes for:
// month windows (first page of 100), the last 30 days of file events, and a
// path glob.
func BenchmarkChangesIndex(b *testing.B) {
	st := indexStore(b)
	ctx := context.Background()
	now := newestChange(b, st).Add(24 * time.Hour)
	var qs []livespec.ChangeQuery
	for m := range 24 {
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -m, 0)
		qs = append(qs, livespec.ChangeQuery{From: from, To: from.AddDate(0, 1, 0), Sections: true, Limit: 101})
	}
	qs = append(qs,
		livespec.ChangeQuery{From: now.AddDate(0, 0, -30), To: now, Limit: 201},
		livespec.ChangeQuery{Paths: []string{"keps/sig-node/**"}, Sections: true, Limit: 51},
	)
	rows := 0
	for i := 0; b.Loop(); i++ {
		chs, err := st.Changes(ctx, qs[i%len(qs)])
		if err != nil {
			b.Fatal(err)
		}
		rows += len(chs)
	}
	b.ReportMetric(float64(rows)/float64(b.N), "changes/op")
}

// indexQuestions are questions about the KEPs.
var indexQuestions = []string{
	"How does the kubelet decide when to evict pods under memory pressure?",
	"What are the graduation criteria for sidecar containers?",
	"How can I debug a running pod with an ephemeral container?",
	"Does pod topology spread honour node affinity?",
	"What must a KEP say about production readiness and rollback?",
	"How is swap memory supported on Linux nodes?",
	"Which feature gate controls in-place pod resize?",
	"How are volume snapshots restored?",
}

// BenchmarkSearchIndex runs current and as-of BM25 searches of questions
// about the KEPs.
func BenchmarkSearchIndex(b *testing.B) {
	st := indexStore(b)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		v     livespec.Validity
		limit int
	}{
		{"current", livespec.Validity{Mode: livespec.ValidCurrent}, 30},
		{"as_of", livespec.Validity{Mode: livespec.ValidAsOf, At: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}, 30},
		{"any_300", livespec.Validity{Mode: livespec.ValidAny}, 300}, // as timelines ask
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := st.Search(ctx, livespec.SearchQuery{Text: indexQuestions[i%len(indexQuestions)], Validity: tc.v, Limit: tc.limit}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkChangesEach(b *testing.B) {
	st := indexStore(b)
	ctx := context.Background()
	now := newestChange(b, st).Add(24 * time.Hour)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -3, 0)
	for name, q := range map[string]livespec.ChangeQuery{
		"month":   {From: from, To: from.AddDate(0, 1, 0), Sections: true, Limit: 101},
		"files30": {From: now.AddDate(0, 0, -30), To: now, Limit: 201},
		"glob":    {Paths: []string{"keps/sig-node/**"}, Sections: true, Limit: 51},
	} {
		b.Run(name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				chs, err := st.Changes(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				n = len(chs)
			}
			b.ReportMetric(float64(n), "changes")
		})
	}
}

// BenchmarkChangesOfFile reads every change of one file, as timelines do.
func BenchmarkChangesOfFile(b *testing.B) {
	st := indexStore(b)
	ctx := context.Background()
	q := livespec.ChangeQuery{Paths: []string{"keps/sig-node/753-sidecar-containers/README.md"}, Sections: true}
	n := 0
	for b.Loop() {
		chs, err := st.Changes(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		n = len(chs)
	}
	b.ReportMetric(float64(n), "changes")
}

// BenchmarkOpen measures what every command pays to open an index and
// close it again, before it reads anything: the index of
// LIVESPEC_BENCH_INDEX, or else a fresh empty one.
func BenchmarkOpen(b *testing.B) {
	p := os.Getenv("LIVESPEC_BENCH_INDEX")
	if p == "" {
		p = filepath.Join(b.TempDir(), "livespec.db")
	} else if _, err := os.Stat(p); err != nil {
		b.Fatalf("LIVESPEC_BENCH_INDEX: %v (a relative path is relative to the package directory)", err)
	}
	ctx := context.Background()
	for b.Loop() {
		st, err := sqlite.Open(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchAfterWrite writes one commit to a copy of the index named
// by LIVESPEC_BENCH_INDEX and then asks the searches of eight questions
// (current, and any version as timelines ask), as a server answers while
// it ingests: every write changes every term's BM25 contributions.
func BenchmarkSearchAfterWrite(b *testing.B) {
	p := os.Getenv("LIVESPEC_BENCH_INDEX")
	if p == "" {
		b.Skip("set LIVESPEC_BENCH_INDEX to a livespec.db to benchmark reads of a real index")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatalf("LIVESPEC_BENCH_INDEX: %v", err)
	}
	cp := filepath.Join(b.TempDir(), "livespec.db")
	if err := os.WriteFile(cp, data, 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, cp)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	search := func() {
		for _, t := range indexQuestions {
			for _, q := range []livespec.SearchQuery{
				{Text: t, Validity: livespec.Current(), Limit: 30},
				{Text: t, Validity: livespec.AnyVersion(), Limit: 300},
			} {
				if _, err := st.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	search()
	h := storetest.NewHistory("written")
	t0 := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	cpu := cpuTime()
	for i := 0; b.Loop(); i++ {
		batch := h.Commit(storetest.Commit{SHA: fmt.Sprintf("%040x", i+1), Time: t0.Add(time.Duration(i) * time.Minute), Author: "A", Message: "m",
			Files: map[string][]livespec.Section{fmt.Sprintf("w%d.md", i%5): {
				storetest.Sec("Memory", fmt.Sprintf("## Memory\nThe kubelet evicts pods under memory pressure, revision %d.\n", i)),
				storetest.Sec("Sidecars", fmt.Sprintf("## Sidecars\nSidecar containers graduate to beta; swap on nodes, revision %d.\n", i)),
			}}})
		if err := st.Apply(ctx, batch); err != nil {
			b.Fatal(err)
		}
		search()
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
