// Package gittest builds git repositories for tests: a script of commits
// with fixed dates and authors, made with the git CLI in a temporary
// directory, so every test that reads history is deterministic.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Repo is a git repository in a temporary directory.
type Repo struct {
	tb  testing.TB
	Dir string
	// Author names the author of the next commits.
	Author string
	// When is the committer time of the next commit; each commit advances
	// it by Step. The author time is 30 minutes earlier.
	When time.Time
	Step time.Duration
}

// New creates an empty repository on branch main whose first commit lands
// at start. It skips the test when the git CLI is missing.
func New(tb testing.TB, start time.Time) *Repo {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git CLI not available")
	}
	r := &Repo{tb: tb, Dir: tb.TempDir(), Author: "Ada Lovelace", When: start.UTC(), Step: time.Hour}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Env is the environment git runs with: no user or system config, and the
// author and committer dates of the next commit.
func (r *Repo) Env() []string {
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "HOME="+r.Dir,
		"GIT_AUTHOR_NAME="+r.Author, "GIT_AUTHOR_EMAIL=author@example.com",
		"GIT_COMMITTER_NAME=Committer", "GIT_COMMITTER_EMAIL=committer@example.com",
		"GIT_AUTHOR_DATE="+r.When.Add(-30*time.Minute).Format(time.RFC3339),
		"GIT_COMMITTER_DATE="+r.When.Format(time.RFC3339),
	)
}

// Git runs git in the repository and returns its output without the final
// newline; a failure fails the test.
func (r *Repo) Git(args ...string) string {
	r.tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = r.Env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimRight(string(out), "\n")
}

// Write writes a file (creating directories) and stages it.
func (r *Repo) Write(path, content string) *Repo {
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
	r.Git("add", "--", path)
	return r
}

// Remove removes a file and stages the removal.
func (r *Repo) Remove(path string) *Repo {
	r.tb.Helper()
	r.Git("rm", "-q", "-f", "--", path)
	return r
}

// Move renames a file and stages the rename.
func (r *Repo) Move(from, to string) *Repo {
	r.tb.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(r.Dir, to)), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	r.Git("mv", "--", from, to)
	return r
}

// Commit commits what is staged (an empty commit is allowed), advances the
// clock and returns the commit hash.
func (r *Repo) Commit(msg string) string {
	r.tb.Helper()
	r.Git("commit", "-q", "--allow-empty", "--no-verify", "-m", msg)
	r.When = r.When.Add(r.Step)
	return r.Git("rev-parse", "HEAD")
}

// Merge merges branch into the current branch with a merge commit.
func (r *Repo) Merge(branch, msg string) string {
	r.tb.Helper()
	r.Git("merge", "-q", "--no-ff", "--no-edit", "-m", msg, branch)
	r.When = r.When.Add(r.Step)
	return r.Git("rev-parse", "HEAD")
}

// Head returns the hash of HEAD.
func (r *Repo) Head() string { return r.Git("rev-parse", "HEAD") }
