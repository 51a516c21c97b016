package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/storetest"
)

func TestEmbeddings(t *testing.T) {
	r := genRepo(t, 31, 25)
	store := newMemStore()
	emb := newEmbedder("test/counting@3")
	withEmb := func(o *Options) { o.Embedder = emb; o.Tuning.BatchItems = 30 }
	res, _ := ingestRepo(t, store, r.Dir, "emb", withEmb)

	vs, _ := store.Versions(context.Background(), livespec.VersionQuery{Repos: []string{"emb"}, Validity: livespec.AnyVersion()})
	distinct := map[string]bool{}
	for _, v := range vs {
		distinct[v.Text] = true
		if _, ok := store.vectors[emb.Name+"|"+v.Hash]; !ok {
			t.Errorf("no vector for version %s", v.ID)
		}
	}
	for text, n := range emb.Seen {
		if n != 1 {
			t.Errorf("text embedded %d times: %.40q", n, text)
		}
	}
	if len(emb.Seen) != len(distinct) || res.Embedded != len(distinct) || res.DistinctTexts != len(distinct) {
		t.Errorf("embedded %d texts (result %d, distinct %d), want %d", len(emb.Seen), res.Embedded, res.DistinctTexts, len(distinct))
	}

	// A rebuild of the same repo and a second repo with the same texts
	// embed nothing: the vectors are already stored.
	before := len(emb.Seen)
	reqs := emb.Requests
	ingestRepo(t, store, r.Dir, "emb", func(o *Options) { withEmb(o); o.Rebuild = true })
	ingestRepo(t, store, r.Dir, "emb-copy", withEmb)
	if emb.Requests != reqs || len(emb.Seen) != before {
		t.Errorf("re-run embedded again: %d requests", emb.Requests-reqs)
	}

	// Reembed embeds every text again.
	res, _ = ingestRepo(t, store, r.Dir, "emb", func(o *Options) { withEmb(o); o.Reembed = true })
	if res.Embedded != len(distinct) {
		t.Errorf("reembed embedded %d texts, want %d", res.Embedded, len(distinct))
	}

	// Another embedder: the store's mismatch error comes back unchanged.
	other := newEmbedder("test/other@3")
	_, err := Run(context.Background(), store, Options{Repo: "emb", Dir: r.Dir, Embedder: other})
	if livespec.ErrorCode(err) != livespec.EMISMATCH || !strings.Contains(err.Error(), "reembed") {
		t.Errorf("other embedder: err = %v, want the store's EMISMATCH", err)
	}
	// Reembed switches embedders on a store that can drop vectors.
	res, warnings := ingestRepo(t, store, r.Dir, "emb", func(o *Options) { o.Embedder = other; o.Reembed = true })
	if res.Embedded != len(distinct) || len(other.Seen) != len(distinct) {
		t.Errorf("reembed with another embedder embedded %d texts, want %d", res.Embedded, len(distinct))
	}
	if info, _ := store.Index(context.Background()); info.Embedder != other.Name || !strings.Contains(strings.Join(warnings, "\n"), "re-embedded") {
		t.Errorf("index %+v after reembed, warnings %q", info, warnings)
	}
	for k := range store.vectors {
		if !strings.HasPrefix(k, other.Name+"|") {
			t.Errorf("vector %s of the old embedder left", k)
			break
		}
	}
}

func TestRepositoryErrors(t *testing.T) {
	empty := gittest.New(t, baseTime)
	notGit := t.TempDir()
	detached := gittest.New(t, baseTime, gittest.Step{Msg: "one", Write: map[string]string{"a.md": "# A\n"}})
	detached.Git("checkout", "-q", "--detach", "HEAD")

	tests := []struct {
		name, dir, branch string
		code              string
		msg               []string
	}{
		{"empty repository", empty.Dir, "", livespec.EINVALID, []string{"repository has no commits"}},
		{"empty repository, branch given", empty.Dir, "main", livespec.EINVALID, []string{"repository has no commits"}},
		{"not a git repository", notGit, "", livespec.EINVALID, []string{"not a git repository"}},
		{"missing directory", filepath.Join(notGit, "nope"), "", livespec.EINVALID, []string{"not a git repository"}},
		{"unknown branch", detached.Dir, "release", livespec.ENOTFOUND, []string{`branch "release" not found`, "available branches: main"}},
		{"detached HEAD", detached.Dir, "", livespec.EINVALID, []string{"detached", "main"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			_, err := Run(context.Background(), store, Options{Repo: "x", Dir: tt.dir, Branch: tt.branch})
			if err == nil {
				t.Fatal("no error")
			}
			if got := livespec.ErrorCode(err); got != tt.code {
				t.Errorf("code %q, want %q (%v)", got, tt.code, err)
			}
			for _, m := range tt.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not say %q", err, m)
				}
			}
			if store.applies+store.deletes != 0 {
				t.Errorf("store written on error")
			}
		})
	}
	if _, err := Run(context.Background(), newMemStore(), Options{Dir: detached.Dir}); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("missing repo name: %v", err)
	}
	if _, err := Run(context.Background(), newMemStore(), Options{Repo: "x", Dir: detached.Dir, Include: []string{"[bad"}}); livespec.ErrorCode(err) != livespec.EINVALID {
		t.Errorf("bad glob: %v", err)
	}
	// Detached HEAD with a branch named works.
	if res, _ := ingestRepo(t, newMemStore(), detached.Dir, "x", func(o *Options) { o.Branch = "main" }); res.Files != 1 {
		t.Errorf("branch of a detached repo: %+v", res)
	}
}

func TestNoSpecFiles(t *testing.T) {
	r := gittest.New(t, baseTime, gittest.Step{Msg: "code", Write: map[string]string{"main.go": "package main\n", "README.txt": "hi\n"}})
	store := newMemStore()
	res, warnings := ingestRepo(t, store, r.Dir, "code", nil)
	if res.Commits != 1 || res.Changes != 0 {
		t.Errorf("result %+v", res)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "no files match") || !strings.Contains(warnings[0], "**/*.md") {
		t.Errorf("warnings %q, want one saying no files match", warnings)
	}
	if cp, err := store.Checkpoint(context.Background(), "code"); err != nil || cp.Commit != r.Head() {
		t.Errorf("checkpoint %+v %v", cp, err)
	}
}

func TestShallowCloneAndBranches(t *testing.T) {
	src := genRepo(t, 41, 12)
	src.Git("branch", "release", "HEAD~4")
	shallow := gittest.Clone(t, "file://"+src.Dir, "--no-local", "--depth", "3", "--branch", "main")
	shallow.Author, shallow.When = "x", baseTime

	store := newMemStore()
	res, warnings := ingestRepo(t, store, shallow.Dir, "shallow", nil)
	if !strings.Contains(strings.Join(warnings, "\n"), "shallow clone") {
		t.Errorf("no shallow warning in %q", warnings)
	}
	if res.Commits < 1 || res.Commits > 3 {
		t.Errorf("shallow ingest processed %d commits, want at most 3", res.Commits)
	}
	storetest.CheckCurrentFiles(t, shallow, store, "shallow")

	// New commits on the still-shallow clone are ingested incrementally.
	shallow.Do(gittest.Step{Msg: "work in the clone", Write: map[string]string{"clone.md": "# Clone\n"}})
	if res, _ := ingestRepo(t, store, shallow.Dir, "shallow", nil); res.Rebuilt || res.Commits != 1 {
		t.Errorf("incremental on a shallow clone: %+v", res)
	}
	// Once the full history is there, the repo is rebuilt from it.
	shallow.Git("fetch", "-q", "--unshallow")
	res, warnings = ingestRepo(t, store, shallow.Dir, "shallow", nil)
	if !res.Rebuilt || !strings.Contains(strings.Join(warnings, "\n"), "full history") {
		t.Errorf("unshallowed clone: %+v %q, want a rebuild", res, warnings)
	}
	if got, want := snapshot(t, store, "shallow"), snapshot(t, func() livespec.Store {
		s := newMemStore()
		ingestRepo(t, s, shallow.Dir, "shallow", nil)
		return s
	}(), "shallow"); got != want {
		t.Errorf("after unshallow, differs from a clean ingest:\n%s", storetest.Diff(want, got))
	}
	if res, _ := ingestRepo(t, store, shallow.Dir, "shallow", nil); !res.UpToDate {
		t.Errorf("run after the rebuild: %+v, want up to date", res)
	}

	// A remote-tracking branch can be named; an orphan history is its own chain.
	res, _ = ingestRepo(t, newMemStore(), shallow.Dir, "remote", func(o *Options) { o.Branch = "origin/main" })
	if want := shallow.Git("rev-parse", "origin/main"); res.Head != want {
		t.Errorf("origin/main resolved to %s, want %s", res.Head, want)
	}
	src.Git("checkout", "-q", "--orphan", "orphan")
	src.Git("rm", "-q", "-r", "-f", ".")
	src.Do(gittest.Step{Msg: "orphan root", Write: map[string]string{"o.md": "# O\n"}})
	src.Do(gittest.Step{Msg: "orphan two", Write: map[string]string{"o.md": "# O\n\ntwo\n"}})
	res, _ = ingestRepo(t, newMemStore(), src.Dir, "orphan", nil)
	if res.Commits != 2 || res.Files != 1 {
		t.Errorf("orphan branch: %+v", res)
	}
}

func TestMissingParentObject(t *testing.T) {
	// A first-parent chain that runs into a commit whose parent object is
	// gone (a broken or grafted repository) stops there with a warning.
	r := gittest.New(t, baseTime,
		gittest.Step{Msg: "one", Write: map[string]string{"a.md": "# A\n"}},
		gittest.Step{Msg: "two", Write: map[string]string{"a.md": "# A\n\ntwo\n"}},
		gittest.Step{Msg: "three", Write: map[string]string{"b.md": "# B\n"}},
	)
	first := r.Git("rev-list", "--max-parents=0", "HEAD")
	obj := filepath.Join(r.Dir, ".git", "objects", first[:2], first[2:])
	if err := os.Remove(obj); err != nil {
		t.Skipf("cannot remove loose object: %v", err)
	}
	store := newMemStore()
	res, warnings := ingestRepo(t, store, r.Dir, "broken", nil)
	if res.Commits != 2 || !strings.Contains(strings.Join(warnings, "\n"), "missing") {
		t.Errorf("result %+v warnings %q", res, warnings)
	}
	storetest.CheckCurrentFiles(t, r, store, "broken")
}

func TestBareRepoAndSubdirectory(t *testing.T) {
	r := gittest.New(t, baseTime,
		gittest.Step{Msg: "one", Write: map[string]string{"docs/a.md": "# A\n\none\n", "docs/b.markdown": "# B\n"}},
		gittest.Step{Msg: "two", Write: map[string]string{"docs/a.md": "# A\n\ntwo\n"}},
	)
	want := snapshot(t, func() livespec.Store { s := newMemStore(); ingestRepo(t, s, r.Dir, "x", nil); return s }(), "x")
	bare := gittest.Clone(t, r.Dir, "--bare").Dir
	wt := filepath.Join(t.TempDir(), "wt")
	r.Git("worktree", "add", "-q", "-b", "other", wt, "main")
	for name, dir := range map[string]string{"bare": bare, "subdirectory": filepath.Join(r.Dir, "docs"), "linked worktree": wt} {
		t.Run(name, func(t *testing.T) {
			s := newMemStore()
			res, _ := ingestRepo(t, s, dir, "x", nil)
			if res.Files != 2 || res.Commits != 2 {
				t.Errorf("result %+v, want 2 files and 2 commits", res)
			}
			got := snapshot(t, s, "x")
			// Only the checkpoint's source differs.
			strip := func(s string) string { return s[strings.Index(s, "\n"):] }
			if strip(got) != strip(want) {
				t.Errorf("ingest from %s differs:\n%s", name, storetest.Diff(want, got))
			}
		})
	}
}
