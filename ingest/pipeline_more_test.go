package ingest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

// moreRecorder records the More flag of every batch applied through it.
type moreRecorder struct {
	livespec.Store
	more []bool
}

func (m *moreRecorder) Apply(ctx context.Context, b *livespec.Batch) error {
	m.more = append(m.more, b.More)
	return m.Store.Apply(ctx, b)
}

func TestBatchMoreUntilTheLast(t *testing.T) {
	r := genRepo(t, 3, 30)
	rec := &moreRecorder{Store: newMemStore()}
	ingestRepo(t, rec, r.Dir, "gen", func(o *Options) { o.batchItems = 40 })
	if len(rec.more) < 3 {
		t.Fatalf("%d batches: the test needs several", len(rec.more))
	}
	for i, more := range rec.more {
		if want := i < len(rec.more)-1; more != want {
			t.Errorf("full run: batch %d of %d has More %v, want %v", i+1, len(rec.more), more, want)
		}
	}

	rec.more = nil
	r.Do(gittest.Step{Msg: "one more", Write: map[string]string{"docs/new.md": sectionDoc("New", "Part", "text")}})
	if res, _ := ingestRepo(t, rec, r.Dir, "gen", nil); res.Commits != 1 {
		t.Fatalf("incremental run: %+v", res)
	}
	if !slices.Equal(rec.more, []bool{false}) {
		t.Errorf("incremental run of one commit: More flags %v, want [false]", rec.more)
	}
}

// TestCrashAndResumeCurrentSearch kills a run at several batches (its last
// batches never applied, so the store's current-text index lags) and checks
// that current searches after the resumed run find what a clean run's do.
func TestCrashAndResumeCurrentSearch(t *testing.T) {
	ctx := context.Background()
	r := genRepo(t, 11, 30)
	small := func(o *Options) { o.batchItems = 40 }
	clean := &failingStore{Store: openSQLite(t)}
	ingestRepo(t, clean, r.Dir, "gen", small)
	if clean.n < 4 {
		t.Fatalf("only %d batches: the test needs several", clean.n)
	}
	cur, err := clean.Versions(ctx, livespec.VersionQuery{Repos: []string{"gen"}, Validity: livespec.Current()})
	if err != nil {
		t.Fatal(err)
	}
	word := regexp.MustCompile(`\bw[0-9a-f]{6,}\b`)
	queries := make(map[string]string) // word -> a current version carrying it
	for _, v := range cur {
		if w := word.FindString(v.Text); w != "" {
			queries[w] = v.ID
		}
	}
	if len(queries) < 10 {
		t.Fatalf("only %d words to search for", len(queries))
	}
	search := func(s livespec.Store, w string) []string {
		hits, err := s.Search(ctx, livespec.SearchQuery{Text: w, Validity: livespec.Current(), Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.Version.ID)
		}
		slices.Sort(ids)
		return ids
	}
	want := make(map[string][]string)
	for w, id := range queries {
		want[w] = search(clean, w)
		if !slices.Contains(want[w], id) {
			t.Fatalf("clean run: current search for %q found %v, not %s", w, want[w], id)
		}
	}
	for _, k := range []int{2, clean.n / 2, clean.n} {
		t.Run(fmt.Sprint("fail apply ", k), func(t *testing.T) {
			s := openSQLite(t)
			_, err := Run(ctx, &failingStore{Store: s, failAt: k}, Options{Repo: "gen", Dir: r.Dir, batchItems: 40})
			if err == nil || !strings.Contains(err.Error(), "injected failure") {
				t.Fatalf("run with a failing apply: err = %v", err)
			}
			ingestRepo(t, s, r.Dir, "gen", func(o *Options) { o.batchItems = 25 })
			for w := range queries {
				if got := search(s, w); !slices.Equal(got, want[w]) {
					t.Errorf("current search for %q after crash and resume: %v, clean run: %v", w, got, want[w])
				}
			}
		})
	}
}

// seqRecorder records the checkpoint sequence number of every batch.
type seqRecorder struct {
	livespec.Store
	seqs []int64
}

func (s *seqRecorder) Apply(ctx context.Context, b *livespec.Batch) error {
	s.seqs = append(s.seqs, b.Checkpoint.Seq)
	return s.Store.Apply(ctx, b)
}

// TestSmallFirstBatch checks that a run hands the writer a small first
// batch, then batches growing up to the limit, and that the store ends as
// after a run in batches of the full size.
func TestSmallFirstBatch(t *testing.T) {
	r := genRepo(t, 5, 40)
	full := &seqRecorder{Store: newMemStore()}
	ingestRepo(t, full, r.Dir, "gen", func(o *Options) { o.batchItems, o.firstItems = 120, 120 })
	ramp := &seqRecorder{Store: newMemStore()}
	ingestRepo(t, ramp, r.Dir, "gen", func(o *Options) { o.batchItems, o.firstItems = 120, 10 })
	if len(full.seqs) < 2 {
		t.Fatalf("%d batches: the test needs several", len(full.seqs))
	}
	if ramp.seqs[0] >= full.seqs[0] || len(ramp.seqs) <= len(full.seqs) {
		t.Errorf("batches end at commits %v with a small first batch, %v without: want an earlier first batch", ramp.seqs, full.seqs)
	}
	if got, want := snapshot(t, ramp.Store, "gen"), snapshot(t, full.Store, "gen"); got != want {
		t.Errorf("store after a run with a small first batch differs:\n%s", diffSnapshots(want, got))
	}
}
