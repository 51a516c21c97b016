package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// checkFTS asserts the invariants Apply and DeleteRepo keep: all_fts holds
// exactly the texts, and no text outlives its last version.
func checkFTS(t *testing.T, s *Store, when string) {
	t.Helper()
	for _, c := range []struct{ what, q string }{
		{"texts missing from all_fts", `SELECT count(*) FROM texts WHERE id NOT IN (SELECT rowid FROM all_fts)`},
		{"all_fts rows without a text", `SELECT count(*) FROM all_fts WHERE rowid NOT IN (SELECT id FROM texts)`},
		{"orphan texts", `SELECT count(*) FROM texts t WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.text_id = t.id)`},
	} {
		var n int
		if err := s.r.QueryRow(c.q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d %s", when, n, c.what)
		}
	}
}

func count(t *testing.T, s *Store, q string) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFTSInvariants(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	shared := storetest.Sec("Template", "## Template\nThis section is the same everywhere.")
	var batches []*livespec.Batch
	for _, repo := range []string{"a", "b"} {
		h := storetest.NewHistory(repo)
		for i := range 6 {
			files := map[string][]livespec.Section{
				fmt.Sprintf("f%d.md", i%3): {shared, storetest.Sec("Body", fmt.Sprintf("# Body\nrevision %d", i))},
				"fixed.md":                 {shared},
			}
			var deleted []string
			if i == 4 {
				deleted = []string{"f0.md"}
				delete(files, "f0.md")
			}
			b := h.Commit(storetest.Commit{SHA: fmt.Sprintf("%s%039d", repo, i), Time: t0.Add(time.Duration(i) * time.Hour), Author: "x", Message: "m", Files: files, Deleted: deleted})
			batches = append(batches, b)
			if err := s.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
			checkFTS(t, s, fmt.Sprintf("after %s commit %d", repo, i))
		}
	}
	for _, b := range batches {
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	checkFTS(t, s, "after replaying every batch")
	// Per repo: the shared section of fixed.md, f1.md and f2.md and the
	// last "Body" revision of f1.md and f2.md (f0.md is deleted).
	if got := len(searchIDs(t, s, "revision everywhere", livespec.Current())); got != 10 {
		t.Errorf("a current search finds %d versions, want 10", got)
	}
	if err := s.DeleteRepo(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	checkFTS(t, s, "after deleting repo a")
	if got := len(searchIDs(t, s, "revision everywhere", livespec.Current())); got != 5 {
		t.Errorf("after deleting a, a current search finds %d versions, want b's 5", got)
	}
	if err := s.DeleteRepo(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	checkFTS(t, s, "after deleting repo b")
	if n := count(t, s, `SELECT count(*) FROM all_fts`) + count(t, s, `SELECT count(*) FROM texts`); n != 0 {
		t.Errorf("%d texts and FTS rows left in an empty store", n)
	}
}
