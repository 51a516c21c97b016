package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// Repo is a git repository in a temporary directory.
type Repo struct {
	tb testing.TB
	// Dir is the repository's directory (its work tree, or the repository
	// itself when bare).
	Dir string
	// Author names the author of the next commits.
	Author string
	// When is the committer time of the next commit made by Commit or
	// Merge; each of them advances it by Step. The author time is 30
	// minutes earlier.
	When time.Time
	Step time.Duration
}

// Step is one commit of a script: the files of Write are written (content
// "" writes an empty file), then the files of Remove removed, then the
// renames of Move ({from, to}) made, in that order, and everything is
// committed with message Msg; when Merge names a branch, the commit is
// the merge of that branch into the current one instead (see Merge).
// Date, when set, is the commit's date in RFC 3339 (see CommitAt);
// otherwise the commit lands on the clock (see Commit).
type Step struct {
	Msg    string
	Date   string
	Write  map[string]string
	Remove []string
	Move   [][2]string
	Merge  string
}

// New creates an empty repository on branch main whose first commit lands
// at start, then commits steps. It fails the test when the git CLI is
// missing.
func New(tb testing.TB, start time.Time, steps ...Step) *Repo {
	tb.Helper()
	requireGit(tb)
	r := &Repo{tb: tb, Dir: tb.TempDir(), Author: "Ada Lovelace", When: start.UTC(), Step: time.Hour}
	r.Git("init", "-q", "-b", "main")
	r.Do(steps...)
	return r
}

// Clone clones src (a directory or a bundle, relative to the test's working
// directory, or a URL git understands) into a new temporary directory with the extra clone arguments args (such as
// "--bare" or "--depth", "3"). The clone's clock starts one Step after the
// committer time of its HEAD (at the zero time when it has no commit). It
// fails the test when the git CLI is missing.
func Clone(tb testing.TB, src string, args ...string) *Repo {
	tb.Helper()
	requireGit(tb)
	r := &Repo{tb: tb, Dir: filepath.Join(tb.TempDir(), "clone"), Author: "Ada Lovelace", Step: time.Hour}
	r.gitIn("", append(append([]string{"clone", "-q"}, args...), "--", src, r.Dir)...)
	if out, err := r.run(r.Dir, "log", "-1", "--format=%ct", "HEAD"); err == nil {
		if sec, err := strconv.ParseInt(out, 10, 64); err == nil {
			r.When = time.Unix(sec, 0).UTC().Add(r.Step)
		}
	}
	return r
}

// requireGit fails tb when the git CLI is missing: a test that needs git
// and skipped without it would pass having tested nothing (.ci/run
// installs git).
func requireGit(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Fatal("gittest: the git CLI is not installed (apt-get install git): ", err)
	}
}

// Env is the environment git runs with: no user or system configuration,
// the author of the next commit, and the dates of the next commit on the
// clock.
func (r *Repo) Env() []string {
	return r.env(r.When, r.When.Add(-30*time.Minute))
}

func (r *Repo) env(committed, authored time.Time) []string {
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "HOME="+r.Dir,
		"GIT_AUTHOR_NAME="+r.Author, "GIT_AUTHOR_EMAIL=author@example.com",
		"GIT_COMMITTER_NAME=Committer", "GIT_COMMITTER_EMAIL=committer@example.com",
		"GIT_AUTHOR_DATE="+authored.Format(time.RFC3339),
		"GIT_COMMITTER_DATE="+committed.Format(time.RFC3339),
	)
}

// Git runs git in the repository with Env and returns its output without
// the final newline; a failure fails the test.
func (r *Repo) Git(args ...string) string {
	r.tb.Helper()
	return r.gitIn(r.Dir, args...)
}

// gitIn runs git in dir (the working directory when "") with Env.
func (r *Repo) gitIn(dir string, args ...string) string {
	r.tb.Helper()
	out, err := r.run(dir, args...)
	if err != nil {
		r.tb.Fatal(err)
	}
	return out
}

// run runs git in dir with Env.
func (r *Repo) run(dir string, args ...string) (string, error) {
	return r.runEnv(dir, r.Env(), args...)
}

func (r *Repo) runEnv(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimRight(string(out), "\n"), nil
}

// Write writes a file (creating directories, replacing a symbolic link)
// and stages it.
func (r *Repo) Write(path, content string) *Repo {
	r.tb.Helper()
	full := r.prepare(path)
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.tb.Fatal(err)
	}
	r.Git("add", "--", path)
	return r
}

// Symlink makes path a symbolic link to target (replacing what was there)
// and stages it.
func (r *Repo) Symlink(path, target string) *Repo {
	r.tb.Helper()
	full := r.prepare(path)
	if err := os.Remove(full); err != nil && !os.IsNotExist(err) {
		r.tb.Fatal(err)
	}
	if err := os.Symlink(target, full); err != nil {
		r.tb.Fatal(err)
	}
	r.Git("add", "--", path)
	return r
}

// prepare creates the directories of path and removes a symbolic link at
// path; it returns the full path.
func (r *Repo) prepare(path string) string {
	r.tb.Helper()
	full := filepath.Join(r.Dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	if fi, err := os.Lstat(full); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if err := os.Remove(full); err != nil {
			r.tb.Fatal(err)
		}
	}
	return full
}

// Chmod makes a file executable (mode 100755) or not (100644) and stages
// the mode.
func (r *Repo) Chmod(path string, executable bool) *Repo {
	r.tb.Helper()
	flag, perm := "-x", os.FileMode(0o644)
	if executable {
		flag, perm = "+x", 0o755
	}
	if err := os.Chmod(filepath.Join(r.Dir, path), perm); err != nil {
		r.tb.Fatal(err)
	}
	r.Git("update-index", "--chmod="+flag, "--", path)
	return r
}

// Remove removes a file and stages the removal.
func (r *Repo) Remove(path string) *Repo {
	r.tb.Helper()
	r.Git("rm", "-q", "-f", "--", path)
	return r
}

// Move renames a file (creating directories) and stages the rename.
func (r *Repo) Move(from, to string) *Repo {
	r.tb.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(r.Dir, to)), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	r.Git("mv", "--", from, to)
	return r
}

// Checkout switches to branch, creating it at HEAD when it does not exist.
func (r *Repo) Checkout(branch string) *Repo {
	r.tb.Helper()
	if _, err := r.run(r.Dir, "rev-parse", "--verify", "-q", "refs/heads/"+branch); err != nil {
		r.Git("checkout", "-q", "-b", branch)
	} else {
		r.Git("checkout", "-q", branch)
	}
	return r
}

// Commit commits what is staged (an empty commit is allowed) at When,
// advances the clock by Step and returns the commit hash.
func (r *Repo) Commit(msg string) string {
	r.tb.Helper()
	return r.commit("", commitArgs(msg))
}

// CommitAt commits what is staged (an empty commit is allowed) with the
// author and committer time both at date, in RFC 3339, sets the clock (in
// UTC) one Step after it and returns the commit hash. A malformed date
// fails the test.
func (r *Repo) CommitAt(date, msg string) string {
	r.tb.Helper()
	return r.commit(date, commitArgs(msg))
}

// Merge merges branch into the current branch with a merge commit at
// When, advances the clock by Step and returns the commit hash.
func (r *Repo) Merge(branch, msg string) string {
	r.tb.Helper()
	return r.commit("", mergeArgs(branch, msg))
}

func commitArgs(msg string) []string {
	return []string{"commit", "-q", "--allow-empty", "--no-verify", "-m", msg}
}

func mergeArgs(branch, msg string) []string {
	return []string{"merge", "-q", "--no-ff", "--no-edit", "-m", msg, branch}
}

// commit runs git args, which make one commit, on the clock or, when date
// is set, at date; it moves the clock on and returns the commit hash.
func (r *Repo) commit(date string, args []string) string {
	r.tb.Helper()
	if date == "" {
		r.Git(args...)
		r.When = r.When.Add(r.Step)
		return r.Head()
	}
	at, err := time.Parse(time.RFC3339, date)
	if err != nil {
		r.tb.Fatalf("gittest: commit date: %v", err)
	}
	if _, err := r.runEnv(r.Dir, r.env(at, at), args...); err != nil {
		r.tb.Fatal(err)
	}
	r.When = at.Add(r.Step).UTC()
	return r.Head()
}

// Do applies and commits each step in order and returns the hash of the
// last commit ("" when there is no step).
func (r *Repo) Do(steps ...Step) string {
	r.tb.Helper()
	var hash string
	for _, s := range steps {
		for _, p := range sortedKeys(s.Write) {
			r.Write(p, s.Write[p])
		}
		for _, p := range s.Remove {
			r.Remove(p)
		}
		for _, m := range s.Move {
			r.Move(m[0], m[1])
		}
		args := commitArgs(s.Msg)
		if s.Merge != "" {
			args = mergeArgs(s.Merge, s.Msg)
		}
		hash = r.commit(s.Date, args)
	}
	return hash
}

// Head returns the hash of HEAD.
func (r *Repo) Head() string {
	r.tb.Helper()
	return r.Git("rev-parse", "HEAD")
}

// Touched returns, sorted, the paths ending in suffix that the
// first-parent commits of HEAD landing in w (by committer time) added,
// modified, removed or renamed (both sides of a rename), each diffed
// against its first parent, as git reports them.
func (r *Repo) Touched(w livespec.Window, suffix string) []string {
	r.tb.Helper()
	out := r.Git("log", "--first-parent", "--diff-merges=first-parent", "--name-status", "-M", "--format=@%ct", "HEAD")
	set := map[string]bool{}
	in := false
	for _, line := range strings.Split(out, "\n") {
		if sec, ok := strings.CutPrefix(line, "@"); ok {
			n, err := strconv.ParseInt(sec, 10, 64)
			if err != nil {
				r.tb.Fatalf("gittest: git log: %q", line)
			}
			in = w.Contains(time.Unix(n, 0))
			continue
		}
		f := strings.Split(line, "\t")
		if !in || len(f) < 2 {
			continue
		}
		for _, p := range f[1:] {
			if strings.HasSuffix(p, suffix) {
				set[p] = true
			}
		}
	}
	return sortedKeys(set)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
