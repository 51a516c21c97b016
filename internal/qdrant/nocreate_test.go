package qdrant

import (
	"context"
	"slices"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/qdrant/qdranttest"
)

// TestNoCreate opens a read-only store: on an empty Qdrant it is a
// not_found error and creates nothing; on an ingested index it reads, and
// creates no collection or payload index (not even one that is missing).
func TestNoCreate(t *testing.T) {
	ctx := context.Background()
	f := qdranttest.Start(t)
	if s, err := Open(ctx, f.URL("team"), Options{NoCreate: true}); livespec.ErrorCode(err) != livespec.ENOTFOUND {
		if s != nil {
			s.Close()
		}
		t.Fatalf("read-only open of an empty Qdrant: %v, want not_found", err)
	}
	if cs := f.Collections(); len(cs) > 0 || f.Calls("Create") > 0 {
		t.Fatalf("a read-only open created %v (%d Create calls)", cs, f.Calls("Create"))
	}

	w, err := Open(ctx, f.URL("team"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, batches := checkoutHistory()
	for _, b := range batches {
		if err := w.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	f.DropIndex("team_changes", fDate)
	before, creates, indexes := f.Collections(), f.Calls("Create"), f.Calls("CreateFieldIndex")

	r, err := Open(ctx, f.URL("team"), Options{NoCreate: true})
	if err != nil {
		t.Fatalf("read-only open of an ingested index: %v", err)
	}
	defer r.Close()
	if _, err := r.Checkpoint(ctx, "shop"); err != nil {
		t.Fatalf("read-only store reads no checkpoint: %v", err)
	}
	hits, err := r.Search(ctx, livespec.SearchQuery{Text: "coupons", Validity: livespec.Current()})
	if err != nil || len(hits) == 0 {
		t.Fatalf("read-only search: %d hits, %v", len(hits), err)
	}
	if got := f.Collections(); !slices.Equal(got, before) || f.Calls("Create") != creates || f.Calls("CreateFieldIndex") != indexes {
		t.Fatalf("a read-only store changed Qdrant: collections %v → %v, Create %d → %d, CreateFieldIndex %d → %d",
			before, got, creates, f.Calls("Create"), indexes, f.Calls("CreateFieldIndex"))
	}
	if c, _ := f.Collection("team_changes"); hasKey(c.Indexes, fDate) {
		t.Fatalf("a read-only store recreated the dropped index")
	}
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}
