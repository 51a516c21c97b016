package retrieval

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// versionsToWarm is a Store of one repository whose Versions are vs.
type versionsToWarm struct {
	livespec.Store
	vs []livespec.Version
}

func (s versionsToWarm) Checkpoint(_ context.Context, repo string) (livespec.Checkpoint, error) {
	return livespec.Checkpoint{Repo: repo, Commit: "c2"}, nil
}

func (s versionsToWarm) Checkpoints(context.Context) ([]livespec.Checkpoint, error) {
	return []livespec.Checkpoint{{Repo: "r", Commit: "c2"}}, nil
}

func (s versionsToWarm) Versions(context.Context, livespec.VersionQuery) ([]livespec.Version, error) {
	return s.vs, nil
}

func (s versionsToWarm) Warm(context.Context) error { return nil }

func (s versionsToWarm) FactValues(context.Context, []string) ([]livespec.FactValue, error) {
	return nil, nil
}

func (s versionsToWarm) DataVersion(context.Context) (uint64, error) { return 1, nil }

func (s versionsToWarm) Files(context.Context, livespec.FileQuery) ([]livespec.FileVersion, error) {
	return nil, nil
}

// TestWarmAnalysesThePoolsVersions: after Warm, a topic pool of any of the
// index's versions, current or not, finds every analysis made, so a fresh
// server's first timelines analyse nothing in-line.
func TestWarmAnalysesThePoolsVersions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var vs []livespec.Version
	for i := range 600 { // more than a warm-up batch: several workers' worth
		v := livespec.Version{
			Key:       livespec.Key{Repo: "r", Path: fmt.Sprintf("specs/warm-%d.md", i%40), Heading: fmt.Sprintf("Warm %d", i)},
			Text:      fmt.Sprintf("Warmed section %d: the quokka ledger settles at step %d.", i, i*7),
			Commit:    "c1",
			ValidFrom: from.AddDate(0, 0, i),
		}
		if i%3 == 0 { // closed: replaced later
			v.EndCommit, v.ValidTo = "c2", from.AddDate(0, 0, i+1)
		}
		v.Hash = fmt.Sprintf("%064x", i+1)
		vs = append(vs, v)
	}
	a := &Assistant{Store: versionsToWarm{vs: vs}}
	if err := a.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	var cold []string
	for _, v := range vs {
		k, ok := versionKey(v, true)
		if !ok {
			t.Fatalf("version %s has no analysis key", v.Heading)
		}
		if _, found := docs.c.PeekAll([]docKey{k}); !found[0] {
			cold = append(cold, v.Heading)
		}
	}
	if len(cold) > 0 {
		t.Errorf("after Warm, %d of %d versions have no analysis a pool would find, e.g. %q", len(cold), len(vs), cold[0])
	}
}

// factsToWarm is a Store of lifecycle facts (status, stage) and an
// owner field, counting its reads of facts.
type factsToWarm struct {
	versionsToWarm
	mu    sync.Mutex
	reads int
}

func (s *factsToWarm) FactValues(context.Context, []string) ([]livespec.FactValue, error) {
	return []livespec.FactValue{{Field: "owner", Value: "sig-node", Count: 2}, {Field: "stage", Value: "beta", Count: 2}, {Field: "status", Value: "implemented", Count: 2}}, nil
}

func (s *factsToWarm) Facts(_ context.Context, q livespec.FactQuery) ([]livespec.Fact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	var out []livespec.Fact
	for i, f := range []string{"owner", "stage", "status"} {
		if slices.Contains(q.Fields, f) {
			out = append(out, livespec.Fact{Repo: "r", Path: fmt.Sprintf("keps/%d/kep.yaml", i), Field: f, Value: "v"})
		}
	}
	return out, nil
}

func (s *factsToWarm) FactChanges(context.Context, livespec.FactChangeQuery) ([]livespec.FactChange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	return nil, nil
}

// TestWarmKeepsTheLifecycleLineages: after Warm, the lineage a status
// question about one lifecycle field reads (every document with the
// field, over renames) is kept, the same as an unwarmed Assistant reads;
// other fields are read when first asked about.
func TestWarmKeepsTheLifecycleLineages(t *testing.T) {
	ctx := context.Background()
	lineageOf := func(a *Assistant, field string) string {
		t.Helper()
		lin, err := a.factLineage(ctx, &statusQuery{fields: []string{field}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(lin.facts)
	}
	st := &factsToWarm{}
	a := &Assistant{Store: st}
	if err := a.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	cold := &Assistant{Store: &factsToWarm{}}
	for _, tc := range []struct {
		field string
		reads int // reads of facts by the first question
	}{
		{"status", 0},
		{"stage", 0},
		{"owner", 2},
	} {
		before := st.reads
		got := lineageOf(a, tc.field)
		if n := st.reads - before; n != tc.reads {
			t.Errorf("after Warm, the %s lineage read facts %d times, want %d", tc.field, n, tc.reads)
		}
		if want := lineageOf(cold, tc.field); got != want {
			t.Errorf("after Warm, the %s lineage holds %s, want %s (unwarmed)", tc.field, got, want)
		}
	}
}

// TestWarmAnalysesFillThreeQuartersOfTheCache: when the pool analyses of
// every version of the index weigh two thirds of the analysis cache, more
// than half of it, Warm makes them all.
func TestWarmAnalysesFillThreeQuartersOfTheCache(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var vs []livespec.Version
	var weight int64
	for i := range 32 * warmBatch { // batches enough that the share, not the batching, decides
		v := livespec.Version{
			Key:       livespec.Key{Repo: "r", Path: fmt.Sprintf("specs/share-%d.md", i%64), Heading: fmt.Sprintf("Share %d", i)},
			Text:      fmt.Sprintf("Shared section %d: the wombat registry rotates key %d every %d days.", i, i*13, i%90),
			Commit:    "c1",
			ValidFrom: from.Add(time.Duration(i) * time.Hour),
			Hash:      fmt.Sprintf("%064x", i+1),
		}
		if i%2 == 0 {
			v.EndCommit, v.ValidTo = "c2", v.ValidFrom.Add(time.Minute)
		}
		weight += analyse(v.Text+versionTail(v), true).size()
		vs = append(vs, v)
	}
	kept := docs
	docs = newDocCache(weight * 3 / 2)
	defer func() { docs = kept }()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2)) // a batch in flight per CPU may pass the share
	if err := (&Assistant{Store: versionsToWarm{vs: vs}}).Warm(ctx); err != nil {
		t.Fatal(err)
	}
	cold := 0
	for _, v := range vs {
		k, _ := versionKey(v, true)
		if _, found := docs.c.PeekAll([]docKey{k}); !found[0] {
			cold++
		}
	}
	if cold > 0 {
		t.Errorf("after Warm, %d of %d versions have no analysis a pool would find (the analyses weigh %d of the cache's %d bytes)", cold, len(vs), weight, docs.max)
	}
}
