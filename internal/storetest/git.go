package storetest

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

// GitLedger returns, per first-parent commit of HEAD, what
// `git diff-tree -r -M --name-status` reports for the spec files.
func GitLedger(tb testing.TB, r *gittest.Repo) (order []string, ledger map[string][]string) {
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

// Ledger returns, per commit, the file-level changes s holds for repo as
// "kind path [from old-path]" strings, sorted, as GitLedger does.
func Ledger(tb testing.TB, s livespec.Store, repo string) map[string][]string {
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

// CheckChangeMetadata checks the commit facts of every change against git
// and that Seq is the position on the first-parent chain.
func CheckChangeMetadata(t testing.TB, r *gittest.Repo, s livespec.Store, repo string, order []string) {
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

// CheckCurrentFiles checks that the current file versions are the spec
// files of HEAD with their blobs.
func CheckCurrentFiles(t testing.TB, r *gittest.Repo, s livespec.Store, repo string) {
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

// SectionEvents returns the section-level changes of commit as
// "kind heading [from old-heading] [in old-path]" strings, sorted.
func SectionEvents(tb testing.TB, s livespec.Store, repo, commit string) []string {
	tb.Helper()
	chs, err := s.Changes(context.Background(), livespec.ChangeQuery{Repos: []string{repo}, Sections: true})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, c := range chs {
		if c.Commit != commit || !c.Section {
			continue
		}
		e := string(c.Kind) + " " + c.Path + "#" + c.Heading
		if c.OldHeading != "" {
			e += " from " + c.OldHeading
		}
		if c.OldPath != "" {
			e += " in " + c.OldPath
		}
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

// FileEvent returns the file-level change of path in commit.
func FileEvent(tb testing.TB, s livespec.Store, repo, commit, path string) *livespec.Change {
	tb.Helper()
	chs, err := s.Changes(context.Background(), livespec.ChangeQuery{Repos: []string{repo}})
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range chs {
		if c.Commit == commit && !c.Section && c.Path == path {
			return &c
		}
	}
	return nil
}
