package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// manyRowsHistory is three commits of many files each, so that a batch
// holds hundreds of versions and changes: added, modified, deleted.
func manyRowsHistory() []*livespec.Batch {
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	h := storetest.NewHistory("many")
	var batches []*livespec.Batch
	for i := range 3 {
		c := storetest.Commit{SHA: fmt.Sprintf("%040d", i+1), Time: t0.Add(time.Duration(i) * time.Hour), Author: "a", Message: fmt.Sprint("commit ", i),
			Files: map[string][]livespec.Section{}}
		for f := range 45 {
			path := fmt.Sprintf("dir%d/f%02d.md", f%4, f)
			if i == 2 && f%5 == 0 {
				c.Deleted = append(c.Deleted, path)
				continue
			}
			if i == 2 {
				continue
			}
			c.Files[path] = []livespec.Section{
				storetest.Sec("", fmt.Sprintf("# F%d\nintro of file %d, revision %d", f, f, i)),
				storetest.Sec("Goals", "## Goals\nthe same goals in every file"),
				storetest.Sec("Design", fmt.Sprintf("## Design\ndesign %d of file %d", i, f)),
			}
		}
		b := h.Commit(c)
		addFacts(b, i)
		batches = append(batches, b)
	}
	return batches
}

// addFacts gives every file b writes in commit i a status fact and its
// change: added by the first commit, changed by the second (the first
// value closed).
func addFacts(b *livespec.Batch, i int) {
	id := func(path string, commit int) string {
		return livespec.FactID(b.Repo, path, "status", fmt.Sprintf("%040d", commit+1))
	}
	for _, f := range b.Files {
		value := fmt.Sprint("stage ", i)
		fact := livespec.Fact{ID: id(f.Path, i), Repo: b.Repo, Path: f.Path, Source: f.Path, Origin: livespec.FactHeader,
			Field: "status", Name: "Status", Raw: value, Value: value, Commit: f.Commit, Seq: f.Seq,
			ValidFrom: f.ValidFrom, SinceCommit: f.Commit, Since: f.ValidFrom}
		c := livespec.FactChange{ID: livespec.FactChangeID(b.Repo, f.Commit, f.Path, "status"), Repo: b.Repo,
			Commit: f.Commit, Seq: f.Seq, Date: f.ValidFrom, Path: f.Path, Source: f.Path, Field: "status",
			Kind: livespec.Added, Value: value, After: fact.ID}
		if i > 0 {
			fact.Previous = fmt.Sprint("stage ", i-1)
			c.Kind, c.Before, c.Previous = livespec.Modified, id(f.Path, i-1), fact.Previous
			b.FactCloses = append(b.FactCloses, livespec.Close{ID: c.Before, Commit: f.Commit, Seq: f.Seq, ValidTo: f.ValidFrom})
		}
		b.Facts = append(b.Facts, fact)
		b.FactChanges = append(b.FactChanges, c)
	}
}

// oneByOne splits b into batches of one version, file, close, change,
// fact, fact close or fact change each, in the order Apply writes them; the last carries the checkpoint.
func oneByOne(b *livespec.Batch) []*livespec.Batch {
	var out []*livespec.Batch
	for _, v := range b.Versions {
		out = append(out, &livespec.Batch{Repo: b.Repo, Versions: []livespec.Version{v}})
	}
	for _, f := range b.Files {
		out = append(out, &livespec.Batch{Repo: b.Repo, Files: []livespec.FileVersion{f}})
	}
	for _, c := range b.Closes {
		out = append(out, &livespec.Batch{Repo: b.Repo, Closes: []livespec.Close{c}})
	}
	for _, c := range b.Changes {
		out = append(out, &livespec.Batch{Repo: b.Repo, Changes: []livespec.Change{c}})
	}
	for _, f := range b.Facts {
		out = append(out, &livespec.Batch{Repo: b.Repo, Facts: []livespec.Fact{f}})
	}
	for _, c := range b.FactCloses {
		out = append(out, &livespec.Batch{Repo: b.Repo, FactCloses: []livespec.Close{c}})
	}
	for _, c := range b.FactChanges {
		out = append(out, &livespec.Batch{Repo: b.Repo, FactChanges: []livespec.FactChange{c}})
	}
	return append(out, &livespec.Batch{Repo: b.Repo, Checkpoint: b.Checkpoint})
}

func TestApplyManyRows(t *testing.T) {
	ctx := context.Background()
	batches := manyRowsHistory()
	if n := len(batches[0].Versions); n < 100 {
		t.Fatalf("the first batch has %d versions: the test needs more than a few statements' worth", n)
	}
	apply := func(s livespec.Store, bs ...*livespec.Batch) {
		t.Helper()
		for _, b := range bs {
			if err := s.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	whole, rows := open(t), open(t)
	apply(whole, batches...)
	for _, b := range batches {
		apply(rows, oneByOne(b)...)
	}
	want := storetest.Snapshot(ctx, t, rows, "many")
	if got := storetest.Snapshot(ctx, t, whole, "many"); got != want {
		t.Errorf("batches of many rows store other data than the same rows one batch each")
	}
	apply(whole, batches...)
	if got := storetest.Snapshot(ctx, t, whole, "many"); got != want {
		t.Errorf("replaying batches of many rows changed the store")
	}
	st, err := whole.Stats(ctx, "many")
	if err != nil {
		t.Fatal(err)
	}
	if st.Versions != 45*3+45*2 || st.Changes != 45*4+45*3+9*4 {
		t.Errorf("stats %+v: want %d versions, %d changes", st, 45*3+45*2, 45*4+45*3+9*4)
	}
}

// TestApplyRepeatedVersion checks that a version written twice in one
// batch ends as its closed copy, in either order, among many rows.
func TestApplyRepeatedVersion(t *testing.T) {
	ctx := context.Background()
	for _, closedFirst := range []bool{false, true} {
		t.Run(fmt.Sprint("closed first ", closedFirst), func(t *testing.T) {
			s := open(t)
			b := manyRowsHistory()[0]
			v := b.Versions[40]
			closed := v
			closed.EndCommit, closed.EndSeq, closed.ValidTo = "f000000000000000000000000000000000000009", 9, v.ValidFrom.Add(time.Hour)
			if closedFirst {
				b.Versions = append(b.Versions[:41], append([]livespec.Version{v}, b.Versions[41:]...)...)
				b.Versions[40] = closed
			} else {
				b.Versions = append(b.Versions[:41], append([]livespec.Version{closed}, b.Versions[41:]...)...)
			}
			if err := s.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
			got, err := s.Version(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.EndCommit != closed.EndCommit || !got.ValidTo.Equal(closed.ValidTo) {
				t.Errorf("version ends at %q %v, want %q %v", got.EndCommit, got.ValidTo, closed.EndCommit, closed.ValidTo)
			}
			hits, err := s.Search(ctx, livespec.SearchQuery{Text: "goals", Validity: livespec.Current(), Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hits {
				if h.Version.ID == v.ID {
					t.Errorf("current search returns the closed version %s", v.ID)
				}
			}
		})
	}
}

// TestApplyManyCloses checks closes by the statement's worth: the first
// close of a version counts, closing a closed version is a no-op, and an
// unknown version among many fails the batch, which writes nothing.
func TestApplyManyCloses(t *testing.T) {
	ctx := context.Background()
	batches := manyRowsHistory()
	s := open(t)
	if err := s.Apply(ctx, batches[0]); err != nil {
		t.Fatal(err)
	}
	var closes []livespec.Close
	for i, v := range batches[0].Versions[:100] {
		closes = append(closes, livespec.Close{ID: v.ID, Commit: fmt.Sprintf("%040x", i+1), Seq: int64(10 + i), ValidTo: v.ValidFrom.Add(time.Duration(i+1) * time.Minute)})
	}
	first := closes[5]
	again := first
	again.Commit, again.Seq, again.ValidTo = fmt.Sprintf("%040x", 999), 999, first.ValidTo.Add(time.Hour)
	withAgain := append(slices.Clone(closes[:20]), again)
	withAgain = append(withAgain, closes[20:]...)

	bad := slices.Clone(withAgain)
	bad[70].ID = "no-such-version"
	before := storetest.Snapshot(ctx, t, s, "many")
	err := s.Apply(ctx, &livespec.Batch{Repo: "many", Closes: bad})
	if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), "no-such-version") {
		t.Errorf("closing an unknown version among many: err = %v, want EINVALID naming it", err)
	}
	if got := storetest.Snapshot(ctx, t, s, "many"); got != before {
		t.Errorf("a failed batch of closes changed the store")
	}

	for range 2 { // the second time every close is a no-op
		if err := s.Apply(ctx, &livespec.Batch{Repo: "many", Closes: withAgain}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range closes {
		v, err := s.Version(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.EndCommit != c.Commit || v.EndSeq != c.Seq || !v.ValidTo.Equal(c.ValidTo) {
			t.Errorf("version %s ends at %s/%d/%v, want %s/%d/%v", c.ID, v.EndCommit, v.EndSeq, v.ValidTo, c.Commit, c.Seq, c.ValidTo)
		}
	}
	current, err := s.Versions(ctx, livespec.VersionQuery{Repos: []string{"many"}, Validity: livespec.Current()})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(batches[0].Versions) - 100; len(current) != want {
		t.Errorf("%d open versions, want %d", len(current), want)
	}
}
