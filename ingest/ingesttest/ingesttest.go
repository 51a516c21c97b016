// Package ingesttest runs the ingest pipeline's resume and rebuild
// scenarios against a livespec.Store, after perkeep's storagetest: ingest's
// own tests run it on their in-memory fake, internal/e2e on the SQLite
// store, so the scenarios are written once and ingest's tests import no
// adapter.
//
// Every scenario compares a store after an interrupted, resumed,
// incremental or rebuilt ingest with one after a clean ingest of the same
// history (storetest.Snapshot).
package ingesttest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/storetest"
)

// start is the landing time of the first commit of every repository.
var start = time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)

// Run runs every scenario as a subtest, each on stores made by open (a
// fresh, empty store per call, closed when its test ends).
func Run(t *testing.T, open func(testing.TB) livespec.Store) {
	for _, sc := range []struct {
		name string
		test func(*testing.T, func(testing.TB) livespec.Store)
	}{
		{"CrashAndResume", testCrashAndResume},
		{"CancelAndResume", testCancelAndResume},
		{"Incremental", testIncremental},
		{"ForcePushRebuilds", testForcePushRebuilds},
		{"SettingsChangeRebuilds", testSettingsChangeRebuilds},
		{"SeveralRepos", testSeveralRepos},
		{"LedgerMatchesGitDiffTree", testLedgerMatchesGitDiffTree},
		{"MergeFirstParentAndModeChange", testMergeFirstParentAndModeChange},
		{"EmbedderFailureResumes", testEmbedderFailureResumes},
		{"Reembed", testReembed},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.test(t, open) })
	}
}

// run ingests the repository at dir as repo into store with the options
// adjusted by fn, and returns the result and the warnings.
func run(tb testing.TB, store livespec.Store, dir, repo string, fn func(*ingest.Options)) (*ingest.Result, []string) {
	tb.Helper()
	var warnings []string
	opt := ingest.Options{Repo: repo, Dir: dir, Warn: func(m string) { warnings = append(warnings, m) }}
	if fn != nil {
		fn(&opt)
	}
	res, err := ingest.Run(context.Background(), store, opt)
	if err != nil {
		tb.Fatalf("ingest %s: %v", repo, err)
	}
	return res, warnings
}

func snapshot(tb testing.TB, s livespec.Store, repo string) string {
	tb.Helper()
	return storetest.Snapshot(context.Background(), tb, s, repo)
}

// cleanSnapshot ingests r from scratch into a new store and returns its snapshot.
func cleanSnapshot(tb testing.TB, open func(testing.TB) livespec.Store, r *gittest.Repo, repo string, fn func(*ingest.Options)) string {
	tb.Helper()
	s := open(tb)
	run(tb, s, r.Dir, repo, fn)
	return snapshot(tb, s, repo)
}

func testCrashAndResume(t *testing.T, open func(testing.TB) livespec.Store) {
	r := gittest.Generate(t, start, 11, 30)
	small := func(o *ingest.Options) { o.Tuning.BatchItems = 40 }
	want := cleanSnapshot(t, open, r, "gen", small)
	// Count the batches of a clean run.
	counter := &storetest.FailingStore{Store: open(t)}
	run(t, counter, r.Dir, "gen", small)
	if counter.Applies < 4 {
		t.Fatalf("only %d batches: the test needs several", counter.Applies)
	}
	for k := 1; k <= counter.Applies; k++ {
		t.Run(fmt.Sprint("fail apply ", k), func(t *testing.T) {
			s := open(t)
			fs := &storetest.FailingStore{Store: s, FailAt: k}
			_, err := ingest.Run(context.Background(), fs, ingest.Options{Repo: "gen", Dir: r.Dir, Tuning: ingest.Tuning{BatchItems: 40}})
			if err == nil || !strings.Contains(err.Error(), "injected failure") {
				t.Fatalf("run with a failing apply: err = %v", err)
			}
			if cp, err := s.Checkpoint(context.Background(), "gen"); k > 1 && (err != nil || cp.Seq == 0) {
				t.Fatalf("no checkpoint after %d good batches: %v", k-1, err)
			}
			// Resume with other batch limits: the result must not depend
			// on them, nor on how open sections are loaded.
			res, _ := run(t, s, r.Dir, "gen", func(o *ingest.Options) {
				o.Tuning.BatchItems = 25
				if k%2 == 0 {
					o.Tuning.LazyCommits = -1
				}
			})
			if res.Rebuilt {
				t.Errorf("resume rebuilt instead of continuing")
			}
			if got := snapshot(t, s, "gen"); got != want {
				t.Errorf("after crash at apply %d and resume, store differs from a clean run:\n%s", k, storetest.Diff(want, got))
			}
		})
	}
}

func testIncremental(t *testing.T, open func(testing.TB) livespec.Store) {
	r := gittest.New(t, start,
		gittest.Step{Msg: "one", Write: map[string]string{"spec/a.md": gittest.SectionDoc("A", "X", "x1", "Y", "y1"), "spec/b.md": gittest.SectionDoc("B", "Z", "z1"),
			"spec/[wip] {odd}*?.md": gittest.SectionDoc("Odd", "Name", "glob characters in the path")}},
		gittest.Step{Msg: "two", Write: map[string]string{"spec/a.md": gittest.SectionDoc("A", "X", "x2", "Y", "y1")}},
	)
	store := &storetest.FailingStore{Store: open(t)}
	res1, _ := run(t, store, r.Dir, "inc", nil)
	if res1.Commits != 2 || res1.UpToDate || res1.Rebuilt {
		t.Fatalf("first run: %+v", res1)
	}

	// Up to date: nothing written.
	applies := store.Applies
	res, _ := run(t, store, r.Dir, "inc", nil)
	if !res.UpToDate || res.Commits != 0 || store.Applies != applies || res.Files != 3 {
		t.Errorf("second run: %+v, %d applies; want up to date with 3 files and no write", res, store.Applies-applies)
	}

	// A new commit without spec changes moves the checkpoint only.
	r.Do(gittest.Step{Msg: "code only", Write: map[string]string{"main.go": "package main\n"}})
	res, _ = run(t, store, r.Dir, "inc", nil)
	if res.Commits != 1 || res.Changes != 0 || res.UpToDate {
		t.Errorf("code-only commit: %+v", res)
	}
	if cp, _ := store.Checkpoint(context.Background(), "inc"); cp.Commit != r.Head() || cp.Seq != 3 {
		t.Errorf("checkpoint %s seq %d, want head %s seq 3", cp.Commit, cp.Seq, r.Head())
	}

	// New spec changes: only the new commits are processed.
	r.Do(gittest.Step{Msg: "four", Write: map[string]string{"spec/a.md": gittest.SectionDoc("A", "X", "x2", "Y", "y2"),
		"spec/[wip] {odd}*?.md": gittest.SectionDoc("Odd", "Name", "still odd")}})
	r.Do(gittest.Step{Msg: "five", Remove: []string{"spec/b.md"}, Move: [][2]string{{"spec/a.md", "spec/alpha.md"}}})
	var progress []ingest.Progress
	res, _ = run(t, store, r.Dir, "inc", func(o *ingest.Options) { o.Progress = func(p ingest.Progress) { progress = append(progress, p) } })
	if res.Commits != 2 || res.Rebuilt {
		t.Errorf("incremental run: %+v", res)
	}
	if len(progress) != 2 || progress[1].Done != 2 || progress[1].Total != 2 || progress[1].Commit != r.Head() {
		t.Errorf("progress %+v", progress)
	}
	if got, want := snapshot(t, store, "inc"), cleanSnapshot(t, open, r, "inc", nil); got != want {
		t.Errorf("incremental result differs from a clean ingest:\n%s", storetest.Diff(want, got))
	}
}

func testForcePushRebuilds(t *testing.T, open func(testing.TB) livespec.Store) {
	r := gittest.Generate(t, start, 5, 12)
	store := open(t)
	run(t, store, r.Dir, "fp", nil)
	// Rewrite history: drop the last three commits and commit something else.
	r.Git("reset", "-q", "--hard", "HEAD~3")
	r.Do(gittest.Step{Msg: "rewritten", Write: map[string]string{"rewritten.md": gittest.SectionDoc("New", "S", "rewritten history")}})
	res, warnings := run(t, store, r.Dir, "fp", nil)
	if !res.Rebuilt {
		t.Errorf("force-push did not rebuild: %+v", res)
	}
	if !strings.Contains(strings.Join(warnings, "\n"), "not on the history") {
		t.Errorf("no force-push warning in %q", warnings)
	}
	if got, want := snapshot(t, store, "fp"), cleanSnapshot(t, open, r, "fp", nil); got != want {
		t.Errorf("rebuilt data differs from a clean ingest (stale data left?):\n%s", storetest.Diff(want, got))
	}
}

func testSettingsChangeRebuilds(t *testing.T, open func(testing.TB) livespec.Store) {
	r := gittest.New(t, start, gittest.Step{Msg: "one", Write: map[string]string{"a.md": "# A\n", "b.md": "# B\n"}})
	store := open(t)
	run(t, store, r.Dir, "cfg", nil)
	excl := func(o *ingest.Options) { o.Exclude = []string{"b.md"} }
	res, _ := run(t, store, r.Dir, "cfg", excl)
	if !res.Rebuilt || res.Files != 1 {
		t.Errorf("changed excludes: %+v, want a rebuild with 1 file", res)
	}
	if got, want := snapshot(t, store, "cfg"), cleanSnapshot(t, open, r, "cfg", excl); got != want {
		t.Errorf("rebuild differs from a clean ingest:\n%s", storetest.Diff(want, got))
	}
	if res, _ := run(t, store, r.Dir, "cfg", func(o *ingest.Options) { excl(o); o.Rebuild = true }); !res.Rebuilt || res.UpToDate {
		t.Errorf("Rebuild on an up-to-date repo: %+v", res)
	}
}

func testSeveralRepos(t *testing.T, open func(testing.TB) livespec.Store) {
	a := gittest.Generate(t, start, 21, 10)
	b := gittest.Generate(t, start, 22, 10)
	store := open(t)
	run(t, store, a.Dir, "alpha", nil)
	before := snapshot(t, store, "alpha")
	run(t, store, b.Dir, "beta", nil)
	// The same repository under a second name is independent too.
	run(t, store, a.Dir, "alpha-copy", nil)
	if snapshot(t, store, "alpha") != before {
		t.Errorf("ingesting other repos changed alpha")
	}
	if got, want := snapshot(t, store, "beta"), cleanSnapshot(t, open, b, "beta", nil); got != want {
		t.Errorf("beta in a shared store differs from beta alone:\n%s", storetest.Diff(want, got))
	}
	if err := store.DeleteRepo(context.Background(), "alpha-copy"); err != nil {
		t.Fatal(err)
	}
	if snapshot(t, store, "alpha") != before {
		t.Errorf("deleting alpha-copy changed alpha")
	}
	if snapshot(t, store, "alpha-copy") != "checkpoint none\n" {
		t.Errorf("alpha-copy left data after DeleteRepo")
	}
}

func testCancelAndResume(t *testing.T, open func(testing.TB) livespec.Store) {
	r := gittest.Generate(t, start, 12, 25)
	want := cleanSnapshot(t, open, r, "gen", nil)
	for _, at := range []int{1, 7, 20} {
		t.Run(fmt.Sprint("cancel after commit ", at), func(t *testing.T) {
			s := open(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := ingest.Run(ctx, s, ingest.Options{Repo: "gen", Dir: r.Dir, Tuning: ingest.Tuning{BatchItems: 30}, Progress: func(p ingest.Progress) {
				if p.Done == at {
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled run: err = %v, want context.Canceled", err)
			}
			run(t, s, r.Dir, "gen", nil)
			if got := snapshot(t, s, "gen"); got != want {
				t.Errorf("resumed after cancel, differs from a clean run:\n%s", storetest.Diff(want, got))
			}
		})
	}
}

func testLedgerMatchesGitDiffTree(t *testing.T, open func(testing.TB) livespec.Store) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := gittest.Generate(t, start, seed, 40)
			store := open(t)
			res, _ := run(t, store, r.Dir, "gen", nil)
			order, want := storetest.GitLedger(t, r)
			got := storetest.Ledger(t, store, "gen")
			if res.Commits != len(order) {
				t.Errorf("Commits = %d, want %d first-parent commits", res.Commits, len(order))
			}
			kinds := map[string]int{}
			for _, c := range order {
				if !slices.Equal(got[c], want[c]) {
					t.Errorf("commit %s:\n got %q\nwant %q", c[:10], got[c], want[c])
				}
				for _, e := range want[c] {
					kinds[strings.Fields(e)[0]]++
				}
			}
			for _, k := range []string{"added", "modified", "removed", "renamed"} {
				if kinds[k] == 0 {
					t.Errorf("generated history has no %s file: the test is too weak", k)
				}
			}
			storetest.CheckChangeMetadata(t, r, store, "gen", order)
			storetest.CheckCurrentFiles(t, r, store, "gen")
		})
	}
}

func testMergeFirstParentAndModeChange(t *testing.T, open func(testing.TB) livespec.Store) {
	r := gittest.New(t, start, gittest.Step{Msg: "add a", Write: map[string]string{"a.md": gittest.SectionDoc("A", "One", "first")}})
	r.Checkout("feature")
	f1 := r.Do(gittest.Step{Msg: "add b on the branch", Write: map[string]string{"b.md": gittest.SectionDoc("B", "Two", "draft")}})
	f2 := r.Do(gittest.Step{Msg: "edit b on the branch", Write: map[string]string{"b.md": gittest.SectionDoc("B", "Two", "final")}})
	r.Checkout("main")
	c2 := r.Do(gittest.Step{Msg: "edit a", Write: map[string]string{"a.md": gittest.SectionDoc("A", "One", "second")}})
	merge := r.Merge("feature", "Merge feature")
	r.Chmod("a.md", true)
	mode := r.Commit("make a executable")

	store := open(t)
	res, _ := run(t, store, r.Dir, "m", nil)
	if res.Commits != 4 {
		t.Errorf("Commits = %d, want 4 first-parent commits", res.Commits)
	}
	for _, c := range []string{f1, f2} {
		if got := storetest.SectionEvents(t, store, "m", c); len(got) > 0 || storetest.FileEvent(t, store, "m", c, "b.md") != nil {
			t.Errorf("branch commit %.10s has changes: %q", c, got)
		}
	}
	// The branch's work lands at the merge, as one addition of its final text.
	fc := storetest.FileEvent(t, store, "m", merge, "b.md")
	if fc == nil || fc.Kind != livespec.Added || fc.Seq != 3 || fc.Message != "Merge feature" {
		t.Fatalf("merge change = %+v, want b.md added at seq 3 by the merge", fc)
	}
	if got := storetest.SectionEvents(t, store, "m", merge); !slices.Equal(got, []string{"added b.md#B", "added b.md#B > Two"}) {
		t.Errorf("merge section changes %q", got)
	}
	if storetest.FileEvent(t, store, "m", merge, "a.md") != nil {
		t.Errorf("merge re-reports a.md, which only changed on the first parent")
	}
	vs, _ := store.Versions(context.Background(), livespec.VersionQuery{Repos: []string{"m"}, Validity: livespec.AnyVersion()})
	for _, v := range vs {
		if v.Path == "b.md" && (v.Commit != merge || strings.Contains(v.Text, "draft")) {
			t.Errorf("b.md version from %.10s: %q", v.Commit, v.Text)
		}
	}
	// A mode-only change is a file change with no section change; the
	// sections keep their versions.
	fc = storetest.FileEvent(t, store, "m", mode, "a.md")
	if fc == nil || fc.Kind != livespec.Modified || !strings.Contains(fc.Summary, "mode 100644 → 100755") {
		t.Errorf("mode change = %+v", fc)
	}
	if got := storetest.SectionEvents(t, store, "m", mode); len(got) > 0 {
		t.Errorf("mode change has section changes %q", got)
	}
	cur, _ := store.Versions(context.Background(), livespec.VersionQuery{Repos: []string{"m"}, Paths: []string{"a.md"}, Validity: livespec.Current()})
	for _, v := range cur {
		if v.Heading == "A > One" && v.Commit != c2 {
			t.Errorf("current A > One introduced by %.10s, want %.10s", v.Commit, c2)
		}
	}
}

func testEmbedderFailureResumes(t *testing.T, open func(testing.TB) livespec.Store) {
	r := gittest.Generate(t, start, 32, 20)
	id := "test/counting@3"
	opts := func(e livespec.Embedder) func(*ingest.Options) {
		return func(o *ingest.Options) { o.Embedder = e; o.Tuning.BatchItems = 30 }
	}
	clean := open(t)
	run(t, clean, r.Dir, "emb", opts(&storetest.Embedder{Name: id}))

	s := open(t)
	flaky := &storetest.Embedder{Name: id, FailAfter: 3}
	o := ingest.Options{Repo: "emb", Dir: r.Dir}
	opts(flaky)(&o)
	_, err := ingest.Run(context.Background(), s, o)
	if livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
		t.Fatalf("failing embedder: err = %v, want EUNAVAILABLE", err)
	}
	good := &storetest.Embedder{Name: id}
	run(t, s, r.Dir, "emb", opts(good))
	if got, want := snapshot(t, s, "emb"), snapshot(t, clean, "emb"); got != want {
		t.Errorf("resumed after embedder failure, differs from a clean run:\n%s", storetest.Diff(want, got))
	}
	st, _ := s.Stats(context.Background(), "emb")
	vs, _ := s.Versions(context.Background(), livespec.VersionQuery{Repos: []string{"emb"}, Validity: livespec.AnyVersion()})
	hashes := map[string]bool{}
	for _, v := range vs {
		hashes[v.Hash] = true
	}
	var list []string
	for h := range hashes {
		list = append(list, h)
	}
	has, _ := s.HasVectors(context.Background(), id, list)
	if len(has) != len(hashes) {
		t.Errorf("%d of %d texts have a vector after resume (stats %+v)", len(has), len(hashes), st)
	}
}

// testReembed switches the store to another embedder: the
// mismatch error names the command, and that command then works.
func testReembed(t *testing.T, open func(testing.TB) livespec.Store) {
	r := gittest.Generate(t, start, 7, 8)
	store := open(t)
	ctx := context.Background()
	first := &storetest.Embedder{Name: "test/first@3"}
	run(t, store, r.Dir, "re", func(o *ingest.Options) { o.Embedder = first })

	second := &storetest.Embedder{Name: "test/second@3"}
	_, err := ingest.Run(ctx, store, ingest.Options{Repo: "re", Dir: r.Dir, Embedder: second})
	if livespec.ErrorCode(err) != livespec.EMISMATCH || !strings.Contains(err.Error(), "livespec ingest --reembed") {
		t.Fatalf("other embedder: %v, want EMISMATCH naming livespec ingest --reembed", err)
	}
	res, _ := run(t, store, r.Dir, "re", func(o *ingest.Options) { o.Embedder = second; o.Reembed = true })
	if info, _ := store.Index(ctx); info.Embedder != second.Name || res.Embedded == 0 || res.Embedded != len(second.Seen) {
		t.Errorf("after reembed: index %+v, embedded %d, seen %d", info, res.Embedded, len(second.Seen))
	}
	var hashes []string
	vs, _ := store.Versions(ctx, livespec.VersionQuery{Repos: []string{"re"}, Validity: livespec.AnyVersion()})
	for _, v := range vs {
		hashes = append(hashes, v.Hash)
	}
	if has, _ := store.HasVectors(ctx, first.Name, hashes); len(has) != 0 {
		t.Errorf("%d vectors of the old embedder left", len(has))
	}
	if has, _ := store.HasVectors(ctx, second.Name, hashes); len(has) != len(second.Seen) {
		t.Errorf("%d vectors of the new embedder, want %d", len(has), len(second.Seen))
	}
}
