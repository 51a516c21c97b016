package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// factHistory is three commits of lifecycle facts in repo "keps":
//
//	f1 (t1): a/README.md status=provisional, stage=alpha (sidecar a/kep.yaml);
//	         b.md status=draft (header)
//	f2 (t2): a stage=beta; b.md status=accepted
//	f3 (t3): b.md renamed to c.md, status unchanged; a status=implemented,
//	         stage removed
//
// f3's status of a replaces a fact version written in the same batch as
// its close when merged, and one written earlier otherwise.
func factHistory() []*livespec.Batch {
	const repo = "keps"
	commit := func(n int) string { return sha(repo, 100+n) }
	fact := func(n int, at time.Time, path, source, field, value string) livespec.Fact {
		return livespec.Fact{
			ID: livespec.FactID(repo, source, field, commit(n)), Repo: repo, Path: path, Source: source,
			Origin: livespec.FactSidecar, Field: field, Name: field, Raw: value, Value: value,
			Commit: commit(n), Seq: int64(n), ValidFrom: at, SinceCommit: commit(n), Since: at,
		}
	}
	change := func(n int, at time.Time, path, source, field string, kind livespec.ChangeKind, prev, value string) livespec.FactChange {
		return livespec.FactChange{
			ID: livespec.FactChangeID(repo, commit(n), source, field), Repo: repo, Commit: commit(n), Seq: int64(n),
			Date: at, Author: "Ada", Message: fmt.Sprintf("commit %d", n), Path: path, Source: source, Field: field,
			Kind: kind, Value: value, Previous: prev,
		}
	}
	closeOf := func(f livespec.Fact, n int, at time.Time) livespec.Close {
		return livespec.Close{ID: f.ID, Commit: commit(n), Seq: int64(n), ValidTo: at}
	}
	cp := func(n int, at time.Time) *livespec.Checkpoint {
		return &livespec.Checkpoint{Repo: repo, Branch: "main", Commit: commit(n), Seq: int64(n), Time: at, Config: "test"}
	}
	aStatus := fact(1, t1, "a/README.md", "a/kep.yaml", "status", "provisional")
	aStage := fact(1, t1, "a/README.md", "a/kep.yaml", "stage", "alpha")
	bStatus := fact(1, t1, "b.md", "b.md", "status", "draft")
	bStatus.Origin = livespec.FactHeader
	b1 := &livespec.Batch{Repo: repo, Checkpoint: cp(1, t1),
		Facts: []livespec.Fact{aStatus, aStage, bStatus},
		FactChanges: []livespec.FactChange{
			change(1, t1, "a/README.md", "a/kep.yaml", "status", livespec.Added, "", "provisional"),
			change(1, t1, "a/README.md", "a/kep.yaml", "stage", livespec.Added, "", "alpha"),
			change(1, t1, "b.md", "b.md", "status", livespec.Added, "", "draft"),
		}}
	aStage2 := fact(2, t2, "a/README.md", "a/kep.yaml", "stage", "beta")
	aStage2.Previous = "alpha"
	bStatus2 := fact(2, t2, "b.md", "b.md", "status", "accepted")
	bStatus2.Origin, bStatus2.Previous = livespec.FactHeader, "draft"
	b2 := &livespec.Batch{Repo: repo, Checkpoint: cp(2, t2),
		Facts:      []livespec.Fact{aStage2, bStatus2},
		FactCloses: []livespec.Close{closeOf(aStage, 2, t2), closeOf(bStatus, 2, t2)},
		FactChanges: []livespec.FactChange{
			change(2, t2, "a/README.md", "a/kep.yaml", "stage", livespec.Modified, "alpha", "beta"),
			change(2, t2, "b.md", "b.md", "status", livespec.Modified, "draft", "accepted"),
		}}
	aStatus3 := fact(3, t3, "a/README.md", "a/kep.yaml", "status", "implemented")
	aStatus3.Previous = "provisional"
	cStatus := fact(3, t3, "c.md", "c.md", "status", "accepted")
	cStatus.Origin, cStatus.Previous, cStatus.SinceCommit, cStatus.Since = livespec.FactHeader, "draft", commit(2), t2
	moved := change(3, t3, "c.md", "c.md", "status", livespec.Renamed, "accepted", "accepted")
	moved.OldPath = "b.md"
	b3 := &livespec.Batch{Repo: repo, Checkpoint: cp(3, t3),
		Facts:      []livespec.Fact{aStatus3, cStatus},
		FactCloses: []livespec.Close{closeOf(aStatus, 3, t3), closeOf(aStage2, 3, t3), closeOf(bStatus2, 3, t3)},
		FactChanges: []livespec.FactChange{
			change(3, t3, "a/README.md", "a/kep.yaml", "status", livespec.Modified, "provisional", "implemented"),
			change(3, t3, "a/README.md", "a/kep.yaml", "stage", livespec.Removed, "beta", ""),
			moved,
		}}
	return []*livespec.Batch{b1, b2, b3}
}

// mergeFactBatches folds batches into one, closing in place the facts the
// same batch writes, as ingest does.
func mergeFactBatches(bs []*livespec.Batch) *livespec.Batch {
	out := &livespec.Batch{Repo: bs[0].Repo, Checkpoint: bs[len(bs)-1].Checkpoint}
	for _, b := range bs {
		for _, c := range b.FactCloses {
			i := slices.IndexFunc(out.Facts, func(f livespec.Fact) bool { return f.ID == c.ID })
			if i < 0 {
				out.FactCloses = append(out.FactCloses, c)
				continue
			}
			out.Facts[i].EndCommit, out.Facts[i].EndSeq, out.Facts[i].ValidTo = c.Commit, c.Seq, c.ValidTo
		}
		out.Facts = append(out.Facts, b.Facts...)
		out.FactChanges = append(out.FactChanges, b.FactChanges...)
	}
	return out
}

func facts(t testing.TB, s livespec.Store, q livespec.FactQuery) []string {
	t.Helper()
	fs := query(t, "facts", s.Facts, q)
	out := make([]string, len(fs))
	for i, f := range fs {
		end := "open"
		if !f.Current() {
			end = f.ValidTo.Format("01-02") + "@" + f.EndCommit[len(f.EndCommit)-3:]
		}
		out[i] = fmt.Sprintf("%s %s=%s %s..%s since=%s prev=%s", f.Path, f.Field, f.Value,
			f.ValidFrom.Format("01-02"), end, f.Since.Format("01-02"), f.Previous)
	}
	return out
}

func factChanges(t testing.TB, s livespec.Store, q livespec.FactChangeQuery) []livespec.FactChange {
	t.Helper()
	cs := query(t, "fact changes", s.FactChanges, q)
	return cs
}

func describeFactChanges(cs []livespec.FactChange) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %s %s %s %s→%s old=%s\n", c.Date.Format("01-02"), c.Path, c.Field, c.Kind, c.Previous, c.Value, c.OldPath)
	}
	return b.String()
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func testFactsValidity(t *testing.T, s livespec.Store) {
	apply(t, s, factHistory()...)
	q := livespec.FactQuery{Repos: []string{"keps"}}
	q.Validity = livespec.Current()
	equalLines(t, "current", facts(t, s, q), []string{
		"a/README.md status=implemented 03-10..open since=03-10 prev=provisional",
		"c.md status=accepted 03-10..open since=02-10 prev=draft",
	})
	q.Validity = livespec.AsOf(t2.Add(time.Hour))
	equalLines(t, "as of t2", facts(t, s, q), []string{
		"a/README.md stage=beta 02-10..03-10@067 since=02-10 prev=alpha",
		"a/README.md status=provisional 01-10..03-10@067 since=01-10 prev=",
		"b.md status=accepted 02-10..03-10@067 since=02-10 prev=draft",
	})
	q.Validity = livespec.AnyVersion()
	if got := facts(t, s, q); len(got) != 7 {
		t.Errorf("any: %d versions, want 7:\n%s", len(got), strings.Join(got, "\n"))
	}
	q.Fields, q.Paths = []string{"stage"}, []string{"a/*.md"}
	equalLines(t, "stage of a/*.md", facts(t, s, q), []string{
		"a/README.md stage=alpha 01-10..02-10@066 since=01-10 prev=",
		"a/README.md stage=beta 02-10..03-10@067 since=02-10 prev=alpha",
	})
	q.Fields, q.Paths, q.Limit = nil, nil, 2
	if got := facts(t, s, q); len(got) != 2 {
		t.Errorf("limit 2: %d facts", len(got))
	}
	if got := facts(t, s, livespec.FactQuery{Repos: []string{"other"}, Validity: livespec.AnyVersion()}); len(got) != 0 {
		t.Errorf("another repo: %q", got)
	}
}

func testFactsApply(t *testing.T, s livespec.Store) {
	bs := factHistory()
	apply(t, s, bs...)
	apply(t, s, bs...) // replayed: no change, closes stay
	all := livespec.FactQuery{Validity: livespec.AnyVersion()}
	want := facts(t, s, all)
	wantChanges := describeFactChanges(factChanges(t, s, livespec.FactChangeQuery{}))

	s2 := s // the same store, emptied
	if err := s2.DeleteRepo(context.Background(), "keps"); err != nil {
		t.Fatal(err)
	}
	if got := facts(t, s2, all); len(got) != 0 {
		t.Fatalf("after DeleteRepo: %q", got)
	}
	if got := factChanges(t, s2, livespec.FactChangeQuery{}); len(got) != 0 {
		t.Fatalf("fact changes after DeleteRepo: %d", len(got))
	}
	apply(t, s2, mergeFactBatches(bs))
	equalLines(t, "one merged batch vs batch by batch", facts(t, s2, all), want)
	if got := describeFactChanges(factChanges(t, s2, livespec.FactChangeQuery{})); got != wantChanges {
		t.Errorf("changes: merged\n%s\nbatch by batch\n%s", got, wantChanges)
	}
}

func testFactChanges(t *testing.T, s livespec.Store) {
	apply(t, s, factHistory()...)
	all := factChanges(t, s, livespec.FactChangeQuery{})
	want := "01-10 a/README.md stage added →alpha old=\n" +
		"01-10 a/README.md status added →provisional old=\n" +
		"01-10 b.md status added →draft old=\n" +
		"02-10 a/README.md stage modified alpha→beta old=\n" +
		"02-10 b.md status modified draft→accepted old=\n" +
		"03-10 a/README.md stage removed beta→ old=\n" +
		"03-10 a/README.md status modified provisional→implemented old=\n" +
		"03-10 c.md status renamed accepted→accepted old=b.md\n"
	if got := describeFactChanges(all); got != want {
		t.Errorf("all fact changes:\n%s\nwant:\n%s", got, want)
	}
	win := factChanges(t, s, livespec.FactChangeQuery{From: t2, To: t3})
	if got := describeFactChanges(win); got != "02-10 a/README.md stage modified alpha→beta old=\n02-10 b.md status modified draft→accepted old=\n" {
		t.Errorf("window [t2, t3):\n%s", got)
	}
	byOld := factChanges(t, s, livespec.FactChangeQuery{Paths: []string{"b.md"}, Fields: []string{"status"}})
	if len(byOld) != 3 || byOld[2].Path != "c.md" {
		t.Errorf("status changes of b.md (old path too): %s", describeFactChanges(byOld))
	}
	var paged []livespec.FactChange
	after := ""
	for range len(all) + 1 {
		page := factChanges(t, s, livespec.FactChangeQuery{After: after, Limit: 3})
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = page[len(page)-1].ID
	}
	if describeFactChanges(paged) != describeFactChanges(all) {
		t.Errorf("paged:\n%s", describeFactChanges(paged))
	}
	if _, err := s.FactChanges(context.Background(), livespec.FactChangeQuery{After: "no-such-id"}); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("unknown cursor: %v, want EINVALID", err)
	}
}

func testFactValues(t *testing.T, s livespec.Store) {
	apply(t, s, factHistory()...)
	vs, err := s.FactValues(context.Background(), []string{"keps"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, fmt.Sprintf("%s=%s×%d", v.Field, v.Value, v.Count))
	}
	equalLines(t, "fact values", got, []string{
		"stage=alpha×1", "stage=beta×1",
		"status=accepted×2", "status=draft×1", "status=implemented×1", "status=provisional×1",
	})
	if vs, err := s.FactValues(context.Background(), []string{"other"}); err != nil || len(vs) != 0 {
		t.Errorf("another repo: %v %v", vs, err)
	}
}

func testFactsBadBatch(t *testing.T, s livespec.Store) {
	bs := factHistory()
	bs[0].Facts[0].Repo = "other"
	if err := s.Apply(context.Background(), bs[0]); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Fatalf("fact of another repo: %v, want EINVALID", err)
	}
	if got := facts(t, s, livespec.FactQuery{Validity: livespec.AnyVersion()}); len(got) != 0 {
		t.Errorf("a rejected batch stored %q", got)
	}
}
