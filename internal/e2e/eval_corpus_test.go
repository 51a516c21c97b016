package e2e_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/livespec/livespec/eval"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/e2e"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

var (
	corpus    = flag.Bool("corpus", false, "run the question set of ../shared/eval against its real corpus (slow)")
	corpusDir = flag.String("corpus-dir", "../../../shared", "directory holding corpora/*.bundle and eval/*.jsonl")
	reportOut = flag.String("report", "", "write the corpus run's JSON report to this file")
	corpusNow = flag.String("now", "2026-08-21T00:00:00Z", "the clock of the corpus run (RFC 3339; default the day after the corpus snapshot's last commit, when its question set was written)")
)

// TestCorpusOpenAPI ingests the OpenAPI Specification history, asks the
// development question set and checks the scores against the targets.
// Run with: go test ./internal/e2e -run TestCorpusOpenAPI -corpus -v
func TestCorpusOpenAPI(t *testing.T) {
	if !*corpus {
		t.Skip("corpus run not asked for (-corpus)")
	}
	bundle := filepath.Join(*corpusDir, "corpora", "oai-openapi-specification.bundle")
	set := filepath.Join(*corpusDir, "eval", "oai-openapi-specification.jsonl")
	for _, p := range []string{bundle, set} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("corpus absent: %v", err)
		}
	}
	ctx := context.Background()
	repo := gittest.Clone(t, bundle).Dir
	st := e2e.Index(t, ingest.Options{Repo: "oas", Dir: repo})
	f, err := os.Open(set)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := eval.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	// The set's relative questions ("over the last two years") have gold
	// windows anchored at the corpus HEAD (2026-08-20); at a later clock
	// their answers rightly cover a later period.
	now, err := time.Parse(time.RFC3339, *corpusNow)
	if err != nil {
		t.Fatalf("-now: %v", err)
	}
	rep, err := eval.Run(ctx, &retrieval.Assistant{Store: st}, repo, qs, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rep.Text())
	if *reportOut != "" {
		b, _ := rep.JSON()
		if err := os.WriteFile(*reportOut, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	targets := map[string]float64{
		eval.KindCurrent: 0.8, eval.KindIntroduced: 0.8, eval.KindAsOf: 0.9,
		eval.KindEvolution: 0.95, eval.KindChanges: 1,
	}
	for kind, target := range targets {
		if got, ok := rep.Score(kind); ok && got < target {
			t.Errorf("%s: score %.3f, target %.2f", kind, got, target)
		}
	}
}
