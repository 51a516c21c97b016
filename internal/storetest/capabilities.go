package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// testDataVersion checks livespec.DataVersioner: every write (Apply,
// DeleteRepo, ResetVectors) is followed by a larger number than any before
// it, and a store that tells that nothing was written returns the same
// number only when nothing was.
func testDataVersion(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	last := dataVersion(t, s)
	step := func(what string, write func() error) {
		t.Helper()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		v := dataVersion(t, s)
		if v <= last {
			t.Errorf("DataVersion after %s = %d, want more than %d (before it)", what, v, last)
		}
		last = v
	}
	_, bs := shop()
	step("the first batch", func() error { return s.Apply(ctx, bs[0]) })
	step("the second batch", func() error { return s.Apply(ctx, bs[1]) })
	step("ResetVectors", func() error { return s.ResetVectors(ctx, livespec.IndexInfo{Embedder: "other/2d", Dimensions: 2}) })
	step("DeleteRepo", func() error { return s.DeleteRepo(ctx, "shop") })
	again := dataVersion(t, s)
	if again < last {
		t.Errorf("DataVersion went back from %d to %d with no write", last, again)
	}
}

func dataVersion(t testing.TB, s livespec.Store) uint64 {
	t.Helper()
	v, err := s.DataVersion(context.Background())
	if err != nil {
		t.Fatalf("DataVersion: %v", err)
	}
	return v
}

// testResetVectors checks livespec.VectorResetter: the vectors of other
// embedders go, the new embedder is recorded, and the versions stay.
func testResetVectors(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	loadShop(t, s)
	before := Snapshot(ctx, t, s, "shop")
	hashes := []string{livespec.ContentHash(txtCouponsNew), livespec.ContentHash(txtReturns)}
	next := livespec.IndexInfo{Embedder: "other/2d", Dimensions: 2}
	if err := s.ResetVectors(ctx, next); err != nil {
		t.Fatalf("ResetVectors: %v", err)
	}
	if got, err := s.HasVectors(ctx, embedder, hashes); err != nil || len(got) != 0 {
		t.Errorf("HasVectors of the old embedder after the reset = %v, %v; want none", got, err)
	}
	if info, err := s.Index(ctx); err != nil || info != next {
		t.Errorf("Index after the reset = %+v, %v; want %+v", info, err, next)
	}
	if err := s.SetIndex(ctx, next); err != nil {
		t.Errorf("SetIndex of the new embedder after the reset: %v", err)
	}
	if after := Snapshot(ctx, t, s, "shop"); after != before {
		t.Errorf("the reset changed the versions:\n%s", diff(before, after))
	}
}

// testWarm checks livespec.Warmer: Warm succeeds on an empty store and on
// a loaded one, and current and as-of searches find the same before and
// after it.
func testWarm(t *testing.T, s livespec.Store) {
	ctx := context.Background()
	if err := s.Warm(ctx); err != nil {
		t.Fatalf("Warm on an empty store: %v", err)
	}
	loadShop(t, s)
	queries := []livespec.SearchQuery{
		{Text: "coupons checkout discount", Validity: livespec.Current()},
		{Text: "coupons checkout discount", Validity: livespec.AsOf(t1.Add(time.Hour))},
		{Text: "returns delivery payments", Validity: livespec.AsOf(t2.Add(time.Hour))},
		{Text: "returns delivery payments", Validity: livespec.Current(), Repos: []string{"shop"}},
	}
	search := func() [][]string {
		var out [][]string
		for _, q := range queries {
			hits, err := s.Search(ctx, q)
			if err != nil {
				t.Fatalf("Search %+v: %v", q, err)
			}
			var ids []string
			for _, h := range hits {
				ids = append(ids, h.Version.ID)
			}
			out = append(out, ids)
		}
		return out
	}
	before := search()
	if len(before[0]) == 0 || len(before[2]) == 0 {
		t.Fatalf("searches before Warm found %v: the test needs hits", before)
	}
	if err := s.Warm(ctx); err != nil {
		t.Fatalf("Warm on a loaded store: %v", err)
	}
	if after := search(); !reflect.DeepEqual(after, before) {
		t.Errorf("searches after Warm found %v, before it %v", after, before)
	}
}
