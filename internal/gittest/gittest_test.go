package gittest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

var start = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

// dates returns "committer | author | author name" of HEAD's first-parent
// commits, oldest first.
func dates(r *gittest.Repo) []string {
	return strings.Split(r.Git("log", "--first-parent", "--reverse", "--format=%cI | %aI | %an"), "\n")
}

func TestClock(t *testing.T) {
	r := gittest.New(t, start)
	r.Commit("one")
	r.Author = "Bo"
	r.Step = 24 * time.Hour
	r.Commit("two")
	r.Commit("three")
	r.CommitAt("2025-03-01T12:00:00+02:00", "explicit")
	r.Commit("after")
	want := []string{
		"2025-01-06T09:00:00+00:00 | 2025-01-06T08:30:00+00:00 | Ada Lovelace",
		"2025-01-06T10:00:00+00:00 | 2025-01-06T09:30:00+00:00 | Bo",
		"2025-01-07T10:00:00+00:00 | 2025-01-07T09:30:00+00:00 | Bo",
		"2025-03-01T12:00:00+02:00 | 2025-03-01T12:00:00+02:00 | Bo",
		"2025-03-02T10:00:00+00:00 | 2025-03-02T09:30:00+00:00 | Bo",
	}
	if got := dates(r); !slices.Equal(got, want) {
		t.Errorf("commits:\n got %q\nwant %q", got, want)
	}
}

// tree returns "mode path" for each file of HEAD.
func tree(r *gittest.Repo) []string {
	var out []string
	for _, line := range strings.Split(r.Git("ls-tree", "-r", "HEAD"), "\n") {
		meta, path, _ := strings.Cut(line, "\t")
		out = append(out, strings.Fields(meta)[0]+" "+path)
	}
	return out
}

func TestFiles(t *testing.T) {
	r := gittest.New(t, start, gittest.Step{Msg: "one", Write: map[string]string{
		"a.md": "# A\n", "docs/deep/b.md": "# B\n", "empty.md": "", "run.sh": "echo\n", "gone.md": "x\n",
	}})
	tests := []struct {
		name string
		do   func()
		want []string
	}{
		{"a script step", func() {},
			[]string{"100644 a.md", "100644 docs/deep/b.md", "100644 empty.md", "100644 gone.md", "100644 run.sh"}},
		{"symlink, chmod, remove, move", func() {
			r.Symlink("link.md", "a.md").Chmod("run.sh", true).Remove("gone.md").Move("docs/deep/b.md", "new/dir/b.md")
			r.Commit("two")
		}, []string{"100644 a.md", "100644 empty.md", "120000 link.md", "100644 new/dir/b.md", "100755 run.sh"}},
		{"a write replaces a symlink; chmod back", func() {
			r.Write("link.md", "# Link\n").Chmod("run.sh", false)
			r.Commit("three")
		}, []string{"100644 a.md", "100644 empty.md", "100644 link.md", "100644 new/dir/b.md", "100644 run.sh"}},
		{"a symlink replaces a file", func() {
			r.Symlink("a.md", "empty.md")
			r.Commit("four")
		}, []string{"120000 a.md", "100644 empty.md", "100644 link.md", "100644 new/dir/b.md", "100644 run.sh"}},
	}
	for _, tt := range tests {
		tt.do()
		if got := tree(r); !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
	if got := r.Git("cat-file", "-p", "HEAD:a.md"); got != "empty.md" {
		t.Errorf("symlink a.md points to %q, want empty.md", got)
	}
	if got := r.Git("cat-file", "-p", "HEAD:link.md"); got != "# Link" {
		t.Errorf("link.md holds %q", got)
	}
}

func TestDoOrderAndHash(t *testing.T) {
	r := gittest.New(t, start)
	if h := r.Do(); h != "" {
		t.Errorf("Do() = %q, want no hash", h)
	}
	h := r.Do(
		gittest.Step{Msg: "one", Write: map[string]string{"a.md": "1\n", "b.md": "1\n"}},
		// Written, then removed, then moved: the rename carries the new text.
		gittest.Step{Msg: "two", Date: "2025-02-01T00:00:00Z", Write: map[string]string{"a.md": "2\n"},
			Remove: []string{"b.md"}, Move: [][2]string{{"a.md", "c/a.md"}}},
	)
	if h != r.Head() {
		t.Errorf("Do returned %s, HEAD is %s", h, r.Head())
	}
	if got := r.Git("show", "--format=%s %cI", "--name-status", "HEAD"); got != "two 2025-02-01T00:00:00+00:00\n\nD\ta.md\nD\tb.md\nA\tc/a.md" {
		t.Errorf("second step:\n%s", got)
	}
	if got := r.Git("cat-file", "-p", "HEAD:c/a.md"); got != "2" {
		t.Errorf("c/a.md = %q, want the written text", got)
	}
}

func TestBranchesAndTouched(t *testing.T) {
	r := gittest.New(t, start, gittest.Step{Msg: "one", Write: map[string]string{"a.md": "# A\n", "notes.txt": "x\n"}})
	r.Checkout("side").Write("side.md", "# Side\n").Commit("side work")   // 10:00
	r.Checkout("main").Write("a.md", "# A\n\nmore\n").Commit("main work") // 11:00
	merge := r.Merge("side", "Merge side")                                // 12:00
	r.Checkout("side")                                                    // an existing branch
	if got := r.Git("rev-parse", "--abbrev-ref", "HEAD"); got != "side" {
		t.Errorf("on branch %q, want side", got)
	}
	r.Checkout("main").Move("a.md", "b.md").Write("notes.txt", "y\n").Commit("rename") // 13:00
	r.Checkout("side").Write("late.md", "# Late\n").Commit("late side work")           // 14:00
	r.Checkout("main").Do(gittest.Step{Date: "2025-02-01T00:00:00Z", Msg: "Merge late", Merge: "side"})
	if got := r.Git("log", "-1", "--format=%P|%aI|%cI|%s"); len(strings.Fields(strings.Split(got, "|")[0])) != 2 ||
		!strings.HasSuffix(got, "|2025-02-01T00:00:00+00:00|2025-02-01T00:00:00+00:00|Merge late") {
		t.Errorf("merge step: %s", got)
	}
	if parents := strings.Fields(r.Git("rev-list", "--parents", "-n1", merge)); len(parents) != 3 {
		t.Errorf("merge has parents %q, want two", parents[1:])
	}
	at := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name string
		w    livespec.Window
		want []string
	}{
		{"all", livespec.Window{}, []string{"a.md", "b.md", "late.md", "side.md"}},
		{"first commit", livespec.Window{To: at(1)}, []string{"a.md"}},
		{"side commit is off the first-parent chain", livespec.Window{From: at(1), To: at(2)}, nil},
		{"merge diffed against its first parent", livespec.Window{From: at(3), To: at(4)}, []string{"side.md"}},
		{"rename: both sides", livespec.Window{From: at(4), To: at(5)}, []string{"a.md", "b.md"}},
		{"merge step", livespec.Window{From: at(5)}, []string{"late.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Touched(tt.w, ".md"); !slices.Equal(got, tt.want) {
				t.Errorf("Touched = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClone(t *testing.T) {
	src := gittest.New(t, start,
		gittest.Step{Msg: "one", Write: map[string]string{"a.md": "1\n"}},
		gittest.Step{Msg: "two", Write: map[string]string{"a.md": "2\n"}},
		gittest.Step{Msg: "three", Write: map[string]string{"a.md": "3\n"}},
	)
	c := gittest.Clone(t, "file://"+src.Dir, "--depth", "1")
	if c.Head() != src.Head() || c.Git("rev-parse", "--is-shallow-repository") != "true" {
		t.Errorf("shallow clone at %s, want %s", c.Head(), src.Head())
	}
	if want := start.Add(3 * time.Hour); !c.When.Equal(want) {
		t.Errorf("clone clock at %v, want %v: one step after HEAD", c.When, want)
	}
	c.Write("b.md", "b\n").Commit("in the clone")
	if got := c.Git("log", "-1", "--format=%cI"); got != "2025-01-06T12:00:00+00:00" {
		t.Errorf("commit in the clone at %s", got)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, src.Dir)
	if err != nil {
		t.Fatal(err)
	}
	bare := gittest.Clone(t, rel, "--bare") // a path relative to the test's directory
	if bare.Git("rev-parse", "--is-bare-repository") != "true" || bare.Head() != src.Head() {
		t.Errorf("bare clone wrong")
	}
}

// fatalTB records the first failure and stops the test's goroutine as
// testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper()                   {}
func (f *fatalTB) Fatal(args ...any)         { f.msg = fmt.Sprint(args...); runtime.Goexit() }
func (f *fatalTB) Fatalf(s string, a ...any) { f.msg = fmt.Sprintf(s, a...); runtime.Goexit() }

// failure runs fn with a *fatalTB and returns the failure message.
func failure(t *testing.T, fn func(tb testing.TB)) string {
	f := &fatalTB{TB: t}
	var wg sync.WaitGroup
	wg.Go(func() { fn(f) })
	wg.Wait()
	return f.msg
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		fn   func(r *gittest.Repo)
		want string
	}{
		{"malformed date", func(r *gittest.Repo) { r.CommitAt("March 1st", "x") }, `gittest: commit date: parsing time "March 1st"`},
		{"git fails", func(r *gittest.Repo) { r.Git("no-such-command") }, "git no-such-command: exit status 1"},
		{"remove a missing file", func(r *gittest.Repo) { r.Remove("missing.md") }, "git rm -q -f -- missing.md"},
		{"move a missing file", func(r *gittest.Repo) { r.Move("missing.md", "b.md") }, "git mv -- missing.md b.md"},
		{"chmod a missing file", func(r *gittest.Repo) { r.Chmod("missing.md", true) }, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *gittest.Repo
			var head string
			msg := failure(t, func(tb testing.TB) {
				r = gittest.New(tb, start, gittest.Step{Msg: "one", Write: map[string]string{"a.md": "1\n"}})
				head = r.Head()
				tt.fn(r)
			})
			if !strings.Contains(msg, tt.want) {
				t.Errorf("failure %q, want it to contain %q", msg, tt.want)
			}
			if r.Head() != head {
				t.Errorf("HEAD moved after a failure")
			}
		})
	}
}

// recordingTB records how a helper ended the test.
type recordingTB struct {
	testing.TB
	fatal, skipped bool
}

type stopped struct{}

func (r *recordingTB) Helper()                   {}
func (r *recordingTB) TempDir() string           { return r.TB.TempDir() }
func (r *recordingTB) Fatal(args ...any)         { r.fatal = true; panic(stopped{}) }
func (r *recordingTB) Fatalf(f string, a ...any) { r.fatal = true; panic(stopped{}) }
func (r *recordingTB) Skip(args ...any)          { r.skipped = true; panic(stopped{}) }
func (r *recordingTB) Skipf(f string, a ...any)  { r.skipped = true; panic(stopped{}) }
func (r *recordingTB) SkipNow()                  { r.skipped = true; panic(stopped{}) }

func TestWithoutGitFails(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // a PATH with no git
	for name, call := range map[string]func(tb testing.TB){
		"New":   func(tb testing.TB) { gittest.New(tb, start) },
		"Clone": func(tb testing.TB) { gittest.Clone(tb, t.TempDir()) },
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			func() {
				defer func() {
					if r := recover(); r != nil && r != (stopped{}) {
						panic(r)
					}
				}()
				call(rec)
			}()
			if !rec.fatal || rec.skipped {
				t.Errorf("without git: failed %v, skipped %v; want a failure, not a skip", rec.fatal, rec.skipped)
			}
		})
	}
}
