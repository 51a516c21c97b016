package qdrant

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/qdrant/qdranttest"
	"github.com/livespec/livespec/internal/storetest"
)

// embeddedHistory is checkoutHistory with a vector of emb for every
// distinct text, and those texts' hashes.
func embeddedHistory(emb livespec.IndexInfo) ([]*livespec.Batch, []string) {
	_, bs := checkoutHistory()
	var hashes []string
	for i, b := range bs {
		for _, v := range b.Versions {
			if slices.Contains(hashes, v.Hash) {
				continue
			}
			hashes = append(hashes, v.Hash)
			vals := make([]float32, emb.Dimensions)
			vals[len(hashes)%emb.Dimensions] = 1
			bs[i].Vectors = append(bs[i].Vectors, livespec.Vector{Embedder: emb.Embedder, Hash: v.Hash, Values: vals})
		}
	}
	return bs, hashes
}

// vectorCounts is how many points of each collection carry a dense
// vector, for the collections holding any.
func vectorCounts(f *qdranttest.Server) map[string]int {
	out := map[string]int{}
	for _, name := range f.Collections() {
		c, _ := f.Collection(name)
		if n := c.Vectors[denseName]; n > 0 {
			out[name] = n
		}
	}
	return out
}

// TestResetVectors switches a store holding vectors of one embedder to
// another (same dimensions, other dimensions, none): the old vectors go,
// every version, change and checkpoint stays, and the new embedder's
// vectors are then accepted.
func TestResetVectors(t *testing.T) {
	ctx := context.Background()
	old := livespec.IndexInfo{Embedder: "old/2d", Dimensions: 2}
	tests := []struct {
		name     string
		next     livespec.IndexInfo
		sections string // the sections collection afterwards
	}{
		{"same dimensions", livespec.IndexInfo{Embedder: "new/2d", Dimensions: 2}, "test_sections_d2"},
		{"other dimensions", livespec.IndexInfo{Embedder: "new/3d", Dimensions: 3}, "test_sections_d3"},
		{"BM25 only", livespec.IndexInfo{}, "test_sections"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, f := openFake(t)
			bs, hashes := embeddedHistory(old)
			applyAll(t, s, bs)
			want := storetest.Snapshot(ctx, t, s, "shop")
			if got := vectorCounts(f); !maps.Equal(got, map[string]int{"test_sections_d2": 4, "test_vectors_d2": len(hashes)}) {
				t.Fatalf("dense vectors before the reset: %v", got)
			}
			if err := s.SetIndex(ctx, tt.next); livespec.ErrorCode(err) != livespec.EMISMATCH {
				t.Fatalf("SetIndex(%+v) over old vectors: %v, want EMISMATCH", tt.next, err)
			}

			if err := s.ResetVectors(ctx, tt.next); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Index(ctx); err != nil || got != tt.next {
				t.Errorf("index = %+v, %v; want %+v", got, err, tt.next)
			}
			if has, err := s.HasVectors(ctx, old.Embedder, hashes); err != nil || len(has) != 0 {
				t.Errorf("vectors of the old embedder after the reset: %v, %v", has, err)
			}
			if got := vectorCounts(f); len(got) != 0 {
				t.Errorf("dense vectors left after the reset: %v", got)
			}
			if got := storetest.Snapshot(ctx, t, s, "shop"); got != want {
				t.Errorf("data changed by the reset:\n%s\nwant\n%s", got, want)
			}
			if c, ok := f.Collection(tt.sections); !ok || c.Points != 4 {
				t.Errorf("sections collection %s: %+v, %v; want the 4 versions", tt.sections, c, ok)
			}
			hits, err := s.Search(ctx, livespec.SearchQuery{Text: "coupons", Validity: livespec.Current()})
			if err != nil || len(hits) == 0 || !strings.Contains(hits[0].Version.Text, "One coupon per order") {
				t.Errorf("BM25 search after the reset: %v, %v", hits, err)
			}

			// Again: nothing left to do.
			if err := s.ResetVectors(ctx, tt.next); err != nil {
				t.Errorf("second reset: %v", err)
			}
			if tt.next.Dimensions == 0 {
				return
			}
			// The new embedder's vectors are accepted and searched.
			again, _ := embeddedHistory(tt.next)
			b := storetest.NewHistory("docs").Commit(storetest.Commit{SHA: strings.Repeat("e", 40), Time: t2, Files: map[string][]livespec.Section{
				"guide.md": {storetest.Sec("Guide", "# Guide\nRefunds take a week.")},
			}})
			q := make([]float32, tt.next.Dimensions)
			q[0] = 1
			b.Vectors = append(again[0].Vectors, livespec.Vector{Embedder: tt.next.Embedder, Hash: b.Versions[0].Hash, Values: q})
			applyAll(t, s, []*livespec.Batch{b})
			hits, err = s.Search(ctx, livespec.SearchQuery{Text: "money back", Vector: q, Embedder: tt.next.Embedder, Validity: livespec.Current(), Repos: []string{"docs"}})
			if err != nil || len(hits) == 0 || hits[0].Version.Path != "guide.md" {
				t.Errorf("dense search with the new embedder: %v, %v", hits, err)
			}
		})
	}
}

// TestResetVectorsKeepsInfosVectors resets to the embedder already
// recorded: its vectors stay.
func TestResetVectorsKeepsInfosVectors(t *testing.T) {
	ctx := context.Background()
	emb := livespec.IndexInfo{Embedder: "old/2d", Dimensions: 2}
	s, f := openFake(t)
	bs, hashes := embeddedHistory(emb)
	applyAll(t, s, bs)
	before := f.Snapshot()
	if err := s.ResetVectors(ctx, emb); err != nil {
		t.Fatal(err)
	}
	if has, err := s.HasVectors(ctx, emb.Embedder, hashes); err != nil || len(has) != len(hashes) {
		t.Errorf("HasVectors after resetting to the same embedder: %v, %v; want all %d", has, err, len(hashes))
	}
	if after := f.Snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Error("resetting to the recorded embedder changed the stored points")
	}
}

// TestResetVectorsResumes interrupts a reset at each of its writes and
// runs it again: the result is that of an uninterrupted reset.
func TestResetVectorsResumes(t *testing.T) {
	ctx := context.Background()
	old := livespec.IndexInfo{Embedder: "old/2d", Dimensions: 2}
	next := livespec.IndexInfo{Embedder: "new/2d", Dimensions: 2}
	clean, cf := openFake(t)
	bs, _ := embeddedHistory(old)
	applyAll(t, clean, bs)
	if err := clean.ResetVectors(ctx, next); err != nil {
		t.Fatal(err)
	}
	want := pointsWithoutMeta(cf)
	for crashAt := 1; ; crashAt++ {
		s, f := openFake(t)
		bs, hashes := embeddedHistory(old)
		applyAll(t, s, bs)
		f.CrashAtWrite(crashAt)
		err := s.ResetVectors(ctx, next)
		f.CrashAtWrite(0)
		if err == nil {
			if crashAt < 3 {
				t.Fatalf("the reset made only %d writes", crashAt-1)
			}
			break
		}
		if livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
			t.Fatalf("crash at write %d: %v, want EUNAVAILABLE", crashAt, err)
		}
		// Never a mix: either the new embedder is still refused (and
		// --reembed resumes the reset), or no old vector is left anywhere.
		has, herr := s.HasVectors(ctx, old.Embedder, hashes)
		if err := s.SetIndex(ctx, next); livespec.ErrorCode(err) != livespec.EMISMATCH && (herr != nil || len(has) > 0 || len(vectorCounts(f)) > 0) {
			t.Errorf("crash at write %d: SetIndex(new) = %v with old vectors left (%v, %v)", crashAt, err, has, vectorCounts(f))
		}
		if err := s.ResetVectors(ctx, next); err != nil {
			t.Fatalf("crash at write %d, reset again: %v", crashAt, err)
		}
		if got, err := s.Index(ctx); err != nil || got != next {
			t.Fatalf("crash at write %d, reset again: index %+v, %v", crashAt, got, err)
		}
		if got := pointsWithoutMeta(f); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("crash at write %d, reset again: the stored points differ from an uninterrupted reset", crashAt)
		}
	}
}

func TestResetVectorsInvalid(t *testing.T) {
	s, _ := openFake(t)
	for _, info := range []livespec.IndexInfo{{Embedder: "x"}, {Dimensions: 3}, {Embedder: "x", Dimensions: -1}} {
		if err := s.ResetVectors(context.Background(), info); livespec.ErrorCode(err) != livespec.EINVALID {
			t.Errorf("ResetVectors(%+v) = %v, want EINVALID", info, err)
		}
	}
}

// pointsWithoutMeta is the server's Snapshot without the meta collection,
// whose checkpoints carry the time they were written.
func pointsWithoutMeta(f *qdranttest.Server) map[string]map[string]string {
	snap := f.Snapshot()
	for name := range snap {
		if strings.HasSuffix(name, "_meta") {
			delete(snap, name)
		}
	}
	return snap
}
