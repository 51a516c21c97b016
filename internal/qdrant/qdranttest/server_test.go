package qdranttest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/qdrant"
	"github.com/livespec/livespec/internal/qdrant/qdranttest"
	"github.com/livespec/livespec/internal/storetest"
)

// TestNew opens livespec's Qdrant store on New's URL: the collections are
// created under the URL's prefix, and what is applied is found again.
func TestNew(t *testing.T) {
	ctx := context.Background()
	u := qdranttest.New(t)
	if !strings.HasPrefix(u, "qdrant://127.0.0.1:") || !strings.HasSuffix(u, "?collection=livespec") {
		t.Fatalf("URL = %q", u)
	}
	s, err := qdrant.Open(ctx, u, qdrant.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := storetest.NewHistory("shop")
	b := h.Commit(storetest.Commit{SHA: strings.Repeat("a", 40), Time: time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC),
		Files: map[string][]livespec.Section{"spec/checkout.md": {storetest.Sec("Coupons", "# Coupons\nOne coupon per order.")}}})
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, livespec.SearchQuery{Text: "coupon", Validity: livespec.Current()})
	if err != nil || len(hits) != 1 || hits[0].Version.Path != "spec/checkout.md" {
		t.Errorf("search = %+v, %v", hits, err)
	}
}

// TestStart scripts the server: an API key, an old version, a crash.
func TestStart(t *testing.T) {
	ctx := context.Background()
	f := qdranttest.Start(t, qdranttest.WithAPIKey("k"))
	if _, err := qdrant.Open(ctx, f.URL("x"), qdrant.Options{APIKey: "wrong"}); livespec.ErrorCode(err) != livespec.EUNAUTHORIZED {
		t.Errorf("wrong key: %v", err)
	}
	s, err := qdrant.Open(ctx, f.URL("x"), qdrant.Options{APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := f.Collections(); len(got) == 0 || !strings.HasPrefix(got[0], "x_") {
		t.Errorf("collections = %v, want them prefixed x_", got)
	}
	if c, ok := f.Collection("x_changes"); !ok || c.Points != 0 || len(c.Indexes) == 0 {
		t.Errorf("x_changes = %+v, %v", c, ok)
	}
	f.CrashAtWrite(1)
	err = s.AddFeedback(ctx, livespec.Feedback{ID: "r1", Time: time.Now(), Rating: 1})
	if livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
		t.Errorf("write after CrashAtWrite(1): %v, want EUNAVAILABLE", err)
	}
	f.CrashAtWrite(0)
	if err := s.AddFeedback(ctx, livespec.Feedback{ID: "r1", Time: time.Now(), Rating: 1}); err != nil {
		t.Errorf("write after CrashAtWrite(0): %v", err)
	}
	if f.Calls("Upsert") != 2 {
		t.Errorf("Upsert calls = %d, want 2", f.Calls("Upsert"))
	}
	f.SetVersion("1.9.0")
	if _, err := qdrant.Open(ctx, f.URL("x"), qdrant.Options{APIKey: "k"}); err == nil || !strings.Contains(err.Error(), "1.12") {
		t.Errorf("Open on a server reporting 1.9: %v", err)
	}
}
