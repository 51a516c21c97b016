package ingest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// baseTime is the date of the first commit of every test repository; each
// further commit lands one hour later, so tests are deterministic.
var baseTime = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

// testRepo is a git repository in a temporary directory, built with the git
// CLI from a script of commits with fixed dates and authors.
type testRepo struct {
	tb     testing.TB
	Dir    string
	Author string // author of the next commits
	n      int    // commits made so far
}

// step is one commit of a script: files written (content "" is allowed),
// files removed and files moved, in that order.
type step struct {
	Msg    string
	Write  map[string]string
	Remove []string
	Move   [][2]string // {from, to}
}

func newTestRepo(tb testing.TB, steps ...step) *testRepo {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git CLI not available")
	}
	r := &testRepo{tb: tb, Dir: tb.TempDir(), Author: "Ada Lovelace"}
	r.git("init", "-q", "-b", "main")
	for _, s := range steps {
		r.do(s)
	}
	return r
}

// do applies one script step and commits it.
func (r *testRepo) do(s step) string {
	r.tb.Helper()
	for p, c := range s.Write {
		r.write(p, c)
	}
	for _, p := range s.Remove {
		r.git("rm", "-q", "-f", "--", p)
	}
	for _, m := range s.Move {
		r.mv(m[0], m[1])
	}
	return r.commit(s.Msg)
}

func (r *testRepo) env() []string {
	when := baseTime.Add(time.Duration(r.n) * time.Hour)
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "HOME="+r.Dir,
		"GIT_AUTHOR_NAME="+r.Author, "GIT_AUTHOR_EMAIL=author@example.com",
		"GIT_COMMITTER_NAME=Committer", "GIT_COMMITTER_EMAIL=committer@example.com",
		"GIT_AUTHOR_DATE="+when.Add(-30*time.Minute).Format(time.RFC3339),
		"GIT_COMMITTER_DATE="+when.Format(time.RFC3339),
	)
}

// git runs git in the repository and returns its trimmed output.
func (r *testRepo) git(args ...string) string {
	r.tb.Helper()
	return gitIn(r.tb, r.Dir, r.env(), args...)
}

func gitIn(tb testing.TB, dir string, env []string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimRight(string(out), "\n")
}

func (r *testRepo) write(path, content string) {
	r.tb.Helper()
	full := filepath.Join(r.Dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	if fi, err := os.Lstat(full); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		os.Remove(full)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.tb.Fatal(err)
	}
	r.git("add", "--", path)
}

func (r *testRepo) mv(from, to string) {
	r.tb.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(r.Dir, to)), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	r.git("mv", "--", from, to)
}

func (r *testRepo) symlink(path, target string) {
	r.tb.Helper()
	full := filepath.Join(r.Dir, path)
	os.Remove(full)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	if err := os.Symlink(target, full); err != nil {
		r.tb.Fatal(err)
	}
	r.git("add", "--", path)
}

func (r *testRepo) chmod(path string, exec bool) {
	r.tb.Helper()
	mode, perm := "-x", os.FileMode(0o644)
	if exec {
		mode, perm = "+x", 0o755
	}
	if err := os.Chmod(filepath.Join(r.Dir, path), perm); err != nil {
		r.tb.Fatal(err)
	}
	r.git("update-index", "--chmod="+mode, "--", path)
}

// commit commits the index (empty commits allowed) and returns the hash.
func (r *testRepo) commit(msg string) string {
	r.tb.Helper()
	r.n++
	r.git("commit", "-q", "--allow-empty", "--no-verify", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// merge merges branch into the current branch with a merge commit.
func (r *testRepo) merge(branch, msg string) string {
	r.tb.Helper()
	r.n++
	r.git("merge", "-q", "--no-ff", "--no-edit", "-m", msg, branch)
	return r.git("rev-parse", "HEAD")
}

func (r *testRepo) head() string { return r.git("rev-parse", "HEAD") }

// ingest runs Run on the repository into store with opts adjusted by fn.
func ingestRepo(tb testing.TB, store livespec.Store, r *testRepo, repo string, fn func(*Options)) (*Result, []string) {
	tb.Helper()
	var warnings []string
	opt := Options{Repo: repo, Dir: r.Dir, Warn: func(m string) { warnings = append(warnings, m) }}
	if fn != nil {
		fn(&opt)
	}
	res, err := Run(context.Background(), store, opt)
	if err != nil {
		tb.Fatalf("ingest %s: %v", repo, err)
	}
	return res, warnings
}

// sectionDoc builds a Markdown document from heading/body pairs.
func sectionDoc(title string, pairs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", title)
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", pairs[i], pairs[i+1])
	}
	return b.String()
}
