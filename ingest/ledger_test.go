package ingest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

// genRepo builds a pseudo-random but deterministic history: adds, edits,
// whitespace-only edits, deletes, renames (exact, edited, with a mode
// change, from a non-spec name), mode changes, binary files, symlinks,
// non-spec files and merges of feature branches.
func genRepo(tb testing.TB, seed uint64, commits int) *gittest.Repo {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	r := gittest.New(tb, baseTime)
	dirs := []string{"", "docs/", "specs/auth/", "specs/billing/"}
	word := func() string { return fmt.Sprintf("w%x", rng.Uint64()) }
	doc := func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "# Title %s\n\n", word())
		for i := range 3 + rng.IntN(4) {
			fmt.Fprintf(&b, "## Part %d %s\n\n", i, word())
			for range 2 + rng.IntN(3) {
				fmt.Fprintf(&b, "%s %s %s %s.\n", word(), word(), word(), word())
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	n := 0
	newPath := func(prefix, ext string) string {
		n++
		return fmt.Sprintf("%s%s%d%s", dirs[rng.IntN(len(dirs))], prefix, n, ext)
	}
	specs := func(under string) []string {
		var out []string
		filepath.WalkDir(filepath.Join(r.Dir, under), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			rel, _ := filepath.Rel(r.Dir, p)
			if !d.IsDir() && d.Type().IsRegular() && strings.HasSuffix(rel, ".md") {
				out = append(out, filepath.ToSlash(rel))
			}
			return nil
		})
		sort.Strings(out)
		return out
	}
	editLine := func(path string) {
		b, _ := os.ReadFile(filepath.Join(r.Dir, path))
		lines := strings.Split(string(b), "\n")
		if bytesHasNUL(b) || len(lines) < 3 {
			r.Write(path, doc())
			return
		}
		i := 2 + rng.IntN(len(lines)-2)
		lines[i] = word() + " edited " + word()
		r.Write(path, strings.Join(lines, "\n"))
	}
	op := func(under string) {
		files := specs(under)
		k := rng.IntN(16)
		if len(files) == 0 {
			k = 0
		}
		pick := func() string { return files[rng.IntN(len(files))] }
		switch k {
		case 0, 1:
			r.Write(filepath.Join(under, newPath("spec", ".md")), doc())
		case 2, 3:
			editLine(pick())
		case 4: // whitespace-only edit
			p := pick()
			b, _ := os.ReadFile(filepath.Join(r.Dir, p))
			r.Write(p, string(b)+"\n\n")
		case 5:
			r.Git("rm", "-q", "-f", "--", pick())
		case 6: // exact rename
			r.Move(pick(), filepath.Join(under, newPath("moved", ".md")))
		case 7: // rename with a small edit
			to := filepath.Join(under, newPath("renamed", ".md"))
			r.Move(pick(), to)
			editLine(to)
		case 8: // rename and mode change
			to := filepath.Join(under, newPath("exec", ".md"))
			r.Move(pick(), to)
			r.Chmod(to, true)
		case 9:
			p := pick()
			r.Chmod(p, rng.IntN(2) == 0)
		case 10:
			r.Write(filepath.Join(under, newPath("blob", ".md")), "bin\x00ary "+word())
		case 11:
			r.Symlink(filepath.Join(under, newPath("link", ".md")), "../"+word()+".md")
		case 12: // non-spec file, then renamed to a spec name later
			p := filepath.Join(under, newPath("notes", ".txt"))
			r.Write(p, doc())
		case 14, 15: // a file replaced by two identical copies: git's exact-rename tie-break
			p := pick()
			b, _ := os.ReadFile(filepath.Join(r.Dir, p))
			base := filepath.Base(p)
			if k == 15 {
				base = "copy.md"
			}
			r.Git("rm", "-q", "-f", "--", p)
			r.Write(filepath.Join(under, newPath("dup", "/"+base)), string(b))
			r.Write(filepath.Join(under, newPath("dup", ".md")), string(b))
		case 13: // a non-spec file becomes a spec file
			var txt []string
			filepath.WalkDir(filepath.Join(r.Dir, under), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txt") {
					rel, _ := filepath.Rel(r.Dir, p)
					txt = append(txt, rel)
				}
				return nil
			})
			if len(txt) == 0 {
				editLine(pick())
				return
			}
			sort.Strings(txt)
			r.Move(txt[0], strings.TrimSuffix(txt[0], ".txt")+".md")
		}
	}
	for c := 0; c < commits; c++ {
		if c > 0 && c%9 == 0 {
			// A feature branch works in its own directory while main moves on.
			br := fmt.Sprintf("feature%d", c)
			r.Checkout(br)
			for range 2 + rng.IntN(2) {
				for range 1 + rng.IntN(2) {
					op("feat/" + br + "/")
				}
				r.Commit("work on " + br)
			}
			r.Checkout("main")
			if rng.IntN(2) == 0 {
				op("main/")
				r.Commit("main moves on")
			}
			r.Merge(br, "Merge "+br)
			continue
		}
		for range 1 + rng.IntN(3) {
			op("")
		}
		r.Commit(fmt.Sprintf("commit %d\n\nbody of the message", c))
	}
	return r
}

func bytesHasNUL(b []byte) bool { return slices.Contains(b, 0) }

// gitLedger returns, per first-parent commit of HEAD, what
// `git diff-tree -r -M --name-status` reports for the spec files.
func gitLedger(tb testing.TB, r *gittest.Repo) (order []string, ledger map[string][]string) {
	tb.Helper()
	ledger = map[string][]string{}
	specs := []string{"--", ":(glob)**/*.md", ":(glob)**/*.markdown"}
	for _, c := range strings.Fields(r.Git("rev-list", "--first-parent", "--reverse", "HEAD")) {
		order = append(order, c)
		args := []string{"diff-tree", "-r", "-M", "--name-status", "--no-commit-id"}
		if parents := strings.Fields(r.Git("rev-list", "--parents", "-n1", c)); len(parents) == 1 {
			args = append(args, "--root", c)
		} else {
			args = append(args, c+"^1", c)
		}
		out := r.Git(append(args, specs...)...)
		var entries []string
		for _, line := range strings.Split(out, "\n") {
			if line == "" {
				continue
			}
			f := strings.Split(line, "\t")
			switch f[0][0] {
			case 'A':
				entries = append(entries, "added "+f[1])
			case 'M', 'T':
				entries = append(entries, "modified "+f[1])
			case 'D':
				entries = append(entries, "removed "+f[1])
			case 'R':
				entries = append(entries, "renamed "+f[2]+" from "+f[1])
			default:
				tb.Fatalf("unexpected diff-tree line %q", line)
			}
		}
		sort.Strings(entries)
		ledger[c] = entries
	}
	return order, ledger
}

func storeLedger(tb testing.TB, s livespec.Store, repo string) map[string][]string {
	tb.Helper()
	chs, err := s.Changes(context.Background(), livespec.ChangeQuery{Repos: []string{repo}, Sections: true})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]string{}
	for _, c := range chs {
		if c.Section {
			continue
		}
		e := string(c.Kind) + " " + c.Path
		if c.Kind == livespec.Renamed {
			e += " from " + c.OldPath
		}
		out[c.Commit] = append(out[c.Commit], e)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

func TestLedgerMatchesGitDiffTree(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := genRepo(t, seed, 40)
			store := stores[int(seed)%len(stores)].open(t)
			res, _ := ingestRepo(t, store, r.Dir, "gen", nil)
			order, want := gitLedger(t, r)
			got := storeLedger(t, store, "gen")
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
			checkChangeMetadata(t, r, store, "gen", order)
			checkCurrentFiles(t, r, store, "gen")
		})
	}
}

// checkChangeMetadata checks the commit facts of every change against git
// and that Seq is the position on the first-parent chain.
func checkChangeMetadata(t *testing.T, r *gittest.Repo, s livespec.Store, repo string, order []string) {
	t.Helper()
	seq := map[string]int64{}
	for i, c := range order {
		seq[c] = int64(i + 1)
	}
	chs, _ := s.Changes(context.Background(), livespec.ChangeQuery{Repos: []string{repo}, Sections: true})
	facts := map[string][]string{}
	for _, c := range chs {
		f, ok := facts[c.Commit]
		if !ok {
			f = strings.Split(r.Git("log", "-1", "--format=%cI%n%aI%n%an%n%s", c.Commit), "\n")
			facts[c.Commit] = f
		}
		cd, _ := time.Parse(time.RFC3339, f[0])
		ad, _ := time.Parse(time.RFC3339, f[1])
		if !c.Date.Equal(cd) || !c.AuthorDate.Equal(ad) || c.Author != f[2] || c.Message != f[3] || c.Seq != seq[c.Commit] {
			t.Errorf("change %s %s: date %v author date %v author %q message %q seq %d; git says %q seq %d",
				c.Commit[:10], c.Path, c.Date, c.AuthorDate, c.Author, c.Message, c.Seq, f, seq[c.Commit])
		}
	}
}

// checkCurrentFiles checks that the current file versions are the spec
// files of HEAD with their blobs.
func checkCurrentFiles(t *testing.T, r *gittest.Repo, s livespec.Store, repo string) {
	t.Helper()
	var want []string
	for _, line := range strings.Split(r.Git("ls-tree", "-r", "HEAD"), "\n") {
		// <mode> SP <type> SP <hash> TAB <path>
		meta, path, ok := strings.Cut(line, "\t")
		if !ok || !strings.HasSuffix(path, ".md") {
			continue
		}
		f := strings.Fields(meta)
		want = append(want, path+" "+f[2])
	}
	sort.Strings(want)
	files, err := s.Files(context.Background(), livespec.FileQuery{Repos: []string{repo}, Validity: livespec.Current()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path+" "+f.Blob)
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("current files:\n got %q\nwant %q", got, want)
	}
}

// TestLedgerOnCorpus compares the ledger with git diff-tree on the real
// spec histories of ../shared/corpora. It is slow, so it runs only when
// LIVESPEC_CORPUS_TESTS is set.
func TestLedgerOnCorpus(t *testing.T) {
	forEachCorpus(t, func(t *testing.T, name string, r *gittest.Repo) {
		store := newMemStore()
		ingestRepo(t, store, r.Dir, name, nil)
		order, want := gitLedger(t, r)
		got := storeLedger(t, store, name)
		bad := 0
		for _, c := range order {
			if !slices.Equal(got[c], want[c]) {
				if bad++; bad <= 10 {
					t.Errorf("commit %s:\n got %q\nwant %q", c[:10], got[c], want[c])
				}
			}
		}
		t.Logf("%d first-parent commits, %d differ from git diff-tree", len(order), bad)
		checkCurrentFiles(t, r, store, name)
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
