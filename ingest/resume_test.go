package ingest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/internal/storetest"
)

// stores are the Store implementations the pipeline tests run against:
// the small in-memory fake and the real SQLite store.
var stores = []struct {
	name string
	open func(tb testing.TB) livespec.Store
}{
	{"mem", func(tb testing.TB) livespec.Store { return newMemStore() }},
	{"sqlite", openSQLite},
}

func openSQLite(tb testing.TB) livespec.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "livespec.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func snapshot(tb testing.TB, s livespec.Store, repo string) string {
	tb.Helper()
	return storetest.Snapshot(context.Background(), tb, s, repo)
}

// cleanSnapshot ingests r from scratch into a new store and returns its snapshot.
func cleanSnapshot(tb testing.TB, open func(testing.TB) livespec.Store, r *gittest.Repo, repo string, fn func(*Options)) string {
	tb.Helper()
	s := open(tb)
	ingestRepo(tb, s, r.Dir, repo, fn)
	return snapshot(tb, s, repo)
}

// forEachStore runs f as a subtest per Store implementation.
func forEachStore(t *testing.T, f func(t *testing.T, open func(testing.TB) livespec.Store)) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) { f(t, st.open) })
	}
}

func diffSnapshots(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	in := func(l []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range l {
			m[x] = true
		}
		return m
	}
	am, bm := in(al), in(bl)
	var out []string
	for _, x := range al {
		if !bm[x] {
			out = append(out, "- "+x)
		}
	}
	for _, x := range bl {
		if !am[x] {
			out = append(out, "+ "+x)
		}
	}
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("... %d more", len(out)-10))
	}
	return strings.Join(out, "\n")
}

func TestCrashAndResume(t *testing.T) {
	r := genRepo(t, 11, 30)
	small := func(o *Options) { o.batchItems = 40 }
	forEachStore(t, func(t *testing.T, open func(testing.TB) livespec.Store) {
		want := cleanSnapshot(t, open, r, "gen", small)
		// Count the batches of a clean run.
		counter := &failingStore{Store: open(t)}
		ingestRepo(t, counter, r.Dir, "gen", small)
		if counter.n < 4 {
			t.Fatalf("only %d batches: the test needs several", counter.n)
		}
		for k := 1; k <= counter.n; k++ {
			t.Run(fmt.Sprint("fail apply ", k), func(t *testing.T) {
				s := open(t)
				fs := &failingStore{Store: s, failAt: k}
				_, err := Run(context.Background(), fs, Options{Repo: "gen", Dir: r.Dir, batchItems: 40})
				if err == nil || !strings.Contains(err.Error(), "injected failure") {
					t.Fatalf("run with a failing apply: err = %v", err)
				}
				if cp, err := s.Checkpoint(context.Background(), "gen"); k > 1 && (err != nil || cp.Seq == 0) {
					t.Fatalf("no checkpoint after %d good batches: %v", k-1, err)
				}
				// Resume with other batch limits: the result must not depend
				// on them, nor on how open sections are loaded.
				res, _ := ingestRepo(t, s, r.Dir, "gen", func(o *Options) {
					o.batchItems = 25
					if k%2 == 0 {
						o.lazyCommits = -1
					}
				})
				if res.Rebuilt {
					t.Errorf("resume rebuilt instead of continuing")
				}
				if got := snapshot(t, s, "gen"); got != want {
					t.Errorf("after crash at apply %d and resume, store differs from a clean run:\n%s", k, diffSnapshots(want, got))
				}
			})
		}
	})
}

func TestIncremental(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) livespec.Store) {
		r := gittest.New(t, baseTime,
			gittest.Step{Msg: "one", Write: map[string]string{"spec/a.md": sectionDoc("A", "X", "x1", "Y", "y1"), "spec/b.md": sectionDoc("B", "Z", "z1"),
				"spec/[wip] {odd}*?.md": sectionDoc("Odd", "Name", "glob characters in the path")}},
			gittest.Step{Msg: "two", Write: map[string]string{"spec/a.md": sectionDoc("A", "X", "x2", "Y", "y1")}},
		)
		store := &failingStore{Store: open(t)}
		res1, _ := ingestRepo(t, store, r.Dir, "inc", nil)
		if res1.Commits != 2 || res1.UpToDate || res1.Rebuilt {
			t.Fatalf("first run: %+v", res1)
		}

		// Up to date: nothing written.
		applies := store.n
		res, _ := ingestRepo(t, store, r.Dir, "inc", nil)
		if !res.UpToDate || res.Commits != 0 || store.n != applies || res.Files != 3 {
			t.Errorf("second run: %+v, %d applies; want up to date with 3 files and no write", res, store.n-applies)
		}

		// A new commit without spec changes moves the checkpoint only.
		r.Do(gittest.Step{Msg: "code only", Write: map[string]string{"main.go": "package main\n"}})
		res, _ = ingestRepo(t, store, r.Dir, "inc", nil)
		if res.Commits != 1 || res.Changes != 0 || res.UpToDate {
			t.Errorf("code-only commit: %+v", res)
		}
		if cp, _ := store.Checkpoint(context.Background(), "inc"); cp.Commit != r.Head() || cp.Seq != 3 {
			t.Errorf("checkpoint %s seq %d, want head %s seq 3", cp.Commit, cp.Seq, r.Head())
		}

		// New spec changes: only the new commits are processed.
		r.Do(gittest.Step{Msg: "four", Write: map[string]string{"spec/a.md": sectionDoc("A", "X", "x2", "Y", "y2"),
			"spec/[wip] {odd}*?.md": sectionDoc("Odd", "Name", "still odd")}})
		r.Do(gittest.Step{Msg: "five", Remove: []string{"spec/b.md"}, Move: [][2]string{{"spec/a.md", "spec/alpha.md"}}})
		var progress []Progress
		res, _ = ingestRepo(t, store, r.Dir, "inc", func(o *Options) { o.Progress = func(p Progress) { progress = append(progress, p) } })
		if res.Commits != 2 || res.Rebuilt {
			t.Errorf("incremental run: %+v", res)
		}
		if len(progress) != 2 || progress[1].Done != 2 || progress[1].Total != 2 || progress[1].Commit != r.Head() {
			t.Errorf("progress %+v", progress)
		}
		if got, want := snapshot(t, store, "inc"), cleanSnapshot(t, open, r, "inc", nil); got != want {
			t.Errorf("incremental result differs from a clean ingest:\n%s", diffSnapshots(want, got))
		}
	})
}

func TestForcePushRebuilds(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) livespec.Store) {
		r := genRepo(t, 5, 12)
		store := open(t)
		ingestRepo(t, store, r.Dir, "fp", nil)
		// Rewrite history: drop the last three commits and commit something else.
		r.Git("reset", "-q", "--hard", "HEAD~3")
		r.Do(gittest.Step{Msg: "rewritten", Write: map[string]string{"rewritten.md": sectionDoc("New", "S", "rewritten history")}})
		res, warnings := ingestRepo(t, store, r.Dir, "fp", nil)
		if !res.Rebuilt {
			t.Errorf("force-push did not rebuild: %+v", res)
		}
		if !strings.Contains(strings.Join(warnings, "\n"), "not on the history") {
			t.Errorf("no force-push warning in %q", warnings)
		}
		if got, want := snapshot(t, store, "fp"), cleanSnapshot(t, open, r, "fp", nil); got != want {
			t.Errorf("rebuilt data differs from a clean ingest (stale data left?):\n%s", diffSnapshots(want, got))
		}
	})
	// A checkpoint commit missing from the repository also rebuilds.
	r := genRepo(t, 6, 5)
	store := newMemStore()
	ingestRepo(t, store, r.Dir, "fp", nil)
	store.mu.Lock()
	cp := store.cps["fp"]
	cp.Commit = strings.Repeat("ab", 20)
	store.cps["fp"] = cp
	store.mu.Unlock()
	if res, _ := ingestRepo(t, store, r.Dir, "fp", nil); !res.Rebuilt {
		t.Errorf("missing checkpoint commit did not rebuild: %+v", res)
	}
}

func TestSettingsChangeRebuilds(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func(testing.TB) livespec.Store) {
		r := gittest.New(t, baseTime, gittest.Step{Msg: "one", Write: map[string]string{"a.md": "# A\n", "b.md": "# B\n"}})
		store := open(t)
		ingestRepo(t, store, r.Dir, "cfg", nil)
		excl := func(o *Options) { o.Exclude = []string{"b.md"} }
		res, _ := ingestRepo(t, store, r.Dir, "cfg", excl)
		if !res.Rebuilt || res.Files != 1 {
			t.Errorf("changed excludes: %+v, want a rebuild with 1 file", res)
		}
		if got, want := snapshot(t, store, "cfg"), cleanSnapshot(t, open, r, "cfg", excl); got != want {
			t.Errorf("rebuild differs from a clean ingest:\n%s", diffSnapshots(want, got))
		}
		if res, _ := ingestRepo(t, store, r.Dir, "cfg", func(o *Options) { excl(o); o.Rebuild = true }); !res.Rebuilt || res.UpToDate {
			t.Errorf("Rebuild on an up-to-date repo: %+v", res)
		}
	})
	if Fingerprint(Options{}) == Fingerprint(Options{Exclude: []string{"b.md"}}) ||
		Fingerprint(Options{}) != Fingerprint(Options{Include: DefaultInclude, MaxFileBytes: DefaultMaxFileBytes}) {
		t.Errorf("Fingerprint does not follow the settings")
	}
}

func TestSeveralRepos(t *testing.T) {
	a := genRepo(t, 21, 10)
	b := genRepo(t, 22, 10)
	forEachStore(t, func(t *testing.T, open func(testing.TB) livespec.Store) {
		store := open(t)
		ingestRepo(t, store, a.Dir, "alpha", nil)
		before := snapshot(t, store, "alpha")
		ingestRepo(t, store, b.Dir, "beta", nil)
		// The same repository under a second name is independent too.
		ingestRepo(t, store, a.Dir, "alpha-copy", nil)
		if snapshot(t, store, "alpha") != before {
			t.Errorf("ingesting other repos changed alpha")
		}
		if got, want := snapshot(t, store, "beta"), cleanSnapshot(t, open, b, "beta", nil); got != want {
			t.Errorf("beta in a shared store differs from beta alone:\n%s", diffSnapshots(want, got))
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
	})
}

func TestCancelAndResume(t *testing.T) {
	r := genRepo(t, 12, 25)
	want := cleanSnapshot(t, openSQLite, r, "gen", nil)
	for _, at := range []int{1, 7, 20} {
		t.Run(fmt.Sprint("cancel after commit ", at), func(t *testing.T) {
			s := openSQLite(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := Run(ctx, s, Options{Repo: "gen", Dir: r.Dir, batchItems: 30, Progress: func(p Progress) {
				if p.Done == at {
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled run: err = %v, want context.Canceled", err)
			}
			ingestRepo(t, s, r.Dir, "gen", nil)
			if got := snapshot(t, s, "gen"); got != want {
				t.Errorf("resumed after cancel, differs from a clean run:\n%s", diffSnapshots(want, got))
			}
		})
	}
}
