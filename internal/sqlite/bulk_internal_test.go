package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// TestDeferredIndexesMatchSchema checks that the indexes a bulk run builds
// at its end are those the migrations create.
func TestDeferredIndexesMatchSchema(t *testing.T) {
	schema := strings.Join(migrations, "\n")
	for _, ix := range deferredIndexes {
		if !strings.Contains(schema, ix.create+";") {
			t.Errorf("%s: %q is not in the migrations", ix.name, ix.create)
		}
	}
}

// deferredPresent returns how many of the deferred indexes exist.
func deferredPresent(t *testing.T, s *Store) int {
	t.Helper()
	return count(t, s, `SELECT count(*) FROM (`+sqlDeferredPresent+`)`)
}

// reads renders, in the order the store returns them, what readers ask of
// repo: versions and files by path and date, changes by path and window.
func reads(t *testing.T, s *Store, repo string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	at := livespec.AsOf(time.Date(2025, 1, 1, 4, 30, 0, 0, time.UTC))
	for _, v := range []livespec.Validity{livespec.Current(), livespec.AnyVersion(), at} {
		vs, err := s.Versions(ctx, livespec.VersionQuery{Repos: []string{repo}, Paths: []string{"f1.md", "f2.md"}, Validity: v})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range vs {
			fmt.Fprintf(&b, "version %s %s %s %v\n", x.ID, x.Path, x.Heading, x.ValidTo)
		}
		fs, err := s.Files(ctx, livespec.FileQuery{Repos: []string{repo}, Paths: []string{"f*.md"}, Validity: v})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range fs {
			fmt.Fprintf(&b, "file %s %s %v\n", x.ID, x.Path, x.ValidTo)
		}
	}
	for _, v := range []livespec.Validity{livespec.Current(), livespec.AnyVersion(), at} {
		fs, err := s.Facts(ctx, livespec.FactQuery{Repos: []string{repo}, Paths: []string{"f1.md"}, Fields: []string{"status"}, Validity: v})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			fmt.Fprintf(&b, "fact %s %s %s %v\n", f.ID, f.Path, f.Value, f.ValidTo)
		}
	}
	fcs, err := s.FactChanges(ctx, livespec.FactChangeQuery{Repos: []string{repo}, From: time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range fcs {
		fmt.Fprintf(&b, "fact change %s %s %s %s\n", c.ID, c.Path, c.Kind, c.Value)
	}
	for _, q := range []livespec.ChangeQuery{
		{Repos: []string{repo}, Paths: []string{"f1.md"}, Sections: true},
		{Repos: []string{repo}, From: time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 1, 7, 0, 0, 0, time.UTC)},
	} {
		cs, err := s.Changes(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			fmt.Fprintf(&b, "change %s %s %s %s\n", c.ID, c.Path, c.Heading, c.Kind)
		}
	}
	return b.String()
}

// withFacts gives every batch of a run that writes a file a fact of that
// file, its status, with another value each time: the file's open one is
// closed and the change recorded.
func withFacts(batches []*livespec.Batch) []*livespec.Batch {
	open := map[string]string{} // source → open fact id
	for i, b := range batches {
		if len(b.Versions) == 0 {
			continue
		}
		v := b.Versions[0]
		value := fmt.Sprintf("stage %d", i)
		f := livespec.Fact{ID: livespec.FactID(b.Repo, v.Path, "status", v.Commit), Repo: b.Repo, Path: v.Path,
			Source: v.Path, Origin: livespec.FactHeader, Field: "status", Name: "Status", Raw: value, Value: value,
			Commit: v.Commit, Seq: v.Seq, ValidFrom: v.ValidFrom, SinceCommit: v.Commit, Since: v.ValidFrom}
		c := livespec.FactChange{ID: livespec.FactChangeID(b.Repo, v.Commit, v.Path, "status"), Repo: b.Repo,
			Commit: v.Commit, Seq: v.Seq, Date: v.ValidFrom, Path: v.Path, Source: v.Path, Field: "status",
			Kind: livespec.Added, Value: value, After: f.ID}
		if prev := open[v.Path]; prev != "" {
			b.FactCloses = append(b.FactCloses, livespec.Close{ID: prev, Commit: v.Commit, Seq: v.Seq, ValidTo: v.ValidFrom})
			c.Kind, c.Before = livespec.Modified, prev
		}
		open[v.Path] = f.ID
		b.Facts = append(b.Facts, f)
		b.FactChanges = append(b.FactChanges, c)
	}
	return batches
}

// TestBulkRunDefersIndexes checks that a run filling an empty index builds
// the secondary indexes at its end, that every read returns meanwhile what
// it returns with the indexes, in the same order, and that a run into an
// index that holds data, or one killed and resumed, leaves them in place.
func TestBulkRunDefersIndexes(t *testing.T) {
	ctx := context.Background()
	batches, _ := moreRun("repo")
	batches = withFacts(batches)

	ref := openTemp(t) // the same batches without More: indexes all along
	s := openTemp(t)
	for i, b := range batches {
		plain := *b
		plain.More = false
		applyAll(t, ref, &plain)
		applyAll(t, s, b)
		want := len(deferredIndexes)
		if b.More {
			want = 0
		}
		if got := deferredPresent(t, s); got != want {
			t.Errorf("after batch %d (More %v): %d of the deferred indexes, want %d", i, b.More, got, want)
		}
		if got, want := reads(t, s, "repo"), reads(t, ref, "repo"); got != want {
			t.Errorf("after batch %d: reads differ from an index with every index:\n got %s\nwant %s", i, got, want)
		}
	}
	if got, want := storetest.Snapshot(ctx, t, s, "repo"), storetest.Snapshot(ctx, t, ref, "repo"); got != want {
		t.Errorf("the store differs from one written with every index")
	}

	t.Run("another repo's run keeps them", func(t *testing.T) {
		other, _ := moreRun("other")
		applyAll(t, s, other[0])
		if got := deferredPresent(t, s); got != len(deferredIndexes) {
			t.Errorf("a batch with More on an index holding data left %d of the deferred indexes", got)
		}
	})

	t.Run("killed mid-run and resumed", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.db")
		k, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		applyAll(t, k, batches[:4]...)
		k.Close()
		k, err = Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		if got := deferredPresent(t, k); got != 0 {
			t.Errorf("mid-run: %d deferred indexes", got)
		}
		applyAll(t, k, batches[3:]...)
		if got := deferredPresent(t, k); got != len(deferredIndexes) {
			t.Errorf("after the resumed run: %d of the deferred indexes", got)
		}
	})

	t.Run("DeleteRepo builds them", func(t *testing.T) {
		d := openTemp(t)
		applyAll(t, d, batches[:3]...)
		if err := d.DeleteRepo(ctx, "repo"); err != nil {
			t.Fatal(err)
		}
		if got := deferredPresent(t, d); got != len(deferredIndexes) {
			t.Errorf("after DeleteRepo: %d of the deferred indexes", got)
		}
	})
}
