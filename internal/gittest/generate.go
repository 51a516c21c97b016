package gittest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// Generate builds a pseudo-random but deterministic history: adds, edits,
// whitespace-only edits, deletes, renames (exact, edited, with a mode
// change, from a non-spec name), mode changes, binary files, symlinks,
// non-spec files and merges of feature branches. The same seed and number
// of commits make the same history.
func Generate(tb testing.TB, start time.Time, seed uint64, commits int) *Repo {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	r := New(tb, start)
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

// SectionDoc builds a Markdown document titled title with a level-two
// section per heading/body pair.
func SectionDoc(title string, pairs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", title)
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", pairs[i], pairs[i+1])
	}
	return b.String()
}
