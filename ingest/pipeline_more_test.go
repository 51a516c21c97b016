package ingest

import (
	"context"
	"slices"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/storetest"
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
	ingestRepo(t, rec, r.Dir, "gen", func(o *Options) { o.Tuning.BatchItems = 40 })
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
	ingestRepo(t, full, r.Dir, "gen", func(o *Options) { o.Tuning.BatchItems, o.Tuning.FirstItems = 120, 120 })
	ramp := &seqRecorder{Store: newMemStore()}
	ingestRepo(t, ramp, r.Dir, "gen", func(o *Options) { o.Tuning.BatchItems, o.Tuning.FirstItems = 120, 10 })
	if len(full.seqs) < 2 {
		t.Fatalf("%d batches: the test needs several", len(full.seqs))
	}
	if ramp.seqs[0] >= full.seqs[0] || len(ramp.seqs) <= len(full.seqs) {
		t.Errorf("batches end at commits %v with a small first batch, %v without: want an earlier first batch", ramp.seqs, full.seqs)
	}
	if got, want := snapshot(t, ramp.Store, "gen"), snapshot(t, full.Store, "gen"); got != want {
		t.Errorf("store after a run with a small first batch differs:\n%s", storetest.Diff(want, got))
	}
}
