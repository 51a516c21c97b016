// Command reviewbench measures the precision and recall of livespec
// review's drift findings on a repository it builds with planted cases:
// one branch per case off a base application whose spec names its
// identifiers. It prints one line per case that missed or over-reported,
// then the totals. With -own N it also reviews each of the last N
// first-parent commits of the repository at -repo and lists the findings,
// for a person to judge.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/livespec/livespec/review"
)

func main() {
	own := flag.Int("own", 0, "also review each of the last N first-parent commits of -repo")
	repo := flag.String("repo", ".", "the repository -own reads")
	flag.Parse()
	if err := run(*own, *repo); err != nil {
		fmt.Fprintln(os.Stderr, "reviewbench:", err)
		os.Exit(1)
	}
}

func run(own int, repo string) error {
	dir, err := os.MkdirTemp("", "reviewbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := plant(dir); err != nil {
		return err
	}
	tp, fp, fn := 0, 0, 0
	for i, c := range cases {
		rep, err := review.Run(context.Background(), review.Options{Dir: dir, Range: "main..." + branch(i)})
		if err != nil {
			return fmt.Errorf("case %q: %w", c.Name, err)
		}
		var got []string
		for _, f := range rep.Findings {
			if f.Ident != nil && f.Kind != review.Uncovered {
				got = append(got, string(f.Kind)+" "+f.Ident.Name)
			}
		}
		var extra, missed []string
		for _, g := range got {
			if slices.Contains(c.Want, g) {
				tp++
			} else {
				fp++
				extra = append(extra, g)
			}
		}
		for _, w := range c.Want {
			if !slices.Contains(got, w) {
				fn++
				missed = append(missed, w)
			}
		}
		if len(extra)+len(missed) > 0 {
			fmt.Printf("case %2d %-42s extra %v missed %v\n", i+1, c.Name, extra, missed)
		}
	}
	precision, recall := ratio(tp, tp+fp), ratio(tp, tp+fn)
	fmt.Printf("planted: %d cases, %d expected findings: %d found, %d false, %d missed; precision %.3f, recall %.3f\n",
		len(cases), tp+fn, tp, fp, fn, precision, recall)
	if own > 0 {
		if err := ownHistory(repo, own); err != nil {
			return err
		}
	}
	if precision < 0.95 || recall < 0.8 {
		return fmt.Errorf("below target (precision ≥ 0.95, recall ≥ 0.8)")
	}
	return nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func branch(i int) string { return fmt.Sprintf("case-%02d", i+1) }

// plant builds the repository: the base application on main, then one
// branch per case.
func plant(dir string) error {
	if err := git(dir, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	for p, s := range baseFiles {
		if err := write(dir, p, s); err != nil {
			return err
		}
	}
	if err := commit(dir, "base application"); err != nil {
		return err
	}
	for i, c := range cases {
		if err := git(dir, "checkout", "-q", "-b", branch(i), "main"); err != nil {
			return err
		}
		if err := apply(dir, c); err != nil {
			return fmt.Errorf("case %q: %w", c.Name, err)
		}
		if err := commit(dir, c.Name); err != nil {
			return err
		}
	}
	return git(dir, "checkout", "-q", "main")
}

func apply(dir string, c plantedCase) error {
	for _, e := range c.Edits {
		if e.Old == "" {
			if err := write(dir, e.Path, e.New); err != nil {
				return err
			}
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Path))
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), e.Old) {
			return fmt.Errorf("%s has no %q", e.Path, e.Old)
		}
		if err := write(dir, e.Path, strings.Replace(string(b), e.Old, e.New, -1)); err != nil {
			return err
		}
	}
	if c.Move[0] != "" {
		return git(dir, "mv", c.Move[0], c.Move[1])
	}
	return nil
}

func write(dir, p, s string) error {
	full := filepath.Join(dir, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	return os.WriteFile(full, []byte(s), 0o644)
}

func commit(dir, msg string) error {
	if err := git(dir, "add", "-A"); err != nil {
		return err
	}
	return git(dir, "commit", "-q", "--allow-empty", "-m", msg)
}

func git(dir string, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=bench", "GIT_AUTHOR_EMAIL=bench@example.com", "GIT_COMMITTER_NAME=bench", "GIT_COMMITTER_EMAIL=bench@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// ownHistory reviews each of the last n first-parent commits of repo
// against its first parent and prints every finding.
func ownHistory(repo string, n int) error {
	out, err := exec.Command("git", "-C", repo, "rev-list", "--first-parent", fmt.Sprintf("--max-count=%d", n), "HEAD").Output()
	if err != nil {
		return fmt.Errorf("git rev-list: %w", err)
	}
	commits := strings.Fields(string(out))
	total := 0
	for _, c := range commits {
		rep, err := review.Run(context.Background(), review.Options{Dir: repo, Range: c + "~1.." + c})
		if err != nil {
			continue // the root commit, or a shallow end
		}
		for _, f := range rep.Findings {
			total++
			fmt.Printf("own %.7s %-12s %-24s %s:%d  %s\n", c, f.Kind, identName(f), f.Code.Path, f.Code.Line, f.Why)
		}
	}
	fmt.Printf("own history: %d commits reviewed one by one, %d findings\n", len(commits), total)
	last := commits[len(commits)-1]
	rep, err := review.Run(context.Background(), review.Options{Dir: repo, Range: last + "~1..HEAD"})
	if err != nil {
		return nil // a shallow end: the one-by-one reviews are the measure
	}
	for _, f := range rep.Findings {
		fmt.Printf("own range %-12s %-24s %s:%d  %s\n", f.Kind, identName(f), f.Code.Path, f.Code.Line, f.Why)
	}
	fmt.Printf("own history: the same %d commits reviewed as one range, %d findings\n", len(commits), len(rep.Findings))
	return nil
}

func identName(f review.Finding) string {
	if f.Ident == nil {
		return ""
	}
	return f.Ident.Name
}
