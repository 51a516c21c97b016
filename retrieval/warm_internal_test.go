package retrieval

import (
	"context"
	"fmt"
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
