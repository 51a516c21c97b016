package e2e_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/ingest/ingesttest"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/storetest"
)

// TestIngestScenarios runs ingest's resume and rebuild scenarios
// (ingesttest) on the SQLite store; ingest's own tests run them on its
// in-memory fake.
func TestIngestScenarios(t *testing.T) {
	ingesttest.Run(t, func(tb testing.TB) livespec.Store { return e2e.Open(tb) })
}

// TestIngestCrashAndResumeCurrentSearch kills a run at several batches
// (its last batches never applied, so the store's current-text index lags)
// and checks that current searches after the resumed run find what a clean
// run's do.
func TestIngestCrashAndResumeCurrentSearch(t *testing.T) {
	ctx := context.Background()
	r := gittest.Generate(t, time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC), 11, 30)
	clean := &storetest.FailingStore{Store: e2e.Open(t)}
	if _, err := ingest.Run(ctx, clean, ingest.Options{Repo: "gen", Dir: r.Dir, Tuning: ingest.Tuning{BatchItems: 40}}); err != nil {
		t.Fatal(err)
	}
	if clean.Applies < 4 {
		t.Fatalf("only %d batches: the test needs several", clean.Applies)
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
	for _, k := range []int{2, clean.Applies / 2, clean.Applies} {
		t.Run(fmt.Sprint("fail apply ", k), func(t *testing.T) {
			s := e2e.Open(t)
			_, err := ingest.Run(ctx, &storetest.FailingStore{Store: s, FailAt: k}, ingest.Options{Repo: "gen", Dir: r.Dir, Tuning: ingest.Tuning{BatchItems: 40}})
			if err == nil || !strings.Contains(err.Error(), "injected failure") {
				t.Fatalf("run with a failing apply: err = %v", err)
			}
			if _, err := ingest.Run(ctx, s, ingest.Options{Repo: "gen", Dir: r.Dir, Tuning: ingest.Tuning{BatchItems: 25}}); err != nil {
				t.Fatal(err)
			}
			for w := range queries {
				if got := search(s, w); !slices.Equal(got, want[w]) {
					t.Errorf("current search for %q after crash and resume: %v, clean run: %v", w, got, want[w])
				}
			}
		})
	}
}
