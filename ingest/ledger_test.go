package ingest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/storetest"
)

// TestLedgerOnCorpus compares the ledger with git diff-tree on the real
// spec histories of ../shared/corpora. It is slow, so it runs only when
// LIVESPEC_CORPUS_TESTS is set.
func TestLedgerOnCorpus(t *testing.T) {
	forEachCorpus(t, func(t *testing.T, name string, r *gittest.Repo) {
		store := newMemStore()
		ingestRepo(t, store, r.Dir, name, nil)
		order, want := storetest.GitLedger(t, r)
		got := storetest.Ledger(t, store, name)
		bad := 0
		for _, c := range order {
			if !slices.Equal(got[c], want[c]) {
				if bad++; bad <= 10 {
					t.Errorf("commit %s:\n got %q\nwant %q", c[:10], got[c], want[c])
				}
			}
		}
		t.Logf("%d first-parent commits, %d differ from git diff-tree", len(order), bad)
		storetest.CheckCurrentFiles(t, r, store, name)
	})
}

// forEachCorpus runs fn, as a subtest, on a clone of each corpus of
// ../shared/corpora. The corpus tests are slow, so they run only when
// LIVESPEC_CORPUS_TESTS is set; a corpus that is absent is skipped.
func forEachCorpus(t *testing.T, fn func(t *testing.T, name string, r *gittest.Repo)) {
	if os.Getenv("LIVESPEC_CORPUS_TESTS") == "" {
		t.Skip("set LIVESPEC_CORPUS_TESTS=1 to run")
	}
	for _, name := range []string{"oai-openapi-specification", "rust-lang-rfcs", "kubernetes-enhancements"} {
		t.Run(name, func(t *testing.T) {
			bundle := filepath.Join("..", "..", "shared", "corpora", name+".bundle")
			if _, err := os.Stat(bundle); err != nil {
				t.Skipf("no %s", bundle)
			}
			fn(t, name, gittest.Clone(t, bundle))
		})
	}
}
